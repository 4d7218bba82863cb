"""`compare`: the national procedure database as referee of the site's pages.

For every page whose code has a national record, each fact a resident acts on
is read out of both sides as a value (facts.py) and compared: the title, the
ways to submit, each way's processing time and fee, the documents, the
conditions, the time limits a resident must keep, the result, the legal basis
and the decision. What differs is a `Difference` of one of four kinds:

- KHAC ("khác"): a fact differs (60 days against 45, 400.000 đồng against 40.000);
- THIEU ("thiếu"): the record has it, the page does not (a document, a deadline);
- XEM ("xem lại"): for the editor, not a resident fact (legal basis, decision,
  wording of the title or result);
- CHU ("cách viết"): the same facts in other words; counted, listed with --verbose.

The first two are resident-facing: `--strict` fails on them. An editor marks a
topic as written differently on purpose with `local: [fee]` in the front matter;
such differences are kept, shown as intended, and never fail. A page checked
(`updated`) before its national record was published is stale: its `local:`
marks no longer apply, because the editor checked against an older record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from thutuc.content.model import METHOD_LABELS, Procedure, Site
from thutuc.content.schema import LOCAL_TOPICS
from thutuc.content.text import nfc
from thutuc.importers.facts import (
    Deadline,
    Money,
    Terms,
    canon,
    content_words,
    coverage,
    dates_in,
    durations,
    head,
    legal_numbers,
    legal_year,
    mentioned,
    mentions,
    money,
    parse_date,
    resident_deadlines,
    strip_bullet,
    text_terms,
    unglue,
    word_share,
)
from thutuc.importers.national import (
    MethodRow,
    clean,
    document_rows,
    legal_basis,
    method_rows,
    one_line,
    procedure_title,
    result_parts,
)

KHAC, THIEU, XEM, CHU = "khác", "thiếu", "xem lại", "cách viết"
RESIDENT_FACING = (KHAC, THIEU)
# Keys a record may carry with the day it was published (the export in
# ../shared/data has none: then the newest date its legal texts give is used).
DATE_KEYS = ("ngay_cong_bo", "ngay_ban_hanh", "ngay_cap_nhat")
# Share of an item's word pairs that must be found for it to count as mentioned.
MENTIONED = 0.5


# --- The national side -----------------------------------------------------------------


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
    if not file.is_file():
        messages.append(f"{file}: không tìm thấy tệp hoặc thư mục này.")
        return
    try:
        data = json.loads(file.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        messages.append(f"{file}: tệp không phải UTF-8.")
        return
    except json.JSONDecodeError as exc:
        messages.append(f"{file}: JSON hỏng ở dòng {exc.lineno}, cột {exc.colno}.")
        return
    for record in data if isinstance(data, list) else [data]:
        if isinstance(record, dict) and clean(record.get("ma_thu_tuc")):
            yield record
        else:
            messages.append(f"{file}: có bản ghi không có ma_thu_tuc, bỏ qua.")


# --- Differences -------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    topic: str  # a key of LOCAL_TOPICS
    kind: str  # KHAC, THIEU, XEM, CHU
    message: str  # one line of plain Vietnamese
    items: tuple[str, ...] = ()  # what is missing, one per line
    national: str = ""
    local: str = ""
    intended: bool = False

    @property
    def resident_facing(self) -> bool:
        return self.kind in RESIDENT_FACING


def quote(text: str, most: int = 110) -> str:
    text = " ".join(text.split())
    return f"«{text[:most].rstrip()}{'…' if len(text) > most else ''}»"


def _methods_label(keys: Iterable[str]) -> str:
    keys = list(keys)
    if set(keys) >= set(METHOD_LABELS) or not keys:
        return "mọi cách nộp"
    return ", ".join(METHOD_LABELS[k].lower() for k in keys)


def compare_title(procedure: Procedure, record: NationalRecord) -> list[Difference]:
    local, national = procedure.title, record.title
    if canon(local) == canon(national):
        return []
    shared = coverage(local, text_terms(national))
    if shared >= 0.75:
        kind, why = CHU, "trang viết tên gọn hơn hoặc khác vài chữ"
    elif shared >= 0.34:
        kind, why = XEM, "tên trên trang khác tên trên Cổng"
    else:
        kind, why = KHAC, "tên khác hẳn, có thể ghi nhầm mã thủ tục"
    message = f"{why}: Cổng ghi {quote(national)}."
    return [Difference("title", kind, message, national=national, local=local)]


def compare_methods(procedure: Procedure, record: NationalRecord) -> list[Difference]:
    national = [k for k in METHOD_LABELS if k in record.methods]
    local = [m.key for m in procedure.front.methods]
    if not national:
        return []
    shown_n, shown_l = _methods_label(national), _methods_label(local)
    if not local:
        named = ", ".join(METHOD_LABELS[k].lower() for k in national)
        return [Difference("methods", THIEU, f"trang không ghi cách nộp; Cổng ghi: {named}.")]
    found = []
    if missing := [k for k in national if k not in local]:
        message = f"Cổng cho nộp {_methods_label(missing)} mà trang không ghi."
        found.append(Difference("methods", THIEU, message, national=shown_n, local=shown_l))
    if extra := [k for k in local if k not in national]:
        message = f"trang ghi nộp {_methods_label(extra)} mà Cổng không có cách này."
        found.append(Difference("methods", KHAC, message, national=shown_n, local=shown_l))
    return found


def _local_text(procedure: Procedure, method: str, key: str) -> str:
    """The page's time or fee for one way to submit: its own, else the shared one."""
    for m in procedure.front.methods:
        if m.key == method and getattr(m, key):
            return str(getattr(m, key))
    return str(getattr(procedure.front, key))


