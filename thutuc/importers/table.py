"""Read a spreadsheet (CSV or XLSX) with one procedure per row.

Column headers are the front-matter keys of schema.py, plus `field` (the
field folder or its title) and `body` (Markdown). Rows are numbered as the
spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from thutuc.content.load import CONVERT_HINT
from thutuc.content.schema import PROCEDURE_KEYS
from thutuc.content.text import nfc, slugify
from thutuc.importers.national import Imported, RecordError

EXTRA_COLUMNS = ("field", "body")
# forms need files next to the procedure: an editor adds them by hand.
TABLE_KEYS = tuple(k.name for k in PROCEDURE_KEYS if k.kind != "forms")
COLUMNS = (*TABLE_KEYS, *EXTRA_COLUMNS)
LIST_KEYS = {k.name for k in PROCEDURE_KEYS if k.kind == "text-list"}
REQUIRED = ("code", "title", "field")
METHOD_WORDS = {"truc-tiep": "truc-tiep", "truc-tuyen": "truc-tuyen", "buu-chinh": "buu-chinh",
                "dich-vu-buu-chinh": "buu-chinh", "qua-buu-dien": "buu-chinh",
                "buu-dien": "buu-chinh", "online": "truc-tuyen"}  # fmt: skip


class TableError(ValueError):
    """The whole file cannot be read (encoding, no header)."""


def read_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(row number, {header: cell}) for each non-empty row."""
    rows = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
    header, *data = rows
    names = [nfc(str(h or "")).strip() for h in header]
    if not any(names):
        raise TableError("dòng 1 phải là tên các cột (code, title, field, ...)")
    result = []
    for number, cells in enumerate(data, start=2):
        row = {name: cell for name, cell in zip(names, cells, strict=False) if name}
        if any(str(v or "").strip() for v in row.values()):
            result.append((number, row))
    return result


def _csv_rows(path: Path) -> list[list[Any]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError(f"tệp không phải UTF-8. {CONVERT_HINT}") from None
    if not text.strip():
        raise TableError("tệp trống")
    # Excel with a Vietnamese locale saves CSV with ";" between columns.
    dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    return list(csv.reader(io.StringIO(text), dialect))


def _xlsx_rows(path: Path) -> list[list[Any]]:
    import openpyxl  # only for spreadsheets

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError(f"không mở được tệp Excel ({exc})") from None
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    if not rows:
        raise TableError("trang tính đầu tiên trống")
    return rows


def unknown_columns(row: dict[str, Any]) -> Iterator[str]:
    """A message for each column that is not a key, with a did-you-mean."""
    for name in row:
        if name not in COLUMNS:
            guess = difflib.get_close_matches(name, COLUMNS, n=1)
            hint = f" Có phải ý bạn là '{guess[0]}'?" if guess else ""
            yield f"cột lạ '{name}' bị bỏ qua.{hint}"


def row_to_procedure(row: dict[str, Any]) -> Imported:
    """One row into a procedure; raises RecordError naming what is missing."""
    missing = [name for name in REQUIRED if not _cell(row.get(name))]
    if missing:
        raise RecordError(f"thiếu ô bắt buộc: {', '.join(missing)}")
    if isinstance(row["code"], float):
        raise RecordError(
            "ô code đang là số, nên mất số 0 ở cuối (1.001190 thành 1.00119). "
            "Định dạng cột code là Văn bản (Text) rồi gõ lại mã"
        )
    meta: dict[str, Any] = {}
    for name in TABLE_KEYS:
        value = _value(name, row.get(name))
        if value:
            meta[name] = value
    return Imported(_cell(row["field"]), meta, _cell(row.get("body")).strip() + "\n")


def _value(name: str, cell: Any) -> Any:
    if name == "methods":
        return [_method(item) for item in _items(cell, separators=",;\n")]
    if name in LIST_KEYS:
        return _items(cell, separators=";\n")
    if isinstance(cell, (date, datetime)):
        return (cell.date() if isinstance(cell, datetime) else cell).isoformat()
    return " ".join(_cell(cell).split())


def _method(item: str) -> str:
    return METHOD_WORDS.get(slugify(item), item)


def _items(cell: Any, separators: str) -> list[str]:
    text = _cell(cell)
    for sep in separators[1:]:
        text = text.replace(sep, separators[0])
    return [" ".join(i.split()) for i in text.split(separators[0]) if i.strip()]


def _cell(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return nfc(str(cell)).replace("\r\n", "\n").strip()
