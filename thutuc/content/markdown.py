"""Markdown to safe HTML, the way the git host's preview shows it.

Editors write in GitHub's or GitLab's web editor and read its preview, which is
CommonMark with GFM tables, autolinks and strikethrough. We render with
cmark-gfm itself (cmarkgfm, the binding PyPI's readme_renderer uses), so a page
shows what the editor saw; `python bench/bench_markdown.py` measures the
fidelity and speed of the candidates on editor-typed fixtures and the national
bodies. cmark-gfm is also linear in its input, which an editor's careless or
hostile text must not turn into minutes of work (Python-Markdown is quadratic
on runs of `[`).

Raw HTML is let through cmark and then cleaned by nh3 (the ammonia sanitiser)
against a small allowlist, so nothing an editor types runs script on a
resident's phone. The result, a `Document`, is the one parsed form of a body:
the page embeds its HTML and the leaflet walks the same HTML (print/leaflet.py).
Content is passed to templates as data, never as template source, so
`{{ 7*7 }}` in a procedure is shown exactly as typed.
"""

from __future__ import annotations

import ctypes
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache

import nh3
from cmarkgfm import _cmark
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
    "ol": {"start"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "scope", "align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}
# No tagfilter: nh3 removes <script> with its content; tagfilter would show it as text.
EXTENSIONS = (b"table", b"autolink", b"strikethrough", b"tasklist")
# A task list item (`- [ ] Tờ khai`, as GitHub's editor offers) is a plain item
# here: a box no resident can tick would only be noise, on the page and on paper
# (the page has its own checklist, site.js). Without the extension "[ ]" showed.
_TASK_BOX = re.compile(r'<input type="checkbox" (?:checked="" )?disabled="" /> ?')

# cmarkgfm's own wrappers never free the parsed tree or the rendered string
# (measured: 2.4 GB after 20,000 bodies), so the cmark-gfm library it ships is
# called here directly, through ctypes, freeing both. (cffi would need pycparser
# at import, a tenth of a second for every build.)
_lib = ctypes.CDLL(_cmark.__file__)
for _name, _result, _arguments in (
    ("cmark_gfm_core_extensions_ensure_registered", None, []),
    ("cmark_find_syntax_extension", ctypes.c_void_p, [ctypes.c_char_p]),
    ("cmark_parser_new", ctypes.c_void_p, [ctypes.c_int]),
    ("cmark_parser_attach_syntax_extension", ctypes.c_int, [ctypes.c_void_p, ctypes.c_void_p]),
    ("cmark_parser_feed", None, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]),
    ("cmark_parser_finish", ctypes.c_void_p, [ctypes.c_void_p]),
    ("cmark_parser_get_syntax_extensions", ctypes.c_void_p, [ctypes.c_void_p]),
    ("cmark_parser_free", None, [ctypes.c_void_p]),
    ("cmark_render_html", ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]),
    ("cmark_node_free", None, [ctypes.c_void_p]),
    ("cmark_iter_new", ctypes.c_void_p, [ctypes.c_void_p]),
    ("cmark_iter_next", ctypes.c_int, [ctypes.c_void_p]),
    ("cmark_iter_get_node", ctypes.c_void_p, [ctypes.c_void_p]),
    ("cmark_iter_free", None, [ctypes.c_void_p]),
    ("cmark_node_get_type_string", ctypes.c_char_p, [ctypes.c_void_p]),
    ("cmark_node_get_literal", ctypes.c_char_p, [ctypes.c_void_p]),
    ("cmark_node_get_url", ctypes.c_char_p, [ctypes.c_void_p]),
    ("cmark_node_get_start_line", ctypes.c_int, [ctypes.c_void_p]),
):
    _function = getattr(_lib, _name)
    _function.restype, _function.argtypes = _result, _arguments


class _Memory(ctypes.Structure):
    """cmark's allocator: the rendered string is freed with its own free()."""

    _fields_ = [
        ("calloc", ctypes.c_void_p),
        ("realloc", ctypes.c_void_p),
        ("free", ctypes.CFUNCTYPE(None, ctypes.c_void_p)),
    ]


_lib.cmark_get_default_mem_allocator.restype = ctypes.POINTER(_Memory)
_free = _lib.cmark_get_default_mem_allocator().contents.free
# Raw HTML passes cmark (GitHub keeps `<br>` in a table cell too); nh3 cleans it.
_OPTIONS = _cmark.lib.CMARK_OPT_UNSAFE
_SOURCEPOS = _cmark.lib.CMARK_OPT_SOURCEPOS


@lru_cache(maxsize=1)
def _extensions() -> tuple[int, ...]:
    _lib.cmark_gfm_core_extensions_ensure_registered()
    return tuple(_lib.cmark_find_syntax_extension(name) for name in EXTENSIONS)


