"""Posters stage: declare every poster of the site as a job, draw one from its spec.

Each poster is a `PosterSpec` (plain data: texts, URLs, paper, distance),
made from a `PosterJob`. The engine (engine/artifacts.py) keys each poster by
what it is given, so a rebuild draws only the posters whose inputs changed, in
the build's one pool of workers.

Layout of `qr/`: the codes (`<name>.svg`, `<name>.png`) at the top,
`ap-phich/<poster>.pdf` for the print shop, `xem-truoc/<poster>.png`
previews, `index.html` to choose what to print.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from thutuc.content.markdown import inline_html, plain_text
from thutuc.content.model import Field, Procedure, Site, SiteConfig
from thutuc.content.text import nfc, vi_date
from thutuc.print.board import CONTACT_DISTANCE_M, fit_board, fits_at_designed
from thutuc.print.card import fit_card
from thutuc.print.field import fit_field
from thutuc.print.glyphs import missing
from thutuc.print.languages import Words, text_labels, words_of
from thutuc.print.layout import (
    MARGIN,
    MM_PER_METRE,
    NOMINAL_MM_PER_METRE,
    Block,
    Code,
    Paper,
    PosterSpec,
    address_text,
    box_pt,
    render_pdf,
)
from thutuc.print.leaflet import fit_leaflet, inline_markup, leaflet_html
from thutuc.print.offline import MAX_TEXT_BYTES, inline_text, offline_text
from thutuc.print.qr import QUIET_ZONE, contact_vcard, qr_targets, symbol_size_mm
from thutuc.resources import TEMPLATES_DIR as TEMPLATES
from thutuc.site.strings import SOURCE_LANGUAGE

POSTER_DIR, PREVIEW_DIR = "ap-phich", "xem-truoc"
PREVIEW_WIDTH_PX = 480
SHOP_BOARD = "bang-linh-vuc-hang-in"  # the print-shop board: its paper depends on the fields
SHOP_PAPERS = ("A2", "A1", "A0")

# Designed reading distance (metres) of each kind of poster. The field board's
# A3 and print-shop versions are read from site.yml's board_distance_m (1.5 m).
DISTANCE = {"board-A4": 1.0, "field": 1.5, "card": 0.4, "stickers": 0.3, "leaflet": 0.4}
TEXT_CODE_DISTANCE_M = 0.3  # the no-signal code: read up close, from the hand
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


def vietnamese(site: Site) -> Words:
    """The words of the Vietnamese posters: templates/strings/vi.yml, the site's own
    over the bundled one, as the pages have them (a poster's key holds the site's
    templates digest, so editing the file redraws the posters)."""
    return words_of(site, SOURCE_LANGUAGE)


def made_on(site: Site) -> date | None:
    """The date a board says it was made: the newest date the facts of a procedure
    were checked (`updated`, else its last commit). Never today: two builds of the
    same content stay byte-identical, and the date says how fresh the facts are."""
    dates = [d for p in site.active_procedures if (d := site.checked_on(p))]
    return max(dates, default=None)


def footer_blocks(site: Site, words: Callable[..., str]) -> tuple[Block, ...]:
    """The short footer of cards, field posters and leaflets: commune, hotline
    (`words`: a language's Words, or a bilingual poster's labels)."""
    config = site.config
    parts = [Block("footer", config.name)]
    if config.hotline:
        parts.append(Block("footer", f"{words('hotline')}: {config.hotline}"))
    return tuple(parts)


def board_footer(site: Site, words: Words) -> tuple[Block, ...]:
    config = site.config
    blocks = []
    if config.hotline:
        blocks.append(Block("hotline", f"{words('hotline')}: {config.hotline}"))
    if contact_vcard(site):
        blocks.append(Block("small", words("print_save_contact")))
    if config.address:
        blocks.append(Block("footer", f"{words('address')}: {config.address}"))
    if config.opening_hours:
        blocks.append(Block("footer", f"{words('opening_hours')}: {config.opening_hours}"))
    if config.hotline or config.address:
        blocks.append(Block("footer", words("print_feedback")))
    if made := made_on(site):
        blocks.append(Block("small", words("print_updated", date=vi_date(made))))
    return tuple(blocks)


def contact_code(site: Site, words: Words) -> Code | None:
    vcard = contact_vcard(site)
    if not vcard:
        return None
    caption = words("print_contact_caption")
    return Code(vcard, "", kind="contact", distance_m=CONTACT_DISTANCE_M, caption=caption)


def board_spec(site: Site, paper: str, ecc: str, print_shop: bool = False) -> PosterSpec:
    """The field board on `paper` ("A4", "A3", or a print-shop paper)."""
    name = f"bang-linh-vuc-{paper}" if paper in ("A4", "A3") else SHOP_BOARD
    distance = site.config.board_distance_m
    if paper == "A4":
        distance = min(DISTANCE["board-A4"], distance)
    words = vietnamese(site)
    codes = tuple(_field_code(site, f, words) for f in site.fields)
    headline = words("print_headline")
    heading = (
        Block("commune", site.config.name),
        Block("headline", headline),
        Block("howto", words("print_howto_camera")),
        Block("howto", words("print_howto_zalo")),
    )
    return PosterSpec(
        name, "board", paper, distance, f"{site.config.name}: {headline}", site.config.name,
        heading, codes, footer=board_footer(site, words), ecc=ecc, print_shop=print_shop,
        designed_m=distance, contact=contact_code(site, words),
    )  # fmt: skip


def _field_code(site: Site, field: Field, words: Words) -> Code:
    url = site.absolute_url(field.url_path)
    count = words("procedure_count", n=len(field.active_procedures))
    return Code(url, field.title, count, caption=address_text(url))


def field_spec(site: Site, field_slug: str, ecc: str, print_shop: bool = False) -> PosterSpec:
    field, words = site.fields_by_slug[field_slug], vietnamese(site)
    heading = (
        Block("small", site.config.name),
        Block("title", field.title),
        Block("instruction", words("print_field_instruction")),
    )
    items = [
        Block("bullet", f"{p.title} ({p.code})")
        for p in sorted(field.active_procedures, key=by_title)
    ]
    body = (Block("h2", words("print_field_list", n=len(field.active_procedures))), *items)
    distance = DISTANCE["field"]
    return PosterSpec(
        f"ap-phich-{field.slug}", "field", "A4", distance, field.title, site.config.name,
        heading, (_field_code(site, field, words),), body, footer_blocks(site, words), ecc,
        print_shop=print_shop, designed_m=distance, source=field.source,
        page_word=words("print_page"),
    )  # fmt: skip


def by_title(procedure: Procedure) -> tuple[str, str]:
    return procedure.sort_key


def procedure_codes(
    site: Site, procedure: Procedure, distance: float, words: Words
) -> tuple[Code, Code]:
    """The page's address, and beside it the key facts as text for a phone with no signal."""
    url = site.absolute_url(procedure.url_path)
    page = Code(
        url, procedure.title, procedure.code, distance_m=distance, caption=address_text(url)
    )
    text = offline_text(site, procedure, MAX_TEXT_BYTES, text_labels(words))
    facts = Code(
        text, procedure.title, kind="text", caption=words("print_offline_label"),
        distance_m=TEXT_CODE_DISTANCE_M * distance / DISTANCE["card"],
    )  # fmt: skip
    return page, facts


