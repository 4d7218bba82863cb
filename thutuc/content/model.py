"""The site as the rest of the pipeline sees it: typed, validated, immutable.

Source files (where a thing was written) are kept apart from what they
describe: every object carries `source`, the site-relative path of its file,
for error messages, and nothing else about the file system.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from thutuc.content.text import distinct_words, fold, nfc

# A province sorts the same catalogue titles for every commune, several times.
_folded_title = lru_cache(maxsize=1 << 14)(fold)

# ASCII digits only: Python's \d also takes "１" (fullwidth) and "٣" (Arabic-Indic), which
# would give /１.000894/ beside /1.000894/ and escape the duplicate-code check.
PROCEDURE_CODE = re.compile(r"^[0-9]\.[0-9]{6}(\.[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.H[0-9]{2})?\Z")

METHOD_LABELS = {
    "truc-tiep": "Trực tiếp",
    "truc-tuyen": "Trực tuyến",
    "buu-chinh": "Qua bưu điện",
}

# Site-relative paths of the pages every site has. A procedure lives at
# "<code>/" and a field at "<slug>/": short, and derived from what a printed
# QR code may point at, never from a title or a file name.
HOME_PATH = ""
AZ_PATH = "a-z/"
CONTACTS_PATH = "lien-he/"
NOT_FOUND_PATH = "404.html"
OFFLINE_PATH = "offline/"


@dataclass(frozen=True)
class Contact:
    name: str
    role: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Language:
    """One language of the pages besides Vietnamese (`languages:` in site.yml).

    `code` is a registered BCP 47 tag ("en", "km", "blt-Tavt"); pages live under
    `path` ("en/"). `script` is the writing system the pages use (ISO 15924:
    "Latn", "Tavt", "Khmr", "Cham"): accent-folding in search applies only to
    Latin letters. `site` holds site.yml's texts in this language (name,
    address, opening_hours, contacts), each falling back to the Vietnamese.
    The print side reads the same settings for posters in a language
    (print/languages.py)."""

    code: str
    name: str
    script: str = "Latn"
    site: tuple[tuple[str, Any], ...] = ()
    # Posters in this language (`posters:`): "" none (the default: a commune prints
    # only what a native speaker has checked), "alone", or "bilingual" (Vietnamese first).
    posters: str = ""

    @property
    def path(self) -> str:
        return self.code.lower() + "/"

    @property
    def folds(self) -> bool:
        """Search forgives missing accents (Latin letters); other scripts match as typed."""
        return self.script == "Latn"


@dataclass(frozen=True)
class SiteConfig:
    """`site.yml`: the commune."""

    name: str
    base_url: str  # absolute http(s) URL, always ending in "/"
    address: str = ""
    opening_hours: str = ""
    hotline: str = ""
    zalo_url: str = ""
    contacts: tuple[Contact, ...] = ()
    stale_after_months: int = 12
    exclude: tuple[str, ...] = ()  # codes dropped from this site (province catalogue)
    board_distance_m: float = 1.5  # reading distance of the field board (print/posters.py)
    print_shop: bool = False  # posters with bleed and crop marks for a print shop
    languages: tuple[Language, ...] = ()  # besides Vietnamese, the source

    def language(self, code: str) -> Language | None:
        return next((lang for lang in self.languages if lang.code == code), None)

    def in_language(self, code: str) -> SiteConfig:
        """The commune's texts in `code` where site.yml gives them, Vietnamese elsewhere."""
        found = self.language(code)
        return replace(self, **dict(found.site)) if found and found.site else self


@dataclass(frozen=True)
class SubmissionMethod:
    """One way to submit (in person, online, post), with its own time and fee if they differ."""

    key: str
    processing_time: str = ""
    fee: str = ""

    @property
    def label(self) -> str:
        return METHOD_LABELS[self.key]


@dataclass(frozen=True)
class FormFile:
    """A downloadable form. `file` is the path as the editor wrote it."""

    title: str
    file: str
    source_path: Path
    size_bytes: int
    lang: str = ""  # a translation's own form: copied under its language's folder
    # Its path under the procedure's folder in the output: the file name, or,
    # when two forms of one procedure share a name, enough of their folders to
    # tell them apart ("2024/to-khai.pdf", "2025/to-khai.pdf"). Set by validate.
    name: str = ""

    @property
    def kind(self) -> str:
        """File type as a resident reads it: "PDF", "DOC", "DOCX"."""
        return self.source_path.suffix.lstrip(".").upper() or "Tệp"

    def url_path(self, procedure_code: str) -> str:
        """Where the file is written in the output, as a file system path."""
        folder = f"{self.lang.lower()}/" if self.lang else ""
        return f"{folder}{procedure_code}/{nfc(self.name or self.source_path.name)}"

    def href(self, procedure_code: str) -> str:
        """The link to it: `url_path` percent-encoded, so a `#`, `?`, `%`, a
        space or a Vietnamese letter in a file name still opens the file."""
        return quote(self.url_path(procedure_code), safe="/")


