"""Artifacts: every output of every site, declared with exactly what its builder receives.

Lektor's produce_artifacts, for our sites: a procedure declares its page, its
QR codes and its posters; a field its page and poster; the site its home, A-Z,
search index, sitemap and redirects. Each artifact's key is the hash of its
builder's name, a digest of the code and templates that builder runs, and the
repr of its inputs, the very objects the builder is given: a procedure page
receives the procedure (summary and files), a link to its field, its
replacement, the codes it replaces, its checked date and the site's settings,
and nothing else, so the key is honest by construction. An artifact whose key
and files are unchanged is neither rebuilt nor re-checked; its problems replay.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thutuc.content.files import SourceFiles, content_digest
from thutuc.content.model import Procedure, Site, SiteConfig, site_slug
from thutuc.engine.fingerprint import code_digests
from thutuc.resources import STATIC_DIR
from thutuc.site.fonts import FONTS_PATH, SCRIPT_FONTS
from thutuc.site.pages import (
    PageLanguage,
    PageSpec,
    offline_page,
    page_specs,
    procedure_pages,
    redirect_pages,
    sitemap_entries,
)
from thutuc.site.search_index import index_paths
from thutuc.site.service_worker import PROCEDURE_SCRIPT

if TYPE_CHECKING:
    from thutuc.engine.state import ArtifactRecord
    from thutuc.print.qr import QrTarget

# The kinds a --no-posters build leaves as they are (print material).
PRINT_KINDS = frozenset({"qr-png", "poster", "glyphs"})
# Made by outputs.made_from_outputs from the other files of a build, not declared.
MADE_FROM_OUTPUTS = frozenset({"sw", "contact-sheet"})
_PRINT_MATERIAL = PRINT_KINDS | {"contact-sheet"}


def is_print_material(artifact_id: str) -> bool:
    return artifact_id.split("|", 2)[1] in _PRINT_MATERIAL


def is_declared_web_artifact(artifact_id: str) -> bool:
    """A page, code, index or file `declare` makes for the web (not print material,
    not made from the other outputs)."""
    kind = artifact_id.split("|", 2)[1]
    return kind not in _PRINT_MATERIAL and kind not in MADE_FROM_OUTPUTS


@dataclass(frozen=True)
class Artifact:
    id: str  # unique in the project: "<site>|<kind>|<name>"
    kind: str  # a builder of engine/builders.py
    site: str  # the site's folder in each output tree, "" for a single site
    inputs: Any
    key: str
    affinity: str = ""  # the recipe of the procedure it shows: build where it was read
    # Print material: the files of the procedures it prints in full (a card, a
    # leaflet: its own, and a translation's Vietnamese source); () for a list,
    # drawn from summaries. What a --no-posters build goes by (pipeline.Edit).
    shows: tuple[str, ...] = ()


def code_digest_of(kind: str, site_templates: str) -> str:
    digests = code_digests()
    if kind in ("qr-svg", "qr-png"):
        return digests["qr"]
    if kind in ("poster", "glyphs"):
        return digests["print"] + site_templates
    return digests["site"] + site_templates


def templates_digest(files: SourceFiles) -> str:
    """The project's own templates/ (overrides of the bundled ones), by content."""
    return content_digest(
        "".join(f"{r}\1{files.digest(r)}\0" for r in files.under("templates/")).encode()
    )


_PLAIN = frozenset({str, int, bool, float, type(None), date, type(Path())})
# Given to many artifacts as one object: a site's settings, a site, the language
# of every page of a site in Vietnamese only (pages.VIETNAMESE).
_SHARED = frozenset({SiteConfig, Site, dict, PageLanguage})


