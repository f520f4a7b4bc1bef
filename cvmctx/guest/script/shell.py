"""How a POSIX shell (bash, CernVM's ``/bin/sh``) reads a script: structure, not lines.

The guest runs the user data's script part with everything after it (guest-format.md §1.6), so
what matters is the shell's own reading: which top-level command ends the shell, whether the
text ends inside an open construct (a ``\\`` continuation, a quote, a here-document, an
``if``), and what deleting a blank line does to the program. The structure comes from
tree-sitter's bash grammar (commands, lists, pipelines, compound statements, heredocs and
strings, with positions); ``bash -n`` stays the judge of syntax and of an unfinished text.

Rows are 0-based indices of ``\\n``-separated lines, exactly as bash and the guest's grep,
sed and awk count them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from enum import Enum
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Language, Node, Parser

__all__ = [
    "Effect",
    "Unanalysable",
    "blank_line_effect",
    "enclosing",
    "ends_in_continuation",
    "is_text",
    "node_text",
    "parse",
    "parse_source",
    "statements",
]


@cache
def _language() -> Language:
    # Imported here: only texts with a script part need it, and `cvmctx --help` stays light.
    import tree_sitter_bash
    from tree_sitter import Language

    return Language(tree_sitter_bash.language())


_LOCAL = threading.local()


def _parser() -> Parser:
    """This thread's parser: a tree-sitter parser must not parse in two threads at once."""
    parser: Parser | None = getattr(_LOCAL, "parser", None)
    if parser is None:
        from tree_sitter import Parser

        parser = _LOCAL.parser = Parser(_language())
    return parser


# tree-sitter's bash grammar crashes the process (a segmentation fault) on some texts with
# non-ASCII characters; on ASCII it has held through a million random texts. bash treats every
# byte >= 0x80 as a word character, so each non-ASCII character becomes a word of ASCII letters
# of its own (one per code point, so equal words stay equal and different ones different),
# behind a \x01 that marks it. Rows never change; columns count the parsed bytes.
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
MARK = "\x01"


