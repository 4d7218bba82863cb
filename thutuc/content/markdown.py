"""Markdown to safe HTML.

Editors' changes arrive through pull requests, so nothing they type may run
script on a resident's phone: Markdown is rendered first, then the HTML is
cleaned by nh3 (the ammonia sanitiser) against a small allowlist.
Content is passed to templates as data, never as template source, so
`{{ 7*7 }}` in a procedure is shown exactly as typed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import markdown
import nh3
from markupsafe import Markup

from thutuc.content.text import heading_slug

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt",
    "em", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "mark", "ol", "p", "pre", "s",
    "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}
_PARAGRAPH = re.compile(r"^<p>(.*)</p>$", re.DOTALL)


@lru_cache(maxsize=1)
def _converter() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["tables", "sane_lists", "toc"],
        extension_configs={"toc": {"slugify": heading_slug, "permalink": False}},
        output_format="html",
    )


def sanitise(html: str) -> str:
    """Keep only allowlisted tags, attributes and URL schemes (no script, no
    event handlers, no javascript: links, no iframes)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener",
    )


def render_markdown(text: str) -> Markup:
    """Block Markdown (a procedure body) to sanitised HTML."""
    return Markup(_block_html(text))


# Memoised by text: in a province the same catalogue body, fee line and
# document name are rendered for every commune; the output depends on the
# text alone, so a cached result is byte-identical to a fresh one. A province
# build keeps the cache in a file between builds (load_cache / save_cache).
_cache: dict[str, str] = {}
_added: dict[str, str] = {}  # computed in this process since the last take_added()


def _cached(kind: str, text: str, make: Callable[[str], str]) -> str:
    key = hashlib.blake2b(f"{kind}\0{text}".encode(), digest_size=16).hexdigest()
    html = _cache.get(key)
    if html is None:
        html = _cache[key] = _added[key] = make(text)
    return html


def _block_html(text: str) -> str:
    return _cached("block", text, _convert_block)


def _convert_block(text: str) -> str:
    converter = _converter()
    converter.reset()
    # Headings in a body start at h2: h1 is the page title.
    html = converter.convert(text)
    html = re.sub(r"<(/?)h1\b", r"<\1h2", html)
    return sanitise(html)


def render_inline(text: str) -> Markup:
    """One line of front matter (a fee, a document) to sanitised inline HTML."""
    return Markup(_inline_html(text)) if text else Markup("")


def _inline_html(text: str) -> str:
    return _cached("inline", text, _convert_inline)


def _convert_inline(text: str) -> str:
    html = sanitise(render_markdown(text))
    match = _PARAGRAPH.match(html.strip())
    return match.group(1) if match else html


def plain_text(text: str) -> str:
    """Markdown to plain text, for meta descriptions and the search index."""
    html = render_markdown(text)
    return re.sub(r"\s+", " ", nh3.clean(html, tags=set())).strip()


def take_added() -> dict[str, str]:
    """Entries this process rendered since the last call (a worker sends them back)."""
    added = dict(_added)
    _added.clear()
    return added


def add_entries(entries: dict[str, str]) -> None:
    _cache.update(entries)


def load_cache(path: Path, fingerprint: str) -> None:
    """Read a saved cache; ignore it when it was made by other code or libraries."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(data, dict) and data.get("fingerprint") == fingerprint:
        _cache.update(data.get("entries", {}))


def save_cache(path: Path, fingerprint: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    text = json.dumps({"fingerprint": fingerprint, "entries": _cache}, ensure_ascii=False)
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
