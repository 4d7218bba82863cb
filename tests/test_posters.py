"""Posters: every code decodes with a real decoder, as printed and as a phone sees it;
the files are what an office printer and a print shop expect."""

from __future__ import annotations

import pickle
import re
import subprocess
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from conftest import require_module
from hypothesis import given, settings
from hypothesis import strategies as st
from poster_helpers import (
    LONG_TITLE,
    PHONE_VIEWS,
    SMALL_SITE,
    canonical_links,
    codes_region,
    colour_operators,
    decode,
    decode_with_positions,
    dpi_for,
    font_resources,
    load,
    page_boxes,
    page_texts,
    pdf_pages,
    pdf_text,
    print_build,
    print_problems,
    procedure_md,
    render_pages,
    require_tool,
    text_sizes,
    web_of,
    word_boxes,
    write_site,
)

from thutuc.content.model import Site
from thutuc.engine.pipeline import BuildOptions, check
from thutuc.print.layout import FONTS_DIR, MM, PAPERS, Code, PosterSpec, register_fonts
from thutuc.print.posters import (
    POSTER_DIR,
    SHOP_BOARD,
    poster_specs,
)
from thutuc.print.qr import QUIET_ZONE, contact_vcard, qr_targets
from thutuc.problems import Severity

DPI = 200
VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)


def build(root: Path, qr_dir: Path) -> tuple[Site, Path, list[PosterSpec]]:
    print_build(root, qr_dir)
    site = load(root)
    return site, qr_dir, poster_specs(site)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Site, Path, list[PosterSpec]]:
    root = write_site(tmp_path_factory.mktemp("site"), SMALL_SITE)
    return build(root, root / "qr")


@pytest.fixture(scope="module")
def shop_built(tmp_path_factory) -> tuple[Site, Path, list[PosterSpec]]:
    files = dict(SMALL_SITE)
    files["site.yml"] += "print_shop: true\n"
    root = write_site(tmp_path_factory.mktemp("shop"), files)
    return build(root, root / "qr")


def all_codes(spec: PosterSpec) -> list[Code]:
    return [*spec.codes, *([spec.contact] if spec.contact else [])]


def pdf_of(qr_dir: Path, spec: PosterSpec) -> Path:
    return qr_dir / POSTER_DIR / f"{spec.name}.pdf"


def smallest_module_mm(spec: PosterSpec) -> float:
    return min(c.distance_m or spec.distance_m for c in all_codes(spec)) * 2.9


def found(images, expected: set[str]) -> set[str]:
    texts = [t for image in images for t in decode(image)]
    return {text for text in expected if text in texts}  # byte for byte


@pytest.mark.pdf
@pytest.mark.decoder
@pytest.mark.parametrize("fixture", ["built", "shop_built"])
def test_every_code_on_every_poster_decodes_exactly(fixture, request):
    """Links decode to the page's canonical URL byte for byte, text codes to their
    exact text (the facts, the vCard), on office and print-shop files alike."""
    require_tool("pdftoppm")
    require_tool("zxingcpp")
    _, qr_dir, specs = request.getfixturevalue(fixture)
    kinds = set()
    for spec in specs:
        expected = {c.payload for c in all_codes(spec)}
        pages = render_pages(pdf_of(qr_dir, spec), dpi_for(smallest_module_mm(spec)))
        assert found(pages, expected) == expected, spec.name
        kinds |= {c.kind for c in all_codes(spec)}
    assert kinds == {"url", "text", "contact"}


def test_every_link_points_at_a_page_the_site_has(built):
    site, qr_dir, specs = built
    canonical = canonical_links(web_of(qr_dir))
    urls = {c.url for spec in specs for c in spec.codes if c.kind == "url"}
    urls |= {target.url for target in qr_targets(site)}
    for url in urls:
        assert canonical.get(url.removeprefix(site.config.base_url)) == url, url


def test_every_code_has_its_address_under_it_as_text(built):
    require_tool("pdftotext")
    _, qr_dir, specs = built
    for spec in specs:
        text = pdf_text(pdf_of(qr_dir, spec)).replace(" ", "")
        for code in spec.codes:
            if code.kind == "url":
                assert code.payload.removeprefix("https://") in text, (spec.name, code.payload)


@pytest.mark.pdf
@pytest.mark.decoder
@pytest.mark.slow
@pytest.mark.parametrize("view", sorted(PHONE_VIEWS))
def test_codes_survive_a_phone_at_their_designed_distance(built, view):
    """Each code is seen from its own distance: a card's link from 0.4 m, the facts
    code beside it from 0.3 m, a board's codes from the distance it was fitted to."""
    require_tool("pdftoppm")
    require_tool("zxingcpp")
    _, qr_dir, specs = built
    degrade = PHONE_VIEWS[view]
    # one poster of each kind, the office and print-shop boards, the long-titled card
    chosen = {s.kind: s for s in reversed(specs)} | {s.name: s for s in specs if s.kind == "board"}
    chosen["long"] = next(s for s in specs if s.kind == "card" and LONG_TITLE in str(s))
    for spec in chosen.values():
        dpi = dpi_for(smallest_module_mm(spec))
        pages = [region for page in render_pages(pdf_of(qr_dir, spec), dpi)
                 if (region := codes_region(page, dpi)) is not None]  # fmt: skip
        by_distance: dict[float, set[str]] = {}
        for code in all_codes(spec):
            by_distance.setdefault(code.distance_m or spec.distance_m, set()).add(code.payload)
        for distance, expected in by_distance.items():
            seen = [degrade(page, dpi, distance) for page in pages]
            missing = expected - found(seen, expected)
            assert not missing, f"{spec.name} ({distance} m, {view}): {[m[:40] for m in missing]}"


def test_every_page_declares_its_trim_box(built):
    _, qr_dir, specs = built
    for spec in specs:
        width, height = spec.page_size
        for boxes in page_boxes(pdf_of(qr_dir, spec)):
            assert boxes["trim"] == (0.0, 0.0, round(width, 2), round(height, 2)), spec.name
            assert boxes["media"] == boxes["trim"] and not boxes["bleed"], spec.name


