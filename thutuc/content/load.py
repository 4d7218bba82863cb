"""Load stage: find the site's files and read them into front matter + body.

Nothing here knows what a procedure is; it turns files into `SourceDocument`s
and reports what cannot be read (encoding, YAML, missing `---`, symlinks).
All text comes out NFC-normalised, with CRLF turned into LF and any BOM dropped.

Whatever an editor commits, loading takes time linear in its size and never
hangs: only regular files are opened (a FIFO named `x.md` would block a read
for ever), each up to a size limit; YAML is measured event by event before it
is composed, so an alias bomb or a nesting of thousands of levels is refused
in a few milliseconds instead of expanding to gigabytes; folders are walked
without recursion. Control and bidi-override characters are refused with
their line. Files that look like content but are not read (`x.MD`,
`x.md.txt`, `_drafts/`) are listed in one warning.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thutuc.content import lint
from thutuc.content.files import (
    CLUTTER_NAMES,
    CLUTTER_PREFIXES,
    OPEN_HINT,
    PROCEDURES_DIR,
    os_reason,
    read_regular_file,
    too_big,
)
from thutuc.content.plain_yaml import read_plain_front_matter
from thutuc.content.text import nfc, nfc_deep
from thutuc.problems import Problems
from thutuc.processing import processing

if TYPE_CHECKING:
    import yaml

SITE_FILE = "site.yml"
FIELD_INDEX = "_index.md"

# Size limits, per file. The largest record of the national database is 77 KB
# as JSON (`ls -S ../shared/data/national-procedures`), its body well under
# that; 8 MiB is a hundred times more, leaves room for the leaflet's 2 MB-body
# test, and a site with such a body checks and builds in 1.4 s of CPU
# (`python bench/bench_limits.py`).
MAX_MARKDOWN_BYTES = 8 * 1024 * 1024
MAX_YAML_BYTES = 1024 * 1024  # site.yml, province.yml: names, contacts, a few addresses
# YAML: nodes after expanding every alias (`*name`), and nesting levels. A
# national record's front matter has a few hundred nodes and 4 levels; a
# ten-line alias bomb expands to 9**9 (387 million) nodes.
MAX_YAML_NODES = 20_000
MAX_YAML_DEPTH = 20

CONVERT_HINT = (
    "Mở tệp bằng Notepad hoặc VS Code, chọn Lưu với mã hóa UTF-8 "
    "(Save with Encoding → UTF-8). Trên dòng lệnh: "
    "iconv -f WINDOWS-1258 -t UTF-8 tệp-cũ > tệp-mới. "
    "Tệp TCVN3/VNI cần Unikey (Công cụ chuyển mã) để chuyển sang Unicode."
)


@dataclass(frozen=True)
class SourceDocument:
    """One Markdown or YAML file, read and split, not yet validated."""

    rel: str  # path relative to the site folder, with "/" separators
    path: Path
    meta: dict[str, Any]
    body: str = ""
    body_line: int = 1
    key_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key)


@dataclass(frozen=True)
class FieldSources:
    folder: str  # the folder name as written (NFC)
    index: SourceDocument | None
    procedures: tuple[SourceDocument, ...]


@dataclass(frozen=True)
class SiteSources:
    root: Path
    config: SourceDocument | None
    fields: tuple[FieldSources, ...]
    home: str = ""  # folder of the site's own files under root: "" or "communes/<xã>"


def relative(root: Path, path: Path) -> str:
    return nfc(path.relative_to(root).as_posix())


def is_inside(root: Path, path: Path) -> bool:
    """True when `path`, with every symlink followed, stays inside `root`."""
    return path.resolve().is_relative_to(root.resolve())


def read_text(
    root: Path,
    path: Path,
    problems: Problems,
    data: bytes | None = None,
    limit: int = MAX_MARKDOWN_BYTES,
) -> str | None:
    """Read a UTF-8 file (BOM and CRLF allowed), NFC; report anything else.
    `data`: the file's bytes (at most limit + 1 of them) when the caller has them."""
    rel = relative(root, path)
    if data is None:
        data = read_regular_file(path, rel, problems, limit)
    elif len(data) > limit:
        too_big(rel, len(data), limit, problems)
        data = None
    if data is None:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.error(rel, "Tệp không phải UTF-8 (mã hóa cũ?).", CONVERT_HINT, line)
        return None
    text = nfc(text.replace("\r\n", "\n").replace("\r", "\n"))
    if report_hidden(text, rel, problems):
        return None
    report_legacy_font(text, rel, problems)
    return text


