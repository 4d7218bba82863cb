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
folded words of the keywords that the title lacks.

Each language has its own index (search.json, en/search.json), made from the
site as that language shows it. Folding applies to Latin letters only: a
language written in another script (Khmer, Tai Viet, Cham) gets `"z": 0`, words
lower-cased but never stripped of their marks (Khmer's subscript sign is a
combining mark), and the script matches anywhere in a word, since those
scripts do not always put spaces between words. The script folds the title
itself, with the same rule (tests/test_browser.py checks that every folded title
finds its procedure): shipping the folded title too would cost a third more
bytes on the wire for nothing.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable

from thutuc.content.model import Field, Procedure, Site
from thutuc.content.text import distinct_words, folded_words, nfc

INDEX_PATH = "search.json"
FORMAT_VERSION = 1
KEYWORD_SEPARATOR = " · "


Words = Callable[[str], list[str]]


def _unfolded_words(text: str) -> list[str]:
    """Words as written, lower-cased: letters, digits and their marks (Khmer, Tai Viet)."""
    kept = "".join(
        ch if ch.isalnum() or unicodedata.category(ch).startswith("M") else " "
        for ch in nfc(text.casefold())
    )
    return kept.split()


def field_entry(field: Field, words: Words = folded_words) -> list[str]:
    return [field.title, distinct_words(field.title, *field.front.aliases, words=words)]


def procedure_entry(
    procedure: Procedure,
    field_index: int,
    old_codes: tuple[str, ...] = (),
    words: Words = folded_words,
) -> list[str | int]:
    """`old_codes`: codes this procedure replaced, so a code from an old leaflet
    still finds it; its own code is searchable too."""
    summary, title = procedure.summary, procedure.title
    keywords = KEYWORD_SEPARATOR.join(summary.keywords)
    if words is folded_words:  # folded once per summary (kept in the build state)
        folded = summary.search_words
        if old_codes:  # the same words as folding them all at once: folding is idempotent
            folded = distinct_words(folded, *old_codes, skip=title)
    else:
        folded = distinct_words(
            *summary.keywords, procedure.code, *old_codes, skip=title, words=words
        )
    return [procedure.url_path, title, field_index, keywords, folded]


def search_index(site: Site) -> dict[str, object]:
    """Active procedures only: a replaced one is found through its successor.
    `site` is the site in one language (Site.in_language), or the Vietnamese."""
    language = site.config.language(site.lang) if site.lang else None
    folds = language is None or language.folds
    words = folded_words if folds else _unfolded_words
    positions = {field.slug: i for i, field in enumerate(site.fields)}
    index: dict[str, object] = {
        "v": FORMAT_VERSION,
        "f": [field_entry(field, words) for field in site.fields],
        "p": [
            procedure_entry(p, positions[p.field_slug], site.replaced_codes_of(p.code), words)
            for p in site.active_procedures
        ],
    }
    if not folds:
        index["z"] = 0
    return index


def index_paths(site: Site) -> list[tuple[str, Site]]:
    """Each language's index: its address, and the site as its lists show it."""
    paths = [(INDEX_PATH, site.listed())]
    for language in site.config.languages:
        paths.append((language.path + INDEX_PATH, site.in_language(language.code).listed()))
    return paths


def search_index_json(site: Site) -> bytes:
    """The index as UTF-8 JSON without spaces; stable for byte-identical builds."""
    data = search_index(site)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
