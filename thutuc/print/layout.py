"""Poster layout: what every poster shares, and the flowing posters (field, card).

Codes are sized from the distance a poster is read at, never from the space
left: a phone camera 1920 px across 70° needs 2.2 mm of module per metre
(3 px a module); we print 2.9 mm/m so blur, tilt and glare still decode.
Every code keeps 4 modules of blank paper around it (its quiet zone): text,
cut lines and other codes stay outside it; the paper's own white may be part
of it, and two neighbouring codes may share theirs.

Made for a black-and-white office laser printer first: every colour is pure
K (CMYK 0/0/0/k; reportlab's enforceColorSpace="cmyk" turns any other colour
into it), nothing is said by colour alone, and the type sizes follow the
reading distance, never below 12 pt on anything handed to a resident. Every
page declares its TrimBox (the finished paper); a print-shop build adds bleed,
a BleedBox and crop marks (`PosterSpec.print_shop`).

The field board and the sticker sheet are in board.py, the leaflet in leaflet.py.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Any

from reportlab.lib.colors import CMYKColor
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A0, A1, A2, A3, A4, A5, A6, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject
from reportlab.platypus import Flowable, Paragraph

from thutuc.content.text import nfc
from thutuc.print.glyphs import FONT, FONT_BOLD, markup, paragraph_style, register_fonts
from thutuc.print.qr import QUIET_ZONE, QrSymbol, dark_runs, encode_text, encode_url
from thutuc.resources import FONTS_DIR

__all__ = ["FONTS_DIR", "register_fonts"]  # re-exported for posters.py and the tests

MM = 72 / 25.4
MM_PER_METRE = 2.9  # module size per metre of scanning distance, robust figure
NOMINAL_MM_PER_METRE = 2.2  # what a 1920 px, 70° camera needs (3 px a module)
MARGIN = 8 * MM  # office printers leave 4-5 mm unprinted; text keeps 8 mm
PAPERS = {"A0": A0, "A1": A1, "A2": A2, "A3": A3, "A4": A4, "A5": A5, "A6": A6}
BLACK = CMYKColor(0, 0, 0, 1)  # pure K: one toner, one plate
GREY = CMYKColor(0, 0, 0, 0.45)  # rules and cut lines only, never information
RESIDENT_MIN_PT = 12.0  # anything handed to a resident
CAP_HEIGHT = 0.714  # Noto Sans: capital height / font size
CAP_MM_AT_1_5_M = 16.0  # ADA 703.5.5: 5/8 in (16 mm) for signs read from below 1.8 m
CROP_MARK_MM = 8.0
# Text under a code starts this many of its own ems below the quiet zone: a
# Vietnamese capital's accents reach above the line (Ộ, Ẫ).
CAPTION_GAP = 0.3
# reportlab's frames pad their content by 6 pt; ours start at the margins.
NO_PADDING = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}


class LayoutError(ValueError):
    """Something that cannot be placed even on an empty page."""


@dataclass(frozen=True)
class Code:
    """One code on a poster: what a scanner reads and what is printed beside it."""

    payload: str  # the exact text of the code: a URL, a vCard, the facts
    label: str  # a board tile's field name, a sticker's title
    note: str = ""  # a second line: "8 thủ tục", "Mã 1.001193"
    kind: str = "url"  # url (a link, no ECI), text or contact (UTF-8 behind the ECI)
    distance_m: float = 0.0  # designed reading distance; 0: the poster's
    caption: str = ""  # under the code: the address as typed, or what the code is for
    label2: str = ""  # a bilingual board's field name in the other language, under `label`

    @property
    def url(self) -> str:
        return self.payload if self.kind == "url" else ""

    def symbol(self, ecc: str) -> QrSymbol:
        return (
            encode_url(self.payload, ecc) if self.kind == "url" else encode_text(self.payload, ecc)
        )


@dataclass(frozen=True)
class Block:
    style: str  # a key of styles(): "title", "h2", "body", "bullet", "numbered", ...
    text: str  # plain text; with style "html", sanitised HTML (leaflet.py lays it out)
    marker: str = ""  # the number of a "numbered" item


@dataclass(frozen=True)
class PosterSpec:
    """Everything one poster shows; plain data, so it hashes and pickles."""

    name: str  # file stem
    kind: str  # board, field, card, stickers, leaflet
    paper: str  # A0 ... A6
    distance_m: float  # reading distance the codes are drawn for (after fitting)
    title: str  # PDF title
    author: str  # the commune
    heading: tuple[Block, ...]
    codes: tuple[Code, ...]
    body: tuple[Block, ...] = ()
    footer: tuple[Block, ...] = ()
    ecc: str = "M"
    landscape: bool = False
    print_shop: bool = False  # bleed, BleedBox and crop marks for a print shop
    designed_m: float = 0.0  # the distance the poster is meant for; 0: distance_m
    contact: Code | None = None  # the hotline as a contact card (board)
    source: str = ""  # the file the poster is about (a procedure's, a field's), for messages
    lang: str = ""  # a poster in a language (print/languages.py): its tag; "" Vietnamese
    page_word: str = "Trang {n}"  # the footer's sheet number, from the second sheet on
    body_pt: float = 0.0  # a field poster's list set smaller to keep to one sheet; 0: as designed

    def sheet_number(self, page: int) -> str:
        """The number of a sheet in the poster's words: "Trang 2", "Page 2"."""
        return self.page_word.replace("{n}", str(page))

    @property
    def page_size(self) -> tuple[float, float]:
        size = PAPERS[self.paper]
        return landscape(size) if self.landscape else size

    @property
    def module_pt(self) -> float:
        return module_pt(self.distance_m)

    @property
    def designed_distance_m(self) -> float:
        return self.designed_m or self.distance_m

    def code_module_pt(self, code: Code) -> float:
        return module_pt(code.distance_m or self.distance_m)


