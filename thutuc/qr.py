"""QR codes stage: one code for every page a poster may point at, as SVG and PNG.

Library: segno. Measured with `python bench/bench_qr_libraries.py` on our URLs
it writes a run-length SVG path about 4-5x smaller than qrcode's
SvgPathImage, is several times faster, exposes the module matrix (which the
posters draw as vector) and takes explicit mixed-mode segments, which the
shorter encoding below needs. qrcode picks the same versions for plain text.

Shorter codes: the scheme and host of a URL are case-insensitive, and QR
alphanumeric mode (0-9, A-Z, space, $%*+-./:) costs 5.5 bits a character
against 8 in byte mode. "HTTPS://HOABINH.EXAMPLE.VN/1.001193/" fits version 2
(25 modules) where the lowercase URL needs version 3 (29): each module can be
16% larger on the same paper, so the code scans from 16% farther. The path is
case-sensitive and is never changed. We only upper-case when it buys a smaller
symbol, so every other code stays in the form every scanner app expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import segno
from PIL import Image
from segno import consts, encoder

from .model import CONTACTS_PATH, HOME_PATH, Site

QUIET_ZONE = 4  # modules of blank paper around a symbol (ISO/IEC 18004)
PNG_WIDTH_PX = 600  # big enough for a Zalo message, small enough for 2G
ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
# Bits per character and per segment header (mode + count, versions 1-9), for
# choosing segments; segno then picks the version from the exact bit count.
_CHAR_BITS = {consts.MODE_ALPHANUMERIC: 5.5, consts.MODE_BYTE: 8.0}
_HEADER_BITS = {consts.MODE_ALPHANUMERIC: 4 + 9, consts.MODE_BYTE: 4 + 8}

Segment = tuple[str, int]
_ECC = {
    "L": consts.ERROR_LEVEL_L,
    "M": consts.ERROR_LEVEL_M,
    "Q": consts.ERROR_LEVEL_Q,
    "H": consts.ERROR_LEVEL_H,
}


@dataclass(frozen=True)
class QrTarget:
    """A page a printed code may point at."""

    name: str  # file stem a person can find: "thu-tuc-1.001193"
    title: str
    path: str  # site-relative page path
    url: str  # absolute URL


def qr_targets(site: Site) -> list[QrTarget]:
    """Home, each field, each procedure still in force (A to Z), contacts."""
    targets = [QrTarget("trang-chu", site.config.name, HOME_PATH, site.absolute_url(HOME_PATH))]
    for field in site.fields:
        targets.append(
            QrTarget(
                f"linh-vuc-{field.slug}",
                field.title,
                field.url_path,
                site.absolute_url(field.url_path),
            )
        )
    for procedure in site.active_procedures:  # a retired page keeps its printed codes
        targets.append(
            QrTarget(
                f"thu-tuc-{procedure.code}",
                procedure.title,
                procedure.url_path,
                site.absolute_url(procedure.url_path),
            )
        )
    targets.append(QrTarget("lien-he", "Liên hệ", CONTACTS_PATH, site.absolute_url(CONTACTS_PATH)))
    return targets


def uppercase_origin(url: str) -> str | None:
    """`url` with scheme and host upper-cased, or None when that is not safe.

    Only plain ASCII hosts without user info: an IDN host or "user@" would
    not survive the change as the same address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or "@" in parts.netloc:
        return None
    if not parts.netloc.isascii():
        return None
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin.upper() + url[len(origin) :]


def cheapest_segments(text: str) -> list[Segment]:
    """Split `text` into alphanumeric and byte segments with the fewest bits.

    Dynamic programming over characters: cost[m] is the cheapest encoding of
    the text so far whose last segment is in mode m; a switch pays a header."""
    modes = list(_CHAR_BITS)
    cost = {m: float(_HEADER_BITS[m]) for m in modes}  # as if a segment just opened
    back: list[dict[int, int]] = []
    for char in text:
        new, came = {}, {}
        for m in modes:
            if m == consts.MODE_ALPHANUMERIC and char not in ALPHANUMERIC:
                new[m], came[m] = float("inf"), m
                continue
            entry = {p: cost[p] + (0 if p == m else _HEADER_BITS[m]) for p in modes}
            prev = min(modes, key=entry.__getitem__)
            new[m], came[m] = entry[prev] + _CHAR_BITS[m], prev
        cost = new
        back.append(came)
    return _trace_segments(text, back, min(modes, key=lambda m: cost[m]))


