"""Helpers for the QR and poster tests: tiny sites, real tools, phone-like degradations.

Real parts only: pdftoppm renders, zxing-cpp decodes. A missing tool skips
the test locally and fails it in CI (CI=true), where it must be installed.
The degradations are written here with Pillow and numpy on purpose: the
tests must not depend on ../shared.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import textwrap
from pathlib import Path

import numpy as np
from conftest import require_module
from PIL import Image, ImageFilter

from thutuc.content.load import load_site
from thutuc.content.model import Site
from thutuc.content.validate import validate_site
from thutuc.problems import Problems

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


def render_pages(pdf: Path, dpi: int) -> list[Image.Image]:
    """Every page of `pdf` rendered by poppler's pdftoppm, grayscale."""
    out = pdf.parent / f"_render_{pdf.stem}_{dpi}"
    out.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(out / "p")], check=True
    )
    return [Image.open(p).convert("L") for p in sorted(out.glob("p*.png"))]


def decode(image: Image.Image) -> list[str]:
    import zxingcpp

    return [r.text for r in zxingcpp.read_barcodes(image) if r.valid]


def decode_with_positions(image: Image.Image) -> list[tuple[str, tuple[float, ...]]]:
    """Decoded texts with their bounding boxes (left, top, right, bottom) in pixels."""
    import zxingcpp

    found = []
    for result in zxingcpp.read_barcodes(image):
        p = result.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
        found.append((result.text, (min(xs), min(ys), max(xs), max(ys))))
    return found


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
