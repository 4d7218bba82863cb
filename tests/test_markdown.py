"""Markdown: rendered as the git host's preview shows it, safely, in linear time."""

from __future__ import annotations

import json
import random
import re
import resource
import time
from pathlib import Path

import pytest

from thutuc.content.markdown import commonmark_html, inline_html, parse, plain_text, sanitise

FIXTURES = Path(__file__).parent / "fixtures" / "markdown"
NATIONAL = Path(__file__).resolve().parents[2] / "shared/data/national-procedures"


def squash(markup: str) -> str:
    return re.sub(r"\s*(<[^>]*>)\s*", r"\1", markup).strip()


def test_a_list_nested_by_two_spaces_stays_nested():
    """The way most people type it, and the way GitHub's preview shows it."""
    html = squash(parse((FIXTURES / "nested-2-spaces.md").read_text()).html)
    assert "<li>Trẻ em:<ul><li>mồ côi cả cha và mẹ;</li><li>bị bỏ rơi.</li></ul></li>" in html
    html = squash(parse((FIXTURES / "nested-4-spaces.md").read_text()).html)
    assert "<li>Nộp hồ sơ:<ul><li>tờ khai;</li>" in html


def test_a_list_right_after_a_paragraph_is_a_list():
    html = squash(parse((FIXTURES / "list-after-paragraph.md").read_text()).html)
    assert html == "<p>Người đi đăng ký mang theo:</p><ul><li>căn cước;</li><li>tờ khai.</li></ul>"


def test_a_task_list_is_a_list_without_its_boxes():
    """GitHub's editor offers `- [ ]`; its preview shows a box. Here the item stays an
    item (page and leaflet), neither a box nobody can tick nor the literal "[ ]"."""
    html = squash(parse((FIXTURES / "task-list.md").read_text()).html)
    assert html == (
        "<p>Giấy tờ mang theo:</p><ul><li>Tờ khai đăng ký khai sinh;</li>"
        "<li>Giấy chứng sinh;<ul><li>bản sao, nếu không có bản chính.</li></ul></li></ul>"
    )
    assert plain_text("- [ ] Tờ khai\n- [x] CCCD") == "Tờ khai CCCD"


def test_every_fixture_reads_as_cmark_gfm_renders_it():
    """Our sanitising and heading ids change no word and no structure."""
    for fixture in sorted(FIXTURES.glob("*.md")):
        text = fixture.read_text(encoding="utf-8")
        ours = re.sub(r' id="[^"]*"', "", parse(text).html)
        theirs = commonmark_html(text).replace("<h1>", "<h2>").replace("</h1>", "</h2>")
        theirs = sanitise(theirs)
        assert squash(ours) == squash(theirs), fixture.name


def test_angle_brackets_and_marks_are_kept_as_text():
    html = parse("Trẻ em < 6 tuổi và người > 60 tuổi được miễn; phí 2\\*3.").html
    assert "Trẻ em &lt; 6 tuổi và người &gt; 60 tuổi được miễn; phí 2*3." in html


def test_headings_start_at_h2_with_ids_that_keep_d():
    html = parse("# Các bước\n\n## Điều kiện\n\n### Điều kiện\n").html
    assert '<h2 id="cac-buoc">Các bước</h2>' in html
    assert '<h2 id="dieu-kien">Điều kiện</h2>' in html
    assert '<h3 id="dieu-kien-2">Điều kiện</h3>' in html


def test_tables_quotes_and_breaks():
    html = squash(parse((FIXTURES / "table.md").read_text()).html)
    assert html.startswith("<table><thead><tr><th>Cách nộp</th>") and 'align="center"' in html
    assert "<blockquote>" in parse((FIXTURES / "blockquote.md").read_text()).html
    assert "<br>" in parse((FIXTURES / "hard-breaks.md").read_text()).html
    assert "Tờ khai<br>theo mẫu" in parse((FIXTURES / "html-inline.md").read_text()).html


def test_a_body_nested_too_deep_has_no_html_and_says_where():
    document = parse("Mở đầu.\n\n" + "> " * 11 + "quá sâu\n")
    assert document.too_deep and document.html == "" and document.nesting_line == 3
    assert not parse("> " * 10 + "vừa đủ\n").too_deep


def test_script_never_reaches_the_page():
    html = parse(
        '<script>alert(1)</script>\n\n[x](javascript:alert(2)) <b onclick="y()">b</b>'
    ).html
    assert "script" not in html and "alert" not in html and "onclick" not in html


def test_plain_text_unescapes_once():
    assert plain_text("Phí **2.000** đồng & <b>hơn</b>") == "Phí 2.000 đồng & hơn"


def _front_matter_strings() -> list[str]:
    """Every short text of the national records: what fees, times and documents look like."""
    strings: list[str] = []
    for path in sorted(NATIONAL.glob("*.json"))[:120]:
        record = json.loads(path.read_text(encoding="utf-8"))
        stack = [record]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, str) and 0 < len(item) < 300:
                strings.extend(line for line in item.splitlines() if line.strip())
    return strings


TRICKY = [
    "1. Nộp hồ sơ", "1) Nộp", "2024 là năm", "- gạch", "+ cộng", "# thăng", "> trích",
    "Miễn phí", "Trong ngày; nộp sau 15:00 thì trả ngày hôm sau", 'Tờ "khai"', "A & B",
    "a<b", "x_y_z", "**đậm**", "www.x.vn", "https://x.vn", "a@b.vn", "mailto:a", "~~x~~",
    "(xem mẫu)", "“trích dẫn”", "'nháy'", "100% miễn", "2\\*3", "  dư   dấu cách  ",
    "Tab\tgiữa", "=== ", "---", "***", "1.000 đồng/bản", "Không\u00a0tách", "Đ.1.2: mục",
    "a  ", "ngày 01/07/2025.", "Điều 5, khoản 2)", "x:y://z", "!important", "[ ]", "e\u0301",
]  # fmt: skip


