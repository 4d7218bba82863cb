"""No input breaks a printed code, the output or the build (issue 12).

Generated cases the committed broken sites cannot hold (FIFOs, folders named
x.md, 9 MB files, read-only folders, crashes, git history), the output-folder
rules, forms served over HTTP, published titles, the time each hostile shape
takes as it grows, and random bytes and YAML fed to `check` and `build`.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import MINIMAL_SITE, REPO, files_of, require_executable, write_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_permanence import serving  # the output over HTTP, as a static host serves it

from thutuc.cli import main
from thutuc.content import markdown
from thutuc.content.load import MAX_MARKDOWN_BYTES
from thutuc.content.permanence import PUBLISHED_FILE, same_procedure
from thutuc.engine.pipeline import BuildOptions, build, check
from thutuc.problems import BuildFailed

PROC = '---\ncode: "{code}"\ntitle: {title}\n{extra}---\n{body}'


def proc(
    code: str = "1.000894", title: str = "Đăng ký kết hôn", extra: str = "", body: str = ""
) -> str:
    return PROC.format(code=code, title=title, extra=extra, body=body)


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def build_args(root: Path, out: Path, qr: Path, *more: str) -> list[str]:
    return [
        "build",
        "--project",
        str(root),
        "--out",
        str(out),
        "--qr",
        str(qr),
        "--no-posters",
        *more,
    ]


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail instead of hanging: SIGALRM interrupts the work after `seconds`."""

    def interrupt(signum: int, frame: object) -> None:
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# Output folders: every unsafe --out/--qr pair is refused before anything is written.

UNSAFE_PAIRS = {
    # name → (--out, --qr) relative to tmp_path ("site" is the project), words of the message
    "same folder": ("o", "o", "--out và --qr cùng là"),
    "qr inside out": ("o", "o/q", "nằm trong --out"),
    "out inside qr": ("q/o", "q", "nằm trong --qr"),
    "out is the project": ("site", "q", "là thư mục trang hoặc chứa thư mục trang"),
    "out holds the project": (".", "q", "là thư mục trang hoặc chứa thư mục trang"),
    "qr is the project": ("o", "site", "là thư mục trang hoặc chứa thư mục trang"),
    "out inside procedures": ("site/procedures/o", "q", "nằm trong thư mục nội dung procedures/"),
    "qr inside templates": ("o", "site/templates/q", "nằm trong thư mục nội dung templates/"),
    "out inside the build state": (
        "site/.thutuc-cache/o",
        "q",
        "nằm trong thư mục trạng thái dựng .thutuc-cache/",
    ),
    "out inside git's store": ("site/.git/objects/zz", "q", "nằm trong thư mục của git .git/"),
    "out is a file": ("site/site.yml", "q", "không phải thư mục"),
    "out is a symlink": ("link", "q", "liên kết tượng trưng (symlink)"),
    "qr is a FIFO": ("o", "fifo", "không phải thư mục"),
    "out is someone's folder": ("mine", "q", "đã có tệp khác mà công cụ này không tạo ra"),
    "out under a file": ("site/site.yml/o", "q", "không ghi được"),
}


@pytest.mark.parametrize("case", sorted(UNSAFE_PAIRS))
def test_unsafe_output_folders_are_refused_before_anything_is_written(
    case: str, make_site, tmp_path: Path
) -> None:
    root = make_site()
    (root / "templates").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    os.mkfifo(tmp_path / "fifo")
    write_files(tmp_path / "mine", {"thesis.docx": b"mine"})
    out, qr, words = UNSAFE_PAIRS[case]
    before = files_of(tmp_path)
    listing = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = cli(*build_args(root, tmp_path / out, tmp_path / qr))
    assert result.exit_code == 1, result.output
    assert words in result.output, result.output
    said = result.output
    assert any(fix in said for fix in ("Chọn", "Đặt hai thư mục", "Ví dụ", "Ghi thẳng")), said
    if case == "out is a symlink":  # the folder it points to, not output/ as an example
        assert str((tmp_path / "elsewhere").resolve()) in said and "ví dụ output/" not in said
    assert files_of(tmp_path) == before
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == listing


def test_a_province_output_inside_communes_is_refused(tmp_path: Path) -> None:
    province = write_files(
        tmp_path / "tinh",
        {
            "province.yml": "name: Tỉnh Thử\nbase_url: https://thu.example.vn/{commune}/\n",
            "procedures/ho-tich/_index.md": "---\ntitle: Hộ tịch\n---\n",
            "procedures/ho-tich/ket-hon.md": proc(),
            "communes/an/site.yml": "name: Xã An\n",
        },
    )
    result = cli(*build_args(province, province / "communes/an/o", tmp_path / "q"))
    assert result.exit_code == 1
    assert "nằm trong thư mục nội dung communes/" in result.output
    assert not (province / "communes/an/o").exists() and not (tmp_path / "q").exists()


