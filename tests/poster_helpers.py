"""Helpers for the QR and poster tests: tiny sites, real tools, phone-like degradations.

Real parts only: pdftoppm renders, zxing-cpp decodes. A missing tool skips
the test locally and fails it in CI (CI=true), where it must be installed.
The degradations are written here with Pillow and numpy on purpose: the
tests must not depend on ../shared.
"""

from __future__ import annotations

import base64
import functools
import io
import math
import re
import shutil
import subprocess
import textwrap
import zlib
from pathlib import Path

import numpy as np
from conftest import require_module
from PIL import Image, ImageFilter

from thutuc.content.load import load_site
from thutuc.content.model import Site
from thutuc.content.validate import validate_site
from thutuc.problems import Problem, Problems

CAMERA_WIDTH_PX = 1920  # a cheap phone's frame, 70° across
CAMERA_FOV_DEG = 70

LONG_TITLE = (
    "Thủ tục thử nghiệm có tên rất dài để kiểm tra việc xuống dòng: đăng ký thay đổi, "
    "cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc cho người dưới mười "
    "bốn tuổi ở nước ngoài về tại nơi cư trú."
)
assert len(LONG_TITLE) == 200, len(LONG_TITLE)


def require_tool(name: str) -> None:
    """An executable (pdftoppm) or a Python module (zxingcpp): skip when missing,
    fail instead when CI=true (conftest.unavailable)."""
    if shutil.which(name) is None:
        require_module(name)


def procedure_md(code: str, title: str, extra: str = "") -> str:
    return textwrap.dedent(
        f"""\
        ---
        code: "{code}"
        title: "{title}"
        documents:
          - Tờ khai theo mẫu
          - Giấy tờ tùy thân (bản chính để đối chiếu)
        processing_time: Trong ngày; nộp sau 15 giờ thì trả vào ngày làm việc tiếp theo
        fee: "2.000 đồng/trang; từ trang thứ ba 1.000 đồng/trang; tối đa 200.000 đồng/bản"
        methods: [truc-tiep, truc-tuyen]
        {extra}
        ---
        ## Các bước

        1. Chuẩn bị **giấy tờ** theo danh sách.
        2. Nộp hồ sơ tại [Bộ phận Một cửa](https://example.vn/).
        3. Nhận kết quả.
        """
    )


SMALL_SITE = {
    "site.yml": (
        "name: Xã Hòa Bình\nbase_url: https://hoabinh.example.vn/\n"
        "address: Số 1 đường Trung tâm, thôn Bình An, xã Hòa Bình\n"
        "opening_hours: Sáng 7:30–11:30, chiều 13:30–17:00\nhotline: 0209 3000 000\n"
    ),
    "procedures/ho-tich/_index.md": "---\ntitle: Hộ tịch\norder: 1\n---\n",
    "procedures/ho-tich/khai-sinh.md": procedure_md("1.001193", "Đăng ký khai sinh"),
    "procedures/ho-tich/ket-hon.md": procedure_md("1.000894", "Đăng ký kết hôn"),
    "procedures/chung-thuc/_index.md": "---\ntitle: Chứng thực\norder: 2\n---\n",
    "procedures/chung-thuc/chu-ky.md": procedure_md("2.000884.000.00.00.H55", "Chứng thực chữ ký"),
    "procedures/chung-thuc/dai.md": procedure_md("2.000815", LONG_TITLE),
    "procedures/dat-dai/_index.md": "---\ntitle: Đất đai\norder: 3\n---\n",
    "procedures/dat-dai/hoa-giai.md": procedure_md("1.012812", "Hòa giải tranh chấp đất đai"),
}


def write_site(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def load(root: Path) -> Site:
    problems = Problems()
    site = validate_site(load_site(root, problems), problems)
    assert site is not None, problems.report()
    return site


def print_build(root: Path, qr_dir: Path | None = None) -> Path:
    """The site's print material as `build` makes it (the engine, posters on), in
    `qr_dir` (default root/qr; its web pages go beside it)."""
    qr_dir = qr_dir or root / "qr"
    print_problems(root, qr_dir)
    return qr_dir


def print_problems(root: Path, qr_dir: Path) -> list[Problem]:
    """What `build` with posters into `qr_dir` tells the editor. Run again on the same
    `qr_dir`, it rebuilds nothing and repeats the problems its build state kept."""
    from thutuc.engine.pipeline import BuildOptions, build

    result = build(BuildOptions(root, out=web_of(qr_dir), qr=qr_dir, record_published=False))
    return list(result.problems)


def web_of(qr_dir: Path) -> Path:
    """Where print_build put the pages of the print material in `qr_dir`."""
    return qr_dir.with_name(qr_dir.name + "-web")


def canonical_links(out: Path) -> dict[str, str]:
    """Each built page's path ("" for home, "ho-tich/") and its canonical address."""
    found = {}
    for page in out.rglob("*.html"):
        file = page.relative_to(out).as_posix()
        match = re.search(r'<link rel="canonical" href="([^"]+)"', page.read_text("utf-8"))
        found[file.removesuffix("index.html")] = match[1] if match else ""
    return found


def pdf_pages(pdf: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return len(document)
    finally:
        document.close()


def render_pages(pdf: Path, dpi: int) -> list[Image.Image]:
    """Every page of `pdf` rendered by poppler's pdftoppm, grayscale (kept for the
    next test that asks for the same file at the same resolution)."""
    return list(_rendered(pdf, dpi, pdf.stat().st_mtime_ns))


@functools.lru_cache(maxsize=48)
def _rendered(pdf: Path, dpi: int, mtime_ns: int) -> tuple[Image.Image, ...]:
    out = pdf.parent.parent / f"_render_{pdf.parent.name}_{pdf.stem}_{dpi}"
    out.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf), str(out / "p")], check=True)
    return tuple(Image.open(p).convert("L") for p in sorted(out.glob("p*.pgm")))


