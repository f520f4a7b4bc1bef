"""Findings: what cvmctx reports about user data, and the one exit-code rule.

Every check in cvmctx reports a :class:`Diagnostic` instead of raising, so one run shows every
problem at once (as butane and yamllint do). A diagnostic has a stable ``code`` that CI users
match on, a severity that follows what the guest does (error: the guest fails, misreads or drops
data; warning: it works but surprises; info: worth knowing), a logical ``path`` such as
``cernvm.users[2]`` and, when it came from a file, a 1-based line and column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum

from cvmctx.limits import PER_CODE, PER_REPORT


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


#: ``report.truncated``, declared in :mod:`cvmctx.catalog.report` (an info); written out here
#: because this module sits below the catalog (a test holds the two together).
TRUNCATED = "report.truncated"

_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


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


@dataclass(frozen=True)
class Tally(Diagnostic):
    """``count`` findings of one code that a producer counted but did not build, past the
    :data:`~cvmctx.limits.PER_CODE` a report shows (see :class:`Budget`). Never shown:
    :meth:`Report.capped` folds it into that code's ``report.truncated`` note."""

    count: int = 0

    def at(self, line: int | None, column: int | None = None) -> Diagnostic:
        return self  # a count of findings has no one place; it must stay a Tally


class Budget:
    """Builds at most :data:`~cvmctx.limits.PER_CODE` findings of each code and only counts
    the rest, so a hostile input of millions of lines costs a count per line, not a message,
    a code frame and an object (issue 9: 16 MB of ``x = y`` in seconds).

    For a producer that emits each code in file order: then the findings it builds are a
    superset of the first ``PER_CODE`` that :meth:`Report.capped` would show, and the report
    is the same as if all were built. ``free`` names lines whose findings are always built,
    uncounted, because a later filter may drop them (script and MIME lines, which the INI
    reader sees but which are not INI): a finding only counts once it is sure to stay.
    """

    __slots__ = ("_free", "_seen", "_tallied")

    def __init__(self, free: Callable[[int], bool] | None = None) -> None:
        self._free = free
        self._seen: dict[str, int] = {}
        self._tallied: dict[str, tuple[Severity, int]] = {}

    def room(self, code: str, severity: Severity, line: int | None = None) -> bool:
        """Whether to build this finding; when not, it is counted."""
        if self._free is not None and line is not None and self._free(line):
            return True
        seen = self._seen.get(code, 0)
        if seen < PER_CODE:
            self._seen[code] = seen + 1
            return True
        worst, count = self._tallied.get(code, (severity, 0))
        if severity is not worst and _RANK[severity] < _RANK[worst]:
            worst = severity
        self._tallied[code] = (worst, count + 1)
        return False

    def tallies(self) -> list[Diagnostic]:
        """The counted findings, one :class:`Tally` per code, for the producer's list."""
        return [
            Tally(code, severity, "", count=count)
            for code, (severity, count) in self._tallied.items()
        ]


class Unbounded(Budget):
    """A budget that builds every finding: for a producer whose order is not file order."""

    __slots__ = ()

    def room(self, code: str, severity: Severity, line: int | None = None) -> bool:
        return True


def file_order_budget(lines: Iterable[int | None]) -> Budget:
    """A :class:`Budget` for a producer that visits these lines in this order: bounded when
    the order is file order, unbounded when not (a repeated key's value comes from its last
    line, out of order: then every finding is built, as many as before)."""
    last = 0
    for line in lines:
        if line is None or line < last:
            return Unbounded()
        last = line
    return Budget()


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
        return left_out + sum(
            d.count if isinstance(d, Tally) else 1
            for d in self.diagnostics
            if d.severity is severity
        )

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
        tallies = [d for d in self.diagnostics if isinstance(d, Tally)]
        if not tallies and len(self.diagnostics) <= min(per_code, total):
            return self
        omitted = dict(self.omitted)

        def leave_out(code: str, severity: Severity, count: int) -> None:
            old = omitted.get(code, (severity, 0))
            omitted[code] = (min(old[0], severity, key=_RANK.__getitem__), old[1] + count)

        # A Tally counts findings that come after every built one of its code (Budget): they
        # are left out whatever else the report holds.
        for tally in tallies:
            leave_out(tally.code, tally.severity, tally.count)
        kept: list[Diagnostic] = []
        per: dict[str, int] = {}  # built findings seen, by code
        shown: dict[str, int] = {}
        built = [d for d in self.sorted() if not isinstance(d, Tally)]
        for d in sorted(built, key=lambda d: _RANK[d.severity]):  # stable: file order
            seen = per[d.code] = per.get(d.code, 0) + 1
            if seen <= per_code and len(kept) < total:
                kept.append(d)
                shown[d.code] = shown.get(d.code, 0) + 1
            else:
                leave_out(d.code, d.severity, 1)
        out = Report(kept, omitted)
        for code, (severity, count) in omitted.items():
            if code in self.omitted:
                continue  # said by the report this one was cut from
            out.add(
                Diagnostic(
                    TRUNCATED,
                    Severity.INFO,
                    f"{count} more {severity.value}"
                    f"{'' if count == 1 else 's'} [{code}] not shown (the first "
                    f"{shown.get(code, 0)} are); they count in the summary and the exit "
                    "code",
                    hint="fix the first ones: the rest are usually the same mistake",
                )
            )
        return out


# Exit codes, the same for every command (design.md "Diagnostics").
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3  # a cvmctx bug, not the user's input or usage


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


class InternalError(CvmctxError):
    """A check of cvmctx's own work failed (an image that does not read back): a cvmctx bug,
    exit 3, never blamed on the input. Nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(f"internal error: {message}. {REPORT_BUG}", EXIT_INTERNAL)


REPORT_BUG = (
    "This is a cvmctx bug: please report it with 'cvmctx --version' and the command line (with "
    "any secret removed); CVMCTX_DEBUG=1 shows the traceback"
)


class FindingsError(CvmctxError):
    """Building stopped because the input has findings that fail; the report says which."""

    def __init__(self, message: str, report: Report) -> None:
        super().__init__(message, EXIT_FINDINGS)
        self.report = report.capped()