def _fact(label: str, text: str) -> Block:
    """A fact for a card, as reportlab markup from the page's own inline HTML."""
    return Block("fact", f"<b>{label}:</b> {inline_markup(inline_html(text))}")


def document_blocks(heading: str, documents: tuple[str, ...]) -> list[Block]:
    """A card's documents: their heading, then one bullet each (the page's inline markup)."""
    return [Block("h", heading), *(Block("bullet", document_markup(d)) for d in documents)]


def document_markup(text: str) -> str:
    return inline_markup(inline_html(text))


def card_spec(site: Site, procedure: Procedure, ecc: str, print_shop: bool = False) -> PosterSpec:
    front, words = procedure.front, vietnamese(site)
    heading = (
        Block("small", site.config.name),
        Block("title", front.title),
        Block("instruction", words("print_card_instruction")),
    )
    body = [_fact(words("print_text_time"), front.processing_time)] if front.processing_time else []
    if front.fee:
        body.append(_fact(words("print_text_fee"), front.fee))
    if front.documents:
        body += document_blocks(words("documents"), front.documents)
    distance = DISTANCE["card"]
    return PosterSpec(
        f"the-{front.code}", "card", "A5", distance, front.title, site.config.name, heading,
        procedure_codes(site, procedure, distance, words), tuple(body), footer_blocks(site, words), ecc,
        print_shop=print_shop, designed_m=distance, source=procedure.source,
    )  # fmt: skip


