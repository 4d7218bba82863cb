"""Province mode: one shared catalogue of procedures, one site per commune.

A province folder holds `province.yml`, a catalogue `procedures/` (the same
format as a single site) and `communes/<slug>/site.yml`, each commune with
optional files under `communes/<slug>/procedures/<field>/`:

- a file whose `code` is in the catalogue overrides that procedure: every key
  it writes replaces the catalogue's value as a whole (lists too), keys it does
  not write are inherited, and a non-empty body replaces the catalogue body;
- any other file is a local addition, exactly like a single site's file;
- `exclude: [codes]` in site.yml drops catalogue procedures (validate.py).

The merge happens on loaded documents, before validation, so a commune's site
is validated, rendered and written by the same code as a single site. Paths in
messages stay relative to the province folder, and each problem names its
commune (`Problem.group`); catalogue problems are reported once.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, astuple, dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from thutuc.content.freshness import Checked, checked_procedures, own_checked, report_stale
from thutuc.content.git_dates import last_commit_dates
from thutuc.content.load import (
    PROCEDURES_DIR,
    SITE_FILE,
    FieldSources,
    SiteSources,
    SourceDocument,
    _children,
    load_fields,
    parse_yaml,
    read_site_config,
    read_text,
)
from thutuc.content.model import Site, SiteConfig
from thutuc.content.permanence import page_paths, published_titles, record_published
from thutuc.content.schema import Key
from thutuc.content.text import fold, slugify
from thutuc.content.validate import (
    check_unique_codes,
    check_unique_slugs,
    convert_keys,
    validate_field,
)
from thutuc.content.validate import validate_site as validate_commune
from thutuc.engine.pipeline import (
    BuildOptions,
    BuildResult,
    StepReporter,
    _check_outputs,
    _quiet,
    _timed,
    check_permanence,
    produce,
)
from thutuc.engine.write import MARKER, staged
from thutuc.print.qr import qr_targets
from thutuc.problems import BuildFailed, Problem, Problems, Severity
from thutuc.resources import PACKAGE_DIR, STATIC_DIR
from thutuc.resources import TEMPLATES_DIR as DEFAULT_TEMPLATES
from thutuc.site.render import make_environment

PROVINCE_FILE = "province.yml"
COMMUNES_DIR = "communes"
CATALOGUE_GROUP = "danh mục chung"
COMMUNE_PLACEHOLDER = "{commune}"
SHARED_KEY = "/"  # in input_keys(): never a commune folder's name
MANIFEST = ".thutuc-manifest.json"  # in output/: the input hashes of each commune's output

PROVINCE_KEYS: tuple[Key, ...] = (
    Key("name", "text", "Tên tỉnh", "Province name", True, "Tỉnh Hòa Bình"),
    Key(
        "base_url",
        "text",
        "Mẫu địa chỉ trang của mỗi xã, có {commune} (xã nào ghi base_url riêng thì dùng của xã)",
        "Address pattern of each commune's site, with {commune}; a commune's own base_url wins",
        False,
        "https://thutuc.example.gov.vn/{commune}/",
    ),
)


@dataclass(frozen=True)
class ProvinceConfig:
    name: str
    base_url: str = ""  # pattern with {commune}, or "" when each commune writes its own


@dataclass(frozen=True)
class ProvinceSources:
    root: Path
    config: SourceDocument | None
    catalogue: tuple[FieldSources, ...]
    communes: tuple[str, ...]  # folder names under communes/, sorted


@dataclass(frozen=True)
class Commune:
    slug: str  # folder name, and the folder of its output
    sources: SiteSources
    site: Site


@dataclass(frozen=True)
class Province:
    root: Path
    config: ProvinceConfig
    communes: tuple[Commune, ...]
    all_communes: tuple[str, ...] = ()  # every commune folder, built or not


def is_province(root: Path) -> bool:
    """Province mode is chosen by the presence of province.yml, nothing else."""
    return (root / PROVINCE_FILE).is_file()


# Loading


def read_province_config(root: Path, problems: Problems) -> SourceDocument | None:
    path = root / PROVINCE_FILE
    text = read_text(root, path, problems)
    parsed = None if text is None else parse_yaml(text, PROVINCE_FILE, problems)
    if parsed is None:
        return None
    meta, key_lines = parsed
    if not isinstance(meta, dict):
        problems.error(
            PROVINCE_FILE, "province.yml phải là các dòng 'khóa: giá trị'.", "Ví dụ: name: Tỉnh X"
        )
        return None
    return SourceDocument(PROVINCE_FILE, path, meta, key_lines=key_lines)


def load_province(root: Path, problems: Problems) -> ProvinceSources:
    """province.yml, the catalogue, and the names of the commune folders."""
    config = read_province_config(root, problems)
    catalogue: tuple[FieldSources, ...] = ()
    if (root / PROCEDURES_DIR).is_dir():
        catalogue = load_fields(root, root / PROCEDURES_DIR, problems)
    communes_dir = root / COMMUNES_DIR
    names = [p.name for p in _children(communes_dir) if p.is_dir()] if communes_dir.is_dir() else []
    if not names:
        problems.error(
            COMMUNES_DIR,
            "Không có thư mục xã nào trong communes/.",
            "Tạo communes/<tên-xã>/site.yml cho mỗi xã, ví dụ communes/hoa-binh/site.yml.",
        )
    return ProvinceSources(root, config, catalogue, tuple(names))


def load_commune(province: ProvinceSources, slug: str, problems: Problems) -> SiteSources:
    """The commune's own files merged over the catalogue, as one site's sources."""
    folder = province.root / COMMUNES_DIR / slug
    rel = f"{COMMUNES_DIR}/{slug}/"
    config = _commune_config(folder, rel, problems)
    local: tuple[FieldSources, ...] = ()
    if (folder / PROCEDURES_DIR).is_dir():
        local = load_fields(province.root, folder / PROCEDURES_DIR, problems, index_required=False)
    fields = merge_fields(province.catalogue, local, problems)
    return SiteSources(province.root, config, fields, rel.rstrip("/"))


def _commune_config(folder: Path, rel: str, problems: Problems) -> SourceDocument | None:
    """Read site.yml; its messages name the file from the province folder."""
    own = Problems()
    doc = read_site_config(folder, own)
    for problem in own:
        problems.add(replace(problem, file=rel + problem.file))
    return replace(doc, rel=rel + SITE_FILE) if doc is not None else None


# Merging


def procedure_code(doc: SourceDocument) -> str:
    return str(doc.meta.get("code", "")).strip()


def merge_fields(
    catalogue: tuple[FieldSources, ...], local: tuple[FieldSources, ...], problems: Problems
) -> tuple[FieldSources, ...]:
    """Catalogue fields with the commune's overrides and additions.

    An override lands in the field folder it is written in, so a commune may
    also move a procedure to another field."""
    base = {procedure_code(d): d for fs in catalogue for d in fs.procedures if procedure_code(d)}
    overridden = {procedure_code(d) for fs in local for d in fs.procedures} & base.keys()
    own = {fs.folder: fs for fs in local}
    merged = []
    for fs in catalogue:
        kept = [d for d in fs.procedures if procedure_code(d) not in overridden]
        mine = own.pop(fs.folder, None)
        merged.append(_merge_field(fs, mine, kept, base))
    for mine in own.values():  # a field only this commune has
        if mine.index is None:
            problems.error(
                f"{_folder_rel(mine)}",
                "Lĩnh vực riêng của xã thiếu tệp _index.md.",
                "Tạo _index.md với title: (tên lĩnh vực), hoặc đặt tệp vào thư mục lĩnh vực "
                "có sẵn trong danh mục chung.",
            )
        merged.append(_merge_field(mine, None, [], base, own_docs=mine.procedures))
    return tuple(merged)


def _merge_field(
    fs: FieldSources,
    mine: FieldSources | None,
    kept: list[SourceDocument],
    base: dict[str, SourceDocument],
    own_docs: tuple[SourceDocument, ...] = (),
) -> FieldSources:
    index = fs.index
    docs = own_docs
    if mine is not None:
        index = merge_documents(fs.index, mine.index) if fs.index and mine.index else fs.index
        docs = mine.procedures
    merged = [merge_documents(base[c], d) if (c := procedure_code(d)) in base else d for d in docs]
    return FieldSources(fs.folder, index, tuple(kept + merged))


def _folder_rel(fs: FieldSources) -> str:
    doc = fs.index or (fs.procedures[0] if fs.procedures else None)
    return doc.rel.rsplit("/", 1)[0] + "/" if doc else fs.folder


def merge_documents(base: SourceDocument, local: SourceDocument) -> SourceDocument:
    """`local` over `base`: keys written in `local` replace, the rest is inherited;
    a non-empty local body replaces. Messages point at the local file."""
    meta = {**base.meta, **local.meta}
    if "forms" in base.meta and "forms" not in local.meta:
        meta["forms"] = _rebase_forms(base.meta["forms"], base.path.parent, local.path.parent)
    body, body_line = (
        (local.body, local.body_line) if local.body.strip() else (base.body, base.body_line)
    )
    return SourceDocument(local.rel, local.path, meta, body, body_line, dict(local.key_lines))


def _rebase_forms(forms: Any, base_dir: Path, local_dir: Path) -> Any:
    """Inherited form files stay where the catalogue keeps them: rewrite each
    path relative to the overriding file's folder."""
    if not isinstance(forms, list):
        return forms
    rebased = []
    for item in forms:
        if isinstance(item, dict) and isinstance(item.get("file"), str):
            moved = os.path.relpath(base_dir / item["file"], local_dir)
            item = {**item, "file": Path(moved).as_posix()}
        rebased.append(item)
    return rebased


