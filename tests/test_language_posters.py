"""Posters in a language (site.yml `languages:` with `posters: true` or `bilingual`):
the field board and the cards of translated procedures, with real parts: codes
decoded with zxing-cpp from pdftoppm's rendering and compared with the language
page's address byte for byte, pdffonts, pdftotext, the engine's incremental build."""

from __future__ import annotations

import re
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import files_of, write_files
from poster_helpers import (
    LONG_TITLE,
    SMALL_SITE,
    canonical_links,
    colour_operators,
    decode,
    dpi_for,
    page_boxes,
    pdf_text,
    print_build,
    print_problems,
    render_pages,
    require_tool,
    web_of,
    write_site,
)

from thutuc.engine.pipeline import BuildOptions, build, check
from thutuc.print.layout import PosterSpec
from thutuc.print.posters import POSTER_DIR, poster_specs

# A short Tai Viet and a Khmer string, for fonts and shaping only (not sample content,
# as in tests/test_languages.py): Tai Viet letters ko, kho, ngo; Khmer "ខ្មែរ".
TAI_VIET = "\uaa80\uaa82\uaa89"
KHMER = "ខ្មែរ"
LANGUAGES = textwrap.dedent(
    """\
    languages:
      - code: en
        name: English
        posters: true
        site:
          name: Hoa Binh Commune
          address: 1 Trung Tam Street, Binh An village, Hoa Binh Commune
      - code: km
        name: ភាសាខ្មែរ
        posters: bilingual
      - code: blt
        name: Tai Dam
        posters: true
      - code: tyz
        name: Tày
    """
)


def translation(title: str, extra: str = "") -> str:
    return f'---\ntitle: "{title}"\n{extra}updated: 2025-07-01\n---\n'


ENGLISH = translation(
    "Registering a birth",
    "documents:\n  - Birth registration form\n  - Birth notice from the clinic\n"
    "processing_time: Same day\nfee: Free if registered within 60 days\n",
)


def language_site(root: Path, extra: dict[str, str] | None = None) -> Path:
    files = dict(SMALL_SITE)
    files["site.yml"] += LANGUAGES
    files.update(
        {
            "procedures/ho-tich/_index.en.md": "---\ntitle: Civil status\n---\n",
            "procedures/ho-tich/_index.km.md": f"---\ntitle: {KHMER}\n---\n",
            "procedures/ho-tich/khai-sinh.en.md": ENGLISH,
            "procedures/ho-tich/khai-sinh.km.md": translation(KHMER, f"documents: [{KHMER}]\n"),
            "procedures/ho-tich/khai-sinh.blt.md": translation(TAI_VIET),
            "procedures/ho-tich/khai-sinh.tyz.md": translation("Tày"),  # no posters: false
        }
    )
    files.update(extra or {})
    return write_site(root, files)


def load(root: Path):
    """The site as the engine loads it, translations included."""
    project, problems = check(BuildOptions(root))
    assert project is not None and not problems.errors, problems.report()
    return project.sites[0]


def language_specs(specs: list[PosterSpec]) -> list[PosterSpec]:
    return [s for s in specs if s.lang]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = language_site(tmp_path_factory.mktemp("site"))
    qr_dir = print_build(root)
    site = load(root)
    return site, qr_dir, poster_specs(site)


def pdf_of(qr_dir: Path, spec: PosterSpec) -> Path:
    return qr_dir / POSTER_DIR / f"{spec.name}.pdf"


# --- which posters, named how ---------------------------------------------------------------


def test_each_language_that_prints_gets_its_boards_and_the_cards_it_translates(built):
    _, qr_dir, specs = built
    names = {s.name for s in language_specs(specs)}
    boards = {"bang-linh-vuc-A4", "bang-linh-vuc-A3", "bang-linh-vuc-hang-in"}
    expected = {f"{b}.{lang}" for b in boards for lang in ("en", "km", "blt")}
    expected |= {"the-1.001193.en", "the-1.001193.km", "the-1.001193.blt"}
    fields = ("ho-tich", "chung-thuc", "dat-dai")  # translated or not, as the pages are
    expected |= {f"ap-phich-{f}.{lang}" for f in fields for lang in ("en", "km", "blt")}
    assert names == expected  # no tyz (no posters:), no card of the untranslated 1.000894
    for name in expected:
        assert (qr_dir / POSTER_DIR / f"{name}.pdf").is_file()
        assert (qr_dir / "xem-truoc" / f"{name}.png").is_file()
    sheet = (qr_dir / "index.html").read_text(encoding="utf-8")
    for name in expected:
        assert f'href="{POSTER_DIR}/{name}.pdf"' in sheet, name
    # the procedures left without a card in a language are named, with the file to write
    assert "procedures/ho-tich/ket-hon.en.md" in sheet and "1.000894" in sheet