# Characters no editor means to type, that reach the HTML or the print SVG
# unseen: C0 controls but tab and newline, DEL, C1 controls (an escape makes
# the SVG invalid XML), and the bidi controls that reverse or isolate text
# (U+202A–U+202E, U+2066–U+2069, and the marks U+061C, U+200E, U+200F).
HIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)
HIDDEN_HINT = (
    "Ký tự này không nhìn thấy nhưng làm hỏng trang (hoặc đảo chiều chữ); thường do chép "
    "từ Word, PDF hay trang web. Xóa nó: gõ lại đoạn đó, hoặc trong VS Code bật "
    "View → Appearance → Render Control Characters để thấy nó."
)


CONTROL_NAMES = {0: "NUL", 8: "BACKSPACE", 0x0B: "LINE TABULATION", 0x0C: "FORM FEED", 0x1B: "ESC"}


def hidden_name(char: str) -> str:
    name = unicodedata.name(char, "") or CONTROL_NAMES.get(ord(char), "ký tự điều khiển")
    return f"U+{ord(char):04X} ({name})"


def report_hidden(text: str, rel: str, problems: Problems, first_line: int = 1) -> bool:
    """One error naming the first hidden character of `text` and the lines of the
    others; True when there was one."""
    matches = HIDDEN.finditer(text)
    found = next(matches, None)
    if found is None:
        return False
    line = first_line + text.count("\n", 0, found.start())
    column = found.start() - text.rfind("\n", 0, found.start())
    others: list[int] = []  # lines of the others, counted on from the last one (linear)
    at, counted = found.start(), line
    for match in matches:
        counted += text.count("\n", at, match.start())
        at = match.start()
        if counted != line and (not others or others[-1] != counted):
            others.append(counted)
    more = ""
    if others:
        shown = ", ".join(str(n) for n in others[:10]) + (", …" if len(others) > 10 else "")
        more = f" Còn ở dòng {shown}."
    problems.error(
        rel,
        f"Có ký tự điều khiển ẩn {hidden_name(found.group())} ở cột {column}.{more}",
        HIDDEN_HINT,
        line,
    )
    return True


# Text typed with a TCVN3 (.VnTime) or VNI font and pasted into a UTF-8 file: each
# Vietnamese letter became a Latin-1 character that no Vietnamese word holds
# ("Đăng" is "§¨ng" in TCVN3, "Ñaêng" in VNI). Letters Vietnamese does use (à, á,
# â, ã, è, é, ê, ì, í, ò, ó, ô, õ, ù, ú, ý), and signs that stand beside words
# (° « » · © ® ± × ÷), are not suspect.
_VIETNAMESE_LATIN1 = "àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ°«»·©®±×÷"
LEGACY_FONT_CHAR = re.compile(
    "[" + "".join(chr(c) for c in range(0xA1, 0x100) if chr(c) not in _VIETNAMESE_LATIN1) + "]"
)
_WORD_EDGES = "«»“”‘’\"'()[]{},.;:!?…-–—*_`"
LEGACY_FONT_WORDS = 3  # a foreign name ("Müller") is one word; pasted text has many
LEGACY_FONT_HINT = (
    "Đoạn này có vẻ được chép từ văn bản gõ bằng phông TCVN3 (.VnTime) hoặc VNI, nên "
    "trên điện thoại chữ hiện sai. Chép đoạn gốc, dùng Unikey → Công cụ chuyển mã (nguồn "
    "TCVN3 hoặc VNI Windows, đích Unicode), rồi dán lại."
)