@dataclass(frozen=True)
class AudioFile:
    """A recording of the key facts (`audio:`), copied beside the page it belongs to.
    `lang`: the language folder of a translation's own recording, "" for Vietnamese."""

    file: str
    source_path: Path
    size_bytes: int
    seconds: float
    lang: str = ""

    def url_path(self, procedure_code: str) -> str:
        folder = f"{self.lang.lower()}/" if self.lang else ""
        return f"{folder}{procedure_code}/{nfc(self.source_path.name)}"

    def href(self, procedure_code: str) -> str:
        """The link to it: a `#`, `?`, `%` or a space in a file name still opens the file."""
        return quote(self.url_path(procedure_code), safe="/")


@dataclass(frozen=True)
class ProcedureFrontMatter:
    code: str
    title: str
    summary: str = ""
    documents: tuple[str, ...] = ()
    processing_time: str = ""
    fee: str = ""
    where: str = ""
    methods: tuple[SubmissionMethod, ...] = ()
    online_url: str = ""
    forms: tuple[FormFile, ...] = ()
    legal_basis: tuple[str, ...] = ()
    agency: str = ""
    result: str = ""
    applicants: str = ""
    conditions: str = ""
    decision: str = ""
    keywords: tuple[str, ...] = ()
    updated: date | None = None
    replaced_by: str = ""
    retired: date | None = None
    local: tuple[str, ...] = ()  # topics `compare` leaves alone (schema.LOCAL_TOPICS)
    audio: AudioFile | None = None
    # A translation (ket-hon.en.md): its language, and the keys its own file writes
    # ("body" too when it has one); every other value is the Vietnamese one.
    lang: str = ""
    translated: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldFrontMatter:
    title: str
    order: int | None = None
    aliases: tuple[str, ...] = ()


# What of a summary only its own page and the lists show: none of the site's
# reverse indexes (replacements, translations, a field's procedures) is made
# from these, so an edit of them leaves every other procedure's page as it is
# unless that page shows this procedure (engine/artifacts.py, Keys.reuse). A
# field not named here counts as one an index may use: the safe default.
SHOWN_ONLY = frozenset(
    {"title", "keywords", "updated", "body_line", "code_line", "code_links", "forms", "attached"}
)


@dataclass(frozen=True)
class ProcedureSummary:
    """What lists, codes, search, posters' lists and site checks need of a procedure:
    small, so the build state keeps it for every procedure between builds."""

    code: str
    title: str
    field_slug: str
    source: str  # root-relative path of the Markdown file, for messages
    keywords: tuple[str, ...] = ()
    replaced_by: str = ""
    retired: date | None = None
    updated: date | None = None
    body_line: int = 1
    code_line: int = 1
    # (address of the download, file): the forms and the recording the page offers,
    # copied beside it.
    forms: tuple[tuple[str, Path], ...] = ()
    lang: str = ""  # a translation's language; "" for the Vietnamese source
    # (root-relative path, digest) of those files: the page shows their size and
    # length, so its artifact key must change when one of them does.
    attached: tuple[tuple[str, str | None], ...] = ()
    # A `retired:` date still to come: the procedure stays active until that
    # day's build (validate announces it), then its page becomes the notice.
    retires_on: date | None = None
    # (code, line in the body) of each link to a procedure code: checked across
    # the site (lint.check_code_links) without reading the body again.
    code_links: tuple[tuple[str, int], ...] = ()

    @cached_property
    def fingerprint(self) -> str:
        """A digest of every field. Computed once and pickled with the summary in the
        build state, so the artifact keys of an edit build need no repr of the
        thousands of summaries that did not change."""
        return hashlib.blake2b(repr(self).encode(), digest_size=16).hexdigest()

    @cached_property
    def relations(self) -> str:
        """A digest of every field but those SHOWN_ONLY: what the site's indexes are
        made of. Pickled with the summary like `fingerprint`."""
        values = [getattr(self, f.name) for f in fields(self) if f.name not in SHOWN_ONLY]
        return hashlib.blake2b(repr(values).encode(), digest_size=16).hexdigest()

    @cached_property
    def search_words(self) -> str:
        """The folded words of its keywords and code that its title lacks (the search
        index's `folded`); pickled with the summary like `fingerprint`, so a title
        edit folds again only the summaries it read again."""
        return distinct_words(*self.keywords, self.code, skip=self.title)

    @cached_property
    def folded_title(self) -> str:
        """The title folded for sorting and the A-Z letters; pickled with the summary
        like `fingerprint`, so an edit build folds only the titles it read again."""
        return _folded_title(self.title)

    def with_attached(self, attached: tuple[tuple[str, str | None], ...]) -> ProcedureSummary:
        """This summary with the digests of the files its page shows. The words
        folded in the worker that read it come along (they do not read `attached`):
        they are pickled with the record, so no later build folds them again."""
        summary = replace(self, attached=attached)
        for name in _FOLDED:
            if name in self.__dict__:
                summary.__dict__[name] = self.__dict__[name]
        return summary

    def fold_words(self) -> ProcedureSummary:
        """Fold its search words and title now (in the worker that read it)."""
        for name in _FOLDED:
            getattr(self, name)
        return self


