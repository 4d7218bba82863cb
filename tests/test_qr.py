"""QR codes: the shortest valid encoding of each page's URL, as SVG and PNG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PIL import Image
from poster_helpers import SMALL_SITE, decode, load, require_tool, same_url, write_site

from thutuc.model import CONTACTS_PATH, HOME_PATH
from thutuc.qr import (
    QUIET_ZONE,
    cheapest_segments,
    encode_url,
    encoded_text,
    make_qr,
    qr_targets,
    uppercase_origin,
    write_qr_codes,
)

PROCEDURE_URL = "https://hoabinh.example.vn/1.001193/"
FIELD_URL = "https://hoabinh.example.vn/ho-tich/"


@pytest.fixture
def site(tmp_path):
    return load(write_site(tmp_path / "site", SMALL_SITE))


def test_targets_cover_home_fields_procedures_and_contacts(site):
    targets = qr_targets(site)
    paths = [t.path for t in targets]
    assert paths[0] == HOME_PATH and paths[-1] == CONTACTS_PATH
    assert {f"{f.slug}/" for f in site.fields} <= set(paths)
    assert {f"{p.code}/" for p in site.procedures} <= set(paths)
    names = [t.name for t in targets]
    assert "trang-chu" in names and "linh-vuc-ho-tich" in names and "thu-tuc-1.001193" in names
    assert len(set(names)) == len(names)
    assert all(t.url == site.absolute_url(t.path) for t in targets)


def test_uppercase_origin_keeps_the_path_exactly():
    assert uppercase_origin(PROCEDURE_URL) == "HTTPS://HOABINH.EXAMPLE.VN/1.001193/"
    assert (
        uppercase_origin("https://x.example.vn/Xa/ho-tich/") == "HTTPS://X.EXAMPLE.VN/Xa/ho-tich/"
    )
    assert uppercase_origin("https://xã.example.vn/") is None  # IDN host: not safe
    assert uppercase_origin("https://user@x.example.vn/") is None


def test_segments_are_alphanumeric_where_it_saves_bits():
    assert cheapest_segments("HTTPS://HOABINH.EXAMPLE.VN/1.001193/") == [
        ("HTTPS://HOABINH.EXAMPLE.VN/1.001193/", 2)
    ]
    segments = cheapest_segments("HTTPS://HOABINH.EXAMPLE.VN/ho-tich/")
    assert "".join(text for text, _ in segments) == "HTTPS://HOABINH.EXAMPLE.VN/ho-tich/"
    assert segments[0] == ("HTTPS://HOABINH.EXAMPLE.VN/", 2)


def test_upper_case_only_when_it_lowers_the_version():
    # measured: 36 alphanumeric characters fit version 2-M; as bytes they need version 3
    text, qr = encode_url(PROCEDURE_URL)
    assert (text, qr.version) == ("HTTPS://HOABINH.EXAMPLE.VN/1.001193/", 2)
    # the field URL is version 3 either way, so it stays as typed
    assert encoded_text(FIELD_URL) == FIELD_URL and make_qr(FIELD_URL).version == 3


def test_ecc_is_at_least_the_level_asked_for():
    order = "LMQH"
    for level in order:
        qr = make_qr(PROCEDURE_URL, level)
        assert order.index(qr.error) >= order.index(level)


@pytest.mark.decoder
def test_written_codes_decode_to_the_page_url(site, tmp_path):
    require_tool("zxingcpp")
    written = write_qr_codes(site, tmp_path / "qr")
    assert len(written) == 2 * len(qr_targets(site))
    for target in qr_targets(site):
        png = tmp_path / "qr" / f"{target.name}.png"
        texts = decode(Image.open(png).convert("L"))
        assert len(texts) == 1 and same_url(texts[0], target.url), (target.name, texts)
        assert texts[0].endswith(target.path)  # the path is never changed, case included


def test_svg_is_vector_with_a_quiet_zone_and_a_findable_title(site, tmp_path):
    write_qr_codes(site, tmp_path / "qr")
    target = next(t for t in qr_targets(site) if t.name == "thu-tuc-1.001193")
    root = ET.parse(tmp_path / "qr" / f"{target.name}.svg").getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}path") is not None and root.find(f"{ns}image") is None
    modules = make_qr(target.url).symbol_size(border=0)[0]
    assert root.get("width") == f"{modules + 2 * QUIET_ZONE}mm"
    assert root.find(f"{ns}title").text == "Đăng ký khai sinh"
