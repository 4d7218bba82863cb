"""Read a spreadsheet (CSV or XLSX) with one procedure per row.

Column headers are the front-matter keys of schema.py, plus `field` (the
field folder or its title) and `body` (Markdown). Rows are numbered as the
spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from thutuc.content.load import CONVERT_HINT, MAX_MARKDOWN_BYTES
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


@dataclass(frozen=True)
class TableRow:
    """One non-empty row: its number as the spreadsheet shows it (the header is
    row 1), its cells by header, and the columns (1-based) holding text under
    no header, which would otherwise be dropped without a word."""

    number: int
    cells: dict[str, Any]
    unnamed: tuple[int, ...] = ()


def read_rows(path: Path) -> list[TableRow]:
    """Each non-empty row of the first sheet (XLSX) or of the CSV file."""
    rows = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
    header, *data = rows
    names = [nfc(str(h or "")).strip() for h in header]
    if not any(names):
        raise TableError("dòng 1 phải là tên các cột (code, title, field, ...)")
    result = []
    for number, cells in enumerate(data, start=2):
        row = {name: cell for name, cell in zip(names, cells, strict=False) if name}
        unnamed = tuple(
            column
            for column, cell in enumerate(cells, start=1)
            if _cell(cell) and (column > len(names) or not names[column - 1])
        )
        if unnamed or any(str(v or "").strip() for v in row.values()):
            result.append(TableRow(number, row, unnamed))
    return result


# Excel and LibreOffice write CSV as RFC 4180 says: a cell holding the separator,
# a quote or a line break is put in quotes, and a quote inside it is doubled.
# Only the separator differs: "," or, in locales whose decimal mark is a comma
# (Vietnamese among them), ";"; Excel's "Unicode Text" is UTF-16 with tabs.
SEPARATORS = (",", ";", "\t")
# No cell holds more than the procedure file it becomes (8 MiB at most).
MAX_CELL = MAX_MARKDOWN_BYTES


def _csv_rows(path: Path) -> list[list[Any]]:
    text = _decode(path.read_bytes())
    if not text.strip():
        raise TableError("tệp trống")
    separator, text = _separator(text)
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL))
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=separator, strict=True)
    try:
        return list(reader)
    except csv.Error as exc:
        raise TableError(_csv_problem(str(exc), reader.line_num)) from None


def _decode(data: bytes) -> str:
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:
        return data.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError:
        raise TableError(f"tệp không phải UTF-8. {CONVERT_HINT}") from None


def _separator(text: str) -> tuple[str, str]:
    """The column separator, and the text without Excel's `sep=;` line if it has one.

    Else the separator that splits the header line into the most known column
    names (then the most cells): the header is the line of names, so commas
    in the cells below cannot mislead it."""
    first, _, rest = text.partition("\n")
    hint = re.fullmatch(r"sep=(.)\r?", first)
    if hint:
        return hint.group(1), rest

    def fit(separator: str) -> tuple[int, int]:
        try:
            cells = next(csv.reader([first.rstrip("\r")], csv.excel, delimiter=separator))
        except (csv.Error, StopIteration):
            return (-1, 0)
        return (sum(nfc(c).strip() in COLUMNS for c in cells), len(cells))

    return max(SEPARATORS, key=fit), text


def _csv_problem(error: str, line: int) -> str:
    """csv's English error, said for the editor, with the line of the file."""
    where = f"dòng {line} của tệp (đếm như trình soạn văn bản)"
    if "field limit" in error:
        return (
            f"có một ô dài hơn {MAX_CELL // (1024 * 1024)} MiB, đến {where}. Thường là do một "
            'dấu ngoặc kép " mở ô mà không đóng; nếu ô đó thật dài, chia nội dung ra'
        )
    if "end of data" in error:
        return (
            f'một dấu ngoặc kép " mở ô mà không đóng (tệp hết ở {where}). Thêm dấu " đóng ô '
            'đó; dấu " bên trong một ô phải viết đôi ("")'
        )
    return (
        f'dấu ngoặc kép " đặt sai ở {where}: sau dấu " đóng một ô phải là dấu phân cách cột. '
        'Dấu " bên trong ô phải viết đôi ("") và cả ô đặt trong ngoặc kép; lưu lại tệp bằng '
        "Excel hoặc LibreOffice (Lưu thành CSV) sẽ viết đúng như vậy"
    )


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


def row_to_procedure(table_row: TableRow) -> Imported:
    """One row into a procedure; raises RecordError naming what is missing."""
    if table_row.unnamed:
        raise RecordError(_unnamed_message(table_row.unnamed))
    row = table_row.cells
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


def _unnamed_message(columns: tuple[int, ...]) -> str:
    letters = ", ".join(column_letter(c) for c in columns)
    return (
        f"có chữ ở cột {letters} nhưng cột đó không có tên ở dòng 1, nên chữ đó sẽ bị mất. "
        "Nếu đó là phần sau của ô bên trái (ô có dấu phẩy hoặc chấm phẩy): đặt cả ô trong "
        'ngoặc kép "…", hoặc lưu lại tệp bằng Excel hay LibreOffice. Nếu không, ghi tên cột '
        "ở dòng 1 hoặc xóa chữ đó"
    )


def column_letter(column: int) -> str:
    """1 → A, 27 → AA: the column as the spreadsheet names it."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


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
