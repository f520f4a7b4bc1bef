"""The variables as bash leaves them while it sources a context.sh, and what one assignment
(plain, or an ``export``/``readonly`` argument) does to them, read without running anything
(guest-format.md §4). :mod:`cvmctx.guest.contextsh.reader` runs the lines through it.

A name whose value cannot be proved is *unknown*: it has no value here, and a
``contextsh.cannot-tell`` warning says why. bash refuses to assign a read-only name: a plain
assignment then makes it skip the rest of the line, an ``export``/``readonly`` argument only
fails.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from cvmctx.catalog import cd as cd_codes
from cvmctx.catalog.code import Code
from cvmctx.diagnostics import Diagnostic, Severity
from cvmctx.guest.contextsh.parse import Segment
from cvmctx.guest.contextsh.variables import BASH_READONLY
from cvmctx.guest.contextsh.words import Word

__all__ = ["ABORT", "APPEND", "ARRAY", "LOCAL", "MAYBE_READONLY", "MAY_FAIL", "Reading",
           "ShellVar", "State", "name_of"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ABORT = -1  # a status: a plain assignment to a read-only name, bash skips the rest of the line
ARRAY = "it is an array assignment (NAME=( ... )); cvmctx reads only plain NAME=value"
APPEND = ("'+=' appends to the value it had before (from the guest's environment, or from the "
          "first of the two times vmcontext_prolog sources context.sh), and NAME[...]= sets an "
          "array element")
MAYBE_READONLY = ("an assignment before it on its line may fail as read-only, and then bash "
                  "skips the rest of the line")
MAY_FAIL = ("an expansion before it on its line (arithmetic, or ${...} with an operator) may "
            "fail when bash runs it, and then bash skips the rest of the line")
LOCAL = ("declare, typeset or local made it local to the guest function that sources "
         "context.sh (setupContext, loadContext), so what runs after that function does not "
         "see it")
_ARRAY_ARGUMENT = ("an export or readonly with an array argument (NAME=( ... )) assigns the "
                   "arrays first, and one that bash refuses cancels every argument")
_BRACE = "bash applies brace expansion to export and readonly arguments ({a,b} becomes two)"
_ABANDON = ("vmcontext_hepix then skips the rest of the line, and vmcontext_prolog and "
            "vmcontext_epilog, which source context.sh in a subshell, abandon the subshell: "
            "setupContext, prolog.sh and epilog.sh do not run")


@dataclass(frozen=True)
class ShellVar:
    """A variable context.sh sets, with the 1-based line and column where its value starts."""

    name: str
    value: str
    line: int
    column: int


@dataclass
class Reading:
    """What sourcing the text sets, as far as it can be known, and what was found on the way."""

    values: dict[str, ShellVar] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)  # set to a value cvmctx cannot know
    exported: set[str] = field(default_factory=set)
    readonly: dict[str, tuple[int, int]] = field(default_factory=dict)  # made read-only: where
    assigned: dict[str, tuple[int, int]] = field(default_factory=dict)  # first assignment
    plain: set[str] = field(default_factory=set)  # names a plain NAME=value assigns
    failed: set[str] = field(default_factory=set)  # names an assignment to failed (read-only)
    incomplete: bool = False  # cvmctx could not read to the end: any variable may be set
    readonly_statements: list[tuple[tuple[int, int], list[str]]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    spans: list[tuple[str, int, int]] = field(default_factory=list)  # name, value start, end


class State:
    """The variables so far, the doubts that make an assignment uncertain, and the findings."""

    def __init__(self, text: str) -> None:
        self.out = Reading()
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self.offenses: list[tuple[int, str, str]] = []  # of the and-or list being run
        self.doubt: str | None = None  # why every assignment from here on may not happen
        self.line_doubt: str | None = None
        self.maybe_readonly: set[str] = set()
        self.locals: set[str] = set()  # declared local: gone after the guest's function returns

    def pos(self, index: int) -> tuple[int, int]:
        line = bisect_right(self.starts, index)
        return line, index - self.starts[line - 1] + 1

    def diag(
        self, code: Code, message: str, index: int, hint: str, severity: Severity | None = None
    ) -> None:
        found = code.finding(message, hint=hint, severity=severity)
        self.out.diagnostics.append(found.at(*self.pos(index)))

    def cannot_tell(self, index: int, what: str) -> None:
        self.diag(cd_codes.CONTEXTSH_CANNOT_TELL, f"cvmctx cannot tell {what}", index,
                  "write plain NAME='value' assignments at the top level of context.sh")

    # ---------------------------------------------------------------- assignments

    def _assign(self, word: Word, name: str, eq: int, *, subshell: bool, maybe: str | None,
                builtin: str = "") -> int | None:  # fmt: skip
        """One ``NAME=value`` (plain, or an export/readonly argument): its status."""
        at = word.src[eq] + 1 if eq < len(word.src) else word.end
        if not subshell:
            self.out.assigned.setdefault(name, self.pos(word.start))
            if not builtin:
                self.out.plain.add(name)
        doubt = maybe or self.line_doubt or self.doubt
        if name in self.out.readonly or name in BASH_READONLY:
            if subshell:
                return 1 if builtin else ABORT
            if doubt is not None:
                self._maybe_name(name, word.start, f"{doubt}, and if it runs, bash refuses it "
                                 "(read-only)" + ("" if builtin else " and skips the rest of "
                                                  "the line"))  # fmt: skip
                self.line_doubt = self.line_doubt or (None if builtin else MAYBE_READONLY)
                return None
            self.out.failed.add(name)
            tail = "" if builtin else f"; {_ABANDON}"
            self.diag(cd_codes.CONTEXTSH_READONLY, f"{name} is read-only at this point "
                      "(readonly earlier in context.sh, or a variable of bash itself): bash "
                      f"refuses to assign it and prints an error at every boot{tail}",
                      word.start, f"do not make {name} read-only",
                      Severity.ERROR)  # fmt: skip
            return 1 if builtin else ABORT
        if subshell:
            return 0
        if name in self.locals and doubt is None:
            doubt = LOCAL
        if name in self.maybe_readonly:
            doubt = doubt or "a readonly before it may or may not have run"
            if not builtin:
                self.line_doubt = MAYBE_READONLY
        problem = self._value_problem(word, eq)
        if problem is not None:
            index, why = problem
            if why == "expansion":
                self.diag(cd_codes.CONTEXTSH_EXPANSION, f"the value of {name} uses $, "
                          "${...}, $(...), a backtick or ~: the guest expands or runs it when "
                          "it sources context.sh, so cvmctx cannot know the value", index,
                          f"write the literal value in single quotes: {name}='...'")  # fmt: skip
            else:
                self.cannot_tell(index, f"what bash sets {name} to: {why}")
            self._forget(name)
            return None
        if doubt is not None:
            self._maybe_name(name, word.start, doubt)
            return None
        self.out.unknown.discard(name)
        self.out.values[name] = ShellVar(name, "".join(word.text[eq + 1 :]), *self.pos(at))
        return 0

    def _value_problem(self, word: Word, eq: int) -> tuple[int, str] | None:
        if word.expansion is not None:
            return word.expansion, "expansion"
        for k in range(eq + 1, len(word.text)):  # ~ at the start, or after an unquoted ':'
            if word.text[k] == "~" and not word.quoted[k] and (
                k == eq + 1 or (word.text[k - 1] == ":" and not word.quoted[k - 1])
            ):
                return word.src[k], "expansion"
        return word.unsure

    def _forget(self, name: str) -> None:
        self.out.values.pop(name, None)
        self.out.unknown.add(name)

    def _maybe(self, word: Word, name: str, why: str) -> None:
        self.out.assigned.setdefault(name, self.pos(word.start))
        self._maybe_name(name, word.start, why)

    def _maybe_name(self, name: str, index: int, why: str) -> None:
        self.cannot_tell(index, f"what bash sets {name} to: {why}")
        self._forget(name)

    def _declaration(self, builtin: Word, args: list[Word], segment: Segment, *,
                     subshell: bool, maybe: str | None) -> int | None:  # fmt: skip
        """``export`` / ``readonly`` with NAME and NAME=value arguments: the status."""
        kind = builtin.value
        if segment.redirections:
            self.offenses.append((segment.redirections[0], "redirection", ""))
        if args and args[0].plain("--"):
            args = args[1:]
        if not args or args[0].value.startswith("-"):
            self.cannot_tell(builtin.start, f"what this {kind} does: it prints the variables "
                             "or takes an option (-n, -p, -f ...) that cvmctx does not read")
            for arg in args:
                if (found := _NAME.match(arg.value)) is not None and not subshell:
                    self._forget(found.group())
                    if kind == "readonly":
                        self.maybe_readonly.add(found.group())
            return None
        if any(arg.may_fail for arg in args) or any(
                arg is array for array in segment.arrays for arg in args):  # fmt: skip
            # an expansion that fails cancels the whole command; and bash assigns the arrays
            # first, so one that it refuses (read-only) cancels every argument
            why = MAY_FAIL if any(arg.may_fail for arg in args) else _ARRAY_ARGUMENT
            self.line_doubt = self.line_doubt or (MAY_FAIL if why == MAY_FAIL else None)
            for arg in args:
                if (found := _NAME.match(arg.value)) is not None and not subshell:
                    self._maybe(arg, found.group(), why)
                    if kind == "readonly":
                        self.maybe_readonly.add(found.group())
            return None
        status: int | None = 0
        names: list[str] = []
        for arg in args:
            got = self._argument(arg, kind, segment, subshell=subshell, maybe=maybe)
            if isinstance(got, str):
                names.append(got)
            elif got == 1:
                status = 1
            elif got is None and status == 0:
                status = None
        if kind == "readonly" and names and not subshell and not maybe:
            self.out.readonly_statements.append((self.pos(builtin.start), names))
        return status

    def _argument(self, arg: Word, kind: str, segment: Segment, *, subshell: bool,
                  maybe: str | None) -> str | int | None:  # fmt: skip
        """One export/readonly argument: the name it handles, or its status when it fails or
        is not known (None)."""
        text = arg.value
        eq = text.find("=")
        name = text if eq < 0 else text[:eq]
        append = name.endswith("+") and _NAME.fullmatch(name[:-1]) is not None
        name = name[:-1] if append else name
        named = _NAME.fullmatch(name) is not None
        brace = _brace(arg)
        in_name = arg.expansion is not None and (eq < 0 or arg.src[eq] > arg.expansion)
        if not named and brace is None and not in_name:
            self.offenses.append((arg.start, "identifier", ""))
            return 1
        why = (APPEND if append else _BRACE if brace is not None
               else "its name holds an expansion" if in_name else None)  # fmt: skip
        if why is not None:
            if not named or in_name or (brace is not None and brace < eq):
                self.cannot_tell(arg.start, f"which variables this {kind} argument sets: {why}")
                return None
            if name in self.out.readonly or name in self.maybe_readonly:
                self._assign(arg, name, eq, subshell=subshell, maybe=maybe or why, builtin=kind)
            elif not subshell:
                self._maybe(arg, name, why)
                self._mark(kind, name, arg, maybe)  # read-only all the same
            # {a,b} assigns the name twice: the second fails when readonly made it read-only
            return None if brace is not None or name in self.maybe_readonly else 0
        if eq >= 0:
            got = self._assign(arg, name, eq, subshell=subshell, maybe=maybe, builtin=kind)
            if got == 1:
                return 1
            if got is None and (name in self.out.readonly or name in self.maybe_readonly):
                return None  # it may have failed as read-only
        if not subshell:
            self._mark(kind, name, arg, maybe)
        return name

    def _mark(self, kind: str, name: str, arg: Word, maybe: str | None) -> None:
        if kind == "export":
            self.out.exported.add(name)
        elif maybe or self.line_doubt or self.doubt:
            self.maybe_readonly.add(name)
        else:
            self.out.readonly.setdefault(name, self.pos(arg.start))


def name_of(word: Word) -> str:
    found = _NAME.match(word.value)
    return found.group() if found else word.value


def _brace(word: Word) -> int | None:
    """The index in ``word.text`` of an unquoted ``{`` that bash brace-expands, or None."""
    opened: list[int] = []
    for k, char in enumerate(word.text):
        if word.quoted[k]:
            continue
        if char == "{":
            opened.append(k)
        elif char == "}" and opened:
            start = opened.pop()
            inner = "".join(c if not word.quoted[j] else "\0"
                            for j, c in enumerate(word.text[start + 1 : k], start + 1))  # fmt: skip
            if "," in inner or re.fullmatch(r"[^.]+\.\.[^.]+", inner):
                return start
    return None
