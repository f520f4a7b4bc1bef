"""The guest's INI reader, reproduced, with a diagnostic for everything it drops or misreads.

amiconfig reads user data with a pre-filter ("sanitize") followed by Python 2's
``ConfigParser._read`` (guest-format.md §2). This module replays both, line by line, and
records where each value came from, so a finding can point at line and column:

* lines before the first ``[section]`` line are dropped (that is where the script lives);
* after it, only lines matching ``SECTCRE`` or ``OPTCRE`` survive: indented lines
(continuations, indented headers) and lines without ``:``/``=`` vanish;
* ``#``/``;`` lines and lines whose first word is ``rem`` are comments;
* the first ``;`` of a value cuts it when whitespace precedes it (only the first one is looked at);
* keys are lower-cased (ASCII only, as Python 2 ``str.lower``); ASCII whitespace is stripped;
* a repeated section merges into the first; the last value of a repeated key wins;
* ``[DEFAULT]`` goes to ConfigParser's defaults, which ``getSection`` never returns.

Python 2 works on bytes, so "whitespace" and "lower case" are ASCII here: ``\\s`` is
``[ \t\n\r\f\v]`` and a non-breaking space is an ordinary character to the guest."""

from __future__ import annotations

import re
from collections.abc import Callable

from cvmctx.catalog import ini as ini_codes
from cvmctx.diagnostics import Budget
from cvmctx.guest.inichecks import (
    WRAPPED_PIECE,
    after_ucernvm_end,
    check_found_anything,
    check_sections,
    duplicate_key,
    duplicate_key_finding,
    hash_comment,
    inline_comment,
    long_base64_option,
    script_test,
    wrapped_value,
)
from cvmctx.guest.inidoc import OPTCRE, SECTCRE, Block, Document, Option
from cvmctx.guest.pytext import (
    _LOWER,
    ASCII_WS,
    cut_inline_comment,
    guest_strip,
    is_comment,
    split_lines,
)
from cvmctx.guest.ucernvm import UCERNVM_SECTIONS, _read_ucernvm

# What a line may start with for the fast path of read(): anything but a header's '[', a
# comment's '#', ';' or 'rem', and whitespace (an indented line, or a blank one).
_NOT_PLAIN = frozenset("[#;rR" + ASCII_WS)