def report_legacy_font(text: str, rel: str, problems: Problems) -> None:
    """One warning when `text` holds words typed in a legacy Vietnamese font:
    at least LEGACY_FONT_WORDS words mixing ASCII letters with characters no
    Vietnamese word has, named with the line of the first."""
    if LEGACY_FONT_CHAR.search(text) is None:  # nearly every file: one scan
        return
    words: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if LEGACY_FONT_CHAR.search(line) is None:
            continue
        for token in line.split():
            word = token.strip(_WORD_EDGES)
            if LEGACY_FONT_CHAR.search(word) and any("a" <= c.lower() <= "z" for c in word):
                words.setdefault(word, number)
    if len(words) < LEGACY_FONT_WORDS:
        return
    shown = ", ".join(f"'{w}'" for w in list(words)[:LEGACY_FONT_WORDS])
    problems.warning(
        rel,
        f"Có {len(words)} chữ gõ bằng phông cũ, ví dụ {shown}.",
        LEGACY_FONT_HINT,
        next(iter(words.values())),
    )


def hidden_in(value: Any) -> str | None:
    """The first hidden character in any string of a parsed YAML value (YAML's
    own escapes, such as "\\e" or "\\u202e", make them from plain text)."""
    if isinstance(value, str):
        found = HIDDEN.search(value)
        return found.group() if found else None
    items = value.items() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        for part in item if isinstance(value, dict) else (item,):
            if (char := hidden_in(part)) is not None:
                return char
    return None


# Letters that draw nothing (Hangul fillers, the braille blank): a title of them is empty.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def is_visible(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNPS" and char not in _BLANK_LETTERS


def visible_text(text: str) -> str:
    """`text` without the spaces and invisible characters around it; "" when
    nothing in it can be seen (spaces, zero-width spaces, a lone accent)."""
    first, last = text[:1], text[-1:]
    if first.isalnum() and last.isalnum() and not {first, last} & _BLANK_LETTERS:
        return text  # the common case, a word at each end: nothing to trim
    start, end = 0, len(text)
    while start < end and not is_visible(text[start]) and not _is_mark(text[start]):
        start += 1
    while end > start and not is_visible(text[end - 1]) and not _is_mark(text[end - 1]):
        end -= 1
    text = text[start:end]
    return text if any(is_visible(ch) for ch in text) else ""


def _is_mark(char: str) -> bool:
    return unicodedata.category(char)[0] == "M"


@cache
def _loader_class() -> type:
    """PyYAML's base loader, imported at first use: most front matter is read
    without it (plain_yaml.py), and a rebuild with nothing changed then needs no
    YAML at all (the import is 15-25 ms).

    libyaml's parser, when PyYAML has it, reads front matter about 18x faster
    (a province catalogue is thousands of lines of YAML); same nodes and marks.
    Every scalar stays a string: `code: 1.001190` must not become a float and
    lose its last zero, and dates are parsed by validate with clear errors."""
    import yaml

    return getattr(yaml, "CBaseLoader", yaml.BaseLoader)


# PyYAML's messages, in the words of an editor; the original English is kept as
# the problem's detail, shown with --verbose, so it can still be looked up.
YAML_PROBLEMS = (
    (
        "mapping values are not allowed",
        "có dấu ':' ở chỗ không được có; văn bản có dấu ':' phải đặt trong ngoặc kép",
    ),
    (
        "cannot start any token",
        "có ký tự không được đứng đầu, thường là phím Tab; hãy thụt lề bằng dấu cách",
    ),
    ("expected ',' or ']'", "mở '[' mà thiếu ']' để đóng"),
    ("expected ',' or '}'", "mở '{' mà thiếu '}' để đóng"),
    ("could not find expected ':'", "thiếu dấu ':' sau tên khóa"),
    ("found unexpected end of stream", "mở ngoặc kép mà thiếu ngoặc kép đóng"),
    ("expected <block end>", "thụt lề không đều; các dòng cùng cấp phải thẳng hàng"),
    ("found unhashable key", "tên khóa phải là một chữ, không phải danh sách hay nhóm"),
    ("found undefined alias", "có *tên mà không có &tên nào trước đó"),
    ("found duplicate anchor", "cùng một &tên được đặt hai lần"),
    ("expected a single document", "có thêm một dòng --- ở giữa"),
    ("exceeded maximum nesting depth", "ngoặc [ hoặc { lồng nhau quá sâu"),
)


def explain_yaml_problem(problem: str) -> str:
    """The editor's words for a PyYAML problem, or a plain fallback."""
    for english, vietnamese in YAML_PROBLEMS:
        if english in problem:
            return vietnamese
    return "có chỗ viết sai ở dòng này"


