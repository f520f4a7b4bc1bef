"""The lines of a shell text as bash parses them before running them, for reading context.sh
statically (guest-format.md §4); :mod:`cvmctx.guest.contextsh.reader` runs them.

bash reads a line (more when ``&&``, ``||`` or ``|`` goes on to the next), parses all of it and
only then runs it; a syntax error anywhere in it means none of it runs and sourcing stops. A
line is a list of :class:`Segment` objects: simple commands with the operator after each.
Compound commands (``if``, ``while``, ``for``, ``case``, ``{ }``, ``( )``, functions) are
followed only as far as knowing which commands are inside one; a syntax error is *judged*
(``ParseError.judged``) only before any such structure and any guessed expansion, so that a
``;;`` of a ``case`` is never called an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cvmctx.guest.contextsh.words import Broken, Lexer, Newline, Op, Token, Word

__all__ = ["Line", "ParseError", "Parser", "Segment", "Unterminated", "append_form"]

_REDIRECTIONS = frozenset({"<", ">", ">>", "<&", ">&", "<>", ">|", "&>", "&>>", "<<", "<<-",
                           "<<<"})  # fmt: skip
_OPENERS = {"if": "fi", "while": "done", "until": "done", "for": "done", "select": "done",
            "{": "}", "case": "esac"}  # fmt: skip
_MIDDLES = frozenset({"then", "else", "elif", "do"})
_CLOSERS = frozenset({"fi", "done", "esac", "}"})
_COMMAND_LIKE = frozenset({"[[", "time", "coproc"})
_CONTINUING = ("&&", "||", "|", "|&")
# bash parses NAME=( ... ) in the arguments of these (bash 5.2: found by trying each)
_ASSIGNMENT_BUILTINS = frozenset({"export", "readonly", "declare", "typeset", "local", "let",
                                  "alias", "eval"})  # fmt: skip


@dataclass
class Segment:
    """One simple command (or a piece of shell structure) and the operator after it."""

    words: list[Word] = field(default_factory=list)
    redirections: list[int] = field(default_factory=list)
    structure: int | None = None  # where a compound command or function definition starts
    arrays: list[Word] = field(default_factory=list)  # NAME=( ... ): the NAME= words
    closer: bool = False
    inside: bool = False  # within a compound command: may run once, many times or never
    negated: bool = False
    op: str = ""
    op_at: int = 0

    def empty(self) -> bool:
        return not (self.words or self.redirections or self.closer or self.structure is not None)


@dataclass
class Line:
    segments: list[Segment]
    structured: bool  # holds a compound command or a piece of one
    skimmed: list[Word] = field(default_factory=list)  # NAME=... words inside case ... esac


class ParseError(Exception):
    """bash (surely, when ``judged``) cannot parse the line; ``words`` are all of its words."""

    def __init__(self, index: int, judged: bool, words: list[Word]) -> None:
        super().__init__(index)
        self.index, self.judged, self.words = index, judged, words


class Unterminated(Exception):
    """The text ends inside a quote or an expansion (surely, or by a guess: not ``sure``)."""

    def __init__(self, index: int, sure: bool = True) -> None:
        super().__init__(index)
        self.index, self.sure = index, sure


class _Syntax(Exception):
    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


class Parser:
    def __init__(self, text: str) -> None:
        self.lex = Lexer(text)
        self.open: list[tuple[str, int]] = []  # compound commands not closed: closer, where
        self.structured = False  # structure seen: a parse error is no longer judged
        self.case_depth = 0
        self._peeked: Token | None = None
        self._words: list[Word] = []
        self.functions: set[str] = set()  # names of the functions the text defines

    @property
    def judging(self) -> bool:
        return not (self.structured or self.lex.loose)

    def take(self) -> Token:
        if self._peeked is not None:
            token, self._peeked = self._peeked, None
        else:
            token = self.lex.next()
        if isinstance(token, Word):
            self._words.append(token)
        return token

    def peek(self) -> Token:
        if self._peeked is None:
            self._peeked = self.lex.next()
        return self._peeked

    def _at_end(self) -> bool:
        return self.lex.at_end and self._peeked is None

    def line(self) -> Line | None:
        """The next line, or None at the end of the text."""
        token = self.take()
        while isinstance(token, Newline):
            if self._at_end():
                return None
            token = self.take()
        self._words = [token] if isinstance(token, Word) else []
        try:
            return self._line(token)
        except _Syntax as exc:
            judged = self.judging
            while not isinstance(token := self.take(), Newline | Broken):
                pass
            raise ParseError(exc.index, judged, self._words) from None

    def _line(self, token: Token) -> Line:
        segments: list[Segment] = []
        skimmed: list[Word] = []
        segment = Segment(inside=bool(self.open))
        if self.case_depth:
            if not self._skim_case(token, skimmed):
                return Line([], True, skimmed)
            segment.closer = True
            token = self.take()
        while True:
            if isinstance(token, Broken):
                raise Unterminated(token.start, token.sure)
            if isinstance(token, Newline):
                if not segment.empty():
                    segments.append(segment)
                structured = bool(skimmed) or any(
                    s.structure is not None or s.closer for s in segments)
                return Line(segments, structured, skimmed)
            if isinstance(token, Word):
                if self._word(token, segment) == "case":
                    if not self._skim_case(self.take(), skimmed):
                        segments.append(segment)
                        return Line(segments, True, skimmed)
                    segment.closer = True  # case ... esac ended on this line
            elif token.op in _REDIRECTIONS:
                target = self.take()
                if isinstance(target, Broken):
                    raise Unterminated(target.start, target.sure)
                if not isinstance(target, Word):
                    raise _Syntax(token.start)
                segment.redirections.append(token.start)
            elif token.op == "(":
                self._open_paren(token, segment)
            elif token.op == ")":
                if not self.open or self.open[-1][0] != ")":
                    raise _Syntax(token.start)
                self.open.pop()
                segment.closer = True
            elif token.op in (";", "&", *_CONTINUING):
                if segment.empty():
                    raise _Syntax(token.start)
                segment.op, segment.op_at = token.op, token.start
                segments.append(segment)
                segment = Segment(inside=bool(self.open))
                if token.op in _CONTINUING:  # the line goes on past newlines
                    while isinstance(self.peek(), Newline) and not self.lex.at_end:
                        self.take()
                    if isinstance(self.peek(), Newline):
                        raise _Syntax(token.start)
            else:  # ;; ;& ;;& outside case
                raise _Syntax(token.start)
            token = self.take()

    def _skim_case(self, token: Token, skimmed: list[Word]) -> bool:
        """Inside ``case ... esac``: only the end matters, and names that may be assigned.
        True when the ``esac`` is on this line (the tokens after it are still to be read)."""
        while not isinstance(token, Newline | Broken):
            if isinstance(token, Word):
                if token.plain("case"):
                    self.case_depth += 1
                elif token.plain("esac"):
                    self.case_depth -= 1
                    if not self.case_depth:
                        self.open.pop()
                        return True
                elif token.assignment() is not None or append_form(token):
                    skimmed.append(token)
            token = self.take()
        if isinstance(token, Broken):
            raise Unterminated(token.start, token.sure)
        return False

    def _word(self, word: Word, segment: Segment) -> str | None:
        if segment.words or segment.redirections or segment.closer:
            if segment.closer:
                raise _Syntax(word.start)  # `fi x`
            segment.words.append(word)
            return None
        value = word.value if not word.has_quotes and word.expansion is None else None
        if value == "!" and not segment.negated:
            segment.negated = True
        elif value in _OPENERS:
            self.structured = True
            self.open.append((_OPENERS[value], word.start))
            segment.structure = word.start if segment.structure is None else segment.structure
            segment.inside = True
            if value == "case":
                self.case_depth = 1
                return "case"
            if value in ("for", "select"):  # the name and the word list are no commands
                while isinstance(self.peek(), Word):
                    self.take()
        elif value in _MIDDLES:  # the command after it is inside the compound command
            if not self.open:
                raise _Syntax(word.start)  # judged only if no structure was seen before
            self.structured = True
            segment.inside = True
        elif value in _CLOSERS:
            if not self.open or self.open[-1][0] != value:
                raise _Syntax(word.start)  # judged only if no structure was seen before
            self.open.pop()
            segment.closer = True
            segment.inside = bool(self.open)
        elif value == "function":  # function NAME [()] { ...
            self.structured = True
            segment.structure = word.start
            if isinstance(name := self.peek(), Word):
                self.functions.add(name.value)
                self.take()
            if isinstance(paren := self.peek(), Op) and paren.op == "(":
                self.take()
                if not (isinstance(close := self.take(), Op) and close.op == ")"):
                    raise _Syntax(paren.start)
        elif value in _COMMAND_LIKE:
            self.structured = True
            segment.structure = word.start
            if value == "[[":
                while isinstance(token := self.peek(), Word) and not token.plain("]]"):
                    self.take()
        else:
            segment.words.append(word)
        return None

    def _open_paren(self, token: Op, segment: Segment) -> None:
        words = segment.words
        last = words[-1] if words else None
        prefix = next((w for w in words if w.assignment() is None and not append_form(w)), None)
        declaration = prefix is not None and prefix.value in _ASSIGNMENT_BUILTINS
        if last is not None and last.value.endswith("=") and last.expansion is None and (
            last.end == token.start and last.src[-1] == token.start - 1
        ) and (declaration or prefix is None) and not segment.redirections:
            # NAME=( ... ): an array; its words run to the matching ')'
            segment.arrays.append(last)
            while not (isinstance(t := self.take(), Op) and t.op == ")"):
                if isinstance(t, Broken):
                    raise Unterminated(t.start, t.sure)
                if isinstance(t, Newline) and self.lex.at_end:
                    raise _Syntax(token.start)
            return
        if len(words) == 1 and words[0].assignment() is None and not segment.redirections:
            # name() { ... }: a function definition
            close = self.take()
            if not (isinstance(close, Op) and close.op == ")"):
                raise _Syntax(token.start)
            self.structured = True
            segment.structure = words[0].start
            self.functions.add(words[0].value)
            words.clear()
            return
        if words or segment.redirections or segment.closer:
            raise _Syntax(token.start)
        self.structured = True
        self.open.append((")", token.start))
        segment.structure = token.start if segment.structure is None else segment.structure
        segment.inside = True


def append_form(word: Word) -> bool:
    """``NAME+=...`` or ``NAME[...]=...``, unquoted: an assignment this reader does not read."""
    found = re.match(r"[A-Za-z_][A-Za-z0-9_]*(\+=|\[[^=]*\]\+?=)", word.value)
    return found is not None and not any(word.quoted[: found.end()])
