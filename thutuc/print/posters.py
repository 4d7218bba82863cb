"""Posters stage: declare every poster from the site, render the changed ones in parallel.

Each poster is declared as a `PosterSpec` (plain data: texts, URLs, paper,
distance). Its input hash is the spec plus a fingerprint of the code, fonts
and libraries that draw it; `manifest.json` records the hashes, so a rebuild
copies unchanged posters from the previous `qr/` instead of drawing them.

Layout of `qr/`: the codes (`<name>.svg`, `<name>.png`) at the top,
`ap-phich/<poster>.pdf` for the print shop, `xem-truoc/<poster>.png`
previews, `index.html` to choose what to print, `manifest.json`.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from functools import cache
from importlib.metadata import version
from pathlib import Path

import pypdfium2 as pdfium
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from thutuc.content.model import Procedure, Site
from thutuc.print.layout import (
    FONTS_DIR,
    MARGIN,
    MM_PER_METRE,
    Block,
    Code,
    LayoutError,
    PosterSpec,
    register_fonts,
    render_grid,
    render_pdf,
    symbol_modules,
)
from thutuc.print.qr import QUIET_ZONE, qr_targets, symbol_size_mm, write_qr_codes
from thutuc.problems import Problem, Severity
from thutuc.resources import TEMPLATES_DIR as TEMPLATES

log = logging.getLogger(__name__)

POSTER_DIR, PREVIEW_DIR = "ap-phich", "xem-truoc"
MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
PREVIEW_WIDTH_PX = 480
INSTRUCTION = "Quét mã QR để tra cứu thủ tục hành chính"

# Designed scanning distance (metres) of each kind of poster, and where it goes.
DISTANCE = {"board-A4": 1.0, "board-A3": 1.5, "field": 1.5, "card": 0.4, "stickers": 0.3}
DISTANCE["leaflet"] = 0.4
PURPOSE = {
    "board": "Treo ở Bộ phận Một cửa và nhà văn hóa thôn, ngang tầm mắt.",
    "field": "Dán cạnh quầy hoặc khay hồ sơ của lĩnh vực này.",
    "card": "Đặt trên quầy tiếp nhận; người dân quét bằng điện thoại cầm tay.",
    "stickers": "Cắt theo đường chấm, dán lên quầy, khay hồ sơ, bìa hồ sơ.",
    "leaflet": "Phát cho người dân mang về; 2 trang thì in hai mặt.",
}
KIND_NAMES = {
    "board": "Bảng mã QR các lĩnh vực",
    "field": "Áp phích lĩnh vực",
    "card": "Thẻ thủ tục để trên quầy",
    "stickers": "Tờ nhãn dán",
    "leaflet": "Tờ rơi thủ tục",
}


# Declaring the posters ------------------------------------------------------


def footer_text(site: Site) -> str:
    parts = []
    if site.config.hotline:
        parts.append(f"Đường dây nóng: {site.config.hotline}")
    if site.config.address:
        parts.append(site.config.address)
    return " · ".join(parts)


def board_spec(site: Site, paper: str, ecc: str) -> PosterSpec:
    codes = tuple(
        Code(site.absolute_url(f.url_path), f.title, f"{len(f.active_procedures)} thủ tục")
        for f in site.fields
    )
    heading = (Block("commune", site.config.name), Block("instruction", INSTRUCTION))
    return PosterSpec(
        f"bang-linh-vuc-{paper}", "board", paper, DISTANCE[f"board-{paper}"],
        f"{site.config.name}: {INSTRUCTION}", site.config.name, heading, codes,
        footer=footer_text(site), ecc=ecc,
    )  # fmt: skip


def field_spec(site: Site, field_slug: str, ecc: str) -> PosterSpec:
    field = site.fields_by_slug[field_slug]
    heading = (
        Block("small-center", site.config.name),
        Block("title-center", field.title),
        Block("instruction", "Quét mã để xem giấy tờ, thời gian, lệ phí từng thủ tục"),
    )
    items = [
        Block("bullet", f"{p.title} ({p.code})")
        for p in sorted(field.active_procedures, key=_by_title)
    ]
    body = (Block("h2", f"Các thủ tục ({len(field.active_procedures)})"), *items)
    return PosterSpec(
        f"ap-phich-{field.slug}", "field", "A4", DISTANCE["field"], field.title,
        site.config.name, heading, (Code(site.absolute_url(field.url_path), field.title),),
        body, footer_text(site), ecc,
    )  # fmt: skip


def _by_title(procedure: Procedure) -> tuple[str, str]:
    return procedure.sort_key


def card_spec(site: Site, procedure: Procedure, ecc: str) -> PosterSpec:
    front = procedure.front
    heading = (Block("title", front.title), Block("small", f"Mã thủ tục: {front.code}"))
    body = [Block("fact", f"Thời gian: {front.processing_time}")] if front.processing_time else []
    if front.fee:
        body.append(Block("fact", f"Phí, lệ phí: {front.fee}"))
    body.append(Block("small", "Quét mã để xem giấy tờ cần mang, cách nộp hồ sơ."))
    code = Code(site.absolute_url(procedure.url_path), front.title, front.code)
    return PosterSpec(
        f"the-{front.code}", "card", "A6", DISTANCE["card"], front.title, site.config.name,
        heading, (code,), tuple(body), _short_footer(site), ecc,
    )  # fmt: skip


def _short_footer(site: Site) -> str:
    hotline = f" · Đường dây nóng: {site.config.hotline}" if site.config.hotline else ""
    return site.config.name + hotline


def stickers_spec(site: Site, ecc: str) -> PosterSpec:
    codes = tuple(
        Code(site.absolute_url(p.url_path), p.title, f"Mã {p.code}") for p in site.active_procedures
    )
    heading = (Block("small-center", f"{site.config.name}: nhãn mã QR, cắt theo đường chấm"),)
    return PosterSpec(
        "nhan-dan", "stickers", "A4", DISTANCE["stickers"], f"{site.config.name}: nhãn mã QR",
        site.config.name, heading, codes, ecc=ecc,
    )  # fmt: skip


def leaflet_spec(site: Site, procedure: Procedure, ecc: str) -> PosterSpec:
    front = procedure.front
    url = site.absolute_url(procedure.url_path)
    heading = [Block("small", site.config.name), Block("title", front.title)]
    heading.append(Block("small", f"Mã thủ tục: {front.code}"))
    if front.summary:
        heading.append(Block("body", front.summary))
    body = leaflet_facts(site, procedure)
    steps = markdown_blocks(procedure.body)
    if steps:
        body += [Block("h2", "Các bước thực hiện"), *steps]
    body += [Block("h2", "Xem thêm"), Block("body", f"Quét mã QR ở góc trang hoặc mở {url}")]
    return PosterSpec(
        f"to-roi-{front.code}", "leaflet", "A4", DISTANCE["leaflet"], front.title,
        site.config.name, tuple(heading), (Code(url, front.title, front.code),), tuple(body),
        footer_text(site), ecc,
    )  # fmt: skip


def leaflet_facts(site: Site, procedure: Procedure) -> list[Block]:
    """What to bring, how long, how much, where: the questions residents ask first."""
    front = procedure.front
    blocks: list[Block] = []
    if front.documents:
        blocks.append(Block("h2", "Giấy tờ cần mang"))
        blocks += [Block("bullet", plain_inline(d)) for d in front.documents]
    where = front.where or site.config.address
    for heading, text in (
        ("Thời gian giải quyết", front.processing_time),
        ("Phí, lệ phí", front.fee),
        ("Nơi nộp hồ sơ", where),
        ("Giờ làm việc", site.config.opening_hours),
        ("Kết quả nhận được", front.result),
    ):
        if text:
            blocks += [Block("h2", heading), Block("body", plain_inline(text))]
    if front.methods:
        blocks.append(Block("h2", "Cách nộp"))
        blocks += [Block("bullet", _method_text(m)) for m in front.methods]
    return blocks


def _method_text(method: object) -> str:
    parts = [getattr(method, "label", "")]
    for key, label in (("processing_time", "thời gian"), ("fee", "phí")):
        if value := getattr(method, key, ""):
            parts.append(f"{label}: {value}")
    return "; ".join(parts)


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)")
_TAG = re.compile(r"<[^>]+>")
_ITEM = re.compile(r"^\s*(?:[-*+]|(\d+)[.)])\s+(.*)$")


def plain_inline(text: str) -> str:
    """Markdown inline markup to plain text: links keep their words, marks go."""
    text = _TAG.sub("", _LINK.sub(r"\1", text))
    return _EMPHASIS.sub("", text).replace("|", " ").strip()


def markdown_blocks(body: str) -> list[Block]:
    """A procedure body as headings, paragraphs and list items for print.

    Deliberately simple: a leaflet needs the words in order, not the markup."""
    blocks: list[Block] = []
    open_block = False  # whether the next plain line continues the last block
    for line in body.splitlines():
        stripped = line.strip()
        if not stripped or set(stripped) <= set("-|: "):
            open_block = False
        elif stripped.startswith("#"):
            blocks.append(Block("h2", plain_inline(stripped.lstrip("#"))))
            open_block = False
        elif item := _ITEM.match(line):
            number, text = item.groups()
            blocks.append(
                Block("numbered" if number else "bullet", plain_inline(text), number or "")
            )
            open_block = True
        elif open_block:
            last = blocks[-1]
            blocks[-1] = Block(last.style, f"{last.text} {plain_inline(stripped)}", last.marker)
        else:
            blocks.append(Block("body", plain_inline(stripped)))
            open_block = True
    return [b for b in blocks if b.text]


# A code may take at most this share of the page height: the rest is for its
# heading and labels.
MAX_CODE_HEIGHT_SHARE = 0.6


def largest_box_pt(spec: PosterSpec) -> float:
    """Side of the biggest code on `spec`, quiet zone included, at its designed size."""
    modules = max(symbol_modules(c.url, spec.ecc) for c in spec.codes)
    return (modules + 2 * QUIET_ZONE) * spec.module_pt


# The module size per metre a 1920 px, 70° phone camera needs (3 px a module).
# Posters are drawn at the robust MM_PER_METRE; they may go down to this floor
# without comment, and a field board does, to get every field on fewer sheets.
NOMINAL_MM_PER_METRE = 2.2
_FLOOR = NOMINAL_MM_PER_METRE / MM_PER_METRE
_BOARD_STEPS = 8


def fitted(spec: PosterSpec) -> PosterSpec:
    """`spec` with its codes made smaller where the paper asks for it: a field board
    to fit on the fewest sheets, or any code that cannot fit the paper at all (a
    very long address). `reach_warnings` tells the editor when that goes below
    the floor for the designed distance."""
    page_w, page_h = spec.page_size
    room = min(page_w - 2 * MARGIN, (page_h - 2 * MARGIN) * MAX_CODE_HEIGHT_SHARE)
    box = largest_box_pt(spec)
    if box > room:
        spec = replace(spec, distance_m=spec.distance_m * room / box)
    return fewest_sheets(spec) if spec.kind == "board" else spec


@cache
def sheets(spec: PosterSpec) -> int:
    """Sheets a board takes, in whichever orientation needs fewer (as render_pdf picks)."""
    register_fonts()
    counts = []
    for orientation in (spec, replace(spec, landscape=True)):
        try:
            counts.append(render_grid(orientation)[1])
        except LayoutError:  # a row of codes taller than this orientation's page
            continue
    return min(counts, default=10**6)


def fewest_sheets(spec: PosterSpec) -> PosterSpec:
    """The largest codes, between the robust size and the floor, that still put the
    board on as few sheets as the floor would: 9 fields take 2 A3 sheets, not 5."""
    fewest = sheets(replace(spec, distance_m=spec.distance_m * _FLOOR))
    for step in range(_BOARD_STEPS + 1):
        scale = 1 - (1 - _FLOOR) * step / _BOARD_STEPS
        candidate = replace(spec, distance_m=round(spec.distance_m * scale, 4))
        if sheets(candidate) <= fewest:
            return candidate
    return spec


def nominal_reach_m(spec: PosterSpec) -> float:
    """How far a typical phone reads the codes of `spec` (3 px a module)."""
    return spec.distance_m / _FLOOR


def reach_warnings(site: Site, ecc: str = "M") -> list[tuple[PosterSpec, float]]:
    """(poster, designed distance) for every poster whose codes went below the floor
    for its designed distance: a phone must come closer than the poster promises."""
    designed = {s.name: s for s in _declared_specs(site, ecc)}
    return [
        (spec, designed[spec.name].distance_m)
        for spec in poster_specs(site, ecc)
        if nominal_reach_m(spec) < designed[spec.name].distance_m - 1e-9
    ]


def _metres(value: float) -> str:
    return f"{value:.1f} m".replace(".", ",")  # Vietnamese decimal comma


def shrink_warning(spec: PosterSpec, designed_m: float) -> list[Problem]:
    """A warning when a code so long (a long field folder or code) could not print at
    the size its poster is designed for: the poster still builds, smaller."""
    if nominal_reach_m(spec) >= designed_m - 1e-9:
        return []
    message = (
        f"Mã QR quá dày để in đủ lớn trên khổ {spec.paper}: chỉ quét được từ khoảng "
        f"{_metres(nominal_reach_m(spec))} thay vì {_metres(designed_m)}."
    )
    hint = (
        "Địa chỉ trang càng ngắn, mã càng thưa. Đặt tên thư mục lĩnh vực ngắn hơn "
        "(giữ tên cũ trong aliases: của _index.md), hoặc in khổ lớn hơn."
    )
    return [Problem(f"qr/{POSTER_DIR}/{spec.name}.pdf", None, message, hint, Severity.WARNING)]


def poster_specs(site: Site, ecc: str = "M") -> list[PosterSpec]:
    """Every poster of the site, in a stable order, each fitted to its paper."""
    return [fitted(s) for s in _declared_specs(site, ecc)]


def _declared_specs(site: Site, ecc: str) -> list[PosterSpec]:
    specs = [board_spec(site, "A4", ecc), board_spec(site, "A3", ecc)]
    specs += [field_spec(site, f.slug, ecc) for f in site.fields]
    # Replaced and abolished procedures keep their page but get no new poster.
    specs += [card_spec(site, p, ecc) for p in site.active_procedures]
    if site.active_procedures:
        specs.append(stickers_spec(site, ecc))
    specs += [leaflet_spec(site, p, ecc) for p in site.active_procedures]
    return [s for s in specs if s.codes]


# Hashes and the manifest ----------------------------------------------------


@cache
def code_fingerprint() -> str:
    """Hash of what draws a poster besides its spec: our code, fonts, libraries."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in ("posters.py", "layout.py", "qr.py"):
        digest.update((here / name).read_bytes())
    for font in sorted(FONTS_DIR.glob("*.ttf")):
        digest.update(font.read_bytes())
    for package in ("reportlab", "zxing-cpp", "pypdfium2", "pillow"):
        digest.update(version(package).encode())
    return digest.hexdigest()