def _per_method(found: dict[tuple[str, str, str, str], list[str]], topic: str) -> list[Difference]:
    """One line for the ways to submit that differ the same way."""
    return [
        Difference(
            topic,
            kind,
            f"({_methods_label(k for k in METHOD_LABELS if k in keys)}) {message}",
            national=national,
            local=local,
        )
        for (kind, message, national, local), keys in found.items()
    ]


def compare_times(procedure: Procedure, record: NationalRecord) -> list[Difference]:
    found: dict[tuple[str, str, str, str], list[str]] = {}
    for key, rows in record.methods.items():
        wanted = [d for row in rows for d in durations(row.processing_time)[:1]]
        if not wanted:
            continue
        national = " hoặc ".join(d.shown() for d in wanted)
        local = _local_text(procedure, key, "processing_time")
        local_durations = durations(local)
        if not local:
            kind, message = THIEU, f"trang không ghi thời gian; Cổng ghi {national}."
        elif any(w in local_durations for w in wanted):
            continue
        elif any(mentions(local_durations, w) for w in wanted):
            kind = CHU
            message = f"Cổng ghi {national}; trang ghi {quote(local)} (ngày / ngày làm việc)."
        else:
            kind, message = KHAC, f"Cổng ghi {national}; trang ghi {quote(local)}."
        found.setdefault((kind, message, national, local), []).append(key)
    return _per_method(found, "processing_time")


def compare_fees(procedure: Procedure, record: NationalRecord) -> list[Difference]:
    found: dict[tuple[str, str, str, str], list[str]] = {}
    page = money(_page_text(procedure))
    for key, rows in record.methods.items():
        # A row in another currency is for offices abroad; a commune page need not match it.
        usable = [r for r in rows if r.fee and "USD" not in r.fee] or [r for r in rows if r.fee]
        if not usable:
            continue
        local = _local_text(procedure, key, "fee")
        outcomes = [_fee_outcome(r, local, page) for r in usable]
        if any(outcome is None for outcome in outcomes):
            continue  # the page says what one of the rows says
        kind, message = next(o for o in outcomes if o is not None)
        found.setdefault((kind, message, usable[0].fee, local), []).append(key)
    return _per_method(found, "fee")


