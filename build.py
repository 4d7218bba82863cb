#!/usr/bin/env python3
"""Entry point: `python build.py build`, `check`, `serve`, `new`, `import`, `compare` (see --help)."""

import sys

try:
    from thutuc.cli import main
except ModuleNotFoundError as missing:  # a fresh clone, or the system Python instead of .venv
    sys.exit(
        f"Thiếu thư viện Python '{missing.name}'. Có lẽ bạn đang chạy bằng Python của máy, "
        "chưa phải môi trường .venv của kho.\n"
        "Cài một lần (Debian/Ubuntu: sudo apt-get install python3-venv make):\n"
        "    make site\n"
        "rồi chạy lệnh bằng Python của .venv:\n"
        f"    .venv/bin/python build.py {' '.join(sys.argv[1:]) or 'check'}\n"
        "hoặc gõ một lần: source .venv/bin/activate (sau đó python build.py ... là được).\n"
        f"(Missing Python package '{missing.name}': run `make site`, then use .venv/bin/python.)"
    )

if __name__ == "__main__":
    main()
