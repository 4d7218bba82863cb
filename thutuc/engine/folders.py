"""Output folders: which `--out`/`--qr` a build may write to, decided before it writes.

A build replaces its two output folders as a whole (write.py's staging), so a
wrong pair of folders deletes what is in them: the site itself when `--out`
is the project folder, the pages when `--qr` is `--out`, the posters when one
holds the other. `check_output_folders` refuses every such pair, and folders
the build could not finish writing (read-only, on a read-only disk), with one
message each, before anything is written. The engine calls it once per build.
"""

from __future__ import annotations

import os
from pathlib import Path

from thutuc.content.files import PROCEDURES_DIR, os_reason
from thutuc.engine.staging import MARKER
from thutuc.engine.state import CACHE_DIR

# The project's own folders an output may not lie in: its content (an output inside
# would be read back as content, or deleted with it; communes/ is a province's), the
# build state (.thutuc-cache/ holds the spare output folders the build swaps in), and
# git's own store, which a build's swap of folders would damage.
CONTENT_FOLDERS = (PROCEDURES_DIR, "templates", "communes", CACHE_DIR, ".git")
_WHAT = {CACHE_DIR: "trạng thái dựng", ".git": "của git"}
CHOOSE = "Chọn một thư mục khác, ví dụ output/ và qr/ (mặc định)."


def check_output_folders(
    project: Path, out: Path, qr: Path, writes_project: bool = True
) -> list[tuple[str, str]]:
    """(option, message) for each reason not to build into `out` and `qr`;
    [] when both are safe. `writes_project`: the build also writes
    published-urls.txt in the project folder, which must then be writable."""
    found = [
        (option, message)
        for option, folder in (("--out", out), ("--qr", qr))
        for message in _one_folder(folder, project, option)
    ]
    found += [("--qr", message) for message in _pair(out, qr)]
    cache = project / CACHE_DIR
    if (cache.exists() or cache.is_symlink()) and not cache.is_dir():
        found.append(
            (
                CACHE_DIR,
                f"{cache} là một tệp, không phải thư mục: công cụ giữ trạng thái dựng trong "
                f"thư mục {CACHE_DIR}/. Xóa tệp đó (nó không phải nội dung trang) rồi chạy lại.",
            )
        )
    if writes_project and not found and (reason := _unwritable(project)):
        found.append(
            (
                "published-urls.txt",
                f"Không ghi được published-urls.txt vào thư mục trang {project}: {reason}.",
            )
        )
    return found


def _one_folder(folder: Path, project: Path, option: str) -> list[str]:
    if folder.is_symlink():
        # not CHOOSE: its example may be this very link (output/ made a symlink)
        return [
            f"{option} {folder} là một liên kết tượng trưng (symlink); dựng trang sẽ thay nó "
            f"bằng một thư mục thật. Ghi thẳng đường dẫn thư mục đích ({option} "
            f"{_real(folder)}), hoặc xóa liên kết để dựng vào một thư mục thật ở đó."
        ]
    if folder.exists() and not folder.is_dir():
        return [f"{option} {folder} đã có và không phải thư mục. {CHOOSE}"]
    target, root = _real(folder), _real(project)
    if target == root or root.is_relative_to(target):
        return [
            f"{option} {folder} là thư mục trang hoặc chứa thư mục trang; dựng vào đó sẽ xóa "
            f"mất nội dung. {CHOOSE}"
        ]
    for name in CONTENT_FOLDERS:
        if target.is_relative_to(root / name):
            what = _WHAT.get(name, "nội dung")
            return [f"{option} {folder} nằm trong thư mục {what} {name}/. {CHOOSE}"]
    if folder.is_dir() and not (folder / MARKER).exists() and _has_entries(folder):
        return [
            f"{option} {folder} đã có tệp khác mà công cụ này không tạo ra. Chọn một thư mục "
            "trống hoặc thư mục mới để không ghi đè tệp của bạn."
        ]
    reason = _unwritable(folder) if folder.is_dir() else ""
    reason = reason or _unwritable(_existing_parent(folder))
    if reason:
        return [f"{option} {folder}: không ghi được ({reason}). {CHOOSE}"]
    return []


def _pair(out: Path, qr: Path) -> list[str]:
    """The two outputs are swapped in one after the other: neither may hold the other."""
    site, codes = _real(out), _real(qr)
    if site == codes:
        return [
            f"--out và --qr cùng là {out}: trang web và mã QR cần hai thư mục riêng. "
            "Ví dụ: --out output --qr qr."
        ]
    if codes.is_relative_to(site):
        return [
            f"--qr {qr} nằm trong --out {out}: mỗi lần dựng thay cả thư mục trang web, nên sẽ "
            "xóa mất mã QR. Đặt hai thư mục cạnh nhau, ví dụ --out output --qr qr."
        ]
    if site.is_relative_to(codes):
        return [
            f"--out {out} nằm trong --qr {qr}: mỗi lần dựng thay cả thư mục mã QR, nên sẽ "
            "xóa mất trang web. Đặt hai thư mục cạnh nhau, ví dụ --out output --qr qr."
        ]
    return []


def _real(folder: Path) -> Path:
    """`folder` with every symlink on the way resolved (a symlink loop: as written)."""
    try:
        return folder.resolve()
    except (OSError, RuntimeError):
        return folder.absolute()


def _existing_parent(folder: Path) -> Path:
    """The nearest folder that exists: where the build will create its folders."""
    current = _real(folder).parent
    while not current.exists() and current != current.parent:
        current = current.parent
    return current


def _has_entries(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is not None
    except OSError:
        return False


def _unwritable(folder: Path) -> str:
    """Why files cannot be created, renamed and deleted in `folder`, or ""."""
    if not folder.is_dir():
        return f"{folder} không phải thư mục"
    if os.access(folder, os.W_OK | os.X_OK):
        return ""
    try:  # access() cannot tell a read-only disk from a missing permission
        statvfs = os.statvfs(folder)
        if statvfs.f_flag & os.ST_RDONLY:
            return f"ổ đĩa chứa {folder} chỉ cho đọc"
    except OSError as exc:
        return os_reason(exc)
    return f"không có quyền ghi vào {folder}; sửa quyền (chmod u+w) hoặc chọn thư mục khác"
