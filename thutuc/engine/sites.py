"""The sites of a build: which changed, loading them, and the rules across their files.

Each site has an input key: the digest of every file it is made from (a single
site: all of them; a commune: the province's shared files and its own folder),
their commit dates, the build's settings and the code. A commune whose key is
unchanged is not loaded at all: its output stays as it is and its problems are
shown again from the build state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from thutuc import clock
from thutuc.content.files import (
    COMMUNES_DIR,
    PROCEDURES_DIR,
    PROVINCE_FILE,
    SourceFiles,
    Stamp,
    content_digest,
    is_province,
    province_communes,
)
from thutuc.content.freshness import check_freshness, checked_procedures, own_checked, report_stale
from thutuc.content.git_dates import last_commit_dates
from thutuc.content.model import Site, SiteConfig, site_slug
from thutuc.content.permanence import (
    check_aliases,
    check_published,
    check_published_titles,
    check_replacements,
    content_paths,
)
from thutuc.engine.fingerprint import code_digests
from thutuc.engine.state import Head, RecordCache, SiteNotes
from thutuc.problems import Problems

if TYPE_CHECKING:
    from thutuc.content.project import Project, Runner
    from thutuc.engine.pipeline import BuildOptions

CATALOGUE = "\0catalogue"  # the notes of a province's shared catalogue, in Head.sites


def commit_dates(root: Path, head: Head, commit: str) -> dict[str, date]:
    """Last commit date of every content file at `commit` (head_commit's); read
    again only when HEAD moved. No commit (no git, not a repository): none."""
    if not commit:
        return {}
    if commit == head.git_head:
        return head.git_dates
    folders = (PROCEDURES_DIR, COMMUNES_DIR) if is_province(root) else (PROCEDURES_DIR,)
    return last_commit_dates(root, folders)


def chosen_communes(options: BuildOptions, files: SourceFiles) -> tuple[str, ...]:
    """The communes this build is asked for: --commune, the K-th of N (--shard), or ()."""
    if options.shard is None:
        return options.communes
    number, count = options.shard
    return tuple(province_communes(files)[number - 1 :: count])


def communes_if_shard_empty(options: BuildOptions) -> int | None:
    """With --shard K/N in a province of fewer than K communes, that slice has none:
    how many communes there are (a CI matrix wider than the province). Else None."""
    if options.shard is None or not is_province(options.project):
        return None
    files = SourceFiles(options.project)
    return None if chosen_communes(options, files) else len(province_communes(files))


def settings_key(options: BuildOptions) -> str:
    """Every option a build's output and problems depend on, and thutuc's code."""
    o = options
    return repr([artifact_settings_key(o), o.posters, o.print_shop, o.strict])


def artifact_settings_key(options: BuildOptions) -> str:
    """The options that reach the inputs of artifacts other than print material
    (which is keyed again at every build that draws it): the address, and the error
    correction of the SVG codes. --no-posters, --print-shop and --strict choose
    which artifacts are made and how problems count, not what a page is made of, so
    the first --no-posters build after a poster build keeps the pages' keys."""
    return repr([options.base_url or "", options.ecc, sorted(code_digests().items())])


def input_keys(
    options: BuildOptions, stamps: Mapping[str, Stamp], dates: Mapping[str, date]
) -> dict[str, str]:
    """The input key of each site: "" for a single site, each commune's folder name."""
    own: dict[str, list[str]] = {}
    shared = [settings_key(options)]
    for rel, stamp in sorted(stamps.items()):
        entry = f"{rel}\1{stamp.digest}\1{dates.get(rel, '')}"
        parts = rel.split("/")
        if parts[0] == COMMUNES_DIR and len(parts) > 2:
            own.setdefault(parts[1], []).append(entry)
        else:
            shared.append(entry)
    base = "\0".join(shared)
    if not is_province(options.project):
        return {"": content_digest(base.encode())}
    return {
        slug: content_digest((base + "\0" + "\0".join(entries)).encode())
        for slug, entries in own.items()
    }


def load_sites(
    options: BuildOptions,
    files: SourceFiles,
    records: RecordCache,
    problems: Problems,
    dates: dict[str, date],
    runner: Runner | None = None,
    skip: frozenset[str] = frozenset(),
) -> Project | None:
    """Every site (but the communes in `skip`), validated, then checked across its
    files, each commune's problems in its group."""
    from thutuc.content.project import load_project, run_here

    if options.shard is not None and not is_province(options.project):  # as --commune is
        number, count = options.shard
        problems.error(
            "--shard",
            f"Trang này không phải trang của một tỉnh (không có {PROVINCE_FILE}), không có xã "
            f"nào để chia. Bỏ --shard {number}/{count}: không có nó, lệnh dựng cả trang.",
            "--shard chỉ dùng trong chế độ tỉnh, để chia các xã cho nhiều máy CI.",
        )
        return None
    project = load_project(
        options.project, files, records, problems, options.base_url,
        chosen_communes(options, files), runner or run_here, skip,
    )  # fmt: skip
    if project is None:
        return None
    sites = []
    for site in project.sites:
        own = Problems()
        sites.append(check_permanence(site, own, dates))
        problems.extend(own, group=site_slug(site))
    if project.province is not None:
        note = catalogue_notes(project, dates)
        report_stale(note.checked, note.months, clock.today(), problems, note.file, note.group)
    _check_strings(options.project, project, problems)
    return replace(project, sites=tuple(sites))


def _check_strings(root: Path, project: Project, problems: Problems) -> None:
    """The project's own strings files, once at every build (communes left as they
    are included): a province's templates/ are its communes' too."""
    from thutuc.content.province import CATALOGUE_GROUP
    from thutuc.content.translations import check_site_strings

    own = Problems()
    check_site_strings(root, own)
    problems.extend(own, group=CATALOGUE_GROUP if project.province is not None else "")


def check_permanence(site: Site, problems: Problems, dates: Mapping[str, date]) -> Site:
    """Retirement and alias rules, published addresses, stale facts; the site with
    its procedures' last commit dates."""
    from thutuc.content.translations import check_translations  # languages: hook

    shown = [*site.procedures, *site.translations.values()]
    own_dates = {p.source: dates[p.source] for p in shown if p.source in dates}
    site = replace(site, commit_dates=own_dates)
    check_replacements(site, problems)
    check_aliases(site, problems)
    check_published(site, content_paths(site), problems)
    check_published_titles(site, problems)
    check_freshness(site, problems, clock.today())
    check_translations(site, problems)
    return site


def site_notes(site: Site) -> SiteNotes:
    """What the site's stale-facts notice needs, for a build that does not load it."""
    months, file = site.config.stale_after_months, site.own_file(PROCEDURES_DIR)
    return SiteNotes(own_checked(site), months, file, site_slug(site))


def catalogue_notes(project: Project, dates: Mapping[str, date]) -> SiteNotes:
    """The catalogue's dated procedures, once for the province, at the default age."""
    from thutuc.content.province import CATALOGUE_GROUP

    active = [p for p in project.catalogue if not p.is_retired]
    checked = checked_procedures(active, dates)
    return SiteNotes(checked, SiteConfig.stale_after_months, PROCEDURES_DIR, CATALOGUE_GROUP)


def replay_notes(notes: list[SiteNotes], problems: Problems) -> None:
    """Stale-facts notices computed for today from the dates a build kept."""
    for note in notes:
        report_stale(note.checked, note.months, clock.today(), problems, note.file, note.group)


def expires(site: Site) -> date | None:
    """The next day something of the site changes by the calendar alone (a
    retirement dated in the future, an `updated:` still to come)."""
    from thutuc.content.records import expiry_dates

    today = clock.today()
    days = [d for p in site.procedures for d in expiry_dates(p.summary) if d > today]
    return min(days, default=None)