def read(
    text: str,
    known_sections: frozenset[str] = frozenset(),
    free: Callable[[int], bool] | None = None,
) -> Document:
    """Read user data exactly as the guest's amiconfig does.

    ``known_sections`` names the sections some guest plugin reads; any other section is
    reported as unknown (a warning, since sites add plugins of their own), with a near-miss
    suggestion. ``free`` names lines whose findings the caller may drop (script and MIME
    lines): those are always built; of the rest, at most a report's worth per code
    (:class:`~cvmctx.diagnostics.Budget`).
    """
    lines = split_lines(text)
    doc = Document(lines=lines, budget=Budget(free))
    diags = doc.diagnostics
    _check_bom(doc, text)
    _read_ucernvm(doc, text)
    current: Block | None = None
    plain_block: Block | None = None  # current, when its lines need no rules but the common
    memo: dict[str, tuple[str, str, str, int, bool]] = {}  # plain line -> what it reads as
    room, duplicate = doc.budget.room, ini_codes.DUPLICATE_KEY.code  # per line: no lookups
    duplicate_severity = ini_codes.DUPLICATE_KEY.severity
    wrapped_from: int | None = None  # line of an option whose base64 value may go on wrapped
    for number, line in enumerate(lines, start=1):
        if current is None and doc.first_section_line is None:
            if SECTCRE.match(line):
                doc.first_section_line = number
            else:
                continue  # the pre-filter drops everything before the first header
        if (
            wrapped_from is not None
            and WRAPPED_PIECE.fullmatch(line.rstrip("\r"))
            and not (current is not None and script_test(current.name))
        ):
            if ini_codes.WRAPPED_VALUE.room(doc.budget, number):
                diags.append(wrapped_value(number, line, wrapped_from))
            if OPTCRE.match(line) and not SECTCRE.match(line):
                assert current is not None
                _add_option(doc, number, line, current)  # the guest even reads it as a key
            continue
        if current is not None and line and line[0] not in _NOT_PLAIN:
            # The common line, 'key = value' in the first column: neither a header nor a
            # comment nor blank, so only OPTCRE decides (a file of millions of them, fast).
            if current is not plain_block:
                plain_block = current if _plain_block(current.name) else None
            known = memo.get(line) if plain_block is not None else None
            if known is not None:
                # A line read before in a plain section (a hostile file repeats one line a
                # million times): the same key and value, only the line number is new.
                key, written, value, column, base64 = known
                options = current.options
                previous = options.get(key)
                option_read = Option(key, written, value, number, column)
                if previous is not None and room(duplicate, duplicate_severity, number):
                    diags.append(duplicate_key_finding(option_read, previous,
                                                       f"{current.name}.{key}"))  # fmt: skip
                options[key] = option_read
                wrapped_from = number if base64 else None
                continue
            option = OPTCRE.match(line)
            if option is not None:
                option_read = _add_option(doc, number, line, current, option)
                wrapped_from = long_base64_option(line, number, option) if len(line) > 40 else None
                if (plain_block is not None and len(memo) < _MEMO_LINES
                        and ";" not in line and "#" not in line):  # fmt: skip
                    memo[line] = (option_read.key, option_read.written_key, option_read.value,
                                  option_read.value_column, wrapped_from is not None)  # fmt: skip
                continue
        current = _read_line(doc, number, line, current, known_sections)
        wrapped_from = long_base64_option(line, number)
    check_sections(doc, known_sections)
    check_found_anything(doc, text)
    diags.extend(doc.budget.tallies())
    return doc


# How many distinct plain lines read() remembers (the first ones): enough for the lines a
# file repeats, and when none repeats, a bounded memory and a lookup per line.
_MEMO_LINES = 4096


def _plain_block(name: str) -> bool:
    """Whether a section's option lines follow only the common rules: not the µCernVM
    markers' (their own rules, §5.1) nor a script test's (``[ -f /x ]``, §2)."""
    return name not in UCERNVM_SECTIONS and not script_test(name)


def _read_line(
    doc: Document, number: int, line: str, current: Block | None, known: frozenset[str]
) -> Block | None:
    diags = doc.diagnostics
    if guest_strip(line) == "":
        return current
    header = SECTCRE.match(line)
    option = None if header else OPTCRE.match(line)
    if not header and not option:
        _unread_line(doc, number, line)
        return current
    if is_comment(line):
        if line[0] in "rR" and ini_codes.REM_LINE.room(doc.budget, number):
            diags.append(
                ini_codes.REM_LINE.finding(
                    "a line whose first word is 'rem' is a comment to the guest: this option "
                    "is ignored",
                    line=number,
                    column=1,
                    hint="rename the key or remove the line",
                )
            )
        return current
    if header:
        return _open_section(doc, number, line, header)
    assert current is not None and option is not None  # the first kept line is a header
    _add_option(doc, number, line, current, option)
    return current


def _unread_line(doc: Document, number: int, line: str) -> None:
    """A line that is neither a header nor an option: say why the guest loses it."""
    diags = doc.diagnostics
    if line[0] in ASCII_WS:
        stripped = guest_strip(line)
        if SECTCRE.match(stripped):
            if ini_codes.INDENTED_HEADER.room(doc.budget, number):
                diags.append(
                    ini_codes.INDENTED_HEADER.finding(
                        "an indented section header is not a header to the guest: this "
                        "line and the options under it go to the section before",
                        line=number,
                        column=1,
                        hint="start the header in the first column",
                    )
                )
        elif not stripped.startswith(("#", ";")) and ini_codes.CONTINUATION_DROPPED.room(
            doc.budget, number
        ):
            diags.append(
                ini_codes.CONTINUATION_DROPPED.finding(
                    "the guest drops lines that start with whitespace: this continuation "
                    "line is lost and the value above it ends on the line before",
                    line=number,
                    column=1,
                    hint="put the whole value on one line",
                )
            )
    elif not is_comment(line) and ini_codes.LINE_DROPPED.room(doc.budget, number):
        diags.append(
            ini_codes.LINE_DROPPED.finding(
                "the guest ignores this line: it is neither a [section] header nor "
                "a 'key = value' option",
                line=number,
                column=1,
                hint="write 'key = value', or make it a comment starting with '#'",
            )
        )