def _fee_outcome(row: MethodRow, local_text: str, page: Money) -> tuple[str, str] | None:
    """None when the page says what the record's row says about money; else
    (kind, message). The record's amounts and exemptions may be in the row's
    description, and the page's in its body: an amount or an exemption the
    record has must be somewhere on the page, and an amount the page's fee
    line asks for must be somewhere in the record."""
    national, local = money(f"{row.fee} {row.description}"), money(local_text)
    said = f"Cổng ghi {quote(row.fee, 80)}; trang ghi {quote(local_text, 80)}."
    if not local_text:
        return THIEU, f"trang không ghi lệ phí; {said}"
    if not national.amounts and not national.free:
        return None  # nothing to compare ("theo quy định của HĐND tỉnh")
    if lost := national.amounts - page.amounts:
        return KHAC, f"trang thiếu số tiền {_amounts(lost)}: {said}"
    if extra := local.amounts - national.amounts:
        return KHAC, f"trang ghi số tiền Cổng không có ({_amounts(extra)}): {said}"
    if national.free and not page.free:
        if national.amounts:
            return THIEU, f"Cổng ghi có trường hợp được miễn mà trang không nhắc: {said}"
        return KHAC, f"Cổng ghi miễn phí mà trang không ghi là miễn: {said}"
    if local.free and not national.free:
        return XEM, f"trang ghi có trường hợp được miễn mà Cổng không ghi: {said}"
    return None  # same amounts, same exemptions: the wording is the page's own


def _amounts(amounts: frozenset[tuple[int, str]]) -> str:
    return Money(amounts, False).shown()


def _page_text(procedure: Procedure, with_result: bool = True) -> str:
    front = procedure.front
    texts = [
        front.title, front.summary, front.conditions, front.applicants, front.processing_time,
        front.fee, front.where, *front.documents, procedure.body,
        *(f"{m.processing_time} {m.fee}" for m in front.methods),
    ]  # fmt: skip
    return "\n".join(texts + ([front.result] if with_result else []))


def compare_documents(procedure: Procedure, record: NationalRecord) -> list[Difference]:
    if not record.documents:
        return []
    local = procedure.front.documents
    if not local and "giấy tờ" not in procedure.body.lower():
        message = f"trang không ghi giấy tờ nào; Cổng ghi {len(record.documents)} loại:"
        return [Difference("documents", THIEU, message, tuple(d.text for d in record.documents))]
    page = text_terms(_page_text(procedure))
    found = []
    if missing := [d for d in record.documents if not _mentioned(d.name, page)]:
        message = f"Cổng ghi {len(missing)} giấy tờ mà trang không nhắc:"
        found.append(Difference("documents", THIEU, message, tuple(d.text for d in missing)))
    national = text_terms(record.documents_text)
    if extra := [item for item in local if not _known(item, national)]:
        message = f"trang ghi {len(extra)} giấy tờ mà Cổng không nhắc (có thể không cần mang):"
        found.append(Difference("documents", XEM, message, tuple(extra)))
    return found


def _mentioned(name: str, page: Terms) -> bool:
    """A name is mentioned when one of its alternatives ("Hộ chiếu/Thẻ căn cước")
    is (facts.mentioned)."""
    alternatives = [a for a in name.replace(" hoặc ", "/").split("/") if a.strip()]
    return any(mentioned(a, page, MENTIONED) for a in alternatives or [name])


def _known(item: str, national: Terms) -> bool:
    """The page's paper is one the record speaks of. Only a hint to the editor
    (XEM), so looser than the other way round: most of its words will do."""
    return mentioned(head(item), national, MENTIONED) or word_share(item, national) >= 0.6


def compare_conditions(procedure: Procedure, record: NationalRecord) -> list[Difference]:
    if not record.conditions:
        return []
    front = procedure.front
    if not (front.conditions or front.applicants or "điều kiện" in procedure.body.lower()):
        message = "trang không ghi điều kiện; Cổng ghi:"
        return [Difference("conditions", THIEU, message, tuple(c.text for c in record.conditions))]
    text = _page_text(procedure)
    page, numbers = text_terms(text), durations(text)
    found = []
    for item in record.conditions:
        if lost := [d for d in durations(item.text) if not mentions(numbers, d)]:
            figures = ", ".join(d.shown() for d in lost)
            message = f"Cổng ghi điều kiện có {figures} mà trang không nhắc:"
            found.append(Difference("conditions", THIEU, message, (item.text,)))
    if lost_items := [c.text for c in record.conditions if not _condition_mentioned(c, page)]:
        message = f"Cổng ghi {len(lost_items)} điều kiện mà trang không nhắc:"
        found.append(Difference("conditions", THIEU, message, tuple(lost_items)))
    return found


