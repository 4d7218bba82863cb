"""Validate stage: turn loaded documents into the typed model, reporting problems.

Each key is converted by the kind declared in schema.py. Problems name the file
and line and say how to fix them in plain Vietnamese; nothing raises.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from thutuc import clock
from thutuc.content import lint, markdown
from thutuc.content.addresses import AddressError, checked_url, phone_numbers, zalo_address
from thutuc.content.audio import AUDIO_TYPES, duration_seconds
from thutuc.content.files import on_disk
from thutuc.content.languages import LanguageProblem, line_in_entry, parse_languages
from thutuc.content.load import (
    HIDDEN_HINT,
    FieldSources,
    SiteSources,
    SourceDocument,
    hidden_in,
    hidden_name,
    is_inside,
    report_hidden,
    visible_text,
)
from thutuc.content.model import (
    AZ_PATH,
    CONTACTS_PATH,
    METHOD_LABELS,
    OFFLINE_PATH,
    PROCEDURE_CODE,
    AudioFile,
    Contact,
    Field,
    FieldFrontMatter,
    FormFile,
    Language,
    Procedure,
    ProcedureFrontMatter,
    Site,
    SiteConfig,
    SubmissionMethod,
    summarise,
)
from thutuc.content.permanence import Claim, published_claim
from thutuc.content.schema import FIELD_KEYS, LANGUAGE_KEYS, PROCEDURE_KEYS, SITE_KEYS, Key
from thutuc.content.text import nfc, slugify
from thutuc.problems import Problems
from thutuc.processing import processing


class Invalid(ValueError):
    """A value that cannot be converted; the message is shown to the editor."""

    def __init__(self, message: str, hint: str = "", line: int | None = None) -> None:
        super().__init__(message)
        self.hint = hint
        self.line = line  # a line inside the key's value, when it is known


def _text(value: Any, doc: SourceDocument) -> str:
    """Text as written, without the spaces and invisible characters around it;
    "" when nothing in it can be seen."""
    if isinstance(value, (dict, list)):
        raise Invalid(
            "cần một đoạn văn bản, không phải danh sách.", "Viết trên một dòng sau dấu hai chấm."
        )
    return visible_text(str(value))


def _int(value: Any, doc: SourceDocument) -> int:
    text = _text(value, doc)
    digits = text.removeprefix("-").removeprefix("+")
    if not digits.isascii() or not digits.isdigit():
        raise Invalid(f"'{text[:40]}' không phải số nguyên.", "Ghi một số, ví dụ 12.")
    if len(digits) > 18:  # far outside every range below, and int() of 10**5 digits is slow
        raise Invalid(f"số '{text[:24]}…' quá lớn.", "Ghi một số nhỏ hơn, ví dụ 12.")
    return int(text)


def _distance(value: Any, doc: SourceDocument) -> float:
    """A reading distance in metres, written 1.5 (or 1,5), between 0.3 and 10."""
    text = str(value).strip().replace(",", ".")
    try:  # float() also reads "１.５" and "٣": only ASCII digits are a distance
        metres = float(text) if text.isascii() else float("nan")
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
    """Any address an editor links to: checked by the one rule set of addresses.py."""
    return _address(value, doc, site_address=False)


def _site_url(value: Any, doc: SourceDocument) -> str:
    """The site's own address, which every printed code starts with."""
    return _address(value, doc, site_address=True)


def _address(value: Any, doc: SourceDocument, site_address: bool) -> str:
    if isinstance(value, (dict, list)):
        raise Invalid("cần một địa chỉ web, không phải danh sách.", "Viết trên một dòng.")
    text = str(value).strip(" ")
    try:
        return checked_url(text, site_address=site_address)
    except AddressError as exc:
        raise Invalid(exc.message, exc.hint) from None


