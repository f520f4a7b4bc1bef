"""What bash sets when it sources a context.sh, read without running it (guest-format.md §4).

The lines come from :mod:`cvmctx.guest.contextsh.parse`; this runs them the way bash would, as far
as that
can be known without running anything:

- ``A=1``, ``A=1 B=2``, ``A=1; B=2``, ``export A=1 B``, ``readonly A=1`` set variables, and so
  do assignment-only commands joined by ``&&``/``||`` whose outcome is known;
- ``A=1 cmd`` runs ``cmd`` with ``A`` in its environment only: ``A`` is not set;
- ``|`` and ``&`` run their parts in subshells: nothing assigned there is set;
- a plain assignment to a read-only name fails, and bash skips the rest of the line;
- a command, a redirection, a compound command or a function definition is reported: the guest
  runs it as root. What bash may or may not do (after a command whose exit status is unknown,
  inside ``if``/``while``/``{ }``/``case``, ``+=``, arrays, brace expansion, after a line cvmctx
  cannot parse for sure) is a ``contextsh.cannot-tell`` warning naming what could not be
  proved; such a variable has no value here.
"""

from __future__ import annotations

import re

from cvmctx.catalog import cd as cd_codes
from cvmctx.guest.contextsh.parse import (
    Line,
    ParseError,
    Parser,
    Segment,
    Unterminated,
    append_form,
)
from cvmctx.guest.contextsh.state import (
    ABORT,
    APPEND,
    ARRAY,
    MAY_FAIL,
    MAYBE_READONLY,
    Reading,
    ShellVar,
    State,
    name_of,
)
from cvmctx.guest.contextsh.variables import BASH_READONLY
from cvmctx.guest.contextsh.words import Word

__all__ = ["Reading", "ShellVar", "read_statements"]

_COMMAND_HINT = ("keep only NAME='value' assignments (several per line, export and readonly "
                 "are fine) and comments; quote a value holding blanks or ; | & < > ( )")
_COMMANDS = {
    "command": "this runs a command: the guest sources context.sh with bash as root, so it runs "
               "at every boot{note}",
    "pipe": "a pipeline ('|'): bash runs each part in a subshell, so nothing assigned in it is "
            "set, and any command in it runs as root at every boot",
    "background": "'&' runs this in the background, in a subshell: nothing assigned in it is "
                  "set, and any command in it runs as root at every boot",
    "redirection": "a redirection: bash opens or creates that file as root at every boot",
    "compound": "a compound command or a function definition (if, while, for, case, { }, ( ), "
                "[[ ]], name() ...): bash runs or defines it as root when it sources context.sh, "
                "and a function replaces the command of that name for the rest of the guest's "
                "script",
    "identifier": "an export or readonly argument that is not NAME or NAME=value: bash prints "
                  "an error at every boot and sets nothing",
}
_INSIDE = ("it is inside a compound command (if, while, for, case, { }, ( ) or a function), "
           "which may run it once, many times or never")
_MAYBE = "it follows && or || behind a command whose exit status cvmctx does not know"
_LINE = ("its line holds a compound command, and cvmctx does not follow how that groups the "
         "commands around it")
_GUESSED = ("an expansion in its command is one cvmctx cannot parse for sure, and if bash "
            "fails on it when it runs the command, nothing of the command is done")
_SHELL_EXIT = ("an earlier ${NAME?...} or ${NAME:?...} makes bash exit when NAME is unset or "
               "empty, and then nothing after it runs")
_ENDERS = frozenset({"exit", "return", "exec", "logout"})
_ANYTHING = frozenset({"eval", "source", ".", "set", "shopt", "trap", "alias", "enable",
                       "builtin", "command", "unalias"})  # fmt: skip
_LOCALS = frozenset({"declare", "typeset", "local"})
_SETTERS = frozenset({"unset", "declare", "typeset", "local", "read", "let", "mapfile",
                      "readarray", "printf", "getopts", "shift", "export", "readonly"})  # fmt: skip
_PREFIX = "it is assigned before export or readonly, which keeps it only if it names it"


def read_statements(text: str) -> Reading:
    """What bash sets sourcing ``text``, statically. Never raises."""
    return _Reader(text).run()


