"""The field poster: one field's code, large, beside its counter or tray, and the
list of its procedures; the list flows onto more sheets when it is long."""

from __future__ import annotations

import io
from dataclasses import replace

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from thutuc.content.text import nfc
from thutuc.print.card import scaled
from thutuc.print.glyphs import FONT, markup, paragraph_style
from thutuc.print.layout import (
    CAPTION_GAP,
    MARGIN,
    MM,
    NO_PADDING,
    CodeFlowable,
    Paper,
    PosterSpec,
    address_markup,
    box_pt,
    fit_lines,
    page_footer,
    para,
    paragraphs_height,
    stacked_height,
    style,
    type_size,
)

LIST_PT = 14.0  # the procedures, read from about a metre
# A list a little too long for the first sheet is set smaller, never below this,
# rather than leave a few lines alone on a second sheet; a longer one flows on.
LIST_MIN_PT = 12.0
FOOTER_PT = 12.0


def _sizes(spec: PosterSpec) -> dict[str, float]:
    d = spec.designed_distance_m
    return {"title": type_size(d, 0.5), "instruction": type_size(d, 0.26), "caption": 16.0}


def _heading(spec: PosterSpec, width: float) -> list[Paragraph]:
    size = _sizes(spec)
    out = []
    for block in spec.heading:
        if block.style == "title":
            text, fitted = fit_lines(block.text, size["title"], True, width, 3, 16.0)
            out.append(para(text, style("title", fitted, True, True), is_markup=True))
        elif block.style == "instruction":
            out.append(para(block.text, style("instruction", size["instruction"], True, True)))
        else:
            out.append(para(block.text, style(block.style, 14.0, center=True)))
    return out


def _caption(spec: PosterSpec, width: float) -> Paragraph:
    size = _sizes(spec)["caption"]
    text = address_markup(spec.codes[0].payload, size, width, bold=True)
    caption = style("caption", size, True, True, spaceBefore=size * CAPTION_GAP, spaceAfter=5 * MM)
    return para(text, caption, is_markup=True)


def _continued(spec: PosterSpec, page: int, width: float) -> Paragraph:
    """The heading of a sheet after the first: whose list it goes on with, and which
    sheet it is ("Hộ tịch · Trang 2"), so a sheet hung apart still says so."""
    p = para(f"{spec.title} · {spec.sheet_number(page)}", style("continued", LIST_PT + 2, True))
    p.wrap(width, 10**6)
    return p


def _footer(spec: PosterSpec, page: int, width: float) -> Paragraph:
    return page_footer(spec, page, width, FOOTER_PT)


def _bottom(spec: PosterSpec, width: float) -> float:
    """Where the sheets' frames end: above the footer (its longest, "Trang 999")."""
    return MARGIN + _footer(spec, 999, width).height + 3 * MM


def fit_field(spec: PosterSpec) -> PosterSpec:
    """The code as large as designed, unless the heading, code and address cannot
    share the first sheet (a very long address makes a very dense code)."""
    page_w, page_h = spec.page_size
    width = page_w - 2 * MARGIN
    fixed = paragraphs_height([*_heading(spec, width), _caption(spec, width)], width)
    fixed += _footer(spec, 999, width).height + 4 * MM
    room = min(width, page_h - 2 * MARGIN - fixed)
    box = box_pt(spec.codes[0], spec.ecc, spec.module_pt)
    return _list_on_one_sheet(scaled(spec, room / box * 0.999) if box > room else spec)


def _list_on_one_sheet(spec: PosterSpec) -> PosterSpec:
    """The list at its size if it fits the first sheet or needs more sheets even at
    LIST_MIN_PT; else at the largest size, in half points, that keeps it on one."""
    page_w, page_h = spec.page_size
    width = page_w - 2 * MARGIN
    frame = page_h - MARGIN - _bottom(spec, width)
    size = LIST_PT
    while stacked_height(_story(spec, width, size), width) > frame:
        size -= 0.5
        if size < LIST_MIN_PT:
            return spec
    return spec if size == LIST_PT else replace(spec, body_pt=size)


def _story(spec: PosterSpec, width: float, list_pt: float) -> list[Flowable]:
    """Heading, code, address, then the list, as the first sheet stacks them."""
    story: list[Flowable] = [*_heading(spec, width)]
    story += [CodeFlowable(spec.codes[0], spec.ecc, spec.module_pt), _caption(spec, width)]
    for block in spec.body:
        bold = block.style == "h2"
        item = style(block.style, list_pt + (2 if bold else 0), bold)
        if block.style == "bullet":
            item = ParagraphStyle(
                "bullet", parent=item, leftIndent=6 * MM, bulletIndent=1 * MM,
                bulletFontName=FONT, bulletFontSize=list_pt,
            )  # fmt: skip
            content = markup(block.text)
            story.append(Paragraph(content, paragraph_style(item, content), bulletText="•"))
        else:
            story.append(para(block.text, item))
    return story


def render_field_poster(spec: PosterSpec) -> bytes:
    out = io.BytesIO()
    page_w, page_h = spec.page_size
    width = page_w - 2 * MARGIN
    bottom = _bottom(spec, width)
    doc = BaseDocTemplate(
        out, title=nfc(spec.title), author=nfc(spec.author), creator="thutuc",
        subject=spec.kind, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=bottom, **Paper.of(spec).canvas_options(),
        allowSplitting=0,  # an item that does not fit goes whole to the next sheet
    )  # fmt: skip

    def draw_footer(canvas, doc) -> None:  # noqa: ANN001 (reportlab's callback)
        _footer(spec, doc.page, width).drawOn(canvas, MARGIN, MARGIN)

    def draw_later(canvas, doc) -> None:  # noqa: ANN001 (reportlab's callback)
        draw_footer(canvas, doc)
        head = _continued(spec, doc.page, width)
        head.drawOn(canvas, MARGIN, page_h - MARGIN - head.height)

    height = page_h - MARGIN - bottom
    below = _continued(spec, 999, width).height + 4 * MM  # the later sheets' heading
    first = Frame(MARGIN, bottom, width, height, id="first", **NO_PADDING)
    later = Frame(MARGIN, bottom, width, height - below, id="later", **NO_PADDING)
    doc.addPageTemplates(
        [
            PageTemplate("first", [first], onPage=draw_footer, autoNextPageTemplate="later"),
            PageTemplate("later", [later], onPage=draw_later),
        ]
    )
    story = _story(spec, width, spec.body_pt or LIST_PT)
    doc.build(story)
    return out.getvalue()
