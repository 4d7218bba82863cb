"""Stale facts: procedures nobody has checked for `stale_after_months` (default 12).

Fees and documents change with every new decree; a page checked two years ago
may send a resident home for a missing paper. `check` lists such procedures,
oldest first, in one notice (never fatal, even under --strict: the calendar, not the
change, made it), so the list reads as a to-do list and its order
does not depend on how problems are sorted. The date is `updated:` or, without
it, the file's last commit (see git_dates.py); a procedure with neither is not
listed: there is nothing to compare.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from thutuc.content.model import Procedure, Site
from thutuc.content.text import vi_date
from thutuc.problems import Problem, Problems, Severity

# The stale-facts notice opens with these words. A build that reads nothing works it
# out again for today (engine/sites.replay_notes), so the build state keeps the
# dates it needs, not the notice.
STALE_OPENING = "Đến lúc đối chiếu lại"


@dataclass(frozen=True)
class Checked:
    """When one procedure's facts were last checked. Small and plain, so a
    province keeps it in its manifest for communes it does not re-read."""

    day: date
    source: str
    code: str
    title: str
    from_commit: bool  # no `updated:`; the day is the file's last commit


def months_before(day: date, months: int) -> date:
    """`day` minus `months` calendar months, clamped to the month's last day."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def checked_procedures(
    procedures: Iterable[Procedure], commit_dates: Mapping[str, date]
) -> list[Checked]:
    """The dated ones among `procedures`: `updated`, else the file's last commit
    (as Site.checked_on); a procedure with neither has nothing to compare."""
    checked = []
    for procedure in procedures:
        day = procedure.summary.updated or commit_dates.get(procedure.source)
        if day is not None:
            source, code, title = procedure.source, procedure.code, procedure.title
            checked.append(Checked(day, source, code, title, procedure.summary.updated is None))
    return checked


def stale_procedures(checked: Iterable[Checked], months: int, today: date) -> list[Checked]:
    """Those last checked before the cutoff, oldest first (then by code)."""
    if months <= 0:  # 0 turns the notice off
        return []
    cutoff = months_before(today, months)
    return sorted((c for c in checked if c.day < cutoff), key=lambda c: (c.day, c.code))


def report_stale(
    checked: Iterable[Checked],
    months: int,
    today: date,
    problems: Problems,
    file: str = "procedures",
    group: str = "",
) -> None:
    """One notice listing the stale procedures, or nothing."""
    stale = stale_procedures(checked, months, today)
    if not stale:
        return
    lines = [
        f"\n    - {vi_date(c.day)}{' (ngày sửa tệp)' if c.from_commit else ''}: "
        f"{c.source} ({c.code} {c.title})"
        for c in stale
    ]
    own = Problems()
    own.notice(
        file,
        f"{STALE_OPENING} {len(stale)} thủ tục đã quá {months} tháng chưa kiểm tra "
        "(lâu nhất trước); trang vẫn dựng bình thường:" + "".join(lines),
        "Đối chiếu từng thủ tục với Cổng Dịch vụ công quốc gia, sửa nếu cần, rồi ghi ngày "
        f"kiểm tra vào phần đầu, ví dụ updated: {today.isoformat()}. "
        "Đổi số tháng bằng stale_after_months: trong site.yml.",
    )
    problems.extend(own, group=group)


def is_stale_notice(problem: Problem) -> bool:
    """Whether `problem` is the stale-facts notice, which depends on the day alone."""
    return problem.severity is Severity.NOTICE and problem.message.startswith(STALE_OPENING)


def own_checked(site: Site) -> list[Checked]:
    """The site's own dated procedures: in a commune of a province, those of its
    own folder; the catalogue's are reported once, for the whole province."""
    own = site.active_procedures
    if site.home:
        own = tuple(p for p in own if p.source.startswith(site.home + "/"))
    return checked_procedures(own, site.commit_dates)


def check_freshness(site: Site, problems: Problems, today: date) -> None:
    months, file = site.config.stale_after_months, site.own_file("procedures")
    report_stale(own_checked(site), months, today, problems, file)
