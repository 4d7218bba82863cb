"""Import procedures from the national database (JSON) or a spreadsheet (CSV, XLSX).

Two phases, so a mistake never leaves a half-imported site: first every input
is read, mapped and checked with the project's own validator; only when no
record failed are the files written, each one atomically (temp file, then
os.replace), and an import stopped while writing takes back what it wrote.
Existing files are never overwritten without `force`.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from thutuc import atomic
from thutuc.content.files import not_a_file
from thutuc.content.load import (
    FIELD_INDEX,
    PROCEDURES_DIR,
    SourceDocument,
    is_inside,
    parse_yaml,
    read_markdown,
)
from thutuc.content.text import fold, nfc, slugify
from thutuc.content.validate import validate_procedure
from thutuc.importers.national import (
    DataFileError,
    Imported,
    RecordError,
    read_json_file,
    record_to_procedure,
)
from thutuc.importers.table import TableError, read_rows, row_to_procedure, unknown_columns
from thutuc.problems import Problems

MAX_SLUG = 60  # file and folder names stay readable and well under path limits
SUFFIXES = {".json": "JSON", ".csv": "CSV", ".xlsx": "XLSX"}

WRITTEN, SKIPPED, FAILED = "đã ghi", "bỏ qua", "lỗi"
HELD = "chưa ghi"  # would have been written, but another record failed: nothing is written


@dataclass
class RecordOutcome:
    """What happened to one record or row, in words for the editor."""

    source: str  # "thu-tuc.json, bản ghi 2" or "bang.xlsx, dòng 5"
    status: str
    code: str = ""
    path: str = ""  # site-relative file written or in the way
    message: str = ""
    notes: list[str] = field(default_factory=list)

    def format(self) -> str:
        head = f"[{self.status}] {self.source}"
        head += f" ({self.code})" if self.code else ""
        head += f" → {self.path}" if self.path else ""
        lines = [head] + ([f"    {self.message}"] if self.message else [])
        lines += [f"    chưa chuyển được: {note}" for note in self.notes]
        return "\n".join(lines)


@dataclass
class ImportReport:
    outcomes: list[RecordOutcome] = field(default_factory=list)
    fields_created: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> bool:
        return self.count(FAILED) > 0

    @property
    def files_written(self) -> int:
        return self.count(WRITTEN)

    def format(self) -> str:
        lines = [o.format() for o in self.outcomes]
        lines += [f"Tạo thư mục lĩnh vực mới: {f}" for f in self.fields_created]
        if self.failed:
            lines.append("Chưa ghi tệp nào vì có lỗi ở trên. Sửa dữ liệu rồi chạy lại lệnh import.")
        counts = [f"{self.count(WRITTEN)} tệp đã ghi"]
        counts += [f"{self.count(HELD)} tệp chưa ghi vì có lỗi"] if self.count(HELD) else []
        counts += [f"{self.count(SKIPPED)} bỏ qua", f"{self.count(FAILED)} lỗi"]
        return "\n".join([*lines, ", ".join(counts) + "."])


@dataclass
class _Planned:
    outcome: RecordOutcome
    target: Path
    text: str


# --- Reading inputs ---------------------------------------------------------------


def read_records(path: Path) -> Iterator[tuple[str, Imported | RecordError | str]]:
    """(label, mapped record or error) for each record of an input file."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        yield path.name, "không phải tệp JSON, CSV hoặc XLSX. Chỉ nhập được ba loại tệp này."
    elif reason := not_a_file(path):
        yield path.name, f"{reason}."
    elif kind == "JSON":
        yield from _json_records(path)
    else:
        yield from _table_records(path)


def _json_records(path: Path) -> Iterator[tuple[str, Imported | RecordError | str]]:
    try:
        data = read_json_file(path)
    except DataFileError as exc:
        yield path.name, str(exc)
        return
    records = data if isinstance(data, list) else [data]
    for number, record in enumerate(records, start=1):
        label = f"{path.name}, bản ghi {number}" if isinstance(data, list) else path.name
        try:
            yield label, record_to_procedure(record)
        except RecordError as exc:
            yield label, exc


def _table_records(path: Path) -> Iterator[tuple[str, Imported | RecordError | str]]:
    try:
        rows = read_rows(path)
    except TableError as exc:
        yield path.name, f"{exc}."
        return
    header_notes = list(unknown_columns(rows[0].cells)) if rows else []
    for row in rows:
        label = f"{path.name}, dòng {row.number}"
        try:
            imported = row_to_procedure(row)
        except RecordError as exc:
            yield label, exc
            continue
        imported.notes.extend(header_notes)
        yield label, imported


# --- Where files go -----------------------------------------------------------------