def test_print_shop_files_have_bleed_a_bleed_box_and_crop_marks(shop_built):
    require_tool("pdftoppm")
    _, qr_dir, specs = shop_built
    papers = set()
    for spec in specs:
        assert spec.print_shop
        width, height = spec.page_size
        bleed = (5 if spec.paper in ("A0", "A1", "A2") else 3) * MM
        papers.add(spec.paper)
        for boxes in page_boxes(pdf_of(qr_dir, spec)):
            x0, y0, x1, y1 = boxes["trim"]
            assert (x1 - x0, y1 - y0) == pytest.approx((width, height), abs=0.2), spec.name
            bx0, by0, bx1, by1 = boxes["bleed"]
            assert (x0 - bx0, by1 - y1) == pytest.approx((bleed, bleed), abs=0.2), spec.name
            mx0, my0, mx1, my1 = boxes["media"]
            assert mx0 < bx0 and my0 < by0 and mx1 > bx1 and my1 > by1, spec.name
    assert {"A4", "A5"} <= papers and papers & {"A0", "A1", "A2"}
    # the crop marks: dark lines in the border, outside the bleed, at each corner
    card = next(s for s in specs if s.kind == "card")
    page = render_pages(pdf_of(qr_dir, card), 150)[0]
    boxes = page_boxes(pdf_of(qr_dir, card))[0]
    scale = 150 / 72
    x0, y0, _, _ = boxes["trim"]  # y0: the border under the sheet, as wide as the one above
    line = round(x0 * scale)  # the vertical mark on the trim line, above the sheet
    mark = [
        page.getpixel((x, y))
        for x in range(line - 2, line + 3)
        for y in range(round(5 * MM * scale))
    ]
    assert min(mark) < 100
    inside_bleed = round((y0 - 2 * MM) * scale)  # marks stop outside the bleed
    assert min(page.getpixel((x, inside_bleed)) for x in range(line - 2, line + 3)) > 200


def test_every_colour_is_pure_black_ink(built):
    """Black-and-white office laser first: every colour operator sets CMYK with
    C = M = Y = 0 (one toner, one plate); none sets RGB or grey by other means."""
    _, qr_dir, specs = built
    for spec in specs:
        for operator, operands in colour_operators(pdf_of(qr_dir, spec)):
            assert operator in ("k", "K"), (spec.name, operator, operands)
            assert operands[:3] == (0.0, 0.0, 0.0), (spec.name, operands)


def test_font_covers_every_vietnamese_letter():
    from reportlab.pdfbase.ttfonts import TTFont

    letters = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper()
    # 12 vowels x 6 tones + 17 consonants, in each case
    assert unicodedata.is_normalized("NFC", letters) and len(set(letters)) == 2 * 89
    for name in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"):
        cmap = TTFont("check", str(FONTS_DIR / name)).face.charToGlyph
        missing = [ch for ch in letters if ord(ch) not in cmap]
        assert not missing, f"{name} lacks {missing}"


@pytest.mark.pdf
def test_every_font_is_embedded_and_subset_and_nothing_else_is_listed(built):
    """pdffonts says every font is embedded and subset; the PDF's own font objects
    hold nothing but those subsets (no Helvetica, no unused font)."""
    require_tool("pdffonts")
    register_fonts()
    _, qr_dir, specs = built
    for spec in specs:
        pdf = pdf_of(qr_dir, spec)
        out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
        fonts = out.stdout.splitlines()[2:]
        assert fonts and all(" yes yes " in line for line in fonts), out.stdout  # emb, sub
        resources = font_resources(pdf)
        assert resources and all(re.fullmatch(r"[A-Z]{6}\+NotoSans[\w-]*", f) for f in resources)
        assert "Helvetica" not in pdf.read_bytes().decode("latin-1"), spec.name
        assert len(resources) == len(set(resources)) == len(fonts), spec.name


@pytest.mark.pdf
def test_nothing_handed_to_a_resident_is_under_12_pt(built):
    """Cards, leaflets, field posters; and the print-shop board (the office boards may
    set their tiles smaller when thirty fields share an A4 sheet read from 0.2 m)."""
    require_tool("pdftotext")
    _, qr_dir, specs = built
    for spec in specs:
        if spec.kind in ("card", "leaflet", "field") or spec.name == SHOP_BOARD:
            sizes = text_sizes(pdf_of(qr_dir, spec))
            small = {ch for ch, size in sizes if size < 11.99}
            assert sizes and not small, (spec.name, sorted(small)[:10])


@pytest.mark.pdf
def test_pdftotext_returns_the_nfc_vietnamese_title(built):
    require_tool("pdftotext")
    _, qr_dir, specs = built
    for spec in specs:
        if spec.kind in ("card", "leaflet"):
            text = pdf_text(pdf_of(qr_dir, spec))
            assert unicodedata.is_normalized("NFC", text)
            assert spec.title in text, spec.name


def test_cards_print_the_page_s_words_never_markdown(tmp_path):
    require_tool("pdftotext")
    files = dict(SMALL_SITE)
    files["procedures/ho-tich/khai-sinh.md"] = (
        '---\ncode: "1.001193"\ntitle: Đăng ký khai sinh\nprocessing_time: Trong ngày\n'
        'fee: "**Miễn phí** cho trẻ em < 6 tuổi, xem [biểu phí](https://example.vn/)"\n'
        "documents:\n  - Tờ khai *theo mẫu* số_01\n---\n"
    )
    _, qr_dir, specs = build(write_site(tmp_path, files), tmp_path / "qr")
    card = next(s for s in specs if s.name == "the-1.001193")
    text = pdf_text(pdf_of(qr_dir, card))
    assert "Miễn phí cho trẻ em < 6 tuổi, xem biểu phí (example.vn/)" in text
    assert "Tờ khai theo mẫu số_01" in text
    assert "**" not in text and "](" not in text and "[" not in text


# The field board ------------------------------------------------------------

FIELD_NAMES = [
    "Hộ tịch", "Chứng thực", "Hòa giải ở cơ sở", "Nuôi con nuôi", "Đất đai", "Thủy lợi",
    "Lâm nghiệp", "Thủy sản", "Giảm nghèo", "Môi trường", "Chăn nuôi", "Trồng trọt", "Thú y",
    "Phòng, chống thiên tai", "Bảo trợ xã hội", "Người có công", "Văn hóa", "Thể thao",
    "Tín ngưỡng, tôn giáo", "Thi đua, khen thưởng", "Cư trú", "Căn cước", "Xây dựng",
    "Hộ kinh doanh", "Hợp tác xã", "Giáo dục", "Y tế", "Lao động, việc làm",
    "Thông tin, truyền thông", "Du lịch",
]  # fmt: skip