# Validation


def validate_province_config(
    doc: SourceDocument | None, problems: Problems
) -> ProvinceConfig | None:
    if doc is None:
        return None
    values = convert_keys(doc, PROVINCE_KEYS, problems)
    if values is None:
        return None
    pattern = values.get("base_url", "")
    if pattern and COMMUNE_PLACEHOLDER not in pattern:
        problems.error(
            PROVINCE_FILE,
            f"base_url của tỉnh phải có {COMMUNE_PLACEHOLDER} để mỗi xã có địa chỉ riêng.",
            "Ví dụ: base_url: https://thutuc.example.gov.vn/{commune}/",
            doc.line_of("base_url"),
        )
        return None
    return ProvinceConfig(**values)


def validate_catalogue(
    sources: ProvinceSources, problems: Problems, commit_dates: Mapping[str, date]
) -> None:
    """The catalogue on its own, once: its problems belong to no commune, and so
    do its stale procedures (at the default age: each commune's setting covers
    its own files)."""
    own = Problems()
    fields = [f for fs in sources.catalogue if (f := validate_field(fs, own)) is not None]
    check_unique_codes(fields, own, sources.root)  # git says which file is older
    check_unique_slugs(fields, own)
    active = [p for f in fields for p in f.procedures if not p.is_retired]
    checked = checked_procedures(active, commit_dates)
    report_stale(checked, SiteConfig.stale_after_months, date.today(), own)
    problems.extend(own, group=CATALOGUE_GROUP)


