"""The leaflet: the paper version of a procedure page, on one or two A4 pages.

For a resident without a phone, and the paper posting the law still asks of the
office (Nghị định 63/2010/NĐ-CP art. 8 and 17: name, steps, ways to submit,
documents, time, who may apply, agency, result, fee, forms, conditions). It
says what the page says in the page's order (documents first), laid out from
the page's own HTML: the front matter through `inline_html`, the body through
`markdown.parse(body).html`, walked here into reportlab flowables (never a
second Markdown parser). Nested lists are indented, tables stay tables, quotes
are boxed, links print their address, every word of a fee is kept (the text
nodes are escaped, so `<`, `>`, `*` and `_` print as typed) and no Markdown
marker appears. Text is 12 pt or more.

The work is bounded whatever the body's length: the HTML is read in chunks and
turned into flowables only until about two pages are full, and the layout
stops at the end of page two, ending with "Xem đầy đủ: <address>".
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    ActionFlowable,
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBG,
    Indenter,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import FrameActionFlowable
from reportlab.platypus.flowables import HRFlowable

from thutuc.content.markdown import inline_html, parse
from thutuc.content.model import Procedure, Site
from thutuc.content.text import fold, nfc, vi_date
from thutuc.print.card import scaled
from thutuc.print.glyphs import FONT, markup, paragraph_style
from thutuc.print.layout import (
    BLACK,
    CAPTION_GAP,
    GREY,
    MARGIN,
    MM,
    NO_PADDING,
    Code,
    Paper,
    PosterSpec,
    address_markup,
    address_text,
    box_pt,
    draw_symbol,
    page_footer,
    para,
    paragraphs_height,
    style,
    text_height,
)
from thutuc.print.qr import QUIET_ZONE

BODY_PT = 12.0  # the floor for anything handed to a resident
TITLE_PT = 20.0
HEADING_PT = {"h2": 15.0, "h3": 13.5, "h4": 12.5, "h5": 12.0, "h6": 12.0}
INDENT = 6 * MM  # per level of a nested list
MAX_PAGES = 2
BUDGET_PAGES = 2.6  # flowables made: enough to fill the pages, however narrow
PARAGRAPH_CHARS = 6000  # more than a page of text: a longer paragraph is cut up
# A table keeps its grid while every column can be this wide (a word of 12 pt and
# the cell's padding: 11 columns on A4); a wider one is printed row by row, each
# cell as "header: value" on its own line, every word kept.
MIN_COLUMN = 17 * MM
LINE = BODY_PT * 1.22  # the height of one line of body text
CELL_PADDING = 6.0  # reportlab's default top and bottom padding of a table cell
CHUNK = 32 * 1024  # the HTML is fed to the parser this much at a time
MORE = "Xem đầy đủ"


# The page's content, as HTML, in the page's order ---------------------------------


def _dl(items: list[tuple[str, str]]) -> str:
    rows = "".join(f"<dt>{html.escape(k)}</dt><dd>{v}</dd>" for k, v in items if v)
    return f"<dl>{rows}</dl>" if rows else ""


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{i}</li>" for i in items if i) + "</ul>"


def leaflet_html(site: Site, procedure: Procedure, words: Callable[..., str]) -> str:
    """What the procedure page shows, as HTML the walker lays out: summary, documents,
    time, fee, where, hours, ways to submit, the body, forms, who may apply,
    conditions, result, agency, legal basis, the date the facts were checked.
    `words`: the page's headings and labels (templates/strings/vi.yml)."""
    front, config = procedure.front, site.config

    def t(key: str, **values: object) -> str:
        return html.escape(words(key, **values), quote=False)

    parts = [f"<p>{inline_html(front.summary)}</p>"] if front.summary else []
    if front.documents:
        parts += [f"<h2>{t('documents')}</h2>", _list([inline_html(d) for d in front.documents])]
    office = html.escape(front.agency or words("one_stop_office", name=config.name))
    where = inline_html(front.where) or office + (
        f"<br>{html.escape(config.address)}" if config.address else ""
    )
    facts = [
        (words("processing_time"), inline_html(front.processing_time)),
        (words("fee"), inline_html(front.fee)),
        (words("where"), where),
        (words("opening_hours"), html.escape(config.opening_hours)),
    ]
    parts.append(_dl(facts))
    if front.methods:
        methods = []
        for m in front.methods:
            text = f"<strong>{t('method_' + m.key)}</strong>"
            text += f": {inline_html(m.processing_time)}" if m.processing_time else ""
            text += f"; {t('fee_inline')}: {inline_html(m.fee)}" if m.fee else ""
            methods.append(text)
        parts += [f"<h2>{t('methods')}</h2>", _list(methods)]
    if front.online_url:
        link = html.escape(front.online_url)
        parts.append(f'<p>{t("submit_online")}: <a href="{link}">{link}</a></p>')
    parts.append(parse(procedure.body).html)
    if front.forms:
        forms = []
        for form in front.forms:
            address = html.escape(site.absolute_url(form.url_path(front.code)))
            forms.append(
                f'{html.escape(form.title)} ({form.kind}): <a href="{address}">{address}</a>'
            )
        parts += [f"<h2>{t('forms')}</h2>", _list(forms)]
    details = [
        (words("applicants"), inline_html(front.applicants)),
        (words("conditions"), inline_html(front.conditions)),
        (words("result"), inline_html(front.result)),
        (words("agency"), inline_html(front.agency)),  # the page has it under "where"
    ]
    if any(v for _, v in details):
        parts += [f"<h2>{t('more_information')}</h2>", _dl(details)]
    if front.legal_basis or front.decision:
        basis = [inline_html(b) for b in front.legal_basis]
        basis += [f"{t('decision')} {html.escape(front.decision)}"] if front.decision else []
        parts += [f"<h2>{t('legal_basis')}</h2>", _list(basis)]
    if checked := site.checked_on(procedure):
        said = "checked_on" if front.updated else "updated_commit"
        parts.append(f"<p>{t(said, date=vi_date(checked))}</p>")
    return "".join(parts)


