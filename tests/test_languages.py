"""Pages in more languages: languages: in site.yml, translations beside their source,
addresses, hreflang, the sitemap, search per language, notices, stale translations,
fonts only where a script is shown. (In the browser: tests/test_reach_browser.py.)"""

from __future__ import annotations

import json
import os
import re
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import files_of, write_files

from thutuc.engine.pipeline import BuildOptions, build, check
from thutuc.problems import BuildFailed, Problems
from thutuc.site.fonts import SCRIPT_FONTS

EN = "languages:\n  - code: en\n    name: English\n    site:\n      name: Thu Commune\n"
TRANSLATION = textwrap.dedent(
    """\
    ---
    title: Registering a birth
    documents:
      - Birth registration form
      - Birth notice
    fee: Free if on time
    updated: 2025-07-01
    ---
    ## Steps

    1. Hand in the papers.
    """
)
# A short Tai Viet and a Khmer string, for fonts and shaping only (not sample content):
# Tai Viet letters ko, kho, ngo; Khmer "ខ្មែរ" (khmer: a subscript consonant and a vowel sign).
TAI_VIET = "\uaa80\uaa82\uaa89"
KHMER = "ខ្មែរ"


def with_english(make_site, extra: dict[str, str | None] | None = None) -> Path:
    site_yml = (
        "name: Xã Thử\nbase_url: https://thu.example.vn/\nhotline: 0209 3 123 456\n"
        "stale_after_months: 0\n" + EN
    )
    files: dict[str, str | None] = {
        "site.yml": site_yml,
        "procedures/ho-tich/khai-sinh.en.md": TRANSLATION,
        "procedures/ho-tich/_index.en.md": "---\ntitle: Civil status\n---\nBirths and marriages.\n",
        "procedures/ho-tich/ket-hon.md": '---\ncode: "1.000894"\ntitle: Đăng ký kết hôn\n'
        "documents: [Tờ khai]\nprocessing_time: Trong ngày\nfee: Miễn phí\n---\nHai người cùng đến.\n",
    }
    files.update(extra or {})
    return make_site(files)


def built(root: Path) -> Path:
    build(BuildOptions(root, posters=False, record_published=False))
    return root / "output"


def page(out: Path, path: str) -> str:
    return (out / path / "index.html").read_text(encoding="utf-8")


def problems_of(root: Path) -> Problems:
    _, problems = check(BuildOptions(root))
    return problems


# --- languages: in site.yml ---------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("blu", "hnj"),  # not a registered tag: the message says what to write
        ("xx", "không phải mã ngôn ngữ đã đăng ký"),
        ("vi", "tiếng gốc"),
        ("en_US", "không phải mã ngôn ngữ đã đăng ký"),
    ],
)
def test_a_language_code_must_be_a_registered_bcp47_tag(make_site, code: str, words: str) -> None:
    site_yml = f"name: Xã Thử\nbase_url: https://thu.example.vn/\nlanguages:\n  - code: {code}\n    name: X\n"
    problems = problems_of(make_site({"site.yml": site_yml}))
    [error] = problems.errors
    assert error.file == "site.yml" and error.line == 3
    assert words in error.message + error.hint


@pytest.mark.parametrize(
    "code",
    ["en", "hnj", "mww", "blt", "twh", "tyz", "nut", "km", "cjm", "rad", "jra", "bdq", "blt-Tavt"],
)
def test_the_languages_of_vietnam_are_accepted(make_site, code: str) -> None:
    site_yml = f"name: Xã Thử\nbase_url: https://thu.example.vn/\nlanguages:\n  - code: {code}\n    name: X\n"
    assert not problems_of(make_site({"site.yml": site_yml})).errors


def test_a_language_needs_its_name(make_site) -> None:
    site_yml = "name: Xã Thử\nbase_url: https://thu.example.vn/\nlanguages:\n  - code: en\n"
    [error] = problems_of(make_site({"site.yml": site_yml})).errors
    assert "thiếu name" in error.message


