"""What the INI reader finds wrong on a line or in the whole document, beyond what it drops
(docs/guest.md §2): comments that are not comments, keys set twice, wrapped or long base64
values, sections no plugin reads, user data with nothing in it for the guest."""

from __future__ import annotations

import re

from cvmctx.catalog import ini as ini_codes
from cvmctx.diagnostics import Diagnostic
from cvmctx.guest.inidoc import OPTCRE, SECTCRE, Document, Option
from cvmctx.guest.pytext import (
    _HASH_COMMENT,
    ASCII_WS,
    ascii_lower,
    guest_strip,
    is_comment,
)
from cvmctx.guest.shapes import base64_shaped, starts_like_cloud_init
from cvmctx.guest.ucernvm import UCERNVM_SECTIONS
from cvmctx.limits import PER_CODE
from cvmctx.suggest import did_you_mean

# A wrapped line of base64 (76 characters with `base64`, 64 in PEM) after a long base64 value.
WRAPPED_PIECE = re.compile(r"[A-Za-z0-9+/]+={0,2}", re.ASCII)
_LONG_BASE64_VALUE = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}", re.ASCII)


def script_test(name: str) -> bool:
    """A "section" opened by a script line such as ``[ -f /x ] && ...`` (guest-format.md §2)."""
    return name != guest_strip(name)


def long_base64_option(line: str, number: int, mo: re.Match[str] | None = None) -> int | None:
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


def wrapped_value(number: int, line: str, start: int) -> Diagnostic:
    as_key = OPTCRE.match(line) is not None and not SECTCRE.match(line)
    also = ", and even reads this line as a key with an empty value" if as_key else ""
    return ini_codes.WRAPPED_VALUE.finding(
        f"this line looks like the base64 value of line {start} wrapped onto a new line: the "
        f"guest reads a value from one line only, so it drops this part of the value{also}",
        line=number,
        column=1,
        hint="put the whole value on one line (base64 -w0)",
    )


def check_found_anything(doc: Document, text: str) -> None:
    """Text with no section header and no script gives the guest nothing to do."""
    if doc.first_section_line is not None or not text.strip(ASCII_WS):
        return
    if text.startswith("\ufeff") or any(line.startswith("#!") for line in doc.lines):
        return  # ini.bom, or the script part's findings, say what goes wrong
    if starts_like_cloud_init(text) or base64_shaped(text):
        return  # cloud-init's user data; or base64 that peel already reports
    doc.diagnostics.append(
        ini_codes.NO_SECTION.finding(
            "the guest finds no [section] header and no #! script in this user data, so it "
            "does nothing with it (a header must start in the first column)",
            line=1,
            column=1,
            hint="start the INI part with a section line such as [amiconfig]",
        )
    )


def inline_comment(doc: Document, number: int, column: int, path: str) -> None:
    if ini_codes.INLINE_COMMENT.room(doc.budget, number):
        doc.diagnostics.append(
            ini_codes.INLINE_COMMENT.finding(
                "' ;' starts a comment on the guest: everything from this ';' on is lost",
                line=number,
                column=column,
                path=path,
                hint="remove the whitespace before ';' (write 'a;b'), or put the comment on "
                "its own line",
            )
        )


def hash_comment(doc: Document, option: Option, path: str) -> None:
    hash_comment = _HASH_COMMENT.search(option.value)
    if hash_comment is None or not ini_codes.HASH_COMMENT.room(doc.budget, option.line):
        return
    doc.diagnostics.append(
        ini_codes.HASH_COMMENT.finding(
            "'#' after a value is not a comment to the guest: the text from '#' on stays "
            "part of the value",
            line=option.line,
            column=option.value_column + hash_comment.start() + 1,
            path=path,
            hint="put the comment on a line of its own, starting with '#'",
        )
    )


def duplicate_key(doc: Document, option: Option, previous: Option, path: str) -> None:
    if ini_codes.DUPLICATE_KEY.room(doc.budget, option.line):
        doc.diagnostics.append(duplicate_key_finding(option, previous, path))


def duplicate_key_finding(option: Option, previous: Option, path: str) -> Diagnostic:
    return ini_codes.DUPLICATE_KEY.finding(
        f"'{option.key}' is set again (first on line {previous.line}): the guest keeps "
        "only the last value",
        line=option.line,
        column=1,
        path=path,
        hint="set each key once",
    )


def after_ucernvm_end(doc: Document, number: int, path: str) -> None:
    if ini_codes.OPTION_AFTER_UCERNVM_END.room(doc.budget, number):
        doc.diagnostics.append(
            ini_codes.OPTION_AFTER_UCERNVM_END.finding(
                "this option follows [ucernvm-end] with no section header between: no plugin "
                "reads it",
                line=number,
                column=1,
                path=path,
                hint="put it above the [ucernvm-begin] block, under its section header",
            )
        )


def check_sections(doc: Document, known: frozenset[str]) -> None:
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
            if ini_codes.SECTION_CASE.room(doc.budget, block.line):
                doc.diagnostics.append(
                    ini_codes.SECTION_CASE.finding(
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
        if ini_codes.UNKNOWN_SECTION.room(doc.budget, block.line):
            doc.diagnostics.append(
                ini_codes.UNKNOWN_SECTION.finding(
                    f"no CernVM plugin reads [{name}]"
                    + (f"; {suggestion}" if suggestion else " (fine if it is a site plugin)"),
                    line=block.line,
                    column=2,
                    path=name,
                    hint=suggestion or "enable the site plugin in [amiconfig] plugins",
                )
            )
