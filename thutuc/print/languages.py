"""Posters in a language: the field board, the field posters and the procedure cards
in one of site.yml's `languages:`, alone (`posters: true`) or under the Vietnamese
(`posters: bilingual`).

A language prints nothing by default: a commune prints only what a native
speaker has checked. For a language that prints, each poster is made like its
Vietnamese one (same paper, distances, fitting) from the language's view of
the site (`Site.in_language`: titles and facts as translated, the commune's
texts from `site:`), with the labels of `templates/strings/<lang>.yml` (a
missing key is Vietnamese, as on the pages). Its codes open the language's
pages, `<base_url><lang>/<path>`, exactly as those pages' addresses; the
address under each code likewise. Files: `<Vietnamese name>.<lang>`
(`bang-linh-vuc-A4.en.pdf`, `ap-phich-ho-tich.en.pdf`, `the-1.001193.en.pdf`).
The sticker sheet and the leaflets are Vietnamese only.

Cards are made only for procedures that have a translation: an untranslated
procedure's card would repeat the Vietnamese card with other labels, and a
printed card in a language says the commune stands by a translation. Its page
in the language still exists (Vietnamese under a notice); the board's field
tiles lead there. A translation that leaves a fact in Vietnamese, or is older
than its Vietnamese source, says so on the card in the language's words.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from thutuc.content.model import Language, Procedure, Site
from thutuc.content.text import vi_date
from thutuc.print.layout import Block, Code, PosterSpec, address_text
from thutuc.site.strings import SOURCE_LANGUAGE, fill, own_strings

# The strings the posters use (the rest of a strings file is for the pages only). The
# leaflet prints the page's own headings and labels, so it says what the page says.
PRINT_KEYS = (
    "print_headline", "print_howto_camera", "print_howto_zalo", "print_feedback",
    "print_save_contact", "print_contact_caption", "print_updated", "print_card_instruction",
    "print_offline_label", "print_more", "print_field_instruction", "print_field_list", "print_page",
    "print_stickers_heading", "print_sticker_code", "print_text_documents", "print_text_time",
    "print_text_fee", "print_text_where", "print_text_checked", "one_stop_office",
    "procedure_count", "hotline", "address", "opening_hours", "processing_time", "fee",
    "documents", "untranslated_parts", "outdated",
    # the leaflet's, as the page has them
    "procedure_code", "where", "methods", "method_truc-tiep", "method_truc-tuyen",
    "method_buu-chinh", "fee_inline", "submit_online", "forms", "more_information",
    "applicants", "conditions", "result", "agency", "legal_basis", "decision", "updated_commit",
    "checked_on",
)  # fmt: skip
# A bilingual card is A4: on A5 its two codes leave room for one document in two languages.
BILINGUAL_CARD = "A4"
# What a card shows of a procedure; a translation that does not write one shows it in Vietnamese.
CARD_FACTS = ("title", "processing_time", "fee", "documents")


@dataclass(frozen=True)
class Words:
    """One language's poster strings, Vietnamese where it has none (plain data: an
    artifact's key holds it, so an edit of the strings file redraws its posters)."""

    code: str
    strings: tuple[tuple[str, Any], ...]

    def __call__(self, key: str, **values: Any) -> str:
        return fill(dict(self.strings)[key], **values)


def words_of(site: Site, code: str) -> Words:
    """The poster strings of `code`: the bundled file, the site's own over it, and
    Vietnamese for any key the language does not translate."""
    source = own_strings(site.root, SOURCE_LANGUAGE)
    mine = {**source, **(own_strings(site.root, code) if code != SOURCE_LANGUAGE else {})}
    return Words(code, tuple((key, mine[key]) for key in PRINT_KEYS if key in mine))


@dataclass(frozen=True)
class InLanguage:
    """What a poster in a language is made of besides the language's view of the site."""

    target: Any  # a board's paper; a card's translation (a Procedure)
    lang: str
    name: str  # the language's name, in it (the notices say it)
    bilingual: bool
    words: Words
    source_words: Words  # Vietnamese
    source: Any  # the Vietnamese site as its lists show it (board), the Vietnamese procedure (card)

    def lines(self, key: str, **values: Any) -> list[str]:
        """The text of `key`: Vietnamese then the language's on a bilingual poster
        (once when they are the same: an untranslated string), else the language's."""
        mine = self.words(key, **values)
        theirs = self.source_words(key, **values)
        return [theirs, mine] if self.bilingual and theirs != mine else [mine]

    def label(self, key: str, **values: Any) -> str:
        """A short label: "Đường dây nóng / Hotline" on a bilingual poster."""
        return " / ".join(self.lines(key, **values))

    def pairs(self, key: str, theirs: str, mine: str) -> list[str]:
        """ "label: value" in Vietnamese then in the language (bilingual), or the language's."""
        if not self.bilingual:
            return [f"{self.words(key)}: {mine}"] if mine else []
        out = [f"{self.source_words(key)}: {theirs}"] if theirs else []
        if mine and (mine != theirs or self.words(key) != self.source_words(key)):
            out.append(f"{self.words(key)}: {mine}")
        return out


