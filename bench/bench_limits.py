"""What the input limits cost at their edge (content/load.py, validate.py).

    python bench/bench_limits.py

- a body just under MAX_MARKDOWN_BYTES (8 MiB): CPU seconds to check and build
  its site (pages and SVG codes, no posters);
- the ten-line YAML alias bomb of tests/fixtures/broken/alias-bomb: milliseconds
  for parse_yaml to refuse it (it would expand to 9**9 values);
- raw HTML nested 4,096 and 16,384 deep: CPU seconds of the sanitiser alone,
  the quadratic growth MAX_HTML_NESTING (100) keeps out;
- a body of just under MAX_ELEMENTS (100,000) one-line paragraphs: CPU seconds to
  check and build its site; and 7 MB of one-letter paragraphs: to refuse it;
- a leaflet whose body is a 2-column table of 5,000 to 20,000 rows, or a 3-row
  table of 100 to 10,000 columns: CPU seconds to declare and draw it (the
  layout stops at two pages, print/leaflet.py).

CPU time (time.process_time), so other work on the machine does not count.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import nh3

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from conftest import MINIMAL_SITE, write_files  # noqa: E402

from thutuc.content.load import MAX_MARKDOWN_BYTES, parse_yaml  # noqa: E402
from thutuc.engine.pipeline import BuildOptions, build  # noqa: E402
from thutuc.problems import BuildFailed, Problems  # noqa: E402


def big_body() -> None:
    line = "Một đoạn văn dài về thủ tục, có **chữ đậm** và [liên kết](https://x.vn/).\n\n"
    body = line * ((MAX_MARKDOWN_BYTES - 4096) // len(line.encode()))
    page = '---\ncode: "1.000894"\ntitle: Dài\n---\n' + body
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        root = write_files(tmp / "site", {**MINIMAL_SITE, "procedures/ho-tich/dai.md": page})
        start = time.process_time()
        build(BuildOptions(root, tmp / "o", tmp / "q", posters=False, record_published=False))
        seconds = time.process_time() - start
    print(f"{len(body.encode()) / 2**20:.1f} MiB body: check + build {seconds:.2f} s CPU")


def many_elements() -> None:
    for label, body, refused in (
        ("99,000 paragraphs", "Một bước.\n\n" * 49_500, False),  # 2 lines each
        ("7 MB of one-letter paragraphs", "x\n\n" * 2_300_000, True),
    ):
        page = '---\ncode: "1.000894"\ntitle: Dài\n---\n' + body
        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder)
            root = write_files(tmp / "site", {**MINIMAL_SITE, "procedures/ho-tich/dai.md": page})
            options = BuildOptions(
                root, tmp / "o", tmp / "q", posters=False, record_published=False
            )
            start = time.process_time()
            try:
                build(options)
                outcome = "built"
            except BuildFailed as failed:
                outcome = "refused: " + failed.problems.errors[0].message
            seconds = time.process_time() - start
        assert (outcome != "built") == refused, outcome
        print(f"{label}: {outcome} in {seconds:.2f} s CPU")


def alias_bomb() -> None:
    path = REPO / "tests/fixtures/broken/alias-bomb/procedures/ho-tich/khai-sinh.md"
    front = path.read_text(encoding="utf-8").split("---\n")[1]
    start = time.process_time()
    problems = Problems()
    parse_yaml(front, path.name, problems)
    milliseconds = (time.process_time() - start) * 1000
    print(f"alias bomb refused in {milliseconds:.2f} ms CPU: {problems.errors[0].message}")


def nested_html() -> None:
    for depth in (4096, 16384):
        start = time.process_time()
        nh3.clean("<div>" * depth + "x" + "</div>" * depth)
        print(f"nh3 on {depth} nested <div>: {time.process_time() - start:.2f} s CPU")


def leaflet_tables() -> None:
    from thutuc.engine.pipeline import check
    from thutuc.print.layout import register_fonts, render_pdf
    from thutuc.print.posters import fitted, leaflet_spec

    register_fonts()
    shapes = [(2, rows) for rows in (5_000, 10_000, 20_000)]  # 30,000: over MAX_ELEMENTS
    shapes += [(columns, 3) for columns in (100, 1_000, 10_000)]
    for columns, rows in shapes:
        table = "|" + "a|" * columns + "\n|" + "-|" * columns + "\n"
        table += ("|" + "ô|" * columns + "\n") * rows
        page = '---\ncode: "1.000894"\ntitle: Bảng\n---\n' + table
        with tempfile.TemporaryDirectory() as folder:
            files = {**MINIMAL_SITE, "procedures/ho-tich/bang.md": page}
            project, _ = check(BuildOptions(write_files(Path(folder) / "site", files)))
            assert project is not None
            site = project.sites[0]
            start = time.process_time()
            render_pdf(fitted(leaflet_spec(site, site.procedures_by_code["1.000894"], "M")))
            seconds = time.process_time() - start
        print(f"leaflet, table of {columns} columns x {rows} rows: {seconds:.2f} s CPU")


if __name__ == "__main__":
    big_body()
    many_elements()
    alias_bomb()
    nested_html()
    leaflet_tables()
