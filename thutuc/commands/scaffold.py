"""`new`: a procedure file with every key, ready to fill in.

The template is generated from schema.PROCEDURE_KEYS, so a key added there
shows up here without anyone remembering to.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from thutuc.content.load import FIELD_INDEX, PROCEDURES_DIR
from thutuc.content.model import PROCEDURE_CODE
from thutuc.content.schema import PROCEDURE_KEYS
from thutuc.content.text import nfc, slugify

# Keys that need a shape, not a line of text: left empty, with an example in a
# comment, so an unfilled scaffold publishes nothing made up and `check` warns.
_SHAPES = {
    "documents": " []  # ví dụ:\n#  - Tờ khai (theo mẫu)\n#  - Căn cước (xuất trình)",
    "methods": " []  # ví dụ:\n#  - truc-tiep\n#  - truc-tuyen\n#  - buu-chinh",
    "forms": " []  # ví dụ:\n#  - title: Tờ khai\n#    file: to-khai.pdf",
    "legal_basis": " []  # ví dụ:\n#  - Luật Hộ tịch 60/2014/QH13",
    "keywords": " []  # ví dụ: [giấy khai sinh, làm khai sinh]",
}
BODY_OUTLINE = "## Các bước\n\n<!-- Viết từng bước, mỗi bước một dòng: 1. ..., 2. ... -->\n"


class ScaffoldError(Exception):
    pass


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
        elif key.name in ("replaced_by", "retired"):
            lines.append(f"# {key.name}:  # {key.help_vi}")
        else:
            lines.append(f'{key.name}: ""  # {key.help_vi}')
    lines += ["---", "", BODY_OUTLINE]
    return "\n".join(lines)


def create_procedure(project: Path, field_folder: str, code: str, title: str) -> Path:
    """Write procedures/<field>/<slug-of-title>.md; never overwrite a file."""
    code, title = nfc(code.strip()), nfc(title.strip())
    if not PROCEDURE_CODE.match(code):
        raise ScaffoldError(
            f"'{code}' không phải mã thủ tục (dạng 1.001193 hoặc 2.000884.000.00.00.H55)."
        )
    if not title:
        raise ScaffoldError("Cần tên thủ tục.")
    folder_name = slugify(field_folder)
    if not folder_name:
        raise ScaffoldError("Cần tên thư mục lĩnh vực, ví dụ ho-tich.")
    folder = project / PROCEDURES_DIR / folder_name
    path = folder / f"{slugify(title)[:80].rstrip('-')}.md"
    if path.exists():
        raise ScaffoldError(f"Tệp {path} đã có. Sửa tệp đó, hoặc đặt tên thủ tục khác.")
    folder.mkdir(parents=True, exist_ok=True)
    index = folder / FIELD_INDEX
    if not index.exists():
        index.write_text(f"---\ntitle: {_quote(field_folder.strip())}\n---\n", encoding="utf-8")
    path.write_text(procedure_template(code, title), encoding="utf-8")
    return path