# The summary's folded words, worked out once where it is read (ProcedureSummary).
_FOLDED = ("search_words", "folded_title")


@dataclass(frozen=True)
class Recipe:
    """How to read a procedure again: its files in layer order (a province's
    catalogue file, then the commune's override), each with its content digest,
    and the folder of its field. Equal recipes give equal procedures."""

    root: Path
    layers: tuple[tuple[str, str], ...]  # (root-relative path, digest)
    field_folder: str
    lang: str = ""  # a translation: its last layer is the translation's file

    @cached_property
    def key(self) -> str:
        # The root too: two projects in one process (serve, tests) never share a record.
        layers = "\0".join(f"{rel}\1{digest}" for rel, digest in self.layers)
        return f"{self.root}\0{layers}\0{self.field_folder}\0{self.lang}"


class Procedure:
    """One procedure: its summary always, its front matter and body on demand.

    A procedure the build did not re-read (its files are unchanged) starts from
    the summary kept in the build state; `front` and `body` read it again from
    its recipe the first time something asks, which only the builders of its
    own page, card and leaflet do. Sent to a worker, it travels as summary and
    recipe, and the worker reads the files itself."""

    __slots__ = ("_body", "_front", "_source_path", "recipe", "summary")

    def __init__(
        self,
        front: ProcedureFrontMatter | None,
        body: str | None,
        summary: ProcedureSummary,
        source_path: Path | None = None,
        recipe: Recipe | None = None,
    ) -> None:
        self.summary, self._source_path, self.recipe = summary, source_path, recipe
        self._front, self._body = front, body

    @classmethod
    def lazy(
        cls, summary: ProcedureSummary, recipe: Recipe, source_path: Path | None = None
    ) -> Procedure:
        return cls(None, None, summary, source_path, recipe)

    @property
    def source_path(self) -> Path:
        """Its file: the last layer of its recipe unless given. Made when asked: an
        edit build keeps thousands of procedures from the build state and asks for
        a few of their paths (a Path per procedure cost 28 ms at 4,000)."""
        if self._source_path is None:
            recipe = self.recipe
            self._source_path = recipe.root / recipe.layers[-1][0] if recipe else Path()
        return self._source_path

    def summary_only(self) -> Procedure:
        """This procedure as a list shows it: its summary, nothing to read. A page
        that lists procedures gets these, so editing a body does not change it.
        Its file is the one it was given, if any (lists and checks name a
        procedure by `source`, never by a path)."""
        return Procedure(None, None, self.summary, self._source_path)

    def _load(self) -> None:
        from thutuc.content.project import read_procedure  # the loader needs validate, model

        if self.recipe is None:
            raise RuntimeError(f"{self.summary.source}: only its summary is given here")
        full = read_procedure(self.recipe)
        self._front, self._body = full.front, full.body

    @property
    def front(self) -> ProcedureFrontMatter:
        if self._front is None:
            self._load()
        assert self._front is not None
        return self._front

    @property
    def body(self) -> str:  # Markdown, NFC
        if self._body is None:
            self._load()
        assert self._body is not None
        return self._body

    def __reduce__(self) -> tuple[Any, ...]:
        if self.recipe is not None:
            return (Procedure.lazy, (self.summary, self.recipe, self._source_path))
        return (Procedure, (self._front, self._body, self.summary, self._source_path, None))

    def __repr__(self) -> str:
        # What artifact keys hash: the summary, and the files it is read from.
        if self.recipe is not None:
            return f"Procedure({self.summary.fingerprint}, {self.recipe.key!r})"
        if self._front is None:
            return f"Procedure({self.summary.fingerprint})"
        return f"Procedure({self.summary!r}, {self._front!r}, {self._body!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Procedure) and repr(self) == repr(other)

    def __hash__(self) -> int:
        return hash((self.summary, self.recipe))

    @property
    def source(self) -> str:
        return self.summary.source

    @property
    def field_slug(self) -> str:
        return self.summary.field_slug

    @property
    def body_line(self) -> int:
        return self.summary.body_line

    @property
    def code_line(self) -> int:
        return self.summary.code_line

    @property
    def code(self) -> str:
        return self.summary.code

    @property
    def title(self) -> str:
        return self.summary.title

    @property
    def replaced_by(self) -> str:
        return self.summary.replaced_by

    @property
    def retired(self) -> date | None:
        return self.summary.retired

    @property
    def url_path(self) -> str:
        return f"{self.summary.code}/"

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.summary.folded_title, self.summary.title)

    @property
    def retires_on(self) -> date | None:
        return self.summary.retires_on

    @property
    def is_retired(self) -> bool:
        """Replaced by another code or abolished: its page stays, as a notice,
        because its address may be printed on a poster. Not before its day."""
        if self.summary.retires_on is not None:
            return False
        return bool(self.summary.replaced_by) or self.summary.retired is not None