def stickers_spec(site: Site, ecc: str, print_shop: bool = False) -> PosterSpec:
    words, codes = vietnamese(site), []
    for p in site.active_procedures:
        url = site.absolute_url(p.url_path)
        label = words("print_sticker_code", code=p.code)
        codes.append(Code(url, p.title, label, caption=address_text(url)))
    heading = (Block("small", words("print_stickers_heading", name=site.config.name)),)
    distance = DISTANCE["stickers"]
    return PosterSpec(
        "nhan-dan", "stickers", "A4", distance, f"{site.config.name}: nhãn mã QR",
        site.config.name, heading, tuple(codes), ecc=ecc, print_shop=print_shop,
        designed_m=distance,
    )  # fmt: skip


def leaflet_spec(
    site: Site, procedure: Procedure, ecc: str, print_shop: bool = False
) -> PosterSpec:
    front, words = procedure.front, vietnamese(site)
    heading = (
        Block("small", site.config.name),
        Block("title", front.title),
        Block("small", words("procedure_code", code=front.code)),
    )
    distance = DISTANCE["leaflet"]
    return PosterSpec(
        f"to-roi-{front.code}", "leaflet", "A4", distance, front.title, site.config.name,
        heading, procedure_codes(site, procedure, distance, words),
        (Block("html", leaflet_html(site, procedure, words)),), footer_blocks(site, words), ecc,
        print_shop=print_shop, designed_m=distance, source=procedure.source,
        page_word=words("print_page"),
    )  # fmt: skip


# Fitting each poster to its paper ---------------------------------------------


def fitted(spec: PosterSpec) -> PosterSpec:
    """`spec` with its codes as large as its paper allows, up to its designed distance:
    a board on one sheet, a card's two codes side by side, a long address's dense
    code on its page. `spec_problems` says when that is shorter than designed."""
    if spec.kind == "board":
        return _fitted_board(spec)
    if spec.kind == "card":
        return fit_card(spec)
    if spec.kind == "leaflet":
        return fit_leaflet(spec)
    if spec.kind == "field":
        return fit_field(spec)
    return _fit_stickers(spec)


def _fitted_board(spec: PosterSpec) -> PosterSpec:
    shop = spec.name.split(".", 1)[0] == SHOP_BOARD  # "bang-linh-vuc-hang-in.en" too
    return _fit_shop_board(spec) if shop else fit_board(spec)


def _fit_shop_board(spec: PosterSpec) -> PosterSpec:
    """The smallest of A2, A1, A0 holding every field at the designed distance; an A0
    at a shorter one when even that cannot (tens of fields, or a long address)."""
    for paper in SHOP_PAPERS:
        if (fits := fits_at_designed(replace(spec, paper=paper))) is not None:
            return fits
    return fit_board(replace(spec, paper=SHOP_PAPERS[-1]))


def _fit_stickers(spec: PosterSpec) -> PosterSpec:
    from thutuc.print.card import scaled

    page_w = spec.page_size[0]
    box = max(box_pt(c, spec.ecc, spec.module_pt) for c in spec.codes)
    room = page_w - 2 * MARGIN
    return scaled(spec, room / box) if box > room else spec