# --- translations ----------------------------------------------------------------------


def test_every_page_exists_in_english_at_its_address(make_site) -> None:
    out = built(with_english(make_site))
    for path in ("", "ho-tich/", "1.001193/", "1.000894/", "a-z/", "lien-he/"):
        assert '<html lang="vi">' in page(out, path)
        assert '<html lang="en">' in page(out, "en/" + path)
    assert (out / "en/offline/index.html").is_file() and (out / "en/404.html").is_file()


def test_a_translation_inherits_the_code_and_every_key_it_does_not_set(make_site) -> None:
    html = page(built(with_english(make_site)), "en/1.001193/")
    assert "<h1>Registering a birth</h1>" in html
    assert "Procedure code: 1.001193" in html  # the code from the Vietnamese file
    assert "Free if on time" in html  # its own fee
    # processing_time and methods are the Vietnamese file's, marked as Vietnamese
    assert re.search(r'<dd lang="vi">Trong ngày</dd>', html), html
    assert "<strong>In person</strong>" in html  # interface words in English
    assert "Some parts are not in English yet" in html
    assert "Thu Commune" in html  # site.yml's name in English


def test_an_untranslated_page_shows_the_vietnamese_under_a_notice(make_site) -> None:
    out = built(with_english(make_site))
    html = page(out, "en/1.000894/")
    assert '<html lang="en">' in html and '<main id="noi-dung" lang="vi">' in html
    assert '<div class="notice" lang="en"><p>This page is not in English yet.' in html
    assert "<h1>Đăng ký kết hôn</h1>" in html
    # indexed as the Vietnamese page, never as an English one
    assert '<link rel="canonical" href="https://thu.example.vn/1.000894/">' in html
    assert 'hreflang="en"' not in html.split("</head>")[0]
    # lists in English mark what is still Vietnamese
    assert '<a href="../1.000894/" lang="vi">Đăng ký kết hôn</a>' in page(out, "en/ho-tich/")


def test_hreflang_links_only_real_versions(make_site) -> None:
    out = built(with_english(make_site))
    head = page(out, "1.001193/").split("</head>")[0]
    assert '<link rel="alternate" hreflang="vi" href="https://thu.example.vn/1.001193/">' in head
    assert '<link rel="alternate" hreflang="en" href="https://thu.example.vn/en/1.001193/">' in head
    assert (
        '<link rel="alternate" hreflang="x-default" href="https://thu.example.vn/1.001193/">'
        in head
    )
    assert "hreflang" not in page(out, "1.000894/").split("</head>")[0]  # no translation


def test_the_switcher_goes_to_the_same_page(make_site) -> None:
    out = built(with_english(make_site))
    assert '<a href="../en/1.001193/" hreflang="en" lang="en">English</a>' in page(out, "1.001193/")
    assert '<a href="../../1.001193/" hreflang="vi" lang="vi">Tiếng Việt</a>' in page(
        out, "en/1.001193/"
    )
    assert '<a href="en/" hreflang="en" lang="en">English</a>' in page(out, "")
    assert '<a href="../" hreflang="vi" lang="vi">Tiếng Việt</a>' in page(out, "en/")


def test_the_sitemap_lists_alternates_and_leaves_out_fallbacks(make_site) -> None:
    sitemap = (built(with_english(make_site)) / "sitemap.xml").read_text()
    assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in sitemap
    entry = re.search(r"<url><loc>https://thu.example.vn/1.001193/</loc>(.*?)</url>", sitemap, re.S)
    assert entry and 'hreflang="en" href="https://thu.example.vn/en/1.001193/"' in entry.group(1)
    assert "<loc>https://thu.example.vn/en/1.001193/</loc>" in sitemap
    assert "<loc>https://thu.example.vn/en/1.000894/</loc>" not in sitemap  # a fallback


