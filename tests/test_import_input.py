"""import and compare read data files exactly, or say in plain words why not.

CSV files below are written byte for byte as Excel and LibreOffice save them
(RFC 4180: a cell holding the separator, a quote or a line break is quoted, a
quote inside it doubled), in the separators and encodings their Save As offers.
Hostile data files (deep nesting, huge numbers, huge cells) are messages that
name the file and exit 1, never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO, as_from_a_terminal, files_of

from thutuc.cli import main
from thutuc.content.load import load_site
from thutuc.content.validate import validate_site
from thutuc.importers.importer import import_files
from thutuc.problems import Problems

TITLE = 'Đăng ký "khai sinh", lần đầu; cho trẻ'
BODY = "## Lưu ý\n\nMang theo giấy chứng sinh."


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "new-site"
    root.mkdir()
    (root / "site.yml").write_text("name: Xã Thử\nbase_url: https://thu.example.vn/\n")
    return root


def front(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


def excel_bytes(sep: str, newline: str, quote_all: bool, encoding: str, sep_line: bool) -> bytes:
    """One header and one row, quoted as Excel / LibreOffice quote them: only the
    cells that need it, or (LibreOffice's "Quote all text cells") every text cell."""
    header = ["code", "title", "field", "documents", "body"]
    row = ["1.009020", TITLE, "Hộ tịch", "Tờ khai\nGiấy chứng sinh", BODY.replace("\n", "\r\n")]

    def cell(text: str) -> str:
        needs = quote_all or any(c in text for c in (sep, '"', "\n", "\r"))
        return quoted(text) if needs else text

    lines = [f"sep={sep}"] if sep_line else []
    lines += [sep.join(header), sep.join(cell(c) for c in row)]
    return (newline.join(lines) + newline).encode(encoding)


SAVED_AS = {
    # Excel, "CSV UTF-8 (Comma delimited)": BOM, CRLF
    "excel-comma": dict(sep=",", newline="\r\n", quote_all=False, encoding="utf-8-sig"),
    # the same in a Vietnamese (or French, German...) Windows locale: ";"
    "excel-semicolon": dict(sep=";", newline="\r\n", quote_all=False, encoding="utf-8-sig"),
    # Excel, "Unicode Text": UTF-16 with BOM, tabs
    "excel-unicode-text": dict(sep="\t", newline="\r\n", quote_all=False, encoding="utf-16"),
    # Excel when the file had a sep= line (it writes it back)
    "excel-sep-line": dict(sep=";", newline="\r\n", quote_all=False, encoding="utf-8-sig"),
    # LibreOffice Calc, Text CSV: no BOM, LF
    "libreoffice": dict(sep=",", newline="\n", quote_all=False, encoding="utf-8"),
    "libreoffice-quote-all": dict(sep=",", newline="\n", quote_all=True, encoding="utf-8"),
    "libreoffice-semicolon": dict(sep=";", newline="\n", quote_all=True, encoding="utf-8"),
}


@pytest.mark.parametrize("name", sorted(SAVED_AS))
def test_csv_as_spreadsheets_save_it(site: Path, tmp_path: Path, name: str) -> None:
    table = tmp_path / f"{name}.csv"
    table.write_bytes(excel_bytes(**SAVED_AS[name], sep_line=name == "excel-sep-line"))
    report = import_files([table], site)
    assert not report.failed, report.format()
    assert "1 tệp đã ghi" in report.format()
    assert [p.name for p in (site / "procedures").iterdir()] == ["ho-tich"]
    (written,) = (site / "procedures/ho-tich").glob("dang-ky-*.md")
    meta = front(written)
    assert meta["title"] == TITLE
    assert meta["documents"] == ["Tờ khai", "Giấy chứng sinh"]
    assert written.read_text(encoding="utf-8").endswith(BODY + "\n")
    problems = Problems()
    validate_site(load_site(site, problems), problems)
    assert not problems.errors, problems.report()


def test_the_issues_example_keeps_its_title(site: Path, tmp_path: Path) -> None:
    table = tmp_path / "bang.csv"
    table.write_text('code,title,field\n1.009020,"Đăng ký ""khai sinh"", lần đầu",Hộ tịch\n')
    report = import_files([table], site)
    assert not report.failed, report.format()
    assert not (site / "procedures/lan-dau").exists()
    meta = front(site / "procedures/ho-tich/dang-ky-khai-sinh-lan-dau.md")
    assert meta["title"] == 'Đăng ký "khai sinh", lần đầu'


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # a quote closes a cell and text follows: "Đăng ký" khai sinh
        ('code,title,field\n1.009020,"Đăng ký" khai sinh,Hộ tịch\n', "dòng 2"),
        # a quote opens a cell and never closes: the rest of the file would be one cell
        ('code,title,field\n1.009020,"Đăng ký khai sinh,Hộ tịch\n', "không đóng"),
    ],
)
def test_broken_quoting_is_refused_with_its_line(
    site: Path, tmp_path: Path, text: str, words: str
) -> None:
    table = tmp_path / "bang.csv"
    table.write_text(text)
    result = CliRunner().invoke(main, ["import", "--project", str(site), str(table)])
    assert result.exit_code == 1, result.output
    assert "bang.csv" in result.output and words in result.output
    assert 'viết đôi ("")' in result.output
    assert "Traceback" not in result.output
    assert not (site / "procedures").exists()


