"""Edit builds in `serve`: the first edit after the cold build, with and without
the spare folder readied between builds (pipeline.ready_spares).

    python bench/bench_serve.py [--procedures 4000] [--edits 3]

One corpus (corpus.py, each body its own), built in one process with a Session
as `serve` builds it: a cold build, then `--edits` edits of one procedure body,
each timed (wall clock). Run twice, the spare readied and not, in turn.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from corpus import REPO, unique_procedures, write_fields

sys.path.insert(0, str(REPO))

from thutuc.engine.pipeline import BuildOptions, Session, build, ready_spares


def session_run(root: Path, out: Path, ready: bool, edits: int) -> tuple[float, float, list[float]]:
    """(cold build, readying, each edit build), in seconds."""
    options = BuildOptions(root, out / "output", out / "qr", posters=False, record_published=False)
    session = Session()
    target = next((root / "procedures").glob("*/*.md"))
    original = target.read_text(encoding="utf-8")
    try:
        start = time.perf_counter()
        build(options, session=session)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        if ready:
            ready_spares(options, session)
        readying = time.perf_counter() - start
        times = []
        for n in range(edits):
            target.write_text(original + f"\nDòng thêm số {n}.\n", encoding="utf-8")
            start = time.perf_counter()
            build(options, session=session)
            times.append(time.perf_counter() - start)
            if ready:
                ready_spares(options, session)
    finally:
        target.write_text(original, encoding="utf-8")
        session.close()
    return cold, readying, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--procedures", type=int, default=4000)
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as folder:
        root = Path(folder) / "site"
        (root / "procedures").mkdir(parents=True)
        (root / "site.yml").write_text("name: Xã Mẫu\nbase_url: https://x.example.vn/\n")
        write_fields(root / "procedures", unique_procedures(args.procedures))
        for turn, ready in enumerate((False, True, False, True)):
            # each run its own output folders, never deleted before the next (fresh_inodes.py)
            cold, readying, times = session_run(
                root, Path(folder) / f"run-{turn}", ready, args.edits
            )
            label = "spare readied" if ready else "not readied  "
            edits = ", ".join(f"{t:.2f}" for t in times)
            print(f"{label}: cold {cold:.2f} s, readying {readying:.2f} s, edits {edits} s")


if __name__ == "__main__":
    main()