_DECODED: dict[int, tuple[Image.Image, tuple[tuple[str, tuple[float, ...]], ...]]] = {}


def _decoded(image: Image.Image) -> tuple[tuple[str, tuple[float, ...]], ...]:
    """zxing-cpp's results for `image`, decoded once per image object."""
    entry = _DECODED.get(id(image))
    if entry is not None and entry[0] is image:
        return entry[1]
    if len(_DECODED) > 96:
        _DECODED.clear()
    import zxingcpp

    found = []
    for result in zxingcpp.read_barcodes(image):
        if not result.valid:
            continue
        p = result.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
        found.append((result.text, (min(xs), min(ys), max(xs), max(ys))))
    _DECODED[id(image)] = (image, tuple(found))
    return tuple(found)


def codes_region(image: Image.Image, dpi: int, margin_mm: float = 12) -> Image.Image | None:
    """The part of a page where its codes are, as a phone aimed at them frames it;
    None for a page without codes."""
    found = _decoded(image)
    if not found:
        return None
    margin = margin_mm * dpi / 25.4
    left = max(0, min(b[0] for _, b in found) - margin)
    top = max(0, min(b[1] for _, b in found) - margin)
    right = min(image.width, max(b[2] for _, b in found) + margin)
    bottom = min(image.height, max(b[3] for _, b in found) + margin)
    return image.crop((round(left), round(top), round(right), round(bottom)))


def decode(image: Image.Image) -> list[str]:
    import zxingcpp

    return [r.text for r in zxingcpp.read_barcodes(image) if r.valid]


def dpi_for(module_mm: float) -> int:
    """A rendering resolution that gives the smallest module about 6 pixels: enough
    for the decoder and the camera model, without an A0 board of 60 megapixels."""
    return max(40, min(200, math.ceil(6 * 25.4 / module_mm)))


def pdf_text(pdf: Path) -> str:
    """The text of `pdf` as pdftotext reads it, whitespace collapsed."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(out.split())


def page_texts(pdf: Path) -> list[str]:
    """The text of each page of `pdf` (pdftotext splits pages with a form feed)."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [" ".join(page.split()) for page in out.split("\f") if page.strip()]


def word_boxes(pdf: Path) -> list[tuple[int, str, tuple[float, ...]]]:
    """(page, word, box in points: x0, y0 from the top, x1, y1) from pdftotext -bbox."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        match = re.search(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line
        )
        if match:
            words.append((page, match[5], tuple(float(v) for v in match.groups()[:4])))
    return words


def text_sizes(pdf: Path) -> list[tuple[str, float]]:
    """(character, font size in points) of every character pdfium finds in `pdf`;
    the spaces pdfium makes up between words (size 1) are left out."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(pdf)
    sizes = []
    try:
        for page in document:
            text = page.get_textpage()
            for index in range(text.count_chars()):
                ch = text.get_text_range(index, 1)
                if ch.strip() and raw.FPDFText_IsGenerated(text.raw, index) != 1:
                    sizes.append((ch, raw.FPDFText_GetFontSize(text.raw, index)))
    finally:
        document.close()
    return sizes


