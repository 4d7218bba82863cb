"""QR codes stage: one code for every page a poster may point at, as SVG and PNG.

Library: zxing-cpp's writer (libzint inside). Measured with
`python bench/bench_qr_libraries.py` on our URLs it builds a symbol in about
0.15 ms against 3-4 ms for segno and 6-8 ms for qrcode (both spend it on
choosing the mask in pure Python), and it splits the text into numeric,
alphanumeric and byte segments by itself, so the shorter encoding below needs
no code of ours. A province writes tens of thousands of codes, so this is
most of a cold build. The same wheel holds the decoder the tests use.

Every code carries the page's canonical URL exactly as a browser writes it
(lower-case scheme and host, the path as published: `Site.absolute_url`).
An earlier version upper-cased the scheme and host to reach QR alphanumeric
mode and a smaller symbol; Pixel Camera, Samsung's camera, Firefox for iOS and
several scanner apps then show the code as text instead of opening a link.
No case games: a smaller symbol is not worth a code some phones do not open.

Text codes (the key facts of a procedure for a phone with no signal, the
hotline as a contact card) carry NFC UTF-8 behind the UTF-8 ECI designator
(000026). zxing-cpp's writer (3.1, libzint) adds it only when asked, with
`create_barcode(text, QRCode, eci="UTF8")`; without it, zint picks the first
character set that holds the text: Latin-1 with no ECI for "Xã Hòa Bình",
ISO 8859-2 (ECI 4) for "Đăng ký", which scanners without ECI support show
as other letters. With the ECI, zint still splits the text into numeric,
alphanumeric and byte segments by itself; the Vietnamese letters go in byte
mode as their UTF-8 bytes (never Kanji mode, which belongs to Shift JIS).
tests/test_qr.py decodes such codes with zxing-cpp and zbar.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Any

from thutuc.content.model import CONTACTS_PATH, HOME_PATH, Procedure, Site
from thutuc.content.text import nfc

QUIET_ZONE = 4  # modules of blank paper around a symbol (ISO/IEC 18004)
PNG_WIDTH_PX = 600  # big enough for a Zalo message, small enough for 2G
ECC_LEVELS = "LMQH"  # weakest to strongest
NUMERIC = frozenset("0123456789")
ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


@dataclass(frozen=True)
class QrTarget:
    """A page a printed code may point at."""

    name: str  # file stem a person can find: "thu-tuc-1.001193"
    title: str
    path: str  # site-relative page path
    url: str  # absolute URL


def qr_targets(site: Site, procedures: frozenset[str] | None = None) -> list[QrTarget]:
    """Home, each field, each procedure still in force (A to Z), contacts.
    `procedures` (recipe keys): of the procedures, only theirs."""
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
    # a retired page keeps its printed codes
    targets += [
        procedure_target(site, procedure)
        for procedure in site.active_procedures
        if procedures is None
        or (procedure.recipe is not None and procedure.recipe.key in procedures)
    ]
    targets.append(QrTarget("lien-he", "Liên hệ", CONTACTS_PATH, site.absolute_url(CONTACTS_PATH)))
    return targets


def procedure_target(site: Site, procedure: Procedure) -> QrTarget:
    path = procedure.url_path
    return QrTarget(f"thu-tuc-{procedure.code}", procedure.title, path, site.absolute_url(path))


@dataclass(frozen=True)
class QrSymbol:
    """One code: the exact text a scanner reads and its modules, no quiet zone."""

    text: str
    ecc: str  # the level in the symbol: at least the one asked for
    rows: tuple[bytes, ...]  # one byte a module, 1 = dark

    @property
    def size(self) -> int:
        """Modules per side."""
        return len(self.rows)

    @property
    def version(self) -> int:
        return (self.size - 17) // 4


_DARK_IS_ONE = bytes.maketrans(b"\x00\xff", b"\x01\x00")  # zxing-cpp paints dark as 0


def build_symbol(text: str, ecc: str, utf8_eci: bool = False) -> QrSymbol:
    """The smallest symbol holding `text` at exactly level `ecc`; with `utf8_eci`,
    as UTF-8 behind the UTF-8 ECI designator."""
    import zxingcpp  # here: the main process of an edit build draws no code (15 ms)

    options = {"eci": "UTF8"} if utf8_eci else {}
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=ecc, **options)
    # a buffer of side x side bytes; its stub does not declare the buffer protocol
    image: Any = barcode.to_image(scale=1, add_quiet_zones=False)
    side = int(image.shape[0])
    pixels = memoryview(image).tobytes().translate(_DARK_IS_ONE)
    return QrSymbol(text, ecc, tuple(pixels[i * side : (i + 1) * side] for i in range(side)))


def strongest_level(text: str, ecc: str, utf8_eci: bool = False) -> str:
    """The strongest error correction level, from `ecc` up, at the size `ecc` needs.

    Raising the error correction while the symbol keeps its size is free
    robustness: the modules stay as large on the same paper."""
    size = build_symbol(text, ecc, utf8_eci).size
    for level in reversed(ECC_LEVELS[ECC_LEVELS.index(ecc) + 1 :]):
        if build_symbol(text, level, utf8_eci).size == size:
            return level
    return ecc


def character_classes(text: str) -> str | None:
    """Numeric, alphanumeric or byte for each character; None when not ASCII.

    The encoder splits ASCII text into segments by these classes alone, so
    two URLs with the same classes get the same versions at every level."""
    if not text.isascii():
        return None
    return "".join("N" if c in NUMERIC else "A" if c in ALPHANUMERIC else "B" for c in text)


# (classes of the URL, ecc) -> strongest_level(). A commune's procedure URLs
# share a handful of shapes, so a code costs one symbol instead of three or four.
_levels: dict[tuple[str, str], str] = {}


@lru_cache(maxsize=4096)  # posters ask for the same code several times
def encode_url(url: str, ecc: str = "M") -> QrSymbol:
    """The symbol of `url`, byte for byte, at `ecc` or a stronger level of the same size."""
    classes = character_classes(url)
    if classes is None:
        return build_symbol(url, strongest_level(url, ecc))
    key = (classes, ecc)
    if key not in _levels:
        _levels[key] = strongest_level(url, ecc)
    return build_symbol(url, _levels[key])


@lru_cache(maxsize=1024)
def encode_text(text: str, ecc: str = "M") -> QrSymbol:
    """A code that carries text (not a link): NFC UTF-8 behind the UTF-8 ECI, at
    `ecc` or a stronger level of the same size."""
    text = nfc(text)
    return build_symbol(text, strongest_level(text, ecc, utf8_eci=True), utf8_eci=True)


def symbol_size_mm(url: str, ecc: str, module_mm: float) -> float:
    """Printed side of the code of `url`, without its quiet zone."""
    return encode_url(url, ecc).size * module_mm


def dark_runs(symbol: QrSymbol) -> list[tuple[int, int, int]]:
    """The dark modules as horizontal runs (row, first column, length), no quiet zone.

    Posters and SVG files draw one rectangle per run: a few hundred vector
    shapes per code instead of a raster image that a print shop would resample."""
    return [
        (row, run.start(), run.end() - run.start())
        for row, line in enumerate(symbol.rows)
        for run in _DARK_RUN.finditer(line)
    ]


_DARK_RUN = re.compile(rb"\x01+")
_GAP_AND_RUN = re.compile(rb"(\x00*)(\x01+)")  # light modules, then dark ones


class _RelativeRuns(dict[tuple[bytes, bytes], str]):
    """(light gap, dark run) -> its path text, made once: a province draws
    millions of runs, and a lookup costs a third of formatting each."""

    def __missing__(self, key: tuple[bytes, bytes]) -> str:
        self[key] = text = f"m{len(key[0])} 0h{len(key[1])}"
        return text


_RELATIVE_RUN = _RelativeRuns()


def svg_document(symbol: QrSymbol, title: str, desc: str) -> str:
    """A vector code, 1 module = 1 mm in its own size; the viewBox prints it sharp at any size.

    Each row's dark runs are strokes 1 module thick, reached by relative moves,
    as segno writes them: about half the bytes of one rectangle per run. The
    white background keeps the quiet zone when the code is pasted on colour."""
    side = symbol.size + 2 * QUIET_ZONE
    path = []
    for row, line in enumerate(symbol.rows):
        runs = _GAP_AND_RUN.findall(line)
        if runs:
            gap, dark = runs[0]
            path.append(f"M{len(gap) + QUIET_ZONE} {row + QUIET_ZONE}.5h{len(dark)}")
            path.extend(map(_RELATIVE_RUN.__getitem__, runs[1:]))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{side}mm" height="{side}mm"'
        f' viewBox="0 0 {side} {side}" shape-rendering="crispEdges">'
        f"<title>{escape(title, quote=False)}</title><desc>{escape(desc, quote=False)}</desc>"
        f'<rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path stroke="#000" d="{"".join(path)}"/></svg>\n'
    )


def png_bytes(symbol: QrSymbol) -> bytes:
    """Black and white PNG (1 bit a pixel), quiet zone included, about PNG_WIDTH_PX wide.

    Written here rather than by Pillow, which took 1.5 ms a code against 0.35 ms:
    each row of modules is one scanline followed by copies saved with PNG's
    "Up" filter, which are all zero bytes and cost zlib almost nothing."""
    side = symbol.size + 2 * QUIET_ZONE
    scale = max(4, PNG_WIDTH_PX // side)
    width = side * scale
    row_bytes = (width + 7) // 8
    pad = b"1" * (row_bytes * 8 - width)
    light = b"1" * (QUIET_ZONE * scale)
    dark_bits, light_bits = b"0" * scale, b"1" * scale
    repeat = b"\x02" + bytes(row_bytes)  # "Up" filter: the same as the line above
    blank = b"\x00" + b"\xff" * row_bytes + repeat * (scale - 1)
    lines = [blank] * QUIET_ZONE
    for row in symbol.rows:
        # one byte a module -> `scale` bit characters a module, by C-level replaces
        bits = row.translate(_MODULE_LETTERS).replace(b"D", dark_bits).replace(b"L", light_bits)
        line = int(light + bits + light + pad, 2).to_bytes(row_bytes, "big")
        lines.append(b"\x00" + line + repeat * (scale - 1))
    lines += [blank] * QUIET_ZONE
    header = struct.pack(">IIBBBBB", width, width, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(b"".join(lines), 6)),
            _png_chunk(b"IEND", b""),
        )
    )


_MODULE_LETTERS = bytes.maketrans(b"\x00\x01", b"LD")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# The hotline as a contact card ----------------------------------------------

CONTACT_CARD_PATH = "lien-he/danh-ba.svg"  # on the contacts page, beside the hotline
_PHONE = re.compile(r"\+?\d[\d .\-()]*\d")


def phone_number(text: str) -> str:
    """The first phone number in `text` as a dialler takes it: digits, a leading +."""
    match = _PHONE.search(text)
    if not match:
        return ""
    number = re.sub(r"[^\d+]", "", match[0])
    return number if len(number.lstrip("+")) >= 3 else ""


def _vcard_text(value: str) -> str:
    """A vCard text value on one line: backslash, comma and semicolon escaped (RFC 2426)."""
    value = " ".join(nfc(value).split())
    for raw, escaped in (("\\", "\\\\"), (",", "\\,"), (";", "\\;")):
        value = value.replace(raw, escaped)
    return value


def _short(name: str, limit: int = 48) -> str:
    """A contact's name as a phone's list shows it: a very long commune name cut
    between words (the code grows with every byte)."""
    if len(name) <= limit:
        return name
    return name[:limit].rsplit(" ", 1)[0].rstrip(",;") + "…"


def contact_vcard(site: Site) -> str:
    """The commune's hotline as a vCard 3.0 a phone saves as a contact; "" without a
    number. Kept to the fields every phone reads (N, FN, TEL): every byte makes the
    code denser."""
    number = phone_number(site.config.hotline)
    if not number:
        return ""
    name = _vcard_text(_short(site.config.name))
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"N:{name};Đường dây nóng;;;",
        f"FN:Đường dây nóng {name}",
        f"TEL;TYPE=WORK,VOICE:{number}",
        "END:VCARD",
    ]
    return "\r\n".join(lines)


def contact_card_svg(site: Site, ecc: str = "M") -> str:
    """The contact code as an SVG for the contacts page; "" without a hotline."""
    vcard = contact_vcard(site)
    if not vcard:
        return ""
    title = f"Lưu số đường dây nóng {site.config.name} vào danh bạ"
    return svg_document(encode_text(vcard, ecc), title, site.config.hotline)
