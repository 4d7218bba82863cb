"""The plain front matter reader gives what PyYAML gives, or steps aside.

content/plain_yaml.py reads the everyday shape of front matter itself; for any
text it reads, the data and each key's line must be PyYAML's (the base loader
the build uses, every value a string). Checked on the bundled sample, on every
national record as the importer writes it, and on generated text made of the
pieces that trip YAML up (quotes, colons, dashes, indents, blank lines).
"""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import REPO, require_national_data
from thutuc.content.load import MAX_YAML_NODES, parse_yaml, read_with_pyyaml
from thutuc.content.plain_yaml import read_plain_front_matter
from thutuc.importers.importer import render
from thutuc.importers.national import RecordError, record_to_procedure
from thutuc.problems import Problems

MANY = 10_000


def pyyaml_reads(text: str) -> tuple[object, dict[str, int]] | None:
    """PyYAML's data and the 0-based line of each top-level key; None if it fails."""
    try:
        node, data = read_with_pyyaml(text)
    except yaml.YAMLError:
        return None
    if not isinstance(node, yaml.MappingNode):
        return data, {}
    return data, {key.value: key.start_mark.line for key, _ in node.value}


def assert_same_as_pyyaml(text: str) -> bool:
    """Whether the plain reader read `text`; when it did, PyYAML reads the same."""
    plain = read_plain_front_matter(text, MANY)
    if plain is None:
        return False
    assert pyyaml_reads(text) == plain, text
    nodes = pyyaml_node_count(text)  # the limit is PyYAML's count of nodes, exactly
    assert read_plain_front_matter(text, nodes) is not None
    assert read_plain_front_matter(text, nodes - 1) is None
    return True


def front_matter_of(document: str) -> str:
    return document.split("---\n", 2)[1]


def test_every_sample_front_matter_is_read_as_pyyaml_reads_it() -> None:
    texts = [
        front_matter_of(p.read_text(encoding="utf-8"))
        for p in sorted((REPO / "procedures").rglob("*.md"))
    ]
    read = [assert_same_as_pyyaml(t) for t in texts]
    assert sum(read) >= len(read) // 2  # the everyday shape is the common one


def test_every_national_record_s_front_matter_is_read_as_pyyaml_reads_it() -> None:
    folder = require_national_data()
    read = total = 0
    for path in sorted(folder.glob("*.json")):
        try:
            imported = record_to_procedure(json.loads(path.read_text(encoding="utf-8")))
        except (RecordError, ValueError):
            continue
        total += 1
        read += assert_same_as_pyyaml(front_matter_of(render(imported)))
    assert total and read >= total * 9 // 10  # the fast reader reads nearly all of them


# Mostly keys of their own (a key written twice is left to PyYAML), a few odd ones.
KEYS = st.sampled_from([f"key_{n}" for n in range(60)] + ["on", "a-b", "x y", "Đ"])
PLAIN = st.sampled_from(["Đăng ký", "x", "1.000080", "a  b", "01/7/2025", "x:y", "a,b"])
TRICKY = st.sampled_from(
    [
        "'", "''", '"', "\\", ":", ": ", " #", "#", "-", "- ", "?", "[", "]", "{", "}", "&a",
        "*a", "!", "|", ">", "%", "@", "`", ",", " ", "  ", "\t", "\u00a0", "\u2028", "\ufeff",
        "\x85", "\x7f", "~", "null", "---", "'a: b'", '"a: b"', "'it''s'",
    ]
)  # fmt: skip
# Mostly plain words, so that many texts are of the plain shape and both readers read them.
VALUES = st.lists(st.one_of(*[PLAIN] * 8, TRICKY), max_size=4).map("".join)
LINES = st.one_of(
    st.tuples(KEYS, VALUES).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    st.tuples(KEYS).map(lambda k: f"{k[0]}:"),
    st.tuples(st.sampled_from(["", " ", "  ", "    "]), st.sampled_from(["- ", "-  "]), VALUES).map(
        "".join
    ),
    st.sampled_from(
        [
            "",
            "  ",
            "  fee: v",
            "   fee: v",
            "- method: a",
            "  - method: b",
            "  method: a",
            "...",
            "- - x",
            "-",
            "key:x",
            "key :v",
            "- fee:",
            "  fee:",
        ]
    ),
)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(LINES, min_size=1, max_size=8).map("\n".join))
def test_generated_front_matter_is_read_as_pyyaml_reads_it_or_left_to_pyyaml(text: str) -> None:
    assert_same_as_pyyaml(text)


ITEM = st.one_of(
    VALUES,
    st.lists(st.tuples(KEYS, VALUES), min_size=1, max_size=3).map(
        lambda pairs: "\n  ".join(f"{k}: {v}" for k, v in pairs)
    ),
)
ENTRY = st.one_of(
    st.tuples(KEYS, VALUES).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    st.tuples(
        KEYS,
        st.sampled_from(["", "  "]),
        st.sampled_from(["- ", "-  "]),
        st.lists(ITEM, max_size=3),
    ).map(lambda k: f"{k[0]}:" + "".join(f"\n{k[1]}{k[2]}{item}" for item in k[3])),
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(ENTRY, min_size=1, max_size=6).map("\n".join))
def test_generated_plain_shapes_are_read_as_pyyaml_reads_them(text: str) -> None:
    assert_same_as_pyyaml(text)


@pytest.mark.parametrize(
    "text",
    [
        "title: Đăng ký #mới",  # a comment PyYAML drops, and lint warns of
        "title: a\n  b",  # a value over two lines
        "title: x\ntitle: y",  # a key written twice: PyYAML's reader reports it
        "contact:\n  phone: 0209",  # a mapping under a key
        "methods:\n- method: a\n    fee: b",  # a list item's key out of line
        "methods:\n-  method: a\n  fee: b",  # not under the item's first key
        "k" * 1025 + ": v",  # a key longer than libyaml reads on one line
        "a:\n- " + "k" * 1025 + ": v",
        'title: "a\\tb"',  # an escape
        "title:\tx",
    ],
)
def test_other_shapes_are_left_to_pyyaml(text: str) -> None:
    assert read_plain_front_matter(text, MANY) is None


def test_parse_yaml_gives_each_key_s_line_in_the_file() -> None:
    problems = Problems()
    parsed = parse_yaml("code: '1.000080'\n\nmethods:\n- truc-tiep\ntitle: A", "x.md", problems, 2)
    assert parsed == ({"code": "1.000080", "methods": ["truc-tiep"], "title": "A"},
                      {"code": 2, "methods": 4, "title": 6})  # fmt: skip
    assert not problems.errors


def test_a_front_matter_over_the_node_limit_is_left_to_pyyaml_which_refuses_it() -> None:
    # 1 mapping + key and list (2) + 3 per mapping item (mapping, key, value) + 2 per pair
    text = "documents:\n" + "- name: x\n  url: y\n" * 10 + "title: a\n"
    assert pyyaml_node_count(text) == 1 + 2 + 10 * 5 + 2
    assert read_plain_front_matter(text, 55) is not None
    assert read_plain_front_matter(text, 54) is None
    over = "documents:\n" + "- x\n" * MAX_YAML_NODES
    problems = Problems()
    assert parse_yaml(over, "x.md", problems) is None
    assert "quá lớn" in problems.errors[0].message


def pyyaml_node_count(text: str) -> int:
    loader = yaml.BaseLoader(text)
    events = []
    while loader.check_event():
        events.append(loader.get_event())
    return sum(isinstance(e, (yaml.ScalarEvent, yaml.CollectionStartEvent)) for e in events)
