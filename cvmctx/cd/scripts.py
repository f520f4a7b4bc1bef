"""``prolog.sh`` and ``epilog.sh`` on a context CD: the guest *sources* them with bash
(``. "./prolog.sh" start`` in ``runContextualizationScript``, guest-format.md §4), so bash must
be able to parse them. Used by ``cvmctx iso`` for ``--prolog``/``--epilog`` and by validate
for the scripts on an ISO.

Lines are bash's: only ``\\n`` ends one. Python's ``str.splitlines()`` also splits on form feed,
``\\v``, ``\\x1c``-``\\x1e``, ``\\x85``, U+2028 and U+2029, which bash reads as ordinary
characters; splitting there would hand bash a different program and misplace every line number.
"""

from __future__ import annotations

from cvmctx.catalog import build as build_codes
from cvmctx.diagnostics import Diagnostic
from cvmctx.guest.pytext import split_lines

__all__ = ["cd_script_findings", "script_findings"]


def script_findings(text: str, name: str, source: str) -> tuple[list[Diagnostic], str | None]:
    """What bash makes of ``text`` (the script ``name``, reported at ``source``): CR LF line
    ends and syntax errors, with bash's line numbers; and why it could not be checked (bash
    missing or stuck), or None."""
    from cvmctx.guest.script.part import (
        bash_syntax,  # bash and its grammar only when there is a script
    )

    crlf = text.find("\r\n")
    if crlf < 0 and text.endswith("\r"):
        crlf = len(text) - 1
    if crlf >= 0:
        crlf_error = build_codes.ISO_SCRIPT_CRLF.finding(
            f"{name} has CRLF line ends: bash keeps the '\\r' in every command it sources",
            source=source,
            line=text.count("\n", 0, crlf) + 1,
            hint="convert it with dos2unix",
        )
        return [crlf_error], None
    lines = split_lines(text)
    found = bash_syntax(lines)
    if isinstance(found, str):
        return [], found
    if found is None:
        return [], None
    line, message = found
    line = max(1, min(line, len(lines)))  # bash names the line after the last at the end
    syntax = build_codes.ISO_SCRIPT_SYNTAX.finding(
        f"bash cannot parse {name}, which the guest sources: {message}",
        source=source,
        line=line,
        hint="fix the line (check with bash -n)",
    )
    return [syntax], None


def cd_script_findings(files: dict[str, bytes]) -> list[Diagnostic]:
    """Validate's checks of the prolog.sh and epilog.sh on a CD (``source`` is the file)."""
    diags: list[Diagnostic] = []
    for name in ("prolog.sh", "epilog.sh"):
        data = files.get(name)
        if data is None:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            diags.append(_unchecked(name, f"it is not UTF-8 text (byte {exc.start})"))
            continue
        found, unchecked = script_findings(text, name, name)
        diags.extend(found)
        if unchecked is not None:
            diags.append(_unchecked(name, unchecked))
    return diags


def _unchecked(name: str, why: str) -> Diagnostic:
    return build_codes.ISO_SCRIPT_UNCHECKED.finding(
        f"cvmctx could not check that bash can parse {name}, which the guest sources: {why}",
        source=name,
        hint="check it with bash -n, or install bash where cvmctx runs",
    )
