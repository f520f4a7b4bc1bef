"""The text report for a terminal or a log: one block per finding with a code frame cut around
its column, control characters made visible."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from cvmctx.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from rich.console import Console

    from cvmctx.validation.pipeline import FileResult
from cvmctx.report.summary import fails_run, summary_line

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


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
