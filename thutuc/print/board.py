"""The field board, every field of the commune on one sheet, and the sticker sheet.

The board is what hangs at the one-stop office and in each village hall: the
commune's name, how to scan for someone who never has, one code per field with
its name, its number of procedures and its address as text, then the hotline
(with a code that saves it as a contact), the address, where to send feedback
and the date of the facts. Every size on it comes from one reading distance:
the codes at 2.9 mm of module per metre, the field names with capitals of 16 mm
at 1.5 m (ADA 703.5.5's floor for signs), the rest in proportion, never below
12 pt. `fit_board` finds the largest distance, up to the designed one, at which
everything fits one sheet in either orientation; posters.py says so when that
is shorter than designed.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, replace
from functools import lru_cache

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from thutuc.print.layout import (
    CAPTION_GAP,
    GREY,
    MARGIN,
    MM,
    Code,
    LayoutError,
    PosterSpec,
    address_markup,
    box_pt,
    centered,
    draw_stack,
    draw_symbol,
    fit_lines,
    module_pt,
    new_canvas,
    para,
    paragraphs_height,
    style,
    text_height,
    type_size,
)
from thutuc.print.qr import QUIET_ZONE

# Type size of each part of the board, as a share of the field names' (which is
# 1.0: capitals of 16 mm at 1.5 m), and the smallest it is set (pt).
SHARES = {
    "commune": (1.15, 24.0),
    "headline": (0.7, 16.0),
    "howto": (0.45, 12.0),
    "name": (1.0, 9.0),
    "note": (0.5, 8.0),
    "address": (0.36, 8.0),
    "hotline": (0.7, 14.0),
    "footer": (0.45, 11.0),
    "small": (0.36, 10.0),
}
# The tiles' floors (under 12 pt) only matter for a board read from under 0.3 m:
# thirty fields on one A4 sheet. A board is posted, not handed out; its header
# and footer stay at 12 pt or more.
NAME_LINES = 3  # a longer field name is set smaller, then cut with "…"
NAME_FLOOR_SHARE = 0.6  # the smallest a long name is set, as a share of its size
DISTANCE_STEP = 0.97  # the fitting tries the designed distance times 0.97^k
SMALLEST_SHARE = 0.08
CONTACT_DISTANCE_M = 0.3  # the hotline's code is read from close by, to save the number
LARGEST_SHARE = 2.0  # a print-shop board with room to spare grows up to twice its distance
# A bilingual board: the field's name in the other language, under the Vietnamese,
# in regular weight at this share of the name's size, in at most this many lines.
SECOND_SHARE, SECOND_LINES = 0.85, 2


def sizes(distance_m: float) -> dict[str, float]:
    return {part: type_size(distance_m, share, floor) for part, (share, floor) in SHARES.items()}


@dataclass(frozen=True)
class Tile:
    name: str  # markup, fitted to NAME_LINES
    name_size: float
    note: str
    address: str  # markup, broken after "/" and "."
    second: str = ""  # a bilingual board: the name in the other language (markup)
    second_size: float = 0.0


@dataclass(frozen=True)
class Plan:
    """Where everything of a board goes at one distance and orientation."""

    columns: int
    pitch: float
    module: float
    side: float  # of the largest symbol
    quiet: float
    spacing: float  # between a row's last label line and the next row's quiet zone
    row_heights: tuple[float, ...]  # quiet zone, code, quiet zone, labels of each row
    header_height: float
    footer_height: float
    tiles: tuple[Tile, ...]

    def grid_height(self, rows: range) -> float:
        return sum(self.row_heights[r] for r in rows) + self.spacing * (len(rows) - 1)


def _label_width(pitch: float) -> float:
    return pitch - 3 * MM


@lru_cache(maxsize=4096)
def _tile(code: Code, width: float, distance_m: float) -> Tile:
    size = sizes(distance_m)
    floor = max(SHARES["name"][1], size["name"] * NAME_FLOOR_SHARE)
    name, name_size = fit_lines(code.label, size["name"], True, width, NAME_LINES, floor)
    address = address_markup(code.caption or code.payload, size["address"], width)
    if not code.label2:
        return Tile(name, name_size, code.note, address)
    low = max(SHARES["name"][1], floor * SECOND_SHARE)
    second, second_size = fit_lines(
        code.label2, name_size * SECOND_SHARE, False, width, SECOND_LINES, low
    )
    return Tile(name, name_size, code.note, address, second, second_size)


def _tile_height(tile: Tile, width: float, distance_m: float) -> float:
    size = sizes(distance_m)
    height = tile.name_size * CAPTION_GAP
    height += text_height(tile.name, tile.name_size, True, True, width) + tile.name_size * 0.15
    if tile.second:
        height += text_height(tile.second, tile.second_size, False, True, width)
        height += tile.second_size * 0.15
    if tile.note:
        height += text_height(tile.note, size["note"], False, True, width) + size["note"] * 0.2
    return height + text_height(tile.address, size["address"], False, True, width)


def _header(spec: PosterSpec, distance_m: float) -> list[Paragraph]:
    """The commune's name (at most two lines: smaller type, then "…") and how to scan."""
    size = sizes(distance_m)
    width = spec.page_size[0] - 2 * MARGIN
    out = []
    for block in spec.heading:
        if block.style == "commune":
            text, fitted = fit_lines(block.text, size["commune"], True, width, 2, size["headline"])
            out.append(para(text, style("commune", fitted, True, True), is_markup=True))
        else:
            out.append(centered(block.text, size[block.style], block.style == "headline"))
    return out