def poster_languages(site: Site) -> tuple[Language, ...]:
    """The languages site.yml asks posters in (`posters: true` or `bilingual`)."""
    return tuple(x for x in site.config.languages if x.posters)


def suffixed(name: str, lang: str) -> str:
    """A poster's file stem in a language: "the-1.001193" → "the-1.001193.en"."""
    return f"{name}.{lang.lower()}"


# The field board ---------------------------------------------------------------------


def language_board_spec(
    site: Site, subject: InLanguage, ecc: str, print_shop: bool = False
) -> PosterSpec:
    """The field board on paper `subject.target` in the language of `site` (its view)."""
    from thutuc.print.posters import board_spec, made_on

    vietnamese: Site = subject.source
    base = board_spec(vietnamese, str(subject.target), ecc, print_shop)
    config, source = site.config, vietnamese.config
    heading = [Block("commune", source.name if subject.bilingual else config.name)]
    if subject.bilingual and config.name != source.name:
        heading.append(Block("headline", config.name))
    heading += [Block("headline", t) for t in subject.lines("print_headline")]
    for key in ("print_howto_camera", "print_howto_zalo"):
        heading += [Block("howto", t) for t in subject.lines(key)]
    codes = tuple(_field_code(site, subject, f.slug) for f in site.fields)
    contact = base.contact and replace(base.contact, caption=subject.label("print_contact_caption"))
    return replace(
        base,
        name=suffixed(base.name, subject.lang),
        title=f"{config.name}: {subject.words('print_headline')}",
        author=config.name,
        heading=tuple(heading),
        codes=codes,
        footer=_board_footer(site, subject, contact is not None, made_on(site)),
        contact=contact,
        lang=subject.lang,
    )


def _field_code(site: Site, subject: InLanguage, slug: str) -> Code:
    field = site.fields_by_slug[slug]
    url = site.absolute_url(subject.lang.lower() + "/" + field.url_path)
    count = " · ".join(subject.lines("procedure_count", n=len(field.active_procedures)))
    if not subject.bilingual:
        return Code(url, field.title, count, caption=address_text(url))
    theirs = subject.source.fields_by_slug[slug].title
    second = field.title if field.title != theirs else ""
    return Code(url, theirs, count, caption=address_text(url), label2=second)


# The field poster --------------------------------------------------------------------


def language_field_spec(
    site: Site, subject: InLanguage, ecc: str, print_shop: bool = False
) -> PosterSpec:
    """The poster of field `subject.target` (its slug) in the language of `site` (its
    view): made like the Vietnamese one, its code opening the field's page in the
    language, its list in the language (bilingual: the Vietnamese title first)."""
    from thutuc.print.posters import by_title, field_spec, footer_blocks

    slug, vietnamese = str(subject.target), subject.source
    base = field_spec(vietnamese, slug, ecc, print_shop)
    field, source = site.fields_by_slug[slug], vietnamese.fields_by_slug[slug]
    config = site.config
    titles = [source.title] if subject.bilingual else []
    titles += [field.title] if field.title not in titles else []
    heading = [Block("small", vietnamese.config.name if subject.bilingual else config.name)]
    heading += [Block("title", title) for title in titles]
    heading += [Block("instruction", t) for t in subject.lines("print_field_instruction")]
    theirs = {p.code: p.title for p in source.active_procedures}
    items = []
    for p in sorted(field.active_procedures, key=by_title):
        names = [theirs[p.code]] if subject.bilingual else []
        names += [p.title] if p.title not in names else []
        items.append(Block("bullet", f"{' / '.join(names)} ({p.code})"))
    count = len(field.active_procedures)
    body = (Block("h2", subject.label("print_field_list", n=count)), *items)
    return replace(
        base,
        name=suffixed(base.name, subject.lang),
        title=field.title,
        author=config.name,
        heading=tuple(heading),
        codes=(_field_code(site, subject, slug),),
        body=body,
        footer=footer_blocks(site, subject.label),  # as on the Vietnamese poster
        lang=subject.lang,
        page_word=subject.label("print_page"),
    )


