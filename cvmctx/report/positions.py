"""Where a finding points, as the file-based formats (SARIF, GitHub) need it: in the file as
given, or in a layer peeled off it (the context.sh of a CD, decoded base64 or gzip)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cvmctx.diagnostics import Diagnostic

if TYPE_CHECKING:
    pass


#: The layer name that ``FileResult.layers`` gives the decoded user data.
TEXT_LAYER = "text"


def layer_of(d: Diagnostic) -> str:
    """The layer a finding's line and column count in: its ``source``, else the user data."""
    return d.source or TEXT_LAYER


def in_file(layers: Sequence[str], d: Diagnostic) -> bool:
    """Whether ``d``'s line counts in the file as given (no layer peeled before its own)."""
    if d.source is not None:
        return tuple(layers[:1]) == (d.source,)
    # Undecodable plain input has no layer at all, and peel() then locates in the raw bytes.
    return tuple(layers[:1]) in ((), (TEXT_LAYER,))


def region(d: Diagnostic) -> dict[str, int] | None:
    """``startLine``/``startColumn`` when known (SARIF counts both from 1), else None."""
    if d.line is None or d.line < 1:
        return None
    out = {"startLine": d.line}
    if d.column is not None and d.column >= 1:
        out["startColumn"] = d.column
    return out


def message_text(d: Diagnostic) -> str:
    return d.message if not d.hint else f"{d.message} Hint: {d.hint}"
