"""Lighthouse on the built sample site at 3G and 2G: scores and bytes on the wire.

Setup once:  npm ci --prefix bench        (Lighthouse into bench/node_modules)
Run:         python bench/lighthouse.py [--runs 3] [--chrome /usr/bin/chromium] [--port 8765]

Builds the sample site into a temporary folder with base_url set to the local
server (so canonical links are same-origin, as on the real host), serves it
from 127.0.0.1 with gzip (as a static host would: Python's http.server alone
sends raw bytes), and runs Lighthouse (mobile form factor) on the home, a field
and a procedure page with simulated throttling (Lighthouse's default method,
Lantern: it loads the page unthrottled and computes the metrics for the given
network and CPU, so runs are repeatable):

    3G: rtt 300 ms, 700 kbps down and up, CPU 4x slower
    2G: rtt 1400 ms, 70 kbps down and up, CPU 4x slower

Each page runs --runs times and the run with the median performance score is
reported (Lighthouse's own advice: CPU timings vary with the machine's load).
Prints a table and writes bench/results/lighthouse-<profile>-<page>.json (the
full report) and bench/results/lighthouse.md (the table). Target: 100 in all
four categories at 3G.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from thutuc.engine.pipeline import BuildOptions, build, forget_build  # noqa: E402

LIGHTHOUSE = REPO / "bench" / "node_modules" / ".bin" / "lighthouse"
RESULTS = REPO / "bench" / "results"
PAGES = {
    "home": "",
    "field": "ho-tich/",
    "procedure": "1.001193/",
    "procedure-en": "en/1.001193/",  # a translated page
    "untranslated-en": "en/1.012812/",  # the Vietnamese under an English notice
}
PROFILES = {
    "3G": {"rttMs": 300, "throughputKbps": 700, "cpuSlowdownMultiplier": 4},
    "2G": {"rttMs": 1400, "throughputKbps": 70, "cpuSlowdownMultiplier": 4},
}
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--metrics-recording-only",
]
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".xml", ".txt", ".svg")


class GzipHandler(SimpleHTTPRequestHandler):
    """Static files, gzipped when the browser accepts it; 404.html for missing paths.

    HTTP/1.1 keeps the connection open, as every real host does: with
    http.server's HTTP/1.0 default each file would pay a new TCP handshake.
    """

    protocol_version = "HTTP/1.1"

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not path.is_file() or not wants_gzip or path.suffix not in COMPRESSIBLE:
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=300")
        self.end_headers()
        return _Body(body)

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None

    def log_message(self, format, *args):
        pass


class _Body:
    """What send_head returns: a file-like object that copyfile reads and closes."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int = -1) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # Chrome closing a kept-alive connection is not news


def start_server(folder: Path, port: int) -> ThreadingHTTPServer:
    server = QuietServer(("127.0.0.1", port), partial(GzipHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_lighthouse(url: str, profile: str, report: Path, chrome: str) -> dict:
    throttling = [f"--throttling.{key}={value}" for key, value in PROFILES[profile].items()]
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--form-factor=mobile",
        "--throttling-method=simulate",
        *throttling,
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
    ]
    env = os.environ | {"CHROME_PATH": chrome}
    subprocess.run(command, check=True, env=env, timeout=300)
    return json.loads(report.read_text(encoding="utf-8"))


def median_run(url: str, profile: str, report: Path, args: argparse.Namespace) -> dict:
    runs = [run_lighthouse(url, profile, report, args.chrome) for _ in range(args.runs)]
    runs.sort(key=lambda r: r["categories"]["performance"]["score"])
    median = runs[len(runs) // 2]
    report.write_text(json.dumps(median, ensure_ascii=False), encoding="utf-8")
    return median


def summarise(result: dict) -> dict[str, float]:
    audits = result["audits"]
    row = {name: round(result["categories"][name]["score"] * 100) for name in CATEGORIES}
    row["bytes"] = audits["total-byte-weight"]["numericValue"]
    row["fcp_ms"] = audits["first-contentful-paint"]["numericValue"]
    row["lcp_ms"] = audits["largest-contentful-paint"]["numericValue"]
    row["tbt_ms"] = audits["total-blocking-time"]["numericValue"]
    row["cls"] = audits["cumulative-layout-shift"]["numericValue"]
    return row


def failed_audits(result: dict) -> list[str]:
    """Audits that cost points outside performance, to fix."""
    failed = []
    for name in CATEGORIES[1:]:
        for ref in result["categories"][name]["auditRefs"]:
            audit = result["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                failed.append(f"{name}: {audit['id']} ({audit['title']})")
    return failed


def table(rows: list[tuple[str, str, dict[str, float]]]) -> str:
    lines = [
        "| network | page | perf | a11y | best pr. | SEO | bytes | FCP ms | LCP ms | TBT ms | CLS |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for profile, page, r in rows:
        lines.append(
            f"| {profile} | {page} | {r['performance']} | {r['accessibility']} | "
            f"{r['best-practices']} | {r['seo']} | {r['bytes']:.0f} | {r['fcp_ms']:.0f} | "
            f"{r['lcp_ms']:.0f} | {r['tbt_ms']:.0f} | {r['cls']:.3f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chrome", default=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse not installed: run `npm ci --prefix bench`")
    RESULTS.mkdir(parents=True, exist_ok=True)
    base = f"http://127.0.0.1:{args.port}/"
    rows, problems = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "output"
        options = BuildOptions(
            REPO, out=out, qr=Path(tmp) / "qr", base_url=base, posters=False,
            record_published=False,
        )  # fmt: skip
        build(options)
        forget_build(options)
        server = start_server(out, args.port)
        try:
            for profile in PROFILES:
                for page, path in PAGES.items():
                    report = RESULTS / f"lighthouse-{profile}-{page}.json"
                    result = median_run(base + path, profile, report, args)
                    rows.append((profile, page, summarise(result)))
                    problems += [f"{profile} {page}: {p}" for p in failed_audits(result)]
        finally:
            server.shutdown()
    text = table(rows)
    if problems:
        text += "\n\nAudits below 1 outside performance:\n" + "\n".join(problems)
    (RESULTS / "lighthouse.md").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
