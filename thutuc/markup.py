"""Markdown to safe HTML.

Editors' changes arrive through pull requests, so nothing they type may run
script on a resident's phone: Markdown is rendered first, then the HTML is
cleaned by nh3 (the ammonia sanitiser) against a small allowlist.
Content is passed to templates as data, never as template source, so
`{{ 7*7 }}` in a procedure is shown exactly as typed.
"""

from __future__ import annotations

import re
from functools import lru_cache

import markdown
import nh3
from markupsafe import Markup

from .text import heading_slug

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
# text alone, so a cached result is byte-identical to a fresh one.
@lru_cache(maxsize=4096)
def _block_html(text: str) -> str:
    converter = _converter()
    converter.reset()
    # Headings in a body start at h2: h1 is the page title.
    html = converter.convert(text)
    html = re.sub(r"<(/?)h1\b", r"<\1h2", html)
    return sanitise(html)


def render_inline(text: str) -> Markup:
    """One line of front matter (a fee, a document) to sanitised inline HTML."""
    return Markup(_inline_html(text)) if text else Markup("")


@lru_cache(maxsize=16384)
def _inline_html(text: str) -> str:
    html = sanitise(render_markdown(text))
    match = _PARAGRAPH.match(html.strip())
    return match.group(1) if match else html


def plain_text(text: str) -> str:
    """Markdown to plain text, for meta descriptions and the search index."""
    html = render_markdown(text)
    return re.sub(r"\s+", " ", nh3.clean(html, tags=set())).strip()