def unprivileged(command: list[str]) -> list[str]:
    """Run `command` without the capabilities that let root ignore permissions
    (CI runs as root): then a read-only folder is read-only for it too."""
    if os.geteuid() != 0:
        return command
    setpriv = require_executable("setpriv")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, "--bounding-set", caps, "--inh-caps", caps, *command]


@pytest.mark.parametrize("which", ["out", "parent"])
def test_an_unwritable_output_folder_is_a_named_error_and_nothing_changes(
    which: str, make_site, tmp_path: Path
) -> None:
    root = make_site()
    holder = tmp_path / "holder"
    out, qr = holder / "out", tmp_path / "qr"
    assert cli(*build_args(root, out, qr)).exit_code == 0
    before = {folder: files_of(folder) for folder in (out, qr)}
    locked = out if which == "out" else holder
    locked.chmod(0o555)
    try:
        done = subprocess.run(
            unprivileged([sys.executable, str(REPO / "build.py"), *build_args(root, out, qr)]),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        locked.chmod(0o755)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"--out {out}: không ghi được (không có quyền ghi vào {locked}" in done.stderr
    assert {folder: files_of(folder) for folder in (out, qr)} == before
    assert sorted(p.name for p in holder.iterdir()) == ["out"]


# Files that are not what they seem.


def test_a_fifo_named_like_a_page_is_reported_never_opened(make_site) -> None:
    root = make_site()
    os.mkfifo(root / "procedures/ho-tich/treo.md")
    os.mkfifo(root / PUBLISHED_FILE)
    done = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "check", "--project", str(root)],
        capture_output=True,
        text=True,
        timeout=30,  # a read of the FIFO would wait here for ever
    )
    assert done.returncode == 1
    assert "procedures/ho-tich/treo.md: lỗi: Đây là một đường ống (FIFO)" in done.stderr
    assert "Xóa nó" in done.stderr


def test_a_folder_named_site_yml_is_one_problem_naming_it(make_site) -> None:
    """Not "Is a directory (6)" with no file named, nor a warning for every
    translation because site.yml, unread, "lists no languages"."""
    root = make_site({"site.yml": None, "procedures/ho-tich/khai-sinh.en.md": "---\n---\nx\n"})
    (root / "site.yml").mkdir()
    result = cli("build", "--project", str(root), "--no-posters")
    assert result.exit_code == 1, result.output
    assert "site.yml: lỗi: Đây là một thư mục, không phải tệp văn bản" in result.output
    assert "1 lỗi, 0 cảnh báo" in result.output, result.output


def test_a_file_where_the_build_state_folder_goes_is_named(make_site) -> None:
    root = make_site()
    (root / ".thutuc-cache").write_text("")
    result = cli("build", "--project", str(root), "--no-posters")
    assert result.exit_code == 1, result.output
    assert (
        ".thutuc-cache: lỗi:" in result.output and "là một tệp, không phải thư mục" in result.output
    )
    assert "Xóa tệp đó" in result.output and "File exists" not in result.output
    assert not (root / "output").exists()


@pytest.mark.parametrize("command", ["import", "compare"])
def test_a_fifo_given_to_import_or_compare_is_said_to_be_one(
    make_site, tmp_path: Path, command: str
) -> None:
    os.mkfifo(tmp_path / "du-lieu.json")
    project, data = str(make_site()), str(tmp_path / "du-lieu.json")
    done = subprocess.run(
        [sys.executable, str(REPO / "build.py"), command, "--project", project, data],
        capture_output=True,
        text=True,
        timeout=30,  # a read of the FIFO would wait here for ever
    )
    assert done.returncode == 1, done.stderr
    said = done.stdout + done.stderr
    assert "du-lieu.json" in said and "đây là một đường ống (FIFO), không phải tệp." in said
    assert "không tìm thấy" not in said


def test_a_site_whose_pages_were_all_skipped_is_not_called_good(make_site) -> None:
    root = make_site(
        {"procedures/ho-tich/khai-sinh.md": None, "procedures/ho-tich/khai-sinh.md.txt": proc()}
    )
    result = cli("check", "--project", str(root))
    assert "procedures: cảnh báo: Trang chưa có thủ tục nào" in result.output
    assert "khai-sinh.md.txt: tên có thêm đuôi .txt" in result.output
    assert cli("check", "--project", str(root), "--strict").exit_code == 1


def test_a_folder_named_like_a_page_is_a_folder(make_site) -> None:
    root = make_site({"procedures/ho-tich/thu-muc.md/ket-hon.md": proc()})
    project, problems = check(BuildOptions(root))
    assert project is not None, problems.report()
    assert {p.code for p in project.sites[0].procedures} == {"1.001193", "1.000894"}


