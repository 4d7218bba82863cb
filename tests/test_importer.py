"""Importer: national JSON and CSV/XLSX rows become files that pass load + validate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from thutuc.cli import main
from thutuc.content.load import load_site
from thutuc.content.validate import validate_site
from thutuc.importers.importer import import_files
from thutuc.importers.national import legal_basis, method_rows, steps_markdown
from thutuc.problems import Problems

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "site.yml").write_text("name: Xã Thử\nbase_url: https://thu.example.vn/\n")
    return tmp_path


def assert_valid(root: Path) -> None:
    problems = Problems()
    result = validate_site(load_site(root, problems), problems)
    assert not problems.errors, problems.report()
    assert result is not None


def front(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def test_national_records_map_to_keys_and_validate(site):
    report = import_files([FIXTURES / "khai-sinh.json", FIXTURES / "chung-thuc.json"], site)
    assert not report.failed, report.format()
    assert report.files_written == 3
    assert_valid(site)
    meta = front(site / "procedures/ho-tich/dang-ky-khai-sinh.md")
    assert meta["code"] == "1.001193"
    assert meta["title"] == "Đăng ký khai sinh"
    assert meta["methods"] == ["truc-tiep", "truc-tuyen", "buu-chinh"]
    assert meta["fee"] == "Miễn phí"
    assert meta["agency"] == "Ủy ban Nhân dân xã"  # non-breaking spaces gone
    assert meta["keywords"] == ["khai sinh", "giấy khai sinh"]
    assert meta["result"] == "Giấy khai sinh"  # portal form controls dropped
    assert meta["legal_basis"][0] == "Luật 60/2014/QH13"
    assert "85/2019/TT-BTC: Thông tư hướng dẫn về phí và lệ phí" in meta["legal_basis"]
    assert meta["documents"][-1].startswith("Xuất trình: Thẻ căn cước")
    assert (site / "procedures/ho-tich/_index.md").read_text().count("title: Hộ tịch") == 1


def test_code_is_always_quoted(site):
    import_files([FIXTURES / "khai-sinh.json"], site)
    text = (site / "procedures/ho-tich/dang-ky-khai-sinh.md").read_text()
    assert 'code: "1.001193"' in text


def test_per_method_fee_when_methods_differ(site):
    import_files([FIXTURES / "chung-thuc.json"], site)
    meta = front(site / "procedures/chung-thuc/chung-thuc-ban-sao-tu-ban-chinh-giay-to-van-ban.md")
    assert meta["methods"][0] == {"method": "truc-tiep", "fee": "2,000 Việt Nam Đồng/trang"}
    assert "fee" not in meta


def test_steps_become_nested_markdown_lists():
    text = steps_markdown("- Nộp hồ sơ.\n+ Trực tiếp;\n+ Trực tuyến.\n- Nhận kết\nquả.")
    assert text == ("- Nộp hồ sơ.\n    - Trực tiếp;\n    - Trực tuyến.\n- Nhận kết\n    quả.")


def test_flattened_tables_are_split():
    rows = method_rows(
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp3 Ngày làm việcMiễn phí(Không quy định)Ghi chú"
    )
    assert (rows[0].key, rows[0].processing_time, rows[0].fee) == (
        "truc-tiep",
        "3 ngày làm việc",
        "Miễn phí (Không quy định)",
    )
    assert rows[0].description == "Ghi chú"
    items = legal_basis(
        "Tên văn bản pháp lýMã văn bảnNghị định về hộ tịch123/2015/NĐ-CPQuyết định1/2020/QĐ-TTg"
    )
    assert items == ["123/2015/NĐ-CP: Nghị định về hộ tịch", "1/2020/QĐ-TTg: Quyết định"]


def test_unmapped_content_is_reported(site):
    report = import_files([FIXTURES / "khai-sinh.json"], site)
    text = report.format()
    assert "formality_id" in text
    assert "không ghi đơn vị" in text


def test_existing_file_is_skipped_without_force(site):
    import_files([FIXTURES / "khai-sinh.json"], site)
    target = site / "procedures/ho-tich/dang-ky-khai-sinh.md"
    target.write_text(target.read_text().replace("Công dân Việt Nam", "Sửa tay"))
    report = import_files([FIXTURES / "khai-sinh.json"], site)
    assert report.files_written == 0
    assert "procedures/ho-tich/dang-ky-khai-sinh.md" in report.format()
    assert "--force" in report.format()
    assert "Sửa tay" in target.read_text()
    report = import_files([FIXTURES / "khai-sinh.json"], site, force=True)
    assert report.files_written == 1
    assert "Sửa tay" not in target.read_text()


def test_same_code_under_another_name_is_skipped_even_with_force(site):
    import_files([FIXTURES / "khai-sinh.json"], site)
    shutil.move(
        site / "procedures/ho-tich/dang-ky-khai-sinh.md", site / "procedures/ho-tich/khai-sinh.md"
    )
    report = import_files([FIXTURES / "khai-sinh.json"], site, force=True)
    assert report.files_written == 0
    assert "procedures/ho-tich/khai-sinh.md" in report.format()
    assert not (site / "procedures/ho-tich/dang-ky-khai-sinh.md").exists()


def test_existing_field_folder_is_found_by_title(site):
    folder = site / "procedures" / "tu-phap-ho-tich"
    folder.mkdir(parents=True)
    (folder / "_index.md").write_text("---\ntitle: Hộ tịch\n---\n")
    report = import_files([FIXTURES / "khai-sinh.json"], site)
    assert (folder / "dang-ky-khai-sinh.md").is_file(), report.format()
    assert report.fields_created == []


def test_csv_rows(site):
    report = import_files([FIXTURES / "bang.csv"], site)
    assert not report.failed, report.format()
    assert "cột lạ 'ghichu'" in report.format()
    assert_valid(site)
    meta = front(site / "procedures/ho-tich/cap-giay-xac-nhan-tinh-trang-hon-nhan.md")
    assert meta["methods"] == ["truc-tiep", "truc-tuyen", "buu-chinh"]
    assert meta["documents"] == ["Tờ khai theo mẫu", "Thẻ căn cước"]
    assert meta["keywords"] == ["độc thân", "xác nhận độc thân"]
    assert meta["updated"] == "2025-07-01"


def write_xlsx(path: Path, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_xlsx_rows_and_did_you_mean(site, tmp_path):
    xlsx = write_xlsx(
        tmp_path / "bang.xlsx",
        [
            ["code", "title", "field", "proccessing_time", "legal_basis"],
            [
                "1.000894",
                "Đăng ký kết hôn",
                "Hộ tịch",
                "Trong ngày",
                "Luật Hộ tịch; Luật Hôn nhân và gia đình",
            ],
        ],
    )
    report = import_files([xlsx], site)
    assert not report.failed, report.format()
    assert "Có phải ý bạn là 'processing_time'?" in report.format()
    assert_valid(site)
    meta = front(site / "procedures/ho-tich/dang-ky-ket-hon.md")
    assert meta["legal_basis"] == ["Luật Hộ tịch", "Luật Hôn nhân và gia đình"]


def test_missing_required_cell_names_the_row(site, tmp_path):
    xlsx = write_xlsx(
        tmp_path / "thieu.xlsx", [["code", "title", "field"], ["1.000894", "", "Hộ tịch"]]
    )
    report = import_files([xlsx], site)
    assert report.failed
    assert "thieu.xlsx, dòng 2" in report.format()
    assert "title" in report.format()


def test_numeric_code_cell_is_refused(site, tmp_path):
    xlsx = write_xlsx(
        tmp_path / "so.xlsx", [["code", "title", "field"], [1.00119, "Khai tử", "Hộ tịch"]]
    )
    report = import_files([xlsx], site)
    assert report.failed
    assert "Văn bản (Text)" in report.format()


def test_bad_inputs_fail_cleanly_and_write_nothing(site, tmp_path):
    broken = tmp_path / "hong.json"
    broken.write_text('{\n  "ma_thu_tuc": "1.001193",\n  "ten_thu_tuc": \n}\n')
    no_code = tmp_path / "thieu-ma.json"
    no_code.write_text(json.dumps([{"ten_thu_tuc": "Khai tử", "linh_vuc": "Hộ tịch"}]))
    other = tmp_path / "ghi-chu.txt"
    other.write_text("x")
    report = import_files([FIXTURES / "khai-sinh.json", broken, no_code, other], site)
    text = report.format()
    assert report.failed
    assert "hong.json" in text and "dòng 4" in text
    assert "thieu-ma.json, bản ghi 1" in text and "ma_thu_tuc" in text
    assert "ghi-chu.txt" in text and "JSON, CSV hoặc XLSX" in text
    assert not (site / "procedures").exists()  # the good record waits for the bad ones


def test_invalid_code_is_caught_before_writing(site, tmp_path):
    bad = tmp_path / "ma-sai.json"
    record = json.loads((FIXTURES / "khai-sinh.json").read_text())
    bad.write_text(json.dumps({**record, "ma_thu_tuc": "1001193"}, ensure_ascii=False))
    report = import_files([bad], site)
    assert report.failed
    assert "không phải mã thủ tục" in report.format()


def test_cli_import(site):
    runner = CliRunner()
    result = runner.invoke(
        main, ["import", "--project", str(site), str(FIXTURES / "khai-sinh.json")]
    )
    assert result.exit_code == 0, result.output
    assert "1 tệp đã ghi" in result.output
    result = runner.invoke(
        main, ["import", "--project", str(site), str(FIXTURES / "khai-sinh.json")]
    )
    assert result.exit_code == 0, result.output
    assert "--force" in result.output


def test_cli_import_fails_with_exit_1(site, tmp_path):
    broken = tmp_path / "hong.json"
    broken.write_text("[1, 2")
    result = CliRunner().invoke(main, ["import", "--project", str(site), str(broken)])
    assert result.exit_code == 1
    assert "hong.json" in result.output
    assert "Traceback" not in result.output


def test_field_column_may_name_the_folder_or_the_title(site, tmp_path):
    """`field: dat-dai` is the folder procedures/dat-dai/, never a new dat-dai-2/."""
    (site / "procedures/dat-dai").mkdir(parents=True)
    (site / "procedures/dat-dai/_index.md").write_text("---\ntitle: Đất đai\n---\n")
    table = tmp_path / "dat.csv"
    table.write_text(
        "code,title,field\n1.012812,Hòa giải tranh chấp đất đai,dat-dai\n"
        "1.013967,Giải quyết tranh chấp đất đai,ĐẤT ĐAI\n",
        encoding="utf-8",
    )
    report = import_files([table], site)
    assert not report.failed, report.format()
    assert (site / "procedures/dat-dai/hoa-giai-tranh-chap-dat-dai.md").is_file()
    assert (site / "procedures/dat-dai/giai-quyet-tranh-chap-dat-dai.md").is_file()
    assert sorted(p.name for p in (site / "procedures").iterdir()) == ["dat-dai"]
    assert report.fields_created == []


def test_report_never_says_written_when_nothing_was(site, tmp_path):
    bad = tmp_path / "ma-sai.json"
    record = json.loads((FIXTURES / "khai-sinh.json").read_text())
    bad.write_text(json.dumps({**record, "ma_thu_tuc": "1001193"}, ensure_ascii=False))
    report = import_files([FIXTURES / "chung-thuc.json", bad], site)
    text = report.format()
    assert "Chưa ghi tệp nào vì có lỗi ở trên." in text
    assert "[chưa ghi] chung-thuc.json" in text and "[đã ghi]" not in text
    assert text.splitlines()[-1] == "0 tệp đã ghi, 2 tệp chưa ghi vì có lỗi, 0 bỏ qua, 1 lỗi."
    assert not (site / "procedures").exists()
    ok = import_files([FIXTURES / "chung-thuc.json"], site).format()
    assert ok.splitlines()[-1] == "2 tệp đã ghi, 0 bỏ qua, 0 lỗi."


def test_cli_import_speaks_vietnamese_without_files_and_takes_folders(site, tmp_path):
    none = CliRunner().invoke(main, ["import", "--project", str(site)])
    assert none.exit_code == 2 and "Cần đưa vào tệp cần nhập" in none.output
    assert "Error" not in none.output
    folder = tmp_path / "du-lieu"
    folder.mkdir()
    shutil.copy(FIXTURES / "khai-sinh.json", folder)
    result = CliRunner().invoke(main, ["import", "--project", str(site), str(folder)])
    assert result.exit_code == 0, result.output
    assert "1 tệp đã ghi" in result.output