def test_the_shortcut_for_plain_text_renders_as_the_parser_does():
    """inline_html skips the parser for text without Markdown; it must not change a byte."""
    rng = random.Random(7)
    alphabet = "aăâđêôơư1 .,;:()/-+#>*_`[]<>&!~|@\\\"'%\n"
    generated = [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(3000)
    ]
    for text in TRICKY + _front_matter_strings() + generated:
        slow = sanitise(commonmark_html(text.strip())).strip() if text.strip() else ""
        if slow.startswith("<p>") and slow.endswith("</p>") and slow.count("<p>") == 1:
            slow = slow[3:-4]
        inline_html.cache_clear()
        assert inline_html(text) == slow, repr(text)


def test_parsing_frees_what_cmark_allocates():
    """cmarkgfm's wrappers leak the tree and the string (120 KB a body); ours must not."""
    body = (FIXTURES / "table.md").read_text() * 40  # about 7 KB
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for n in range(3000):
        commonmark_html(body + str(n))
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 40_000, f"{grown_kb} KB more after 3,000 bodies"


PATHOLOGICAL = {
    "brackets": lambda n: "[" * n,
    "links": lambda n: "[a](" * n,
    "stars": lambda n: "*a" * n,
    "underscores": lambda n: "_a " * n,
    "backticks": lambda n: "`a``" * n,
    "angle brackets": lambda n: "<a " * n,
    "quotes nested to the limit": lambda n: ("> " * 10 + "x\n\n") * (n // 20),
    "lists nested to the limit": lambda n: "".join(
        "  " * (i % 10) + "- x\n" for i in range(n // 8)
    ),
    "quotes nested too deep": lambda n: "> " * n + "x",
    "table columns": lambda n: "|a" * (n // 2) + "\n" + "|-" * (n // 2) + "\n" + "|x" * (n // 2),
    "emphasis runs": lambda n: "**" * n + "a" + "*" * n,
}


@pytest.mark.parametrize("shape", sorted(PATHOLOGICAL))
def test_rendering_time_grows_linearly(shape):
    """Four times the input takes about four times as long (quadratic would be 16)."""
    make = PATHOLOGICAL[shape]

    def seconds(n: int) -> float:
        text = make(n)
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            parse.__wrapped__(text)
            best = min(best, time.process_time() - start)
        return max(best, 2e-3)  # below 2 ms the clock's noise is the measure

    small, large = seconds(10_000), seconds(40_000)
    assert large / small < 9, f"{shape}: {small:.4f} s → {large:.4f} s"


def test_check_names_the_line_of_a_body_nested_too_deep(make_site):
    from thutuc.engine.pipeline import BuildOptions, check

    deep = '---\ncode: "1.000894"\ntitle: Kết hôn\n---\nMở đầu.\n\n' + "> " * 12 + "x\n"
    _, problems = check(BuildOptions(make_site({"procedures/ho-tich/sau.md": deep})))
    report = problems.report()
    assert "procedures/ho-tich/sau.md:7: lỗi: Danh sách hoặc trích dẫn lồng nhau quá sâu" in report


def test_heading_ids_are_unique_even_when_a_title_looks_like_a_number():
    html = parse("## Mục\n\n## Mục\n\n## Mục 2\n").html
    ids = re.findall(r'id="([^"]+)"', html)
    assert ids == ["muc", "muc-2", "muc-2-2"] and len(set(ids)) == len(ids)


PART_CASES = [
    "Chỉ có chữ, **đậm**, *nghiêng*, `mã`, 1. số; không có liên kết.",
    "Xem tại www.dichvucong.gov.vn hoặc WWW.EXAMPLE.VN.",
    "Trang https://dichvucong.gov.vn/p/home.html và ftp://tep.example.vn/a.",
    "Gửi thư tới motcua@hoabinh.example.vn.",
    "Một <b>thẻ</b> và <!-- ghi chú -->.\n\n<div>khối</div>\n",
    '[Mẫu tờ khai](mau/to-khai.pdf) và ![Sơ đồ](so-do.png "sơ đồ").',
    "[Một tham chiếu][1]\n\n[1]: https://example.vn/",
    "<https://example.vn/trong-ngoac>",
]


@pytest.mark.parametrize(
    "text",
    PART_CASES + [p.read_text("utf-8") for p in sorted(FIXTURES.glob("*.md"))],
)
def test_a_body_skipped_by_the_parts_shortcut_has_no_parts(text: str) -> None:
    """parse() walks the tree for raw HTML, links and images only when the text can
    hold one; the walk itself must find the same parts either way."""
    from thutuc.content import markdown

    parse.cache_clear()
    with markdown._parsed(text, markdown._OPTIONS | markdown._SOURCEPOS) as (_, root):
        walked = markdown._walk_parts(root)
    assert parse(text).parts == walked
    if not markdown._may_have_parts(text):
        assert walked == ()


def test_random_text_without_the_marks_has_no_parts():
    """Random text from an alphabet rich in Markdown's punctuation: whenever the
    shortcut says no part can be there, the walk finds none."""
    from thutuc.content import markdown

    rng = random.Random(11)
    alphabet = "aăđw.:/ -*_`!()<>[]@\n#>&|~"
    tried = 0
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        if markdown._may_have_parts(text):
            continue
        tried += 1
        with markdown._parsed(text, markdown._OPTIONS) as (_, root):
            assert markdown._walk_parts(root) == (), repr(text)
    assert tried > 300
