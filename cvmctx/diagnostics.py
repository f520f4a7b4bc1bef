"""Findings: what cvmctx reports about user data, and the one exit-code rule.

Every check in cvmctx reports a :class:`Diagnostic` instead of raising, so one run shows every
problem at once (as butane and yamllint do). A diagnostic has a stable ``code`` that CI users
match on, a severity that follows what the guest does (error: the guest fails, misreads or drops
data; warning: it works but surprises; info: worth knowing), a logical ``path`` such as
``cernvm.users[2]`` and, when it came from a file, a 1-based line and column.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    #: The text ``line`` counts in when it is not the user data itself: an outer layer such as
    #: ``context.sh`` (None: the user data).
    source: str | None = None

    def at(self, line: int | None, column: int | None = None) -> Diagnostic:
        """The same finding placed at a line (and column) of the file it came from."""
        return replace(self, line=line, column=column)

    def under(self, path: str) -> Diagnostic:
        """The same finding with its logical path prefixed (``users[1]`` -> ``cernvm.users[1]``)."""
        if self.path is None:
            return replace(self, path=path)
        sep = "" if self.path.startswith("[") else "."
        return replace(self, path=f"{path}{sep}{self.path}")


def error(code: str, message: str, **kw: object) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, **kw)  # type: ignore[arg-type]


def warning(code: str, message: str, **kw: object) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, **kw)  # type: ignore[arg-type]


def info(code: str, message: str, **kw: object) -> Diagnostic:
    return Diagnostic(code, Severity.INFO, message, **kw)  # type: ignore[arg-type]


@dataclass
class Report:
    """The findings about one input, in the order they were found."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics.extend(diagnostics)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.diagnostics)

    def __len__(self) -> int:
        return len(self.diagnostics)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    def codes(self) -> list[str]:
        return [d.code for d in self.diagnostics]

    def fails(self, strict: bool = False) -> bool:
        """Whether these findings fail a run: any error, or any warning under ``--strict``."""
        failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
        return any(d.severity in failing for d in self.diagnostics)

    def sorted(self) -> list[Diagnostic]:
        """Findings in file order; those without a line keep their order, after the located ones."""
        big = 1 << 62
        return sorted(self.diagnostics, key=lambda d: (d.line or big, d.column or 0))


# Exit codes, the same for every command (design.md "Diagnostics").
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


def exit_code(reports: Iterable[Report], strict: bool = False) -> int:
    """The one mapping from findings to an exit code for the whole CLI."""
    return EXIT_FINDINGS if any(r.fails(strict) for r in reports) else EXIT_OK


class CvmctxError(Exception):
    """A user error that stops a command: bad usage, unreadable input, refused value.

    The message is one line naming the file (and line) and the fix; the CLI prints it and exits
    with ``exit_code``. It never holds a secret value.
    """

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class FindingsError(CvmctxError):
    """Building stopped because the input has findings that fail; the report says which."""

    def __init__(self, message: str, report: Report) -> None:
        super().__init__(message, EXIT_FINDINGS)
        self.report = report
