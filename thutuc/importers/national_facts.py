"""The facts of a national record, read once, for `compare`.

A record of the national procedure database is scraped HTML flattened into
text (national.py undoes most of it for the importer). Here each record
becomes a `NationalRecord`: its ways to submit with their times and fees, the
papers an applicant brings (by name, one per case), its conditions as items,
the time limits a resident must keep, its results, the numbers of its legal
texts, and the day it was published or the latest day it must be after.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from thutuc.content.files import not_a_file
from thutuc.importers.facts import (
    Deadline,
    canon,
    content_words,
    dates_in,
    head,
    legal_numbers,
    legal_year,
    parse_date,
    resident_deadlines,
    strip_bullet,
    unglue,
)
from thutuc.importers.national import (
    DataFileError,
    MethodRow,
    RecordError,
    clean,
    document_rows,
    legal_basis,
    method_rows,
    one_line,
    procedure_title,
    read_json_file,
    refuse_non_text,
    result_parts,
)

# Keys a record may carry with the day it was published (the export in
# ../shared/data has none: then the newest date its legal texts give is used).
DATE_KEYS = ("ngay_cong_bo", "ngay_ban_hanh", "ngay_cap_nhat")


@dataclass(frozen=True)
class Named:
    """An item of the record: `name` is what is looked for on the page (the head
    of the item), `text` what the report quotes."""

    name: str
    text: str


@dataclass(frozen=True)
class NationalRecord:
    """The facts of one national record, parsed once."""

    code: str
    file: str
    title: str
    decision: str
    methods: dict[str, list[MethodRow]]
    documents: list[Named]  # what the applicant brings
    documents_text: str  # everything the record says about papers, for the other direction
    conditions: list[Named]
    results: list[str]
    legal: dict[str, str]  # normalised number → as written
    deadlines: list[Deadline]
    published: date | None  # on or after this day
    published_why: str = ""


def record_facts(record: dict[str, Any], file: str) -> NationalRecord:
    methods: dict[str, list[MethodRow]] = {}
    for row in method_rows(record.get("cach_thuc_thuc_hien", "")):
        methods.setdefault(row.key, []).append(row)
    rows = document_rows(record.get("thanh_phan_ho_so", ""))
    bring = [row.text for row in rows if not (row.count.startswith("0 ") and "," not in row.count)]
    steps = clean(record.get("trinh_tu_thuc_hien"))
    conditions = _no_information(clean(record.get("yeu_cau_dieu_kien")))
    descriptions = "\n".join(r.description for rs in methods.values() for r in rs)
    results, _, _ = result_parts(record.get("ket_qua_xu_ly", ""))
    legal_items = legal_basis(record.get("can_cu_phap_ly", ""))
    published, why = _published(record, "\n".join(legal_items))
    return NationalRecord(
        code=one_line(clean(record.get("ma_thu_tuc"))),
        file=file,
        title=procedure_title(record.get("ten_thu_tuc", "")),
        decision=one_line(clean(record.get("so_quyet_dinh"))),
        methods=methods,
        documents=list(dict.fromkeys(n for text in bring for n in _document_names(unglue(text)))),
        documents_text=unglue("\n".join([*(row.text for row in rows), steps, conditions])),
        conditions=_condition_items(unglue(conditions)),
        results=results,
        legal=_national_legal(legal_items),
        deadlines=resident_deadlines("\n".join([steps, conditions, descriptions])),
        published=published,
        published_why=why,
    )


_NO_INFORMATION = {canon("không quy định"), canon("không yêu cầu")}


def _no_information(text: str) -> str:
    return "" if canon(text) in _NO_INFORMATION else text


def _national_legal(items: list[str]) -> dict[str, str]:
    """Numbers of the record's legal texts: "04/2020/TT-BTP: Hướng dẫn ..." items
    start with theirs; other items hold it in their name ("Luật 60/2014/QH13").
    The portal glues cells together ("ngày 29/6/202443/2024/QH15"): a leading
    number longer than four digits is such glue, and the name's number of the
    same year is taken instead."""
    found: dict[str, str] = {}
    for item in items:
        number, _, name = item.partition(": ") if ": " in item else ("", "", item)
        lead = list(legal_numbers(number).items())
        if lead and len(lead[0][0].split("/")[0]) > 4:
            year = lead[0][0].split("/")[1]
            lead = [(k, w) for k, w in legal_numbers(name).items() if k.split("/")[1] == year]
        for key, written in (lead or list(legal_numbers(name).items()))[:1]:
            found.setdefault(key, written)
    return found


def _published(record: dict[str, Any], legal_text: str) -> tuple[date | None, str]:
    """The day the record was published, or the latest day it must be after:
    a record citing a decree of 11/6/2025 was published after that day."""
    for key in DATE_KEYS:
        day = parse_date(clean(record.get(key)))
        if day is not None:
            return day, f"bản ghi ghi {key}: {day:%d/%m/%Y}"
    text = legal_text + " " + clean(record.get("so_quyet_dinh"))
    bounds = [(day, f"bản ghi dẫn văn bản ngày {day:%d/%m/%Y}") for day in dates_in(text)]
    bounds += [
        (date(legal_year(key), 1, 1), f"bản ghi dẫn văn bản {written} (năm {legal_year(key)})")
        for key, written in legal_numbers(text).items()
    ]
    if not bounds:
        return None, ""
    return max(bounds, key=lambda bound: bound[0])


# "Trường hợp trẻ em bị bỏ rơi thì phải có biên bản ..." names the paper after "thì".
_CASE = re.compile(
    r"^(?:trường hợp|nếu)\b.*?\b(?:thì|phải có|phải nộp|xuất trình|nộp)\s+"
    r"(?:phải có\s+|phải nộp(?: lại)?\s+|nộp(?: lại)?\s+|xuất trình\s+)?(.+)",
    re.IGNORECASE | re.DOTALL,
)
# The portal's interactive e-form is what an online applicant fills in instead
# of the paper declaration; a page names the declaration, not the e-form.
_E_FORM = re.compile(r"^mẫu\b.*điện tử tương tác", re.IGNORECASE)


_FORM_FILE = re.compile(r"[^\s;]+(?: \(\d+\))?\.(?:docx?|pdf|xlsx?|odt)\b", re.IGNORECASE)


_DOCUMENT_START = (
    "giấy", "biên bản", "quyết định", "văn bản", "đơn", "tờ khai", "bản", "sổ", "thẻ",
    "hộ chiếu", "ảnh", "trích lục", "danh sách", "báo cáo", "hợp đồng", "dự thảo",
    "căn cước", "trường hợp", "nếu", "mẫu",
)  # fmt: skip


def _document_names(text: str) -> list[Named]:
    """One row may list several papers for several cases, joined by ";"; a part
    that does not start like a paper or a case continues the one before. The
    portal glues the form's file name on ("Đơn xin nhận con nuôi;1.nxin...doc")."""
    parts: list[str] = []
    for part in (strip_bullet(p) for p in _FORM_FILE.sub("", text).split(";")):
        if not part:
            continue
        if parts and not part.lower().startswith(_DOCUMENT_START):
            parts[-1] += "; " + part
        else:
            parts.append(part)
    names = []
    for part in parts:
        case = _CASE.match(part)
        name = head(case.group(1) if case else part)
        if name and not _E_FORM.match(part) and (case or content_words(name)):
            names.append(Named(name, part))
    return names