def page_boxes(pdf: Path) -> list[dict[str, tuple[float, ...]]]:
    """MediaBox, TrimBox and BleedBox of every page, in points, as the PDF declares them."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return [
            {
                "media": tuple(round(v, 2) for v in page.get_mediabox()),
                "trim": tuple(round(v, 2) for v in page.get_trimbox(fallback_ok=False) or ()),
                "bleed": tuple(round(v, 2) for v in page.get_bleedbox(fallback_ok=False) or ()),
            }
            for page in document
        ]
    finally:
        document.close()


_STREAM = re.compile(
    rb"/Filter \[ (/ASCII85Decode )?/FlateDecode \][^>]*>>\s*stream\r?\n(.*?)endstream", re.S
)


def content_streams(pdf: Path) -> list[bytes]:
    """Every stream of `pdf` (reportlab's filters: Flate, or ASCII85 then Flate),
    inflated: page contents, fonts, maps."""
    streams = []
    for match in _STREAM.finditer(pdf.read_bytes()):
        data = match[2]
        if match[1]:
            data = base64.a85decode(data.strip().removesuffix(b"~>"))
        streams.append(zlib.decompressobj().decompress(data))
    return streams


_COLOUR = re.compile(rb"((?:-?[\d.]+ )+)(rg|RG|k|K|g|G|sc|SC|scn|SCN|cs|CS)(?=\s)")


def colour_operators(pdf: Path) -> set[tuple[str, tuple[float, ...]]]:
    """Every colour an operator of a page sets: (operator, operands)."""
    found = set()
    for stream in content_streams(pdf):
        if b" Tf" not in stream and b" re" not in stream:
            continue  # a font or a map, not a page
        for match in _COLOUR.finditer(stream):
            operands = tuple(float(v) for v in match[1].split())
            found.add((match[2].decode(), operands))
    return found


def font_resources(pdf: Path) -> list[str]:
    """The BaseFont of every font object in `pdf`, read from the file itself."""
    return [m.decode() for m in re.findall(rb"/BaseFont /([^\s/>\]]+)", pdf.read_bytes())]


def decode_with_positions(image: Image.Image) -> list[tuple[str, tuple[float, ...]]]:
    """Decoded texts with their bounding boxes (left, top, right, bottom) in pixels."""
    return list(_decoded(image))


# Phone-like degradations -----------------------------------------------------


def camera_scale(image: Image.Image, dpi: int, distance_m: float) -> Image.Image:
    """What a 1920 px, 70° camera sees of the page from `distance_m` (box averaging)."""
    field_mm = 2 * distance_m * 1000 * math.tan(math.radians(CAMERA_FOV_DEG / 2))
    factor = (CAMERA_WIDTH_PX / field_mm) / (dpi / 25.4)
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.BOX)


def blur(image: Image.Image, sigma: float = 0.8) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(sigma))


def rotate(image: Image.Image, degrees: float = 17) -> Image.Image:
    return image.rotate(degrees, Image.Resampling.BICUBIC, expand=True, fillcolor=190)


def tilt(image: Image.Image, degrees: float = 20) -> Image.Image:
    """Seen from below: the top edge recedes, the page becomes a trapezoid."""
    w, h = image.size
    inset = w * (1 - math.cos(math.radians(degrees))) * 1.5
    squash = h * math.cos(math.radians(degrees))
    target = [(inset, 0), (w - inset, 0), (w, squash), (0, squash)]
    source = [(0, 0), (w, 0), (w, h), (0, h)]
    coeffs = _perspective_coeffs(target, source)
    return image.transform(
        (w, round(squash)), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC,
        fillcolor=190,
    )  # fmt: skip


def _perspective_coeffs(target: list, source: list) -> list[float]:
    rows = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    rhs = [c for point in source for c in point]
    return list(np.linalg.solve(np.array(rows, float), np.array(rhs, float)))


def jpeg(image: Image.Image, quality: int = 30) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def glare(
    image: Image.Image, strength: float = 0.6, x: float = 0.4, y: float = 0.35
) -> Image.Image:
    """A specular hotspot from a ceiling light, clipped like a sensor."""
    pixels = np.asarray(image, dtype=float)
    h, w = pixels.shape
    yy, xx = np.mgrid[0:h, 0:w]
    sigma = 0.25 * max(w, h)
    spot = np.exp(-(((xx - x * w) ** 2 + (yy - y * h) ** 2) / (2 * sigma**2)))
    return Image.fromarray(np.clip(pixels + 255 * strength * spot, 0, 255).astype(np.uint8))


PHONE_VIEWS = {
    "far": lambda im, dpi, d: camera_scale(im, dpi, d),
    "far+blur": lambda im, dpi, d: blur(camera_scale(im, dpi, d)),
    "far+rotated17": lambda im, dpi, d: rotate(camera_scale(im, dpi, d), 17),
    "far+tilted20+rotated15": lambda im, dpi, d: camera_scale(rotate(tilt(im, 20), 15), dpi, d),
    "far+jpeg30": lambda im, dpi, d: jpeg(camera_scale(im, dpi, d), 30),
    "far+glare": lambda im, dpi, d: glare(camera_scale(im, dpi, d)),
    "phone": lambda im, dpi, d: jpeg(
        glare(blur(camera_scale(rotate(tilt(im, 15), 15), dpi, d), 0.7), 0.4), 40
    ),
}
