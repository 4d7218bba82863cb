"""Facts out of free Vietnamese text, for comparing a page with the national record.

Two texts that say the same thing rarely match character for character: "hòa"
and "hoà", "8.000 đồng" and "8000đ", "03 ngày" and "3 ngày", line breaks,
upper case. Two texts that look alike may still differ in what a resident acts
on: "8.000" against "80.000", "5 ngày" against "15 ngày", "hộ" against "hỗ".
So nothing here strips Vietnamese letters or tones: `canon()` only settles the
spellings that mean the same (tone placement, case, spacing, digit grouping,
leading zeros), and the facts that matter (amounts of money, durations, legal
text numbers, dates) are read out as values and compared as values.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import pairwise

from thutuc.content.text import nfc

# The five tone marks. Vowel marks (â, ê, ô, ơ, ư, ă) and đ are letters and stay.
_TONES = {"\u0300": "2", "\u0301": "1", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_WORD = re.compile(r"[^\W_]+")
# Vietnamese groups thousands with "." (8.000), some text with "," (400,000):
# a separator followed by exactly three digits, repeated, is grouping.
_GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*(?![\d]|[.,]\d)")
_LEADING_ZERO = re.compile(r"(?<![\d.,/])0+(?=\d)")


@lru_cache(maxsize=1 << 16)  # the same few thousand syllables, over and over
def canon_word(word: str) -> str:
    """One word, case-folded, with its tone moved to the end as a digit:
    "hoà" and "hòa" both give "hoa2"; "hộ" (hô5) and "hỗ" (hô4) stay apart."""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    tone = "".join(_TONES[c] for c in decomposed if c in _TONES)
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return base + tone


def plain_numbers(text: str) -> str:
    """Digit grouping and leading zeros removed: "8.000" → "8000", "03" → "3"."""
    text = _GROUPED.sub(lambda m: m.group(0).replace(m.group(1), ""), nfc(text))
    return _LEADING_ZERO.sub("", text)


# Scraped tables glue cells together ("Số lượngBáo cáo"); a Vietnamese word never
# has a capital inside it, so one marks where two words were glued (see unglue).
_UPPER = "".join(re.escape(c) for c in map(chr, range(0x41, 0x1F00)) if c.isupper())
_GLUED = re.compile(rf"(?<=[^\W\d_])(?<![{_UPPER}])(?=[{_UPPER}])")


# Abbreviations official text uses for what a page spells out.
_ABBREVIATIONS = {
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "BHXH": "bảo hiểm xã hội",
    "BHYT": "bảo hiểm y tế",
    "GCN": "giấy chứng nhận",
    "QSDĐ": "quyền sử dụng đất",
    "CCCD": "căn cước công dân",
    "TTHC": "thủ tục hành chính",
}
_ABBREVIATION = re.compile(rf"\b({'|'.join(_ABBREVIATIONS)})\b")


def words(text: str) -> list[str]:
    return list(_words(text))


@lru_cache(maxsize=4096)  # a page's text is read by several comparisons
def _words(text: str) -> tuple[str, ...]:
    spelled = _ABBREVIATION.sub(lambda m: _ABBREVIATIONS[m.group(1)], text)
    return tuple(canon_word(w) for w in _WORD.findall(plain_numbers(spelled)))


def unglue(text: str) -> str:
    """Scraped text with its glued cells pulled apart ("Số lượngBáo cáo" →
    "Số lượng Báo cáo"); done once per national record, never on a page."""
    return _GLUED.sub(" ", text)


def canon(text: str) -> str:
    """The text as its words only: what two spellings of the same text share."""
    return " ".join(words(text))


# --- Coverage: is what one text names also named in the other? --------------------------

# Words that appear in nearly every procedure and say nothing about which paper
# or condition is meant: a match on them alone proves nothing. "giấy", "văn bản",
# "bản" are here because "Giấy ủy quyền" and "Văn bản ủy quyền" are one paper.
_FILLER_WORDS = (
    "và hoặc của có các được cho theo với là thì để đã đang sẽ này đó nếu khi trong "
    "ngoài tại từ đến về do bởi một những mỗi người trường hợp đối với sau trước "
    "phải không cần nơi mà như bản chính sao số giấy văn giá trị thông tin tài liệu mình yêu cầu"
)
_FILLER = {canon_word(w) for w in _FILLER_WORDS.split()}

Terms = set[tuple[str, ...]]


_GIAY, _TO = canon_word("giấy"), canon_word("tờ")


def content_words(text: str) -> list[str]:
    """The words that say what a text is about; "giấy tờ" (papers) is filler,
    while the "tờ" of "tờ khai" is not."""
    ws = words(text)
    return [
        w
        for i, w in enumerate(ws)
        if w not in _FILLER and not (w == _TO and i and ws[i - 1] == _GIAY)
    ]


def terms(text: str) -> Terms:
    """Pairs of neighbouring content words: Vietnamese names things with two
    syllables ("căn cước", "khai sinh"), so a pair is the smallest unit that
    means something; a text with one content word has that word alone."""
    ws = content_words(text)
    if len(ws) == 1:
        return {(ws[0],)}
    return set(pairwise(ws))


def text_terms(text: str) -> Terms:
    """Everything `terms` could look for in a longer text: its pairs and its words."""
    ws = content_words(text)
    return set(pairwise(ws)) | {(w,) for w in ws}


def coverage(item: str, found: Terms) -> float:
    """The share of `item`'s terms that are in `found` (1.0 for an item with
    none: nothing to miss)."""
    wanted = terms(item)
    if not wanted:
        return 1.0
    return len(wanted & found) / len(wanted)


def word_share(item: str, found: Terms) -> float:
    """The share of `item`'s content words that are in `found` (1.0 for none)."""
    ws = content_words(item)
    return sum((w,) in found for w in ws) / len(ws) if ws else 1.0


