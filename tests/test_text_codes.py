"""Codes that carry text, not a link: the key facts for a phone with no signal, and
the hotline as a contact card. Decoded by two real decoders (zxing-cpp, zbar):
the Vietnamese text must come back exactly, behind the UTF-8 ECI."""

from __future__ import annotations

import unicodedata

import pytest
from conftest import require_module
from PIL import Image
from poster_helpers import SMALL_SITE, load, procedure_md, write_site

from thutuc.print.offline import MAX_TEXT_BYTES, offline_text
from thutuc.print.qr import (
    QUIET_ZONE,
    QrSymbol,
    contact_card_svg,
    contact_vcard,
    encode_text,
    phone_number,
)
from thutuc.site.strings import bundled

VIETNAMESE = "Đăng ký khai sinh: tờ khai, giấy chứng sinh; lệ phí 8.000 đồng; ỹ ỵ Ữ"


def symbol_image(symbol: QrSymbol, scale: int = 6) -> Image.Image:
    """The symbol with its quiet zone as a black-on-white image, `scale` px a module."""
    side = symbol.size + 2 * QUIET_ZONE
    image = Image.new("L", (side, side), 255)
    for row, line in enumerate(symbol.rows):
        for col, dark in enumerate(line):
            if dark:
                image.putpixel((col + QUIET_ZONE, row + QUIET_ZONE), 0)
    return image.resize((side * scale, side * scale), Image.Resampling.NEAREST)


def zxing_texts(image: Image.Image) -> list[str]:
    require_module("zxingcpp")
    import zxingcpp

    return [r.text for r in zxingcpp.read_barcodes(image) if r.valid]


def zxing_eci_texts(image: Image.Image) -> list[str]:
    """The decoded texts with their ECI designators, as zxing-cpp's TextMode.ECI shows them."""
    import zxingcpp

    return [r.text for r in zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.ECI)]


def zbar_texts(image: Image.Image) -> list[str]:
    require_module("pyzbar")
    from pyzbar import pyzbar

    return [r.data.decode("utf-8") for r in pyzbar.decode(image)]


@pytest.mark.decoder
def test_a_text_code_carries_nfc_utf8_behind_the_utf8_eci():
    decomposed = unicodedata.normalize("NFD", VIETNAMESE)
    image = symbol_image(encode_text(decomposed))
    assert zxing_texts(image) == [VIETNAMESE]  # NFC, whatever the input
    assert zbar_texts(image) == [VIETNAMESE]
    assert zxing_eci_texts(image)[0].startswith("]Q2\\000026")  # ECI 26: UTF-8


@pytest.mark.decoder
def test_even_latin1_text_gets_the_utf8_eci():
    """Without the option zint writes "Xã Hòa Bình" as Latin-1 and "Đăng ký" as
    ISO 8859-2: scanners without ECI support would show other letters."""
    for text in ("Xã Hòa Bình", "Đăng ký", "abc"):
        image = symbol_image(encode_text(text))
        assert zxing_eci_texts(image)[0].startswith("]Q2\\000026"), text
        assert zbar_texts(image) == [text]


@pytest.mark.decoder
def test_the_contact_code_decodes_to_exactly_the_vcard(tmp_path):
    site = load(write_site(tmp_path, SMALL_SITE))
    vcard = contact_vcard(site)
    assert vcard.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n") and vcard.endswith("END:VCARD")
    assert "TEL;TYPE=WORK,VOICE:02093000000" in vcard and "FN:Đường dây nóng Xã Hòa Bình" in vcard
    image = symbol_image(encode_text(vcard))
    assert zxing_texts(image) == [vcard]
    assert zbar_texts(image) == [vcard]


def test_the_contact_card_svg_is_the_same_code(tmp_path):
    site = load(write_site(tmp_path, SMALL_SITE))
    svg = contact_card_svg(site)
    assert svg.startswith("<svg") and "Lưu số đường dây nóng Xã Hòa Bình vào danh bạ" in svg
    files = dict(SMALL_SITE)
    files["site.yml"] = files["site.yml"].replace("hotline: 0209 3000 000\n", "")
    assert contact_card_svg(load(write_site(tmp_path / "no-hotline", files))) == ""


def test_phone_numbers_as_a_dialler_takes_them():
    assert phone_number("0209 3000 000") == "02093000000"
    assert phone_number("Gọi 1022 (miễn phí, 24/7)") == "1022"
    assert phone_number("+84 209.3000.000, giờ hành chính") == "+842093000000"
    assert phone_number("Chưa có") == ""


