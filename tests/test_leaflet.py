"""Leaflets: the procedure page on paper, from the page's own HTML, read back with
poppler (pdftotext) and pdfium (text sizes) and looked at as pixels."""

from __future__ import annotations

from pathlib import Path

import pytest
from poster_helpers import (
    SMALL_SITE,
    load,
    pdf_text,
    render_pages,
    require_tool,
    text_sizes,
    word_boxes,
    write_site,
)
from reportlab.platypus import Table

from thutuc.content.markdown import parse
from thutuc.print.leaflet import MORE, flowables_of
from thutuc.print.offline import inline_text
from thutuc.print.posters import POSTER_DIR, poster_specs, render_poster

FEE = "Miễn phí cho trẻ em < 6 tuổi và người > 60 tuổi; 5.000 đồng * 2 bản; mã_số_01"
TIME = "Trong ngày (nộp trước 15 giờ); chậm nhất 3 ngày > nếu cần xác minh"
BODY = """\
## Các bước thực hiện

## Các bước

1. Chuẩn bị **giấy tờ** theo danh sách.
   - Bản chính để đối chiếu
     - Nếu mất bản chính: *giấy xác nhận* của công an
2. Nộp hồ sơ tại [Bộ phận Một cửa](https://example.vn/mot-cua) hoặc <https://dichvucong.gov.vn/>.
3. Nhận kết quả, mã `1.001193`.

##

## Phí tính thế nào?

| Bản chính có | Phí mỗi bản sao |
|---|---:|
| 1 trang | 2.000 đồng |
| trẻ em < 6 tuổi | miễn |

> Lưu ý: mang theo bản chính.
> Hỏi trước khi đi.

Giá trị a_b_c và 5 * 3 không phải chữ nghiêng.
"""
FRONT = f"""\
---
code: "1.001193"
title: Đăng ký khai sinh
summary: Làm Giấy khai sinh cho trẻ mới sinh.
documents:
  - Tờ khai *theo mẫu*
  - "Giấy chứng sinh (bản chính) < 60 ngày"
processing_time: "{TIME}"
fee: "{FEE}"
methods:
  - method: truc-tiep
    processing_time: Trong ngày
  - method: truc-tuyen
    fee: Giảm 50% lệ phí
agency: Ủy ban nhân dân xã Hòa Bình
result: Giấy khai sinh bản chính
applicants: Cha, mẹ, ông, bà của trẻ
conditions: Trẻ chưa được đăng ký khai sinh ở nơi khác
forms:
  - title: Tờ khai đăng ký khai sinh
    file: to-khai.pdf
legal_basis:
  - Luật Hộ tịch số 60/2014/QH13
updated: 2026-01-15
---
"""


