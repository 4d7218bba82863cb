"""`check` reports what an editor wrote that the page would silently lose:
raw HTML left open, links that lead nowhere, images, codes in other digits,
form and recording names spelled in another Unicode form on disk (issue 12)."""

from __future__ import annotations

import html
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from thutuc.cli import main
from thutuc.content.markdown import parse

AUDIO = Path(__file__).parent / "fixtures" / "audio" / "tone-cbr.mp3"
FRONT = """\
---
code: "{code}"
title: Đăng ký kết hôn
summary: Làm giấy đăng ký kết hôn.
documents: [Tờ khai]
processing_time: Trong ngày
fee: Miễn phí
methods: [truc-tiep]
updated: 2025-07-01
{extra}---
"""
BODY_LINE = 11  # the first line of the body under FRONT without `extra`


def procedure(body: str, code: str = "1.000894", extra: str = "") -> str:
    return FRONT.format(code=code, extra=extra) + body


def check(root: Path):
    result = CliRunner().invoke(main, ["check", "--strict", "--project", str(root)])
    assert "Traceback" not in result.output
    return result


def problem_lines(output: str, severity: str) -> list[str]:
    return [line for line in output.splitlines() if f": {severity}: " in line]


# --- raw HTML that hides or leaks the rest of a body ------------------------------

UNCLOSED = {
    "comment": ("<!--", "-->"),
    "script": ("<script>", "</script>"),
    "style": ("<style>", "</style>"),
    "cdata": ("<![CDATA[", "]]>"),
    "processing": ("<?", "?>"),
    "declaration": ("<!DOCTYPE", ">"),
    "textarea": ("<textarea>", "</textarea>"),
    "pre": ("<pre>", "</pre>"),
    "title": ("<title>", "</title>"),
    "xmp": ("<xmp>", "</xmp>"),
    "noscript": ("<noscript>", "</noscript>"),
    "inline-script": ("Nộp hồ sơ <script>", "</script>"),
    "inline-textarea": ("Nộp hồ sơ <textarea>", "</textarea>"),
}


@pytest.mark.parametrize("name", sorted(UNCLOSED))
def test_unclosed_raw_html_is_an_error_on_its_line(make_site, name: str) -> None:
    opening, closing = UNCLOSED[name]
    body = f"Bước 1.\n\n{opening}\nBước 2: nộp **500.000 đồng**.\n\nBước 3.\n"
    seen = html.unescape(re.sub(r"<[^>]*>", "", parse(body).html))
    assert "500.000" not in seen or "**" in seen or "<" in seen  # gone, or shown as code
    root = make_site({"procedures/ho-tich/ket-hon.md": procedure(body)})
    result = check(root)
    assert result.exit_code == 1, result.output
    (error,) = problem_lines(result.output, "lỗi")
    assert f"ket-hon.md:{BODY_LINE + 2}:" in error, result.output
    assert opening.split()[-1] in error
    assert closing in result.output and "xóa" in result.output


@pytest.mark.parametrize("name", sorted(UNCLOSED))
def test_the_same_html_closed_is_good(make_site, name: str) -> None:
    opening, closing = UNCLOSED[name]
    body = f"Bước 1.\n\n{opening} ghi chú {closing}\n\nBước 2: nộp 500.000 đồng.\n"
    assert "500.000" in parse(body).html
    result = check(make_site({"procedures/ho-tich/ket-hon.md": procedure(body)}))
    assert result.exit_code == 0, result.output


def test_the_issues_example_names_the_line_and_the_fix(make_site) -> None:
    body = "Bước 1.\n<!--\nBước 2: nộp 500.000 đồng.\n"
    result = check(make_site({"procedures/ho-tich/ket-hon.md": procedure(body)}))
    assert result.exit_code == 1
    assert f"ket-hon.md:{BODY_LINE + 1}: lỗi: Dấu mở ghi chú '<!--'" in result.output
    assert "Thêm '-->'" in result.output and "xóa '<!--'" in result.output


def test_plaintext_can_only_be_removed(make_site) -> None:
    body = "Bước 1.\n\n<plaintext>\n\n**Bước 2.**\n"
    assert "&lt;" in parse(body).html  # the resident would read escaped markup
    result = check(make_site({"procedures/ho-tich/ket-hon.md": procedure(body)}))
    assert result.exit_code == 1
    assert f"ket-hon.md:{BODY_LINE + 2}:" in result.output and "Xóa '<plaintext>'" in result.output


def test_html_inside_code_is_text_not_html(make_site) -> None:
    body = "Gõ `<!--` để mở ghi chú.\n\n```\n<script>\n```\n\n    <textarea>\n\nHết.\n"
    result = check(make_site({"procedures/ho-tich/ket-hon.md": procedure(body)}))
    assert result.exit_code == 0, result.output


