"""The procedure card: an A5 sheet standing on the counter, always one page.

Title, instruction, the two codes side by side (the page's address, and the
key facts as text for a phone with no signal, each with its caption), the
time and the fee, the commune and its hotline. A title or a fee too long for
the sheet is set smaller, then cut with "…" (the page has it whole): the
codes never move to a second page.
"""

from __future__ import annotations

import io
from dataclasses import replace

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from thutuc.print.glyphs import FONT, paragraph_style
from thutuc.print.layout import (
    GREY,
    MARGIN,
    MM,
    RESIDENT_MIN_PT,
    Block,
    Code,
    PosterSpec,
    address_markup,
    box_pt,
    centered,
    draw_stack,
    draw_symbol,
    fit_lines,
    new_canvas,
    para,
    paragraphs_height,
    style,
)
from thutuc.print.qr import QUIET_ZONE

TITLE_PT, TITLE_LINES = 20.0, 4
TEXT_PT = 13.0  # facts, read at arm's length on the counter
GAP = 4 * MM  # between the two codes, at the least
MORE = "… (xem đủ trên trang)"  # ends the facts when they do not all fit


def scaled(spec: PosterSpec, factor: float) -> PosterSpec:
    """`spec` with every code's reading distance times `factor` (codes drawn smaller)."""
    codes = tuple(replace(c, distance_m=round(c.distance_m * factor, 4)) for c in spec.codes)
    return replace(spec, distance_m=round(spec.distance_m * factor, 4), codes=codes)


def code_boxes(spec: PosterSpec) -> list[float]:
    return [box_pt(c, spec.ecc, spec.code_module_pt(c)) for c in spec.codes]


def fit_card(spec: PosterSpec) -> PosterSpec:
    """Codes at their designed distances, unless the address is so long that the two
    codes cannot stand side by side, or take more than half the sheet's height."""
    page_w, page_h = spec.page_size
    boxes = code_boxes(spec)
    factor = min(1.0, (page_w - 2 * MARGIN - GAP) / sum(boxes), page_h * 0.5 / max(boxes))
    return scaled(spec, factor) if factor < 1 else spec


def _caption(code: Code, width: float) -> Paragraph:
    if code.kind == "url":
        text = address_markup(code.payload, RESIDENT_MIN_PT, width, bold=True)
        return para(text, style("caption", RESIDENT_MIN_PT, True, True), is_markup=True)
    return para(code.caption, style("caption", RESIDENT_MIN_PT, True, True))


def render_card(spec: PosterSpec) -> bytes:
    out = io.BytesIO()
    canvas = new_canvas(spec, out)
    page_w, page_h = spec.page_size
    width = page_w - 2 * MARGIN
    footer = [centered(b.text, RESIDENT_MIN_PT) for b in spec.footer]
    footer_top = MARGIN + paragraphs_height(footer, width)
    draw_stack(canvas, footer, MARGIN, footer_top, width)
    canvas.setStrokeColor(GREY)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, footer_top + 1 * MM, page_w - MARGIN, footer_top + 1 * MM)
    top = draw_stack(canvas, _heading(spec, width), MARGIN, page_h - MARGIN, width)
    top = _draw_codes(canvas, spec, top - 1 * MM, width)
    _draw_facts(canvas, spec, top - 2 * MM, footer_top + 3 * MM, width)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _heading(spec: PosterSpec, width: float) -> list[Paragraph]:
    out = []
    for block in spec.heading:
        if block.style in ("title", "subtitle"):  # a bilingual card: the title in each
            bold = block.style == "title"
            text, size = fit_lines(block.text, TITLE_PT, bold, width, TITLE_LINES, 14.0)
            out.append(para(text, style(block.style, size, bold, True), is_markup=True))
        else:
            out.append(
                para(block.text, style(block.style, TEXT_PT, block.style == "instruction", True))
            )
    return out


def _draw_codes(canvas: Canvas, spec: PosterSpec, top: float, width: float) -> float:
    """The codes side by side, each centred in its share of the width with its caption
    under it; returns the y under the lowest caption."""
    boxes = code_boxes(spec)
    share = width / len(boxes)
    lowest = top
    for index, (code, box) in enumerate(zip(spec.codes, boxes, strict=True)):
        module = spec.code_module_pt(code)
        quiet = QUIET_ZONE * module
        left = MARGIN + index * share
        draw_symbol(
            canvas, code.symbol(spec.ecc), left + (share - box) / 2 + quiet, top - quiet, module
        )
        caption = _caption(code, share - 2 * MM)
        lowest = min(
            lowest, draw_stack(canvas, [caption], left + 1 * MM, top - box, share - 2 * MM)
        )
    return lowest


def _fact_paragraph(block: Block) -> Paragraph:
    if block.style == "h":
        return para(block.text, style("h", TEXT_PT, bold=True, keepWithNext=1))
    if block.style == "bullet":
        st = style("bullet", TEXT_PT, leftIndent=5 * MM, bulletIndent=1 * MM, spaceAfter=2)
        st.bulletFontName, st.bulletFontSize = FONT, TEXT_PT
        content = block.text
        return Paragraph(content, paragraph_style(st, content), bulletText="•")
    if block.style == "note":  # a poster in a language: what is still in Vietnamese
        return para(block.text, style("note", TEXT_PT))
    return para(block.text, style("fact", TEXT_PT), is_markup=True)


def _draw_facts(canvas: Canvas, spec: PosterSpec, top: float, bottom: float, width: float) -> None:
    """The facts from `top` down, as many as fit above `bottom`; when one does not fit,
    its whole lines that do, then "… (xem đủ trên trang)"."""
    room = top - bottom
    body, ending = spec.body, MORE
    if body and body[-1].style == "more":  # a poster in a language says it in its own words
        body, ending = body[:-1], f"… ({body[-1].text})"
    facts = [_fact_paragraph(block) for block in body]
    if paragraphs_height(facts, width) <= room:
        draw_stack(canvas, facts, MARGIN, top, width)
        return
    more = para(ending, style("more", TEXT_PT))
    room -= paragraphs_height([more], width)
    shown: list[Paragraph] = []
    for fact in facts:
        left = room - paragraphs_height(shown, width)
        if paragraphs_height([fact], width) > left:
            fact.wrap(width, left)
            parts = fact.split(width, left) if left > TEXT_PT * 1.3 else []
            shown += parts[:1] if len(parts) > 1 else []
            break
        shown.append(fact)
    while shown and (
        paragraphs_height(shown, width) > room or getattr(shown[-1].style, "keepWithNext", False)
    ):
        shown.pop()  # too tall after all, or a heading with nothing under it
    draw_stack(canvas, [*shown, more], MARGIN, top, width)
