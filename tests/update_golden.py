"""Regenerate tests/golden/sample/: the built pages of the bundled sample site.

Run after an intended change to templates, CSS or sample content:
    python tests/update_golden.py      (or: make golden)
then review `git diff tests/golden` before committing.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden" / "sample"
sys.path.insert(0, str(REPO))

from thutuc.engine.pipeline import BuildOptions, build, forget_build  # noqa: E402


def build_sample(into: Path) -> Path:
    """Build the sample site's pages (no posters) into `into`/output."""
    out = into / "output"
    # record_published=False: a test must not add to the repository's published-urls.txt
    options = BuildOptions(REPO, out=out, qr=into / "qr", posters=False, record_published=False)
    build(options)
    forget_build(options)  # no build state of a temporary folder left in the repository
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = build_sample(Path(tmp))
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN)
    print(f"golden output written to {GOLDEN.relative_to(REPO)}")


if __name__ == "__main__":
    main()
