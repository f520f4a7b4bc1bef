"""Shared by the section-model tests: load values as the reader hands them over, at a known
place, and check the one finding a hazard must give."""

from __future__ import annotations

from collections.abc import Sequence

from cvmctx.diagnostics import Diagnostic, Severity
from cvmctx.model.sections._base import Entry, Section

LINE, COLUMN = 7, 12  # where the first value stands; the next values follow on the next lines


def load(cls: type[Section], values: Sequence[tuple[str, str]]) -> tuple[Section, list[Diagnostic]]:
    entries = [Entry(k, v, LINE + i, COLUMN) for i, (k, v) in enumerate(values)]
    return cls.load(entries)


def one(diags: list[Diagnostic], code: str) -> Diagnostic:
    found = [d for d in diags if d.code == code]
    assert len(found) == 1, [(d.code, d.message) for d in diags]
    return found[0]


def assert_finding(
    cls: type[Section],
    values: Sequence[tuple[str, str]],
    code: str,
    severity: Severity,
    line: int | None,
    column: int | None,
) -> Diagnostic:
    """Loading ``values`` gives exactly one ``code`` finding, of ``severity``, at that place."""
    _, diags = load(cls, values)
    diag = one(diags, code)
    assert diag.severity is severity
    assert (diag.line, diag.column) == (line, column)
    assert diag.message
    return diag
