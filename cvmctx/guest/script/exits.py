"""Which command ends the shell: the guest's shell stops only there (guest-format.md §1.6).

bash reads and runs one top-level command at a time, so the first top-level command that surely
ends the shell (``exit``, ``exec CMD``, a block or branch where every path does) is where the
guest's shell stops; nothing after it, the INI lines included, is even read. A command that ends
it on some paths only (``[ -d /x ] && exit``) is a doubt, never a confident verdict.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from cvmctx.guest.script.shell import MARK, parse_source
from cvmctx.guest.script.shell import node_text as _text
from cvmctx.guest.script.shell import statements as _statements

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ["Ends", "Exit", "Verdict", "describe", "find_exit"]


class Ends(Enum):
    NO = "no"
    MAYBE = "maybe"  # on some paths only (an `exit` behind `&&`, in one branch of an `if`)
    YES = "yes"
    UNKNOWN = "unknown"  # the parser could not read it


@dataclass(frozen=True)
class Verdict:
    ends: Ends
    why: str = ""  # for NO and MAYBE: what keeps an `exit` from ending the shell
    row: int | None = None  # the row of the `exit` (or `exec`) concerned


_NO = Verdict(Ends.NO)
_MAX_DEPTH = 100
_ALWAYS_TRUE = frozenset({"true", ":"})
_ALWAYS_FALSE = frozenset({"false"})


def _command_words(node: Node, data: bytes) -> list[str]:
    """A simple command's name and literal arguments (assignments and redirections left out)."""
    words: list[str] = []
    for child in node.children:
        if len(words) >= _WORDS_READ:
            break  # what ends the shell is decided by the first words; a node's text is costly
        if child.type == "command_name":
            words.append(_text(child, data))
        elif words and child.type in {"word", "number", "raw_string", "string"}:
            words.append(_text(child, data).strip("'\""))
    return words


# The commands that may end the shell themselves or through their first argument.
_ENDERS = frozenset({"exit", "return", "exec", "builtin", "command"})
# exit/exec/return/true/false and their first arguments are all the analysis reads of a command
_WORDS_READ = 8


