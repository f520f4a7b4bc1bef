"""``bash -n`` on the script the guest runs: syntax, and whether the text ends unfinished.

bash is the judge of its own syntax; the parser (:mod:`cvmctx.guest.script.shell`) only says where
the
construct left open starts and whether a final ``\\`` continues the last command.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections import OrderedDict
from dataclasses import dataclass
from enum import Enum
from typing import BinaryIO

from cvmctx.guest.script.shell import Unanalysable, ends_in_continuation, parse, statements

__all__ = ["BashCheck", "Open", "bash_check"]


class Open(Enum):
    CONTINUATION = "a '\\' continuation"
    QUOTE = "an unclosed quote"
    HEREDOC = "a here-document that is never closed"
    COMPOUND = (
        "an unfinished command (an 'if', 'case', loop, '{', '(' or a trailing '&&', '||' or '|')"
    )


@dataclass(frozen=True)
class BashCheck:
    """``bash -n`` on a text: its first syntax error, and whether the text ends unfinished."""

    error: tuple[int, str] | None  # (1-based line, message)
    open: tuple[Open, int] | None  # what is still open at the end, and its 1-based line
    unchecked: str | None = None  # why bash could not be run


_BASH_TIMEOUT = 10.0
# bash is given the text as /dev/stdin: reading a named file it is never interactive, so it
# always names the line ("/dev/stdin: line 3: ...").
_BASH_LINE = re.compile(r"^/dev/stdin: line (\d+): (.*)$", re.MULTILINE)
_HEREDOC_EOF = re.compile(r"warning: here-document at line (\d+) delimited by end-of-file")
_EOF_FROM = re.compile(r"unexpected end of file from `[^']*' command on line (\d+)")


# Verdicts by (bash, sha256 of the text): a fleet's 1,000 CDs share one epilog, a corpus repeats
# its scripts, and each bash -n is a process (milliseconds) where a lookup is microseconds.
# Bounded, least recently used first out; what bash could not judge is never kept.
_VERDICTS: OrderedDict[tuple[str, bytes], BashCheck] = OrderedDict()
_VERDICTS_KEPT = 1024


def bash_check(text: str) -> BashCheck:
    """Run ``bash -n`` (parse only, nothing executes) in a minimal environment that keeps
    $BASH_ENV and the locale out of it; once per distinct text and bash in a process."""
    data = text.encode("utf-8", "surrogatepass")
    key = (shutil.which("bash") or "", hashlib.sha256(data).digest())
    known = _VERDICTS.get(key)
    if known is not None:
        _VERDICTS.move_to_end(key)
        return known
    verdict = _run_bash(text, data)
    if verdict.unchecked is None and key[0]:
        _VERDICTS[key] = verdict
        if len(_VERDICTS) > _VERDICTS_KEPT:
            _VERDICTS.popitem(last=False)
    return verdict


def _seekable(data: bytes) -> BinaryIO:
    """``data`` in an unnamed file, at its start. bash reads a pipe one byte at a time (it must
    not read past a line it may hand to a command); from a seekable file it reads in blocks, 10x
    faster on a long script. In memory where Linux allows (the text may hold secrets), never
    under a name that a kill could leave behind."""
    if hasattr(os, "memfd_create"):
        stream: BinaryIO = os.fdopen(os.memfd_create("cvmctx-bash-n"), "w+b")  # close-on-exec
    else:
        stream = tempfile.TemporaryFile()  # noqa: SIM115 (returned open, closed by the caller)
    try:
        stream.write(data)
        stream.seek(0)
    except BaseException:
        stream.close()
        raise
    return stream


def _run_bash(text: str, data: bytes) -> BashCheck:
    try:
        with _seekable(data) as stdin:
            proc = subprocess.run(
                ["bash", "-n", "/dev/stdin"],
                stdin=stdin,
                capture_output=True,
                timeout=_BASH_TIMEOUT,
                env={"LC_ALL": "C", "PATH": os.environ.get("PATH", os.defpath)},
                check=False,
            )
    except FileNotFoundError:
        return BashCheck(None, None, "bash is not installed")
    except subprocess.TimeoutExpired:
        return BashCheck(None, None, f"bash -n took longer than {_BASH_TIMEOUT:g} s")
    except OSError as exc:
        return BashCheck(None, None, f"bash could not be run ({exc.strerror or exc})")
    stderr = proc.stderr.decode("utf-8", "replace")
    heredoc = _HEREDOC_EOF.search(stderr)
    error: tuple[int, str] | None = None
    if proc.returncode != 0:
        for match in _BASH_LINE.finditer(stderr):
            if not match.group(2).startswith("warning:"):
                error = int(match.group(1)), match.group(2)
                break
        else:
            first = stderr.strip().split("\n", 1)[0].removeprefix("/dev/stdin: ")
            error = (text.count("\n") or 1), first or f"bash -n exited with {proc.returncode}"
    return BashCheck(error, _open(text, error, heredoc))


def _open(
    text: str, error: tuple[int, str] | None, heredoc: re.Match[str] | None
) -> tuple[Open, int] | None:
    if heredoc is not None:
        return Open.HEREDOC, int(heredoc.group(1))
    if error is not None:
        message = error[1]
        if "unexpected EOF while looking for matching" in message:
            return Open.QUOTE, _last_statement_line(text)
        if "unexpected end of file" in message:
            start = _EOF_FROM.search(message)
            return Open.COMPOUND, int(start.group(1)) if start else _last_statement_line(text)
        return None
    row = _continued_row(text)
    return (Open.CONTINUATION, row + 1) if row is not None else None


def _last_statement_line(text: str) -> int:
    """The 1-based line where the last top-level construct (the one left open) starts (the
    last line when the parser gives up)."""
    try:
        nodes = [n for n, _ in statements(parse(text).children)]
    except Unanalysable:
        return max(text.count("\n"), 1)
    return nodes[-1].start_point.row + 1 if nodes else 1


def open_at_end(text: str) -> tuple[Open, int] | None:
    return bash_check(text).open


def _continued_row(text: str) -> int | None:
    """The row of a final unquoted ``\\`` that would join the next line to the last command."""
    if text.endswith("\n\n"):
        return None  # an empty line already follows it
    lines = text.removesuffix("\n").split("\n")
    row = len(lines) - 1
    if not lines[row].endswith("\\"):
        return None  # the common case, without a parse
    try:
        tree = parse(text)
    except Unanalysable:
        return row  # an odd backslash at the end: say it may continue
    return row if ends_in_continuation(tree, lines[row], row) else None