def _zalo_url(value: Any, doc: SourceDocument) -> str:
    """The commune's Zalo account: the pages' Zalo button opens it, so another
    site there (a copied Facebook page, a form) sends residents astray."""
    text = _url(value, doc)
    try:
        return zalo_address(text)
    except AddressError as exc:
        raise Invalid(exc.message, exc.hint) from None


def _phone(value: Any, doc: SourceDocument) -> str:
    """One or more phone numbers, each its own `tel:` link; letters are refused."""
    text = _text(value, doc)
    try:
        phone_numbers(text)
    except AddressError as exc:
        raise Invalid(exc.message, exc.hint) from None
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
    return tuple(text for item in items if (text := visible_text(str(item))))


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
                _text(entry.get("processing_time", ""), doc),
                _text(entry.get("fee", ""), doc),
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
        name = _text(item.get("name", ""), doc)
        if not name:
            raise Invalid(
                "một người trong danh bạ thiếu name (hoặc chỉ có dấu cách, ký tự ẩn).",
                "Thêm name: Họ tên hoặc tên bộ phận.",
            )
        phone = _text(item.get("phone", ""), doc)
        try:
            phone_numbers(phone)
        except AddressError as exc:
            raise Invalid(f"danh bạ, {name}: {exc.message}", exc.hint) from None
        contacts.append(Contact(name, _text(item.get("role", ""), doc), phone))
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
        unknown = set(map(str, item)) - {"title", "file"}
        if unknown:  # a misspelt "file" would otherwise say the file is missing
            raise Invalid(
                f"khóa lạ trong mẫu đơn: {', '.join(sorted(unknown))}.",
                "Mỗi mẫu đơn chỉ có title và file.",
            )
        title, file = _text(item.get("title", ""), doc), _text(item.get("file", ""), doc)
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
        path = _file_on_disk(path, doc, "forms", file, "tệp mẫu")
        forms.append(FormFile(title, file, path.resolve(), path.stat().st_size))
    return tuple(forms)


def _audio(value: Any, doc: SourceDocument) -> AudioFile:
    """A recording beside the procedure file; its length read from its headers."""
    file = _text(value, doc)
    path = doc.path.parent / file
    if not is_inside(_site_root(doc), path):
        raise Invalid(
            f"tệp ghi âm '{file}' nằm ngoài thư mục trang.", "Chép tệp vào cạnh tệp thủ tục."
        )
    if path.suffix.lower() not in AUDIO_TYPES:
        raise Invalid(
            f"tệp ghi âm '{file}' không phải mp3, m4a hay ogg.",
            "Lưu bản ghi âm dưới dạng .mp3, .m4a hoặc .ogg (điện thoại nào cũng mở được).",
        )
    path = _file_on_disk(path, doc, "audio", file, "tệp ghi âm")
    seconds = duration_seconds(path)
    if seconds is None or seconds <= 0:
        raise Invalid(
            f"không đọc được độ dài của tệp ghi âm '{file}' (tệp hỏng, hoặc đuôi tệp không "
            "đúng loại tệp).",
            "Mở tệp bằng máy tính hoặc điện thoại xem có nghe được không, rồi lưu lại thành "
            ".mp3, .m4a hoặc .ogg.",
        )
    return AudioFile(file, path.resolve(), path.stat().st_size, seconds)


def _file_on_disk(path: Path, doc: SourceDocument, key: str, file: str, what: str) -> Path:
    """The file a key names, matched by NFC (a Mac may keep "mẫu.pdf" decomposed on
    disk); Invalid on the line that names it when there is no such file."""
    found = on_disk(path)
    if found is not None and found.is_file():
        return found
    raise Invalid(
        f"không tìm thấy {what} '{file}' cạnh tệp thủ tục.",
        "Kiểm tra tên tệp (cả chữ hoa, chữ thường, dấu) và đặt tệp cạnh tệp thủ tục, "
        "hoặc sửa tên ở dòng này cho đúng tên tệp.",
        _line_naming(doc, key, file),
    )


