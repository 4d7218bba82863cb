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


def check_output_folder(folder: Path, site_root: Path, option: str) -> None:
    """Refuse the site folder itself, a folder holding it, or someone else's files."""
    target, root = folder.resolve(), site_root.resolve()
    if target == root or root.is_relative_to(target):
        raise UnsafeOutput(
            f"{option} {folder} là thư mục trang hoặc chứa thư mục trang; "
            "dựng vào đó sẽ xóa mất nội dung. Chọn một thư mục khác, ví dụ output/."
        )
    if target.is_relative_to(root / "procedures") or target.is_relative_to(root / "templates"):
        raise UnsafeOutput(f"{option} {folder} nằm trong thư mục nội dung. Chọn thư mục khác.")
    if target.is_file():
        raise UnsafeOutput(f"{option} {folder} là một tệp, không phải thư mục.")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).exists():
        raise UnsafeOutput(
            f"{option} {folder} đã có tệp khác mà công cụ này không tạo ra. "
            "Chọn một thư mục trống hoặc thư mục mới để không ghi đè tệp của bạn."
        )


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