def module_pt(distance_m: float) -> float:
    return distance_m * MM_PER_METRE * MM


def box_pt(code: Code, ecc: str, module: float) -> float:
    """Side of `code` with its quiet zone, at `module` points a module."""
    return (code.symbol(ecc).size + 2 * QUIET_ZONE) * module


# Type ------------------------------------------------------------------------


def type_size(distance_m: float, share: float = 1.0, floor: float = RESIDENT_MIN_PT) -> float:
    """Font size (pt) whose capitals read at `distance_m`: 16 mm at 1.5 m (ADA
    703.5.5's floor for signs), in proportion to the distance, times `share`."""
    cap_mm = CAP_MM_AT_1_5_M * distance_m / 1.5 * share
    return max(floor, cap_mm / CAP_HEIGHT * MM)


def style(
    name: str,
    size: float,
    bold: bool = False,
    center: bool = False,
    leading: float = 1.22,
    **extra: Any,
) -> ParagraphStyle:
    options: dict[str, Any] = {
        "fontName": FONT_BOLD if bold else FONT,
        "fontSize": size,
        "leading": size * leading,
        "alignment": TA_CENTER if center else TA_LEFT,
        "spaceAfter": size * 0.3,
        "textColor": BLACK,
    }
    return ParagraphStyle(name, **(options | extra))


def para(text: str, st: ParagraphStyle, is_markup: bool = False) -> Paragraph:
    """A paragraph of plain `text` (or of reportlab markup already made safe),
    each script in a font that draws it, shaped where the script needs it."""
    content = text if is_markup else markup(text, bold=st.fontName == FONT_BOLD)
    return Paragraph(content, paragraph_style(st, content))


def page_footer(spec: PosterSpec, page: int, width: float, size: float) -> Paragraph:
    """The footer of a poster that flows onto more sheets, with the sheet's number
    from the second on (in the poster's words: "Trang 2", "Page 2")."""
    parts = [block.text for block in spec.footer]
    parts += [spec.sheet_number(page)] if page > 1 else []
    p = para(" · ".join(parts), style("footer", size, center=True))
    p.wrap(width, 10**6)
    return p


def address_text(url: str) -> str:
    """The address as a resident types it: no "https://", the rest exactly."""
    return url.removeprefix("https://")


_AFTER_SLASH = re.compile(r"(?<=/)")
_AFTER_PUNCTUATION = re.compile(r"(?<=[.\-_?&=])")