def commune_base_url(
    config: ProvinceConfig, sources: SiteSources, slug: str, override: str | None
) -> str | None:
    """--base-url (a pattern in province mode) wins, then the commune's site.yml,
    then province.yml's pattern."""
    pattern = override
    if pattern is not None and COMMUNE_PLACEHOLDER not in pattern:
        pattern = pattern.rstrip("/") + "/" + COMMUNE_PLACEHOLDER + "/"
    own = sources.config.meta.get("base_url") if sources.config else None
    if pattern is None and not own and config.base_url:
        pattern = config.base_url
    return pattern.replace(COMMUNE_PLACEHOLDER, slug) if pattern else None


def validate_one_commune(
    province: ProvinceSources,
    config: ProvinceConfig,
    slug: str,
    problems: Problems,
    base_url: str | None = None,
    commit_dates: Mapping[str, date] | None = None,
) -> Commune | None:
    own = Problems()
    if slugify(slug) != slug:
        own.error(
            f"{COMMUNES_DIR}/{slug}",
            "Tên thư mục xã dùng làm địa chỉ trang, nên chỉ gồm chữ thường không dấu, số và '-'.",
            f"Đổi tên thư mục thành {slugify(slug) or 'ten-xa'}.",
        )
    sources = load_commune(province, slug, own)
    site = validate_commune(sources, own, commune_base_url(config, sources, slug, base_url))
    catalogue_prefix = PROCEDURES_DIR + "/"
    for problem in own:
        if not problem.file.startswith(catalogue_prefix):  # reported once, by the catalogue
            problems.add(replace(problem, group=slug))
    if site is None or own.errors:
        return None
    # Replacements, aliases, published addresses and stale facts are the
    # commune's own: a commune may exclude the procedure another one replaces.
    permanence = Problems()
    site = check_permanence(site, permanence, commit_dates or {})
    problems.extend(permanence, group=slug)
    return None if permanence.errors else Commune(slug, sources, site)


