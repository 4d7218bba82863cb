"""Compare qrcode and segno on the URLs our posters carry.

Run: python bench/bench_qr_libraries.py
Prints, per URL and library: version chosen at ECC M, SVG bytes, milliseconds
to build the symbol and write its SVG, and how the module matrix is reached.
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
from thutuc.qr import QUIET_ZONE, encode_url

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
    return code.version, out.getvalue(), code.get_matrix()


def with_segno(url, shorten):
    if shorten:
        _, code = encode_url(url, "M")
    else:
        code = segno.make(url, error="m", micro=False, mode="byte", boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="svg", border=QUIET_ZONE, xmldecl=False)
    return code.version, out.getvalue(), code.matrix


def timed(make, *args):
    start = time.perf_counter()
    for _ in range(ROUNDS):
        version, svg, _matrix = make(*args)
    return version, len(svg), (time.perf_counter() - start) / ROUNDS * 1000


def main():
    print(f"{'url':52} {'library':16} {'version':>7} {'svg bytes':>9} {'ms':>6}")
    for url in URLS:
        rows = [
            ("qrcode 8", timed(with_qrcode, url)),
            ("segno", timed(with_segno, url, False)),
            ("segno+shorten", timed(with_segno, url, True)),
        ]
        for name, (version, size, ms) in rows:
            print(f"{url:52} {name:16} {version:>7} {size:>9} {ms:>6.2f}")
    print(
        "matrix: qrcode get_matrix() -> list[list[bool]] with border; segno .matrix -> rows of bytes"
    )


if __name__ == "__main__":
    main()