class Keys:
    """Artifact keys, with the repr of shared objects (a site's settings, a site)
    computed once per build instead of once per page."""

    def __init__(self, site_templates: str) -> None:
        self.site_templates = site_templates
        self._shared: dict[int, tuple[object, str]] = {}
        # Keys of the last build that still hold (see `reuse`), the procedures
        # (recipe keys) whose artifacts must be keyed again all the same, and the
        # files of those whose summaries changed (None: none did).
        self._known: dict[str, str] = {}
        self._changed: set[str] = set()
        self._edited: frozenset[str] | None = None

    def reuse(
        self, known: dict[str, str], changed: set[str], edited: frozenset[str] | None
    ) -> None:
        """Take `known` (artifact id → key, from the last build) as the keys of
        every artifact but those showing a procedure in `changed`. Only for a
        site where nothing changed but the files of those procedures, and no
        summary field a site index is made of (model.SHOWN_ONLY): then an
        artifact's inputs are as they were unless it shows one of them in full,
        and such a page has its recipe as affinity.

        `edited`: the files (summary.source) of the procedures whose summaries
        changed, a title say. Then the lists are keyed again too (every artifact
        of no procedure), and each page that shows one of those procedures beside
        its own: a page receives another procedure only as a Procedure in its
        spec (its replacement, those it replaces), which is what is looked for.

        Print material is always keyed again: a language's card holds the
        translation beside its Vietnamese source (print/languages.py), under
        neither recipe, and drawing it costs far more than its key."""
        self._known.update(known)
        self._changed |= changed
        self._edited = edited

    def _repr(self, value: object) -> str:
        kind = type(value)
        if kind in _PLAIN:  # most of the values: checked first, by exact type
            return repr(value)
        if kind is tuple:
            assert isinstance(value, tuple)
            if len(value) > 8:  # a list of procedures, shared by several pages
                return self._shared_digest(value)
            # plain items (a page's ("procedure", …) names) without a call each
            items = [repr(v) if type(v) in _PLAIN else self._repr(v) for v in value]
            return "(" + ",".join(items) + ")"
        if kind is PageSpec:
            assert isinstance(value, PageSpec)
            # its extras are (name, value) pairs: a name needs no call of its own
            extra = ",".join(f"{name!r}:{self._repr(item)}" for name, item in value.extra)
            return f"Page({value.template!r},{value.path!r},{value.from_base},{extra})"
        if kind in _SHARED:
            return self._shared_digest(value)
        return repr(value)

    def _shared_digest(self, value: object) -> str:
        found = self._shared.get(id(value))
        if found is None or found[0] is not value:
            text = (
                "(" + ",".join(map(self._repr, value)) + ")"
                if isinstance(value, tuple)
                else repr(value)
            )
            found = self._shared[id(value)] = (value, content_digest(text.encode()))
        return found[1]

    def key_of(self, artifact_id: str, kind: str, inputs: Any, affinity: str) -> str:
        known = self._known.get(artifact_id)
        if known is None or affinity in self._changed or kind in PRINT_KINDS:
            return self.key(kind, inputs)
        edited = self._edited
        if edited is not None and (not affinity or not edited.isdisjoint(_shown_in(inputs))):
            return self.key(kind, inputs)
        return known

    def key(self, kind: str, inputs: Any) -> str:
        text = f"{kind}\0{code_digest_of(kind, self.site_templates)}\0{self._repr(inputs)}"
        return content_digest(text.encode())


def _shown_in(inputs: tuple[Any, ...]) -> set[str]:
    """The files of the procedures an artifact's inputs hold, in its page's spec."""
    found = set()
    for value in inputs:
        for _, extra in value.extra if type(value) is PageSpec else ():
            for item in extra if type(extra) is tuple else (extra,):
                if type(item) is Procedure:
                    found.add(item.summary.source)
    return found


def _form_digest(files: SourceFiles, source: Path) -> str:
    rel = Path(os.path.relpath(source, files.root)).as_posix()
    found = files.digest_or_none(rel)
    return found if found is not None else content_digest(source.read_bytes())


