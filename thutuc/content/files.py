"""The input files of a project, known by content digest.

A file whose size and mtime match what the last build saw keeps the digest it
had (Lektor's FileInfo, git's racy rule), so a build that changes nothing reads
nothing. Kept light: a build with nothing to do imports only this, the state
and the staging modules.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from thutuc.content.text import nfc
from thutuc.problems import Problems

SITE_FILE = "site.yml"
PROVINCE_FILE = "province.yml"
PROCEDURES_DIR = "procedures"
COMMUNES_DIR = "communes"
TEMPLATES_DIR = "templates"
PUBLISHED_FILE = "published-urls.txt"
# Top-level inputs of each kind of project; output/, qr/ and dot-folders are not inputs.
SITE_INPUTS = (SITE_FILE, PUBLISHED_FILE, PROCEDURES_DIR, TEMPLATES_DIR)
PROVINCE_INPUTS = (PROVINCE_FILE, PROCEDURES_DIR, TEMPLATES_DIR, COMMUNES_DIR)


# Editor and system clutter, not even listed (a file manager's or an OS's).
CLUTTER_PREFIXES = ("._", ".#", "~$")
CLUTTER_NAMES = frozenset({".git", ".DS_Store", "Thumbs.db", "desktop.ini", "__pycache__"})

# Bytes of a file read at most: above the loader's largest size limit (8 MiB
# Markdown), so an oversized file is reported, never read whole.
READ_LIMIT = 16 * 1024 * 1024
KEEP_IN_MEMORY = 1024 * 1024  # larger files are hashed in chunks, not read whole


class SourceChanged(Exception):
    """A file changed while the build was reading it; the build must start again."""


def _within(real: str, root: str) -> bool:
    return real == root or real.startswith(root + os.sep)


def on_disk(path: Path) -> Path | None:
    """The file or folder at `path` as the disk spells it, matching each name by
    NFC: content names files in NFC, while macOS (and a checkout made there) may
    hold "mẫu.pdf" decomposed (NFD). None when nothing matches."""
    if path.exists():
        return path
    found = Path(path.anchor)
    for part in path.parts[len(found.parts) :]:
        if (found / part).exists():
            found = found / part
            continue
        wanted = nfc(part)
        try:
            match = next((e.name for e in os.scandir(found) if nfc(e.name) == wanted), None)
        except OSError:
            return None
        if match is None:
            return None
        found = found / match
    return found


def disk_path(root: Path, rel: str) -> Path:
    """The file known by the NFC path `rel` under `root`, as the disk spells it
    (the path itself when nothing matches: opening it then names the file)."""
    return on_disk(root / rel) or root / rel


def read_bounded(path: Path, limit: int = READ_LIMIT) -> bytes:
    with path.open("rb") as handle:
        return handle.read(limit + 1)


def read_as_hashed(path: Path, rel: str, digest: str | None) -> bytes:
    """The bytes of `path` (at most READ_LIMIT + 1) as `digest` says they are:
    SourceChanged when the file was saved again since it was hashed."""
    try:
        data = read_bounded(path)
    except FileNotFoundError:  # deleted since the build listed it
        raise SourceChanged(rel) from None
    if digest is not None and len(data) <= READ_LIMIT and content_digest(data) != digest:
        raise SourceChanged(rel)
    return data


def file_digest(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def is_province(root: Path) -> bool:
    """Province mode is chosen by the presence of province.yml, nothing else."""
    return (root / PROVINCE_FILE).is_file()


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# Files -----------------------------------------------------------------------


class Stamp(NamedTuple):
    """What a build saw of a file: enough to trust it unchanged without reading it.
    (A named tuple: the build state holds thousands, and tuples pickle fastest.)"""

    size: int
    mtime_ns: int
    digest: str


# A file modified within this long before a build recorded its stamp may change
# again in the same mtime tick; such files are hashed again (git's "racy" rule).
RACY_NS = 2_000_000_000


class SourceFiles:
    """The project's input files, with content digests computed at most once.

    `known`: stamps from the last build; a file whose size and mtime match keeps
    its digest without being read, unless it was racy then. Only regular files
    are listed: a FIFO or device never blocks a build."""

    def __init__(
        self, root: Path, known: Mapping[str, Stamp] | None = None, recorded_ns: int = 0
    ) -> None:
        self.root = root
        self.known = dict(known or {})
        self.recorded_ns = recorded_ns
        self.stats: dict[str, os.stat_result] = {}
        self.special: list[tuple[str, int]] = []  # FIFOs, devices...: never opened
        self.outside: list[str] = []  # symlinks leading out of the project: refused
        self.unreadable: list[tuple[str, OSError]] = []  # folders the build cannot list
        self.hidden_files: list[str] = []  # names starting with ".": never content
        self.hidden_folders: list[str] = []
        self.stamps: dict[str, Stamp] = {}
        self.spelled: dict[str, str] = {}  # NFC path → as the disk spells it, where they differ
        inputs = PROVINCE_INPUTS if is_province(root) else SITE_INPUTS
        for name in inputs:
            self._scan(root / name, name)

    def _scan(self, start: Path, start_rel: str) -> None:
        """Walk one top-level input (without recursion: a folder nested thousands
        deep is no RecursionError), not following a symlinked folder seen before."""
        root = str(self.root.resolve())
        try:
            top = os.stat(start)
        except OSError:
            return
        if not stat.S_ISDIR(top.st_mode):
            self._file(start_rel, top, os.path.islink(start), str(start), root)
            return
        pending: list[tuple[str, str]] = [(str(start), start_rel)]
        seen: set[str] = {os.path.realpath(start)}
        while pending:
            folder, rel = pending.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)
            except OSError as exc:
                self.unreadable.append((nfc(rel), exc))
                continue
            for entry in entries:
                name = entry.name
                if name in CLUTTER_NAMES or name.startswith(CLUTTER_PREFIXES) or name.endswith("~"):
                    continue
                child = f"{rel}/{name}"
                if name.startswith("."):  # hidden: never content, listed for the warning
                    hidden = self.hidden_folders if entry.is_dir() else self.hidden_files
                    hidden.append(nfc(child))
                    continue
                self._child(entry, child, root, seen, pending)

    def _child(
        self,
        entry: os.DirEntry[str],
        rel: str,
        root: str,
        seen: set[str],
        pending: list[tuple[str, str]],
    ) -> None:
        link = entry.is_symlink()
        try:
            info = entry.stat()
        except OSError as exc:
            if link:
                self.outside.append(nfc(rel))  # a broken or looping symlink
            else:
                self.unreadable.append((nfc(rel), exc))
            return
        if stat.S_ISDIR(info.st_mode):
            if link:  # only a symlinked folder can lead out, or back into a loop
                real = os.path.realpath(entry.path)
                if not _within(real, root):
                    self.outside.append(nfc(rel))
                    return
                if real in seen:
                    return
                seen.add(real)
            pending.append((entry.path, rel))
        else:
            self._file(rel, info, link, entry.path, root)

    def _file(self, rel: str, info: os.stat_result, link: bool, path: str, root: str) -> None:
        if link and not _within(os.path.realpath(path), root):
            self.outside.append(nfc(rel))
        elif stat.S_ISREG(info.st_mode):
            self.stats[nfc(rel)] = info
            if nfc(rel) != rel:
                self.spelled[nfc(rel)] = rel
        else:
            self.special.append((nfc(rel), stat.S_IFMT(info.st_mode)))

    def __contains__(self, rel: str) -> bool:
        return rel in self.stats

    def under(self, prefix: str) -> list[str]:
        """Files under the folder `prefix` ("procedures/ho-tich/"), sorted."""
        return sorted(rel for rel in self.stats if rel.startswith(prefix))

    def digest(self, rel: str) -> str:
        stamp = self.stamps.get(rel)
        if stamp is None:
            info = self.stats[rel]
            old = self.known.get(rel)
            trusted = old is not None and (old.size, old.mtime_ns) == (
                info.st_size,
                info.st_mtime_ns,
            )
            if trusted and old is not None and info.st_mtime_ns < self.recorded_ns - RACY_NS:
                stamp = old
            elif info.st_size > KEEP_IN_MEMORY:  # a big form, an oversized file: streamed
                stamp = Stamp(info.st_size, info.st_mtime_ns, self._streamed_digest(rel))
            else:
                data = read_as_hashed(self.path(rel), rel, None)
                stamp = Stamp(info.st_size, info.st_mtime_ns, content_digest(data))
            self.stamps[rel] = stamp
        return stamp.digest

    def _streamed_digest(self, rel: str) -> str:
        try:
            return file_digest(self.path(rel))
        except FileNotFoundError:  # deleted since the build listed it
            raise SourceChanged(rel) from None

    def digest_or_none(self, rel: str) -> str | None:
        return self.digest(rel) if rel in self.stats else None

    def data(self, rel: str) -> bytes:
        """The file's bytes, at most READ_LIMIT + 1 of them (the loader reports a file
        over its size limit; nothing reads a huge file into memory), as its digest
        says they are. Read again at each call rather than kept since the digest:
        a cold build of thousands of procedures hashes every file here but parses
        them in the workers, and keeping them cost this process 37 MB at 4,000."""
        stamp = self.stamps.get(rel)
        return read_as_hashed(self.path(rel), rel, stamp.digest if stamp else None)

    def path(self, rel: str) -> Path:
        """The file known by its NFC path `rel`, as the disk spells it."""
        return self.root / self.spelled.get(rel, rel)

    def all_stamps(self) -> dict[str, Stamp]:
        """A stamp for every file: what the next build compares with."""
        for rel in self.stats:
            self.digest(rel)
        return dict(self.stamps)


def province_communes(files: SourceFiles) -> list[str]:
    """The commune folders of a province (those with files), sorted."""
    names = {rel.split("/")[1] for rel in files.under(COMMUNES_DIR + "/") if rel.count("/") >= 2}
    return sorted((n for n in names if not n.startswith((".", "_", "~"))), key=nfc)


# Reading one file, and an OSError in an editor's words: here, not in load.py,
# because the build's first steps and the CLI need them without YAML and Markdown.

FILE_KINDS = {
    stat.S_IFDIR: "một thư mục",
    stat.S_IFIFO: "một đường ống (FIFO)",
    stat.S_IFSOCK: "một socket",
    stat.S_IFCHR: "một thiết bị",
    stat.S_IFBLK: "một thiết bị",
}


def not_a_file(path: Path) -> str:
    """Why `path` cannot be read as a data file: it is missing, or a folder, a FIFO,
    a device ("" when it is a regular file). A FIFO is never opened: reading one
    waits for a writer that never comes."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return "không tìm thấy tệp hoặc thư mục này"
    if stat.S_ISREG(mode):
        return ""
    return f"đây là {FILE_KINDS.get(stat.S_IFMT(mode), 'không phải tệp thường')}, không phải tệp"


