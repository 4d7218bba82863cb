"""Front matter in its everyday shape, read without PyYAML.

Almost every procedure's front matter is `key: value` lines and `- item` lists
under a `key:`. Building PyYAML's nodes and objects for them was a third of the
CPU of reading and checking a procedure (bench/bench_stages.py), so that shape is
read here, line by line, to exactly what PyYAML's base loader gives (every value
a string). Anything else, a nested mapping, a value over two lines, a comment, a
quote with an escape, a tab, returns None and goes through PyYAML, which also
gives the errors; tests/test_plain_yaml.py holds the two readers to the same
result on the national records and on generated text.
"""

from __future__ import annotations

import re

# A key as editors write them: `processing_time`, `online-url`; at most 1,024
# characters, libyaml's limit for a key on one line.
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,1023}):(?: +(.*))?")
# Characters PyYAML refuses, or reads as line breaks, or as a byte-order mark.
# (Named by what is refused: the class of what is allowed took 6 ms to compile.)
_UNUSUAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# A plain value may not start with one of YAML's indicators.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


def read_plain_front_matter(
    text: str, max_nodes: int
) -> tuple[dict[str, object], dict[str, int]] | None:
    """(data, 0-based line of each key), or None when `text` is not of the plain
    shape, or makes more than `max_nodes` YAML nodes (counted as load.py's
    limit counts them): then PyYAML reads it, and says what is wrong."""
    if "#" in text or _UNUSUAL.search(text):
        return None
    data: dict[str, object] = {}
    lines: dict[str, int] = {}
    items: list[object] | None = None  # the list being read, under its key
    item_indent = -1
    entry: dict[str, str] | None = None  # the list item being read, when `- key: value`
    entry_column = -1  # where its keys start: its next keys must start there too
    nodes = 1  # the mapping of it all
    for number, raw in enumerate(text.split("\n")):
        line = raw.rstrip(" ")
        if not line:
            continue
        if nodes > max_nodes:
            return None
        indent = len(line) - len(line.lstrip(" "))
        if line.startswith("- ", indent):
            if items is None or (item_indent >= 0 and indent != item_indent):
                return None
            item_indent = indent
            text_of_item = line[indent + 2 :].lstrip(" ")
            item = _item(text_of_item)
            if item is None:
                return None
            entry = item if isinstance(item, dict) else None
            entry_column = len(line) - len(text_of_item)
            items.append(item)
            nodes += 3 if entry is not None else 1  # a mapping, its key and value; a value
            continue
        if indent:  # a list item's next key, or a shape read by PyYAML
            pair = _pair(line[indent:]) if indent == entry_column else None
            if entry is None or pair is None or pair[0] in entry:
                return None
            entry[pair[0]] = pair[1]
            nodes += 2
            continue
        match = _KEY.fullmatch(line)
        if match is None or match[1] in data:
            return None  # a key written twice: PyYAML says so
        key, rest = match[1], match[2]
        lines[key] = number
        nodes += 2  # the key, and its value or list
        entry = None
        if rest is None:  # `key:` alone: a list follows, or the value is empty
            items, item_indent = [], -1
            data[key] = items
            continue
        value = _scalar(rest)
        if value is None:
            return None
        data[key] = value
        items = None
    if not data or nodes > max_nodes:
        return None
    return {k: "" if v == [] else v for k, v in data.items()}, lines


def _item(text: str) -> str | dict[str, str] | None:
    """A list item: a value, or the first `key: value` of a mapping."""
    pair = _pair(text)
    if pair is not None:
        return {pair[0]: pair[1]}
    return _scalar(text)


def _pair(text: str) -> tuple[str, str] | None:
    """`key: value` with a value on its line, else None."""
    match = _KEY.fullmatch(text)
    if match is None or match[2] is None:
        return None
    value = _scalar(match[2])
    return None if value is None else (match[1], value)


def _scalar(text: str) -> str | None:
    """A value on one line: plain, or in quotes without escapes; None otherwise."""
    if not text:
        return None
    first = text[0]
    if first == "'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
            return None
        return inner.replace("''", "'")
    if first == '"':
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != '"' or '"' in inner or "\\" in inner:
            return None
        return inner
    if first in _INDICATORS or ": " in text or text.endswith(":"):
        return None
    return text