def board_site(root: Path, count: int, **site: str) -> Path:
    from thutuc.content.text import slugify

    files = dict(SMALL_SITE)
    files = {"site.yml": files["site.yml"]}
    for key, value in site.items():
        files["site.yml"] += f"{key}: {value}\n"
    for n, name in enumerate(FIELD_NAMES[:count]):
        slug = slugify(name)
        files[f"procedures/{slug}/_index.md"] = f"---\ntitle: {name}\norder: {n}\n---\n"
        for k in range(n % 3 + 1):
            code = f"1.{n:03d}{k:03d}"
            files[f"procedures/{slug}/t{k}.md"] = procedure_md(code, f"Thủ tục {name} {k}")
    return write_site(root, files)


def render_boards(site: Site, out: Path) -> list[tuple[PosterSpec, Path]]:
    from thutuc.print.posters import render_poster

    out.mkdir(parents=True, exist_ok=True)
    boards = []
    for spec in poster_specs(site):
        if spec.kind == "board":
            pdf = out / f"{spec.name}.pdf"
            assert render_poster(spec, pdf, out / f"{spec.name}.png") == 1, spec.name  # one sheet
            boards.append((spec, pdf))
    assert [s.name for s, _ in boards] == ["bang-linh-vuc-A4", "bang-linh-vuc-A3", SHOP_BOARD]
    return boards


def tile_texts(pdf: Path, dpi: int) -> dict[str, str]:
    """The words printed under each code of a board, by the code's text: those below
    the code, above the next row, within half the distance to the next column."""
    words = word_boxes(pdf)
    scale = 72 / dpi
    boxes = {
        t: tuple(v * scale for v in b) for t, b in decode_with_positions(render_pages(pdf, dpi)[0])
    }
    centres = {t: ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for t, b in boxes.items()}
    texts = {}
    for text, (_, top, _, bottom) in boxes.items():
        cx, cy = centres[text]
        side = bottom - top
        neighbours = [
            abs(x - cx) for x, y in centres.values() if abs(y - cy) < side / 2 and x != cx
        ]
        half = min(neighbours, default=10**4) / 2
        below = [b[1] for t, b in boxes.items() if b[1] > bottom and abs(centres[t][0] - cx) < half]
        limit = min(below, default=10**4)
        inside = [
            (y0, x0, w) for _, w, (x0, y0, x1, y1) in words
            if bottom < y0 < limit and abs((x0 + x1) / 2 - cx) < half
        ]  # fmt: skip
        texts[text] = " ".join(w for _, _, w in sorted(inside))
    return texts


def quiet_zones_are_clear(pdf: Path, spec: PosterSpec, dpi: int) -> None:
    """No word of text inside any code's quiet zone."""
    words = word_boxes(pdf)
    scale = 72 / dpi
    for number, image in enumerate(render_pages(pdf, dpi), 1):
        for decoded, box in decode_with_positions(image):
            code = next((c for c in all_codes(spec) if c.payload == decoded), None)
            assert code is not None, decoded[:40]
            quiet = QUIET_ZONE * spec.code_module_pt(code) - 1.5  # rasterising, glyph boxes
            left, top, right, bottom = (v * scale for v in box)
            for page, word, (x0, y0, x1, y1) in words:
                inside = x0 < right + quiet and x1 > left - quiet
                inside = inside and y0 < bottom + quiet and y1 > top - quiet
                assert not (page == number and inside), (spec.name, decoded[:30], word)


@pytest.mark.pdf
@pytest.mark.decoder
@pytest.mark.slow
@pytest.mark.parametrize("count", [1, 5, 9, 30])
def test_the_field_board_is_one_sheet_that_reads_at_its_distance(tmp_path, count):
    require_tool("pdftoppm")
    require_tool("pdftotext")
    require_tool("zxingcpp")
    site = load(board_site(tmp_path / "site", count))
    for spec, pdf in render_boards(site, tmp_path / "out"):
        dpi = dpi_for(smallest_module_mm(spec))
        page = render_pages(pdf, dpi)[0]
        expected = {c.payload for c in all_codes(spec)}
        assert found([page], expected) == expected, spec.name  # as printed, the vCard too
        fields = {c.payload for c in spec.codes}
        for view in ("far", "phone"):
            seen = PHONE_VIEWS[view](codes_region(page, dpi) or page, dpi, spec.distance_m)
            assert found([seen], fields) == fields, (spec.name, spec.distance_m, view)
        tiles = tile_texts(pdf, dpi)
        for code in spec.codes:  # its name, its number of procedures, its address
            words = tiles[code.payload]
            assert code.label in words and code.note in words, (spec.name, words)
            assert code.payload.removeprefix("https://") in words.replace(" ", ""), words
        text = pdf_text(pdf)
        for words in (
            "Xã Hòa Bình",
            "Mở camera điện thoại",
            "mở Zalo, bấm “Thêm” → biểu tượng mã QR → hướng vào mã",
            "Đường dây nóng: 0209 3000 000",
            "Địa chỉ: Số 1 đường Trung tâm",
            "phản ánh, kiến nghị",
        ):
            assert words in text, (spec.name, words)
        quiet_zones_are_clear(pdf, spec, dpi)


def test_the_print_shop_board_is_the_smallest_paper_at_the_designed_distance(tmp_path):
    """A2, A1, A0: the first that holds every field at 2.9 mm/m of 1.5 m; the office
    A3 holds them too, at a shorter distance the build reports."""
    from dataclasses import replace

    from thutuc.print.board import fits_at_designed

    for count, paper in ((1, "A2"), (9, "A0")):
        site = load(board_site(tmp_path / str(count), count))
        shop = next(s for s in poster_specs(site) if s.name == SHOP_BOARD)
        assert (shop.paper, shop.designed_m) == (paper, 1.5)
        assert shop.distance_m >= 1.5  # at least the robust 2.9 mm a module per metre
        smaller = {"A0": "A1", "A1": "A2"}.get(shop.paper)
        if smaller:
            assert fits_at_designed(replace(shop, paper=smaller)) is None
    specs = {s.name: s for s in poster_specs(site)}
    a3, shop = specs["bang-linh-vuc-A3"], specs[SHOP_BOARD]
    assert a3.designed_m == 1.5 and a3.distance_m < 1.5
    assert shop.distance_m >= shop.designed_distance_m


def test_board_distance_comes_from_site_yml(tmp_path):
    site = load(board_site(tmp_path, 1, board_distance_m="2"))
    specs = {s.name: s for s in poster_specs(site)}
    assert specs[SHOP_BOARD].designed_m == 2.0 and specs["bang-linh-vuc-A3"].designed_m == 2.0
    assert specs["bang-linh-vuc-A4"].designed_m == 1.0


