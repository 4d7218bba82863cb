"""Poster layout: draw one `PosterSpec` as a vector PDF with reportlab.

Codes are sized from the distance a poster is read at, never from the space
left: a phone camera 1920 px across 70° needs 2.2 mm of module per metre
(3 px a module); we print 2.9 mm/m so blur, tilt and glare still decode.
Text wraps around codes and, when it does not fit, flows to another page.
Every code keeps 4 modules of blank paper around it (its quiet zone): text,
cut lines and other codes stay outside it; the paper's own white may be part
of it, and two neighbouring codes may share theirs.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color, black
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A3, A4, A5, A6, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from thutuc.content.text import nfc
from thutuc.print.qr import QUIET_ZONE, dark_runs, encode_url
from thutuc.resources import FONTS_DIR

MM = 72 / 25.4
MM_PER_METRE = 2.9  # module size per metre of scanning distance, robust figure
MARGIN = 8 * MM  # office printers leave 4-5 mm unprinted; text keeps 8 mm
FONT, FONT_BOLD = "NotoSans", "NotoSans-Bold"
PAPERS = {"A3": A3, "A4": A4, "A5": A5, "A6": A6}
SCALE = {"A3": 1.4, "A4": 1.0, "A5": 0.9, "A6": 0.8}  # type sizes grow with the paper
GREY = Color(0.55, 0.55, 0.55)
Sheet = dict[str, ParagraphStyle]
PageDrawer = Callable[[Canvas, BaseDocTemplate], None]


class LayoutError(ValueError):
    """Something that cannot be placed even on an empty page."""


@dataclass(frozen=True)
class Code:
    url: str
    label: str
    note: str = ""


@dataclass(frozen=True)
class Block:
    style: str  # a key of styles(): "title", "h2", "body", "bullet", "numbered", ...
    text: str
    marker: str = ""  # the number of a "numbered" item


@dataclass(frozen=True)
class PosterSpec:
    """Everything one poster shows; plain data, so it hashes and pickles."""

    name: str  # file stem
    kind: str  # board, field, card, stickers, leaflet
    paper: str  # A3, A4, A5, A6
    distance_m: float  # designed scanning distance
    title: str  # PDF title
    author: str  # the commune
    heading: tuple[Block, ...]
    codes: tuple[Code, ...]
    body: tuple[Block, ...] = ()
    footer: str = ""
    ecc: str = "M"
    landscape: bool = False

    @property
    def page_size(self) -> tuple[float, float]:
        size = PAPERS[self.paper]
        return landscape(size) if self.landscape else size

    @property
    def module_pt(self) -> float:
        return self.distance_m * MM_PER_METRE * MM


@cache
def register_fonts() -> None:
    """Noto Sans covers every Vietnamese letter; TTFont embeds only the glyphs used."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONTS_DIR / "NotoSans-Regular.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONTS_DIR / "NotoSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)


def style(name: str, size: float, bold: bool = False, center: bool = False) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=FONT_BOLD if bold else FONT,
        fontSize=size,
        leading=size * 1.25,
        alignment=TA_CENTER if center else TA_LEFT,
        spaceAfter=size * 0.35,
    )


def styles(scale: float) -> Sheet:
    """Paragraph styles; `scale` grows them with the paper (A3 = 1.4)."""
    return {
        "commune": style("commune", 22 * scale, bold=True, center=True),
        "instruction": style("instruction", 15 * scale, bold=True, center=True),
        "title": style("title", 16 * scale, bold=True),
        "title-center": style("title-center", 18 * scale, bold=True, center=True),
        "h2": style("h2", 12 * scale, bold=True),
        "body": style("body", 10 * scale),
        "fact": style("fact", 10.5 * scale),
        "bullet": ParagraphStyle(
            "bullet", parent=style("body", 10 * scale), leftIndent=16 * scale, bulletIndent=2
        ),
        "small": style("small", 8 * scale),
        "small-center": style("small-center", 8 * scale, center=True),
        "label": style("label", 16 * scale, bold=True, center=True),
        "sticker": style("sticker", 6.5 * scale, bold=True, center=True),
        "sticker-note": style("sticker-note", 6 * scale, center=True),
    }