def test_a_field_index_is_checked_too(make_site) -> None:
    index = "---\ntitle: Hộ tịch\n---\nKhai sinh.\n<!--\nKết hôn.\n"
    result = check(make_site({"procedures/ho-tich/_index.md": index}))
    assert result.exit_code == 1
    assert "_index.md:5: lỗi: Dấu mở ghi chú" in result.output


# --- links and images -------------------------------------------------------------


def test_links_that_lead_nowhere_and_images_are_warnings(make_site) -> None:
    body = (
        "Nộp qua [Cổng DVC](dichvucong.gov.vn) hoặc [trang tỉnh](www.tinh.gov.vn/dvc).\n"
        "\n"
        "Xem [khai sinh](/1.001193/), [thủ tục khác](/9.999999/), [tệp](khai-sinh.md).\n"
        "\n"
        "![Sơ đồ nộp hồ sơ](so-do.png)\n"
        "\n"
        '<img src="anh.png">\n'
        "\n"
        "[tham khảo]: /1.001194/\n"
        "Xem [tham khảo]. Mở [mẫu](to-khai.pdf), [Cổng](https://dichvucong.gov.vn/), www.x.vn.\n"
    )
    root = make_site({"procedures/ho-tich/ket-hon.md": procedure(body)})
    result = check(root)
    assert result.exit_code == 1, result.output  # --strict: warnings fail
    assert not problem_lines(result.output, "lỗi")
    warnings = problem_lines(result.output, "cảnh báo")
    expected = [
        (BODY_LINE, "'dichvucong.gov.vn' thiếu https://"),
        (BODY_LINE, "'www.tinh.gov.vn/dvc' thiếu https://"),
        (BODY_LINE + 2, "/9.999999/: trang không có thủ tục nào mã 9.999999"),
        (BODY_LINE + 2, "'khai-sinh.md' dẫn tới một tệp .md"),
        (BODY_LINE + 4, "Hình 'Sơ đồ nộp hồ sơ' không hiện"),
        (BODY_LINE + 6, "Một hình không hiện"),
        (BODY_LINE + 8, "/1.001194/: trang không có thủ tục nào mã 1.001194"),
    ]
    for line, words in expected:
        assert any(f"ket-hon.md:{line}:" in w and words in w for w in warnings), (words, warnings)
    assert len(warnings) == len(expected), warnings
    assert "(https://dichvucong.gov.vn)" in result.output
    assert "Có phải ý bạn là /1.001193/?" in result.output  # for 1.001194
    assert "Tả bằng lời" in result.output


def test_a_link_to_an_existing_code_is_good(make_site) -> None:
    body = "Trước đó cần [khai sinh](/1.001193/) hoặc [xem](../1.001193/#giay-to).\n"
    result = check(make_site({"procedures/ho-tich/ket-hon.md": procedure(body)}))
    assert result.exit_code == 0, result.output


# --- codes are ASCII digits ---------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "１.000894",  # fullwidth
        "١.٠٠٠٨٩٤",  # Arabic-Indic
        "𝟏.𝟎𝟎𝟎𝟖𝟗𝟒",  # mathematical bold
        "1.00089４",
        "2.000884.000.00.00.H５５",
    ],
)
def test_a_code_in_other_digits_is_refused(make_site, code: str) -> None:
    result = check(make_site({"procedures/ho-tich/ket-hon.md": procedure("x\n", code=code)}))
    assert result.exit_code == 1, result.output
    assert (
        "ket-hon.md:2: lỗi: 'code':" in result.output and "không phải mã thủ tục" in result.output
    )


def test_a_fullwidth_code_cannot_escape_the_duplicate_check(make_site, tmp_path: Path) -> None:
    root = make_site({"procedures/ho-tich/khai-sinh-2.md": procedure("x\n", code="１.001193")})
    result = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert result.exit_code == 1, result.output
    assert not (root / "output" / "１.001193").exists()


def test_a_distance_in_other_digits_is_refused(make_site) -> None:
    site = "name: Xã Thử\nbase_url: https://thu.example.vn/\nboard_distance_m: １.５\n"
    result = check(make_site({"site.yml": site}))
    assert result.exit_code == 1, result.output
    assert "site.yml:3:" in result.output


# --- file names in another Unicode form on disk --------------------------------------


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


FORMS = "forms:\n  - title: Tờ khai\n    file: mẫu.pdf\naudio: bản-ghi.mp3\n"