@pytest.mark.pdf
def test_the_print_shop_board_names_read_at_the_distance(tmp_path):
    """Field names with capitals near 16 mm for 1.5 m (ADA 703.5.5's floor)."""
    require_tool("pdftotext")
    site = load(board_site(tmp_path / "site", 5))
    shop, pdf = render_boards(site, tmp_path / "out")[2]
    sizes = text_sizes(pdf)
    chars = "".join(ch for ch, _ in sizes)
    for name in FIELD_NAMES[:5]:
        size = sizes[chars.index(name.replace(" ", ""))][1]
        assert size * 0.714 / MM >= 15.5 * shop.distance_m / 1.5 >= 15.5, (name, size)


def test_a_shrunk_board_is_reported_and_shown_on_the_contact_sheet(built):
    site, qr_dir, specs = built
    problems = {p.file: p for p in print_problems(site.root, qr_dir)}  # the build's, replayed
    a3 = next(s for s in specs if s.name == "bang-linh-vuc-A3")
    assert a3.distance_m < a3.designed_distance_m  # nine fields: the A3 cannot hold them at 1.5 m
    problem = problems["qr/ap-phich/bang-linh-vuc-A3.pdf"]
    assert "không vừa một tờ A3" in problem.message and SHOP_BOARD in problem.hint
    html = (qr_dir / "index.html").read_text(encoding="utf-8")
    for spec in specs:
        distance = f"{round(spec.distance_m, 2):g}".replace(".", ",")
        assert f"Quét từ {distance} m" in html, spec.name


def test_the_board_contact_code_saves_the_hotline(built):
    site, _, specs = built
    board = next(s for s in specs if s.kind == "board")
    assert board.contact is not None and board.contact.payload == contact_vcard(site)


# Layout robustness -------------------------------------------------------------


def stress_site(root: Path) -> Path:
    title = ("Thủ tục có tên rất dài để thử việc xuống dòng " * 25)[:1000]
    field_title = ("Thành lập và hoạt động của tổ hợp tác, hợp tác xã " * 7)[:300]
    files = {
        "site.yml": (
            f"name: {'Ủy ban nhân dân xã Hòa Bình Thượng ' * 6}\n"
            "base_url: https://thu-tuc-hanh-chinh-cong.ubnd-xa-hoa-binh-thuong.tinh-mau.gov.vn/tra-cuu/\n"
            f"address: {'Số 1 đường Trung tâm, thôn Bình An, ' * 8}xã Hòa Bình\n"
            "hotline: 0209 3000 000\n"
        ),
        "procedures/ho-tich/_index.md": f"---\ntitle: {field_title}\n---\n",
        "procedures/ho-tich/dai.md": procedure_md("1.001193", title),
        "procedures/dat-dai/_index.md": "---\ntitle: Đất đai\n---\n",
        "procedures/dat-dai/a.md": procedure_md("1.012812", "Hòa giải tranh chấp đất đai"),
    }
    return write_site(root, files)


@pytest.mark.pdf
@pytest.mark.decoder
def test_very_long_titles_addresses_and_names_lay_out(tmp_path):
    """A 1,000-character title, a 300-character field title, a long base_url, site
    name and address: every poster builds, a card stays one page with both codes,
    every code decodes and no text sits in a quiet zone."""
    require_tool("pdftoppm")
    require_tool("pdftotext")
    require_tool("zxingcpp")
    _, qr_dir, specs = build(stress_site(tmp_path / "site"), tmp_path / "qr")
    pages = {s.name: pdf_pages(pdf_of(qr_dir, s)) for s in specs}
    for spec in specs:
        pdf = pdf_of(qr_dir, spec)
        if spec.kind in ("card", "board"):
            assert pages[spec.name] == 1, spec.name
        if spec.kind == "leaflet":
            assert pages[spec.name] <= 2, spec.name
        dpi = dpi_for(smallest_module_mm(spec))
        expected = {c.payload for c in all_codes(spec)}
        assert found(render_pages(pdf, dpi), expected) == expected, spec.name
        quiet_zones_are_clear(pdf, spec, dpi)


@pytest.mark.pdf
@pytest.mark.parametrize("prefix", ["the-", "to-roi-", "nhan-dan"])
def test_a_200_character_title_is_printed_whole_on_leaflets_and_stickers(built, prefix):
    require_tool("pdftotext")
    _, qr_dir, specs = built
    spec = next(s for s in specs if s.name.startswith(prefix) and LONG_TITLE in str(s))
    text = pdf_text(pdf_of(qr_dir, spec))
    if prefix == "the-":  # a card may cut the title to keep its codes on its one page
        assert LONG_TITLE[:60] in text
    else:
        assert LONG_TITLE in text


# Reproducible, incremental ---------------------------------------------------------


def test_two_builds_are_byte_identical(tmp_path):
    root = write_site(tmp_path / "site", SMALL_SITE)
    first, second = print_build(root, tmp_path / "a"), print_build(root, tmp_path / "b")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_specs_are_plain_picklable_data(built):
    _, _, specs = built
    for spec in specs:
        assert pickle.loads(pickle.dumps(spec)) == spec


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def redrawn_by(root: Path, edit: Callable[[], None]) -> set[str]:
    """The posters a build after `edit` draws again (the others keep their inode)."""
    qr_dir = print_build(root)
    before = {p.name: p.stat().st_ino for p in (qr_dir / POSTER_DIR).glob("*.pdf")}
    edit()
    print_build(root)
    after = {p.name: p.stat().st_ino for p in (qr_dir / POSTER_DIR).glob("*.pdf")}
    assert set(after) == set(before)
    return {name.removesuffix(".pdf") for name in after if after[name] != before[name]}


def test_a_title_edit_redraws_the_posters_that_show_the_title(tmp_path):
    root = write_site(tmp_path / "site", SMALL_SITE)
    path = root / "procedures/ho-tich/ket-hon.md"
    edit = partial(replace_in, path, "Đăng ký kết hôn", "Đăng ký kết hôn (sửa)")
    assert redrawn_by(root, edit) == {
        "the-1.000894",
        "to-roi-1.000894",
        "ap-phich-ho-tich",
        "nhan-dan",
    }


def test_a_site_yml_edit_redraws_what_shows_it(tmp_path):
    """The hotline is on every poster but the sticker sheet; the board's distance
    only on the boards."""
    root = write_site(tmp_path / "site", SMALL_SITE)
    every = {s.name for s in poster_specs(load(root))}
    config = root / "site.yml"
    hotline = partial(replace_in, config, "0209 3000 000", "0209 3000 111")
    assert redrawn_by(root, hotline) == every - {"nhan-dan"}
    distance = partial(config.write_text, config.read_text() + "board_distance_m: 2\n")
    assert redrawn_by(root, distance) == {"bang-linh-vuc-A3", SHOP_BOARD}


