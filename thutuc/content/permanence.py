"""Printed codes never break: every address ever published keeps resolving.

`published-urls.txt`, at the site root and committed with the content, lists
every page path the site has ever published ("/", "/ho-tich/", "/1.001193/"),
sorted, one per line. A build adds its new paths (after it succeeded); `check`
and `build` fail, naming each path and how to fix it, when a listed path would
no longer be a page, a redirect page (`aliases:`) or a retired procedure's page.
It is the one file the build writes in the site folder, by design: it is part
of the content's history, reviewed in pull requests like the content itself.

Also here: the rules that keep retirements and aliases meaningful
(`replaced_by` names an existing code, not itself, without cycles; an alias
takes no address that is already used).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from thutuc.content.model import (
    AZ_PATH,
    CONTACTS_PATH,
    HOME_PATH,
    OFFLINE_PATH,
    PROCEDURE_CODE,
    Procedure,
    Site,
)
from thutuc.content.text import nfc
from thutuc.problems import Problems

PUBLISHED_FILE = "published-urls.txt"
# Pages every site has, whatever its content; an editor cannot remove them.
FIXED_PATHS = frozenset({HOME_PATH, AZ_PATH, CONTACTS_PATH, OFFLINE_PATH})


def read_published(folder: Path) -> list[tuple[int, str]]:
    """(line number, page path) of every path listed in `folder`'s published-urls.txt;
    "/ho-tich/" → "ho-tich/"."""
    path = folder / PUBLISHED_FILE
    if not path.is_file():
        return []
    text = nfc(path.read_text(encoding="utf-8-sig"))
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            entries.append((number, line.removeprefix("/")))
    return entries


def page_paths(files: Iterable[str]) -> set[str]:
    """Page paths ("" for home, "ho-tich/") among output files: pages, not assets."""
    return {
        f.removesuffix("index.html")
        for f in files
        if f == "index.html" or f.endswith("/index.html")
    }


def content_paths(site: Site) -> set[str]:
    """Every page path a site's content gives it, without rendering: what `check` uses."""
    paths = set(FIXED_PATHS)
    paths.update(field.url_path for field in site.fields)
    paths.update(f"{alias}/" for field in site.fields for alias in field.front.aliases)
    paths.update(procedure.url_path for procedure in site.procedures)
    # Every page exists in every language of `languages:` too (site/pages.py).
    paths.update(language.path + path for language in site.config.languages for path in list(paths))
    return paths


def check_published(site: Site, resolvable: set[str], problems: Problems) -> None:
    """An error for each published path that is not in `resolvable`."""
    for line, path in read_published(site.root / site.home):
        if path not in resolvable:
            problems.error(
                site.own_file(PUBLISHED_FILE),
                f"Địa chỉ /{path} đã được công bố (có thể đã in trên mã QR, áp phích, "
                "giấy hẹn) nhưng nay không còn trang nào ở đó.",
                _how_to_keep(path, site),
                line,
            )


def _how_to_keep(path: str, site: Site) -> str:
    name = path.rstrip("/")
    if name in site.config.exclude:
        return (
            f"Thủ tục {name} đã được công bố nên không bỏ bằng exclude được: xóa {name} khỏi "
            f"exclude: trong {site.own_file('site.yml')}. Nếu xã không còn giải quyết thủ tục "
            "này, thêm tệp sửa riêng có retired: NĂM-THÁNG-NGÀY hoặc replaced_by: MÃ-MỚI."
        )
    if PROCEDURE_CODE.match(name):
        return (
            f"Đừng xóa tệp của thủ tục {name}: lấy lại tệp đó (git restore hoặc lịch sử "
            "trên GitHub/GitLab), rồi thêm vào phần đầu replaced_by: MÃ-MỚI nếu thủ tục "
            "được thay bằng mã khác, hoặc retired: NĂM-THÁNG-NGÀY nếu thủ tục bị bãi bỏ."
        )
    if "/" not in name:
        return (
            f"Nếu đã đổi tên thư mục lĩnh vực {name}, thêm dòng aliases: [{name}] vào "
            "_index.md của thư mục mới. Nếu đã xóa lĩnh vực, lấy lại thư mục đó."
        )
    return f"Lấy lại trang đã có ở /{path}, hoặc hỏi người quản trị trang."


