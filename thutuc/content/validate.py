"""Validate stage: turn loaded documents into the typed model, reporting problems.

Each key is converted by the kind declared in schema.py. Problems name the file
and line and say how to fix them in plain Vietnamese; nothing raises.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from thutuc.content import markdown
from thutuc.content.addresses import canonical_url
from thutuc.content.load import FieldSources, SiteSources, SourceDocument, is_inside
from thutuc.content.model import (
    AZ_PATH,
    CONTACTS_PATH,
    METHOD_LABELS,
    OFFLINE_PATH,
    PROCEDURE_CODE,
    Contact,
    Field,
    FieldFrontMatter,
    FormFile,
    Procedure,
    ProcedureFrontMatter,
    Site,
    SiteConfig,
    SubmissionMethod,
)
from thutuc.content.schema import FIELD_KEYS, PROCEDURE_KEYS, SITE_KEYS, Key
from thutuc.content.text import slugify
from thutuc.problems import Problems


class Invalid(ValueError):
    """A value that cannot be converted; the message is shown to the editor."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def _text(value: Any, doc: SourceDocument) -> str:
    if isinstance(value, (dict, list)):
        raise Invalid(
            "cần một đoạn văn bản, không phải danh sách.", "Viết trên một dòng sau dấu hai chấm."
        )
    return str(value).strip()


def _int(value: Any, doc: SourceDocument) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise Invalid(f"'{value}' không phải số nguyên.", "Ví dụ: order: 2") from None


def _distance(value: Any, doc: SourceDocument) -> float:
    """A reading distance in metres, written 1.5 (or 1,5), between 0.3 and 10."""
    try:
        metres = float(str(value).strip().replace(",", "."))
    except ValueError:
        metres = float("nan")
    if not 0.3 <= metres <= 10:
        raise Invalid(
            f"'{value}' không phải khoảng cách hợp lệ (tính bằng mét, từ 0.3 đến 10).",
            "Ví dụ: board_distance_m: 1.5 (người dân đứng cách bảng một mét rưỡi).",
        )
    return metres


def _bool(value: Any, doc: SourceDocument) -> bool:
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise Invalid(f"'{value}' phải là true hoặc false.", "Ví dụ: print_shop: true")


def _date(value: Any, doc: SourceDocument) -> date:
    text = str(value).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(
            f"'{text}' không phải ngày hợp lệ.",
            "Viết ngày theo dạng năm-tháng-ngày, ví dụ 2025-07-01 (ngày 1 tháng 7 năm 2025).",
        ) from None


def _url(value: Any, doc: SourceDocument) -> str:
    text = _text(value, doc)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid(
            f"'{text}' không phải địa chỉ web http:// hoặc https://.",
            "Viết đầy đủ, ví dụ https://dichvucong.gov.vn/...",
        )
    return text


def _code(value: Any, doc: SourceDocument) -> str:
    text = _text(value, doc)
    if not PROCEDURE_CODE.match(text):
        raise Invalid(
            f"'{text}' không phải mã thủ tục.",
            "Mã thủ tục có dạng 1.001193 (một chữ số, dấu chấm, sáu chữ số), hoặc mã của tỉnh "
            "như 2.000884.000.00.00.H55. Chép đúng mã từ Cổng dịch vụ công quốc gia.",
        )
    return text


def _text_list(value: Any, doc: SourceDocument) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if any(isinstance(item, (dict, list)) for item in items):
        raise Invalid(
            "mỗi mục phải là một dòng văn bản.", "Viết mỗi mục trên một dòng bắt đầu bằng '- '."
        )
    return tuple(str(item).strip() for item in items if str(item).strip())


def _slug_list(value: Any, doc: SourceDocument) -> tuple[str, ...]:
    return tuple(slugify(item) for item in _text_list(value, doc))


def _methods(value: Any, doc: SourceDocument) -> tuple[SubmissionMethod, ...]:
    items = value if isinstance(value, list) else [value]
    methods = []
    for item in items:
        entry = item if isinstance(item, dict) else {"method": item}
        key = str(entry.get("method", "")).strip()
        if key not in METHOD_LABELS:
            raise Invalid(
                f"cách nộp '{key}' không có trong danh sách.",
                "Dùng truc-tiep (trực tiếp), truc-tuyen (trực tuyến) hoặc buu-chinh (bưu chính).",
            )
        unknown = set(entry) - {"method", "processing_time", "fee"}
        if unknown:
            raise Invalid(
                f"khóa lạ trong cách nộp: {', '.join(sorted(unknown))}.",
                "Mỗi cách nộp chỉ có method, processing_time và fee.",
            )
        methods.append(
            SubmissionMethod(
                key,
                str(entry.get("processing_time", "")).strip(),
                str(entry.get("fee", "")).strip(),
            )
        )
    return tuple(methods)