def test_a_file_over_the_size_limit_is_refused_at_once(make_site) -> None:
    body = "Nội dung dài. " * (MAX_MARKDOWN_BYTES // 14)
    root = make_site({"procedures/ho-tich/dai.md": proc(body=body)})
    with time_limit(10):
        _, problems = check(BuildOptions(root))
    assert "procedures/ho-tich/dai.md: lỗi: Tệp quá lớn: hơn 8 MB" in problems.report()
    assert "Rút gọn" in problems.report()


def test_a_body_just_under_the_limit_builds(make_site, tmp_path: Path) -> None:
    line = "Một đoạn văn dài về thủ tục. "
    body = line * ((MAX_MARKDOWN_BYTES - 4096) // len(line.encode("utf-8")))
    root = make_site({"procedures/ho-tich/dai.md": proc(body=body)})
    with time_limit(60):
        result = cli(*build_args(root, tmp_path / "o", tmp_path / "q"))
    assert result.exit_code == 0, result.output


FLOODS = {
    "paragraphs": "x\n\n" * 2_300_000,  # 7 MB: 20 s and 2.3 GB to build before the limit
    "list items": "- x\n" * 1_700_000,
    "a wide table": ("|" + "ô|" * 5_000 + "\n") * 2 + ("|" + "-|" * 5_000 + "\n") + ("|" + "ô|" * 5_000 + "\n") * 200,
    "one line of code spans": "`a` " * 1_700_000,  # one line: counted by its tags
}  # fmt: skip


@pytest.mark.parametrize("kind", FLOODS)
def test_a_body_of_too_many_elements_is_refused_at_once(
    kind: str, make_site, tmp_path: Path
) -> None:
    """Under the size limit, but hundreds of thousands of elements: refused with the
    file and line, in bounded time and memory, for procedures and fields alike."""
    root = make_site(
        {
            "procedures/ho-tich/dai.md": proc(body=FLOODS[kind]),
            "procedures/chung-thuc/_index.md": "---\ntitle: Chứng thực\n---\n" + FLOODS[kind],
        }
    )
    with time_limit(60):
        result = cli(*build_args(root, tmp_path / "o", tmp_path / "q"))
    assert result.exit_code == 1, result.output
    for file in ("procedures/ho-tich/dai.md:", "procedures/chung-thuc/_index.md:4: "):
        assert f"{file}" in result.output
    assert result.output.count("lỗi: Nội dung quá lớn: khoảng") == 2, result.output
    assert "phần (đoạn, dòng, ô bảng), tối đa 500.000." in result.output
    assert "forms:" in result.output
    assert not (tmp_path / "o").exists()


def test_a_body_of_many_elements_under_the_limit_builds(make_site, tmp_path: Path) -> None:
    root = make_site({"procedures/ho-tich/dai.md": proc(body="Một bước.\n\n" * 45_000)})
    result = cli(*build_args(root, tmp_path / "o", tmp_path / "q"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o/1.000894/index.html").read_text("utf-8").count("Một bước.") == 45_000


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ({"site.yml": "name: '\u200b '\nbase_url: https://thu.example.vn/\n"}, "site.yml:1: lỗi: Thiếu khóa bắt buộc 'name'"),
        ({"site.yml": "name: Xã\nbase_url: https://thu.example.vn/\ncontacts:\n  - name: '\u3164'\n"}, "site.yml:3: lỗi: 'contacts': một người trong danh bạ thiếu name"),
        ({"procedures/ho-tich/_index.md": "---\ntitle: ' '\n---\n"}, "procedures/ho-tich/_index.md:2: lỗi: Thiếu khóa bắt buộc 'title'"),
        ({"procedures/ho-tich/k.md": proc(extra="forms:\n  - title: '\u200b'\n    file: a.pdf\n")}, "mỗi mẫu đơn cần cả title và file"),
        ({"procedures/ho-tich/k.md": proc(extra="summary: \"a\\u202eb\"\n")}, "k.md:4: lỗi: 'summary': có ký tự điều khiển ẩn U+202E"),
        ({"procedures/ho-tich/k.md": proc(body="Mở đầu.\n\n" + "<div>" * 101 + "x\n")}, "k.md:7: lỗi: Thẻ HTML lồng nhau quá sâu (101 thẻ mở chưa đóng, tối đa 100)"),
        ({"procedures/ho-tich/k.md": proc(extra="documents:\n  - \"giấy\\x85tờ\"\n")}, "k.md:4: lỗi: 'documents': có ký tự điều khiển ẩn U+0085"),
        ({"procedures/ho-tich/k.md": proc(extra="\"t\\u2066\": x\n")}, "k.md:4: lỗi: Có ký tự điều khiển ẩn U+2066 (LEFT-TO-RIGHT ISOLATE) trong khóa"),
    ],
)  # fmt: skip
def test_invisible_required_text_and_hidden_characters_are_refused(
    files: dict, words: str, make_site
) -> None:
    _, problems = check(BuildOptions(make_site(files)))
    assert words in problems.report(), problems.report()


def test_a_future_retirement_is_announced_and_not_applied(make_site, tmp_path: Path) -> None:
    root = make_site(
        {
            "procedures/ho-tich/ket-hon.md": proc(extra="retired: 2999-01-01\n"),
            "procedures/ho-tich/giam-ho.md": proc(
                "1.004837", "Đăng ký giám hộ", "retired: 2020-01-01\n"
            ),
        }
    )
    result = cli(*build_args(root, tmp_path / "o", tmp_path / "q"))
    assert result.exit_code == 0, result.output
    assert "ket-hon.md:4: nhắc việc: retired: 2999-01-01 là ngày chưa tới" in result.output
    upcoming = (tmp_path / "o/1.000894/index.html").read_text(encoding="utf-8")
    past = (tmp_path / "o/1.004837/index.html").read_text(encoding="utf-8")
    assert "đã bị bãi bỏ" not in upcoming and "đã bị bãi bỏ" in past
    assert "1.000894/" in (tmp_path / "o/ho-tich/index.html").read_text(encoding="utf-8")
    assert (tmp_path / "q/thu-tuc-1.000894.svg").is_file()
    assert not (tmp_path / "q/thu-tuc-1.004837.svg").exists()  # retired: no new code printed


# Forms: distinct addresses, any file name, served over HTTP as a resident's phone asks.


NAMES = ["mẫu #1.pdf", "to khai?.pdf", "100% miễn phí.pdf", "Tờ khai đăng ký.docx"]


def test_every_form_link_opens_its_own_file_over_http(make_site, tmp_path: Path) -> None:
    forms = "".join(f"  - title: Mẫu {n}\n    file: {name!r}\n" for n, name in enumerate(NAMES))
    forms += "  - title: Mẫu cũ\n    file: cu/to-khai.pdf\n  - title: Mẫu mới\n    file: moi/to-khai.pdf\n"
    files: dict = {f"procedures/ho-tich/{name}": f"tệp {name}".encode() for name in NAMES}
    files["procedures/ho-tich/cu/to-khai.pdf"] = b"%PDF cu"
    files["procedures/ho-tich/moi/to-khai.pdf"] = b"%PDF moi"
    files["procedures/ho-tich/ket-hon.md"] = proc(extra="forms:\n" + forms)
    root = make_site(files)
    result = cli(*build_args(root, tmp_path / "o", tmp_path / "q"))
    assert result.exit_code == 0, result.output
    page = (tmp_path / "o/1.000894/index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="\.\./([^"]+)" download>([^<]+)</a>', page)
    assert len(links) == len(NAMES) + 2, links
    expected = [f"tệp {name}".encode() for name in NAMES] + [b"%PDF cu", b"%PDF moi"]
    with serving(tmp_path / "o") as base:
        for (href, _), content in zip(links, expected, strict=True):
            assert href.isascii() and " " not in href and "#" not in href and "?" not in href
            with urllib.request.urlopen(base + href, timeout=10) as response:
                assert response.read() == content, href
    assert "1.000894/cu/to-khai.pdf" in [h for h, _ in links]


def test_two_forms_that_differ_only_in_capitals_are_a_clear_clash(make_site) -> None:
    forms = "  - title: A\n    file: Mau/to-khai.pdf\n  - title: B\n    file: mau/to-khai.pdf\n"
    root = make_site(
        {
            "procedures/ho-tich/Mau/to-khai.pdf": b"%PDF A",
            "procedures/ho-tich/mau/to-khai.pdf": b"%PDF B",
            "procedures/ho-tich/ket-hon.md": proc(extra="forms:\n" + forms),
        }
    )
    _, problems = check(BuildOptions(root))
    report = problems.report()
    assert (
        "ket-hon.md:4: lỗi: Tệp mẫu 'mau/to-khai.pdf' và 'Mau/to-khai.pdf' không thể cùng" in report
    )
    assert "Đổi tên một trong hai tệp" in report


# Published codes: titles recorded, duplicates judged by history.


def test_the_build_records_titles_and_reads_an_old_file_without_them(make_site) -> None:
    root = make_site({PUBLISHED_FILE: "/\n/1.001193/\n"})
    build(BuildOptions(root, posters=False))
    lines = (root / PUBLISHED_FILE).read_text(encoding="utf-8").splitlines()
    assert "/1.001193/\tĐăng ký khai sinh" in lines
    assert "/ho-tich/" in lines and "/" in lines
    path = root / "procedures/ho-tich/khai-sinh.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "Đăng ký khai sinh", "Đăng ký khai sinh cho trẻ em"
        ),
        encoding="utf-8",
    )
    _, problems = check(BuildOptions(root))
    assert "đã được công bố" not in problems.report()
    before = (root / PUBLISHED_FILE).read_bytes()
    build(BuildOptions(root, posters=False))
    assert (root / PUBLISHED_FILE).read_bytes() == before  # an edited title changes nothing


@pytest.mark.parametrize(
    ("published", "now", "same"),
    [
        ("Đăng ký khai sinh", "Đăng ký khai sinh cho trẻ em", True),
        ("Đăng ký khai sinh", "Thủ tục đăng ký khai sinh", True),
        ("Đăng ký khai sinh", "Đăng kí khai sinh", True),
        ("Đăng ký khai sinh", "ĐĂNG KÝ KHAI SINH", True),
        ("Chứng thực bản sao từ bản chính", "Chứng thực bản sao từ bản chính giấy tờ", True),
        ("Đăng ký khai sinh", "Đăng ký khai tử", False),
        ("Đăng ký khai sinh", "Đăng ký kết hôn", False),
        ("Chứng thực chữ ký", "Chứng thực di chúc", False),
        ("Hỗ trợ chi phí mai táng", "Trợ cấp xã hội hằng tháng", False),
    ],
)
def test_an_edit_keeps_a_code_another_title_is_another_procedure(
    published: str, now: str, same: bool
) -> None:
    assert same_procedure(published, now) is same


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@x", *args],
        cwd=root, check=True, capture_output=True,
    )  # fmt: skip


def test_a_duplicate_code_goes_to_the_file_git_saw_later(make_site) -> None:
    require_executable("git")
    root = make_site()
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "đầu tiên")
    # the new file sorts first: by name alone, the published one would take the blame
    write_files(root, {"procedures/ho-tich/a-moi.md": proc("1.001193", "Đăng ký nhận cha mẹ con")})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "thêm")
    _, problems = check(BuildOptions(root))
    report = problems.report()
    assert "procedures/ho-tich/a-moi.md:2: lỗi: Mã thủ tục 1.001193 trùng với tệp " in report
    assert "procedures/ho-tich/khai-sinh.md, tệp giữ mã này (có trong git từ ngày" in report
    assert "khai-sinh.md:2: lỗi" not in report
    # not even committed yet: still the new one
    write_files(root, {"procedures/ho-tich/0-nhap.md": proc("1.001193", "Nháp")})
    assert "0-nhap.md:2: lỗi: Mã thủ tục 1.001193 trùng" in check(BuildOptions(root))[1].report()


