"""How long this file system takes to make a build's worth of files, fresh and
just after deleting as many: why the cold-build benchmarks move the last
round's output aside instead of deleting it (corpus.cold_builds_in_turns).

    python bench/fresh_inodes.py [--folders 4056] [--where DIR]

Makes `--folders` folders with two files each (a page and a QR code, 12,168
entries at the default, as the 4,000-procedure site) on a file system with no
recent deletions (it syncs and waits 65 s first), deletes them, makes them
again, twice, then syncs, waits 65 s and makes them once more. On an ext4
without a journal each new file skips the inodes freed in the last minute or
more (fs/ext4/ialloc.c, recently_deleted); with a journal the four times are
close. On this VM (2 December 2026): 1.42, 6.70, 12.26 and 4.75 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

PAGE, CODE = b"x" * 6000, b"x" * 2000  # about a page's and a QR code's size


def make(root: Path, folders: int) -> float:
    start = time.perf_counter()
    for n in range(folders):
        folder = root / f"d{n}"
        folder.mkdir(parents=True)
        (folder / "index.html").write_bytes(PAGE)
        (folder / "code.svg").write_bytes(CODE)
    return time.perf_counter() - start


def settle() -> None:
    """Write back what was freed, then outlast the 60 s in which it is skipped."""
    os.sync()
    time.sleep(65)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folders", type=int, default=4056)
    parser.add_argument("--where", type=Path, help="a folder on the disk to measure")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="fresh-inodes-", dir=args.where))
    try:
        settle()
        steps = ["fresh", "right after deleting as many", "right after deleting twice as many"]
        for n, label in enumerate(steps):
            print(f"{label:<40} {make(base / str(n), args.folders):6.2f} s", flush=True)
            shutil.rmtree(base / str(n))
        settle()
        print(f"{'65 s after the last deletion':<40} {make(base / 'last', args.folders):6.2f} s")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
