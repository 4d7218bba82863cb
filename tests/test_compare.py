"""`compare`: pages against national records (fixture records written for these
tests, in the national database's format), with its text and JSON output."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, require_national_data

from thutuc.cli import main
from thutuc.importers.facts import (
    canon,
    durations,
    legal_numbers,
    money,
    plain_numbers,
    resident_deadlines,
)

FIXTURES = Path(__file__).parent / "fixtures" / "national"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def page(code: str, title: str, extra: str) -> str:
    return f'---\ncode: "{code}"\ntitle: {title}\n{textwrap.dedent(extra)}---\nNội dung.\n'


TRICH_LUC = page(
    "2.000635",
    "Cấp bản sao Trích lục hộ tịch",
    """\
    documents: [Tờ khai yêu cầu cấp bản sao trích lục]
    processing_time: Trong ngày
    fee: 80.000 đồng một bản
    methods: [truc-tiep]
    result: Bản sao Trích lục hộ tịch
    legal_basis: [Thông tư 281/2016/TT-BTC]
    decision: 163/QĐ-BTP
    updated: 2026-06-01
    """,
)
KHAI_TU = page(
    "1.000656",
    "Đăng ký khai tử",
    """\
    documents: [Tờ khai đăng ký khai tử, Giấy báo tử]
    processing_time: Trong ngày
    fee: 5.000 đồng (mức thu của tỉnh)
    methods: [truc-tiep]
    result: Trích lục khai tử
    legal_basis: [Luật Hộ tịch 60/2014/QH13]
    decision: 163/QĐ-BTP
    local: [fee]
    updated: 2026-06-01
    """,
)
KET_HON = page("1.000894", "Đăng ký kết hôn", "fee: Miễn phí\nupdated: 2026-06-01\n")


@pytest.fixture
def site(make_site) -> Path:
    return make_site(
        {
            "procedures/ho-tich/trich-luc.md": TRICH_LUC,
            "procedures/ho-tich/khai-tu.md": KHAI_TU,
            "procedures/ho-tich/ket-hon.md": KET_HON,
        }
    )


def compare(site: Path, *args: str):
    return run("compare", "--project", str(site), *args, str(FIXTURES))


def test_report_names_each_difference_in_plain_vietnamese(site) -> None:
    result = compare(site)
    assert result.exit_code == 0, result.output
    text = result.output
    # a changed fee, with both amounts as a resident reads them
    assert "procedures/ho-tich/trich-luc.md (2.000635 Cấp bản sao Trích lục hộ tịch)" in text
    assert "khác · phí, lệ phí: (trực tiếp) trang thiếu số tiền 8.000 đồng" in text
    assert "trang ghi «80.000 đồng một bản»" in text
    # a missing document, quoted from the record
    assert "thiếu · giấy tờ: Cổng ghi 1 giấy tờ mà trang không nhắc:" in text
    assert "«Văn bản ủy quyền nếu nhờ người khác đi làm thay." in text
    # a deadline the resident must keep; the office's own 3 days are not asked for
    assert "Cổng ghi thời hạn 60 ngày người dân phải giữ mà trang không nhắc:" in text
    assert "3 ngày làm việc" not in text
    # a code the national data does not know
    assert "Mã không có trong dữ liệu quốc gia đã đưa vào (1):" in text
    assert "  - 1.000894: procedures/ho-tich/ket-hon.md" in text
    # how to fix, and how to mark a difference as intended
    assert "→ Sửa trang cho đúng." in text and "local: [fee]" in text
    assert text.rstrip().splitlines()[-1].startswith("Có chỗ khác người dân cần biết: 3 thủ tục")


def test_same_facts_in_other_words_are_not_differences(make_site) -> None:
    """Digit grouping, tone placement, case and "trong ngày" against "1 ngày làm
    việc" are the same facts; only --verbose lists the wording."""
    same = page(
        "2.000635",
        "cấp bản sao trích lục hộ tịch",
        """\
        documents: [Tờ khai xin bản sao trích lục]
        processing_time: Ngay trong ngày
        fee: 8000đ/bản
        methods: [truc-tiep]
        result: Bản sao trích lục hộ tịch
        legal_basis: [Thông tư 281/2016/TT-BTC]
        decision: 163/QĐ-BTP
        updated: 2026-06-01
        """,
    )
    root = make_site({"procedures/ho-tich/khai-sinh.md": None, "procedures/ho-tich/tl.md": same})
    result = run("compare", "--project", str(root), str(FIXTURES / "trich-luc.json"))
    assert result.exit_code == 0, result.output
    assert "Khớp: 1 thủ tục so được; 0 chỗ khác người dân cần biết" in result.output
    assert "procedures/ho-tich/tl.md" not in result.output  # nothing to say about it


