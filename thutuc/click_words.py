"""click's own words (usage errors, help headings) in Vietnamese.

click writes "Error: No such option '--projet'." through gettext, so an editor who
mistypes an option or a command gets English beside our Vietnamese. gettext
would need compiled catalogues and a Vietnamese locale on every machine
(Windows has none to select), so this gives click's modules a gettext that reads
the table below instead. A message click adds later, or changes, stays in English:
never a wrong or missing message. The placeholders are click's own; a message about a
path leaves out click's {name}, which click capitalises word by word ("Thư Mục").
"""

from __future__ import annotations

import importlib

# click's English (its gettext message ids) → the editor's Vietnamese.
WORDS = {
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Positional arguments": "Đối số",
    "Show this message and exit.": "Hiện hướng dẫn này.",
    "Show the version and exit.": "Hiện số phiên bản.",
    "%(prog)s, version %(version)s": "%(prog)s, phiên bản %(version)s",
    "Aborted!": "Đã dừng.",
    "default: {default}": "mặc định: {default}",
    "required": "bắt buộc",
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Xem cách dùng: {command} {option}",
    "No such option {name!r}.": "Không có tùy chọn {name!r}.",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "Did you mean {possibility}?": "Có phải là {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Có phải là một trong: {possibilities}?)",
    "Missing command.": "Thiếu tên lệnh (build, check, serve, …).",
    "Missing argument": "Thiếu đối số",
    "Missing option": "Thiếu tùy chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing {param_type}": "Thiếu {param_type}",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Invalid value: {message}": "Giá trị không đúng: {message}",
    "Invalid value for {param_hint}: {message}": "Giá trị không đúng cho {param_hint}: {message}",
    "Option {name!r} does not take a value.": "Tùy chọn {name!r} không đi kèm giá trị.",
    "Option {name!r} requires an argument.": "Tùy chọn {name!r} cần một giá trị viết sau nó.",
    "Option {name!r} requires {nargs} arguments.": "Tùy chọn {name!r} cần {nargs} giá trị.",
    "Got unexpected extra argument ({args})": "Có chữ thừa không dùng được: {args}",
    "Got unexpected extra arguments ({args})": "Có chữ thừa không dùng được: {args}",
    "Argument {name!r} takes {nargs} values.": "Đối số {name!r} cần {nargs} giá trị.",
    "{value!r} is not a valid {number_type}.": "{value!r} không phải là số hợp lệ.",
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng cho phép {range}.",
    "{value!r} is not {choice}.": "{value!r} không phải là {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} không phải là một trong {choices}.",
    "file": "Tệp",
    "directory": "Thư mục",
    "path": "Đường dẫn",
    "{name} {filename!r} does not exist.": "Không có {filename!r}.",
    "{name} {filename!r} is a file.": "{filename!r} là một tệp, không phải thư mục.",
    "{name} {filename!r} is a directory.": "{filename!r} là một thư mục, không phải tệp.",
    "{name} {filename!r} is not readable.": "Không đọc được {filename!r}.",
    "{name} {filename!r} is not writable.": "Không ghi được vào {filename!r}.",
    "Could not open file {filename!r}: {message}": "Không mở được tệp {filename!r}: {message}",
    "unknown error": "lỗi không rõ",
}

# Every module of click that translates, by the names it imported gettext under.
_MODULES = (
    "core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils",
)  # fmt: skip


def gettext(message: str) -> str:
    return WORDS.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def speak_vietnamese() -> None:
    """Give click's modules this table as their gettext. Before any command is
    defined: an option's help ("Show this message and exit.") is read then."""
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
