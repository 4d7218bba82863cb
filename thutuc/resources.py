"""Where the files the code loads live: templates, static files, fonts.

The default templates sit at the top of the repository (`templates/`, where a
site's own overrides go too, as the design card asks) and are copied into the
package when the wheel is built (pyproject.toml, force-include), so an installed
package finds them beside its code and a clone finds them beside the package.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "site" / "static"
FONTS_DIR = PACKAGE_DIR / "print" / "fonts"


def _templates_dir() -> Path:
    installed = PACKAGE_DIR / "templates"
    return installed if installed.is_dir() else PACKAGE_DIR.parent / "templates"


TEMPLATES_DIR = _templates_dir()