def poster_specs(site: Site, ecc: str = "M", print_shop: bool | None = None) -> list[PosterSpec]:
    """Every poster of the site, in a stable order, each fitted to its paper.
    `print_shop` (None: site.yml's `print_shop`) adds bleed and crop marks."""
    return [fitted(s) for s in declared_specs(site, ecc, print_shop)]


def declared_specs(site: Site, ecc: str = "M", print_shop: bool | None = None) -> list[PosterSpec]:
    shop = site.config.print_shop if print_shop is None else print_shop
    specs = [board_spec(site, paper, ecc, shop) for paper in ("A4", "A3", SHOP_PAPERS[0])]
    specs += [field_spec(site, f.slug, ecc, shop) for f in site.fields]
    # Replaced and abolished procedures keep their page but get no new poster.
    specs += [card_spec(site, p, ecc, shop) for p in site.active_procedures]
    if site.active_procedures:
        specs.append(stickers_spec(site, ecc, shop))
    specs += [leaflet_spec(site, p, ecc, shop) for p in site.active_procedures]
    specs += [job.declared() for job in _language_jobs(site, ecc, shop)]
    return [s for s in specs if s.codes]


def _language_jobs(site: Site, ecc: str, print_shop: bool) -> list[PosterJob]:
    """The posters of the languages that print (print/languages.py), after the Vietnamese."""
    if not any(x.posters for x in site.config.languages):
        return []
    from thutuc.print.languages import language_jobs

    return language_jobs(site, ecc, print_shop)


# What the build tells the editor ----------------------------------------------


def nominal_reach_m(spec: PosterSpec) -> float:
    """How far a typical phone reads the codes of `spec` (3 px a module)."""
    return spec.distance_m * MM_PER_METRE / NOMINAL_MM_PER_METRE


@dataclass(frozen=True)
class Reach:
    """A poster whose codes are drawn for a shorter distance than it is designed for."""

    poster: str
    kind: str
    paper: str
    designed_m: float
    distance_m: float  # at 2.9 mm a module per metre, after fitting

    @property
    def nominal_m(self) -> float:
        return self.distance_m * MM_PER_METRE / NOMINAL_MM_PER_METRE

    @property
    def below_floor(self) -> bool:
        """A typical phone must come closer than designed (below 2.2 mm/m)."""
        return self.nominal_m < self.designed_m - 1e-9


@dataclass(frozen=True)
class PosterProblem:
    """A problem to report with the build, as data; the engine adds it to Problems."""

    file: str
    message: str
    hint: str
    severity: str  # "warning" or "notice"
    line: int | None = None


def _metres(value: float) -> str:
    return f"{value:.1f} m".replace(".", ",")  # Vietnamese decimal comma


def _reach_problem(reach: Reach, fields: int) -> PosterProblem:
    where = f"qr/{POSTER_DIR}/{reach.poster}.pdf"
    severity = "warning" if reach.below_floor else "notice"
    if reach.kind == "board":
        message = (
            f"{fields} lĩnh vực không vừa một tờ {reach.paper} ở khoảng cách "
            f"{_metres(reach.designed_m)}: bảng in mã nhỏ hơn, quét được từ khoảng "
            f"{_metres(reach.distance_m)} (điện thoại tốt: {_metres(reach.nominal_m)})."
        )
        hint = "Treo bảng này ở nơi người dân đứng gần"
        stem, dot, lang = reach.poster.partition(".")  # a board in a language: ".en"
        if stem != SHOP_BOARD:
            hint += f", hoặc in {SHOP_BOARD}{dot}{lang}.pdf ở hàng in"
        return PosterProblem(where, message, hint + ".", severity)
    message = (
        f"Mã QR quá dày để in đủ lớn trên khổ {reach.paper}: mã in nhỏ hơn, quét được từ "
        f"khoảng {_metres(reach.distance_m)} thay vì {_metres(reach.designed_m)} "
        f"(điện thoại tốt: {_metres(reach.nominal_m)})."
    )
    hint = (
        "Địa chỉ trang càng ngắn, mã càng thưa. Đặt tên thư mục lĩnh vực ngắn hơn "
        "(giữ tên cũ trong aliases: của _index.md), hoặc in khổ lớn hơn."
    )
    return PosterProblem(where, message, hint, severity)