def test_contact_sheet_lists_every_poster_and_code_escaped(tmp_path):
    files = dict(SMALL_SITE)
    files["site.yml"] = files["site.yml"].replace("Xã Hòa Bình\n", "Xã <b>Hòa</b> Bình\n", 1)
    root = write_site(tmp_path / "site", files)
    print_build(root, tmp_path / "qr")
    site = load(root)
    html = (tmp_path / "qr" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in html and "<b>Hòa</b>" not in html and "&lt;b&gt;" in html
    for spec in poster_specs(site):
        assert f"{POSTER_DIR}/{spec.name}.pdf" in html and f"xem-truoc/{spec.name}.png" in html
    for target in qr_targets(site):
        assert f"{target.name}.svg" in html and (tmp_path / "qr" / f"{target.name}.svg").is_file()


def test_codes_keep_their_designed_size_whatever_the_text(built):
    """Module size comes from the distance, never from the space left on the page."""
    _, _, specs = built
    for spec in specs:
        assert spec.module_pt == pytest.approx(spec.distance_m * 2.9 * 72 / 25.4)
        if spec.kind != "board":
            assert spec.distance_m == spec.designed_distance_m, spec.name
    assert {s.kind: s.paper for s in specs if s.kind != "board"} == {
        "field": "A4", "card": "A5", "stickers": "A4", "leaflet": "A4",
    }  # fmt: skip


def test_a_field_list_item_is_never_cut_between_two_sheets(tmp_path) -> None:
    """A procedure whose title takes three lines goes whole to the next sheet rather
    than start at the foot of one and end on the next."""
    require_tool("pdftotext")
    from thutuc.print.field import fit_field
    from thutuc.print.layout import render_pdf
    from thutuc.print.posters import field_spec

    title = (
        "Cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền "
        "với đất lần đầu cho hộ gia đình, cá nhân, cộng đồng dân cư, người Việt Nam định cư "
        "ở nước ngoài được sở hữu nhà ở tại Việt Nam, số"
    )
    flowed = 0
    for count in range(3, 12):
        files = {
            "site.yml": SMALL_SITE["site.yml"],
            "procedures/ho-tich/_index.md": "---\ntitle: Hộ tịch\n---\n",
        }
        for n in range(count):
            files[f"procedures/ho-tich/p{n}.md"] = procedure_md(f"1.{n:06d}", f"{title} {n}")
        site = load(write_site(tmp_path / f"site{count}", files))
        pdf = tmp_path / f"field{count}.pdf"
        pdf.write_bytes(render_pdf(fit_field(field_spec(site, "ho-tich", "M"))))
        pages = page_texts(pdf)
        flowed += len(pages) > 1
        for n in range(count):  # each item whole on exactly one sheet
            item = f"{title} {n} (1.{n:06d})"
            assert sum(item in page for page in pages) == 1, (count, n, pages)
    assert flowed >= 5  # most of these lists need a second sheet


def test_a_field_list_a_little_too_long_is_set_smaller_not_split_over_sheets(tmp_path) -> None:
    """A list that overflows the first sheet by a few lines is set smaller (down to
    LIST_MIN_PT) so it stays on one sheet; one that cannot is kept at its size and
    flows onto more, numbered. Checked on the PDFs themselves, from few to many."""
    from thutuc.print.field import LIST_MIN_PT, LIST_PT, fit_field
    from thutuc.print.layout import render_pdf
    from thutuc.print.posters import field_spec

    sizes, sheets = {}, {}
    for count in range(4, 26):
        files = {
            "site.yml": SMALL_SITE["site.yml"],
            "procedures/ho-tich/_index.md": "---\ntitle: Hộ tịch\n---\n",
        }
        for n in range(count):
            title = f"Đăng ký lại việc thay đổi, cải chính thông tin hộ tịch số {n}"
            files[f"procedures/ho-tich/p{n}.md"] = procedure_md(f"1.{n:06d}", title)
        site = load(write_site(tmp_path / f"site{count}", files))
        spec = fit_field(field_spec(site, "ho-tich", "M"))
        pdf = tmp_path / f"field{count}.pdf"
        pdf.write_bytes(render_pdf(spec))
        sizes[count], sheets[count] = spec.body_pt, pdf_pages(pdf)
        if spec.body_pt:  # set smaller: on one sheet, and no smaller than needed
            assert LIST_MIN_PT <= spec.body_pt < LIST_PT and sheets[count] == 1, count
            larger = tmp_path / f"larger{count}.pdf"
            larger.write_bytes(render_pdf(replace(spec, body_pt=spec.body_pt + 0.5)))
            assert pdf_pages(larger) == 2, count
        elif sheets[count] > 1:  # flows on: even the smallest size would not fit
            smallest = tmp_path / f"smallest{count}.pdf"
            smallest.write_bytes(render_pdf(replace(spec, body_pt=LIST_MIN_PT)))
            assert pdf_pages(smallest) > 1, count
            assert "Hộ tịch · Trang 2" in pdf_text(pdf), count  # which field, on its own
    # the three cases all occur: fits as designed, set smaller, flows onto more sheets
    assert sizes[4] == 0 and sheets[4] == 1, (sizes, sheets)
    assert any(sizes.values()), (sizes, sheets)
    assert sheets[25] > 1 and sizes[25] == 0, (sizes, sheets)


def test_a_very_long_field_address_shrinks_its_code_with_a_warning(make_site, tmp_path) -> None:
    """A real field name ("Thành lập và hoạt động của tổ hợp tác, ...") as folder name:
    the A4 field poster cannot hold its code at 1.5 m; it must still build, smaller."""
    from thutuc.engine.pipeline import BuildOptions, build

    folder = (
        "thanh-lap-va-hoat-dong-cua-to-hop-tac-hop-tac-xa-lien-hiep-hop-tac-xa-"
        "va-doanh-nghiep-nho-va-vua-o-nong-thon-mien"
    )  # 110 characters: QR version 8, too dense for an A4 sheet at 1.5 m
    root = make_site(
        {
            f"procedures/{folder}/_index.md": "---\ntitle: Hợp tác xã\n---\n",
            f"procedures/{folder}/a.md": '---\ncode: "2.000001.000.00.00.H55"\ntitle: Đăng ký hợp tác xã\n---\n',
        }
    )
    result = build(
        BuildOptions(root, out=tmp_path / "o", qr=tmp_path / "q", jobs=1, record_published=False)
    )
    report = result.problems.report()
    # named where --qr put it (outside the project: in full), a file the editor can open
    poster = tmp_path / "q" / f"ap-phich/ap-phich-{folder}.pdf"
    assert f"{poster.as_posix()}:" in report and poster.is_file(), report
    # the distance it prints for (2.9 mm a module a metre) and a good phone's (2.2 mm)
    reach = re.search(
        r"quét được từ khoảng (\d),(\d) m thay vì 1,5 m \(điện thoại tốt: (\d),(\d) m\)", report
    )
    assert reach, report
    printed, good = (
        float("{}.{}".format(*reach.groups()[:2])),
        float("{}.{}".format(*reach.groups()[2:])),
    )
    assert printed < 1.5 and good == pytest.approx(printed * 2.9 / 2.2, abs=0.1)
    assert (tmp_path / "q" / "ap-phich" / f"ap-phich-{folder}.pdf").is_file()


# Scripts Noto Sans does not draw ---------------------------------------------------

KHMER = "ភាសាខ្មែរ"  # "the Khmer language", as a test string for the font and shaping
TAI_VIET = "ꪁꪫꪱꪣ ꪼꪕ"  # "Tai language", likewise


@pytest.mark.pdf
def test_minority_scripts_print_in_their_fonts_and_khmer_is_shaped(tmp_path):
    require_tool("pdffonts")
    from reportlab.pdfbase import pdfmetrics

    from thutuc.print.glyphs import markup, paragraph_style
    from thutuc.print.layout import style

    files = dict(SMALL_SITE)
    title = f"Đăng ký khai sinh ({KHMER}, {TAI_VIET})"
    files["procedures/ho-tich/khai-sinh.md"] = procedure_md("1.001193", title)
    root, qr_dir = write_site(tmp_path / "site", files), tmp_path / "qr"
    problems = print_problems(root, qr_dir)
    card = next(s for s in poster_specs(load(root)) if s.name == "the-1.001193")
    out = subprocess.run(["pdffonts", str(pdf_of(qr_dir, card))], capture_output=True, text=True)
    assert "NotoSansKhmer" in out.stdout and "NotoSansTaiViet" in out.stdout
    assert pdfmetrics.getFont("NotoSansKhmer").shapable  # uharfbuzz is installed
    content = markup(title)
    assert (
        '<font name="NotoSansKhmer">' in content
        and paragraph_style(style("t", 12), content).shaping
    )
    assert not [p for p in problems if "phông chữ" in p.message]


def _ink(text: str, tmp_path: Path, bold: bool) -> int:
    """Dark pixels of `text` set in one line by the posters' own paragraphs, rendered
    by pdftoppm at 150 dpi."""
    from reportlab.pdfgen.canvas import Canvas

    from thutuc.print.glyphs import FONT
    from thutuc.print.layout import para, style

    register_fonts()
    pdf = tmp_path / f"ink-{abs(hash((text, bold)))}.pdf"
    canvas = Canvas(str(pdf), pagesize=(600, 60), initialFontName=FONT)
    paragraph = para(text, style("ink", 20, bold=bold))
    paragraph.wrapOn(canvas, 580, 60)
    paragraph.drawOn(canvas, 10, 15)
    canvas.save()
    image = render_pages(pdf, 150)[0]
    return sum(image.histogram()[:128])


@pytest.mark.pdf
@pytest.mark.parametrize("bold", [False, True])
def test_a_minority_script_word_inside_brackets_is_shaped_not_boxed(tmp_path, bold):
    """reportlab shapes a word (text between spaces) with the font of its first
    piece: "(ភាសាខ្មែរ," would print as empty boxes. The Khmer and Tai Viet words
    must carry the same ink inside brackets as alone."""
    require_tool("pdftoppm")
    for word in (KHMER, TAI_VIET.split()[1]):
        alone = _ink(word, tmp_path, bold) + _ink("(", tmp_path, bold) + _ink(",", tmp_path, bold)
        inside = _ink(f"({word},", tmp_path, bold)
        assert inside == pytest.approx(alone, rel=0.08), word


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("procedures/ho-tich/khai-sinh.md", "Đăng ký khai sinh", "Đăng ký khai sinh 🍼"),
        ("procedures/ho-tich/khai-sinh.md", "Nhận kết quả.", "Nhận kết quả 🍼."),  # the body
        ("procedures/ho-tich/_index.md", "title: Hộ tịch", "title: Hộ tịch 🍼"),
        ("site.yml", "name: Xã Hòa Bình", "name: Xã Hòa Bình 🍼"),
        # the body as the leaflet prints it: an entity is its character
        ("procedures/ho-tich/khai-sinh.md", "Nhận kết quả.", "Nhận kết quả &#x1F37C;."),
        # a YAML escape in a quoted value is its character too
        (
            "procedures/ho-tich/khai-sinh.md",
            '"Đăng ký khai sinh"',
            '"Đăng ký khai sinh \\U0001F37C"',
        ),
    ],
)
def test_a_character_no_font_draws_is_reported_once_in_the_file_that_has_it(
    tmp_path, file, old, new
):
    """A procedure's title is printed on its card, its leaflet, its field's poster and
    the sticker sheet; a commune's name on every poster. The build says it once, on
    the file where the editor typed it, not on each poster or the files they are about."""
    files = dict(SMALL_SITE)
    assert old in files[file]
    files[file] = files[file].replace(old, new)
    root = write_site(tmp_path / "site", files)
    problems = [p for p in print_problems(root, tmp_path / "qr") if "phông chữ" in p.message]
    assert [p.file for p in problems] == [file]
    assert "U+1F37C" in problems[0].message and problems[0].severity is Severity.WARNING
    lines = files[file].splitlines()
    typed = next((n for n, line in enumerate(lines, 1) if "🍼" in line), None)
    assert problems[0].line == typed  # the line it was typed on; none for an escape
    again = print_problems(root, tmp_path / "qr")  # nothing changed: the state replays it
    assert [p.file for p in again if "phông chữ" in p.message] == [file]
    _, checked = check(BuildOptions(root))  # `check` tells it as the build does
    assert [p for p in checked if "phông chữ" in p.message] == problems


