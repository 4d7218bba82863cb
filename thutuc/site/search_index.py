"""The search index: what the home page's search box looks through, as compact JSON.

Residents type without accents ("giay khai sinh") or with them ("hộ tịch"), so
every entry carries its words folded by `text.fold` (the same function that
makes slugs), and the accented words as written, so that exact-accent matches
can rank first: folding merges hộ/hỗ and tịch/tích.

The shape is positional arrays, not objects with repeated keys, to stay small
on a 2G connection (bench/bench_search_index.py measures it for 300 procedures):

    {"v": 1,
     "f": [[title, folded title and aliases], ...],             # fields
     "p": [[path, title, field index, keywords, folded], ...]}  # procedures, A to Z

`keywords` is the front matter's keywords joined by " · "; `folded` holds the
folded words of the keywords that the title lacks. The script folds the title
itself, with the same rule (tests/test_browser.py checks that every folded title
finds its procedure): shipping the folded title too would cost a third more
bytes on the wire for nothing.
"""

from __future__ import annotations

import json
import re

from thutuc.content.model import Field, Procedure, Site
from thutuc.content.text import fold

INDEX_PATH = "search.json"
FORMAT_VERSION = 1
KEYWORD_SEPARATOR = " · "
_WORD = re.compile(r"[^\W_]+")


def _folded_words(*texts: str, skip: str = "") -> str:
    """Folded words of `texts`, each once, in order, leaving out the words of `skip`."""
    seen: dict[str, None] = dict.fromkeys(_words(skip))
    extra = [word for text in texts for word in _words(text) if word not in seen]
    return " ".join(dict.fromkeys(extra))


def _words(text: str) -> list[str]:
    # Letters and digits only, as the script splits what the resident types.
    return _WORD.findall(fold(text))


def field_entry(field: Field) -> list[str]:
    return [field.title, _folded_words(field.title, *field.front.aliases)]


def procedure_entry(
    procedure: Procedure, field_index: int, old_codes: tuple[str, ...] = ()
) -> list[str | int]:
    """`old_codes`: codes this procedure replaced, so a code from an old leaflet
    still finds it; its own code is searchable too."""
    keywords = KEYWORD_SEPARATOR.join(procedure.summary.keywords)
    folded = _folded_words(
        *procedure.summary.keywords, procedure.code, *old_codes, skip=procedure.title
    )
    return [procedure.url_path, procedure.title, field_index, keywords, folded]


def search_index(site: Site) -> dict[str, object]:
    """Active procedures only: a replaced one is found through its successor."""
    positions = {field.slug: i for i, field in enumerate(site.fields)}
    return {
        "v": FORMAT_VERSION,
        "f": [field_entry(field) for field in site.fields],
        "p": [
            procedure_entry(p, positions[p.field_slug], site.replaced_codes_of(p.code))
            for p in site.active_procedures
        ],
    }


def search_index_json(site: Site) -> bytes:
    """The index as UTF-8 JSON without spaces; stable for byte-identical builds."""
    data = search_index(site)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
