"""`new`: a procedure file with every key, ready to fill in.

The template is generated from schema.PROCEDURE_KEYS, so a key added there
shows up here without anyone remembering to. Each answer is checked as soon
as it is given (a field that exists, a well-formed code no other file has, a
title whose file name is free), so an editor never types three answers to
learn the first was wrong; every message is Vietnamese, Ctrl+C included.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import click
import yaml

from thutuc.content.load import (
    FIELD_INDEX,
    HIDDEN_HINT,
    PROCEDURES_DIR,
    hidden_in,
    hidden_name,
    read_markdown,
)
from thutuc.content.model import PROCEDURE_CODE
from thutuc.content.schema import PROCEDURE_KEYS
from thutuc.content.text import fold, nfc, slugify
from thutuc.problems import Problems

T = TypeVar("T")

# Keys that need a shape, not a line of text: left empty, with an example in a
# comment, so an unfilled scaffold publishes nothing made up and `check` warns.
_SHAPES = {
    "documents": " []\n#  ví dụ:\n#  - Tờ khai (theo mẫu)\n#  - Căn cước (xuất trình)",
    "methods": " []\n#  ví dụ:\n#  - truc-tiep\n#  - truc-tuyen\n#  - buu-chinh",
    "forms": " []\n#  ví dụ:\n#  - title: Tờ khai\n#    file: to-khai.pdf",
    "legal_basis": " []\n#  ví dụ:\n#  - Luật Hộ tịch 60/2014/QH13",
    "keywords": " []\n#  ví dụ: [giấy khai sinh, làm khai sinh]",
}
# Keys left out until needed, as a comment that says what they are for.
_COMMENTED = ("replaced_by", "retired", "local")
BODY_OUTLINE = "## Các bước\n\n<!-- Viết từng bước, mỗi bước một dòng: 1. ..., 2. ... -->\n"
STOPPED = "Đã dừng. Chưa tạo tệp nào."


class ScaffoldError(Exception):
    """An answer that cannot be used; the message says why and what to do."""


class Stopped(Exception):
    """The editor pressed Ctrl+C or closed the input."""


@dataclass(frozen=True)
class FieldChoice:
    folder: str  # folder name under procedures/
    title: str
    exists: bool = True


def _quote(value: str) -> str:
    return yaml.safe_dump(value, allow_unicode=True, default_style='"').strip()


def procedure_template(code: str, title: str) -> str:
    """Front matter with every key (required ones filled) and a body outline."""
    lines = ["---"]
    for key in PROCEDURE_KEYS:
        if key.name == "code":
            lines.append(f"code: {_quote(code)}")
        elif key.name == "title":
            lines.append(f"title: {_quote(title)}")
        elif key.name in _SHAPES:
            lines.append(f"# {key.help_vi}\n{key.name}:{_SHAPES[key.name]}")
        elif key.name in _COMMENTED:
            lines.append(f"# {key.help_vi}\n# {key.name}:")
        else:
            # The help goes above the key, never after it: a value typed between
            # the quotes would otherwise be followed by ' #...' (lint warns).
            lines.append(f'# {key.help_vi}\n{key.name}: ""')
    lines += ["---", "", BODY_OUTLINE]
    return "\n".join(lines)


# --- What the site already has ----------------------------------------------------------


def existing_fields(project: Path) -> list[FieldChoice]:
    """Field folders with their titles, in folder order."""
    quiet = Problems()  # `check` reports the site's own problems; not ours to repeat
    fields = []
    for index in sorted((project / PROCEDURES_DIR).glob(f"*/{FIELD_INDEX}")):
        doc = read_markdown(project, index, quiet)
        title = str(doc.meta.get("title") or "").strip() if doc else ""
        fields.append(FieldChoice(nfc(index.parent.name), title or index.parent.name))
    return fields


def existing_codes(project: Path) -> dict[str, str]:
    """Code → the file (site-relative) that has it."""
    quiet = Problems()
    codes: dict[str, str] = {}
    for path in sorted((project / PROCEDURES_DIR).rglob("*.md")):
        if path.name != FIELD_INDEX and (doc := read_markdown(project, path, quiet)):
            codes.setdefault(str(doc.meta.get("code", "")).strip(), doc.rel)
    return codes


# --- Checking one answer ----------------------------------------------------------------


def find_field(answer: str, fields: list[FieldChoice]) -> FieldChoice | None:
    """The field an answer names: its number in the list, its folder, or its title."""
    answer = nfc(answer.strip())
    if answer.isdigit() and 1 <= int(answer) <= len(fields):
        return fields[int(answer) - 1]
    wanted = {slugify(answer), fold(answer)}
    return next((f for f in fields if {f.folder, fold(f.title)} & wanted), None)


def close_field(answer: str, fields: list[FieldChoice]) -> FieldChoice | None:
    """The existing field an answer was probably meant to be ("dat-dia" → dat-dai)."""
    names = {f.folder: f for f in fields} | {fold(f.title): f for f in fields}
    typed = [slugify(answer), fold(answer.strip())]
    guesses = [g for t in typed for g in difflib.get_close_matches(t, names, n=1, cutoff=0.75)]
    return names[guesses[0]] if guesses else None


def field_error(answer: str, fields: list[FieldChoice]) -> ScaffoldError:
    guess = close_field(answer, fields)
    hint = f" Có phải ý bạn là {guess.folder} ({guess.title})?" if guess else ""
    return ScaffoldError(
        f"Chưa có lĩnh vực '{answer.strip()}'.{hint} Chọn một lĩnh vực có sẵn (số, tên thư mục "
        "hoặc tên lĩnh vực), hoặc thêm --new-field để tạo lĩnh vực mới."
    )


def check_code(answer: str, codes: dict[str, str]) -> str:
    code = nfc(answer.strip())
    if not PROCEDURE_CODE.match(code):
        raise ScaffoldError(
            f"'{code}' không phải mã thủ tục. Mã có dạng 1.001193 (một chữ số, dấu chấm, sáu chữ "
            "số), hoặc mã của tỉnh như 2.000884.000.00.00.H55. Chép đúng mã từ Cổng Dịch vụ công."
        )
    if code in codes:
        raise ScaffoldError(
            f"Mã {code} đã có trong tệp {codes[code]}. Mỗi mã chỉ có một tệp: mở tệp đó để sửa."
        )
    return code


def procedure_path(project: Path, field: FieldChoice, title: str) -> Path:
    return project / PROCEDURES_DIR / field.folder / f"{slugify(title)[:80].rstrip('-')}.md"


def check_title(answer: str, project: Path, field: FieldChoice) -> str:
    title = nfc(answer.strip())
    if not slugify(title):
        raise ScaffoldError("Tên thủ tục cần có chữ, ví dụ: Đăng ký khai sinh.")
    if (char := hidden_in(title)) is not None:  # check would refuse the file it writes
        raise ScaffoldError(f"Tên có ký tự ẩn {hidden_name(char)}. {HIDDEN_HINT}")
    path = procedure_path(project, field, title)
    if path.exists():
        rel = path.relative_to(project).as_posix()
        raise ScaffoldError(f"Tệp {rel} đã có. Sửa tệp đó, hoặc đặt tên thủ tục khác.")
    return title


def new_field(answer: str, title: str | None = None) -> FieldChoice:
    folder = slugify(answer)
    if not folder:
        raise ScaffoldError("Tên lĩnh vực cần có chữ, ví dụ: Xây dựng (thư mục xay-dung).")
    return FieldChoice(folder, nfc((title or answer).strip()), exists=False)


# --- Asking ---------------------------------------------------------------------------------


def ask(question: str, check: Callable[[str], T]) -> T:
    """Ask until `check` accepts the answer; each refusal is said at once."""
    while True:
        try:
            answer = click.prompt(question, default="", show_default=False, err=True)
        except (click.Abort, EOFError, KeyboardInterrupt):
            raise Stopped from None
        if not answer.strip():
            click.secho("  Cần trả lời câu này (Ctrl+C để dừng).", fg="red", err=True)
            continue
        try:
            return check(answer)
        except ScaffoldError as exc:
            click.secho(f"  {exc}", fg="red", err=True)


def ask_field(project: Path, fields: list[FieldChoice]) -> FieldChoice:
    click.echo("Các lĩnh vực đang có:", err=True)
    for number, field in enumerate(fields, 1):
        click.echo(f"  {number}. {field.title} ({field.folder})", err=True)

    def check(answer: str) -> FieldChoice:
        found = find_field(answer, fields)
        if found is not None:
            return found
        if (guess := close_field(answer, fields)) is not None:
            raise ScaffoldError(
                f"Chưa có lĩnh vực '{answer.strip()}'. Có phải ý bạn là {guess.folder} "
                f"({guess.title})? Gõ lại số, tên thư mục hoặc tên lĩnh vực."
            )
        question = f"Chưa có lĩnh vực '{answer.strip()}'. Tạo lĩnh vực mới? (c: có, k: không)"
        if not ask(question, yes_no):
            raise ScaffoldError("Chọn lại: gõ số, tên thư mục hoặc tên lĩnh vực.")
        if slugify(answer) == answer.strip():  # typed as a folder name: ask how to write it
            return new_field(answer, ask("Tên lĩnh vực, viết có dấu (ví dụ Xây dựng)", str))
        return new_field(answer)

    return ask("Lĩnh vực (gõ số, tên thư mục hoặc tên lĩnh vực)", check)


def yes_no(answer: str) -> bool:
    word = fold(answer.strip())
    if word in ("c", "co", "y", "yes"):
        return True
    if word in ("k", "khong", "n", "no"):
        return False
    raise ScaffoldError("Gõ c (có) hoặc k (không).")


# --- Writing -------------------------------------------------------------------------------


def create_procedure(project: Path, field: FieldChoice, code: str, title: str) -> Path:
    """Write procedures/<field>/<slug-of-title>.md (and _index.md for a new field);
    never overwrite a file."""
    path = procedure_path(project, field, title)
    if path.exists():
        raise ScaffoldError(f"Tệp {path} đã có. Sửa tệp đó, hoặc đặt tên thủ tục khác.")
    path.parent.mkdir(parents=True, exist_ok=True)
    index = path.parent / FIELD_INDEX
    if not index.exists():
        index.write_text(f"---\ntitle: {_quote(field.title)}\n---\n", encoding="utf-8")
    path.write_text(procedure_template(code, title), encoding="utf-8")
    return path


def run_new(
    project: Path, field_answer: str | None, code: str | None, title: str | None, create: bool
) -> Path:
    """`new`, answer by answer: options are checked like typed answers, and
    whatever is missing is asked for. Raises ScaffoldError or Stopped."""
    fields = existing_fields(project)
    if field_answer is None:
        field = ask_field(project, fields)
    else:
        found = find_field(field_answer, fields)
        if found is None and not create:
            raise field_error(field_answer, fields)
        field = found or new_field(field_answer)
    codes = existing_codes(project)
    code = (
        check_code(code, codes)
        if code
        else ask("Mã thủ tục (ví dụ 1.001193)", lambda a: check_code(a, codes))
    )
    checked_title = (
        check_title(title, project, field)
        if title
        else ask("Tên thủ tục", lambda a: check_title(a, project, field))
    )
    return create_procedure(project, field, code, checked_title)
