"""The findings about a script part, in the user's words (guest-format.md §1.6 and §2).

:mod:`cvmctx.guest.script.part` decides where things are; this module says what they mean to the
guest.
Line numbers are the user's (``None`` for a line cvmctx added).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from cvmctx.catalog import script as script_codes
from cvmctx.diagnostics import Diagnostic, Severity
from cvmctx.guest.inidoc import SECTCRE
from cvmctx.guest.script.bashcheck import BashCheck, Open
from cvmctx.guest.script.exits import Exit, describe
from cvmctx.guest.script.shebang import WHEN, Phase, Shebang, describe_phases
from cvmctx.guest.script.shell import Effect

_DOC = "docs/guest.md §1.6"
_GO_ON = "the shell goes on and runs the INI lines ('[amiconfig]', 'plugins=...') as commands"


def crlf(line: int | None, path: str) -> Diagnostic:
    return script_codes.CRLF.finding(
        "the script has CRLF line ends: bash sees a '\\r' at the end of every command (even "
        "'exit\\r' is just an unknown command), and a '#!/bin/sh\\r' shebang is a 'bad "
        f"interpreter' ({_DOC})",
        line=line,
        column=1,
        path=path,
        hint="convert the file to LF line ends (dos2unix)",
    )


def not_run(line: str, number: int | None, shebang: Shebang, path: str) -> Diagnostic:
    why = (
        "it ends in a CR, so neither test matches"
        if line.endswith("\r")
        else "it matches neither '#!.*sh.*before' nor '#!.*sh(.*after|$)'"
    )
    options = shebang.options() if shebang.shell else ()
    return script_codes.SHEBANG_NOT_RUN.finding(
        f"the guest silently never runs this script: {why} ({_DOC})",
        line=number,
        column=1,
        path=path,
        hint=shebang.working(Phase.AFTER) + " (or '#!/bin/sh.before' to run before the plugins)"
        if options
        else "start the script with '#!/bin/sh' (after the plugins) or '#!/bin/sh.before'; "
        "run other interpreters from inside it",
    )


def runs_elsewhere(first: int | None, start: int | None, path: str) -> Diagnostic:
    return script_codes.SHEBANG_NOT_RUN.finding(
        "the guest does not run this interpreter: it executes the user data from "
        f"line {start}, the first line matching '#!.*sh' ({_DOC})",
        line=first,
        column=1,
        path=path,
        hint="make the first line '#!/bin/sh' (or '#!/bin/sh.before') and run other "
        "interpreters from inside the script",
    )


def unrunnable(
    shebang: Shebang, phases: frozenset[Phase], number: int | None, path: str
) -> Diagnostic:
    phase = Phase.BEFORE if Phase.BEFORE in phases else Phase.AFTER
    return script_codes.SHEBANG_UNRUNNABLE.finding(
        f"the guest {describe_phases(phases)}, but cannot start it: {shebang.unrunnable()}; "
        f"nothing of the script runs ({_DOC})",
        line=number,
        column=1,
        path=path,
        hint=shebang.working(phase),
    )


def runs_twice(before: int | None, after: int | None, path: str) -> Diagnostic:
    return script_codes.RUNS_TWICE.finding(
        "the guest runs this script twice, before AND after the plugins: line "
        f"{before} matches the before test and line {after} the after test ({_DOC})",
        line=max(before or 0, after or 0) or None,
        column=1,
        path=path,
        hint="the tests are not anchored, so no other line may hold '#!' then 'sh' "
        "anywhere: write such a line with printf '#%s\\n' '!/bin/sh'",
    )


def bracket_lines(
    lines: Sequence[str], numbers: Mapping[int, int | None], known: frozenset[str], path: str
) -> list[Diagnostic]:
    """Script lines the guest's INI reader takes for section headers (guest-format.md §2)."""
    diags: list[Diagnostic] = []
    for i, number in numbers.items():
        match = SECTCRE.match(lines[i])
        if match is None:
            continue
        name = match.group("header")
        if name in known or name == "amiconfig":
            diags.append(
                script_codes.BRACKET_LINE.finding(
                    f"the guest's INI reader reads this script line as the section [{name}] "
                    "and merges the 'key=value'-looking script lines after it into the "
                    "options its plugin reads (docs/guest.md §2)",
                    line=number,
                    column=1,
                    path=path,
                    hint="in a here-document, indent the line with a tab and open it with "
                    "'<<-' (bash strips the tab, the INI reader then ignores the line), or "
                    "write the line with printf",
                    severity=Severity.ERROR,  # a plugin reads what the script wrote
                )
            )
        else:
            diags.append(
                script_codes.BRACKET_LINE.finding(
                    f"the guest's INI reader reads this script line as a section [{name}] "
                    "and takes the 'key=value'-looking script lines after it as its "
                    "options; no plugin reads that section, so it is harmless unless its "
                    "name changes (docs/guest.md §2)",
                    line=number,
                    column=1,
                    path=path,
                    hint="write 'test ...' instead of '[ ... ]', or indent the line",
                    severity=Severity.WARNING,
                )
            )
    return diags


