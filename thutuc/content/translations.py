"""Translations: `ket-hon.en.md` beside `ket-hon.md`, `_index.en.md` beside `_index.md`.

A translation is read over its Vietnamese source, as a province commune's file
is read over the catalogue's (province.merge_documents): the keys it writes
replace the source's, every other key is inherited (the code first), and a
non-empty body replaces the source's body. What it inherits is still
Vietnamese; the page marks it `lang="vi"` and says so. The lifecycle keys
(code, replaced_by, retired, local) are the source's alone.

A translation is older than its source when its own date (its `updated:`, else
its last commit) is before the source's (`updated:`, else last commit): `check`
warns, and the page says the fees and papers may have changed since.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from thutuc.content.load import SourceDocument, parse_yaml
from thutuc.content.model import Procedure, Site, summarise
from thutuc.content.text import vi_date
from thutuc.problems import Problems
from thutuc.resources import TEMPLATES_DIR

SOURCE_ONLY = ("code", "replaced_by", "retired", "local")
# What a resident needs first (validate.RESIDENT_FACTS): a translation without
# them shows them in Vietnamese, which is worth a warning.
MUST_TRANSLATE = {"title": "tên thủ tục", "documents": "giấy tờ", "fee": "lệ phí"}


def prepare(source: SourceDocument, own: SourceDocument, problems: Problems) -> SourceDocument:
    """The translation's document without the keys only the source may set."""
    code, mine = str(source.meta.get("code", "")).strip(), str(own.meta.get("code", "")).strip()
    if "code" in own.meta and mine != code:
        problems.error(
            own.rel,
            f"Bản dịch ghi code: {mine}, khác mã {code} của tệp gốc {source.rel}.",
            "Xóa dòng code: khỏi bản dịch: bản dịch luôn dùng mã của tệp gốc.",
            own.line_of("code"),
        )
    for key in SOURCE_ONLY[1:]:
        if key in own.meta:
            problems.warning(
                own.rel,
                f"Khóa '{key}' trong bản dịch bị bỏ qua: chỉ tệp tiếng Việt ghi khóa này.",
                f"Xóa dòng {key}: khỏi bản dịch, ghi vào {source.rel} nếu cần.",
                own.line_of(key),
            )
    meta = {k: v for k, v in own.meta.items() if k not in SOURCE_ONLY}
    return replace(own, meta=meta)


def as_translation(
    procedure: Procedure, lang: str, own: SourceDocument, problems: Problems
) -> Procedure:
    """`procedure` (validated from the merged documents) as the translation in `lang`:
    its own keys known, its own date only, its own files under the language's folder."""
    written = tuple(sorted(own.meta)) + (("body",) if own.body.strip() else ())
    front = procedure.front
    audio = front.audio
    if audio is not None and "audio" in written:
        audio = replace(audio, lang=lang)
    forms = front.forms
    if "forms" in written:
        forms = tuple(replace(f, lang=lang) for f in forms)
    updated = front.updated if "updated" in written else None
    front = replace(front, lang=lang, translated=written, audio=audio, forms=forms, updated=updated)
    missing = [f"{label} ({key})" for key, label in MUST_TRANSLATE.items() if key not in written]
    if missing:
        problems.warning(
            own.rel,
            f"Bản dịch chưa dịch {', '.join(missing)}: trang bằng tiếng {lang} sẽ hiện các "
            "mục đó bằng tiếng Việt.",
            "Nhờ người dịch thêm các khóa này vào bản dịch.",
            1,
        )
    s = procedure.summary
    summary = summarise(front, s.source, s.field_slug, s.body_line, s.code_line)
    return Procedure(front, procedure.body, summary, procedure.source_path, procedure.recipe)


def translation_date(site: Site, translation: Procedure) -> date | None:
    return translation.summary.updated or site.commit_dates.get(translation.source)


def check_translations(site: Site, problems: Problems) -> None:
    """The languages' folders and strings, then a warning for each translation
    older than its Vietnamese source."""
    check_languages(site, problems)
    for (lang, code), translation in sorted(site.translations.items()):
        source = site.procedures_by_code.get(code)
        theirs = site.checked_on(source) if source is not None else None
        mine = translation_date(site, translation)
        if source is None or not theirs or not mine or mine >= theirs:
            continue
        problems.warning(
            translation.source,
            f"Bản dịch ({lang}) cũ hơn tệp tiếng Việt: tệp gốc {source.source} sửa ngày "
            f"{vi_date(theirs)}, bản dịch ngày {vi_date(mine)}. Trang hiện thông báo bản dịch "
            "có thể đã cũ.",
            "Nhờ người dịch đối chiếu với bản tiếng Việt (nhất là lệ phí, giấy tờ), sửa bản "
            f"dịch, rồi ghi updated: {date.today().isoformat()} vào phần đầu bản dịch.",
            translation.summary.code_line,
        )


