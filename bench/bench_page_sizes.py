"""Bytes on the wire: every page of the sample site, gzipped with its inline CSS.

    python bench/bench_page_sizes.py [--project DIR]

Prints the five largest pages and the budget (14 KB: one TCP round trip's
initial window), and exits 1 if any page is over it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from thutuc.engine.pipeline import BuildOptions, build  # noqa: E402
from thutuc.site.render import gzipped_size  # noqa: E402

BUDGET = 14 * 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=REPO)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "output"
        qr = Path(tmp) / "qr"
        build(BuildOptions(args.project, out, qr, posters=False, record_published=False))
        sizes = sorted(
            (
                (gzipped_size(p.read_bytes()), p.relative_to(out).as_posix())
                for p in out.rglob("*.html")
            ),
            reverse=True,
        )
    for size, name in sizes[:5]:
        print(f"{size:>6} B  {name}")
    print(f"{len(sizes)} pages; largest {sizes[0][0]} B gzipped; budget {BUDGET} B")
    return 1 if sizes[0][0] > BUDGET else 0


if __name__ == "__main__":
    sys.exit(main())