def record_published(folder: Path, paths: Iterable[str]) -> bool:
    """Add `paths` to `folder`'s published-urls.txt; True when the file changed.

    Written only after a successful build, atomically (a temporary file then a
    rename), and only when something is new, so a rebuild touches nothing."""
    old = {path for _, path in read_published(folder)}
    merged = old | set(paths)
    target = folder / PUBLISHED_FILE
    if merged == old and target.is_file():
        return False
    text = "".join(f"/{path}\n" for path in sorted(merged))
    handle, temporary = tempfile.mkstemp(prefix=f".{PUBLISHED_FILE}.", dir=folder)
    with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
        file.write(text)
    os.chmod(temporary, 0o644)
    os.replace(temporary, target)
    return True


def check_replacements(site: Site, problems: Problems) -> None:
    """`replaced_by` must name another procedure of the site, without cycles."""
    for procedure in site.procedures:
        new = procedure.replaced_by
        if not new:
            continue
        line = key_line(procedure.source_path, "replaced_by")
        if new == procedure.code:
            problems.error(
                procedure.source,
                f"replaced_by: {new} là chính mã của thủ tục này.",
                "Ghi mã của thủ tục mới thay thế, hoặc bỏ dòng replaced_by.",
                line,
            )
        elif new not in site.procedures_by_code:
            problems.error(
                procedure.source,
                f"replaced_by: không có thủ tục nào mã {new} trong trang.",
                "Tạo tệp cho thủ tục mới trước (python build.py new "
                f"--field {procedure.field_slug} --code {new}), "
                "hoặc chép lại đúng mã.",
                line,
            )
        elif cycle := _cycle_from(site, procedure):
            problems.error(
                procedure.source,
                f"replaced_by tạo thành vòng: {' → '.join(cycle)}.",
                "Thủ tục mới không thể bị thay bằng thủ tục cũ. Bỏ replaced_by ở thủ tục mới.",
                line,
            )


def _cycle_from(site: Site, procedure: Procedure) -> list[str]:
    """The codes of a replaced_by chain that comes back to `procedure`, else []."""
    chain, current = [procedure.code], procedure
    while (new := site.procedures_by_code.get(current.replaced_by)) is not None:
        if new.code == procedure.code:
            return [*chain, new.code]
        if new.code in chain:  # a cycle further on; reported at its own members
            return []
        chain.append(new.code)
        current = new
    return []


def check_aliases(site: Site, problems: Problems) -> None:
    """An alias must not take an address a page already has, or another alias."""
    taken = {path.rstrip("/"): "một trang có sẵn" for path in FIXED_PATHS if path}
    taken.update({field.slug: f"lĩnh vực {field.source}" for field in site.fields})
    for field in site.fields:
        for alias in field.front.aliases:
            if alias == field.slug:
                owner = "chính thư mục này"
            elif alias in taken or not alias:
                owner = taken.get(alias, "không có chữ nào dùng được")
            else:
                taken[alias] = f"aliases của {field.source}"
                continue
            problems.error(
                field.source,
                f"aliases: '{alias}' không dùng được: địa chỉ này là của {owner}.",
                "aliases chỉ ghi tên cũ của thư mục này, trước khi đổi tên.",
                key_line(site.root / field.source, "aliases"),
            )


def key_line(path: Path, key: str) -> int | None:
    """Line of `key:` in a file's front matter, for messages (the model keeps none)."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError:
        return None
    return next((n for n, line in enumerate(lines, 1) if line.startswith(f"{key}:")), None)
