"""Web addresses and phone numbers: checked once, then written as a browser writes them.

A QR code is read by a phone's camera, which opens a link only when the text
looks like one it knows: `https://hoabinh.example.vn/1.001193/`, not
`HTTPS://HOABINH.EXAMPLE.VN/1.001193/`. So the scheme and host are lower-cased,
an international host is written in punycode, a default port is dropped and the
path is percent-encoded where it is not ASCII; the path keeps its case, because
servers compare it exactly.

Every address an editor writes (`base_url`, `online_url`, `zalo_url`) passes
`checked_url`, one rule set: http(s) only; a host that is a DNS name or an IP
address; no user name or password; a valid port; no space, tab, newline or
other control character. The site's own address (`base_url`) also takes no
query (`?`) or fragment (`#`): every printed code is that address plus a path,
and `https://x.vn/?a=1` would make every code open the same page; `zalo_url`
must be on zalo.me, where the pages' Zalo button promises to go. Problems are
raised as `AddressError` (a message and a fix, in Vietnamese), never as the
ValueError `urlsplit` raises on `[` or a port above 65535.

Phone fields (`hotline`, a contact's `phone`) may hold several numbers,
separated by `,` `;` `/` or ` - `; `phone_numbers` splits them (one `tel:` link
each) and refuses letters, which a `tel:` link would silently drop.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, quote, unquote, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters a path may hold as they are (RFC 3986 pchar and "/"), plus "%" so
# an address already percent-encoded is not encoded twice.
PATH_SAFE = "/%:@!$&'()*+,;=-._~"
QUERY_SAFE = PATH_SAFE + "?"
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
URL_EXAMPLE = "Ví dụ: https://tamthanh.example.vn/"
# Every printed code is this address plus a page path (a province code's is 23
# characters). At 120 the longest code is a version-8 symbol (49 modules) at
# level M, against version 3 for https://tamthanh.example.vn/1.001193/:
#   python -c "from thutuc.print.qr import encode_url as e;
#     print(e('https://' + 'a' * 111 + '/2.000884.000.00.00.H55/').version)"
MAX_SITE_ADDRESS = 120


class AddressError(ValueError):
    """An address or phone number that cannot be used; `hint` says how to fix it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def canonical_url(text: str) -> str:
    """`text` (an absolute http(s) URL, already checked) in the form a browser shows and sends."""
    parts = urlsplit(text.strip())
    scheme = parts.scheme.lower()
    host = _ascii_host(parts.hostname or "")
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{ipaddress.IPv6Address(host).compressed}]"
    port = parts.port
    netloc = host if port is None or port == DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    path = quote(parts.path or "/", safe=PATH_SAFE)
    query = quote(parts.query, safe=QUERY_SAFE)
    fragment = quote(parts.fragment, safe=QUERY_SAFE)
    return urlunsplit((scheme, netloc, path, query, fragment))


def checked_url(text: str, site_address: bool = False) -> str:
    """The canonical form of `text`, or AddressError saying what is wrong.

    `site_address` (base_url) also refuses a query, a fragment and `.`/`..` in
    the path, which would make the printed codes wrong."""
    _refuse_hidden(text)
    parts = _split(text)
    if parts.scheme.lower() not in DEFAULT_PORTS:
        raise AddressError(
            f"'{text}' không phải địa chỉ web http:// hoặc https://.",
            f"Viết đầy đủ, bắt đầu bằng https://. {URL_EXAMPLE}",
        )
    _check_netloc(text, parts)
    if _PERCENT.search(text):
        raise AddressError(
            f"'{text}' có dấu '%' không theo sau bởi hai chữ số hệ 16.",
            "Chép lại địa chỉ từ thanh địa chỉ của trình duyệt.",
        )
    if site_address:
        _check_site_address(text, parts)
    return canonical_url(text)


ZALO_HOST = "zalo.me"
ZALO_EXAMPLE = "https://zalo.me/0000000000000000000"


def zalo_address(url: str) -> str:
    """`url` (canonical) if it opens Zalo: zalo.me or one of its subdomains (oa.zalo.me)."""
    host = urlsplit(url).hostname or ""
    if host != ZALO_HOST and not host.endswith("." + ZALO_HOST):
        raise AddressError(
            f"'{url}' không phải địa chỉ Zalo: nút Zalo trên trang sẽ mở {host}.",
            "Trong Zalo, mở trang Zalo OA của xã, chọn Chia sẻ, Sao chép liên kết, rồi dán "
            f"vào đây. Ví dụ: {ZALO_EXAMPLE}",
        )
    return url


