"""Which pages a site has, in which language, and exactly what each one receives.

Every page exists in Vietnamese (the source) at its address ("", "ho-tich/",
"1.001193/") and in each language of `languages:` under that language's folder
("en/", "en/ho-tich/", "en/1.001193/"). A page whose translation is missing is
still there: it shows the Vietnamese content under a notice in its language,
with its canonical link on the Vietnamese page (never a 404, never silently).

Each page is a `PageSpec` whose `extra` is all its template receives besides
the site's settings, its language included (`PageLanguage`: the switcher's
links, the hreflang links, the notices), so an artifact's key covers them.
Nothing here reads a procedure's front matter or body: lists and links come
from summaries, and a translation's dates from its summary and git.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from thutuc.content.model import (
    AZ_PATH,
    CONTACTS_PATH,
    HOME_PATH,
    NOT_FOUND_PATH,
    OFFLINE_PATH,
    Field,
    FieldLink,
    Language,
    Procedure,
    Site,
)
from thutuc.print.qr import CONTACT_CARD_PATH, contact_vcard
from thutuc.resources import TEMPLATES_DIR
from thutuc.site.redirects import alias_redirects
from thutuc.site.strings import SOURCE_LANGUAGE, STRINGS_DIR, strings_file

SOURCE_NAME = "Tiếng Việt"


def relative_root(path: str) -> str:
    """Prefix from a page back to the site root: "" for home, "../" one level down."""
    return "../" * path.count("/")


@dataclass(frozen=True)
class PageSpec:
    """One page and exactly what its template receives besides the site's settings:
    an artifact's inputs, so its key is what the page is made from."""

    template: str
    path: str
    extra: tuple[tuple[str, Any], ...] = ()
    from_base: bool = False  # 404 and offline pages: served at any depth, links from the base path


@dataclass(frozen=True)
class PageLanguage:
    """A page's language, as its template uses it (`lang`)."""

    code: str = SOURCE_LANGUAGE
    name: str = SOURCE_NAME
    prefix: str = ""  # the language's folder: "" or "en/"
    content: str = SOURCE_LANGUAGE  # the language of the main content ("vi" when untranslated)
    alternates: tuple[tuple[str, str, str], ...] = ()  # switcher: (tag, name, site-relative path)
    hreflang: tuple[tuple[str, str], ...] = ()  # (hreflang, absolute URL) of each real version
    fallback: bool = False  # no translation: the Vietnamese content under a notice
    stale: tuple[date, date] | None = None  # (Vietnamese date, translation's date)
    source_path: str = ""  # the Vietnamese page, which the notices link to
    script: str = "Latn"


VIETNAMESE = PageLanguage()


def interface_translated(site: Site, code: str) -> bool:
    """The pages made of interface strings (home, A-Z, contacts) count as translated
    when the language has a strings file, the site's own or a bundled one."""
    bundled = TEMPLATES_DIR / STRINGS_DIR / f"{code.lower()}.yml"
    return code == SOURCE_LANGUAGE or bundled.is_file() or strings_file(site.root, code).is_file()


def translated_in(site: Site, code: str, subject: Procedure | Field | None) -> bool:
    """Whether `subject`'s page (an interface page for None) has a translation in `code`."""
    if code == SOURCE_LANGUAGE:
        return True
    if isinstance(subject, Procedure):
        return (code, subject.code) in site.translations
    if isinstance(subject, Field):
        return (code, subject.slug) in site.field_translations
    return interface_translated(site, code)


def checked_on(site: Site, procedure: Procedure) -> date | None:
    """When the facts shown were checked: a translation's own `updated` or last commit."""
    if procedure.summary.lang:
        return procedure.summary.updated or site.commit_dates.get(procedure.source)
    return site.checked_on(procedure)


def stale_translation(site: Site, translation: Procedure) -> tuple[date, date] | None:
    """(Vietnamese date, translation's date) when the translation is the older one."""
    source = site.procedures_by_code.get(translation.code)
    theirs = site.checked_on(source) if source is not None else None
    mine = checked_on(site, translation)
    return (theirs, mine) if theirs and mine and mine < theirs else None


