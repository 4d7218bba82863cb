"""Realistic corpora for the benchmarks, and the tools that measure a build.

Procedures come from the real records of the national database
(../shared/data/national-procedures/*.json) through thutuc's own importer, so
front matter, lists, tables and bodies have real shapes and lengths. A real site
repeats no body, so beyond the 306 records each procedure gets its own body: the
record's text with its numbers changed and a note of its own made of sentences
drawn from other records, in a seeded order (the same corpus every run).

THUTUC_BENCH_CORPUS=sample takes the bundled sample's procedures instead: only
for checking that a benchmark still runs (tests/test_benchmarks.py), on a clone
without the national records; its figures say nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import yaml  # noqa: E402

from thutuc.importers.importer import front_matter, render, short_slug  # noqa: E402
from thutuc.importers.national import RecordError, record_to_procedure  # noqa: E402

NATIONAL = REPO.parent / "shared/data/national-procedures"
_NUMBER = re.compile(r"(?<![\d./])(\d{1,3})(?![\d/])")
_SENTENCE = re.compile(r"[^.;:\n]{40,200}[.;]")


@dataclass(frozen=True)
class Record:
    folder: str  # field folder
    field_title: str
    code: str
    text: str  # the whole procedure file


def national_records() -> list[Record]:
    if os.environ.get("THUTUC_BENCH_CORPUS") == "sample":
        return sample_records()
    records = []
    for path in sorted(NATIONAL.glob("*.json")) if NATIONAL.is_dir() else []:
        try:
            imported = record_to_procedure(json.loads(path.read_text(encoding="utf-8")))
        except (RecordError, ValueError):
            continue
        folder = short_slug(imported.field_title, 20) or "khac"
        code = str(imported.meta["code"])
        records.append(Record(folder, imported.field_title, code, render(imported)))
    if not records:
        raise SystemExit(f"No national records in {NATIONAL}: the benchmarks need them.")
    return records


def sample_records() -> list[Record]:
    """The bundled sample's Vietnamese procedures (no translations), as records."""
    records = []
    for path in sorted((REPO / "procedures").glob("*/*.md")):
        if path.name.startswith("_") or path.name.count(".") > 1:
            continue
        index = (path.parent / "_index.md").read_text(encoding="utf-8")
        field_title = yaml.safe_load(index.split("---\n")[1])["title"]
        _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.safe_load(head)
        for attached in ("forms", "audio"):  # files beside it, which a corpus lacks
            meta.pop(attached, None)
        text = f"{front_matter(meta)}\n{body}"
        records.append(Record(path.parent.name, field_title, str(meta["code"]), text))
    return records


def unique_procedures(count: int, seed: int = 1) -> list[Record]:
    """`count` procedures, each with a code, title and body of its own."""
    records = national_records()
    sentences = [s.strip() for r in records for s in _SENTENCE.findall(r.text.split("\n---\n")[-1])]
    rng = random.Random(seed)
    out = []
    for n in range(count):
        base = records[n % len(records)]
        if n < len(records):
            out.append(base)
            continue
        round_ = n // len(records)
        code = f"{(n % 9) + 1}.{(n * 7919) % 1_000_000:06d}"
        head, body = base.text.split("\n---\n", 1)
        meta = yaml.safe_load(head.removeprefix("---\n"))
        meta.update(code=code, title=f"{meta['title']} (mẫu {round_})")
        body = _NUMBER.sub(lambda m, r=round_: str(int(m[1]) + r), body)
        note = " ".join(rng.sample(sentences, k=min(len(sentences), rng.randint(2, 5))))
        body += f"\n\n## Lưu ý riêng số {n}\n\n{note}\n"
        out.append(Record(base.folder, base.field_title, code, f"{front_matter(meta)}\n{body}"))
    return out


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_fields(procedures_dir: Path, records: list[Record]) -> None:
    for record in records:
        write(procedures_dir / record.folder / f"{record.code}.md", record.text)
        write(
            procedures_dir / record.folder / "_index.md", f"---\ntitle: {record.field_title}\n---\n"
        )


# Measuring


