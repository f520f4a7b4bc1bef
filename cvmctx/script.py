"""The ``#!`` script part of amiconfig user data, as the guest runs it (guest-format.md §1.6).

The guest's ``amiconfig.sh`` (RunUserDataScript) does, on the *whole* user data:

1. delete every line matching ``^ *$`` (spaces only: a tab-only line stays), heredocs included;
2. give up unless the first remaining line starts with ``#!``;
3. before the plugins, run the script if any line matches ``#!.*sh.*before``; after them, if
   any line matches ``#!.*sh\\(.*after\\|$\\)``;
4. execute everything from the first line matching ``#!.*sh`` to the end of the data, INI lines
   included, with the kernel honouring that first line verbatim. Only an ``exit`` line keeps the
   shell from running ``[amiconfig]``, ``plugins=...`` and so on as commands.

This module replays those steps exactly (:func:`executed_text`, :attr:`Script.phases`), builds a
script that survives them (:func:`make_script`) and reports every way the guest would run a
script differently from what its author meant (:func:`read_script`).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from cvmctx.diagnostics import Diagnostic, error, info, warning
from cvmctx.ini import SECTCRE, guest_strip, split_lines

__all__ = ["SHEBANG", "Phase", "Script", "executed_text", "make_script", "read_script"]


class Phase(StrEnum):
    BEFORE = "before"
    AFTER = "after"


# The spellings the CernVM docs give for each phase; /bin/sh.before is a symlink to sh that
# CernVM creates so that the kernel can run the line verbatim (guest-format.md §1.6).
SHEBANG: dict[Phase, str] = {Phase.BEFORE: "#!/bin/sh.before", Phase.AFTER: "#!/bin/sh"}

_WHEN = {Phase.BEFORE: "before the plugins", Phase.AFTER: "after the plugins"}

# The guest's sed/awk patterns, unanchored as sed applies them (guest-format.md §1.6). Lines never
# hold '\n' (we split on it, as grep does), so Python's '.' and '$' mean what sed's do here.
_BEFORE_TEST = re.compile(r"#!.*sh.*before")
_AFTER_TEST = re.compile(r"#!.*sh(?:.*after|$)")
_EXEC_START = re.compile(r"#!.*sh")

# An `exit` command at column 0: the word `exit` alone or followed by a blank or an operator.
# `exit\r` is only an unknown command to bash, but it is where the author of CRLF data meant the
# script to end, so it ends the script part; script.crlf reports the CR.
_EXIT = re.compile(r"exit(?=$|[ \t\r;&|<>()])")

# A line that names an interpreter: what a misplaced script's first line looks like (also behind
# a byte order mark or an indent, which hide it from the guest's '^#!' test). Checked against
# '#!' followed by a path so that an INI comment such as '#!!' is not taken for one.
_INTERPRETER_LINE = re.compile(r"\ufeff?[ \t]*#![ \t]*/")

_SHELLS = frozenset({"sh", "bash", "sh.before", "sh.after"})
_ENV_SHELLS = frozenset({"sh", "bash"})
# One option cluster such as '-e' or '-ex': the kernel passes everything after the interpreter
# as a single argument, and bash accepts that only when it is one cluster of letters.
_OPTION_CLUSTER = re.compile(r"-[A-Za-z]+")

_BASH_TIMEOUT = 10.0
# bash is given the script as the file /dev/stdin: reading a named file it is never
# interactive, so it always names the line ("/dev/stdin: line 3: ..."), which it leaves out
# when it thinks it is interactive.
_BASH_ERROR = re.compile(r"^/dev/stdin: line (\d+): (.*)$", re.MULTILINE)

_DOC = "guest-format.md §1.6"


@dataclass(frozen=True)
class Script:
    """The script lines exactly as emitted (and as the guest keeps them).

    From :func:`make_script`: the first line is the shebang, lines end in ``'\\n'``, the last
    line is an ``exit`` line and no line is blank (spaces only). From :func:`read_script`: the
    script part of the user data with blank lines removed, whatever it holds.
    """

    text: str

    @property
    def phases(self) -> frozenset[Phase]:
        """The phases in which the guest runs this text (its sed tests, replayed on it alone)."""
        return _phases(_kept(split_lines(self.text)))


# --------------------------------------------------------------------------------------------
# The guest's pipeline


def _blank(line: str) -> bool:
    """``grep -v "^ *$"``: only spaces (or nothing). A tab or CR makes a line non-blank."""
    return line.strip(" ") == ""


def _kept(lines: Sequence[str]) -> list[str]:
    return [line for line in lines if not _blank(line)]


def _line_phases(line: str) -> frozenset[Phase]:
    found: set[Phase] = set()
    if _BEFORE_TEST.search(line):
        found.add(Phase.BEFORE)
    if _AFTER_TEST.search(line):
        found.add(Phase.AFTER)
    return frozenset(found)


def _phases(kept: Sequence[str]) -> frozenset[Phase]:
    """Replay of the two sed tests on the lines left after blank-line removal."""
    if not kept or not kept[0].startswith("#!"):
        return frozenset()
    found: set[Phase] = set()
    for line in kept:
        found |= _line_phases(line)
    return frozenset(found)


def executed_text(text: str) -> str | None:
    """The text the guest executes for the whole user data ``text`` (None if it runs none).

    awk's range ``/#!.*sh/,/^$/`` never closes once blank lines are gone, so this is everything
    from the first ``#!.*sh`` line to the end, INI lines included (guest-format.md §1.6); awk
    ends every record with '\\n'.
    """
    kept = _kept(split_lines(text))
    if not _phases(kept):
        return None
    start = next(i for i, line in enumerate(kept) if _EXEC_START.search(line))
    return "".join(line + "\n" for line in kept[start:])


# --------------------------------------------------------------------------------------------
# Here-documents: blank lines inside them are deleted by the guest, and an `exit` inside one is
# content, not a command.


@dataclass
class _Heredoc:
    opener: int  # index of the line holding the `<<WORD`
    delimiter: str
    strip_tabs: bool  # `<<-`: leading tabs are stripped before comparing with the delimiter
    end: int | None = None  # index of the terminator line, None when never closed


@dataclass
class _Scan:
    heredocs: list[_Heredoc] = field(default_factory=list)
    inside: dict[int, _Heredoc] = field(default_factory=dict)  # body and terminator lines


_WORD_END = " \t;&|<>()"


def _heredoc_word(line: str, i: int) -> tuple[str | None, int]:
    """The delimiter word starting at ``i``, after bash's quote removal, and where it ends."""
    parts: list[str] = []
    n = len(line)
    while i < n and line[i] not in _WORD_END:
        c = line[i]
        if c == "'":
            j = line.find("'", i + 1)
            j = n if j < 0 else j
            parts.append(line[i + 1 : j])
            i = j + 1
        elif c == '"':
            i += 1
            while i < n and line[i] != '"':
                if line[i] == "\\" and i + 1 < n:
                    i += 1
                parts.append(line[i])
                i += 1
            i += 1
        elif c == "\\":
            if i + 1 < n:
                parts.append(line[i + 1])
            i += 2
        else:
            parts.append(c)
            i += 1
    word = "".join(parts)
    return (word or None), i


