"""Poster build speed: a synthetic commune of 100 procedures, cold and unchanged.

Run: python bench/bench_posters.py [--procedures 100] [--jobs N]
Prints posters per second for a cold build (every poster drawn) and for a
rebuild with nothing changed (every poster reused from the manifest).
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
from thutuc.content.validate import validate_site
from thutuc.print.posters import poster_specs, write_posters
from thutuc.print.qr import write_qr_codes
from thutuc.problems import Problems

FIELDS = ["ho-tich", "chung-thuc", "dat-dai", "bao-tro-xa-hoi", "van-hoa"]
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
        write_qr_codes(site, root / "cold")
        start = time.perf_counter()
        write_posters(site, root / "cold", jobs=args.jobs)
        cold = time.perf_counter() - start
        write_qr_codes(site, root / "warm")
        start = time.perf_counter()
        write_posters(site, root / "warm", previous_qr_dir=root / "cold", jobs=args.jobs)
        warm = time.perf_counter() - start
    cores = args.jobs or os.cpu_count()
    print(f"{args.procedures} procedures, {count} posters, {cores} worker(s)")
    print(f"cold build:        {cold:6.2f} s  {count / cold:7.1f} posters/s")
    print(f"unchanged rebuild: {warm:6.2f} s  {count / warm:7.1f} posters/s (all reused)")


if __name__ == "__main__":
    main()
