"""Posters: every code decodes with a real decoder, as printed and as a phone sees it."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from poster_helpers import (
    LONG_TITLE,
    PHONE_VIEWS,
    SMALL_SITE,
    decode,
    decode_with_positions,
    load,
    procedure_md,
    render_pages,
    require_tool,
    write_site,
)

from thutuc.content.model import Site
from thutuc.print.layout import FONTS_DIR, PAPERS, PosterSpec, register_fonts
from thutuc.print.posters import POSTER_DIR, poster_specs, write_posters
from thutuc.print.qr import QUIET_ZONE, qr_targets, write_qr_codes
from thutuc.site.render import render_site

DPI = 200
VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Site, Path, list[PosterSpec]]:
    root = write_site(tmp_path_factory.mktemp("site"), SMALL_SITE)
    site = load(root)
    qr_dir = root / "qr"
    write_qr_codes(site, qr_dir)
    write_posters(site, qr_dir, jobs=2)
    return site, qr_dir, poster_specs(site)


def expected_urls(spec: PosterSpec) -> set[str]:
    return {code.url for code in spec.codes}


def found(images, expected: set[str]) -> set[str]:
    texts = [t for image in images for t in decode(image)]
    return {url for url in expected if url in texts}  # byte for byte


@pytest.mark.pdf
@pytest.mark.decoder
def test_every_code_on_every_poster_decodes(built):
    require_tool("pdftoppm")
    require_tool("zxingcpp")
    _, qr_dir, specs = built
    for spec in specs:
        pages = render_pages(qr_dir / POSTER_DIR / f"{spec.name}.pdf", DPI)
        assert found(pages, expected_urls(spec)) == expected_urls(spec), spec.name


def test_every_code_points_at_a_page_the_site_has(built):
    site, _, specs = built
    pages = {page.path for page in render_site(site)}
    urls = {code.url for spec in specs for code in spec.codes}
    urls |= {target.url for target in qr_targets(site)}
    canonical = {
        p.path: re.search(rb'<link rel="canonical" href="([^"]+)"', p.content)
        for p in render_site(site)
    }
    for url in urls:
        assert url.startswith(site.config.base_url)
        path = url.removeprefix(site.config.base_url)
        assert path in pages, url
        assert canonical[path] and canonical[path][1].decode() == url  # the page's own URL


@pytest.mark.pdf
@pytest.mark.decoder
@pytest.mark.slow
@pytest.mark.parametrize("view", sorted(PHONE_VIEWS))
def test_codes_survive_a_phone_at_the_designed_distance(built, view):
    require_tool("pdftoppm")
    require_tool("zxingcpp")
    _, qr_dir, specs = built
    degrade = PHONE_VIEWS[view]
    for spec in specs:
        pages = render_pages(qr_dir / POSTER_DIR / f"{spec.name}.pdf", DPI)
        seen = [degrade(page, DPI, spec.distance_m) for page in pages]
        missing = expected_urls(spec) - found(seen, expected_urls(spec))
        assert not missing, f"{spec.name} ({spec.distance_m} m, {view}): {missing}"


def test_pages_have_the_exact_paper_size(built):
    import pypdfium2 as pdfium

    _, qr_dir, specs = built
    for spec in specs:
        document = pdfium.PdfDocument(qr_dir / POSTER_DIR / f"{spec.name}.pdf")
        for page in document:
            size = sorted(round(v, 2) for v in page.get_size())
            assert size == sorted(round(v, 2) for v in PAPERS[spec.paper]), spec.name
        document.close()


def test_font_covers_every_vietnamese_letter():
    from reportlab.pdfbase.ttfonts import TTFont

    letters = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper()
    # 12 vowels x 6 tones + 17 consonants, in each case
    assert unicodedata.is_normalized("NFC", letters) and len(set(letters)) == 2 * 89
    for name in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"):
        cmap = TTFont("check", str(FONTS_DIR / name)).face.charToGlyph
        missing = [ch for ch in letters if ord(ch) not in cmap]
        assert not missing, f"{name} lacks {missing}"


def test_fonts_are_embedded_and_subset(built):
    register_fonts()
    _, qr_dir, _ = built
    out = subprocess.run(
        ["pdffonts", str(qr_dir / POSTER_DIR / "the-1.001193.pdf")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        pytest.skip("pdffonts unavailable")
    fonts = out.stdout.splitlines()[2:]
    assert fonts and all(" yes yes " in line for line in fonts), out.stdout  # emb, sub


@pytest.mark.pdf
def test_pdftotext_returns_the_nfc_vietnamese_title(built):
    require_tool("pdftotext")
    _, qr_dir, specs = built
    for spec in specs:
        if spec.kind not in ("card", "leaflet"):
            continue
        pdf = qr_dir / POSTER_DIR / f"{spec.name}.pdf"
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True
        ).stdout
        assert unicodedata.is_normalized("NFC", text)
        assert spec.title in " ".join(text.split()), spec.name


def _word_boxes(pdf: Path) -> list[tuple[int, str, tuple[float, ...]]]:
    """(page, word, box in points) from pdftotext -bbox."""
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


@pytest.mark.pdf
@pytest.mark.decoder
@pytest.mark.parametrize("prefix", ["the-", "to-roi-", "nhan-dan"])
def test_a_200_character_title_wraps_clear_of_the_code(built, prefix):
    require_tool("pdftotext")
    require_tool("zxingcpp")
    _, qr_dir, specs = built
    spec = next(s for s in specs if s.name.startswith(prefix) and LONG_TITLE in str(s))
    pdf = qr_dir / POSTER_DIR / f"{spec.name}.pdf"
    words = _word_boxes(pdf)
    text = " ".join(w for _, w, _ in words)
    assert all(word in text for word in LONG_TITLE.split()), "a word of the title is missing"
    scale = 72 / DPI
    for number, image in enumerate(render_pages(pdf, DPI), 1):
        for decoded, box in decode_with_positions(image):
            left, top, right, bottom = (v * scale for v in box)
            quiet = QUIET_ZONE * spec.module_pt - 1  # 1 pt for rasterising and glyph boxes
            keep_out = (left - quiet, top - quiet, right + quiet, bottom + quiet)
            for page, word, (x0, y0, x1, y1) in words:
                overlap = x0 < keep_out[2] and x1 > keep_out[0] and y0 < keep_out[3]
                assert not (page == number and overlap and y1 > keep_out[1]), (decoded, word)


def test_two_builds_are_byte_identical(tmp_path):
    site = load(write_site(tmp_path / "site", SMALL_SITE))
    first, second = tmp_path / "a", tmp_path / "b"
    for qr_dir in (first, second):
        write_qr_codes(site, qr_dir)
        write_posters(site, qr_dir, jobs=2)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_unchanged_posters_are_reused_and_changed_ones_redrawn(tmp_path, caplog):
    root = write_site(tmp_path / "site", SMALL_SITE)
    first, second, third = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write_posters(load(root), first, jobs=2)
    caplog.set_level(logging.INFO, logger="thutuc.print.posters")
    write_posters(load(root), second, previous_qr_dir=first, jobs=2)
    assert "vẽ 0," in caplog.text
    for pdf in (first / POSTER_DIR).glob("*.pdf"):
        assert pdf.stat().st_mtime_ns == (second / POSTER_DIR / pdf.name).stat().st_mtime_ns

    path = root / "procedures/ho-tich/ket-hon.md"
    path.write_text(path.read_text().replace("Đăng ký kết hôn", "Đăng ký kết hôn (sửa)"))
    write_posters(load(root), third, previous_qr_dir=second, jobs=2)
    redrawn = {
        p.name for p in (third / POSTER_DIR).glob("*.pdf")
        if p.stat().st_mtime_ns != (second / POSTER_DIR / p.name).stat().st_mtime_ns
    }  # fmt: skip
    assert redrawn == {
        "the-1.000894.pdf",
        "to-roi-1.000894.pdf",
        "ap-phich-ho-tich.pdf",
        "nhan-dan.pdf",
    }
    manifest = json.loads((third / "manifest.json").read_text())
    assert {r["name"] for r in manifest["posters"]} == {s.name for s in poster_specs(load(root))}


def test_contact_sheet_lists_every_poster_and_code_escaped(tmp_path):
    files = dict(SMALL_SITE)
    files["site.yml"] = files["site.yml"].replace("Xã Hòa Bình\n", "Xã <b>Hòa</b> Bình\n", 1)
    site = load(write_site(tmp_path / "site", files))
    write_posters(site, tmp_path / "qr", jobs=1)
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
    kinds = {s.kind: s.distance_m for s in specs}
    assert kinds["board"] >= 1.0 and kinds["card"] >= 0.4 and kinds["stickers"] >= 0.3


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
    assert f"qr/ap-phich/ap-phich-{folder}.pdf" in report, report
    assert "chỉ quét được từ khoảng" in report and "thay vì 1,5 m" in report
    assert (tmp_path / "q" / "ap-phich" / f"ap-phich-{folder}.pdf").is_file()


def test_a_board_with_many_fields_takes_the_fewest_sheets_the_floor_allows(make_site) -> None:
    """Nine fields: at the robust size an A3 board takes 5 sheets; codes between the
    robust size and the 2.2 mm/m floor take fewer, and no warning is given."""
    from thutuc.print.layout import MM_PER_METRE
    from thutuc.print.posters import NOMINAL_MM_PER_METRE, board_spec, fitted, sheets

    names = [
        "ho-tich",
        "chung-thuc",
        "dat-dai",
        "van-hoa",
        "giam-ngheo",
        "bao-tro",
        "ton-giao",
        "nong-nghiep",
        "con-nuoi",
    ]
    files = {}
    for n, name in enumerate(names):
        files[f"procedures/{name}/_index.md"] = f"---\ntitle: Lĩnh vực {n}\n---\n"
        files[f"procedures/{name}/a.md"] = procedure_md(f"1.00{n:04d}", f"Thủ tục {n}")
    site = load(make_site(files))
    declared = board_spec(site, "A3", "M")
    board = fitted(declared)
    assert sheets(board) < sheets(declared)
    floor = declared.distance_m * NOMINAL_MM_PER_METRE / MM_PER_METRE
    assert floor <= board.distance_m < declared.distance_m
