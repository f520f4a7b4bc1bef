"""What the context.sh lexer hands over (docs/guest.md §4): words with what is known of their
value, operators, newlines, and text it could not read for sure; and ANSI-C ``$'...'``
decoding as bash does it."""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field

NAME_CHAR = re.compile(r"[A-Za-z0-9_]")
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n",
                   "r": "\r", "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


@dataclass
class Word:
    """A word: its text after quote removal, where each character came from and whether it was
    quoted (``src`` a machine-int array and ``quoted`` a bytearray: a 16 MB value keeps one
    entry per character, and Python ints and bools in lists cost 36 and 8 bytes each; issue 9).
    ``expansion`` is the index of its first expansion (then the text is not the value
    bash gets); ``unsure`` is an index and a reason when the text may not be what bash gets."""

    start: int
    end: int = 0
    text: list[str] = field(default_factory=list)
    src: array[int] = field(default_factory=lambda: array("q"))
    quoted: bytearray = field(default_factory=bytearray)
    expansion: int | None = None
    unsure: tuple[int, str] | None = None
    has_quotes: bool = False
    guessed: bool = False  # an expansion in it was skipped by guesswork (see Lexer.loose)
    # An expansion that can fail when bash runs it: "line" (arithmetic, ${...} with an
    # operator: bash skips the rest of the line) or "shell" (${NAME:?...}: bash exits).
    may_fail: str | None = None

    def add(self, char: str, index: int, quoted: bool) -> None:
        self.text.append(char)
        self.src.append(index)
        self.quoted.append(quoted)

    def add_run(self, chunk: str, index: int, quoted: bool) -> None:
        """``add`` for each character of ``chunk``, which starts at ``index`` in the source:
        one call per run of plain characters, not one per character (a 16 MB quoted value)."""
        self.text.extend(chunk)
        self.src.extend(range(index, index + len(chunk)))
        self.quoted.extend(b"\x01" * len(chunk) if quoted else bytes(len(chunk)))

    @property
    def value(self) -> str:
        return "".join(self.text)

    def plain(self, word: str) -> bool:
        """Whether this is exactly ``word``, unquoted (a reserved word, ``export``...)."""
        return not self.has_quotes and self.expansion is None and self.value == word

    def assignment(self) -> int | None:
        """The index in :attr:`text` of the ``=`` of a plain ``NAME=value`` word, else None."""
        for i, char in enumerate(self.text):
            if self.quoted[i]:
                return None
            if char == "=":
                return i if i > 0 and not self.text[0].isdigit() else None
            if not NAME_CHAR.fullmatch(char):
                return None
        return None


@dataclass
class Op:
    op: str
    start: int


@dataclass
class Newline:
    start: int  # the index of the '\n', or len(text) at the end of the text


@dataclass
class Broken:
    """The text ends inside a quote or an expansion: bash stops with a syntax error there;
    unless not ``sure``: the expansion's end was looked for by guesswork."""

    start: int
    sure: bool = True


Token = Word | Op | Newline | Broken


def ansi_escape(text: str, j: int) -> tuple[int, str | None]:
    """The escape (or character) at ``j`` in ``$'...'``: its length and what bash makes of it
    (None: it depends on the locale, or is a byte that is not ASCII)."""
    if text[j] != "\\" or j + 1 >= len(text):
        return 1, text[j]
    esc = text[j + 1]
    if esc in _SIMPLE_ESCAPES:
        return 2, _SIMPLE_ESCAPES[esc]
    if esc in "01234567":
        digits = re.match(r"[0-7]{1,3}", text[j + 1 : j + 4])
        assert digits is not None
        return 1 + len(digits.group()), _byte(int(digits.group(), 8))
    hexa = re.match(r"[0-9A-Fa-f]{1,2}", text[j + 2 : j + 4]) if esc == "x" else None
    if hexa is not None:
        return 2 + len(hexa.group()), _byte(int(hexa.group(), 16))
    if esc in "uUc":
        return 2, None
    return 2, "\\" + esc  # an unknown escape stays as it is


def _byte(code: int) -> str | None:
    return "\0" if code == 0 else chr(code) if code < 0x80 else None