def test_a_character_the_leaflet_does_not_print_is_not_reported(tmp_path):
    """In an HTML comment, or in a keyword for search: never on paper."""
    files = dict(SMALL_SITE)
    body = procedure_md("1.001193", "Đăng ký khai sinh", "keywords: [em bé 🍼]")
    files["procedures/ho-tich/khai-sinh.md"] = body + "\n<!-- 🍼 ghi chú cho người sửa -->\n"
    root = write_site(tmp_path / "site", files)
    assert not [p for p in print_problems(root, tmp_path / "qr") if "U+1F37C" in p.message]


def test_pages_have_their_paper_size(built):
    _, qr_dir, specs = built
    for spec in specs:
        size = sorted(round(v, 2) for v in PAPERS[spec.paper])
        for boxes in page_boxes(pdf_of(qr_dir, spec)):
            x0, y0, x1, y1 = boxes["trim"]
            assert sorted((round(x1 - x0, 2), round(y1 - y0, 2))) == size, spec.name


def test_the_date_on_a_board_is_the_newest_checked_date(built):
    require_tool("pdftotext")
    site, qr_dir, specs = built
    board = next(s for s in specs if s.kind == "board")
    assert all(not site.checked_on(p) for p in site.active_procedures)  # no dates, no line
    assert "cập nhật đến ngày" not in pdf_text(pdf_of(qr_dir, board))


