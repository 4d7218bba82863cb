"""Poster build speed: a synthetic commune of 100 procedures, cold and unchanged;
fitting a field board of 30 fields to one sheet; a leaflet of a 2 MB body.

Run: python bench/bench_posters.py [--procedures 100] [--jobs N]
Prints posters per second for a cold build (every poster drawn) and for a
rebuild with nothing changed (every poster reused from the manifest), the
seconds to fit the three boards of a 30-field commune (the binary search over
distances), and the seconds to lay out the leaflet of a 2 MB body (bounded:
the walk stops once two pages are full), each the best of 3.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from thutuc.content.load import load_site
from thutuc.content.text import slugify
from thutuc.content.validate import validate_site
from thutuc.engine.pipeline import BuildOptions, build
from thutuc.print.posters import poster_specs
from thutuc.problems import Problems

FIELDS = ["ho-tich", "chung-thuc", "dat-dai", "bao-tro-xa-hoi", "van-hoa"]
THIRTY_FIELDS = [
    "Hộ tịch", "Chứng thực", "Hòa giải ở cơ sở", "Nuôi con nuôi", "Đất đai", "Thủy lợi",
    "Lâm nghiệp", "Thủy sản", "Giảm nghèo", "Môi trường", "Chăn nuôi", "Trồng trọt", "Thú y",
    "Phòng, chống thiên tai", "Bảo trợ xã hội", "Người có công", "Văn hóa", "Thể thao",
    "Tín ngưỡng, tôn giáo", "Thi đua, khen thưởng", "Cư trú", "Căn cước", "Xây dựng",
    "Hộ kinh doanh", "Hợp tác xã", "Giáo dục", "Y tế", "Lao động, việc làm",
    "Thông tin, truyền thông", "Du lịch",
]  # fmt: skip
TITLES = ["Hộ tịch", "Chứng thực", "Đất đai", "Bảo trợ xã hội", "Văn hóa"]


def procedure(number: int) -> str:
    return f"""---
code: "1.{number:06d}"
title: "Thủ tục thử số {number}: đăng ký, xác nhận và cấp giấy tờ cho người dân trong xã"
documents:
  - Tờ khai theo mẫu
  - Giấy tờ tùy thân
  - Giấy tờ chứng minh nơi cư trú
processing_time: 3 ngày làm việc
fee: Miễn phí
methods: [truc-tiep, truc-tuyen, buu-chinh]
---
## Các bước

1. Chuẩn bị hồ sơ.
2. Nộp hồ sơ tại Bộ phận Một cửa hoặc trực tuyến.
3. Nhận kết quả.
"""


def write_synthetic_site(root: Path, count: int) -> None:
    (root / "site.yml").write_text(
        "name: Xã Thử Nghiệm\nbase_url: https://thunghiem.example.vn/\n"
        "address: Số 1 đường Trung tâm\nhotline: 0209 3000 000\n",
        encoding="utf-8",
    )
    for slug, title in zip(FIELDS, TITLES, strict=True):
        folder = root / "procedures" / slug
        folder.mkdir(parents=True)
        (folder / "_index.md").write_text(f"---\ntitle: {title}\n---\n", encoding="utf-8")
    for number in range(count):
        folder = root / "procedures" / FIELDS[number % len(FIELDS)]
        (folder / f"thu-tuc-{number}.md").write_text(procedure(number + 1000), encoding="utf-8")


def best_of_3(action) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def board_fit_seconds(root: Path) -> float:
    """Seconds to fit the A4, A3 and print-shop boards of a commune with 30 fields."""
    from thutuc.print.board import _tile as board_tile
    from thutuc.print.layout import text_height
    from thutuc.print.posters import declared_specs, fitted

    (root / "site.yml").write_text(
        "name: Xã Thử Nghiệm\nbase_url: https://thunghiem.example.vn/\nhotline: 0209 3000 000\n",
        encoding="utf-8",
    )
    for n, title in enumerate(THIRTY_FIELDS):
        folder = root / "procedures" / slugify(title)
        folder.mkdir(parents=True)
        (folder / "_index.md").write_text(f"---\ntitle: {title}\n---\n", encoding="utf-8")
        (folder / "a.md").write_text(procedure(2000 + n), encoding="utf-8")
    problems = Problems()
    site = validate_site(load_site(root, problems), problems)
    assert site is not None, problems.report()
    boards = [s for s in declared_specs(site) if s.kind == "board"]

    def fit() -> None:
        for cached in (board_tile, text_height):
            cached.cache_clear()  # each run measures the whole search
        for board in boards:
            fitted(board)

    return best_of_3(fit)


def long_leaflet_seconds(root: Path) -> tuple[float, int]:
    """Seconds to lay out (and render) the leaflet of a procedure with a 2 MB body."""
    from thutuc.content.markdown import parse
    from thutuc.print.posters import leaflet_spec, render_poster

    paragraph = "Đoạn văn bản dài để thử giới hạn của tờ rơi, có **chữ đậm** và _nghiêng_. "
    body = "\n\n".join(f"{n}. {paragraph * 3}" for n in range(1, 9000))
    write_synthetic_site(root, 1)
    path = next((root / "procedures").rglob("thu-tuc-0.md"))
    path.write_text(procedure(1000) + body, encoding="utf-8")
    problems = Problems()
    site = validate_site(load_site(root, problems), problems)
    assert site is not None, problems.report()
    chosen = site.active_procedures[0]
    pages = 0

    def declare_and_draw() -> None:
        nonlocal pages
        parse.cache_clear()  # the page parses the body once too; counted here
        spec = leaflet_spec(site, chosen, "M")
        pages = render_poster(spec, root / "leaflet.pdf", root / "leaflet.png")

    return best_of_3(declare_and_draw), pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--procedures", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_synthetic_site(root, args.procedures)
        problems = Problems()
        site = validate_site(load_site(root, problems), problems)
        assert site is not None, problems.report()
        count = len(poster_specs(site))
        options = BuildOptions(root, jobs=args.jobs, record_published=False)
        start = time.perf_counter()
        build(options)  # pages too: the engine builds both (posters are most of it)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        build(options)
        warm = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        fit = board_fit_seconds(Path(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        leaflet, pages = long_leaflet_seconds(Path(tmp))
    cores = args.jobs or os.cpu_count()
    print(f"{args.procedures} procedures, {count} posters, {cores} worker(s)")
    print(f"cold build:        {cold:6.2f} s  {count / cold:7.1f} posters/s")
    print(f"unchanged rebuild: {warm:6.2f} s  {count / warm:7.1f} posters/s (all reused)")
    print(f"30-field boards fitted to one sheet (A4, A3, print shop): {fit:.2f} s")
    print(f"leaflet of a 2 MB body (parse, declare, draw): {leaflet:.2f} s, {pages} pages")


if __name__ == "__main__":
    main()