def leaflet_site(root: Path, body: str = BODY, title: str = "Đăng ký khai sinh") -> Path:
    files = dict(SMALL_SITE)
    files["procedures/ho-tich/khai-sinh.md"] = (
        FRONT.replace("title: Đăng ký khai sinh", f"title: {title}") + body
    )
    write_site(root, files)
    (root / "procedures/ho-tich/to-khai.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    return root


def leaflet(root: Path, code: str = "1.001193") -> tuple[Path, int]:
    site = load(root)
    spec = next(s for s in poster_specs(site) if s.name == f"to-roi-{code}")
    out = root / "qr" / POSTER_DIR
    out.mkdir(parents=True, exist_ok=True)
    pdf = out / f"{spec.name}.pdf"
    pages = render_poster(spec, pdf, out / f"{spec.name}.png")
    return pdf, pages


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> tuple[Path, int, str]:
    require_tool("pdftotext")
    pdf, pages = leaflet(leaflet_site(tmp_path_factory.mktemp("leaflet")))
    return pdf, pages, pdf_text(pdf)


def test_every_fee_and_time_is_printed_word_for_word(made):
    _, _, text = made
    assert FEE in text and TIME in text  # <, >, * and _ as typed
    assert "Tờ khai theo mẫu" in text and "Giấy chứng sinh (bản chính) < 60 ngày" in text
    assert "Giá trị a_b_c và 5 * 3 không phải chữ nghiêng." in text
    assert "Trực tiếp: Trong ngày" in text and "Trực tuyến; lệ phí: Giảm 50% lệ phí" in text


def test_no_markdown_marker_is_printed(made):
    _, _, text = made
    for marker in ("**", "##", "](", "<https", "|---", "---|", "`", "> Lưu ý"):
        assert marker not in text, marker
    assert "mã 1.001193" in text


def test_the_leaflet_says_what_the_page_says_in_the_page_s_order(made):
    _, pages, text = made
    assert pages <= 2
    order = [
        "Đăng ký khai sinh", "Làm Giấy khai sinh", "Giấy tờ cần mang", "Thời gian giải quyết",
        "Lệ phí", "Nơi nộp", "Cách nộp hồ sơ", "Các bước", "Phí tính thế nào?",
        "Mẫu đơn, tờ khai", "Thông tin thêm", "Căn cứ pháp lý", "kiểm tra ngày 15/01/2026",
    ]  # fmt: skip
    positions = [text.index(words) for words in order]
    assert positions == sorted(positions)


def test_the_fields_nghi_dinh_63_asks_for_are_there(made):
    """Art. 8: name, steps, ways to submit, documents, time, who may apply, agency,
    result, fee, forms, conditions (and the legal basis)."""
    _, _, text = made
    for words in (
        "Đăng ký khai sinh", "Các bước", "Cách nộp hồ sơ", "Giấy tờ cần mang",
        "Thời gian giải quyết", "Ai được làm", "Cha, mẹ, ông, bà của trẻ",
        "Cơ quan thực hiện", "Ủy ban nhân dân xã Hòa Bình", "Kết quả nhận được",
        "Giấy khai sinh bản chính", "Lệ phí", "Mẫu đơn, tờ khai", "Tờ khai đăng ký khai sinh",
        "Điều kiện", "Trẻ chưa được đăng ký khai sinh ở nơi khác", "Luật Hộ tịch số 60/2014/QH13",
    ):  # fmt: skip
        assert words in text, words
    assert "hoabinh.example.vn/1.001193/to-khai.pdf" in text.replace(" ", "")


def test_no_empty_or_doubled_heading(made):
    _, _, text = made
    assert "Các bước thực hiện" not in text  # straight before "Các bước": dropped
    assert text.count("Các bước") == 1
    document = parse(BODY).html
    flowables, _ = flowables_of(document, 500, 10**6, "https://hoabinh.example.vn/1.001193/")
    headings = [f.heading[1] for f in flowables if getattr(f, "heading", None)]
    assert headings == ["cac buoc", "phi tinh the nao?"]


def test_links_print_their_address_once(made):
    _, _, text = made
    assert "Bộ phận Một cửa (example.vn/mot-cua)" in text
    assert text.count("dichvucong.gov.vn/") == 1  # an autolink is its own address


def _word(pdf: Path, word: str) -> tuple[int, tuple[float, ...]]:
    page, _, box = next(w for w in word_boxes(pdf) if w[1] == word)
    return page, box


def test_nested_lists_are_indented(made):
    pdf, _, _ = made
    levels = [_word(pdf, w)[1][0] for w in ("Chuẩn", "Bản", "Nếu")]
    assert levels[0] + 10 < levels[1] and levels[1] + 10 < levels[2]


def test_tables_stay_tables(made):
    pdf, _, _ = made
    page, one = _word(pdf, "trang")
    same_page, price = next(
        (p, b)
        for p, w, b in word_boxes(pdf)
        if w == "2.000" and b[1] == pytest.approx(one[1], abs=2)
    )
    assert same_page == page and price[0] > one[2] + 40  # the next cell of the same row
    _, header = _word(pdf, "Phí")
    assert header[1] < one[1]


def test_quotes_are_boxed(made):
    """A line (the box) runs down the left of the quote, a few millimetres from its text."""
    pdf, _, _ = made
    page, box = _word(pdf, "Lưu")
    dpi = 100
    image = render_pages(pdf, dpi)[page - 1]
    scale = dpi / 72
    x_text, y_middle = box[0] * scale, (box[1] + box[3]) / 2 * scale
    darkest = min(
        image.getpixel((x, round(y_middle))) for x in range(round(x_text - 25), round(x_text - 3))
    )
    assert darkest < 120


def test_text_is_12_pt_or_more(made):
    pdf, _, _ = made
    sizes = text_sizes(pdf)
    assert sizes and min(size for _, size in sizes) >= 11.99


def test_a_long_body_ends_with_where_to_read_the_rest_and_stays_bounded(tmp_path):
    """2 MB of body: the walk stops once two pages are full, the leaflet is two
    pages, and its last line says where the rest is."""
    paragraph = "Đoạn văn bản dài để thử giới hạn của tờ rơi, có **chữ đậm** và _nghiêng_. "
    body = "## Các bước\n\n" + "\n\n".join(
        f"{n}. {paragraph * 3}" if n % 3 else f"> {paragraph}" for n in range(1, 9000)
    )
    assert len(body.encode()) > 2_000_000
    document = parse(body).html
    flowables, stopped = flowables_of(document, 500, 2.6 * 800, "https://x.example/1/")
    assert stopped and len(flowables) < 300  # bounded: a few pages' worth, not 9,000 items
    pdf, pages = leaflet(leaflet_site(tmp_path, body))
    assert pages == 2
    text = pdf_text(pdf)
    assert f"{MORE}: hoabinh.example.vn/1.001193/" in text
    assert text.rindex(MORE) > text.rindex("Đoạn văn bản")  # the last thing on the page


def table_md(columns: int, rows: int) -> str:
    """A body table whose every cell says where it is: "ô <row>.<column>"."""
    rule = "".join("-:|" if c % 2 else "-|" for c in range(columns))  # odd columns on the right
    head = "|" + "".join(f"Cột {c}|" for c in range(columns)) + "\n|" + rule + "\n"
    return head + "".join(
        "|" + "".join(f"ô {r}.{c}|" for c in range(columns)) + "\n" for r in range(rows)
    )


def tables_in(flowables) -> list[Table]:
    return [f for f in flowables if isinstance(f, Table)]


@pytest.mark.parametrize("columns", [11, 12, 45, 55, 100, 1000])
def test_a_table_of_any_width_lays_out_and_keeps_its_words(tmp_path, columns):
    """Up to 11 columns (17 mm each on A4) a table keeps its grid; a wider one is
    printed row by row, each cell as "header: value" on its line, in order."""
    require_tool("pdftotext")
    body = "## Bảng phí\n\n" + table_md(columns, 3)
    pdf, pages = leaflet(leaflet_site(tmp_path, body))
    assert pages <= 2
    text = " ".join(pdf_text(pdf).split())
    flowables, _ = flowables_of(parse(body).html, 194 * 72 / 25.4, 2000, "https://x.vn/")
    if columns <= 11:
        assert len(tables_in(flowables)) == 1
        assert all(f"ô 0.{c}" in text for c in range(columns))
        return
    assert not tables_in(flowables)
    shown = [c for c in range(columns) if f"Cột {c}: ô 0.{c} " in text + " "]
    assert shown == list(range(len(shown))) and len(shown) >= min(columns, 40), shown
    lefts = {round(box[0]) for _, word, box in word_boxes(pdf) if word == "Cột"}
    assert len(lefts) == 1, lefts  # every line on the left, whatever the column's alignment
    if len(shown) < columns:  # cut at the end of page two, saying where the rest is
        assert f"{MORE}: hoabinh.example.vn/1.001193/" in text


def test_a_table_of_many_rows_is_cut_before_layout(tmp_path):
    """50,000 rows: at most what fits two pages is handed to reportlab, and the
    leaflet says where to read the rest."""
    require_tool("pdftotext")
    body = "## Bảng phí\n\n" + table_md(2, 50_000)
    flowables, stopped = flowables_of(parse(body).html, 500, 2.6 * 800, "https://x.vn/")
    (table,) = tables_in(flowables)
    assert stopped and len(table._cellvalues) < 200
    pdf, pages = leaflet(leaflet_site(tmp_path, body))
    text = pdf_text(pdf)
    assert pages == 2 and "ô 0.0" in text and f"{MORE}: hoabinh.example.vn/1.001193/" in text


def test_a_1000_character_title_lays_out(tmp_path):
    title = ("Thủ tục có tên rất dài để thử việc xuống dòng " * 25)[:1000]
    pdf, pages = leaflet(leaflet_site(tmp_path, title=title))
    assert pages <= 2
    assert title[:80] in pdf_text(pdf)


def test_the_sample_leaflets_print_every_fee_and_time_verbatim(tmp_path):
    """The sample site's own content, which editors wrote as they would."""
    require_tool("pdftotext")
    site = load(Path(__file__).resolve().parent.parent)
    for spec in poster_specs(site):
        if spec.kind != "leaflet":
            continue
        procedure = site.procedures_by_code[spec.name.removeprefix("to-roi-")]
        pdf = tmp_path / f"{spec.name}.pdf"
        assert render_poster(spec, pdf, tmp_path / f"{spec.name}.png") <= 2
        text = pdf_text(pdf)
        front = procedure.front
        for value in (front.fee, front.processing_time, *front.documents):
            if value:
                assert " ".join(inline_text(value).split()) in text, (spec.name, value)
