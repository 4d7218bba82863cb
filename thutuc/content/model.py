"""The site as the rest of the pipeline sees it: typed, validated, immutable.

Source files (where a thing was written) are kept apart from what they
describe: every object carries `source`, the site-relative path of its file,
for error messages, and nothing else about the file system.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path

from thutuc.content.text import fold

# A province sorts the same catalogue titles for every commune, several times.
_folded_title = lru_cache(maxsize=1 << 14)(fold)

PROCEDURE_CODE = re.compile(r"^\d\.\d{6}(\.\d{3}\.\d{2}\.\d{2}\.H\d{2})?$")

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

    @property
    def kind(self) -> str:
        """File type as a resident reads it: "PDF", "DOC", "DOCX"."""
        return self.source_path.suffix.lstrip(".").upper() or "Tệp"

    def url_path(self, procedure_code: str) -> str:
        return f"{procedure_code}/{self.source_path.name}"


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


@dataclass(frozen=True)
class FieldFrontMatter:
    title: str
    order: int | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Procedure:
    front: ProcedureFrontMatter
    body: str  # Markdown, NFC
    source: str  # site-relative path of the Markdown file, for messages
    field_slug: str
    body_line: int = 1  # line of the file where the body starts
    code_line: int = 1
    source_path: Path = field(default=Path(), compare=False)

    @property
    def code(self) -> str:
        return self.front.code

    @property
    def title(self) -> str:
        return self.front.title

    @property
    def url_path(self) -> str:
        return f"{self.front.code}/"

    @property
    def sort_key(self) -> tuple[str, str]:
        return (_folded_title(self.front.title), self.front.title)

    @property
    def is_retired(self) -> bool:
        """Replaced by another code or abolished: its page stays, as a notice,
        because its address may be printed on a poster."""
        return bool(self.front.replaced_by) or self.front.retired is not None


@dataclass(frozen=True)
class Field:
    """A field (lĩnh vực): one folder under procedures/."""

    slug: str
    front: FieldFrontMatter
    description: str  # Markdown
    source: str
    procedures: tuple[Procedure, ...]

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
        `replaced_by` to its end (A → B → C gives C); None when not replaced."""
        current, seen = procedure, {procedure.code}
        while (new := self.procedures_by_code.get(current.front.replaced_by)) is not None:
            if new.code in seen:  # validate reports cycles; never loop here
                break
            current = new
            seen.add(new.code)
        return None if current is procedure else current

    def replaced_codes_of(self, code: str) -> tuple[str, ...]:
        """Old codes that now lead to `code` (directly or through a chain), sorted.
        The page of `code` names them, and search finds `code` by any of them."""
        return tuple(
            sorted(
                p.code
                for p in self.procedures
                if p.front.replaced_by and (r := self.replacement_of(p)) and r.code == code
            )
        )

    def checked_on(self, procedure: Procedure) -> date | None:
        """When the facts were last checked: `updated`, else the file's last commit."""
        return procedure.front.updated or self.commit_dates.get(procedure.source)

    @cached_property
    def procedures_by_code(self) -> dict[str, Procedure]:
        return {p.code: p for p in self.procedures}

    @cached_property
    def fields_by_slug(self) -> dict[str, Field]:
        return {f.slug: f for f in self.fields}

    def absolute_url(self, path: str) -> str:
        """The absolute URL of a site-relative path; what QR codes encode."""
        return self.config.base_url + path
