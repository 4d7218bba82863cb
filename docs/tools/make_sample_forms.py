"""Regenerate the sample PDF forms of the bundled commune (Xã Hòa Bình).

These are simplified sample forms for the demo site, not the official forms:
each has a title, a note saying so, and a few labelled blank lines.
Output is reproducible (reportlab `invariant=1`), so re-running it on the same
reportlab version gives byte-identical files and no spurious git diff.

    python3 docs/tools/make_sample_forms.py          # from the repository root
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parents[2]
FONT_FILE = Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")
FONT = "NotoSans"

NOTE = (
    "Bản mẫu minh họa của trang mẫu. Khi nộp hồ sơ, dùng mẫu chính thức "
    "tại Trung tâm Phục vụ hành chính công của xã."
)

# (output path relative to the repository root, title, labelled blank lines)
FORMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "procedures/ho-tich/to-khai-dang-ky-khai-sinh.pdf",
        "TỜ KHAI ĐĂNG KÝ KHAI SINH",
        (
            "Họ, chữ đệm, tên người yêu cầu",
            "Số định danh cá nhân",
            "Quan hệ với người được khai sinh",
            "Họ, chữ đệm, tên của trẻ",
            "Ngày, tháng, năm sinh",
            "Giới tính",
            "Nơi sinh",
            "Dân tộc, quốc tịch",
            "Họ tên, năm sinh của mẹ",
            "Họ tên, năm sinh của cha",
        ),
    ),
    (
        "procedures/ho-tich/to-khai-dang-ky-ket-hon.pdf",
        "TỜ KHAI ĐĂNG KÝ KẾT HÔN",
        (
            "Họ, chữ đệm, tên bên nữ",
            "Ngày, tháng, năm sinh bên nữ",
            "Số định danh cá nhân bên nữ",
            "Nơi cư trú bên nữ",
            "Họ, chữ đệm, tên bên nam",
            "Ngày, tháng, năm sinh bên nam",
            "Số định danh cá nhân bên nam",
            "Nơi cư trú bên nam",
            "Kết hôn lần thứ mấy (mỗi bên)",
        ),
    ),
    (
        "procedures/ho-tich/to-khai-xac-nhan-tinh-trang-hon-nhan.pdf",
        "TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
        (
            "Họ, chữ đệm, tên người yêu cầu",
            "Ngày, tháng, năm sinh",
            "Số định danh cá nhân",
            "Nơi cư trú",
            "Tình trạng hôn nhân hiện nay",
            "Mục đích sử dụng giấy xác nhận",
        ),
    ),
    (
        "procedures/giam-ngheo/giay-de-nghi-ra-soat-ho-ngheo-mau-01.pdf",
        "GIẤY ĐỀ NGHỊ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO",
        (
            "Họ và tên chủ hộ",
            "Số định danh cá nhân của chủ hộ",
            "Thôn",
            "Số người trong hộ",
            "Lý do đề nghị (ốm đau, mất việc, thiên tai...)",
            "Đề nghị xét là: hộ nghèo / hộ cận nghèo",
        ),
    ),
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def draw_form(path: Path, title: str, labels: tuple[str, ...]) -> None:
    width, height = A4
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1, pageCompression=1)
    pdf.setTitle(nfc(title.capitalize()))
    pdf.setAuthor("Xã Hòa Bình (trang mẫu)")
    pdf.setCreator("docs/tools/make_sample_forms.py")
    pdf.setFont(FONT, 10)
    pdf.drawCentredString(width / 2, height - 20 * mm, nfc("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    pdf.drawCentredString(width / 2, height - 25 * mm, nfc("Độc lập – Tự do – Hạnh phúc"))
    pdf.setFont(FONT, 14)
    pdf.drawCentredString(width / 2, height - 40 * mm, nfc(title))
    pdf.setFont(FONT, 8)
    pdf.drawCentredString(width / 2, height - 47 * mm, nfc(NOTE))
    pdf.setFont(FONT, 11)
    pdf.drawString(20 * mm, height - 60 * mm, nfc("Kính gửi: Ủy ban nhân dân xã Hòa Bình"))
    y = height - 75 * mm
    for label in labels:
        text = nfc(label) + ":"
        pdf.drawString(20 * mm, y, text)
        start = 20 * mm + pdf.stringWidth(text, FONT, 11) + 3 * mm
        pdf.setDash(1, 2)
        pdf.line(start, y - 1, width - 20 * mm, y - 1)
        pdf.setDash()
        y -= 12 * mm
    y -= 6 * mm
    pdf.drawString(width - 85 * mm, y, nfc("Hòa Bình, ngày ...... tháng ...... năm ......"))
    pdf.drawString(width - 70 * mm, y - 7 * mm, nfc("Người yêu cầu (ký, ghi rõ họ tên)"))
    pdf.showPage()
    pdf.save()


def main() -> int:
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE)))
    for rel, title, labels in FORMS:
        path = ROOT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        draw_form(path, title, labels)
        print(f"{rel}: {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