def test_import_never_says_to_delete_the_file_that_has_the_code(make_site, tmp_path: Path) -> None:
    root = make_site()
    record = tmp_path / "1.001193.json"
    record.write_text(
        '{"ma_thu_tuc": "1.001193", "ten_thu_tuc": "Đăng ký khai sinh", "linh_vuc": "Hộ tịch"}',
        encoding="utf-8",
    )
    result = cli("import", "--project", str(root), str(record))
    assert "đã có trong tệp procedures/ho-tich/khai-sinh.md. Đừng xóa tệp đó" in result.output
    assert "xóa nó rồi nhập lại" not in result.output


# The last-resort handler: any unexpected exception is a message, never a traceback.

CRASH = """
import sys
import tempfile
import thutuc.site.render as render
from thutuc.processing import processing

original = render.render_page

def crash(templates_root, config, spec, overrides=""):
    procedure = dict(spec.extra).get("procedure")
    if procedure is None:
        return original(templates_root, config, spec, overrides)
    with processing(procedure.source):
        raise {error}
render.render_page = crash
from thutuc.cli import main
sys.argv[0] = "build.py"
main()
"""


@pytest.mark.parametrize(
    ("error", "code", "words"),
    [
        ("KeyError('khong-co')", 2, "Lỗi ngoài dự kiến ở bước «dựng», khi đang xử lý tệp procedures/ho-tich/khai-sinh.md:\n    KeyError: 'khong-co'"),
        ("RecursionError('maximum recursion depth exceeded')", 2, "RecursionError: maximum recursion depth exceeded"),
        ("OSError(28, 'No space left on device', 'out/a.html')", 1, "Không làm tiếp được ở bước «dựng», khi đang xử lý tệp procedures/ho-tich/khai-sinh.md: ổ đĩa đã đầy [No space left on device] (out/a.html)."),
    ],
)  # fmt: skip
def test_an_unexpected_error_is_a_message_and_the_output_stays(
    error: str, code: int, words: str, make_site, tmp_path: Path
) -> None:
    root = make_site()
    out, qr = tmp_path / "o", tmp_path / "q"
    assert cli(*build_args(root, out, qr)).exit_code == 0
    before = {folder: files_of(folder) for folder in (out, qr)}
    page = root / "procedures/ho-tich/khai-sinh.md"  # an edit: its page is built again
    page.write_text(page.read_text(encoding="utf-8") + "\nThêm một dòng.\n", encoding="utf-8")
    command = [sys.executable, "-c", CRASH.format(error=error), *build_args(root, out, qr)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    assert words in done.stderr, done.stderr
    assert "Trang cũ trong thư mục đầu ra vẫn giữ nguyên." in done.stderr
    assert "python build.py --debug build --project " in done.stderr
    assert {folder: files_of(folder) for folder in (out, qr)} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o", "q", "site"]
    debug = subprocess.run([*command, "--debug"], capture_output=True, text=True, timeout=60)
    assert "Traceback (most recent call last)" in debug.stderr
    assert "thutuc: while processing procedures/ho-tich/khai-sinh.md" in debug.stderr
    assert {folder: files_of(folder) for folder in (out, qr)} == before


def test_ctrl_c_is_a_sentence_not_a_traceback(make_site) -> None:
    script = "import thutuc.engine.sites as p\ndef stop(*a, **k):\n    raise KeyboardInterrupt\np.load_sites = stop\nfrom thutuc.cli import main\nmain()\n"
    done = subprocess.run(
        [sys.executable, "-c", script, "check", "--project", str(make_site())],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 130 and "Traceback" not in done.stderr
    assert "Đã dừng (Ctrl+C)" in done.stderr


# Bounded work: every hostile shape found costs time linear in its size.


def code(i: int) -> str:
    return f"2.{i:06d}"  # 2.x: none collides with the minimal site's 1.001193


# shape → (the files it adds to the minimal site for a size n, the n at which its
# own cost is about 0.1-0.2 s of CPU here). Limits stop some shapes early (YAML
# nodes, HTML nesting, file size): n keeps 4n within them, or measures the refusal.
SHAPES: dict[str, tuple[Callable[[int], dict], int]] = {
    "many procedure files": (
        lambda n: {
            f"procedures/ho-tich/p{i}.md": proc(code(i), f"Thủ tục số {i}") for i in range(n)
        },
        256,
    ),
    "a replaced_by chain": (
        lambda n: {
            f"procedures/ho-tich/p{i}.md": proc(
                code(i), f"Thủ tục {i}", f'replaced_by: "{code(i + 1)}"\n' if i < n - 1 else ""
            )
            for i in range(n)
        },
        256,
    ),
    "forms of one name in many folders": (
        lambda n: {
            **{f"procedures/ho-tich/m/f{i}/to-khai.pdf": b"%PDF" for i in range(n)},
            "procedures/ho-tich/k.md": proc(
                extra="forms:\n"
                + "".join(f"  - title: M{i}\n    file: m/f{i}/to-khai.pdf\n" for i in range(n))
            ),
        },
        256,  # at 128 the smaller site cost ~0.08 s, within a loaded machine's noise
    ),
    "one code in many files": (
        lambda n: {
            f"procedures/ho-tich/p{i}.md": proc("1.001193", f"Thủ tục {i}") for i in range(n)
        },
        512,
    ),
    "many aliases": (
        lambda n: {
            "procedures/ho-tich/_index.md": "---\ntitle: Hộ tịch\naliases: ["
            + ", ".join(f"cu-{i}" for i in range(n))
            + "]\n---\n"
        },
        256,
    ),
    "a hotline of many numbers": (
        lambda n: {
            "site.yml": MINIMAL_SITE["site.yml"].replace(
                "0209 3 123 456", ", ".join(["0209 3 123 456"] * n)
            )
        },
        1024,
    ),
    "a long published-urls.txt": (lambda n: {PUBLISHED_FILE: "/1.001193/\tĐăng ký\n" * n}, 8192),
    "hidden characters on every line": (
        lambda n: {"procedures/ho-tich/k.md": proc(body="a\x1b\n" * n)},
        1 << 19,
    ),
    "runs of [": (lambda n: {"procedures/ho-tich/k.md": proc(body="[" * n + "\n")}, 1 << 19),
    "a wide table": (
        lambda n: {
            "procedures/ho-tich/k.md": proc(
                body="|" + "a|" * n + "\n|" + "-|" * n + "\n" + ("|" + "x|" * n + "\n") * 5
            )
        },
        8192,
    ),
    "raw HTML nested": (
        lambda n: {"procedures/ho-tich/k.md": proc(body="<div>" * n + "x" + "</div>" * n + "\n")},
        1 << 17,
    ),
    "raw HTML left open in every list item": (
        lambda n: {"procedures/ho-tich/k.md": proc(body="- <!--\n  <script> x\n" * n)},
        8192,
    ),
    "images and links without https://": (
        lambda n: {
            "procedures/ho-tich/k.md": proc(body="![a](b.png) [x](www.x.vn) [y](/9.999999/) " * n)
        },
        8192,
    ),
    "many equal headings": (
        lambda n: {"procedures/ho-tich/k.md": proc(body="## Mục\n\n" * n)},
        16384,
    ),
    "one long line": (lambda n: {"procedures/ho-tich/k.md": proc(body="chữ *a* " * n)}, 65536),
    "a long front matter list": (
        lambda n: {
            "procedures/ho-tich/k.md": proc(
                extra="documents:\n" + "".join(f"  - Giấy *số* {i}\n" for i in range(n))
            )
        },
        4096,
    ),
    "many contacts": (
        lambda n: {
            "site.yml": MINIMAL_SITE["site.yml"]
            + "contacts:\n"
            + "".join(f"  - name: Người {i}\n    phone: 0209 3 123 456\n" for i in range(n))
        },
        800,
    ),
}


def user_seconds() -> float:
    """User-mode CPU time of this process: the work of the code itself. Kernel time
    (creating files and folders) is left out: on a shared machine it varies with the
    file system's state far more than with the input. Other processes do not count."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_utime


def best_in_turns(*measures: Callable[[], float]) -> list[float]:
    """Each measure's best of 3, taken in turns, so a burst of load on the machine
    weighs on all alike; after one untimed run of the last (the largest), so what a
    first run pays once (imports, rarely taken paths, memory the process grows to)
    is charged to none."""
    measures[-1]()
    best = [float("inf")] * len(measures)
    for _ in range(3):
        best = [min(b, measure()) for b, measure in zip(best, measures, strict=True)]
    return best


def build_seconds(files: dict, folder: Path) -> float:
    """User CPU seconds to check and build (pages and SVG codes) the minimal site plus
    `files`. Always in the same folder, so the templates are compiled once; the
    garbage collector off while timing, as its pauses vary; in this one process
    (jobs=1), so every part of the work is counted and no worker start-up is."""
    shutil.rmtree(folder, ignore_errors=True)
    root = write_files(folder / "site", {**MINIMAL_SITE, **files})
    options = BuildOptions(
        root, folder / "o", folder / "q", posters=False, record_published=False, jobs=1
    )
    markdown.parse.cache_clear()  # a second run must parse again, as a first build does
    markdown.inline_html.cache_clear()
    gc.collect()
    gc.disable()
    start = user_seconds()
    try:
        with contextlib.suppress(BuildFailed):
            build(options)
        return user_seconds() - start
    finally:
        gc.enable()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_work_grows_linearly_with_each_hostile_shape(shape: str, tmp_path: Path) -> None:
    """4 times the size must cost at most 10 times the CPU time (above the minimal
    site's): linear work gives 4, n log n about 5, quadratic 16."""
    make, n = SHAPES[shape]
    small_files, large_files = make(n), make(4 * n)
    baseline, small, large = best_in_turns(
        lambda: build_seconds({}, tmp_path),
        lambda: build_seconds(small_files, tmp_path),
        lambda: build_seconds(large_files, tmp_path),
    )
    small, large = small - baseline, large - baseline
    assert large / max(small, 0.02) < 10, f"{shape}: n={n} {small:.3f} s, 4n {large:.3f} s"


# The leaflet is at most two pages: its layout never costs more than that, whatever
# the body. shape → (the procedure's body for a size n, n).
LEAFLET_SHAPES: dict[str, tuple[Callable[[int], str], int]] = {
    "a table of many rows": (lambda n: "|a|b|\n|-|-|\n" + "|ô|ô|\n" * n, 5000),
    "a table of many columns": (
        lambda n: "|" + "a|" * n + "\n|" + "-|" * n + "\n" + ("|" + "ô|" * n + "\n") * 3,
        2000,
    ),
    "a long cell": (lambda n: "|a|b|\n|-|-|\n|ô|" + "chữ " * n + "|\n", 20000),
    "many paragraphs in a cell": (
        lambda n: "<table><tr><td>" + "<p>chữ</p>" * n + "</td></tr></table>\n",
        20000,
    ),
}


def leaflet_seconds(body: str, folder: Path) -> float:
    """User CPU seconds to declare, fit and draw the leaflet of a procedure with `body`."""
    from thutuc.print.layout import register_fonts, render_pdf
    from thutuc.print.posters import fitted, leaflet_spec

    register_fonts()
    shutil.rmtree(folder, ignore_errors=True)
    root = write_files(
        folder / "site", {**MINIMAL_SITE, "procedures/ho-tich/k.md": proc(body=body)}
    )
    project, problems = check(BuildOptions(root))
    assert project is not None, problems.report()
    site = project.sites[0]
    procedure = site.procedures_by_code["1.000894"]
    markdown.parse.cache_clear()
    start = user_seconds()
    render_pdf(fitted(leaflet_spec(site, procedure, "M")))
    return user_seconds() - start


@pytest.mark.slow
@pytest.mark.parametrize("shape", sorted(LEAFLET_SHAPES))
def test_a_leaflet_costs_about_the_same_whatever_the_body(shape: str, tmp_path: Path) -> None:
    """4 times the rows, columns or text must cost at most 10 times the CPU time
    (the layout itself is bounded; reading the body stays linear)."""
    make, n = LEAFLET_SHAPES[shape]
    small_body, large_body = make(n), make(4 * n)
    small, large = best_in_turns(
        lambda: leaflet_seconds(small_body, tmp_path),
        lambda: leaflet_seconds(large_body, tmp_path),
    )
    assert large / max(small, 0.05) < 10, f"{shape}: n={n} {small:.3f} s, 4n {large:.3f} s"


# Random input: a clear message or success, never a traceback, never a hang.

YAML_ALPHABET = "abcđếễ019 .:-?[]{},&*!|>'\"#%@`\\\n\t\x1b\u202e\u200b"


def _nested(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12), _nested, max_leaves=12
)
KEYS = ["code", "title", "forms", "methods", "retired", "replaced_by", "online_url", "documents"]


def check_and_build(root: Path) -> None:
    """Both commands, in this process: exit 0 or 1 (never 2: an unexpected error),
    a message, no traceback, under the time limit."""
    with tempfile.TemporaryDirectory() as out, time_limit(20):
        for args in (
            ["check", "--project", str(root)],
            build_args(root, Path(out) / "o", Path(out) / "q"),
        ):
            result = CliRunner().invoke(main, args)
            assert result.exit_code in (0, 1), result.output
            assert result.exception is None or isinstance(result.exception, SystemExit), repr(
                result.exception
            )
            assert "Traceback" not in result.output
            assert (
                any(word in result.output for word in ("Tốt", "Còn cảnh báo", "Xong"))
                if result.exit_code == 0
                else ("lỗi" in result.output)
            ), result.output


def check_and_build_random(files: dict) -> None:
    """The minimal site with `files` written over it, checked and built, then removed
    (hypothesis runs many examples in one test: tmp_path would be shared)."""
    folder = Path(tempfile.mkdtemp(prefix="ngau-nhien-"))
    try:
        check_and_build(write_files(folder / "site", {**MINIMAL_SITE, **files}))
    finally:
        shutil.rmtree(folder)


# 25 examples each, the same every run (CI must not fail by chance); for a
# longer hunt: THUTUC_EXAMPLES=2000 pytest tests/test_robustness.py -k random
EXAMPLES = os.environ.get("THUTUC_EXAMPLES")
PROPERTY = settings(
    max_examples=int(EXAMPLES or 25),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=EXAMPLES is None,
    database=None,
)


@PROPERTY
@given(st.binary(max_size=400))
def test_random_bytes_as_a_procedure_file(data: bytes) -> None:
    check_and_build_random({"procedures/ho-tich/ngau-nhien.md": data})


@PROPERTY
@given(st.text(alphabet=YAML_ALPHABET, max_size=200), st.text(max_size=100))
def test_random_yaml_text_as_front_matter(front: str, body: str) -> None:
    check_and_build_random({"procedures/ho-tich/ngau-nhien.md": f"---\n{front}\n---\n{body}"})


@PROPERTY
@given(st.dictionaries(st.sampled_from(KEYS), yaml_values, max_size=6))
def test_random_yaml_values_for_the_known_keys(meta: dict) -> None:
    front = yaml.safe_dump(meta, allow_unicode=True)
    check_and_build_random({"procedures/ho-tich/ngau-nhien.md": f"---\n{front}---\nNội dung.\n"})


@PROPERTY
@given(
    st.dictionaries(
        st.sampled_from(
            ["name", "base_url", "hotline", "contacts", "zalo_url", "stale_after_months", "exclude"]
        ),
        yaml_values | st.sampled_from(["https://thu.example.vn/", "0209 3 123 456", "12"]),
        max_size=6,
    )
)
def test_random_site_yml(meta: dict) -> None:
    site_yml = yaml.safe_dump(
        {"name": "Xã", "base_url": "https://thu.example.vn/", **meta}, allow_unicode=True
    )
    check_and_build_random({"site.yml": site_yml})


def test_each_number_of_a_phone_field_is_its_own_link(make_site, tmp_path: Path) -> None:
    site_yml = MINIMAL_SITE["site.yml"].replace("0209 3 123 456", "0209 3 123 456, 0912 345 678")
    site_yml += "contacts:\n  - name: Công an xã\n    phone: 113; +84 209 3 111 222\n"
    root = make_site({"site.yml": site_yml})
    assert cli(*build_args(root, tmp_path / "o", tmp_path / "q")).exit_code == 0
    page = (tmp_path / "o/lien-he/index.html").read_text(encoding="utf-8")
    assert (
        '<a class="tel" href="tel:02093123456">0209 3 123 456</a> hoặc '
        '<a class="tel" href="tel:0912345678">0912 345 678</a>'
    ) in page
    assert (
        '<a class="tel" href="tel:113">113</a> hoặc <a class="tel" href="tel:+842093111222">'
        in page
    )
    assert not re.search(r'href="tel:\d{16,}"', page)
