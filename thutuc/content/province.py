"""Province mode: one shared catalogue of procedures, one site per commune.

A province folder holds `province.yml`, a catalogue `procedures/` (the same
format as a single site) and `communes/<slug>/site.yml`, each commune with
optional files under `communes/<slug>/procedures/<field>/`:

- a file whose `code` is in the catalogue overrides that procedure: every key
  it writes replaces the catalogue's value as a whole (lists too), keys it does
  not write are inherited, and a non-empty body replaces the catalogue body;
- any other file is a local addition, exactly like a single site's file;
- `exclude: [codes]` in site.yml drops catalogue procedures (validate.py).

The merge happens on loaded documents, before validation (content/project.py),
so a commune's site is validated, rendered and written by the same code as a
single site. Paths in messages stay relative to the province folder, and each
problem names its commune (`Problem.group`); catalogue problems are reported once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thutuc.content.load import MAX_YAML_BYTES, SourceDocument, parse_yaml, read_text
from thutuc.content.schema import Key
from thutuc.content.validate import convert_keys
from thutuc.problems import Problems

PROVINCE_FILE = "province.yml"
COMMUNES_DIR = "communes"
CATALOGUE_GROUP = "danh mục chung"
COMMUNE_PLACEHOLDER = "{commune}"

PROVINCE_KEYS: tuple[Key, ...] = (
    Key("name", "text", "Tên tỉnh", "Province name", True, "Tỉnh Hòa Bình"),
    Key(
        "base_url",
        "text",
        "Mẫu địa chỉ trang của mỗi xã, có {commune} (xã nào ghi base_url riêng thì dùng của xã)",
        "Address pattern of each commune's site, with {commune}; a commune's own base_url wins",
        False,
        "https://thutuc.example.gov.vn/{commune}/",
    ),
)


@dataclass(frozen=True)
class ProvinceConfig:
    name: str
    base_url: str = ""  # pattern with {commune}, or "" when each commune writes its own


def is_province(root: Path) -> bool:
    """Province mode is chosen by the presence of province.yml, nothing else."""
    return (root / PROVINCE_FILE).is_file()


def read_province_config(root: Path, problems: Problems) -> SourceDocument | None:
    path = root / PROVINCE_FILE
    text = read_text(root, path, problems, limit=MAX_YAML_BYTES)
    parsed = None if text is None else parse_yaml(text, PROVINCE_FILE, problems)
    if parsed is None:
        return None
    meta, key_lines = parsed
    if not isinstance(meta, dict):
        problems.error(
            PROVINCE_FILE, "province.yml phải là các dòng 'khóa: giá trị'.", "Ví dụ: name: Tỉnh X"
        )
        return None
    return SourceDocument(PROVINCE_FILE, path, meta, key_lines=key_lines)


def procedure_code(doc: SourceDocument) -> str:
    return str(doc.meta.get("code", "")).strip()


def merge_documents(base: SourceDocument, local: SourceDocument) -> SourceDocument:
    """`local` over `base`: keys written in `local` replace, the rest is inherited;
    a non-empty local body replaces. Messages point at the local file."""
    meta = {**base.meta, **local.meta}
    if "forms" in base.meta and "forms" not in local.meta:
        meta["forms"] = _rebase_forms(base.meta["forms"], base.path.parent, local.path.parent)
    body, body_line = (
        (local.body, local.body_line) if local.body.strip() else (base.body, base.body_line)
    )
    return SourceDocument(local.rel, local.path, meta, body, body_line, dict(local.key_lines))


def _rebase_forms(forms: Any, base_dir: Path, local_dir: Path) -> Any:
    """Inherited form files stay where the catalogue keeps them: rewrite each
    path relative to the overriding file's folder."""
    if not isinstance(forms, list):
        return forms
    rebased = []
    for item in forms:
        if isinstance(item, dict) and isinstance(item.get("file"), str):
            moved = os.path.relpath(base_dir / item["file"], local_dir)
            item = {**item, "file": Path(moved).as_posix()}
        rebased.append(item)
    return rebased


def validate_province_config(
    doc: SourceDocument | None, problems: Problems
) -> ProvinceConfig | None:
    if doc is None:
        return None
    values = convert_keys(doc, PROVINCE_KEYS, problems)
    if values is None:
        return None
    pattern = values.get("base_url", "")
    if pattern and COMMUNE_PLACEHOLDER not in pattern:
        problems.error(
            PROVINCE_FILE,
            f"base_url của tỉnh phải có {COMMUNE_PLACEHOLDER} để mỗi xã có địa chỉ riêng.",
            "Ví dụ: base_url: https://thutuc.example.gov.vn/{commune}/",
            doc.line_of("base_url"),
        )
        return None
    return ProvinceConfig(**values)


def commune_base_url(
    config: ProvinceConfig, site_doc: SourceDocument | None, slug: str, override: str | None
) -> str | None:
    """--base-url (a pattern in province mode) wins, then the commune's site.yml,
    then province.yml's pattern."""
    pattern = override
    if pattern is not None and COMMUNE_PLACEHOLDER not in pattern:
        pattern = pattern.rstrip("/") + "/" + COMMUNE_PLACEHOLDER + "/"
    own = site_doc.meta.get("base_url") if site_doc else None
    if pattern is None and not own and config.base_url:
        pattern = config.base_url
    return pattern.replace(COMMUNE_PLACEHOLDER, slug) if pattern else None
