"""`compare`: the national procedure database as referee of the site's pages.

For every page whose code has a national record (national_facts.py reads the
records), each fact a resident acts on is read out of both sides as a value
(facts.py) and compared: the title, the
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
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import date

from thutuc.content.model import METHOD_LABELS, Procedure, Site
from thutuc.content.schema import LOCAL_TOPICS
from thutuc.content.text import nfc
from thutuc.importers.facts import (
    Money,
    Terms,
    canon,
    coverage,
    durations,
    head,
    legal_numbers,
    legal_year,
    mentioned,
    mentions,
    money,
    text_terms,
    word_share,
)
from thutuc.importers.national import MethodRow
from thutuc.importers.national_facts import Named, NationalRecord, read_national

__all__ = ["compare_sites", "format_json", "format_text", "read_national"]

KHAC, THIEU, XEM, CHU = "khác", "thiếu", "xem lại", "cách viết"
RESIDENT_FACING = (KHAC, THIEU)
# Share of an item's word pairs that must be found for it to count as mentioned.
MENTIONED = 0.5


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


def compare_sites(sites: Iterable[Site], records: dict[str, NationalRecord]) -> CompareReport:
    """Every active procedure of the sites (one commune, or each commune of a
    province) against its record, each file once: a province's catalogue page
    is shared by its communes. Retired procedures are notices that send
    residents elsewhere, with no facts left to compare."""
    report = CompareReport(records=len(records))
    seen: set[str] = set()
    for site in sites:
        for procedure in sorted(site.active_procedures, key=lambda p: p.source):
            if procedure.source in seen:
                continue
            seen.add(procedure.source)
            record = national_record_for(procedure.code, records)
            if record is None:
                report.unknown.append((procedure.code, procedure.source))
            else:
                report.pages.append(compare_page(procedure, record, site.checked_on(procedure)))
    report.pages.sort(key=lambda p: p.file)
    report.unknown.sort(key=lambda u: u[1])
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