def declare(
    site: Site,
    files: SourceFiles,
    keys: Keys,
    ecc: str,
    posters: bool,
    print_shop: bool = False,
    only: frozenset[str] | None = None,
    with_lists: bool = False,
) -> list[Artifact]:
    """Every artifact of `site`, in a stable order. With `only` (recipe keys), only
    the web artifacts of those procedures, their pages and codes: an edit build
    whose other artifacts keep their keys takes those from the last build
    (pipeline.Build.plan), without working out 8,000 specs for 2 of them.
    `with_lists`, for an edit that changed summaries (a title): also everything
    that is not a procedure's page or code but the sitemap, whose addresses such
    an edit does not change. Then the forms too, every one: those a summary no
    longer names must not be kept."""
    if only is not None and not with_lists:
        return _declare_procedures(site, keys, ecc, only)
    assert only is None or not posters  # posters are declared whole (Build._edited_recipes)
    from thutuc.print.qr import qr_targets

    slug = site_slug(site)
    artifacts: list[Artifact] = []

    seen: set[str] = set()

    def add(
        kind: str, name: str, inputs: Any, affinity: str = "", shows: tuple[str, ...] = ()
    ) -> None:
        if f"{slug}|{kind}|{name}" in seen:  # two forms of a page naming the same file: one copy
            return
        artifacts.append(_keyed(keys, slug, kind, name, inputs, affinity, shows))
        seen.add(artifacts[-1].id)

    specs = page_specs(site, only)  # every language's
    for spec in [*specs, *redirect_pages(site), *offline_page(site)]:
        add("page", *_page(site, keys, spec))
    if only is None:
        add(
            "sitemap",
            "sitemap.xml",
            (site.root, keys.site_templates, site.config, sitemap_entries(specs)),
        )
    fields_only = tuple(replace(f, procedures=(), description="") for f in site.fields)
    add("redirect-files", "redirects", (Site(site.root, site.config, fields_only, home=site.home),))
    for path, listed in index_paths(site):  # one index per language
        add("search", path, (listed, path))
    add("script", "site.js", (content_digest((STATIC_DIR / "site.js").read_bytes()),))
    extras = STATIC_DIR / PROCEDURE_SCRIPT  # the checklist and read-aloud (site.js loads it)
    add("form", PROCEDURE_SCRIPT, (PROCEDURE_SCRIPT, extras, _form_digest(files, extras)))
    for font in SCRIPT_FONTS:  # fetched only by pages that show the script (site/fonts.py)
        source = STATIC_DIR / "fonts" / font.file
        add(
            "form",
            FONTS_PATH + font.file,
            (FONTS_PATH + font.file, source, _form_digest(files, source)),
        )
    add("contact-card", "danh-ba.svg", (Site(site.root, site.config, (), home=site.home),))
    copies = [*site.procedures, *site.translations.values()]
    for procedure in copies:  # forms and recordings, a translation's own under its language
        for address, source in procedure.summary.forms:
            add("form", address, (address, source, _form_digest(files, source)))
    # a procedure's codes under its recipe: keyed again with its page, not with the lists
    recipe_at = {p.url_path: p.recipe.key for p in site.procedures if p.recipe}
    for target in qr_targets(site, only):
        affinity = recipe_at.get(target.path, "")
        add("qr-svg", target.name, (target, ecc), affinity)
        if posters:
            add("qr-png", target.name, png_inputs(target, ecc), affinity)
    if posters:
        from thutuc.print.posters import poster_jobs, printed_sources  # reportlab: if drawing

        for job in poster_jobs(site, ecc, True if print_shop else None):
            subject = job.subject
            if isinstance(subject, Procedure):  # its spec needs its body: made in the worker
                affinity = subject.recipe.key if subject.recipe else ""
                made_of: tuple[Any, ...] = (
                    job.name, job.kind, job.make, job.site, subject, job.ecc, job.print_shop,
                )  # fmt: skip
                add("poster", job.name, made_of, affinity, _printed_files(subject))
            else:
                # A list (board, field poster, stickers) is drawn from summaries: its
                # spec is cheap and says exactly what it prints, so a title edit does
                # not redraw a board that shows no title.
                add("poster", job.name, (job.declared(),), shows=_printed_files(job.subject))
        for file, printed in printed_sources(site):  # checked once, in the file that has it
            affinity = (
                printed.recipe.key if isinstance(printed, Procedure) and printed.recipe else ""
            )
            # the file's digest too: the warning names a line, which moves with any edit
            made_of = (file, printed, site.root, files.digest_or_none(file))
            add("glyphs", file, made_of, affinity, _printed_files(printed))
    return artifacts


