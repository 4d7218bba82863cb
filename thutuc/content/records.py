"""What validating procedures gave, kept between builds (engine/state.py saves it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from thutuc.content.model import ProcedureSummary
from thutuc.problems import Problem


@dataclass(frozen=True)
class ProcedureRecord:
    """What validating one recipe gave: its summary (None when it is not a valid
    procedure), its problems, and the other files it depends on (its forms, by
    the digest they had, None for a missing one)."""

    summary: ProcedureSummary | None
    problems: tuple[Problem, ...]
    depends: tuple[tuple[str, str | None], ...] = ()
    checked: date | None = None  # the day it was validated: a date it names may have come since

    def expired(self, today: date) -> bool:
        """A date the validation compared with today (a `retired:` or `updated:` still
        to come) has come since: validating again gives another result."""
        return self.checked is not None and any(
            self.checked < day <= today for day in expiry_dates(self.summary)
        )


def expiry_dates(summary: ProcedureSummary | None) -> tuple[date, ...]:
    """The dates a procedure's validation depends on, beyond its files."""
    if summary is None:
        return ()
    return tuple(d for d in (summary.retires_on, summary.retired, summary.updated) if d)


@dataclass
class RecordCache:
    """Records by recipe, and each procedure file's code (province merging), from
    the last build; `used` marks what this build looked at, so the rest is dropped."""

    procedures: dict[str, ProcedureRecord] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def kept(self, existing: set[str]) -> RecordCache:
        """The records worth keeping: those this build looked at, and those whose
        files all still exist (a commune not loaded this time keeps its records)."""

        def alive(key: str) -> bool:
            layers = key.split("\0")[1:-1]  # root, layers, field folder
            return all(layer.split("\1")[0] in existing for layer in layers)

        procedures = {k: v for k, v in self.procedures.items() if k in self.used or alive(k)}
        codes = {
            k: v for k, v in self.codes.items() if k in self.used or k.split("\1")[0] in existing
        }
        return RecordCache(procedures, codes)