def check_province(
    root: Path,
    problems: Problems,
    only: Iterable[str] = (),
    base_url: str | None = None,
    skip: frozenset[str] = frozenset(),
    commit_dates: Mapping[str, date] | None = None,
) -> Province | None:
    """Load and validate the catalogue and the communes (all, or those in `only`),
    except those in `skip`, which a build found unchanged since it last built them.
    `commit_dates`: last_commit_dates of the province, when the caller has them."""
    dates = province_commit_dates(root) if commit_dates is None else commit_dates
    sources = load_province(root, problems)
    config = validate_province_config(sources.config, problems)
    validate_catalogue(sources, problems, dates)
    wanted = list(only) or list(sources.communes)
    for slug in sorted(set(wanted) - set(sources.communes)):
        problems.error(
            "--commune",
            f"Không có xã '{slug}' trong communes/.",
            "Các xã có: " + ", ".join(sources.communes),
        )
    if config is None:
        return None
    communes = [
        validate_one_commune(sources, config, slug, problems, base_url, dates)
        for slug in sources.communes
        if slug in wanted and slug not in skip
    ]
    built = tuple(c for c in communes if c is not None)
    if len(built) != len(communes) or problems.errors:
        return None
    return Province(root, config, built, sources.communes)


def province_commit_dates(root: Path) -> dict[str, date]:
    """Last commit date of every file of the catalogue and of the communes, in one pass."""
    return last_commit_dates(root, (PROCEDURES_DIR, COMMUNES_DIR))


# Building


@dataclass
class ProvinceResult:
    province: Province
    problems: Problems
    built: list[str] = field(default_factory=list)  # communes rendered this time
    pages: int = 0
    qr_files: int = 0
    poster_files: int = 0
    seconds: float = 0.0


def build_province(
    options: BuildOptions, only: Iterable[str] = (), on_step: StepReporter = _quiet
) -> ProvinceResult:
    """Build every commune (or those in `only`) into output/<slug>/ and qr/<slug>/,
    plus the province index. Nothing is swapped in unless every commune built."""
    start = time.perf_counter()
    problems = Problems()
    previous = read_manifest(options.out_dir)
    with _timed("băm tệp nguồn", on_step):
        fingerprint = code_fingerprint(options.project, options)
        dates = province_commit_dates(options.project)
        inputs = input_keys(options, fingerprint, dates)
        same = frozenset(s for s, key in inputs.items() if _unchanged(s, key, previous, options))
    with _timed("đọc và kiểm tra", on_step):
        province = check_province(options.project, problems, only, options.base_url, same, dates)
        replay_problems(previous, same & set(only or same), problems)
    _check_outputs(options, problems)
    if province is None or problems.has_errors(options.strict):
        raise BuildFailed(problems)
    result = ProvinceResult(province, problems)
    for folder in (options.out_dir, options.qr_dir):
        claim_folder(folder)
    with _timed("so sánh với lần dựng trước", on_step):
        tasks = plan(province, options, previous, fingerprint, inputs)
    targets = [t for task in tasks for t in (task.out, task.qr) if t is not None]
    with staged(targets) as stages, _timed("dựng các xã", on_step):
        staging = dict(zip(targets, stages, strict=True))
        done = run_tasks([task.staged_in(staging) for task in tasks], options)
        for built in done:
            _count(result, built)
    if options.record_published:
        for slug in record_addresses(options.project, done, province):
            # the file is an input too: keep the key of the files as they now are
            folder = options.project / COMMUNES_DIR / slug
            inputs[slug] = commune_key(inputs[SHARED_KEY], folder, dates)
    write_manifest(options.out_dir, tasks, province.all_communes, inputs, problems)
    write_province_index(province, options.out_dir)
    if not list(only):
        remove_stale(options.out_dir, province.all_communes)
        remove_stale(options.qr_dir, province.all_communes)
    result.seconds = time.perf_counter() - start
    return result