def test_a_vcard_escapes_what_vcard_reserves(tmp_path):
    files = dict(SMALL_SITE)
    files["site.yml"] = files["site.yml"].replace("Xã Hòa Bình\n", "Xã Hòa; Bình, Tây\n", 1)
    vcard = contact_vcard(load(write_site(tmp_path, files)))
    assert "FN:Đường dây nóng Xã Hòa\\; Bình\\, Tây" in vcard


def _site_with(tmp_path, extra: str, title: str = "Đăng ký khai sinh"):
    files = dict(SMALL_SITE)
    files["procedures/ho-tich/khai-sinh.md"] = procedure_md("1.001193", title, extra)
    site = load(write_site(tmp_path, files))
    return site, site.procedures_by_code["1.001193"]


@pytest.mark.decoder
def test_the_facts_text_holds_the_key_facts_within_300_bytes(tmp_path):
    site, procedure = _site_with(tmp_path, "updated: 2026-01-15")
    text = offline_text(site, procedure)
    assert len(text.encode("utf-8")) <= MAX_TEXT_BYTES
    assert unicodedata.is_normalized("NFC", text)
    lines = text.split("\n")
    assert lines[0] == "Đăng ký khai sinh"
    assert lines[1].startswith("Giấy tờ: Tờ khai theo mẫu")
    assert "Đường dây nóng: 0209 3000 000" in lines and "Kiểm tra ngày 15/01/2026" in lines
    assert any(line.startswith("Thời gian: Trong ngày") for line in lines)
    assert any(line.startswith("Lệ phí: 2.000 đồng/trang") for line in lines)
    image = symbol_image(encode_text(text))
    assert zxing_texts(image) == [text] and zbar_texts(image) == [text]


def test_long_documents_are_shortened_and_point_to_the_page(tmp_path):
    documents = "".join(
        f"  - Giấy tờ số {n} có tên khá dài để thử việc rút gọn\n" for n in range(12)
    )
    files = dict(SMALL_SITE)
    files["procedures/ho-tich/khai-sinh.md"] = (
        f'---\ncode: "1.001193"\ntitle: Đăng ký khai sinh\ndocuments:\n{documents}'
        "processing_time: Trong ngày\nfee: Miễn phí\n---\n"
    )
    site = load(write_site(tmp_path, files))
    text = offline_text(site, site.procedures_by_code["1.001193"])
    assert len(text.encode("utf-8")) <= MAX_TEXT_BYTES
    documents_line = text.split("\n")[1]
    more = bundled("vi")["print_more"]  # "xem đủ trên trang"
    assert documents_line.startswith("Giấy tờ: Giấy tờ số 0") and documents_line.endswith(more)


def test_markdown_in_the_facts_prints_as_the_page_reads(tmp_path):
    extra = 'where: "**Tầng 1**, [Nhà văn hóa](https://example.vn/)"'
    site, procedure = _site_with(tmp_path, extra)
    text = offline_text(site, procedure)
    assert "Nơi nộp: Tầng 1, Nhà văn hóa" in text
    assert "**" not in text and "](" not in text


def test_a_1000_character_title_still_fits(tmp_path):
    site, procedure = _site_with(tmp_path, "", "Đăng ký " * 125)
    text = offline_text(site, procedure)
    assert len(text.encode("utf-8")) <= MAX_TEXT_BYTES
    assert text.split("\n")[0].endswith("…") and "Đường dây nóng: 0209 3000 000" in text


@pytest.mark.browser
@pytest.mark.decoder
def test_the_contacts_page_shows_the_contact_code_as_chromium_draws_it(tmp_path):
    """The page's <img> of lien-he/danh-ba.svg, as Debian's chromium draws the page at
    360 px (a headless screenshot: no Playwright, which the browser tests hold open
    in the same worker), decodes to exactly the vCard."""
    import subprocess

    from conftest import chromium_path

    from thutuc.engine.pipeline import BuildOptions, build

    root = write_site(tmp_path / "site", SMALL_SITE)
    build(BuildOptions(root, posters=False, record_published=False))
    site = load(root)
    html = root / "output" / "lien-he" / "index.html"
    # from the site root, so the English contacts page (en/lien-he/) shows the same code
    assert '<img src="../lien-he/danh-ba.svg"' in html.read_text(encoding="utf-8")
    shot = tmp_path / "contacts.png"
    subprocess.run(
        [
            chromium_path(), "--headless", "--no-sandbox", "--disable-gpu",
            "--hide-scrollbars", "--window-size=360,800", f"--screenshot={shot}",
            html.as_uri(),
        ],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    assert zxing_texts(Image.open(shot).convert("L")) == [contact_vcard(site)]
