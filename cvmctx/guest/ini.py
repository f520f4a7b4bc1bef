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
``[ \\t\\n\\r\\f\\v]`` and a non-breaking space is an ordinary character to the guest.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from cvmctx.diagnostics import Budget, Diagnostic, Severity, error, info, warning
from cvmctx.guest.shapes import base64_shaped, starts_like_cloud_init
from cvmctx.limits import PER_CODE
from cvmctx.suggest import did_you_mean

# Python 2.7 ConfigParser.RawConfigParser.SECTCRE / OPTCRE, matched with re.match (anchored at
# the start of the line). re.ASCII makes \s mean what it meant on Python 2 byte strings.
SECTCRE = re.compile(r"\[(?P<header>[^]]+)\]", re.ASCII)
OPTCRE = re.compile(r"(?P<option>[^:=\s][^:=]*)\s*(?P<vi>[:=])\s*(?P<value>.*)$", re.ASCII)

ASCII_WS = " \t\n\r\x0b\x0c"
_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

# The µCernVM bootloader's block markers: a line must equal these exactly (guest-format.md §5.1).
UCERNVM_BEGIN = "[ucernvm-begin]"
UCERNVM_END = "[ucernvm-end]"
UCERNVM_SECTIONS = frozenset({"ucernvm-begin", "ucernvm-end"})


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
    if text.startswith("\ufeff"):
        diags.append(
            error(
                "ini.bom",
                "the file starts with a UTF-8 byte order mark: the guest does not skip it, so "
                "a section header on the first line is not seen and that section is lost",
                line=1,
                column=1,
                hint="save the file as UTF-8 without BOM",
            )
        )
    _read_ucernvm(doc, text)
    current: Block | None = None
    wrapped_from: int | None = None  # line of an option whose base64 value may go on wrapped
    for number, line in enumerate(lines, start=1):
        if current is None and doc.first_section_line is None:
            if SECTCRE.match(line):
                doc.first_section_line = number
            else:
                continue  # the pre-filter drops everything before the first header
        if (
            wrapped_from is not None
            and _WRAPPED_PIECE.fullmatch(line.rstrip("\r"))
            and not (current is not None and _script_test(current.name))
        ):
            if doc.budget.room("ini.wrapped-value", Severity.ERROR, number):
                diags.append(_wrapped_value(number, line, wrapped_from))
            if OPTCRE.match(line) and not SECTCRE.match(line):
                assert current is not None
                _add_option(doc, number, line, current)  # the guest even reads it as a key
            continue
        if current is not None and line and line[0] not in _NOT_PLAIN:
            # The common line, 'key = value' in the first column: neither a header nor a
            # comment nor blank, so only OPTCRE decides (a file of millions of them, fast).
            option = OPTCRE.match(line)
            if option is not None:
                _add_option(doc, number, line, current, option)
                wrapped_from = (
                    _long_base64_option(line, number, option) if len(line) > 40 else None
                )
                continue
        current = _read_line(doc, number, line, current, known_sections)
        wrapped_from = _long_base64_option(line, number)
    _check_sections(doc, known_sections)
    _check_found_anything(doc, text)
    diags.extend(doc.budget.tallies())
    return doc


# A wrapped line of base64 (76 characters with `base64`, 64 in PEM) after a long base64 value.
_WRAPPED_PIECE = re.compile(r"[A-Za-z0-9+/]+={0,2}", re.ASCII)
_LONG_BASE64_VALUE = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}", re.ASCII)


def _script_test(name: str) -> bool:
    """A "section" opened by a script line such as ``[ -f /x ] && ...`` (guest-format.md §2)."""
    return name != guest_strip(name)


def _long_base64_option(line: str, number: int, mo: re.Match[str] | None = None) -> int | None:
    """``number`` when ``line`` is an option whose value is a long run of base64 (``mo``:
    its OPTCRE match, when the caller knows it is an option line)."""
    if len(line) < 41:
        return None  # too short to hold 'k=' and a 40-character run
    if mo is None:
        if line[0] in ASCII_WS or SECTCRE.match(line) or is_comment(line):
            return None
        mo = OPTCRE.match(line)
    if mo is None:
        return None
    value = guest_strip(mo.group("value"))
    return number if _LONG_BASE64_VALUE.fullmatch(value) else None


def _wrapped_value(number: int, line: str, start: int) -> Diagnostic:
    as_key = OPTCRE.match(line) is not None and not SECTCRE.match(line)
    also = ", and even reads this line as a key with an empty value" if as_key else ""
    return error(
        "ini.wrapped-value",
        f"this line looks like the base64 value of line {start} wrapped onto a new line: the "
        f"guest reads a value from one line only, so it drops this part of the value{also}",
        line=number,
        column=1,
        hint="put the whole value on one line (base64 -w0)",
    )