def test_a_search_index_per_language(make_site) -> None:
    out = built(with_english(make_site))
    english = json.loads((out / "en/search.json").read_text())
    titles = {p[1] for p in english["p"]}
    assert titles == {"Registering a birth", "Đăng ký kết hôn"}  # untranslated: Vietnamese
    assert "z" not in english  # Latin letters: folded
    assert 'data-index="../search.json"' in page(out, "en/a-z/")


def test_a_language_in_another_script_is_searched_without_folding(make_site) -> None:
    site_yml = "name: Xã Thử\nbase_url: https://thu.example.vn/\nlanguages:\n  - code: km\n    name: ភាសាខ្មែរ\n"
    km = TRANSLATION.replace("Registering a birth", f"{KHMER} ចុះបញ្ជី").replace(
        "updated: 2025-07-01\n", "keywords: [ចុះបញ្ជីកំណើត]\nupdated: 2025-07-01\n"
    )
    out = built(make_site({"site.yml": site_yml, "procedures/ho-tich/khai-sinh.km.md": km}))
    index = json.loads((out / "km/search.json").read_text())
    assert index["z"] == 0
    [entry] = [p for p in index["p"] if p[0] == "1.001193/"]
    assert "ចុះបញ្ជីកំណើត" in entry[4]  # the subscript sign (a combining mark) is kept


def test_an_unknown_language_suffix_is_a_warning_not_a_duplicate_code(make_site) -> None:
    root = make_site({"procedures/ho-tich/khai-sinh.fr.md": TRANSLATION})
    problems = problems_of(root)
    assert not problems.errors
    [warning] = [p for p in problems.warnings if p.file.endswith("khai-sinh.fr.md")]
    assert "'fr'" in warning.message and "languages:" in warning.hint


def test_a_translation_may_not_change_the_code_or_retire_the_procedure(make_site) -> None:
    bad = TRANSLATION.replace(
        "---\ntitle:", '---\ncode: "1.000894"\nretired: 2025-07-01\ntitle:', 1
    )
    problems = problems_of(with_english(make_site, {"procedures/ho-tich/khai-sinh.en.md": bad}))
    [error] = problems.errors
    assert "khác mã 1.001193" in error.message and error.line == 2
    assert any("'retired'" in w.message for w in problems.warnings)


def test_a_translation_without_the_facts_residents_need_is_warned(make_site) -> None:
    thin = "---\ntitle: Registering a birth\n---\n"
    problems = problems_of(with_english(make_site, {"procedures/ho-tich/khai-sinh.en.md": thin}))
    [warning] = [w for w in problems.warnings if w.file.endswith("khai-sinh.en.md")]
    assert "giấy tờ (documents)" in warning.message and "lệ phí (fee)" in warning.message


def test_a_translation_older_than_its_source_is_flagged_and_says_so(make_site) -> None:
    old = TRANSLATION.replace("updated: 2025-07-01", "updated: 2025-01-15")
    root = with_english(make_site, {"procedures/ho-tich/khai-sinh.en.md": old})
    [warning] = [w for w in problems_of(root).warnings if "cũ hơn" in w.message]
    assert warning.file == "procedures/ho-tich/khai-sinh.en.md"
    assert "01/07/2025" in warning.message and "15/01/2025" in warning.message
    html = page(built(root), "en/1.001193/")
    assert "This translation may be out of date" in html and "Fees and papers" in html
    assert '<a href="../../1.001193/" hreflang="vi" lang="vi">Read the Vietnamese page</a>' in html
    assert "out of date" not in page(built(with_english(make_site)), "en/1.001193/")


def git(root: Path, *args: str, date: str = "") -> None:
    """git as user t, its commits dated `date` when given."""
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else None
    who = ["-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", *who, *args], cwd=root, check=True, capture_output=True, env=env)