# Incremental and parallel: one task per commune, each half (pages, QR codes
# and posters) redone only when the hash of everything it is made from changed.


@dataclass(frozen=True)
class CommuneTask:
    slug: str
    site: Site
    pages_key: str
    qr_key: str
    out: Path | None  # None: output/<slug>/ is up to date and stays as it is
    qr: Path | None

    def staged_in(self, staging: dict[Path, Path]) -> CommuneTask:
        """The same task writing into the staging folders of its targets."""
        out = staging[self.out] if self.out else None
        return replace(self, out=out, qr=staging[self.qr] if self.qr else None)


def plan(
    province: Province,
    options: BuildOptions,
    previous: dict[str, Any],
    fingerprint: str,
    inputs: dict[str, str],
) -> list[CommuneTask]:
    """Validated communes whose files changed: which halves must be redone."""
    tasks = []
    for commune in province.communes:
        pages_key = inputs[commune.slug]
        qr_key = qr_key_of(commune.site, options, pages_key)
        before = previous.get(commune.slug, {})
        out, qr = options.out_dir / commune.slug, options.qr_dir / commune.slug
        same_pages = before.get("pages") == pages_key and out.is_dir()
        same_qr = before.get("qr") == qr_key and qr.is_dir()
        tasks.append(
            CommuneTask(
                commune.slug,
                commune.site,
                pages_key,
                qr_key,
                None if same_pages else out,
                None if same_qr else qr,
            )
        )
    return tasks


def code_fingerprint(root: Path, options: BuildOptions) -> str:
    """Everything besides the content that shapes the output: our code, the
    bundled and the province's templates, library versions, build options."""
    digest = hashlib.sha256()
    for folder in (PACKAGE_DIR, DEFAULT_TEMPLATES, root / "templates"):
        files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
        for path in files:
            if "__pycache__" not in path.parts:
                digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    versions = [importlib.metadata.version(n) for n in ("cmarkgfm", "nh3", "jinja2", "zxing-cpp")]
    settings = [options.ecc, str(options.posters), options.base_url or "", *versions]
    digest.update("\0".join(settings).encode())
    return digest.hexdigest()


def input_keys(
    options: BuildOptions, fingerprint: str, commit_dates: Mapping[str, date]
) -> dict[str, str]:
    """A hash of every file a commune is built from, by commune, without parsing:
    the province's shared files (catalogue, forms, province.yml, templates) and
    the commune's own folder, with their last commit dates (pages show them).
    Equal to the last build's: nothing to do. SHARED_KEY holds the shared part."""
    root = options.project
    skip = {options.out_dir.resolve(), options.qr_dir.resolve(), (root / COMMUNES_DIR).resolve()}
    catalogue_dates = _dates_under(commit_dates, PROCEDURES_DIR + "/")
    shared = _digest(fingerprint, *_file_parts(root, skip), catalogue_dates)
    communes_dir = root / COMMUNES_DIR
    folders = [p for p in _children(communes_dir) if p.is_dir()] if communes_dir.is_dir() else []
    keys = {f.name: commune_key(shared, f, commit_dates) for f in folders}
    return {**keys, SHARED_KEY: shared}


