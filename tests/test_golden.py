"""The sample site's pages match the committed golden output, byte for byte.

An intended change: run `make golden` (tests/update_golden.py) and review the diff.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from conftest import files_of
from update_golden import GOLDEN, build_sample


def test_sample_site_matches_golden_output(tmp_path: Path) -> None:
    built, golden = files_of(build_sample(tmp_path)), files_of(GOLDEN)
    assert sorted(built) == sorted(golden), "pages added or removed: run `make golden` if intended"
    for name, content in built.items():
        if content != golden[name]:
            diff = difflib.unified_diff(
                golden[name].decode(errors="replace").splitlines(),
                content.decode(errors="replace").splitlines(),
                f"golden/{name}",
                f"built/{name}",
                lineterm="",
                n=1,
            )
            raise AssertionError("\n".join(list(diff)[:40]) + "\n(run `make golden` if intended)")