def test_a_cell_split_by_an_unquoted_comma_is_refused(site: Path, tmp_path: Path) -> None:
    """Typed by hand: the comma in the title makes a fourth cell under no header,
    which used to vanish (title "Đăng ký khai sinh", field " lần đầu")."""
    table = tmp_path / "bang.csv"
    table.write_text("code,title,field\n1.009020,Đăng ký khai sinh, lần đầu,Hộ tịch\n")
    report = import_files([table], site)
    assert report.failed
    text = report.format()
    assert "bang.csv, dòng 2" in text and "cột D" in text and "ngoặc kép" in text
    assert not (site / "procedures").exists()


def test_a_cell_over_128_kb_is_read(site: Path, tmp_path: Path) -> None:
    """csv's default limit is 128 KiB; a long body is a procedure, not an error."""
    body = "Bước một. " * 20_000  # 200 KB
    table = tmp_path / "dai.csv"
    table.write_text(f"code,title,field,body\n1.009020,Khai sinh,Hộ tịch,{quoted(body)}\n")
    report = import_files([table], site)
    assert not report.failed, report.format()[:500]
    assert body.strip() in (site / "procedures/ho-tich/khai-sinh.md").read_text()


def hostile_files(folder: Path) -> dict[str, Path]:
    files = {
        "sau.json": "[" * 100_000 + "]" * 100_000,
        "so-dai.json": '[{"ma_thu_tuc": ' + "9" * 50_000 + "}]",
        "o-qua-dai.csv": 'code,title,field,body\n1.009020,x,y,"' + "a" * (9 << 20) + '"\n',
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    return {name: folder / name for name in files}


def test_hostile_data_files_are_messages_naming_them(site: Path, tmp_path: Path, make_site) -> None:
    for name, path in hostile_files(tmp_path).items():
        result = CliRunner().invoke(main, ["import", "--project", str(site), str(path)])
        assert result.exit_code == 1, (name, result.output)
        assert name in result.output, result.output
        assert "Traceback" not in result.output and "giữ nguyên" not in result.output
        assert "Chưa ghi tệp nào" in result.output
    assert not (site / "procedures").exists()
    for name in ("sau.json", "so-dai.json"):
        result = CliRunner().invoke(
            main, ["compare", "--project", str(make_site()), str(tmp_path / name)]
        )
        assert result.exit_code == 1, (name, result.output)
        assert name in result.output and "tải lại tệp" in result.output, result.output
        assert "Traceback" not in result.output


def record(**values: object) -> dict[str, object]:
    return {"ma_thu_tuc": "1.001193", "ten_thu_tuc": "Đăng ký khai sinh", "linh_vuc": "Hộ tịch"} | (
        values
    )


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ({"ten_thu_tuc": ["a", {"b": 1}]}, "danh sách"),
        ({"ma_thu_tuc": 1.00119}, "con số"),
        ({"linh_vuc": {"ten": "Hộ tịch"}}, "đối tượng"),
        ({"phi_le_phi": True}, "true/false"),
    ],
)
def test_a_value_that_is_not_text_is_refused_with_its_record(
    site: Path, tmp_path: Path, make_site, values: dict[str, object], kind: str
) -> None:
    data = tmp_path / "ban-ghi.json"
    data.write_text(json.dumps([record(), record(**values)], ensure_ascii=False))
    report = import_files([data], site)
    text = report.format()
    assert report.failed
    assert "ban-ghi.json, bản ghi 2" in text and f"'{next(iter(values))}'" in text, text
    assert kind in text and "[''a''" not in text
    assert not (site / "procedures").exists()
    result = CliRunner().invoke(main, ["compare", "--project", str(make_site()), str(data)])
    assert "bản ghi 2 bỏ qua" in result.output and kind in result.output, result.output


