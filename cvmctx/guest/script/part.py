"""The ``#!`` script part of amiconfig user data, as the guest runs it (guest-format.md §1.6).

The guest's ``amiconfig.sh`` (RunUserDataScript) does, on the *whole* user data:

1. delete every line matching ``^ *$`` (spaces only: a tab-only line stays), heredocs included;
2. give up unless the first remaining line starts with ``#!``;
3. before the plugins, run the script if any line matches ``#!.*sh.*before``; after them, if
   any line matches ``#!.*sh\\(.*after\\|$\\)``;
4. execute everything from the first line matching ``#!.*sh`` to the end of the data, INI lines
   included, with the kernel honouring that first line verbatim. Only a command that ends the
   shell keeps it from running ``[amiconfig]``, ``plugins=...`` and so on as commands.

This module replays those steps exactly (:func:`executed_text`, :attr:`Script.phases`), builds a
script that survives them (:func:`make_script`) and reports every way the guest would run a
script differently from what its author meant (:func:`read_script`). What the *shell* makes of
the lines (which command ends it, what is left open, what a deleted blank line changes) comes
from :mod:`cvmctx.guest.script.shell`, a parser, not from line patterns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cvmctx.catalog import script as script_codes
from cvmctx.diagnostics import Diagnostic
from cvmctx.guest.pytext import guest_strip, split_lines
from cvmctx.guest.script import bashcheck, shell
from cvmctx.guest.script import exits as shell_exits
from cvmctx.guest.script import findings as findings
from cvmctx.guest.script.runner import (
    Layout,
    executed_text,
    is_blank,
    kept_lines,
    selected_phases,
    swallowed_exit,
)
from cvmctx.guest.script.shebang import (
    AFTER_TEST,
    BEFORE_TEST,
    EXEC_START,
    SHEBANG,
    WHEN,
    Phase,
    describe_phases,
    line_phases,
    parse_shebang,
)

__all__ = [
    "SHEBANG",
    "Phase",
    "Script",
    "bash_syntax",
    "executed_text",
    "make_script",
    "read_script",
]

_DOC = "docs/guest.md §1.6"


@dataclass(frozen=True)
class Script:
    """The script lines exactly as emitted (and as the guest keeps them).

    From :func:`make_script`: the first line is the shebang, lines end in ``'\\n'``, the script
    ends the shell before anything after it and no line is blank (spaces only). From
    :func:`read_script`: the script part of the user data with blank lines removed.
    """

    text: str
    # 1-based lines [first, end) of the script part in the user data it was read from: a
    # '[ … ]' line there is script, and the section the guest's INI reader makes of it is the
    # script's, not the INI part's. Not part of equality: the text is what the guest runs.
    lines: tuple[int, int] | None = field(default=None, compare=False)

    @property
    def phases(self) -> frozenset[Phase]:
        """The phases in which the guest runs this text (its sed tests, replayed on it alone)."""
        return selected_phases(kept_lines(split_lines(self.text)))


# --------------------------------------------------------------------------------------------
# The guest's pipeline


def bash_syntax(lines: Sequence[str]) -> tuple[int, str] | str | None:
    """``bash -n`` on ``lines``: None if it parses, (line, message) if not, a reason string if
    bash could not be run."""
    check = bashcheck.bash_check("".join(line + "\n" for line in lines))
    return check.unchecked or check.error


# --------------------------------------------------------------------------------------------
# Checks shared by build and read mode


def _common(
    lines: Sequence[str],
    numbers: Sequence[int | None],
    part: Sequence[int],
    known: frozenset[str],
    path: str,
    *,
    shebang_checked: bool = False,
) -> list[Diagnostic]:
    """CR line ends, the shebang, a script run twice and bracket lines, over the kept lines
    ``part`` of the script part (``lines[part[0]]`` is its '#!' line). The sed tests look at
    every kept line of the user data, so ``lines`` past the part count for them too."""
    kept = [i for i, line in enumerate(lines) if not is_blank(line) and i >= part[0]]
    diags: list[Diagnostic] = []
    cr = next((i for i in part if "\r" in lines[i]), None)
    if cr is not None:
        diags.append(findings.crlf(numbers[cr], path))
    first = part[0]
    before = next((i for i in kept if BEFORE_TEST.search(lines[i])), None)
    after = next((i for i in kept if AFTER_TEST.search(lines[i])), None)
    start = next((i for i in kept if EXEC_START.search(lines[i])), None)
    shebang = parse_shebang(lines[first])
    if shebang_checked:
        pass  # build mode judged the user's first line already (_build_shebang)
    elif before is None and after is None:
        diags.append(findings.not_run(lines[first], numbers[first], shebang, path))
    elif start is not None and start != first:
        diags.append(findings.runs_elsewhere(numbers[first], numbers[start], path))
    elif shebang.unrunnable() is not None:
        phases = frozenset(
            {p for p, i in ((Phase.BEFORE, before), (Phase.AFTER, after)) if i is not None}
        )
        diags.append(findings.unrunnable(shebang, phases, numbers[first], path))
    if before is not None and after is not None:
        diags.append(findings.runs_twice(numbers[before], numbers[after], path))
    diags.extend(findings.bracket_lines(lines, {i: numbers[i] for i in part}, known, path))
    return diags


def _blank_lines(
    written: Sequence[str], rows: range, number: Callable[[int], int | None], path: str
) -> list[Diagnostic]:
    """What the guest's deleting each blank line among ``rows`` of ``written`` does."""
    if not any(is_blank(written[r]) for r in rows):
        return []
    tree = shell.parse("\n".join(written))
    found = []
    for r in rows:
        if is_blank(written[r]):
            effect, at = shell.blank_line_effect(tree, written, r)
            diag = findings.blank_line(effect, number(r), number(at), path)
            if diag is not None:
                found.append(diag)
    return found


