"""When each procedure file was last committed, from one `git log` pass.

A page whose front matter has no `updated:` shows its file's last commit date
instead. Dates come from commits, not from the clock or file times, so two
builds of the same commit stay byte-identical. No git, not a repository, or a
git error: no dates at all, never a failed build.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

from thutuc.content.files import PROCEDURES_DIR
from thutuc.content.text import nfc

_HEADER = "\x01"  # starts each commit's line in the log; never part of a file name


def last_commit_dates(root: Path, folders: tuple[str, ...] = (PROCEDURES_DIR,)) -> dict[str, date]:
    """Root-relative path of every file under `folders` → date of its last commit.

    A province asks for its catalogue and its communes' folders at once."""
    git = shutil.which("git")
    present = [f for f in folders if (root / f).is_dir()]
    if git is None or not present:
        return {}
    log = _git(
        git,
        root,
        "log",
        f"--format={_HEADER}%H %cs",
        "--name-only",
        "--relative",
        "-z",
        "--",
        *present,
    )
    if log is None:
        return {}
    return _parse_log(log, _shallow_commits(git, root))


def _git(git: str, cwd: Path, *args: str) -> str | None:
    try:
        done = subprocess.run([git, *args], cwd=cwd, capture_output=True, check=False, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else None


def _shallow_commits(git: str, root: Path) -> frozenset[str]:
    """Commits at the edge of a shallow clone (CI's default `fetch-depth: 1`).

    Such a commit has no parent in the clone, so git lists every file as added
    by it: its date says nothing about when a file last changed."""
    path = _git(git, root, "rev-parse", "--path-format=absolute", "--git-path", "shallow")
    shallow = Path(path.strip()) if path else None
    if shallow is None or not shallow.is_file():
        return frozenset()
    return frozenset(shallow.read_text(encoding="ascii").split())


def _parse_log(log: str, shallow: frozenset[str]) -> dict[str, date]:
    """Newest date per file; `git log -z` gives NUL-separated headers and names."""
    dates: dict[str, date] = {}
    when: date | None = None
    for token in log.split("\0"):
        token = token.lstrip("\n")
        if token.startswith(_HEADER):
            commit, day = token[1:].split()
            when = None if commit in shallow else date.fromisoformat(day)
        elif token and when is not None:
            rel = nfc(token)
            dates[rel] = max(when, dates.get(rel, when))
    return dates


def head_commit(root: Path) -> str:
    """The commit checked out at `root` ("" without git): commit dates change only with it."""
    git = shutil.which("git")
    if git is None:
        return ""
    found = _git(git, root, "rev-parse", "HEAD")
    if found is None:
        return ""
    shallow = _shallow_commits(git, root)
    return found.strip() + ("+shallow" if shallow else "")