def _check_bom(doc: Document, text: str) -> None:
    """A BOM hides a header on line 1 from the guest, which does not skip it."""
    if text.startswith("\ufeff"):
        doc.diagnostics.append(
            ini_codes.BOM.finding(
                "the file starts with a UTF-8 byte order mark: the guest does not skip it, so "
                "a section header on the first line is not seen and that section is lost",
                line=1,
                column=1,
                hint="save the file as UTF-8 without BOM",
            )
        )


def _open_section(doc: Document, number: int, line: str, header: re.Match[str]) -> Block:
    name = header.group("header")
    rest = guest_strip(line[header.end() :])
    if (
        rest
        and not rest.startswith(("#", ";"))
        and ini_codes.HEADER_TRAILING_TEXT.room(doc.budget, number)
    ):
        doc.diagnostics.append(
            ini_codes.HEADER_TRAILING_TEXT.finding(
                "the guest ignores the text after ']' on a section header",
                line=number,
                column=header.end() + 1,
                hint="move it to a line of its own",
            )
        )
    if name == "DEFAULT" and ini_codes.DEFAULT_SECTION.room(doc.budget, number):
        doc.diagnostics.append(
            ini_codes.DEFAULT_SECTION.finding(
                "[DEFAULT] is special to the guest's ConfigParser: no plugin ever sees its options",
                line=number,
                column=2,
                hint="put the options in the section of the plugin that reads them",
            )
        )
    block = doc.blocks.get(name)
    if block is None:
        block = Block(name=name, line=number)
        doc.blocks[name] = block
    elif name not in UCERNVM_SECTIONS and ini_codes.DUPLICATE_SECTION.room(doc.budget, number):
        doc.diagnostics.append(
            ini_codes.DUPLICATE_SECTION.finding(
                f"section [{name}] appears again (first on line {block.line}): the guest "
                "merges both into one",
                line=number,
                column=1,
                path=name,
                hint="write each section once",
            )
        )
    return block


def _add_option(
    doc: Document, number: int, line: str, block: Block, mo: re.Match[str] | None = None
) -> Option:
    mo = mo or OPTCRE.match(line)
    assert mo is not None
    # This runs once per option line: groups by number, no work for what is absent, and the
    # finding's path ("section.key") only built for a finding.
    written = mo.group(1).rstrip(ASCII_WS)
    key = written.translate(_LOWER)
    raw_value = mo.group(3)
    value_start = mo.start(3)
    name = block.name
    in_ucernvm = name in UCERNVM_SECTIONS  # the bootloader's lines: its own rules
    if ";" in raw_value:
        kept, cut = cut_inline_comment(raw_value)
        if cut is not None and not in_ucernvm:
            inline_comment(doc, number, value_start + cut + 1, f"{name}.{key}")
    else:
        kept = raw_value
    value = kept.strip(ASCII_WS)
    if value == '""':
        value = ""
    leading = len(kept) - len(kept.lstrip(ASCII_WS))
    option = Option(key, written, value, number, value_start + leading + 1)
    if "#" in value and not in_ucernvm and not script_test(name):
        hash_comment(doc, option, f"{name}.{key}")
    options = block.options
    previous = options.get(key)
    if previous is not None and not in_ucernvm:
        duplicate_key(doc, option, previous, f"{name}.{key}")
    if name == "ucernvm-end":
        after_ucernvm_end(doc, number, f"{name}.{key}")
    options[key] = option
    return option