def _condition_items(text: str) -> list[Named]:
    """The national conditions as items; lead-in lines ("... sau:") dropped."""
    items = []
    for line in text.split("\n"):
        line = strip_bullet(line).lstrip(")").strip()
        if len(content_words(line)) >= 2 and not line.endswith(":"):
            items.append(Named(head(line), line))
    return items


def read_national(paths: Iterable[Path]) -> tuple[dict[str, NationalRecord], list[str]]:
    """Records by code from files or folders of JSON; messages for what cannot be read."""
    records: dict[str, NationalRecord] = {}
    messages: list[str] = []
    for path in paths:
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        if path.is_dir() and not files:
            messages.append(f"{path}: thư mục không có tệp .json nào.")
        for file in files:
            for record in _records_of(file, messages):
                facts = record_facts(record, str(file))
                if facts.code in records:
                    messages.append(
                        f"{file}: mã {facts.code} đã có trong {records[facts.code].file}; "
                        "dùng bản ghi đầu tiên."
                    )
                    continue
                records[facts.code] = facts
    return records, messages


def _records_of(file: Path, messages: list[str]) -> Iterator[dict[str, Any]]:
    if reason := not_a_file(file):
        messages.append(f"{file}: {reason}.")
        return
    try:
        data = read_json_file(file)
    except DataFileError as exc:
        messages.append(f"{file}: {exc}")
        return
    for number, record in enumerate(data if isinstance(data, list) else [data], start=1):
        try:
            if not isinstance(record, dict):
                raise RecordError("không phải một đối tượng JSON {...}")
            refuse_non_text(record)
        except RecordError as exc:
            messages.append(f"{file}: bản ghi {number} bỏ qua: {exc}.")
            continue
        if clean(record.get("ma_thu_tuc")):
            yield record
        else:
            messages.append(f"{file}: bản ghi {number} bỏ qua: không có ma_thu_tuc.")
