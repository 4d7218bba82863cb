"""Render stage: the typed site to HTML pages, as a mapping of path → bytes.

Templates get plain views (dicts and the frozen model objects), never the
loader's internals. Links between pages are relative, so the same output works
at the root of a domain, under a sub-path, or opened from disk.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from thutuc.content.addresses import AddressError, phone_numbers
from thutuc.content.markdown import plain_text, render_inline, render_markdown
from thutuc.content.model import (
    AZ_PATH,
    CONTACTS_PATH,
    HOME_PATH,
    NOT_FOUND_PATH,
    OFFLINE_PATH,
    FieldLink,
    Procedure,
    Site,
    SiteConfig,
)
from thutuc.content.text import fold, vi_date
from thutuc.print.qr import CONTACT_CARD_PATH, contact_vcard
from thutuc.processing import processing
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


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} byte"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


def tel_links(phone: str) -> Markup:
    """One `tel:` link per number of a phone field, as people write it
    ("0209 3 123 456, 0912 345 678"), each shown as written, joined by "hoặc"
    ("or": a comma would stand alone on a line where links are blocks, as in
    the contact list). validate has refused letters; a number that is still
    unusable is shown as plain text."""
    try:
        numbers = phone_numbers(phone)
    except AddressError:
        return Markup.escape(phone)
    links = (Markup('<a class="tel" href="{}">{}</a>').format(n.href, n.written) for n in numbers)
    return Markup(" hoặc ").join(links)


# One environment per templates folder and process: a province renders 100
# communes from the same templates, and compiling them per commune took more
# time than rendering.
@lru_cache(maxsize=8)
def make_environment(site_root: Path, overrides: str = "") -> Environment:
    """Templates from the site's own templates/ first, then the bundled ones.

    `overrides`: a digest of the site's own templates (engine/artifacts.py), so a
    template added there gets a new environment: Jinja's cache would keep serving
    the bundled one it found first."""
    loaders = [FileSystemLoader(str(DEFAULT_TEMPLATES))]
    own = (site_root / "templates").resolve()
    if own != DEFAULT_TEMPLATES.resolve():
        loaders.insert(0, FileSystemLoader(str(own)))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # No stat of every included template at every render: a changed template
        # of the site changes `overrides`, hence the environment.
        auto_reload=False,
    )
    env.filters.update(
        markdown=render_markdown,
        inline=render_inline,
        vi_date=vi_date,
        file_size=file_size,
        tel=tel_links,
        plain=plain_text,
    )
    return env


def relative_root(path: str) -> str:
    """Prefix from a page back to the site root: "" for home, "../" one level down."""
    return "../" * path.count("/")


@lru_cache(maxsize=1)
def site_css() -> str:
    return (STATIC_DIR / "site.css").read_text(encoding="utf-8")


@dataclass(frozen=True)
class PageSpec:
    """One page and exactly what its template receives besides the site's settings:
    an artifact's inputs, so its key is what the page is made from."""

    template: str
    path: str
    extra: tuple[tuple[str, Any], ...] = ()
    from_base: bool = False  # 404 and offline pages: served at any depth, links from the base path


def render_page(
    templates_root: Path, config: SiteConfig, spec: PageSpec, overrides: str = ""
) -> Page:
    """Render one page with the templates of `templates_root` (the site's own first)."""
    env = make_environment(templates_root, overrides)
    root = urlsplit(config.base_url).path if spec.from_base else relative_root(spec.path)
    context = {
        "site": config,
        "path": spec.path,
        "root": root,
        "canonical": config.base_url + spec.path,
        "css": Markup(site_css()),  # our own file: must not be HTML-escaped
        **dict(spec.extra),
    }
    source = getattr(
        dict(spec.extra).get("procedure") or dict(spec.extra).get("field"), "source", ""
    )
    with processing(source or spec.template):  # names the file in a crash message
        html = env.get_template(spec.template).render(context)
    return Page(spec.path, html.encode("utf-8"))


def procedure_page(site: Site, procedure: Procedure) -> PageSpec:
    field = site.fields_by_slug[procedure.field_slug]
    replaces = tuple(
        site.procedures_by_code[c].summary_only() for c in site.replaced_codes_of(procedure.code)
    )
    replacement = site.replacement_of(procedure)
    extra = (
        ("procedure", procedure),
        ("field", FieldLink(field.slug, field.title)),
        ("replacement", replacement.summary_only() if replacement else None),
        ("replaces", replaces),
        ("checked", site.checked_on(procedure)),
    )
    template = "retired.html" if procedure.is_retired else "procedure.html"
    return PageSpec(template, procedure.url_path, extra)


