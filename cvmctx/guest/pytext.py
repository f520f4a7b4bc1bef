"""Text as the guest's Python 2 sees it on byte strings (docs/guest.md §2): whitespace and lower
case are ASCII only (a no-break space is an ordinary character), ``str.split`` splits on ASCII
whitespace, and the comment rules of the INI reader's pre-filter and ConfigParser."""

from __future__ import annotations

import re

ASCII_WS = " \t\n\r\x0b\x0c"
_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    return text.translate(_LOWER)


def guest_strip(text: str) -> str:
    """``str.strip()`` as Python 2 does it on a byte string: ASCII whitespace only."""
    return text.strip(ASCII_WS)


_ASCII_WS_RUN = re.compile(f"[{re.escape(ASCII_WS)}]+")
_ASCII_WS_ONE = re.compile(f"[{re.escape(ASCII_WS)}]")
_HASH_COMMENT = re.compile(r"\s#", re.ASCII)


def guest_split(text: str) -> list[str]:
    """``str.split()`` as Python 2 does it on a byte string: on runs of ASCII whitespace only
    (a no-break space or U+3000 is part of a word), with no empty words."""
    return [word for word in _ASCII_WS_RUN.split(text) if word]


def split_lines(text: str) -> list[str]:
    """Split as the guest does: on ``\\n`` only, so a ``\\r`` stays at the end of its line."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def is_comment(line: str) -> bool:
    """ConfigParser's comment test: ``#``/``;`` first, or a first word ``rem`` (any case)."""
    if line[0] in "#;":
        return True
    if line[0] not in "rR":
        return False  # the common case, decided without splitting the line
    # Python 2 splits a byte string on ASCII whitespace only: 'rem\u00a0x' is one word there
    # (found by scripts/py2_differential.py against the real ConfigParser).
    first = _ASCII_WS_ONE.split(line, maxsplit=1)[0]
    return ascii_lower(first) == "rem"


def cut_inline_comment(value: str) -> tuple[str, int | None]:
    """Apply ConfigParser's inline-comment rule; return the kept value and the cut offset.

    Only the *first* ``;`` is examined, and it cuts only when the character before it is
    whitespace. ``optval[pos-1]`` with ``pos == 0`` is Python's last character, so a value
    that starts with ``;`` is cut to nothing when it ends in whitespace (a CRLF's ``\\r``).
    """
    pos = value.find(";")
    if pos != -1 and value[pos - 1] in ASCII_WS:
        return value[:pos], pos
    return value, None