def _line_naming(doc: SourceDocument, key: str, file: str) -> int | None:
    """The line of the front matter, from `key:` on, where `file` is written."""
    start = doc.line_of(key)
    source = on_disk(doc.path) if start else None
    if start is None or source is None or not source.is_file():
        return start
    lines = nfc(source.read_text(encoding="utf-8-sig", errors="replace")).split("\n")
    for number in range(start, min(len(lines), start + 200) + 1):
        if file in lines[number - 1] and (number == start or lines[number - 1][:1].isspace()):
            return number
    return start


def _languages(value: Any, doc: SourceDocument) -> tuple[Language, ...]:
    try:
        languages = parse_languages(value, lambda raw: _contacts(raw, doc))
        for language in languages:
            _language_limits(language)
        return languages
    except LanguageProblem as exc:
        line = None
        start = doc.line_of("languages")
        if exc.key and start and doc.path.is_file():
            text = doc.path.read_text(encoding="utf-8-sig", errors="replace")
            line = line_in_entry(text, start, exc.code, exc.key)
        raise Invalid(str(exc), exc.hint, line) from None


def _language_limits(language: Language) -> None:
    """A language's name, and the commune's texts in it, within the limits of the
    keys they translate (the posters in the language print them the same way)."""
    site_keys = {key.name: key for key in SITE_KEYS}
    checks = [(LANGUAGE_NAME, language.name, "name")]
    checks += [(site_keys[k], v, k if k != "name" else "site") for k, v in language.site]
    for key, text, line_key in checks:
        try:
            check_limits(key, text)
        except Invalid as exc:
            raise LanguageProblem(
                f"ngôn ngữ {language.code}, {key.name}: {exc}", exc.hint, line_key, language.code
            ) from None


LANGUAGE_NAME = next(key for key in LANGUAGE_KEYS if key.name == "name")


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
    "site-url": _site_url,
    "zalo-url": _zalo_url,
    "phone": _phone,
    "code": _code,
    "text-list": _text_list,
    "slug-list": _slug_list,
    "methods": _methods,
    "forms": _forms,
    "contacts": _contacts,
    "audio": _audio,
    "languages": _languages,
}


def convert_keys(
    doc: SourceDocument, keys: tuple[Key, ...], problems: Problems
) -> dict[str, Any] | None:
    """Convert every declared key; report unknown, missing and invalid ones.
    Returns None when a required key is missing or invalid."""
    known = {key.name: key for key in keys}
    for name, raw in doc.meta.items():
        if name not in known and (char := hidden_in([name, raw])) is not None:
            problems.error(
                doc.rel,
                f"Có ký tự điều khiển ẩn {hidden_name(char)} trong khóa '{name}'.",
                HIDDEN_HINT,
                doc.line_of(str(name)),
            )
        elif name not in known:
            guess = difflib.get_close_matches(str(name), known, n=1)
            hint = f"Có phải ý bạn là '{guess[0]}'?" if guess else "Xem danh sách khóa trong docs/."
            problems.warning(
                doc.rel, f"Khóa lạ '{name}' sẽ bị bỏ qua.", hint, doc.line_of(str(name))
            )
    values: dict[str, Any] = {}
    complete = True
    for key in keys:
        raw = doc.meta.get(key.name)
        try:
            value = _convert(key, raw, doc)
        except Invalid as exc:
            complete = complete and not key.required
            line = exc.line or doc.line_of(key.name)
            problems.error(doc.rel, f"'{key.name}': {exc}", exc.hint, line)
            continue
        if value is None or value in ("", ()):
            if key.required:
                complete = False
                problems.error(
                    doc.rel,
                    f"Thiếu khóa bắt buộc '{key.name}' ({key.help_vi})"
                    + (": chỉ có dấu cách hoặc ký tự ẩn." if raw not in (None, "", []) else "."),
                    f"Thêm dòng: {key.name}: {key.example}",
                    doc.line_of(key.name) or 1,
                )
            continue
        values[key.name] = value
    return values if complete else None