def _contacts(value: Any, doc: SourceDocument) -> tuple[Contact, ...]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise Invalid(
            "danh bạ phải là danh sách, mỗi người có name, role, phone.", "Xem docs/ để có ví dụ."
        )
    contacts = []
    for item in value:
        if not str(item.get("name", "")).strip():
            raise Invalid(
                "một người trong danh bạ thiếu name.", "Thêm name: Họ tên hoặc tên bộ phận."
            )
        contacts.append(
            Contact(
                str(item.get("name", "")).strip(),
                str(item.get("role", "")).strip(),
                str(item.get("phone", "")).strip(),
            )
        )
    return tuple(contacts)


def _forms(value: Any, doc: SourceDocument) -> tuple[FormFile, ...]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise Invalid(
            "forms phải là danh sách, mỗi mẫu có title và file.",
            "Ví dụ:\n  - title: Tờ khai\n    file: to-khai.docx",
        )
    root = _site_root(doc)
    forms = []
    for item in value:
        title, file = str(item.get("title", "")).strip(), str(item.get("file", "")).strip()
        if not title or not file:
            raise Invalid(
                "mỗi mẫu đơn cần cả title và file.",
                "Ví dụ: - title: Tờ khai\n    file: to-khai.docx",
            )
        path = doc.path.parent / file
        if not is_inside(root, path):
            raise Invalid(
                f"tệp mẫu '{file}' nằm ngoài thư mục trang.", "Chép tệp vào cạnh tệp thủ tục."
            )
        if path.suffix.lower() not in FORM_TYPES:
            raise Invalid(
                f"tệp mẫu '{file}' không phải loại tệp được phép.",
                f"Dùng một trong các loại: {', '.join(sorted(FORM_TYPES))}.",
            )
        if not path.is_file():
            raise Invalid(
                f"không tìm thấy tệp mẫu '{file}'.",
                "Kiểm tra tên tệp (cả chữ hoa, chữ thường) và đặt tệp cạnh tệp thủ tục.",
            )
        forms.append(FormFile(title, file, path.resolve(), path.stat().st_size))
    return tuple(forms)


