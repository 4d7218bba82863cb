"""Write stage: put the built files in place, all or nothing.

A build writes into fresh staging folders beside `output/` and `qr/` and swaps
them in only when every step succeeded, so a failed build leaves the previous
site exactly as it was. A marker file records that a folder is ours: we never
empty a folder that holds someone else's files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from thutuc.problems import Problems

MARKER = ".thutuc-output"


class UnsafeOutput(Exception):
    """An output folder we must not write to; the message says why."""


def write_file(folder: Path, rel: str, content: bytes) -> Path:
    """Write `content` at `folder/rel`, refusing any path that leaves `folder`."""
    path = folder / rel
    if not path.resolve().is_relative_to(folder.resolve()):
        raise UnsafeOutput(f"Đường dẫn {rel} ra ngoài thư mục đầu ra.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def copy_file(folder: Path, rel: str, source: Path) -> Path:
    return write_file(folder, rel, source.read_bytes())


@contextmanager
def staged(folders: Iterable[Path]) -> Iterator[list[Path]]:
    """Yield a fresh staging folder for each target; swap all in on success,
    remove them all on failure."""
    targets = list(folders)
    stages: list[Path] = []
    try:
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
            (stage / MARKER).write_bytes(b"")
            stages.append(stage)
        yield stages
    except BaseException:
        for stage in stages:
            shutil.rmtree(stage, ignore_errors=True)
        raise
    for stage, target in zip(stages, targets, strict=True):
        swap_in(stage, target)


def swap_in(stage: Path, target: Path) -> None:
    """Replace `target` by `stage` with two renames on the same file system."""
    stage.chmod(0o755)
    if not target.exists():
        os.replace(stage, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.replace(target, old / target.name)
    os.replace(stage, target)
    shutil.rmtree(old, ignore_errors=True)


def report_unsafe(problems: Problems, error: UnsafeOutput) -> None:
    problems.error("(tùy chọn dòng lệnh)", str(error))
