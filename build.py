#!/usr/bin/env python3
"""Entry point: `python build.py build`, `check`, `serve`, `new`, `import`, `compare` (see --help)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def _run_pypa_build() -> None:
    """`python -m build` in the repository finds this file before PyPA's `build`
    (the current folder comes first on sys.path): hand over to the real one."""
    import runpy
    from importlib.util import find_spec

    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != HERE]
    sys.modules.pop("build", None)
    if find_spec("build") is None:
        sys.exit(
            "`python -m build` chạy công cụ đóng gói 'build' của PyPA, nhưng Python này chưa "
            "có nó: python -m pip install build (trong một venv).\n"
            "(PyPA's build is not installed in this Python: pip install build, in a venv.)"
        )
    runpy.run_module("build", run_name="__main__", alter_sys=True)


def _check_packages() -> None:
    """A fresh clone, or the system Python instead of .venv: say so before anything runs."""
    from thutuc.requirements import missing_packages

    missing = missing_packages()
    if missing:
        names = ", ".join(missing)
        sys.exit(
            f"Thiếu thư viện Python: {names}. Có lẽ bạn đang chạy bằng Python của máy, "
            "chưa phải môi trường .venv của kho.\n"
            "Cài một lần (Debian/Ubuntu: sudo apt-get install python3-venv make):\n"
            "    make site\n"
            "rồi chạy lệnh bằng Python của .venv:\n"
            f"    .venv/bin/python build.py {' '.join(sys.argv[1:]) or 'check'}\n"
            "hoặc gõ một lần: source .venv/bin/activate (sau đó python build.py ... là được).\n"
            f"(Missing Python packages {names}: run `make site`, then use .venv/bin/python.)"
        )


if __name__ == "__main__":
    if __spec__ is not None and __spec__.name == "build":  # `python -m build`, not this script
        _run_pypa_build()
    else:
        try:
            sys.path.insert(0, HERE)
            from thutuc import main
        except KeyboardInterrupt:  # in the instant before thutuc can say so
            sys.exit(130)
        main(before=_check_packages)
