"""Whatever passes `check` builds its posters (issues 10 and 12).

Every key a poster prints is either bounded by `check` (schema.py's max_length
and max_items: a site at every limit at once builds, every code on every poster
decodes and no text sits in a quiet zone; one character or number more is
refused with its file and line) or always fits (a 10,000-character value builds:
cards cut it with "…", leaflets stop at two pages saying where the rest is).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import MINIMAL_SITE, REPO, write_files
from poster_helpers import dpi_for, pdf_pages, pdf_text, render_pages, require_tool
from test_posters import all_codes, build, found, pdf_of, quiet_zones_are_clear, smallest_module_mm

from thutuc.content.schema import (
    ADDRESS_LIMIT,
    FIELD_KEYS,
    HOTLINE_LIMIT,
    HOTLINE_NUMBERS,
    HOURS_LIMIT,
    LANGUAGE_KEYS,
    LANGUAGE_NAME_LIMIT,
    NAME_LIMIT,
    PROCEDURE_KEYS,
    SITE_KEYS,
    TITLE_LIMIT,
)
from thutuc.engine.pipeline import BuildOptions, check


def text(words: str, length: int) -> str:
    """`words` repeated to exactly `length` characters, ending in a letter."""
    repeated = (words * (length // len(words) + 1))[: length - 1].rstrip()
    return repeated + "x" * (length - len(repeated))


def phones(count: int, length: int) -> str:
    """`count` numbers, the last one drawn out with dashes to `length` characters."""
    numbers = ", ".join(f"0209 3 123 {456 + n}" for n in range(count))
    return numbers + "-" * (length - len(numbers))


def limit_site(over: str = "") -> dict[str, str]:
    """A site with every bounded key at its limit, or the key `over` one past it."""

    def size(key: str, limit: int) -> int:
        return limit + (key == over)

    name = text("Ủy ban nhân dân xã Hòa Bình Thượng ", size("name", NAME_LIMIT))
    site = (
        f"name: {name}\nbase_url: https://thu.example.vn/\n"
        f"hotline: {phones(size('hotline', HOTLINE_NUMBERS), size('hotline length', HOTLINE_LIMIT))}\n"
        f"address: {text('Số 1 đường Trung tâm, thôn Bình An, ', size('address', ADDRESS_LIMIT))}\n"
        f"opening_hours: {text('Sáng 7:30–11:30, chiều 13:30–17:00, ', size('opening_hours', HOURS_LIMIT))}\n"
        "stale_after_months: 0\n"
        "languages:\n  - code: en\n"
        f"    name: {text('English ', size('language name', LANGUAGE_NAME_LIMIT))}\n"
        "    posters: bilingual\n    site:\n"
        f"      name: {text('Hoa Binh Commune ', size('language site name', NAME_LIMIT))}\n"
        f"      address: {text('No 1 Central Road, ', size('language address', ADDRESS_LIMIT))}\n"
        f"      opening_hours: {text('Monday to Friday 7:30, ', HOURS_LIMIT)}\n"
    )  # fmt: skip
    field = text("Thành lập và hoạt động của tổ hợp tác ", 300)  # issue 12 asks for 300
    title = text("Thủ tục có tên rất dài để thử xuống dòng ", size("title", TITLE_LIMIT))
    english = text("Registration of a birth ", size("translated title", TITLE_LIMIT))
    return {
        "site.yml": site,
        "procedures/ho-tich/_index.md": f"---\ntitle: {field}\norder: 1\n---\n",
        "procedures/ho-tich/_index.en.md": f"---\ntitle: {text('Civil status ', 300)}\n---\n",
        "procedures/ho-tich/khai-sinh.en.md": f"---\ntitle: {english}\n---\n",
        "procedures/ho-tich/dai.md": (
            f'---\ncode: "1.000894"\ntitle: {title}\ndocuments: [Tờ khai]\n'
            "processing_time: Trong ngày\nfee: Miễn phí\n---\nNộp hồ sơ.\n"
        ),
    }  # fmt: skip


@pytest.mark.pdf
@pytest.mark.decoder
@pytest.mark.slow
def test_a_site_with_every_limit_reached_at_once_builds_every_poster(tmp_path: Path) -> None:
    require_tool("pdftoppm")
    require_tool("pdftotext")
    require_tool("zxingcpp")
    root = write_files(tmp_path / "site", {**MINIMAL_SITE, **limit_site()})
    project, problems = check(BuildOptions(root))
    assert project is not None and not problems.errors, problems.report()
    _, qr_dir, specs = build(root, tmp_path / "qr")
    pages = {s.name: pdf_pages(pdf_of(qr_dir, s)) for s in specs}
    assert {s.kind for s in specs} == {"board", "field", "card", "stickers", "leaflet"}
    assert any(s.lang for s in specs)  # the posters in English too
    for spec in specs:
        assert pages[spec.name] <= (2 if spec.kind in ("leaflet", "field") else 1), spec.name
        dpi = dpi_for(smallest_module_mm(spec))
        expected = {c.payload for c in all_codes(spec)}
        assert found(render_pages(pdf_of(qr_dir, spec), dpi), expected) == expected, spec.name
        quiet_zones_are_clear(pdf_of(qr_dir, spec), spec, dpi)
    leaflet = pdf_text(qr_dir / "ap-phich/to-roi-1.000894.pdf")  # the whole title, never cut
    title = limit_site()["procedures/ho-tich/dai.md"].split("title: ")[1].split("\n")[0]
    assert leaflet.count("Thủ tục có tên") == title.count("Thủ tục có tên")
    assert title.split()[-1] in leaflet.split()


# key → (file, line of the key, the words check says)
OVER: dict[str, tuple[str, int, str]] = {
    "name": ("site.yml", 1, f"'name': dài {NAME_LIMIT + 1} ký tự, quá giới hạn {NAME_LIMIT} ký tự"),
    "hotline": ("site.yml", 3, f"'hotline': có {HOTLINE_NUMBERS + 1} số, quá giới hạn"),
    "hotline length": ("site.yml", 3, f"'hotline': dài {HOTLINE_LIMIT + 1} ký tự"),
    "address": ("site.yml", 4, f"'address': dài {ADDRESS_LIMIT + 1} ký tự"),
    "opening_hours": ("site.yml", 5, f"'opening_hours': dài {HOURS_LIMIT + 1} ký tự"),
    "language name": ("site.yml", 9, f"'languages': ngôn ngữ en, name: dài {LANGUAGE_NAME_LIMIT + 1} ký tự"),
    "language site name": ("site.yml", 11, f"'languages': ngôn ngữ en, name: dài {NAME_LIMIT + 1} ký tự"),
    "language address": ("site.yml", 13, f"'languages': ngôn ngữ en, address: dài {ADDRESS_LIMIT + 1} ký tự"),
    "title": ("procedures/ho-tich/dai.md", 3, f"'title': dài {TITLE_LIMIT + 1} ký tự"),
    "translated title": ("procedures/ho-tich/khai-sinh.en.md", 2, f"'title': dài {TITLE_LIMIT + 1} ký tự"),
}  # fmt: skip


@pytest.mark.parametrize("key", sorted(OVER))
def test_one_past_a_limit_is_refused_with_its_file_line_and_why(key: str, make_site) -> None:
    file, line, words = OVER[key]
    _, problems = check(BuildOptions(make_site(limit_site(over=key))))
    report = problems.report()
    assert f"{file}:{line}: lỗi: {words}" in report, report
    assert len(problems.errors) == 1, report
    assert "Viết ngắn lại" in report or "Chỉ ghi tối đa" in report


LONG = text("Chữ dài để thử việc cắt và xuống dòng, ", 10_000)
ALWAYS_FIT = (
    "summary", "processing_time", "fee", "where", "agency", "result", "applicants",
    "conditions", "decision",
)  # fmt: skip


@pytest.mark.pdf
@pytest.mark.slow
def test_every_other_printed_text_fits_at_any_length(tmp_path: Path) -> None:
    """Every other key a poster prints, 10,000 characters at once: the card stays one
    page, the leaflet two, and the leaflet prints the fee word for word as far as
    it goes; the board and the field poster cut the field's name with "…".
    Contacts' names and roles are on the pages only, never on a poster."""
    require_tool("pdftotext")
    front = "".join(f"{key}: {LONG}\n" for key in ALWAYS_FIT)
    front += f"documents:\n  - {LONG}\nlegal_basis:\n  - {LONG}\n"
    front += f"methods:\n  - method: truc-tiep\n    processing_time: {LONG}\n    fee: {LONG}\n"
    front += f"forms:\n  - title: {LONG}\n    file: a.pdf\n"
    files = {
        "procedures/ho-tich/dai.md": f'---\ncode: "1.000894"\ntitle: Dài\n{front}---\nx\n',
        "procedures/ho-tich/a.pdf": "%PDF-1.4\n%%EOF\n",
        "procedures/ho-tich/_index.md": f"---\ntitle: {LONG}\n---\n",
        "site.yml": MINIMAL_SITE["site.yml"]
        + f"contacts:\n  - name: {LONG}\n    role: {LONG}\n    phone: 0209 3 123 456\n",
    }
    root = write_files(tmp_path / "site", {**MINIMAL_SITE, **files})
    _, qr_dir, specs = build(root, tmp_path / "qr")
    pages = {s.name: pdf_pages(pdf_of(qr_dir, s)) for s in specs}
    assert pages["the-1.000894"] == 1 and pages["to-roi-1.000894"] <= 2
    assert pages["bang-linh-vuc-A4"] == 1 and pages["bang-linh-vuc-A3"] == 1
    for board in ("bang-linh-vuc-A4", "ap-phich-ho-tich"):
        assert "…" in pdf_text(qr_dir / f"ap-phich/{board}.pdf"), board
    card = " ".join(pdf_text(qr_dir / "ap-phich/the-1.000894.pdf").split())
    assert "xem đủ trên trang" in card
    leaflet = " ".join(pdf_text(qr_dir / "ap-phich/to-roi-1.000894.pdf").split())
    assert LONG[:300] in leaflet and "Xem đầy đủ" in leaflet


@pytest.mark.parametrize("doc", ["content-format.md", "dinh-dang-noi-dung.md"])
def test_every_limit_is_in_the_docs_with_its_value(doc: str) -> None:
    rows = [
        line
        for line in (REPO / "docs" / doc).read_text(encoding="utf-8").splitlines()
        if line.startswith("|")
    ]
    for key in SITE_KEYS + FIELD_KEYS + PROCEDURE_KEYS + LANGUAGE_KEYS:
        for limit in (key.max_length, key.max_items):
            if limit is None:
                continue
            written = {str(limit), f"{limit:,}", f"{limit:,}".replace(",", ".")}
            numbers = re.compile(rf"(?<![\d.,])({'|'.join(map(re.escape, written))})(?![\d.,])")
            assert any(f"`{key.name}`" in row and numbers.search(row) for row in rows), (
                doc,
                key.name,
                limit,
            )