def _glyph_problem(file: str, chars: str, line: int | None) -> PosterProblem:
    shown = ", ".join(f"“{c}” (U+{ord(c):04X})" for c in chars[:8])
    return PosterProblem(
        file,
        f"Áp phích không có phông chữ cho ký tự {shown}: sẽ in thành ô trống.",
        "Thay bằng chữ hoặc dấu thường dùng; nếu là chữ của một dân tộc, báo "
        "người quản trị để thêm phông Noto của chữ đó vào thutuc/print/fonts.",
        "warning",
        line,
    )


def spec_problems(spec: PosterSpec) -> list[PosterProblem]:
    """What one poster tells the editor, from its spec alone, for an engine that
    builds posters one at a time: its codes drawn for a shorter distance than
    designed. A character no font draws is told by the file it is written in
    (`printed_sources`), not by each poster that prints it."""
    if spec.distance_m < spec.designed_distance_m - 1e-9:
        reach = Reach(spec.name, spec.kind, spec.paper, spec.designed_distance_m, spec.distance_m)
        return [_reach_problem(reach, len(spec.codes))]
    return []


def printed_sources(site: Site) -> list[tuple[str, tuple[str, ...] | Procedure]]:
    """Every file an editor writes that the posters print from, with what they print
    of it: its texts, or its procedure (whose body is read where it is checked).
    One poster prints words from several files (a field poster: site.yml's name,
    the field's title, each procedure's title), so a character no font draws is
    looked for here, once in the file that has it."""
    from thutuc.print.languages import PRINT_KEYS, poster_languages
    from thutuc.site.strings import bundled, own_strings, strings_file

    config, languages = site.config, poster_languages(site)
    settings = [config.name, config.address, config.hotline, config.opening_hours]
    for language in languages:
        settings += _strings_in(dict(language.site))
    sources: list[tuple[str, tuple[str, ...] | Procedure]] = [
        (site.own_file("site.yml"), tuple(settings))
    ]
    codes = {language.code for language in languages}
    for field in site.fields:
        sources.append((field.source, (field.title,)))
    for (code, _), field in sorted(site.field_translations.items()):
        if code in codes:
            sources.append((field.source, (field.title,)))
    sources += [(p.source, p) for p in site.active_procedures]
    active = {p.code for p in site.active_procedures}
    for (code, procedure_code), translation in sorted(site.translations.items()):
        if code in codes and procedure_code in active:
            sources.append((translation.source, translation))
    # The site's own words for the posters: Vietnamese, and the languages that print.
    for code in sorted(codes | {SOURCE_LANGUAGE}):
        ours = bundled(code)
        own = {
            k: v
            for k, v in own_strings(site.root, code).items()
            if k in PRINT_KEYS and ours.get(k) != v
        }
        if own:  # templates/ is the project's: a province's, for all its communes
            file = strings_file(site.root, code).relative_to(site.root).as_posix()
            sources.append((file, tuple(_strings_in(own))))
    return sources


