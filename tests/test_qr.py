"""QR codes: the shortest valid encoding of each page's URL, as SVG and PNG."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image
from poster_helpers import SMALL_SITE, decode, load, print_build, require_tool, write_site

from thutuc.content.model import CONTACTS_PATH, HOME_PATH
from thutuc.engine.pipeline import BuildOptions, build
from thutuc.print.qr import (
    ECC_LEVELS,
    QUIET_ZONE,
    build_symbol,
    dark_runs,
    encode_url,
    png_bytes,
    qr_targets,
    strongest_level,
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


def test_codes_carry_the_url_as_a_browser_writes_it():
    """No upper-cased origin: some cameras open HTTPS://HOST/ as text, not a link."""
    for url in (PROCEDURE_URL, FIELD_URL, "https://x.example.vn/Xa/2.000884.000.00.00.H55/"):
        assert encode_url(url).text == url
        assert encode_url(url, "H").text == url


def test_an_upper_case_base_url_is_printed_in_lower_case(make_site):
    """base_url typed in capitals: codes, pages and canonical links use the
    browser's form (scheme and host lower-cased); the path keeps its case."""
    root = make_site({"site.yml": "name: Xã Thử\nbase_url: HTTPS://Thu.Example.VN/Xa\n"})
    site = load(root)
    assert site.config.base_url == "https://thu.example.vn/Xa/"
    assert {t.url.split("/")[2] for t in qr_targets(site)} == {"thu.example.vn"}
    assert all(encode_url(t.url).text == t.url for t in qr_targets(site))


@pytest.mark.decoder
def test_ecc_is_raised_while_the_symbol_keeps_its_size():
    """The level a decoder reads is at least the one asked for, and the symbol is
    no larger than the smallest one at that level."""
    for url in (PROCEDURE_URL, FIELD_URL, "https://hoabinh.example.vn/"):
        for level in ECC_LEVELS:
            symbol = encode_url(url, level)
            read = zxingcpp.read_barcodes(Image.open(io.BytesIO(png_bytes(symbol))))
            assert [r.text for r in read] == [symbol.text]
            assert ECC_LEVELS.index(read[0].ec_level) >= ECC_LEVELS.index(level)
            assert symbol.size == build_symbol(symbol.text, level).size
    assert encode_url("https://hoabinh.example.vn/").ecc == "Q"  # measured: Q fits version 2


def test_urls_of_the_same_shape_share_one_level():
    """encode_url reuses the level chosen for a URL with the same character
    classes; it must be the level chosen for each URL on its own."""
    hosts = ["xa-1.example.vn", "hoabinh.example.vn", "x.vn", "tan-lap.quangtri.gov.vn"]
    paths = ["", "1.001193/", "2.000884.000.00.00.H55/", "ho-tich/", "Xa/a-z/", "1.00/", "99/"]
    for host in hosts:
        for path in paths:
            for level in "MQ":
                url = f"https://{host}/{path}"
                symbol = encode_url(url, level)
                assert symbol.text == url
                assert symbol.ecc == strongest_level(url, level), url


def test_png_pixels_are_the_modules_with_a_quiet_zone():
    symbol = encode_url(PROCEDURE_URL)
    image = Image.open(io.BytesIO(png_bytes(symbol)))
    side = symbol.size + 2 * QUIET_ZONE
    scale = image.width // side
    assert image.mode == "1" and image.size == (side * scale, side * scale)
    assert image.width >= 400  # big enough to share in a message
    pixels = image.convert("L").load()
    for row in range(side):
        for col in range(side):
            inside = QUIET_ZONE <= row < side - QUIET_ZONE and QUIET_ZONE <= col < side - QUIET_ZONE
            dark = inside and symbol.rows[row - QUIET_ZONE][col - QUIET_ZONE] == 1
            # every pixel of the module's square, checked at its corners
            for dy in (0, scale - 1):
                for dx in (0, scale - 1):
                    assert (pixels[col * scale + dx, row * scale + dy] == 0) == dark


def test_dark_runs_cover_exactly_the_dark_modules():
    symbol = encode_url(FIELD_URL)
    covered = {(r, c + i) for r, c, length in dark_runs(symbol) for i in range(length)}
    dark = {(r, c) for r, line in enumerate(symbol.rows) for c, m in enumerate(line) if m}
    assert covered == dark and len(dark) > symbol.size  # a real code, not an empty one


@pytest.mark.decoder
def test_written_codes_decode_to_the_page_url(site, tmp_path):
    require_tool("zxingcpp")
    qr_dir = print_build(site.root, tmp_path / "qr")  # the PNG copies come with the posters
    names = {p.name for p in qr_dir.glob("*.png")} | {p.name for p in qr_dir.glob("*.svg")}
    targets = qr_targets(site)
    assert names == {f"{t.name}.{kind}" for t in targets for kind in ("png", "svg")}
    for target in targets:
        png = qr_dir / f"{target.name}.png"
        texts = decode(Image.open(png).convert("L"))
        assert texts == [target.url], target.name  # byte for byte, the page's canonical URL


def test_svg_is_vector_with_a_quiet_zone_and_a_findable_title(site, tmp_path):
    build(BuildOptions(site.root, qr=tmp_path / "qr", posters=False, record_published=False))
    target = next(t for t in qr_targets(site) if t.name == "thu-tuc-1.001193")
    root = ET.parse(tmp_path / "qr" / f"{target.name}.svg").getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}path") is not None and root.find(f"{ns}image") is None
    modules = encode_url(target.url).size
    assert root.get("width") == f"{modules + 2 * QUIET_ZONE}mm"
    assert root.find(f"{ns}title").text == "Đăng ký khai sinh"


def test_a_preview_build_writes_vector_codes_only(tmp_path):
    """--no-posters: the SVG codes are built, the PNG copies come with the posters."""
    project = write_site(tmp_path / "site", SMALL_SITE)
    build(BuildOptions(project, posters=False, record_published=False))
    names = {p.name for p in (project / "qr").iterdir()}
    targets = qr_targets(load(project))
    assert {f"{t.name}.svg" for t in targets} <= names
    assert not any(name.endswith(".png") for name in names)
