"""The µCernVM bootloader's block, ``[ucernvm-begin]`` to ``[ucernvm-end]`` (docs/guest.md
§5.1): exact marker lines, then ``key=value`` lines that busybox sh sources."""

from __future__ import annotations

import re

from cvmctx.catalog import ini as ini_codes
from cvmctx.guest.inidoc import Document
from cvmctx.guest.pytext import guest_strip

# The µCernVM bootloader's block markers: a line must equal these exactly (guest-format.md §5.1).
UCERNVM_BEGIN = "[ucernvm-begin]"
UCERNVM_END = "[ucernvm-end]"
UCERNVM_SECTIONS = frozenset({"ucernvm-begin", "ucernvm-end"})


def _read_ucernvm(doc: Document, text: str) -> None:
    """Find the µCernVM bootloader block, whose markers must be exact lines (§5.1)."""
    if UCERNVM_BEGIN not in text:
        return  # no marker, exact or not, anywhere: nothing to look at line by line
    lines = doc.lines
    begin = next((i for i, line in enumerate(lines) if line == UCERNVM_BEGIN), None)
    if begin is None:
        for i, line in enumerate(lines):
            marker = ini_codes.UCERNVM_MARKER_NOT_EXACT
            if guest_strip(line) == UCERNVM_BEGIN and marker.room(doc.budget, i + 1):
                doc.diagnostics.append(
                    ini_codes.UCERNVM_MARKER_NOT_EXACT.finding(
                        "the µCernVM bootloader only sees '[ucernvm-begin]' alone on a line, "
                        "with no spaces or CR: this block is ignored",
                        line=i + 1,
                        column=1,
                        hint="write '[ucernvm-begin]' exactly, with LF line ends",
                    )
                )
        return
    end = next((i for i in range(begin + 1, len(lines)) if lines[i] == UCERNVM_END), None)
    doc.ucernvm_line = begin + 1
    if end is None:
        doc.diagnostics.append(
            ini_codes.UCERNVM_UNTERMINATED.finding(
                "the µCernVM block has no '[ucernvm-end]' line: the bootloader reads to the end "
                "of the file",
                line=begin + 1,
                column=1,
                hint="close the block with a '[ucernvm-end]' line",
            )
        )
        doc.ucernvm = lines[begin + 1 :]
    else:
        doc.ucernvm = lines[begin + 1 : end]
    for offset, line in enumerate(doc.ucernvm):
        found = ucernvm_shell_problem(line)
        if found is not None:
            column, what = found
            if ini_codes.UCERNVM_SHELL.room(doc.budget, begin + 2 + offset):
                doc.diagnostics.append(
                    ini_codes.UCERNVM_SHELL.finding(
                        f"the µCernVM bootloader writes this line as '_UCONTEXT_<KEY>=<value>' and "
                        f"sources it with busybox sh as root: {what}, so it is more than a plain "
                        "assignment (docs/guest.md §5.1)",
                        line=begin + 2 + offset,
                        column=column,
                        hint="write key=value with no spaces around '=', and put a value holding "
                        "anything but letters, digits and ._/:,@%+- in single quotes",
                    )
                )


# A value busybox sh reads as one plain word: safe characters, or single-quoted text, or
# double-quoted text with nothing sh expands in it ($, `, \).
_UCERNVM_KEY = re.compile(r"[A-Za-z0-9_]+")
_UCERNVM_WORD = re.compile(r"(?:[A-Za-z0-9_./:,@%+=~-]+|'[^']*'|\"[^\"$`\\]*\")*")
_UCERNVM_WHY = [
    ("$(", "'$(' runs a command"), ("`", "a backtick runs a command"),
    ("$", "'$' expands a variable"), (";", "';' ends the assignment and starts a command"),
    ("&", "'&' runs the line in the background or starts a command"),
    ("|", "'|' pipes into a command"), ("<", "'<' is a redirection"),
    (">", "'>' is a redirection (it writes a file)"), ("(", "'(' is shell syntax"),
    (")", "')' is shell syntax"), ("\\", "a backslash escapes what follows"),
    ("'", "a quote is not closed"), ('"', "a quote is not closed"),
    (" ", "an unquoted space ends the assignment and runs the rest as a command"),
    ("\t", "an unquoted tab ends the assignment and runs the rest as a command"),
]  # fmt: skip


def ucernvm_shell_problem(line: str) -> tuple[int, str] | None:
    """Where and why busybox sh would read ``_UCONTEXT_<KEY>=<value>`` from this block line as
    more than one plain assignment (guest-format.md §5.1); None if it is one (or blank)."""
    if not line.strip():
        return None
    key, sep, value = line.partition("=")
    if not sep:
        return None  # no '=': the bootloader writes no assignment for it
    # An empty key is still one assignment: '_UCONTEXT_=<value>' (a variable no one reads).
    if key and not _UCERNVM_KEY.fullmatch(key):
        bad = next(i for i, ch in enumerate(key) if not _UCERNVM_KEY.fullmatch(ch))
        return bad + 1, "the key must be letters, digits and '_' (a space around '=' breaks it)"
    plain = _UCERNVM_WORD.match(value)
    done = plain.end() if plain else 0
    if done == len(value):
        return None
    rest = value[done:]
    if rest[0] == '"' and '"' in rest[1:]:
        # a closed double-quoted part: what sh expands inside it is the problem
        inside = rest[1 : rest.index('"', 1)]
        at = next(i for i, ch in enumerate(inside) if ch in "$`\\")
        done, rest = done + 1 + at, inside[at:]
    for token, why in _UCERNVM_WHY:
        if rest.startswith(token):
            return len(key) + 2 + done, why
    return len(key) + 2 + done, f"{rest[0]!r} is shell syntax"
