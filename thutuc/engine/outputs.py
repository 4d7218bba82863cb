"""Making the output: the spare folders brought up to date, then swapped in.

`Outputs` holds the two output trees of a build (output/ and qr/, engine/staging.py)
and what goes into them: files kept as the last build made them (hard-linked
from the live folder when the spare lacks them), artifacts built now (by the pool
or in this process), and the outputs made from other outputs (each site's
service worker and contact sheet).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thutuc.content.files import PROCEDURES_DIR, TEMPLATES_DIR, SourceChanged, content_digest
from thutuc.content.model import Site, site_slug
from thutuc.engine import staging
from thutuc.engine.pool import Pool, WorkerFailed
from thutuc.engine.state import ArtifactRecord, Artifacts, Manifest
from thutuc.problems import BuildFailed, Problem, Problems
from thutuc.processing import NOTE

if TYPE_CHECKING:
    from thutuc.engine.artifacts import Artifact

TREES = ("out", "qr")
POOL_THRESHOLD = 48  # below this many files to read the main process reads them itself
# Starting the workers costs about this much before their first result (two fresh
# interpreters importing the renderer: 0.29-0.38 s against 0.21-0.23 s in this process
# for the 100 pages of a catalogue edit, docs/province.md § 6); less work stays here.
POOL_START_MS = 300.0
# What one task costs, by kind, in ms: a page ~1.1, an SVG code ~0.4 (a cold build in one
# process, profiled), a poster ~70 (bench/bench_posters.py); a kind not named, as a page.
TASK_MS = {"poster": 70.0, "qr-png": 5.0, "glyphs": 5.0, "qr-svg": 0.4}


def prefix_of(slug: str) -> str:
    """The folder of a site in each output tree: "" alone, "<commune>/" in a province."""
    return f"{slug}/" if slug else ""


def group_of(problem: Problem, slug: str) -> str:
    """Whose problem an artifact of site `slug` found: its commune's, or, for a file
    the province shares with all its communes (its catalogue, its templates), the
    catalogue's, told once for all communes (as loading does, content/project.py)."""
    if slug and problem.file.startswith((PROCEDURES_DIR + "/", TEMPLATES_DIR + "/")):
        # here: content/province brings the YAML and Markdown readers, which a build
        # that finds nothing changed never needs (~40 ms of its imports)
        from thutuc.content.province import CATALOGUE_GROUP

        return CATALOGUE_GROUP
    return slug


def by_site(paths: Iterable[str], slugs: Iterable[str]) -> dict[str, list[str]]:
    """The paths under each site's folder, site-relative, in one pass: a province
    has 100 communes and 27,000 files, and scanning them all once per commune
    (for the service workers, then for the published addresses) took 0.7 s of a
    catalogue edit's build under pyinstrument."""
    slugs = list(slugs)
    if slugs == [""]:  # a single site: the whole tree
        return {"": list(paths)}
    found: dict[str, list[str]] = {slug: [] for slug in slugs}
    for path in paths:
        folder, slash, rest = path.partition("/")
        if slash and folder in found:
            found[folder].append(rest)
    return found


