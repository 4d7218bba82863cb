"""The build, as the list of its steps: read → check → plan → make → swap → record.

One engine for one commune and for a province (a list of sites, content/project.py);
`check()` is read and check with nothing written (Zola's `check`). Each step is
timed and reported through `on_step`, so the CLI can show progress and tests
stay quiet. What each step does:

- read: stat every input file (content digests only for files that changed),
  the git commit, and the output folders. When nothing changed since the last
  build and the output is as that build left it, the build ends here and shows
  that build's problems again.
- check: load and validate the sites whose files changed (a commune whose files
  did not is kept as it is, engine/sites.py), re-reading only changed files; the
  rules across files (published addresses, replacements, aliases, stale facts).
- plan: declare each loaded site's artifacts with their keys (engine/artifacts.py);
  those whose key and files are unchanged are clean.
- make: bring the spare output folders up to date: clean files hard-linked, dirty
  artifacts built by one pool of workers (engine/outputs.py, engine/pool.py).
- swap: the spare folders become the output, all or nothing (engine/staging.py).
- record: new published addresses, and the build state for next time.

Loading, rendering and drawing import Jinja, YAML, cmark and reportlab: a build
with nothing to do must not pay for them, so the steps that need them import
them when they run.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

from thutuc import clock
from thutuc.content.files import (
    COMMUNES_DIR,
    PUBLISHED_FILE,
    SourceFiles,
    Stamp,
    content_digest,
    is_province,
)
from thutuc.content.freshness import is_stale_notice
from thutuc.content.git_dates import head_commit
from thutuc.content.model import Procedure, Recipe, Site, site_slug
from thutuc.content.permanence import page_paths, published_titles, record_published
from thutuc.engine import sites, staging
from thutuc.engine.outputs import (
    TREES,
    Outputs,
    by_site,
    group_of,
    spare_folders,
    worker_errors,
    workers,
)
from thutuc.engine.pool import Pool
from thutuc.engine.state import (
    ArtifactRecord,
    Artifacts,
    Body,
    Head,
    Manifest,
    SiteHead,
    collector_paused,
    forget_artifacts,
    forget_state,
    read_artifacts,
    read_body,
    read_head,
    state_dir,
    state_name,
    write_artifacts,
    write_state,
)
from thutuc.problems import BuildFailed, Problem, Problems, Severity

if TYPE_CHECKING:
    from thutuc.content.project import Project
    from thutuc.engine.artifacts import Artifact, Keys

# Called with (step, None) when a step starts and (step, seconds) when it ends.
StepReporter = Callable[[str, float | None], None]
# The step after which the new output is live (a failure later must not say otherwise).
SWAP_STEP = "thay thư mục đầu ra"


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
    print_shop: bool = False
    communes: tuple[str, ...] = ()  # province: only these communes (the others stay as built)
    shard: tuple[int, int] | None = None  # province: the K-th of N slices of the communes

    def __post_init__(self) -> None:
        # One spelling of the project for every build: `build` in the folder and
        # `build --project /abs/path` share their build state instead of each
        # rebuilding everything (the root is part of the records' and pages' keys).
        object.__setattr__(self, "project", Path(os.path.abspath(self.project)))

    @property
    def out_dir(self) -> Path:
        return self.out if self.out is not None else self.project / "output"

    @property
    def qr_dir(self) -> Path:
        return self.qr if self.qr is not None else self.project / "qr"

    def folder_name(self, tree: str) -> str:
        """An output folder ("out" or "qr") as problems name the files in it: from
        the project, as the sources are, or in full when it lies outside
        (`--qr /srv/in/qr`)."""
        folder = Path(os.path.abspath(self.out_dir if tree == "out" else self.qr_dir))
        inside = folder.is_relative_to(self.project)
        return folder.relative_to(self.project).as_posix() if inside else folder.as_posix()


@dataclass
class BuildResult:
    project: Project | None  # the sites loaded this time (None: nothing changed)
    problems: Problems
    pages: int = 0
    qr_files: int = 0
    poster_files: int = 0
    made: int = 0  # files made this time
    reused: int = 0  # artifacts unchanged since the last build
    unchanged: bool = False  # nothing changed: the build stopped after reading
    seconds: float = 0.0
    rebuilt: tuple[str, ...] = ()  # the sites (communes) that had an artifact rebuilt
    procedures: int = 0  # of every site, loaded or kept
    fields: int = 0
    site_count: int = 0

    @property
    def sites(self) -> tuple[Site, ...]:
        return self.project.sites if self.project else ()


def _quiet(step: str, seconds: float | None) -> None:
    pass


@contextmanager
def _timed(step: str, on_step: StepReporter) -> Iterator[None]:
    on_step(step, None)
    start = time.perf_counter()
    yield
    on_step(step, time.perf_counter() - start)


@dataclass(frozen=True)
class Edit:
    """What changed in a site whose artifacts kept the last build's keys
    (Build._reuse_keys): the files of its procedures read again, and whether a
    summary changed with them."""

    files: frozenset[str]
    recipes: frozenset[str]  # the keys of those procedures' recipes
    shown: frozenset[str] = frozenset()  # the files of those whose summaries changed

    @property
    def summaries(self) -> bool:
        return bool(self.shown)

    def outdates(self, kind: str, record: ArtifactRecord) -> bool:
        """Whether print material kept by a --no-posters build may now show something
        old: a card or leaflet that prints an edited procedure (ArtifactRecord.shows),
        or a list (board, field poster, stickers) once a summary changed; the contact
        sheet, which lists them all, whenever its site changed."""
        if record.shows:
            return not self.files.isdisjoint(record.shows)
        return self.summaries or kind == "contact-sheet"


class BuildInterrupted(BaseException):
    """SIGTERM: stop like Ctrl+C, so every worker is ended and the output kept."""


class Session:
    """What `serve` keeps between builds: the worker pool and the build state in memory."""

    def __init__(self, jobs: int | None = None) -> None:
        self.pool = Pool(workers(jobs))
        self.head: Head | None = None
        self.body: Body | None = None
        self.name = ""

    def close(self) -> None:
        self.pool.close()


def build(
    options: BuildOptions, on_step: StepReporter = _quiet, session: Session | None = None
) -> BuildResult:
    """Build every site of the project and its posters; raise BuildFailed leaving
    the previous output untouched."""
    # What the main process holds (state, records, artifacts) forms no cycles: the
    # cyclic collector only walked it over and over (an edit build of 4,000
    # procedures in one process: 0.78 -> 0.65 s with it paused).
    with collector_paused(), Build(options, on_step, session) as run:
        run.step("đọc tệp", run.read)
        if run.nothing_changed():
            return run.replay()
        run.step("kiểm tra", run.check)
        run.step("lập danh sách đầu ra", run.plan)
        run.step("dựng", run.make)
        run.step(SWAP_STEP, run.swap)
        run.step("ghi lại", run.record)
        return run.result()


def check(options: BuildOptions, on_step: StepReporter = _quiet) -> tuple[Project | None, Problems]:
    """Load and validate every site; write nothing. Errors (and, under strict,
    warnings) are in the problems."""
    problems = Problems()
    cache, name = state_dir(options.project), state_name(options.out_dir, options.qr_dir)
    head = read_head(cache, name)
    with _timed("đọc tệp", on_step):
        files = SourceFiles(options.project, head.stamps, head.recorded_ns)
        dates = sites.commit_dates(options.project, head, head_commit(options.project))
    with _timed("kiểm tra", on_step):
        body = read_body(cache, name)
        project = sites.load_sites(options, files, body.records, problems, dates)
        if project is not None:
            _check_printed_characters(project, problems)
    return project, problems


def _check_printed_characters(project: Project, problems: Problems) -> None:
    """What a build's `glyphs` artifacts tell (a character no poster font draws), each
    file once: a province's catalogue files are printed by every commune."""
    from thutuc.engine.builders import glyphs
    from thutuc.print.posters import printed_sources

    told: dict[Problem, None] = {}
    for site in project.sites:
        slug = site_slug(site)
        for file, printed in printed_sources(site):
            for problem in glyphs((file, printed, site.root, None)).problems:
                told[replace(problem, group=group_of(problem, slug))] = None
    for problem in told:
        problems.add(problem)