def parse_yaml(
    text: str, rel: str, problems: Problems, first_line: int = 1
) -> tuple[Any, dict[str, int]] | None:
    """Parse YAML into (data, line of each top-level key), or report the error and
    return None. `first_line` is the file line where `text` starts."""
    plain = read_plain_front_matter(text, MAX_YAML_NODES)
    if plain is not None:
        values, lines = plain
        return nfc_deep(values), {key: first_line + line for key, line in lines.items()}
    import yaml

    try:
        if not _plainly_bounded(text) and (too_big := _measure_yaml(text)) is not None:
            message, line = too_big
            problems.error(rel, message, YAML_SIZE_HINT, first_line + line)
            return None
        node, data = read_with_pyyaml(text)
    except yaml.YAMLError as exc:
        _report_yaml_error(exc, rel, problems, first_line)
        return None
    key_lines = _key_lines(node, first_line, rel, problems)
    lint.check_yaml_comments(rel, text, node, first_line, problems)
    return nfc_deep(data), key_lines


def read_with_pyyaml(text: str) -> tuple[Any, Any]:
    """(node, data) of `text` as PyYAML's base loader reads it; raises yaml.YAMLError."""
    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _report_yaml_error(exc: yaml.YAMLError, rel: str, problems: Problems, first_line: int) -> None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = first_line + mark.line if mark is not None else None
    english = getattr(exc, "problem", None) or str(exc)
    problem = explain_yaml_problem(english)
    context = getattr(exc, "context_mark", None)
    if context is not None and mark is not None and context.line != mark.line:
        problem += f" (phần bắt đầu ở dòng {first_line + context.line})"
    problems.error(
        rel,
        f"Viết sai cú pháp YAML: {problem}.",
        "Kiểm tra dấu hai chấm sau tên khóa, thụt lề bằng dấu cách (không dùng Tab), "
        "và đặt văn bản có dấu ':' hoặc '#' trong ngoặc kép.",
        line,
        detail=english,
    )


YAML_SIZE_HINT = (
    "Phần đầu chỉ cần các dòng 'khóa: giá trị' và danh sách ngắn. Không dùng &tên và *tên "
    "(tham chiếu) của YAML; viết thẳng giá trị ra."
)


def _line(event: yaml.Event) -> int:
    return event.start_mark.line if event.start_mark is not None else 0


def _plainly_bounded(text: str) -> bool:
    """True when `text` cannot hold an alias, a flow collection, more than
    MAX_YAML_NODES values or more than MAX_YAML_DEPTH levels, so the counting
    pass below is not needed (it costs a parse of its own; most front matter
    is plain 'key: value' lines and '- ' lists). In block style each level of
    nesting takes a column of indentation or an indicator on its line."""
    if any(mark in text for mark in "&*[]{}"):
        return False
    lines = text.split("\n")
    indicators = text.count("- ") + text.count(": ") + text.count("? ")
    if 2 * (len(lines) + indicators) > MAX_YAML_NODES:
        return False
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        on_line = line.count("- ") + line.count(": ") + line.count("? ")
        if indent + on_line >= MAX_YAML_DEPTH:
            return False
    return True


