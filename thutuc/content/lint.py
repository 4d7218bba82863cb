"""Warnings for what an editor wrote that silently does something else.

Each is legal YAML or Markdown, so nothing fails; each loses or hides a fact:

- a front-matter key written after the closing `---` (`retired: 2026-07-01`
  under the front matter) is body text, and the procedure is not retired;
- ` #` inside an unquoted value starts a YAML comment: `title: Đăng ký #mới`
  publishes "Đăng ký";
- an `updated:` date in the future claims a check nobody has made yet;
- a `local:` naming something `compare` does not check hides nothing, so the
  editor's intent is lost.

load.py and validate.py call the three `check_*` functions below, one line
each (hooks); nothing else here is called from outside.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from thutuc import clock
from thutuc.content import markdown
from thutuc.content.schema import FIELD_KEYS, LOCAL_TOPICS, PROCEDURE_KEYS
from thutuc.problems import Problems

KNOWN_KEYS = {key.name for key in PROCEDURE_KEYS + FIELD_KEYS}
_KEY_LINE = re.compile(r"^([a-z_]+)\s*:(\s|$)")
_FENCE = re.compile(r"^\s*(```|~~~)")
_COMMENT_AFTER = re.compile(r"^\s+#(.*)")


def check_body_keys(rel: str, body: str, body_line: int, problems: Problems) -> None:
    """A line of the body that reads like a front-matter key (`retired: ...`):
    written after the closing `---`, it does nothing."""
    fenced = False
    for number, line in enumerate(body.split("\n"), start=body_line):
        if _FENCE.match(line):
            fenced = not fenced
        match = None if fenced else _KEY_LINE.match(line)
        if match and match.group(1) in KNOWN_KEYS:
            problems.warning(
                rel,
                f"Dòng '{line.strip()}' nằm sau dòng --- đóng phần đầu, nên khóa "
                f"'{match.group(1)}' không có tác dụng: trang hiện nó như chữ thường.",
                "Chuyển dòng này lên trên dòng --- thứ hai, cùng các khóa khác.",
                number,
            )


def check_yaml_comments(
    rel: str, text: str, node: Any, first_line: int, problems: Problems
) -> None:
    """An unquoted value followed on its line by ` #...`: YAML drops that part
    as a comment (`title: Đăng ký #mới` gives "Đăng ký")."""
    lines = text.split("\n")
    for scalar in _plain_values(node):
        end = scalar.end_mark
        rest = lines[end.line][end.column :] if end.line < len(lines) else ""
        comment = _COMMENT_AFTER.match(rest)
        if comment and scalar.value.strip():
            dropped = "#" + comment.group(1).rstrip()
            problems.warning(
                rel,
                f"Phần '{dropped}' sau '{scalar.value}' bị coi là ghi chú (YAML bỏ qua mọi chữ "
                "sau dấu cách và '#'), nên không hiện trên trang.",
                f'Muốn hiện cả phần đó thì đặt cả giá trị trong ngoặc kép: "{scalar.value} '
                f'{dropped}". Nếu đó đúng là ghi chú cho người sửa, đặt ghi chú trên một dòng riêng.',
                first_line + end.line,
            )


def _plain_values(node: Any) -> list[Any]:
    """Every unquoted (plain) scalar value under `node`; keys are not values."""
    import yaml  # loaded by now: `node` is PyYAML's

    if isinstance(node, yaml.ScalarNode):
        return [node] if not node.style else []
    if isinstance(node, yaml.SequenceNode):
        return [s for item in node.value for s in _plain_values(item)]
    if isinstance(node, yaml.MappingNode):
        return [s for _, value in node.value for s in _plain_values(value)]
    return []


def check_procedure(
    rel: str,
    updated: date | None,
    local: tuple[str, ...],
    line_of: dict[str, int],
    problems: Problems,
    today: date | None = None,
) -> None:
    """`updated:` in the future, and `local:` names compare does not know."""
    today = today or clock.today()
    if updated is not None and updated > today:
        problems.warning(
            rel,
            f"Ngày kiểm tra updated: {updated.isoformat()} còn ở tương lai "
            f"(hôm nay là {today.isoformat()}).",
            "Ghi ngày đã thật sự đối chiếu thông tin, thường là hôm nay: "
            f"updated: {today.isoformat()}",
            line_of.get("updated"),
        )
    for name in local:
        if name not in LOCAL_TOPICS:
            guess = difflib.get_close_matches(name, LOCAL_TOPICS, n=1)
            hint = f"Có phải ý bạn là '{guess[0]}'? " if guess else ""
            problems.warning(
                rel,
                f"local: '{name}' không phải điều mà lệnh compare so sánh, nên không có tác dụng.",
                hint + "Tên dùng được: " + ", ".join(LOCAL_TOPICS) + ".",
                line_of.get("local"),
            )


# --- Raw HTML that hides the text after it, or shows it as code -----------------

HIDDEN = "bị ẩn khỏi trang"
AS_CODE = "hiện ra thành mã (dấu *, thẻ <p>…) thay vì chữ"
# CommonMark HTML blocks of types 1 to 5 run to their end marker, else to the end
# of the body (or of the list item or quote holding them): (start, end, what the
# end is written as, what happens to the text after an unclosed one).
_BLOCKS = (
    (r"<(script|style)(?=[\s>]|\Z)", r"</(?:script|pre|style|textarea)>", "</{0}>", HIDDEN),
    (r"<(pre|textarea)(?=[\s>]|\Z)", r"</(?:script|pre|style|textarea)>", "</{0}>", AS_CODE),
    (r"<!--", r"-->", "-->", HIDDEN),
    (r"<\?", r"\?>", "?>", HIDDEN),
    (r"<!\[CDATA\[", r"\]\]>", "]]>", HIDDEN),
    (r"<![A-Za-z]+", r">", ">", HIDDEN),
)
_BLOCK_RULES = [
    (re.compile(r" {0,3}" + start, re.IGNORECASE), re.compile(end, re.IGNORECASE), close, effect)
    for start, end, close, effect in _BLOCKS
]
# Elements whose content the HTML parser never reads as HTML: everything after an
# unclosed one, to the end of the body, is swallowed (whatever cmark made of it).
SWALLOWING = {
    "script": HIDDEN, "style": HIDDEN, "template": HIDDEN, "textarea": AS_CODE,
    "title": AS_CODE, "xmp": AS_CODE, "iframe": AS_CODE, "noembed": AS_CODE,
    "noframes": AS_CODE, "noscript": AS_CODE, "plaintext": AS_CODE,
}  # fmt: skip
_SWALLOW_OPEN = re.compile(r"<(" + "|".join(SWALLOWING) + r")(?=[\s/>]|\Z)", re.IGNORECASE)
_SWALLOW_CLOSE = re.compile(r"</(" + "|".join(SWALLOWING) + r")\s*>", re.IGNORECASE)
_HTML_FIX = "Trang thủ tục không cần HTML: viết bằng Markdown (## Tiêu đề, - gạch đầu dòng)."


def check_raw_html(rel: str, body: str, body_line: int, problems: Problems) -> None:
    """An error for raw HTML left open, whose text to the end of the body the
    resident never sees, or sees as code: `<!--` without `-->`, `<script>`,
    `<style>`, `<pre>`, `<textarea>`, `<?`, `<![CDATA[`, `<plaintext>`..."""
    if "<" not in body:
        return
    raw = [part for part in markdown.parts(body) if part.kind.startswith("html")]
    found: list[Found] = []
    reported = set()
    for part in raw:
        block = _unclosed_block(part.text) if part.kind == "html_block" else None
        if block:
            opening, close, effect = block
            reported.add((part.line, opening.strip("<>")))
            found.append(_unclosed(opening, close, effect, body_line + part.line - 1))
    for line, name in _swallowing(raw):
        if (line, name) not in reported:
            close = "" if name == "plaintext" else f"</{name}>"
            found.append(_unclosed(f"<{name}>", close, SWALLOWING[name], body_line + line - 1))
    _report(rel, sorted(found, key=lambda f: f[0]), problems.error)


def _unclosed_block(text: str) -> tuple[str, str, str] | None:
    """(opening, its end marker, effect) when the HTML block `text` has no end."""
    for start, end, close, effect in _BLOCK_RULES:
        opened = start.match(text)
        if opened:
            if end.search(text, opened.end()):
                return None
            name = opened.group(1).lower() if opened.groups() else ""
            shown = f"<{name}>" if name else opened.group(0).strip()
            return shown, close.format(name), effect
    return None


def _swallowing(raw: list[markdown.Part]) -> list[tuple[int, str]]:
    """(line, name) of the first swallowing element of each name not closed later
    in the body (every later one of that name is swallowed with the rest)."""
    joined = _blank_closed_comments("\n".join(part.text for part in raw))
    last_close = {m[1].lower(): m.start() for m in _SWALLOW_CLOSE.finditer(joined)}
    starts, offset = [], 0
    for part in raw:
        starts.append(offset)
        offset += len(part.text) + 1
    found: dict[str, int] = {}
    for opened in _SWALLOW_OPEN.finditer(joined):
        name = opened[1].lower()
        if name in found or (name != "plaintext" and last_close.get(name, -1) > opened.start()):
            continue
        index = bisect.bisect_right(starts, opened.start()) - 1
        found[name] = raw[index].line + joined.count("\n", starts[index], opened.start())
    return sorted((line, name) for name, line in found.items())


def _blank_closed_comments(text: str) -> str:
    """`text` with each closed `<!-- … -->` turned into spaces (lines kept), in one
    pass: a tag inside an editor's note is not a tag."""
    pieces, position = [], 0
    while (start := text.find("<!--", position)) != -1:
        end = text.find("-->", start + 4)
        if end == -1:
            break
        pieces += [text[position:start], re.sub(r"[^\n]", " ", text[start : end + 3])]
        position = end + 3
    return "".join(pieces) + text[position:]


