"""Render stage: the typed site to HTML pages, as a mapping of path → bytes.

Templates get plain views (dicts and the frozen model objects), never the
loader's internals. Links between pages are relative, so the same output works
at the root of a domain, under a sub-path, or opened from disk.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from thutuc.content.markdown import plain_text, render_inline, render_markdown
from thutuc.content.model import (
    AZ_PATH,
    CONTACTS_PATH,
    HOME_PATH,
    NOT_FOUND_PATH,
    OFFLINE_PATH,
    Field,
    Procedure,
    Site,
)
from thutuc.content.text import fold
from thutuc.print.qr import CONTACT_CARD_PATH, contact_card_svg, contact_vcard
from thutuc.resources import STATIC_DIR
from thutuc.resources import TEMPLATES_DIR as DEFAULT_TEMPLATES
from thutuc.site.redirects import (
    NETLIFY_FILE,
    NGINX_FILE,
    alias_redirects,
    netlify_redirects,
    nginx_map,
)
from thutuc.site.search_index import INDEX_PATH, search_index_json
from thutuc.site.service_worker import (
    SCRIPT_PATH,
    SERVICE_WORKER_PATH,
    build_version,
    service_worker_js,
)

MONTHS = "tháng {m}/{y}"


@dataclass(frozen=True)
class Page:
    """One output file: its site-relative path and its bytes."""

    path: str  # "" for home, "ho-tich/" for a folder page, "404.html" for a file
    content: bytes

    @property
    def file(self) -> str:
        return self.path + "index.html" if self.path == "" or self.path.endswith("/") else self.path


def vi_date(value: date | None) -> str:
    """01/07/2025 — the way dates are written in Vietnamese administration."""
    return value.strftime("%d/%m/%Y") if value else ""


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} byte"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


def tel_href(phone: str) -> str:
    """`tel:` link from a phone number as people write it ("0209 3 123 456")."""
    return "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+")


# One environment per templates folder and process: a province renders 100
# communes from the same templates, and compiling them per commune took more
# time than rendering. Jinja still reloads a template whose file changed.
@lru_cache(maxsize=8)
def make_environment(site_root: Path) -> Environment:
    """Templates from the site's own templates/ first, then the bundled ones."""
    loaders = [FileSystemLoader(str(DEFAULT_TEMPLATES))]
    own = site_root / "templates"
    if own.is_dir() and own.resolve() != DEFAULT_TEMPLATES:
        loaders.insert(0, FileSystemLoader(str(own)))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        markdown=render_markdown,
        inline=render_inline,
        vi_date=vi_date,
        file_size=file_size,
        tel=tel_href,
        plain=plain_text,
    )
    return env


def relative_root(path: str) -> str:
    """Prefix from a page back to the site root: "" for home, "../" one level down."""
    return "../" * path.count("/")


def _css() -> str:
    return (STATIC_DIR / "site.css").read_text(encoding="utf-8")


