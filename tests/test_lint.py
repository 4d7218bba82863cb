"""Warnings for what YAML or Markdown silently do otherwise: a key after the
closing ---, ' #' starting a comment inside a value, a future `updated:`, a
`local:` name compare does not know. Through `check`, as an editor meets them."""

from __future__ import annotations

from click.testing import CliRunner

from thutuc.cli import main

PAGE = """\
---
code: "1.000894"
title: {title}
documents: [Tờ khai]
processing_time: Trong ngày
fee: Miễn phí
{extra}---
## Các bước

1. Nộp hồ sơ.
{body}"""


def check(make_site, title: str = "Đăng ký kết hôn", extra: str = "", body: str = ""):
    page = PAGE.format(title=title, extra=extra, body=body)
    root = make_site({"procedures/ho-tich/ket-hon.md": page})
    return CliRunner().invoke(main, ["check", "--project", str(root)])


def test_hash_inside_an_unquoted_value_is_a_comment(make_site) -> None:
    result = check(make_site, title="Đăng ký #mới")
    assert result.exit_code == 0, result.output
    assert (
        "procedures/ho-tich/ket-hon.md:3: cảnh báo: Phần '#mới' sau 'Đăng ký' bị coi là ghi chú"
        in result.output
    )
    assert 'đặt cả giá trị trong ngoặc kép: "Đăng ký #mới"' in result.output


def test_quoted_values_and_comment_lines_are_left_alone(make_site) -> None:
    extra = (
        'summary: "Số #1 của xã"\n'
        'where: ""  # để trống nếu nộp ở Một cửa\n'
        "# decision: chưa có\n"
        "conditions: |\n  Mang theo giấy #2\n"
        "keywords: [kết hôn, cưới]  # từ người dân hay tìm\n"
    )
    result = check(make_site, extra=extra, body="\n```\nfee: ví dụ trong khối mã\n```\n")
    assert result.exit_code == 0, result.output
    assert "ghi chú" not in result.output and "không có tác dụng" not in result.output


def test_a_key_after_the_closing_line_does_nothing(make_site) -> None:
    result = check(make_site, body="\nretired: 2026-07-01\n")
    assert result.exit_code == 0, result.output
    assert (
        "procedures/ho-tich/ket-hon.md:12: cảnh báo: Dòng 'retired: 2026-07-01' nằm sau dòng --- "
        "đóng phần đầu, nên khóa 'retired' không có tác dụng" in result.output
    )
    assert "Chuyển dòng này lên trên dòng --- thứ hai" in result.output
    prose = check(make_site, body="\nLưu ý: mang theo bản chính.\n")
    assert "không có tác dụng" not in prose.output


def test_updated_in_the_future(make_site) -> None:
    result = check(make_site, extra="updated: 2999-01-05\n")
    assert result.exit_code == 0, result.output
    assert (
        "ket-hon.md:7: cảnh báo: Ngày kiểm tra updated: 2999-01-05 còn ở tương lai" in result.output
    )
    assert "Ghi ngày đã thật sự đối chiếu thông tin" in result.output


def test_local_names_what_compare_checks(make_site) -> None:
    result = check(make_site, extra="local: [fees, legal_basis]\n")
    assert "local: 'fees' không phải điều mà lệnh compare so sánh" in result.output
    assert "Có phải ý bạn là 'fee'?" in result.output
    assert "'legal_basis'" not in result.output.split("Tên dùng được")[0].split("fees")[1]
