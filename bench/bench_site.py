"""Benchmark one big site (a provincial one-stop centre): thutuc against Hugo.

    python bench/bench_site.py [--procedures 4000] [--repeat 3] [--keep DIR]

The corpus (bench/corpus.py) is made from the national records, every body its
own. Measured in one run, each as a separate process: cold `build --no-posters`
(`--repeat` times, in turns with a cold Hugo build of the same Markdown, medians
reported); a rebuild with nothing changed; the first rebuild after an edit
(which also makes the spare copy of the output); rebuilds after editing one
procedure's body, and after editing one procedure's title (which also changes its
field page, the A–Z page and the search index), `--repeat` times each, medians
reported; peak memory of the process tree.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
from pathlib import Path

from corpus import (
    Rows,
    cold_builds_in_turns,
    edit,
    make_hugo_site,
    median_of,
    thutuc,
    unique_procedures,
    write,
    write_fields,
)

COLD = "cold build --no-posters"
# The first build after a cold one also hard-links the whole output into its
# spare copy (engine/staging.py; ~8,000 links and ~4,000 folders here): a cost
# paid once, shown apart from the edit builds that follow.
FIRST_EDIT = "first rebuild after the cold build, 1 body edited"
HUGO = "hugo, cold"
TARGETS = {
    COLD: "≤ Hugo",
    "rebuild, nothing changed": "< 0.5 s",
    FIRST_EDIT: "(once; < 1 s is for the edits that follow)",
    "rebuild after editing 1 procedure body": "< 1 s",
    "rebuild after editing 1 procedure title": "< 1 s",
}


def make_site(root: Path, count: int) -> list[Path]:
    records = unique_procedures(count)
    write(
        root / "site.yml",
        "name: Trung tâm Phục vụ hành chính công tỉnh Mẫu\n"
        "base_url: https://dichvucong.example.gov.vn/\nhotline: 0209 3000 000\n"
        "address: Số 1 đường Trung tâm\nstale_after_months: 0\n",
    )
    write_fields(root / "procedures", records)
    return [root / "procedures" / r.folder / f"{r.code}.md" for r in records]


def measure(base: Path, args: argparse.Namespace) -> list[tuple[str, float, int]]:
    root = base / "site"
    shutil.rmtree(root, ignore_errors=True)
    files = make_site(root, args.procedures)
    hugo = base / "hugo"
    shutil.rmtree(hugo, ignore_errors=True)
    make_hugo_site(hugo, {f"{p.parent.name}/{p.name}": p.read_text("utf-8") for p in files})
    rows = Rows()
    timed = rows.timed

    cold_builds_in_turns(timed, root, hugo, base / "hugo-out", args.repeat, (COLD, HUGO))
    timed("rebuild, nothing changed", thutuc(root, "--no-posters"))
    edit(files[5], "\n---\n", "\n---\nMột ghi chú mới.\n\n")
    timed(FIRST_EDIT, thutuc(root, "--no-posters"))
    for n in range(1, args.repeat + 1):  # one build says little on this machine: medians
        edit(files[10 + n], "\n---\n", "\n---\nMột ghi chú mới.\n\n")
        timed(f"rebuild after editing 1 procedure body #{n}", thutuc(root, "--no-posters"))
    for n in range(1, args.repeat + 1):
        text = files[20 + n].read_text("utf-8")
        title = next(line for line in text.splitlines() if line.startswith("title: "))
        edit(files[20 + n], title, title + " (sửa)")
        timed(f"rebuild after editing 1 procedure title #{n}", thutuc(root, "--no-posters"))
    return rows


def report(rows: list[tuple[str, float, int]], procedures: int) -> None:
    cold = statistics.median(r[1] for r in rows if r[0].startswith(COLD))
    hugo = statistics.median(r[1] for r in rows if r[0].startswith(HUGO))
    print(f"\n{procedures} procedures; median cold build {cold:.2f} s, median Hugo {hugo:.2f} s")
    print(f"cold build / Hugo = {cold / hugo:.2f} (target ≤ 1)")
    for label, target in TARGETS.items():
        if label != COLD:
            print(f"{label}: {median_of(rows, label)} (target {target})")
    ours = [r[2] for r in rows if not r[0].startswith(HUGO)]
    print(f"peak RSS of a thutuc build: {max(ours) / 2**20:.0f} MB (target < 300)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--procedures", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3, help="cold builds of each (median)")
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: a temp dir)")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-site-"))
    try:
        report(measure(base, args), args.procedures)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
