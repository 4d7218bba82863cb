"""The command line, through click's CliRunner, and build.py as a real process."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from thutuc.cli import main

REPO = Path(__file__).resolve().parent.parent


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def test_build_prints_a_summary(make_site, tmp_path: Path) -> None:
    root = make_site()
    result = run(
        "build",
        "--project",
        str(root),
        "--no-posters",
        "--out",
        str(tmp_path / "o"),
        "--qr",
        str(tmp_path / "q"),
    )
    assert result.exit_code == 0, result.output
    # the page count grows with every output file a feature adds; the rest must not change
    assert re.search(r"Xong: \d+ trang \(1 thủ tục, 1 lĩnh vực\)", result.output)
    assert "0 lỗi, 0 cảnh báo" in result.output
    assert "giây" in result.output
    assert (tmp_path / "o/1.001193/index.html").is_file()


def test_check_writes_nothing(make_site) -> None:
    root = make_site()
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    result = run("check", "--project", str(root))
    assert result.exit_code == 0, result.output
    assert "Tốt: 1 thủ tục, 1 lĩnh vực" in result.output
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_build_failure_exits_1_and_names_the_file(make_site) -> None:
    root = make_site({"procedures/ho-tich/khai-sinh.md": "---\ntitle: x\n"})
    result = run("build", "--project", str(root))
    assert result.exit_code == 1
    assert "procedures/ho-tich/khai-sinh.md:1" in result.output
    assert "Trang cũ trong thư mục đầu ra vẫn giữ nguyên" in result.output
    assert "Traceback" not in result.output


def test_new_with_options_creates_a_file_that_checks(make_site) -> None:
    root = make_site()
    result = run(
        "new", "--project", str(root), "--field", "Chứng thực", "--new-field",
        "--code", "2.000815", "--title", "Chứng thực bản sao từ bản chính",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    created = root / "procedures/chung-thuc/chung-thuc-ban-sao-tu-ban-chinh.md"
    text = created.read_text(encoding="utf-8")
    for key in (
        "code:",
        "title:",
        "documents:",
        "processing_time:",
        "fee:",
        "methods:",
        "forms:",
        "updated:",
    ):
        assert key in text
    # Unfilled, it checks, but says what a resident would miss; --strict refuses it.
    checked = run("check", "--project", str(root))
    assert checked.exit_code == 0, checked.output
    assert "2 thủ tục, 2 lĩnh vực" in checked.output
    assert "thiếu điều người dân cần biết trước tiên" in checked.output
    assert run("check", "--project", str(root), "--strict").exit_code == 1
    filled = text.replace("documents: []", "documents: [Bản chính, bản sao]")
    filled = filled.replace('processing_time: ""', "processing_time: Trong ngày")
    created.write_text(filled.replace('fee: ""', "fee: 2.000 đồng một trang"), encoding="utf-8")
    strict = run("check", "--project", str(root), "--strict")
    assert strict.exit_code == 0, strict.output
    html = run("build", "--project", str(root), "--no-posters")
    assert html.exit_code == 0, html.output
    page = (root / "output/2.000815/index.html").read_text(encoding="utf-8")
    assert "Viết từng bước" not in page and "Tờ khai (theo mẫu)" not in page


def test_new_asks_for_what_is_missing(make_site) -> None:
    root = make_site()
    result = run("new", "--project", str(root), input="ho-tich\n1.000894\nĐăng ký kết hôn\n")
    assert result.exit_code == 0, result.output
    assert 'code: "1.000894"' in (root / "procedures/ho-tich/dang-ky-ket-hon.md").read_text()


def test_new_refuses_a_bad_code_and_an_existing_file(make_site) -> None:
    root = make_site()
    bad = run(
        "new", "--project", str(root), "--field", "ho-tich", "--code", "12345", "--title", "X"
    )
    assert bad.exit_code == 1 and "không phải mã thủ tục" in bad.output
    args = [
        "new",
        "--project",
        str(root),
        "--field",
        "ho-tich",
        "--code",
        "1.000894",
        "--title",
        "Kết hôn",
    ]
    assert run(*args).exit_code == 0
    again = run(*args)
    assert again.exit_code == 1 and "đã có" in again.output


def test_build_py_is_the_same_cli() -> None:
    result = subprocess.run(
        [sys.executable, "build.py", "--help"], cwd=REPO, capture_output=True, text=True, check=True
    )
    for command in ("build", "check", "serve", "new"):
        assert command in result.stdout


def test_unsafe_out_is_refused_with_a_message(make_site) -> None:
    root = make_site()
    result = run("build", "--project", str(root), "--out", str(root), "--no-posters")
    assert result.exit_code == 1
    assert "--out" in result.output and "thư mục trang" in result.output


def test_without_the_packages_build_py_points_to_the_venv() -> None:
    """The system Python of a fresh clone has no click: build.py says to run
    `make site` and use .venv/bin/python, never `pip install` into the system."""
    result = subprocess.run(
        [sys.executable, "-S", "build.py", "check"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "make site" in result.stderr and ".venv/bin/python build.py check" in result.stderr
    assert "source .venv/bin/activate" in result.stderr
    assert "pip install" not in result.stderr and "Traceback" not in result.stderr


def test_build_py_names_every_missing_package() -> None:
    """A Python that has click but not the rest (another venv, pyenv) is told what
    is missing before anything runs: no "tool error, report it" from deep in a build."""
    result = subprocess.run(
        [sys.executable, "-S", "build.py", "build"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 1
    for name in ("click", "nh3", "cmarkgfm", "reportlab"):
        assert name in result.stderr


def test_the_package_list_is_pyproject_s() -> None:
    import re
    import tomllib

    from thutuc.requirements import RUNTIME_MODULES

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {
        re.split(r"[<>=!~ \[;]", dep, maxsplit=1)[0].lower() for dep in project["dependencies"]
    }
    assert names == set(RUNTIME_MODULES)


def test_python_m_build_in_the_repository_is_pypa_build() -> None:
    """`python -m build` finds build.py first (the current folder leads sys.path);
    it hands over to PyPA's build, or says how to get it, never runs thutuc."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        has_pypa = bool(distribution("build"))
    except PackageNotFoundError:
        has_pypa = False
    result = subprocess.run(
        [sys.executable, "-m", "build", "--version"], cwd=REPO, capture_output=True, text=True
    )
    assert "Traceback" not in result.stderr and "thủ tục" not in result.stdout
    if not has_pypa:
        assert result.returncode == 1 and "pip install build" in result.stderr
    else:
        assert result.returncode == 0 and "build" in result.stdout


