"""Reporters: the same findings as text with code frames, as the JSON contract of design.md, or
as GitHub Actions annotations (SARIF is in :mod:`cvmctx.report.sarif`).

Results are kept apart from reporters (as check-jsonschema does); a reporter only formats. The
lines shown in code frames come already redacted (:func:`cvmctx.validation.redact.redacted_lines`),
and no
reporter prints a value from the model, so no secret reaches a report.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from cvmctx.diagnostics import Diagnostic, Report, Severity

if TYPE_CHECKING:
    from rich.console import Console

    from cvmctx.validation.pipeline import FileResult

JSON_VERSION = 1
_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


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


def finding_dict(d: Diagnostic) -> dict[str, object]:
    out: dict[str, object] = {
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message,
        "path": d.path,
        "line": d.line,
        "column": d.column,
    }
    if d.hint:
        out["hint"] = d.hint
    if d.source:
        out["source"] = d.source  # line and column count in this layer (e.g. context.sh)
    return out


def to_json(results: Sequence[FileResult]) -> str:
    """The versioned JSON report (design.md): add fields, never rename them."""
    doc = {
        "version": JSON_VERSION,
        "files": [
            {
                "path": r.path,
                "layers": list(r.layers),
                "findings": [finding_dict(d) for d in r.report.sorted()],
            }
            for r in results
        ],
        "summary": summary([r.report for r in results]),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def print_findings(
    console: Console,
    name: str | None,
    diagnostics: Sequence[Diagnostic],
    lines: Sequence[str] = (),
    quiet: bool = False,
    sources: Mapping[str, Sequence[str]] | None = None,
    strict: bool = False,
) -> None:
    """One block per finding: ``file:line:col: severity[code] message``, a frame, a hint.

    ``name`` is the file the findings are about; None for a command's findings (``build``,
    ``iso``), whose sources are its input files. ``quiet`` prints only what fails the run.
    """
    from rich.text import Text

    for d in diagnostics:
        if quiet and not fails_run(d, strict):
            continue
        # A finding in a layer inside a validated file (context.sh in an ISO) names both.
        if name is None:
            where = d.source or "cvmctx"
        else:
            where = name if d.source is None else f"{name}[{d.source}]"
        shown = lines if d.source is None else (sources or {}).get(d.source, ())
        if d.line is not None:
            where += f":{d.line}"
            if d.column is not None:
                where += f":{d.column}"
        head = Text(f"{visible(where)}: ")
        head.append(f"{d.severity.value}[{d.code}]", style=_STYLE[d.severity])
        head.append(f" {visible(d.message)}")
        console.print(head, soft_wrap=True)
        if d.line is not None and 0 < d.line <= len(shown):
            _frame(console, shown[d.line - 1], d.line, d.column)
        if d.hint:
            console.print(Text(f"  hint: {visible(d.hint)}", style="dim"), soft_wrap=True)


# Control characters from the input never reach the terminal (an ESC sequence in user data
# could retitle or clear it): each becomes one visible character, so carets stay aligned.
_VISIBLE = {c: 0x2400 + c for c in range(0x20)} | {0x7F: 0x2421} | {
    c: 0xFFFD for c in range(0x80, 0xA0)
}


def visible(text: str) -> str:
    """``text`` with C0/C1 control characters shown as symbols (␀, ␛, …)."""
    return text.translate(_VISIBLE)


FRAME_WIDTH = 120  # a code frame shows at most this much of a line, around the column


def frame_window(line: str, column: int | None, width: int = FRAME_WIDTH) -> tuple[str, int | None]:
    """The part of a long line a code frame shows, and the column within it.

    A 100 KB line with many findings would otherwise be printed whole for each of them: the
    window keeps the report's size linear in the number of findings.
    """
    if len(line) <= width:
        return line, column
    at = (column or 1) - 1
    start = max(0, min(at - width // 3, len(line) - width))
    end = start + width
    head = "…" if start else ""
    tail = "…" if end < len(line) else ""
    shown_column = None if column is None else at - start + 1 + len(head)
    return head + line[start:end] + tail, shown_column


def _frame(console: Console, line: str, number: int, column: int | None) -> None:
    from rich.text import Text

    gutter = f"{number:>5} | "
    line, column = frame_window(line.rstrip("\r"), column)
    shown = visible(line.replace("\t", " "))
    console.print(Text(gutter + shown), soft_wrap=True, highlight=False)
    if column is not None:
        console.print(
            Text(" " * (len(gutter) - 2) + "| " + " " * (column - 1) + "^", style="bold"),
            soft_wrap=True,
        )


def fails_run(d: Diagnostic, strict: bool) -> bool:
    """Whether this finding makes the run fail: what ``--quiet`` still prints, always, so that
    a red CI job says why (an error; a warning under ``--strict``)."""
    return d.severity is Severity.ERROR or (strict and d.severity is Severity.WARNING)


def print_text(
    console: Console, results: Sequence[FileResult], quiet: bool = False, strict: bool = False
) -> None:
    from rich.text import Text

    for r in results:
        if not quiet:
            console.print(
                Text(visible(f"{r.path}: " + " → ".join(r.layers or ("unreadable",))), "bold"),
                soft_wrap=True,
            )
        print_findings(console, r.path, r.report.sorted(), r.lines, quiet, r.sources, strict)
    if not quiet:
        console.print(Text(summary_line([r.report for r in results])), soft_wrap=True)


# ------------------------------------------------------------------ GitHub Actions annotations

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
    from cvmctx.report.sarif import in_file, message_text, region

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
