"""CPU time of reading and validating procedures, the largest step of a cold build.

    python bench/bench_validate.py [--procedures 2000] [--repeat 3]

The procedures come from the national records, each body its own (corpus.py),
as in bench_site.py. Each one is read and validated as a build's worker does
it (`project.validate_recipe`: front matter, typed keys, Markdown, lint), in
this one process; the report gives the best of `--repeat` rounds of process
CPU time, the parser's cache emptied before each round.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from corpus import REPO, unique_procedures, write_fields

sys.path.insert(0, str(REPO))

from thutuc.content import project
from thutuc.content.files import SourceFiles
from thutuc.content.markdown import parse
from thutuc.content.model import Recipe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--procedures", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-validate-") as folder:
        root = Path(folder)
        (root / "site.yml").write_text("name: Xã Mẫu\nbase_url: https://x.example.vn/\n")
        records = unique_procedures(args.procedures)
        write_fields(root / "procedures", records)
        files = SourceFiles(root)
        files.all_stamps()
        recipes = [
            Recipe(root, ((rel, files.digest(rel)),), r.folder)
            for r in records
            if (rel := f"procedures/{r.folder}/{r.code}.md")
        ]
        rounds = []
        for _ in range(args.repeat):
            parse.cache_clear()
            start = time.process_time()
            for recipe in recipes:
                project.validate_recipe(recipe, files)
            rounds.append(time.process_time() - start)
    best = min(rounds)
    print(f"{len(recipes)} procedures read and validated: best of {args.repeat} rounds", end=" ")
    print(f"{best:.2f} s CPU, {best / len(recipes) * 1000:.2f} ms each")
    print("rounds: " + ", ".join(f"{r:.2f} s" for r in rounds))


if __name__ == "__main__":
    main()