def _condition_mentioned(item: Named, page: Terms) -> bool:
    """A condition of the record is on the page when its head is, or when most
    of its words are: the page says it in its own, shorter words."""
    return _mentioned(item.name, page) or word_share(item.text, page) >= MENTIONED


def compare_deadlines(procedure: Procedure, record: NationalRecord) -> list[Difference]:
    numbers = durations(_page_text(procedure, with_result=False))
    return [
        Difference(
            "deadlines",
            THIEU,
            f"Cổng ghi thời hạn {d.duration.shown()} người dân phải giữ mà trang không nhắc:",
            (d.sentence,),
        )
        for d in record.deadlines
        if not mentions(numbers, d.duration)
    ]


def compare_result(procedure: Procedure, record: NationalRecord) -> list[Difference]:
    if not record.results:
        return []
    local, national = procedure.front.result, "; ".join(record.results)
    if not local:
        message = f"trang không ghi kết quả; Cổng ghi {quote(national)}."
        return [Difference("result", THIEU, message, national=national)]
    found = text_terms(local)
    if all(mentioned(head(r), found, 0.6) for r in record.results):
        return []
    message = f"Cổng ghi kết quả {quote(national)}; trang ghi {quote(local)}."
    return [Difference("result", XEM, message, national=national, local=local)]


def _page_legal(items: tuple[str, ...]) -> dict[str, str]:
    """The texts a page cites. An editor's item may cite several ("23/2015/NĐ-CP,
    sửa đổi bởi 07/2025/NĐ-CP"); an imported item, "NUMBER: name", cites its
    number, and its name may mention the text it amends."""
    found: dict[str, str] = {}
    for item in items:
        number, colon, _ = item.partition(": ")
        cited = legal_numbers(number) if colon and legal_numbers(number) else {}
        for key, written in (cited or legal_numbers(item)).items():
            found.setdefault(key, written)
    return found


def compare_legal(procedure: Procedure, record: NationalRecord) -> list[Difference]:
    local = _page_legal(procedure.front.legal_basis)
    found = []
    if missing := sorted(
        (written for key, written in record.legal.items() if key not in local),
        key=lambda w: -legal_year(next(iter(legal_numbers(w)), "0/0/X")),
    ):
        message = f"Cổng dẫn {len(missing)} văn bản trang không có (mới nhất trước): "
        found.append(
            Difference(
                "legal_basis",
                XEM,
                message + ", ".join(missing) + ".",
                national=", ".join(record.legal.values()),
                local=", ".join(local.values()),
            )
        )
    if extra := [written for key, written in local.items() if key not in record.legal]:
        message = f"trang dẫn {len(extra)} văn bản Cổng không dẫn: {', '.join(extra)}."
        found.append(Difference("legal_basis", XEM, message, local=", ".join(local.values())))
    return found


def compare_decision(procedure: Procedure, record: NationalRecord) -> list[Difference]:
    national, local = record.decision, procedure.front.decision
    if not national or _decision_key(national) == _decision_key(local):
        return []
    if not local:
        message = f"trang chưa ghi decision; Cổng ghi {national}."
    else:
        message = f"Cổng ghi {national}; trang ghi {local}."
    return [Difference("decision", XEM, message, national=national, local=local)]


def _decision_key(text: str) -> str:
    return "".join(nfc(text).upper().replace("SỐ", "").split()).lstrip("0")


COMPARISONS = (
    compare_title,
    compare_methods,
    compare_times,
    compare_fees,
    compare_documents,
    compare_conditions,
    compare_deadlines,
    compare_result,
    compare_legal,
    compare_decision,
)


