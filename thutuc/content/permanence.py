"""Printed codes never break: every address ever published keeps resolving.

`published-urls.txt`, at the site root and committed with the content, lists
every page path the site has ever published ("/", "/ho-tich/", "/1.001193/"),
sorted, one per line. A build adds its new paths (after it succeeded); `check`
and `build` fail, naming each path and how to fix it, when a listed path would
no longer be a page, a redirect page (`aliases:`) or a retired procedure's page.
It is the one file the build writes in the site folder, by design: it is part
of the content's history, reviewed in pull requests like the content itself.

Each procedure's line also carries, after a tab, its title as published
("/1.001193/<tab>Đăng ký khai sinh"): a file without titles is read as before,
and the next build fills them in. It is how `check` knows which procedure a
printed code was made for: when the title behind a published code changes
beyond an edit (`same_procedure`), a warning names both titles; when two
files claim one code, the error goes to the file that was not published.

Also here: the rules that keep retirements and aliases meaningful
(`replaced_by` names an existing code, not itself, without cycles; an alias
takes no address that is already used).
"""

from __future__ import annotations

import re
import shutil
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from thutuc import atomic
from thutuc.content.addresses import hidden_character
from thutuc.content.files import read_regular_file
from thutuc.content.git_dates import _git, _shallow_commits
from thutuc.content.model import (
    AZ_PATH,
    CONTACTS_PATH,
    HOME_PATH,
    OFFLINE_PATH,
    PROCEDURE_CODE,
    Procedure,
    Site,
)
from thutuc.content.text import fold, nfc
from thutuc.problems import Problems

PUBLISHED_FILE = "published-urls.txt"
# Pages every site has, whatever its content; an editor cannot remove them.
FIXED_PATHS = frozenset({HOME_PATH, AZ_PATH, CONTACTS_PATH, OFFLINE_PATH})


MAX_PUBLISHED_BYTES = 16 * 1024 * 1024  # ~500,000 addresses with their titles


@dataclass(frozen=True)
class Published:
    """One line of published-urls.txt: its number, the page path, and the
    procedure's title when it was published ("" for other pages, and for a
    line written before titles were recorded)."""

    line: int
    path: str
    title: str = ""


# Read once per version of the file: a build asks three times (checks, redirects, notices).
_read_entries: dict[Path, tuple[tuple[int, int], list[Published]]] = {}


def read_published_entries(folder: Path) -> list[Published]:
    """Every entry of `folder`'s published-urls.txt, "/ho-tich/" → "ho-tich/";
    a missing file (or one that is not a regular file) is empty."""
    path = folder / PUBLISHED_FILE
    try:
        info = path.stat()
    except OSError:
        return []
    if not stat.S_ISREG(info.st_mode):
        return []
    version = (info.st_size, info.st_mtime_ns)
    known = _read_entries.get(path)
    if known is None or known[0] != version:
        known = _read_entries[path] = (version, _parse_published(path))
    return list(known[1])


def _parse_published(path: Path) -> list[Published]:
    data = read_regular_file(path, PUBLISHED_FILE, Problems(), MAX_PUBLISHED_BYTES)
    if data is None:
        return []
    text = nfc(data.decode("utf-8-sig", errors="replace"))
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            address, _, title = line.partition("\t")
            entries.append(Published(number, address.strip().removeprefix("/"), title.strip()))
    return entries


def read_published(folder: Path) -> list[tuple[int, str]]:
    """(line number, page path) of every path listed in `folder`'s published-urls.txt;
    "/ho-tich/" → "ho-tich/"."""
    return [(entry.line, entry.path) for entry in read_published_entries(folder)]


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
    """An error for each published path that is not in `resolvable`: a line that is
    no page path at all (written by hand) says what is wrong with it."""
    for line, path in read_published(site.root / site.home):
        if path in resolvable:
            continue
        message, hint = _misformed(path, site, resolvable) or (
            f"Địa chỉ /{path} đã được công bố (có thể đã in trên mã QR, áp phích, "
            "giấy hẹn) nhưng nay không còn trang nào ở đó.",
            _how_to_keep(path, site),
        )
        problems.error(site.own_file(PUBLISHED_FILE), message, hint, line)


_LINE_FORM = (
    "Mỗi dòng của tệp là một đường dẫn, ví dụ /1.001193/, rồi phím Tab và tên thủ tục; "
    "ghi chú viết trên dòng riêng, bắt đầu bằng #."
)


