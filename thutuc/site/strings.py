"""Interface strings: the words of the pages around the content, one file per language.

`templates/strings/<language>.yml` holds every label, heading and sentence the
templates write themselves ("Giấy tờ cần mang", "Tìm thủ tục"), as flat
`key: text` lines an editor or a translator can fill in. The bundled files
(vi, the source, and en) sit with the bundled templates; a site's own
`templates/strings/<language>.yml` wins key by key, so a commune adds a
language, or rewords a label, without touching the package. A key missing in a
language falls back to Vietnamese (`check` names every missing key), so a page
always renders.

Placeholders in braces ({n}, {name}) are filled by the `fill` filter; a value
with `one:` and `other:` is a count (English "1 procedure" / "3 procedures").
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from thutuc.content.text import nfc_deep
from thutuc.resources import TEMPLATES_DIR

SOURCE_LANGUAGE = "vi"
STRINGS_DIR = "strings"  # under templates/


class Strings(dict[str, Any]):
    """One language's strings, complete (Vietnamese fills the gaps); `code` is its tag."""

    def __init__(self, code: str, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self.code = code

    def __repr__(self) -> str:  # what an artifact key hashes, if one ever holds it
        return f"Strings({self.code!r}, {dict(self)!r})"


def strings_file(templates_root: Path, code: str) -> Path:
    return templates_root / "templates" / STRINGS_DIR / f"{code.lower()}.yml"


def _read(path: Path) -> dict[str, Any]:
    """A strings file as a mapping; {} when it is missing or not a mapping (check reports it)."""
    try:
        stat = path.stat()
    except OSError:
        return {}
    # Read again when the file changes (a worker of `serve` lives across builds); a
    # poster is drawn from these words, one call each: a province draws thousands.
    return dict(_read_as_of(path, stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=64)
def _read_as_of(path: Path, _mtime_ns: int, _size: int) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return nfc_deep(data) if isinstance(data, dict) else {}


def bundled(code: str) -> dict[str, Any]:
    return _read(TEMPLATES_DIR / STRINGS_DIR / f"{code.lower()}.yml")


def own_strings(templates_root: Path, code: str) -> dict[str, Any]:
    """The language's strings as written: the bundled file, then the site's own over it."""
    own = TEMPLATES_DIR.resolve() != (templates_root / "templates").resolve()
    return {**bundled(code), **(_read(strings_file(templates_root, code)) if own else {})}


@lru_cache(maxsize=64)
def load_strings(templates_root: Path, code: str = SOURCE_LANGUAGE, overrides: str = "") -> Strings:
    """Every string of `code`, Vietnamese where it has none. `overrides`: the digest
    of the site's own templates (as for make_environment), so an edit is read again."""
    source = own_strings(templates_root, SOURCE_LANGUAGE)
    if code.lower() == SOURCE_LANGUAGE:
        return Strings(SOURCE_LANGUAGE, source)
    return Strings(code, {**source, **own_strings(templates_root, code)})


def missing_strings(templates_root: Path, code: str) -> list[str]:
    """Keys of the Vietnamese strings that `code` does not translate."""
    mine = own_strings(templates_root, code)
    return [key for key in own_strings(templates_root, SOURCE_LANGUAGE) if key not in mine]


def plural(text: Any, form: str = "other") -> str:
    """One form of a count string ("one" or "other"), for a script to fill in."""
    if isinstance(text, Mapping):
        return str(text.get(form, text.get("other", "")))
    return str(text)


def fill(text: Any, **values: Any) -> str:
    """`text` with its {placeholders} filled; a count picks `one` when n is 1."""
    if isinstance(text, Mapping):
        text = text.get("one" if values.get("n") == 1 else "other", text.get("other", ""))
    result = str(text)
    for name, value in values.items():
        result = result.replace("{" + name + "}", str(value))
    return result