def test_without_updated_the_git_dates_decide(make_site) -> None:
    undated = TRANSLATION.replace("updated: 2025-07-01\n", "")
    source = "procedures/ho-tich/khai-sinh.md"
    root = with_english(make_site, {"procedures/ho-tich/khai-sinh.en.md": undated})
    (root / source).write_text((root / source).read_text().replace("updated: 2025-07-01\n", ""))
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "a", date="2025-03-01T10:00:00")
    assert not [w for w in problems_of(root).warnings if "cũ hơn" in w.message]
    (root / source).write_text((root / source).read_text().replace("Nộp hồ sơ.", "Nộp hồ sơ ở xã."))
    git(root, "commit", "-qam", "b", date="2025-05-02T10:00:00")
    [warning] = [w for w in problems_of(root).warnings if "cũ hơn" in w.message]
    assert "02/05/2025" in warning.message and "01/03/2025" in warning.message


def test_a_field_translation_gives_its_title_and_description(make_site) -> None:
    out = built(with_english(make_site))
    html = page(out, "en/ho-tich/")
    assert "<h1>Civil status</h1>" in html and "Births and marriages." in html
    assert ">Civil status<small>2 procedures</small>" in page(out, "en/")


def test_english_addresses_are_published_and_must_keep_working(make_site) -> None:
    root = with_english(make_site)
    build(BuildOptions(root, posters=False))
    published = (root / "published-urls.txt").read_text()
    assert "/en/1.001193/\n" in published and "/en/ho-tich/\n" in published
    (root / "site.yml").write_text((root / "site.yml").read_text().replace(EN, ""))
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(root, posters=False))
    assert any(p.message.startswith("Địa chỉ /en/") for p in failed.value.problems.errors)


def test_a_language_folder_cannot_be_a_field(make_site) -> None:
    root = with_english(make_site, {"procedures/en/_index.md": "---\ntitle: E\n---\n"})
    [error] = problems_of(root).errors
    assert "/en/" in error.message


def test_a_language_without_interface_strings_is_warned_and_falls_back(make_site) -> None:
    site_yml = "name: Xã Thử\nbase_url: https://thu.example.vn/\nlanguages:\n  - code: km\n    name: ភាសាខ្មែរ\n"
    root = make_site({"site.yml": site_yml})
    [warning] = [w for w in problems_of(root).warnings if w.file == "templates/strings/km.yml"]
    assert "templates/strings/en.yml" in warning.hint
    html = page(built(root), "km/")
    assert "Tra cứu thủ tục hành chính" in html  # the Vietnamese strings, never a failure
    write_files(root, {"templates/strings/km.yml": "home: ទំព័រដើម\n"})
    [warning] = [w for w in problems_of(root).warnings if w.file == "templates/strings/km.yml"]
    assert "còn thiếu" in warning.message
    assert "ទំព័រដើម" in page(built(root), "km/ho-tich/")


def test_words_no_language_prints_are_not_asked_of_a_translation(make_site) -> None:
    """The field poster's, sticker sheet's and leaflet's words are printed in
    Vietnamese only: a translator is not asked for them, even when the language
    has posters. A key every language shows still is."""
    import yaml

    from thutuc.site.strings import VIETNAMESE_PRINT_ONLY, bundled

    translated = {k: v for k, v in bundled("en").items() if k not in VIETNAMESE_PRINT_ONLY}
    site_yml = (
        "name: Xã Thử\nbase_url: https://thu.example.vn/\nlanguages:\n"
        "  - code: km\n    name: ភាសាខ្មែរ\n    posters: true\n"
    )
    km = yaml.safe_dump(translated, allow_unicode=True)
    root = make_site({"site.yml": site_yml, "templates/strings/km.yml": km})
    assert not [w for w in problems_of(root).warnings if w.file == "templates/strings/km.yml"]
    del translated["print_headline"]
    write_files(root, {"templates/strings/km.yml": yaml.safe_dump(translated, allow_unicode=True)})
    [warning] = [w for w in problems_of(root).warnings if w.file == "templates/strings/km.yml"]
    assert "thiếu 1 khóa: print_headline;" in warning.message