# HTML to flowables -----------------------------------------------------------------

_INLINE_TAGS = {
    "strong": "b", "b": "b", "em": "i", "i": "i", "del": "strike", "s": "strike",
    "u": "u", "mark": "b", "sup": "super", "sub": "sub",
}  # fmt: skip
_OPEN = {"super": '<super size="12" rise="4">', "sub": '<sub size="12" rise="-3">'}
_BLOCKS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "ul", "ol", "table",
    "thead", "tbody", "tfoot", "tr", "th", "td", "pre", "hr", "dl", "dt", "dd", "div",
    "caption",
}  # fmt: skip


@dataclass
class _Cell:
    flowables: list[Flowable] = field(default_factory=list)
    header: bool = False
    align: str = ""
    length: int = 0  # characters, to share the table's width
    lists: int = 0  # lists open where the cell starts: its own lists indent from there
    lines: int = 0  # the fewest lines its flowables take, to bound a table before layout


@dataclass
class _Table:
    rows: list[list[_Cell]] = field(default_factory=list)
    header_rows: int = 0
    in_head: bool = False
    height: float = 0.0  # the least height of its finished rows (see Walker._row_height)
    columns: int = 0  # the most cells of a row so far
    row_lines: int = 0  # lines of the open row's cells, together
    row_tallest: int = 0  # lines of its tallest cell


