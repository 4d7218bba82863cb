"""Vietnamese folding: the fast table gives what casefold + NFD + strip marks gives."""

from __future__ import annotations

import random
import unicodedata

from thutuc.content.text import _slow_fold, fold, slugify


def test_fold_merges_accents_and_d():
    assert fold("Hộ tịch") == fold("ho tich") == "ho tich"
    assert fold("Hòa") == fold("hoà") == fold("HOÀ") == "hoa"
    assert fold("Đất đai") == "dat dai" and slugify("Đất đai") == "dat-dai"


def test_the_translation_table_folds_as_unicode_does():
    letters = [chr(c) for c in (*range(0x20, 0x250), *range(0x1E00, 0x1F00))]
    letters += ["\u0301", "\u0323", "ß", "İ", "ﬁ", "Ώ", "й", "–", "“"]
    rng = random.Random(11)
    for _ in range(50_000):
        text = "".join(rng.choice(letters) for _ in range(rng.randint(1, 8)))
        for form in ("NFC", "NFD"):
            variant = unicodedata.normalize(form, text)
            assert fold(variant) == _slow_fold(variant), repr(variant)
