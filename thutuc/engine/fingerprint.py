"""What shapes an output besides its inputs: our code, templates, static files,
fonts and the libraries' versions, as one digest per kind of output. Light: the
read step of every build needs it (the project key), rendering does not.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from thutuc.resources import FONTS_DIR, PACKAGE_DIR, STATIC_DIR, TEMPLATES_DIR


def _digest_files(paths: Iterable[Path], extra: Iterable[str] = ()) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(paths):
        digest.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for text in extra:
        digest.update(text.encode() + b"\0")
    return digest.hexdigest()


def _versions(*names: str) -> list[str]:
    return [f"{n}={importlib.metadata.version(n)}" for n in names]


@cache
def code_digests() -> dict[str, str]:
    """What shapes each kind of output besides its inputs: our code, the bundled
    templates and static files, the fonts, and the libraries' versions."""
    code = [p for p in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts]
    templates = [p for p in TEMPLATES_DIR.rglob("*") if p.is_file()]
    static = [p for p in STATIC_DIR.rglob("*") if p.is_file()]
    site = _digest_files(
        code + templates + static, _versions("cmarkgfm", "nh3", "jinja2", "markupsafe")
    )
    qr = _digest_files([PACKAGE_DIR / "print" / "qr.py"], _versions("zxing-cpp"))
    fonts = [p for p in FONTS_DIR.rglob("*") if p.is_file()]
    printed = _digest_files(
        code + templates + fonts, _versions("reportlab", "zxing-cpp", "pypdfium2", "pillow")
    )
    return {"site": site, "qr": qr, "print": printed}
