"""Which Markdown library renders bodies as editors see them, and how fast.

    python bench/bench_markdown.py [--repeat 5]

Fidelity: every fixture in tests/fixtures/markdown/ (Markdown as editors type it:
2- and 4-space nested lists, a list straight after a paragraph, tables, hard
breaks, autolinks, emphasis next to < and >) is rendered by each candidate and
compared with cmark-gfm, the renderer behind GitHub's preview (GitLab's follows
the same CommonMark + GFM spec). Both sides go through the same nh3 allowlist and
lose heading ids, and whitespace between tags is ignored, so only differences a
resident would see count.

Speed: the bodies of the national records in ../shared/data/national-procedures
(through thutuc's importer), each rendered `--repeat` times; milliseconds per
body, median of the passes.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from thutuc.content.markdown import commonmark_html, parse, sanitise  # noqa: E402
from thutuc.importers.importer import render  # noqa: E402
from thutuc.importers.national import RecordError, record_to_procedure  # noqa: E402

FIXTURES = REPO / "tests/fixtures/markdown"
NATIONAL = REPO.parent / "shared/data/national-procedures"


def python_markdown() -> Callable[[str], str]:
    import markdown

    converter = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    return lambda text: converter.reset().convert(text)


def markdown_it() -> Callable[[str], str]:
    from markdown_it import MarkdownIt

    engine = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return engine.render


CANDIDATES: dict[str, Callable[[], Callable[[str], str]]] = {
    "cmark-gfm (cmarkgfm, thutuc)": lambda: lambda text: parse(text).html,
    "markdown-it-py 'commonmark' + table, strikethrough": markdown_it,
    "Python-Markdown tables, sane_lists (before)": python_markdown,
}


def normalise(markup: str) -> str:
    markup = re.sub(r' id="[^"]*"', "", sanitise(markup))
    markup = re.sub(r"<(/?)h1\b", r"<\1h2", markup)  # thutuc starts bodies at h2
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", markup)).strip()


def fidelity(render_body: Callable[[str], str]) -> tuple[int, list[str]]:
    fixtures = sorted(FIXTURES.glob("*.md"))
    differ = [
        f.stem
        for f in fixtures
        if normalise(render_body(text := f.read_text("utf-8"))) != normalise(commonmark_html(text))
    ]
    return len(fixtures) - len(differ), differ


def national_bodies() -> list[str]:
    bodies = []
    for path in sorted(NATIONAL.glob("*.json")):
        try:
            imported = record_to_procedure(json.loads(path.read_text(encoding="utf-8")))
        except (RecordError, ValueError):
            continue
        bodies.append(render(imported).split("\n---\n", 1)[1])
    return bodies


def speed_ms(render_body: Callable[[str], str], bodies: list[str], repeat: int) -> float:
    passes = []
    for _ in range(repeat):
        start = time.perf_counter()
        for body in bodies:
            render_body(body + f"\n<!-- {len(passes)} -->\n")  # defeat any memo cache
        passes.append((time.perf_counter() - start) * 1000 / len(bodies))
    return statistics.median(passes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    bodies = national_bodies()
    size = statistics.mean(len(b.encode()) for b in bodies) / 1024 if bodies else 0
    print(f"{len(bodies)} national bodies, {size:.1f} KB on average\n")
    print("| library | fixtures as cmark-gfm renders them | ms per body |")
    print("|---|---|---|")
    for name, make in CANDIDATES.items():
        render_body = make()
        same, differ = fidelity(render_body)
        ms = speed_ms(render_body, bodies, args.repeat) if bodies else float("nan")
        total = same + len(differ)
        detail = f" (differs: {', '.join(differ)})" if differ else ""
        print(f"| {name} | {same}/{total}{detail} | {ms:.3f} |")


if __name__ == "__main__":
    main()