def commonmark_html(text: str, sourcepos: bool = False) -> str:
    """cmark-gfm's own HTML for `text`: CommonMark + GFM tables, autolinks, strikethrough.
    `sourcepos` marks each block with its lines (data-sourcepos, removed by sanitise)."""
    options = _OPTIONS | (_SOURCEPOS if sourcepos else 0)
    with _parsed(text, options) as (parser, root):
        return _render(parser, root, options)


def _render(parser: int, root: int, options: int) -> str:
    rendered = _lib.cmark_render_html(
        root, options, _lib.cmark_parser_get_syntax_extensions(parser)
    )
    try:
        return _TASK_BOX.sub("", ctypes.string_at(rendered).decode("utf-8"))
    finally:
        _free(rendered)


@contextmanager
def _parsed(text: str, options: int) -> Iterator[tuple[int, int]]:
    """(parser, root) of cmark-gfm's tree for `text`; both freed on leaving."""
    data = text.encode("utf-8")
    parser = _lib.cmark_parser_new(options)
    try:
        for extension in _extensions():
            _lib.cmark_parser_attach_syntax_extension(parser, extension)
        _lib.cmark_parser_feed(parser, data, len(data))
        root = _lib.cmark_parser_finish(parser)
        try:
            yield parser, root
        finally:
            _lib.cmark_node_free(root)
    finally:
        _lib.cmark_parser_free(parser)


@dataclass(frozen=True)
class Part:
    """A piece of a body that lint looks at: raw HTML as cmark passes it on
    ("html_block", "html_inline": `text` is the HTML), or a "link" or "image"
    (`text` is its destination, `alt` an image's words). `line`: 1-based, in the body."""

    kind: str
    line: int
    text: str
    alt: str = ""


def parts(text: str) -> tuple[Part, ...]:
    """The raw HTML, links and images of `text`, in order, as cmark-gfm parses it
    (so nothing inside code counts); an image with the words inside it. Read
    from the tree `parse` renders, so a body is parsed once for page and lint."""
    return parse(text).parts


def _walk_parts(root: int) -> tuple[Part, ...]:
    found: list[Part] = []
    alt: list[str] | None = None  # the words of the image being walked
    walker = _lib.cmark_iter_new(root)
    try:
        while (event := _lib.cmark_iter_next(walker)) != _EVENT_DONE:
            node = _lib.cmark_iter_get_node(walker)
            kind = (_lib.cmark_node_get_type_string(node) or b"").decode()
            if kind == "image" and event == _EVENT_EXIT and alt is not None:
                found[-1] = replace(found[-1], alt="".join(alt))
                alt = None
            elif event != _EVENT_ENTER:
                continue
            elif alt is not None and kind in ("text", "code"):
                alt.append(_literal(node))
            elif kind in _PART_KINDS:
                url = kind in ("link", "image")
                line = _lib.cmark_node_get_start_line(node)
                found.append(Part(kind, line, _url(node) if url else _literal(node)))
                alt = [] if kind == "image" else alt
    finally:
        _lib.cmark_iter_free(walker)
    return tuple(found)


def _may_have_parts(text: str) -> bool:
    """Whether `text` can hold raw HTML ("<"), a link or an image ("[", or an
    autolink: "://", "www.", an e-mail's "@"). Most bodies hold none (82% of the
    national ones), and walking a tree node by node through ctypes is the
    slowest part of parsing it."""
    return any(mark in text for mark in ("<", "[", "://", "@")) or "www." in text.casefold()


_EVENT_DONE, _EVENT_ENTER, _EVENT_EXIT = 1, 2, 3  # cmark_event_type
_PART_KINDS = {"html_block", "html_inline", "link", "image"}


def _literal(node: int) -> str:
    return (_lib.cmark_node_get_literal(node) or b"").decode("utf-8")


def _url(node: int) -> str:
    return (_lib.cmark_node_get_url(node) or b"").decode("utf-8")


def sanitise(markup: str) -> str:
    """Keep only allowlisted tags, attributes and URL schemes (no script, no
    event handlers, no javascript: links, no iframes)."""
    return _cleaner().clean(markup)


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    # Made once: nh3.clean converts the allowlists at every call, half its time on
    # a procedure's body (0.13 -> 0.06 ms a body, 1,500 national bodies).
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener",
    )


_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_CONTAINER = re.compile(r'<(/?)(?:blockquote|ul|ol)\b(?: data-sourcepos="([0-9]+))?')
# Lists and quotes deeper than this are refused (validate.py names the line): no
# real procedure needs more, a leaflet cannot indent further, and the sanitiser's
# time grows with the square of the depth.
MAX_NESTING = 10
# Elements of a body (paragraphs, list items, table cells, emphasis...). The sanitiser
# spends about 4 us on each: a 7 MB body of one-letter paragraphs (2.3 million) took
# 20 s and 2.3 GB to build. The most of bench_site.py's 4,000 national bodies is about
# 100; 8 MB of prose with bold and links about 257,000, which checks and builds in
# 3.75-4.75 s of CPU (`python bench/bench_limits.py`). Counted twice: lines and cells before
# cmark runs (a flood of blocks is refused at once), tags after it (within one line).
MAX_ELEMENTS = 500_000