def ready_spares(options: BuildOptions, session: Session) -> None:
    """Between two builds of `serve`: make each spare folder hold what its live
    folder holds (hard links), so the next build writes only what changed. After
    a cold build the spare is empty, and the first edit would link every file
    first (bench/bench_serve.py, 4,000 procedures: 0.57 s for that edit, 0.38 s
    for the next ones; readied, 0.37-0.40 s, and 0.21 s to ready it)."""
    head = session.head
    if head is None or not session.name:
        return
    cache, name = state_dir(options.project), session.name
    spares = spare_folders(cache, (options.out_dir, options.qr_dir), name)
    trees = []
    for tree_name, folder in zip(TREES, (options.out_dir, options.qr_dir), strict=True):
        live, spare = head.live.get(tree_name, {}), head.spare.get(tree_name, {})
        if spare == live or not folder.is_dir():
            continue
        tree = staging.Tree(tree_name, folder, spares[tree_name], live, spare)
        tree.prepare()
        for rel, entry in live.items():
            tree.keep(rel, entry.digest)
        tree.finish()
        head.spare[tree_name] = dict(tree.written)
        trees.append(tree)
    if trees:  # the state on disk says what the spares hold, then they are trusted
        write_state(cache, name, head, None)
        for tree in trees:
            tree.settled()