class PeakRss:
    """Peak RSS of a process and all its descendants, summed, sampled from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        pids, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            # a process may end between listing and reading: it has no children then
            with contextlib.suppress(OSError):
                for task in Path(f"/proc/{pid}/task").glob("*/children"):
                    with contextlib.suppress(OSError):
                        todo += [int(c) for c in task.read_text().split()]
        return pids

    def _rss(self, pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, sum(self._rss(p) for p in self._tree()))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run(cmd: list[str], cwd: Path | None = None) -> tuple[float, int, str]:
    """Wall seconds, peak RSS bytes (process tree) and the last line of stderr."""
    start = time.perf_counter()
    # As a user's Python runs the tool: with its bytecode cache. A machine that sets
    # PYTHONDONTWRITEBYTECODE (this one does) compiles every module again in each
    # process, about 0.07 s a start and more in each worker.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = PeakRss(proc.pid)
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    rss = peak.stop()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out}\n{err}")
    lines = err.strip().splitlines()
    return seconds, rss, (lines[-2] if len(lines) > 1 else lines[0]) if lines else ""


class Rows(list[tuple[str, float, int]]):
    """Measurements in the order taken: (label, wall seconds, peak RSS bytes)."""

    def timed(self, label: str, cmd: list[str], cwd: Path | None = None) -> None:
        seconds, rss, last = run(cmd, cwd)
        self.append((label, seconds, rss))
        print(f"{label:<55} {seconds:7.2f} s {rss / 2**20:6.0f} MB   {last}", flush=True)


def median_of(rows: list[tuple[str, float, int]], label: str) -> str:
    """The median of the runs called `label` or `label #n`, with their range."""
    times = [s for name, s, _ in rows if name == label or name.startswith(label + " #")]
    if len(times) == 1:
        return f"{times[0]:.2f} s"
    return f"{statistics.median(times):.2f} s (median of {len(times)}: {min(times):.2f}–{max(times):.2f})"


def thutuc(root: Path, *extra: str) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), "build", "--project", str(root), "-q", *extra]


def cold_builds_in_turns(
    timed: Callable[..., object],
    root: Path,
    hugo: Path,
    out: Path,
    repeat: int,
    labels: tuple[str, str],
) -> None:
    """`repeat` cold builds of thutuc and of Hugo, taken in turns: this machine's
    speed drifts by a third over minutes, so one run of each says little; the
    reports compare medians.

    The last round's output is moved aside, not deleted, and deleted when the
    benchmark ends. An ext4 without a journal (this VM's disk) skips the inodes
    freed in the last minute or more each time it makes a file (fs/ext4/ialloc.c,
    recently_deleted), so a build just after deleting another's 12,000 files and
    folders measured the file system, not the tool. bench/fresh_inodes.py made
    12,168 files and folders in 1.42 s with no recent deletion, 6.70 s right after
    deleting as many, 12.26 s after deleting twice that, and still 4.75 s after a
    sync and 65 s more. Deleting anything big just before a benchmark (another
    benchmark's corpus, too) slows its first rounds the same way."""
    ours, theirs = labels
    aside = Path(tempfile.mkdtemp(prefix="moved-aside-", dir=root.parent))
    for n in range(1, repeat + 1):
        for folder in (root / "output", root / "qr", root / ".thutuc-cache", out):
            if folder.exists():
                folder.rename(aside / f"{n}-{folder.name}")
        timed(f"{ours} #{n}", thutuc(root, "--no-posters"))
        timed(f"{theirs} #{n}", ["hugo", "--quiet", "-d", str(out)], hugo)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


HUGO_CONFIG = (
    'baseURL = "https://thutuc.example.gov.vn/"\n'
    'disableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n'
    "[markup.goldmark.renderer]\nunsafe = false\n"
)
HUGO_LAYOUTS = {
    "layouts/_default/single.html": '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
    "<title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>"
    "<p>{{ .Params.fee }}</p>{{ .Content }}</body></html>\n",
    "layouts/_default/list.html": "<!doctype html><html><body><ul>{{ range .Pages }}"
    '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>\n',
}


def make_hugo_site(root: Path, pages: dict[str, str]) -> None:
    """A Hugo site of `pages` (content path → Markdown with front matter), minimal layouts."""
    write(root / "config.toml", HUGO_CONFIG)
    for rel, text in HUGO_LAYOUTS.items():
        write(root / rel, text)
    for rel, text in pages.items():
        write(root / "content" / rel, text)
