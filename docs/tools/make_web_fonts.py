"""Make the web fonts of thutuc/site/static/fonts/: one Unicode block of a Noto font each.

    .venv/bin/python docs/tools/make_web_fonts.py [--fonts /usr/share/fonts/truetype/noto]

Reads Debian's fonts-noto-core (the same files the posters embed: OFL 1.1, see
thutuc/print/fonts/OFL.txt) and keeps, for each script of site/fonts.py, only
that script's block (plus the joiners and the dotted circle that its shaping
rules use), with every OpenType layout feature, so Khmer's subscripts and vowel
signs still stack; written as WOFF2 (Brotli). Latin and Vietnamese letters are
dropped on purpose: the phone's own font draws them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from thutuc.site.fonts import SCRIPT_FONTS  # noqa: E402

OUT = REPO / "thutuc" / "site" / "static" / "fonts"
SOURCES = {
    "Tavt": "NotoSansTaiViet-Regular.ttf",
    "Khmr": "NotoSansKhmer-Regular.ttf",
    "Cham": "NotoSansCham-Regular.ttf",
}
SHAPING = [0x200B, 0x200C, 0x200D, 0x25CC]  # zero-width space and joiners, dotted circle


def codepoints(unicode_range: str) -> list[int]:
    points: list[int] = []
    for part in unicode_range.split(","):
        first, _, last = part.removeprefix("U+").partition("-")
        points += range(int(first, 16), int(last or first, 16) + 1)
    return points


def make(source: Path, unicode_range: str, target: Path) -> int:
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]  # keep the family name and the licence notice
    options.notdef_outline = True
    font = TTFont(str(source), recalcTimestamp=False)  # the same bytes every run
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints(unicode_range) + SHAPING)
    subsetter.subset(font)
    font.flavor = "woff2"
    font.save(str(target), reorderTables=False)
    return target.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fonts", type=Path, default=Path("/usr/share/fonts/truetype/noto"))
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for font in SCRIPT_FONTS:
        size = make(args.fonts / SOURCES[font.script], font.unicode_range, OUT / font.file)
        print(f"{font.file}: {size} bytes ({font.unicode_range})")


if __name__ == "__main__":
    main()