def paragraph(block: Block, sheet: Sheet) -> Paragraph:
    text = escape(nfc(block.text))
    if block.style in ("bullet", "numbered"):
        marker = f"{block.marker}." if block.style == "numbered" else "•"
        return Paragraph(text, sheet["bullet"], bulletText=marker)
    return Paragraph(text, sheet[block.style])


def symbol_modules(url: str, ecc: str) -> int:
    return encode_url(url, ecc).size


def draw_symbol(canvas: Canvas, url: str, ecc: str, x: float, top: float, module: float) -> None:
    """Draw the code's dark modules as one vector path, top-left corner at (x, top)."""
    path = canvas.beginPath()
    for row, col, length in dark_runs(encode_url(url, ecc)):
        path.rect(x + col * module, top - (row + 1) * module, length * module, module)
    canvas.setFillColor(black)
    canvas.drawPath(path, stroke=0, fill=1)


class QrFlowable(Flowable):
    """A code with its quiet zone, centred in the frame; never scaled."""

    def __init__(self, url: str, ecc: str, module: float) -> None:
        super().__init__()
        self.url, self.ecc, self.module = url, ecc, module
        self.side = symbol_modules(url, ecc) * module
        self.box = self.side + 2 * QUIET_ZONE * module

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if self.box > avail_width + 0.01:
            raise LayoutError(f"mã QR rộng {self.box / MM:.0f} mm không vừa khổ giấy")
        self.width = avail_width
        return avail_width, self.box

    def draw(self) -> None:
        x = (self.width - self.side) / 2
        draw_symbol(
            self.canv, self.url, self.ecc, x, self.box - QUIET_ZONE * self.module, self.module
        )


def render_pdf(spec: PosterSpec) -> bytes:
    """The PDF of `spec`, byte-identical for identical input (invariant=1)."""
    register_fonts()
    if spec.kind == "board":
        # a board turns to landscape only when that needs fewer sheets
        tall, wide = render_grid(spec), render_grid(replace(spec, landscape=True))
        return wide[0] if wide[1] < tall[1] else tall[0]
    if spec.kind == "stickers":
        return render_grid(spec)[0]
    return render_flow(spec)


# Flowing posters: field poster, card, leaflet --------------------------------


def _footer_drawer(spec: PosterSpec, sheet: Sheet) -> PageDrawer:
    def draw_footer(canvas: Canvas, doc: BaseDocTemplate) -> None:
        footer_paragraph(spec, sheet, doc.page).drawOn(canvas, MARGIN, MARGIN * 0.6)

    return draw_footer


def render_flow(spec: PosterSpec) -> bytes:
    """Heading, then the code (centred, or in the top-right corner for leaflets), then body."""
    out = io.BytesIO()
    sheet = styles(SCALE[spec.paper])
    page_w, page_h = spec.page_size
    bottom = footer_top(spec, sheet)
    doc = BaseDocTemplate(
        out, pagesize=spec.page_size, invariant=1, title=nfc(spec.title),
        author=nfc(spec.author), creator="thutuc", subject=spec.kind, initialFontName=FONT,
        leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=bottom,
    )  # fmt: skip
    full = Frame(MARGIN, bottom, page_w - 2 * MARGIN, page_h - MARGIN - bottom, id="full")
    footer = _footer_drawer(spec, sheet)
    story = [paragraph(b, sheet) for b in spec.heading]
    code = spec.codes[0]
    qr = QrFlowable(code.url, spec.ecc, spec.module_pt)
    if spec.kind == "leaflet":
        first = _corner_frames(spec, qr, bottom)
        templates = [
            PageTemplate(
                "first", first, onPage=_corner_drawer(spec, qr, footer), autoNextPageTemplate="rest"
            ),
            PageTemplate("rest", [full], onPage=footer),
        ]
    else:
        story.append(qr)
        templates = [PageTemplate("rest", [full], onPage=footer)]
    story += [paragraph(b, sheet) for b in spec.body]
    doc.addPageTemplates(templates)
    doc.build(story)
    return out.getvalue()