def _letters(match: re.Match[str]) -> str:
    code = ord(match.group())
    return MARK + "".join(chr(97 + (code // 26**i) % 26) for i in range(5))


def ascii_text(text: str) -> str:
    """``text`` as the parser is given it: non-ASCII characters spelled in ASCII letters."""
    return _NON_ASCII.sub(_letters, text)


def _bytes(text: str) -> bytes:
    return ascii_text(text).encode("ascii")


#: How many reads tree-sitter may make of a text. Well-formed scripts need about one per 4 KiB;
#: its error recovery can re-read a hostile text endlessly (64 KiB of ``a=( `` takes seconds).
#: A count, not a clock, so that the same input always gets the same verdict.
_READ_BUDGET = 20_000
_CHUNK = 4096


class Unanalysable(ValueError):
    """tree-sitter gave up on the text within its budget: cvmctx does not analyse it."""


#: How many of this thread's last parsed texts keep their trees (or why the parser gave up).
#: One script is read by several checks (its layout, its blank lines, where it exits) and a
#: long one costs seconds to parse, so each distinct text is parsed once; a few, so memory
#: stays bounded. Per thread, like the parser, so that no tree is shared between threads.
_PARSED_KEPT = 4
_GAVE_UP = "cvmctx's shell parser gave up on it (a hostile tangle of brackets?)"


def parse(text: str) -> Node:
    """The root node of ``text`` as bash's grammar reads it.

    Raises :class:`Unanalysable` past the read budget (bounded work on any input)."""
    return parse_source(text)[0]


def parse_source(text: str) -> tuple[Node, bytes]:
    """:func:`parse`, with the bytes the parser read: :func:`node_text` takes a node's text
    from them (the tree, read through a callback, holds none)."""
    cached: Callable[[str], tuple[Node, bytes] | None] | None = getattr(_LOCAL, "parse", None)
    if cached is None:
        cached = _LOCAL.parse = lru_cache(maxsize=_PARSED_KEPT)(_parse)
    parsed = cached(text)
    if parsed is None:
        raise Unanalysable(_GAVE_UP)
    return parsed


def _parse(text: str) -> tuple[Node, bytes] | None:
    """The root node and the parsed bytes, or None past the read budget (a verdict the cache
    keeps too)."""
    data = _bytes(text)
    reads = 0
    stopped = False

    def read(offset: int, _point: tuple[int, int]) -> bytes:
        nonlocal reads, stopped
        reads += 1
        if reads > _READ_BUDGET:
            stopped = True
            return b""  # as if the text ended here: the parser finishes at once
        return data[offset : offset + _CHUNK]

    parser = _parser()
    tree = parser.parse(read)
    if stopped or tree is None:
        return None
    # A tree read through a callback holds no text: each node's .text would read the whole
    # source again (a 100 KB script took minutes). node_text slices the bytes kept here
    # instead (parsing them again for a tree with text cost as much as the first parse).
    return tree.root_node, data


# Statement-level node types that are not commands: separators and comments.
_SKIP = frozenset({";", "&", ";;", "\n", "comment", "heredoc_body", "heredoc_end"})


def statements(nodes: Sequence[Node]) -> Iterator[tuple[Node, bool]]:
    """The commands among ``nodes`` (a program's or a block's children), each with whether a
    following ``&`` puts it in the background."""
    for i, node in enumerate(nodes):
        if node.type in _SKIP or (not node.is_named and node.type != "ERROR"):
            continue
        background = i + 1 < len(nodes) and nodes[i + 1].type == "&"
        yield node, background


def node_text(node: Node, data: bytes) -> str:
    """The text of ``node`` of the tree :func:`parse_source` read from ``data``."""
    return data[node.start_byte : node.end_byte].decode("ascii")  # ascii_text: ASCII only


# --------------------------------------------------------------------------------------------
# What deleting a blank line does


class Effect(Enum):
    NONE = "none"
    HEREDOC = "heredoc"  # changes the text a here-document writes
    STRING = "string"  # changes the text of a quoted string
    JOINS = "joins"  # a '\' continuation then joins the next line: commands or arguments change


def blank_line_effect(tree: Node, lines: Sequence[str], row: int) -> tuple[Effect, int]:
    """What deleting the blank line ``row`` of ``lines`` (parsed as ``tree``) does, and the row
    of the construct concerned (the heredoc's or string's start, or the continued line)."""
    node: Node | None = tree.descendant_for_point_range((row, 0), (row, 0))
    while node is not None:
        heredoc = _heredoc(node, row)
        if heredoc is not None:
            return Effect.HEREDOC, heredoc.start_point.row
        if node.type in _STRINGS and node.start_point.row < row < node.end_point.row:
            return Effect.STRING, node.start_point.row
        node = node.parent
    if row > 0 and ends_in_continuation(tree, lines[row - 1], row - 1):
        return Effect.JOINS, row - 1
    return Effect.NONE, row


_STRINGS = frozenset({"string", "raw_string", "ansi_c_string", "translated_string"})


def _heredoc(node: Node, row: int) -> Node | None:
    """The here-document redirection whose text line ``row`` is, when ``node`` shows it.

    tree-sitter's ``heredoc_body`` leaves out empty lines at its start, so a line between the
    ``<<WORD`` line and the terminator belongs to the ``heredoc_redirect`` too."""
    if node.type == "heredoc_body" and node.parent is not None:
        return node.parent
    if node.type == "heredoc_redirect" and node.start_point.row < row:
        return node
    return None


def ends_in_continuation(tree: Node, line: str, row: int) -> bool:
    """Whether ``line`` (row ``row`` of the text parsed as ``tree``) ends in a ``\\`` that
    joins the next line: an odd run of backslashes outside a comment, quotes and heredocs."""
    if not line.endswith("\\") or (len(line) - len(line.rstrip("\\"))) % 2 == 0:
        return False
    column = len(_bytes(line)) - 1
    node: Node | None = tree.descendant_for_point_range((row, column), (row, column + 1))
    while node is not None:
        if node.type in {"comment", "heredoc_body"} or node.type in _STRINGS:
            return False
        node = node.parent
    return True


def is_text(tree: Node, row: int) -> bool:
    """Whether line ``row`` is text inside a here-document or a quoted string that closes
    later (so a ``[section]`` line there is data the script writes, not where the INI starts)."""
    node: Node | None = tree.descendant_for_point_range((row, 0), (row, 0))
    while node is not None:
        heredoc = _heredoc(node, row)
        if heredoc is not None:
            return any(c.type == "heredoc_end" for c in heredoc.children)
        if node.type in _STRINGS and node.start_point.row < row and not node.has_error:
            return True
        node = node.parent
    return False


def enclosing(text: str, row: int) -> tuple[str, int] | None:
    """What makes line ``row`` of ``text`` part of another command, as a phrase with a
    ``{line}`` placeholder, and the row of that command: the text of a heredoc or a quoted
    string, or arguments continued by ``\\``. None when a command starts on the line."""
    line = ascii_text(text.split("\n")[row])
    column = len(line) - len(line.lstrip(" \t"))
    node: Node | None = parse(text).descendant_for_point_range((row, column), (row, column))
    while node is not None:
        heredoc = _heredoc(node, row)
        if heredoc is not None:
            return "text of the here-document opened on line {line}", heredoc.start_point.row
        if node.type in _STRINGS and node.start_point.row < row:
            return "text of the quoted string that starts on line {line}", node.start_point.row
        if node.type in _COMMANDS and node.start_point.row < row:
            return (
                "an argument of the command on line {line}, which a '\\' continues",
                node.start_point.row,
            )
        node = node.parent
    return None


_COMMANDS = frozenset({"command", "declaration_command", "unset_command", "test_command"})
