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

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from thutuc.content.text import nfc_deep
from thutuc.resources import TEMPLATES_DIR

SOURCE_LANGUAGE = "vi"
STRINGS_DIR = "strings"  # under templates/
# Words only the Vietnamese sticker sheets and leaflets print: a language has none
# of these, so a translation that lacks them is not told so.
VIETNAMESE_PRINT_ONLY = frozenset(("print_stickers_heading", "print_sticker_code", "agency"))


class Strings(dict[str, Any]):
    """One language's strings, complete (Vietnamese fills the gaps); `code` is its tag."""

    def __init__(self, code: str, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self.code = code

    def __repr__(self) -> str:  # what an artifact key hashes, if one ever holds it
        return f"Strings({self.code!r}, {dict(self)!r})"


def strings_file(templates_root: Path, code: str) -> Path:
    return templates_root / "templates" / STRINGS_DIR / f"{code.lower()}.yml"


def _file(path: Path) -> bytes:
    """A strings file's bytes; none when it is missing."""
    try:
        return path.read_bytes()
    except OSError:
        return b""


# Parsed once per content, not per call: a poster is drawn from these words, one call
# each, and a province draws thousands. Keyed by the bytes themselves, so a worker of
# `serve`, which lives across builds, never keeps an edited file's words (a copy that
# keeps the size and the time, `cp -p`, changes the bytes).
@lru_cache(maxsize=64)
def _parsed(data: bytes) -> dict[str, Any]:
    import yaml

    try:
        # libyaml's parser when PyYAML has it (as content/load.py): the strings
        # are parsed by every build that renders a page (vi.yml: 13 -> 1.5 ms)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        parsed = yaml.load(data.decode("utf-8-sig"), Loader=loader)
    except (UnicodeDecodeError, yaml.YAMLError):
        return {}
    return nfc_deep(parsed) if isinstance(parsed, dict) else {}


def parse_strings(data: bytes) -> dict[str, Any]:
    """A strings file's bytes as a mapping; {} when not a mapping (check reports it)."""
    return dict(_parsed(data)) if data else {}  # a copy: the parsed one is shared


def bundled(code: str) -> dict[str, Any]:
    return parse_strings(_file(TEMPLATES_DIR / STRINGS_DIR / f"{code.lower()}.yml"))


def own_strings(templates_root: Path, code: str) -> dict[str, Any]:
    """The language's strings: the bundled file, then the site's own over it, each of
    its strings that `string_problems` finds nothing wrong with (check tells the rest)."""
    return dict(_merged(_site_file(templates_root, code), code))


@lru_cache(maxsize=64)
def _merged(data: bytes, code: str) -> dict[str, Any]:
    mine = parse_strings(data)
    wrong = string_problems(mine, reference_strings(code))
    return {**bundled(code), **{k: v for k, v in mine.items() if k not in wrong}}


def _site_file(templates_root: Path, code: str) -> bytes:
    if TEMPLATES_DIR.resolve() == (templates_root / "templates").resolve():
        return b""  # the bundled templates themselves (a site inside the package)
    return _file(strings_file(templates_root, code))


def reference_strings(code: str) -> dict[str, Any]:
    """What a site's strings of `code` are checked against: the bundled ones."""
    return {**bundled(SOURCE_LANGUAGE), **bundled(code)}


# The longest bundled string has 125 characters; a poster sets these words in
# lines of its own, and a much longer one no longer fits its sheet.
STRING_LIMIT = 300
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")


def _forms(value: Any) -> list[str] | None:
    """The texts of a string (a count's `one:` and `other:`), or None when it is not one."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping) and "other" in value and set(value) <= {"one", "other"}:
        forms = list(value.values())
        return forms if all(isinstance(f, str) for f in forms) else None
    return None


def string_problems(mine: Mapping[str, Any], reference: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with each of a site's strings, by key (a string with a problem is
    not used: the bundled one is). Against the bundled string of the same key: a
    text (or a count's one:/other:), not empty, not too long, and no {placeholder}
    the bundled one lacks (it would print as typed). One it leaves out is the
    editor's choice: "Bộ phận Một cửa xã Hòa Bình" needs no {name}."""
    found: dict[str, str] = {}
    for key, value in mine.items():
        if key not in reference:
            found[key] = f"Khóa lạ '{key}': không có chữ nào của trang hay áp phích dùng khóa này."
            continue
        forms = _forms("" if value is None else value)  # "key:" with nothing after it
        if forms is None:
            found[key] = f"'{key}' phải là một dòng chữ (hoặc one:/other: cho chữ có số)."
        elif not any(f.strip() for f in forms):
            found[key] = f"'{key}' để trống."
        elif (longest := max(len(f) for f in forms)) > STRING_LIMIT:
            found[key] = f"'{key}' dài {longest} ký tự, quá {STRING_LIMIT}: áp phích không in vừa."
        else:
            wanted = {m for f in _forms(reference[key]) or [] for m in _PLACEHOLDER.findall(f)}
            written = {m for f in forms for m in _PLACEHOLDER.findall(f)}
            if extra := sorted(written - wanted):
                found[key] = (
                    f"'{key}' có {', '.join('{' + m + '}' for m in extra)}, chỗ không được điền "
                    f"gì: sẽ in nguyên như vậy."
                )
    return found


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