class LanguagePages:
    """The pages of a site in one language: the site as that language shows it,
    and how each page's spec is made (its address, its `lang`)."""

    def __init__(self, site: Site, language: Language | None = None) -> None:
        self.base, self.language = site, language
        self.code = language.code if language else SOURCE_LANGUAGE
        self.site = site.in_language(language.code) if language else site
        self.prefix = language.path if language else ""

    def checked(self, procedure: Procedure) -> date | None:
        return checked_on(self.base, procedure)

    def spec(
        self,
        template: str,
        path: str,
        extra: tuple[tuple[str, Any], ...] = (),
        subject: Procedure | Field | None = None,
        from_base: bool = False,
        switcher: bool = True,
    ) -> PageSpec:
        """The spec of the page at `path` (its address in Vietnamese) in this language."""
        if self.language is None:
            fallback = False
        elif subject is None:
            fallback = not interface_translated(self.base, self.code)
        else:
            fallback = not _shows_translation(self.code, subject)
        extra = (*extra, ("lang", self._language(path, subject, fallback, switcher, from_base)))
        if fallback and not from_base:  # the Vietnamese page is the one to index
            extra = (*extra, ("canonical", self.base.absolute_url(path)))
        return PageSpec(template, self.prefix + path, extra, from_base)

    def _language(
        self,
        path: str,
        subject: Procedure | Field | None,
        fallback: bool,
        switcher: bool,
        from_base: bool,
    ) -> PageLanguage:
        languages = self.base.config.languages
        if not languages:
            return VIETNAMESE
        every = [(SOURCE_LANGUAGE, SOURCE_NAME, ""), *((x.code, x.name, x.path) for x in languages)]
        alternates = tuple(
            (tag, name, prefix + path) for tag, name, prefix in every if tag != self.code
        )
        stale = None
        if isinstance(subject, Procedure) and subject.summary.lang:
            stale = stale_translation(self.base, subject)
        return PageLanguage(
            self.code,
            self.language.name if self.language else SOURCE_NAME,
            self.prefix,
            SOURCE_LANGUAGE if fallback else self.code,
            alternates if switcher else (),
            () if fallback or from_base else hreflang_links(self.base, path, subject),
            fallback,
            stale,
            path,
            self.language.script if self.language else "Latn",
        )


def _shows_translation(code: str, subject: Procedure | Field | None) -> bool:
    if isinstance(subject, Procedure):
        return subject.summary.lang == code
    if isinstance(subject, Field):
        return subject.lang == code
    return False


def hreflang_links(
    site: Site, path: str, subject: Procedure | Field | None
) -> tuple[tuple[str, str], ...]:
    """Every real version of the page at `path` (translations, not fallbacks), with
    x-default on the Vietnamese; none when Vietnamese is the only one."""
    links = [
        (x.code, site.absolute_url(x.path + path))
        for x in site.config.languages
        if translated_in(site, x.code, subject)
    ]
    if not links:
        return ()
    source = site.absolute_url(path)
    return ((SOURCE_LANGUAGE, source), *links, ("x-default", source))


def languages_of(site: Site) -> list[LanguagePages]:
    """Vietnamese first, then each language of the site."""
    return [
        LanguagePages(site),
        *(LanguagePages(site, language) for language in site.config.languages),
    ]


def procedure_page(site: Site, procedure: Procedure, here: LanguagePages | None = None) -> PageSpec:
    """A procedure's page; `here`: the language it is shown in (Vietnamese by default)."""
    here = here or LanguagePages(site)
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
        ("checked", here.checked(procedure)),
    )
    template = "retired.html" if procedure.is_retired else "procedure.html"
    return here.spec(template, procedure.url_path, extra, procedure)


def az_groups(site: Site) -> dict[str, list[Procedure]]:
    groups: dict[str, list[Procedure]] = {}
    for procedure in site.listed().active_procedures:
        letter = procedure.summary.folded_title[:1].upper() or "#"
        groups.setdefault(letter, []).append(procedure)
    return groups


