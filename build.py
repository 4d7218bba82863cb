#!/usr/bin/env python3
"""Entry point: `python build.py build`, `check`, `serve`, `new` (see --help)."""

import sys

try:
    from thutuc.cli import main
except ModuleNotFoundError as missing:  # a fresh clone without its dependencies
    sys.exit(
        f"Thiếu thư viện Python '{missing.name}'. Cài đặt bằng: python3 -m pip install -e .\n"
        f"(Missing Python package '{missing.name}'. Install with: python3 -m pip install -e .)"
    )

if __name__ == "__main__":
    main()