def _corner_frames(spec: PosterSpec, qr: QrFlowable, bottom: float) -> list[Frame]:
    """Page 1 of a leaflet: text beside the code, then full width below it."""
    page_w, page_h = spec.page_size
    box = qr.box
    corner_bottom = page_h - MARGIN - box
    beside = Frame(MARGIN, corner_bottom, page_w - 2 * MARGIN - box, box, id="beside")
    below = Frame(MARGIN, bottom, page_w - 2 * MARGIN, corner_bottom - bottom, id="below")
    return [beside, below]


def _corner_drawer(spec: PosterSpec, qr: QrFlowable, footer: PageDrawer) -> PageDrawer:
    def draw(canvas: Canvas, doc: BaseDocTemplate) -> None:
        page_w, page_h = spec.page_size
        quiet = QUIET_ZONE * qr.module
        left = page_w - MARGIN - qr.box + quiet
        draw_symbol(canvas, qr.url, qr.ecc, left, page_h - MARGIN - quiet, qr.module)
        footer(canvas, doc)

    return draw


# Grids of codes: field board, sticker sheet ----------------------------------


@dataclass(frozen=True)
class Grid:
    """Where codes go on a page: columns, pitch, symbol side, quiet zone (points)."""

    columns: int
    pitch: float
    x0: float  # left of the first symbol
    side: float
    quiet: float
    cut_lines: bool


