"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` per finding."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cvmctx.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:

    from cvmctx.validation.pipeline import FileResult
from cvmctx.report.summary import fails_run, summary_line
from cvmctx.report.text import visible

_GITHUB_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def github_escape_data(text: str) -> str:
    """A workflow command's message, escaped as the Actions runner reads it back."""
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return visible(escaped)  # no other control character reaches the CI log


def github_escape_property(text: str) -> str:
    """A workflow command's property value (file, title): also ':' and ',' are escaped."""
    return github_escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(path: str, d: Diagnostic, layers: Sequence[str]) -> str:
    """``::error file=PATH,line=L,col=C,title=CODE::MESSAGE`` for one finding.

    The line and column are given only where they count in the file as given (see
    :mod:`cvmctx.report.sarif`); a position in a layer inside the file (the context.sh of an ISO,
    decoded base64 user data) leads the message instead, so the annotation does not point at an
    unrelated line of the file.
    """
    from cvmctx.report.positions import in_file, message_text, region

    props = [f"file={github_escape_property(path)}"]
    message = message_text(d)
    where = region(d)
    if where is not None:
        if in_file(layers, d):
            props.append(f"line={where['startLine']}")
            if "startColumn" in where:
                props.append(f"col={where['startColumn']}")
        else:
            layer = d.source or "decoded user data"
            at = f"{layer} line {where['startLine']}"
            if "startColumn" in where:
                at += f", column {where['startColumn']}"
            message = f"{at}: {message}"
    elif d.source is not None:
        message = f"{d.source}: {message}"
    props.append(f"title={github_escape_property(d.code)}")
    return f"::{_GITHUB_COMMAND[d.severity]} {','.join(props)}::{github_escape_data(message)}"


def to_github(results: Sequence[FileResult], quiet: bool = False, strict: bool = False) -> str:
    """One annotation line per finding, then the summary as a plain line (not with --quiet,
    which keeps only what fails the run)."""
    lines = [
        github_annotation(r.path, d, r.layers)
        for r in results
        for d in r.report.sorted()
        if not quiet or fails_run(d, strict)
    ]
    if not quiet:
        lines.append(summary_line([r.report for r in results]))
    return "".join(line + "\n" for line in lines)
