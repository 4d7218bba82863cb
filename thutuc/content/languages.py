"""`languages:` in site.yml: the languages the pages are in besides Vietnamese.

Each entry has `code`, a registered BCP 47 language tag, and `name`, the
language's name in that language (what the switcher shows). A tag is checked
against the IANA Language Subtag Registry (the `langcodes` package ships it), so
a tag that merely looks right is refused: `blu`, an old code for Hmong Njua,
was split and is no longer registered; H'Mông is `hnj` or `mww`.

The script of a language decides its search (folding applies to Latin letters)
and nothing else: fonts come from the letters a page shows (site/fonts.py).
It is the tag's script subtag when it has one (`blt-Latn`), else the script the
language is usually written in in Vietnam (below), else Latin.
"""

from __future__ import annotations

import re
from typing import Any

from thutuc.content.model import Contact, Language
from thutuc.content.schema import LANGUAGE_KEYS, key_names

SOURCE = "vi"
# The usual script in Vietnam of the languages whose script is not Latin (ISO 15924).
DEFAULT_SCRIPTS = {"km": "Khmr", "blt": "Tavt", "twh": "Tavt", "cjm": "Cham"}
# Tags editors are likely to try, with what to write instead.
KNOWN_MISTAKES = {
    "blu": "blu (H'Mông) không còn là mã đã đăng ký: dùng hnj (H'Mông Lềnh/Njua) "
    "hoặc mww (H'Mông Trắng/Daw).",
    "vn": "vn là mã nước, không phải mã ngôn ngữ (tiếng Việt là vi, và là tiếng gốc).",
    "kh": "kh là mã nước Campuchia; tiếng Khmer là km.",
}
VIETNAM_TAGS = (
    "en (tiếng Anh), hnj hoặc mww (H'Mông), blt hoặc twh (Thái), tyz (Tày), nut (Nùng), "
    "km (Khmer), cjm (Chăm), rad (Ê Đê), jra (Gia Rai), bdq (Ba Na)"
)
# site.yml's texts a language may give in its own words (the rest stays Vietnamese).
SITE_TEXTS = ("name", "address", "opening_hours", "contacts")
_TAG_SHAPE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


class LanguageProblem(ValueError):
    """What is wrong with `languages:`; `key` and `code` locate the line when known
    (the `posters:` line of language `code`)."""

    def __init__(self, message: str, hint: str = "", key: str = "", code: str = "") -> None:
        super().__init__(message)
        self.hint = hint
        self.key, self.code = key, code


def line_in_entry(text: str, start: int, code: str, key: str) -> int | None:
    """The line (1-based) of `key:` in the entry of language `code` of the
    `languages:` list that starts on line `start` of `text`; None if not found."""
    lines = text.splitlines()
    entry = re.compile(rf"^\s*-?\s*code\s*:\s*['\"]?{re.escape(code)}['\"]?\s*(#.*)?$", re.I)
    wanted = re.compile(rf"^\s*-?\s*{re.escape(key)}\s*:")
    found = False
    for number, line in enumerate(lines[start - 1 :], start):
        if number > start and line[:1] not in ("", " ", "\t", "-", "#"):
            break  # the next top-level key: the list has ended
        if entry.match(line):
            found = True
        elif found and line.lstrip().startswith("- "):
            found = bool(entry.match(line))
        if found and wanted.match(line):
            return number
    return None


def is_registered(tag: str) -> bool:
    """A well-formed tag whose every subtag is in the IANA registry."""
    if not _TAG_SHAPE.match(tag):
        return False
    import langcodes  # its registry data is large: only when a site has languages

    return bool(langcodes.tag_is_valid(tag))


def canonical_tag(tag: str) -> str:
    """BCP 47's usual case: language lower, script Title, region upper ("blt-Tavt-VN")."""
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def script_of(tag: str) -> str:
    script = next((p for p in tag.split("-")[1:] if len(p) == 4 and p.isalpha()), "")
    return script.title() if script else DEFAULT_SCRIPTS.get(tag.split("-")[0].lower(), "Latn")


def check_tag(value: Any) -> str:
    """The canonical tag of `value`, or LanguageProblem saying what to write."""
    text = str(value).strip()
    low = text.lower()
    if low in KNOWN_MISTAKES:
        raise LanguageProblem(KNOWN_MISTAKES[low], f"Các mã hay dùng: {VIETNAM_TAGS}.")
    if low.split("-")[0] == SOURCE:
        raise LanguageProblem(
            "tiếng Việt là tiếng gốc của trang, không cần khai trong languages.",
            "Chỉ ghi các tiếng khác.",
        )
    if not is_registered(text):
        raise LanguageProblem(
            f"'{text}' không phải mã ngôn ngữ đã đăng ký (BCP 47).",
            f"Các mã hay dùng: {VIETNAM_TAGS}. Tra mã khác ở "
            "https://www.iana.org/assignments/language-subtag-registry.",
        )
    return canonical_tag(text)


