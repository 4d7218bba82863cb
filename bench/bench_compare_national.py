"""compare over the national sample: time, and how fair the comparison is.

Run: python bench/bench_compare_national.py [DATA_DIR]
DATA_DIR defaults to ../shared/data/national-procedures (not part of the
project); the script says so and exits 0 when it is absent.

Every record is imported into a temporary site, then that site is compared
with the same records. A page made from its own record states the same facts,
so every resident-facing difference reported here is the comparison being
unfair (a false alarm an editor would have to mark `local:`); the script
prints them and exits 1 when there is any. It also times reading the records
and comparing, and prints the sample site's own result.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from thutuc.engine.pipeline import BuildOptions, check
from thutuc.importers.compare import compare_sites, format_text, read_national, summary
from thutuc.importers.importer import import_files

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "national-procedures"


def timed(label: str, func, *args):
    start = time.perf_counter()
    value = func(*args)
    print(f"{label}: {time.perf_counter() - start:.2f} s")
    return value


def main(argv: list[str]) -> int:
    data = Path(argv[0]) if argv else DEFAULT_DATA
    if not data.is_dir():
        print(f"No national sample at {data}: nothing to do. Pass its folder as the argument.")
        return 0
    records, messages = timed("read records", read_national, [data])
    print(f"records: {len(records)}, unreadable: {len(messages)}")
    with tempfile.TemporaryDirectory(prefix="thutuc-compare-") as tmp:
        root = Path(tmp)
        (root / "site.yml").write_text("name: Xã Thử\nbase_url: https://thu.example.vn/\n")
        import_files(sorted(data.glob("*.json")), root)
        project, problems = check(BuildOptions(root))
        assert project is not None, problems.report()
        report = timed("compare imported site", compare_sites, project.sites, records)
    counts = summary(report)
    print(f"imported pages against their own records: {counts}")
    unfair = [(p.file, d.message) for p in report.pages for d in p.resident_facing]
    for file, message in unfair:
        print(f"  false alarm: {file}: {message}")
    sample, _ = check(BuildOptions(REPO))
    if sample is not None:
        own = timed("compare sample site", compare_sites, sample.sites, records)
        print(f"sample site: {summary(own)}")
        print(format_text(own).splitlines()[-1])
    return 1 if unfair else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
