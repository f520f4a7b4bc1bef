"""The guest's RunUserDataScript, replayed (guest-format.md §1.6), and where its shell stops.

``amiconfig.sh`` deletes every line matching ``^ *$``, runs a script only when the first line
left starts with ``#!``, picks the phase with two unanchored sed tests, and executes everything
from the first ``#!.*sh`` line to the end of the data, INI lines included. :class:`Layout`
finds, in user data as written, the script part, the INI part, and the command where the
guest's shell stops (:mod:`cvmctx.guest.script.exits`), with ``bash -n`` on what it reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cvmctx.guest.inidoc import SECTCRE
from cvmctx.guest.pytext import guest_strip, split_lines
from cvmctx.guest.script import bashcheck, shell
from cvmctx.guest.script import exits as shell_exits
from cvmctx.guest.script.shebang import EXEC_START, Phase, line_phases, parse_shebang

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = [
    "Layout",
    "executed_text",
    "is_blank",
    "kept_lines",
    "selected_phases",
    "swallowed_exit",
]


def is_blank(line: str) -> bool:
    """``grep -v "^ *$"``: only spaces (or nothing). A tab or CR makes a line non-blank."""
    return line.strip(" ") == ""


def kept_lines(lines: Sequence[str]) -> list[str]:
    return [line for line in lines if not is_blank(line)]


def selected_phases(kept: Sequence[str]) -> frozenset[Phase]:
    """Replay of the two sed tests on the lines left after blank-line removal."""
    if not kept or not kept[0].startswith("#!"):
        return frozenset()
    found: set[Phase] = set()
    for line in kept:
        found |= line_phases(line)
    return frozenset(found)


def executed_text(text: str) -> str | None:
    """The text the guest executes for the whole user data ``text`` (None if it runs none).

    awk's range ``/#!.*sh/,/^$/`` never closes once blank lines are gone, so this is everything
    from the first ``#!.*sh`` line to the end, INI lines included (guest-format.md §1.6); awk
    ends every record with '\\n'.
    """
    kept = kept_lines(split_lines(text))
    if not selected_phases(kept):
        return None
    start = next(i for i, line in enumerate(kept) if EXEC_START.search(line))
    return "".join(line + "\n" for line in kept[start:])


@dataclass(frozen=True)
class Layout:
    """Where the script part lies in the user data, and where the guest's shell stops in it."""

    written: list[str]  # the user data from the '#!' line on, as written (rows)
    end: int  # the script part is lines[first:end]
    live_end: int  # the shell reads no further than lines[:live_end]
    ini_follows: bool
    stop: shell_exits.Exit
    bash_region: list[int]  # indices of the lines the shell reads, blank lines deleted
    bash_text: str  # those lines
    check: bashcheck.BashCheck | None  # bash -n on them (None: no shell script runs)
    unanalysable: str | None = None  # why the parser gave up on the text, if it did

    @classmethod
    def of(cls, lines: Sequence[str], first: int, known: frozenset[str]) -> Layout:
        written = list(lines[first:])
        unanalysable: str | None = None
        try:
            tree: Node | None = shell.parse("\n".join(written))
        except shell.Unanalysable as exc:
            tree, unanalysable = None, str(exc)

        def text_at(row: int) -> bool:
            return tree is not None and shell.is_text(tree, row)

        ini_start = next(
            (first + r for r in range(1, len(written))
             if _header(written[r]) in known and not text_at(r)),
            None,
        )  # fmt: skip
        kept = [i for i in range(first, len(lines)) if not is_blank(lines[i])]
        start = next((i for i in kept if EXEC_START.search(lines[i])), None)
        runs = bool(selected_phases([lines[i] for i in kept]))
        limit = len(lines) if ini_start is None else ini_start
        region = [i for i in kept if start is not None and start <= i < limit]
        is_shell = start is not None and parse_shebang(lines[start]).shell
        crlf = any("\r" in lines[i] for i in region)
        stop = shell_exits.Exit(None, None, None, None)
        if runs and is_shell and not crlf and unanalysable is None:
            try:
                stop = shell_exits.find_exit("".join(lines[i] + "\n" for i in region))
            except shell.Unanalysable as exc:
                unanalysable = str(exc)
        end, live_end, bash_region = limit, limit, region
        if stop.row is not None:
            live_end = region[stop.row] + 1
            bash_region = region[: stop.row + 1]
            # After the command that ends the shell, the first section header starts the INI.
            end = next(
                (first + r for r in range(live_end - first, len(written))
                 if _header(written[r]) is not None and not text_at(r)),
                len(lines),
            )  # fmt: skip
        # Whitespace-only lines before the INI part are neither script nor INI: not the script's.
        while end > first + 1 and not guest_strip(lines[end - 1]):
            end -= 1
        bash_text = "".join(lines[i] + "\n" for i in bash_region)
        check = bashcheck.bash_check(bash_text) if runs and is_shell and not crlf else None
        if check is not None and check.open is not None and stop.row is not None:
            # bash is still inside a command there: that `exit` is part of it, not the end.
            stop = shell_exits.Exit(None, None, None, None)
            end = limit
            live_end, bash_region = limit, region
            bash_text = "".join(lines[i] + "\n" for i in bash_region)
            check = bashcheck.bash_check(bash_text)
        ini_follows = any(not is_blank(line) for line in lines[end:])
        return cls(
            written, end, live_end, ini_follows, stop, bash_region, bash_text, check, unanalysable
        )


def _header(line: str) -> str | None:
    """The name of a line that is just a ``[section]`` header (a comment may follow), else None:
    ``[ -f x ] && …`` is a command, not where the INI part starts."""
    match = SECTCRE.match(line)
    if match is None:
        return None
    rest = guest_strip(line[match.end() :])
    return match.group("header") if not rest or rest[0] in "#;" else None


def swallowed_exit(text: str, line_of: dict[int, int]) -> tuple[str, int] | None:
    """Why a line of ``text`` that reads 'exit' is not a command of its own, if one does, and
    that line."""
    for row, line in enumerate(text.split("\n")):
        if line.split(None, 1)[:1] == ["exit"]:
            where = shell.enclosing(text, row)
            if where is not None:
                phrase, at = where
                what = phrase.format(line=line_of.get(at))
                return f"the 'exit' on line {line_of.get(row)} is not a command: it is {what}", row
    return None