def _heredoc_openers(line: str) -> list[tuple[str, bool]]:
    """The heredocs a command line opens, in order: ``<<W``, ``<<-W``, ``<<'W'``, ``<<"W"``.

    A small lexer, so that ``<<`` in quotes, in a comment, in ``$((1 << 2))`` or as the
    here-string ``<<<`` is not taken for one.
    """
    found: list[tuple[str, bool]] = []
    n = len(line)
    i = 0
    arithmetic = 0
    while i < n:
        c = line[i]
        if c == "\\":
            i += 2
        elif c == "'":
            j = line.find("'", i + 1)
            i = n if j < 0 else j + 1
        elif c == '"':
            i += 1
            while i < n and line[i] != '"':
                i += 2 if line[i] == "\\" else 1
            i += 1
        elif c == "#" and (i == 0 or line[i - 1] in " \t;&|()"):
            break  # a comment runs to the end of the line
        elif line.startswith("((", i):
            arithmetic += 1
            i += 2
        elif line.startswith("))", i) and arithmetic:
            arithmetic -= 1
            i += 2
        elif line.startswith("<<<", i):
            i += 3
        elif line.startswith("<<", i) and not arithmetic:
            i += 2
            strip_tabs = i < n and line[i] == "-"
            i += 1 if strip_tabs else 0
            while i < n and line[i] in " \t":
                i += 1
            word, i = _heredoc_word(line, i)
            if word is not None:
                found.append((word, strip_tabs))
        else:
            i += 1
    return found