def test_intended_difference_is_kept_but_never_fails(site) -> None:
    strict = compare(site, "--strict")
    assert strict.exit_code == 1  # the changed fee and the missing document
    assert "procedures/ho-tich/khai-tu.md" not in strict.output  # its one difference is intended
    verbose = compare(site, "--verbose")
    assert "procedures/ho-tich/khai-tu.md (1.000656 Đăng ký khai tử)" in verbose.output
    assert "khác · phí, lệ phí (cố ý, local:)" in verbose.output
    data = json.loads(compare(site, "--format", "json").output)
    khai_tu = next(p for p in data["pages"] if p["code"] == "1.000656")
    assert khai_tu["local"] == ["fee"]


def test_local_mark_hides_the_difference_until_the_record_is_newer(make_site) -> None:
    """The record of 1.000656 was published on 2026-03-01: a page checked after
    that keeps its `local: [fee]`; one checked before loses it and is stale."""
    checked_after = KHAI_TU
    root = make_site(
        {"procedures/ho-tich/khai-sinh.md": None, "procedures/ho-tich/kt.md": checked_after}
    )
    record = str(FIXTURES / "trich-luc.json")
    result = run("compare", "--project", str(root), "--strict", record)
    assert result.exit_code == 0, result.output  # only an intended difference
    assert "0 chỗ chỉ khác cách viết, 1 chỗ cố ý khác (local:)." in result.output
    verbose = run("compare", "--project", str(root), "--verbose", record)
    assert (
        "khác · phí, lệ phí (cố ý, local:): (trực tiếp) trang ghi số tiền Cổng không có"
        in verbose.output
    )

    checked_before = KHAI_TU.replace("updated: 2026-06-01", "updated: 2026-01-10")
    (root / "procedures/ho-tich/kt.md").write_text(checked_before, encoding="utf-8")
    stale = run("compare", "--project", str(root), "--strict", record)
    assert stale.exit_code == 1
    assert (
        "! Cũ hơn dữ liệu quốc gia: trang kiểm tra ngày 10/01/2026, mà bản ghi ghi "
        "ngay_cong_bo: 01/03/2026." in stale.output
    )
    assert "Khóa local: tạm không áp dụng." in stale.output
    assert "1 thủ tục cũ hơn dữ liệu quốc gia" in stale.output