def _measure_yaml(text: str) -> tuple[str, int] | None:
    """(problem, 0-based line) when `text` nests deeper than MAX_YAML_DEPTH or
    expands, with every alias in place, to more than MAX_YAML_NODES nodes.

    PyYAML composes an alias as the same node again (a graph, cheap), but
    every walk over the result (NFC, validation, rendering) expands it: ten
    lines of aliases make 9**9 nodes. Counted here from the parser's events,
    in one pass without recursion, stopping at the limit."""
    import yaml

    loader = _loader_class()(text)
    sizes: dict[str, int] = {}  # anchor → its node's expanded size
    open_nodes: list[tuple[str | None, int]] = []  # (anchor, count at its start)
    count = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                if event.anchor in (anchor for anchor, _ in open_nodes):
                    return (
                        f"*{event.anchor} trỏ vào chính phần đang chứa nó (vòng lặp).",
                        _line(event),
                    )
                count += sizes.get(event.anchor or "", 1)
            elif isinstance(event, yaml.ScalarEvent):
                count += 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.CollectionStartEvent):
                count += 1
                open_nodes.append((event.anchor, count))
                if len(open_nodes) > MAX_YAML_DEPTH:
                    return (
                        f"Phần YAML lồng nhau quá sâu (hơn {MAX_YAML_DEPTH} tầng).",
                        _line(event),
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, start = open_nodes.pop()
                if anchor is not None:
                    sizes[anchor] = count - start + 1
            if count > MAX_YAML_NODES:
                return (
                    f"Phần YAML quá lớn: hơn {MAX_YAML_NODES:,} giá trị".replace(",", ".")
                    + (" khi mở hết các tham chiếu *tên." if sizes else "."),
                    _line(event),
                )
    finally:
        loader.dispose()
    return None


def _key_lines(node: Any, first_line: int, rel: str, problems: Problems) -> dict[str, int]:
    """Line of each top-level key; reports a key written twice."""
    import yaml

    lines: dict[str, int] = {}
    if not isinstance(node, yaml.MappingNode):
        return lines
    for key_node, _ in node.value:
        line = first_line + key_node.start_mark.line
        if not isinstance(key_node, yaml.ScalarNode):
            problems.error(
                rel,
                "Tên khóa phải là một chữ, không phải danh sách hay nhóm.",
                "Viết mỗi dòng theo dạng tên-khóa: giá trị.",
                line,
            )
            continue
        key = nfc(str(key_node.value))
        if key in lines:
            problems.error(
                rel,
                f"Khóa '{key}' được viết hai lần (dòng {lines[key]} và {line}).",
                "Xóa một trong hai dòng.",
                line,
            )
        lines.setdefault(key, line)
    return lines


def read_markdown(
    root: Path, path: Path, problems: Problems, data: bytes | None = None
) -> SourceDocument | None:
    """Read a Markdown file with YAML front matter between `---` lines."""
    rel = relative(root, path)
    with processing(rel):
        return _read_markdown(root, path, rel, problems, data)


def _read_markdown(
    root: Path, path: Path, rel: str, problems: Problems, data: bytes | None = None
) -> SourceDocument | None:
    text = read_text(root, path, problems, data)
    if text is None:
        return None
    if not text.strip():
        problems.error(rel, "Tệp trống.", "Thêm phần đầu (front matter) giữa hai dòng ---.")
        return None
    lines = text.split("\n")
    if lines[0].strip() != "---":
        problems.error(
            rel,
            "Không tìm thấy phần đầu (front matter).",
            "Dòng đầu tiên của tệp phải là ---, rồi các khóa như code:, title:, "
            "rồi một dòng --- nữa. Bạn có quên dòng --- không?",
            1,
        )
        return None
    closing = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if closing is None:
        problems.error(
            rel,
            "Phần đầu mở bằng --- ở dòng 1 nhưng không có dòng --- để đóng.",
            "Thêm một dòng chỉ có --- sau khóa cuối cùng, trước nội dung.",
            1,
        )
        return None
    parsed = parse_yaml("\n".join(lines[1:closing]), rel, problems, first_line=2)
    if parsed is None:
        return None
    meta, key_lines = parsed
    meta = {} if meta is None else meta
    if not isinstance(meta, dict):
        problems.error(
            rel, "Phần đầu phải là các dòng 'khóa: giá trị'.", "Ví dụ: title: Đăng ký khai sinh", 2
        )
        return None
    body = "\n".join(lines[closing + 1 :])
    lint.check_body_keys(rel, body, closing + 2, problems)
    return SourceDocument(rel, path, meta, body, closing + 2, key_lines)


def read_site_config(root: Path, problems: Problems) -> SourceDocument | None:
    path = root / SITE_FILE
    if not path.exists() and not path.is_symlink():
        problems.error(
            SITE_FILE,
            "Không có tệp site.yml trong thư mục trang.",
            "Tạo site.yml với ít nhất name: (tên xã) và base_url: (địa chỉ trang, https://...).",
        )
        return None
    text = read_text(root, path, problems, limit=MAX_YAML_BYTES)
    if text is None:
        return None
    parsed = parse_yaml(text, SITE_FILE, problems)
    if parsed is None:
        return None
    meta, key_lines = parsed
    if not isinstance(meta, dict):
        problems.error(
            SITE_FILE, "site.yml phải là các dòng 'khóa: giá trị'.", "Ví dụ: name: Xã Tam Thanh", 1
        )
        return None
    return SourceDocument(SITE_FILE, path, meta, key_lines=key_lines)


# Names editors' tools leave beside real files: never content, never reported.
# What a Markdown file is called by tools that are not ours.
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn")


def _visible(name: str) -> bool:
    """Hidden from the site: names starting with '.', '_' or '~' (drafts, backups)."""
    return not name.startswith((".", "_", "~"))


def _clutter(name: str) -> bool:
    return name in CLUTTER_NAMES or name.startswith(CLUTTER_PREFIXES) or name.endswith("~")


def _children(folder: Path) -> list[Path]:
    return sorted((p for p in folder.iterdir() if _visible(p.name)), key=lambda p: nfc(p.name))


def _safe(root: Path, path: Path, problems: Problems) -> bool:
    try:
        if is_inside(root, path):
            return True
    except (OSError, RuntimeError):  # a symlink loop
        pass
    problems.error(
        relative(root, path),
        "Liên kết tượng trưng (symlink) trỏ ra ngoài thư mục trang.",
        "Chép tệp thật vào thư mục trang thay cho symlink.",
    )
    return False


def looks_like_markdown(name: str) -> str:
    """Why a file that is not read may still be meant as a page, or ""."""
    folded = name.casefold()
    if folded.endswith((".md.txt", ".markdown.txt")):
        return "tên có thêm đuôi .txt (Notepad tự thêm khi lưu): bỏ .txt ở cuối tên"
    suffix = os.path.splitext(folded)[1]
    if suffix in MARKDOWN_SUFFIXES and not name.endswith(".md"):
        return f"đuôi tệp là {os.path.splitext(name)[1]}: chỉ đọc tệp có đuôi .md viết thường"
    return ""


class SkippedContent:
    """Files and folders that look like content but are not read, for one warning:
    an editor who saved `x.md.txt` must not see an empty site called good."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, rel: str, why: str) -> None:
        self.items.append((rel, why))

    def report(self, where: str, problems: Problems) -> None:
        if not self.items:
            return
        lines = "".join(f"\n    - {rel}: {why}" for rel, why in sorted(self.items))
        problems.warning(
            where,
            f"{len(self.items)} tệp hoặc thư mục trông như nội dung nhưng không được đọc:{lines}",
            "Đổi tên như ghi ở từng dòng nếu muốn đăng. Tệp và thư mục có tên bắt đầu bằng "
            "'.', '_' hoặc '~' là bản nháp, không bao giờ được đăng.",
        )


def _walk(root: Path, folder: Path, problems: Problems) -> list[Path]:
    """Every entry under `folder` (depth first, without recursion), not
    descending into hidden folders, clutter, or a symlinked folder seen
    before or outside `root`. Unreadable folders are reported."""
    found: list[Path] = []
    seen: set[Path] = set()
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            real = current.resolve()
            entries = list(os.scandir(current))
        except (OSError, RuntimeError) as exc:
            reason = os_reason(exc) if isinstance(exc, OSError) else "symlink trỏ vòng"
            problems.error(relative(root, current), f"Không đọc được thư mục: {reason}.", OPEN_HINT)
            continue
        if real in seen:
            continue
        seen.add(real)
        for entry in entries:
            path = current / entry.name
            if _clutter(entry.name):
                continue
            found.append(path)
            if _visible(entry.name) and _is_folder(entry) and _safe(root, path, problems):
                pending.append(path)
    return found


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _markdown_files(
    root: Path, folder: Path, problems: Problems, skipped: SkippedContent
) -> list[Path]:
    """The .md files under a field folder that are pages, sorted; the others
    that look like pages go to `skipped`."""
    pages = []
    for path in _walk(root, folder, problems):
        parts = path.relative_to(folder).parts
        name = nfc(path.name)
        hidden = next((p for p in parts[:-1] if not _visible(p)), None)
        if hidden is not None:
            continue  # a hidden folder: reported once, below
        if path.is_dir():
            if not _visible(name) and _holds_markdown(path):
                skipped.add(
                    relative(root, path) + "/", "thư mục nháp (tên bắt đầu bằng '.' hoặc '_')"
                )
            continue
        if _is_translation(path):  # ket-hon.en.md, _index.en.md: content/project.py reads them
            continue
        if name.endswith(".md") and _visible(name):
            pages.append(path)
        elif name == FIELD_INDEX and len(parts) > 1:
            skipped.add(relative(root, path), "chỉ _index.md ngay trong thư mục lĩnh vực được đọc")
        elif name.endswith(".md") and name != FIELD_INDEX:
            skipped.add(relative(root, path), "tên bắt đầu bằng '.', '_' hoặc '~' (bản nháp)")
        elif why := looks_like_markdown(name):
            skipped.add(relative(root, path), why)
    return sorted(pages, key=lambda p: nfc(p.as_posix()))


def _holds_markdown(folder: Path, limit: int = 10_000) -> bool:
    """True when a hidden folder holds a Markdown file (looked at up to `limit` entries)."""
    pending, looked = [folder], 0
    while pending and looked < limit:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue
        for entry in entries:
            looked += 1
            if entry.name.casefold().endswith((*MARKDOWN_SUFFIXES, ".md.txt")):
                return True
            if _is_folder(entry) and not entry.is_symlink():
                pending.append(Path(entry.path))
    return False


def load_field(
    root: Path,
    folder: Path,
    problems: Problems,
    index_required: bool = True,
    skipped: SkippedContent | None = None,
) -> FieldSources:
    """`index_required=False` for a commune's override folder in province mode,
    whose field title may come from the shared catalogue."""
    index_path = folder / FIELD_INDEX
    index = None
    if (index_path.exists() or index_path.is_symlink()) and _safe(root, index_path, problems):
        index = read_markdown(root, index_path, problems)
    elif not index_path.exists() and index_required:
        problems.error(
            relative(root, folder),
            "Thư mục lĩnh vực thiếu tệp _index.md.",
            "Tạo _index.md với phần đầu có title: (tên lĩnh vực).",
        )
    docs = []
    for path in _markdown_files(root, folder, problems, skipped or SkippedContent()):
        if _safe(root, path, problems) and (doc := read_markdown(root, path, problems)):
            docs.append(doc)
    return FieldSources(nfc(folder.name), index, tuple(docs))


def _is_translation(path: Path) -> bool:
    from thutuc.content.languages import translation_suffix

    found = translation_suffix(path.name)
    return found is not None and (path.parent / f"{found[0]}.md").is_file()


def load_site(root: Path, problems: Problems) -> SiteSources:
    """Read site.yml and every Markdown file under procedures/."""
    config = read_site_config(root, problems)
    base = root / PROCEDURES_DIR
    if not base.is_dir():
        problems.error(
            PROCEDURES_DIR,
            "Không có thư mục procedures/.",
            "Tạo thư mục procedures/ và một thư mục con cho mỗi lĩnh vực.",
        )
        return SiteSources(root, config, ())
    return SiteSources(root, config, load_fields(root, base, problems))


def load_fields(
    root: Path, base: Path, problems: Problems, index_required: bool = True
) -> tuple[FieldSources, ...]:
    """Every field folder under `base` (a procedures/ folder); paths stay relative
    to `root`, which in province mode is the province folder. Files that look
    like content but are not read are listed in one warning."""
    fields: list[FieldSources] = []
    skipped = SkippedContent()
    for child in sorted(base.iterdir(), key=lambda p: nfc(p.name)):
        name = nfc(child.name)
        if _clutter(name):
            continue
        if not _visible(name):
            if child.is_dir() and _holds_markdown(child):
                skipped.add(
                    relative(root, child) + "/", "thư mục nháp (tên bắt đầu bằng '.' hoặc '_')"
                )
            elif name.endswith(".md"):
                skipped.add(relative(root, child), "tên bắt đầu bằng '.', '_' hoặc '~' (bản nháp)")
        elif child.is_dir():
            if _safe(root, child, problems):
                fields.append(load_field(root, child, problems, index_required, skipped))
        elif name.endswith(".md"):
            problems.error(
                relative(root, child),
                "Tệp thủ tục nằm ngoài thư mục lĩnh vực.",
                "Chuyển tệp vào một thư mục lĩnh vực, ví dụ procedures/ho-tich/.",
            )
        elif why := looks_like_markdown(name):
            skipped.add(relative(root, child), why + ", và đặt tệp vào một thư mục lĩnh vực")
    skipped.report(relative(root, base), problems)
    return tuple(fields)