def test_a_language_without_posters_prints_nothing(tmp_path):
    root = language_site(tmp_path / "site")
    site_yml = (root / "site.yml").read_text().replace("posters: true", "posters: false")
    site_yml = site_yml.replace("    posters: bilingual\n", "")
    (root / "site.yml").write_text(site_yml)
    assert language_specs(poster_specs(load(root))) == []


@pytest.mark.parametrize(
    ("value", "words"),
    [("maybe", "'maybe'"), ("2", "'2'"), ("[en]", "không phải true")],
)
def test_a_wrong_posters_value_is_an_error_on_its_line(tmp_path, value, words):
    root = language_site(tmp_path / "site")
    text = (root / "site.yml").read_text().replace("posters: bilingual", f"posters: {value}")
    (root / "site.yml").write_text(text)
    [error] = check(BuildOptions(root))[1].errors
    line = text.splitlines().index(f"    posters: {value}") + 1
    assert (error.file, error.line) == ("site.yml", line)
    assert "posters" in error.message and "km" in error.message and words in error.message
    assert "bilingual" in error.hint and "người bản ngữ" in error.hint


# --- codes and addresses ------------------------------------------------------------------------


@pytest.mark.pdf
@pytest.mark.decoder
def test_every_code_decodes_to_the_language_page_s_address_byte_for_byte(built):
    require_tool("pdftoppm")
    require_tool("zxingcpp")
    site, qr_dir, specs = built
    canonical = canonical_links(web_of(qr_dir))
    for spec in language_specs(specs):
        codes = [*spec.codes, *([spec.contact] if spec.contact else [])]
        module = min(c.distance_m or spec.distance_m for c in codes) * 2.9
        pages = render_pages(pdf_of(qr_dir, spec), dpi_for(module))
        decoded = {text for page in pages for text in decode(page)}
        for code in codes:
            assert code.payload in decoded, (spec.name, code.payload[:60])  # exact bytes
        for code in (c for c in spec.codes if c.kind == "url"):
            prefix = f"{site.config.base_url}{spec.lang}/"
            assert code.payload.startswith(prefix) and code.payload == code.payload.lower()
            path = code.payload.removeprefix(site.config.base_url)
            assert path in canonical, (spec.name, path)  # a page of the language
            slug = path.removeprefix(f"{spec.lang}/").strip("/")
            if spec.kind == "card" or (spec.lang, slug) in site.field_translations:
                # a translated page's own address; an untranslated one's page (Vietnamese
                # under a notice in the language) names the Vietnamese page as canonical
                assert canonical[path] == code.payload, (spec.name, canonical[path])


def test_the_no_signal_code_of_a_card_is_in_its_language(built):
    _, _, specs = built
    card = next(s for s in specs if s.name == "the-1.001193.en")
    text = next(c.payload for c in card.codes if c.kind == "text")
    assert text.splitlines()[0] == "Registering a birth"
    assert "Papers: Birth registration form" in text and "Fee: Free if registered" in text
    assert "Checked on 01/07/2025" in text and len(text.encode()) <= 300
    assert "Giấy tờ" not in text