def summarise(
    front: ProcedureFrontMatter,
    source: str,
    field_slug: str,
    body_line: int,
    code_line: int,
    retires_on: date | None = None,
    code_links: tuple[tuple[str, int], ...] = (),
) -> ProcedureSummary:
    """A translation copies only its own files (under its language's folder); the
    forms and recording it inherits are the Vietnamese page's."""
    files = [(form.url_path(front.code), form.source_path) for form in front.forms]
    if front.audio is not None:
        files.append((front.audio.url_path(front.code), front.audio.source_path))
    if front.lang:
        files = [f for f in files if f[0].startswith(front.lang.lower() + "/")]
    return ProcedureSummary(
        front.code, front.title, field_slug, source, front.keywords, front.replaced_by,
        front.retired, front.updated, body_line, code_line, tuple(files), front.lang,
        retires_on=retires_on, code_links=code_links,
    )  # fmt: skip


@dataclass(frozen=True)
class Field:
    """A field (lĩnh vực): one folder under procedures/."""

    slug: str
    front: FieldFrontMatter
    description: str  # Markdown
    source: str
    procedures: tuple[Procedure, ...]
    lang: str = ""  # a translation's language (_index.en.md); "" for the Vietnamese

    @property
    def title(self) -> str:
        return self.front.title

    @property
    def url_path(self) -> str:
        return f"{self.slug}/"

    @property
    def active_procedures(self) -> tuple[Procedure, ...]:
        return tuple(p for p in self.procedures if not p.is_retired)

    @property
    def retired_procedures(self) -> tuple[Procedure, ...]:
        return tuple(p for p in self.procedures if p.is_retired)

    def listed(self) -> Field:
        """The field as its lists show it: its procedures by their summaries."""
        return replace(self, procedures=tuple(p.summary_only() for p in self.procedures))


@dataclass(frozen=True)
class FieldLink:
    """A field as a page links to it (crumbs, redirects): its address and its name."""

    slug: str
    title: str

    @property
    def url_path(self) -> str:
        return f"{self.slug}/"


