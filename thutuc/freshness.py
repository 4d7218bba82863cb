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
from datetime import date

from .model import Procedure, Site
from .problems import Problems
from .render import vi_date


def months_before(day: date, months: int) -> date:
    """`day` minus `months` calendar months, clamped to the month's last day."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def stale_procedures(site: Site, today: date) -> list[tuple[date, Procedure]]:
    """Active procedures last checked before the cutoff, oldest first (then by code)."""
    months = site.config.stale_after_months
    if months <= 0:  # 0 turns the warning off
        return []
    cutoff = months_before(today, months)
    dated = ((site.checked_on(p), p) for p in site.active_procedures)
    stale = [(day, p) for day, p in dated if day is not None and day < cutoff]
    return sorted(stale, key=lambda item: (item[0], item[1].code))


def check_freshness(site: Site, problems: Problems, today: date) -> None:
    stale = stale_procedures(site, today)
    if not stale:
        return
    lines = [
        f"\n    - {vi_date(day)}{'' if p.front.updated else ' (ngày sửa tệp)'}: "
        f"{p.source} ({p.code} {p.title})"
        for day, p in stale
    ]
    problems.notice(
        "procedures",
        f"{len(stale)} thủ tục chưa được kiểm tra lại quá "
        f"{site.config.stale_after_months} tháng (cũ nhất trước):" + "".join(lines),
        "Đối chiếu từng thủ tục với Cổng Dịch vụ công quốc gia, sửa nếu cần, rồi ghi ngày "
        f"kiểm tra vào phần đầu, ví dụ updated: {today.isoformat()}. "
        "Đổi số tháng bằng stale_after_months: trong site.yml.",
    )