def _misformed(path: str, site: Site, resolvable: set[str]) -> tuple[str, str] | None:
    """(message, hint) for a line of published-urls.txt that is not a page path as
    the build writes them: a whole web address, a space or a hidden character, a
    missing final "/", "..". None for a well-formed path."""
    shown = f"/{path}"
    if re.match(r"(?i)https?://", path):
        base = site.config.base_url
        own = path[len(base) :] if path.lower().startswith(base.lower()) else ""
        fix = f"Viết /{own} thay cho cả địa chỉ." if own else "Chỉ viết phần sau tên miền."
        return (
            f"dòng '{path}' ghi cả địa chỉ web; tệp chỉ ghi đường dẫn trong trang.",
            f"{fix} {_LINE_FORM}",
        )
    if found := hidden_character(path):
        position, what = found
        return f"đường dẫn '{shown}' có {what} ở ký tự thứ {position + 1}.", (
            f"Xóa ký tự đó (thường do chép từ Word, Excel hay tin nhắn). {_LINE_FORM}"
        )
    parts = path.split("/")
    if "\\" in path or any(part in (".", "..") for part in parts) or "" in parts[:-1]:
        return (
            f"'{shown}' không phải đường dẫn của một trang ('..', '//' hay '\\').",
            _LINE_FORM,
        )
    if not path.endswith("/") and f"{path}/" in resolvable:
        return (
            f"đường dẫn '{shown}' thiếu dấu '/' ở cuối.",
            f"Viết {shown}/: mọi trang của trang web kết thúc bằng '/'.",
        )
    return None


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


def published_titles(site: Site) -> dict[str, str]:
    """Page path → title of every procedure: what record_published keeps."""
    return {p.url_path: p.title for p in site.procedures}


def record_published(
    folder: Path, paths: Iterable[str], titles: Mapping[str, str] | None = None
) -> bool:
    """Add `paths` to `folder`'s published-urls.txt; True when the file changed.

    `titles` (page path → procedure title) fills the title of a line that has
    none: the title a code was first published with stays, whatever edits
    follow (check_published_titles compares with it), so editing a title does
    not touch the file. Written only after a successful build, atomically (a
    temporary file then a rename), and only when something is new, so a
    rebuild touches nothing."""
    old = {entry.path: entry.title for entry in read_published_entries(folder)}
    merged = dict(old)
    for path in paths:
        merged.setdefault(path, "")
    for path, title in (titles or {}).items():
        if path in merged and not merged[path]:
            merged[path] = _one_line(title)
    target = folder / PUBLISHED_FILE
    if merged == old and target.is_file():
        return False
    text = "".join(
        f"/{path}\t{title}\n" if title else f"/{path}\n" for path, title in sorted(merged.items())
    )
    atomic.write_text(target, text)
    return True


def _one_line(title: str) -> str:
    return " ".join(title.split())


# Words most procedure titles share ("Đăng ký…", "Cấp giấy xác nhận…", "Chứng
# thực…"), folded: two titles that share only these are two procedures.
GENERIC_WORDS = frozenset(
    [
        "dang",
        "ki",
        "cap",
        "giai",
        "quyet",
        "thu",
        "tuc",
        "giay",
        "xac",
        "nhan",
        "ho",
        "tro",
        "cho",
        "va",
        "cua",
        "lai",
        "doi",
        "thay",
        "bo",
        "sung",
        "moi",
        "tai",
        "tren",
        "dia",
        "ban",
        "theo",
        "trong",
        "ve",
        "cac",
        "mot",
        "nguoi",
        "viec",
        "khai",
        "chung",
        "thuc",
        "hanh",
        "chinh",
        "cong",
        "de",
        "nghi",
        "don",
        "to",
    ]
)
_WORD = re.compile(r"[a-z0-9]+")


def title_words(title: str) -> set[str]:
    """The words of a title that tell procedures apart: folded (accents, đ→d,
    case), "y" read as "i" (ký/kí), without GENERIC_WORDS; all its words when
    it has no other."""
    words = set(_WORD.findall(fold(title).replace("y", "i")))
    return (words - GENERIC_WORDS) or words


def same_procedure(published: str, now: str) -> bool:
    """True when `now` is an edit of the title `published`, not another procedure's:
    at least half the distinctive words of the shorter title are in the other
    ("Đăng ký khai sinh" → "Đăng ký khai sinh cho trẻ em": an edit;
    "Đăng ký khai sinh" → "Đăng ký khai tử": another procedure)."""
    if published == now:  # most published titles are unchanged: no folding for them
        return True
    old, new = title_words(published), title_words(now)
    if not old or not new:
        return True
    return len(old & new) * 2 >= min(len(old), len(new))


