"""``cvmctx sections`` and ``cvmctx explain``: the section reference and the code catalog."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from cvmctx.cli.help import complete_section
from cvmctx.diagnostics import (
    CvmctxError,
)

if TYPE_CHECKING:
    pass
from cvmctx.cli.common import guarded


def sections(
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="SECTION", help="One section to describe.", autocompletion=complete_section
        ),
    ] = None,
) -> None:
    """List the sections the guest reads, or describe one: keys, types, defaults, docs."""

    def body() -> None:
        from cvmctx.report.sections import describe_all, describe_one

        sys.stdout.write(describe_all() if name is None else describe_one(name))

    guarded(body)

def explain(
    code: Annotated[
        str, typer.Argument(metavar="CODE", help="A finding's code, as a report shows it.")
    ],
) -> None:
    """Tell what a finding's code means and how to fix it (from docs/diagnostics.md)."""

    def body() -> None:
        import textwrap

        from cvmctx.catalog import closest_code, entry_for

        asked = code.strip()
        entry = entry_for(asked)
        if entry is None:
            close = closest_code(asked)
            hint = f"did you mean '{close}'?" if close else "docs/diagnostics.md lists them"
            raise CvmctxError(f"no finding has the code {asked[:80]!r}; {hint}")
        title = asked if entry.code == asked else f"{asked} (documented as {entry.code})"
        text = textwrap.fill(entry.text, width=100, break_on_hyphens=False)
        sys.stdout.write(f"{title}\n\n{text}\n\nmore: {entry.uri()}\n")

    guarded(body)
