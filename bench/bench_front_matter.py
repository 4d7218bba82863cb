"""CPU time of reading a procedure file, with the plain front matter reader and without.

    python bench/bench_front_matter.py [--procedures 4000] [--repeat 5]

The procedures come from the national records, each body its own (corpus.py),
as in bench_site.py. Each file is read as a build's worker reads it
(`load.read_markdown`: UTF-8, front matter, the reading checks), in this one
process, in rounds that take the two readers in turns: content/plain_yaml.py
first, then PyYAML alone (the plain reader patched out). The report gives each
reader's median of `--repeat` rounds, per procedure, and how many files the
plain reader read.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from corpus import REPO, unique_procedures, write_fields

sys.path.insert(0, str(REPO))

from thutuc.content import load
from thutuc.content.files import SourceFiles
from thutuc.content.plain_yaml import read_plain_front_matter
from thutuc.problems import Problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--procedures", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-front-matter-") as folder:
        root = Path(folder)
        records = unique_procedures(args.procedures)
        write_fields(root / "procedures", records)
        rels = [f"procedures/{r.folder}/{r.code}.md" for r in records]
        files = SourceFiles(root)
        files.all_stamps()
        data = {rel: files.data(rel) for rel in rels}
        readers = {"plain reader": read_plain_front_matter, "PyYAML only": lambda text, n: None}
        rounds: dict[str, list[float]] = {name: [] for name in readers}
        for _ in range(args.repeat):
            for name, reader in readers.items():
                load.read_plain_front_matter = reader  # type: ignore[assignment]
                start = time.process_time()
                for rel in rels:
                    load.read_markdown(root, root / rel, Problems(), data[rel])
                rounds[name].append((time.process_time() - start) / len(rels) * 1000)
        load.read_plain_front_matter = read_plain_front_matter
        plain = sum(
            read_plain_front_matter(text.split("---\n", 2)[1], load.MAX_YAML_NODES) is not None
            for text in (d.decode("utf-8") for d in data.values())
        )
    print(f"{len(rels)} procedures; CPU to read one (median of {args.repeat} rounds):")
    for name, times in rounds.items():
        print(f"  {name:<13} {statistics.median(times):.3f} ms")
    print(f"front matter the plain reader read: {plain} of {len(rels)}")


if __name__ == "__main__":
    main()