def check_published_titles(site: Site, problems: Problems) -> None:
    """A warning when a published code now leads to a procedure with another
    title: the printed code was made for the first, residents now get the second."""
    for entry in read_published_entries(site.root / site.home):
        procedure = site.procedures_by_code.get(entry.path.rstrip("/"))
        if procedure is None or not entry.title or same_procedure(entry.title, procedure.title):
            continue
        problems.warning(
            procedure.source,
            f"Mã {procedure.code} đã được công bố (có thể đã in trên mã QR) cho thủ tục "
            f"«{entry.title}», nay lại dẫn tới «{procedure.title}».",
            f"Nếu đây là thủ tục khác: trả lại tên cũ cho mã {procedure.code} và cho thủ tục "
            "mới mã riêng của nó. Nếu đúng là cùng thủ tục được đổi tên: sửa tên ở dòng "
            f"{entry.line} của {site.own_file(PUBLISHED_FILE)} thành tên mới.",
            procedure.code_line,
        )


def check_replacements(site: Site, problems: Problems) -> None:
    """`replaced_by` must name another procedure of the site, without cycles."""
    cycles = replacement_cycles(site)
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
        elif procedure.code in cycles:
            problems.error(
                procedure.source,
                f"replaced_by tạo thành vòng: {_cycle_text(cycles[procedure.code], procedure.code)}.",
                "Thủ tục mới không thể bị thay bằng thủ tục cũ. Bỏ replaced_by ở thủ tục mới.",
                line,
            )


def replacement_cycles(site: Site) -> dict[str, list[str]]:
    """Code → the replaced_by cycle it is on (in order, from any member), for
    every code on one. Each code has one successor, so one walk from each
    unvisited code finds them all: linear, where walking every chain from every
    code was quadratic in a long chain."""
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    cycles: dict[str, list[str]] = {}
    for start in site.procedures:
        path: list[str] = []
        code: str | None = start.code
        while code is not None and code not in state:
            state[code] = 1
            path.append(code)
            following = site.procedures_by_code.get(code)
            next_code = following.replaced_by if following else ""
            code = next_code if next_code in site.procedures_by_code else None
        if code is not None and state[code] == 1:  # came back into this walk: a cycle
            cycle = path[path.index(code) :]
            for member in cycle:
                cycles[member] = cycle
        for member in path:
            state[member] = 2
    return cycles


def _cycle_text(cycle: list[str], start: str, shown: int = 8) -> str:
    """ "A → B → A" from `start`; a long cycle shows its first codes and its length."""
    at = cycle.index(start)
    ordered = cycle[at:] + cycle[:at]
    if len(ordered) > shown:
        return " → ".join(ordered[:shown]) + f" → … ({len(ordered)} mã) → {start}"
    return " → ".join([*ordered, start])


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


@dataclass(frozen=True)
class Claim:
    """Which of several files claiming one code keeps it, and why."""

    keeper: Procedure
    reason: str  # Vietnamese, for the message on the other files


def published_claim(code: str, claimants: list[Procedure], root: Path, home: str = "") -> Claim:
    """The file that owns `code` among `claimants` (two or more files that write
    it): the one published-urls.txt recorded (by its title), else the one git
    knew first, else the first by path, saying which rule decided."""
    published = {e.path: e for e in read_published_entries(root / home)}.get(f"{code}/")
    if published is not None and published.title:
        matching = [p for p in claimants if same_procedure(published.title, p.title)]
        if len(matching) == 1:
            return Claim(
                matching[0],
                f"đã được công bố với tên «{published.title}», "
                f"dòng {published.line} của {PUBLISHED_FILE}",
            )
    added = first_added(root, [p.source for p in claimants])
    known = [p for p in claimants if p.source in added]
    if known:
        oldest = max(known, key=lambda p: added[p.source][0])
        is_published = "đã được công bố, " if published is not None else ""
        return Claim(oldest, f"{is_published}có trong git từ ngày {added[oldest.source][1]}")
    return Claim(
        claimants[0],
        "không biết tệp nào cũ hơn (chưa có trong git); hãy kiểm tra tệp nào là thủ tục thật "
        "của mã này",
    )


def first_added(root: Path, sources: list[str]) -> dict[str, tuple[int, str]]:
    """Root-relative file → (age rank, "dd/mm/yyyy") of the commit that added it
    (a higher rank is older); files git does not know are left out."""
    git = shutil.which("git")
    if git is None or not sources:
        return {}
    log = _git(
        git, root, "log", "--diff-filter=A", "--no-renames", "--format=\x01%H %cs",
        "--name-only", "--relative", "-z", "--", *sources,
    )  # fmt: skip
    if log is None:
        return {}
    shallow = _shallow_commits(git, root)
    added: dict[str, tuple[int, str]] = {}
    rank, day, commit = 0, "", ""
    for token in log.split("\0"):
        token = token.lstrip("\n")
        if token.startswith("\x01"):
            commit, day = token[1:].split()
            rank += 1
        elif token and commit not in shallow:
            y, m, d = day.split("-")
            added[nfc(token)] = (rank, f"{d}/{m}/{y}")  # git log: newest first, so keep the last
    return added