@dataclass
class _Analysis:
    """Walks statements; ``functions`` holds top-level functions whose body ends the shell."""

    functions: dict[str, Verdict]
    data: bytes  # the parsed source: node texts are slices of it (shell.node_text)
    depth: int = 0

    def sequence(self, nodes: Sequence[Node]) -> Verdict:
        """Commands run one after the other: the first that surely ends the shell decides."""
        maybe: Verdict | None = None
        unknown: Verdict | None = None
        for node, background in _statements(nodes):
            verdict = self.statement(node)
            if background and verdict.ends in {Ends.YES, Ends.MAYBE}:
                verdict = Verdict(
                    Ends.NO, "it runs in the background ('&'), in a subshell", verdict.row
                )
            if verdict.ends is Ends.YES:
                return verdict
            if verdict.ends is Ends.MAYBE and maybe is None:
                maybe = verdict
            if verdict.ends is Ends.UNKNOWN and unknown is None:
                unknown = verdict
        return maybe or unknown or _NO

    def statement(self, node: Node) -> Verdict:
        # Bounded work on any input: nesting deeper than a person writes is not analysed.
        if self.depth > _MAX_DEPTH:
            return Verdict(Ends.UNKNOWN, f"it is nested more than {_MAX_DEPTH} levels deep",
                           node.start_point.row)  # fmt: skip
        self.depth += 1
        try:
            return self._statement(node)
        finally:
            self.depth -= 1

    def _statement(self, node: Node) -> Verdict:
        kind = node.type
        if node.type == "ERROR":
            return Verdict(
                Ends.UNKNOWN, "cvmctx's shell parser could not read it", node.start_point.row
            )
        if kind == "command":
            return self._command(node)
        if kind == "redirected_statement":
            body = node.child_by_field_name("body")
            return self.statement(body) if body is not None else _NO
        if kind == "negated_command":
            return self.sequence(node.children[1:])
        if kind == "compound_statement":
            return self.sequence(node.children)
        if kind == "subshell":
            # Functions defined in a subshell or a pipeline part never reach the shell.
            inner = _Analysis(dict(self.functions), self.data, self.depth).sequence(node.children)
            if inner.ends in {Ends.YES, Ends.MAYBE}:
                return Verdict(
                    Ends.NO, "it is inside '( … )': it ends only that subshell", inner.row
                )
            return _NO
        if kind == "pipeline":
            for part in node.children:
                if part.is_named:
                    inner = _Analysis(dict(self.functions), self.data, self.depth).statement(part)
                    if inner.ends in {Ends.YES, Ends.MAYBE}:
                        return Verdict(
                            Ends.NO,
                            "it is part of a pipeline ('|'): each part runs in a subshell",
                            inner.row,
                        )
            return _NO
        if kind == "list":
            return self._list(node)
        if kind == "if_statement":
            return self._if(node)
        if kind == "case_statement":
            return self._case(node)
        if kind in {"while_statement", "until_statement", "for_statement", "c_style_for_statement"}:
            return self._loop(node)
        if kind == "function_definition":
            self._define(node)
        return _NO

    def _command(self, node: Node) -> Verdict:
        # Most commands are none of these: their name alone says so, without building a Node
        # for each of their words (a 16 MB script has a million commands).
        name_node = node.child_by_field_name("name")
        if name_node is None:
            return _NO
        if _text(name_node, self.data) not in _ENDERS and not self.functions:
            return _NO
        words = _command_words(node, self.data)
        if not words:
            return _NO
        name, args = words[0], words[1:]
        if name in {"builtin", "command"} and args:
            name, args = args[0], args[1:]
        row = node.start_point.row
        if name == "exit":
            return Verdict(Ends.YES, row=row)
        if name == "return":
            # Outside a function: bash as `sh` (POSIX mode) exits on this special-builtin
            # error, bash as `bash` prints it and goes on.
            return Verdict(
                Ends.MAYBE,
                "'return' outside a function ends the shell only when bash runs as 'sh'",
                row,
            )
        if name == "exec":
            # `exec CMD` replaces the shell (a non-interactive shell also exits when CMD cannot
            # be run); `exec` with redirections only just changes the shell's own files.
            return Verdict(Ends.YES, row=row) if args else _NO
        return self.functions.get(name, _NO)

    def _list(self, node: Node) -> Verdict:
        left, op, right = node.children[0], node.children[1], node.children[-1]
        first = self.statement(left)
        if first.ends is Ends.YES:
            return first
        second = self.statement(right)
        if second.ends not in {Ends.YES, Ends.MAYBE}:
            return first if first.ends is not Ends.NO else second
        words = _command_words(left, self.data) if left.type == "command" else []
        sure = _ALWAYS_TRUE if op.type == "&&" else _ALWAYS_FALSE
        if len(words) >= 1 and words[0] in sure and first.ends is Ends.NO:
            return second
        when = "succeeds" if op.type == "&&" else "fails"
        return Verdict(
            Ends.MAYBE,
            f"it runs only when the command before '{op.type}' on line {{{left.start_point.row}}} "
            f"{when}",
            second.row,
        )

    def _if(self, node: Node) -> Verdict:
        # Children: 'if' COND… 'then' BODY… elif_clause* else_clause? 'fi'.
        children = node.children
        then = next(i for i, c in enumerate(children) if c.type == "then")
        condition = self.sequence(children[1:then])
        if condition.ends is Ends.YES:
            return condition
        constant = _constant(children[1:then], self.data)
        if constant is not None:
            # `if true; then …` (or `if false; … else …`): only one branch can run.
            chosen = [c for c in children[then + 1 :] if c.type not in _CLAUSES]
            if constant is False:
                clause = next(
                    (c for c in children if c.type in {"elif_clause", "else_clause"}), None
                )
                if clause is None or clause.type == "elif_clause":
                    return (
                        _NO
                        if clause is None
                        else Verdict(Ends.MAYBE, "an 'elif' branch", clause.start_point.row)
                    )
                chosen = clause.children[1:]
            return self.sequence(chosen)
        branches = [self.sequence([c for c in children[then + 1 :] if c.type not in _CLAUSES])]
        has_else = False
        for clause in children:
            if clause.type == "elif_clause":
                inner = clause.children
                t = next(i for i, c in enumerate(inner) if c.type == "then")
                branches.append(self.sequence(inner[t + 1 :]))
            elif clause.type == "else_clause":
                has_else = True
                branches.append(self.sequence(clause.children[1:]))
        return _branches(branches, complete=has_else, what="'if'", row=node.start_point.row)

    def _case(self, node: Node) -> Verdict:
        items = [c for c in node.children if c.type == "case_item"]
        subject = node.child_by_field_name("value")
        known, chosen = _literal_case(subject, items, self.data)
        if known:
            # A literal word against literal patterns: the shell's choice is known.
            return self.sequence(chosen.children[_item_body(chosen) :]) if chosen else _NO
        branches: list[Verdict] = []
        catch_all = False
        for item in items:
            close = _item_body(item) - 1
            patterns = [_text(c, self.data) for c in item.children[:close] if c.is_named]
            catch_all = catch_all or "*" in patterns
            if any(c.type in {";&", ";;&"} for c in item.children):
                return Verdict(Ends.UNKNOWN, "a 'case' with ';&' or ';;&'", node.start_point.row)
            branches.append(self.sequence(item.children[close + 1 :]))
        return _branches(branches, complete=catch_all, what="'case'", row=node.start_point.row)

    def _loop(self, node: Node) -> Verdict:
        body = node.child_by_field_name("body")
        inner = self.sequence(body.children) if body is not None else _NO
        if inner.ends is Ends.YES and _runs_once(node, body, self.data):
            return inner
        if inner.ends in {Ends.YES, Ends.MAYBE}:
            return Verdict(
                Ends.MAYBE,
                f"it is inside a loop (line {{{node.start_point.row}}}) that may not run it",
                inner.row,
            )
        return inner if inner.ends is Ends.UNKNOWN else _NO

    def _define(self, node: Node) -> None:
        name = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        if name is not None and body is not None:
            verdict = self.statement(body)
            if verdict.ends is Ends.YES:
                self.functions[_text(name, self.data)] = verdict
            else:
                self.functions.pop(_text(name, self.data), None)