Found = tuple[int, str, str]  # (line, message, hint)
# A file gets at most this many of these problems, then one line for the rest:
# a pasted web page must not bury the other problems of the site.
MAX_REPORTED = 20


def _report(rel: str, found: list[Found], report: Callable[[str, str, str, int], None]) -> None:
    for line, message, hint in found[:MAX_REPORTED]:
        report(rel, message, hint, line)
    if len(found) > MAX_REPORTED:
        rest = found[MAX_REPORTED:]
        report(
            rel,
            f"Còn {len(rest)} chỗ như trên nữa, từ dòng {rest[0][0]} (chỉ báo {MAX_REPORTED} chỗ "
            "đầu).",
            "Sửa các chỗ trên rồi chạy lại check để thấy các chỗ còn lại.",
            rest[0][0],
        )


def _unclosed(opening: str, close: str, effect: str, line: int) -> Found:
    if opening == "<!--":
        message = f"Dấu mở ghi chú '<!--' không có dấu đóng '-->', nên mọi chữ sau nó {effect}."
        hint = "Thêm '-->' ngay sau phần muốn ẩn, hoặc xóa '<!--' nếu không định ẩn gì."
    elif not close:
        message = f"Thẻ HTML '{opening}' làm mọi chữ sau nó {effect}; thẻ này không đóng được."
        hint = f"Xóa '{opening}'. {_HTML_FIX}"
    else:
        message = (
            f"Thẻ HTML '{opening}' mở mà không có '{close}' đóng lại, nên mọi chữ sau nó {effect}."
        )
        hint = f"Đóng bằng '{close}' ngay sau phần cần, hoặc xóa '{opening}'. {_HTML_FIX}"
    return line, message, hint