def _contact_module(spec: PosterSpec, distance_m: float) -> float:
    """The contact code is read from close by (to save the number): a quarter of the
    board's distance, never under its designed 0.3 m, and never wider than a
    quarter of the sheet (the hotline's number is printed beside it anyway)."""
    contact = spec.contact
    if contact is None:
        return 0.0
    module = module_pt(min(distance_m, max(contact.distance_m, distance_m / 4)))
    widest = (spec.page_size[0] - 2 * MARGIN) / 4
    return min(module, widest / (contact.symbol(spec.ecc).size + 2 * QUIET_ZONE))


def _footer(spec: PosterSpec, distance_m: float, width: float) -> tuple[list[Paragraph], float]:
    """The footer's paragraphs and the width they take beside the contact code."""
    size = sizes(distance_m)
    box = box_pt(spec.contact, spec.ecc, _contact_module(spec, distance_m)) if spec.contact else 0
    text_width = width - box - (3 * MM if box else 0)
    paragraphs = [
        para(b.text, style(b.style, size[b.style], b.style == "hotline")) for b in spec.footer
    ]
    return paragraphs, text_width


def footer_height(spec: PosterSpec, distance_m: float, width: float) -> float:
    paragraphs, text_width = _footer(spec, distance_m, width)
    text = paragraphs_height(paragraphs, text_width)
    if not spec.contact:
        return text
    module = _contact_module(spec, distance_m)
    return max(text, box_pt(spec.contact, spec.ecc, module))


