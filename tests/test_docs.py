"""Every key an editor may write is documented, in Vietnamese and in English."""

from __future__ import annotations

from pathlib import Path

import pytest

from thutuc.content.schema import FIELD_KEYS, LANGUAGE_KEYS, PROCEDURE_KEYS, SITE_KEYS

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize("doc", ["dinh-dang-noi-dung.md", "content-format.md"])
def test_every_key_is_documented(doc: str) -> None:
    text = (DOCS / doc).read_text(encoding="utf-8")
    missing = [
        k.name
        for k in SITE_KEYS + LANGUAGE_KEYS + FIELD_KEYS + PROCEDURE_KEYS
        if f"`{k.name}`" not in text
    ]
    assert missing == [], f"{doc} does not document: {missing}"
