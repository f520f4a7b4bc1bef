"""What the INI reader hands over: options with where each came from, section blocks, and the
document with its findings (docs/guest.md §2)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cvmctx.catalog import ini as ini_codes
from cvmctx.diagnostics import Budget, Diagnostic

# Python 2.7 ConfigParser.RawConfigParser.SECTCRE / OPTCRE, matched with re.match (anchored at
# the start of the line). re.ASCII makes \s mean what it meant on Python 2 byte strings.
SECTCRE = re.compile(r"\[(?P<header>[^]]+)\]", re.ASCII)
OPTCRE = re.compile(r"(?P<option>[^:=\s][^:=]*)\s*(?P<vi>[:=])\s*(?P<value>.*)$", re.ASCII)


@dataclass(slots=True)
class Option:
    """One ``key = value`` line as the guest keeps it (not frozen: a frozen dataclass costs
    four times as much to build, once per option line of a file of millions)."""

    key: str  # lower-cased, as plugins see it
    written_key: str  # as written in the file
    value: str  # after the inline-comment cut and stripping
    line: int  # 1-based line number
    value_column: int  # 1-based column where the value starts


@dataclass
class Block:
    """A section as the guest holds it after merging repeated headers."""

    name: str
    line: int  # line of the first header
    options: dict[str, Option] = field(default_factory=dict)

    def values(self) -> dict[str, str]:
        return {k: o.value for k, o in self.options.items()}


@dataclass
class Document:
    """The result of reading user data the guest's way."""

    lines: list[str]
    blocks: dict[str, Block] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    first_section_line: int | None = None  # 1-based, None when the text has no section
    # The µCernVM block: the lines between the exact markers, verbatim (None when absent).
    ucernvm: list[str] | None = None
    ucernvm_line: int | None = None
    budget: Budget = field(default_factory=Budget, repr=False)


def key_name_info(option: Option, section: str) -> Diagnostic:
    """The info note for a key written in mixed case (the guest lower-cases it)."""
    return ini_codes.KEY_CASE.finding(
        f"the guest reads '{option.written_key}' as '{option.key}'",
        line=option.line,
        column=1,
        path=f"{section}.{option.key}",
    )