def parse_languages(value: Any, contacts: Any) -> tuple[Language, ...]:
    """`languages:` as written in site.yml; `contacts` converts a `site: contacts:` list."""
    items = value if isinstance(value, list) else [value]
    languages: list[Language] = []
    for item in items:
        if not isinstance(item, dict) or not str(item.get("code", "")).strip():
            raise LanguageProblem(
                "mỗi ngôn ngữ cần code (mã BCP 47) và name (tên tiếng đó, viết bằng tiếng đó).",
                "Ví dụ:\n  - code: en\n    name: English",
            )
        code = check_tag(item["code"])
        from thutuc.content.load import visible_text

        name = visible_text(str(item.get("name", "")))  # a name of invisible characters is none
        if not name:
            raise LanguageProblem(f"ngôn ngữ {code} thiếu name.", "Ví dụ: name: English")
        unknown = set(item) - set(key_names(LANGUAGE_KEYS))
        if unknown:
            raise LanguageProblem(
                f"khóa lạ trong ngôn ngữ {code}: {', '.join(sorted(map(str, unknown)))}.",
                f"Mỗi ngôn ngữ chỉ có {', '.join(key_names(LANGUAGE_KEYS))}.",
            )
        if any(x.code.lower() == code.lower() for x in languages):
            raise LanguageProblem(f"ngôn ngữ {code} được khai hai lần.", "Xóa một mục.")
        texts = _site_texts(item, code, contacts)
        posters = poster_mode(item.get("posters"), code)
        languages.append(Language(code, name, script_of(code), texts, posters))
    return tuple(languages)


# What `posters:` of a language may say, and what it means (Language.posters).
POSTER_MODES = {True: "alone", False: "", "bilingual": "bilingual"}


def poster_mode(value: Any, code: str) -> str:
    """`posters:` of language `code`: "" (not written, false), "alone" (true) or "bilingual"."""
    if value is None or value == "":
        return ""
    key = value.strip().lower() if isinstance(value, str) else value
    key = {"true": True, "false": False}.get(key, key) if isinstance(key, str) else key
    if isinstance(key, (bool, str)) and key in POSTER_MODES:
        return POSTER_MODES[key]
    raise LanguageProblem(
        f"posters: của ngôn ngữ {code} là '{value}', không phải true, false hay bilingual.",
        "Ghi posters: true (áp phích chỉ bằng tiếng này), posters: bilingual (tiếng Việt "
        "trên, tiếng này dưới), hoặc xóa dòng này (không in áp phích tiếng này). Chỉ in khi "
        "bản dịch đã được người bản ngữ đọc lại.",
        key="posters",
        code=code,
    )


def _site_texts(item: dict[str, Any], code: str, contacts: Any) -> tuple[tuple[str, Any], ...]:
    texts = item.get("site") or {}
    if not isinstance(texts, dict):
        raise LanguageProblem(
            f"site: của ngôn ngữ {code} phải là các dòng 'khóa: giá trị'.",
            "Ví dụ:\n    site:\n      name: Hoa Binh Commune",
        )
    unknown = set(texts) - set(SITE_TEXTS)
    if unknown:
        raise LanguageProblem(
            f"site: của ngôn ngữ {code} có khóa không dịch được: "
            f"{', '.join(sorted(map(str, unknown)))}.",
            f"Chỉ dịch được: {', '.join(SITE_TEXTS)}.",
        )
    converted: list[tuple[str, Any]] = []
    for key in SITE_TEXTS:
        if key not in texts:
            continue
        raw = texts[key]
        value: tuple[Contact, ...] | str = contacts(raw) if key == "contacts" else str(raw).strip()
        converted.append((key, value))
    return tuple(converted)


def translation_suffix(name: str) -> tuple[str, str] | None:
    """("ket-hon", "en") for "ket-hon.en.md", ("_index", "en") for "_index.en.md":
    a file name whose last dotted part before .md is a registered language tag."""
    if not name.endswith(".md"):
        return None
    stem, dot, tag = name[:-3].rpartition(".")
    if not dot or not stem or not is_registered(tag):
        return None
    return stem, tag
