"""The formats ``validate`` reports in, by name: one :class:`Reporter` each, in one registry
(as check-jsonschema's ``REPORTER_BY_NAME``). A reporter writes results; it never decides the
exit code, which :func:`cvmctx.diagnostics.exit_code` alone does."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from cvmctx.validation.pipeline import FileResult


@dataclass(frozen=True)
class Reporter:
    name: str
    #: Writes ``results`` to a stream, given ``--quiet`` and ``--strict`` (JSON and SARIF are
    #: whole documents for a machine: ``--quiet`` does not shorten them).
    write: Callable[[Sequence[FileResult], TextIO, bool, bool], None]


def _text(results: Sequence[FileResult], out: TextIO, quiet: bool, strict: bool) -> None:
    from rich.console import Console

    from cvmctx.report.text import print_text

    print_text(Console(file=out, highlight=False), results, quiet, strict)


def _json(results: Sequence[FileResult], out: TextIO, quiet: bool, strict: bool) -> None:
    from cvmctx.report.jsonreport import to_json

    out.write(to_json(results))


def _sarif(results: Sequence[FileResult], out: TextIO, quiet: bool, strict: bool) -> None:
    from cvmctx.report.sarif import to_sarif

    out.write(to_sarif(results))


def _github(results: Sequence[FileResult], out: TextIO, quiet: bool, strict: bool) -> None:
    from cvmctx.report.github import to_github

    out.write(to_github(results, quiet, strict))


# Each format's module is imported only when it is used: a text run never loads SARIF's.
REPORTER_BY_NAME: dict[str, Reporter] = {
    r.name: r
    for r in (
        Reporter("text", _text),
        Reporter("json", _json),
        Reporter("sarif", _sarif),
        Reporter("github", _github),
    )
}
