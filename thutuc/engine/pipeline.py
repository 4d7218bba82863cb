"""The build, as the list of its steps: load → validate → render → QR → posters → write.

`check()` is the first two steps with nothing written (Zola's `check`).
Each step is timed and reported through `on_step`, so the CLI can show
progress and tests can stay quiet.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from thutuc.content.freshness import check_freshness
from thutuc.content.git_dates import last_commit_dates
from thutuc.content.load import load_site
from thutuc.content.model import Site
from thutuc.content.permanence import (
    check_aliases,
    check_published,
    check_replacements,
    content_paths,
    page_paths,
    record_published,
)
from thutuc.content.validate import validate_site
from thutuc.engine.write import UnsafeOutput, check_output_folder, copy_file, staged, write_file
from thutuc.problems import BuildFailed, Problems
from thutuc.site.render import Page, render_site

# Called with (step, None) when a step starts and (step, seconds) when it ends.
StepReporter = Callable[[str, float | None], None]


@dataclass(frozen=True)
class BuildOptions:
    project: Path = Path(".")
    out: Path | None = None  # default: <project>/output
    qr: Path | None = None  # default: <project>/qr
    base_url: str | None = None
    strict: bool = False
    posters: bool = True
    jobs: int | None = None
    ecc: str = "M"
    record_published: bool = True  # add new addresses to published-urls.txt; previews don't

    @property
    def out_dir(self) -> Path:
        return self.out if self.out is not None else self.project / "output"

    @property
    def qr_dir(self) -> Path:
        return self.qr if self.qr is not None else self.project / "qr"


@dataclass
class BuildResult:
    site: Site
    problems: Problems
    pages: list[Page] = field(default_factory=list)
    qr_files: list[Path] = field(default_factory=list)
    poster_files: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def _quiet(step: str, seconds: float | None) -> None:
    pass


@contextmanager
def _timed(step: str, on_step: StepReporter) -> Iterator[None]:
    on_step(step, None)
    start = time.perf_counter()
    yield
    on_step(step, time.perf_counter() - start)


def check(options: BuildOptions, on_step: StepReporter = _quiet) -> tuple[Site | None, Problems]:
    """Load and validate; write nothing. Errors (and, under strict, warnings) are in problems."""
    problems = Problems()
    with _timed("đọc tệp", on_step):
        sources = load_site(options.project, problems)
    with _timed("kiểm tra", on_step):
        site = validate_site(sources, problems, options.base_url)
    if site is not None:
        with _timed("địa chỉ đã công bố, ngày kiểm tra", on_step):
            site = check_permanence(site, problems)
    return site, problems


def check_permanence(
    site: Site, problems: Problems, commit_dates: Mapping[str, date] | None = None
) -> Site:
    """Retirement and alias rules, published addresses, stale facts. Returns the
    site with its procedures' last commit dates (a province reads them once for all)."""
    dates = last_commit_dates(site.root) if commit_dates is None else commit_dates
    own_dates = {p.source: dates[p.source] for p in site.procedures if p.source in dates}
    site = replace(site, commit_dates=own_dates)
    check_replacements(site, problems)
    check_aliases(site, problems)
    check_published(site, content_paths(site), problems)
    check_freshness(site, problems, date.today())
    return site


def build(options: BuildOptions, on_step: StepReporter = _quiet) -> BuildResult:
    """Build the site and its posters; raise BuildFailed leaving old output untouched."""
    start = time.perf_counter()
    site, problems = check(options, on_step)
    _check_outputs(options, problems)
    if site is None or problems.has_errors(options.strict):
        raise BuildFailed(problems)
    result = BuildResult(site, problems)
    with staged([options.out_dir, options.qr_dir]) as (out, qr):
        produce(result, out, qr, options, on_step)
        # The rendered pages are the truth; failing here keeps the old output.
        check_published(site, page_paths(p.file for p in result.pages), problems)
        if problems.errors:
            raise BuildFailed(problems)
    if options.record_published:
        record_published(site.root / site.home, page_paths(p.file for p in result.pages))
    result.seconds = time.perf_counter() - start
    return result


def produce(
    result: BuildResult,
    out: Path | None,
    qr: Path | None,
    options: BuildOptions,
    on_step: StepReporter = _quiet,
) -> None:
    """Render and write every output of a validated site into `out` and `qr`
    (staging folders). Province mode calls this once per commune, with None
    for a half whose inputs did not change since the last build."""
    site = result.site
    if out is not None:
        with _timed("dựng trang", on_step):
            result.pages = render_site(site)
        with _timed("ghi trang", on_step):
            write_pages(site, result.pages, out)
    if qr is None:
        return
    with _timed("mã QR", on_step):
        result.qr_files = write_qr(site, qr, options)
    if options.posters:
        with _timed("áp phích", on_step):
            result.poster_files = write_posters(site, qr, options)
        warn_about_shrunk_codes(site, options, result.problems)


def _check_outputs(options: BuildOptions, problems: Problems) -> None:
    for folder, option in ((options.out_dir, "--out"), (options.qr_dir, "--qr")):
        try:
            check_output_folder(folder, options.project, option)
        except UnsafeOutput as exc:
            problems.error(option, str(exc))


def write_pages(site: Site, pages: list[Page], out: Path) -> None:
    """Every rendered page, plus each procedure's form files beside its page."""
    for page in pages:
        write_file(out, page.file, page.content)
    for procedure in site.procedures:
        for form in procedure.front.forms:
            copy_file(out, form.url_path(procedure.code), form.source_path)


def write_qr(site: Site, qr: Path, options: BuildOptions) -> list[Path]:
    from thutuc.print.qr import write_qr_codes

    return write_qr_codes(site, qr, ecc=options.ecc, png=options.posters)


def write_posters(site: Site, qr: Path, options: BuildOptions) -> list[Path]:
    from thutuc.print.posters import write_posters as render_posters

    previous = options.qr_dir if options.qr_dir.is_dir() else None
    return render_posters(site, qr, previous_qr_dir=previous, jobs=options.jobs, ecc=options.ecc)


def warn_about_shrunk_codes(site: Site, options: BuildOptions, problems: Problems) -> None:
    """What the posters stage reports as data (print/posters.py poster_problems):
    codes drawn for a shorter distance than designed, characters no font draws."""
    from thutuc.print.posters import poster_problems

    for p in poster_problems(site, options.ecc):
        report = problems.warning if p.severity == "warning" else problems.notice
        report(p.file, p.message, p.hint, p.line)