# Forms residents can open on a phone or print; never .html or .js, which
# would be served as pages from the site's own address.
FORM_TYPES = {".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".ods", ".jpg", ".jpeg", ".png"}


def _site_root(doc: SourceDocument) -> Path:
    # doc.rel is relative to the site root; walk up as many levels as it has parts
    root = doc.path
    for _ in Path(doc.rel).parts:
        root = root.parent
    return root


CONVERTERS: dict[str, Callable[[Any, SourceDocument], Any]] = {
    "text": _text,
    "int": _int,
    "distance": _distance,
    "bool": _bool,
    "date": _date,
    "url": _url,
    "code": _code,
    "text-list": _text_list,
    "slug-list": _slug_list,
    "methods": _methods,
    "forms": _forms,
    "contacts": _contacts,
}


def convert_keys(
    doc: SourceDocument, keys: tuple[Key, ...], problems: Problems
) -> dict[str, Any] | None:
    """Convert every declared key; report unknown, missing and invalid ones.
    Returns None when a required key is missing or invalid."""
    known = {key.name: key for key in keys}
    for name in doc.meta:
        if name not in known:
            guess = difflib.get_close_matches(str(name), known, n=1)
            hint = f"Có phải ý bạn là '{guess[0]}'?" if guess else "Xem danh sách khóa trong docs/."
            problems.warning(
                doc.rel, f"Khóa lạ '{name}' sẽ bị bỏ qua.", hint, doc.line_of(str(name))
            )
    values: dict[str, Any] = {}
    complete = True
    for key in keys:
        raw = doc.meta.get(key.name)
        if raw is None or raw == "" or raw == []:
            if key.required:
                complete = False
                problems.error(
                    doc.rel,
                    f"Thiếu khóa bắt buộc '{key.name}' ({key.help_vi}).",
                    f"Thêm dòng: {key.name}: {key.example}",
                    doc.line_of(key.name) or 1,
                )
            continue
        try:
            values[key.name] = CONVERTERS[key.kind](raw, doc)
        except Invalid as exc:
            complete = complete and not key.required
            problems.error(doc.rel, f"'{key.name}': {exc}", exc.hint, doc.line_of(key.name))
    return values if complete else None


def validate_config(
    doc: SourceDocument, problems: Problems, base_url: str | None
) -> SiteConfig | None:
    if base_url is not None:
        doc = SourceDocument(
            doc.rel, doc.path, {**doc.meta, "base_url": base_url}, key_lines=doc.key_lines
        )
    values = convert_keys(doc, SITE_KEYS, problems)
    if values is None:
        return None
    # Every printed code is built from this: lower-case scheme and host, as a browser writes it.
    values["base_url"] = canonical_url(values["base_url"]).rstrip("/") + "/"
    return SiteConfig(**values)


# What a resident needs first; a page without them sends people to the counter to ask.
RESIDENT_FACTS = {"documents": "giấy tờ cần mang", "processing_time": "thời gian", "fee": "lệ phí"}


def warn_missing_facts(
    doc: SourceDocument, front: ProcedureFrontMatter, problems: Problems
) -> None:
    if front.retired or front.replaced_by:
        return
    missing = [
        f"{label} ({key})" for key, label in RESIDENT_FACTS.items() if not getattr(front, key)
    ]
    if missing:
        problems.warning(
            doc.rel,
            f"Trang thiếu điều người dân cần biết trước tiên: {', '.join(missing)}.",
            "Điền các khóa này. Không mất phí thì ghi fee: Miễn phí; chưa rõ thì ghi ai để hỏi.",
            1,
        )


def check_body(doc: SourceDocument, problems: Problems) -> bool:
    """Parse the body once (the page and the leaflet reuse the parse); False when
    it cannot be published."""
    document = markdown.parse(doc.body)
    if document.too_deep:
        problems.error(
            doc.rel,
            f"Danh sách hoặc trích dẫn lồng nhau quá sâu ({document.nesting} tầng, "
            f"tối đa {markdown.MAX_NESTING}).",
            "Viết gọn lại: tách thành nhiều danh sách, hoặc bớt dấu cách, dấu '>' đầu dòng.",
            doc.body_line + max(document.nesting_line, 1) - 1,
        )
        return False
    return True


def validate_procedure(
    doc: SourceDocument, field_slug: str, problems: Problems
) -> Procedure | None:
    values = convert_keys(doc, PROCEDURE_KEYS, problems)
    if values is None or not check_body(doc, problems):
        return None
    front = ProcedureFrontMatter(**values)
    warn_missing_facts(doc, front, problems)
    return Procedure(
        front, doc.body, doc.rel, field_slug, doc.body_line, doc.line_of("code") or 1, doc.path
    )


def validate_field(sources: FieldSources, problems: Problems) -> Field | None:
    slug = slugify(sources.folder)
    procedures = tuple(
        p
        for doc in sources.procedures
        if (p := validate_procedure(doc, slug, problems)) is not None
    )
    if sources.index is None:
        return None
    values = convert_keys(sources.index, FIELD_KEYS, problems)
    if values is None or not check_body(sources.index, problems):
        return None
    if not slug:
        problems.error(
            sources.index.rel,
            "Tên thư mục lĩnh vực không dùng được làm địa chỉ.",
            "Đặt tên thư mục bằng chữ, ví dụ ho-tich.",
        )
        return None
    return Field(
        slug, FieldFrontMatter(**values), sources.index.body, sources.index.rel, procedures
    )


def check_unique_codes(fields: list[Field], problems: Problems) -> None:
    seen: dict[str, Procedure] = {}
    for procedure in (p for f in fields for p in f.procedures):
        first = seen.setdefault(procedure.code, procedure)
        if first is not procedure:
            problems.error(
                procedure.source,
                f"Mã thủ tục {procedure.code} trùng với tệp {first.source}.",
                "Mỗi thủ tục chỉ có một tệp. Xóa tệp thừa hoặc sửa lại mã.",
                procedure.code_line,
            )


RESERVED_SLUGS = {path.strip("/") for path in (AZ_PATH, CONTACTS_PATH, OFFLINE_PATH)}


def check_unique_slugs(fields: list[Field], problems: Problems) -> None:
    seen: dict[str, Field] = {}
    for field in fields:
        if field.slug in RESERVED_SLUGS:
            problems.error(
                field.source,
                f"Địa chỉ /{field.slug}/ đã dành cho một trang có sẵn.",
                "Đổi tên thư mục lĩnh vực này.",
            )
        first = seen.setdefault(field.slug, field)
        if first is not field:
            problems.error(
                field.source,
                f"Thư mục lĩnh vực có cùng địa chỉ /{field.slug}/ với {first.source}.",
                "Đổi tên một trong hai thư mục.",
            )


def validate_site(
    sources: SiteSources, problems: Problems, base_url: str | None = None
) -> Site | None:
    """Build the typed `Site`, or None when there were errors."""
    config = None
    if sources.config is not None:
        config = validate_config(sources.config, problems, base_url)
    fields = [f for fs in sources.fields if (f := validate_field(fs, problems)) is not None]
    check_unique_codes(fields, problems)
    check_unique_slugs(fields, problems)
    if config is None or problems.errors:
        return None
    fields = drop_excluded(fields, config.exclude, sources.config, problems)
    fields.sort(key=lambda f: (f.front.order if f.front.order is not None else 10**6, f.slug))
    return Site(sources.root, config, tuple(fields), home=sources.home)


def drop_excluded(
    fields: list[Field], exclude: tuple[str, ...], doc: SourceDocument | None, problems: Problems
) -> list[Field]:
    """Drop the procedures of `exclude: [codes]` (a province commune that does not
    handle some catalogue procedures), and fields left empty by it; warn on
    codes that match nothing, which is usually a typing mistake."""
    if not exclude:
        return fields
    found = {p.code for f in fields for p in f.procedures}
    for code in sorted(set(exclude) - found):
        problems.warning(
            doc.rel if doc else "site.yml",
            f"exclude: không có thủ tục nào mã {code}.",
            "Kiểm tra lại mã, chép đúng từ danh mục chung.",
            doc.line_of("exclude") if doc else None,
        )
    kept = []
    for field in fields:
        procedures = tuple(p for p in field.procedures if p.code not in exclude)
        if procedures or not field.procedures:
            kept.append(replace(field, procedures=procedures))
    return kept