def check_site_strings(root: Path, problems: Problems) -> None:
    """The project's own templates/strings/<lang>.yml files: each string the pages
    and posters cannot use is told on its line (they use the bundled one instead).
    Once for a project: a province's communes share them."""
    from thutuc.site.strings import (
        SOURCE_LANGUAGE,
        parse_strings,
        reference_strings,
        string_problems,
        strings_file,
    )

    for path in sorted(strings_file(root, SOURCE_LANGUAGE).parent.glob("*.yml")):
        code = path.stem
        if not path.is_file() or path.resolve().is_relative_to(TEMPLATES_DIR.resolve()):
            continue
        rel = path.relative_to(root).as_posix()
        try:
            data = path.read_bytes()
            text = data.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            problems.error(rel, "Không đọc được tệp chữ giao diện (phải là UTF-8).", SAVE_AS_UTF8)
            continue
        # its syntax and the line of each key; not the lint of inline comments, which
        # the bundled files use on purpose ("phone_or: hoặc  # between two numbers")
        found = Problems()
        parsed = parse_yaml(text, rel, found)
        for problem in found.errors:
            problems.add(problem)
        if parsed is None:
            continue
        if not isinstance(parsed[0], dict):
            problems.warning(rel, "Tệp chữ giao diện phải là các dòng 'khóa: chữ'.", STRINGS_HINT)
            continue
        lines, mine = parsed[1], parse_strings(data)  # the values as the pages read them
        for key, message in string_problems(mine, reference_strings(code)).items():
            problems.warning(
                rel, f"{message} Trang và áp phích dùng chữ có sẵn.", STRINGS_HINT, lines.get(key)
            )


STRINGS_HINT = (
    "Mỗi dòng là 'khóa: chữ', khóa như trong templates/strings/vi.yml của gói thutuc; "
    "giữ nguyên {n}, {name}, {date} như ở đó (xem docs/ngon-ngu.md)."
)
SAVE_AS_UTF8 = "Mở tệp bằng trình soạn thảo, lưu lại với bảng mã UTF-8."


def check_languages(site: Site, problems: Problems) -> None:
    """A language's folder must not be a field's address; its interface strings
    should exist (else the labels of its pages are Vietnamese)."""
    from thutuc.site.strings import (
        VIETNAMESE_PRINT_ONLY,
        bundled,
        missing_strings,
        strings_file,
    )

    file = site.own_file("site.yml")
    for language in site.config.languages:
        folder = language.path.rstrip("/")
        if folder in site.fields_by_slug:
            problems.error(
                file,
                f"Tiếng {language.code} dùng thư mục /{folder}/, trùng địa chỉ của lĩnh vực "
                f"{site.fields_by_slug[folder].source}.",
                "Đổi tên thư mục lĩnh vực đó (giữ tên cũ trong aliases: của _index.md).",
            )
        own = strings_file(site.root, language.code)
        rel = own.relative_to(site.root).as_posix()
        if not own.is_file() and not bundled(language.code):
            problems.warning(
                rel,
                f"Chưa có chữ giao diện cho tiếng {language.code} ({language.name}): nút, "
                "tiêu đề, thông báo trên trang tiếng đó sẽ hiện bằng tiếng Việt.",
                f"Chép templates/strings/en.yml của gói thutuc thành {rel}, rồi nhờ người "
                "bản ngữ dịch phần sau dấu ':' (xem docs/ngon-ngu.md).",
            )
        elif missing := [
            key
            for key in missing_strings(site.root, language.code)
            # posters' words only if it prints, and never those no language's poster shows
            if (language.posters or not key.startswith("print_"))
            and key not in VIETNAMESE_PRINT_ONLY
        ]:
            shown = ", ".join(missing[:5]) + (
                f" và {len(missing) - 5} khóa khác" if len(missing) > 5 else ""
            )
            problems.warning(
                rel,
                f"Tệp chữ giao diện tiếng {language.code} còn thiếu {len(missing)} khóa: {shown}; "
                "các chữ đó hiện bằng tiếng Việt.",
                "Thêm các khóa còn thiếu (so với templates/strings/en.yml) và nhờ người dịch.",
            )