def blank_line(
    effect: Effect, line: int | None, construct: int | None, path: str
) -> Diagnostic | None:
    """What the guest's deleting the blank line ``line`` does, as a finding (None: nothing)."""
    if effect is Effect.HEREDOC:
        return script_codes.BLANK_LINE_IN_HEREDOC.finding(
            f"this blank line is inside the here-document opened on line {construct}: the "
            "guest deletes blank lines before running the script, so the text it writes "
            f"lacks this line ({_DOC})",
            line=line,
            column=1,
            path=path,
            hint="if the empty line matters, write it outside the here-document (echo >> FILE)",
        )
    if effect is Effect.STRING:
        return script_codes.BLANK_LINE_IN_STRING.finding(
            f"this blank line is inside the quoted string that starts on line {construct}: the "
            "guest deletes blank lines before running the script, so the string lacks this "
            f"line ({_DOC})",
            line=line,
            column=1,
            path=path,
            hint="if the empty line matters, write it as \"$(printf '\\n\\n')\" or with printf",
        )
    if effect is Effect.JOINS:
        return script_codes.BLANK_LINE_JOINS.finding(
            f"line {construct} ends in '\\', which joins this blank line to it and so ends the "
            "command there; the guest deletes blank lines first, so the '\\' joins the next "
            "line instead and the command runs with that line's words as arguments "
            f"({_DOC})",
            line=line,
            column=1,
            path=path,
            hint=f"remove the '\\' at the end of line {construct}, or this blank line",
        )
    return None


_OPEN_HINT = {
    Open.CONTINUATION: "remove the '\\' at the end of line {line}",
    Open.QUOTE: "close the quote opened on line {line}",
    Open.HEREDOC: "close the here-document opened on line {line} with its delimiter line",
    Open.COMPOUND: "finish the command that starts on line {line} (its 'fi', 'esac', 'done', "
    "'}}' or ')', or the command after a trailing '&&', '||' or '|')",
}


def open_at_end(what: Open, line: int | None, path: str, *, built: bool) -> Diagnostic:
    after = (
        "the 'exit' cvmctx adds and the INI lines after it"
        if built
        else "the lines after it, the INI lines among them,"
    )
    return script_codes.OPEN_AT_END.finding(
        f"the script ends inside {what.value} (line {line}): the shell reads {after} as part "
        f"of it, so the script does not stop where it seems to ({_DOC})",
        line=line,
        column=1,
        path=path,
        hint=_OPEN_HINT[what].format(line=line),
    )


def no_exit(
    stop: Exit, line_of: Mapping[int, int], swallowed: str | None, start: int | None, path: str
) -> Diagnostic:
    """The shell does not stop before the INI lines (``stop`` found no command that ends it)."""
    if stop.doubt is not None:
        row = stop.doubt.row
        return script_codes.EXIT_UNPROVEN.finding(
            "cvmctx cannot prove that the shell stops before the INI lines: the command on line "
            f"{line_of.get(row, '?') if row is not None else '?'} that would end it: "
            f"{describe(stop.doubt, line_of)}; when it does not, {_GO_ON} ({_DOC})",
            line=line_of.get(row) if row is not None else start,
            column=1,
            path=path,
            hint="end the script with an unconditional 'exit' line",
        )
    if stop.last is not None and stop.last.row is not None:
        return script_codes.NO_EXIT.finding(
            f"the 'exit' on line {line_of.get(stop.last.row)} does not end the shell: "
            f"{describe(stop.last, line_of)}; {_GO_ON} ({_DOC})",
            line=line_of.get(stop.last.row),
            column=1,
            path=path,
            hint="end the script with a line 'exit' of its own",
        )
    why = swallowed or "the script part does not end with a command that ends the shell ('exit')"
    return script_codes.NO_EXIT.finding(
        f"{why}: {_GO_ON} ({_DOC})",
        line=start,
        column=1,
        path=path,
        hint="end the script with a line 'exit' of its own",
    )