def commune_key(shared: str, folder: Path, commit_dates: Mapping[str, date]) -> str:
    prefix = f"{COMMUNES_DIR}/{folder.name}/{PROCEDURES_DIR}/"  # the dates pages show
    return _digest(shared, *_file_parts(folder, set()), _dates_under(commit_dates, prefix))


def _dates_under(commit_dates: Mapping[str, date], prefix: str) -> str:
    return repr(sorted((k, v.isoformat()) for k, v in commit_dates.items() if k.startswith(prefix)))


def _file_parts(folder: Path, skip: set[Path]) -> list[bytes]:
    """Path and bytes of each visible file under `folder`, in a stable order."""
    parts = []
    for here, dirs, files in os.walk(folder):
        base = Path(here)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and (base / d).resolve() not in skip
        )
        for name in sorted(files):
            if not name.startswith("."):
                path = base / name
                parts += [path.relative_to(folder).as_posix().encode(), path.read_bytes()]
    return parts


def problem_record(problem: Problem) -> dict[str, Any]:
    return {**asdict(problem), "severity": problem.severity.name}


def replay_problems(previous: dict[str, Any], skipped: Iterable[str], problems: Problems) -> None:
    """The warnings an unchanged commune had when it was last built, and its
    stale procedures as of today (from the dates kept, not the old notice)."""
    for slug in sorted(skipped):
        entry = previous[slug]
        for record in entry["problems"]:
            problems.add(Problem(**{**record, "severity": Severity[record["severity"]]}))
        checked = [Checked(date.fromisoformat(d), *rest) for d, *rest in entry["checked"]]
        file = f"{COMMUNES_DIR}/{slug}/procedures"
        report_stale(checked, entry["stale_after_months"], date.today(), problems, file, slug)


def _unchanged(slug: str, key: str, previous: dict[str, Any], options: BuildOptions) -> bool:
    entry = previous.get(slug, {})
    built = (options.out_dir / slug).is_dir() and (options.qr_dir / slug).is_dir()
    kept = all(isinstance(entry.get(k), list) for k in ("problems", "checked"))
    return built and entry.get("inputs") == key and kept


def qr_key_of(site: Site, options: BuildOptions, pages_key: str) -> str:
    """The QR codes depend only on each code's file name, title and address; the
    pages key (every input file) stands for posters, which may show anything."""
    if options.posters:
        return pages_key
    targets = [(t.name, t.title, t.url) for t in qr_targets(site)]
    return _digest(_qr_code_fingerprint(), options.ecc, repr(targets))


@cache
def _qr_code_fingerprint() -> str:
    """Only qr.py and zxing-cpp make the codes: editing a template must not redo them.
    Read once per build, not once per commune."""
    code = (PACKAGE_DIR / "print" / "qr.py").read_bytes()
    return _digest(code, importlib.metadata.version("zxing-cpp"))


def _digest(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def read_manifest(out: Path) -> dict[str, Any]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    communes = data.get("communes") if isinstance(data, dict) else None
    return communes if isinstance(communes, dict) else {}


def write_manifest(
    out: Path,
    tasks: list[CommuneTask],
    communes: tuple[str, ...],
    inputs: dict[str, str],
    problems: Problems,
) -> None:
    """Keys of what output/ now holds; communes not built this time keep theirs.
    Each commune's warnings are kept too, so a build that skips it shows them again
    (`replay_problems`) without reading its files."""
    entries = {k: v for k, v in read_manifest(out).items() if k in communes}
    for task in tasks:
        own = [p for p in problems if p.group == task.slug]
        entries[task.slug] = {
            "pages": task.pages_key,
            "qr": task.qr_key,
            "inputs": inputs[task.slug],
            # notices are the calendar's: replay_problems recomputes them from "checked"
            "problems": [problem_record(p) for p in own if p.severity is not Severity.NOTICE],
            "checked": [[c.day.isoformat(), *astuple(c)[1:]] for c in own_checked(task.site)],
            "stale_after_months": task.site.config.stale_after_months,
        }
    text = json.dumps({"version": 1, "communes": entries}, indent=1, sort_keys=True)
    temporary = out / (MANIFEST + ".tmp")
    temporary.write_text(text + "\n", encoding="utf-8")
    os.replace(temporary, out / MANIFEST)


def run_tasks(tasks: list[CommuneTask], options: BuildOptions) -> list[CommuneBuilt]:
    """Communes in parallel on every core; in this process when there is one,
    since starting workers costs more than a single commune's pages."""
    todo = [t for t in tasks if t.out or t.qr]
    jobs = min(options.jobs or os.cpu_count() or 1, len(todo))
    if jobs <= 1:
        return [build_commune(t, options) for t in todo]
    # Posters have their own pool; inside a commune worker they use one process.
    own = replace(options, jobs=1)
    with ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(build_commune, todo, [own] * len(todo)))