def _scan_heredocs(lines: Sequence[str], start: int = 0) -> _Scan:
    """Which lines are here-document bodies (or terminators), from ``lines[start]`` on."""
    scan = _Scan()
    pending: list[_Heredoc] = []
    current: _Heredoc | None = None
    for i in range(start, len(lines)):
        line = lines[i]
        if current is not None:
            scan.inside[i] = current
            # bash compares the whole line with the delimiter (after tab stripping for `<<-`).
            if (line.lstrip("\t") if current.strip_tabs else line) == current.delimiter:
                current.end = i
                current = pending.pop(0) if pending else None
            continue
        for delimiter, strip_tabs in _heredoc_openers(line):
            heredoc = _Heredoc(i, delimiter, strip_tabs)
            scan.heredocs.append(heredoc)
            pending.append(heredoc)
        if pending:
            current = pending.pop(0)  # its body starts on the next line
    return scan


# --------------------------------------------------------------------------------------------
# Shebang lines


@dataclass(frozen=True)
class _Shebang:
    interpreter: str
    args: tuple[str, ...]  # words after the interpreter (after `sh`/`bash` for the env form)
    shell: bool
    env: bool


def _parse_shebang(line: str) -> _Shebang:
    # The kernel splits on spaces and tabs only.
    words = [w for w in re.split(r"[ \t]+", line[2:]) if w]
    if not words:
        return _Shebang("", (), shell=False, env=False)
    base = words[0].rsplit("/", 1)[-1]
    if base == "env" and len(words) >= 2 and words[1] in _ENV_SHELLS:
        return _Shebang(words[0], tuple(words[2:]), shell=True, env=True)
    return _Shebang(words[0], tuple(words[1:]), shell=base in _SHELLS, env=False)


def _runs_as_written(shebang: _Shebang) -> bool:
    """Whether the kernel runs the script as meant: no argument, or one option cluster."""
    if not shebang.args:
        return True
    return (
        not shebang.env
        and len(shebang.args) == 1
        and bool(_OPTION_CLUSTER.fullmatch(shebang.args[0]))
    )


def _set_hint(shebang: _Shebang) -> str | None:
    """For ``#!/bin/bash -e``: the ``set`` line that keeps the options inside the script."""
    if shebang.shell and shebang.args and shebang.args[0].startswith("-"):
        return f"to keep the options, put 'set {' '.join(shebang.args)}' at the top of the script"
    return None


def _describe_phases(phases: frozenset[Phase]) -> str:
    if not phases:
        return "never runs it"
    if len(phases) == 2:
        return "runs it both before and after the plugins"
    (only,) = phases
    return f"runs it {_WHEN[only]}"


# --------------------------------------------------------------------------------------------
# The hazard checks shared by build and read mode


def _number(numbers: Sequence[int | None], i: int) -> int | None:
    """The reporting line of index ``i``; a line cvmctx added reports at the line above it."""
    i = min(i, len(numbers) - 1)
    while i >= 0:
        if numbers[i] is not None:
            return numbers[i]
        i -= 1
    return None