def _convert(key: Key, raw: Any, doc: SourceDocument) -> Any:
    """One key's value, typed; None when it is not written."""
    if raw is None or raw == "" or raw == []:
        return None
    if (char := hidden_in(raw)) is not None:
        raise Invalid(f"có ký tự điều khiển ẩn {hidden_name(char)}.", HIDDEN_HINT)
    value = CONVERTERS[key.kind](raw, doc)
    check_limits(key, value)
    low = key.minimum if key.minimum is not None else value
    high = key.maximum if key.maximum is not None else value
    if key.kind == "int" and not low <= value <= high:
        raise Invalid(
            f"{value} nằm ngoài khoảng cho phép ({key.minimum} đến {key.maximum}).",
            f"Ghi một số từ {key.minimum} đến {key.maximum}.",
        )
    return value


def check_limits(key: Key, value: Any) -> None:
    """Refuse a text longer than `key.max_length` characters, or a phone key with
    more than `key.max_items` numbers, saying the limit and why it is there."""
    why = f" ({key.limit_vi})" if key.limit_vi else ""
    if key.max_length is not None and isinstance(value, str) and len(value) > key.max_length:
        raise Invalid(
            f"dài {len(value)} ký tự, quá giới hạn {key.max_length} ký tự{why}.",
            f"Viết ngắn lại, tối đa {key.max_length} ký tự; điều cần giải thích thêm thì "
            "đưa vào nội dung trang.",
        )
    if key.max_items is not None and key.kind == "phone":
        count = len(phone_numbers(value))
        if count > key.max_items:
            raise Invalid(
                f"có {count} số, quá giới hạn {key.max_items} số{why}.",
                f"Chỉ ghi tối đa {key.max_items} số chính; các số khác đưa vào danh bạ (contacts).",
            )


def validate_config(
    doc: SourceDocument, problems: Problems, base_url: str | None
) -> SiteConfig | None:
    if base_url is not None:
        doc = SourceDocument(
            doc.rel, doc.path, {**doc.meta, "base_url": base_url}, key_lines=doc.key_lines
        )
    with processing(doc.rel):
        values = convert_keys(doc, SITE_KEYS, problems)
    if values is None:
        return None
    # Every printed code is built from this: checked and canonical (addresses.py).
    values["base_url"] = values["base_url"].rstrip("/") + "/"
    return SiteConfig(**values)


# What a resident needs first; a page without them sends people to the counter to ask.
RESIDENT_FACTS = {"documents": "giấy tờ cần mang", "processing_time": "thời gian", "fee": "lệ phí"}


def warn_missing_facts(doc: SourceDocument, procedure: Procedure, problems: Problems) -> None:
    if procedure.is_retired or procedure.retires_on:
        return
    front = procedure.front
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


def _dotted(number: int) -> str:
    """4600000 as Vietnamese writes it: 4.600.000."""
    return f"{number:,}".replace(",", ".")


