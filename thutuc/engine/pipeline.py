"""The build, as the list of its steps: read → check → plan → make → swap → record.

One engine for one commune and for a province (a list of sites, content/project.py);
`check()` is read and check with nothing written (Zola's `check`). Each step is
timed and reported through `on_step`, so the CLI can show progress and tests
stay quiet. What each step does:

- read: stat every input file (content digests only for files that changed),
  and the git commit. When nothing changed since the last build and the output
  is as that build left it, the build ends here: its problems are shown again.
- check: load and validate every site, re-reading only changed files; the rules
  across files (published addresses, replacements, aliases, stale facts).
- plan: declare every artifact with its key (engine/artifacts.py); those whose
  key and files are unchanged are clean.
- make: bring the spare output folders up to date: clean files hard-linked,
  dirty artifacts built by one pool of workers (engine/pool.py).
- swap: the spare folders become the output, all or nothing (engine/staging.py).
- record: new published addresses, and the build state for next time.
"""

from __future__ import annotations

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
from typing import TYPE_CHECKING, Any

from thutuc.content.files import (
    COMMUNES_DIR,
    SourceFiles,
    Stamp,
    content_digest,
    is_province,
    province_communes,
)
from thutuc.content.freshness import check_freshness, own_checked, report_stale
from thutuc.content.git_dates import head_commit, last_commit_dates
from thutuc.content.model import Recipe, Site, SiteConfig, site_slug
from thutuc.content.permanence import (
    PUBLISHED_FILE,
    check_aliases,
    check_published,
    check_replacements,
    content_paths,
    page_paths,
    record_published,
)
from thutuc.engine import staging
from thutuc.engine.fingerprint import code_digests
from thutuc.engine.pool import Pool, WorkerFailed
from thutuc.engine.state import (
    ArtifactRecord,
    Body,
    Head,
    Manifest,
    SiteNotes,
    forget_state,
    read_body,
    read_head,
    state_dir,
    state_name,
    write_state,
)
from thutuc.engine.write import UnsafeOutput, check_output_folder
from thutuc.problems import BuildFailed, Problem, Problems, Severity

if TYPE_CHECKING:
    from thutuc.content.project import Project, Runner
    from thutuc.engine.artifacts import Artifact, Keys

# Loading, rendering and drawing import Jinja, YAML, cmark, reportlab: a build
# with nothing to do must not pay for them, so the steps that need them import
# them when they run (heavy_modules()).
POOL_THRESHOLD = 48  # below this many tasks the main process does them itself

# Called with (step, None) when a step starts and (step, seconds) when it ends.
StepReporter = Callable[[str, float | None], None]
TREES = ("out", "qr")


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

    @property
    def out_dir(self) -> Path:
        return self.out if self.out is not None else self.project / "output"

    @property
    def qr_dir(self) -> Path:
        return self.qr if self.qr is not None else self.project / "qr"


@dataclass
class BuildResult:
    project: Project | None
    problems: Problems
    pages: int = 0
    qr_files: int = 0
    poster_files: int = 0
    made: int = 0  # artifacts built this time
    reused: int = 0  # artifacts unchanged since the last build
    unchanged: bool = False  # nothing changed: the build stopped after reading
    seconds: float = 0.0
    rebuilt: tuple[str, ...] = ()  # the sites (communes) that had an artifact rebuilt

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


class BuildInterrupted(BaseException):
    """SIGTERM: stop like Ctrl+C, so every worker is ended and the output kept."""


class Session:
    """What `serve` keeps between builds: the worker pool and the build state in memory."""

    def __init__(self, jobs: int | None = None) -> None:
        self.pool = Pool(jobs or os.cpu_count() or 1)
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
    with Build(options, on_step, session) as run:
        run.step("đọc tệp", run.read)
        if run.nothing_changed():
            return run.replay()
        run.step("kiểm tra", run.check)
        run.step("lập danh sách đầu ra", run.plan)
        run.step("dựng", run.make)
        run.step("thay thư mục đầu ra", run.swap)
        run.step("ghi lại", run.record)
        return run.result()