HEAD_WORDS = 6  # an item is looked for by the first content words of its head


def mentioned(item: str, found: Terms, share: float = 0.5) -> bool:
    """`item` is named in the text whose terms are `found`: most of the pairs
    of its first HEAD_WORDS content words are there, or its first pair (what
    kind of thing it is: "tờ khai", "chứng tử") is there with most of those
    words ("Tờ khai xin bản sao trích lục" names "Tờ khai yêu cầu cấp bản sao
    trích lục")."""
    ws = content_words(item)[:HEAD_WORDS]
    if not ws:
        return True
    if len(ws) == 1:
        return (ws[0],) in found
    pairs = set(pairwise(ws))
    if len(pairs & found) / len(pairs) >= share:
        return True
    return (ws[0], ws[1]) in found and sum((w,) in found for w in ws) / len(ws) >= share


_HEAD_END = re.compile(
    r"\s*(?:\(|;|:|\.\s|,\s| theo mẫu| theo quy định| do | có giá trị| đối với"
    r"| trong trường hợp| để )",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-+•*]+\)?|\(?[a-zđ0-9]{1,3}[.)])\s*", re.IGNORECASE)


def strip_bullet(text: str) -> str:
    return _BULLET.sub("", nfc(text).strip()).strip()


def head(text: str) -> str:
    """What an item is called, without what follows about it: "Giấy khám sức
    khỏe do bệnh viện ... cấp" → "Giấy khám sức khỏe". Cut later when the
    first cut would leave fewer than two content words ("Giấy tờ có giá trị
    chứng minh ... cư trú", not "Giấy tờ")."""
    text = strip_bullet(text)
    for match in _HEAD_END.finditer(text, 3):
        name = text[: match.start()]
        if len(content_words(name)) >= 2:
            return name.rstrip(".,;:")
    return text.rstrip(".,;:")


# --- Money ---------------------------------------------------------------------------

_AMOUNT = re.compile(
    r"(\d+(?:[.,]\d+)*)\s*(nghìn|ngàn|triệu)?\s*"
    r"(việt nam đồng|đồng|vnđ|vnd|đ(?![\w])|usd)",
    re.IGNORECASE,
)
_MULTIPLIER = {"nghìn": 1_000, "ngàn": 1_000, "triệu": 1_000_000}
_FREE = re.compile(
    r"miễn (?:phí|lệ phí|thu)|không (?:mất|thu|phải nộp|phải trả|tốn|có) ?(?:lệ )?(?:phí|tiền)"
    r"|không thu phí|không thu lệ phí|(?<![\d.,])0 đồng",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Money:
    amounts: frozenset[tuple[int, str]]  # (value, currency): (8000, "VND")
    free: bool  # the text says something is free or exempt

    def shown(self) -> str:
        parts = [
            f"{value:,}".replace(",", ".") + f" {unit}" for value, unit in sorted(self.amounts)
        ]
        return ", ".join(parts) or ("miễn phí" if self.free else "không ghi số tiền")


def _number(text: str) -> float:
    grouped = plain_numbers(text)
    return float(grouped.replace(",", "."))


def money(text: str) -> Money:
    amounts = set()
    for match in _AMOUNT.finditer(nfc(text)):
        try:
            value = _number(match.group(1))
        except ValueError:
            continue
        value *= _MULTIPLIER.get((match.group(2) or "").lower(), 1)
        unit = "USD" if match.group(3).lower() == "usd" else "đồng"
        amounts.add((round(value), unit))
    return Money(frozenset(amounts), bool(_FREE.search(nfc(text))))


# --- Durations -------------------------------------------------------------------------

_DURATION = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(ngày làm việc|ngày|giờ làm việc|giờ|tháng|năm|tuần|tuổi)(?!\s*\d)",
    re.IGNORECASE,
)
_SAME_DAY = re.compile(r"\b(?:ngay )?trong (?:ngày|buổi)\b|\bngay khi\b|\bngay lập tức\b", re.I)
_UNIT_FAMILY = {"ngày làm việc": "ngày", "giờ làm việc": "giờ"}


@dataclass(frozen=True, order=True)
class Duration:
    value: float
    unit: str  # "ngày", "ngày làm việc", "giờ", "tháng", ...

    @property
    def family(self) -> str:
        return _UNIT_FAMILY.get(self.unit, self.unit)

    def same_length(self, other: Duration) -> bool:
        """Same number of the same kind of unit: 5 ngày làm việc ~ 5 ngày
        (the national data itself writes both for one rule)."""
        return self.value == other.value and self.family == other.family

    def shown(self) -> str:
        value = int(self.value) if self.value.is_integer() else self.value
        return f"{value} {self.unit}".replace(".", ",")