def _trace_segments(text: str, back: list[dict[int, int]], mode: int) -> list[Segment]:
    modes_per_char = []
    for i in range(len(text) - 1, -1, -1):
        modes_per_char.append(mode)
        mode = back[i][mode]
    modes_per_char.reverse()
    segments: list[Segment] = []
    for char, char_mode in zip(text, modes_per_char, strict=True):
        if segments and segments[-1][1] == char_mode:
            segments[-1] = (segments[-1][0] + char, char_mode)
        else:
            segments.append((char, char_mode))
    return segments


def _version(content: Any, mode: int | None, ecc: str) -> int:
    """The smallest version holding `content` at `ecc`, without building the symbol:
    choosing the mask is most of segno's work, and only the winner needs one."""
    segments = encoder.prepare_data(content, mode, None)
    return int(encoder.find_version(segments, _ECC[ecc], eci=False, micro=False))


@lru_cache(maxsize=4096)  # posters ask for the same code several times; masking is the cost
def encode_url(url: str, ecc: str = "M") -> tuple[str, segno.QRCode]:
    """The text to encode for `url` and the smallest symbol holding it, at least at `ecc`.

    segno raises the error correction level when the data still fits the same
    version (boost_error): free robustness at the same module size."""
    upper = uppercase_origin(url)
    # segno takes (text, mode) pairs; its type hints say str
    segments: Any = cheapest_segments(upper) if upper is not None else None
    if segments is not None and _version(segments, None, ecc) < _version(
        url, consts.MODE_BYTE, ecc
    ):
        return upper or url, segno.make(segments, error=ecc.lower(), micro=False)
    # micro=False: versions are ints 1-40, never "M1".."M4"
    return url, segno.make(url, error=ecc.lower(), micro=False, mode="byte")


def make_qr(url: str, ecc: str = "M") -> segno.QRCode:
    return encode_url(url, ecc)[1]


def encoded_text(url: str, ecc: str = "M") -> str:
    """The exact string a scanner reads from the code of `url`."""
    return encode_url(url, ecc)[0]


def symbol_size_mm(url: str, ecc: str, module_mm: float) -> float:
    """Printed side of the code of `url`, without its quiet zone."""
    return make_qr(url, ecc).symbol_size(border=0)[0] * module_mm


def dark_runs(qr: segno.QRCode) -> list[tuple[int, int, int]]:
    """The dark modules as horizontal runs (row, first column, length), no quiet zone.

    Posters draw one rectangle per run: a few hundred vector shapes per code
    instead of a raster image that a print shop would resample."""
    runs = []
    for row, line in enumerate(qr.matrix):
        col = 0
        while col < len(line):
            if line[col]:
                start = col
                while col < len(line) and line[col]:
                    col += 1
                runs.append((row, start, col - start))
            col += 1
    return runs


def write_qr_codes(site: Site, qr_dir: Path, ecc: str = "M") -> list[Path]:
    """Write `<name>.svg` (print) and `<name>.png` (sharing) for every target."""
    qr_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for target in qr_targets(site):
        qr = make_qr(target.url, ecc)
        svg, png = qr_dir / f"{target.name}.svg", qr_dir / f"{target.name}.png"
        # 1 module = 1 mm in the SVG's own size; the viewBox lets any size print sharp
        qr.save(
            str(svg), kind="svg", border=QUIET_ZONE, unit="mm", title=target.title, desc=target.url
        )
        write_png(qr, png)
        written += [svg, png]
    return written


def write_png(qr: segno.QRCode, path: Path) -> None:
    """Black and white PNG, quiet zone included, about PNG_WIDTH_PX wide.

    Pillow rather than segno's pure-Python PNG writer: ten times faster, and a
    province writes tens of thousands of these."""
    side = int(qr.symbol_size(border=QUIET_ZONE)[0])
    blank = bytes([255]) * side
    rows = [blank] * QUIET_ZONE
    margin = bytes([255]) * QUIET_ZONE
    rows += [margin + bytes(0 if dark else 255 for dark in row) + margin for row in qr.matrix]
    rows += [blank] * QUIET_ZONE
    scale = max(4, PNG_WIDTH_PX // side)
    image = Image.frombytes("L", (side, side), b"".join(rows)).convert("1")
    image.resize((side * scale, side * scale), Image.Resampling.NEAREST).save(path)
