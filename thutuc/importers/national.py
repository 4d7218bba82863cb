"""Read one record of the national procedure database into front matter + body.

The portal's JSON carries several HTML tables flattened into plain text, with
the cells glued together ("Trực tuyến1Miễn phíDịch vụ bưu chính1Miễn phí..."),
and page furniture after some values. Each parser below undoes one of them;
whatever cannot be placed in a key goes into the body under a heading, and
`Imported.notes` says so in plain words for the import report.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thutuc.content.text import nfc

EMPTY = "Không có thông tin"
METHOD_KEYS = {
    "Trực tiếp": "truc-tiep",
    "Trực tuyến": "truc-tuyen",
    "Dịch vụ bưu chính": "buu-chinh",
}

# Keys of a record that carry no information for a resident: internal ids,
# or the same in every record of a commune site.
IGNORED_KEYS = {"formality_id": "mã nội bộ của Cổng, không dùng cho người dân"}


class RecordError(ValueError):
    """A record that cannot become a procedure file; the message is for the editor."""


class DataFileError(ValueError):
    """A whole data file that cannot be read; the message is for the editor."""


def read_json_file(path: Path) -> Any:
    """The data of a JSON file, or DataFileError saying in plain words why not.

    Hostile shapes are refused with a message, never a traceback: nesting too
    deep for the parser (the portal's records are two levels deep) and numbers
    longer than Python converts (4,300 digits)."""
    try:
        return json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DataFileError("tệp không phải UTF-8.") from None
    except json.JSONDecodeError as exc:
        raise DataFileError(f"JSON hỏng ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}.") from None
    except RecursionError:
        raise DataFileError(
            "JSON lồng nhau quá sâu (hàng trăm lớp ngoặc [ hoặc { trong nhau), trong khi bản "
            "ghi của Cổng chỉ có hai lớp. Tệp bị hỏng hoặc không phải dữ liệu thủ tục: tải lại "
            "tệp từ Cổng dịch vụ công."
        ) from None
    except ValueError:  # int(): more digits than sys.get_int_max_str_digits()
        raise DataFileError(
            "JSON có một con số dài hàng nghìn chữ số, trong khi dữ liệu của Cổng không có số "
            "nào như vậy. Tệp bị hỏng hoặc không phải dữ liệu thủ tục: tải lại tệp từ Cổng "
            "dịch vụ công."
        ) from None


def refuse_non_text(record: dict[str, Any]) -> None:
    """RecordError naming the first key whose value is not text: a list, an object,
    a number (a code 1.001190 written as a number loses its last 0), true/false,
    or text with a broken character in it or in the key."""
    for key, value in record.items():
        _refuse_broken_characters(f"tên khóa '{_printable(key)}'", key)
        if isinstance(value, str):
            _refuse_broken_characters(f"giá trị của '{_printable(key)}'", value)
            continue
        if value is None:
            continue
        kind = (
            "một danh sách [...]" if isinstance(value, list)
            else "một đối tượng {...}" if isinstance(value, dict)
            else "true/false" if isinstance(value, bool)
            else "một con số"
        )  # fmt: skip
        raise RecordError(
            f"giá trị của '{key}' là {kind}, không phải chữ. Mỗi khóa của bản ghi phải là một "
            'chuỗi chữ trong ngoặc kép, ví dụ "ma_thu_tuc": "1.001193"'
        )


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_broken_characters(what: str, value: str) -> None:
    """RecordError for half a UTF-16 pair (JSON's "\\udc80" alone), which no
    text file can hold: written out it failed as a traceback, or as a YAML error
    in the procedure file the record would have become."""
    broken = _LONE_SURROGATE.search(value)
    if broken is None:
        return
    before = _printable(value[max(0, broken.start() - 30) : broken.start()])
    raise RecordError(
        f"{what} có một ký tự hỏng ({_printable(broken.group())}) "
        f"{f'sau “{before}”' if before else 'ở đầu'}: "
        "tệp JSON đã bị một công cụ làm hỏng chữ. Tải lại tệp từ Cổng dịch vụ công, "
        "hoặc xóa ký tự đó"
    )


def _printable(text: str) -> str:
    return _LONE_SURROGATE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


@dataclass
class Imported:
    """One procedure ready to write: its field title, front matter and Markdown body."""

    field_title: str
    meta: dict[str, Any]
    body: str
    notes: list[str] = field(default_factory=list)


def clean(value: Any) -> str:
    """NFC text with non-breaking spaces turned into spaces; the portal's
    "Không có thông tin" (no information) becomes empty."""
    text = nfc(str(value or "")).replace("\xa0", " ").replace("\u200e", "").strip()
    return "" if text.rstrip(".") in (EMPTY, "Không", "Không có") else text


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def is_block(text: str) -> bool:
    """True when text needs Markdown (bullets, paragraphs) rather than one line
    in front matter, which the page shows inline."""
    lines = [line for line in text.split("\n") if line.strip()]
    return len(lines) > 1 and any(re.match(r"\s*[-+*•]\s", line) for line in lines)


# --- Title --------------------------------------------------------------------


def procedure_title(raw: str) -> str:
    """Drop the leading "Thủ tục " the database adds to some names."""
    title = one_line(clean(raw))
    title = re.sub(r"^Thủ tục\s+", "", title)
    return title[:1].upper() + title[1:]


# --- Steps: "- " and "+ " bullets into Markdown lists ---------------------------


def steps_markdown(text: str) -> str:
    """Turn the database's "- " / "+ " lines into a Markdown list ("+" nested
    under the "-" item before it). A line without a bullet right after an item
    continues it (the scrape often cuts a sentence across lines), unless it
    opens a new step ("Bước 2:") or a note ("* Lưu ý:")."""
    out: list[str] = []
    depth = -1  # -1: not in a list; 0: after a "-" item; 1: after a "+" item
    for raw in text.split("\n"):
        line = raw.strip()
        bullet = re.match(r"([-+•])\s*(.+)", line)
        if not line:
            continue
        if bullet:
            depth = 1 if bullet.group(1) == "+" and depth >= 0 else 0
            out.append(
                ("" if depth or (out and out[-1].lstrip("\n").startswith(("-", " "))) else "\n")
                + "    " * depth
                + f"- {bullet.group(2)}"
            )
        elif depth >= 0 and not _STARTS_PARAGRAPH.match(line):
            out.append("    " * (depth + 1) + line)
        else:
            depth = -1
            out.append("\n" + _paragraph(line))
    return "\n".join(out).strip()


_STARTS_PARAGRAPH = re.compile(r"(Bước\s*\d|\*|Lưu ý)", re.IGNORECASE)


def _paragraph(line: str) -> str:
    """A short "* Lưu ý:" line becomes a bold lead-in rather than a stray list item."""
    star = re.match(r"\*\s*(.+)", line)
    if star and len(star.group(1)) < 80 and star.group(1).rstrip().endswith(":"):
        return f"**{star.group(1).strip()}**"
    return f"- {star.group(1).strip()}" if star else line


# --- Ways to submit: the flattened "Cách thức thực hiện" table -------------------

_METHOD_SPLIT = re.compile(r"(Trực tuyến|Dịch vụ bưu chính|Trực tiếp)(?=\d|Không có thông tin)")
_TIME = re.compile(r"(\d+(?:[.,]\d+)?)( (?:Ngày làm việc|Ngày|Giờ làm việc|Giờ|Tháng|Năm))?")
_FEE = re.compile(r"Miễn phí|[\d.,]+ (?:Việt Nam Đồng|VNĐ|Đồng|USD)")


@dataclass(frozen=True)
class MethodRow:
    key: str
    processing_time: str
    fee: str
    description: str
    unit_missing: bool = False


def method_rows(text: str) -> list[MethodRow]:
    body = clean(text).removeprefix("Hình thức nộpThời gianPhí, lệ phíMô tả")
    parts = _METHOD_SPLIT.split(body)
    return [_method_row(label, row) for label, row in zip(parts[1::2], parts[2::2], strict=True)]


def _method_row(label: str, row: str) -> MethodRow:
    time, rest, unit_missing = _take_time(row)
    fee, rest = _take_fee(rest)
    return MethodRow(METHOD_KEYS[label], time, fee, rest.strip(), unit_missing)


def _take_time(row: str) -> tuple[str, str, bool]:
    if row.startswith(EMPTY):
        return "", row[len(EMPTY) :], False
    match = _TIME.match(row)
    if match is None:
        return "", row, False
    number, unit = match.group(1), (match.group(2) or "").strip().lower()
    # The portal sometimes shows a bare number; its unit column is days.
    return f"{number} {unit or 'ngày'}", row[match.end() :], not unit


def _take_fee(rest: str) -> tuple[str, str]:
    if rest.startswith(EMPTY):
        return "", rest[len(EMPTY) :]
    match = _FEE.match(rest)
    if match is None:
        return "", rest
    fee, rest = match.group(0), rest[match.end() :]
    note, rest = _take_parenthesis(rest)
    if note:
        # "(/trang)" is a unit; anything else is the wording of the rule, kept whole.
        fee = f"{fee}{note}" if note.startswith("/") else f"{fee} ({note})"
    return fee, rest


def _take_parenthesis(text: str) -> tuple[str, str]:
    """The balanced "( ... )" at the start of text, and what follows it."""
    if not text.startswith("("):
        return "", text
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return one_line(text[1:index]), text[index + 1 :]
    return "", text


# --- Legal basis: "Tên văn bản pháp lýMã văn bản<name><number><name><number>..." ---


def _letters(test: str) -> str:
    """A regex class body of the Latin letters (Vietnamese included) passing str.<test>."""
    chars = (chr(c) for r in ((0x41, 0x7B), (0xC0, 0x250), (0x1E00, 0x1F00)) for c in range(*r))
    return "".join(re.escape(c) for c in chars if getattr(c, test)())


_UP, _LOW = _letters("isupper"), _letters("islower")
_NUMBER = r"\d+(?:\.\d+)?/\d{4}/(?:UBTVQH\d{2}|QH\d{2}|[A-ZĐ]+(?:-TTg|-[A-ZĐ0-9]+)*)"
# A number ends a table row when the next row's name starts right after it
# (glued or after a space), when the next row starts with another number
# (never splitting the digits of "QH13" or "C06"), or at the end of the text.
_ROW_END = re.compile(
    rf"({_NUMBER})(?=\s*[{_UP}][{_LOW}]|(?<=QH\d\d)\d|(?<=[A-ZĐg])\d+(?:\.\d+)?/\d{{4}}/|\s*$)"
)
_TYPE_GLUED = re.compile(
    rf"(?<=[{_LOW}.])(?:Luật|Bộ luật|Nghị định|Nghị quyết|Thông tư(?: liên tịch)?|"
    r"Quyết định|Pháp lệnh|Văn bản hợp nhất)(?: số)?\s*$"
)


# A name ending in a year, glued to the number cell: "ngày 29/6/202443/2024/QH15",
# "Luật Cư trú 202068/2020/QH14". The year has four digits; the number starts after.
_DATE_GLUED = re.compile(r"(\b(?:\d{1,2}/\d{1,2}/)?(?:19|20)\d\d)(?=\d{1,4}(?:\.\d+)?/\d{4}/)")


def legal_basis(text: str) -> list[str]:
    """Items "<number>: <name>", or the name alone when it already holds the number."""
    body = _DATE_GLUED.sub(r"\1 ", clean(text).removeprefix("Tên văn bản pháp lýMã văn bản"))
    rows: list[tuple[str, str]] = []
    start = 0
    for match in _ROW_END.finditer(body):
        name = body[start : match.start()].strip()
        start = match.end()
        if not name and rows:
            # "Luật 60/2014/QH1360/2014/QH13": the number was part of the name.
            prev_name, prev_number = rows.pop()
            name = f"{prev_name} {prev_number}".strip()
        rows.append((_TYPE_GLUED.sub("", name).strip(), match.group(1)))
    items = [_legal_item(name, number) for name, number in rows]
    tail = body[start:].strip()
    return items + ([one_line(tail)] if tail else [])


def _legal_item(name: str, number: str) -> str:
    name = one_line(name)
    if not name or number in name:
        return name or number
    return f"{number}: {name}"


# --- Documents: the flattened "Thành phần hồ sơ" tables ----------------------------

_DOC_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
_BULLET = re.compile(r"^[-+•]\s*")
_COUNT = re.compile(r"(\d+ bản (?:chính|sao)(?:,\s*\d+ bản (?:chính|sao))*)")


@dataclass(frozen=True)
class DocumentRow:
    group: str  # "Giấy tờ phải nộp", "Giấy tờ phải xuất trình", or ""
    text: str
    count: str  # "1 bản chính", "" when the table gave none


def document_rows(text: str) -> list[DocumentRow]:
    """Rows of every documents table; the text before a table is its group title."""
    chunks = clean(text).split(_DOC_HEADER)
    rows: list[DocumentRow] = []
    group = _group_title(chunks[0])
    for chunk in chunks[1:]:
        parts = _COUNT.split(chunk)
        for name, count in zip(parts[0::2], parts[1::2], strict=False):
            if name.strip():
                rows.append(DocumentRow(group, one_line(name), count))
        group = _group_title(parts[-1]) if len(parts) % 2 else ""
        tail = parts[-1] if len(parts) % 2 else ""
        if tail.strip() and chunk is chunks[-1]:
            rows.append(DocumentRow(group, one_line(tail), ""))
    return rows


def _group_title(text: str) -> str:
    text = one_line(text).strip("-* :")
    return text if len(text) < 120 else ""


def documents(rows: list[DocumentRow]) -> tuple[list[str], list[DocumentRow]]:
    """Documents to bring (rows with a count other than 0) and remarks (rows with 0)."""
    bring: list[str] = []
    remarks: list[DocumentRow] = []
    for row in rows:
        if row.count.startswith("0 ") and "," not in row.count:
            remarks.append(row)
            continue
        name = _BULLET.sub("", row.text)
        shown = "Xuất trình: " + name if "xuất trình" in row.group.lower() else name
        bring.append(f"{shown} ({row.count})" if row.count else shown)
    return bring, remarks


# --- Result: "Giấy khai sinhMã: KQ.G15.000031Từ khóa...Mô tả...Chọn cơ quan..." -----


def result_parts(text: str) -> tuple[list[str], list[str], str]:
    """(results, keywords, description); the portal's form controls are dropped."""
    body = clean(text).split("Chọn cơ quan thực hiện")[0]
    results_text, _, rest = body.partition("Từ khóa")
    keywords_text, _, description = rest.partition("Mô tả")
    results = [one_line(r) for r in re.split(r"Mã: KQ\.[A-Z]\d+\.\d+", results_text)]
    keywords = [one_line(k) for k in re.split(r"[,;]", clean(keywords_text))]
    return [r for r in results if r], [k for k in keywords if k], clean(description)


# --- The whole record ---------------------------------------------------------------

# Keys read by `record_to_procedure`; anything else with content is reported.
KNOWN_KEYS = {
    "ma_thu_tuc", "ten_thu_tuc", "linh_vuc", "so_quyet_dinh", "doi_tuong_thuc_hien",
    "co_quan_thuc_hien", "co_quan_co_tham_quyen", "dia_chi_tiep_nhan", "yeu_cau_dieu_kien",
    "ket_qua_xu_ly", "can_cu_phap_ly", "cach_thuc_thuc_hien", "thanh_phan_ho_so",
    "trinh_tu_thuc_hien", "detail_url", "co_quan_phoi_hop", "co_quan_duoc_uy_quyen",
    "thu_tuc_lien_quan", "cap_thuc_hien", "loai_thu_tuc", *IGNORED_KEYS,
}  # fmt: skip


class _Draft:
    """Front matter and body sections being filled for one record."""

    def __init__(self) -> None:
        self.meta: dict[str, Any] = {}
        self.sections: list[tuple[str, str]] = []
        self.notes: list[str] = []

    def text_key(self, key: str, value: str, heading: str) -> None:
        """One-line text goes to front matter; bulleted text to a body section,
        since the page shows front matter values inline."""
        if not value:
            return
        if is_block(value):
            self.section(heading, steps_markdown(value))
            self.notes.append(
                f"'{heading}' có nhiều dòng: đưa vào phần nội dung thay cho khóa {key}"
            )
        else:
            self.meta[key] = one_line(value)

    def section(self, heading: str, markdown: str) -> None:
        if markdown.strip():
            self.sections.append((heading, markdown.strip()))

    def body(self) -> str:
        return "\n\n".join(f"## {heading}\n\n{text}" for heading, text in self.sections) + "\n"


def record_to_procedure(record: Any) -> Imported:
    """Map one national record; raises RecordError when it has no code, name or field."""
    if not isinstance(record, dict):
        raise RecordError("bản ghi không phải một đối tượng JSON {...}")
    refuse_non_text(record)
    required = {"ma_thu_tuc": "mã thủ tục", "ten_thu_tuc": "tên thủ tục", "linh_vuc": "lĩnh vực"}
    for key, label in required.items():
        if not clean(record.get(key)):
            raise RecordError(f"thiếu '{key}' ({label})")
    draft = _Draft()
    draft.meta["code"] = one_line(clean(record["ma_thu_tuc"]))
    draft.meta["title"] = procedure_title(record["ten_thu_tuc"])
    draft.section("Các bước thực hiện", steps_markdown(clean(record.get("trinh_tu_thuc_hien"))))
    for mapper in (_map_people, _map_methods, _map_documents, _map_result, _map_legal, _map_rest):
        mapper(record, draft)
    return Imported(one_line(clean(record["linh_vuc"])), draft.meta, draft.body(), draft.notes)


def _map_people(record: dict[str, Any], draft: _Draft) -> None:
    draft.text_key("applicants", clean(record.get("doi_tuong_thuc_hien")), "Đối tượng thực hiện")
    agency = clean(record.get("co_quan_thuc_hien"))
    authority = clean(record.get("co_quan_co_tham_quyen"))
    draft.text_key("agency", agency or authority, "Cơ quan thực hiện")
    if agency and authority and one_line(authority) != one_line(agency):
        draft.section("Cơ quan có thẩm quyền", steps_markdown(authority))
    draft.text_key("where", clean(record.get("dia_chi_tiep_nhan")), "Nơi tiếp nhận hồ sơ")
    draft.text_key("conditions", clean(record.get("yeu_cau_dieu_kien")), "Yêu cầu, điều kiện")
    draft.text_key("decision", clean(record.get("so_quyet_dinh")), "Quyết định công bố")


def _map_methods(record: dict[str, Any], draft: _Draft) -> None:
    raw = clean(record.get("cach_thuc_thuc_hien"))
    rows = method_rows(raw)
    if not rows:
        if raw:
            draft.section("Cách thức thực hiện", steps_markdown(raw))
            draft.notes.append(
                "không đọc được bảng cách thức thực hiện: đưa nguyên văn vào phần nội dung"
            )
        return
    times = {row.processing_time for row in rows}
    fees = {row.fee for row in rows}
    shared = len(times) == 1 and len(fees) == 1
    if shared:
        draft.meta.update(
            {
                k: v
                for k, v in (("processing_time", rows[0].processing_time), ("fee", rows[0].fee))
                if v
            }
        )
    draft.meta["methods"] = [_method_entry(row, shared) for row in _ordered(rows)]
    keys = [row.key for row in rows]
    url = clean(record.get("detail_url"))
    if url and "truc-tuyen" in keys:
        draft.meta["online_url"] = url
    if any(row.unit_missing for row in rows):
        draft.notes.append("thời gian giải quyết không ghi đơn vị: đã ghi là 'ngày', cần kiểm tra")
    _method_descriptions(rows, draft)


def _ordered(rows: list[MethodRow]) -> list[MethodRow]:
    """In person first: the way most residents come."""
    order = list(METHOD_KEYS.values())
    return sorted(rows, key=lambda row: order.index(row.key))


def _method_entry(row: MethodRow, shared: bool) -> str | dict[str, str]:
    if shared or not (row.processing_time or row.fee):
        return row.key
    entry = {"method": row.key}
    entry.update(
        {k: v for k, v in (("processing_time", row.processing_time), ("fee", row.fee)) if v}
    )
    return entry


def _method_descriptions(rows: list[MethodRow], draft: _Draft) -> None:
    texts = {row.description for row in rows if row.description}
    if len(texts) == 1:
        draft.section("Ghi chú về thời gian và cách nộp", steps_markdown(texts.pop()))
    elif texts:
        labels = {value: key for key, value in METHOD_KEYS.items()}
        parts = [
            f"**{labels[r.key]}:**\n\n{steps_markdown(r.description)}"
            for r in _ordered(rows)
            if r.description
        ]
        draft.section("Ghi chú về thời gian và cách nộp", "\n\n".join(parts))


def _map_documents(record: dict[str, Any], draft: _Draft) -> None:
    raw = clean(record.get("thanh_phan_ho_so"))
    rows = document_rows(raw)
    if not rows:
        if raw:
            draft.section("Thành phần hồ sơ", steps_markdown(raw))
            draft.notes.append(
                "không tách được danh sách giấy tờ: đưa nguyên văn vào phần nội dung"
            )
        return
    bring, remarks = documents(rows)
    if bring:
        draft.meta["documents"] = bring
    lines = ["- " + _BULLET.sub("", row.text) for row in remarks]
    draft.section("Lưu ý về hồ sơ", "\n".join(lines))


def _map_result(record: dict[str, Any], draft: _Draft) -> None:
    results, keywords, description = result_parts(record.get("ket_qua_xu_ly", ""))
    if results:
        draft.meta["result"] = "; ".join(results)
    if keywords:
        draft.meta["keywords"] = keywords
    draft.section("Mô tả kết quả", steps_markdown(description))


def _map_legal(record: dict[str, Any], draft: _Draft) -> None:
    items = legal_basis(record.get("can_cu_phap_ly", ""))
    if items:
        draft.meta["legal_basis"] = items


def _map_rest(record: dict[str, Any], draft: _Draft) -> None:
    """Keys with no front matter key go into the body, so nothing published is lost."""
    sections = {
        "co_quan_phoi_hop": "Cơ quan phối hợp",
        "co_quan_duoc_uy_quyen": "Cơ quan được ủy quyền",
        "thu_tuc_lien_quan": "Thủ tục liên quan",
    }
    for key, heading in sections.items():
        draft.section(heading, steps_markdown(clean(record.get(key))))
    other = [
        ("Cấp thực hiện", clean(record.get("cap_thuc_hien"))),
        ("Loại thủ tục", clean(record.get("loai_thu_tuc"))),
    ]
    if not draft.meta.get("online_url") and clean(record.get("detail_url")):
        other.append(("Trang trên Cổng Dịch vụ công quốc gia", clean(record["detail_url"])))
    for key in sorted(set(record) - KNOWN_KEYS):
        if clean(record[key]):
            other.append((key, one_line(clean(record[key]))))
            draft.notes.append(f"khóa lạ '{key}': đưa vào mục 'Thông tin khác'")
    draft.section(
        "Thông tin khác", "\n".join(f"- {label}: {value}" for label, value in other if value)
    )
    for key, why in IGNORED_KEYS.items():
        if clean(record.get(key)):
            draft.notes.append(f"bỏ qua '{key}' ({why})")
