"""Edit builds (or cold ones) of two versions of thutuc in turns, on copies of one
corpus: what a change did to a build, apart from this machine's drift (its speed
moves by a quarter within an hour, so two benchmark runs an hour apart compare little).

    python bench/bench_edit_ab.py --old REV [--kind site|commune|catalogue|cold|cold-province]
                                  [--repeat 6]

The old version is `git archive REV` unpacked in a temp dir; the new one is this
working tree. Each builds its own copy of the corpus: bench_site.py's single site
(`--kind site`, 4,000 procedures) or bench_province.py's province (100 communes ×
100 procedures; `commune` edits a commune's own procedure file, `catalogue` one
catalogue procedure, shown by every commune). After a cold `build --no-posters`
and one edit build each (the one that readies the spare), the same file is edited
in both copies, one build each, in turns, `--repeat` times. `cold` and
`cold-province` instead build each copy cold in turns (its output, posters folder
and build cache removed first), on the single site or the province. Reported: the
median wall time of each version's builds, with their range.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_province import make_province
from bench_site import make_site
from corpus import REPO

EDITS = ("site", "commune", "catalogue")
COLD = ("cold", "cold-province")


def unpack(rev: str, folder: Path) -> Path:
    """The repository at `rev`, without its history."""
    folder.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def corpus(base: Path, kind: str, procedures: int, communes: int) -> tuple[Path, str]:
    """A corpus in `base` and the file an edit appends to, relative to it."""
    if kind in ("site", "cold"):
        files = make_site(base, procedures)
        return base, files[min(10, len(files) - 1)].relative_to(base).as_posix()
    records = make_province(base, communes, procedures)
    if kind == "commune":
        return base, f"communes/xa-000/procedures/{records[0].folder}/local.md"
    return base, f"procedures/{records[1].folder}/{records[1].code}.md"


def clear_output(project: Path) -> None:
    for made in ("output", "qr", ".thutuc-cache"):
        shutil.rmtree(project / made, ignore_errors=True)


def build_seconds(code: Path, project: Path) -> float:
    command = [sys.executable, str(code / "build.py"), "build", "--project", str(project)]
    start = time.perf_counter()
    done = subprocess.run([*command, "--no-posters", "-q"], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old", required=True, help="the commit to compare with (git rev)")
    parser.add_argument("--kind", choices=(*EDITS, *COLD), default="site")
    parser.add_argument("--procedures", type=int, help="default 4,000 (site), 100 (province)")
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=6)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-edit-ab-"))
    try:
        versions = {"old": unpack(args.old, base / "old-code"), "new": REPO}
        single = args.kind in ("site", "cold")
        procedures = args.procedures or (4000 if single else 100)
        source, edited = corpus(base / "corpus", args.kind, procedures, args.communes)
        copies = {name: base / f"site-{name}" for name in versions}
        for name, copy in copies.items():
            shutil.copytree(source, copy)
            build_seconds(versions[name], copy)  # cold
        times: dict[str, list[float]] = {name: [] for name in versions}
        for n in range(args.repeat + 1):  # not counted: the first (it readies the spare)
            for name, copy in copies.items():
                if args.kind in COLD:
                    clear_output(copy)
                else:
                    path = copy / edited
                    path.write_text(path.read_text("utf-8") + f"\nGhi chú {n}.\n", "utf-8")
                seconds = build_seconds(versions[name], copy)
                if n:
                    times[name].append(seconds)
        what = f"{args.kind} builds" if args.kind in COLD else f"{args.kind} edit of {edited}"
        print(f"{what}, {args.repeat} builds each, in turns:")
        for name, runs in times.items():
            label = f"{name} ({args.old})" if name == "old" else "new (this tree)"
            print(
                f"  {label}: median {statistics.median(runs):.2f} s "
                f"({min(runs):.2f}–{max(runs):.2f})"
            )
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