# --- Links that lead nowhere, images that are not shown ---------------------------

# A destination without a scheme is a page of this site: "dichvucong.gov.vn"
# becomes https://<site>/dichvucong.gov.vn, a 404. A host-like first part says
# the editor meant another site (a form file such as to-khai.docx does not match).
_HOST_LIKE = re.compile(
    r"(?:www\.[^/\s]+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:vn|com|net|org|gov|edu|info|biz|io))"
    r"(?=[/:?#]|\Z)",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# The first path part of a link that reads like a procedure code: /1.001193/, ../1.001193
_CODE_LINK = re.compile(r"(?:\.{0,2}/)*([0-9]+\.[0-9]+(?:\.[0-9A-Za-z]+)*)/?(?:[?#].*)?\Z")
_IMG_TAG = re.compile(r"<img\b", re.IGNORECASE)


def check_links(rel: str, body: str, body_line: int, problems: Problems) -> None:
    """Warnings for a link written without https://, a link to a .md file (it works
    in the git host's preview only) and images, which pages do not show."""
    if not any(mark in body for mark in ("](", "]:", "<")):
        return
    found: list[Found] = []
    for part in markdown.parts(body):
        line = body_line + part.line - 1
        if part.kind == "link":
            found += _link_problems(part.text, line)
        elif part.kind == "image" or (part.kind.startswith("html") and _IMG_TAG.search(part.text)):
            found.append(_image_problem(part.alt, line))
    _report(rel, found, problems.warning)


def _link_problems(url: str, line: int) -> list[Found]:
    local = not _SCHEME.match(url) and not url.startswith(("/", "#", "?"))
    if local and _HOST_LIKE.match(url):
        message = (
            f"Liên kết '{url}' thiếu https:// ở đầu, nên điện thoại mở nó như một trang "
            "của trang xã và báo không tìm thấy."
        )
        return [(line, message, f"Viết đủ địa chỉ, ví dụ: (https://{url})")]
    if url.split("#")[0].split("?")[0].lower().endswith(".md"):
        message = (
            f"Liên kết '{url}' dẫn tới một tệp .md: chỉ mở được trên trang git, người dân bấm "
            "vào sẽ gặp trang không tìm thấy."
        )
        hint = "Dẫn tới trang của thủ tục bằng mã của nó, ví dụ [Đăng ký khai sinh](/1.001193/)."
        return [(line, message, hint)]
    return []


def _image_problem(alt: str, line: int) -> Found:
    what = f"Hình '{alt}'" if alt.strip() else "Một hình"
    return (
        line,
        f"{what} không hiện trên trang: trang không hiển thị hình ảnh (cho nhẹ khi sóng yếu), "
        "nên người dân không thấy gì ở chỗ này.",
        "Tả bằng lời điều hình muốn nói, hoặc đính hình (hay tệp PDF) làm mẫu đơn trong "
        "forms: để người dân tải về.",
    )


def code_links(body: str) -> tuple[tuple[str, int], ...]:
    """(code, line in the body) of each link whose path reads like a procedure
    code (/1.001193/): kept in the procedure's summary, so the site-wide check
    needs no body read again."""
    if "](" not in body and "]:" not in body:
        return ()
    found = []
    for part in markdown.parts(body):
        if part.kind == "link" and not _SCHEME.match(part.text):
            match = _CODE_LINK.match(part.text)
            if match:
                found.append((match[1], part.line))
    return tuple(found)


def check_code_links(
    links: list[tuple[str, str, int]], codes: set[str], problems: Problems
) -> None:
    """A warning for each (file, code, line) that links to a code no procedure has."""
    by_file: dict[str, list[Found]] = {}
    for rel, code, line in links:
        if code in codes:
            continue
        guess = difflib.get_close_matches(code, sorted(codes), n=1, cutoff=0.8)
        hint = f"Có phải ý bạn là /{guess[0]}/? " if guess else ""
        by_file.setdefault(rel, []).append(
            (
                line,
                f"Liên kết tới /{code}/: trang không có thủ tục nào mã {code}, nên người dân "
                "bấm vào sẽ gặp trang không tìm thấy.",
                hint + "Dẫn tới mã của một thủ tục có trong trang (chép từ dòng code: của "
                "tệp thủ tục đó), ví dụ [Đăng ký khai sinh](/1.001193/).",
            )
        )
    for rel, found in by_file.items():
        _report(rel, found, problems.warning)