@pytest.mark.parametrize("key", ["ten_thu_tuc", "trinh_tu_thuc_hien", "phi_le_phi"])
def test_half_a_utf16_pair_is_refused_with_its_record_and_key(
    site: Path, tmp_path: Path, make_site, key: str
) -> None:
    """JSON's "\\udc80" alone is no character: it could not be written to a text
    file (a traceback, or a YAML error in a file the editor never saw)."""
    data = tmp_path / "ban-ghi.json"
    data.write_text(json.dumps([record(), record(**{key: "Nộp hồ sơ \udc80 tại xã"})]))
    result = CliRunner().invoke(main, ["import", "--project", str(site), str(data)])
    assert result.exit_code == 1, result.output
    assert "ban-ghi.json, bản ghi 2" in result.output and f"'{key}'" in result.output
    assert "ký tự hỏng (\\udc80) sau “Nộp hồ sơ ”" in result.output, result.output
    assert "YAML" not in result.output and "Traceback" not in result.output
    assert not (site / "procedures").exists()
    result = CliRunner().invoke(main, ["compare", "--project", str(make_site()), str(data)])
    assert "bản ghi 2 bỏ qua" in result.output and "ký tự hỏng" in result.output, result.output


def test_half_a_utf16_pair_in_a_key_is_refused(site: Path, tmp_path: Path) -> None:
    data = tmp_path / "ban-ghi.json"
    data.write_text(json.dumps([record(**{"\udc80ghi_chu": "x"})]))
    result = CliRunner().invoke(main, ["import", "--project", str(site), str(data)])
    assert result.exit_code == 1, result.output
    assert "tên khóa '\\udc80ghi_chu' có một ký tự hỏng (\\udc80) ở đầu" in result.output
    assert not (site / "procedures").exists()


def test_two_identical_records_are_one_file_reported_as_one(site: Path, tmp_path: Path) -> None:
    data = tmp_path / "hai-lan.json"
    data.write_text(json.dumps([record(), record()], ensure_ascii=False))
    report = import_files([data], site)
    text = report.format()
    assert not report.failed, text
    assert "1 tệp đã ghi, 1 bỏ qua" in text and "giống hệt bản ghi hai-lan.json, bản ghi 1" in text
    assert len(list((site / "procedures").rglob("*.md"))) == 2  # the procedure and _index.md


