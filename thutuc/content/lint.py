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

import difflib
import re
from datetime import date
from typing import Any

import yaml

from thutuc import clock
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
