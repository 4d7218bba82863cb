"""Where a cold build's CPU goes, per procedure, against what matching Hugo allows.

    python bench/bench_stages.py [--procedures 2000] [--cores 2]

The corpus is bench_site.py's (national records, each body its own). In this one
process, each stage of a cold build is timed on its own, as process CPU time:

- read: the file, its front matter (libyaml) and the reading checks (load.py);
- validate: the rest of `validate_recipe` (typed keys, Markdown, lint);
- page: every page through Jinja (builders.page): the procedures', the fields',
  the home, A–Z and the rest;
- QR code: every code's symbol and SVG (builders.qr_svg);
- write: those files, each page in a folder of its own (staging.write_output).

Each is divided by the number of procedures: a site's whole cost, per procedure.
The last line is the floor for a cold build on this design: page, QR code and
write alone, as if reading and checking cost nothing.

Hugo builds the same Markdown in the same run (median of three). The budget is
the CPU a procedure may take for a cold build on `--cores` cores to finish in
Hugo's time: Hugo's seconds × cores / procedures. The whole build also spends
time in its main process (hashing, planning, recording) that is not shown here.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from corpus import REPO, make_hugo_site, unique_procedures, write, write_fields

sys.path.insert(0, str(REPO))

from thutuc.content.files import SourceFiles
from thutuc.content.load import read_markdown
from thutuc.content.markdown import parse
from thutuc.content.model import Recipe
from thutuc.content.project import validate_recipe
from thutuc.engine import builders
from thutuc.engine.artifacts import Keys, declare, templates_digest
from thutuc.engine.pipeline import BuildOptions, check
from thutuc.engine.staging import write_output
from thutuc.problems import Problems

MAKING = ("page", "QR code", "write")


def cpu_seconds(function: Callable[[Any], Any], items: Sequence[Any]) -> tuple[float, list[Any]]:
    start = time.process_time()
    results = [function(item) for item in items]
    return time.process_time() - start, results


def hugo_seconds(site: Path, out: Path) -> float:
    runs = []
    for n in range(3):
        start = time.perf_counter()
        subprocess.run(["hugo", "--quiet", "-d", str(out / str(n))], cwd=site, check=True)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--procedures", type=int, default=2000)
    parser.add_argument("--cores", type=int, default=2, help="cores the budget assumes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-stages-") as folder:
        base = Path(folder)
        root = base / "site"
        write(root / "site.yml", "name: Xã Mẫu\nbase_url: https://x.example.vn/\n")
        records = unique_procedures(args.procedures)
        write_fields(root / "procedures", records)
        rels = [f"procedures/{r.folder}/{r.code}.md" for r in records]
        make_hugo_site(base / "hugo", {rel[11:]: (root / rel).read_text("utf-8") for rel in rels})
        files = SourceFiles(root)
        files.all_stamps()
        recipes = [
            Recipe(root, ((rel, files.digest(rel)),), r.folder)
            for r, rel in zip(records, rels, strict=True)
        ]

        seconds: dict[str, float] = {}
        seconds["read"], _ = cpu_seconds(
            lambda rel: read_markdown(root, root / rel, Problems(), files.data(rel)), rels
        )
        parse.cache_clear()
        validated, _ = cpu_seconds(lambda recipe: validate_recipe(recipe, files), recipes)
        seconds["validate"] = validated - seconds["read"]

        checked, problems = check(BuildOptions(root, posters=False))
        assert checked is not None, problems.errors
        site = checked.sites[0]
        artifacts = declare(site, files, Keys(templates_digest(files)), "M", posters=False)
        pages = [a.inputs for a in artifacts if a.kind == "page"]
        codes = [a.inputs for a in artifacts if a.kind == "qr-svg"]
        seconds["page"], made = cpu_seconds(builders.page, pages)
        seconds["QR code"], drawn = cpu_seconds(builders.qr_svg, codes)
        out = base / "out"
        files_made = [file for built in (*made, *drawn) for file in built.files]
        seconds["write"], _ = cpu_seconds(
            lambda f: write_output(out / f[0], f[1], f[2]), files_made
        )
        hugo = hugo_seconds(base / "hugo", base / "hugo-out")

    count = len(records)
    total = sum(seconds.values())
    budget = hugo * args.cores / count
    print(f"{count} procedures ({len(pages)} pages, {len(codes)} codes); CPU per procedure:")
    for stage, spent in seconds.items():
        share = spent / total
        print(f"  {stage:<10} {spent / count * 1000:6.2f} ms  {share:4.0%}")
    print(f"  {'all':<10} {total / count * 1000:6.2f} ms")
    print(
        f"Hugo: {hugo:.2f} s for the same Markdown, so {budget * 1000:.2f} ms a procedure on "
        f"{args.cores} cores; these stages take {total / count / budget:.1f}× that."
    )
    # What no faster reading or checking can save: the output made from records
    # already checked (Jinja, the codes, the files) against the same budget.
    making = sum(seconds[stage] for stage in MAKING) / count
    print(
        f"Making the output alone ({', '.join(MAKING)}): {making * 1000:.2f} ms a "
        f"procedure, {making / budget:.1f}× that."
    )


if __name__ == "__main__":
    main()