def hidden_character(text: str) -> tuple[int, str] | None:
    """(1-based position, name) of the first space or invisible character of `text`,
    which no address holds (a BOM or a zero-width space pasted from Word)."""
    for index, char in enumerate(text):
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            return index + 1, _char_name(char)
    return None


def _refuse_hidden(text: str) -> None:
    if found := hidden_character(text):
        position, what = found
        raise AddressError(
            f"địa chỉ có {what} ở ký tự thứ {position}: '{text.strip()}'.",
            "Địa chỉ web không có dấu cách hay ký tự ẩn. Xóa ký tự đó; nếu địa chỉ thật "
            "có dấu cách, viết %20 thay cho dấu cách.",
        )
    if "\\" in text:
        raise AddressError(
            f"địa chỉ '{text}' có dấu '\\'.", "Địa chỉ web dùng dấu '/', không dùng '\\'."
        )


def _char_name(char: str) -> str:
    names = {" ": "dấu cách", "\t": "phím Tab", "\n": "dấu xuống dòng", "\r": "dấu xuống dòng"}
    if char in names:
        return names[char]
    return f"ký tự ẩn U+{ord(char):04X} ({unicodedata.name(char, 'ký tự điều khiển')})"


def _split(text: str) -> SplitResult:
    """urlsplit, with its ValueErrors ("Invalid IPv6 URL", a bad port) as AddressError."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError as exc:
        if "Port" in str(exc):
            raise AddressError(
                f"cổng (số sau dấu ':') trong '{text}' không hợp lệ.",
                "Cổng là một số từ 1 đến 65535; thường không cần ghi: bỏ phần ':…' đi.",
            ) from None
        raise AddressError(
            f"'{text}' có dấu '[' hoặc ']' không đúng chỗ.",
            f"Tên miền không có dấu ngoặc vuông. {URL_EXAMPLE}",
        ) from None
    return parts


def _check_netloc(text: str, parts: SplitResult) -> None:
    if "@" in parts.netloc:
        raise AddressError(
            f"'{text}' có tên người dùng hoặc mật khẩu (phần trước '@').",
            "Không đưa tên đăng nhập, mật khẩu vào địa chỉ công khai: xóa phần trước '@'.",
        )
    if parts.port == 0:
        raise AddressError(
            f"cổng 0 trong '{text}' không dùng được.", "Bỏ phần ':0', hoặc ghi cổng từ 1 đến 65535."
        )
    host = parts.hostname or ""
    if not host:
        raise AddressError(f"'{text}' thiếu tên miền.", URL_EXAMPLE)
    if "[" in parts.netloc:
        return  # urlsplit has checked the IPv6 address between the brackets
    if "[" in text or "]" in text:
        raise AddressError(
            f"'{text}' có dấu '[' hoặc ']' không đúng chỗ.",
            "Xóa dấu ngoặc vuông; nếu địa chỉ thật có nó, viết %5B và %5D.",
        )
    _check_host(text, host)


def _check_host(text: str, host: str) -> None:
    try:
        ascii_host = _ascii_host(host)
    except UnicodeError:
        ascii_host = ""
    labels = ascii_host.split(".")
    if not ascii_host or not all(_LABEL.match(label) for label in labels):
        raise AddressError(
            f"tên miền '{host}' trong '{text}' không hợp lệ.",
            "Tên miền gồm các phần cách nhau bằng một dấu chấm, mỗi phần là chữ, số hoặc '-' "
            f"(không có dấu cách, không có hai dấu chấm liền nhau). {URL_EXAMPLE}",
        )
    if labels[-1].isdigit():
        try:
            ipaddress.IPv4Address(ascii_host)
        except ValueError:
            raise AddressError(
                f"'{host}' trong '{text}' không phải địa chỉ IP hợp lệ.",
                "Địa chỉ IP có bốn số từ 0 đến 255, ví dụ 192.168.1.10; hoặc dùng tên miền.",
            ) from None


def _ascii_host(host: str) -> str:
    """The host as DNS sends it: lower case, international names in punycode."""
    if host.isascii():
        return host.lower()
    return host.encode("idna").decode("ascii").lower()


def _check_site_address(text: str, parts: SplitResult) -> None:
    if len(text) > MAX_SITE_ADDRESS:
        raise AddressError(
            f"địa chỉ trang dài {len(text)} ký tự, quá {MAX_SITE_ADDRESS}: mã QR in ra sẽ "
            "quá dày để quét từ xa.",
            "Dùng một tên miền hoặc đường dẫn ngắn hơn, ví dụ https://tamthanh.example.vn/.",
        )
    if "{" in text or "}" in text:  # {commune} copied from a province.yml
        raise AddressError(
            f"địa chỉ trang '{text}' có dấu ngoặc {{ }}: mẫu {{commune}} chỉ dùng trong "
            "province.yml của tỉnh. site.yml ghi địa chỉ thật của trang, mà mọi mã QR in ra "
            "sẽ mở.",
            f"Viết địa chỉ thật của trang. {URL_EXAMPLE}",
        )
    if "?" in text or "#" in text:
        mark = "?" if "?" in text else "#"
        raise AddressError(
            f"địa chỉ trang '{text}' có phần '{mark}…'; mọi mã QR ghép địa chỉ này với "
            "đường dẫn của từng trang, nên phần đó sẽ làm mọi mã mở cùng một trang.",
            f"Xóa từ dấu '{mark}' trở đi. {URL_EXAMPLE}",
        )
    if any(unquote(segment) in (".", "..") for segment in parts.path.split("/")):
        raise AddressError(
            f"đường dẫn trong '{text}' có '.' hoặc '..'.",
            "Viết thẳng đường dẫn thật, ví dụ https://example.vn/thu-tuc/.",
        )


@dataclass(frozen=True)
class PhoneNumber:
    """One number of a phone field: as written, and as a `tel:` link dials it."""

    written: str
    digits: str  # "+" and digits only

    @property
    def href(self) -> str:
        return "tel:" + self.digits


# Between two numbers: , ; / | or a dash with spaces around it ("0209 3 123 456 - 0912 …").
_NUMBER_SEPARATOR = re.compile(r"\s*[,;/|\n]\s*|\s+[-–—]\s+")
_PHONE_PUNCTUATION = set(" .-()\u00a0")
_DIGITS = set("0123456789")  # not str.isdigit, which also takes "²" and "٣"
MAX_DIGITS = 15  # ITU E.164: no phone number has more
MIN_DIGITS = 3  # 113, 114, 115: police, fire, ambulance
SEPARATE_HINT = "Nhiều số thì cách nhau bằng dấu phẩy, ví dụ: 0209 3 123 456, 0912 345 678."


@lru_cache(maxsize=1024)  # every page's footer shows the site's hotline
def phone_numbers(text: str) -> tuple[PhoneNumber, ...]:
    """Each number of a phone field, or AddressError naming what a number cannot hold."""
    numbers = []
    for piece in _NUMBER_SEPARATOR.split(text.strip()):
        if piece:
            numbers.append(_one_number(piece.strip()))
    return tuple(numbers)


def _one_number(piece: str) -> PhoneNumber:
    letters = [ch for ch in piece if ch.isalpha()]
    if letters:
        word = "".join(letters)
        raise AddressError(
            f"số điện thoại '{piece}' có chữ ({word}); liên kết gọi điện sẽ bỏ mất các chữ đó.",
            "Chỉ ghi chữ số. Ghi chú như 'máy lẻ', 'giờ hành chính' thì đặt ở role: hoặc "
            f"opening_hours:. {SEPARATE_HINT}",
        )
    odd = sorted({ch for ch in piece if ch not in _DIGITS and ch != "+"} - _PHONE_PUNCTUATION)
    lead = piece.lstrip("( ")  # "(+84) 209 3 123 456" is written too
    if "+" in lead[1:]:
        odd.insert(0, "+")
    if odd:
        shown = " ".join(f"'{ch}'" if ch.isprintable() else f"U+{ord(ch):04X}" for ch in odd)
        raise AddressError(
            f"số điện thoại '{piece}' có ký tự không dùng được: {shown}.",
            f"Chỉ ghi chữ số, dấu cách, dấu chấm, '-', '( )', và '+' ở đầu. {SEPARATE_HINT}",
        )
    digits = "".join(ch for ch in piece if ch in _DIGITS)
    if len(digits) > MAX_DIGITS:
        raise AddressError(
            f"'{piece}' có {len(digits)} chữ số: dài hơn mọi số điện thoại, có lẽ là hai số "
            "viết liền nhau.",
            SEPARATE_HINT,
        )
    if len(digits) < MIN_DIGITS:
        raise AddressError(f"'{piece}' quá ngắn để là số điện thoại.", SEPARATE_HINT)
    return PhoneNumber(piece, ("+" if lead.startswith("+") else "") + digits)