@pytest.mark.pdf
def test_every_code_has_its_language_address_under_it_and_labels_in_the_language(built):
    require_tool("pdftotext")
    _, qr_dir, specs = built
    for spec in language_specs(specs):
        text = pdf_text(pdf_of(qr_dir, spec))
        flat = text.replace(" ", "").replace("\n", "")
        for code in (c for c in spec.codes if c.kind == "url"):
            assert code.payload.removeprefix("https://") in flat, (spec.name, code.payload)
    board = pdf_text(qr_dir / POSTER_DIR / "bang-linh-vuc-A4.en.pdf")
    for words in ("Hoa Binh Commune", "Scan a QR code", "Civil status", "2 procedures"):
        assert words in board, words
    assert "Hotline: 0209 3000 000" in board and "Address: 1 Trung Tam Street" in board
    card = pdf_text(qr_dir / POSTER_DIR / "the-1.001193.en.pdf")
    for words in ("Registering a birth", "How long it takes: Same day", "Papers to bring"):
        assert words in card, words
    assert "No signal? Scan this code" in card and "Giấy tờ" not in card
    field = pdf_text(qr_dir / POSTER_DIR / "ap-phich-ho-tich.en.pdf")
    for words in ("Hoa Binh Commune", "Civil status", "Scan the code", "Procedures (2)"):
        assert words in field, (words, field)
    assert "Registering a birth (1.001193)" in field  # translated
    assert "Đăng ký kết hôn (1.000894)" in field  # not translated: as its page shows it
    assert "Hotline: 0209 3000 000" in field and "Quét mã" not in field


@pytest.mark.pdf
def test_a_bilingual_poster_shows_the_vietnamese_first_then_the_language(built):
    require_tool("pdftotext")
    _, qr_dir, _ = built
    card = pdf_text(qr_dir / POSTER_DIR / "the-1.001193.km.pdf")
    assert card.index("Đăng ký khai sinh") < card.index("Tờ khai theo mẫu")
    # km has no strings file: its labels fall back to Vietnamese, and it says what is untranslated
    assert "Một số phần chưa được dịch sang" in card
    board = pdf_text(qr_dir / POSTER_DIR / "bang-linh-vuc-A4.km.pdf")
    assert "Hộ tịch" in board and "km/ho-tich" in board.replace("\n", "")
    field = pdf_text(qr_dir / POSTER_DIR / "ap-phich-ho-tich.km.pdf")
    assert field.index("Hộ tịch") < field.index("Quét mã") and "km/ho-tich" in field
    assert "Đăng ký khai sinh /" in field  # the Vietnamese title, then the Khmer


def test_posters_in_a_language_are_pure_black_with_a_trim_box(built):
    site, qr_dir, specs = built
    shop = language_specs(poster_specs(site, print_shop=True))
    assert shop and all(s.print_shop for s in shop)  # bleed and crop marks like the others
    for spec in language_specs(specs):
        for operator, operands in colour_operators(pdf_of(qr_dir, spec)):
            assert operator in ("k", "K") and operands[:3] == (0.0, 0.0, 0.0), spec.name
        width, height = spec.page_size
        for boxes in page_boxes(pdf_of(qr_dir, spec)):
            assert boxes["trim"] == (0.0, 0.0, round(width, 2), round(height, 2)), spec.name
    papers = {s.name: s.paper for s in language_specs(specs) if s.kind == "card"}
    assert papers == {"the-1.001193.en": "A5", "the-1.001193.km": "A4", "the-1.001193.blt": "A5"}


# --- scripts and fonts ------------------------------------------------------------------------


