"""Round trip over the national sample: import every record, check, then build.

Run: python bench/bench_import_national.py [DATA_DIR] [--posters]
DATA_DIR defaults to ../shared/data/national-procedures (not part of the
project); the script says so and exits 0 when it is absent. Prints records,
seconds per stage, files written, fields created and errors; exits 1 when
anything failed. Posters are off by default: hundreds of PDFs measure the
poster stage, not the importer.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from thutuc.content.load import load_site
from thutuc.content.validate import validate_site
from thutuc.importers.importer import import_files
from thutuc.problems import BuildFailed, Problems

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "national-procedures"


def timed(label: str, func, *args, **kwargs):
    start = time.perf_counter()
    value = func(*args, **kwargs)
    print(f"{label}: {time.perf_counter() - start:.2f} s")
    return value


def build_site(root: Path, posters: bool) -> int:
    from thutuc.engine.pipeline import BuildOptions, build

    try:
        result = timed("build", build, BuildOptions(project=root, posters=posters))
    except BuildFailed as failed:
        print(failed.problems.report())
        return len(failed.problems.errors)
    print(f"pages: {result.pages}, QR files: {result.qr_files}, posters: {result.poster_files}")
    return 0


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    data = Path(args[0]) if args else DEFAULT_DATA
    files = sorted(data.glob("*.json")) if data.is_dir() else []
    if not files:
        print(
            f"No national sample at {data}: nothing to do. Pass its folder as the first argument."
        )
        return 0
    with tempfile.TemporaryDirectory(prefix="thutuc-import-") as tmp:
        root = Path(tmp)
        (root / "site.yml").write_text("name: Xã Thử nhập\nbase_url: https://thu.example.vn/\n")
        report = timed("import", import_files, files, root)
        print(f"records: {len(report.outcomes)} from {len(files)} files")
        print(
            f"files written: {report.files_written}, fields created: {len(report.fields_created)}"
        )
        problems = Problems()
        timed("load + validate", lambda: validate_site(load_site(root, problems), problems))
        errors = report.count("lỗi") + len(problems.errors)
        if report.failed or problems.errors:
            print(report.format() if report.failed else problems.report())
        else:
            print(f"check: {len(problems.errors)} errors, {len(problems.warnings)} warnings")
            errors += build_site(root, "--posters" in argv)
        print(f"errors: {errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
