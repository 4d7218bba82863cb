"""Problems found in an editor's files, gathered and shown together.

Every stage reports into one `Problems` collection instead of raising on the
first mistake, so an editor sees everything that is wrong in one run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import Enum

# The same problem on this many files is shown once, with the files listed;
# 4,000 procedures lacking `documents` make one entry, not 4,000.
GROUP_FROM = 4
FILES_SHOWN = 3
GROUPS_SHOWN = 3  # communes named in one entry


class Severity(Enum):
    ERROR = "lỗi"
    WARNING = "cảnh báo"
    # A reminder tied to the calendar, not to the change (stale facts): never
    # fatal, even under --strict, so a pull request is not failed by the date.
    NOTICE = "nhắc việc"


@dataclass(frozen=True)
class Problem:
    """One thing wrong: where (file, line), what, and how to fix it."""

    file: str
    line: int | None
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR
    group: str = ""  # e.g. the commune a problem belongs to, in province mode
    detail: str = ""  # the tool's own words (PyYAML's English), shown with --verbose

    @property
    def order(self) -> tuple[str, str, int, str, str, str]:
        """Where it is, then what: a problem of the whole file (no line) before its lines."""
        line = -1 if self.line is None else self.line
        return (self.file, self.group, line, self.message, self.hint, self.detail)

    @property
    def where(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"[{self.group}] {where}" if self.group else where

    def text(self, verbose: bool = False) -> str:
        return self.message + (f" [{self.detail}]" if verbose and self.detail else "")

    def format(self, verbose: bool = False) -> str:
        text = f"{self.where}: {self.severity.value}: {self.text(verbose)}"
        if self.hint:
            text += f"\n    → {self.hint}"
        return text


class Problems:
    """An ordered collection of problems with helpers to add and report them."""

    def __init__(self) -> None:
        self._items: list[Problem] = []

    def error(
        self, file: str, message: str, hint: str = "", line: int | None = None, detail: str = ""
    ) -> None:
        self._items.append(Problem(file, line, message, hint, Severity.ERROR, detail=detail))

    def warning(self, file: str, message: str, hint: str = "", line: int | None = None) -> None:
        self._items.append(Problem(file, line, message, hint, Severity.WARNING))

    def notice(self, file: str, message: str, hint: str = "", line: int | None = None) -> None:
        self._items.append(Problem(file, line, message, hint, Severity.NOTICE))

    def add(self, problem: Problem) -> None:
        self._items.append(problem)

    def extend(self, other: Problems, group: str = "") -> None:
        for problem in other:
            self._items.append(replace(problem, group=group) if group else problem)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self._items if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self._items if p.severity is Severity.WARNING]

    @property
    def notices(self) -> list[Problem]:
        return [p for p in self._items if p.severity is Severity.NOTICE]

    def told(self, severity: Severity) -> int:
        """How many problems of this kind the report tells: one a shared file's
        problem that many communes found (or the same one found twice)."""
        return len({_ungrouped(p) for p in self._items if p.severity is severity})

    def has_errors(self, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))

    def report(self, verbose: bool = False) -> str:
        """All problems, errors first, numbered, in a stable order. The same
        problem on GROUP_FROM files or more is one entry naming the first
        FILES_SHOWN files (all of them with `verbose`)."""
        ordered = [
            problem
            for kind in (self.errors, self.warnings, self.notices)
            for problem in sorted(_one_per_place(kind, verbose), key=lambda p: p.order)
        ]
        groups: dict[tuple[Severity, str, str, str], list[Problem]] = {}
        for problem in ordered:
            key = (problem.severity, problem.message, problem.hint, problem.group)
            groups.setdefault(key, []).append(problem)
        entries = []
        for same in groups.values():
            if len(same) >= GROUP_FROM:
                entries.append(_grouped(same, verbose))
            else:
                entries += [problem.format(verbose) for problem in same]
        return "\n".join(f"{n}. {entry}" for n, entry in enumerate(entries, 1))


def _one_per_place(problems: list[Problem], verbose: bool = False) -> list[Problem]:
    """The same problem of the same place told for several groups (or twice), as
    one naming them: a province's shared file seen by each of its 100 communes is
    one entry, "[an, binh, chi và 97 xã khác] templates/strings/km.yml: ..."."""
    groups: dict[Problem, list[str]] = {}
    for problem in problems:
        groups.setdefault(_ungrouped(problem), []).append(problem.group)
    merged = []
    for problem, names in groups.items():
        names = sorted({name for name in names if name})  # the same whatever was rebuilt
        if not names:  # a single site's: as it is
            merged.append(problem)
            continue
        cut = len(names) > GROUPS_SHOWN + 1 and not verbose  # -v names them all
        label = ", ".join(names[:GROUPS_SHOWN] if cut else names)
        if cut:
            label += f" và {len(names) - GROUPS_SHOWN} xã khác"
        merged.append(replace(problem, group=label))
    return merged


def _grouped(same: list[Problem], verbose: bool) -> str:
    first, files = same[0], len({p.file for p in same})
    unit = "tệp" if files == len(same) else "chỗ"
    places = f"{len(same)} tệp" if unit == "tệp" else f"{len(same)} chỗ trong {files} tệp"
    shown = same if verbose else same[:FILES_SHOWN]
    lines = [f"{first.severity.value}, {places}: {first.text(verbose)}"]
    lines += [f"    - {p.where}" for p in shown]
    if len(shown) < len(same):
        lines.append(f"    … và {len(same) - len(shown)} {unit} khác (xem hết: thêm --verbose)")
    lines += [f"    → {first.hint}"] if first.hint else []
    return "\n".join(lines)


class BuildFailed(Exception):
    """Raised to stop a build; the CLI prints `problems` and exits 1."""

    def __init__(self, problems: Problems) -> None:
        super().__init__(f"{len(problems.errors)} error(s)")
        self.problems = problems


def _ungrouped(problem: Problem) -> Problem:
    """The problem whoever found it (a single site's thousands have no group: no copy)."""
    return replace(problem, group="") if problem.group else problem