def _number(numbers: Sequence[int | None], i: int) -> int | None:
    """The reporting line of index ``i``; a line cvmctx added reports at the line above it."""
    i = min(i, len(numbers) - 1)
    while i >= 0:
        if numbers[i] is not None:
            return numbers[i]
        i -= 1
    return None


# --------------------------------------------------------------------------------------------
# Build mode


def make_script(
    source: str,
    phase: Phase,
    origin: str = "script",
    *,
    known_sections: frozenset[str] = frozenset(),
) -> tuple[Script, list[Diagnostic]]:
    """Build mode (``cvmctx build --script FILE --phase P``): from the user's script file text.

    The result is what the guest keeps of it: a shebang that runs in ``phase`` and nowhere else,
    no blank lines, and a command that ends the shell before anything after it (an ``exit``
    line is added when the script has none). Diagnostics carry line numbers of ``source`` and
    the path ``origin``. Any error means the script must not be emitted: the returned text
    then only keeps the shape.
    """
    lines = split_lines(source)
    out, numbers, diags, body_from = _build_head(lines, phase, origin)
    judged = bool(diags)
    cr = next((i for i, line in enumerate(lines) if "\r" in line), None)
    if cr is not None:
        # Refuse rather than strip: the file is not what the guest would run, and fixing line
        # ends silently could hide a mangled upload.
        shape = [*out, *kept_lines(lines[body_from:]), "exit"]
        return Script("".join(x + "\n" for x in shape)), [findings.crlf(cr + 1, origin)]
    written = lines[body_from:]
    _keep_body(written, body_from, out, numbers)
    try:
        diags.extend(
            _blank_lines(written, range(len(written)), lambda r: body_from + r + 1, origin)
        )
        ends = shell_exits.find_exit("".join(x + "\n" for x in out)).row is not None
    except shell.Unanalysable as exc:
        return Script("".join(x + "\n" for x in [*out, "exit"])), [
            *diags,
            findings.unanalysed(str(exc), numbers[0], origin, built=True),
        ]
    text = "".join(x + "\n" for x in out)
    check = bashcheck.bash_check(text) if parse_shebang(out[0]).shell else None
    if check is None:
        pass  # another interpreter: refused above (script.shebang-not-run)
    elif check.open is not None:
        what, at = check.open
        diags.append(findings.open_at_end(what, _number(numbers, at - 1), origin, built=True))
    elif not ends:
        out.append("exit")
        numbers.append(None)
        diags.append(findings.exit_added(origin))
    seen = {(d.code, d.line) for d in diags}
    common = _common(out, numbers, range(len(out)), known_sections, origin, shebang_checked=judged)
    diags.extend(d for d in common if (d.code, d.line) not in seen)
    if check is not None and check.open is None:
        line_of = {row: _number(numbers, row) for row in range(len(out))}
        diags.extend(findings.syntax(check, line_of, origin))
    return Script("".join(x + "\n" for x in out)), diags


def _build_head(
    lines: list[str], phase: Phase, origin: str
) -> tuple[list[str], list[int | None], list[Diagnostic], int]:
    """The kept first line (the user's shebang, or the phase's when it has none), its source
    line number, what judging the shebang found, and where the body starts."""
    first = next((i for i, line in enumerate(lines) if not is_blank(line)), None)
    if first is None or not lines[first].startswith("#!"):
        return [SHEBANG[phase]], [None], [], 0
    line, diag = _build_shebang(lines[first], phase, first + 1, origin)
    return [line], [first + 1], [diag] if diag is not None else [], first + 1