def _plan(spec: PosterSpec, columns: int | None) -> Plan | None:
    """The layout of `spec` at its distance and orientation with `columns` (None:
    the most that fit one sheet); None when no column count fits one sheet."""
    page_w, page_h = spec.page_size
    width, d = page_w - 2 * MARGIN, spec.distance_m
    module = module_pt(d)
    side = max(c.symbol(spec.ecc).size for c in spec.codes) * module
    quiet = QUIET_ZONE * module
    header = paragraphs_height(_header(spec, d), width) + 3 * MM  # and a rule
    footer = footer_height(spec, d, width) + 2 * MM
    room = page_h - 2 * MARGIN - header - footer
    size = sizes(d)
    spacing = size["name"] * 0.3
    # no label is shorter than one line of each of its parts: fewer columns than
    # this bound allows cannot fit, and need not be measured
    floor_name = max(SHARES["name"][1], size["name"] * NAME_FLOOR_SHARE)
    shortest = (floor_name + size["note"] + size["address"]) * 1.22 + floor_name * CAPTION_GAP
    most = max(1, min(len(spec.codes), int((width + quiet) // (side + quiet))))
    for count in [columns] if columns else range(most, 0, -1):
        rows_needed = math.ceil(len(spec.codes) / count)
        if not columns and rows_needed * (side + 2 * quiet + shortest + spacing) > room + spacing:
            break
        pitch = width / count
        tiles = tuple(_tile(c, _label_width(pitch), d) for c in spec.codes)
        heights = [_tile_height(t, _label_width(pitch), d) for t in tiles]
        rows = tuple(
            side + 2 * quiet + max(heights[i : i + count]) for i in range(0, len(tiles), count)
        )
        layout = Plan(count, pitch, module, side, quiet, spacing, rows, header, footer, tiles)
        if columns or layout.grid_height(range(len(rows))) <= room:
            return layout
    return None


def plan(spec: PosterSpec) -> Plan | None:
    """The layout of `spec` on one sheet at its distance and orientation, with the
    most columns that fit; None when its fields cannot fit one sheet."""
    return _plan(spec, None)


def _distances(designed: float) -> list[float]:
    """Candidate distances, largest first: designed x 0.97^k down to 8 %."""
    steps = int(math.log(SMALLEST_SHARE) / math.log(DISTANCE_STEP))
    return [round(designed * DISTANCE_STEP**k, 4) for k in range(steps + 1)]


def largest_fit(spec: PosterSpec) -> PosterSpec | None:
    """`spec` at the largest candidate distance whose board fits one sheet."""
    candidates = _distances(spec.designed_distance_m)
    low, high = 0, len(candidates) - 1
    if plan(replace(spec, distance_m=candidates[high])) is None:
        return None
    while low < high:  # fitting only gets easier as the distance shrinks
        middle = (low + high) // 2
        if plan(replace(spec, distance_m=candidates[middle])) is not None:
            high = middle
        else:
            low = middle + 1
    return replace(spec, distance_m=candidates[low])


def fit_board(spec: PosterSpec) -> PosterSpec:
    """`spec` on one sheet at the largest distance up to the designed one, portrait
    or landscape (portrait when both reach as far). A board that fits nowhere (a
    hundred fields on A4) keeps its smallest size and takes more sheets."""
    fits = [f for f in (largest_fit(replace(spec, landscape=side)) for side in (False, True)) if f]
    if not fits:
        return replace(spec, distance_m=_distances(spec.designed_distance_m)[-1])
    return max(fits, key=lambda s: (s.distance_m, not s.landscape))


def fits_at_designed(spec: PosterSpec) -> PosterSpec | None:
    """`spec` at its designed distance in whichever orientation fits one sheet, grown
    (codes and type together) to fill the sheet: a board that fits A0 but not A1
    reads from further than designed rather than leaving half the sheet empty."""
    grown = []
    for side in (False, True):
        candidate = replace(spec, landscape=side, distance_m=spec.designed_distance_m)
        if plan(candidate) is not None:
            grown.append(_grow(candidate))
    return max(grown, key=lambda s: (s.distance_m, not s.landscape), default=None)


def _grow(spec: PosterSpec) -> PosterSpec:
    """`spec` (which fits) at the largest distance up to LARGEST_SHARE x that still fits."""
    steps = int(math.log(LARGEST_SHARE) / math.log(1 / DISTANCE_STEP))
    candidates = [round(spec.distance_m / DISTANCE_STEP**k, 4) for k in range(steps + 1)]
    low, high = 0, len(candidates) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if plan(replace(spec, distance_m=candidates[middle])) is not None:
            low = middle
        else:
            high = middle - 1
    return replace(spec, distance_m=candidates[low])


# Drawing ----------------------------------------------------------------------


def render_board(spec: PosterSpec) -> bytes:
    out = io.BytesIO()
    canvas = new_canvas(spec, out)
    layout = plan(spec) or _overflow_plan(spec)
    width = spec.page_size[0] - 2 * MARGIN
    for number, rows in enumerate(_pages(spec, layout)):
        if number:
            canvas.showPage()
        _draw_page(canvas, spec, layout, rows, width)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _room(spec: PosterSpec, layout: Plan) -> float:
    return spec.page_size[1] - 2 * MARGIN - layout.header_height - layout.footer_height


def _pages(spec: PosterSpec, layout: Plan) -> list[range]:
    """The rows of each sheet: one sheet, unless fit_board found no size that fits."""
    pages, first = [], 0
    for last in range(1, len(layout.row_heights) + 1):
        if last - first > 1 and layout.grid_height(range(first, last)) > _room(spec, layout):
            pages.append(range(first, last - 1))
            first = last - 1
    return [*pages, range(first, len(layout.row_heights))]


def _overflow_plan(spec: PosterSpec) -> Plan:
    """As many columns as the codes allow, rows flowing onto more sheets."""
    width = spec.page_size[0] - 2 * MARGIN
    module = module_pt(spec.distance_m)
    side = max(c.symbol(spec.ecc).size for c in spec.codes) * module
    quiet = QUIET_ZONE * module
    columns = max(1, min(len(spec.codes), int((width + quiet) // (side + quiet))))
    layout = _plan(spec, columns)
    if layout is None or max(layout.row_heights) > _room(spec, layout):
        raise LayoutError("một hàng mã QR với tên lĩnh vực không vừa một tờ giấy")
    return layout


def _draw_page(canvas: Canvas, spec: PosterSpec, layout: Plan, rows: range, width: float) -> None:
    page_h = spec.page_size[1]
    d = spec.distance_m
    draw_stack(canvas, _header(spec, d), MARGIN, page_h - MARGIN, width)
    top = page_h - MARGIN - layout.header_height
    spare = _room(spec, layout) - layout.grid_height(rows)
    top -= max(0.0, spare) / 2  # the grid sits in the middle of its room
    _rule(canvas, page_h - MARGIN - layout.header_height + 1.5 * MM, width)
    count = len(spec.codes)
    for row in rows:
        first = row * layout.columns
        in_row = min(layout.columns, count - first)
        offset = (layout.columns - in_row) * layout.pitch / 2  # a short last row is centred
        for column in range(in_row):
            x = MARGIN + offset + column * layout.pitch
            _draw_tile(canvas, spec, layout, first + column, x, top)
        top -= layout.row_heights[row] + layout.spacing
    _rule(canvas, MARGIN + layout.footer_height - 1 * MM, width)
    _draw_footer(canvas, spec, width)


def _rule(canvas: Canvas, y: float, width: float) -> None:
    canvas.setStrokeColor(GREY)
    canvas.setLineWidth(0.75)
    canvas.line(MARGIN, y, MARGIN + width, y)


def _draw_tile(
    canvas: Canvas, spec: PosterSpec, layout: Plan, index: int, x: float, top: float
) -> None:
    """Code `index` in the tile whose left is `x`, its quiet zone's top at `top`."""
    code, tile = spec.codes[index], layout.tiles[index]
    symbol = code.symbol(spec.ecc)
    side = symbol.size * layout.module
    offset = (layout.side - side) / 2  # a smaller code sits centred in its tile
    top -= layout.quiet
    draw_symbol(canvas, symbol, x + (layout.pitch - side) / 2, top - offset, layout.module)
    width = _label_width(layout.pitch)
    size = sizes(spec.distance_m)
    labels = [para(tile.name, style("name", tile.name_size, True, True), is_markup=True)]
    labels[0].style.spaceAfter = tile.name_size * 0.15
    if tile.second:
        labels.append(para(tile.second, style("second", tile.second_size, center=True), True))
        labels[-1].style.spaceAfter = tile.second_size * 0.15
    if tile.note:
        labels.append(centered(tile.note, size["note"]))
        labels[-1].style.spaceAfter = size["note"] * 0.2
    labels.append(para(tile.address, style("address", size["address"], center=True), True))
    below = top - layout.side - layout.quiet - tile.name_size * CAPTION_GAP
    draw_stack(canvas, labels, x + 1.5 * MM, below, width)


def _draw_footer(canvas: Canvas, spec: PosterSpec, width: float) -> None:
    d = spec.distance_m
    paragraphs, text_width = _footer(spec, d, width)
    height = footer_height(spec, d, width)
    left = MARGIN
    if spec.contact:
        module = _contact_module(spec, d)
        symbol = spec.contact.symbol(spec.ecc)
        quiet = QUIET_ZONE * module
        box = box_pt(spec.contact, spec.ecc, module)
        draw_symbol(canvas, symbol, MARGIN + quiet, MARGIN + height - quiet, module)
        left = MARGIN + box + 3 * MM
    text = paragraphs_height(paragraphs, text_width)
    draw_stack(canvas, paragraphs, left, MARGIN + (height + text) / 2, text_width)


# The sticker sheet ------------------------------------------------------------------

STICKER_MIN_PITCH = 40 * MM
STICKER_SIZES = {"label": 9.0, "note": 8.0, "address": 8.0}  # read at 0.3 m, stuck down


def render_stickers(spec: PosterSpec) -> bytes:
    """Rows of stickers, each a code with its title, code number and address, cut
    out along dotted lines with its own quiet zone; as many sheets as needed."""
    out = io.BytesIO()
    canvas = new_canvas(spec, out)
    page_w, page_h = spec.page_size
    module = spec.module_pt
    side = max(c.symbol(spec.ecc).size for c in spec.codes) * module
    quiet = QUIET_ZONE * module
    columns = max(1, int((page_w - 2 * MARGIN) // max(side + 2 * quiet, STICKER_MIN_PITCH)))
    pitch = (page_w - 2 * MARGIN) / columns
    heading = [centered(b.text, 12) for b in spec.heading]
    top, page = page_h, 0
    for start in range(0, len(spec.codes), columns):
        row = spec.codes[start : start + columns]
        labels = [_sticker_label(code, pitch - 4 * MM) for code in row]
        height = 2 * quiet + side + max(paragraphs_height(p, pitch - 4 * MM) for p in labels)
        if page == 0 or top - height < MARGIN:
            if page:
                canvas.showPage()
            page += 1
            top = draw_stack(canvas, heading, MARGIN, page_h - MARGIN, page_w - 2 * MARGIN)
            if top - height < MARGIN:
                raise LayoutError("một hàng nhãn dán không vừa một trang giấy")
        for column, (code, label) in enumerate(zip(row, labels, strict=True)):
            left = MARGIN + column * pitch
            _draw_sticker(canvas, spec, code, label, left, top, pitch, height)
        top -= height + 1 * MM
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _sticker_label(code: Code, width: float) -> list[Paragraph]:
    labels = [para(code.label, style("sticker", STICKER_SIZES["label"], True, True))]
    if code.note:
        labels.append(centered(code.note, STICKER_SIZES["note"]))
    address = address_markup(code.caption or code.payload, STICKER_SIZES["address"], width)
    labels.append(
        para(address, style("sticker-address", STICKER_SIZES["address"], center=True), True)
    )
    return labels


def _draw_sticker(
    canvas: Canvas,
    spec: PosterSpec,
    code: Code,
    label: list[Paragraph],
    left: float,
    top: float,
    pitch: float,
    height: float,
) -> None:
    module = spec.module_pt
    symbol = code.symbol(spec.ecc)
    side = symbol.size * module
    quiet = QUIET_ZONE * module
    draw_symbol(canvas, symbol, left + (pitch - side) / 2, top - quiet, module)
    draw_stack(canvas, label, left + 2 * MM, top - quiet - side - quiet, pitch - 4 * MM)
    canvas.setStrokeColor(GREY)
    canvas.setLineWidth(0.3)
    canvas.setDash(2, 2)
    canvas.rect(left, top - height, pitch, height, stroke=1, fill=0)
    canvas.setDash()