def _pack(pieces: list[str], font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for piece in pieces:
        if lines and stringWidth(lines[-1] + piece, font, size) <= width:
            lines[-1] += piece
        else:
            lines.append(piece)
    return lines


def address_lines(url: str, size: float, width: float, bold: bool = False) -> list[str]:
    """The typed address cut into lines of `width`: after "/" where it can, then
    after ".", "-"; mid-segment only for a segment wider than a line. (Paragraph
    breaks only at spaces, and a zero-width space prints as a space in reportlab.)"""
    font = FONT_BOLD if bold else FONT
    pieces: list[str] = []
    for part in _AFTER_SLASH.split(address_text(url)):
        if stringWidth(part, font, size) <= width:
            pieces.append(part)
            continue
        for fine in _AFTER_PUNCTUATION.split(part):
            while stringWidth(fine, font, size) > width and len(fine) > 1:
                cut = len(fine) - 1
                while cut > 1 and stringWidth(fine[:cut], font, size) > width:
                    cut -= 1
                pieces.append(fine[:cut])
                fine = fine[cut:]
            pieces.append(fine)
    return _pack([p for p in pieces if p], font, size, width)


def address_markup(url: str, size: float, width: float, bold: bool = False) -> str:
    return "<br/>".join(escape(line, quote=False) for line in address_lines(url, size, width, bold))


@lru_cache(maxsize=8192)
def text_height(content: str, size: float, bold: bool, center: bool, width: float) -> float:
    """Height of a paragraph of markup `content` at `size`, wrapped to `width`."""
    p = Paragraph(content, paragraph_style(style("m", size, bold, center), content))
    return p.wrap(width, 10**6)[1]


def fit_lines(
    text: str, size: float, bold: bool, width: float, lines: int, floor: float
) -> tuple[str, float]:
    """(markup, size) of `text` in at most `lines` lines of `width`: smaller type
    down to `floor` first, then the words that fit, ending "…"."""
    content = markup(text, bold)
    current = size
    while current >= floor - 1e-6:
        if text_height(content, current, bold, True, width) <= lines * current * 1.22 + 0.1:
            return content, current
        current = round(current * 0.92, 2)
    words = text.split()
    low, high = 0, len(words)  # the most words that fit
    while low < high:
        middle = (low + high + 1) // 2
        candidate = markup(" ".join(words[:middle]) + "…", bold)
        if text_height(candidate, floor, bold, True, width) <= lines * floor * 1.22 + 0.1:
            low = middle
        else:
            high = middle - 1
    shown = " ".join(words[:low]) if low else text[: max(1, int(width / floor))]
    return markup(shown.rstrip(",;:") + "…", bold), floor


# Codes -----------------------------------------------------------------------


class _ModulePath(PDFPathObject):
    """A path written in whole modules: "column row length 1 re" per dark run.
    reportlab formats every coordinate of a path in Python (fp_str), a quarter of
    a card's drawing time for a dense code; integers need no formatting."""

    def __init__(self, symbol: QrSymbol) -> None:
        super().__init__()
        self.runs = " ".join(f"{col} {row} {length} 1 re" for row, col, length in dark_runs(symbol))

    def getCode(self) -> str:  # reportlab's name
        return self.runs


def draw_symbol(canvas: Canvas, symbol: QrSymbol, x: float, top: float, module: float) -> None:
    """Draw the code's dark modules as one vector path, top-left corner at (x, top):
    in a coordinate system of one unit a module, rows counted downwards."""
    canvas.saveState()
    canvas.transform(module, 0, 0, -module, x, top)
    canvas.setFillColor(BLACK)
    canvas.drawPath(_ModulePath(symbol), stroke=0, fill=1)
    canvas.restoreState()


class CodeFlowable(Flowable):
    """A code with its quiet zone, at `x_share` of the frame (0.5: centred); never scaled."""

    def __init__(self, code: Code, ecc: str, module: float) -> None:
        super().__init__()
        self.symbol = code.symbol(ecc)
        self.module = module
        self.side = self.symbol.size * module
        self.box = self.side + 2 * QUIET_ZONE * module

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if self.box > avail_width + 0.01:
            raise LayoutError(f"mã QR rộng {self.box / MM:.0f} mm không vừa khổ giấy")
        self.width = avail_width
        return avail_width, self.box

    def draw(self) -> None:
        quiet = QUIET_ZONE * self.module
        draw_symbol(
            self.canv, self.symbol, (self.width - self.side) / 2, self.box - quiet, self.module
        )


# Paper: trim, bleed and crop marks ---------------------------------------------


@dataclass(frozen=True)
class Paper:
    """The sheet a poster is printed on: its finished size, and around it, for a
    print shop, the bleed and a border that holds the crop marks."""

    width: float
    height: float
    bleed: float = 0.0
    border: float = 0.0  # from the media edge to the trim edge

    @classmethod
    def of(cls, spec: PosterSpec) -> Paper:
        width, height = spec.page_size
        if not spec.print_shop:
            return cls(width, height)
        large = spec.paper in ("A0", "A1", "A2")
        bleed = (5 if large else 3) * MM
        return cls(width, height, bleed, bleed + (CROP_MARK_MM + 1) * MM)

    @property
    def trim_box(self) -> tuple[float, float, float, float]:
        b = self.border
        return (b, b, b + self.width, b + self.height)

    @property
    def bleed_box(self) -> tuple[float, float, float, float]:
        b, bleed = self.border, self.bleed
        return (b - bleed, b - bleed, b + self.width + bleed, b + self.height + bleed)

    def canvas_options(self) -> dict[str, Any]:
        """Keyword arguments for a reportlab Canvas or DocTemplate: content is drawn
        in trim coordinates; reportlab's crop marks move it into the border."""
        options: dict[str, Any] = {
            "pagesize": (self.width, self.height),
            "invariant": 1,
            "pageCompression": 1,
            "enforceColorSpace": "cmyk",
            "initialFontName": FONT,  # otherwise an unembedded Helvetica is listed
            "trimBox": self.trim_box,
        }
        if self.border:
            options["cropMarks"] = _CropMarks(self.border, (self.border - self.bleed) - 1 * MM)
            options["bleedBox"] = self.bleed_box
        return options


@dataclass(frozen=True)
class _CropMarks:
    """reportlab's crop marks: `borderWidth` of paper around the trim, marks of
    `markLength` from the media edge, so they stop 1 mm outside the bleed.
    No bleedWidth: reportlab would scale the page into the bleed, and the codes
    with it."""

    borderWidth: float
    markLength: float
    markWidth: float = 0.5
    markColor: CMYKColor = BLACK
    markLast: int = 1


def new_canvas(spec: PosterSpec, out: io.BytesIO) -> Canvas:
    canvas = Canvas(out, **Paper.of(spec).canvas_options())
    canvas.setTitle(nfc(spec.title))
    canvas.setAuthor(nfc(spec.author))
    canvas.setCreator("thutuc")
    canvas.setSubject(spec.kind)
    return canvas


def render_pdf(spec: PosterSpec) -> bytes:
    """The PDF of `spec`, byte-identical for identical input (invariant=1)."""
    register_fonts()
    if spec.kind in ("board", "stickers"):
        from thutuc.print.board import render_board, render_stickers

        return render_board(spec) if spec.kind == "board" else render_stickers(spec)
    if spec.kind == "leaflet":
        from thutuc.print.leaflet import render_leaflet

        return render_leaflet(spec)
    if spec.kind == "card":
        from thutuc.print.card import render_card

        return render_card(spec)
    from thutuc.print.field import render_field_poster

    return render_field_poster(spec)


def center_style(size: float, bold: bool = False) -> ParagraphStyle:
    return style(f"c{size:.1f}{bold}", size, bold, center=True)


def centered(text: str, size: float, bold: bool = False) -> Paragraph:
    return para(text, center_style(size, bold))


def stacked_height(flowables: Sequence[Flowable], width: float) -> float:
    """The height `flowables` take one under the other at the top of a frame, as
    reportlab's Frame places them: no space before the first, and between two the
    larger of the space after the one and the space before the next."""
    height, after = 0.0, None
    for flowable in flowables:
        _, own = flowable.wrap(width, 10**6)
        if after is not None:
            height += max(after, flowable.getSpaceBefore())
        height += own
        after = flowable.getSpaceAfter()
    return height


def paragraphs_height(paragraphs: list[Paragraph], width: float) -> float:
    return sum(
        p.wrap(width, 10**6)[1] + p.style.spaceBefore + p.style.spaceAfter for p in paragraphs
    )


def draw_stack(
    canvas: Canvas, paragraphs: list[Paragraph], x: float, top: float, width: float
) -> float:
    """Draw paragraphs one under the other from `top`; return the y under the last."""
    y = top
    for p in paragraphs:
        _, height = p.wrap(width, 10**6)
        y -= p.style.spaceBefore
        p.drawOn(canvas, x, y - height)
        y -= height + p.style.spaceAfter
    return y