def _keep_body(
    written: list[str], body_from: int, out: list[str], numbers: list[int | None]
) -> None:
    """Append the body's non-blank lines with their line numbers. Whitespace-only lines at the
    end (a tab line survives the guest's grep) do nothing for the shell and read mode does not
    count them as script either, so they go."""
    for i, line in enumerate(written):
        if not is_blank(line):
            out.append(line)
            numbers.append(body_from + i + 1)
    while len(out) > 1 and not guest_strip(out[-1]):
        out.pop()
        numbers.pop()


def _build_shebang(
    line: str, phase: Phase, number: int, origin: str
) -> tuple[str, Diagnostic | None]:
    """Keep the user's shebang when the guest runs it in ``phase`` alone, as written; replace a
    shell's by one that does when nothing of it is lost; refuse otherwise (§1.6)."""
    shebang = parse_shebang(line)
    phases = line_phases(line)
    broken = shebang.unrunnable()
    if phases == {phase} and broken is None:
        return line, None
    if not shebang.shell:
        return line, findings.other_phase(line, phase, phases, number, origin)
    if shebang.options():
        # Dropping '-e' (or any option) would run another program: the user decides.
        why = broken or f"the guest {describe_phases(phases)}"
        return line, script_codes.SHEBANG_UNRUNNABLE.finding(
            f"the first line '{line}' cannot run {WHEN[phase]} with its options: {why}; "
            f"cvmctx will not drop the options ({_DOC})",
            line=number,
            column=1,
            path=origin,
            hint=shebang.working(phase),
        )
    new = shebang.head(phase)
    if broken is not None:
        what = broken
    elif len(phases) == 2:
        what = "the guest would run the original both before and after the plugins"
    elif phases:
        (other,) = phases
        what = f"the guest would run the original {WHEN[other]}, not {WHEN[phase]}"
    else:
        what = "the guest would never run the original"
    return new, script_codes.SHEBANG_REPLACED.finding(
        f"cvmctx replaced the first line '{line}' with '{new}': {what} ({_DOC})",
        line=number,
        column=1,
        path=origin,
        hint=f"write '{new}' as the first line",
    )


# --------------------------------------------------------------------------------------------
# Read mode


def read_script(
    text: str, *, known_sections: frozenset[str] = frozenset()
) -> tuple[Script | None, list[Diagnostic]]:
    """Read mode: the script part of whole user data (script + INI), judged as the guest runs it.

    The script part runs from the first non-blank line (which must start with ``#!``) to the
    first ``[amiconfig]`` or known section header that is not text of a here-document or a
    quoted string; without one, to the first section header after the command that ends the
    shell, else to the end. Diagnostics carry line numbers of ``text``.
    """
    lines = split_lines(text)
    first = next((i for i, line in enumerate(lines) if not is_blank(line)), None)
    if first is None:
        return None, []
    if not lines[first].startswith("#!"):
        return None, findings.not_first(lines, first)
    path = "script"
    layout = Layout.of(lines, first, known_sections | {"amiconfig"})
    numbers: list[int | None] = list(range(1, len(lines) + 1))
    part = [i for i in range(first, layout.end) if not is_blank(lines[i])]
    diags = _common(lines, numbers, part, known_sections, path)
    live = layout.live_end - first
    if layout.unanalysable is not None:
        if layout.check is not None:
            diags.append(findings.unanalysed(layout.unanalysable, first + 1, path, built=False))
    else:
        diags.extend(_blank_lines(layout.written, range(1, live), lambda r: first + r + 1, path))
    if layout.check is not None and layout.unanalysable is None:
        line_of = {row: i + 1 for row, i in enumerate(layout.bash_region)}
        broken = layout.check.error is not None and layout.check.open is None
        # A syntax error stops a non-interactive shell where it is: script.syntax says so.
        if layout.stop.row is None and layout.ini_follows and not broken:
            if layout.check.open is not None:
                what, at = layout.check.open
                diags.append(findings.open_at_end(what, line_of.get(at - 1), path, built=False))
            else:
                swallowed = swallowed_exit(layout.bash_text, line_of)
                why, line = (
                    (swallowed[0], line_of.get(swallowed[1])) if swallowed else (None, first + 1)
                )
                diags.append(findings.no_exit(layout.stop, line_of, why, line, path))
        if layout.check.open is None or not layout.ini_follows:
            diags.extend(findings.syntax(layout.check, dict(line_of), path))
    script_text = "".join(line + "\n" for line in kept_lines(lines[first : layout.end]))
    return Script(script_text, lines=(first + 1, layout.end + 1)), diags