def test_a_project_folder_that_does_not_exist_is_said_first(tmp_path: Path) -> None:
    for command in ("build", "check", "serve", "compare"):
        result = run(command, "--project", str(tmp_path / "khong-co"))
        assert result.exit_code == 2, (command, result.output)  # as click's wrong values
        assert f"'--project': không có thư mục '{tmp_path / 'khong-co'}'." in result.output
        assert "published-urls" not in result.output and "Traceback" not in result.output


def test_commune_on_a_single_site_is_refused(make_site) -> None:
    """--commune on a site that is not a province built everything and said nothing."""
    root = make_site()
    built = run("build", "--project", str(root), "--commune", "xa-a", "--no-posters")
    checked = run("check", "--project", str(root), "--commune", "xa-a")
    for result in (built, checked):
        assert result.exit_code == 1, result.output
        assert "--commune chỉ dùng trong chế độ tỉnh" in result.output
    assert not (root / "output").exists()


def test_shard_on_a_single_site_is_refused(make_site) -> None:
    """--shard 2/2 on a single site built everything, as the 2nd of 2 runners would."""
    root = make_site()
    result = run("build", "--project", str(root), "--shard", "2/2", "--no-posters")
    assert result.exit_code == 1, result.output
    assert "không có xã nào để chia. Bỏ --shard" in result.output
    assert not (root / "output").exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["build", "--projet", "."], "Không có tùy chọn '--projet'. (Có phải là một trong: "),
        (["biuld"], "Không có lệnh 'biuld'. Có phải là 'build'?"),
        (["build", "--jobs", "hai"], "Giá trị không đúng cho '--jobs': 'hai' không phải là số"),
        (["serve", "--port", "0"], "0 nằm ngoài khoảng cho phép"),
        (["build", "thua"], "Có chữ thừa không dùng được: thua"),
        (["build", "--base-url"], "Tùy chọn '--base-url' cần một giá trị viết sau nó."),
        (["build", "--base-url", "notaurl"], "'--base-url': 'notaurl' không phải địa chỉ web"),
        ([], "Cách dùng:"),
        (["--version"], "build.py, phiên bản "),
        (["build", "--project", str(REPO / "site.yml")], "là một tệp, không phải thư mục."),
    ],
)
def test_a_mistyped_command_line_is_answered_in_vietnamese(args: list[str], said: str) -> None:
    """click's own usage errors reach the editor in Vietnamese (thutuc/click_words.py),
    with the exit code 2 of a usage error, and no English line beside them."""
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args], capture_output=True, text=True
    )
    told = result.stdout + result.stderr
    assert said in told, told
    # a usage error exits 2, and so does no command (the help); --version is no error
    assert result.returncode == (0 if args == ["--version"] else 2), told
    for english in ("Usage:", "Error:", "Try '", "No such", "Did you mean", "Options:"):
        assert english not in told, told


def test_every_vietnamese_word_translates_a_message_click_still_has() -> None:
    """A table entry click no longer says would leave its message in English unnoticed."""
    import click

    from thutuc.click_words import WORDS

    source = "".join(p.read_text("utf-8") for p in Path(click.__file__).parent.glob("*.py"))
    gone = [english for english in WORDS if f'"{english}"' not in source]
    assert not gone


@pytest.mark.parametrize("command", ["", "build", "check", "serve", "new", "import", "compare"])
def test_every_command_s_help_is_in_vietnamese(command: str) -> None:
    """The help an editor reads: no click type names (TEXT, INTEGER RANGE) as the
    placeholder of a value, no English headings."""
    result = run(*([command] if command else []), "--help")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Cách dùng:") and "Tùy chọn:" in result.output
    for english in ("Usage:", "Options:", "Show this message", "default:", "required", "[OPTIONS]"):
        assert english not in result.output, result.output
    assert not re.search(r"\b(TEXT|INTEGER|FLOAT|RANGE|PATH|FILENAME|BOOLEAN)\b", result.output)


def test_import_from_a_folder_with_nothing_to_import_says_so(make_site, tmp_path: Path) -> None:
    """Not '0 tệp đã ghi' and success: the editor most likely chose the wrong folder."""
    root = make_site()
    (tmp_path / "du-lieu").mkdir()
    (tmp_path / "du-lieu" / "ghi-chu.txt").write_text("không phải tệp dữ liệu")
    result = run("import", "--project", str(root), str(tmp_path / "du-lieu"))
    assert result.exit_code == 1, result.output
    assert "không có tệp nào để nhập (.csv, .json, .xlsx)" in result.output
