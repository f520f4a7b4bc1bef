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

from cvmctx.limits import PER_CODE, PER_REPORT


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
        # Built directly: dataclasses.replace costs ten times more, once per finding.
        return Diagnostic(self.code, self.severity, self.message, self.path, line, column,
                          self.hint, self.source)  # fmt: skip

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
    #: Findings left out by :meth:`capped`, by code: their severity and how many.
    omitted: dict[str, tuple[Severity, int]] = field(default_factory=dict)

    def add(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics.extend(diagnostics)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.diagnostics)

    def __len__(self) -> int:
        return len(self.diagnostics)

    def count(self, severity: Severity) -> int:
        """Findings of ``severity``, those left out by :meth:`capped` included."""
        left_out = sum(n for sev, n in self.omitted.values() if sev is severity)
        return left_out + sum(1 for d in self.diagnostics if d.severity is severity)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    def codes(self) -> list[str]:
        return [d.code for d in self.diagnostics]

    def fails(self, strict: bool = False) -> bool:
        """Whether these findings fail a run: any error, or any warning under ``--strict``."""
        failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
        return any(d.severity in failing for d in self.diagnostics) or any(
            sev in failing for sev, _ in self.omitted.values()
        )

    def sorted(self) -> list[Diagnostic]:
        """Findings in file order; those without a line keep their order, after the located ones."""
        big = 1 << 62
        return sorted(self.diagnostics, key=lambda d: (d.line or big, d.column or 0))


    def capped(self, per_code: int = PER_CODE, total: int = PER_REPORT) -> Report:
        """At most ``per_code`` findings of each code and ``total`` in all (errors kept first),
        in file order, each code cut short ending in one ``report.truncated`` note with the
        count left out. Reports stay linear in the input: 100,000 repeated lines give a few
        hundred findings, not 100,000 code frames."""
        if len(self.diagnostics) <= min(per_code, total):
            return self
        rank = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        kept: list[Diagnostic] = []
        per: dict[str, int] = {}
        omitted = dict(self.omitted)
        ordered = sorted(self.sorted(), key=lambda d: rank[d.severity])  # stable: file order
        for d in ordered:
            seen = per[d.code] = per.get(d.code, 0) + 1
            if seen <= per_code and len(kept) < total:
                kept.append(d)
            else:
                old = omitted.get(d.code, (d.severity, 0))
                worst = min(old[0], d.severity, key=rank.__getitem__)
                omitted[d.code] = (worst, old[1] + 1)
        out = Report(kept, omitted)
        for code, (severity, count) in omitted.items():
            if code in self.omitted:
                continue  # said by the report this one was cut from
            shown = per[code] - count
            out.add(info("report.truncated", f"{count} more {severity.value}"
                         f"{'' if count == 1 else 's'} [{code}] not shown (the first {shown} "
                         "are); they count in the summary and the exit code",
                         hint="fix the first ones: the rest are usually the same mistake"))
        return out


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
        self.report = report.capped()