# --- fonts -------------------------------------------------------------------------------


def test_a_script_font_is_declared_only_on_pages_that_show_the_script(make_site) -> None:
    site_yml = "name: Xã Thử\nbase_url: https://thu.example.vn/\nlanguages:\n  - code: blt\n    name: Tai Dam\n"
    tai = TRANSLATION.replace("Registering a birth", f"Font test {TAI_VIET}")
    out = built(make_site({"site.yml": site_yml, "procedures/ho-tich/khai-sinh.blt.md": tai}))
    html = page(out, "blt/1.001193/")
    assert '@font-face{font-family:"Thutuc Tai Viet";src:local("Noto Sans Tai Viet")' in html
    assert 'url(../../fonts/tai-viet.woff2) format("woff2");unicode-range:U+AA80-AADF' in html
    assert "@font-face" not in page(out, "1.001193/") and "@font-face" not in page(out, "blt/")
    assert (out / "fonts/tai-viet.woff2").read_bytes()[:4] == b"wOF2"


def test_the_web_fonts_cover_their_scripts_and_keep_khmer_shaping() -> None:
    ttlib = pytest.importorskip("fontTools.ttLib")
    static = Path(__file__).resolve().parent.parent / "thutuc/site/static/fonts"
    for font in SCRIPT_FONTS:
        tt = ttlib.TTFont(str(static / font.file))
        cmap = tt.getBestCmap()
        ranges = [
            tuple(int(x, 16) for x in part.removeprefix("U+").split("-"))
            for part in font.unicode_range.split(",")
        ]
        covered = [c for c in cmap if any(a <= c <= b for a, b in ranges)]
        assert len(covered) > 40, font.file
        latin = [
            c for c in cmap if 0x41 <= c <= 0x7A or 0xC0 <= c <= 0x24F or 0x1E00 <= c <= 0x1EFF
        ]
        assert not latin, f"{font.file}: Vietnamese letters are the phone's own font's"
        assert "GSUB" in tt, font.file  # the shaping rules survived the subset
    khmer = ttlib.TTFont(str(static / "khmer.woff2")).getBestCmap()
    assert all(ord(ch) in khmer for ch in KHMER)


# --- the engine keeps its promises with languages -------------------------------------


def test_editing_a_translation_rebuilds_only_its_page(make_site) -> None:
    root = with_english(make_site)
    out = built(root)
    before = {p: (out / p).stat().st_ino for p in files_of(out)}
    path = root / "procedures/ho-tich/khai-sinh.en.md"
    path.write_text(path.read_text().replace("Hand in the papers.", "Hand in the papers upstairs."))
    built(root)
    changed = {p for p in files_of(out) if (out / p).stat().st_ino != before.get(p)}
    assert changed == {"en/1.001193/index.html", "sw.js"}, changed


# --- a province ----------------------------------------------------------------------------


def test_a_province_commune_shows_the_catalogue_translations_and_its_own(tmp_path: Path) -> None:
    from test_province import PROVINCE

    files = dict(PROVINCE)
    files["communes/binh/site.yml"] += EN
    files["procedures/ho-tich/ket-hon.en.md"] = (
        "---\ntitle: Registering a marriage\nfee: Free\n---\n"
    )
    files["procedures/ho-tich/_index.en.md"] = "---\ntitle: Civil status\n---\n"
    files["procedures/ho-tich/khai-sinh.en.md"] = "---\ntitle: Registering a birth\n---\n"
    files["communes/binh/procedures/ho-tich/trich-luc.en.md"] = (
        "---\ntitle: Copy of a record\n---\n"
    )
    files["communes/an/procedures/ho-tich/khai-sinh.en.md"] = (
        "---\ntitle: Birth (An)\n---\n"  # no en in An
    )
    root = write_files(tmp_path / "tinh", files)
    build(BuildOptions(root, posters=False, record_published=False))
    out = root / "output"
    assert "<h1>Registering a marriage</h1>" in page(out, "binh/en/1.000894/")  # the catalogue's
    assert "<h1>Copy of a record</h1>" in page(out, "binh/en/2.000635/")  # the commune's own
    assert "<h1>Civil status</h1>" in page(out, "binh/en/ho-tich/")
    assert not (out / "an/en").exists()  # Xã An has no English pages
    _, problems = check(BuildOptions(root))
    [warning] = [
        w for w in problems.warnings if w.file.endswith("an/procedures/ho-tich/khai-sinh.en.md")
    ]
    assert "'en'" in warning.message and warning.group == "an"


