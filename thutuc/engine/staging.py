"""Output folders written all or nothing, at the cost of what changed.

Each output folder (output/, qr/) has a spare copy in the build cache. A build
brings the spare up to the new output: a file the spare already holds with the
right digest stays, an unchanged file is hard-linked from the live folder, a
new one is written (always to a temporary name, then renamed: a hard-linked
file is never written in place). Then the live folder and its spare swap: in
one step on Linux (renameat2 with RENAME_EXCHANGE, so a web server reading
output/ never finds it missing), else with three renames. A failed or
interrupted build never touches the live folder, and a one-file edit costs a
handful of file operations, not a copy of the site (Zola empties its output
first; a staging folder filled from scratch costs several seconds for a
province).

The swap is journalled (`recover`): a build killed between two trees' exchanges
is undone by the next one, which finds the last finished build's output and
state; one killed between renames (where there is no exchange) is finished by
it. A spare that a killed build was filling is checked file by file against its
manifest before it is trusted again.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from thutuc.content.files import RACY_NS, content_digest
from thutuc.engine.state import Manifest, OutputFile

MARKER = ".thutuc-output"  # in every folder we made: we never empty someone else's folder
# Names older versions left beside output/ when killed.
LEFTOVERS = (".output.building-", ".qr.building-", ".output.old-", ".qr.old-")


class UnsafePath(ValueError):
    """A path that would leave its output folder."""


def _safe_rel(rel: str) -> str:
    parts = rel.split("/")
    if not rel or rel.startswith("/") or any(p in ("", ".", "..") for p in parts[:-1]):
        raise UnsafePath(rel)
    if parts[-1] in ("", ".", ".."):
        raise UnsafePath(rel)
    return rel


def write_output(root: Path, rel: str, data: bytes) -> OutputFile:
    """Write `data` at `root/rel` in a spare folder; what the manifest records.

    An old file is unlinked, never written in place: it may be a hard link to the
    live folder's file. Written directly, not through a temporary name and a
    rename: the spare is not served, a killed build's spare is checked file by file,
    and renaming over an existing file makes ext4 flush it to disk (auto_da_alloc),
    which cost 5 ms a file, 21 s for a site's pages."""
    path = os.path.join(root, _safe_rel(rel))
    try:
        fd = os.open(path, _NEW_FILE, 0o666)  # a new file: no unlink first (a cold build)
    except FileExistsError:
        os.unlink(path)
        fd = os.open(path, _NEW_FILE, 0o666)
    except FileNotFoundError:  # the folder is new: one mkdir per folder, not per file
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, _NEW_FILE, 0o666)
    with open(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        info = os.fstat(fd)
    return OutputFile(info.st_size, info.st_mtime_ns, content_digest(data))


# Created, never opened if it exists: it may be a hard link to the live file.
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def _clear(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _walk(root: Path) -> tuple[dict[str, os.stat_result], list[str]]:
    """Every file under `root` with its stat, and every folder, by root-relative path."""
    files: dict[str, os.stat_result] = {}
    folders: list[str] = []
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                folders.append(prefix + entry.name)
                stack.append((entry.path, f"{prefix}{entry.name}/"))
            else:
                files[prefix + entry.name] = entry.stat(follow_symlinks=False)
    return files, folders


def _folders_of(manifest: Manifest) -> set[str]:
    """Every folder the manifest has a file in, and their parents ("" the root)."""
    folders = {""}
    for rel in manifest:
        parent = rel.rpartition("/")[0]
        while parent not in folders:
            folders.add(parent)
            parent = parent.rpartition("/")[0]
    return folders


def inspect(root: Path, manifest: Manifest, settled_ns: int = 0) -> tuple[Manifest, bool]:
    """The entries of `manifest` whose file is still there as recorded (size, mtime),
    and whether the folder holds anything else: a file or folder someone added, a
    file changed. (A folder added, even empty, counts: once its parent's time is
    old, what is put in it later would not be seen.)

    `settled_ns`: a moment since which the folder held just the manifest's files
    (when the last build that left it so began). Adding, removing or renaming an
    entry sets its folder's mtime, so a folder unchanged since then (with git's
    margin for a coarse clock, RACY_NS) is not listed: each of its files is looked
    at alone. A province's output is 27,000 files in 13,000 folders; listing every
    folder took half a second of each edit build. 0: list every folder."""
    folders = _folders_of(manifest)
    if not settled_ns:
        files, found = _walk(root)
        same = {rel: entry for rel, entry in manifest.items() if _same(files.get(rel), entry)}
        return same, len(files) != len(same) or not folders.issuperset(found)
    base = os.fspath(root)
    listed, extra = _changed_folders(base, manifest, folders, settled_ns - RACY_NS)
    same = {}
    for rel, entry in manifest.items():
        info = listed.get(rel)
        if info is None:
            try:
                info = os.stat(f"{base}/{rel}", follow_symlinks=False)
            except OSError:
                continue  # gone
        if _same(info, entry):
            same[rel] = entry
        else:  # changed by hand, or a link or folder in its place
            extra = True
    return same, extra


def _same(info: os.stat_result | None, entry: OutputFile) -> bool:
    return (
        info is not None
        and stat.S_ISREG(info.st_mode)
        and (info.st_size, info.st_mtime_ns) == (entry.size, entry.mtime_ns)
    )


def _changed_folders(
    base: str, manifest: Manifest, folders: set[str], since_ns: int
) -> tuple[dict[str, os.stat_result], bool]:
    """The files of each of `folders` whose mtime is not older than `since_ns`,
    listed, with their stat; and whether one holds a file or folder the manifest
    does not have there."""
    listed: dict[str, os.stat_result] = {}
    extra = False
    for folder in folders:
        path = f"{base}/{folder}" if folder else base
        try:
            if os.stat(path, follow_symlinks=False).st_mtime_ns < since_ns:
                continue  # unchanged: holds just the manifest's entries
            entries = list(os.scandir(path))
        except OSError:
            continue  # gone, or not a folder: its files are missing
        prefix = f"{folder}/" if folder else ""
        for entry in entries:
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                extra = extra or rel not in folders
            elif rel in manifest:
                listed[rel] = entry.stat(follow_symlinks=False)
            else:
                extra = True  # a file the manifest lacks, or where it has a folder
    return listed, extra


def _cleared(root: Path, manifest: Manifest) -> Manifest:
    """The entries of `manifest` still in `root` as recorded; everything else in
    `root` removed first (what a killed build half wrote, what was added to a live
    folder by hand before it became the spare), a file where a folder must go too."""
    files, folders = _walk(root)
    same = {rel: entry for rel, entry in manifest.items() if _same(files.get(rel), entry)}
    for rel in files.keys() - same.keys():
        os.unlink(os.path.join(root, rel))
    needed = _folders_of(same)
    for folder in sorted(folders, key=len, reverse=True):  # the deepest first: emptied
        if folder not in needed:
            os.rmdir(os.path.join(root, folder))
    return same


def untouched_flag(spare: Path) -> Path:
    return spare.with_name(spare.name + ".untouched")


class Tree:
    """One output folder and its spare, during one build.

    The spare is trusted as its manifest says when the last build that used it
    finished (a flag beside it says so); otherwise, after a killed build, every
    file in it is checked and anything unknown removed."""

    def __init__(
        self, name: str, live: Path, spare: Path, live_files: Manifest, spare_files: Manifest
    ):
        self.name, self.live, self.spare = name, live, spare
        self.live_files = live_files
        self.spare_files = spare_files
        self.written: Manifest = {}  # by this build
        self._made_folders: set[str] = set()

    def prepare(self) -> None:
        """Make the spare folder exist and hold only files its manifest vouches for."""
        flag = untouched_flag(self.spare)
        if not self.spare.is_dir():
            shutil.rmtree(self.spare, ignore_errors=True)
            self.spare.mkdir(parents=True)
            self.spare_files = {}
        elif not flag.exists():
            self.spare_files = _cleared(self.spare, self.spare_files)
        flag.unlink(missing_ok=True)  # from now on the spare changes

    def write(self, rel: str, data: bytes) -> OutputFile:
        entry = write_output(self.spare, rel, data)
        self.written[rel] = entry
        return entry

    def keep(self, rel: str, digest: str) -> bool:
        """Make the spare hold the file the live folder has at `rel` (same digest);
        False when neither has it any more."""
        if rel in self.written:
            return True
        have = self.spare_files.get(rel)
        if have is not None and have.digest == digest:
            self.written[rel] = have
            return True
        live = self.live_files.get(rel)
        if live is None or live.digest != digest:
            return False
        target = os.path.join(self.spare, _safe_rel(rel))
        folder = os.path.dirname(target)
        if folder not in self._made_folders:
            os.makedirs(folder, exist_ok=True)
            self._made_folders.add(folder)
        source = os.path.join(self.live, rel)
        try:
            # Linked where nothing is (the spare after a cold build lacks all 8,000),
            # else unlinked first: never a rename over a file (see write_output).
            try:
                os.link(source, target)
            except FileExistsError:
                os.unlink(target)
                os.link(source, target)
        except OSError:  # another file system, or no hard links: copy
            _clear(target)
            shutil.copy2(source, target)
            info = os.stat(target)
            live = OutputFile(info.st_size, info.st_mtime_ns, digest)
        self.written[rel] = live  # a link is the live file itself: same size and time
        return True

    def finish(self) -> None:
        """Remove from the spare every file this build did not write or keep, then
        the folders that leaves empty."""
        stale = set(self.spare_files) - set(self.written)
        folders = set()
        for rel in stale:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(self.spare, rel))
            folders.add(rel.rpartition("/")[0])
        for folder in sorted(folders, key=len, reverse=True):
            while folder:
                try:
                    os.rmdir(os.path.join(self.spare, folder))
                except OSError:  # not empty: it holds output
                    break
                folder = folder.rpartition("/")[0]

    def settled(self) -> None:
        """The build that used this spare finished: its manifest is to be trusted."""
        if self.spare.is_dir():
            untouched_flag(self.spare).touch()


def spare_folder(cache: Path, live: Path, tree: str, state: str) -> Path:
    """The spare sits in the build cache when that is on live's file system (renames
    cannot cross file systems), else beside live."""
    parent = live.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    if os.stat(cache).st_dev == os.stat(parent).st_dev:
        return cache / "spare" / f"{state}-{tree}"
    return parent / f".{live.name}.thutuc-spare"


def _journal(cache: Path, state: str) -> Path:
    return cache / f"swap-{state}.json"


def swap(trees: Iterable[Tree], cache: Path, state: str) -> None:
    """Each live folder becomes the spare and its spare the live folder; journalled."""
    plan = []
    for tree in trees:
        temporary = tree.spare.with_name(tree.spare.name + ".swapping")
        entry: dict[str, Any] = {"live": str(tree.live), "spare": str(tree.spare)}
        entry["tmp"] = str(temporary)
        with contextlib.suppress(OSError):  # which folder is which, if exchanged (recover)
            entry["spare_ino"] = os.stat(tree.spare).st_ino
        plan.append(entry)
    journal = _journal(cache, state)
    journal.write_text(json.dumps(plan), encoding="utf-8")
    swapped: list[tuple[Path, Path, Path]] = []
    for entry in plan:
        folders = Path(entry["live"]), Path(entry["spare"]), Path(entry["tmp"])
        try:
            _swap_one(*folders)
        except OSError:
            # One tree new and the other old would be a site whose codes and posters
            # disagree with its pages: the trees swapped already go back. (Should that
            # fail too, the journal stays and the next build's `recover` does it.)
            _put_back(folders, swapped)
            journal.unlink()
            raise
        swapped.append(folders)
    journal.unlink()


def _put_back(failed: tuple[Path, Path, Path], swapped: list[tuple[Path, Path, Path]]) -> None:
    """Undo a swap that failed at `failed`: its own renames so far, then the trees
    swapped before it, each swapped again."""
    live, _, temporary = failed
    if temporary.exists() and not live.exists():  # renames: the live folder had moved aside
        os.replace(temporary, live)
    for folders in reversed(swapped):
        _swap_one(*folders)


def _swap_one(live: Path, spare: Path, temporary: Path) -> None:
    """live and spare exchanged in one step where the system can (Linux), so there
    is never a moment without a live folder; else live → tmp, spare → live,
    tmp → spare, safe to run again after a crash."""
    if live.exists() and spare.exists() and not temporary.exists() and _exchange(live, spare):
        return
    _swap_by_renames(live, spare, temporary)


def _swap_by_renames(live: Path, spare: Path, temporary: Path) -> None:
    if live.exists() and spare.exists():
        if temporary.exists():
            shutil.rmtree(temporary)
        os.replace(live, temporary)
    if spare.exists() and not live.exists():
        os.replace(spare, live)
    if temporary.exists() and not spare.exists():
        os.replace(temporary, spare)


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2  # <fcntl.h>, <linux/fs.h>


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically with renameat2(RENAME_EXCHANGE); False where the
    kernel, the C library or the file system cannot (the caller then renames)."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):  # a C library older than glibc 2.28
        return False
    renameat2.argtypes = (
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    )
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EXDEV, errno.EPERM, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def recover(cache: Path, state: str) -> bool:
    """Undo or finish a swap a killed build left half done. A folder exchanged with
    its spare is exchanged back, so the output and the build state are the last
    finished build's again. A swap by renames is finished; True then (the state no
    longer describes the folders and must be dropped)."""
    journal = _journal(cache, state)
    if not journal.is_file():
        return False
    try:
        plan = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        plan = []
    finished = False
    for entry in plan:
        live, spare, temporary = Path(entry["live"]), Path(entry["spare"]), Path(entry["tmp"])
        # renames under way (or a journal of an older version): finish them
        if temporary.exists() or not live.exists() or "spare_ino" not in entry:
            finished = True
        elif _was_exchanged(live, entry["spare_ino"]):
            # swapped; back, or (where no exchange is possible) the state must go
            finished = finished or not (spare.exists() and _exchange(live, spare))
            continue
        else:  # this folder's turn had not come: nothing to do
            continue
        if not live.exists():  # the spare was complete: the swap went that far
            if spare.exists():
                os.replace(spare, live)
            elif temporary.exists():
                os.replace(temporary, live)
        if temporary.exists():
            shutil.rmtree(temporary, ignore_errors=True)
    journal.unlink(missing_ok=True)
    return finished


def _was_exchanged(live: Path, spare_ino: object) -> bool:
    """`live` is the folder that was the spare when the swap began."""
    try:
        return isinstance(spare_ino, int) and os.stat(live).st_ino == spare_ino
    except OSError:
        return False


def remove_leftovers(folders: Iterable[Path]) -> None:
    """Staging folders older versions left beside the output when killed
    (`.output.building-*` holds our marker, `.output.old-*` holds an output/)."""
    for folder in folders:
        parent = folder.resolve().parent
        if not parent.is_dir():
            continue
        for child in parent.iterdir():
            if not (child.name.startswith(LEFTOVERS) and child.is_dir()):
                continue
            inner = [child, *(p for p in child.iterdir() if p.is_dir())]
            if any((p / MARKER).exists() for p in inner) or not any(child.iterdir()):
                shutil.rmtree(child, ignore_errors=True)
