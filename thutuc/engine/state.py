"""The build state: what the last build read, made and wrote, kept between builds.

Lektor keeps its build state in a database beside the project; ours is two
pickles in `.thutuc-cache/`, one pair per output folder pair (a preview's
state is not the real build's):

- the head, small, read by every build: the stamps of the input files, the
  key of the whole project, the problems to show again, the dates for the
  stale-facts notice, and the manifest of each output tree (what is in output/
  and qr/ and in their spare copies, see staging.py). When the project key is
  unchanged and the output is as the manifest says, the build stops there.
- the body, read only when something changed: the records of every validated
  procedure (content/records.py). An edit changes a few of its thousands of
  records, so a build writes only what changed since the body file was written,
  in a small file of changes beside it (`.changes`), and writes the body whole
  again once those are more than an eighth of it;
- one artifacts file per site, read only when that site changed: the record of
  each of its artifacts (its key, the files it made, its problems). A commune
  whose files did not change is not even declared: its output is kept as it is.

A state that cannot be read (another version, a damaged file) costs a cold
build, never a wrong one: every reader falls back to an empty state.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from thutuc import atomic
from thutuc.content.files import Stamp
from thutuc.content.freshness import Checked
from thutuc.content.records import RecordCache
from thutuc.problems import Problem

STATE_FORMAT = 4
CACHE_DIR = ".thutuc-cache"


class OutputFile(NamedTuple):
    """One file of an output tree, as the build left it (a named tuple, like Stamp)."""

    size: int
    mtime_ns: int
    digest: str


Manifest = dict[str, OutputFile]  # tree-relative path → file


@dataclass(frozen=True)
class ArtifactRecord:
    """One artifact as last built: its input key, its files (tree, path), its problems."""

    key: str
    files: tuple[tuple[str, str], ...]
    problems: tuple[Problem, ...] = ()
    meta: Any = None  # what later steps need of it (a poster's row on the contact sheet)
    # print material kept by a --no-posters build after its site changed (pipeline.carried_over)
    outdated: bool = False
    shows: tuple[str, ...] = ()  # print material: the files it prints in full (Artifact.shows)


@dataclass
class SiteNotes:
    """What a site's stale-facts notice needs, so a build that reads nothing can give it."""

    checked: list[Checked]
    months: int
    file: str
    group: str


@dataclass
class SiteHead:
    """One site as the last build left it: the key of every file it is made from,
    its problems and stale-facts notes (shown again when it is not rebuilt), and
    how many procedures and fields it has (for the summary)."""

    key: str
    problems: tuple[Problem, ...]
    notes: list[SiteNotes]
    procedures: int
    fields: int
    expires: date | None = None  # a date still to come that changes it (a retirement)
    # What its artifacts' keys were worked out from besides its procedures' files
    # (pipeline.plan_basis); "" when the next build must work them all out again.
    plan_basis: str = ""
    summaries: str = ""  # a digest of its summaries: whether an edit changed any
    # --print-shop of the last build that drew its print material (None: none did)
    print_shop: bool | None = None


@dataclass
class Head:
    project_key: str = ""
    sites: dict[str, SiteHead] = field(default_factory=dict)  # by site folder ("" alone)
    recorded_ns: int = 0
    stamps: dict[str, Stamp] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    notes: list[SiteNotes] = field(default_factory=list)
    live: dict[str, Manifest] = field(default_factory=dict)  # tree name → manifest
    spare: dict[str, Manifest] = field(default_factory=dict)
    # When the last build that finished began: the live folders have held just their
    # manifests since then, but for what was changed after (staging.inspect).
    settled_ns: int = 0
    git_head: str = ""
    git_dates: dict[str, date] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # for the summary line
    format: int = STATE_FORMAT

    # Pickled with its stamps and manifests as plain tuples: a named tuple is
    # pickled through a Python call each, and the head of a 4,000-procedure site
    # holds 20,000 of them (dump 45 -> 21 ms, load 30 -> 19 ms). A spare holds
    # what its live folder held a build ago: kept as its differences from it.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(vars(self))
        state["stamps"] = _plain(self.stamps)
        state["live"] = {tree: _plain(files) for tree, files in self.live.items()}
        state["spare"] = {
            tree: _differences(files, self.live.get(tree, {})) for tree, files in self.spare.items()
        }
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state["stamps"] = _named(Stamp, state["stamps"])
        live = state["live"] = {tree: _named(OutputFile, f) for tree, f in state["live"].items()}
        state["spare"] = {
            tree: _applied(differences, live.get(tree, {}))
            for tree, differences in state["spare"].items()
        }
        vars(self).update(state)