def _check_found_anything(doc: Document, text: str) -> None:
    """Text with no section header and no script gives the guest nothing to do."""
    if doc.first_section_line is not None or not text.strip(ASCII_WS):
        return
    if text.startswith("\ufeff") or any(line.startswith("#!") for line in doc.lines):
        return  # ini.bom, or the script part's findings, say what goes wrong
    if starts_like_cloud_init(text) or base64_shaped(text):
        return  # cloud-init's user data; or base64 that peel already reports
    doc.diagnostics.append(
        error(
            "ini.no-section",
            "the guest finds no [section] header and no #! script in this user data, so it "
            "does nothing with it (a header must start in the first column)",
            line=1,
            column=1,
            hint="start the INI part with a section line such as [amiconfig]",
        )
    )


def _read_line(
    doc: Document, number: int, line: str, current: Block | None, known: frozenset[str]
) -> Block | None:
    diags = doc.diagnostics
    if guest_strip(line) == "":
        return current
    header = SECTCRE.match(line)
    option = None if header else OPTCRE.match(line)
    if not header and not option:
        if line[0] in ASCII_WS:
            stripped = guest_strip(line)
            if SECTCRE.match(stripped):
                if doc.budget.room("ini.indented-header", Severity.ERROR, number):
                    diags.append(
                        error(
                            "ini.indented-header",
                            "an indented section header is not a header to the guest: this "
                            "line and the options under it go to the section before",
                            line=number,
                            column=1,
                            hint="start the header in the first column",
                        )
                    )
            elif not stripped.startswith(("#", ";")) and doc.budget.room(
                "ini.continuation-dropped", Severity.ERROR, number
            ):
                diags.append(
                    error(
                        "ini.continuation-dropped",
                        "the guest drops lines that start with whitespace: this continuation "
                        "line is lost and the value above it ends on the line before",
                        line=number,
                        column=1,
                        hint="put the whole value on one line",
                    )
                )
        elif not is_comment(line) and doc.budget.room("ini.line-dropped", Severity.WARNING, number):
            diags.append(
                warning(
                    "ini.line-dropped",
                    "the guest ignores this line: it is neither a [section] header nor "
                    "a 'key = value' option",
                    line=number,
                    column=1,
                    hint="write 'key = value', or make it a comment starting with '#'",
                )
            )
        return current
    if is_comment(line):
        if line[0] in "rR" and doc.budget.room("ini.rem-line", Severity.WARNING, number):
            diags.append(
                warning(
                    "ini.rem-line",
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


def _open_section(doc: Document, number: int, line: str, header: re.Match[str]) -> Block:
    name = header.group("header")
    rest = guest_strip(line[header.end() :])
    if (
        rest
        and not rest.startswith(("#", ";"))
        and doc.budget.room("ini.header-trailing-text", Severity.WARNING, number)
    ):
        doc.diagnostics.append(
            warning(
                "ini.header-trailing-text",
                "the guest ignores the text after ']' on a section header",
                line=number,
                column=header.end() + 1,
                hint="move it to a line of its own",
            )
        )
    if name == "DEFAULT" and doc.budget.room("ini.default-section", Severity.ERROR, number):
        doc.diagnostics.append(
            error(
                "ini.default-section",
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
    elif name not in UCERNVM_SECTIONS and doc.budget.room(
        "ini.duplicate-section", Severity.WARNING, number
    ):
        doc.diagnostics.append(
            warning(
                "ini.duplicate-section",
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
) -> None:
    mo = mo or OPTCRE.match(line)
    assert mo is not None
    # This runs once per option line: groups by number, and no work for what is absent.
    written = mo.group(1).rstrip(ASCII_WS)
    key = written.translate(_LOWER)
    raw_value = mo.group(3)
    value_start = mo.start(3)
    kept, cut = cut_inline_comment(raw_value) if ";" in raw_value else (raw_value, None)
    path = block.name + "." + key
    in_ucernvm = block.name in UCERNVM_SECTIONS
    if (
        cut is not None
        and not in_ucernvm
        and doc.budget.room("ini.inline-comment", Severity.ERROR, number)
    ):
        doc.diagnostics.append(
            error(
                "ini.inline-comment",
                "' ;' starts a comment on the guest: everything from this ';' on is lost",
                line=number,
                column=value_start + cut + 1,
                path=path,
                hint="remove the whitespace before ';' (write 'a;b'), or put the comment on "
                "its own line",
            )
        )
    value = kept.strip(ASCII_WS)
    if value == '""':
        value = ""
    leading = len(kept) - len(kept.lstrip(ASCII_WS))
    option = Option(key, written, value, number, value_start + leading + 1)
    hash_comment = _HASH_COMMENT.search(value) if "#" in value else None
    if (
        hash_comment is not None
        and not in_ucernvm
        and not _script_test(block.name)
        and doc.budget.room("ini.hash-comment", Severity.WARNING, number)
    ):
        doc.diagnostics.append(
            warning(
                "ini.hash-comment",
                "'#' after a value is not a comment to the guest: the text from '#' on stays "
                "part of the value",
                line=number,
                column=option.value_column + hash_comment.start() + 1,
                path=path,
                hint="put the comment on a line of its own, starting with '#'",
            )
        )
    previous = block.options.get(key)
    if (
        previous is not None
        and not in_ucernvm
        and doc.budget.room("ini.duplicate-key", Severity.WARNING, number)
    ):
        doc.diagnostics.append(
            warning(
                "ini.duplicate-key",
                f"'{key}' is set again (first on line {previous.line}): the guest keeps only "
                "the last value",
                line=number,
                column=1,
                path=path,
                hint="set each key once",
            )
        )
    if block.name == "ucernvm-end" and doc.budget.room(
        "ini.option-after-ucernvm-end", Severity.ERROR, number
    ):
        doc.diagnostics.append(
            error(
                "ini.option-after-ucernvm-end",
                "this option follows [ucernvm-end] with no section header between: no plugin "
                "reads it",
                line=number,
                column=1,
                path=path,
                hint="put it above the [ucernvm-begin] block, under its section header",
            )
        )
    block.options[key] = option


def _check_sections(doc: Document, known: frozenset[str]) -> None:
    lowered = {ascii_lower(k): k for k in known}
    choices = sorted(known)
    unknown = 0
    for name, block in doc.blocks.items():
        if name in known or name in UCERNVM_SECTIONS or name == "DEFAULT":
            continue
        if ascii_lower(name) in lowered:
            # getSection() finds [AMIConfig] but then indexes _sections['amiconfig']: without
            # an exact [amiconfig] that KeyError stops amiconfig itself, before any plugin.
            fails = (
                "amiconfig stops with a KeyError before running any plugin (rootsshkeys too)"
                if ascii_lower(name) == "amiconfig" and "amiconfig" not in doc.blocks
                else "the plugin fails with a KeyError"
            )
            if doc.budget.room("ini.section-case", Severity.ERROR, block.line):
                doc.diagnostics.append(
                    error(
                        "ini.section-case",
                        f"[{name}] is not [{ascii_lower(name)}]: the guest looks the section up in "
                        f"lower case and {fails}",
                        line=block.line,
                        column=2,
                        path=name,
                        hint=f"write [{ascii_lower(name)}]",
                    )
                )
            continue
        unknown += 1
        # no did-you-mean past the findings a report shows: each is a fuzzy match
        suggestion = None
        if unknown <= PER_CODE:
            suggestion = did_you_mean(ascii_lower(name), choices, "[{}]")
        if doc.budget.room("ini.unknown-section", Severity.WARNING, block.line):
            doc.diagnostics.append(
                warning(
                    "ini.unknown-section",
                    f"no CernVM plugin reads [{name}]"
                    + (f"; {suggestion}" if suggestion else " (fine if it is a site plugin)"),
                    line=block.line,
                    column=2,
                    path=name,
                    hint=suggestion or "enable the site plugin in [amiconfig] plugins",
                )
            )


def _read_ucernvm(doc: Document, text: str) -> None:
    """Find the µCernVM bootloader block, whose markers must be exact lines (§5.1)."""
    if UCERNVM_BEGIN not in text:
        return  # no marker, exact or not, anywhere: nothing to look at line by line
    lines = doc.lines
    begin = next((i for i, line in enumerate(lines) if line == UCERNVM_BEGIN), None)
    if begin is None:
        for i, line in enumerate(lines):
            if guest_strip(line) == UCERNVM_BEGIN and doc.budget.room(
                "ucernvm.marker-not-exact", Severity.ERROR, i + 1
            ):
                doc.diagnostics.append(
                    error(
                        "ucernvm.marker-not-exact",
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
            error(
                "ucernvm.unterminated",
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
            if doc.budget.room("ucernvm.shell", Severity.ERROR, begin + 2 + offset):
                doc.diagnostics.append(
                    error(
                        "ucernvm.shell",
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


def key_name_info(option: Option, section: str) -> Diagnostic:
    """The info note for a key written in mixed case (the guest lower-cases it)."""
    return info(
        "ini.key-case",
        f"the guest reads '{option.written_key}' as '{option.key}'",
        line=option.line,
        column=1,
        path=f"{section}.{option.key}",
    )