def _board_footer(
    site: Site, subject: InLanguage, contact: bool, made: date | None
) -> tuple[Block, ...]:
    config, source = site.config, subject.source.config
    blocks = []
    if config.hotline:
        blocks.append(Block("hotline", f"{subject.label('hotline')}: {config.hotline}"))
    if contact:
        blocks += [Block("small", t) for t in subject.lines("print_save_contact")]
    for key in ("address", "opening_hours"):
        texts = subject.pairs(key, getattr(source, key), getattr(config, key))
        blocks += [Block("footer", t) for t in texts]
    if config.hotline or config.address:
        blocks += [Block("footer", t) for t in subject.lines("print_feedback")]
    if made:
        blocks += [Block("small", t) for t in subject.lines("print_updated", date=vi_date(made))]
    return tuple(blocks)


# The procedure card ------------------------------------------------------------------


def text_labels(words: Words) -> dict[str, str]:
    """The words of the no-signal code (print/offline.py) in a language."""
    return {
        "documents": words("print_text_documents"),
        "time": words("print_text_time"),
        "fee": words("print_text_fee"),
        "where": words("print_text_where"),
        "hotline": words("hotline"),
        "checked": words("print_text_checked"),
        "office": words("one_stop_office"),
        "more": words("print_more"),
    }


def translation_dates(site: Site, subject: InLanguage) -> tuple[date | None, date | None]:
    """(the Vietnamese source's date, the translation's): `updated`, else the last commit."""
    source, mine = subject.source, subject.target
    theirs = source.summary.updated or site.commit_dates.get(source.source)
    return theirs, mine.summary.updated or site.commit_dates.get(mine.source)


def language_card_spec(
    site: Site, subject: InLanguage, ecc: str, print_shop: bool = False
) -> PosterSpec:
    """The card of translation `subject.target` in its language (or bilingual)."""
    from thutuc.print.posters import DISTANCE, TEXT_CODE_DISTANCE_M

    translation: Procedure = subject.target
    front = translation.front
    config = site.config.in_language(subject.lang)  # the job's site holds the Vietnamese
    view = replace(site, config=config)
    theirs, mine = translation_dates(site, subject)
    distance = DISTANCE["card"]
    url = site.absolute_url(subject.lang.lower() + "/" + translation.url_path)
    page = Code(url, front.title, front.code, distance_m=distance, caption=address_text(url))
    text = offline_text_in(view, translation, subject, mine)
    facts = Code(
        text, front.title, kind="text", distance_m=TEXT_CODE_DISTANCE_M,
        caption=subject.label("print_offline_label"),
    )  # fmt: skip
    body = [*_card_notices(subject, theirs, mine), *_card_facts(subject)]
    body.append(Block("more", subject.label("print_more")))
    names = [site.config.name, config.name] if subject.bilingual else [config.name]
    footer = [Block("footer", n) for n in dict.fromkeys(names)]
    if config.hotline:
        footer.append(Block("footer", f"{subject.label('hotline')}: {config.hotline}"))
    return PosterSpec(
        suffixed(f"the-{front.code}", subject.lang), "card", BILINGUAL_CARD if subject.bilingual
        else "A5", distance, front.title,
        config.name, tuple(_card_heading(site, subject)), (page, facts), tuple(body),
        tuple(footer), ecc, print_shop=print_shop, designed_m=distance,
        source=translation.source, lang=subject.lang,
    )  # fmt: skip


def offline_text_in(site: Site, translation: Procedure, subject: InLanguage, checked: Any) -> str:
    """The no-signal code's text of a translation, in its language's words."""
    from thutuc.print.offline import MAX_TEXT_BYTES, offline_text

    labels = text_labels(subject.words)
    return offline_text(site, translation, MAX_TEXT_BYTES, labels, checked)


def _card_heading(site: Site, subject: InLanguage) -> list[Block]:
    front, source = subject.target.front, subject.source.front
    own = site.config.in_language(subject.lang).name
    heading = [Block("small", site.config.name if subject.bilingual else own)]
    if subject.bilingual:
        heading.append(Block("title", source.title))
        if front.title != source.title:
            heading.append(Block("subtitle", front.title))
    else:
        heading.append(Block("title", front.title))
    heading += [Block("instruction", t) for t in subject.lines("print_card_instruction")]
    return heading


def _card_notices(subject: InLanguage, theirs: date | None, mine: date | None) -> list[Block]:
    """What the card says in the language about its translation, as the page does."""
    front, source = subject.target.front, subject.source.front
    notes = []
    inherited = [k for k in CARD_FACTS if getattr(source, k) and k not in front.translated]
    if inherited:
        notes.append(Block("note", subject.words("untranslated_parts", language=subject.name)))
    if theirs and mine and mine < theirs:
        when = {"source": vi_date(theirs), "translation": vi_date(mine)}
        notes += [Block("note", t) for t in subject.lines("outdated", **when)]
    return notes