def check_body(doc: SourceDocument, problems: Problems) -> bool:
    """Parse the body once (the page and the leaflet reuse the parse); False when
    it cannot be published."""
    if report_hidden(doc.body, doc.rel, problems, doc.body_line):
        return False  # read_text refuses these in a file; an importer's text comes here
    depth, line = raw_html_depth(doc.body)
    if depth > MAX_HTML_NESTING:
        problems.error(
            doc.rel,
            f"Thẻ HTML lồng nhau quá sâu ({depth} thẻ mở chưa đóng, tối đa {MAX_HTML_NESTING}).",
            "Viết bằng Markdown thay cho HTML, hoặc đóng từng thẻ (</div>) và bớt thẻ lồng "
            "nhau; thường do dán nguyên trang web hay tài liệu Word vào.",
            doc.body_line + line - 1,
        )
        return False
    document = markdown.parse(doc.body)
    if document.too_large:
        problems.error(
            doc.rel,
            f"Nội dung quá lớn: khoảng {_dotted(document.elements)} phần (đoạn, dòng, ô "
            f"bảng), tối đa {_dotted(markdown.MAX_ELEMENTS)}.",
            "Một trang thủ tục chỉ cần vài trăm phần. Viết gọn lại, tách thành nhiều thủ "
            "tục, hoặc đưa bảng lớn vào một tệp đính kèm (forms:).",
            doc.body_line,
        )
        return False
    if document.too_deep:
        problems.error(
            doc.rel,
            f"Danh sách hoặc trích dẫn lồng nhau quá sâu ({document.nesting} tầng, "
            f"tối đa {markdown.MAX_NESTING}).",
            "Viết gọn lại: tách thành nhiều danh sách, hoặc bớt dấu cách, dấu '>' đầu dòng.",
            doc.body_line + max(document.nesting_line, 1) - 1,
        )
        return False
    lint.check_raw_html(doc.rel, doc.body, doc.body_line, problems)
    lint.check_links(doc.rel, doc.body, doc.body_line, problems)
    return True


# Raw HTML tags open at once. The sanitiser's HTML parser takes time growing
# with the square of the nesting (CPU: 0.05 s for 4,096 nested <div>, 0.68 s
# for 16,384: python -c "import nh3, time; n = 16384; t = time.process_time();
# nh3.clean('<div>' * n + '</div>' * n); print(time.process_time() - t)");
# no page needs more than a few.
MAX_HTML_NESTING = 100
_HTML_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^<>]*?(/?)>")
VOID_TAGS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)


def raw_html_depth(body: str) -> tuple[int, int]:
    """(most tags open at once, 1-based line of the body where) over the raw
    HTML tags of `body`: an upper bound (tags inside code count too), in one pass."""
    depth = deepest = 0
    at = line = 1
    position = 0
    for match in _HTML_TAG.finditer(body):
        closing, name, self_closing = match.groups()
        if name.lower() in VOID_TAGS or self_closing:
            continue
        depth = max(depth - 1, 0) if closing else depth + 1
        if depth > deepest:
            at += body.count("\n", position, match.start())
            position = match.start()
            deepest, line = depth, at
    return deepest, line


def validate_procedure(
    doc: SourceDocument, field_slug: str, problems: Problems, today: date | None = None
) -> Procedure | None:
    """`today` decides whether a `retired:` date has come (default: the clock)."""
    with processing(doc.rel):
        values = convert_keys(doc, PROCEDURE_KEYS, problems)
        if values is None or not check_body(doc, problems):
            return None
        if "forms" in values and (forms := form_addresses(doc, values["forms"], problems)):
            values["forms"] = forms
        front = ProcedureFrontMatter(**values)
        retires_on = announce_retirement(doc, front, today or clock.today(), problems)
        code_line = doc.line_of("code") or 1
        links = lint.code_links(doc.body)
        summary = summarise(front, doc.rel, field_slug, doc.body_line, code_line, retires_on, links)
        procedure = Procedure(front, doc.body, summary, doc.path)
        warn_missing_facts(doc, procedure, problems)
        lint.check_procedure(doc.rel, front.updated, front.local, doc.key_lines, problems)
        return procedure


def announce_retirement(
    doc: SourceDocument, front: ProcedureFrontMatter, today: date, problems: Problems
) -> date | None:
    """A `retired:` date still to come: a notice now, the retirement on that day.
    Returns the date when it is in the future."""
    if front.retired is None or front.retired <= today:
        return None
    what = (
        f"thủ tục mới {front.replaced_by} thay thế thủ tục này"
        if front.replaced_by
        else "thủ tục này bị bãi bỏ"
    )
    day = front.retired.strftime("%d/%m/%Y")
    problems.notice(
        doc.rel,
        f"retired: {front.retired.isoformat()} là ngày chưa tới: trang vẫn hiện thủ tục như "
        f"bình thường; từ ngày {day}, {what}.",
        f"Trang chỉ đổi khi được dựng lại vào ngày {day} hoặc sau đó: nhớ chạy "
        "python build.py build (hoặc cho CI dựng lại) vào ngày ấy.",
        doc.line_of("retired"),
    )
    return front.retired