def _plain(named: Mapping[str, tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    return {key: tuple(value) for key, value in named.items()}


def _named(kind: Any, plain: Mapping[str, tuple[Any, ...]]) -> dict[str, Any]:
    return {key: kind._make(value) for key, value in plain.items()}


def _differences(files: Manifest, base: Manifest) -> tuple[dict[str, tuple[Any, ...]], list[str]]:
    """`files` as what it has that `base` has not (or has otherwise), and what of
    `base` it lacks."""
    other = {rel: tuple(entry) for rel, entry in files.items() if base.get(rel) != entry}
    return other, [rel for rel in base if rel not in files]


def _applied(differences: tuple[dict[str, tuple[Any, ...]], list[str]], base: Manifest) -> Manifest:
    other, lacking = differences
    files = dict(base)
    for rel in lacking:
        del files[rel]
    files.update(_named(OutputFile, other))
    return files


@dataclass
class Body:
    records: RecordCache = field(default_factory=RecordCache)
    format: int = STATE_FORMAT
    token: str = ""  # names the body file: its file of changes says which one it follows
    # The records as the body file holds them, not pickled: what a write compares with.
    on_disk: RecordCache | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        return {**vars(self), "on_disk": None}


@dataclass
class BodyChanges:
    """What changed in a body's records since its file was written: records added
    or replaced, and the keys of those dropped. A record is what validating its
    recipe (files named by digest) gave, so a file of changes that is lost or
    follows another body costs validating again, never a wrong record."""

    follows: str = ""  # the token of the body file
    procedures: dict[str, Any] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()
    codes: dict[str, str] = field(default_factory=dict)
    dropped_codes: tuple[str, ...] = ()
    format: int = STATE_FORMAT


# The body is written whole when its changes are more than 1/CHANGES_SHARE of it.
CHANGES_SHARE = 8


Artifacts = dict[str, ArtifactRecord]  # one site's, by artifact id


def state_dir(project: Path) -> Path:
    return project / CACHE_DIR


def state_name(out: Path, qr: Path) -> str:
    """One state per pair of output folders: a preview never reuses the real build's."""
    pair = f"{out.resolve()}\0{qr.resolve()}"
    return hashlib.blake2b(pair.encode(), digest_size=6).hexdigest()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection in the block. Unpickling or pickling a state makes or
    walks some 100,000 objects, none of them in a cycle, and the collector, run
    every 700 allocations, only scanned them again and again. (The build pauses
    it for all its steps; `check` and other readers get it here.)"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(path: Path) -> object:
    with path.open("rb") as handle, collector_paused():
        return pickle.load(handle)


def _read(path: Path, kind: type) -> object:
    try:
        value = _load(path)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return kind()
    except Exception:  # a state from other code: start cold rather than fail
        return kind()
    if not isinstance(value, kind) or getattr(value, "format", None) != STATE_FORMAT:
        return kind()
    return value


def read_head(folder: Path, name: str) -> Head:
    head = _read(folder / f"state-{name}.head", Head)
    assert isinstance(head, Head)
    return head


def read_body(folder: Path, name: str) -> Body:
    body = _read(folder / f"state-{name}.body", Body)
    assert isinstance(body, Body)
    records = body.records
    body.on_disk = RecordCache(dict(records.procedures), dict(records.codes))
    changes = _read(folder / f"state-{name}.changes", BodyChanges)
    if isinstance(changes, BodyChanges) and body.token and changes.follows == body.token:
        records.procedures.update(changes.procedures)
        records.codes.update(changes.codes)
        for key in changes.dropped:
            records.procedures.pop(key, None)
        for key in changes.dropped_codes:
            records.codes.pop(key, None)
    return body


def write_state(folder: Path, name: str, head: Head, body: Body | None) -> None:
    """Body first, head last: a head is only ever next to the body it describes."""
    folder.mkdir(parents=True, exist_ok=True)
    if body is not None:
        _write_body(folder, name, body)
    _write(folder / f"state-{name}.head", head)


def _write_body(folder: Path, name: str, body: Body) -> None:
    """The changes since the body file was written, or the body whole when they
    are many (or there is no body file yet)."""
    changes_path = folder / f"state-{name}.changes"
    now, disk = body.records, body.on_disk
    if disk is not None and body.token:
        changes = BodyChanges(
            body.token,
            {k: v for k, v in now.procedures.items() if disk.procedures.get(k) is not v},
            tuple(k for k in disk.procedures if k not in now.procedures),
            {k: v for k, v in now.codes.items() if disk.codes.get(k) != v},
            tuple(k for k in disk.codes if k not in now.codes),
        )
        count = sum(map(len, (changes.procedures, changes.dropped, changes.codes)))
        count += len(changes.dropped_codes)
        if count * CHANGES_SHARE <= len(disk.procedures) + len(disk.codes):
            _write(changes_path, changes)
            return
    body.token = os.urandom(8).hex()
    _write(folder / f"state-{name}.body", body)
    body.on_disk = RecordCache(dict(now.procedures), dict(now.codes))
    changes_path.unlink(missing_ok=True)


def _artifacts_path(folder: Path, name: str, site: str) -> Path:
    return folder / f"state-{name}" / f"{site or '_'}.artifacts"


def read_artifacts(folder: Path, name: str, site: str) -> Artifacts:
    try:
        value = _load(_artifacts_path(folder, name, site))
    except Exception:  # missing, damaged or from other code: rebuild that site
        return {}
    return value if isinstance(value, dict) else {}


def write_artifacts(folder: Path, name: str, site: str, artifacts: Artifacts) -> None:
    path = _artifacts_path(folder, name, site)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, artifacts)


def forget_artifacts(folder: Path, name: str, keep: set[str]) -> None:
    """Drop the artifacts files of sites that are gone."""
    for path in (folder / f"state-{name}").glob("*.artifacts"):
        if path.stem not in {s or "_" for s in keep}:
            path.unlink(missing_ok=True)


def forget_state(folder: Path, name: str) -> None:
    for suffix in ("head", "body", "changes"):
        (folder / f"state-{name}.{suffix}").unlink(missing_ok=True)
    shutil.rmtree(folder / f"state-{name}", ignore_errors=True)


def _write(path: Path, value: object) -> None:
    with collector_paused():
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    atomic.write_bytes(path, data)
