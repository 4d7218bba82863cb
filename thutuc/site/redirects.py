"""Old addresses that lead on to new ones: field folders renamed with `aliases:`.

Every host gets a redirect page at the old address (meta refresh, works
without JavaScript). Hosts that can redirect on the server also get the same
list as a Netlify/Cloudflare Pages `_redirects` file and an nginx `map`
snippet, both written at the root of output/ (see docs/permanence.md).
A replaced or abolished procedure is not a redirect: its page stays and says
what happened, because a resident holding an old paper needs to be told.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from thutuc.content.model import Field, Site

NETLIFY_FILE = "_redirects"
NGINX_FILE = "nginx-redirects.conf"


@dataclass(frozen=True)
class Redirect:
    old: str  # site-relative page path, "tu-phap/"
    new: str  # site-relative page path, "ho-tich/"
    field: Field


def alias_redirects(site: Site) -> list[Redirect]:
    """One redirect per alias of every field, sorted by old path."""
    found = [
        Redirect(f"{alias}/", field.url_path, field)
        for field in site.fields
        for alias in field.front.aliases
    ]
    return sorted(found, key=lambda r: r.old)


def _absolute_paths(site: Site, redirect: Redirect) -> tuple[str, str]:
    """Server paths (with the base_url's path, "/xa/tu-phap/") of a redirect."""
    base = urlsplit(site.config.base_url).path
    return base + redirect.old, base + redirect.new


def netlify_redirects(site: Site) -> bytes:
    """`_redirects`: "old new 301", with and without the trailing slash."""
    lines = ["# Tạo tự động bởi thutuc từ aliases: trong _index.md. Đừng sửa tay."]
    for redirect in alias_redirects(site):
        old, new = _absolute_paths(site, redirect)
        lines += [f"{old} {new} 301", f"{old.rstrip('/')} {new} 301"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def nginx_map(site: Site) -> bytes:
    """An nginx `map` from old $uri to new path; how to use it is in its comment."""
    lines = [
        "# Tạo tự động bởi thutuc từ aliases: trong _index.md. Đừng sửa tay.",
        "# In the http block:  include /path/to/nginx-redirects.conf;",
        "# In the server block: if ($thutuc_redirect) { return 301 $thutuc_redirect; }",
        "map $uri $thutuc_redirect {",
        '    default "";',
    ]
    for redirect in alias_redirects(site):
        old, new = _absolute_paths(site, redirect)
        lines += [f"    {old} {new};", f"    {old.rstrip('/')} {new};"]
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")