def durations(text: str) -> list[Duration]:
    """Every duration in the text; "trong ngày" (same day) counts as 1 ngày làm việc.
    A clock time ("sau 15 giờ") is read too: harmless, since only the national
    side's durations are looked for on the page, never the other way round."""
    text = nfc(text)
    found = []
    for match in _DURATION.finditer(text):
        try:
            found.append(Duration(_number(match.group(1)), match.group(2).lower()))
        except ValueError:
            continue
    if _SAME_DAY.search(text):  # the same day is within one working day
        found.append(Duration(1.0, "ngày làm việc"))
    return found


def mentions(text_durations: list[Duration], wanted: Duration) -> bool:
    return any(wanted.same_length(d) for d in text_durations)


# --- Legal texts and dates ---------------------------------------------------------------

_LEGAL_NUMBER = re.compile(
    r"(?<![\d.])(\d+(?:\.\d+)?)/(\d{4})/([A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ0-9]+)*(?:-TTg)?)(?![\w])"
)


def legal_numbers(text: str) -> dict[str, str]:
    """The numbers of legal texts, by a key that survives typing and scraping
    slips ("04/2020/TT-BTP" and "4/2020/TT-BTP" → "4/2020/TT"; the portal's
    "23/2015/NĐ-C" → "23/2015/NĐ") → the number as first written."""
    found: dict[str, str] = {}
    for match in _LEGAL_NUMBER.finditer(nfc(text)):
        number = match.group(1) if "." in match.group(1) else str(int(match.group(1)))
        kind = re.match(r"[A-ZĐ]*", match.group(3).upper()).group(0)  # type: ignore[union-attr]
        found.setdefault(f"{number}/{match.group(2)}/{kind}", match.group(0))
    return found


def legal_year(key: str) -> int:
    return int(key.split("/")[1])


_DATE_NUMERIC = re.compile(r"\bngày\s+(\d{1,2})/(\d{1,2})/(\d{4})", re.IGNORECASE)
_DATE_WORDS = re.compile(r"\bngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)


def dates_in(text: str) -> list[date]:
    """Dates written out in the text: "ngày 11/6/2025", "ngày 05 tháng 6 năm 2025"."""
    found = []
    for pattern in (_DATE_NUMERIC, _DATE_WORDS):
        for match in pattern.finditer(nfc(text)):
            day, month, year = (int(g) for g in match.groups())
            try:
                found.append(date(year, month, day))
            except ValueError:
                continue
    return found


def parse_date(text: str) -> date | None:
    """A date as a record may give it: 2025-06-11 or 11/6/2025."""
    text = text.strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if match:
        try:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        except ValueError:
            return None
    return None


# --- Deadlines a resident must meet ------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.;:])\s+|\n+")
_FROM = re.compile(r"(?:kể từ|tính từ|trước ngày|trước khi)[^,.;]*", re.IGNORECASE)
_AGENCY = re.compile(
    r"^\W*(?:ủy ban|uỷ ban|ubnd|cơ quan|cán bộ|công chức|người tiếp nhận|người có thẩm quyền|"
    r"tổ |phòng |trung tâm|hội đồng|chủ tịch|bộ phận|người đứng đầu|người thực hiện|ban )",
    re.IGNORECASE,
)
# Events the office itself brings about: a time limit counted from them is the office's.
_AGENCY_EVENT = re.compile(
    r"nhận được|tiếp nhận|nhận đủ|thụ lý|thẩm định|niêm yết|công khai", re.IGNORECASE
)


@dataclass(frozen=True)
class Deadline:
    duration: Duration
    sentence: str  # the national sentence, shortened, so the editor can find it


def resident_deadlines(text: str) -> list[Deadline]:
    """Time limits the applicant must keep ("Trong thời hạn 30 ngày kể từ ngày
    kết thúc việc tiêu hủy ..., cơ sở sản xuất nộp hồ sơ"), not the office's own
    ("... kể từ ngày nhận được hồ sơ, Ủy ban nhân dân cấp xã ..."). The one who
    must act is named after the "kể từ ..." clause, or else before the time
    limit; a limit counted from the office receiving something, with the office
    as the one who acts, or with nobody named, is left out."""
    found: dict[Duration, Deadline] = {}
    for sentence in _SENTENCE.split(nfc(text)):
        match = _DURATION.search(sentence)
        since = _FROM.search(sentence, match.end()) if match else None
        if match is None or since is None:
            continue
        actor = sentence[since.end() :].lstrip(" ,") or sentence[: match.start()]
        if _AGENCY_EVENT.search(since.group(0)) or _AGENCY.search(actor):
            continue
        if not content_words(actor):
            continue
        duration = durations(match.group(0))[0]
        short = " ".join(strip_bullet(sentence).split())
        found.setdefault(duration, Deadline(duration, short))
    return sorted(found.values(), key=lambda d: d.duration)