def spec_hash(spec: PosterSpec) -> str:
    data = json.dumps(asdict(spec), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{code_fingerprint()}\n{data}".encode()).hexdigest()


@dataclass(frozen=True)
class PosterRecord:
    """One line of the manifest: a rendered poster and what it was made from."""

    name: str
    kind: str
    paper: str
    hash: str
    pages: int
    pdf: str  # path relative to qr/
    preview: str


def read_manifest(qr_dir: Path | None) -> dict[str, PosterRecord]:
    if qr_dir is None or not (qr_dir / MANIFEST).is_file():
        return {}
    try:
        data = json.loads((qr_dir / MANIFEST).read_text(encoding="utf-8"))
        if data.get("format") != MANIFEST_FORMAT:
            return {}
        return {r["name"]: PosterRecord(**r) for r in data["posters"]}
    except (ValueError, KeyError, TypeError):
        return {}  # a damaged manifest only costs a full re-render


def write_manifest(qr_dir: Path, records: list[PosterRecord]) -> Path:
    data = {"format": MANIFEST_FORMAT, "posters": [asdict(r) for r in records]}
    path = qr_dir / MANIFEST
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def reuse(previous_dir: Path, old: PosterRecord, qr_dir: Path) -> bool:
    """Hard-link (or copy) an unchanged poster from the previous qr/; False if it is gone."""
    sources = [previous_dir / old.pdf, previous_dir / old.preview]
    if not all(p.is_file() for p in sources):
        return False
    for source, rel in zip(sources, (old.pdf, old.preview), strict=True):
        target = qr_dir / rel
        try:
            os.link(source, target)
        except OSError:  # another file system, or links not allowed
            shutil.copy2(source, target)
    return True


# Rendering ------------------------------------------------------------------


def draw_poster(spec: PosterSpec) -> tuple[bytes, bytes, int]:
    """One poster's PDF, the PNG preview of its first page, and its number of pages."""
    data = render_pdf(spec)
    document = pdfium.PdfDocument(data)
    try:
        page = document[0]
        image = page.render(scale=PREVIEW_WIDTH_PX / page.get_width()).to_pil()
        preview = io.BytesIO()
        image.convert("RGB").save(preview, format="PNG")
        return data, preview.getvalue(), len(document)
    finally:
        document.close()


def render_poster(spec: PosterSpec, pdf_path: Path, preview_path: Path) -> int:
    """Draw one poster and its preview; return its number of pages. Runs in a worker."""
    data, preview, pages = draw_poster(spec)
    pdf_path.write_bytes(data)
    preview_path.write_bytes(preview)
    return pages


def _render_job(job: tuple[PosterSpec, Path, Path]) -> int:
    return render_poster(*job)


def render_all(jobs: list[tuple[PosterSpec, Path, Path]], workers: int) -> list[int]:
    """Render in parallel; results in the order of `jobs` whatever finishes first."""
    if workers <= 1 or len(jobs) <= 1:
        return [_render_job(job) for job in jobs]
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        chunk = max(1, len(jobs) // (workers * 4))
        return list(pool.map(_render_job, jobs, chunksize=chunk))


def write_posters(
    site: Site,
    qr_dir: Path,
    previous_qr_dir: Path | None = None,
    jobs: int | None = None,
    ecc: str = "M",
) -> list[Path]:
    """Write every poster PDF, its PNG preview, index.html and manifest.json into qr_dir.

    Posters whose input hash matches `previous_qr_dir`'s manifest are reused."""
    (qr_dir / POSTER_DIR).mkdir(parents=True, exist_ok=True)
    (qr_dir / PREVIEW_DIR).mkdir(parents=True, exist_ok=True)
    if any(not (qr_dir / f"{t.name}.svg").is_file() for t in qr_targets(site)):
        write_qr_codes(site, qr_dir, ecc)
    previous = read_manifest(previous_qr_dir)
    specs = poster_specs(site, ecc)
    records: list[PosterRecord] = []
    todo: list[tuple[int, PosterSpec, Path, Path]] = []
    for spec in specs:
        record = PosterRecord(
            spec.name, spec.kind, spec.paper, spec_hash(spec), 0,
            f"{POSTER_DIR}/{spec.name}.pdf", f"{PREVIEW_DIR}/{spec.name}.png",
        )  # fmt: skip
        old = previous.get(spec.name)
        unchanged = old is not None and (old.hash, old.pdf) == (record.hash, record.pdf)
        if old and unchanged and previous_qr_dir and reuse(previous_qr_dir, old, qr_dir):
            records.append(PosterRecord(**{**asdict(record), "pages": old.pages}))
            continue
        todo.append((len(records), spec, qr_dir / record.pdf, qr_dir / record.preview))
        records.append(record)
    pages = render_all([job[1:] for job in todo], jobs or os.cpu_count() or 1)
    for (index, *_), count in zip(todo, pages, strict=True):
        records[index] = PosterRecord(**{**asdict(records[index]), "pages": count})
    log.info("áp phích: vẽ %d, dùng lại %d", len(todo), len(records) - len(todo))
    contact_sheet = write_index(site, qr_dir, records, {s.name: s for s in specs})
    files = [qr_dir / p for r in records for p in (r.pdf, r.preview)]
    return [*files, contact_sheet, write_manifest(qr_dir, records)]


# The contact sheet ----------------------------------------------------------


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def _decimal(value: float) -> str:
    return f"{value:g}".replace(".", ",")  # Vietnamese decimal comma


def poster_row(spec: PosterSpec, pages: int) -> dict[str, object]:
    """What the contact sheet says of one poster (its file size comes from the file)."""
    module = spec.distance_m * MM_PER_METRE
    side = max(symbol_size_mm(c.url, spec.ecc, module) for c in spec.codes)
    return {
        "name": spec.name,
        "paper": spec.paper,
        "pages": pages,
        "pdf": f"{POSTER_DIR}/{spec.name}.pdf",
        "preview": f"{PREVIEW_DIR}/{spec.name}.png",
        "kind": KIND_NAMES[spec.kind],
        "title": spec.title,
        "purpose": PURPOSE[spec.kind],
        "distance": _decimal(spec.distance_m),
        "module": _decimal(round(module, 2)),
        "side": f"{side:.0f}",
        "codes": len(spec.codes),
    }


def poster_rows(
    qr_dir: Path, records: list[PosterRecord], specs: dict[str, PosterSpec]
) -> list[dict[str, object]]:
    return [{**poster_row(specs[r.name], r.pages), "size": _size(qr_dir / r.pdf)} for r in records]


def contact_sheet(
    site: Site, qr_dir: Path, rows: list[dict[str, object]], png: bool = True
) -> bytes:
    """qr/index.html from the poster rows and the codes found in `qr_dir`."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined
    )
    codes = [
        {
            "target": t,
            "png_size": _size(qr_dir / f"{t.name}.png") if png else "",
            "svg_size": _size(qr_dir / f"{t.name}.svg"),
        }
        for t in qr_targets(site)
    ]
    sized = [{**row, "size": _size(qr_dir / str(row["pdf"]))} for row in rows]
    html = env.get_template("qr_index.html").render(
        site=site.config, posters=sized, codes=codes,
        quiet_zone=QUIET_ZONE, mm_per_metre=_decimal(MM_PER_METRE),
    )  # fmt: skip
    return html.encode("utf-8")


def write_index(
    site: Site, qr_dir: Path, records: list[PosterRecord], specs: dict[str, PosterSpec]
) -> Path:
    """qr/index.html: every poster and code, with thumbnails, sizes and where it goes."""
    rows = [poster_row(specs[r.name], r.pages) for r in records]
    path = qr_dir / "index.html"
    path.write_bytes(contact_sheet(site, qr_dir, rows))
    return path


# Posters as the engine declares them -----------------------------------------


@dataclass(frozen=True)
class PosterJob:
    """One poster as an artifact: its name and what its spec is made from, a site
    cut down to what the poster shows, so the spec (and a procedure's full
    record) is only computed when the poster must be drawn."""

    name: str
    kind: str
    make: str  # a spec function of this module
    site: Site
    subject: object  # the paper, the field's slug or the procedure; None for stickers
    ecc: str

    def spec(self) -> PosterSpec:
        return fitted(self._declared())

    def declared_distance(self) -> float:
        """The distance the poster is designed for, before fitting it to its paper."""
        return self._declared().distance_m

    def _declared(self) -> PosterSpec:
        make = _SPEC_FUNCTIONS[self.make]
        if self.subject is None:
            return make(self.site, self.ecc)
        return make(self.site, self.subject, self.ecc)


_SPEC_FUNCTIONS: dict[str, Callable[..., PosterSpec]] = {
    "board_spec": board_spec,
    "field_spec": field_spec,
    "card_spec": card_spec,
    "stickers_spec": stickers_spec,
    "leaflet_spec": leaflet_spec,
}


def poster_jobs(site: Site, ecc: str = "M") -> list[PosterJob]:
    """Every poster of the site, in the order of `poster_specs`, without drawing."""
    lists = site.listed()  # boards, field posters and stickers show summaries
    alone = Site(site.root, site.config, (), home=site.home)  # a card and a leaflet read the config
    jobs = []
    if site.fields:
        jobs += [
            PosterJob(f"bang-linh-vuc-{p}", "board", "board_spec", lists, p, ecc)
            for p in ("A4", "A3")
        ]
    for field in lists.fields:
        one = Site(site.root, site.config, (field,), home=site.home)
        jobs.append(
            PosterJob(f"ap-phich-{field.slug}", "field", "field_spec", one, field.slug, ecc)
        )
    active = site.active_procedures
    jobs += [PosterJob(f"the-{p.code}", "card", "card_spec", alone, p, ecc) for p in active]
    if active:
        jobs.append(PosterJob("nhan-dan", "stickers", "stickers_spec", lists, None, ecc))
    jobs += [
        PosterJob(f"to-roi-{p.code}", "leaflet", "leaflet_spec", alone, p, ecc) for p in active
    ]
    return jobs


__all__ = ["poster_specs", "write_posters"]
