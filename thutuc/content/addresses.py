"""Web addresses as a browser writes them: the form every printed code carries.

A QR code is read by a phone's camera, which opens a link only when the text
looks like one it knows: `https://hoabinh.example.vn/1.001193/`, not
`HTTPS://HOABINH.EXAMPLE.VN/1.001193/`. So the scheme and host are lower-cased,
an international host is written in punycode, a default port is dropped and the
path is percent-encoded where it is not ASCII; the path keeps its case, because
servers compare it exactly.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters a path may hold as they are (RFC 3986 pchar and "/"), plus "%" so
# an address already percent-encoded is not encoded twice.
PATH_SAFE = "/%:@!$&'()*+,;=-._~"


def canonical_url(text: str) -> str:
    """`text` (an absolute http(s) URL) in the form a browser shows and sends."""
    parts = urlsplit(text.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").encode("idna").decode("ascii").lower()
    port = parts.port
    netloc = host if port is None or port == DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    path = quote(parts.path or "/", safe=PATH_SAFE)
    return urlunsplit((scheme, netloc, path, parts.query, parts.fragment))