def test_a_board_says_the_date_of_its_facts(tmp_path):
    require_tool("pdftotext")
    files = dict(SMALL_SITE)
    files["procedures/ho-tich/khai-sinh.md"] = procedure_md("1.001193", "A", "updated: 2026-01-15")
    files["procedures/ho-tich/ket-hon.md"] = procedure_md("1.000894", "B", "updated: 2025-03-01")
    site = load(write_site(tmp_path / "site", files))
    board = next(s for s in poster_specs(site) if s.kind == "board")
    assert any("cập nhật đến ngày 15/01/2026" in b.text for b in board.footer)


@pytest.mark.pdf
@pytest.mark.decoder
def test_the_no_signal_code_reads_the_same_in_zbar_as_printed(built):
    """On the printed card and leaflet, zbar too reads the facts code to exactly its
    Vietnamese text (the UTF-8 ECI; without it some scanners show Latin-1)."""
    require_tool("pdftoppm")
    pyzbar: Any = require_module("pyzbar.pyzbar")
    _, qr_dir, specs = built
    for spec in specs:
        if spec.kind not in ("card", "leaflet"):
            continue
        facts = next(c for c in spec.codes if c.kind == "text")
        page = render_pages(pdf_of(qr_dir, spec), dpi_for(smallest_module_mm(spec)))[0]
        texts = [r.data.decode("utf-8") for r in pyzbar.decode(page)]
        assert facts.payload in texts, spec.name


def test_one_poster_reports_its_own_problems_from_its_spec(tmp_path):
    """For an engine that draws posters one at a time: the shrunk board, from its spec
    alone. A character no font draws is the file's problem, not the card's."""
    from thutuc.print.posters import draw_poster, poster_row, spec_problems

    files = dict(SMALL_SITE)
    files["procedures/ho-tich/khai-sinh.md"] = procedure_md("1.001193", "Đăng ký khai sinh 🍼")
    site = load(write_site(tmp_path / "site", files))
    specs = {s.name: s for s in poster_specs(site)}
    assert spec_problems(specs["the-1.001193"]) == []
    a3 = spec_problems(specs["bang-linh-vuc-A3"])
    assert specs["bang-linh-vuc-A3"].distance_m < 1.5
    assert [p.file for p in a3] == ["qr/ap-phich/bang-linh-vuc-A3.pdf"]
    assert "không vừa một tờ A3" in a3[0].message
    assert spec_problems(specs["to-roi-1.000894"]) == []
    pdf, preview, pages = draw_poster(specs["the-1.000894"])
    assert pdf.startswith(b"%PDF") and preview.startswith(b"\x89PNG") and pages == 1
    row = poster_row(specs["the-1.000894"], pages)
    assert row["pdf"] == "ap-phich/the-1.000894.pdf" and row["distance"] == "0,4"


def test_a_build_without_posters_does_not_make_the_next_one_forget_their_warnings(tmp_path):
    """--no-posters keeps the posters and says nothing of them; the next build that
    draws posters, finding them unchanged, tells their warnings again."""
    from thutuc.engine.pipeline import BuildOptions, build

    files = dict(SMALL_SITE)
    files["procedures/ho-tich/khai-sinh.md"] = procedure_md("1.001193", "Đăng ký khai sinh 🍼")
    root, qr_dir = write_site(tmp_path / "site", files), tmp_path / "qr"

    def poster_words(problems) -> set[str]:
        return {p.file for p in problems if "U+1F37C" in p.message or "tờ A3" in p.message}

    told = poster_words(print_problems(root, qr_dir))
    board = f"{qr_dir.as_posix()}/ap-phich/bang-linh-vuc-A3.pdf"  # --qr outside the project
    assert told == {"procedures/ho-tich/khai-sinh.md", board}
    options = BuildOptions(root, out=web_of(qr_dir), qr=qr_dir, record_published=False)
    quiet = build(replace(options, posters=False))
    assert poster_words(quiet.problems) == set()
    assert poster_words(print_problems(root, qr_dir)) == told  # nothing redrawn, all told


def test_the_font_warning_s_line_follows_an_edit_above_it(tmp_path):
    files = dict(SMALL_SITE)
    files["site.yml"] = files["site.yml"].replace("name: Xã Hòa Bình", "name: Xã Hòa Bình 🍼")
    root, qr_dir = write_site(tmp_path / "site", files), tmp_path / "qr"

    def line() -> int | None:
        [problem] = [p for p in print_problems(root, qr_dir) if "U+1F37C" in p.message]
        return problem.line

    assert line() == 1
    site_yml = root / "site.yml"
    site_yml.write_text("# Trang của xã\n" + site_yml.read_text("utf-8"), "utf-8")
    assert line() == 2  # the same texts, a line further down


# The site's own words ---------------------------------------------------------

OWN_WORDS = {  # templates/strings/vi.yml of a commune that words its posters its own way
    "print_headline": "Quét mã, xem ngay thủ tục (lời của xã)",
    "print_card_instruction": "Quét để biết cần mang gì (lời của xã)",
    "print_offline_label": "Mất sóng? Quét mã này (lời của xã)",
    "print_text_fee": "Phí",
    "hotline": "Số nóng của xã",
    "documents": "Hồ sơ cần chuẩn bị",
    "methods": "Các cách nộp",
    "method_truc-tuyen": "Qua mạng",
    "agency": "Nơi giải quyết (lời của xã)",
    "print_field_instruction": "Quét để xem từng thủ tục (lời của xã)",
    "print_field_list": "Thủ tục của lĩnh vực: {n}",
    "print_stickers_heading": "Nhãn dán của {name}",
    "print_sticker_code": "Số {code}",
}


