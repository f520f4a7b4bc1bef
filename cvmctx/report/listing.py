"""``cvmctx inspect``: what a guest gets from an input, listed for people (text) and programs
(JSON). Secret values are masked unless ``show_secrets``; the user data is listed line by line
as the guest splits it."""

from __future__ import annotations

import json
import stat
from typing import TYPE_CHECKING

from cvmctx.report.jsonreport import JSON_VERSION, finding_dict
from cvmctx.report.summary import summary_line
from cvmctx.report.text import print_findings, visible
from cvmctx.validation.redact import MASK, USER_DATA_VARIABLES, holds_user_data, shown_variable

if TYPE_CHECKING:
    from rich.console import Console

    from cvmctx.validation.pipeline import FileResult


def _variables(result: FileResult, show_secrets: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    if result.cd is None:
        return out
    for name, var in sorted(result.cd.variables.items()):
        shown = var.value if show_secrets else shown_variable(name, var.value)
        if shown is not None:
            out[name] = shown
        elif name == "EC2_USER_DATA":  # the one the guest decodes (guest-format.md §4)
            out[name] = f"<{len(var.value)} characters of base64: the user data below>"
        elif name in USER_DATA_VARIABLES or holds_user_data(var.value):
            out[name] = f"<{len(var.value)} characters of base64 user data, hidden>"
        else:
            out[name] = MASK
    return out


def _user_data(result: FileResult, show_secrets: bool) -> list[str]:
    if show_secrets and result.text is not None:
        return result.text.split("\n")
    return result.lines


def listing_json(result: FileResult, show_secrets: bool) -> str:
    cd = result.cd
    doc = {
        "version": JSON_VERSION,
        "path": result.path,
        "layers": list(result.layers),
        "label": cd.label if cd else None,
        "extensions": cd.extensions if cd else [],
        "files": [{"name": f.name, "size": f.size, "mode": f.mode} for f in cd.files]
        if cd
        else [],
        "variables": _variables(result, show_secrets),
        "user_data": _user_data(result, show_secrets),
        "findings": [finding_dict(d) for d in result.report.sorted()],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def print_listing(console: Console, result: FileResult, show_secrets: bool) -> None:
    from rich.text import Text

    def say(text: str, style: str = "") -> None:
        console.print(Text(visible(text), style=style), soft_wrap=True)

    say(f"{result.path}: " + " → ".join(result.layers or ("unreadable",)), "bold")
    cd = result.cd
    if cd is not None and "iso" in cd.layers:
        say(f"label {cd.label or '-'}; " + (" + ".join(["ISO 9660", *cd.extensions])))
        say("files:", "bold")
        for f in cd.files:
            mode = stat.filemode(f.mode) if f.mode is not None else "-" * 10
            say(f"  {mode} {f.size:>8}  {f.name}")
    variables = _variables(result, show_secrets)
    if variables:
        say("context.sh:", "bold")
        for name, value in variables.items():
            say(f"  {name}={value}")
    lines = _user_data(result, show_secrets)
    if result.text is not None:
        say("user data:", "bold")
        width = len(str(len(lines)))
        for number, line in enumerate(lines, 1):
            say(f"  {number:>{width}} | {line}")
    print_findings(console, result.path, result.report.sorted(), result.lines, False,
                   result.sources)  # fmt: skip
    say(summary_line([result.report]))