def form_addresses(
    doc: SourceDocument, forms: tuple[FormFile, ...], problems: Problems
) -> tuple[FormFile, ...] | None:
    """Each form of one procedure at its own address: its file name, or when two
    different files share a name, as many of their folders as tell them apart.
    None (and an error) when two files cannot be told apart in an address:
    names that differ only in capitals, which a Windows or macOS checkout of
    the output, and many hosts, hold as one file."""
    root = _site_root(doc)
    by_name: dict[str, set[Path]] = {}
    for form in forms:
        by_name.setdefault(form.source_path.name.casefold(), set()).add(form.source_path)
    names: dict[Path, str] = {}
    for same_name in by_name.values():
        names.update(_distinct_names(same_name, root) if len(same_name) > 1 else {})
    named = [
        replace(form, name=names.get(form.source_path, form.source_path.name)) for form in forms
    ]
    addresses: dict[str, FormFile] = {}
    folders: dict[str, FormFile] = {}  # every folder of an address, by the form that has it
    for form in named:
        other = _clash(form, addresses, folders)
        if other is not None:
            problems.error(
                doc.rel,
                f"Tệp mẫu '{form.file}' và '{other.file}' không thể cùng có địa chỉ tải về: "
                f"'{form.name}' và '{other.name}' là một với máy chủ và với Windows.",
                "Đổi tên một trong hai tệp (tên chỉ khác nhau chữ hoa, chữ thường vẫn là trùng).",
                doc.line_of("forms"),
            )
            return None
        key = form.name.casefold()
        addresses[key] = form
        parts = key.split("/")
        for length in range(1, len(parts)):
            folders.setdefault("/".join(parts[:length]), form)
    return tuple(named)


def _clash(
    form: FormFile, addresses: dict[str, FormFile], folders: dict[str, FormFile]
) -> FormFile | None:
    """Another form whose address is this one's (ignoring case), or a folder of
    it, or has it as a folder ("a.pdf" and "a.pdf/b.pdf"): one path cannot be
    two files, or a file and a folder."""
    key = form.name.casefold()
    same = addresses.get(key)
    if same is not None:
        return None if same.source_path == form.source_path else same
    parts = key.split("/")
    for length in range(1, len(parts)):
        if (parent := addresses.get("/".join(parts[:length]))) is not None:
            return parent
    return folders.get(key)


def _distinct_names(same_name: set[Path], root: Path) -> dict[Path, str]:
    """For files of one name, the shortest tail of each path (relative to the
    site) that no other of them ends with, ignoring case; a path with no such
    tail keeps all of it. Tails are counted per length: linear in the files."""
    parts = {path: _parts_under(path, root) for path in same_name}
    names: dict[Path, str] = {}
    for length in range(1, max(len(p) for p in parts.values()) + 1):
        tails = Counter(tuple(x.casefold() for x in p[-length:]) for p in parts.values())
        for path, own in parts.items():
            unique = tails[tuple(x.casefold() for x in own[-length:])] == 1
            if path not in names and (unique or length >= len(own)):
                names[path] = "/".join(own[-length:])
        if len(names) == len(parts):
            break
    return names


def _parts_under(path: Path, root: Path) -> tuple[str, ...]:
    resolved = root.resolve()
    return path.relative_to(resolved).parts if path.is_relative_to(resolved) else path.parts


def validate_field(sources: FieldSources, problems: Problems) -> Field | None:
    slug = slugify(sources.folder)
    procedures = tuple(
        p
        for doc in sources.procedures
        if (p := validate_procedure(doc, slug, problems)) is not None
    )
    if sources.index is None:
        return None
    return validate_field_index(sources.index, sources.folder, procedures, problems)