@pytest.mark.pdf
def test_the_site_s_own_vietnamese_words_are_the_posters_words(tmp_path) -> None:
    """A site's templates/strings/vi.yml wins key by key on the pages, and so it must
    on paper: the Vietnamese boards, field posters, sticker sheets, cards and leaflets,
    and the no-signal code."""
    require_tool("pdftotext")
    require_tool("pdftoppm")
    own = "".join(f'{key}: "{text}"\n' for key, text in OWN_WORDS.items())
    birth = procedure_md("1.001193", "Đăng ký khai sinh", "agency: UBND xã Hòa Bình")
    files = {**SMALL_SITE, "procedures/ho-tich/khai-sinh.md": birth}
    root = write_site(tmp_path / "site", {**files, "templates/strings/vi.yml": own})
    posters = print_build(root) / POSTER_DIR
    board = pdf_text(posters / "bang-linh-vuc-A4.pdf")
    assert OWN_WORDS["print_headline"] in board and "Số nóng của xã: 0209 3000 000" in board
    field = pdf_text(posters / "ap-phich-ho-tich.pdf")
    assert OWN_WORDS["print_field_instruction"] in field and "Thủ tục của lĩnh vực: 2" in field
    stickers = pdf_text(posters / "nhan-dan.pdf")
    assert "Nhãn dán của Xã Hòa Bình" in stickers and "Số 1.001193" in stickers
    card = pdf_text(posters / "the-1.001193.pdf")
    for key in ("print_card_instruction", "print_offline_label", "documents"):
        assert OWN_WORDS[key] in card, key
    assert "Phí: 2.000 đồng/trang" in card and "Giấy tờ cần mang" not in card
    leaflet = pdf_text(posters / "to-roi-1.001193.pdf")
    for words in ("Hồ sơ cần chuẩn bị", "Các cách nộp", "Qua mạng", "Số nóng của xã"):
        assert words in leaflet, words
    assert f"{OWN_WORDS['agency']} UBND xã Hòa Bình" in leaflet
    page = (web_of(root / "qr") / "1.001193/index.html").read_text(encoding="utf-8")
    assert "Hồ sơ cần chuẩn bị" in page and "Các cách nộp" in page  # the page says the same
    [image] = render_pages(posters / "the-1.001193.pdf", dpi=200)
    [text] = [t for t in decode(image) if not t.startswith("https://")]
    assert "\nPhí: 2.000 đồng/trang" in text and "Lệ phí" not in text


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_the_fast_look_for_missing_characters_finds_what_the_slow_one_does(text: str) -> None:
    """`missing` first asks a regular expression whether anything is beyond Noto Sans;
    it must answer as asking each character's font does (spaces, joiners, variation
    selectors and the fallback scripts included)."""
    from thutuc.content.text import nfc
    from thutuc.print.glyphs import font_of, missing

    one_by_one = "".join(ch for ch in dict.fromkeys(nfc(text)) if font_of(ch) is None)
    assert missing(text) == one_by_one
    for ch in ("\u200d", "\ufe0f", "\u2028", "\xad", KHMER[0], TAI_VIET[0], "🍼", "Đ", "ễ"):
        assert missing(text + ch) == "".join(
            c for c in dict.fromkeys(nfc(text + ch)) if font_of(c) is None
        )


BAD_WORDS = {  # a site's vi.yml line → what check must say of it
    "print_headline: [a, b]": "'print_headline' phải là một dòng chữ",
    "hotline:": "'hotline' để trống",
    "documents: {x: 1}": "'documents' phải là một dòng chữ",
    "print_updated: 'Cập nhật {ngay}'": "'print_updated' có {ngay}, chỗ không được điền gì",
    "print_feedback: " + "Rất dài " * 800: "'print_feedback' dài 6399 ký tự, quá 300",
    "print_tieu_de: Quét mã": "Khóa lạ 'print_tieu_de'",
}


@pytest.mark.pdf
def test_words_the_posters_cannot_use_are_told_on_their_line_and_not_printed(tmp_path) -> None:
    """A list, an empty value, an unknown {placeholder}, a paragraph where a line goes:
    printed, they would read "['a', 'b']", "None: 0209…", "{ngay}", or break the sheet."""
    require_tool("pdftotext")
    from click.testing import CliRunner

    from thutuc.cli import main

    own = "\n".join(BAD_WORDS) + "\nprint_card_instruction: Quét để biết cần mang gì\n"
    root = write_site(tmp_path / "site", {**SMALL_SITE, "templates/strings/vi.yml": own})
    checked = CliRunner().invoke(main, ["check", "--project", str(root)])
    assert checked.exit_code == 0, checked.output
    for number, (line, said) in enumerate(BAD_WORDS.items(), 1):
        assert f"templates/strings/vi.yml:{number}: cảnh báo: {said}" in checked.output, line
    posters = print_build(root) / POSTER_DIR
    board, card = pdf_text(posters / "bang-linh-vuc-A4.pdf"), pdf_text(posters / "the-1.001193.pdf")
    assert "Quét mã QR để tra cứu thủ tục hành chính" in board  # the bundled words instead
    assert "Đường dây nóng: 0209 3000 000" in board and "None" not in board
    assert "Giấy tờ cần mang" in card and "Quét để biết cần mang gì" in card  # a good one is used
    page = (web_of(root / "qr") / "1.001193/index.html").read_text(encoding="utf-8")
    assert "{ngay}" not in page and "[&#39;a&#39;" not in page and "Giấy tờ cần mang" in page


def test_a_strings_file_saved_again_with_the_same_size_and_time_is_read_again(tmp_path) -> None:
    """`serve` keeps its workers and this process across builds: a cache keyed by a
    file's size and time kept words that `cp -p` or a quick second save had changed."""
    import os

    from thutuc.engine.pipeline import Session
    from thutuc.engine.pipeline import build as engine_build

    path = tmp_path / "site/templates/strings/vi.yml"
    root = write_site(
        tmp_path / "site", {**SMALL_SITE, "templates/strings/vi.yml": "fields: MOT\n"}
    )
    options = BuildOptions(root, posters=False, record_published=False)
    session = Session(jobs=1)
    try:
        engine_build(options, session=session)
        assert "MOT" in (root / "output/index.html").read_text(encoding="utf-8")
        before = path.stat()
        path.write_text("fields: HAI\n", encoding="utf-8")
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert path.stat().st_size == before.st_size
        engine_build(options, session=session)
    finally:
        session.close()
    assert "HAI" in (root / "output/index.html").read_text(encoding="utf-8")