def short_slug(text: str, limit: int = MAX_SLUG) -> str:
    """slugify, cut at a word boundary so long procedure names stay usable."""
    slug = slugify(text)
    if len(slug) <= limit:
        return slug
    return slug[:limit].rsplit("-", 1)[0]


class _Site:
    """What is already in the site: field folders by name and by folded title, and codes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.base = root / PROCEDURES_DIR
        self.folders: dict[str, str] = {}  # folder name or folded title → folder
        self.codes: dict[str, str] = {}
        self.created: dict[str, str] = {}  # new folder → field title
        self._scan()

    def _scan(self) -> None:
        quiet = Problems()  # `check` reports the site's own problems; not ours to repeat
        if self.base.is_dir():
            for folder in sorted(p for p in self.base.iterdir() if p.is_dir()):
                self.folders.setdefault(nfc(folder.name), nfc(folder.name))
        for index in sorted(self.base.glob(f"*/{FIELD_INDEX}")):
            doc = read_markdown(self.root, index, quiet)
            if doc and doc.meta.get("title"):
                self.folders.setdefault(fold(str(doc.meta["title"])), nfc(index.parent.name))
        for path in sorted(self.base.rglob("*.md")):
            if path.name != FIELD_INDEX and (doc := read_markdown(self.root, path, quiet)):
                self.codes.setdefault(str(doc.meta.get("code", "")).strip(), doc.rel)

    def folder_for(self, field: str) -> str:
        """The existing folder the field names, by its folder name ("dat-dai", as
        the docs allow in a spreadsheet's `field` column) or by its title
        ("Đất đai", folded); else a new folder, slug of the title."""
        known = self.folders.get(nfc(field.strip())) or self.folders.get(fold(field))
        if known:
            return known
        folder = short_slug(field)
        self.created.setdefault(folder, field.strip())
        self.folders[folder] = self.folders[fold(field)] = folder
        return folder


# --- Writing ------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Front matter as a real YAML dumper writes it: quoting is always right."""


class _Quoted(str):
    """A value always written in quotes: a code like 1.001190 must stay text."""


_Dumper.add_representer(
    _Quoted, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style='"')
)
_Dumper.add_representer(
    str,
    lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|" if "\n" in v else None),
)


def front_matter(meta: dict[str, Any]) -> str:
    quoted = {k: _Quoted(v) if k in ("code", "replaced_by") else v for k, v in meta.items()}
    dumped = yaml.dump(quoted, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)
    return f"---\n{dumped}---\n"


def render(imported: Imported) -> str:
    body = imported.body.strip()
    return front_matter(imported.meta) + ("\n" + body + "\n" if body else "")


def write_atomic(root: Path, target: Path, text: str) -> None:
    """Write via a temp file in the same folder, then os.replace: a reader (or a
    crash) sees the old file or the new one, never half of one."""
    if not is_inside(root, target.parent):
        raise ValueError(f"{target} is outside the site folder {root}")
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(target, text)


# --- Planning and the public entry point ----------------------------------------------


def import_files(paths: list[Path], site_root: Path, force: bool = False) -> ImportReport:
    """Import every record of `paths` into the site at `site_root`.

    Nothing is written when any record failed; existing files are skipped
    unless `force`; a code already used by another file is always skipped."""
    root = site_root.resolve()
    site = _Site(root)
    report = ImportReport()
    planned: list[_Planned] = []
    claimed: dict[Path, str] = {}
    earlier: dict[str, _Planned] = {}  # code → its first record in this import
    for path in paths:
        for label, item in read_records(path):
            if isinstance(item, Imported):
                plan = _plan(site, label, item, force, claimed)
                _once_per_code(plan, item, earlier)
                report.outcomes.append(plan.outcome)
                if plan.outcome.status == WRITTEN:
                    planned.append(plan)
            else:
                report.outcomes.append(RecordOutcome(label, FAILED, message=f"{item}"))
    if report.failed:
        for plan in planned:  # said as it is: these files were not written either
            plan.outcome.status = HELD
    else:
        _write(site, planned, report)
    return report


