"""Problems found in an editor's files, gathered and shown together.

Every stage reports into one `Problems` collection instead of raising on the
first mistake, so an editor sees everything that is wrong in one run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum


class Severity(Enum):
    ERROR = "lỗi"
    WARNING = "cảnh báo"
    # A reminder tied to the calendar, not to the change (stale facts): never
    # fatal, even under --strict, so a pull request is not failed by the date.
    NOTICE = "nhắc việc"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong: where (file, line), what, and how to fix it."""

    file: str
    line: int | None
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR
    group: str = ""  # e.g. the commune a problem belongs to, in province mode

    def format(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.group:
            where = f"[{self.group}] {where}"
        text = f"{where}: {self.severity.value}: {self.message}"
        if self.hint:
            text += f"\n    → {self.hint}"
        return text


class Problems:
    """An ordered collection of problems with helpers to add and report them."""

    def __init__(self) -> None:
        self._items: list[Problem] = []

    def error(self, file: str, message: str, hint: str = "", line: int | None = None) -> None:
        self._items.append(Problem(file, line, message, hint, Severity.ERROR))

    def warning(self, file: str, message: str, hint: str = "", line: int | None = None) -> None:
        self._items.append(Problem(file, line, message, hint, Severity.WARNING))

    def notice(self, file: str, message: str, hint: str = "", line: int | None = None) -> None:
        self._items.append(Problem(file, line, message, hint, Severity.NOTICE))

    def add(self, problem: Problem) -> None:
        self._items.append(problem)

    def extend(self, other: Problems, group: str = "") -> None:
        for problem in other:
            if group:
                problem = Problem(
                    problem.file,
                    problem.line,
                    problem.message,
                    problem.hint,
                    problem.severity,
                    group,
                )
            self._items.append(problem)

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

    def has_errors(self, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))

    def report(self) -> str:
        """All problems, errors first, numbered, in a stable order."""
        ordered = sorted(self.errors) + sorted(self.warnings) + sorted(self.notices)
        lines = [f"{n}. {problem.format()}" for n, problem in enumerate(ordered, 1)]
        return "\n".join(lines)


class BuildFailed(Exception):
    """Raised to stop a build; the CLI prints `problems` and exits 1."""

    def __init__(self, problems: Problems) -> None:
        super().__init__(f"{len(problems.errors)} error(s)")
        self.problems = problems