def redirect_pages(site: Site) -> list[PageSpec]:
    """A page at each old address (field `aliases:`), in every language. Kept out
    of the sitemap."""
    pages = []
    for here in languages_of(site):
        for redirect in alias_redirects(here.site):
            old, new = here.prefix + redirect.old, here.prefix + redirect.new
            extra = (
                ("target", relative_root(old) + new),
                ("canonical", site.absolute_url(new)),
                ("field", FieldLink(redirect.field.slug, redirect.field.title)),
            )
            pages.append(here.spec("redirect.html", redirect.old, extra, switcher=False))
    return pages


def page_specs(site: Site, procedures: frozenset[str] | None = None) -> list[PageSpec]:
    """Every HTML page of the site, in every language, in a stable order (sitemap
    order). `procedures` (recipe keys): of the procedure pages, only theirs."""
    return [spec for here in languages_of(site) for spec in _pages_in(here, procedures)]


def procedures_showing(site: Site, sources: frozenset[str]) -> frozenset[str]:
    """The recipe keys of the procedures whose page, in some language, shows a
    procedure read from one of `sources` (summary.source): itself, the one it is
    replaced by, or one it replaces, as procedure_page puts them in its spec.
    What a title edit changes of 4,000 procedure pages, without their specs."""
    found = set()
    for here in languages_of(site):
        view = here.site
        for procedure in view.procedures:
            if procedure.recipe is None:
                continue
            shown = [procedure, view.replacement_of(procedure)]
            shown += [view.procedures_by_code[c] for c in view.replaced_codes_of(procedure.code)]
            if any(p is not None and p.summary.source in sources for p in shown):
                found.add(procedure.recipe.key)
    return frozenset(found)


def procedure_pages(site: Site, recipes: frozenset[str]) -> list[PageSpec]:
    """The pages of the procedures read from `recipes` (recipe keys), in every
    language, as page_specs makes them: what an edit build declares of a site
    whose other pages keep their keys (engine/artifacts.declare)."""
    return [
        procedure_page(here.site, p, here)
        for here in languages_of(site)
        for p in here.site.procedures
        if p.recipe is not None and p.recipe.key in recipes
    ]


def _pages_in(here: LanguagePages, procedures: frozenset[str] | None) -> list[PageSpec]:
    site = here.site
    listed = site.listed()  # lists show summaries: a body edit changes none of them
    specs = [here.spec("home.html", HOME_PATH, (("fields", listed.fields),))]
    specs += [here.spec("field.html", f.url_path, (("field", f),), f) for f in listed.fields]
    specs += [
        procedure_page(site, p, here)
        for p in site.procedures
        if procedures is None or (p.recipe is not None and p.recipe.key in procedures)
    ]
    retired = ("retired", listed.retired_procedures)
    specs.append(here.spec("az.html", AZ_PATH, (("groups", az_groups(listed)), retired)))
    # the hotline as a code that saves it as a contact (print/qr.py), one for every language
    card = CONTACT_CARD_PATH if contact_vcard(here.base) else ""
    specs.append(here.spec("contacts.html", CONTACTS_PATH, (("contact_card", card),)))
    specs.append(here.spec("404.html", NOT_FOUND_PATH, from_base=True, switcher=False))
    return specs


def offline_page(site: Site) -> list[PageSpec]:
    """The offline page of each language. Shown by the service worker in place of
    any page, so links start from the base path."""
    specs = []
    for here in languages_of(site):
        fields = tuple(FieldLink(f.slug, f.title) for f in here.site.fields)  # names only
        extra = (("fields", fields),)
        specs.append(here.spec("offline.html", OFFLINE_PATH, extra, from_base=True, switcher=False))
    return specs


def sitemap_entries(specs: list[PageSpec]) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The pages of the sitemap, by address (a title edit does not reorder it), each
    with its language versions: the pages that are their own (no fallbacks)."""
    entries = []
    for spec in specs:
        extra = dict(spec.extra)
        language = extra.get("lang", VIETNAMESE)
        if spec.from_base or language.fallback or not (spec.path == "" or spec.path.endswith("/")):
            continue
        entries.append((spec.path, language.hreflang))
    return tuple(sorted(entries))