def _plan(
    site: _Site, label: str, item: Imported, force: bool, claimed: dict[Path, str]
) -> _Planned:
    code = str(item.meta.get("code", ""))
    outcome = RecordOutcome(label, WRITTEN, code, notes=item.notes)
    folder = site.folder_for(item.field_title)
    target = _target(site, folder, item, claimed)
    rel = target.relative_to(site.root).as_posix()
    outcome.path = rel
    text = render(item)
    elsewhere = site.codes.get(code)
    if elsewhere and elsewhere != rel:
        outcome.status, outcome.path = SKIPPED, elsewhere
        outcome.message = (
            f"mã {code} đã có trong tệp {elsewhere}. Đừng xóa tệp đó: mã QR đã in có thể dẫn "
            "tới nó. Cập nhật thông tin ngay trong tệp đó; nếu bản ghi này là một thủ tục khác, "
            "thủ tục đó cần mã riêng của nó."
        )
    elif target.exists() and not force:
        outcome.status = SKIPPED
        outcome.message = f"tệp {rel} đã có. Thêm --force để ghi đè."
    elif error := _check(site, rel, target, text, folder):
        outcome.status, outcome.message = FAILED, error
    claimed[target] = code
    return _Planned(outcome, target, text)


def _once_per_code(plan: _Planned, item: Imported, earlier: dict[str, _Planned]) -> None:
    """A code met a second time in one import: skipped when the record is the same
    (one file, reported as one), refused when it differs (which one is right?)."""
    code = str(item.meta.get("code", ""))
    first = earlier.setdefault(code, plan)
    if first is plan or not code:
        return
    outcome = plan.outcome
    if plan.text == first.text and plan.target == first.target:
        outcome.status = SKIPPED
        outcome.message = f"giống hệt bản ghi {first.outcome.source}: chỉ ghi một tệp."
    else:
        outcome.status = FAILED
        outcome.message = (
            f"mã {code} đã có ở bản ghi {first.outcome.source} của lần nhập này, với nội dung "
            "khác. Mỗi mã chỉ một bản ghi: giữ bản ghi đúng, xóa bản ghi kia khỏi tệp nhập."
        )


def _target(site: _Site, folder: str, item: Imported, claimed: dict[Path, str]) -> Path:
    """procedures/<field>/<title-slug>.md; with the code appended when another
    procedure (on disk or earlier in this import) already has that name."""
    code = str(item.meta.get("code", ""))
    base = site.base / folder
    target = base / f"{short_slug(str(item.meta.get('title', ''))) or slugify(code)}.md"
    rel = target.relative_to(site.root).as_posix()
    owner = claimed.get(target) or next((c for c, r in site.codes.items() if r == rel), code)
    if owner != code:
        target = base / f"{target.stem}-{slugify(code)}.md"
    return target


def _check(site: _Site, rel: str, target: Path, text: str, folder: str) -> str:
    """Run the file about to be written through the project's own validator."""
    problems = Problems()
    front, _, body = text.removeprefix("---\n").partition("\n---\n")
    parsed = parse_yaml(front, rel, problems, first_line=2)
    if parsed is not None:
        doc = SourceDocument(rel, target, parsed[0] or {}, body, key_lines=parsed[1])
        validate_procedure(doc, folder, problems)
    if not problems.errors:
        return ""
    return " ".join(p.message + (f" {p.hint}" if p.hint else "") for p in problems.errors)


def _write(site: _Site, planned: list[_Planned], report: ImportReport) -> None:
    """Write the planned files, or none of them: stopped part way (Ctrl+C, a
    SIGTERM, a full disk), the files written so far are taken back, so that
    procedures/ is as it was before the command."""
    files = [(p.target, p.text) for p in planned]
    used = {p.target.parent.name for p in planned}
    for folder, title in sorted(site.created.items()):
        if folder in used:
            files.insert(0, (site.base / folder / FIELD_INDEX, front_matter({"title": title})))
            note = " – ghi tên có dấu vào title: của _index.md" if slugify(title) == title else ""
            report.fields_created.append(f"{PROCEDURES_DIR}/{folder}/ ({title}){note}")
    undo = _Undo()
    try:
        for target, text in files:
            undo.before_writing(target)
            write_atomic(site.root, target, text)
    except BaseException:
        undo.take_back()
        raise


class _Undo:
    """What an import changed, to take it back: each file's earlier bytes (None:
    it is new) and the folders it made."""

    def __init__(self) -> None:
        self.files: list[tuple[Path, bytes | None]] = []
        self.folders: list[Path] = []

    def before_writing(self, target: Path) -> None:
        folder = target.parent
        while not folder.exists():
            self.folders.append(folder)  # deepest first
            folder = folder.parent
        self.files.append((target, target.read_bytes() if target.exists() else None))

    def take_back(self) -> None:
        # A second Ctrl+C must not stop the taking back half way.
        stop = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, stop)
        try:
            for target, earlier in reversed(self.files):
                if earlier is None:
                    target.unlink(missing_ok=True)
                else:
                    atomic.write_bytes(target, earlier)
            for folder in reversed(self.folders):
                with contextlib.suppress(OSError):  # not empty: something else is in it
                    folder.rmdir()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, stop)
