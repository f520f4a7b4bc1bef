"""What every command shares: one way to fail (one line, an exit code), to guard a command's
body (user errors, findings, internal errors), and to write an output file or standard output.

Imports nothing from the other command modules; they all import it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer

from cvmctx import __version__
from cvmctx.diagnostics import (
    EXIT_INTERNAL,
    EXIT_USAGE,
    REPORT_BUG,
    CvmctxError,
    FindingsError,
)

if TYPE_CHECKING:
    pass


T = TypeVar("T")

class Format(StrEnum):
    TEXT = "text"
    JSON = "json"

class ReportFormat(StrEnum):
    """validate's report formats; auto is github under GitHub Actions, else text."""

    AUTO = "auto"
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"

def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    from cvmctx.report.text import visible

    # A path or argument in the message may hold ESC or a newline: one line, nothing raw.
    sys.stderr.write(f"cvmctx: error: {visible(message)}\n")
    raise typer.Exit(code)

def guarded(fn: Callable[[], T]) -> T:
    """Run a command body; turn user errors into one line and an exit code."""
    try:
        return fn()
    except FindingsError as exc:
        from rich.console import Console

        from cvmctx.report.summary import summary_line
        from cvmctx.report.text import print_findings

        console = Console(stderr=True, highlight=False)
        print_findings(console, None, exc.report.sorted())
        console.print(summary_line([exc.report]), highlight=False)
        fail(str(exc), exc.exit_code)
    except CvmctxError as exc:
        fail(str(exc), exc.exit_code)
    except Exception as exc:  # a bug in cvmctx: its own exit code, never a bare traceback
        import os

        if os.environ.get("CVMCTX_DEBUG") == "1":
            raise
        fail(internal_error(exc), EXIT_INTERNAL)

def internal_error(exc: Exception) -> str:
    """One line for an unexpected exception: its type and where in cvmctx it was raised. Not
    its message, which may quote the input (a password, a key)."""
    import traceback

    package = Path(__file__).resolve().parent.parent  # cvmctx/, not cvmctx/cli/
    ours = [
        (Path(f.filename).resolve(), f.lineno)
        for f in traceback.extract_tb(exc.__traceback__)
        if Path(f.filename).resolve().is_relative_to(package)
    ]
    where = ""
    if ours:
        path, line = ours[-1]
        where = f" in cvmctx/{path.relative_to(package)}:{line}"
    return f"internal error: {type(exc).__name__}{where} (cvmctx {__version__}). {REPORT_BUG}"

def is_stdout(output: Path | None) -> bool:
    """``-o -`` (or no ``-o``) is standard output, as for every Unix tool; never a file '-'."""
    return output is None or str(output) == "-"

def emit(data: bytes, output: Path | None, *, binary: bool = False) -> None:
    if not is_stdout(output):
        from cvmctx.fileio import write_private

        assert output is not None
        write_private(output, data)
        return
    if (binary or data[:2] == b"\x1f\x8b") and sys.stdout.isatty():
        what = "an ISO image" if binary else "gzip"
        fix = (
            "redirect it (-o - > FILE) or give -o FILE"
            if binary
            else ("give -o FILE or use --encoding base64")
        )
        raise CvmctxError(f"the output is {what} (binary), not for a terminal: {fix}")
    sys.stdout.buffer.write(data)  # exact bytes: no newline is added after base64
    sys.stdout.buffer.flush()