@dataclass(frozen=True)
class Site:
    root: Path
    config: SiteConfig
    fields: tuple[Field, ...]
    # Procedure file (site-relative) → date of its last git commit; empty without git.
    commit_dates: Mapping[str, date] = field(default_factory=dict, compare=False)
    # Folder of the site's own files (site.yml, published-urls.txt) under root:
    # "" for a single site, "communes/<xã>" for a commune of a province.
    home: str = ""
    # Translations, by (language, procedure code) and (language, field slug): kept
    # out of the site's repr, so the Vietnamese lists' keys do not depend on them.
    translations: Mapping[tuple[str, str], Procedure] = field(
        default_factory=dict, compare=False, repr=False
    )
    field_translations: Mapping[tuple[str, str], Field] = field(
        default_factory=dict, compare=False, repr=False
    )
    lang: str = ""  # a view of the site in one of its languages (in_language)

    def listed(self) -> Site:
        """The site as its lists show it (home, A-Z, search, boards): summaries only,
        and none of its commit dates."""
        fields = tuple(f.listed() for f in self.fields)
        return Site(self.root, self.config, fields, home=self.home, lang=self.lang)

    def in_language(self, code: str) -> Site:
        """The site as its pages in `code` show it: each field and procedure in that
        language where a translation exists, else the Vietnamese (with lang ""),
        so no page of the language is missing."""
        fields = []
        for f in self.fields:
            own = self.field_translations.get((code, f.slug))
            procedures = tuple(self.translations.get((code, p.code), p) for p in f.procedures)
            if own is not None:
                f = replace(f, front=own.front, description=own.description, lang=code)
            fields.append(replace(f, procedures=procedures))
        return Site(
            self.root, self.config.in_language(code), tuple(fields), self.commit_dates,
            self.home, lang=code,
        )  # fmt: skip

    def languages_of(self, code: str) -> frozenset[str]:
        """The languages procedure `code` has a translation in."""
        return frozenset(lang for lang, c in self.translations if c == code)

    def own_file(self, name: str) -> str:
        """Root-relative path of one of the site's own files, as messages name it."""
        return f"{self.home}/{name}" if self.home else name

    @cached_property
    def procedures(self) -> tuple[Procedure, ...]:
        """Every procedure of the site, A to Z by title (accent-insensitive),
        retired ones included: each still has a page. Lists for residents
        (A–Z, QR codes, posters) want `active_procedures`."""
        every = (p for f in self.fields for p in f.procedures)
        return tuple(sorted(every, key=lambda p: p.sort_key))

    @cached_property
    def active_procedures(self) -> tuple[Procedure, ...]:
        return tuple(p for p in self.procedures if not p.is_retired)

    @cached_property
    def retired_procedures(self) -> tuple[Procedure, ...]:
        return tuple(p for p in self.procedures if p.is_retired)

    def replacement_of(self, procedure: Procedure) -> Procedure | None:
        """The procedure that now stands for `procedure`, following a chain of
        `replaced_by` to its end (A → B → C gives C); None when not replaced
        (or not yet: a replacement dated in the future)."""
        return self._replacements.get(procedure.code)

    def replaced_codes_of(self, code: str) -> tuple[str, ...]:
        """Old codes that now lead to `code` (directly or through a chain), sorted.
        The page of `code` names them, and search finds `code` by any of them."""
        return self._replaced_codes.get(code, ())

    @cached_property
    def _replacements(self) -> dict[str, Procedure]:
        """Old code → the end of its replaced_by chain, every chain walked once
        (a chain of n codes costs n, not n² as walking it from each page did)."""
        ends: dict[str, Procedure] = {}
        for procedure in self.procedures:
            if procedure.code in ends or not procedure.is_retired:
                continue
            chain, current, seen = [procedure], procedure, {procedure.code}
            while current.is_retired and (new := self._next(current)) is not None:
                if new.code in seen:  # validate reports cycles; never loop here
                    break
                if new.code in ends:
                    current = ends[new.code]
                    break
                chain.append(new)
                seen.add(new.code)
                current = new
            for old in chain:
                if old is not current and old.is_retired:
                    ends[old.code] = current
        return ends

    def _next(self, procedure: Procedure) -> Procedure | None:
        return self.procedures_by_code.get(procedure.replaced_by)

    @cached_property
    def _replaced_codes(self) -> dict[str, tuple[str, ...]]:
        """New code → old codes that lead to it; built once (Zola's reverse index)."""
        by_new: dict[str, list[str]] = {}
        for old, new in self._replacements.items():
            if self.procedures_by_code[old].replaced_by:
                by_new.setdefault(new.code, []).append(old)
        return {code: tuple(sorted(olds)) for code, olds in by_new.items()}

    def checked_on(self, procedure: Procedure) -> date | None:
        """When the facts were last checked: `updated`, else the file's last commit."""
        return procedure.summary.updated or self.commit_dates.get(procedure.source)

    @cached_property
    def procedures_by_code(self) -> dict[str, Procedure]:
        return {p.code: p for p in self.procedures}

    @cached_property
    def fields_by_slug(self) -> dict[str, Field]:
        return {f.slug: f for f in self.fields}

    def absolute_url(self, path: str) -> str:
        """The absolute URL of a site-relative path; what QR codes encode."""
        return self.config.base_url + path


def site_slug(site: Site) -> str:
    """The folder of a site's output: "" for a single site, the commune's folder name."""
    return site.home.rsplit("/", 1)[-1] if site.home else ""
