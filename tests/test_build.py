"""Building tiny sites in tmp_path: pages, addresses, safety, reproducibility."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from conftest import files_of

from thutuc.engine.pipeline import BuildOptions, build
from thutuc.engine.staging import MARKER
from thutuc.problems import BuildFailed


def build_site(root: Path, **options) -> Path:
    build(BuildOptions(root, posters=False, **options))
    return root / "output"


def page(out: Path, path: str) -> str:
    return (out / path / "index.html").read_text(encoding="utf-8")


def test_builds_every_kind_of_page(make_site) -> None:
    out = build_site(make_site())
    for path in ("", "ho-tich/", "1.001193/", "a-z/", "lien-he/"):
        html = page(out, path)
        assert '<html lang="vi">' in html
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert (out / "404.html").is_file()
    sitemap = (out / "sitemap.xml").read_text()
    assert "<loc>https://thu.example.vn/1.001193/</loc>" in sitemap
    assert "404" not in sitemap


def test_procedure_page_puts_resident_facts_first(make_site) -> None:
    html = page(build_site(make_site()), "1.001193/")
    order = [
        html.index("<h1>Đăng ký khai sinh</h1>"),
        html.index("Mã thủ tục: 1.001193"),
        html.index("Giấy tờ cần mang"),
        html.index("Thời gian giải quyết"),
        html.index("Lệ phí"),
        html.index("Nơi nộp"),
        html.index("Cách nộp hồ sơ"),
        html.index("Các bước"),
        html.index("Thông tin được kiểm tra ngày 01/07/2025"),
    ]
    assert order == sorted(order)


def test_address_comes_from_code_alone(make_site, tmp_path: Path) -> None:
    root = make_site()
    build_site(root)
    # Rename the file, its title and its field folder: the page keeps its address.
    (root / "procedures/ho-tich").rename(root / "procedures/tu-phap")
    # The old field address was published: it stays, as a redirect (test_permanence.py).
    index = root / "procedures/tu-phap/_index.md"
    index.write_text(index.read_text().replace("order: 1", "order: 1\naliases: [ho-tich]"))
    source = root / "procedures/tu-phap/khai-sinh.md"
    text = source.read_text().replace("title: Đăng ký khai sinh", "title: Khai sinh cho trẻ")
    source.unlink()
    (root / "procedures/tu-phap/dang-ky.md").write_text(text)
    out = build_site(root)
    assert "<h1>Khai sinh cho trẻ</h1>" in page(out, "1.001193/")


def test_province_variant_code_gets_its_own_address(make_site) -> None:
    root = make_site(
        {
            "procedures/ho-tich/chu-ky.md": '---\ncode: "2.000884.000.00.00.H55"\ntitle: Chứng thực chữ ký\n---\n',
        }
    )
    assert "Chứng thực chữ ký" in page(build_site(root), "2.000884.000.00.00.H55/")


def test_script_and_event_handlers_are_removed(make_site) -> None:
    body = (
        "<script>alert(1)</script>\n\n"
        '<a href="javascript:alert(2)" onclick="alert(3)">bấm</a>\n\n'
        '<iframe src="https://evil.example/"></iframe>\n\n'
        '<img src=x onerror="alert(4)">\n\n'
        "**đậm** và [liên kết](https://dichvucong.gov.vn/)\n"
    )
    root = make_site(
        {
            "procedures/ho-tich/xss.md": '---\ncode: "1.000894"\ntitle: Kết hôn\n'
            "fee: 'Miễn phí <script>alert(5)</script><b onmouseover=\"x()\">!</b>'\n---\n" + body
        }
    )
    html = page(build_site(root), "1.000894/")
    # Up to </main>: the site's own script loader follows it, outside the editor's content.
    main = html[html.index("<main") : html.index("</main>")]
    for bad in ("<script", "javascript:", "onclick", "onerror", "onmouseover", "<iframe", "alert("):
        assert bad not in main
    assert "<strong>đậm</strong>" in main
    assert 'href="https://dichvucong.gov.vn/"' in main


def test_template_syntax_in_content_is_shown_as_typed(make_site) -> None:
    root = make_site(
        {
            "procedures/ho-tich/t.md": '---\ncode: "1.000894"\ntitle: "Kết hôn {{ 7*7 }}"\n'
            "fee: '{% if true %}x{% endif %}'\n---\nTổng {{ 7*7 }} và {# chú thích #}\n"
        }
    )
    html = page(build_site(root), "1.000894/")
    assert "Kết hôn {{ 7*7 }}" in html
    assert "{% if true %}x{% endif %}" in html
    assert "Tổng {{ 7*7 }} và {# chú thích #}" in html
    assert "49" not in html


PAGE = '{% extends "base.html" %}\n{% block content %}\n<h1>{{ procedure.title }}</h1>\n'
BROKEN_TEMPLATES = {  # a site's own template: (file, text, the line the message names, words)
    "syntax": ("procedure.html", PAGE + "{% if procedure %}\n{% endblock %}\n", 5, "endif"),
    "runtime": ("procedure.html", PAGE + "{{ 1 / 0 }}\n{% endblock %}\n", 4, "ZeroDivisionError"),
    "undefined": ("_facts.html", "<p>\n{{ no_such_name.x }}</p>\n", 2, "no_such_name"),
    "recursion": ("_facts.html", 'x\n{% include "_facts.html" %}\n', 2, "vòng tròn"),
}


@pytest.mark.parametrize("kind", BROKEN_TEMPLATES)
def test_a_broken_site_template_names_its_file_and_line(make_site, kind: str) -> None:
    """Not "the tool's own mistake" naming a procedure: the template's file and line,
    what to do, and the last output as it was."""
    from click.testing import CliRunner

    from thutuc.cli import main

    root = make_site()
    before = files_of(build_site(root))
    file, text, line, words = BROKEN_TEMPLATES[kind]
    (root / "templates").mkdir()
    (root / "templates" / file).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--project", str(root), "--no-posters"])
    assert result.exit_code == 1, result.output
    assert f"templates/{file}:{line}: lỗi: Mẫu trang lỗi" in result.output, result.output
    assert words in result.output and "xóa nó để dùng mẫu có sẵn" in result.output
    assert "lỗi của công cụ" not in result.output and "Traceback" not in result.output
    assert files_of(root / "output") == before


def test_text_is_nfc_normalised(make_site) -> None:
    nfd_title = unicodedata.normalize("NFD", "Đăng ký kết hôn")
    root = make_site(
        {"procedures/ho-tich/kh.md": f'---\ncode: "1.000894"\ntitle: {nfd_title}\n---\nHộ tịch\n'}
    )
    html = page(build_site(root), "1.000894/")
    assert "<h1>Đăng ký kết hôn</h1>" in html
    assert unicodedata.is_normalized("NFC", html)


def test_bom_and_crlf_are_fine(make_site) -> None:
    text = '---\r\ncode: "1.000894"\r\ntitle: Kết hôn\r\n---\r\nNội dung\r\n'
    root = make_site({"procedures/ho-tich/kh.md": b"\xef\xbb\xbf" + text.encode()})
    assert "<h1>Kết hôn</h1>" in page(build_site(root), "1.000894/")


def test_forms_are_copied_with_type_and_size(make_site) -> None:
    root = make_site(
        {
            "procedures/ho-tich/to-khai.pdf": b"%PDF-1.4\n" + b"0" * 2048,
            "procedures/ho-tich/kh.md": '---\ncode: "1.000894"\ntitle: Kết hôn\n'
            "forms:\n  - title: Tờ khai đăng ký kết hôn\n    file: to-khai.pdf\n---\n",
        }
    )
    out = build_site(root)
    assert (out / "1.000894/to-khai.pdf").read_bytes().startswith(b"%PDF")
    html = page(out, "1.000894/")
    assert 'href="../1.000894/to-khai.pdf"' in html
    assert "(PDF, 2 KB)" in html


def test_per_method_time_and_fee(make_site) -> None:
    root = make_site(
        {
            "procedures/ho-tich/kh.md": '---\ncode: "1.000894"\ntitle: Kết hôn\nmethods:\n'
            "  - truc-tiep\n  - method: truc-tuyen\n    processing_time: 1 ngày\n    fee: 5.000 đồng\n---\n"
        }
    )
    html = page(build_site(root), "1.000894/")
    assert "<strong>Trực tiếp</strong>" in html
    assert "<strong>Trực tuyến</strong>: 1 ngày; lệ phí: 5.000 đồng" in html


def test_base_url_option_overrides_site_yml(make_site) -> None:
    out = build_site(make_site(), base_url="https://xa.example.org/thu")
    assert '<link rel="canonical" href="https://xa.example.org/thu/1.001193/">' in page(
        out, "1.001193/"
    )


def test_two_builds_are_byte_identical(make_site, tmp_path: Path) -> None:
    root = make_site()
    build(BuildOptions(root, out=tmp_path / "a", qr=tmp_path / "qa", posters=False))
    build(BuildOptions(root, out=tmp_path / "b", qr=tmp_path / "qb", posters=False))
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")
    assert files_of(tmp_path / "qa") == files_of(tmp_path / "qb")


def test_failed_build_leaves_previous_output_untouched(make_site) -> None:
    root = make_site()
    out = build_site(root)
    before = files_of(out)
    (root / "procedures/ho-tich/hong.md").write_text("---\ncode: 1\n---\n")
    with pytest.raises(BuildFailed):
        build_site(root)
    assert files_of(out) == before
    # no staging folder is left behind; .thutuc-cache is the build state (git-ignored)
    assert sorted(p.name for p in root.iterdir() if p.name != ".thutuc-cache") == [
        "output",
        "procedures",
        "published-urls.txt",
        "qr",
        "site.yml",
    ]


@pytest.mark.parametrize("target", [".", "..", "procedures", "procedures/ho-tich"])
def test_refuses_to_write_into_or_above_the_site(make_site, target: str) -> None:
    root = make_site()
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(root, out=root / target, posters=False))
    assert "--out" in failed.value.problems.report()
    assert (root / "procedures/ho-tich/khai-sinh.md").is_file()


def test_refuses_a_folder_it_did_not_create(make_site, tmp_path: Path) -> None:
    precious = tmp_path / "tai-lieu"
    precious.mkdir()
    (precious / "bao-cao.docx").write_bytes(b"quan trong")
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(make_site(), qr=precious, posters=False))
    assert "đã có tệp khác" in failed.value.problems.report()
    assert (precious / "bao-cao.docx").read_bytes() == b"quan trong"


def test_rebuilds_into_its_own_previous_output(make_site) -> None:
    root = make_site()
    out = build_site(root)
    (out / "stale.html").write_text("old")
    assert (out / MARKER).exists()
    build_site(root)
    assert not (out / "stale.html").exists()


def test_fields_sorted_by_order_then_name(make_site) -> None:
    root = make_site(
        {
            "procedures/dat-dai/_index.md": "---\ntitle: Đất đai\norder: 0\n---\n",
            "procedures/van-hoa/_index.md": "---\ntitle: Văn hóa\n---\n",
        }
    )
    html = page(build_site(root), "")
    assert html.index("Đất đai") < html.index("Hộ tịch") < html.index("Văn hóa")


def test_heading_anchor_keeps_d(make_site) -> None:
    root = make_site(
        {"procedures/ho-tich/kh.md": '---\ncode: "1.000894"\ntitle: Kết hôn\n---\n## Điều kiện\n'}
    )
    assert '<h2 id="dieu-kien">Điều kiện</h2>' in page(build_site(root), "1.000894/")


def test_inline_css_is_not_html_escaped(make_site) -> None:
    html = page(build_site(make_site()), "")
    style = html[html.index("<style>") : html.index("</style>")]
    assert ".foot>div" in style and "&gt;" not in style


def test_a_form_must_be_a_document_not_a_page(make_site) -> None:
    root = make_site(
        {
            "procedures/ho-tich/index.html": "<script>alert(1)</script>",
            "procedures/ho-tich/kh.md": '---\ncode: "1.000894"\ntitle: Kết hôn\n'
            "forms:\n  - title: Mẫu\n    file: index.html\n---\n",
        }
    )
    with pytest.raises(BuildFailed) as failed:
        build_site(root)
    assert "không phải loại tệp được phép" in failed.value.problems.report()


def test_a_form_with_a_key_it_does_not_have_is_refused_on_its_line(make_site) -> None:
    """`fille:` for `file:`, or a `size:` the tool does not read: said, not ignored."""
    root = make_site(
        {
            "procedures/ho-tich/to-khai.pdf": "%PDF-1.4\n",
            "procedures/ho-tich/kh.md": '---\ncode: "1.000894"\ntitle: Kết hôn\n'
            "forms:\n  - title: Mẫu\n    file: to-khai.pdf\n    size: 5\n---\n",
        }
    )
    with pytest.raises(BuildFailed) as failed:
        build_site(root)
    [error] = failed.value.problems.errors
    assert "khóa lạ trong mẫu đơn: size" in error.message and error.line == 4


def test_a_field_folder_cannot_take_a_reserved_address(make_site) -> None:
    root = make_site({"procedures/lien-he/_index.md": "---\ntitle: Liên hệ\n---\n"})
    with pytest.raises(BuildFailed) as failed:
        build_site(root)
    assert "/lien-he/ đã dành cho một trang có sẵn" in failed.value.problems.report()


def test_online_button_only_when_online_is_a_way_to_submit(make_site) -> None:
    portal = "online_url: https://dichvucong.gov.vn/p/1\n"
    root = make_site(
        {
            "procedures/ho-tich/a.md": f'---\ncode: "1.000894"\ntitle: A\nmethods: [truc-tuyen]\n{portal}---\n',
            "procedures/ho-tich/b.md": f'---\ncode: "1.000656"\ntitle: B\nmethods: [truc-tiep]\n{portal}---\n',
        }
    )
    out = build_site(root)
    assert "Nộp trực tuyến trên Cổng Dịch vụ công" in page(out, "1.000894/")
    other = page(out, "1.000656/")
    assert "Nộp trực tuyến" not in other
    assert "Xem thủ tục này trên Cổng Dịch vụ công quốc gia" in other
