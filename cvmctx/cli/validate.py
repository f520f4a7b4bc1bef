"""``cvmctx validate``: every file judged as the guest would read it, in the report format asked."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cvmctx.catalog import input as input_codes
from cvmctx.cli.options import (
    MaxInputOpt,
    MaxUnpackedOpt,
)
from cvmctx.diagnostics import (
    EXIT_USAGE,
    CvmctxError,
    exit_code,
)
from cvmctx.limits import MAX_FILE, MAX_UNPACKED

if TYPE_CHECKING:
    from cvmctx.api import FileResult
from cvmctx.cli.common import ReportFormat, guarded


def validate(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE",
            help="User data (plain, gzip or base64), context.sh or context ISO; '-' is stdin.",
        ),
    ],
    format_: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            "-f",
            help="Report format: text, json, sarif (SARIF 2.1.0) or github (workflow-command "
            "annotations); auto is github when GITHUB_ACTIONS=true, else text.",
        ),
    ] = ReportFormat.AUTO,
    strict: Annotated[bool, typer.Option(help="Fail on warnings too.")] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="Print only what fails the run (errors; warnings too with --strict).",
        ),
    ] = False,
    max_input: MaxInputOpt = MAX_FILE,
    max_unpacked: MaxUnpackedOpt = MAX_UNPACKED,
) -> None:
    """Judge user data the way the guest would; exit 1 if it would fail there."""

    def body() -> int:
        from cvmctx.api import validate_bytes, validate_file

        limits = {"max_input": max_input, "max_unpacked": max_unpacked}
        results: list[FileResult] = []
        io_failed = False
        for path in files:
            try:
                if str(path) == "-":
                    data = sys.stdin.buffer.read(max_input + 1)
                    results.append(validate_bytes(data, "<stdin>", **limits))
                else:
                    results.append(validate_file(path, **limits))
            except CvmctxError as exc:
                from cvmctx.report.text import visible

                sys.stderr.write(f"cvmctx: error: {visible(str(exc))}\n")
                io_failed = True
                if format_ not in (ReportFormat.TEXT, ReportFormat.AUTO) or _github():
                    results.append(_unreadable(path, str(exc)))  # in the report CI reads too
        _print_results(results, format_, quiet, strict)
        code = exit_code([r.report for r in results], strict)
        return EXIT_USAGE if io_failed else code

    raise typer.Exit(guarded(body))

def _github() -> bool:
    import os

    return os.environ.get("GITHUB_ACTIONS") == "true"

def _unreadable(path: Path, why: str) -> FileResult:
    """A file that could not be read, as the machine-read formats show it: a file entry with
    one ``input.unreadable`` error (SARIF: a tool execution notification)."""
    from cvmctx.api import FileResult
    from cvmctx.diagnostics import Report

    name = "<stdin>" if str(path) == "-" else str(path)
    finding = input_codes.UNREADABLE.finding(why, hint="check the path and its permissions")
    return FileResult(name, (), Report([finding]))

def _print_results(
    results: list[FileResult], format_: ReportFormat, quiet: bool, strict: bool
) -> None:
    if format_ is ReportFormat.AUTO:
        format_ = ReportFormat.GITHUB if _github() else ReportFormat.TEXT
    from cvmctx.report.reporters import REPORTER_BY_NAME

    REPORTER_BY_NAME[format_.value].write(results, sys.stdout, quiet, strict)