def az_groups(site: Site) -> dict[str, list[Procedure]]:
    groups: dict[str, list[Procedure]] = {}
    for procedure in site.listed().active_procedures:
        letter = fold(procedure.title)[:1].upper() or "#"
        groups.setdefault(letter, []).append(procedure)
    return groups


def redirect_pages(site: Site) -> list[PageSpec]:
    """A page at each old address (field `aliases:`). Kept out of the sitemap."""
    pages = []
    for redirect in alias_redirects(site):
        target = relative_root(redirect.old) + redirect.new
        extra = (
            ("target", target),
            ("canonical", site.absolute_url(redirect.new)),
            ("field", FieldLink(redirect.field.slug, redirect.field.title)),
        )
        pages.append(PageSpec("redirect.html", redirect.old, extra))
    return pages


def page_specs(site: Site) -> list[PageSpec]:
    """Every HTML page of the site, in a stable order (sitemap order)."""
    listed = site.listed()  # lists show summaries: a body edit changes none of them
    specs = [PageSpec("home.html", HOME_PATH, (("fields", listed.fields),))]
    specs += [PageSpec("field.html", f.url_path, (("field", f),)) for f in listed.fields]
    specs += [procedure_page(site, p) for p in site.procedures]
    retired = ("retired", listed.retired_procedures)
    specs.append(PageSpec("az.html", AZ_PATH, (("groups", az_groups(listed)), retired)))
    # the hotline as a code that saves it as a contact, beside the page (print/qr.py)
    card = CONTACT_CARD_PATH.removeprefix(CONTACTS_PATH) if contact_vcard(site) else ""
    specs.append(PageSpec("contacts.html", CONTACTS_PATH, (("contact_card", card),)))
    specs.append(PageSpec("404.html", NOT_FOUND_PATH, from_base=True))
    return specs


def offline_page(site: Site) -> PageSpec:
    # Shown by the service worker in place of any page, so links start from the base path.
    fields = tuple(FieldLink(f.slug, f.title) for f in site.fields)  # names and addresses only
    return PageSpec("offline.html", OFFLINE_PATH, (("fields", fields),), from_base=True)


def sitemap_xml(
    templates_root: Path, config: SiteConfig, paths: tuple[str, ...], overrides: str = ""
) -> bytes:
    env = make_environment(templates_root, overrides)
    xml = env.get_template("sitemap.xml").render(urls=[config.base_url + p for p in paths])
    return xml.encode("utf-8")


def sitemap_paths(specs: list[PageSpec]) -> tuple[str, ...]:
    """The pages of the sitemap, by address: a title edit does not reorder it."""
    return tuple(sorted(s.path for s in specs if Page(s.path, b"").file.endswith("index.html")))


def service_worker(site: Site, files: list[tuple[str, bytes]]) -> Page:
    """sw.js, versioned by every other output file's path and bytes."""
    template = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    return Page(SERVICE_WORKER_PATH, service_worker_js(template, site, build_version(files)))


def script() -> Page:
    return Page(SCRIPT_PATH, (STATIC_DIR / "site.js").read_bytes())


def render_site(site: Site) -> list[Page]:
    """Every output file of the site's web half, in one process: what the engine
    builds as separate artifacts (engine/artifacts.py), for tests and tools."""
    specs = page_specs(site)
    pages = [render_page(site.root, site.config, spec) for spec in specs]
    pages.append(Page("sitemap.xml", sitemap_xml(site.root, site.config, sitemap_paths(specs))))
    pages += [render_page(site.root, site.config, spec) for spec in redirect_pages(site)]
    pages += [Page(NETLIFY_FILE, netlify_redirects(site)), Page(NGINX_FILE, nginx_map(site))]
    pages += [render_page(site.root, site.config, offline_page(site))]
    pages += [Page(INDEX_PATH, search_index_json(site)), script()]
    from thutuc.print.qr import contact_card_svg

    if svg := contact_card_svg(site):
        pages.append(Page(CONTACT_CARD_PATH, svg.encode("utf-8")))
    pages.append(service_worker(site, [(p.path, p.content) for p in pages]))
    return pages


def gzipped_size(content: bytes) -> int:
    """Bytes on the wire with gzip -9, as a static host would send them."""
    return len(gzip.compress(content, compresslevel=9, mtime=0))
