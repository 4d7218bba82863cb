"""A project as the engine sees it: the list of sites it builds.

A folder with site.yml is one site; a folder with province.yml is a province,
whose every commune is a site made of two layers, the shared catalogue and the
commune's own files (content/province.py has the merge rules). Loading decides
which; the engine and the CLI do not branch on it (Hugo's list of sites).

Loading is incremental. Every input file is known by its content digest
(`SourceFiles`, which trusts a size and mtime it has seen before, as Lektor's
FileInfo does), and what validating a procedure gave, its summary and its
problems, is kept by the digests of the files it was read from (`RecordCache`,
saved with the build state). An unchanged procedure is neither read nor checked
again: its problems are shown again, and its full record is read from its files
only by the builders that need it (`read_procedure`).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import partial, reduce
from pathlib import Path
from typing import Any

from thutuc import clock
from thutuc.content.files import (
    FILE_KINDS,
    OPEN_HINT,
    PROCEDURES_DIR,
    PROVINCE_FILE,
    SourceChanged,
    SourceFiles,
    Stamp,
    disk_path,
    is_province,
    os_reason,
    province_communes,
    read_as_hashed,
)
from thutuc.content.languages import translation_suffix
from thutuc.content.load import (
    FIELD_INDEX,
    SITE_FILE,
    SkippedContent,
    SourceDocument,
    _holds_markdown,
    is_inside,
    looks_like_markdown,
    read_markdown,
    read_site_config,
)
from thutuc.content.model import Field, Procedure, ProcedureSummary, Recipe, Site, site_slug
from thutuc.content.province import (
    CATALOGUE_GROUP,
    COMMUNES_DIR,
    ProvinceConfig,
    commune_base_url,
    merge_documents,
    read_province_config,
    validate_province_config,
)
from thutuc.content.records import ProcedureRecord, RecordCache, expiry_dates
from thutuc.content.text import nfc, slugify
from thutuc.content.translations import as_translation, prepare
from thutuc.content.validate import (
    assemble_site,
    check_unique_codes,
    check_unique_slugs,
    validate_config,
    validate_field_index,
    validate_procedure,
)
from thutuc.problems import Problem, Problems, Severity

# Full records read in this process, by recipe: a worker that validated a
# procedure renders its page without reading it again.
_FULL: OrderedDict[str, Procedure] = OrderedDict()
_FULL_LIMIT = 20_000


def _remember(recipe: Recipe, procedure: Procedure) -> None:
    procedure.recipe = recipe
    _FULL[recipe.key] = procedure
    _FULL.move_to_end(recipe.key)
    while len(_FULL) > _FULL_LIMIT:
        _FULL.popitem(last=False)


def _layer_documents(
    recipe: Recipe, problems: Problems, files: SourceFiles | None = None
) -> list[SourceDocument | None]:
    docs = []
    for rel, digest in recipe.layers:
        data = (
            files.data(rel) if files else read_as_hashed(disk_path(recipe.root, rel), rel, digest)
        )
        docs.append(read_markdown(recipe.root, recipe.root / rel, problems, data))
    return docs


def _validate(
    recipe: Recipe, problems: Problems, files: SourceFiles | None = None
) -> tuple[Procedure | None, SourceDocument | None]:
    if recipe.lang:
        return _validate_translation(recipe, problems, files)
    docs = _layer_documents(recipe, problems, files)
    if any(doc is None for doc in docs):
        return None, next((d for d in docs if d is not None), None)
    doc = reduce(merge_documents, docs)  # type: ignore[arg-type]
    assert doc is not None
    procedure = validate_procedure(doc, slugify(recipe.field_folder), problems)
    if procedure is not None:
        _remember(recipe, procedure)
    return procedure, doc


def _validate_translation(
    recipe: Recipe, problems: Problems, files: SourceFiles | None
) -> tuple[Procedure | None, SourceDocument | None]:
    """A translation over its source (the last layer over the others). The source's
    own problems are reported with the source; the translation's reading problems,
    its translation warnings and any error are reported with it."""
    source_recipe = Recipe(recipe.root, recipe.layers[:-1], recipe.field_folder)
    sources = _layer_documents(source_recipe, Problems(), files)
    own = _layer_documents(Recipe(recipe.root, recipe.layers[-1:], ""), problems, files)[0]
    if own is None or any(doc is None for doc in sources):
        return None, own
    source = reduce(merge_documents, sources)  # type: ignore[arg-type]
    assert source is not None
    own = prepare(source, own, problems)
    checked = Problems()
    merged = merge_documents(source, own)
    procedure = validate_procedure(merged, slugify(recipe.field_folder), checked)
    own_lines = set(own.key_lines.values())
    for problem in checked:  # errors, and warnings about the translation's own lines
        if problem.severity is Severity.ERROR or problem.line in own_lines:
            problems.add(problem)
    if procedure is None:
        return None, merged
    procedure = as_translation(procedure, recipe.lang, own, problems)
    _remember(recipe, procedure)
    return procedure, merged


def read_procedure(recipe: Recipe) -> Procedure:
    """The full procedure of `recipe`, read again from its files (what
    `Procedure.front` and `.body` call for a procedure kept as a summary)."""
    found = _FULL.get(recipe.key)
    if found is not None and found._front is not None:
        return found
    procedure, _ = _validate(recipe, Problems())
    if procedure is None:
        raise SourceChanged(recipe.layers[-1][0])
    return procedure


def _form_files(root: Path, doc: SourceDocument | None) -> list[str]:
    """Root-relative paths of the form files and the recording a document names,
    found or not."""
    if doc is None:
        return []
    forms = doc.meta.get("forms")
    names = [
        item["file"]
        for item in (forms if isinstance(forms, list) else [])
        if isinstance(item, dict) and isinstance(item.get("file"), str)
    ]
    if isinstance(doc.meta.get("audio"), str):
        names.append(doc.meta["audio"])
    paths = []
    for name in names:
        path = os.path.normpath(doc.path.parent / name)
        if is_inside(root, Path(path)):
            paths.append(nfc(Path(os.path.relpath(path, root)).as_posix()))
    return paths


def procedure_of(
    recipe: Recipe, files: SourceFiles, cache: RecordCache, problems: Problems
) -> Procedure | None:
    """The procedure of `recipe`: from the cache when its files and forms are
    unchanged (problems replayed), else read and validated."""
    key = recipe.key
    cache.used.add(key)
    record = cache.procedures.get(key)
    if record is not None and _fresh(record, files):
        for problem in record.problems:
            problems.add(problem)
        if record.summary is None:
            return None
        found = _FULL.get(key)
        if found is not None and found.summary == record.summary:
            found.summary = record.summary  # the one with its words folded (with_attached)
            return found
        return Procedure.lazy(record.summary, recipe)
    own = Problems()
    procedure, doc = _validate(recipe, own, files)
    depends = tuple((rel, files.digest_or_none(rel)) for rel in _form_files(recipe.root, doc))
    summary = None
    if procedure is not None:  # the files it shows are part of what its page is made from
        summary = procedure.summary = procedure.summary.with_attached(depends)
    cache.procedures[key] = ProcedureRecord(summary, tuple(own), depends, clock.today())
    problems.extend(own)
    return procedure


def code_of(rel: str, files: SourceFiles, cache: RecordCache) -> str:
    """The code written in a procedure file (to match overrides with the catalogue).
    Problems of reading the file come with the procedure it belongs to."""
    key = f"{rel}\1{files.digest(rel)}"
    cache.used.add(key)
    if key not in cache.codes:
        cache.codes[key] = read_code((files.root, rel, files.digest(rel)))
    return cache.codes[key]


# Many files at once ----------------------------------------------------------

# Maps a function over items, perhaps in worker processes (the engine's pool):
# a cold build reads and validates thousands of procedures.
# `function` over `items` in workers, or `here` (the same work, using what this
# process has read already) over them in this process.
Runner = Callable[[Callable[[Any], Any], list[Any], Callable[[Any], Any]], list[Any]]


def run_here(
    function: Callable[[Any], Any], items: list[Any], here: Callable[[Any], Any]
) -> list[Any]:
    return [here(item) for item in items]


def validate_recipe(
    recipe: Recipe, files: SourceFiles | None = None
) -> tuple[ProcedureSummary | None, tuple[Problem, ...], tuple[str, ...]]:
    """Read and validate one recipe from its files (in a worker, which keeps the
    full record for the pages it will render): summary, problems, form files."""
    own = Problems()
    procedure, doc = _validate(recipe, own, files)
    summary = procedure.summary.fold_words() if procedure is not None else None
    return summary, tuple(own), tuple(_form_files(recipe.root, doc))


def read_code(item: tuple[Path, str, str]) -> str:
    """The code written in one procedure file ("" when it cannot be read)."""
    root, rel, digest = item
    data = read_as_hashed(disk_path(root, rel), rel, digest)
    doc = read_markdown(root, root / rel, Problems(), data)
    return str(doc.meta.get("code", "")).strip() if doc is not None else ""


def _fresh(record: ProcedureRecord | None, files: SourceFiles) -> bool:
    """The record still says what validating its files would say today."""
    if record is None:
        return False
    # today only for a record with a date to come: thousands are checked per build
    if expiry_dates(record.summary) and record.expired(clock.today()):
        return False
    return all(files.digest_or_none(r) == d for r, d in record.depends)


def prefetch_records(
    recipes: Iterable[Recipe], files: SourceFiles, cache: RecordCache, runner: Runner
) -> None:
    """Validate, all at once, the recipes the cache cannot answer for."""
    missing = {r.key: r for r in recipes if not _fresh(cache.procedures.get(r.key), files)}
    todo = list(missing.values())
    here = partial(validate_recipe, files=files)
    for recipe, (summary, found, forms) in zip(
        todo, runner(validate_recipe, todo, here), strict=True
    ):
        depends = tuple((rel, files.digest_or_none(rel)) for rel in forms)
        if summary is not None:
            summary = summary.with_attached(depends)
        cache.procedures[recipe.key] = ProcedureRecord(summary, found, depends, clock.today())


def prefetch_codes(
    rels: Iterable[str], files: SourceFiles, cache: RecordCache, runner: Runner
) -> None:
    todo = [
        (files.root, rel, files.digest(rel))
        for rel in dict.fromkeys(rels)
        if f"{rel}\1{files.digest(rel)}" not in cache.codes
    ]
    for (_, rel, digest), answer in zip(todo, runner(read_code, todo, read_code), strict=True):
        cache.codes[f"{rel}\1{digest}"] = answer


# Folders of procedures -------------------------------------------------------


def _visible(name: str) -> bool:
    """Skip editor and OS clutter: ._foo.md from macOS, ~backups, _drafts."""
    return not name.startswith((".", "_", "~"))


@dataclass
class FolderFiles:
    """One field folder: its _index.md (if any), its procedure files, and the
    translations of both: (file, its Vietnamese source, language tag as written)."""

    folder: str
    index: str | None
    procedures: list[str]
    translations: list[tuple[str, str, str]] = field(default_factory=list)


def field_folders(files: SourceFiles, base: str, problems: Problems) -> list[FolderFiles]:
    """The field folders under `base` ("procedures", "communes/x/procedures"), by
    name. Files that look like content but are not read are listed in one warning.
    `ket-hon.en.md` beside `ket-hon.md` (and `_index.en.md` beside `_index.md`) is a
    translation, not a procedure: its last dotted part is a registered language tag."""
    folders: dict[str, FolderFiles] = {}
    skipped = SkippedContent()
    every = files.under(base + "/")
    known = set(every)
    for rel in every:
        parts = rel[len(base) + 1 :].split("/")
        if len(parts) == 1:
            _top_level_file(rel, parts[0], skipped, problems)
        elif not _visible(parts[0]):
            continue  # a draft folder: reported below if it holds pages
        elif any(not _visible(p) for p in parts[1:-1]):
            continue
        elif parts[1:] == [FIELD_INDEX]:
            folders.setdefault(parts[0], FolderFiles(parts[0], None, [])).index = rel
        else:
            folder = folders.setdefault(parts[0], FolderFiles(parts[0], None, []))
            if translation := _translation_of(rel, known):
                folder.translations.append((rel, *translation))
            else:
                _field_file(rel, parts, folder, skipped)
    for rel in files.hidden_files:
        if rel.startswith(base + "/") and rel.endswith(".md"):
            skipped.add(rel, "tên bắt đầu bằng '.', '_' hoặc '~' (bản nháp)")
    drafts = files.hidden_folders + sorted(
        {rel.rsplit("/", 1)[0] for rel in files.under(base + "/") if "/_" in "/" + rel}
    )
    for rel in sorted(set(drafts)):
        inner = rel[len(base) + 1 :].split("/") if rel.startswith(base + "/") else []
        if inner and not _visible(inner[-1]) and _holds_markdown(files.root / rel):
            skipped.add(rel + "/", "thư mục nháp (tên bắt đầu bằng '.' hoặc '_')")
    _report_specials(files, base, problems)
    skipped.report(base, problems)
    return [folders[name] for name in sorted(folders, key=nfc)]


def _top_level_file(rel: str, name: str, skipped: SkippedContent, problems: Problems) -> None:
    if not _visible(name):
        if name.endswith(".md"):
            skipped.add(rel, "tên bắt đầu bằng '.', '_' hoặc '~' (bản nháp)")
    elif name.endswith(".md"):
        problems.error(
            rel,
            "Tệp thủ tục nằm ngoài thư mục lĩnh vực.",
            "Chuyển tệp vào một thư mục lĩnh vực, ví dụ procedures/ho-tich/.",
        )
    elif why := looks_like_markdown(name):
        skipped.add(rel, why + ", và đặt tệp vào một thư mục lĩnh vực")


def _translation_of(rel: str, known: set[str]) -> tuple[str, str] | None:
    """(its Vietnamese source, the language tag as written) when `rel` translates a file
    beside it."""
    if not rel.endswith(".md") or not (found := translation_suffix(rel.rsplit("/", 1)[-1])):
        return None
    source = f"{rel.rsplit('/', 1)[0]}/{found[0]}.md"
    return (source, found[1]) if source in known else None


def _field_file(rel: str, parts: list[str], folder: FolderFiles, skipped: SkippedContent) -> None:
    name = parts[-1]
    if name.endswith(".md") and _visible(name):
        folder.procedures.append(rel)
    elif name == FIELD_INDEX:
        skipped.add(rel, "chỉ _index.md ngay trong thư mục lĩnh vực được đọc")
    elif (found := translation_suffix(name)) and found[0] == "_index":
        skipped.add(rel, "bản dịch của _index.md, nhưng không có _index.md bên cạnh")
    elif name.endswith(".md"):
        skipped.add(rel, "tên bắt đầu bằng '.', '_' hoặc '~' (bản nháp)")
    elif why := looks_like_markdown(name):
        skipped.add(rel, why)


def _report_specials(files: SourceFiles, base: str, problems: Problems) -> None:
    """A FIFO, device or socket with a content name is reported, never opened;
    a folder the build cannot list, too."""
    for rel, mode in files.special:
        if rel.startswith(base + "/") and rel.endswith((".md", ".yml")):
            kind = FILE_KINDS.get(mode, "không phải tệp thường")
            problems.error(
                rel,
                f"Đây là {kind}, không phải tệp văn bản; công cụ không mở nó.",
                "Xóa nó, hoặc đổi tên để tên không kết thúc bằng .md hay .yml.",
            )
    for rel, exc in files.unreadable:
        if rel == base or rel.startswith(base + "/"):
            problems.error(rel, f"Không đọc được thư mục: {os_reason(exc)}.", OPEN_HINT)


# Field index documents read in this process, by path and digest: a province's
# catalogue fields are the same for every commune.
_INDEXES: dict[str, tuple[SourceDocument | None, tuple[Problem, ...]]] = {}


def _field_index(
    files: SourceFiles, rel: str, problems: Problems, base: SourceDocument | None = None
) -> SourceDocument | None:
    key = f"{rel}\1{files.digest(rel)}"
    if key not in _INDEXES:
        own = Problems()
        _INDEXES[key] = (
            read_markdown(files.root, files.root / rel, own, files.data(rel)),
            tuple(own),
        )
    doc, read_problems = _INDEXES[key]
    for problem in read_problems:
        problems.add(problem)
    if doc is not None and base is not None:
        return merge_documents(base, doc)
    return doc


def _missing_index(rel_folder: str, problems: Problems) -> None:
    problems.error(
        rel_folder,
        "Thư mục lĩnh vực thiếu tệp _index.md.",
        "Tạo _index.md với phần đầu có title: (tên lĩnh vực).",
    )


# One site --------------------------------------------------------------------


@dataclass(frozen=True)
class Project:
    """What a build makes: one site, or one site per commune of a province."""

    root: Path
    sites: tuple[Site, ...]
    province: ProvinceConfig | None = None
    communes: tuple[str, ...] = ()  # every commune folder of a province, built or not
    names: Mapping[str, str] = field(default_factory=dict)  # commune folder → its name
    catalogue: tuple[Procedure, ...] = ()  # a province's shared procedures


def load_project(
    root: Path,
    files: SourceFiles,
    cache: RecordCache,
    problems: Problems,
    base_url: str | None = None,
    only: Iterable[str] = (),
    runner: Runner = run_here,
    skip: frozenset[str] = frozenset(),
) -> Project | None:
    """Load and validate every site of the project at `root`; None when a site
    has errors (each is in `problems`). In a province, `only`: the communes asked
    for (all when empty), and `skip`: those not to load (the build keeps them as
    they are); `runner` reads what the cache cannot answer for, perhaps in parallel."""
    for rel in files.outside:
        problems.error(
            rel,
            "Liên kết tượng trưng (symlink) trỏ ra ngoài thư mục trang.",
            "Chép tệp thật vào thư mục trang thay cho symlink.",
        )
    if is_province(root):
        return load_province(root, files, cache, problems, base_url, tuple(only), runner, skip)
    if only:
        problems.error(
            "--commune",
            f"Trang này không phải trang của một tỉnh (không có {PROVINCE_FILE}): không có xã "
            f"nào tên {', '.join(only)} để dựng riêng.",
            "Bỏ --commune: lệnh dựng cả trang. --commune chỉ dùng trong chế độ tỉnh.",
        )
        return None
    site = load_single_site(root, files, cache, problems, base_url, runner)
    return Project(root, (site,)) if site is not None else None


def load_single_site(
    root: Path,
    files: SourceFiles,
    cache: RecordCache,
    problems: Problems,
    base_url: str | None,
    runner: Runner = run_here,
) -> Site | None:
    config_doc = read_site_config(root, problems)
    config = validate_config(config_doc, problems, base_url) if config_doc else None
    if not (root / PROCEDURES_DIR).is_dir():
        problems.error(
            PROCEDURES_DIR,
            "Không có thư mục procedures/.",
            "Tạo thư mục procedures/ và một thư mục con cho mỗi lĩnh vực.",
        )
    fields = []
    folders = field_folders(files, PROCEDURES_DIR, problems)
    codes = {x.code.lower(): x.code for x in config.languages} if config else {}
    for folder in folders:
        folder.procedures = [r for r in folder.procedures if not _orphan(r, codes, problems)]
    recipes_of = {
        f.folder: [Recipe(root, ((rel, files.digest(rel)),), f.folder) for rel in f.procedures]
        for f in folders
    }
    # site.yml unread: which languages it lists is unknown, so no translation is "unlisted"
    translated = {
        f.folder: translation_recipes(root, files, f, codes, problems) if config else []
        for f in folders
    }
    every = [r for rs in (*recipes_of.values(), *translated.values()) for r in rs]
    prefetch_records(every, files, cache, runner)
    translations: dict[tuple[str, str], Procedure] = {}
    field_translations: dict[tuple[str, str], Field] = {}
    for folder in folders:
        recipes = recipes_of[folder.folder]
        procedures = tuple(
            p for r in recipes if (p := procedure_of(r, files, cache, problems)) is not None
        )
        for recipe in translated[folder.folder]:
            if (p := procedure_of(recipe, files, cache, problems)) is not None:
                translations[(recipe.lang, p.code)] = p
        if folder.index is None:
            _missing_index(f"{PROCEDURES_DIR}/{folder.folder}", problems)
            continue
        index = _field_index(files, folder.index, problems)
        if index is not None and (
            f := validate_field_index(index, folder.folder, procedures, problems)
        ):
            fields.append(f)
            field_translations.update(_field_translations(files, folder, index, codes, problems))
    site = assemble_site(root, config, config_doc, fields, problems)
    if site is None:
        return None
    return replace(site, translations=translations, field_translations=field_translations)


def translation_recipes(
    root: Path, files: SourceFiles, folder: FolderFiles, codes: dict[str, str], problems: Problems
) -> list[Recipe]:
    """A recipe for each procedure translation in a configured language; a warning
    for a translation into a language site.yml does not list."""
    recipes = []
    for rel, source, tag in folder.translations:
        code = codes.get(tag.lower())
        if code is None:
            _unknown_language(rel, tag, problems)
        elif not source.endswith("/" + FIELD_INDEX) and source in folder.procedures:
            layers = ((source, files.digest(source)), (rel, files.digest(rel)))
            recipes.append(Recipe(root, layers, folder.folder, code))
    return recipes


def _orphan(rel: str, codes: dict[str, str], problems: Problems) -> bool:
    """A translation (in a configured language) whose Vietnamese file is not beside it:
    skipped with a warning, rather than read as a procedure without a code."""
    found = translation_suffix(rel.rsplit("/", 1)[-1])
    if found is None or found[1].lower() not in codes:
        return False
    problems.warning(
        rel,
        f"Tệp dịch này không có tệp tiếng Việt {found[0]}.md bên cạnh: tệp bị bỏ qua.",
        f"Đặt bản dịch cạnh tệp tiếng Việt và đặt tên theo tệp đó: <tên tệp tiếng Việt>"
        f".{found[1]}.md. Tệp tiếng Việt đổi tên thì đổi tên cả bản dịch.",
    )
    return True


def _unknown_language(rel: str, tag: str, problems: Problems) -> None:
    problems.warning(
        rel,
        f"Tệp dịch sang tiếng '{tag}' nhưng site.yml không khai tiếng này: tệp bị bỏ qua.",
        f"Thêm vào site.yml:\nlanguages:\n  - code: {tag}\n    name: (tên tiếng đó, viết "
        "bằng tiếng đó)\nhoặc đổi tên tệp nếu đây không phải bản dịch.",
    )


def _field_translations(
    files: SourceFiles,
    folder: FolderFiles,
    index: SourceDocument,
    codes: dict[str, str],
    problems: Problems,
) -> dict[tuple[str, str], Field]:
    """The field's `_index.<lang>.md` files, each over the Vietnamese `_index.md`
    (title and description; order and aliases are the Vietnamese file's)."""
    found = {}
    for rel, source, tag in folder.translations:
        code = codes.get(tag.lower())
        if not source.endswith("/" + FIELD_INDEX) or code is None:
            continue
        own = _field_index(files, rel, problems)
        if own is None:
            continue
        for key in ("order", "aliases"):
            if key in own.meta:
                problems.warning(
                    rel,
                    f"Khóa '{key}' trong bản dịch bị bỏ qua: chỉ _index.md tiếng Việt ghi khóa này.",
                    f"Xóa dòng {key}: khỏi bản dịch.",
                    own.line_of(key),
                )
        own = replace(
            own, meta={k: v for k, v in own.meta.items() if k not in ("order", "aliases")}
        )
        translated = validate_field_index(merge_documents(index, own), folder.folder, (), problems)
        if translated is not None:
            found[(code, translated.slug)] = replace(translated, lang=code)
    return found


# A province ------------------------------------------------------------------


@dataclass(frozen=True)
class _CatalogueEntry:
    rel: str
    digest: str
    folder: str


def load_province(
    root: Path,
    files: SourceFiles,
    cache: RecordCache,
    problems: Problems,
    base_url: str | None,
    only: tuple[str, ...],
    runner: Runner = run_here,
    skip: frozenset[str] = frozenset(),
) -> Project | None:
    """The catalogue on its own (its problems once, in the catalogue group), then
    each commune as catalogue ⊕ its own files. The codes of every file, then
    every recipe of every commune, are read in two batches."""
    config = validate_province_config(read_province_config(root, problems), problems)
    catalogue_problems = Problems()
    catalogue = field_folders(files, PROCEDURES_DIR, catalogue_problems)
    communes = province_communes(files)
    wanted = [c for c in communes if (not only or c in only) and c not in skip]
    markdown_files = [
        r for c in wanted for r in files.under(f"{COMMUNES_DIR}/{c}/") if r.endswith(".md")
    ]
    prefetch_codes(
        [r for f in catalogue for r in f.procedures] + markdown_files, files, cache, runner
    )
    base: dict[str, _CatalogueEntry] = {}
    for folder in catalogue:
        for rel in folder.procedures:
            if code := code_of(rel, files, cache):
                base.setdefault(code, _CatalogueEntry(rel, files.digest(rel), folder.folder))

    if not communes:
        problems.error(
            COMMUNES_DIR,
            "Không có thư mục xã nào trong communes/.",
            "Tạo communes/<tên-xã>/site.yml cho mỗi xã, ví dụ communes/hoa-binh/site.yml.",
        )
    for slug in sorted(set(only) - set(communes)):
        problems.error(
            "--commune",
            f"Không có xã '{slug}' trong communes/.",
            "Các xã có: " + ", ".join(communes),
        )
    plans = [_plan_commune(root, files, cache, slug, catalogue, base) for slug in wanted]
    single = [
        Recipe(root, ((r, files.digest(r)),), f.folder) for f in catalogue for r in f.procedures
    ]
    every = single + [r for plan in plans for _, _, recipes in plan.fields for r in recipes]
    prefetch_records(every, files, cache, runner)

    catalogue_fields = _catalogue_fields(files, cache, catalogue, single, catalogue_problems)
    problems.extend(catalogue_problems, group=CATALOGUE_GROUP)
    if config is None:
        return None
    sites = []
    translated: dict[Problem, None] = {}  # the catalogue's translations: once, like the rest
    for plan in plans:
        own = Problems()
        site = _assemble_commune(files, cache, own, config, plan, catalogue, base_url)
        for problem in own:
            if not problem.file.startswith(PROCEDURES_DIR + "/"):  # the catalogue's: once
                problems.add(replace(problem, group=plan.slug))
            elif _translation_of_catalogue(problem.file, catalogue):
                translated.setdefault(replace(problem, group=CATALOGUE_GROUP))
        if site is not None and not own.errors:
            sites.append(site)
    for problem in translated:
        problems.add(problem)
    if len(sites) != len(wanted) or problems.errors:
        return None
    names = {slug: _commune_name(root, slug, sites) for slug in communes}
    shared = tuple(p for f in catalogue_fields for p in f.procedures)
    return Project(root, tuple(sites), config, tuple(communes), names, shared)


def _catalogue_fields(
    files: SourceFiles,
    cache: RecordCache,
    catalogue: list[FolderFiles],
    single: list[Recipe],
    problems: Problems,
) -> list[Field]:
    by_folder: dict[str, list[Recipe]] = {}
    for recipe in single:
        by_folder.setdefault(recipe.field_folder, []).append(recipe)
    fields = []
    for folder in catalogue:
        recipes = by_folder.get(folder.folder, [])
        procedures = tuple(p for r in recipes if (p := procedure_of(r, files, cache, problems)))
        index = _field_index(files, folder.index, problems) if folder.index else None
        if folder.index is None:
            _missing_index(f"{PROCEDURES_DIR}/{folder.folder}", problems)
        elif index is not None and (
            f := validate_field_index(index, folder.folder, procedures, problems)
        ):
            fields.append(f)
    check_unique_codes(fields, problems)
    check_unique_slugs(fields, problems)
    return fields


def _commune_name(root: Path, slug: str, sites: list[Site]) -> str:
    """A commune's name, from its site when it was loaded, else from its site.yml:
    the province index lists every commune whatever this build loaded."""
    for site in sites:
        if site.home == f"{COMMUNES_DIR}/{slug}":
            return site.config.name
    doc = read_site_config(root / COMMUNES_DIR / slug, Problems())
    return str(doc.meta.get("name", slug)) if doc else slug


@dataclass
class _CommunePlan:
    """A commune's folders and the recipe of each of its procedures, before validation."""

    slug: str
    home: str
    problems: Problems
    local: dict[str, FolderFiles]
    fields: list[tuple[FolderFiles, FolderFiles | None, list[Recipe]]]


def _plan_commune(
    root: Path,
    files: SourceFiles,
    cache: RecordCache,
    slug: str,
    catalogue: list[FolderFiles],
    base: dict[str, _CatalogueEntry],
) -> _CommunePlan:
    home = f"{COMMUNES_DIR}/{slug}"
    own = Problems()
    local = {f.folder: f for f in field_folders(files, f"{home}/{PROCEDURES_DIR}", own)}
    local_codes = {rel: code_of(rel, files, cache) for f in local.values() for rel in f.procedures}
    overridden = set(local_codes.values()) & base.keys()
    plan = _CommunePlan(slug, home, own, local, [])
    for folder in [*catalogue, *(f for name, f in local.items() if name not in _names(catalogue))]:
        mine = local.get(folder.folder)
        recipes = []
        if folder in catalogue:
            for rel in folder.procedures:
                key = f"{rel}\1{files.digest(rel)}"
                if cache.codes.get(key, "") not in overridden:
                    recipes.append(Recipe(root, ((rel, files.digest(rel)),), folder.folder))
        for rel in mine.procedures if mine else []:
            layer = (rel, files.digest(rel))
            entry = base.get(local_codes[rel])
            layers = ((entry.rel, entry.digest), layer) if entry else (layer,)
            recipes.append(Recipe(root, layers, folder.folder))
        plan.fields.append((folder, mine, recipes))
    return plan


def _assemble_commune(
    files: SourceFiles,
    cache: RecordCache,
    problems: Problems,
    config: ProvinceConfig,
    plan: _CommunePlan,
    catalogue: list[FolderFiles],
    base_url: str | None,
) -> Site | None:
    root, slug, home = files.root, plan.slug, plan.home
    problems.extend(plan.problems)
    if slugify(slug) != slug:
        problems.error(
            home,
            "Tên thư mục xã dùng làm địa chỉ trang, nên chỉ gồm chữ thường không dấu, số và '-'.",
            f"Đổi tên thư mục thành {slugify(slug) or 'ten-xa'}.",
        )
    config_doc = _commune_config(root, home, problems)
    url = commune_base_url(config, config_doc, slug, base_url)
    site_config = validate_config(config_doc, problems, url) if config_doc else None
    fields = []
    codes = {x.code.lower(): x.code for x in site_config.languages} if site_config else {}
    translations: dict[tuple[str, str], Procedure] = {}
    field_translations: dict[tuple[str, str], Field] = {}
    for folder, mine, recipes in plan.fields:
        procedures = tuple(
            p for r in recipes if (p := procedure_of(r, files, cache, problems)) is not None
        )
        own_translations = (
            _commune_translation_recipes(files, folder, mine, recipes, codes, problems)
            if site_config  # as in load_single_site: unread, no translation is "unlisted"
            else []
        )
        for recipe in own_translations:
            if (p := procedure_of(recipe, files, cache, problems)) is not None:
                translations[(recipe.lang, p.code)] = p
        field = _commune_field(files, problems, folder, mine, catalogue, procedures)
        if field is not None:
            fields.append(field)
            index = _commune_index(files, folder, mine, catalogue)
            both = _folder_translations(folder, mine)
            if index is not None:
                field_translations.update(_field_translations(files, both, index, codes, problems))
    site = assemble_site(root, site_config, config_doc, fields, problems, home)
    if site is None:
        return None
    return replace(site, translations=translations, field_translations=field_translations)


def _translation_of_catalogue(rel: str, catalogue: list[FolderFiles]) -> bool:
    return any(rel == t[0] for f in catalogue for t in f.translations)


def _folder_translations(folder: FolderFiles, mine: FolderFiles | None) -> FolderFiles:
    """The field's translation files: the commune's own, then the catalogue's for the
    languages the commune does not translate itself."""
    own = list(mine.translations) if mine else []
    tags = {(source.rsplit("/", 1)[-1], tag.lower()) for _, source, tag in own}
    shared = [t for t in folder.translations if (t[1].rsplit("/", 1)[-1], t[2].lower()) not in tags]
    return FolderFiles(folder.folder, None, [], own + shared if mine is not folder else own)


def _commune_translation_recipes(
    files: SourceFiles,
    folder: FolderFiles,
    mine: FolderFiles | None,
    recipes: list[Recipe],
    codes: dict[str, str],
    problems: Problems,
) -> list[Recipe]:
    """A translation recipe for each procedure of the commune that has a translation
    beside the file it is read from last: the commune's override or local file (its own
    translation), else the catalogue's file (the catalogue's translation). A catalogue
    translation never stands for a commune's override: the override changed the facts."""
    beside: dict[str, Recipe] = {r.layers[-1][0]: r for r in recipes}
    found = []
    for rel, source, tag in _folder_translations(folder, mine).translations:
        code = codes.get(tag.lower())
        recipe = beside.get(source)
        if code is None:
            if mine is not None and (rel, source, tag) in mine.translations:
                _unknown_language(rel, tag, problems)
            continue
        if recipe is not None:
            found.append(
                Recipe(recipe.root, (*recipe.layers, (rel, files.digest(rel))), folder.folder, code)
            )
    return found


def _commune_index(
    files: SourceFiles, folder: FolderFiles, mine: FolderFiles | None, catalogue: list[FolderFiles]
) -> SourceDocument | None:
    """The field's Vietnamese index as the commune shows it (no problems: reported already)."""
    quiet = Problems()
    base = (
        _field_index(files, folder.index, quiet) if folder in catalogue and folder.index else None
    )
    if mine is not None and mine.index is not None:
        return _field_index(files, mine.index, quiet, base)
    return base


def _names(folders: list[FolderFiles]) -> set[str]:
    return {f.folder for f in folders}


def _commune_field(
    files: SourceFiles,
    problems: Problems,
    folder: FolderFiles,
    mine: FolderFiles | None,
    catalogue: list[FolderFiles],
    procedures: tuple[Procedure, ...],
) -> Field | None:
    """The field's index: the catalogue's, with the commune's _index.md over it."""
    in_catalogue = folder in catalogue
    base_doc = (
        _field_index(files, folder.index, Problems()) if in_catalogue and folder.index else None
    )
    if mine is not None and mine.index is not None:
        index = _field_index(files, mine.index, problems, base_doc)
    elif not in_catalogue:
        rel = (
            f"{mine.procedures[0].rsplit('/', 1)[0]}/"
            if mine and mine.procedures
            else folder.folder
        )
        problems.error(
            rel,
            "Lĩnh vực riêng của xã thiếu tệp _index.md.",
            "Tạo _index.md với title: (tên lĩnh vực), hoặc đặt tệp vào thư mục lĩnh vực "
            "có sẵn trong danh mục chung.",
        )
        return None
    else:
        index = base_doc
    if index is None:
        return None
    return validate_field_index(index, folder.folder, procedures, problems)


def _commune_config(root: Path, home: str, problems: Problems) -> SourceDocument | None:
    """Read site.yml; its messages name the file from the province folder."""
    own = Problems()
    doc = read_site_config(root / home, own)
    for problem in own:
        problems.add(replace(problem, file=f"{home}/{problem.file}"))
    return replace(doc, rel=f"{home}/{SITE_FILE}") if doc is not None else None


def every_procedure(project: Project) -> Iterator[Procedure]:
    for site in project.sites:
        yield from site.procedures


__all__ = [
    "Project",
    "RecordCache",
    "SourceFiles",
    "Stamp",
    "is_province",
    "load_project",
    "read_procedure",
    "site_slug",
]
