"""Every benchmark still runs: each at a tiny size, on the bundled sample's procedures
(bench/corpus.py, THUTUC_BENCH_CORPUS=sample), so a change to the code a benchmark
calls cannot leave it broken until someone next measures (bench_posters.py was:
a cache it cleared had gone, f5e48bf). The figures at this size mean nothing;
what is checked is that each finishes and prints its report. Hugo (Debian's
`hugo`) is one of the test tools: three benchmarks build the same Markdown with it.

Not here: lighthouse.py (`make lighthouse`, a browser and npm's Lighthouse) and
fresh_inodes.py (it waits 65 s by design)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import NATIONAL_DATA, REPO, require_executable, require_national_data

# (script and its arguments, words its report prints, whether it runs Hugo)
BENCHMARKS = [
    (["bench_site.py", "--procedures", "30", "--repeat", "1"], "peak RSS of a thutuc build", True),
    (
        ["bench_province.py", "--communes", "4", "--procedures", "8", "--repeat", "1"],
        "cold build / hugo",
        True,
    ),
    (["bench_stages.py", "--procedures", "30"], "Making the output alone", True),
    (["bench_serve.py", "--procedures", "30", "--edits", "2"], "edits", False),
    (
        [
            "bench_edit_ab.py",
            "--old",
            "HEAD",
            "--kind",
            "catalogue",
            "--procedures",
            "8",
            "--communes",
            "3",
            "--repeat",
            "1",
        ],
        "new (this tree)",
        False,
    ),
    (
        [
            "bench_edit_ab.py",
            "--old",
            "HEAD",
            "--kind",
            "cold",
            "--procedures",
            "8",
            "--repeat",
            "1",
        ],
        "cold builds",
        False,
    ),
    (["bench_validate.py", "--procedures", "30", "--repeat", "1"], "rounds", False),
    (["bench_front_matter.py", "--procedures", "30", "--repeat", "1"], "plain reader read", False),
    (["bench_posters.py", "--procedures", "5"], "leaflet of a 2 MB body", False),
    (["bench_search_index.py", "--count", "30"], "largest page", False),
    (["bench_markdown.py", "--repeat", "1"], "cmark-gfm", False),
    (["bench_page_sizes.py", "--project", "{sample}"], "budget", False),
    (["bench_qr_libraries.py"], "zxing-cpp", False),
    (["bench_limits.py"], "leaflet, table of", False),
]
# These read the national records themselves: run where they are (not in the project).
NATIONAL = [
    (["bench_import_national.py", str(NATIONAL_DATA)], "errors: 0"),
    (["bench_compare_national.py", str(NATIONAL_DATA)], "thủ tục so được"),
]


def run_benchmark(arguments: list[str], sample: Path) -> str:
    """`{sample}` in `arguments` is a copy of the sample site (its build state stays there)."""
    if "{sample}" in arguments:
        for name in ("site.yml", "published-urls.txt", "procedures"):
            copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy
            copy(REPO / name, sample / name)
    arguments = [str(sample) if a == "{sample}" else a for a in arguments]
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / arguments[0]), *arguments[1:]],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={**os.environ, "THUTUC_BENCH_CORPUS": "sample", "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout


@pytest.mark.parametrize(
    ("arguments", "report", "hugo"), BENCHMARKS, ids=[b[0][0] for b in BENCHMARKS]
)
def test_the_benchmark_runs(arguments: list[str], report: str, hugo: bool, tmp_path: Path) -> None:
    if hugo:
        require_executable("hugo")
    assert report in run_benchmark(arguments, tmp_path)


@pytest.mark.parametrize(("arguments", "report"), NATIONAL, ids=[b[0][0] for b in NATIONAL])
def test_the_national_benchmark_runs(arguments: list[str], report: str, tmp_path: Path) -> None:
    require_national_data()
    assert report in run_benchmark(arguments, tmp_path)
