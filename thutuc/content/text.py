"""Vietnamese text handling: NFC normalisation, accent folding and slugs.

Everything an editor types passes through `nfc()` on load, because Mac editors
save decomposed (NFD) letters and `"hộ" in nfd_text` is then False.
Folding is a small stdlib function: Unidecode is GPL-family licensed, and
Vietnamese only needs "strip the combining marks, then đ→d".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC form."""
    return unicodedata.normalize("NFC", text)


def nfc_deep(value: Any) -> Any:
    """NFC-normalise every string inside nested lists and dicts (keys too)."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [nfc_deep(item) for item in value]
    if isinstance(value, dict):
        return {nfc_deep(key): nfc_deep(item) for key, item in value.items()}
    return value


def _slow_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP).casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


# Every precomposed Latin letter (Vietnamese uses U+00C0-U+024F and U+1E00-U+1EFF)
# mapped to its folded form once, so folding is one str.translate: a province
# folds hundreds of thousands of titles and headings.
_FOLDED = {
    code: folded
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00))
    if (folded := _slow_fold(chr(code))) != chr(code)
}
_FOLDED.update({ord("đ"): "d", ord("Đ"): "d"})


def fold(text: str) -> str:
    """Fold for matching: casefold, strip tone and vowel marks, đ→d.

    "Hộ tịch" and "ho tich" fold to the same string, as do "hòa" and "hoà".
    """
    folded = text.casefold().translate(_FOLDED)
    return folded if folded.isascii() else _slow_fold(folded)


_WORD = re.compile(r"[^\W_]+")


def folded_words(text: str) -> list[str]:
    """Letters and digits only, folded: the words search matches what a resident types."""
    return _WORD.findall(fold(text))


def distinct_words(
    *texts: str, skip: str = "", words: Callable[[str], list[str]] = folded_words
) -> str:
    """The words of `texts`, each once, in order, leaving out the words of `skip`."""
    seen: dict[str, None] = dict.fromkeys(words(skip))
    extra = [word for text in texts for word in words(text) if word not in seen]
    return " ".join(dict.fromkeys(extra))


def slugify(text: str) -> str:
    """A URL slug from Vietnamese text: "Đất đai" → "dat-dai"."""
    return _NON_SLUG.sub("-", fold(text)).strip("-")


def heading_slug(value: str, separator: str = "-") -> str:
    """Heading-id function for Python-Markdown that keeps đ as d ("Điều kiện" → "dieu-kien")."""
    return _NON_SLUG.sub(separator, fold(value)).strip(separator)


def vi_date(value: date | None) -> str:
    """01/07/2025: the way dates are written in Vietnamese administration."""
    return value.strftime("%d/%m/%Y") if value else ""
