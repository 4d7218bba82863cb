"""Fonts of the posters, and what to do with a character Noto Sans cannot draw.

Noto Sans draws every Vietnamese letter. Text in the scripts of Vietnam's
minorities that it does not cover (Tai Viet, Khmer, Cham), and arrows, is set
in the matching Noto font from Debian's fonts-noto-core, shipped in fonts/
with its OFL licence. Khmer and Cham need shaping (a Khmer subscript
consonant is drawn under its base, a prefixed vowel before it): reportlab does
it with HarfBuzz (uharfbuzz) for a paragraph whose style asks for it, so
`paragraph_style` turns shaping on for text in those scripts only. A character
no font here has is never silently dropped: `missing` finds it, and the build
names the file it came from (posters.printed_sources).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from html import escape
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import paragraph as reportlab_paragraph

from thutuc.content.text import nfc
from thutuc.resources import FONTS_DIR

FONT, FONT_BOLD = "NotoSans", "NotoSans-Bold"


@dataclass(frozen=True)
class Fallback:
    name: str  # reportlab font name, used in <font name="...">
    regular: str  # file in fonts/
    bold: str = ""  # file in fonts/; "" draws bold text in the regular weight
    shaping: bool = True  # needs HarfBuzz to place its marks and reorder vowels


FALLBACKS = (
    Fallback("NotoSansTaiViet", "NotoSansTaiViet-Regular.ttf"),
    Fallback("NotoSansKhmer", "NotoSansKhmer-Regular.ttf", "NotoSansKhmer-Bold.ttf"),
    Fallback("NotoSansCham", "NotoSansCham-Regular.ttf", "NotoSansCham-Bold.ttf"),
    Fallback("NotoSansSymbols", "NotoSansSymbols-Regular.ttf", shaping=False),
)
SHAPED = frozenset(f.name for f in FALLBACKS if f.shaping)


def _shape_each_font(
    word: list[Any], features: dict[str, bool] | None = None, force: bool = False
) -> list[Any]:
    """reportlab's shapeFragWord shapes a whole word (text between spaces) with the
    font of its first fragment, so "(ភាសាខ្មែរ," — a Khmer word inside Noto Sans
    brackets — comes out as empty boxes. This shapes each run of one font by
    itself and joins the runs; a word in one font goes to reportlab as before."""
    parts = word[1:]
    fonts = {f.fontName for f, _ in parts if not hasattr(f, "cbDefn")}
    if len(fonts) <= 1 or isinstance(word, ttfonts.ShapedFragWord):
        return _shape_word(word, features, force) if features else _shape_word(word, force=force)
    runs: list[list[Any]] = []
    for frag, text in parts:
        if runs and (hasattr(frag, "cbDefn") or runs[-1][0][0].fontName == frag.fontName):
            runs[-1].append((frag, text))
        else:
            runs.append([(frag, text)])
    total, pieces = 0.0, []
    for run in runs:
        width = sum(
            stringWidth(text, frag.fontName, frag.fontSize)
            for frag, text in run
            if not hasattr(frag, "cbDefn")
        )
        shaped = _shape_word([width, *run], force=True)
        total += shaped[0]
        pieces.extend(shaped[1:])
    return ttfonts.makeShapedFragWord(word)([total, *pieces])


_shape_word = ttfonts.shapeFragWord


@cache
def register_fonts() -> None:
    """Register Noto Sans and the fallbacks; TTFont embeds only the glyphs a PDF uses,
    and a font no text uses is not written at all. Paragraphs shape one font at a
    time (`_shape_each_font`)."""
    reportlab_paragraph.shapeFragWord = _shape_each_font
    pdfmetrics.registerFont(TTFont(FONT, str(FONTS_DIR / "NotoSans-Regular.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONTS_DIR / "NotoSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)
    for fallback in FALLBACKS:
        pdfmetrics.registerFont(TTFont(fallback.name, str(FONTS_DIR / fallback.regular)))
        bold = fallback.name
        if fallback.bold:
            bold = f"{fallback.name}-Bold"
            pdfmetrics.registerFont(TTFont(bold, str(FONTS_DIR / fallback.bold)))
        pdfmetrics.registerFontFamily(fallback.name, normal=fallback.name, bold=bold)


@cache
def _coverage(name: str) -> frozenset[int]:
    register_fonts()
    return frozenset(pdfmetrics.getFont(name).face.charToGlyph)


def _needs_no_glyph(ch: str) -> bool:
    """Line breaks, format controls (joiners, soft hyphen) and variation selectors."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or 0xFE00 <= ord(ch) <= 0xFE0F


@lru_cache(maxsize=4096)
def font_of(ch: str) -> str | None:
    """The font that draws `ch`: Noto Sans first, then the fallbacks; None if none does."""
    if ord(ch) in _coverage(FONT) or ch.isspace() or _needs_no_glyph(ch):
        return FONT
    return next((f.name for f in FALLBACKS if ord(ch) in _coverage(f.name)), None)


@cache
def _beyond_noto_sans() -> re.Pattern[str]:
    """A character Noto Sans does not draw (nor a control): most texts hold none,
    and a regular expression finds that at C speed, without a string per character."""
    points = sorted(_coverage(FONT) | set(range(0x20)))
    ranges, start = [], points[0]
    for before, point in itertools.pairwise([*points, -1]):
        if point != before + 1:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(before))}")
            start = point
    return re.compile(f"[^{''.join(ranges)}]")


def missing(text: str) -> str:
    """The characters of `text` no poster font can draw, each once, in order."""
    text = nfc(text)
    if not _beyond_noto_sans().search(text):
        return ""
    # each distinct character once (dict.fromkeys keeps their order, at C speed):
    # a leaflet's text is thousands of characters, of a few dozen kinds
    return "".join(ch for ch in dict.fromkeys(text) if font_of(ch) is None)


def runs(text: str) -> list[tuple[str, str]]:
    """`text` cut into (font, piece) runs. Spaces and combining marks stay with the
    run they follow, so a Khmer word and its vowel signs are shaped together."""
    pieces: list[tuple[str, str]] = []
    for ch in nfc(text):
        font = font_of(ch) or FONT  # no font has it: Noto Sans shows its empty box
        joins = pieces and (ch.isspace() or unicodedata.combining(ch) or _needs_no_glyph(ch))
        if pieces and (joins or pieces[-1][0] == font):
            pieces[-1] = (pieces[-1][0], pieces[-1][1] + ch)
        else:
            pieces.append((font, ch))
    return pieces


_BOLD = {f.name: f"{f.name}-Bold" for f in FALLBACKS if f.bold}


def markup(text: str, bold: bool = False) -> str:
    """Plain text as reportlab paragraph markup: escaped, fallback scripts in their font
    (its bold weight, where it has one, for text in a bold style; inside <b>, the
    font families do that)."""
    out = []
    for font, piece in runs(text):
        if font == FONT:
            out.append(escape(piece, quote=False))
        else:
            name = _BOLD.get(font, font) if bold else font
            out.append(f'<font name="{name}">{escape(piece, quote=False)}</font>')
    return "".join(out)


def needs_shaping(markup_text: str) -> bool:
    return any(f'name="{name}' in markup_text for name in SHAPED)


def paragraph_style(style: ParagraphStyle, markup_text: str) -> ParagraphStyle:
    """`style`, with HarfBuzz shaping when the text holds a script that needs it."""
    if not needs_shaping(markup_text) or style.shaping:
        return style
    return ParagraphStyle(f"{style.name}-shaped", parent=style, shaping=1)