def validate_field_index(
    index: SourceDocument, folder: str, procedures: tuple[Procedure, ...], problems: Problems
) -> Field | None:
    """The field of `folder` from its _index.md, holding `procedures`."""
    slug = slugify(folder)
    with processing(index.rel):
        values = convert_keys(index, FIELD_KEYS, problems)
        if values is None or not check_body(index, problems):
            return None
    if not slug:
        problems.error(
            index.rel,
            "Tên thư mục lĩnh vực không dùng được làm địa chỉ.",
            "Đặt tên thư mục bằng chữ, ví dụ ho-tich.",
        )
        return None
    return Field(slug, FieldFrontMatter(**values), index.body, index.rel, procedures)


def check_unique_codes(
    fields: list[Field], problems: Problems, root: Path | None = None, home: str = ""
) -> None:
    """A code written in two files: the error goes to the file that does not own
    it (permanence.published_claim: published-urls.txt, then git), because the
    printed codes lead to the other; the fix is never to delete the owner."""
    by_code: dict[str, list[Procedure]] = {}
    for procedure in (p for f in fields for p in f.procedures):
        by_code.setdefault(procedure.code, []).append(procedure)
    for code, claimants in by_code.items():
        if len(claimants) < 2:
            continue
        if root is None:
            claim = Claim(claimants[0], "là tệp đầu tiên theo thứ tự tên")
        else:
            claim = published_claim(code, claimants, root, home)
        for procedure in claimants:
            if procedure is not claim.keeper:
                report_duplicate(procedure, claim, problems)


def report_duplicate(procedure: Procedure, claim: Claim, problems: Problems) -> None:
    keeper = claim.keeper.source
    problems.error(
        procedure.source,
        f"Mã thủ tục {procedure.code} trùng với tệp {keeper}, tệp giữ mã này ({claim.reason}).",
        f"Mỗi thủ tục chỉ có một tệp, một mã. Đừng xóa hay đổi mã của {keeper}: mã QR đã in "
        "dẫn tới đó. Cho tệp này mã riêng của thủ tục mới (chép đúng từ Cổng dịch vụ công "
        f"quốc gia); nếu hai tệp là cùng một thủ tục, chép nội dung sang {keeper} rồi xóa "
        "tệp này.",
        procedure.code_line,
    )


def check_code_links(fields: list[Field], problems: Problems) -> None:
    """Links to /<code>/ that no procedure of the site has (from the summaries)."""
    procedures = [p for f in fields for p in f.procedures]
    links = [
        (p.source, code, p.summary.body_line + line - 1)
        for p in procedures
        for code, line in p.summary.code_links
    ]
    if links:
        lint.check_code_links(links, {p.code for p in procedures}, problems)


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
    return assemble_site(sources.root, config, sources.config, fields, problems, sources.home)


def assemble_site(
    root: Path,
    config: SiteConfig | None,
    config_doc: SourceDocument | None,
    fields: list[Field],
    problems: Problems,
    home: str = "",
) -> Site | None:
    """The site from its validated parts, after the checks across files (one
    file per code, one folder per address, exclude); None when there were errors."""
    check_unique_codes(fields, problems, root, home)
    check_unique_slugs(fields, problems)
    check_code_links(fields, problems)
    if config is None or problems.errors:
        return None
    fields = drop_excluded(fields, config.exclude, config_doc, problems)
    fields.sort(key=lambda f: (f.front.order if f.front.order is not None else 10**6, f.slug))
    if not any(field.procedures for field in fields):
        problems.warning(
            f"{home}/procedures" if home else "procedures",
            "Trang chưa có thủ tục nào: không có tệp .md nào được đọc trong procedures/.",
            "Mỗi thủ tục là một tệp .md trong một thư mục lĩnh vực, ví dụ "
            "procedures/ho-tich/dang-ky-khai-sinh.md (tạo bằng: python build.py new).",
        )
    return Site(root, config, tuple(fields), home=home)


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
