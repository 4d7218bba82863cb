"""Addresses and phone numbers: one rule set (content/addresses.py), clear refusals.

Every address an editor writes is checked by `checked_url`; what it returns is
what a printed code carries. No input makes it raise anything but AddressError.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thutuc.content.addresses import (
    AddressError,
    PhoneNumber,
    canonical_url,
    checked_url,
    phone_numbers,
    zalo_address,
)
from thutuc.engine.pipeline import BuildOptions, check

# address → words the refusal must contain
REFUSED = {
    "ftp://thu.example.vn/": "không phải địa chỉ web http",
    "thu.example.vn": "không phải địa chỉ web http",
    "https://": "thiếu tên miền",
    "https://thu example.vn/": "dấu cách",
    "https://thu.example.vn/a b/": "dấu cách",
    "https://thu.example.vn\t/": "phím Tab",
    "https://thu.example.vn/\n": "dấu xuống dòng",
    "https://thu.exam\x1bple.vn/": "U+001B",
    "https://thu.example.vn/\u202e/": "RIGHT-TO-LEFT OVERRIDE",
    "https://user:pass@thu.example.vn/": "tên người dùng hoặc mật khẩu",
    "https://@thu.example.vn/": "tên người dùng hoặc mật khẩu",
    "https://thu.example.vn:99999/": "cổng",
    "https://thu.example.vn:abc/": "cổng",
    "https://thu.example.vn:0/": "cổng 0",
    "https://[thu.example.vn/": "'['",
    "https://thu.example.vn]/": "'['",
    "https://thu.example.vn/[a]": "'['",
    "https://[::1/": "'['",
    "https://thu..example.vn/": "tên miền",
    "https://.thu.example.vn/": "tên miền",
    "https://thu.example.vn./": "tên miền",
    "https://thu_xa.example.vn/": "tên miền",
    "https://-thu.example.vn/": "tên miền",
    "https://" + "a" * 64 + ".vn/": "tên miền",
    "https://999.1.1.1/": "địa chỉ IP",
    "https://1.2.3/": "địa chỉ IP",
    "https://thu.example.vn/%zz": "'%'",
    "https:\\\\thu.example.vn\\": "'\\'",
}
SITE_ONLY = {
    "https://thu.example.vn/a?b=1": "'?…'",
    "https://thu.example.vn/?": "'?…'",
    "https://thu.example.vn/#trang": "'#…'",
    "https://thu.example.vn/#": "'#…'",
    "https://thu.example.vn/a/../b/": "'..'",
    "https://thu.example.vn/a/%2E%2e/b/": "'..'",
    "https://thu.example.vn/" + "a" * 100 + "/": "quá 120",
}


@pytest.mark.parametrize("text", sorted(REFUSED))
def test_refused_addresses_say_why_and_how_to_fix(text: str) -> None:
    for site_address in (False, True):
        with pytest.raises(AddressError) as refused:
            checked_url(text, site_address=site_address)
        assert REFUSED[text] in refused.value.message, refused.value.message
        assert refused.value.hint


@pytest.mark.parametrize("text", sorted(SITE_ONLY))
def test_the_site_address_takes_no_query_fragment_or_dots(text: str) -> None:
    with pytest.raises(AddressError) as refused:
        checked_url(text, site_address=True)
    assert SITE_ONLY[text] in refused.value.message
    assert refused.value.hint.startswith(("Xóa", "Viết", "Dùng"))
    checked_url(text)  # a link to a portal page may have them


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("https://thu.example.vn", "https://thu.example.vn/"),
        ("HTTPS://THU.Example.VN/Ho-Tich/", "https://thu.example.vn/Ho-Tich/"),
        ("https://thu.example.vn:443/", "https://thu.example.vn/"),
        ("http://thu.example.vn:80/", "http://thu.example.vn/"),
        ("https://thu.example.vn:8443/", "https://thu.example.vn:8443/"),
        ("https://xã-tâm.vn/", "https://xn--x-tm-doad.vn/"),
        ("https://XÃ-TÂM.vn/", "https://xn--x-tm-doad.vn/"),
        ("https://thu.example.vn/thủ-tục/", "https://thu.example.vn/th%E1%BB%A7-t%E1%BB%A5c/"),
        ("https://thu.example.vn/a%20b/", "https://thu.example.vn/a%20b/"),
        ("http://192.168.1.10:8000/", "http://192.168.1.10:8000/"),
        ("http://[::1]:8000/", "http://[::1]:8000/"),
        ("http://localhost:8000/", "http://localhost:8000/"),
        (
            "https://dichvucong.gov.vn/p/home/dvc-chi-tiet-thu-tuc-nganh-doc.html?ma_thu_tuc=1",
            "https://dichvucong.gov.vn/p/home/dvc-chi-tiet-thu-tuc-nganh-doc.html?ma_thu_tuc=1",
        ),
        ("https://zalo.me/thu?q=hộ tịch".replace(" ", "%20"), "https://zalo.me/thu?q=h%E1%BB%99%20t%E1%BB%8Bch"),
    ],
)  # fmt: skip
def test_accepted_addresses_come_out_as_a_browser_writes_them(written: str, canonical: str) -> None:
    assert checked_url(written) == canonical
    assert canonical_url(canonical) == canonical  # canonical twice changes nothing


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.text(max_size=60))
def test_no_text_makes_the_checker_raise_anything_but_address_error(text: str) -> None:
    for candidate in (text, "https://" + text, "https://thu.example.vn/" + text):
        for site_address in (False, True):
            try:
                canonical = checked_url(candidate, site_address=site_address)
            except AddressError as refused:
                assert refused.message and refused.hint
            else:  # what is accepted is printable in a code, and stable
                assert canonical.isascii() and canonical.isprintable() and " " not in canonical
                assert checked_url(canonical, site_address=site_address) == canonical


@pytest.mark.parametrize(
    ("written", "numbers"),
    [
        ("0209 3 123 456", [("0209 3 123 456", "02093123456")]),
        ("+84 209 3 123 456", [("+84 209 3 123 456", "+842093123456")]),
        ("(0209) 3.123.456", [("(0209) 3.123.456", "02093123456")]),
        ("113", [("113", "113")]),
        ("(+84) 209 3 123 456", [("(+84) 209 3 123 456", "+842093123456")]),
        (
            "0209 3 123 456, 0912 345 678",
            [("0209 3 123 456", "02093123456"), ("0912 345 678", "0912345678")],
        ),
        ("0209 3 123 456; 0912345678", [("0209 3 123 456", "02093123456"), ("0912345678", "0912345678")]),
        ("0209 3 123 456 / 0912345678", [("0209 3 123 456", "02093123456"), ("0912345678", "0912345678")]),
        ("0209-3-123-456 - 0912-345-678", [("0209-3-123-456", "02093123456"), ("0912-345-678", "0912345678")]),
        ("", []),
    ],
)  # fmt: skip
def test_a_phone_field_is_one_link_per_number(written: str, numbers: list) -> None:
    assert phone_numbers(written) == tuple(PhoneNumber(w, d) for w, d in numbers)


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("0209 3 123 456 hoặc 0912 345 678", "(hoặc)"),
        ("0209 3 123 456 máy lẻ 12", "(máylẻ)"),
        ("Gọi 113", "(Gọi)"),
        ("0209 3 123 456 0912 345 678", "21 chữ số"),
        ("02093123456 0912345678", "21 chữ số"),
        ("12", "quá ngắn"),
        ("0209*3123", "'*'"),
        ("0209+3123", "'+'"),
        ("０２０９ ３１２ ３４５", "'０'"),
        ("0209\t3123456", "U+0009"),
    ],
)
def test_a_phone_field_with_letters_or_two_joined_numbers_is_refused(
    written: str, words: str
) -> None:
    with pytest.raises(AddressError) as refused:
        phone_numbers(written)
    assert words in refused.value.message
    assert "dấu phẩy" in refused.value.hint


@pytest.mark.parametrize(
    "written",
    [
        "https://www.facebook.com/xatamthanh",
        "https://zalo.me.example.vn/123",  # zalo.me as the start of another name
        "https://notzalo.me/123",
        "https://chat.zalo.com/123",
    ],
)
def test_a_zalo_address_elsewhere_than_zalo_me_is_an_error_on_its_line(
    make_site, written: str
) -> None:
    root = make_site()
    site_yml = (root / "site.yml").read_text(encoding="utf-8") + f"zalo_url: {written}\n"
    (root / "site.yml").write_text(site_yml, encoding="utf-8")
    [error] = check(BuildOptions(root))[1].errors
    assert (error.file, error.line) == ("site.yml", len(site_yml.splitlines()))
    assert "không phải địa chỉ Zalo" in error.message and "Sao chép liên kết" in error.hint


@pytest.mark.parametrize(
    "written", ["https://zalo.me/0000000000000000000", "https://OA.Zalo.me/home?id=1"]
)
def test_zalo_me_and_its_subdomains_are_zalo_addresses(written: str) -> None:
    canonical = checked_url(written)
    assert zalo_address(canonical) == canonical