class Walker(HTMLParser):
    """Sanitised HTML (markdown.ALLOWED_TAGS) to flowables for a frame `width` wide.
    Stops once the flowables made would fill `budget` points of height."""

    def __init__(self, width: float, budget: float, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.width, self.budget, self.base_url = width, budget, base_url
        self.out: list[Flowable] = []
        self.used = 0.0
        self.full = False
        self.block = "p"  # what the pending text is: p, h2..h6, pre, dt, dd, caption
        self.inline: list[str] = []  # reportlab markup of the pending paragraph
        self.chars = 0
        self.open_inline: list[str] = []  # reportlab tags open in `inline`
        self.lists: list[list[int]] = []  # [ordered, next number] of each open list
        self.items: list[list[str]] = []  # [marker still to print] of each open item
        self.quotes = 0
        self.tables: list[_Table] = []
        self.cells: list[_Cell] = []
        self.links: list[tuple[str, list[str]]] = []  # (href, words) of open links

    # Where things go

    def _target(self) -> list[Flowable]:
        return self.cells[-1].flowables if self.cells else self.out

    def _emit(self, flowable: Flowable, height: float | None = None) -> None:
        self._target().append(flowable)
        if height is None:
            height = flowable.wrap(self.width, 10**6)[1]
        if not self.cells:
            self.used += height
            self.full = self.full or self.used > self.budget

    # Paragraphs

    def _style(self) -> tuple[ParagraphStyle, str]:
        """The style of the pending paragraph and its bullet ("" for none)."""
        if self.block in HEADING_PT and not self.cells:
            size = HEADING_PT[self.block]
            st = style(self.block, size, bold=True, keepWithNext=1, spaceBefore=size * 0.6)
            return st, ""
        cell = self.cells[-1] if self.cells else None
        bold = self.block in ("dt", "caption") or (cell is not None and cell.header)
        depth = len(self.lists) - (cell.lists if cell else 0)
        indent = depth * INDENT + (4 * MM if self.block == "dd" else 0)
        bullet = ""
        if self.items and self.items[-1][0]:
            bullet, self.items[-1][0] = self.items[-1][0], ""
        align = {"center": TA_CENTER, "right": TA_RIGHT}.get(cell.align if cell else "", TA_LEFT)
        st = style(
            f"{self.block}-{depth}", BODY_PT, bold=bold, alignment=align,
            leftIndent=indent, bulletIndent=max(0.0, indent - INDENT + 1 * MM),
            keepWithNext=1 if self.block == "dt" else 0, bulletFontName=FONT,
            bulletFontSize=BODY_PT,
        )  # fmt: skip
        return st, bullet

    def _flush(self) -> None:
        """Turn the pending inline text into a paragraph (nothing if it is empty)."""
        for tag in reversed(self.open_inline):
            self.inline.append(f"</{tag}>")
        content = "".join(self.inline).strip()
        while content.endswith("<br/>"):  # a code block's last line break
            content = content[:-5].rstrip()
        self.inline = [_OPEN.get(t, f"<{t}>") for t in self.open_inline]
        self.chars = 0
        text = html.unescape(_strip_tags(content)).strip()
        if not text:
            return
        st, bullet = self._style()
        p = Paragraph(content, paragraph_style(st, content), bulletText=bullet or None)
        if self.block in HEADING_PT and not self.cells:
            p.heading = (int(self.block[1]), fold(text))
        if self.cells:
            cell = self.cells[-1]
            cell.length = max(cell.length, len(text))
            self._count_lines(cell, max(1, len(text) // self._chars_per_line()))
        self._emit(p)
        if self.cells:
            self._bound_table()

    def _chars_per_line(self) -> int:
        """The most characters one full-width line of body text can hold (a lower
        bound on lines: a cell is never wider than the frame)."""
        return max(1, int(self.width / (BODY_PT * 0.45)))

    def _count_lines(self, cell: _Cell, lines: int) -> None:
        cell.lines += lines
        if self.tables:
            table = self.tables[-1]
            table.row_lines += lines
            table.row_tallest = max(table.row_tallest, cell.lines)

    def _row_height(self, table: _Table) -> float:
        """The least height the open row takes laid out: its tallest cell in a grid,
        every cell one under the other in a table printed row by row (whose header
        row is not printed: it labels the cells)."""
        if table.columns * MIN_COLUMN <= self.width:
            return table.row_tallest * LINE + CELL_PADDING
        return 0.0 if table.in_head else table.row_lines * LINE

    def _bound_table(self) -> None:
        """Stop the walk once the open table's rows would fill what is left of the
        budget: however many rows it has, only what fits two pages is kept."""
        table = self.tables[-1] if self.tables else None
        if table is not None and table.rows:
            height = table.height + self._row_height(table)
            self.full = self.full or self.used + height > self.budget

    # Parser events

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.full:
            return
        attributes = dict(attrs)
        if tag in _BLOCKS:
            self._flush()
            self._start_block(tag, attributes)
        elif tag in _INLINE_TAGS:
            name = _INLINE_TAGS[tag]
            self.open_inline.append(name)
            self.inline.append(_OPEN.get(name, f"<{name}>"))
        elif tag == "br":
            self.inline.append("<br/>")
        elif tag == "a":
            self.links.append((attributes.get("href") or "", []))

    def _start_block(self, tag: str, attributes: dict[str, str | None]) -> None:
        if tag in ("p", "div", "pre", "dt", "dd", "caption") or tag in HEADING_PT:
            self.block = tag
        elif tag == "h1":
            self.block = "h2"
        elif tag in ("ul", "ol"):
            start = int(attributes.get("start") or 1) if tag == "ol" else 0
            self.lists.append([tag == "ol", start])
        elif tag == "li":
            marker = "•"
            if self.lists and self.lists[-1][0]:
                marker = f"{self.lists[-1][1]}."
                self.lists[-1][1] += 1
            self.items.append([marker])
            self.block = "p"
        elif tag == "blockquote":
            self._start_quote()
        elif tag == "table":
            self.tables.append(_Table())
        elif tag == "thead" and self.tables:
            self.tables[-1].in_head = True
        elif tag in ("tbody", "tfoot") and self.tables:
            self.tables[-1].in_head = False
        elif tag == "tr" and self.tables:
            self.tables[-1].rows.append([])
            self.tables[-1].row_lines = self.tables[-1].row_tallest = 0
        elif tag in ("th", "td") and self.tables and self.tables[-1].rows:
            cell = _Cell(header=tag == "th", align=attributes.get("align") or "")
            cell.lists = len(self.lists)
            table = self.tables[-1]
            table.rows[-1].append(cell)
            table.columns = max(table.columns, len(table.rows[-1]))
            self.cells.append(cell)
            self.block = "p"
        elif tag == "hr":
            self._emit(
                HRFlowable(width="100%", thickness=0.75, color=GREY, spaceBefore=4, spaceAfter=6)
            )

    def handle_endtag(self, tag: str) -> None:
        if self.full:
            return
        if tag in _INLINE_TAGS:
            name = _INLINE_TAGS[tag]
            if name in self.open_inline:
                self.open_inline.remove(name)
                self.inline.append(f"</{name}>")
        elif tag == "a":
            self._end_link()
        elif tag in _BLOCKS:
            self._flush()
            self._end_block(tag)

    def _end_block(self, tag: str) -> None:
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "li" and self.items:
            self.items.pop()
        elif tag == "blockquote" and self.quotes:
            self._end_quote()
        elif tag in ("th", "td") and self.cells:
            self.cells.pop()
        elif tag == "tr" and self.tables:
            table = self.tables[-1]
            table.header_rows += 1 if table.in_head else 0
            if table.rows:
                self._bound_table()
                table.height += self._row_height(table)
        elif tag == "table" and self.tables:
            self._end_table()
        self.block = "p"

    def handle_data(self, data: str) -> None:
        if self.full or not data:
            return
        if self.block == "pre":
            text = markup(data).replace("\n", "<br/>").replace("  ", "\u00a0 ")
        else:
            words = " ".join(data.split())
            lead = " " if data[:1].isspace() and words else ""
            trail = " " if data[-1:].isspace() else ""
            text = markup(lead + words + trail if words else trail)
        if self.links:
            self.links[-1][1].append(data)
        self.inline.append(text)
        self.chars += len(data)
        if self.chars > PARAGRAPH_CHARS:
            self._flush()

    def _end_link(self) -> None:
        if not self.links:
            return
        href, words = self.links.pop()
        address = _link_address(href, self.base_url)
        said = " ".join("".join(words).split())
        if address and said not in (address, href, address_text(address)):
            self.inline.append(" (" + markup(address_text(address)) + ")")

    # Boxes and tables

    def _start_quote(self) -> None:
        self.quotes += 1
        if not self.cells:
            left = len(self.lists) * INDENT
            self._emit(FrameBG(start=True, left=left, strokeColor=BLACK, strokeWidth=0.8), 0)
            self._emit(Spacer(1, 2 * MM), 2 * MM)
            self._emit(Indenter(left=left + 4 * MM, right=4 * MM), 0)

    def _end_quote(self) -> None:
        self.quotes -= 1
        if not self.cells:
            left = len(self.lists) * INDENT
            self._emit(Indenter(left=-(left + 4 * MM), right=-4 * MM), 0)
            self._emit(Spacer(1, 1 * MM), 1 * MM)
            self._emit(FrameBG(start=False), 0)
            self._emit(Spacer(1, 3 * MM), 3 * MM)

    def _end_table(self) -> None:
        table = self.tables.pop()
        rows = [r for r in table.rows if r]
        if not rows:
            return
        columns = max(len(r) for r in rows)
        header_rows = min(table.header_rows, len(rows) - 1) if len(rows) > 1 else 0
        if columns * MIN_COLUMN > self.width:
            self._stacked_table(rows, header_rows)
            return
        data = [[c.flowables for c in r] + [[]] * (columns - len(r)) for r in rows]
        lengths = [
            max((r[i].length for r in rows if i < len(r)), default=1) for i in range(columns)
        ]
        shares = _column_shares(lengths)
        flowable = Table(
            data, colWidths=[f"{s:.2f}%" for s in shares], repeatRows=header_rows,
            splitInRow=1, hAlign="LEFT",
        )  # fmt: skip
        commands = [
            ("FONT", (0, 0), (-1, -1), FONT, BODY_PT),  # else Table names Helvetica
            ("GRID", (0, 0), (-1, -1), 0.6, BLACK),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ]
        if header_rows:
            commands.append(("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 1.6, BLACK))
        flowable.setStyle(TableStyle(commands))
        self._emit(flowable)
        self._emit(Spacer(1, 3 * MM), 3 * MM)

    def _stacked_table(self, rows: list[list[_Cell]], header_rows: int) -> None:
        """A table too wide for the page: each row under a rule, each of its cells
        on its own line as "header: value" (the header's words in bold)."""
        headers = [_plain(c) for c in rows[header_rows - 1]] if header_rows else []
        for row in rows[header_rows:] if header_rows else rows:
            self._emit(HRFlowable(width="100%", thickness=0.6, color=BLACK, spaceAfter=3))
            for index, cell in enumerate(row):
                label = headers[index] if index < len(headers) else ""
                for number, flowable in enumerate(cell.flowables):
                    if isinstance(flowable, Paragraph):  # left-aligned, the first labelled
                        flowable = _labelled(flowable, label if number == 0 else "")
                    self._emit(flowable)
        self._emit(HRFlowable(width="100%", thickness=0.6, color=BLACK, spaceAfter=3))
        self._emit(Spacer(1, 3 * MM), 3 * MM)

    # Finishing

    def finish(self) -> list[Flowable]:
        """Close whatever is open (the walk may have stopped in the middle of a
        list, a quote or a table) and return the flowables without empty or
        doubled headings."""
        self.full = False
        self._flush()
        while self.cells:
            self.cells.pop()
        while self.tables:
            self._end_table()
        while self.quotes:
            self._end_quote()
        return without_empty_headings(self.out)


def _strip_tags(markup_text: str) -> str:
    out, inside = [], False
    for ch in markup_text:
        if ch == "<":
            inside = True
        elif ch == ">":
            inside = False
        elif not inside:
            out.append(ch)
    return "".join(out)


def _plain(cell: _Cell) -> str:
    """A header cell's words, as plain text."""
    texts = [html.unescape(_strip_tags(getattr(f, "text", ""))) for f in cell.flowables]
    return " ".join(" ".join(texts).split())


def _labelled(paragraph: Paragraph, label: str) -> Paragraph:
    """A cell's `paragraph` set on the left, starting with its column's header in
    bold when `label` is given."""
    content = f"<b>{markup(label)}:</b> {paragraph.text}" if label else paragraph.text
    st = ParagraphStyle(f"{paragraph.style.name}-row", parent=paragraph.style, alignment=TA_LEFT)
    return Paragraph(content, paragraph_style(st, content), bulletText=paragraph.bulletText)


def _column_shares(lengths: list[int]) -> list[float]:
    """Percent of the width for each column, by its longest text, none under 10 %."""
    weights = [max(4.0, min(float(n), 60.0)) ** 0.8 for n in lengths]
    shares = [100 * w / sum(weights) for w in weights]
    floor = min(10.0, 100 / len(shares))
    shares = [max(floor, s) for s in shares]
    return [100 * s / sum(shares) for s in shares]


def _link_address(href: str, base_url: str) -> str:
    """The address a link's words are printed with: absolute; "" for a link inside the page."""
    if not href or href.startswith("#"):
        return ""
    for scheme in ("mailto:", "tel:"):
        if href.startswith(scheme):
            return href.removeprefix(scheme)
    return urljoin(base_url, href)


def _is_content(flowable: Flowable) -> bool:
    return not isinstance(flowable, ActionFlowable | FrameActionFlowable | FrameBG | Spacer)


def without_empty_headings(flowables: list[Flowable]) -> list[Flowable]:
    """Drop a heading that nothing follows before the next heading of its level or
    higher ("Các bước thực hiện" right before "Các bước"), or the end."""
    kept: list[Flowable] = []
    for index, flowable in enumerate(flowables):
        heading = getattr(flowable, "heading", None)
        if heading is None:
            kept.append(flowable)
            continue
        following = next((f for f in flowables[index + 1 :] if _is_content(f)), None)
        after = getattr(following, "heading", None) if following is not None else (0, "")
        if following is None or (after is not None and after[0] <= heading[0]):
            continue
        kept.append(flowable)
    return kept


def inline_markup(fragment: str, base_url: str = "") -> str:
    """Inline HTML (a fee, a time, from `inline_html`) as reportlab paragraph markup,
    the way the walker sets it in a leaflet: for cards and posters."""
    walker = Walker(10**4, float("inf"), base_url)
    walker.feed(f"<p>{fragment}</p>")
    walker.close()
    return " ".join(getattr(f, "text", "") for f in walker.finish() if getattr(f, "text", ""))


def flowables_of(
    content: str, width: float, budget: float, base_url: str
) -> tuple[list[Flowable], bool]:
    """The flowables of sanitised HTML `content`, and whether the walk stopped early."""
    walker = Walker(width, budget, base_url)
    for start in range(0, len(content), CHUNK):
        walker.feed(content[start : start + CHUNK])
        if walker.full:
            break
    stopped = walker.full
    if not stopped:
        walker.close()
    return walker.finish(), stopped


# The document ------------------------------------------------------------------


class _Pages(BaseDocTemplate):
    """A document of at most `max_pages`: what does not fit is dropped at the end of
    the last page, which then says where to read the rest."""

    def __init__(self, out: io.BytesIO, max_pages: int, **options: object) -> None:
        super().__init__(out, **options)
        self.max_pages = max_pages
        self.truncated = False
        self._story: list[Flowable] = []

    def build(self, flowables: list[Flowable], **options: object) -> None:
        self._story = flowables
        super().build(flowables, **options)

    def handle_pageEnd(self) -> None:
        if self.page >= self.max_pages and any(_is_content(f) for f in self._story):
            self.truncated = True
            del self._story[:]
        super().handle_pageEnd()


@dataclass(frozen=True)
class _Column:
    """The codes' column at the top right of page 1."""

    width: float
    height: float


def _caption(code: Code, width: float) -> Paragraph:
    st = style("caption", BODY_PT, bold=True, center=True)
    if code.kind == "url":
        return para(address_markup(code.payload, BODY_PT, width, bold=True), st, is_markup=True)
    return para(code.caption, st)


def _column(spec: PosterSpec) -> _Column:
    boxes = [box_pt(c, spec.ecc, spec.code_module_pt(c)) for c in spec.codes]
    width = max([*boxes, 52 * MM])
    height = sum(boxes) + paragraphs_height([_caption(c, width) for c in spec.codes], width)
    return _Column(width, height + (2 * MM + CAPTION_GAP * BODY_PT) * len(boxes))


def fit_leaflet(spec: PosterSpec) -> PosterSpec:
    """Codes at their designed distances unless the column would take more than
    40 % of the page's width or 60 % of its height (a very long address)."""
    page_w, page_h = spec.page_size
    column = _column(spec)
    factor = min(
        1.0, (page_w - 2 * MARGIN) * 0.4 / column.width, (page_h - 2 * MARGIN) * 0.6 / column.height
    )
    return scaled(spec, factor) if factor < 1 else spec


def _footer(spec: PosterSpec, page: int, width: float) -> Paragraph:
    return page_footer(spec, page, width, BODY_PT)


def _more(spec: PosterSpec, width: float) -> Paragraph:
    url = spec.codes[0].payload
    text = f"<b>{MORE}:</b> " + address_markup(url, BODY_PT, width - 30 * MM, bold=False)
    p = para(text, style("more", BODY_PT), is_markup=True)
    p.wrap(width, 10**6)
    return p


def _title_size(text: str, width: float) -> float:
    """20 pt, or smaller for a long title (never under 14 pt, never cut: a leaflet
    carries the procedure's whole name)."""
    content = markup(text, bold=True)
    for size in (TITLE_PT, 17.0):
        if text_height(content, size, True, False, width) <= 4 * size * 1.22 + 0.1:
            return size
    return 14.0


def _heading(spec: PosterSpec, width: float) -> list[Flowable]:
    out: list[Flowable] = []
    for block in spec.heading:
        if block.style == "title":
            size = _title_size(block.text, width - _column(spec).width - 4 * MM)
            out.append(para(block.text, style("title", size, bold=True, spaceAfter=6)))
        else:
            out.append(para(block.text, style(block.style, BODY_PT)))
    return out


def render_leaflet(spec: PosterSpec) -> bytes:
    out = io.BytesIO()
    page_w, page_h = spec.page_size
    width = page_w - 2 * MARGIN
    bottom = MARGIN + _footer(spec, 99, width).height + 3 * MM
    more = _more(spec, width)
    column = _column(spec)
    doc = _Pages(
        out, MAX_PAGES, title=nfc(spec.title), author=nfc(spec.author), creator="thutuc",
        subject=spec.kind, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=bottom, **Paper.of(spec).canvas_options(),
    )  # fmt: skip
    budget = BUDGET_PAGES * (page_h - 2 * MARGIN)
    content = "".join(b.text for b in spec.body if b.style == "html")
    body, stopped = flowables_of(content, width, budget, spec.codes[0].payload)
    column_bottom = page_h - MARGIN - column.height
    beside = Frame(
        MARGIN, column_bottom, width - column.width - 4 * MM, column.height, id="beside",
        **NO_PADDING,
    )  # fmt: skip
    below = Frame(MARGIN, bottom, width, column_bottom - bottom - 2 * MM, id="below", **NO_PADDING)
    last_bottom = bottom + more.height + 2 * MM
    rest = Frame(MARGIN, last_bottom, width, page_h - MARGIN - last_bottom, id="rest", **NO_PADDING)

    def first_page(canvas: Canvas, doc: _Pages) -> None:
        _draw_column(canvas, spec, column)
        _footer(spec, doc.page, width).drawOn(canvas, MARGIN, MARGIN)

    def later_page(canvas: Canvas, doc: _Pages) -> None:
        _footer(spec, doc.page, width).drawOn(canvas, MARGIN, MARGIN)

    def end_of_page(canvas: Canvas, doc: _Pages) -> None:
        if doc.truncated or (stopped and doc.page == MAX_PAGES):
            more.drawOn(canvas, MARGIN, bottom)

    doc.addPageTemplates(
        [
            PageTemplate("first", [beside, below], onPage=first_page, onPageEnd=end_of_page, autoNextPageTemplate="rest"),
            PageTemplate("rest", [rest], onPage=later_page, onPageEnd=end_of_page),
        ]
    )  # fmt: skip
    doc.build([*_heading(spec, width), *body])
    return out.getvalue()


def _draw_column(canvas: Canvas, spec: PosterSpec, column: _Column) -> None:
    page_w, page_h = spec.page_size
    left = page_w - MARGIN - column.width
    top = page_h - MARGIN
    for code in spec.codes:
        module = spec.code_module_pt(code)
        box = box_pt(code, spec.ecc, module)
        quiet = QUIET_ZONE * module
        draw_symbol(
            canvas,
            code.symbol(spec.ecc),
            left + (column.width - box) / 2 + quiet,
            top - quiet,
            module,
        )
        caption = _caption(code, column.width)
        caption.wrap(column.width, 10**6)
        gap = CAPTION_GAP * BODY_PT  # accents stay out of the quiet zone
        caption.drawOn(canvas, left, top - box - gap - caption.height)
        top -= box + gap + caption.height + caption.style.spaceAfter + 2 * MM