def check(options: BuildOptions, on_step: StepReporter = _quiet) -> tuple[Project | None, Problems]:
    """Load and validate every site; write nothing. Errors (and, under strict,
    warnings) are in the problems."""
    problems = Problems()
    head = read_head(state_dir(options.project), state_name(options.out_dir, options.qr_dir))
    with _timed("đọc tệp", on_step):
        files = SourceFiles(options.project, head.stamps, head.recorded_ns)
        dates = commit_dates(options.project, head)
    with _timed("kiểm tra", on_step):
        body = read_body(state_dir(options.project), state_name(options.out_dir, options.qr_dir))
        project = load_sites(options, files, body, problems, dates)
    return project, problems


def forget_build(options: BuildOptions) -> None:
    """Remove the build state and spare folders of these output folders (a
    preview's, when it ends)."""
    cache, name = state_dir(options.project), state_name(options.out_dir, options.qr_dir)
    forget_state(cache, name)
    for tree, folder in zip(TREES, (options.out_dir, options.qr_dir), strict=True):
        spare = staging.spare_folder(cache, folder, tree, name)
        shutil.rmtree(spare, ignore_errors=True)
    (cache / f"lock-{name}").unlink(missing_ok=True)


def commit_dates(root: Path, head: Head) -> dict[str, date]:
    """Last commit date of every content file; read again only when HEAD moved."""
    commit = head_commit(root)
    if commit and commit == head.git_head:
        return head.git_dates
    folders = ("procedures", COMMUNES_DIR) if is_province(root) else ("procedures",)
    return last_commit_dates(root, folders)


def chosen_communes(options: BuildOptions, files: SourceFiles) -> tuple[str, ...]:
    if options.shard is None:
        return options.communes
    number, count = options.shard
    return tuple(province_communes(files)[number - 1 :: count])


def load_sites(
    options: BuildOptions,
    files: SourceFiles,
    body: Body,
    problems: Problems,
    dates: dict[str, date],
    runner: Runner | None = None,
) -> Project | None:
    """Every site, validated, then checked across its files (one commune's
    problems in its group)."""
    from thutuc.content.project import load_project, run_here

    project = load_project(
        options.project, files, body.records, problems, options.base_url,
        chosen_communes(options, files), runner or run_here,
    )  # fmt: skip
    if project is None:
        return None
    sites = []
    for site in project.sites:
        own = Problems()
        sites.append(check_permanence(site, own, dates))
        problems.extend(own, group=site_slug(site))
    if project.province is not None:
        stale_catalogue(project, dates, problems)
    return replace(project, sites=tuple(sites))


def check_permanence(site: Site, problems: Problems, dates: dict[str, date]) -> Site:
    """Retirement and alias rules, published addresses, stale facts; the site with
    its procedures' last commit dates."""
    from thutuc.content.translations import check_translations  # languages: hook

    shown = [*site.procedures, *site.translations.values()]
    own_dates = {p.source: dates[p.source] for p in shown if p.source in dates}
    site = replace(site, commit_dates=own_dates)
    check_replacements(site, problems)
    check_aliases(site, problems)
    check_published(site, content_paths(site), problems)
    check_freshness(site, problems, date.today())
    check_translations(site, problems)
    return site


def catalogue_checked(project: Project, dates: dict[str, date]) -> SiteNotes:
    from thutuc.content.freshness import checked_procedures
    from thutuc.content.province import CATALOGUE_GROUP

    active = [p for p in project.catalogue if not p.is_retired]
    checked = checked_procedures(active, dates)
    return SiteNotes(checked, SiteConfig.stale_after_months, "procedures", CATALOGUE_GROUP)


def stale_catalogue(project: Project, dates: dict[str, date], problems: Problems) -> None:
    """The catalogue's stale procedures, once for the province, at the default age."""
    note = catalogue_checked(project, dates)
    report_stale(note.checked, note.months, date.today(), problems, note.file, note.group)


def _folder_problems(options: BuildOptions) -> Problems:
    problems = Problems()
    for folder, option in ((options.out_dir, "--out"), (options.qr_dir, "--qr")):
        try:
            check_output_folder(folder, options.project, option)
            if folder.resolve().is_relative_to((options.project / COMMUNES_DIR).resolve()):
                raise UnsafeOutput(f"{option} {folder} nằm trong communes/. Chọn thư mục khác.")
        except UnsafeOutput as exc:
            problems.error(option, str(exc))
    return problems