@dataclass
class _Checks:
    lines: Sequence[str]  # every line the guest gets (blank lines included where there were any)
    numbers: Sequence[int | None]  # the line to report for each index
    start: int  # the script part is lines[start:end]; lines[start] is its '#!' line
    end: int
    scan: _Scan  # heredocs from `start` on
    known: frozenset[str]
    path: str
    ini_follows: bool

    def run(self) -> list[Diagnostic]:
        lines = self.lines
        kept = [i for i, line in enumerate(lines) if not _blank(line)]
        part = [i for i in kept if self.start <= i < self.end]
        diags: list[Diagnostic] = []
        cr = next((i for i in part if "\r" in lines[i]), None)
        if cr is not None:
            diags.append(_crlf(self._at(cr), self.path))
        # The sed tests look at every line of the user data, the INI part included.
        before = next((i for i in kept if _BEFORE_TEST.search(lines[i])), None)
        after = next((i for i in kept if _AFTER_TEST.search(lines[i])), None)
        runs = before is not None or after is not None
        exec_start = next((i for i in kept if _EXEC_START.search(lines[i])), None)
        diags.extend(self._shebang(runs, exec_start))
        if before is not None and after is not None:
            diags.append(self._runs_twice(before, after))
        diags.extend(self._bracket_lines(part))
        diags.extend(self._blank_lines())
        if runs and self.ini_follows:
            diags.extend(self._no_exit(part))
        # bash -n only for a shell script; a CR would make bash's messages about the CR.
        if (
            runs
            and cr is None
            and exec_start is not None
            and exec_start in part
            and _parse_shebang(lines[exec_start]).shell
        ):
            diags.extend(self._syntax([i for i in part if i >= exec_start]))
        return diags

    def _at(self, i: int) -> int | None:
        return _number(self.numbers, i)

    def _shebang(self, runs: bool, exec_start: int | None) -> list[Diagnostic]:
        first = self.start
        line = self.lines[first]
        if not runs:
            why = (
                "it ends in a CR, so neither test matches"
                if line.endswith("\r")
                else "it matches neither '#!.*sh.*before' nor '#!.*sh(.*after|$)'"
            )
            return [
                error(
                    "script.shebang-not-run",
                    f"the guest silently never runs this script: {why} ({_DOC})",
                    line=self._at(first),
                    column=1,
                    path=self.path,
                    hint=_set_hint(_parse_shebang(line))
                    or "start the script with '#!/bin/sh' (after the plugins) or "
                    "'#!/bin/sh.before'; run other interpreters from inside it",
                )
            ]
        if exec_start is not None and exec_start != first:
            return [
                error(
                    "script.shebang-not-run",
                    "the guest does not run this interpreter: it executes the user data from "
                    f"line {self._at(exec_start)}, the first line matching '#!.*sh' ({_DOC})",
                    line=self._at(first),
                    column=1,
                    path=self.path,
                    hint="make the first line '#!/bin/sh' (or '#!/bin/sh.before') and run "
                    "other interpreters from inside the script",
                )
            ]
        return []

    def _runs_twice(self, before: int, after: int) -> Diagnostic:
        second = max(before, after)
        return error(
            "script.runs-twice",
            "the guest runs this script twice, before AND after the plugins: line "
            f"{self._at(before)} matches the before test and line {self._at(after)} the after "
            f"test ({_DOC})",
            line=self._at(second),
            column=1,
            path=self.path,
            hint="the tests are not anchored, so no other line may hold '#!' then 'sh' "
            "anywhere: write such a line with printf '#%s\\n' '!/bin/sh'",
        )

    def _bracket_lines(self, part: Sequence[int]) -> list[Diagnostic]:
        diags: list[Diagnostic] = []
        for i in part:
            match = SECTCRE.match(self.lines[i])
            if match is None:
                continue
            name = match.group("header")
            if name in self.known or name == "amiconfig":
                diags.append(
                    error(
                        "script.bracket-line",
                        f"the guest's INI reader reads this script line as the section [{name}] "
                        "and merges the 'key=value'-looking script lines after it into the "
                        "options its plugin reads (guest-format.md §2)",
                        line=self._at(i),
                        column=1,
                        path=self.path,
                        hint="in a here-document, indent the line with a tab and open it with "
                        "'<<-' (bash strips the tab, the INI reader then ignores the line), or "
                        "write the line with printf",
                    )
                )
            else:
                diags.append(
                    warning(
                        "script.bracket-line",
                        f"the guest's INI reader reads this script line as a section [{name}] "
                        "and takes the 'key=value'-looking script lines after it as its "
                        "options (guest-format.md §2)",
                        line=self._at(i),
                        column=1,
                        path=self.path,
                        hint="write 'test ...' instead of '[ ... ]', or indent the line",
                    )
                )
        return diags

    def _blank_lines(self) -> list[Diagnostic]:
        return [
            _blank_in_heredoc(self._at(i), self._at(heredoc.opener), self.path)
            for i in range(self.start, self.end)
            if _blank(self.lines[i]) and (heredoc := self.scan.inside.get(i)) is not None
        ]

    def _no_exit(self, part: Sequence[int]) -> list[Diagnostic]:
        last = part[-1]
        heredoc = self.scan.inside.get(last)
        if _EXIT.match(self.lines[last]) and heredoc is None:
            return []
        if heredoc is not None and heredoc.end is None:
            message = (
                f"the here-document opened here is never closed (no line '{heredoc.delimiter}'): "
                "the 'exit' line and the INI lines after the script become its text, so the "
                f"script does not stop where it was meant to ({_DOC})"
            )
            line = self._at(heredoc.opener)
            hint = f"close the here-document with a line '{heredoc.delimiter}'"
        else:
            message = (
                "the script part does not end with an 'exit' line: the shell goes on and runs "
                f"the INI lines ('[amiconfig]', 'plugins=...') as commands ({_DOC})"
            )
            line = self._at(self.start)
            hint = "end the script with a line 'exit' in column 0"
        return [error("script.no-exit", message, line=line, column=1, path=self.path, hint=hint)]

    def _syntax(self, indices: Sequence[int]) -> list[Diagnostic]:
        found = bash_syntax([self.lines[i] for i in indices])
        if found is None:
            return []
        if isinstance(found, str):
            return [
                info(
                    "script.syntax-unchecked",
                    f"the script's syntax was not checked: {found}",
                    path=self.path,
                )
            ]
        bash_line, message = found
        index = indices[min(max(bash_line, 1), len(indices)) - 1]
        return [
            error(
                "script.syntax",
                f"bash cannot parse the script the guest runs: {message}",
                line=self._at(index),
                path=self.path,
                hint="the guest deletes blank lines before running the script; check the line "
                "and the ones just before it",
            )
        ]


