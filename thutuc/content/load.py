"""Load stage: find the site's files and read them into front matter + body.

Nothing here knows what a procedure is; it turns files into `SourceDocument`s
and reports what cannot be read (encoding, YAML, missing `---`, symlinks).
All text comes out NFC-normalised, with CRLF turned into LF and any BOM dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from thutuc.content import lint
from thutuc.content.text import nfc, nfc_deep
from thutuc.problems import Problems

SITE_FILE = "site.yml"
PROCEDURES_DIR = "procedures"
FIELD_INDEX = "_index.md"

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


def read_text(root: Path, path: Path, problems: Problems, data: bytes | None = None) -> str | None:
    """Read a UTF-8 file (BOM and CRLF allowed), NFC; report anything else.
    `data`: the file's bytes when the caller has read them already."""
    rel = relative(root, path)
    data = path.read_bytes() if data is None else data
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.error(rel, "Tệp không phải UTF-8 (mã hóa cũ?).", CONVERT_HINT, line)
        return None
    return nfc(text.replace("\r\n", "\n").replace("\r", "\n"))


# libyaml's parser, when PyYAML has it, reads front matter about 18x faster
# (a province catalogue is thousands of lines of YAML); same nodes and marks.
_BaseLoader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Every scalar stays a string: `code: 1.001190` must not become a float
    and lose its last zero, and dates are parsed by validate with clear errors."""


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
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
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
        return None
    finally:
        loader.dispose()
    key_lines = _key_lines(node, first_line, rel, problems)
    lint.check_yaml_comments(rel, text, node, first_line, problems)
    return nfc_deep(data), key_lines


def _key_lines(node: Any, first_line: int, rel: str, problems: Problems) -> dict[str, int]:
    """Line of each top-level key; reports a key written twice."""
    lines: dict[str, int] = {}
    if not isinstance(node, yaml.MappingNode):
        return lines
    for key_node, _ in node.value:
        key = nfc(str(key_node.value))
        line = first_line + key_node.start_mark.line
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
    if not path.is_file():
        problems.error(
            SITE_FILE,
            "Không có tệp site.yml trong thư mục trang.",
            "Tạo site.yml với ít nhất name: (tên xã) và base_url: (địa chỉ trang, https://...).",
        )
        return None
    text = read_text(root, path, problems)
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


def _visible(name: str) -> bool:
    """Skip editor and OS clutter: .DS_Store, ._foo.md from macOS, ~backups, _drafts."""
    return not name.startswith((".", "_", "~"))


def _children(folder: Path) -> list[Path]:
    return sorted((p for p in folder.iterdir() if _visible(p.name)), key=lambda p: nfc(p.name))


def _safe(root: Path, path: Path, problems: Problems) -> bool:
    if is_inside(root, path):
        return True
    problems.error(
        relative(root, path),
        "Liên kết tượng trưng (symlink) trỏ ra ngoài thư mục trang.",
        "Chép tệp thật vào thư mục trang thay cho symlink.",
    )
    return False


def load_field(
    root: Path, folder: Path, problems: Problems, index_required: bool = True
) -> FieldSources:
    """`index_required=False` for a commune's override folder in province mode,
    whose field title may come from the shared catalogue."""
    index_path = folder / FIELD_INDEX
    index = None
    if index_path.is_file() and _safe(root, index_path, problems):
        index = read_markdown(root, index_path, problems)
    elif not index_path.exists() and index_required:
        problems.error(
            relative(root, folder),
            "Thư mục lĩnh vực thiếu tệp _index.md.",
            "Tạo _index.md với phần đầu có title: (tên lĩnh vực).",
        )
    docs = []
    for path in sorted(folder.rglob("*.md"), key=lambda p: nfc(p.as_posix())):
        if not all(_visible(part) for part in path.relative_to(folder).parts):
            continue
        if _is_translation(path):  # ket-hon.en.md: content/project.py reads translations
            continue
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
    to `root`, which in province mode is the province folder."""
    fields: list[FieldSources] = []
    for child in _children(base):
        if child.is_dir():
            if _safe(root, child, problems):
                fields.append(load_field(root, child, problems, index_required))
        elif child.suffix == ".md":
            problems.error(
                relative(root, child),
                "Tệp thủ tục nằm ngoài thư mục lĩnh vực.",
                "Chuyển tệp vào một thư mục lĩnh vực, ví dụ procedures/ho-tich/.",
            )
    return tuple(fields)