def unanalysed(reason: str, line: int | None, path: str, *, built: bool) -> Diagnostic:
    """The parser gave up: nothing about the script's structure is proven."""
    message = (
        f"cvmctx could not analyse the script: {reason}. It cannot prove that the shell stops "
        "before the INI lines, nor what the guest's deleting blank lines changes"
    )
    if built:
        return script_codes.UNANALYSED.finding(
            f"{message}; nothing was written ({_DOC})",
            line=line,
            column=1,
            path=path,
            hint="simplify the script, or ship the complex part as a file it runs",
        )
    return script_codes.EXIT_UNPROVEN.finding(
        f"{message} ({_DOC})",
        line=line,
        column=1,
        path=path,
        hint="simplify the script, and end it with an unconditional 'exit' line",
    )


def syntax(check: BashCheck, line_of: Mapping[int, int | None], path: str) -> list[Diagnostic]:
    if check.unchecked is not None:
        return [
            script_codes.SYNTAX_UNCHECKED.finding(
                f"the script's syntax was not checked: {check.unchecked}",
                path=path,
            )
        ]
    if check.error is None:
        return []
    bash_line, message = check.error
    last = max(line_of) if line_of else 0
    return [
        script_codes.SYNTAX.finding(
            f"bash cannot parse the script the guest runs: {message}",
            line=line_of.get(min(max(bash_line - 1, 0), last)),
            path=path,
            hint="the guest deletes blank lines before running the script; check the line "
            "and the ones just before it",
        )
    ]


def exit_added(path: str) -> Diagnostic:
    return script_codes.EXIT_ADDED.finding(
        "cvmctx added a final 'exit' line: without a command that ends the shell, the guest's "
        f"shell would go on and run the INI lines after the script as commands ({_DOC})",
        path=path,
    )


def other_phase(
    line: str, phase: Phase, phases: frozenset[Phase], number: int, path: str
) -> Diagnostic:
    """Build mode: a non-shell interpreter, which cvmctx cannot move to ``phase``."""
    if phases:
        what = f"it {describe_phases(phases)}, not {WHEN[phase]}"
    else:
        what = "it matches neither '#!.*sh.*before' nor '#!.*sh(.*after|$)'"
    return script_codes.SHEBANG_NOT_RUN.finding(
        f"the guest does not run a '{line}' script {WHEN[phase]}: {what} ({_DOC})",
        line=number,
        column=1,
        path=path,
        hint="wrap it in a sh script: '#!/bin/sh' (or '#!/bin/sh.before'), then run the "
        "interpreter on a quoted here-document, e.g. python3 - <<'EOF' ... EOF",
    )


# A line that names an interpreter: what a misplaced script's first line looks like (also behind
# a byte order mark or an indent, which hide it from the guest's '^#!' test). Checked against
# '#!' followed by a path so that an INI comment such as '#!!' is not taken for one.
INTERPRETER_LINE = re.compile(r"\ufeff?[ \t]*#![ \t]*/")


_INTERPRETER_LINE_IN_TEXT = re.compile(f"^{INTERPRETER_LINE.pattern}", re.MULTILINE)


def not_first(lines: Sequence[str], first: int) -> list[Diagnostic]:
    # One search over the joined lines, not a match per line (a file of millions of lines).
    rest = "\n".join(lines[first:])
    found = _INTERPRETER_LINE_IN_TEXT.search(rest)
    if found is not None:
        i = first + rest.count("\n", 0, found.start())
        if i != first:
            why = f"it is not the first non-blank line (line {first + 1} is)"
        elif lines[i].startswith("\ufeff"):
            why = "a byte order mark comes before its '#!'"
        else:
            why = "its '#!' does not start in column 1"
        return [
            script_codes.NOT_FIRST.finding(
                f"the guest sees no script: {why}. It runs a script only when the first "
                f"non-blank line starts with '#!', and the INI reader drops these lines as "
                f"text before the first section ({_DOC})",
                line=i + 1,
                column=1,
                path="script",
                hint="put the script first in the user data, starting with its '#!' line",
            )
        ]
    return []