@pytest.mark.pdf
def test_khmer_and_tai_viet_print_in_embedded_noto_fonts(built):
    require_tool("pdffonts")
    require_tool("pdftotext")
    site, qr_dir, specs = built
    for spec in language_specs(specs):
        out = subprocess.run(
            ["pdffonts", str(pdf_of(qr_dir, spec))], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        assert out, spec.name
        for line in out:  # name type encoding emb sub uni
            assert line.split()[-5:-2] == ["yes", "yes", "yes"], (spec.name, line)
    fonts = {
        name: subprocess.run(["pdffonts", str(qr_dir / POSTER_DIR / f"{name}.pdf")],
                             capture_output=True, text=True).stdout
        for name in ("the-1.001193.km", "the-1.001193.blt", "bang-linh-vuc-A4.km")
    }  # fmt: skip
    assert (
        "NotoSansKhmer" in fonts["the-1.001193.km"]
        and "NotoSansKhmer" in fonts["bang-linh-vuc-A4.km"]
    )
    assert "NotoSansTaiViet" in fonts["the-1.001193.blt"]
    assert TAI_VIET in pdf_text(qr_dir / POSTER_DIR / "the-1.001193.blt.pdf")
    # shaped Khmer comes back from pdftotext in visual order: its letters are all there
    khmer = pdf_text(qr_dir / POSTER_DIR / "the-1.001193.km.pdf")
    assert all(ch in khmer for ch in "ខែរ"), khmer
    assert not [p for p in print_problems(site.root, qr_dir) if "phông chữ" in p.message]


# --- one sheet whatever the number of fields and the length of titles ---------------------------


def many_fields_site(root: Path, count: int, title: str = "") -> Path:
    from thutuc.content.text import slugify

    files = {"site.yml": SMALL_SITE["site.yml"] + LANGUAGES}
    for n in range(count):
        name = f"Lĩnh vực số {n + 1}"
        slug = slugify(name)
        files[f"procedures/{slug}/_index.md"] = f"---\ntitle: {name}\norder: {n}\n---\n"
        english = title or f"Area number {n + 1}"
        files[f"procedures/{slug}/_index.en.md"] = f'---\ntitle: "{english}"\n---\n'
        files[f"procedures/{slug}/_index.km.md"] = f'---\ntitle: "{KHMER} {n + 1}"\n---\n'
        code = f"1.{n:03d}001"
        files[f"procedures/{slug}/t.md"] = SMALL_SITE["procedures/ho-tich/khai-sinh.md"].replace(
            "1.001193", code
        )
        files[f"procedures/{slug}/t.en.md"] = translation(title or f"Procedure {n + 1}")
        files[f"procedures/{slug}/t.km.md"] = translation(f"{KHMER} {title}")
    return write_site(root, files)


@pytest.mark.pdf
@pytest.mark.parametrize(("count", "title"), [(1, ""), (30, ""), (3, LONG_TITLE * 3)])
def test_language_boards_and_cards_stay_on_one_sheet(tmp_path, count, title):
    """Boards and cards: one sheet. A field poster whose list is too long for one sheet
    goes on to a second, numbered in the poster's language."""
    require_tool("pdftoppm")
    require_tool("pdftotext")
    require_tool("zxingcpp")
    from thutuc.print.posters import render_poster

    site = load(many_fields_site(tmp_path / "site", count, title))
    specs = [s for s in language_specs(poster_specs(site)) if s.lang in ("en", "km")]
    assert len([s for s in specs if s.kind == "board"]) == 6
    for spec in specs if count < 30 else [s for s in specs if s.kind == "board"]:
        pdf = tmp_path / f"{spec.name}.pdf"
        pages = render_poster(spec, pdf, tmp_path / f"{spec.name}.png")
        if spec.kind == "field" and title:  # a list flows on, as on the Vietnamese poster
            assert pages == len(render_pages(pdf, 20)) == 2, (spec.name, pages)
            text = pdf_text(pdf)
            number = "Page 2" if spec.lang == "en" else "Trang 2"
            assert number in text, text
            # the sheet says whose list it continues, in the poster's language (Khmer's
            # shaped glyphs do not come back as text from the PDF: English only)
            if spec.lang == "en":
                named = " ".join(f"{spec.title} · {number}".split())
                assert named in " ".join(text.split()), text
            assert spec.lang != "en" or "Trang" not in text
            continue
        assert pages == 1, (spec.name, pages)
        assert len(render_pages(pdf, 20)) == 1
    board = next(s for s in specs if s.name == "bang-linh-vuc-A4.km")
    pdf = tmp_path / f"{board.name}.pdf"
    decoded = set(decode(render_pages(pdf, dpi_for(board.distance_m * 2.9))[0]))
    assert {c.payload for c in board.codes} <= decoded


# --- the engine: incremental like every poster --------------------------------------------------


def test_editing_the_english_translation_redraws_only_english_posters(tmp_path):
    root = language_site(tmp_path / "site")
    options = BuildOptions(root, jobs=1, record_published=False)
    build(options)
    qr = root / "qr"
    before = {p: (qr / p).stat().st_ino for p in files_of(qr)}
    build(options)  # nothing changed: every file kept
    assert {p for p in files_of(qr) if (qr / p).stat().st_ino != before.get(p)} == set()
    path = root / "procedures/ho-tich/khai-sinh.en.md"
    path.write_text(path.read_text().replace("Same day", "Same working day"))
    build(options)
    changed = {p for p in files_of(qr) if (qr / p).stat().st_ino != before.get(p)}
    posters = {p for p in changed if p.startswith((f"{POSTER_DIR}/", "xem-truoc/"))}
    assert f"{POSTER_DIR}/the-1.001193.en.pdf" in posters
    assert all(".en." in p for p in posters), posters
    assert changed - posters <= {"index.html", "manifest.json"}, changed


def test_editing_the_strings_file_of_a_language_redraws_its_posters(tmp_path):
    """The words come from templates/strings/<lang>.yml: an edit shows on the next build.
    (The engine's poster keys hold the digest of the site's whole templates/ folder,
    so a strings edit redraws the other posters too: the same as any template edit.)"""
    require_tool("pdftotext")
    root = language_site(tmp_path / "site")
    options = BuildOptions(root, jobs=1, record_published=False)
    build(options)
    write_files(root, {"templates/strings/km.yml": "print_headline: Scan a code (km test)\n"})
    build(options)
    board = pdf_text(root / "qr" / POSTER_DIR / "bang-linh-vuc-A4.km.pdf")
    assert "Scan a code (km test)" in board and "Quét mã QR để tra cứu" in board  # bilingual
    assert "km test" not in pdf_text(root / "qr" / POSTER_DIR / "bang-linh-vuc-A4.en.pdf")


def test_check_names_the_missing_poster_words_only_for_a_language_that_prints(tmp_path):
    root = language_site(tmp_path / "site")
    write_files(
        root,
        {
            "templates/strings/km.yml": "home: ទំព័រដើម\n",
            "templates/strings/tyz.yml": "home: Tày\n",
        },
    )
    from thutuc.site.strings import VIETNAMESE_PRINT_ONLY, own_strings

    warnings = {w.file: w.message for w in check(BuildOptions(root))[1].warnings}
    count = {
        lang: int(re.search(r"thiếu (\d+) khóa", warnings[f"templates/strings/{lang}.yml"])[1])
        for lang in ("km", "tyz")
    }
    printed = [
        k
        for k in own_strings(root, "vi")
        if k.startswith("print_") and k not in VIETNAMESE_PRINT_ONLY
    ]
    assert len(printed) >= 15
    assert count["km"] - count["tyz"] == len(printed)  # km prints (bilingual), tyz does not


@pytest.mark.parametrize(
    ("file", "text", "told"),
    [
        ("procedures/ho-tich/khai-sinh.en.md", "Registering a birth", True),
        ("procedures/ho-tich/_index.en.md", "Civil status", True),
        ("site.yml", "name: Hoa Binh Commune", True),
        ("templates/strings/en.yml", "print_headline: Scan a code", True),
        ("procedures/ho-tich/khai-sinh.tyz.md", "Tày", False),  # Tày prints no posters
        ("templates/strings/en.yml", "home: Home", False),  # a page's word, not a poster's
        # Khmer is bilingual: its posters print the Vietnamese words beside its own
        ("templates/strings/vi.yml", "print_headline: Quét mã", True),
    ],
)
def test_a_character_no_font_draws_in_a_translation_is_told_on_its_file(tmp_path, file, text, told):
    """The posters of a language print its translations, its site.yml texts and its
    own strings: a character no font draws is named once, on the file that has it."""
    root = language_site(tmp_path / "site")
    path = root / file
    if path.exists():
        source = path.read_text("utf-8")
        assert text in source
        path.write_text(source.replace(text, text + " 🍼", 1), "utf-8")
    else:  # the site's own words, over the bundled ones
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + " 🍼\n", "utf-8")
    problems = [p for p in print_problems(root, tmp_path / "qr") if "phông chữ" in p.message]
    assert [p.file for p in problems] == ([file] if told else [])
    if told:
        lines = path.read_text("utf-8").splitlines()
        assert problems[0].line == next(n for n, line in enumerate(lines, 1) if "🍼" in line)