# --- One page against its record, and the whole site ------------------------------------


@dataclass
class PageComparison:
    code: str
    title: str
    file: str
    national_file: str
    national_code: str
    marks: tuple[str, ...] = ()  # the page's `local:`
    differences: list[Difference] = field(default_factory=list)
    checked_on: date | None = None
    stale: str = ""  # why the record is newer than the page's check, or ""

    def of_kind(self, *kinds: str) -> list[Difference]:
        return [d for d in self.differences if d.kind in kinds and not d.intended]

    @property
    def resident_facing(self) -> list[Difference]:
        return self.of_kind(*RESIDENT_FACING)

    @property
    def intended(self) -> list[Difference]:
        return [d for d in self.differences if d.intended]


def compare_page(
    procedure: Procedure, record: NationalRecord, checked: date | None
) -> PageComparison:
    page = PageComparison(
        procedure.code,
        procedure.title,
        procedure.source,
        record.file,
        record.code,
        marks=procedure.front.local,
        checked_on=checked,
    )
    if record.published and checked is not None and checked < record.published:
        page.stale = f"trang kiểm tra ngày {checked:%d/%m/%Y}, mà {record.published_why}"
    # Marks were made against the record the editor checked; a newer one voids them.
    marked = set() if page.stale else set(procedure.front.local)
    for comparison in COMPARISONS:
        for difference in comparison(procedure, record):
            if difference.topic in marked:
                difference = replace(difference, intended=True)
            page.differences.append(difference)
    return page


@dataclass
class CompareReport:
    pages: list[PageComparison] = field(default_factory=list)
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (code, file)
    records: int = 0
    messages: list[str] = field(default_factory=list)  # inputs that could not be read

    def failed(self, strict: bool) -> bool:
        return strict and any(p.resident_facing for p in self.pages)


def national_record_for(code: str, records: dict[str, NationalRecord]) -> NationalRecord | None:
    """The record of a code, or of the national code a province's variant
    (2.000884.000.00.00.H55) is built on."""
    return records.get(code) or records.get(code[:8])


def compare_site(site: Site, records: dict[str, NationalRecord]) -> CompareReport:
    """Every active procedure of the site against its record; retired ones are
    notices that send residents elsewhere, with no facts left to compare."""
    report = CompareReport(records=len(records))
    for procedure in sorted(site.active_procedures, key=lambda p: p.source):
        record = national_record_for(procedure.code, records)
        if record is None:
            report.unknown.append((procedure.code, procedure.source))
        else:
            report.pages.append(compare_page(procedure, record, site.checked_on(procedure)))
    return report


# --- Showing it ----------------------------------------------------------------------------


def format_text(report: CompareReport, verbose: bool = False) -> str:
    lines = [
        f"So sánh {len(report.pages) + len(report.unknown)} thủ tục với {report.records} bản "
        "ghi của dữ liệu quốc gia.",
        *(f"  Không đọc được: {m}" for m in report.messages),
    ]
    for page in report.pages:
        lines += _page_lines(page, verbose)
    if report.unknown:
        lines += ["", f"Mã không có trong dữ liệu quốc gia đã đưa vào ({len(report.unknown)}):"]
        lines += [f"  - {code}: {file}" for code, file in report.unknown]
        lines.append(
            "  → Kiểm tra mã trên Cổng Dịch vụ công quốc gia. Mã đúng thì tệp dữ liệu chưa có "
            "thủ tục này: lấy bản ghi của nó rồi so sánh lại."
        )
    lines += ["", summary_text(report)]
    return "\n".join(lines)


