"""Benchmark a synthetic province: thutuc against Hugo on the same corpus.

    python bench/bench_province.py [--communes 100] [--procedures 100] [--repeat 3] [--keep DIR]

The catalogue is made from real records of the national database
(../shared/data/national-procedures/*.json, through thutuc's own importer), so
bodies, lists and tables have real lengths; without those files a built-in
shape is repeated. Each commune overrides 2 procedures, excludes 1 and adds 1
local procedure, so every commune has `--procedures` pages.

Measured in one run, each as a separate `thutuc build` process:
cold build with --no-posters (pages, search index, SVG codes), `--repeat`
times in turns with a cold Hugo build, reported as medians; rebuild with nothing changed; rebuilds after
editing one commune's procedure file, one commune's site.yml, and one
catalogue procedure used by every commune; posters and the codes' PNG
copies for 2 communes (extrapolated to all); peak memory of the whole process tree (RSS
summed over the build and its workers, sampled every 20 ms). Hugo builds the
same procedure pages with a minimal layout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from thutuc.importers.importer import render, short_slug  # noqa: E402
from thutuc.importers.national import RecordError, record_to_procedure  # noqa: E402

COLD = "cold build --no-posters (pages, search, SVG codes)"
HUGO = "hugo, cold"
NATIONAL = REPO.parent / "shared/data/national-procedures"
FALLBACK_BODY = (
    "## Trình tự thực hiện\n\n"
    + "".join(f"{i}. Bước {i}: nộp hồ sơ, nhận phiếu hẹn, nhận kết quả.\n" for i in range(1, 8))
    + "\n| Cách nộp | Thời hạn | Phí |\n|---|---|---|\n| Trực tiếp | 1 ngày | Miễn phí |\n"
    + "\n"
    + "Người yêu cầu nộp hồ sơ tại Trung tâm Phục vụ hành chính công. " * 20
    + "\n"
)


# The corpus


def catalogue_records(count: int) -> list[tuple[str, str, str, str]]:
    """(field folder, field title, code, file text) for `count` procedures."""
    records = []
    for path in sorted(NATIONAL.glob("*.json")) if NATIONAL.is_dir() else []:
        try:
            imported = record_to_procedure(json.loads(path.read_text(encoding="utf-8")))
        except (RecordError, ValueError):
            continue
        # Short folder names: a 60-letter field address does not fit the A4 field
        # poster's QR code (LayoutError), a poster bug reported separately.
        folder = short_slug(imported.field_title, 20) or "khac"
        records.append((folder, imported.field_title, str(imported.meta["code"]), render(imported)))
        if len(records) == count:
            return records
    for i in range(len(records), count):  # built-in shape when the sample is short
        code = f"9.{900000 + i:06d}"
        text = (
            f'---\ncode: "{code}"\ntitle: Thủ tục mẫu số {i}\nfee: Miễn phí\n---\n{FALLBACK_BODY}'
        )
        records.append(("khac", "Khác", code, text))
    return records


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_province(root: Path, communes: int, procedures: int) -> list[tuple[str, str, str, str]]:
    records = catalogue_records(procedures)
    write(
        root / "province.yml",
        "name: Tỉnh Mẫu\nbase_url: https://thutuc.example.gov.vn/{commune}/\n",
    )
    for folder, title, code, text in records:
        write(root / f"procedures/{folder}/{code}.md", text)
        write(root / f"procedures/{folder}/_index.md", f"---\ntitle: {title}\n---\n")
    for n in range(communes):
        make_commune(root / f"communes/xa-{n:03d}", n, records)
    return records


def make_commune(folder: Path, n: int, records: list[tuple[str, str, str, str]]) -> None:
    excluded = records[(n * 7) % len(records)][2]
    write(
        folder / "site.yml",
        f"name: Xã Mẫu {n}\naddress: Số {n} đường Trung tâm\nhotline: 0209 3 {n:03d} 000\n"
        f"opening_hours: Sáng 7:30–11:30, chiều 13:30–17:00\nexclude: ['{excluded}']\n"
        "contacts:\n  - name: Bộ phận Một cửa\n    phone: 0209 3000 002\n",
    )
    for k in (1, 2):  # two overrides: a local fee
        field, _, code, _ = records[(n * 13 + k * 31) % len(records)]
        if code != excluded:
            write(
                folder / f"procedures/{field}/{code}.md",
                f'---\ncode: "{code}"\nfee: Xã Mẫu {n} hỗ trợ lệ phí, thu {k}.000 đồng\n---\n',
            )
    field, _, code, text = records[n % len(records)]
    local = f"3.{n:06d}"  # a long H55 variant code trips the poster layout (see docs)
    write(folder / f"procedures/{field}/local.md", text.replace(code, local, 1))


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
    """Wall seconds, peak RSS bytes (process tree) and stderr of one command."""
    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = PeakRss(proc.pid)
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    rss = peak.stop()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out}\n{err}")
    return seconds, rss, err.strip().splitlines()[-2] if err.strip() else ""


def thutuc(root: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "thutuc.cli", "build", "--project", str(root), "-q", *extra]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# Hugo


HUGO_LAYOUT = {
    "config.toml": 'baseURL = "https://thutuc.example.gov.vn/"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n'
    "[markup.goldmark.renderer]\nunsafe = false\n",
    "layouts/_default/single.html": '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
    "<title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>"
    "<p>{{ .Params.fee }}</p>{{ .Content }}</body></html>\n",
    "layouts/_default/list.html": "<!doctype html><html><body><ul>{{ range .Pages }}"
    '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>\n',
}


def make_hugo(root: Path, province: Path) -> int:
    """The same procedure pages as Hugo content: content/<commune>/<code>.md."""
    for rel, text in HUGO_LAYOUT.items():
        write(root / rel, text)
    count = 0
    catalogue = {p.name: p.read_text(encoding="utf-8") for p in province.glob("procedures/*/*.md")}
    for commune in sorted((province / "communes").iterdir()):
        pages = dict(catalogue)
        pages.pop("_index.md", None)
        for own in commune.glob("procedures/*/*.md"):
            pages[own.name] = own.read_text(encoding="utf-8")
        for name, text in pages.items():
            write(root / f"content/{commune.name}/{name}", text)
            count += 1
    return count


# Report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--procedures", type=int, default=100)
    parser.add_argument("--poster-communes", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="cold builds of each (median)")
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: a temp dir)")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-province-"))
    try:
        report(measure(base, args))
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


def measure(base: Path, args: argparse.Namespace) -> list[tuple[str, float, int]]:
    root = base / "tinh"
    shutil.rmtree(root, ignore_errors=True)
    records = make_province(root, args.communes, args.procedures)
    hugo = base / "hugo"
    shutil.rmtree(hugo, ignore_errors=True)
    pages = make_hugo(hugo, root)
    rows: list[tuple[str, float, int]] = []

    def timed(label: str, cmd: list[str], cwd: Path | None = None) -> None:
        seconds, rss, last = run(cmd, cwd)
        rows.append((label, seconds, rss))
        print(f"{label:<55} {seconds:7.2f} s {rss / 2**20:7.0f} MB   {last}", flush=True)

    # Cold builds of both, taken in turns: this machine's speed drifts by a
    # third over minutes, so one run of each says little; the report uses medians.
    for n in range(1, args.repeat + 1):
        for folder in (root / "output", root / "qr", root / ".thutuc-cache", base / "hugo-out"):
            shutil.rmtree(folder, ignore_errors=True)
        timed(f"{COLD} #{n}", thutuc(root, "--no-posters"))
        timed(
            f"{HUGO} ({pages} pages) #{n}", ["hugo", "--quiet", "-d", str(base / "hugo-out")], hugo
        )
    timed("rebuild, nothing changed", thutuc(root, "--no-posters"))
    # Pages alone, cold: drop every page and the Markdown cache, keep the QR codes
    # (their keys are unchanged, so the build leaves qr/ alone).
    for folder in (root / "output").glob("xa-*"):
        shutil.rmtree(folder)
    shutil.rmtree(root / ".thutuc-cache")
    timed("cold pages only (QR codes kept)", thutuc(root, "--no-posters"))
    local = next((root / "communes/xa-001/procedures").glob("*/local.md"))
    edit(local, "\n---\n", "\n---\nMột ghi chú mới của xã.\n\n")
    timed("rebuild after editing 1 commune procedure file", thutuc(root, "--no-posters"))
    edit(root / "communes/xa-002/site.yml", "hotline: ", "hotline: 0999 ")
    timed("rebuild after editing 1 commune site.yml", thutuc(root, "--no-posters"))
    field, _, code, _ = records[3]
    edit(root / f"procedures/{field}/{code}.md", "\n---\n", "\n---\nGhi chú chung của tỉnh.\n\n")
    timed("rebuild after editing 1 catalogue procedure", thutuc(root, "--no-posters"))
    posters = [f"--commune=xa-{n:03d}" for n in range(args.poster_communes)]
    timed(f"posters + QR PNGs for {args.poster_communes} communes", thutuc(root, *posters))
    return rows


def report(rows: list[tuple[str, float, int]]) -> None:
    cold = statistics.median(r[1] for r in rows if r[0].startswith(COLD))
    hugo = statistics.median(r[1] for r in rows if r[0].startswith(HUGO))
    print(f"\nmedian cold build {cold:.2f} s, median hugo {hugo:.2f} s")
    print(f"cold build / hugo = {cold / hugo:.2f}  (target <= 1.5)")
    ours = [r[2] for r in rows if not r[0].startswith(HUGO)]
    print(f"peak RSS of a thutuc build = {max(ours) / 2**20:.0f} MB (target < 300)")
    print(f"CPU cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