def forget_build(options: BuildOptions) -> None:
    """Remove the build state and spare folders of these output folders (a
    preview's, when it ends)."""
    cache, name = state_dir(options.project), state_name(options.out_dir, options.qr_dir)
    forget_state(cache, name)
    for folder in spare_folders(cache, (options.out_dir, options.qr_dir), name).values():
        shutil.rmtree(folder, ignore_errors=True)
        staging.untouched_flag(folder).unlink(missing_ok=True)
    (cache / f"lock-{name}").unlink(missing_ok=True)


def _folder_problems(options: BuildOptions) -> Problems:
    """Every reason not to write into --out and --qr, before anything is written."""
    from thutuc.engine.folders import check_output_folders

    problems = Problems()
    found = check_output_folders(
        options.project, options.out_dir, options.qr_dir, options.record_published
    )
    for option, message in found:
        problems.error(option, message)
    return problems


class Build:
    """One build's steps and what they hand each other."""

    def __init__(
        self, options: BuildOptions, on_step: StepReporter, session: Session | None
    ) -> None:
        self.options, self.on_step, self.session = options, on_step, session
        self.start = time.perf_counter()
        self.began_ns = 0  # when read() began (time.time_ns)
        self.problems = Problems()
        self.cache = state_dir(options.project)
        self.name = state_name(options.out_dir, options.qr_dir)
        self.head = Head()
        self.body: Body | None = None
        self.files: SourceFiles | None = None
        self.dates: dict[str, date] = {}
        self.git_head = ""  # the commit checked out when the build began
        self.keys: dict[str, str] = {}  # input key of each site
        self.expired: set[str] = set()  # sites a date still to come last time now changes
        self.key = ""
        self.live: dict[str, Manifest] = {}  # as found: files changed by hand dropped
        self.extra = False  # the live folders hold files the last build did not make
        self.changed_by_hand: set[str] = set()  # trees whose live folder is not as made
        self.project: Project | None = None
        self.kept_sites: list[str] = []  # communes left as they are
        self.clean: list[tuple[Artifact, ArtifactRecord]] = []
        self.dirty: list[Artifact] = []
        self.carried: Artifacts = {}  # print material a --no-posters build leaves
        self.bases: dict[str, str] = {}  # of each site planned (_plan_basis)
        self.summary_digests: dict[str, str] = {}  # of each planned site's summaries
        self.edits: dict[str, Edit] = {}  # the sites whose keys were kept (_reuse_keys)
        self.keys_made: Keys | None = None  # this build's artifact keys (plan)
        self.outputs: Outputs | None = None
        self._per_site: dict[str, dict[str, int]] | None = None
        self._per_site_before: dict[str, dict[str, int]] = {}
        self._lock: IO[str] | None = None
        self._new_cache = False  # this build made the cache folder: a failure takes it away
        self._pool: Pool | None = None
        self._sigterm = contextlib.ExitStack()

    # Opening and closing: lock, recovery, signals, workers

    def __enter__(self) -> Build:
        folders = _folder_problems(self.options)
        if folders.errors:
            raise BuildFailed(folders)
        self._new_cache = not self.cache.exists()
        self.cache.mkdir(parents=True, exist_ok=True)
        self._lock = self._take_lock()
        if staging.recover(self.cache, self.name):  # a killed build's half swap, finished
            forget_state(self.cache, self.name)
            if self.session:
                self.session.head = self.session.body = None
        staging.remove_leftovers([self.options.out_dir, self.options.qr_dir])
        if self.session and self.session.name == self.name and self.session.head:
            self.head = self.session.head
        else:
            self.head = read_head(self.cache, self.name)
        self._sigterm.enter_context(sigterm_stops())
        return self

    def _take_lock(self) -> IO[str]:
        lock = open(self.cache / f"lock-{self.name}", "w")  # noqa: SIM115
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            busy = Problems()
            busy.error(
                str(self.options.out_dir),
                "Một lần dựng khác đang ghi vào thư mục đầu ra này.",
                "Đợi lần dựng đó xong (hoặc dừng nó bằng Ctrl+C), rồi chạy lại.",
            )
            raise BuildFailed(busy) from None
        return lock

    def __exit__(self, kind: object, value: object, trace: object) -> None:
        if self._pool is not None:
            self._pool.close() if kind is None else self._pool.terminate()
        if self.session is not None and kind is not None:
            self.session.pool.terminate()
        self._sigterm.close()
        if self._lock is not None:
            self._lock.close()
        if kind is not None and self._new_cache:
            # A first build that fails leaves the project as the editor had it.
            shutil.rmtree(self.cache, ignore_errors=True)

    def step(self, name: str, action: Callable[[], None]) -> None:
        # a file saved or deleted while this process reads it: the editor builds again
        with _timed(name, self.on_step), worker_errors(self.problems, name):
            action()

    def pool(self) -> Pool:
        if self.session is not None:
            return self.session.pool
        if self._pool is None:
            self._pool = Pool(workers(self.options.jobs))
        return self._pool

    def run_many(
        self, function: Callable[[Any], Any], items: list[Any], here: Callable[[Any], Any]
    ) -> list[Any]:
        """`function` over `items` in the pool when there are many (a cold build),
        else `here` over them in this process."""
        from thutuc.engine.outputs import POOL_THRESHOLD

        with worker_errors(self.problems, "đọc tệp"):
            if len(items) < POOL_THRESHOLD or workers(self.options.jobs) <= 1:
                return [here(item) for item in items]
            return self.pool().map(function, items, _item_affinity)

    # read

    def read(self) -> None:
        self.began_ns = time.time_ns()  # before the output folders are looked at
        root = self.options.project
        self.files = SourceFiles(root, self.head.stamps, self.head.recorded_ns)
        if self._many_to_check():
            self.pool().start()  # the workers import while this process hashes the files
        stamps = self.files.all_stamps()
        # once: the dates are those of this commit, even if one is made during the build
        self.git_head = head_commit(root)
        self.dates = sites.commit_dates(root, self.head, self.git_head)
        self.keys = sites.input_keys(self.options, stamps, self.dates)
        today = clock.today()
        self.expired = {s for s, h in self.head.sites.items() if h.expires and h.expires <= today}
        self.key = self.project_key()
        # a clock set back since then: folder times say nothing, every folder is listed
        settled = self.head.settled_ns if self.head.settled_ns <= self.began_ns else 0
        for tree, folder in zip(TREES, self._folders(), strict=True):
            manifest = self.head.live.get(tree, {})
            self.live[tree], extra = staging.inspect(folder, manifest, settled)
            self.extra = self.extra or extra
            # A file gone or changed: its folder may hold anything now (two folders
            # swapped by hand keep their own times, and are not listed).
            if extra or len(self.live[tree]) < len(manifest):
                self.changed_by_hand.add(tree)

    def _many_to_check(self) -> bool:
        """Whether checking will likely need the pool: many Markdown files new or
        touched since the last build (a cold build: all of them)."""
        from thutuc.engine.outputs import POOL_THRESHOLD

        assert self.files is not None
        if workers(self.options.jobs) <= 1:
            return False
        known = self.head.stamps
        touched = 0
        for rel, info in self.files.stats.items():
            before = known.get(rel)
            if rel.endswith(".md") and (
                before is None or (before.size, before.mtime_ns) != (info.st_size, info.st_mtime_ns)
            ):
                touched += 1
                if touched >= POOL_THRESHOLD:
                    return True
        return False

    def project_key(self) -> str:
        """The whole build's inputs; a site whose day has come (a retirement) changes it."""
        chosen = (self.options.communes, self.options.shard)
        return content_digest(
            repr([chosen, sorted(self.keys.items()), sorted(self.expired)]).encode()
        )

    def nothing_changed(self) -> bool:
        intact = all(len(self.live[t]) == len(self.head.live.get(t, {})) for t in TREES)
        return (
            bool(self.head.project_key)
            and self.head.project_key == self.key
            and intact
            and not self.extra
        )

    def replay(self) -> BuildResult:
        """The last build's problems again, and the stale-facts notices for today."""
        for problem in self.head.problems:
            self.problems.add(problem)
        sites.replay_notes([n for s in self.head.sites.values() for n in s.notes], self.problems)
        if self.problems.has_errors(self.options.strict):
            raise BuildFailed(self.problems)
        return self._result(unchanged=True)

    # check

    def check(self) -> None:
        assert self.files is not None
        same_session = self.session and self.session.name == self.name and self.session.body
        self.body = self.session.body if same_session else read_body(self.cache, self.name)  # type: ignore[union-attr]
        assert self.body is not None
        chosen = set(sites.chosen_communes(self.options, self.files))  # () for all
        self.kept_sites = self._unchanged_communes(chosen)
        self.project = sites.load_sites(
            self.options, self.files, self.body.records, self.problems, self.dates,
            self.run_many, frozenset(self.kept_sites),
        )  # fmt: skip
        replayed: set[Problem] = set()  # a catalogue file's, kept by several communes: once
        for slug in self._kept_and_asked_for(chosen):
            for problem in self.head.sites[slug].problems:
                if problem not in replayed:
                    replayed.add(problem)
                    self.problems.add(problem)
            sites.replay_notes(self.head.sites[slug].notes, self.problems)
        if self.project is None or self.problems.has_errors(self.options.strict):
            self.save(success=False)
            raise BuildFailed(self.problems)

    def _kept_and_asked_for(self, chosen: set[str]) -> list[str]:
        """The communes kept as they are whose problems this build tells again: with
        --commune or --shard, only those asked for (the others' are not looked at)."""
        return [slug for slug in self.kept_sites if not chosen or slug in chosen]

    def _unchanged_communes(self, chosen: set[str]) -> list[str]:
        """Communes this build leaves as they are: not asked for (--commune, --shard),
        or with the same input key as last time and their output intact."""
        if not is_province(self.options.project):
            return []
        kept = []
        for slug, key in self.keys.items():
            before = self.head.sites.get(slug)
            same = before is not None and before.key == key and self._intact(slug)
            same = same and slug not in self.expired
            if same or (chosen and slug not in chosen and before is not None):
                kept.append(slug)
        return kept

    def _intact(self, slug: str) -> bool:
        """Every file the last build made for this site is still as it made it."""
        if self._per_site is None:
            self._per_site = {t: _count_by_site(self.live[t]) for t in TREES}
            self._per_site_before = {t: _count_by_site(self.head.live.get(t, {})) for t in TREES}
        return all(
            self._per_site[t].get(slug, 0) == self._per_site_before[t].get(slug, 0) for t in TREES
        )

    # plan

    def plan(self) -> None:
        from thutuc.engine.artifacts import (
            Keys,
            declare,
            is_declared_web_artifact,
            is_print_material,
            kept_artifact,
            markers,
            templates_digest,
        )

        assert self.project is not None and self.files is not None
        keys = self.keys_made = Keys(templates_digest(self.files))
        ecc, posters = self.options.ecc, self.options.posters
        planned: dict[str, list[Artifact]] = {"": markers(keys)}
        if self.project.province is not None:
            planned[""].append(province_index(self.project, keys))
        before = {"": read_artifacts(self.cache, self.name, "")}
        changed = self._changed_files()
        for site in self.project.sites:
            slug = site_slug(site)
            if slug not in before:  # a single site's are the project's own ("")
                before[slug] = read_artifacts(self.cache, self.name, slug)
            shown = [*site.procedures, *site.translations.values()]
            self.bases[slug] = self._plan_basis(shown, keys)
            self.summary_digests[slug] = content_digest(
                "\0".join(p.summary.fingerprint for p in shown).encode()
            )
            self._reuse_keys(slug, shown, changed, before[slug], keys)
            only = self._edited_recipes(site, before[slug])
            lists = only is not None and self.edits[slug].summaries
            declared = declare(
                site, self.files, keys, ecc, posters, self.options.print_shop, only, lists
            )
            planned.setdefault(slug, []).extend(declared)
            if only is not None:  # the rest as they are: _edited_recipes checked their files
                ids = {artifact.id for artifact in planned[slug]}
                self.clean += [
                    (kept_artifact(artifact_id, record), record)
                    for artifact_id, record in before[slug].items()
                    if artifact_id not in ids
                    and is_declared_web_artifact(artifact_id)
                    and not (lists and artifact_id.split("|", 2)[1] == "form")  # named no more
                ]
        for slug, declared in planned.items():
            previous = before[slug]
            for artifact in declared:
                record = previous.get(artifact.id)
                # an outdated record (carried_over) is drawn again: its warnings were dropped
                if (
                    record is not None
                    and record.key == artifact.key
                    and not record.outdated
                    and self._in_live(record)
                ):
                    self.clean.append((artifact, record))
                else:
                    self.dirty.append(artifact)
            ids = {a.id for a in declared}
            for artifact_id, record in previous.items():  # print material, when not drawn now
                if not posters and is_print_material(artifact_id) and artifact_id not in ids:
                    self.carried[artifact_id] = record

    def _edited_recipes(self, site: Site, previous: Artifacts) -> frozenset[str] | None:
        """The recipes whose pages and codes alone are declared again, when every
        other procedure's are kept as the last build made them: a --no-posters
        build after an edit of procedure files only, with the output holding every
        file of the last build's web artifacts. After an edit of a body, those of
        the files read again; of a summary (a title), also those of the pages that
        show one of them (a replacement), and the lists then (artifacts.declare).
        None: declare all."""
        from thutuc.engine.artifacts import is_declared_web_artifact
        from thutuc.site.pages import procedures_showing

        edit = self.edits.get(site_slug(site))
        if edit is None or self.options.posters:
            return None
        for artifact_id, record in previous.items():
            if is_declared_web_artifact(artifact_id) and (
                record.outdated or not self._in_live(record)
            ):
                return None
        if not edit.summaries:
            return edit.recipes
        return edit.recipes | procedures_showing(site, edit.shown)

    def _plan_basis(self, shown: list[Procedure], keys: Keys) -> str:
        """What a site's artifact keys are worked out from besides its procedures'
        files: the settings and code, the templates, the commit, and what the
        site's indexes are made of in every summary (model.SHOWN_ONLY)."""
        # sorted: the procedures are in title order, which a title edit changes
        relations = "\0".join(sorted(p.summary.relations for p in shown))
        settings = sites.artifact_settings_key(self.options)
        basis = [settings, keys.site_templates, self.git_head, relations]
        return content_digest("\1".join(basis).encode())

    def _changed_files(self) -> set[str] | None:
        """The source files whose content changed since the last build; None when
        that build failed, files came or went, the commit moved or a date came."""
        assert self.files is not None
        before, now = self.head.stamps, self.files.stamps
        if (
            not self.head.project_key
            or before.keys() != now.keys()
            or self.git_head != self.head.git_head
            or self.expired
        ):
            return None
        return {rel for rel, stamp in now.items() if stamp.digest != before[rel].digest}

    def _reuse_keys(
        self,
        slug: str,
        shown: list[Procedure],
        changed: set[str] | None,
        previous: Artifacts,
        keys: Keys,
    ) -> None:
        """The last build's artifact keys for this site, when all that changed in
        its files is procedures, and of their summaries nothing a site index is
        made of: then only the artifacts showing one of them are keyed again (an
        edit of a body keys 2 artifacts of 8,000; of a title, the lists too)."""
        last = self.head.sites.get(slug)
        if changed is None or last is None or last.plan_basis != self.bases[slug]:
            return
        own = {rel for rel in changed if _site_of(rel) in ("", slug)}  # a province's communes
        recipes = [(p, p.recipe) for p in shown if p.recipe is not None]
        if not own <= {rel for _, recipe in recipes for rel, _ in recipe.layers}:
            return  # a field's _index.md, site.yml, a form, a strings file
        read_again = [(p, r) for p, r in recipes if any(rel in own for rel, _ in r.layers)]
        edited = None
        if last.summaries != self.summary_digests[slug]:  # only theirs can have changed
            edited = frozenset(p.summary.source for p, _ in read_again)
        known = {artifact_id: record.key for artifact_id, record in previous.items()}
        recipes_read = frozenset(recipe.key for _, recipe in read_again)
        keys.reuse(known, set(recipes_read), edited)
        self.edits[slug] = Edit(frozenset(own), recipes_read, edited or frozenset())

    def _in_live(self, record: ArtifactRecord) -> bool:
        return all(path in self.live[tree] for tree, path in record.files)

    # make

    def make(self) -> None:
        assert self.project is not None
        spares = spare_folders(self.cache, self._folders(), self.name)
        trees = {
            tree: staging.Tree(
                tree, folder, spares[tree], self.live[tree], self.head.spare.get(tree, {})
            )
            for tree, folder in zip(TREES, self._folders(), strict=True)
        }
        names = {tree: self.options.folder_name(tree) for tree in TREES}  # once, not per file
        self.outputs = outputs = Outputs(trees, self.problems, names["qr"])
        outputs.prepare()
        outputs.keep_sites(set(self.kept_sites))
        for artifact, record in self.clean:
            if not outputs.keep(artifact.id, record):
                self.dirty.append(artifact)
        self._carry_print_material(outputs, names)
        outputs.build(self.dirty, self.pool, workers(self.options.jobs))
        if self.problems.errors:
            raise BuildFailed(self.problems)
        outputs.made_from_outputs(self.project.sites, self.options.posters, self.options.ecc)
        outputs.finish()

    def _carry_print_material(self, outputs: Outputs, names: dict[str, str]) -> None:
        """Keep the print material a --no-posters build does not draw, each file
        flagged once what it prints may have changed (carried_over)."""
        from thutuc.engine.artifacts import png_inputs

        if not self.carried:
            return
        keys = self.keys_made
        assert keys is not None
        changed = {artifact.site for artifact in self.dirty}
        made = {artifact.id: artifact for artifact in self.dirty}
        kept = {artifact.id for artifact, _ in self.clean} - made.keys()

        # Drawn with another --print-shop than this build asks for: every poster differs.
        # Kept per site: a --commune poster build draws only some communes.
        shop_was = {slug: site.print_shop for slug, site in self.head.sites.items()}

        def outdates(artifact_id: str, record: ArtifactRecord) -> bool:
            slug, kind, name = artifact_id.split("|", 2)
            if kind == "qr-png":  # old when its SVG's address is not the one it was drawn for
                svg_id = f"{slug}|qr-svg|{name}"
                if svg_id in kept:
                    return False
                svg = made.get(svg_id)  # None: its procedure is gone
                return svg is None or keys.key(kind, png_inputs(*svg.inputs)) != record.key
            if shop_was.get(slug) not in (None, self.options.print_shop):
                return True
            if slug not in changed:
                return False
            edit = self.edits.get(slug)  # None: more changed than its procedures' files
            return edit is None or edit.outdates(kind, record)

        for artifact_id, record in self.carried.items():
            present = tuple((tree, path) for tree, path in record.files if path in self.live[tree])
            if not present:
                continue  # deleted: the next build that draws posters draws it again
            # A poster whose preview was deleted by hand keeps its PDF, flagged, and is
            # drawn whole again by the next poster build.
            partly_deleted = len(present) < len(record.files)
            outdated = record.outdated or partly_deleted or outdates(artifact_id, record)
            record = replace(record, files=present)
            site = artifact_id.partition("|")[0]
            outputs.keep(artifact_id, *carried_over(record, outdated, names, site))

    # swap and record

    def swap(self) -> None:
        assert self.outputs is not None
        if self.outputs.changed() or self.extra:
            staging.swap(self.outputs.trees.values(), self.cache, self.name)
            self.head.spare = dict(self.live)
            self.head.live = self.outputs.manifests()
        else:  # nothing to swap: the spare now holds what the live folder holds
            self.head.spare = self.outputs.manifests()
            self.head.live = dict(self.live)

    def record(self) -> None:
        assert self.project is not None
        if self.options.record_published:
            sites = self.project.sites
            files_of = by_site(self.head.live["out"], [site_slug(s) for s in sites])
            for site in sites:
                files = files_of[site_slug(site)]
                titles = published_titles(site)
                if record_published(self.options.project / site.home, page_paths(files), titles):
                    self._restamp(site.own_file(PUBLISHED_FILE))
        self.save(success=True)

    def _restamp(self, rel: str) -> None:
        """A file this build wrote (published-urls.txt) is as the next build will find it;
        its site's input key is taken again, so recording is not a change."""
        assert self.files is not None
        path = self.options.project / rel
        info = path.stat()
        digest = content_digest(path.read_bytes())
        self.files.stamps[rel] = Stamp(info.st_size, info.st_mtime_ns, digest)
        self.keys = sites.input_keys(self.options, self.files.stamps, self.dates)
        self.key = self.project_key()

    def save(self, success: bool) -> None:
        """The state for next time; after a failure only what loading learnt."""
        assert self.files is not None and self.body is not None
        head = self.head
        head.stamps = dict(self.files.stamps)
        head.recorded_ns = time.time_ns()
        head.git_head = self.git_head
        head.git_dates = self.dates
        if success:
            self.expired = set()  # loaded again today: what came due is applied
            self.key = self.project_key()
            head.settled_ns = self.began_ns
        head.project_key = self.key if success else ""
        if success:
            self._save_sites(head)
        if success:
            self.body.records = self.body.records.kept(set(head.stamps))
        write_state(self.cache, self.name, head, self.body)
        if success and self.outputs is not None:
            for name, tree in self.outputs.trees.items():
                # a live folder changed by hand is the spare now, with whatever was added
                # to it: the next build checks it file by file and clears it
                if name not in self.changed_by_hand:
                    tree.settled()
        if self.session is not None:
            self.session.name, self.session.head, self.session.body = self.name, head, self.body

    def _save_sites(self, head: Head) -> None:
        assert self.project is not None and self.outputs is not None
        # Every problem replays but the stale-facts notice, worked out again for the day.
        head.problems = tuple(p for p in self.problems if not is_stale_notice(p))
        loaded = {site_slug(s): s for s in self.project.sites}
        # A commune left as it is keeps its record; one left out (--commune) while its
        # files changed keeps it without its plan basis: its artifact keys are outdated.
        new_sites = {}
        for slug in self.kept_sites:
            if (kept := head.sites.get(slug)) is not None:
                same = kept.key == self.keys.get(slug)
                new_sites[slug] = kept if same else replace(kept, plan_basis="")
        # What a commune's artifacts told of the catalogue's files (outputs.group_of):
        # kept with the commune, so a build that leaves it as it is tells it again.
        shared: dict[str, dict[Problem, None]] = {}
        for artifact_id, record in self.outputs.records.items() if self.project.province else ():
            slug, _, _ = artifact_id.partition("|")
            told = (p for p in record.problems if p.group != slug and self.outputs.told(p))
            shared.setdefault(slug, {}).update(dict.fromkeys(told))
        for slug, site in loaded.items():
            own = tuple(p for p in head.problems if p.group == slug or not slug)
            own += tuple(shared.get(slug, {}))
            procedures, fields = len(site.procedures), len(site.fields)
            notes = [sites.site_notes(site)]
            head_of = SiteHead(self.keys.get(slug, ""), own, notes, procedures, fields)
            head_of.expires = sites.expires(site)
            head_of.plan_basis = self.bases.get(slug, "")
            head_of.summaries = self.summary_digests.get(slug, "")
            before = head.sites.get(slug)
            drawn_with = before.print_shop if before is not None else None
            head_of.print_shop = self.options.print_shop if self.options.posters else drawn_with
            new_sites[slug] = head_of
        if self.project.province is not None:
            notes = [sites.catalogue_notes(self.project, self.dates)]
            new_sites[sites.CATALOGUE] = SiteHead("", (), notes, 0, 0)
        head.sites = new_sites
        head.counts = self._counts()
        by_site: dict[str, Artifacts] = {"": {}}
        for artifact_id, record in self.outputs.records.items():
            by_site.setdefault(artifact_id.split("|", 1)[0], {})[artifact_id] = record
        for slug, artifacts in by_site.items():
            write_artifacts(self.cache, self.name, slug, artifacts)
        forget_artifacts(self.cache, self.name, set(new_sites) | {""})

    def _counts(self) -> dict[str, int]:
        out, qr = self.head.live.get("out", {}), self.head.live.get("qr", {})
        site_heads = [s for k, s in self.head.sites.items() if k != sites.CATALOGUE]
        return {
            "pages": len(page_paths(out)),
            "qr": sum(
                1 for p in qr if p.endswith((".svg", ".png")) and "/xem-truoc/" not in f"/{p}"
            ),
            "posters": sum(1 for p in qr if p.endswith(".pdf")),
            "procedures": sum(s.procedures for s in site_heads),
            "fields": sum(s.fields for s in site_heads),
            "sites": len(site_heads),
        }

    def result(self) -> BuildResult:
        return self._result(unchanged=False)

    def _result(self, unchanged: bool) -> BuildResult:
        counts, outputs = self.head.counts, self.outputs
        made = outputs.made if outputs else 0
        reused = len(outputs.records) - made if outputs else 0
        rebuilt = tuple(sorted(outputs.rebuilt)) if outputs else ()
        return BuildResult(
            None if unchanged else self.project, self.problems, counts.get("pages", 0),
            counts.get("qr", 0), counts.get("posters", 0), made, reused, unchanged,
            time.perf_counter() - self.start, rebuilt, counts.get("procedures", 0),
            counts.get("fields", 0), counts.get("sites", 0),
        )  # fmt: skip

    def _folders(self) -> tuple[Path, Path]:
        return self.options.out_dir, self.options.qr_dir