class _Reader(State):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.parser = Parser(text)

    # ---------------------------------------------------------------- lines

    def run(self) -> Reading:
        while True:
            try:
                line = self.parser.line()
            except Unterminated as exc:
                if exc.sure and self.doubt is None:  # after a `return`, bash reads no further
                    self.diag(cd_codes.CONTEXTSH_UNTERMINATED, "a quote or an expansion is "
                              "never closed: bash stops sourcing context.sh with a syntax "
                              "error, so nothing from this line on is set", exc.index,
                              "close the quote")  # fmt: skip
                else:
                    self.out.incomplete = True
                    self.cannot_tell(exc.index, "where the expansion that starts here ends "
                                     "(quotes or a case inside it): cvmctx reads no further, so "
                                     "any variable may be set after this point")  # fmt: skip
                break
            except ParseError as exc:
                if exc.judged and self.doubt is None:  # after a `return`, bash reads no further
                    self.diag(cd_codes.CONTEXTSH_SYNTAX, "bash cannot parse this line (an "
                              "operator where a command should be, or one it does not know "
                              "here): it stops sourcing context.sh, so neither this line nor "
                              "any later one is run", exc.index, "fix or remove the operator")
                    break
                self._doubtful_line(exc)
                continue
            if line is None:
                break
            self._run_line(line)
        if self.parser.open or self.parser.case_depth:
            self.cannot_tell(self.parser.open[-1][1] if self.parser.open else 0, "where the "
                             "compound command that starts here ends: if context.sh ends inside "
                             "it, bash stops with a syntax error and runs none of it")  # fmt: skip
        return self.out

    def _guessed(self, word: Word) -> None:
        """An expansion whose end was guessed: what bash reads after it is not known."""
        self.out.incomplete = True
        self.doubt = self.doubt or (f"cvmctx guessed where an expansion on line "
                                    f"{self.pos(word.start)[0]} ends, so it cannot tell how bash "
                                    "reads what follows")  # fmt: skip
        self.cannot_tell(word.start if word.expansion is None else word.expansion, "where the "
                         "expansion here ends (quotes, a comment, a case or a here-document in "
                         "it): bash may read what follows differently, so any variable may be "
                         "set after this point")  # fmt: skip

    def _doubtful_line(self, exc: ParseError) -> None:
        """A line bash may or may not parse: from here on, nothing is sure."""
        self.cannot_tell(exc.index, "whether bash can parse this line (it follows shell "
                         "structure cvmctx does not follow): if not, bash stops sourcing "
                         "context.sh here")  # fmt: skip
        self.doubt = ("cvmctx cannot tell whether bash parses an earlier line, or stops "
                      "sourcing context.sh there")  # fmt: skip
        guessed = next((w for w in exc.words if w.guessed), None)
        if guessed is not None:
            self._guessed(guessed)
        for word in exc.words:
            self._span(word)
            if word.assignment() is not None or append_form(word):
                self._maybe(word, name_of(word), self.doubt)

    def _run_line(self, line: Line) -> None:
        for segment in line.segments:
            for word in segment.words:
                self._span(word)
        for word in line.skimmed:
            self._span(word)
            self._maybe(word, name_of(word), _INSIDE)
        self.line_doubt = _LINE if line.structured else None
        guessed = next((w for s in line.segments for w in s.words if w.guessed), None)
        start = 0
        for end, segment in enumerate(line.segments):
            if segment.op in (";", "&", "") or end == len(line.segments) - 1:
                if self._and_or(line.segments[start : end + 1]) == ABORT:
                    break  # a read-only name: bash skips the rest of the line
                start = end + 1
        if guessed is not None:
            self._guessed(guessed)

    def _span(self, word: Word) -> None:
        """Where a NAME=value word's value is, to mask secrets in code frames."""
        found = re.match(r"[A-Za-z_][A-Za-z0-9_]*\+?=", word.value)
        if found is not None:
            self.out.spans.append((found.group().rstrip("+="), word.src[found.end() - 1] + 1,
                                   word.end))  # fmt: skip

    def _and_or(self, items: list[Segment]) -> int | None:
        """Pipelines joined by && and ||: its status; one contextsh.command for it at most."""
        background = items[-1].op == "&"
        self.offenses = []
        status: int | None = 0
        connector = ""
        pipeline: list[Segment] = []
        for segment in items:
            pipeline.append(segment)
            if segment.op in ("|", "|&"):
                continue
            if connector == "" or status is None or (connector == "&&") == (status == 0):
                maybe = _MAYBE if connector and status is None else None
                if len(pipeline) > 1:
                    self.offenses.append((pipeline[0].op_at, "pipe", ""))
                status = self._pipeline(pipeline, subshell=background or len(pipeline) > 1,
                                        maybe=maybe)  # fmt: skip
                if status == ABORT:
                    break
                if maybe is not None:
                    status = None  # it may not have run: its status tells nothing
                if status is not None and pipeline[0].negated:
                    status = 1 - status
            connector, pipeline = segment.op, []
        if background:
            self.offenses.append((items[-1].op_at, "background", ""))
        if self.offenses:
            index, kind, note = min(self.offenses)
            self.diag(cd_codes.CONTEXTSH_COMMAND, _COMMANDS[kind].replace("{note}", note), index,
                      _COMMAND_HINT)
        return status

    def _pipeline(self, pipeline: list[Segment], *, subshell: bool, maybe: str | None
                  ) -> int | None:  # fmt: skip
        status: int | None = 0
        for segment in pipeline:
            status = self._simple(segment, subshell=subshell,
                                  maybe=_INSIDE if segment.inside else maybe)  # fmt: skip
            if status == ABORT:
                return None if subshell else ABORT
        return None if len(pipeline) > 1 else status

    def _simple(self, segment: Segment, *, subshell: bool, maybe: str | None) -> int | None:
        words = segment.words
        prefix = 0
        while prefix < len(words) and (words[prefix].assignment() is not None
                                       or append_form(words[prefix])):  # fmt: skip
            prefix += 1
        if any(word.guessed for word in words) and maybe is None:
            maybe = _GUESSED
        if segment.structure is not None:
            for word in words[:prefix]:
                self._maybe(word, name_of(word), _INSIDE)
            self.offenses.append((segment.structure, "compound", ""))
            return None
        fails = next((w.may_fail for w in words if w.may_fail), None)
        if fails == "shell":
            self.doubt = _SHELL_EXIT
        if prefix < len(words):
            command = words[prefix]
            self._command_effects(command, words[prefix + 1 :])
            if fails is not None:
                self.line_doubt = self.line_doubt or MAY_FAIL
            if command.plain("export") or command.plain("readonly"):
                for word in words[:prefix]:
                    if not subshell:
                        self._maybe(word, name_of(word), _PREFIX)
                return self._declaration(command, words[prefix + 1 :], segment,
                                         subshell=subshell, maybe=maybe)  # fmt: skip
            names = ", ".join(dict.fromkeys(name_of(w) for w in words[:prefix]))
            note = (f"; the assignment of {names} before it applies to that command only, so "
                    "it is not set" if names else "")  # fmt: skip
            self.offenses.append((command.start, "command", note))
            return None
        if segment.redirections:
            self.offenses.append((segment.redirections[0], "redirection", ""))
        if segment.closer:
            return None  # fi, done, }, ): the status of a compound command cvmctx did not run
        status: int | None = 0
        for word in words:
            eq = word.assignment()
            if word.may_fail is not None:  # this one is an expansion error already
                self.line_doubt = self.line_doubt or MAY_FAIL
            if eq is None or any(word is array for array in segment.arrays):
                name = name_of(word)
                if name in self.out.readonly or name in BASH_READONLY:  # fails, like NAME=
                    return self._assign(word, name, len(name), subshell=subshell, maybe=maybe)
                if not subshell:
                    if name in self.maybe_readonly:
                        self.line_doubt = MAYBE_READONLY
                    self._maybe(word, name, APPEND if eq is None else ARRAY)
                status = None
                continue
            got = self._assign(word, word.value[:eq], eq, subshell=subshell, maybe=maybe)
            if got == ABORT:
                return ABORT
            if got is None or word.expansion is not None:
                status = None  # $(...) gives its exit status to the assignment
        return None if segment.redirections else status

    def _command_effects(self, command: Word, args: list[Word]) -> None:
        """What a command may do to the variables: a builtin that sets the names it is given,
        one that may stop the sourcing or change anything, or a function defined above."""
        name = command.value if command.expansion is None else ""
        line = self.pos(command.start)[0]
        if name in _ENDERS:
            self.doubt = f"the command '{name}' on line {line} may stop sourcing context.sh"
        elif name in _ANYTHING or name in self.parser.functions:
            self.out.incomplete = True
            self.doubt = (f"the command '{name}' on line {line} may change any variable or stop "
                          "sourcing context.sh")  # fmt: skip
            self.cannot_tell(command.start, f"which variables the command '{name}' changes: "
                             "the values cvmctx reads are what the assignments of context.sh "
                             "say, before it")  # fmt: skip
        if name in _SETTERS | _ANYTHING and not (
                command.plain("export") or command.plain("readonly")):  # fmt: skip
            for arg in args:
                found = re.match(r"[A-Za-z_][A-Za-z0-9_]*(?==|$)", arg.value)
                if found is not None:
                    self._maybe(arg, found.group(), f"the command '{name}' may set or unset it")
                    if name in _LOCALS:
                        self.locals.add(found.group())
