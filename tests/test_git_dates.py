"""Dates from git: a page without `updated:` shows its file's last commit date;
`check` lists stale procedures oldest first; no git, no date."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import files_of

from thutuc.cli import main
from thutuc.content.freshness import checked_procedures, months_before, stale_procedures
from thutuc.content.git_dates import last_commit_dates
from thutuc.engine.pipeline import BuildOptions, build, check

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")

UNDATED = '---\ncode: "{code}"\ntitle: {title}\n---\n'


def git(root: Path, *args: str, when: str = "2024-03-05T10:00:00+07:00") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Cán bộ Tư pháp",
        "GIT_AUTHOR_EMAIL": "tuphap@example.vn",
        "GIT_COMMITTER_NAME": "Cán bộ Tư pháp",
        "GIT_COMMITTER_EMAIL": "tuphap@example.vn",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def commit_all(root: Path, when: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Sửa thủ tục", when=when)


@pytest.fixture
def repo(make_site) -> Path:
    """The minimal site plus two procedures without `updated:`, committed on 05/03/2024."""
    root = make_site(
        {
            "procedures/ho-tich/ket-hon.md": UNDATED.format(code="1.000894", title="Kết hôn"),
            "procedures/ho-tich/khai-tu.md": UNDATED.format(code="1.000656", title="Khai tử"),
            ".gitignore": "/output/\n/qr/\n",
        }
    )
    git(root, "init", "-q")
    commit_all(root, "2024-03-05T10:00:00+07:00")
    return root


def page(out: Path, path: str) -> str:
    return (out / path / "index.html").read_text(encoding="utf-8")


def test_page_shows_the_last_commit_date(repo: Path) -> None:
    (repo / "procedures/ho-tich/khai-tu.md").write_text(
        UNDATED.format(code="1.000656", title="Đăng ký khai tử"), encoding="utf-8"
    )
    commit_all(repo, "2025-01-20T09:30:00+07:00")
    build(BuildOptions(repo, posters=False))
    out = repo / "output"
    assert '<p class="muted">Cập nhật ngày 05/03/2024.</p>' in page(out, "1.000894/")
    assert '<p class="muted">Cập nhật ngày 20/01/2025.</p>' in page(out, "1.000656/")
    # `updated:` is what an editor checked; it wins over any commit date.
    assert "Thông tin được kiểm tra ngày 01/07/2025." in page(out, "1.001193/")


def test_dates_keep_builds_byte_identical(repo: Path, tmp_path: Path) -> None:
    build(BuildOptions(repo, out=tmp_path / "a", qr=tmp_path / "qa", posters=False))
    build(BuildOptions(repo, out=tmp_path / "b", qr=tmp_path / "qb", posters=False))
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")


def test_stale_procedures_are_listed_oldest_first(repo: Path) -> None:
    fresh = date.today().isoformat()
    (repo / "site.yml").write_text(
        (repo / "site.yml").read_text().replace("stale_after_months: 0", "stale_after_months: 12")
    )
    (repo / "procedures/ho-tich/moi.md").write_text(
        f'---\ncode: "1.004873"\ntitle: Xác nhận tình trạng hôn nhân\nupdated: {fresh}\n---\n'
    )
    (repo / "procedures/ho-tich/cu.md").write_text(
        '---\ncode: "1.004837"\ntitle: Đăng ký giám hộ\nupdated: 2023-06-30\n---\n'
    )
    commit_all(repo, "2024-05-01T08:00:00+07:00")  # the two new files; others stay 05/03/2024
    _, problems = check(BuildOptions(repo))
    [warning] = problems.notices
    assert warning.message.splitlines() == [
        "Đến lúc đối chiếu lại 4 thủ tục đã quá 12 tháng chưa kiểm tra "
        "(lâu nhất trước); trang vẫn dựng bình thường:",
        "    - 30/06/2023: procedures/ho-tich/cu.md (1.004837 Đăng ký giám hộ)",
        "    - 05/03/2024 (ngày sửa tệp): procedures/ho-tich/khai-tu.md (1.000656 Khai tử)",
        "    - 05/03/2024 (ngày sửa tệp): procedures/ho-tich/ket-hon.md (1.000894 Kết hôn)",
        "    - 01/07/2025: procedures/ho-tich/khai-sinh.md (1.001193 Đăng ký khai sinh)",
    ]
    assert "Xác nhận tình trạng hôn nhân" not in warning.message
    assert f"updated: {fresh}" in warning.hint


def test_stale_cutoff_is_whole_calendar_months(make_site) -> None:
    root = make_site({"site.yml": "name: Xã Thử\nbase_url: https://thu.example.vn/\n"})
    site = check(BuildOptions(root))[0].sites[0]
    assert site is not None
    on_cutoff = date(2025, 7, 1) + timedelta(days=365)  # updated 01/07/2025 + 12 months
    checked = checked_procedures(site.active_procedures, site.commit_dates)
    assert stale_procedures(checked, 12, on_cutoff) == []
    assert [c.code for c in stale_procedures(checked, 12, on_cutoff + timedelta(days=1))] == [
        "1.001193"
    ]
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)


def test_retired_procedures_are_never_stale(make_site) -> None:
    root = make_site(
        {
            "site.yml": "name: Xã Thử\nbase_url: https://thu.example.vn/\n",
            "procedures/ho-tich/cu.md": '---\ncode: "1.004837"\ntitle: Cũ\n'
            "updated: 2019-01-01\nretired: 2020-01-01\n---\n",
        }
    )
    site = check(BuildOptions(root))[0].sites[0]
    assert site is not None
    checked = checked_procedures(site.active_procedures, site.commit_dates)
    assert [c.code for c in stale_procedures(checked, 12, date(2030, 1, 1))] == ["1.001193"]


def test_no_repository_no_date(make_site) -> None:
    root = make_site({"procedures/ho-tich/kh.md": UNDATED.format(code="1.000894", title="Kết hôn")})
    assert last_commit_dates(root) == {}
    build(BuildOptions(root, posters=False))
    html = page(root / "output", "1.000894/")
    assert "Cập nhật ngày" not in html and "kiểm tra ngày" not in html


def test_no_git_program_no_date(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "nowhere"))
    assert last_commit_dates(repo) == {}
    build(BuildOptions(repo, posters=False))
    assert "Cập nhật ngày" not in page(repo / "output", "1.000894/")


def test_shallow_clone_gives_no_false_dates(repo: Path, tmp_path: Path) -> None:
    """CI clones one commit deep by default: that commit 'adds' every file."""
    (repo / "procedures/ho-tich/khai-tu.md").write_text(UNDATED.format(code="1.000656", title="X"))
    commit_all(repo, "2025-01-20T09:30:00+07:00")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", repo.as_uri(), str(clone))
    assert last_commit_dates(clone) == {}
    git(clone, "fetch", "-q", "--deepen", "1")
    assert last_commit_dates(clone) == {"procedures/ho-tich/khai-tu.md": date(2025, 1, 20)}


def test_stale_facts_never_fail_a_strict_check(make_site) -> None:
    root = make_site(
        {"site.yml": "name: Xã Thử\nbase_url: https://thu.example.vn/\nstale_after_months: 1\n"}
    )
    result = CliRunner().invoke(main, ["check", "--project", str(root), "--strict"])
    assert result.exit_code == 0, result.output
    assert "nhắc việc: Đến lúc đối chiếu lại 1 thủ tục đã quá 1 tháng" in result.output
    assert "0 lỗi, 0 cảnh báo, 1 nhắc việc" in result.output
