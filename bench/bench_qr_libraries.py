"""Compare qrcode, segno and zxing-cpp's writer on the URLs our posters carry.

Run: python bench/bench_qr_libraries.py
Prints, per URL and library: the version chosen at ECC M, SVG bytes, and
milliseconds to build the symbol and write its SVG (no cache: every round
builds again). zxing-cpp rows upper-case the scheme and host where that lowers
the version (see thutuc/qr.py); zxing-cpp splits the text into segments itself,
where segno needs them computed for it and qrcode cannot mix modes. "seen shape":
a URL with the same character classes was encoded before, so only one symbol
is built (most of a commune's procedure URLs).
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import qrcode
import qrcode.image.svg
import segno

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from thutuc.print.qr import QUIET_ZONE, encode_url, svg_document

URLS = [
    "https://hoabinh.example.vn/",
    "https://hoabinh.example.vn/ho-tich/",
    "https://hoabinh.example.vn/1.001193/",
    "https://hoabinh.example.vn/2.000884.000.00.00.H55/",
    "https://xa-tam-thanh.quangnam.gov.vn/chung-thuc/",
]
ROUNDS = 50


def with_qrcode(url):
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=QUIET_ZONE,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    code.add_data(url, optimize=0)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out)
    return code.version, len(out.getvalue())


def with_segno(url):
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", border=QUIET_ZONE, xmldecl=False)
    return code.version, len(out.getvalue())


def with_zxing(url):
    encode_url.cache_clear()  # each round encodes again
    symbol = encode_url(url, "M")
    return symbol.version, len(svg_document(symbol, "", url).encode())


def timed(make, *args):
    start = time.perf_counter()
    for _ in range(ROUNDS):
        version, size = make(*args)
    return version, size, (time.perf_counter() - start) / ROUNDS * 1000


def main():
    print(f"{'url':52} {'library':22} {'version':>7} {'svg bytes':>9} {'ms':>6}")
    for url in URLS:
        rows = [
            ("qrcode 8", timed(with_qrcode, url)),
            ("segno", timed(with_segno, url)),
            ("zxing-cpp (thutuc)", timed(with_zxing, url)),
        ]
        for name, (version, size, ms) in rows:
            print(f"{url:52} {name:22} {version:>7} {size:>9} {ms:>6.2f}")


if __name__ == "__main__":
    main()