def read_regular_file(path: Path, rel: str, problems: Problems, limit: int) -> bytes | None:
    """The bytes of `path` when it is a regular file of at most `limit` bytes.

    Opened without blocking and checked on the open descriptor, so a FIFO,
    a device or a folder is reported, never read (and never waited on)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        problems.error(rel, f"Không mở được tệp: {os_reason(exc)}.", OPEN_HINT)
        return None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):  # before fdopen, which refuses a folder itself
        os.close(fd)
        kind = FILE_KINDS.get(stat.S_IFMT(info.st_mode), "không phải tệp thường")
        problems.error(
            rel,
            f"Đây là {kind}, không phải tệp văn bản; công cụ không mở nó.",
            "Xóa nó, hoặc đổi tên để tên không kết thúc bằng .md hay .yml.",
        )
        return None
    with os.fdopen(fd, "rb") as file:
        data = file.read(limit + 1)
    if len(data) > limit:
        too_big(rel, max(info.st_size, len(data)), limit, problems)
        return None
    return data


def too_big(rel: str, size: int, limit: int, problems: Problems) -> None:
    problems.error(
        rel,
        f"Tệp quá lớn: hơn {limit // (1024 * 1024)} MB ({size:,} byte).".replace(",", "."),
        "Một trang thủ tục không cần dài như vậy; có lẽ đã dán nhầm cả một tài liệu. "
        "Rút gọn, hoặc đưa tài liệu dài thành tệp mẫu đính kèm (forms:).",
    )


OPEN_HINT = "Kiểm tra tệp còn đó và đọc được (quyền đọc), rồi chạy lại."


def os_reason(exc: OSError) -> str:
    """An OSError in an editor's words, with the system's own text in brackets."""
    reasons = {
        "EACCES": "không có quyền",
        "EPERM": "không có quyền",
        "EROFS": "ổ đĩa chỉ cho đọc",
        "ENOSPC": "ổ đĩa đã đầy",
        "ENAMETOOLONG": "tên hoặc đường dẫn quá dài",
        "ENOENT": "không có tệp hoặc thư mục này",
        "ELOOP": "liên kết tượng trưng (symlink) trỏ vòng",
        "EISDIR": "đây là thư mục",
        "ENOTDIR": "một phần của đường dẫn không phải thư mục",
    }
    name = errno_name(exc)
    said = reasons.get(name, "lỗi hệ thống")
    return f"{said} [{exc.strerror or exc}]"


def errno_name(exc: OSError) -> str:
    return errno.errorcode.get(exc.errno or 0, "")