def test_forms_and_recordings_are_found_by_nfc(make_site) -> None:
    """Saved on a Mac: the names are decomposed on disk, composed in the YAML."""
    root = make_site({"procedures/ho-tich/ket-hon.md": procedure("x\n", extra=FORMS)})
    folder = root / "procedures/ho-tich"
    (folder / nfd("mẫu.pdf")).write_bytes(b"%PDF-1.4\n%%EOF\n")
    shutil.copy(AUDIO, folder / nfd("bản-ghi.mp3"))
    assert not (folder / "mẫu.pdf").exists()  # the file system keeps both forms apart
    assert check(root).exit_code == 0
    result = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (root / "output/1.000894").iterdir())
    assert "mẫu.pdf" in written and "bản-ghi.mp3" in written, written  # NFC in the output
    page = (root / "output/1.000894/index.html").read_text(encoding="utf-8")
    assert "m%E1%BA%ABu.pdf" in page  # the link is the NFC name, percent-encoded


def test_a_procedure_file_and_folder_in_nfd(make_site) -> None:
    root = make_site({nfd("procedures/tư-pháp/kết-hôn.md"): procedure("x\n", extra=FORMS)})
    folder = root / nfd("procedures/tư-pháp")
    (folder / nfd("mẫu.pdf")).write_bytes(b"%PDF-1.4\n%%EOF\n")
    shutil.copy(AUDIO, folder / "bản-ghi.mp3")
    (folder / "_index.md").write_text("---\ntitle: Tư pháp\n---\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert result.exit_code == 0, result.output


def test_a_missing_form_is_reported_on_its_line(make_site) -> None:
    root = make_site({"procedures/ho-tich/ket-hon.md": procedure("x\n", extra=FORMS)})
    shutil.copy(AUDIO, root / "procedures/ho-tich/bản-ghi.mp3")
    result = check(root)
    assert result.exit_code == 1, result.output
    (error,) = problem_lines(result.output, "lỗi")
    assert "ket-hon.md:12:" in error and "'mẫu.pdf'" in error, result.output  # the file: line
    assert "Không làm tiếp được" not in result.output


def test_a_pasted_page_gets_twenty_reports_and_a_count(make_site) -> None:
    """Thirty images: twenty warnings, then one line for the other ten."""
    body = "".join(f"![hình {n}](h{n}.png)\n\n" for n in range(30))
    result = check(make_site({"procedures/ho-tich/ket-hon.md": procedure(body)}))
    warnings = [w for w in problem_lines(result.output, "cảnh báo") if "ket-hon.md" in w]
    assert len(warnings) == 21, warnings
    assert f"ket-hon.md:{BODY_LINE + 40}:" in warnings[-1] and "Còn 10 chỗ" in warnings[-1]


def test_a_worker_reads_an_nfd_procedure_file_by_its_nfc_path(make_site) -> None:
    """Workers of the process pool read files themselves, by the NFC paths the
    scan recorded (project.read_code, _layer_documents)."""
    from thutuc.content.files import SourceFiles
    from thutuc.content.project import read_code

    root = make_site({nfd("procedures/tư-pháp/kết-hôn.md"): procedure("x\n")})
    files = SourceFiles(root)
    rel = "procedures/tư-pháp/kết-hôn.md"
    assert rel in files and files.path(rel).name == nfd("kết-hôn.md")
    assert read_code((root, rel, files.digest(rel))) == "1.000894"


# "Đăng ký khai sinh cho trẻ em. Giấy chứng sinh do bệnh viện cấp." typed with a
# legacy font and pasted into a UTF-8 file: TCVN3 (.VnTime) and VNI Windows.
LEGACY_FONT_TEXT = {
    "TCVN3": "§¨ng ký khai sinh cho trÎ em.\nGiÊy chøng sinh do bÖnh viÖn cÊp.\n",
    "VNI": "Ñaêng kyù khai sinh cho treû em.\nGiaáy chöùng sinh do beänh vieän caáp.\n",
}


@pytest.mark.parametrize("font", sorted(LEGACY_FONT_TEXT))
def test_text_typed_in_a_legacy_font_is_warned_with_its_line_and_how_to_convert(
    make_site, font: str
) -> None:
    body = "Mở đầu đúng chữ Unicode.\n\n" + LEGACY_FONT_TEXT[font]
    result = check(make_site({"procedures/ho-tich/ket-hon.md": procedure(body)}))
    assert result.exit_code == 1, result.output  # --strict: a warning fails the check
    (warning,) = problem_lines(result.output, "cảnh báo")
    assert f"ket-hon.md:{BODY_LINE + 2}: cảnh báo: Có 5 chữ gõ bằng phông cũ" in warning
    first_word = LEGACY_FONT_TEXT[font].split()[0]
    assert f"'{first_word}'" in warning
    assert "Unikey" in result.output and "TCVN3" in result.output


def test_vietnamese_with_a_foreign_name_and_signs_is_not_taken_for_a_legacy_font(
    make_site,
) -> None:
    body = "Ông Müller nộp «Tờ khai» ở 25 °C; © 2025 UBND xã. Phí ½ mức thường.\n"
    result = check(make_site({"procedures/ho-tich/ket-hon.md": procedure(body)}))
    assert "phông cũ" not in result.output, result.output