def rough_elements(text: str) -> int:
    """Lines and table cells: what a body holds at least, counted at C speed."""
    return text.count("\n") + text.count("|")


def _number_headings(markup: str) -> str:
    """Headings get ids from their words, "Điều kiện" → "dieu-kien" (đ kept as
    d), "-2", "-3" for a repeated one."""
    taken: set[str] = set()
    last_number: dict[str, int] = {}  # per slug, so n equal headings cost n steps, not n²

    def heading(match: re.Match[str]) -> str:
        words = html.unescape(_TAG.sub("", match[2]))
        slug = anchor = heading_slug(words) or "muc"
        number = last_number.get(slug, 1)
        while anchor in taken:  # "Mục", "Mục", "Mục 2": muc, muc-2, muc-2-2
            number += 1
            anchor = f"{slug}-{number}"
        last_number[slug] = number
        taken.add(anchor)
        return f'<h{match[1]} id="{anchor}">{match[2]}</h{match[1]}>'

    return _HEADING.sub(heading, markup)


def _deepest(markup: str) -> tuple[int, int]:
    """(depth, line) of the most deeply nested list or quote; line 0 when none."""
    depth, deepest, line = 0, 0, 0
    for match in _CONTAINER.finditer(markup):
        if match[1]:
            depth -= 1
            continue
        depth += 1
        if depth > deepest:
            deepest, line = depth, int(match[2] or 0)
    return deepest, line


@dataclass(frozen=True)
class Document:
    """A Markdown body, parsed once: its sanitised HTML, which the page embeds
    and the leaflet lays out (print/leaflet.py). A body nested deeper than
    MAX_NESTING has no HTML; `nesting` and `nesting_line` (of the body) say where.
    Nor has one of more than MAX_ELEMENTS elements; `elements` says how many."""

    html: str
    nesting: int = 0
    nesting_line: int = 0
    parts: tuple[Part, ...] = ()  # what lint looks at (see `parts`)
    elements: int = 0  # counted only when over MAX_ELEMENTS (then no HTML either)

    @property
    def markup(self) -> Markup:
        return Markup(self.html)  # sanitised in parse(): safe to embed

    @property
    def too_deep(self) -> bool:
        return self.nesting > MAX_NESTING

    @property
    def too_large(self) -> bool:
        return self.elements > MAX_ELEMENTS


@lru_cache(maxsize=4096)
def parse(text: str) -> Document:
    """Parse a block of Markdown (a procedure or field body) into a `Document`.

    Headings start at h2 (h1 is the page title), before sanitising, so nh3's
    allowlist need not know h1."""
    if (elements := rough_elements(text)) > MAX_ELEMENTS:
        return Document("", elements=elements)
    options = _OPTIONS | _SOURCEPOS
    with _parsed(text, options) as (parser, root):
        found = _walk_parts(root) if _may_have_parts(text) else ()
        raw = _render(parser, root, options)
    if (elements := raw.count("<") // 2) > MAX_ELEMENTS:  # an element: its two tags
        return Document("", elements=elements)
    nesting, line = _deepest(raw)
    if nesting > MAX_NESTING:
        return Document("", nesting, line, found)
    raw = raw.replace("<h1", "<h2").replace("</h1>", "</h2>")
    return Document(_number_headings(sanitise(raw)), nesting, line, found)


def render_markdown(text: str) -> Markup:
    """Block Markdown (a procedure body) to sanitised HTML."""
    return parse(text).markup


# Text without any of these needs no parser: it renders as itself, escaped. Most
# front matter lines (fees, times, documents) are such text, and a province
# renders tens of thousands of them. tests/test_markdown.py checks the shortcut
# against the parser.
_MARKUP = re.compile(r"[*_`\[\]<>&\\~|@\x00-\x1f\x7f\xa0]|://|www\.|mailto:|xmpp:")
_LIST_START = re.compile(r"[0-9]{1,9}[.)](?:\s|\Z)")  # CommonMark: ASCII digits


def _plain(text: str) -> bool:
    """True when `text` (stripped) holds no Markdown: no marks, no links, no block start."""
    if not (text[0].isalnum() or text[0] in "(\"'“‘"):
        return False
    return not _MARKUP.search(text) and not _LIST_START.match(text)


@lru_cache(maxsize=16384)
def inline_html(text: str) -> str:
    """One line of front matter (a fee, a document) to sanitised inline HTML."""
    text = text.strip()
    if not text:
        return ""
    if _plain(text):
        return text
    markup = sanitise(commonmark_html(text)).strip()
    if markup.startswith("<p>") and markup.endswith("</p>") and markup.count("<p>") == 1:
        return markup[3:-4]
    return markup


def render_inline(text: str) -> Markup:
    return Markup(inline_html(text))


def plain_text(text: str) -> str:
    """Markdown to plain text, for meta descriptions and the search index."""
    cleaned = nh3.clean(parse(text).html, tags=set())
    return re.sub(r"\s+", " ", html.unescape(cleaned)).strip()