_CLAUSES = frozenset({"elif_clause", "else_clause", "fi"})
_LITERALS = frozenset({"word", "number", "raw_string"})


def _item_body(item: Node) -> int:
    """The index of a case item's first body child (after its ')')."""
    return next((i + 1 for i, c in enumerate(item.children) if c.type == ")"), 0)


def _literal_case(
    subject: Node | None, items: Sequence[Node], data: bytes
) -> tuple[bool, Node | None]:
    """(True, the item) a literal subject selects, (True, None) when none matches, when every
    pattern up to the choice is literal; (False, None) when that cannot be known."""
    if subject is None or subject.type not in {"word", "number"}:
        return False, None
    word = _text(subject, data)
    if MARK in word:
        return False, None  # non-ASCII: '?' would match one character, not its spelling
    for item in items:
        if any(c.type in {";&", ";;&"} for c in item.children):
            return False, None
        patterns = item.children[: _item_body(item) - 1]
        for pattern in (p for p in patterns if p.is_named):
            text = _text(pattern, data)
            if pattern.type not in {"word", "number", "extglob_pattern"} or MARK in text:
                return False, None
            if fnmatch.fnmatchcase(word, text):
                return True, item
    return True, None


def _runs_once(loop: Node, body: Node | None, data: bytes) -> bool:
    """Whether a loop surely runs its body: ``while true``/``until false``, or ``for`` over a
    non-empty list of literal words."""
    children = loop.children
    stop = next((i for i, c in enumerate(children) if c == body), len(children))
    if loop.type == "while_statement" and children:
        constant = _constant(children[1:stop], data)
        return constant is (children[0].type == "while")
    if loop.type == "for_statement":
        at = next((i for i, c in enumerate(children) if c.type == "in"), None)
        words = [c for c in children[at + 1 : stop] if c.is_named] if at is not None else []
        return bool(words) and all(w.type in _LITERALS for w in words)
    return False


def _constant(condition: Sequence[Node], data: bytes) -> bool | None:
    """True or False for a condition that is just ``true``/``:`` or ``false``, else None."""
    commands = [n for n, _ in _statements(condition)]
    if len(commands) != 1 or commands[0].type != "command":
        return None
    words = _command_words(commands[0], data)
    if words[:1] and words[0] in _ALWAYS_TRUE:
        return True
    if words == ["false"]:
        return False
    return None


def _branches(branches: Sequence[Verdict], *, complete: bool, what: str, row: int) -> Verdict:
    ends = [b.ends for b in branches]
    if complete and all(e is Ends.YES for e in ends):
        return Verdict(Ends.YES, row=branches[-1].row)
    if Ends.UNKNOWN in ends:
        return next(b for b in branches if b.ends is Ends.UNKNOWN)
    hit = next((b for b in branches if b.ends in {Ends.YES, Ends.MAYBE}), None)
    if hit is None:
        return _NO
    return Verdict(Ends.MAYBE, f"it is in one branch of the {what} on line {{{row}}}", hit.row)


@dataclass(frozen=True)
class Exit:
    """Where the shell stops, reading ``text`` command by command."""

    row: int | None  # the last row of the top-level command that surely ends the shell
    start: int | None  # the first row of that command
    doubt: Verdict | None  # else: the first command that may end it, or that could not be read
    last: Verdict | None  # else: the last `exit` that does not end it, and why


def find_exit(text: str) -> Exit:
    """The first top-level command of ``text`` that surely ends the shell (bash executes one
    top-level command at a time, so nothing after it is even read)."""
    root, data = parse_source(text)
    analysis = _Analysis({}, data)
    doubt: Verdict | None = None
    last: Verdict | None = None
    for node, background in _statements(root.children):
        verdict = analysis.statement(node)
        if background and verdict.ends in {Ends.YES, Ends.MAYBE}:
            verdict = Verdict(
                Ends.NO, "it runs in the background ('&'), in a subshell", verdict.row
            )
        if verdict.ends is Ends.YES:
            return Exit(
                node.end_point.row - (node.end_point.column == 0), node.start_point.row, None, None
            )
        if verdict.ends in {Ends.MAYBE, Ends.UNKNOWN} and doubt is None:
            doubt = verdict
        if verdict.ends is Ends.NO and verdict.row is not None:
            last = verdict
    return Exit(None, None, doubt, last)


def describe(verdict: Verdict, line_of: Mapping[int, int]) -> str:
    """``verdict.why`` with its ``{row}`` placeholders turned into the user's line numbers."""
    return re.sub(r"\{(\d+)\}", lambda m: str(line_of.get(int(m.group(1)), "?")), verdict.why)