def _strings_in(value: object) -> list[str]:
    """Every string in a value read from YAML (a mapping of texts, lists of contacts)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings_in(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings_in(v)]
    return []


def _procedure_texts(procedure: Procedure) -> list[str]:
    """Everything a card or leaflet may print of a procedure: its facts and its body."""
    front = procedure.front
    lines = [front.title, front.summary, front.processing_time, front.fee, front.where]
    lines += [front.agency, front.result, front.applicants, front.conditions, front.decision]
    lines += [*front.documents, *front.legal_basis, *(f.title for f in front.forms)]
    lines += [m.processing_time + m.fee for m in front.methods]
    # the body as the leaflet prints it: an entity (&#x1F414;) is the character it
    # prints, a comment is nothing
    return [*(inline_text(t) for t in lines), plain_text(procedure.body)]


def glyph_problems(
    file: str, printed: tuple[str, ...] | Procedure, root: Path
) -> list[PosterProblem]:
    """A character of `file` (under the project's `root`) no poster font draws: it
    would print as an empty box. The problem names the first line that has one."""
    if isinstance(printed, Procedure):
        if printed.recipe and not any(_may_print_a_box(root / r) for r, _ in printed.recipe.layers):
            return []
        texts: Sequence[str] = _procedure_texts(printed)
    else:
        texts = printed
    chars = missing("\n".join(texts))
    if not chars:
        return []
    return [_glyph_problem(file, chars, _line_with(root / file, chars))]


def _may_print_a_box(path: Path) -> bool:
    """Whether a procedure's file, as typed, may hold a character no font draws: one
    of its own, or one written as an HTML entity (&#x1F414;) or a YAML escape
    ("\\U0001F414"). Most files hold none, and then their body need not be parsed."""
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return True
    return bool(_ENTITY.search(text)) or "\\" in text or bool(missing(text))


_ENTITY = re.compile(r"&(?:#|[A-Za-z][A-Za-z0-9]*;)")  # "&#x1F37C;", "&hearts;", not "A & B"


def _line_with(path: Path, chars: str) -> int | None:
    """The first line of `path` holding one of `chars` as typed (an entity has none)."""
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return None
    wanted = set(chars)
    for number, line in enumerate(text.splitlines(), 1):
        if wanted & set(nfc(line)):
            return number
    return None


# Rendering ------------------------------------------------------------------


def draw_poster(spec: PosterSpec) -> tuple[bytes, bytes, int]:
    """One poster's PDF, the PNG preview of its first page (the finished sheet, without
    a print shop's border), and its number of pages. Runs in a worker."""
    data = render_pdf(spec)
    document = pdfium.PdfDocument(data)
    try:
        page = document[0]
        border = Paper.of(spec).border
        scale = PREVIEW_WIDTH_PX / (page.get_width() - 2 * border)
        image = page.render(scale=scale, crop=(border,) * 4).to_pil()
        preview = io.BytesIO()
        image.convert("L").save(preview, format="PNG")  # black ink only: grey is enough
        return data, preview.getvalue(), len(document)
    finally:
        document.close()


def render_poster(spec: PosterSpec, pdf_path: Path, preview_path: Path) -> int:
    """Draw one poster and its preview into files; return its number of pages."""
    data, preview, pages = draw_poster(spec)
    pdf_path.write_bytes(data)
    preview_path.write_bytes(preview)
    return pages


# The contact sheet ----------------------------------------------------------


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def _decimal(value: float) -> str:
    return f"{value:g}".replace(".", ",")  # Vietnamese decimal comma


def poster_row(spec: PosterSpec, pages: int) -> dict[str, object]:
    """What the contact sheet says of one poster (its file size comes from the file)."""
    module = spec.distance_m * MM_PER_METRE
    urls = [c for c in spec.codes if c.kind == "url"] or list(spec.codes)
    side = max(symbol_size_mm(c.payload, spec.ecc, module) for c in urls)
    shrunk = spec.distance_m < spec.designed_distance_m - 1e-9
    return {
        "name": spec.name,
        "paper": spec.paper + (" ngang" if spec.landscape else ""),
        "pages": pages,
        "pdf": f"{POSTER_DIR}/{spec.name}.pdf",
        "preview": f"{PREVIEW_DIR}/{spec.name}.png",
        "kind": KIND_NAMES[spec.kind],
        "language": spec.lang,
        "title": spec.title,
        "purpose": PURPOSE[spec.kind],
        "distance": _decimal(round(spec.distance_m, 2)),
        "designed": _decimal(round(spec.designed_distance_m, 2)) if shrunk else "",
        "module": _decimal(round(module, 2)),
        "side": f"{side:.0f}",
        "codes": len(spec.codes) + (1 if spec.contact else 0),
        "print_shop": spec.print_shop,
    }


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
        quiet_zone=QUIET_ZONE, mm_per_metre=_decimal(MM_PER_METRE), no_cards=_no_cards(site),
    )  # fmt: skip
    return html.encode("utf-8")


def _no_cards(site: Site) -> list[tuple[object, Procedure]]:
    """Procedures with no card in a language that prints (no translation yet)."""
    if not any(x.posters for x in site.config.languages):
        return []
    from thutuc.print.languages import untranslated_cards

    return list(untranslated_cards(site))


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
    print_shop: bool

    def spec(self) -> PosterSpec:
        return fitted(self.declared())

    def declared(self) -> PosterSpec:
        make = _SPEC_FUNCTIONS.get(self.make) or _language_spec_functions()[self.make]
        if self.subject is None:
            return make(self.site, self.ecc, self.print_shop)
        return make(self.site, self.subject, self.ecc, self.print_shop)


def _language_spec_functions() -> dict[str, Callable[..., PosterSpec]]:
    from thutuc.print.languages import language_board_spec, language_card_spec, language_field_spec

    return {
        "language_board_spec": language_board_spec,
        "language_field_spec": language_field_spec,
        "language_card_spec": language_card_spec,
    }


_SPEC_FUNCTIONS: dict[str, Callable[..., PosterSpec]] = {
    "board_spec": board_spec,
    "field_spec": field_spec,
    "card_spec": card_spec,
    "stickers_spec": stickers_spec,
    "leaflet_spec": leaflet_spec,
}


def poster_jobs(site: Site, ecc: str = "M", print_shop: bool | None = None) -> list[PosterJob]:
    """Every poster of the site, in the order of `declared_specs`, without drawing:
    each with the part of the site it shows (lists: summaries; a card or leaflet:
    its procedure, and its commit date for the date it was checked)."""
    shop = site.config.print_shop if print_shop is None else print_shop
    lists = replace(site.listed(), commit_dates=site.commit_dates)  # boards print the newest date
    jobs = []
    if site.fields:
        jobs += [
            PosterJob(name, "board", "board_spec", lists, paper, ecc, shop)
            for name, paper in (
                ("bang-linh-vuc-A4", "A4"), ("bang-linh-vuc-A3", "A3"), (SHOP_BOARD, SHOP_PAPERS[0])
            )
        ]  # fmt: skip
    for field in site.listed().fields:
        one = Site(site.root, site.config, (field,), home=site.home)
        jobs.append(
            PosterJob(f"ap-phich-{field.slug}", "field", "field_spec", one, field.slug, ecc, shop)
        )
    # Settings no card or leaflet prints, left out of their site so that changing
    # one does not redraw every procedure's card and leaflet (they are keyed by
    # what they are given, engine/artifacts.py).
    unprinted = replace(
        site.config,
        board_distance_m=SiteConfig.board_distance_m,  # only the boards use it
        stale_after_months=SiteConfig.stale_after_months,
        exclude=(),
    )
    alone = {}  # one site per procedure, its card's and its leaflet's (keys digest each once)
    for p in site.active_procedures:
        dates = {p.source: site.commit_dates[p.source]} if p.source in site.commit_dates else {}
        alone[p.code] = Site(site.root, unprinted, (), dates, home=site.home)
    for kind, make, prefix in (("card", "card_spec", "the"), ("leaflet", "leaflet_spec", "to-roi")):
        for p in site.active_procedures:
            jobs.append(PosterJob(f"{prefix}-{p.code}", kind, make, alone[p.code], p, ecc, shop))
        if kind == "card" and site.active_procedures:
            jobs.append(PosterJob("nhan-dan", "stickers", "stickers_spec", lists, None, ecc, shop))
    return jobs + _language_jobs(site, ecc, shop)


__all__ = [
    "PosterJob",
    "contact_sheet",
    "draw_poster",
    "poster_jobs",
    "poster_row",
    "poster_specs",
    "printed_sources",
    "spec_problems",
]
