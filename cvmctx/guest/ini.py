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

from cvmctx.diagnostics import Budget, Diagnostic, Severity, error, warning
from cvmctx.guest.inidoc import OPTCRE, SECTCRE, Block, Document, Option
from cvmctx.guest.pytext import (
    _HASH_COMMENT,
    _LOWER,
    ASCII_WS,
    ascii_lower,
    cut_inline_comment,
    guest_strip,
    is_comment,
    split_lines,
)
from cvmctx.guest.shapes import base64_shaped, starts_like_cloud_init
from cvmctx.guest.ucernvm import UCERNVM_SECTIONS, _read_ucernvm
from cvmctx.limits import PER_CODE
from cvmctx.suggest import did_you_mean

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
