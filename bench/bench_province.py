"""Benchmark a synthetic province: thutuc against Hugo on the same corpus.

    python bench/bench_province.py [--communes 100] [--procedures 100] [--repeat 3] [--keep DIR]

The catalogue is made from real records of the national database
(../shared/data/national-procedures/*.json, through thutuc's own importer), so
bodies, lists and tables have real lengths (bench/corpus.py). Each commune
overrides 2 procedures, excludes 1 and adds 1 local procedure, so every commune
has `--procedures` pages.

Measured in one run, each as a separate `thutuc build` process:
cold build with --no-posters (pages, search index, SVG codes), `--repeat`
times in turns with a cold Hugo build, reported as medians; rebuild with nothing changed; the first rebuild after an edit (which also
hard-links the whole output into its spare copy, once); rebuilds after
editing one commune's procedure file (`--repeat` times, median), one commune's
site.yml, and one catalogue procedure used by every commune (`--repeat` times,
median); posters and the codes' PNG
copies for 2 communes (extrapolated to all); peak memory of the whole process tree (RSS
summed over the build and its workers, sampled every 20 ms). Hugo builds the
same procedure pages with a minimal layout.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from corpus import (
    Record,
    Rows,
    cold_builds_in_turns,
    edit,
    make_hugo_site,
    median_of,
    national_records,
    thutuc,
    write,
)

COLD = "cold build --no-posters (pages, search, SVG codes)"
HUGO = "hugo, cold"
COMMUNE_EDIT = "rebuild after editing 1 commune procedure file"
CATALOGUE_EDIT = "rebuild after editing 1 catalogue procedure"


def catalogue_records(count: int) -> list[Record]:
    """The first `count` national records (a province's shared catalogue)."""
    records = national_records()
    return [records[n % len(records)] for n in range(count)] if records else []


def make_province(root: Path, communes: int, procedures: int) -> list[Record]:
    records = catalogue_records(procedures)
    write(
        root / "province.yml",
        "name: Tỉnh Mẫu\nbase_url: https://thutuc.example.gov.vn/{commune}/\n",
    )
    for record in records:
        write(root / f"procedures/{record.folder}/{record.code}.md", record.text)
        write(
            root / f"procedures/{record.folder}/_index.md",
            f"---\ntitle: {record.field_title}\n---\n",
        )
    for n in range(communes):
        make_commune(root / f"communes/xa-{n:03d}", n, records)
    return records


def make_commune(folder: Path, n: int, records: list[Record]) -> None:
    excluded = records[(n * 7) % len(records)].code
    write(
        folder / "site.yml",
        f"name: Xã Mẫu {n}\naddress: Số {n} đường Trung tâm\nhotline: 0209 3 {n:03d} 000\n"
        f"opening_hours: Sáng 7:30–11:30, chiều 13:30–17:00\nexclude: ['{excluded}']\n"
        "contacts:\n  - name: Bộ phận Một cửa\n    phone: 0209 3000 002\n",
    )
    for k in (1, 2):  # two overrides: a local fee
        record = records[(n * 13 + k * 31) % len(records)]
        field, code = record.folder, record.code
        if code != excluded:
            write(
                folder / f"procedures/{field}/{code}.md",
                f'---\ncode: "{code}"\nfee: Xã Mẫu {n} hỗ trợ lệ phí, thu {k}.000 đồng\n---\n',
            )
    record = records[n % len(records)]
    field, code, text = record.folder, record.code, record.text
    local = f"3.{n:06d}"  # a long H55 variant code trips the poster layout (see docs)
    write(folder / f"procedures/{field}/local.md", text.replace(code, local, 1))


def make_hugo(root: Path, province: Path) -> int:
    """The same procedure pages as Hugo content: content/<commune>/<code>.md."""
    catalogue = {p.name: p.read_text(encoding="utf-8") for p in province.glob("procedures/*/*.md")}
    catalogue.pop("_index.md", None)
    pages = {}
    for commune in sorted((province / "communes").iterdir()):
        mine = dict(catalogue)
        for own in commune.glob("procedures/*/*.md"):
            mine[own.name] = own.read_text(encoding="utf-8")
        pages.update({f"{commune.name}/{name}": text for name, text in mine.items()})
    make_hugo_site(root, pages)
    return len(pages)


# Report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--procedures", type=int, default=100)
    parser.add_argument("--poster-communes", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="cold builds of each (median)")
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: a temp dir)")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-province-"))
    try:
        report(measure(base, args))
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


def measure(base: Path, args: argparse.Namespace) -> list[tuple[str, float, int]]:
    root = base / "tinh"
    shutil.rmtree(root, ignore_errors=True)
    records = make_province(root, args.communes, args.procedures)
    hugo = base / "hugo"
    shutil.rmtree(hugo, ignore_errors=True)
    pages = make_hugo(hugo, root)
    rows = Rows()
    timed = rows.timed

    labels = (COLD, f"{HUGO} ({pages} pages)")
    cold_builds_in_turns(timed, root, hugo, base / "hugo-out", args.repeat, labels)
    timed("rebuild, nothing changed", thutuc(root, "--no-posters"))
    first = next((root / "communes/xa-003/procedures").glob("*/local.md"))
    edit(first, "\n---\n", "\n---\nGhi chú đầu tiên.\n\n")
    # also hard-links the whole province's output into its spare copy: paid once
    timed("first rebuild after the cold build, 1 commune file edited", thutuc(root, "--no-posters"))
    for n in range(1, args.repeat + 1):  # one build says little on this machine: medians
        local = next((root / f"communes/xa-{n:03d}/procedures").glob("*/local.md"))
        edit(local, "\n---\n", "\n---\nMột ghi chú mới của xã.\n\n")
        timed(f"{COMMUNE_EDIT} #{n}", thutuc(root, "--no-posters"))
    edit(root / "communes/xa-002/site.yml", "hotline: ", "hotline: 0999 ")
    timed("rebuild after editing 1 commune site.yml", thutuc(root, "--no-posters"))
    for n in range(1, args.repeat + 1):
        shared = records[2 + n]
        edit(
            root / f"procedures/{shared.folder}/{shared.code}.md",
            "\n---\n",
            "\n---\nGhi chú chung của tỉnh.\n\n",
        )
        timed(f"{CATALOGUE_EDIT} #{n}", thutuc(root, "--no-posters"))
    posters = [f"--commune=xa-{n:03d}" for n in range(args.poster_communes)]
    timed(f"posters + QR PNGs for {args.poster_communes} communes", thutuc(root, *posters))
    return rows


def report(rows: list[tuple[str, float, int]]) -> None:
    cold = statistics.median(r[1] for r in rows if r[0].startswith(COLD))
    hugo = statistics.median(r[1] for r in rows if r[0].startswith(HUGO))
    print(f"\nmedian cold build {cold:.2f} s, median hugo {hugo:.2f} s")
    print(f"cold build / hugo = {cold / hugo:.2f}  (target <= 1)")
    ours = [r[2] for r in rows if not r[0].startswith(HUGO)]
    print(f"peak RSS of a thutuc build = {max(ours) / 2**20:.0f} MB (target < 300)")
    print(f"{COMMUNE_EDIT}: {median_of(rows, COMMUNE_EDIT)} (target < 1 s)")
    print(f"{CATALOGUE_EDIT}: {median_of(rows, CATALOGUE_EDIT)} (target < 3 s)")
    print(f"CPU cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