def test_a_catalogue_translation_never_stands_for_a_commune_override(tmp_path: Path) -> None:
    from test_province import PROVINCE

    files = dict(PROVINCE)
    files["communes/an/site.yml"] += EN
    files["procedures/ho-tich/khai-sinh.en.md"] = (
        "---\ntitle: Registering a birth\nfee: Free\n---\n"
    )
    root = write_files(tmp_path / "tinh", files)
    build(BuildOptions(root, posters=False, record_published=False))
    html = page(root / "output", "an/en/1.001193/")
    assert "This page is not in English yet" in html  # An changed the fee: its own words show
    assert "Xã An hỗ trợ" in html


def test_a_translation_without_its_vietnamese_file_is_skipped_with_a_warning(make_site) -> None:
    root = with_english(make_site, {"procedures/ho-tich/da-doi-ten.en.md": TRANSLATION})
    problems = problems_of(root)
    assert not problems.errors
    [warning] = [w for w in problems.warnings if w.file.endswith("da-doi-ten.en.md")]
    assert "da-doi-ten.md" in warning.message


def test_a_misspelt_key_in_a_translation_is_warned_on_its_line(make_site) -> None:
    typo = TRANSLATION.replace("fee: Free if on time", "fe: Free if on time")
    problems = problems_of(with_english(make_site, {"procedures/ho-tich/khai-sinh.en.md": typo}))
    [warning] = [w for w in problems.warnings if "Khóa lạ 'fe'" in w.message]
    assert (
        warning.file.endswith("khai-sinh.en.md") and warning.line == 6 and "'fee'" in warning.hint
    )


def test_a_field_translation_without_its_index_is_named_as_such(make_site) -> None:
    """_index.en.md in a folder without _index.md is not "a draft" (its name starts
    with '_'): the skipped-files warning says it translates a missing _index.md."""
    root = with_english(make_site, {"procedures/dat-dai/_index.en.md": "---\ntitle: Land\n---\n"})
    report = problems_of(root).report()
    assert "procedures/dat-dai/_index.en.md" in report
    assert "bản dịch của _index.md, nhưng không có _index.md bên cạnh" in report


def test_a_language_name_of_invisible_characters_is_no_name(make_site) -> None:
    root = make_site(
        {
            "site.yml": "name: Xã Thử\nbase_url: https://thu.example.vn/\nlanguages:\n"
            '  - code: en\n    name: "\\u200b "\n'
        }
    )
    [error] = problems_of(root).errors
    assert "thiếu name" in error.message


def test_strings_files_copied_from_the_bundled_ones_draw_no_warning(make_site) -> None:
    """The docs tell a commune to copy en.yml for a new language: a faithful copy (its
    inline comments, its one:/other: counts) must pass check without a word."""
    from thutuc.resources import TEMPLATES_DIR

    bundled = TEMPLATES_DIR / "strings"
    root = make_site(
        {
            "templates/strings/vi.yml": (bundled / "vi.yml").read_text(encoding="utf-8"),
            "templates/strings/en.yml": (bundled / "en.yml").read_text(encoding="utf-8"),
            "templates/strings/km.yml": (bundled / "en.yml").read_text(encoding="utf-8"),
        }
    )
    _, problems = check(BuildOptions(root))
    assert [p.format() for p in problems if p.file.startswith("templates/")] == []