def _crlf(line: int | None, path: str) -> Diagnostic:
    return error(
        "script.crlf",
        "the script has CRLF line ends: bash sees a '\\r' at the end of every command (even "
        "'exit\\r' is just an unknown command), and a '#!/bin/sh\\r' shebang is a 'bad "
        f"interpreter' ({_DOC})",
        line=line,
        column=1,
        path=path,
        hint="convert the file to LF line ends (dos2unix)",
    )


def _blank_in_heredoc(line: int | None, opener: int | None, path: str) -> Diagnostic:
    return warning(
        "script.blank-line-in-heredoc",
        f"this blank line is inside the here-document opened on line {opener}: the guest deletes "
        f"blank lines before running the script, so the text it writes lacks this line ({_DOC})",
        line=line,
        column=1,
        path=path,
        hint="if the empty line matters, write it outside the here-document (echo >> FILE)",
    )


def bash_syntax(lines: Sequence[str]) -> tuple[int, str] | str | None:
    """``bash -n`` on ``lines``: None if it parses, (line, message) if not, a reason string if
    bash could not be run. A minimal environment keeps $BASH_ENV and the locale out of it."""
    data = "".join(line + "\n" for line in lines).encode("utf-8", "surrogatepass")
    try:
        proc = subprocess.run(
            ["bash", "-n", "/dev/stdin"],
            input=data,
            capture_output=True,
            timeout=_BASH_TIMEOUT,
            env={"LC_ALL": "C", "PATH": os.environ.get("PATH", os.defpath)},
            check=False,
        )
    except FileNotFoundError:
        return "bash is not installed"
    except subprocess.TimeoutExpired:
        return f"bash -n took longer than {_BASH_TIMEOUT:g} s"
    except OSError as exc:
        return f"bash could not be run ({exc.strerror or exc})"
    if proc.returncode == 0:
        return None
    stderr = proc.stderr.decode("utf-8", "replace")
    for match in _BASH_ERROR.finditer(stderr):
        if not match.group(2).startswith("warning:"):
            return int(match.group(1)), match.group(2)
    first = stderr.strip().split("\n", 1)[0].removeprefix("/dev/stdin: ")
    return len(lines), first or f"bash -n exited with status {proc.returncode}"


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
    no blank lines, a final ``exit`` line. Diagnostics carry line numbers of ``source`` and the
    path ``origin``; a line cvmctx added reports at the source line above it (or none).
    """
    lines = split_lines(source)
    first = next((i for i, line in enumerate(lines) if not _blank(line)), None)
    cr = next((i for i, line in enumerate(lines) if "\r" in line), None)
    if cr is not None:
        # Refuse rather than strip: the file is not what the guest would run, and fixing line
        # ends silently could hide a mangled upload. The returned script only keeps the shape
        # (shebang, no blank lines, exit); the error fails the build, so it is never emitted.
        shape = _kept(lines)
        if first is None or not lines[first].startswith("#!"):
            shape.insert(0, SHEBANG[phase])
        if not _EXIT.match(shape[-1]):
            shape.append("exit")
        return Script("".join(line + "\n" for line in shape)), [_crlf(cr + 1, origin)]

    diags: list[Diagnostic] = []
    out: list[str] = []
    numbers: list[int | None] = []
    body_from = 0
    if first is not None and lines[first].startswith("#!"):
        line, diag = _build_shebang(lines[first], phase, first + 1, origin)
        out.append(line)
        numbers.append(first + 1)
        if diag is not None:
            diags.append(diag)
        body_from = first + 1
    else:
        out.append(SHEBANG[phase])
        numbers.append(None)

    scan = _scan_heredocs(lines)
    for i in range(body_from, len(lines)):
        if not _blank(lines[i]):
            out.append(lines[i])
            numbers.append(i + 1)
        elif (heredoc := scan.inside.get(i)) is not None:
            diags.append(_blank_in_heredoc(i + 1, heredoc.opener + 1, origin))

    if not _EXIT.match(out[-1]):
        out.append("exit")
        numbers.append(None)
        diags.append(
            info(
                "script.exit-added",
                "cvmctx added a final 'exit' line: without it the guest's shell would go on "
                f"and run the INI lines after the script as commands ({_DOC})",
                path=origin,
            )
        )

    checks = _Checks(
        lines=out,
        numbers=numbers,
        start=0,
        end=len(out),
        scan=_scan_heredocs(out),
        known=known_sections,
        path=origin,
        ini_follows=True,  # the INI part always comes after a built script
    )
    seen = {(d.code, d.line) for d in diags}
    diags.extend(d for d in checks.run() if (d.code, d.line) not in seen)
    return Script("".join(line + "\n" for line in out)), diags


def _build_shebang(
    line: str, phase: Phase, number: int, origin: str
) -> tuple[str, Diagnostic | None]:
    """Keep the user's shebang when the guest runs it in ``phase`` alone, as written; replace a
    shell's with :data:`SHEBANG` otherwise; refuse another interpreter's (guest-format.md §1.6)."""
    shebang = _parse_shebang(line)
    phases = _line_phases(line)
    if phases == {phase} and _runs_as_written(shebang):
        return line, None
    if not shebang.shell:
        if phases:
            what = f"it {_describe_phases(phases)}, not {_WHEN[phase]}"
        else:
            what = "it matches neither '#!.*sh.*before' nor '#!.*sh(.*after|$)'"
        return line, error(
            "script.shebang-not-run",
            f"the guest does not run a '{line}' script {_WHEN[phase]}: {what} ({_DOC})",
            line=number,
            column=1,
            path=origin,
            hint=f"wrap it in a sh script: '{SHEBANG[phase]}', then run the interpreter on a "
            "quoted here-document, e.g. python3 - <<'EOF' ... EOF",
        )
    new = SHEBANG[phase]
    if phases == {phase}:
        arg = " ".join(shebang.args)
        what = (
            f"the kernel would run '{shebang.interpreter} {arg} <script>', passing '{arg}' as a "
            "single argument, which does not run the script as meant"
        )
    elif len(phases) == 2:
        what = "the guest would run the original both before and after the plugins"
    elif phases:
        (other,) = phases
        what = f"the guest would run the original {_WHEN[other]}, not {_WHEN[phase]}"
    else:
        what = "the guest would never run the original"
    hint = _set_hint(shebang) or f"write '{new}' as the first line"
    return new, warning(
        "script.shebang-replaced",
        f"cvmctx replaced the first line '{line}' with '{new}': {what} ({_DOC})",
        line=number,
        column=1,
        path=origin,
        hint=hint,
    )


# --------------------------------------------------------------------------------------------
# Read mode


def read_script(
    text: str, *, known_sections: frozenset[str] = frozenset()
) -> tuple[Script | None, list[Diagnostic]]:
    """Read mode: the script part of whole user data (script + INI), judged as the guest runs it.

    The script part runs from the first non-blank line (which must start with ``#!``) to the
    first top-level ``exit`` line followed only by blank lines, the end, or a ``[section]``
    header. Without one it ends before the first ``[amiconfig]`` or known section header, else
    at the end. Diagnostics carry line numbers of ``text``.
    """
    lines = split_lines(text)
    numbers = list(range(1, len(lines) + 1))
    path = "script"
    first = next((i for i, line in enumerate(lines) if not _blank(line)), None)
    if first is None:
        return None, []
    if not lines[first].startswith("#!"):
        return None, _not_first(lines, first, path)

    scan = _scan_heredocs(lines, first)
    end = _script_end(lines, first, scan, known_sections)
    ini_follows = any(not _blank(line) for line in lines[end:])
    checks = _Checks(lines, numbers, first, end, scan, known_sections, path, ini_follows)
    script = Script("".join(line + "\n" for line in _kept(lines[first:end])))
    return script, checks.run()


def _not_first(lines: Sequence[str], first: int, path: str) -> list[Diagnostic]:
    for i in range(first, len(lines)):
        if _INTERPRETER_LINE.match(lines[i]):
            if i != first:
                why = f"it is not the first non-blank line (line {first + 1} is)"
            elif lines[i].startswith("\ufeff"):
                why = "a byte order mark comes before its '#!'"
            else:
                why = "its '#!' does not start in column 1"
            return [
                error(
                    "script.not-first",
                    f"the guest sees no script: {why}. It runs a script only when the first "
                    f"non-blank line starts with '#!', and the INI reader drops these lines as "
                    f"text before the first section ({_DOC})",
                    line=i + 1,
                    column=1,
                    path=path,
                    hint="put the script first in the user data, starting with its '#!' line",
                )
            ]
    return []


def _is_header(line: str) -> bool:
    """A line that is just a ``[section]`` header (a comment may follow), not a ``[ ... ] &&``."""
    match = SECTCRE.match(line)
    if match is None:
        return False
    rest = guest_strip(line[match.end() :])
    return not rest or rest[0] in "#;"


def _script_end(lines: Sequence[str], first: int, scan: _Scan, known: frozenset[str]) -> int:
    n = len(lines)
    # next_text[i]: index of the first line at or after i holding more than whitespace.
    next_text: list[int | None] = [None] * (n + 1)
    for i in range(n - 1, -1, -1):
        next_text[i] = i if guest_strip(lines[i]) else next_text[i + 1]

    def closes(i: int) -> bool:
        j = next_text[i + 1]
        return j is None or _is_header(lines[j])

    for i in range(first, n):
        if i not in scan.inside and _EXIT.match(lines[i]) and closes(i):
            return i + 1
    # An `exit` swallowed by a never-closed here-document still ends what the author wrote as
    # the script (cvmctx build emits exactly that); the no-exit check reports the heredoc.
    for i in range(first, n):
        heredoc = scan.inside.get(i)
        if heredoc is not None and heredoc.end is None and _EXIT.match(lines[i]) and closes(i):
            return i + 1
    # A header written by a (closed) here-document is script text, not where the INI starts.
    for i in range(first + 1, n):
        heredoc = scan.inside.get(i)
        if heredoc is not None and heredoc.end is not None:
            continue
        match = SECTCRE.match(lines[i])
        if match and (match.group("header") in known or match.group("header") == "amiconfig"):
            return i
    return n