class SiteRenderer:
    """Renders every page of one site; one instance per build."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.env = make_environment(site.root)
        self.css = Markup(_css())  # our own file: must not be HTML-escaped
        self.base_path = urlsplit(site.config.base_url).path

    def context(self, path: str, **extra: Any) -> dict[str, Any]:
        return {
            "site": self.site.config,
            "fields": self.site.fields,
            "path": path,
            "root": relative_root(path),
            "canonical": self.site.absolute_url(path),
            "css": self.css,
            **extra,
        }

    def page(self, template: str, path: str, **extra: Any) -> Page:
        html = self.env.get_template(template).render(self.context(path, **extra))
        return Page(path, html.encode("utf-8"))

    def home(self) -> Page:
        return self.page("home.html", HOME_PATH)

    def field(self, field: Field) -> Page:
        return self.page("field.html", field.url_path, field=field)

    def procedure(self, procedure: Procedure) -> Page:
        field = self.site.fields_by_slug[procedure.field_slug]
        replaces = [
            self.site.procedures_by_code[c] for c in self.site.replaced_codes_of(procedure.code)
        ]
        return self.page(
            "retired.html" if procedure.is_retired else "procedure.html",
            procedure.url_path,
            procedure=procedure,
            field=field,
            replacement=self.site.replacement_of(procedure),
            replaces=replaces,
            checked=self.site.checked_on(procedure),
        )

    def az(self) -> Page:
        groups: dict[str, list[Procedure]] = {}
        for procedure in self.site.active_procedures:
            letter = fold(procedure.title)[:1].upper() or "#"
            groups.setdefault(letter, []).append(procedure)
        retired = self.site.retired_procedures
        return self.page("az.html", AZ_PATH, groups=groups, retired=retired)

    def contacts(self) -> Page:
        # the code's file sits beside the page: lien-he/danh-ba.svg
        card = CONTACT_CARD_PATH.removeprefix(CONTACTS_PATH) if contact_vcard(self.site) else ""
        return self.page("contacts.html", CONTACTS_PATH, contact_card=card)

    def contact_card(self) -> Iterator[Page]:
        """The hotline as a code that saves it as a contact (print/qr.py), shown on
        the contacts page."""
        if svg := contact_card_svg(self.site):
            yield Page(CONTACT_CARD_PATH, svg.encode("utf-8"))

    def not_found(self) -> Page:
        # Served at any depth by the host, so its links start from the base path.
        html = self.env.get_template("404.html").render(
            self.context(NOT_FOUND_PATH) | {"root": self.base_path}
        )
        return Page(NOT_FOUND_PATH, html.encode("utf-8"))

    def redirects(self) -> Iterator[Page]:
        """A page at each old address (field `aliases:`), plus the same list for
        hosts that redirect on the server. Kept out of the sitemap."""
        for redirect in alias_redirects(self.site):
            target = relative_root(redirect.old) + redirect.new
            canonical = self.site.absolute_url(redirect.new)
            yield self.page(
                "redirect.html",
                redirect.old,
                target=target,
                canonical=canonical,
                field=redirect.field,
            )
        yield Page(NETLIFY_FILE, netlify_redirects(self.site))
        yield Page(NGINX_FILE, nginx_map(self.site))

    def offline(self) -> Page:
        # Shown by the service worker in place of any page, so links start from the base path.
        html = self.env.get_template("offline.html").render(
            self.context(OFFLINE_PATH) | {"root": self.base_path}
        )
        return Page(OFFLINE_PATH, html.encode("utf-8"))

    def search_index(self) -> Page:
        return Page(INDEX_PATH, search_index_json(self.site))

    def script(self) -> Page:
        return Page(SCRIPT_PATH, (STATIC_DIR / "site.js").read_bytes())

    def service_worker(self, pages: list[Page]) -> Page:
        version = build_version((p.path, p.content) for p in pages)
        template = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
        return Page(SERVICE_WORKER_PATH, service_worker_js(template, self.site, version))

    def offline_and_search(self) -> list[Page]:
        """The offline page, the search index and the script that uses them."""
        return [self.offline(), self.search_index(), self.script()]

    def sitemap(self, pages: list[Page]) -> Page:
        urls = [self.site.absolute_url(p.path) for p in pages if p.file.endswith("index.html")]
        xml = self.env.get_template("sitemap.xml").render(urls=urls)
        return Page("sitemap.xml", xml.encode("utf-8"))

    def all_pages(self) -> Iterator[Page]:
        yield self.home()
        yield from (self.field(f) for f in self.site.fields)
        yield from (self.procedure(p) for p in self.site.procedures)
        yield self.az()
        yield self.contacts()
        yield from self.contact_card()
        yield self.not_found()


def render_site(site: Site) -> list[Page]:
    """Every page of the site, plus sitemap.xml, in a stable order."""
    renderer = SiteRenderer(site)
    pages = list(renderer.all_pages())
    pages.append(renderer.sitemap(pages))
    pages.extend(renderer.redirects())
    pages.extend(renderer.offline_and_search())
    pages.append(renderer.service_worker(pages))
    return pages


def gzipped_size(content: bytes) -> int:
    """Bytes on the wire with gzip -9, as a static host would send them."""
    return len(gzip.compress(content, compresslevel=9, mtime=0))
