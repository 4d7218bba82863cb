"""What shapes an output besides its inputs: our code, templates, static files,
fonts and the libraries' versions, as one digest per kind of output. Light: the
read step of every build needs it (the project key), rendering does not.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
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
    """`name=version` of each installed distribution, read from the names of the
    `*.dist-info` / `*.egg-info` folders on sys.path (the first one, as import finds
    it). importlib.metadata gives the same, but importing it took 24-57 ms of every
    build; it is asked only for a name not found this way."""
    wanted = {_normal(name): name for name in names}
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            entries = os.listdir(folder or os.curdir)
        except OSError:
            continue
        for entry in entries:
            stem, dot, kind = entry.rpartition(".")
            if dot and kind in ("dist-info", "egg-info") and stem.count("-") >= 1:
                name, version = stem.split("-")[:2]
                found.setdefault(_normal(name), version)
    missing = [name for key, name in wanted.items() if key not in found]
    if missing:
        import importlib.metadata

        found.update({_normal(n): importlib.metadata.version(n) for n in missing})
    return [f"{name}={found[_normal(name)]}" for name in names]


def _normal(name: str) -> str:
    """A distribution's name as packaging compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


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