def grid_for(spec: PosterSpec) -> Grid:
    page_w = spec.page_size[0]
    module = spec.module_pt
    side = max(symbol_modules(c.url, spec.ecc) for c in spec.codes) * module
    quiet = QUIET_ZONE * module
    if spec.kind == "stickers":
        # each sticker is cut out with its own quiet zone; wide enough for a label
        pitch = max(side + 2 * quiet, 40 * MM)
        columns = max(1, int((page_w - 2 * MARGIN) // pitch))
        pitch = (page_w - 2 * MARGIN) / columns
        return Grid(columns, pitch, MARGIN + (pitch - side) / 2, side, quiet, True)
    # board: neighbours share quiet zones; the outer ones may reach the margin
    edge = max(quiet, MARGIN)
    columns = max(1, int((page_w - 2 * edge + quiet) // (side + quiet)))
    spare = page_w - 2 * edge - columns * side - (columns - 1) * quiet
    gap = quiet + spare / (columns + 1)
    return Grid(columns, side + gap, edge + spare / (columns + 1), side, quiet, False)


def _label(code: Code, width: float, spec: PosterSpec, sheet: Sheet) -> list[Paragraph]:
    main, note = (
        ("sticker", "sticker-note") if spec.kind == "stickers" else ("label", "small-center")
    )
    paragraphs = [Paragraph(escape(nfc(code.label)), sheet[main])]
    if code.note:
        paragraphs.append(Paragraph(escape(nfc(code.note)), sheet[note]))
    for p in paragraphs:
        p.wrap(width, 10**6)
    return paragraphs


def _height(paragraphs: list[Paragraph]) -> float:
    return sum(p.height + p.style.spaceAfter for p in paragraphs)


def render_grid(spec: PosterSpec) -> tuple[bytes, int]:
    """Rows of codes with their labels under them, on as many pages as needed.
    Returns the PDF and its number of pages."""
    out = io.BytesIO()
    sheet = styles(SCALE[spec.paper])
    grid = grid_for(spec)
    # initialFontName: otherwise an unembedded Helvetica is listed in every PDF
    canvas = Canvas(
        out, pagesize=spec.page_size, invariant=1, pageCompression=1, initialFontName=FONT
    )
    canvas.setTitle(nfc(spec.title))
    canvas.setAuthor(nfc(spec.author))
    canvas.setCreator("thutuc")
    canvas.setSubject(spec.kind)
    label_width = grid.pitch - 3 * MM if grid.cut_lines else grid.side + grid.quiet - 2 * MM
    rows = [spec.codes[i : i + grid.columns] for i in range(0, len(spec.codes), grid.columns)]
    page, top, bottom = 0, 0.0, 0.0
    for row in rows:
        labels = [_label(code, label_width, spec, sheet) for code in row]
        height = 2 * grid.quiet + grid.side + max(_height(p) for p in labels) + 2 * MM
        if page == 0 or top - height < bottom:
            if page:
                canvas.showPage()
            page += 1
            top, bottom = _grid_page(canvas, spec, sheet, page)
            if top - height < bottom:
                raise LayoutError("một hàng mã QR không vừa một trang giấy")
        for column, (code, label) in enumerate(zip(row, labels, strict=True)):
            _draw_tile(canvas, spec, grid, grid.x0 + column * grid.pitch, top, code, label)
        top -= height
    canvas.showPage()
    canvas.save()
    return out.getvalue(), page


def footer_paragraph(spec: PosterSpec, sheet: Sheet, page: int) -> Paragraph:
    text = spec.footer + (f" · Trang {page}" if page > 1 else "")
    small = spec.kind != "board"
    p = Paragraph(escape(nfc(text)), sheet["small-center" if small else "fact"])
    p.style = ParagraphStyle("footer", parent=p.style, alignment=TA_CENTER)
    p.wrap(spec.page_size[0] - 2 * MARGIN, spec.page_size[1])
    return p


def footer_top(spec: PosterSpec, sheet: Sheet) -> float:
    """Height the footer takes from the bottom of the paper, with the longest page number."""
    return MARGIN * 0.6 + footer_paragraph(spec, sheet, 999).height + 3 * MM


def _grid_page(canvas: Canvas, spec: PosterSpec, sheet: Sheet, page: int) -> tuple[float, float]:
    """Draw the heading and footer of a grid page; return the top and bottom left for rows."""
    page_w, page_h = spec.page_size
    top = page_h - MARGIN
    for block in spec.heading:
        p = paragraph(block, sheet)
        _, height = p.wrap(page_w - 2 * MARGIN, page_h)
        p.drawOn(canvas, MARGIN, top - height)
        top -= height + p.style.spaceAfter
    footer_paragraph(spec, sheet, page).drawOn(canvas, MARGIN, MARGIN * 0.6)
    return top, footer_top(spec, sheet)


def _draw_tile(
    canvas: Canvas,
    spec: PosterSpec,
    grid: Grid,
    x: float,
    top: float,
    code: Code,
    label: list[Paragraph],
) -> None:
    """One code at (x, top - quiet) with its label one quiet zone under it."""
    module = spec.module_pt
    side = symbol_modules(code.url, spec.ecc) * module
    offset = (grid.side - side) / 2  # a smaller code sits centred in the tile
    draw_symbol(canvas, code.url, spec.ecc, x + offset, top - grid.quiet - offset, module)
    center = x + grid.side / 2
    y = top - grid.quiet - grid.side - grid.quiet
    for p in label:
        p.drawOn(canvas, center - p.width / 2, y - p.height)
        y -= p.height + p.style.spaceAfter
    if grid.cut_lines:
        left = x - (grid.pitch - grid.side) / 2
        canvas.setStrokeColor(GREY)
        canvas.setLineWidth(0.3)
        canvas.setDash(2, 2)
        canvas.rect(left, y - 1 * MM, grid.pitch, top - y + 1 * MM, stroke=1, fill=0)
        canvas.setDash()