def test_one_code_with_two_contents_is_refused(site: Path, tmp_path: Path) -> None:
    """Two titles for one code would write two files with one code: which is right?"""
    data = tmp_path / "hai-ban.json"
    data.write_text(
        json.dumps([record(), record(ten_thu_tuc="Đăng ký khai tử")], ensure_ascii=False)
    )
    report = import_files([data], site)
    assert report.failed
    assert "mã 1.001193 đã có ở bản ghi hai-ban.json, bản ghi 1" in report.format()
    assert not (site / "procedures").exists()


EXPORTS = Path(__file__).parent / "fixtures" / "import" / "exports"


def imported_files(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted((site / "procedures").rglob("*.md"))
    }


@pytest.mark.parametrize("name", sorted(p.name for p in EXPORTS.glob("*.csv")))
def test_csv_saved_by_libreoffice_imports_as_its_spreadsheet(tmp_path: Path, name: str) -> None:
    """Files LibreOffice itself wrote from bang.xlsx (make_exports.py): the same
    procedure files as importing bang.xlsx."""
    sites = {}
    for source in ("bang.xlsx", name):
        root = tmp_path / source
        root.mkdir()
        (root / "site.yml").write_text("name: Xã Thử\nbase_url: https://thu.example.vn/\n")
        report = import_files([EXPORTS / source], root)
        assert not report.failed and "2 tệp đã ghi" in report.format(), report.format()
        sites[source] = imported_files(root)
    assert sites[name] == sites["bang.xlsx"]
    meta = front(tmp_path / name / "procedures/ho-tich/dang-ky-khai-sinh-lan-dau-cho-tre.md")
    assert meta["title"] == 'Đăng ký "khai sinh", lần đầu; cho trẻ'
    assert meta["documents"] == ["Tờ khai", "Giấy chứng sinh"]


def many_records(count: int) -> list[dict[str, object]]:
    fields = ("Hộ tịch", "Đất đai", "Bảo trợ xã hội")
    return [
        record(
            ma_thu_tuc=f"1.{900_000 + n:06d}", ten_thu_tuc=f"Thủ tục {n}", linh_vuc=fields[n % 3]
        )
        for n in range(count)
    ]


STOP_AT_THE_FIFTH_FILE = """
import os, signal, sys
from thutuc import atomic
from thutuc.cli import run

real, written = atomic.write_text, []
def write_text(path, text):
    written.append(path)
    if len(written) == 5:
        os.kill(os.getpid(), signal.{signal})
    real(path, text)
atomic.write_text = write_text
sys.argv = ["build.py", *sys.argv[1:]]
run()
"""


@pytest.mark.parametrize(("stop", "exit_code"), [("SIGTERM", 143), ("SIGINT", 130)])
def test_an_import_stopped_while_writing_takes_back_what_it_wrote(
    site: Path, tmp_path: Path, stop: str, exit_code: int
) -> None:
    """Stopped by a signal at its fifth file, a --force import leaves procedures/ as
    it was: no new file, folder or temporary file, the overwritten one as before."""
    data = tmp_path / "ban-ghi.json"
    data.write_text(json.dumps(many_records(1), ensure_ascii=False))
    assert import_files([data], site).files_written == 1
    earlier = site / "procedures/ho-tich/0.md"  # named after its title
    earlier.write_text(earlier.read_text() + "\nGhi chú của xã.\n")
    before = files_of(site / "procedures")
    data.write_text(json.dumps(many_records(12), ensure_ascii=False))
    script = tmp_path / "stop.py"
    script.write_text(STOP_AT_THE_FIFTH_FILE.format(signal=stop))
    done = subprocess.run(
        [sys.executable, str(script), "import", "--force", "--project", str(site), str(data)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
        preexec_fn=as_from_a_terminal,
    )
    assert done.returncode == exit_code, done.stderr
    assert "Chưa nhập thủ tục nào" in done.stderr and "Traceback" not in done.stderr
    assert files_of(site / "procedures") == before
    assert sorted(p.name for p in (site / "procedures").iterdir()) == ["ho-tich"]
