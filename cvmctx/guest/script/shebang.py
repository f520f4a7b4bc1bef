"""The script's ``#!`` line: which phase the guest selects it for, and whether the kernel can
then run it (guest-format.md §1.6).

The guest picks a script with two unanchored sed tests, then executes the file directly, so the
kernel reads the first line verbatim: the interpreter, then everything after it as **one**
argument. ``#!/bin/sh before`` passes the before test and then runs ``/bin/sh before FILE``,
which fails; ``#!/usr/bin/env sh after`` runs ``env 'sh after' FILE``, which fails too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["SHEBANG", "Phase", "Shebang", "describe_phases", "line_phases", "parse_shebang"]


class Phase(StrEnum):
    BEFORE = "before"
    AFTER = "after"


# The spellings the CernVM docs give for each phase; /bin/sh.before is a symlink to sh that
# CernVM creates so that the kernel can run the line verbatim (guest-format.md §1.6).
SHEBANG: dict[Phase, str] = {Phase.BEFORE: "#!/bin/sh.before", Phase.AFTER: "#!/bin/sh"}

WHEN = {Phase.BEFORE: "before the plugins", Phase.AFTER: "after the plugins"}

# The guest's sed/awk patterns, unanchored as sed applies them (guest-format.md §1.6). Lines never
# hold '\n' (we split on it, as grep does), so Python's '.' and '$' mean what sed's do here.
BEFORE_TEST = re.compile(r"#!.*sh.*before")
AFTER_TEST = re.compile(r"#!.*sh(?:.*after|$)")
EXEC_START = re.compile(r"#!.*sh")

_SHELLS = frozenset({"sh", "bash", "sh.before", "sh.after"})
_ENV_SHELLS = frozenset({"sh", "bash"})
# One option cluster such as '-e' or '-ex': the kernel passes everything after the interpreter
# as a single argument, and sh and bash accept that only when it is one cluster of letters.
_OPTION_CLUSTER = re.compile(r"-[A-Za-z]+")
_PHASE_WORDS = frozenset({"before", "after"})


def line_phases(line: str) -> frozenset[Phase]:
    found: set[Phase] = set()
    if BEFORE_TEST.search(line):
        found.add(Phase.BEFORE)
    if AFTER_TEST.search(line):
        found.add(Phase.AFTER)
    return frozenset(found)


def describe_phases(phases: frozenset[Phase]) -> str:
    if not phases:
        return "never runs it"
    if len(phases) == 2:
        return "runs it both before and after the plugins"
    (only,) = phases
    return f"runs it {WHEN[only]}"


@dataclass(frozen=True)
class Shebang:
    line: str
    interpreter: str
    args: tuple[str, ...]  # words after the interpreter (after `sh`/`bash` for the env form)
    shell: bool  # sh or bash, directly or through env
    env: bool

    def unrunnable(self) -> str | None:
        """How the kernel runs a shell script with this line when that cannot work, else None."""
        if not self.shell or not self.args:
            return None
        if self.env:
            words = self.line[2:].split()
            return (
                f"the kernel runs '{self.interpreter}' with the single argument "
                f"'{' '.join(words[1:])}', and env finds no program of that name"
            )
        if len(self.args) == 1 and _OPTION_CLUSTER.fullmatch(self.args[0]):
            return None
        if self.args[0].startswith("-"):
            why = "is not one option cluster: the shell stops with 'invalid option'"
        else:
            why = f"it takes for the file to run: there is no file '{' '.join(self.args)}'"
        return (
            f"the kernel runs '{self.interpreter}' with the single argument "
            f"'{' '.join(self.args)}', which {why}"
        )

    def options(self) -> tuple[str, ...]:
        """The option words, without the guest's phase words."""
        return tuple(a for a in self.args if a not in _PHASE_WORDS)

    def head(self, phase: Phase) -> str:
        """A first line that runs in ``phase`` as written, with this line's shell."""
        if phase is Phase.AFTER and self.shell and self.interpreter:
            shell = "bash" if self.env and "bash" in self.line.split()[1:2] else ""
            base = self.interpreter.rsplit("/", 1)[-1]
            if self.env:
                return f"#!{self.interpreter} {shell or 'sh'}"
            if base in {"sh", "bash"}:
                return f"#!{self.interpreter}"
        return SHEBANG[phase]

    def working(self, phase: Phase) -> str:
        """The fix, as a hint: the line that runs in ``phase``, and a ``set`` line for options."""
        options = self.options()
        hint = f"write '{self.head(phase)}' as the first line"
        if options:
            hint += f" and 'set {' '.join(options)}' as the second"
        return hint


def parse_shebang(line: str) -> Shebang:
    # The kernel splits on spaces and tabs only.
    words = [w for w in re.split(r"[ \t]+", line[2:]) if w]
    if not words:
        return Shebang(line, "", (), shell=False, env=False)
    base = words[0].rsplit("/", 1)[-1]
    if base == "env" and len(words) >= 2 and words[1] in _ENV_SHELLS:
        return Shebang(line, words[0], tuple(words[2:]), shell=True, env=True)
    return Shebang(line, words[0], tuple(words[1:]), shell=base in _SHELLS, env=False)