@dataclass(frozen=True)
class CommuneBuilt:
    """What one commune's build wrote; small, so it crosses process boundaries cheaply."""

    slug: str
    pages: int
    qr_files: int
    poster_files: int
    paths: frozenset[str] = frozenset()  # page paths, when its pages were rendered


def build_commune(task: CommuneTask, options: BuildOptions) -> CommuneBuilt:
    """One commune's pages, QR codes and posters into its staging folders, by the
    same steps as a single site; posters reuse the previous qr/<slug>/."""
    own = replace(options, out=options.out_dir / task.slug, qr=options.qr_dir / task.slug)
    result = BuildResult(task.site, Problems())
    produce(result, task.out, task.qr, own)
    counts = len(result.pages), len(result.qr_files), len(result.poster_files)
    paths = frozenset(page_paths(p.file for p in result.pages))
    return CommuneBuilt(task.slug, *counts, paths)


def record_addresses(root: Path, done: list[CommuneBuilt], province: Province) -> list[str]:
    """Add each rebuilt commune's pages (and its procedures' titles) to its
    published-urls.txt, after the swap; the communes whose file changed."""
    folder = root / COMMUNES_DIR
    sites = {c.slug: c.site for c in province.communes}
    return [
        b.slug
        for b in done
        if b.paths and record_published(folder / b.slug, b.paths, published_titles(sites[b.slug]))
    ]


def _count(result: ProvinceResult, built: CommuneBuilt) -> None:
    result.built.append(built.slug)
    result.pages += built.pages
    result.qr_files += built.qr_files
    result.poster_files += built.poster_files


def claim_folder(folder: Path) -> None:
    """Create output/ or qr/ with our marker; commune folders are swapped in below it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).touch()


def remove_stale(folder: Path, communes: tuple[str, ...]) -> None:
    """Drop the output of a commune folder that was deleted (only folders we made)."""
    for child in folder.iterdir():
        ours = child.is_dir() and (child / MARKER).exists() and not child.name.startswith(".")
        if ours and child.name not in communes:
            shutil.rmtree(child)


def write_province_index(province: Province, out: Path) -> None:
    """output/index.html: every commune of the province, with its address."""
    sites = _all_sites(province)
    env = make_environment(province.root)
    html = env.get_template("province.html").render(
        province=province.config, communes=sites, css=(STATIC_DIR / "site.css").read_text("utf-8")
    )
    temporary = out / ".index.html.tmp"
    temporary.write_bytes(html.encode("utf-8"))
    os.replace(temporary, out / "index.html")


def _all_sites(province: Province) -> list[dict[str, str]]:
    """Name of each commune; those not rebuilt this time are read from their
    site.yml, so `--commune` writes the same index as a full build."""
    built = {c.slug: c.site.config.name for c in province.communes}
    sites = []
    for slug in province.all_communes:
        name = built.get(slug)
        if name is None:
            doc = read_site_config(province.root / COMMUNES_DIR / slug, Problems())
            name = str(doc.meta.get("name", slug)) if doc else slug
        sites.append({"slug": slug, "name": name})
    return sorted(sites, key=lambda s: (fold(s["name"]), s["slug"]))