def _card_facts(subject: InLanguage) -> list[Block]:
    """Time, fee and documents in the language; on a bilingual card the documents come
    first (the sheet is small for two languages, and they are what a resident needs
    most), each in Vietnamese with its translation under it."""
    from thutuc.print.posters import _fact, document_blocks, document_markup

    front, source = subject.target.front, subject.source.front
    body: list[Block] = []
    for key in ("processing_time", "fee"):
        mine, theirs = getattr(front, key), getattr(source, key)
        if subject.bilingual and key in front.translated and mine != theirs:
            body += [_fact(subject.source_words(key), theirs), _fact(subject.words(key), mine)]
        elif mine:
            body.append(_fact(subject.label(key), mine))
    if not front.documents:
        return body
    if not subject.bilingual or "documents" not in front.translated:
        return body + document_blocks(subject.label("documents"), front.documents)
    if len(front.documents) == len(source.documents):  # each item, then its translation
        pairs = zip(source.documents, front.documents, strict=True)
        items = [
            "<br/>".join(dict.fromkeys(document_markup(text) for text in pair)) for pair in pairs
        ]
        return [Block("h", subject.label("documents")), *(Block("bullet", i) for i in items), *body]
    both = document_blocks(subject.source_words("documents"), source.documents)
    return both + document_blocks(subject.words("documents"), front.documents) + body


# Posters in a language as the engine declares them ------------------------------------


def language_jobs(site: Site, ecc: str, print_shop: bool) -> list[Any]:
    """The PosterJobs of every language with posters: its three boards, then a card
    for each active procedure it translates. Each job holds the language's view
    of what it shows, the Vietnamese it is made beside, and the language's words,
    so editing the English translation redraws only English posters."""
    lists = replace(site.listed(), commit_dates=site.commit_dates)
    vietnamese = words_of(site, SOURCE_LANGUAGE)
    jobs = []
    for language in poster_languages(site):
        about = _Subjects(language, words_of(site, language.code), vietnamese)
        jobs += _board_jobs(site, about, lists, ecc, print_shop) if site.fields else []
        jobs += _field_jobs(site, about, ecc, print_shop)
        jobs += _card_jobs(site, about, ecc, print_shop)
    return jobs


@dataclass(frozen=True)
class _Subjects:
    """Makes the InLanguage subjects of one language's posters."""

    language: Language
    words: Words
    vietnamese: Words

    def __call__(self, target: Any, source: Any) -> InLanguage:
        language = self.language
        bilingual = language.posters == "bilingual"
        return InLanguage(
            target, language.code, language.name, bilingual, self.words, self.vietnamese, source
        )


def _board_jobs(site: Site, about: _Subjects, lists: Site, ecc: str, print_shop: bool) -> list[Any]:
    from thutuc.print.posters import SHOP_BOARD, SHOP_PAPERS, PosterJob

    code = about.language.code
    view = replace(site.in_language(code).listed(), commit_dates=site.commit_dates)
    boards = (("bang-linh-vuc-A4", "A4"), ("bang-linh-vuc-A3", "A3"), (SHOP_BOARD, SHOP_PAPERS[0]))
    return [
        PosterJob(suffixed(name, code), "board", "language_board_spec", view, about(paper, lists),
                  ecc, print_shop)
        for name, paper in boards
    ]  # fmt: skip


def _field_jobs(site: Site, about: _Subjects, ecc: str, print_shop: bool) -> list[Any]:
    """A poster for each field, like the Vietnamese: each job holds only its field."""
    from thutuc.print.posters import PosterJob

    code = about.language.code
    view = site.in_language(code).listed()
    jobs = []
    for field in site.listed().fields:
        mine = Site(site.root, view.config, (view.fields_by_slug[field.slug],), home=site.home)
        theirs = Site(site.root, site.config, (field,), home=site.home)
        jobs.append(
            PosterJob(suffixed(f"ap-phich-{field.slug}", code), "field", "language_field_spec",
                      mine, about(field.slug, theirs), ecc, print_shop)
        )  # fmt: skip
    return jobs


def _card_jobs(site: Site, about: _Subjects, ecc: str, print_shop: bool) -> list[Any]:
    from thutuc.print.posters import PosterJob

    code, jobs = about.language.code, []
    for p in site.active_procedures:
        translation = site.translations.get((code, p.code))
        if translation is None:
            continue  # no card: see the module's docstring
        files = (p.source, translation.source)
        dates = {f: site.commit_dates[f] for f in files if f in site.commit_dates}
        alone = Site(site.root, site.config, (), dates, home=site.home)
        jobs.append(
            PosterJob(suffixed(f"the-{p.code}", code), "card", "language_card_spec", alone,
                      about(translation, p), ecc, print_shop)
        )  # fmt: skip
    return jobs


def untranslated_cards(site: Site) -> list[tuple[Language, Procedure]]:
    """The active procedures that get no card in a language with posters: no translation."""
    return [
        (language, p)
        for language in poster_languages(site)
        for p in site.active_procedures
        if (language.code, p.code) not in site.translations
    ]