class Build:
    """One build's steps and what they hand each other."""

    def __init__(
        self, options: BuildOptions, on_step: StepReporter, session: Session | None
    ) -> None:
        self.options, self.on_step, self.session = options, on_step, session
        self.start = time.perf_counter()
        self.problems = Problems()
        self.cache = state_dir(options.project)
        self.name = state_name(options.out_dir, options.qr_dir)
        self.head = Head()
        self.body: Body | None = None
        self.files: SourceFiles | None = None
        self.dates: dict[str, date] = {}
        self.key = ""
        self.project: Project | None = None
        self.clean: list[tuple[Artifact, ArtifactRecord]] = []
        self.dirty: list[Artifact] = []
        self.kept: dict[str, ArtifactRecord] = {}
        self.records: dict[str, ArtifactRecord] = {}
        self.metas: dict[str, Any] = {}
        self.trees: dict[str, staging.Tree] = {}
        self.live: dict[str, Manifest] = {}
        self.extra = False  # the live folders hold files the last build did not make
        self._lock: Any = None
        self._pool: Pool | None = None
        self._old_term: Any = None
        self.made = 0
        self.rebuilt: set[str] = set()

    # Opening and closing: lock, recovery, signals, workers

    def __enter__(self) -> Build:
        folders = _folder_problems(self.options)
        if folders.errors:
            raise BuildFailed(folders)
        self.cache.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.cache / f"lock-{self.name}", "w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            busy = Problems()
            busy.error(
                str(self.options.out_dir),
                "Một lần dựng khác đang ghi vào thư mục đầu ra này.",
                "Đợi lần dựng đó xong (hoặc dừng nó bằng Ctrl+C), rồi chạy lại.",
            )
            raise BuildFailed(busy) from None
        if staging.recover(self.cache, self.name):  # a killed build's half swap, finished
            forget_state(self.cache, self.name)
            if self.session:
                self.session.head = self.session.body = None
        staging.remove_leftovers([self.options.out_dir, self.options.qr_dir])
        if self.session and self.session.name == self.name and self.session.head:
            self.head = self.session.head
        else:
            self.head = read_head(self.cache, self.name)
        if threading.current_thread() is threading.main_thread():
            self._old_term = signal.signal(signal.SIGTERM, _interrupt)
        return self

    def __exit__(self, kind: object, value: object, trace: object) -> None:
        if self._pool is not None:
            if kind is None:
                self._pool.close()
            else:
                self._pool.terminate()
        if self.session is not None and kind is not None:
            self.session.pool.terminate()
        if self._old_term is not None:
            signal.signal(signal.SIGTERM, self._old_term)
        if self._lock is not None:
            self._lock.close()

    def step(self, name: str, action: Callable[[], None]) -> None:
        with _timed(name, self.on_step):
            action()

    def run_many(self, function: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        """`function` over `items`: in the pool when there are many (a cold build)."""
        if len(items) < POOL_THRESHOLD or (self.options.jobs or os.cpu_count() or 1) <= 1:
            return [function(item) for item in items]
        try:
            return self.pool().map(function, items, _item_affinity)
        except WorkerFailed as failed:
            self.problems.error(
                "(bản dựng)",
                f"Lỗi bất ngờ khi đọc tệp: {failed.message}.",
                "Chạy lại với --debug và gửi cho người quản trị kèm dòng lệnh đã chạy.",
            )
            raise BuildFailed(self.problems) from failed

    def pool(self) -> Pool:
        if self.session is not None:
            return self.session.pool
        if self._pool is None:
            self._pool = Pool(self.options.jobs or os.cpu_count() or 1)
        return self._pool

    # read

    def read(self) -> None:
        root = self.options.project
        self.files = SourceFiles(root, self.head.stamps, self.head.recorded_ns)
        stamps = self.files.all_stamps()
        self.dates = commit_dates(root, self.head)
        self.key = self.project_key(stamps)

    def project_key(self, stamps: dict[str, Stamp]) -> str:
        o = self.options
        settings = [o.base_url or "", o.ecc, o.posters, o.print_shop, o.strict, o.communes, o.shard]
        parts = [repr(settings), repr(sorted(code_digests().items())), head_commit(o.project)]
        parts += [f"{rel}\1{stamp.digest}" for rel, stamp in sorted(stamps.items())]
        return content_digest("\0".join(parts).encode())

    def nothing_changed(self) -> bool:
        head = self.head
        if not head.project_key or head.project_key != self.key:
            return False
        for tree, folder in zip(TREES, self._tree_folders(), strict=True):
            manifest = head.live.get(tree, {})
            same, extra = staging.inspect(folder, manifest)
            if not folder.is_dir() or extra or len(same) != len(manifest):
                return False
        return True

    def replay(self) -> BuildResult:
        """The last build's problems again, and the stale-facts notices for today."""
        for problem in self.head.problems:
            self.problems.add(problem)
        for note in self.head.notes:
            report_stale(
                note.checked, note.months, date.today(), self.problems, note.file, note.group
            )
        if self.problems.has_errors(self.options.strict):
            raise BuildFailed(self.problems)
        counts = self.head.counts
        return BuildResult(
            None, self.problems, counts.get("pages", 0), counts.get("qr", 0),
            counts.get("posters", 0), 0, counts.get("artifacts", 0), True, self._seconds(),
        )  # fmt: skip

    # check

    def check(self) -> None:
        assert self.files is not None
        if self.body is None:
            use_session = self.session and self.session.name == self.name and self.session.body
            self.body = self.session.body if use_session else read_body(self.cache, self.name)  # type: ignore[union-attr]
        assert self.body is not None
        self.project = load_sites(
            self.options, self.files, self.body, self.problems, self.dates, self.run_many
        )
        if self.project is None or self.problems.has_errors(self.options.strict):
            self.save(success=False)
            raise BuildFailed(self.problems)

    # plan

    def plan(self) -> None:
        from thutuc.engine.artifacts import Keys, declare, markers, templates_digest

        assert self.project is not None and self.files is not None and self.body is not None
        keys = Keys(templates_digest(self.files))
        declared = [
            artifact
            for site in self.project.sites
            for artifact in declare(site, self.files, keys, self.options.ecc, self.options.posters)
        ]
        declared += markers(keys)
        if self.project.province is not None:
            declared.append(province_index(self.project, keys))
        self.live, self.extra = {}, False
        for tree, folder in zip(TREES, self._tree_folders(), strict=True):
            self.live[tree], extra = staging.inspect(folder, self.head.live.get(tree, {}))
            self.extra = self.extra or extra
        previous = self.body.artifacts
        for artifact in declared:
            record = previous.get(artifact.id)
            if record and record.key == artifact.key and self._in_live(record):
                self.clean.append((artifact, record))
            else:
                self.dirty.append(artifact)
        self.kept = self._kept(previous, {a.id for a in declared})

    def _in_live(self, record: ArtifactRecord) -> bool:
        return all(path in self.live[tree] for tree, path in record.files)

    def _kept(
        self, previous: dict[str, ArtifactRecord], declared: set[str]
    ) -> dict[str, ArtifactRecord]:
        """Artifacts this build does not make but leaves as they are: the posters of
        a --no-posters build, the communes a --commune or --shard build leaves out."""
        from thutuc.engine.artifacts import PRINT_KINDS

        assert self.project is not None
        built = {site_slug(s) for s in self.project.sites}
        kept = {}
        for artifact_id, record in previous.items():
            slug, kind, _ = artifact_id.split("|", 2)
            other_commune = slug not in built and slug in self.project.communes
            print_only = not self.options.posters and kind in (*PRINT_KINDS, "contact-sheet")
            if (
                artifact_id not in declared
                and (other_commune or print_only)
                and self._in_live(record)
            ):
                kept[artifact_id] = record
        return kept

    # make

    def make(self) -> None:
        self.trees = {
            tree: staging.Tree(
                tree,
                folder,
                self._spare(tree, folder),
                self.live[tree],
                self.head.spare.get(tree, {}),
            )
            for tree, folder in zip(TREES, self._tree_folders(), strict=True)
        }
        for tree in self.trees.values():
            tree.prepare()
        for artifact, record in self.clean:
            if self._keep(record):
                self.records[artifact.id] = record
                self._replay(artifact, record)
            else:
                self.dirty.append(artifact)
        for artifact_id, record in self.kept.items():
            if self._keep(record):
                self.records[artifact_id] = record
        self._build(self.dirty)
        if self.problems.errors:
            raise BuildFailed(self.problems)
        assert self.project is not None
        for site in self.project.sites:
            self._main_built(site)
        for tree in self.trees.values():
            tree.finish()

    def _keep(self, record: ArtifactRecord) -> bool:
        return all(
            self.trees[tree].keep(path, self.live[tree][path].digest) for tree, path in record.files
        )

    def _replay(self, artifact: Artifact, record: ArtifactRecord) -> None:
        for problem in record.problems:
            self.problems.add(problem)
        self.metas[artifact.id] = record.meta

    def _build(self, artifacts: list[Artifact]) -> None:
        from thutuc.engine import builders

        roots = {name: tree.spare for name, tree in self.trees.items()}
        jobs = [
            builders.Job(a.id, a.kind, a.inputs, f"{a.site}/" if a.site else "", roots, a.affinity)
            for a in artifacts
        ]
        try:
            if len(jobs) >= POOL_THRESHOLD and (self.options.jobs or os.cpu_count() or 1) > 1:
                results = self.pool().map(builders.run_job, jobs, builders.job_affinity)
            else:
                results = [builders.run_job(job) for job in jobs]
        except WorkerFailed as failed:
            self.problems.error(
                "(bản dựng)",
                f"Lỗi bất ngờ khi dựng: {failed.message}.",
                "Chạy lại với --debug và gửi cho người quản trị kèm dòng lệnh đã chạy.",
            )
            raise BuildFailed(self.problems) from failed
        keys = {a.id: a.key for a in artifacts}
        for result in results:
            self.made += 1
            self.rebuilt.add(result.artifact_id.split("|", 1)[0])
            for tree, path, entry in result.files:
                self.trees[tree].written[path] = entry
            slug = result.artifact_id.split("|", 1)[0]
            problems = tuple(replace(p, group=slug) if slug else p for p in result.problems)
            for problem in problems:
                self.problems.add(problem)
            files = tuple((tree, path) for tree, path, _ in result.files)
            key = keys[result.artifact_id]
            self.records[result.artifact_id] = ArtifactRecord(key, files, problems, result.meta)
            self.metas[result.artifact_id] = result.meta

    def _main_built(self, site: Site) -> None:
        """Outputs made from other outputs: the service worker (versioned by every
        file of the site) and the contact sheet of the codes and posters."""
        slug = site_slug(site)
        prefix = f"{slug}/" if slug else ""
        out = self.trees["out"]
        mine = sorted(
            (path[len(prefix) :], entry.digest.encode())
            for path, entry in out.written.items()
            if path.startswith(prefix)
            and path != prefix + "sw.js"
            and path != prefix + staging.MARKER
        )
        from thutuc.site.render import service_worker

        worker = service_worker(site, mine)
        self._write_if_new("out", prefix + worker.path, worker.content, f"{slug}|sw|sw.js")
        if self.options.posters:
            self._contact_sheet(site, slug, prefix)

    def _contact_sheet(self, site: Site, slug: str, prefix: str) -> None:
        from thutuc.print.posters import contact_sheet

        rows = [
            meta
            for artifact_id, meta in sorted(self.metas.items())
            if meta and artifact_id.startswith(f"{slug}|poster|")
        ]
        order = {f"{slug}|poster|{j}": n for n, j in enumerate(self._poster_order(site))}
        rows.sort(key=lambda row: order.get(f"{slug}|poster|{row['name']}", 0))
        sheet = contact_sheet(site, self.trees["qr"].spare / prefix, rows)
        self._write_if_new("qr", prefix + "index.html", sheet, f"{slug}|contact-sheet|index.html")

    def _poster_order(self, site: Site) -> list[str]:
        from thutuc.print.posters import poster_jobs

        return [job.name for job in poster_jobs(site, self.options.ecc)]

    def _write_if_new(self, tree_name: str, path: str, data: bytes, artifact_id: str) -> None:
        tree = self.trees[tree_name]
        live = self.live[tree_name].get(path)
        digest = content_digest(data)
        if not (live is not None and live.digest == digest and tree.keep(path, digest)):
            tree.write(path, data)
            self.made += 1
        self.records[artifact_id] = ArtifactRecord(digest, ((tree_name, path),))

    # swap and record

    def swap(self) -> None:
        changed = any(
            {p: e.digest for p, e in tree.written.items()}
            != {p: e.digest for p, e in self.live[n].items()}
            for n, tree in self.trees.items()
        )
        if changed or self.extra or any(not tree.live.is_dir() for tree in self.trees.values()):
            staging.swap(self.trees.values(), self.cache, self.name)
            self.head.spare = dict(self.live)
            self.head.live = {name: dict(tree.written) for name, tree in self.trees.items()}
        else:  # nothing to swap: the spare holds what the live folder holds
            self.head.spare = {name: dict(tree.written) for name, tree in self.trees.items()}
            self.head.live = dict(self.live)

    def record(self) -> None:
        assert self.project is not None and self.files is not None
        if self.options.record_published:
            for site in self.project.sites:
                slug = site_slug(site)
                prefix = f"{slug}/" if slug else ""
                files = [p[len(prefix) :] for p in self.head.live["out"] if p.startswith(prefix)]
                folder = self.options.project / site.home
                if record_published(folder, page_paths(files)):
                    rel = f"{site.home}/{PUBLISHED_FILE}" if site.home else PUBLISHED_FILE
                    self._restamp(rel)
        self.save(success=True)

    def _restamp(self, rel: str) -> None:
        """A file this build wrote (published-urls.txt) is as the next build will find it."""
        assert self.files is not None
        path = self.options.project / rel
        info = path.stat()
        self.files.stamps[rel] = Stamp(
            info.st_size, info.st_mtime_ns, content_digest(path.read_bytes())
        )

    def save(self, success: bool) -> None:
        assert self.files is not None and self.body is not None
        head = self.head
        head.stamps = dict(self.files.stamps)
        head.recorded_ns = time.time_ns()
        head.git_head, head.git_dates = head_commit(self.options.project), self.dates
        head.project_key = self.project_key(head.stamps) if success else ""
        if success:
            assert self.project is not None
            head.problems = tuple(p for p in self.problems if p.severity is not Severity.NOTICE)
            head.notes = [
                SiteNotes(
                    own_checked(s),
                    s.config.stale_after_months,
                    s.own_file("procedures"),
                    site_slug(s),
                )
                for s in self.project.sites
            ]
            if self.project.province is not None:
                head.notes.append(catalogue_checked(self.project, self.dates))
            head.counts = self._counts()
            self.body.artifacts = dict(self.records)
        self.body.records = self.body.records.kept() if success else self.body.records
        write_state(self.cache, self.name, head, self.body)
        if self.session is not None:
            self.session.name, self.session.head, self.session.body = self.name, head, self.body

    def _counts(self) -> dict[str, int]:
        out, qr = self.head.live.get("out", {}), self.head.live.get("qr", {})
        return {
            "pages": len(page_paths(out)),
            "qr": sum(
                1 for p in qr if p.endswith((".svg", ".png")) and "/xem-truoc/" not in f"/{p}"
            ),
            "posters": sum(1 for p in qr if p.endswith(".pdf")),
            "artifacts": len(self.records),
        }

    def result(self) -> BuildResult:
        counts = self.head.counts
        reused = len(self.records) - self.made
        return BuildResult(
            self.project, self.problems, counts["pages"], counts["qr"], counts["posters"],
            self.made, reused, False, self._seconds(), tuple(sorted(self.rebuilt)),
        )  # fmt: skip

    def _seconds(self) -> float:
        return time.perf_counter() - self.start

    def _tree_folders(self) -> tuple[Path, Path]:
        return self.options.out_dir, self.options.qr_dir

    def _spare(self, tree: str, folder: Path) -> Path:
        return staging.spare_folder(self.cache, folder, tree, self.name)


def province_index(project: Project, keys: Keys) -> Artifact:
    from thutuc.engine.artifacts import Artifact

    names = tuple(project.names.items())
    inputs = (project.root, keys.site_templates, project.province, names)
    return Artifact(
        "|province-index|index.html",
        "province-index",
        "",
        inputs,
        keys.key("province-index", inputs),
    )


def _item_affinity(item: Any) -> str:
    """A recipe goes to the worker that will render its pages (same key)."""
    return item.key if isinstance(item, Recipe) else repr(item[1:])


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise BuildInterrupted()


__all__ = ["BuildOptions", "BuildResult", "Problem", "Session", "build", "check"]