def _site_of(rel: str) -> str:
    """The commune a source file belongs to ("" for a single site's files and a
    province's shared ones), as sites.input_keys divides them."""
    parts = rel.split("/")
    return parts[1] if parts[0] == COMMUNES_DIR and len(parts) > 2 else ""


def _count_by_site(manifest: Manifest) -> dict[str, int]:
    """How many files each site has in a tree ("" for the files of a single site or
    the top of a province's tree)."""
    counts: dict[str, int] = {}
    for path in manifest:
        head, slash, _ = path.partition("/")
        site = head if slash else ""
        counts[site] = counts.get(site, 0) + 1
    return counts


def carried_over(
    record: ArtifactRecord, outdated: bool, folder_names: dict[str, str], site: str
) -> tuple[ArtifactRecord, tuple[Problem, ...]]:
    """Print material a --no-posters build leaves as it is, and what to tell of it
    now. Its own warnings are kept in its record, not told (its posters were not
    drawn now), so the next build that draws posters and finds it unchanged tells
    them again. Once what it prints may have changed it is marked outdated, with a
    warning on each of its files until posters are drawn again: a code or poster
    made before the change may open an old address or print an old fee. The
    warnings are its site's (group), so a commune a later build leaves as it is
    tells them again."""
    told = tuple(
        Problem(
            f"{folder_names[tree]}/{path}",
            None,
            "tệp in này làm từ nội dung trước lần sửa gần nhất (dựng với --no-posters): "
            "mã QR có thể mở địa chỉ cũ, áp phích có thể in thông tin cũ.",
            "Dựng lại không có --no-posters (python build.py build) trước khi in hay gửi tệp.",
            Severity.WARNING,
            group=site,
        )
        for tree, path in record.files
        if outdated
    )
    return replace(record, outdated=outdated), told


def province_index(project: Project, keys: Keys) -> Artifact:
    from thutuc.engine.artifacts import Artifact

    names = tuple(project.names.items())
    inputs = (project.root, keys.site_templates, project.province, names)
    artifact_id = "|province-index|index.html"
    return Artifact(artifact_id, "province-index", "", inputs, keys.key("province-index", inputs))


def _item_affinity(item: Any) -> str:
    """A recipe goes to the worker that will render its pages (same key)."""
    return item.key if isinstance(item, Recipe) else repr(item[1:])


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise BuildInterrupted()


@contextmanager
def sigterm_stops() -> Iterator[None]:
    """SIGTERM (a CI timeout, `kill`) stops like Ctrl+C, as BuildInterrupted, so
    what is half done is taken back: by default it ends the process at once. Only
    the main thread can set a handler (serve builds in another: its own stops it)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


__all__ = ["BuildOptions", "BuildResult", "Problem", "Session", "build", "check"]