def _declare_procedures(
    site: Site, keys: Keys, ecc: str, recipes: frozenset[str]
) -> list[Artifact]:
    """The pages and SVG codes of the procedures read from `recipes`, as `declare`
    makes them (the same ids, inputs and affinity)."""
    from thutuc.print.qr import procedure_target

    slug = site_slug(site)
    artifacts = [
        _keyed(keys, slug, "page", *_page(site, keys, spec))
        for spec in procedure_pages(site, recipes)
    ]
    for procedure in site.active_procedures:
        if procedure.recipe is not None and procedure.recipe.key in recipes:
            target = procedure_target(site, procedure)
            inputs = (target, ecc)
            artifacts.append(
                _keyed(keys, slug, "qr-svg", target.name, inputs, procedure.recipe.key)
            )
    return artifacts


def _keyed(
    keys: Keys,
    slug: str,
    kind: str,
    name: str,
    inputs: Any,
    affinity: str = "",
    shows: tuple[str, ...] = (),
) -> Artifact:
    artifact_id = f"{slug}|{kind}|{name}"
    key = keys.key_of(artifact_id, kind, inputs, affinity)
    return Artifact(artifact_id, kind, slug, inputs, key, affinity, shows)


def _page(site: Site, keys: Keys, spec: PageSpec) -> tuple[str, tuple[Any, ...], str]:
    """A page's name, inputs and affinity, as an artifact."""
    inputs = (site.root, keys.site_templates, site.config, spec)
    return spec.path or "index.html", inputs, _affinity(spec)


def kept_artifact(artifact_id: str, record: ArtifactRecord) -> Artifact:
    """An artifact of the last build taken as it is, not declared again: its key
    holds and its files are in the output (pipeline.Build.plan checks both), so it
    is kept, never built, and needs no inputs."""
    site, kind, _ = artifact_id.split("|", 2)
    return Artifact(artifact_id, kind, site, None, record.key)


def png_inputs(target: QrTarget, ecc: str) -> tuple[str, str, str]:
    """What a PNG code is drawn from: the address it opens, not the page's title
    (the SVG's text), so a title edit keeps the PNG code as it is."""
    return (target.name, target.url, ecc)


def _printed_files(subject: object) -> tuple[str, ...]:
    """The files of the procedures `subject` prints in full: a procedure read from
    its recipe, or a language's card (print/languages.InLanguage), which holds the
    translation and its Vietnamese source. A list holds summaries: none."""
    found = [subject]
    if not isinstance(subject, Procedure):
        found = [getattr(subject, name, None) for name in ("target", "source")]
    return tuple(
        rel
        for procedure in found
        if isinstance(procedure, Procedure) and procedure.recipe is not None
        for rel, _ in procedure.recipe.layers
    )


def markers(keys: Keys) -> list[Artifact]:
    """The file that marks each output folder as ours, at its root (a province's too)."""
    return [
        Artifact(f"|marker|{tree}", "marker", "", (tree,), keys.key("marker", (tree,)))
        for tree in ("out", "qr")
    ]


def _affinity(spec: PageSpec) -> str:
    procedure = dict(spec.extra).get("procedure")
    if isinstance(procedure, Procedure) and procedure.recipe is not None:
        return procedure.recipe.key
    return ""
