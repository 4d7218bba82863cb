"""Render stage: the typed site to HTML pages, as a mapping of path → bytes.

Templates get plain views (dicts and the frozen model objects), never the
loader's internals. Links between pages are relative, so the same output works
at the root of a domain, under a sub-path, or opened from disk.
"""

from __future__ import annotations

import gzip
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup

from thutuc.content.addresses import AddressError, phone_numbers
from thutuc.content.markdown import plain_text, render_inline, render_markdown
from thutuc.content.model import Procedure, Site, SiteConfig
from thutuc.content.text import vi_date
from thutuc.processing import processing
from thutuc.resources import STATIC_DIR
from thutuc.resources import TEMPLATES_DIR as DEFAULT_TEMPLATES
from thutuc.site.fonts import font_faces
from thutuc.site.pages import (
    VIETNAMESE,
    PageLanguage,
    PageSpec,
    relative_root,
)
from thutuc.site.service_worker import (
    SCRIPT_PATH,
    SERVICE_WORKER_PATH,
    build_version,
    service_worker_js,
)
from thutuc.site.strings import fill, load_strings, plural

MONTHS = "tháng {m}/{y}"
__all__ = ["PageSpec"]  # what builders.py and artifacts.py name from here


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


@pass_context
def tel_links(context: Context, phone: str) -> Markup:
    """One `tel:` link per number of a phone field, as people write it
    ("0209 3 123 456, 0912 345 678"), each shown as written, joined by the page
    language's "or" ("hoặc": a comma would stand alone on a line where links are
    blocks, as in the contact list). validate has refused letters; a number that
    is still unusable is shown as plain text."""
    try:
        numbers = phone_numbers(phone)
    except AddressError:
        return Markup.escape(phone)
    links = (Markup('<a class="tel" href="{}">{}</a>').format(n.href, n.written) for n in numbers)
    return Markup(" {} ").format(context["t"]["phone_or"]).join(links)


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
        bytecode_cache=_compiled_templates(site_root),
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
        fill=fill,
        plural=plural,
        duration=duration,
    )
    env.globals.update(vi_if=vi_if, vi_lang=vi_lang, untranslated_parts=untranslated_parts)
    return env


def _compiled_templates(site_root: Path) -> FileSystemBytecodeCache | None:
    """Templates compiled once, kept in the build state folder: every build process
    (and each worker) compiled them again, ~0.1 s of a one-file edit build. Jinja
    checks each entry against its template's source; the folder is named after
    our code, which decides how templates compile (the environment's options)."""
    from thutuc.engine.fingerprint import code_digests
    from thutuc.engine.state import CACHE_DIR

    folder = site_root / CACHE_DIR / "templates" / code_digests()["site"][:16]
    try:
        if not folder.is_dir():
            for older in folder.parent.glob("*"):  # compiled by other versions of our code
                shutil.rmtree(older, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a project folder we may not write to: compile every time
        return None
    return FileSystemBytecodeCache(str(folder))


def duration(seconds: float, strings: dict[str, Any]) -> str:
    """A recording's length as people say it: "1 phút 20 giây", "45 giây"."""
    whole = max(1, round(seconds))
    minutes, rest = divmod(whole, 60)
    if minutes:
        return fill(strings["minutes_seconds"], m=minutes, s=rest)
    return fill(strings["seconds_only"], s=rest)


# Keys whose text a resident reads on a procedure page: a translation that leaves
# one of them out shows the Vietnamese text, marked lang="vi", under a notice.
READ_KEYS = (
    "title", "summary", "documents", "processing_time", "fee", "where", "methods",
    "agency", "result", "applicants", "conditions",
)  # fmt: skip
_VI = Markup(' lang="vi"')


def _translation_front(context: Context) -> Any:
    """The front matter of the translation this page shows, or None."""
    language: PageLanguage = context.get("lang", VIETNAMESE)
    procedure = context.get("procedure")
    if language.code == "vi" or language.fallback or not isinstance(procedure, Procedure):
        return None
    return procedure.front


@pass_context
def vi_if(context: Context, key: str) -> Markup:
    """` lang="vi"` where a translated page shows the Vietnamese value of `key`."""
    front = _translation_front(context)
    return _VI if front is not None and key not in front.translated else Markup("")


@pass_context
def vi_lang(context: Context, subject: Any) -> Markup:
    """` lang="vi"` for a listed procedure or field that has no translation here."""
    language: PageLanguage = context.get("lang", VIETNAMESE)
    if language.code == "vi" or language.fallback:
        return Markup("")
    own = subject.summary.lang if isinstance(subject, Procedure) else getattr(subject, "lang", "")
    return Markup("") if own == language.code else _VI


@pass_context
def untranslated_parts(context: Context) -> bool:
    """Whether the translation shown leaves some of what a resident reads in Vietnamese."""
    front = _translation_front(context)
    if front is None:
        return False
    procedure = context["procedure"]
    body = bool(procedure.body.strip()) and "body" not in front.translated
    return body or any(getattr(front, k) and k not in front.translated for k in READ_KEYS)


@lru_cache(maxsize=1)
def site_css() -> str:
    return (STATIC_DIR / "site.css").read_text(encoding="utf-8")


def render_page(
    templates_root: Path, config: SiteConfig, spec: PageSpec, overrides: str = ""
) -> Page:
    """Render one page with the templates of `templates_root` (the site's own first)."""
    env = make_environment(templates_root, overrides)
    extra = dict(spec.extra)
    language: PageLanguage = extra.get("lang", VIETNAMESE)
    if spec.from_base:
        site_root = urlsplit(config.base_url).path
        root = site_root + language.prefix
    else:
        site_root = relative_root(spec.path)
        root = relative_root(spec.path[len(language.prefix) :])
    context = {
        "site": config.in_language(language.code),
        "path": spec.path,
        "root": root,  # the home of the page's language
        "site_root": site_root,  # where the script, fonts and Vietnamese pages are
        "canonical": config.base_url + spec.path,
        "css": Markup(site_css()),  # our own file: must not be HTML-escaped
        "lang": language,
        "t": load_strings(templates_root, language.code, overrides),
        **extra,
    }
    subject = extra.get("procedure") or extra.get("field")
    # names the file in a crash message
    with processing(getattr(subject, "source", "") or spec.template):
        html = env.get_template(spec.template).render(context)
    return Page(spec.path, font_faces(html, site_root).encode("utf-8"))


def sitemap_xml(
    templates_root: Path,
    config: SiteConfig,
    entries: tuple[tuple[str, tuple[tuple[str, str], ...]], ...],
    overrides: str = "",
) -> bytes:
    """Every page's address, with its versions in other languages where it has some."""
    env = make_environment(templates_root, overrides)
    urls = [config.base_url + path for path, _ in entries]
    alternates = {config.base_url + path: links for path, links in entries if links}
    xml = env.get_template("sitemap.xml").render(urls=urls, alternates=alternates)
    return xml.encode("utf-8")


def service_worker(site: Site, files: list[tuple[str, bytes]]) -> Page:
    """sw.js, versioned by every other output file's path and bytes."""
    template = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    return Page(SERVICE_WORKER_PATH, service_worker_js(template, site, build_version(files)))


def script() -> Page:
    return Page(SCRIPT_PATH, (STATIC_DIR / "site.js").read_bytes())


def gzipped_size(content: bytes) -> int:
    """Bytes on the wire with gzip -9, as a static host would send them."""
    return len(gzip.compress(content, compresslevel=9, mtime=0))