def test_json_for_scripts(site) -> None:
    result = compare(site, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["summary"]["compared"] == 3 and data["summary"]["unknown"] == 1
    assert data["unknown_codes"] == [{"code": "1.000894", "file": "procedures/ho-tich/ket-hon.md"}]
    trich_luc = next(p for p in data["pages"] if p["code"] == "2.000635")
    fee = next(d for d in trich_luc["differences"] if d["topic"] == "fee")
    assert fee["kind"] == "khác" and fee["resident_facing"] is True and fee["intended"] is False
    assert fee["local"] == "80.000 đồng một bản"
    khai_sinh = next(p for p in data["pages"] if p["code"] == "1.001193")
    documents = next(d for d in khai_sinh["differences"] if d["topic"] == "documents")
    assert documents["items"] == ["Văn bản ủy quyền nếu nhờ người khác đi làm thay."]
    assert khai_sinh["checked_on"] == "2025-07-01" and khai_sinh["stale"] is None


def test_unreadable_input_is_reported_in_vietnamese(site, tmp_path: Path) -> None:
    broken = tmp_path / "hong.json"
    broken.write_text('{"ma_thu_tuc": "1.0', encoding="utf-8")
    result = run("compare", "--project", str(site), str(broken), str(tmp_path / "khong-co.json"))
    assert result.exit_code == 1
    assert "hong.json: JSON hỏng ở dòng 1" in result.output
    assert "khong-co.json: không tìm thấy tệp hoặc thư mục này." in result.output
    assert "Traceback" not in result.output
    none = run("compare", "--project", str(site))
    assert none.exit_code == 2 and "Cần đưa vào tệp hoặc thư mục dữ liệu quốc gia" in none.output


def test_a_site_with_errors_is_not_compared(make_site) -> None:
    root = make_site({"procedures/ho-tich/khai-sinh.md": "---\ntitle: x\n---\n"})
    result = run("compare", "--project", str(root), str(FIXTURES))
    assert result.exit_code == 1
    assert "Chưa so sánh được: trang có lỗi" in result.output


# --- The facts the comparison reads, one by one ---------------------------------------


def test_canon_settles_spellings_but_keeps_letters_and_tones() -> None:
    assert canon("Hoà giải  THUỶ lợi") == canon("hòa giải thủy lợi")
    assert canon("hộ") != canon("hỗ") and canon("hồ sơ") != canon("hỗ sơ")
    assert canon("8.000 đồng, 03 ngày") == canon("8000 đồng 3 ngày")


def test_numbers_keep_codes_and_decimals() -> None:
    assert plain_numbers("8.000 và 400,000 và 1.000.000") == "8000 và 400000 và 1000000"
    assert (
        plain_numbers("mã 1.001193, 2.000884.000.00.00.H55")
        == "mã 1.001193, 2.000884.000.00.00.H55"
    )
    assert plain_numbers("1,5 triệu") == "1,5 triệu"


def test_money_reads_amounts_and_exemptions() -> None:
    assert money("8.000 đồng/bản").amounts == {(8000, "đồng")}
    assert money("8000đ").amounts == money("8 nghìn đồng").amounts == {(8000, "đồng")}
    assert money("1,5 triệu đồng").amounts == {(1_500_000, "đồng")}
    assert money("80.000 đồng").amounts != money("8.000 đồng").amounts
    assert money("Miễn lệ phí cho hộ nghèo").free and not money("50.000 đồng").free
    assert money("Không mất phí.").free and money("0 đồng").free


def test_durations() -> None:
    found = durations("Trong ngày; nộp sau 15 giờ thì trả sau. Tối đa 05 ngày làm việc")
    assert {d.shown() for d in found} == {"1 ngày làm việc", "15 giờ", "5 ngày làm việc"}
    assert durations("ngày 05 tháng 6 năm 2025") == []  # a date, not a duration


def test_legal_numbers_survive_typing_slips() -> None:
    keys = legal_numbers("Luật 60/2014/QH13; Thông tư 04/2020/TT-BTP; 24/2021/QĐ-TTg")
    assert list(keys) == ["60/2014/QH", "4/2020/TT", "24/2021/QĐ"]
    assert list(legal_numbers("Nghị định 23/2015/NĐ-C")) == ["23/2015/NĐ"]


def test_deadlines_are_the_residents_not_the_offices() -> None:
    text = (
        "Trong thời hạn 30 ngày kể từ ngày kết thúc việc tiêu hủy, cơ sở sản xuất nộp hồ sơ.\n"
        "Trong thời hạn 03 ngày làm việc kể từ ngày nhận được hồ sơ, Ủy ban nhân dân kiểm tra.\n"
        "Thời gian thẩm định không quá 07 ngày kể từ ngày tổ chức thẩm định."
    )
    assert [d.duration.shown() for d in resident_deadlines(text)] == ["30 ngày"]


# --- The sample site against the real national records ---------------------------------


def test_the_sample_matches_the_national_records() -> None:
    """The sample's pages are right against ../shared/data (not part of the
    project: skipped where it is absent). Every difference left is marked
    intended with `local:`; the four codes below are not in that data."""
    data_dir = require_national_data()
    result = run("compare", "--project", str(REPO), "--strict", "--format", "json", str(data_dir))
    data = json.loads(result.output)
    left = [
        (p["file"], d["kind"], d["message"])
        for p in data["pages"]
        for d in p["differences"]
        if not d["intended"] and d["kind"] != "cách viết"
    ]
    assert left == []
    assert [p["file"] for p in data["pages"] if p["stale"]] == []
    assert result.exit_code == 0
    assert {u["code"] for u in data["unknown_codes"]} == {
        "1.001731",
        "1.001776",
        "1.012592",
        "6.006758",
    }


def test_a_province_is_compared_commune_by_commune_each_file_once(tmp_path: Path) -> None:
    """The catalogue's page is shared by both communes: compared once. Xã An's
    override of the birth page is its own file: compared on its own."""
    from conftest import write_files
    from test_province import PROVINCE

    root = write_files(tmp_path / "tinh", dict(PROVINCE))
    result = run("compare", "--project", str(root), "--format", "json", str(FIXTURES))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    files = [p["file"] for p in data["pages"]]
    assert files == [
        "communes/an/procedures/ho-tich/khai-sinh.md",
        "communes/binh/procedures/ho-tich/trich-luc.md",
        "procedures/ho-tich/khai-sinh.md",
    ]
    unknown = [u["file"] for u in data["unknown_codes"]]
    assert unknown == ["procedures/chung-thuc/chu-ky.md", "procedures/ho-tich/ket-hon.md"]
