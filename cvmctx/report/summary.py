"""What every report format says at the end: counts by severity, the summary line, and which
findings make the run fail (errors; warnings too under --strict)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cvmctx.diagnostics import Diagnostic, Report, Severity

if TYPE_CHECKING:

    pass


def summary(reports: Sequence[Report]) -> dict[str, int]:
    return {
        "errors": sum(r.count(Severity.ERROR) for r in reports),
        "warnings": sum(r.count(Severity.WARNING) for r in reports),
        "infos": sum(r.count(Severity.INFO) for r in reports),
    }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def summary_line(reports: Sequence[Report]) -> str:
    s = summary(reports)
    return ", ".join(
        [
            _plural(s["errors"], "error"),
            _plural(s["warnings"], "warning"),
            _plural(s["infos"], "info"),
        ]
    )


def fails_run(d: Diagnostic, strict: bool) -> bool:
    """Whether this finding makes the run fail: what ``--quiet`` still prints, always, so that
    a red CI job says why (an error; a warning under ``--strict``)."""
    return d.severity is Severity.ERROR or (strict and d.severity is Severity.WARNING)
