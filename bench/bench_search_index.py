"""Size of the search index (search.json) for a commune with 300 procedures.

Run: python bench/bench_search_index.py [--count 300] [--titles-from DIR]
Generates COUNT synthetic procedures (seeded, so every run is the same: titles
of realistic length, median about 80 characters like the national database,
four keywords each, 20 fields), builds them with the real pipeline into a
temporary folder and prints the index size raw and gzipped (-9, as a static
host sends it), the target (20 KB gzipped for 300), and the largest page.
Synthetic titles repeat a small vocabulary and compress well; --titles-from
takes the titles from national-database JSON files (ten_thu_tuc) instead, a
harder case closer to a real province's list.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from thutuc.engine.pipeline import BuildOptions, build
from thutuc.site.render import gzipped_size

TARGET_GZIPPED = 20 * 1024
FIELDS = [
    "Hộ tịch",
    "Chứng thực",
    "Nuôi con nuôi",
    "Hòa giải ở cơ sở",
    "Đất đai",
    "Thủy lợi",
    "Lâm nghiệp",
    "Thủy sản",
    "Giảm nghèo",
    "Môi trường",
    "Chăn nuôi",
    "Trồng trọt",
    "Thú y",
    "Phòng chống thiên tai",
    "Bảo trợ xã hội",
    "Người có công",
    "Văn hóa",
    "Thể thao",
    "Tín ngưỡng, tôn giáo",
    "Thi đua, khen thưởng",
]
VERBS = [
    "Đăng ký",
    "Cấp",
    "Cấp lại",
    "Xác nhận",
    "Thay đổi, cải chính",
    "Hỗ trợ",
    "Công nhận",
    "Giải quyết",
    "Thẩm định",
    "Chứng thực",
    "Đăng ký lại",
    "Điều chỉnh",
    "Thu hồi",
    "Gia hạn",
]
OBJECTS = [
    "giấy khai sinh",
    "hồ sơ hộ nghèo, hộ cận nghèo",
    "trợ cấp xã hội hằng tháng",
    "giấy phép khai thác",
    "kế hoạch bảo vệ môi trường",
    "hợp đồng giao dịch",
    "chi phí mai táng",
    "phương án sản xuất",
    "tình trạng hôn nhân",
    "quyền sử dụng đất",
    "hoạt động tín ngưỡng",
    "danh hiệu gia đình văn hóa",
    "thiệt hại do dịch bệnh",
    "cây trồng vật nuôi",
    "công trình thủy lợi nhỏ",
    "chế độ người có công",
]
QUALIFIERS = [
    "cho người dân trên địa bàn xã",
    "đối với hộ gia đình, cá nhân",
    "có yếu tố nước ngoài",
    "trong trường hợp bị mất hoặc hư hỏng",
    "theo đề nghị của thôn",
    "do Chủ tịch Ủy ban nhân dân cấp xã quyết định",
    "khi có thay đổi thông tin",
    "",
]
KEYWORDS = [
    "làm giấy tờ cho con",
    "xin giấy xác nhận",
    "tiền hỗ trợ",
    "sổ đỏ",
    "giấy độc thân",
    "công chứng giấy tờ",
    "hộ nghèo",
    "mất giấy tờ",
    "đăng ký online",
    "lăn tay",
    "bồi thường thiệt hại",
    "xin phép làm lễ",
    "người già neo đơn",
    "trẻ mồ côi",
    "chuyển nhượng đất",
    "bão lũ",
    "dịch tả lợn",
    "thương binh liệt sĩ",
]


def synthetic_title(rng: random.Random) -> str:
    parts = (rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(QUALIFIERS))
    return " ".join(part for part in parts if part)


def national_titles(folder: Path) -> list[str]:
    files = sorted(folder.glob("*.json"))
    titles = (json.loads(f.read_text(encoding="utf-8"))["ten_thu_tuc"] for f in files)
    return [" ".join(t.split()) for t in titles]


def procedure_file(number: int, title: str, rng: random.Random) -> str:
    keywords = "".join(f"  - {k}\n" for k in rng.sample(KEYWORDS, 4))
    quoted = json.dumps(title, ensure_ascii=False)  # a JSON string is a YAML string
    return (
        f'---\ncode: "1.{number:06d}"\ntitle: {quoted}\n'
        "summary: Thủ tục mẫu để đo kích thước chỉ mục tìm kiếm.\n"
        "documents:\n  - Tờ khai\nprocessing_time: 5 ngày làm việc\nfee: Miễn phí\n"
        f"keywords:\n{keywords}---\nNộp hồ sơ tại xã.\n"
    )


def write_project(root: Path, count: int, titles: list[str]) -> None:
    rng = random.Random(300)
    (root / "site.yml").write_text(
        "name: Xã Đo Thử\nbase_url: https://do.example.vn/\nhotline: 0209 3 000 000\n",
        encoding="utf-8",
    )
    for i, field in enumerate(FIELDS):
        folder = root / "procedures" / f"linh-vuc-{i:02d}"
        folder.mkdir(parents=True)
        (folder / "_index.md").write_text(f"---\ntitle: {field}\n---\n", encoding="utf-8")
    for number in range(count):
        folder = root / "procedures" / f"linh-vuc-{number % len(FIELDS):02d}"
        title = titles[number % len(titles)] if titles else synthetic_title(rng)
        text = procedure_file(number + 1, title, rng)
        (folder / f"thu-tuc-{number:03d}.md").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--titles-from", type=Path, help="folder of national-database JSON")
    args = parser.parse_args()
    titles = national_titles(args.titles_from) if args.titles_from else []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_project(root, args.count, titles)
        build(BuildOptions(root, posters=False))
        out = root / "output"
        index = (out / "search.json").read_bytes()
        pages = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.html")}
    largest = max(pages, key=lambda name: gzipped_size(pages[name]))
    size = gzipped_size(index)
    verdict = "OK" if args.count != 300 or size <= TARGET_GZIPPED else "OVER TARGET"
    print(f"procedures: {args.count}")
    print(f"search.json: {len(index)} bytes, {size} bytes gzipped ({size / 1024:.1f} KB)")
    print(f"target for 300: {TARGET_GZIPPED} bytes gzipped: {verdict}")
    print(f"largest page: {largest}, {gzipped_size(pages[largest])} bytes gzipped")


if __name__ == "__main__":
    main()