def _page_lines(page: PageComparison, verbose: bool) -> list[str]:
    shown = page.of_kind(KHAC, THIEU, XEM)
    quiet = page.of_kind(CHU) + page.intended
    if not (shown or page.stale or page.checked_on is None or (verbose and quiet)):
        return []
    variant = f", so với mã {page.national_code}" if page.national_code != page.code else ""
    lines = ["", f"{page.file} ({page.code} {page.title}{variant})"]
    if page.checked_on is None:
        lines.append(
            "  ! Trang chưa có ngày kiểm tra (updated:), nên không biết có cũ hơn bản ghi không. "
            "Đối chiếu xong thì ghi updated: là ngày đối chiếu."
        )
    if page.stale:
        voided = " Khóa local: tạm không áp dụng." if page.marks else ""
        lines.append(
            f"  ! Cũ hơn dữ liệu quốc gia: {page.stale}. Đối chiếu lại với bản ghi, sửa trang, "
            f"rồi ghi updated: là ngày đối chiếu.{voided}"
        )
    for n, difference in enumerate(shown + (quiet if verbose else []), 1):
        note = " (cố ý, local:)" if difference.intended else ""
        topic = LOCAL_TOPICS[difference.topic]
        lines.append(f"  {n}. {difference.kind} · {topic}{note}: {difference.message}")
        lines += [f"       - {quote(item, 160)}" for item in difference.items]
    if shown:
        topics = sorted({d.topic for d in shown} | set(page.marks), key=list(LOCAL_TOPICS).index)
        lines.append(
            "  → Sửa trang cho đúng. Chỗ nào xã cố ý viết khác thì ghi tên nó vào phần đầu, "
            f"ví dụ: local: [{', '.join(topics)}]"
        )
    if quiet and not verbose:
        hidden = [f"{len(page.of_kind(CHU))} chỗ chỉ khác cách viết"] if page.of_kind(CHU) else []
        hidden += [f"{len(page.intended)} chỗ cố ý khác (local:)"] if page.intended else []
        lines.append(f"  ({'; '.join(hidden)}: xem bằng --verbose)")
    return lines


def summary(report: CompareReport) -> dict[str, int]:
    pages = report.pages
    return {
        "compared": len(pages),
        "resident_facing": sum(len(p.resident_facing) for p in pages),
        "pages_resident_facing": sum(1 for p in pages if p.resident_facing),
        "to_review": sum(len(p.of_kind(XEM)) for p in pages),
        "wording": sum(len(p.of_kind(CHU)) for p in pages),
        "intended": sum(len(p.intended) for p in pages),
        "stale": sum(1 for p in pages if p.stale),
        "undated": sum(1 for p in pages if p.checked_on is None),
        "unknown": len(report.unknown),
    }


def summary_text(report: CompareReport) -> str:
    """One closing line; its first word is honest: "Khớp" only when nothing is left to do."""
    n = summary(report)
    if n["resident_facing"]:
        word = "Có chỗ khác người dân cần biết"
    elif n["to_review"] or n["stale"] or n["undated"] or n["unknown"]:
        word = "Cần xem lại"
    else:
        word = "Khớp"
    return (
        f"{word}: {n['compared']} thủ tục so được; {n['resident_facing']} chỗ khác người dân "
        f"cần biết (ở {n['pages_resident_facing']} thủ tục), {n['to_review']} chỗ cần xem lại, "
        f"{n['stale']} thủ tục cũ hơn dữ liệu quốc gia, {n['undated']} chưa có ngày kiểm tra, "
        f"{n['unknown']} mã không có trong dữ liệu; "
        f"{n['wording']} chỗ chỉ khác cách viết, {n['intended']} chỗ cố ý khác (local:)."
    )


def format_json(report: CompareReport) -> str:
    data = {
        "summary": summary(report),
        "pages": [
            {
                "code": p.code,
                "title": p.title,
                "file": p.file,
                "national_code": p.national_code,
                "national_file": p.national_file,
                "checked_on": p.checked_on.isoformat() if p.checked_on else None,
                "stale": p.stale or None,
                "local": list(p.marks),
                "differences": [
                    {**asdict(d), "resident_facing": d.resident_facing} for d in p.differences
                ],
            }
            for p in report.pages
        ],
        "unknown_codes": [{"code": code, "file": file} for code, file in report.unknown],
        "unreadable": report.messages,
    }
    return json.dumps(data, ensure_ascii=False, indent=2)