class Outputs:
    def __init__(
        self, trees: dict[str, staging.Tree], problems: Problems, qr_name: str = "qr"
    ) -> None:
        self.trees, self.problems = trees, problems
        self.qr_name = qr_name  # the posters' folder, as the problems name it
        self.records: Artifacts = {}  # every artifact of this build, kept or made
        self.made = 0
        self.rebuilt: set[str] = set()  # sites that had an artifact rebuilt
        self._told: set[Problem] = set()  # a card and a leaflet may say the same thing

    def prepare(self) -> None:
        for tree in self.trees.values():
            tree.prepare()

    def keep(
        self, artifact_id: str, record: ArtifactRecord, told: tuple[Problem, ...] | None = None
    ) -> bool:
        """Keep an unchanged artifact's files; False when one is gone (rebuild it).
        `told`: what to tell now, when not the record's own problems (print
        material a --no-posters build carries over keeps them for later)."""
        for tree, path in record.files:
            live = self.trees[tree].live_files.get(path)
            if live is None or not self.trees[tree].keep(path, live.digest):
                return False
        self.records[artifact_id] = record
        self._tell(record.problems if told is None else told)
        return True

    def told(self, problem: Problem) -> bool:
        """Whether this build told `problem` of one of its artifacts."""
        return problem in self._told

    def _tell(self, problems: tuple[Problem, ...]) -> None:
        for problem in problems:
            if problem not in self._told:
                self._told.add(problem)
                self.problems.add(problem)

    def keep_sites(self, slugs: set[str]) -> None:
        """Everything the communes not built this time have in the output, as it is."""
        if not slugs:
            return
        for tree in self.trees.values():
            for path, entry in tree.live_files.items():
                if path.partition("/")[0] in slugs:
                    tree.keep(path, entry.digest)

    def build(self, artifacts: list[Artifact], pool: Callable[[], Pool], workers: int) -> None:
        """Build `artifacts` into the spare folders, in the pool when there are many."""
        from thutuc.engine import builders

        roots = {name: tree.spare for name, tree in self.trees.items()}
        jobs = [
            builders.Job(a.id, a.kind, a.inputs, prefix_of(a.site), roots, a.affinity, self.qr_name)
            for a in artifacts
        ]
        with worker_errors(self.problems, "dựng"):
            if workers > 1 and worth_a_pool(artifacts):
                results = pool().map(builders.run_job, jobs, builders.job_affinity)
            else:
                results = [builders.run_job(job) for job in jobs]
        declared = {a.id: a for a in artifacts}
        for result in results:
            self._record(result, declared[result.artifact_id])

    def _record(self, result: Any, artifact: Artifact) -> None:
        self.made += 1
        slug = result.artifact_id.split("|", 1)[0]
        self.rebuilt.add(slug)
        for tree, path, entry in result.files:
            self.trees[tree].written[path] = entry
        problems = tuple(replace(p, group=group_of(p, slug)) for p in result.problems)
        self._tell(problems)
        files = tuple((tree, path) for tree, path, _ in result.files)
        self.records[result.artifact_id] = ArtifactRecord(
            artifact.key, files, problems, result.meta, shows=artifact.shows
        )

    def made_from_outputs(self, sites: Iterable[Site], posters: bool, ecc: str) -> None:
        """For each site, the service worker, versioned by every other file of the
        site, and the contact sheet of its codes and posters (their kinds are
        artifacts.MADE_FROM_OUTPUTS)."""
        from thutuc.site.render import service_worker

        sites = list(sites)
        written = self.trees["out"].written
        files_of = by_site(list(written), [site_slug(s) for s in sites])
        for site in sites:
            slug = site_slug(site)
            prefix = prefix_of(slug)
            files = sorted(
                (rel, written[prefix + rel].digest.encode())
                for rel in files_of[slug]
                if rel not in ("sw.js", staging.MARKER)
            )
            worker = service_worker(site, files)
            self._write_if_new("out", prefix + worker.path, worker.content, f"{slug}|sw|sw.js")
            if posters:
                self._contact_sheet(site, slug, ecc)

    def _contact_sheet(self, site: Site, slug: str, ecc: str) -> None:
        from thutuc.print.posters import contact_sheet, poster_jobs

        order = [f"{slug}|poster|{job.name}" for job in poster_jobs(site, ecc)]  # names only
        rows = [self.records[i].meta for i in order if i in self.records and self.records[i].meta]
        sheet = contact_sheet(site, self.trees["qr"].spare / prefix_of(slug), rows)
        self._write_if_new("qr", prefix_of(slug) + "index.html", sheet, f"{slug}|contact-sheet|")

    def _write_if_new(self, tree_name: str, path: str, data: bytes, artifact_id: str) -> None:
        tree = self.trees[tree_name]
        digest = content_digest(data)
        if not tree.keep(path, digest):
            tree.write(path, data)
            self.made += 1
        self.records[artifact_id] = ArtifactRecord(digest, ((tree_name, path),))

    def finish(self) -> None:
        for tree in self.trees.values():
            tree.finish()

    def changed(self) -> bool:
        """Whether the spare folders differ from the live ones (else no swap)."""
        return any(
            {p: e.digest for p, e in tree.written.items()}
            != {p: e.digest for p, e in tree.live_files.items()}
            or not tree.live.is_dir()
            for tree in self.trees.values()
        )

    def manifests(self) -> dict[str, Manifest]:
        return {name: dict(tree.written) for name, tree in self.trees.items()}


@contextmanager
def worker_errors(problems: Problems, doing: str) -> Iterator[None]:
    """A task that raised in a worker: one problem naming the file it was on (the
    worker's `processing` note travels in its traceback), and the build stops. A
    file saved again while the build read it (here or in a worker) is no fault
    of the tool: the editor is asked to build again."""
    try:
        yield
    except SourceChanged as changed:
        _changed_while_building(problems, str(changed))
        raise BuildFailed(problems) from changed
    except WorkerFailed as failed:
        if failed.kind == "SourceChanged":
            _changed_while_building(problems, failed.message)
            raise BuildFailed(problems) from failed
        file = next(
            (line.strip().removeprefix(NOTE) for line in failed.trace.splitlines() if NOTE in line),
            "(bản dựng)",
        )
        problems.error(
            file,
            f"Lỗi bất ngờ khi {doing}: {failed.kind}: {failed.message}.",
            "Đây là lỗi của công cụ. Chạy lại với --debug và gửi cho người quản trị "
            "kèm dòng lệnh đã chạy.",
        )
        raise BuildFailed(problems) from failed


def _changed_while_building(problems: Problems, file: str) -> None:
    problems.error(
        file,
        "Tệp này vừa thay đổi trong lúc đang dựng trang.",
        "Lưu xong mọi tệp đang sửa rồi chạy lại lệnh dựng.",
    )


def worth_a_pool(artifacts: list[Artifact]) -> bool:
    """Whether the workers would finish `artifacts` sooner than this process alone."""
    return sum(TASK_MS.get(a.kind, 1.0) for a in artifacts) >= POOL_START_MS


def workers(jobs: int | None) -> int:
    return jobs or os.cpu_count() or 1


def spare_folders(cache: Path, folders: tuple[Path, Path], state: str) -> dict[str, Path]:
    return {
        tree: staging.spare_folder(cache, folder, tree, state)
        for tree, folder in zip(TREES, folders, strict=True)
    }
