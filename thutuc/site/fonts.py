"""Web fonts for the scripts a phone may not draw: Tai Viet, Khmer, Cham.

Android phones draw Vietnamese with their own fonts, and so do our pages: a web
font costs ~33 KB a weight. Some scripts of Vietnam's minorities are missing on
older or cheaper phones, though, and show as boxes. A page whose text holds
letters of such a script gets, and only that page, an `@font-face` for the
script's Noto font: a subset of just that Unicode block (static/fonts/, made by
docs/tools/make_web_fonts.py from Debian's fonts-noto-core), with `unicode-range`
so the browser fetches it only for those letters, and `local()` first so a phone
that has the font fetches nothing. Vietnamese letters keep the system font.

The page is scanned after rendering, so a Khmer name anywhere (the language
switcher, a quoted place name) is covered, and a page without one pays nothing.
site.css lists these families first: their unicode-range keeps them to their own
letters, and a system family listed before them may claim letters it cannot draw
(Chromium on Linux drew Tai Viet as boxes with "Noto Sans" when it came first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FONTS_PATH = "fonts/"


@dataclass(frozen=True)
class ScriptFont:
    script: str  # ISO 15924
    family: str  # the CSS family site.css lists, declared only where used
    local: tuple[str, ...]  # the same font installed on the phone
    file: str  # under static/fonts/ and the site's fonts/
    unicode_range: str
    letters: re.Pattern[str]


SCRIPT_FONTS = (
    ScriptFont(
        "Tavt", "Thutuc Tai Viet", ("Noto Sans Tai Viet", "NotoSansTaiViet-Regular"),
        "tai-viet.woff2", "U+AA80-AADF", re.compile("[\uaa80-\uaadf]"),
    ),
    ScriptFont(
        "Khmr", "Thutuc Khmer", ("Noto Sans Khmer", "NotoSansKhmer-Regular"),
        "khmer.woff2", "U+1780-17FF,U+19E0-19FF", re.compile("[\u1780-\u17ff\u19e0-\u19ff]"),
    ),
    ScriptFont(
        "Cham", "Thutuc Cham", ("Noto Sans Cham", "NotoSansCham-Regular"),
        "cham.woff2", "U+AA00-AA5F", re.compile("[\uaa00-\uaa5f]"),
    ),
)  # fmt: skip


def face_rule(font: ScriptFont, site_root: str) -> str:
    local = ",".join(f'local("{name}")' for name in font.local)
    return (
        f'@font-face{{font-family:"{font.family}";src:{local},'
        f'url({site_root}{FONTS_PATH}{font.file}) format("woff2");'
        f"unicode-range:{font.unicode_range};font-display:swap}}"
    )


# Any letter of those scripts: one pass over a page, where most pages have none.
# One character class (each pattern is one "[...]"): an alternation of classes
# costs a page several times as much.
_ANY_SCRIPT = re.compile("[" + "".join(f.letters.pattern[1:-1] for f in SCRIPT_FONTS) + "]")


def scripts_in(html: str) -> list[ScriptFont]:
    if not _ANY_SCRIPT.search(html):
        return []
    return [font for font in SCRIPT_FONTS if font.letters.search(html)]


def font_faces(html: str, site_root: str) -> str:
    """`html` with an @font-face for each script its text uses, at the end of its head."""
    fonts = scripts_in(html)
    if not fonts or "</head>" not in html:
        return html
    style = "<style>" + "".join(face_rule(font, site_root) for font in fonts) + "</style>\n"
    head, rest = html.split("</head>", 1)
    return head + style + "</head>" + rest
