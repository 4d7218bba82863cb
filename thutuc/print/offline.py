"""The code that works with no signal: a procedure's key facts as text in a QR code.

A phone's scanner (the Android camera, Zalo) shows the text of such a code
without any network, so a resident in a village without coverage still reads
what to bring, how long, how much and where. The text is NFC UTF-8 behind the
UTF-8 ECI (qr.encode_text), at most MAX_TEXT_BYTES: a denser code would need
to be printed larger than a card or leaflet allows. What does not fit is the
documents list first: it ends with "xem đủ trên trang" (see the page).
iPhones' camera ignores plain-text codes (docs/posters.md says so).
"""

from __future__ import annotations

import html
import re
from datetime import date

import nh3

from thutuc.content.markdown import inline_html
from thutuc.content.model import Procedure, Site
from thutuc.content.text import nfc

MAX_TEXT_BYTES = 300
ELLIPSIS = "…"


def inline_text(text: str) -> str:
    """One front-matter line as a resident reads it on the page: the words of its
    Markdown (links keep their words, marks go), never its markers."""
    plain = html.unescape(nh3.clean(inline_html(text), tags=set()))
    return " ".join(plain.split())


def _bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def cut_words(text: str, limit: int, ending: str = ELLIPSIS) -> str:
    """The longest start of `text`, cut between words, that with `ending` fits `limit` bytes."""
    if _bytes(text) <= limit:
        return text
    words = text.split(" ")
    while words and _bytes(" ".join(words) + ending) > limit:
        words.pop()
    if words:
        return " ".join(words).rstrip(",;:.") + ending
    kept = text.encode("utf-8")[: max(0, limit - _bytes(ending))].decode("utf-8", "ignore")
    return kept + ending if kept else ""


_CLAUSE_END = re.compile(r"[.;,:](?= )|(?= \()")


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` bytes: at the end of a clause (". ", "; ", ", ", before
    "(") where that keeps most of what fits, else between words; ending "…"."""
    if _bytes(text) <= limit:
        return text
    by_words = cut_words(text, limit)
    ends = [m.start() for m in _CLAUSE_END.finditer(text)]
    fitting = [e for e in ends if _bytes(text[:e] + ELLIPSIS) <= limit]
    if fitting and _bytes(text[: fitting[-1]]) * 3 >= _bytes(by_words) * 2:
        return text[: fitting[-1]] + ELLIPSIS
    return by_words


_PARENTHESES = re.compile(r"\s*\([^()]*\)")


def short_document(text: str) -> str:
    """A document named without its parenthesised details: "Giấy khai sinh (bản chính)"."""
    return _PARENTHESES.sub("", text).strip() or text


def documents_line(documents: list[str], limit: int, labels: dict[str, str]) -> str:
    """ "Giấy tờ: a; b; c", as many items as fit `limit` bytes, then "…, xem đủ trên trang"."""
    head = f"{labels['documents']}: "
    full = head + "; ".join(documents)
    if _bytes(full) <= limit:
        return full
    ending = f"… {labels['more']}"
    for count in range(len(documents) - 1, 0, -1):
        line = head + "; ".join(documents[:count]) + f"; {ending}"
        if _bytes(line) <= limit:
            return line
    return cut_words(full, limit, f" {ending}") if limit > _bytes(head + ending) else ""


def where_short(site: Site, procedure: Procedure, labels: dict[str, str]) -> str:
    """Where to go, as the page says it, without the street address (the card and
    leaflet print it beside the code): `where`, else the agency, else the office."""
    front = procedure.front
    office = labels["office"].replace("{name}", site.config.name)
    return inline_text(front.where or front.agency) or office


def fact_lines(
    site: Site, procedure: Procedure, labels: dict[str, str], checked: date | None = None
) -> dict[str, str]:
    """Each line of the text besides the documents, keyed by what it is. `checked`:
    the date the facts shown were checked (default: the site's date of `procedure`)."""
    front, say = procedure.front, labels
    checked = checked or site.checked_on(procedure)
    time, fee = inline_text(front.processing_time), inline_text(front.fee)
    lines = {
        "title": front.title,
        "time": f"{say['time']}: {time}" if time else "",
        "fee": f"{say['fee']}: {fee}" if fee else "",
        "where": f"{say['where']}: {where_short(site, procedure, labels)}",
        "hotline": f"{say['hotline']}: {site.config.hotline}" if site.config.hotline else "",
        "checked": say["checked"].replace("{date}", f"{checked:%d/%m/%Y}") if checked else "",
    }
    return {key: nfc(" ".join(value.split())) for key, value in lines.items()}


ORDER = ("title", "documents", "time", "fee", "where", "hotline", "checked")
# Documents are what a resident most needs offline and the line that gives way
# last: when the text is too long, the other facts are cut step by step (each
# ending "…", the page has them whole) until the documents have this much room.
DOCUMENTS_ROOM = 90
_STEPS: tuple[tuple[str, int], ...] = (
    ("title", 80), ("time", 90), ("fee", 90), ("where", 60), ("time", 60), ("fee", 60),
    ("where", 0),  # the card and leaflet print where to go beside the code
    ("title", 50),
)  # fmt: skip


def _compose(lines: dict[str, str]) -> str:
    return "\n".join(lines[key] for key in ORDER if lines.get(key))


def offline_text(
    site: Site,
    procedure: Procedure,
    limit: int = MAX_TEXT_BYTES,
    labels: dict[str, str] | None = None,
    checked: date | None = None,
) -> str:
    """The key facts of `procedure` as the text of a QR code, at most `limit` bytes,
    with the words of `labels` (print/languages.text_labels; by default the site's
    Vietnamese ones, templates/strings/vi.yml)."""
    if labels is None:
        from thutuc.print.languages import text_labels, words_of
        from thutuc.site.strings import SOURCE_LANGUAGE

        labels = text_labels(words_of(site, SOURCE_LANGUAGE))
    lines = fact_lines(site, procedure, labels, checked)
    documents = [inline_text(d) for d in procedure.front.documents]
    head = f"{labels['documents']}: "
    lines["documents"] = head + "; ".join(documents) if documents else ""
    if _bytes(_compose(lines)) <= limit:
        return _compose(lines)
    documents = [short_document(d) for d in documents]
    wanted = min(DOCUMENTS_ROOM, _bytes(head + "; ".join(documents)))
    lines["documents"] = ""
    for key, cap in _STEPS:
        if limit - _bytes(_compose(lines)) - 1 >= max(wanted, 25):
            break
        lines[key] = shorten(lines[key], cap) if cap else ""
    room = limit - _bytes(_compose(lines)) - 1
    ending = f"… {labels['more']}"
    lines["documents"] = documents_line(documents, room, labels) if documents else ending
    return _fit(_compose(lines), limit)


def _fit(text: str, limit: int) -> str:
    """Last guard (a hotline of 300 characters): drop whole lines from the end
    until `text` fits, never half a character."""
    lines = text.split("\n")
    while len(lines) > 1 and _bytes("\n".join(lines)) > limit:
        lines.pop()
    joined = "\n".join(lines)
    return cut_words(joined, limit) if _bytes(joined) > limit else joined
