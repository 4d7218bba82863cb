"""The Python packages thutuc needs to run, by the module each is imported as.

build.py looks for all of them before anything runs, so a Python that lacks one
(the system Python, another venv) gets one clear message instead of a crash deep
inside a build that calls itself a bug of the tool. tests/test_cli.py keeps this
list equal to pyproject.toml's dependencies."""

from __future__ import annotations

from importlib.util import find_spec

# distribution name (as in pyproject.toml) → top-level module
RUNTIME_MODULES = {
    "click": "click",
    "jinja2": "jinja2",
    "cmarkgfm": "cmarkgfm",
    "pyyaml": "yaml",
    "nh3": "nh3",
    "zxing-cpp": "zxingcpp",
    "pillow": "PIL",
    "reportlab": "reportlab",
    "uharfbuzz": "uharfbuzz",
    "pypdfium2": "pypdfium2",
    "watchfiles": "watchfiles",
    "openpyxl": "openpyxl",
    "langcodes": "langcodes",
}


def missing_packages() -> list[str]:
    """The distributions whose module this Python cannot find (none is imported)."""
    return [name for name, module in RUNTIME_MODULES.items() if find_spec(module) is None]
