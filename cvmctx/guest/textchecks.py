"""Line ends and MIME parts of the peeled user data, as the line-based guests see them
(docs/guest.md §2, §1.6, §1.7): CRLF and CR-only lines, parts in a transfer encoding they
cannot read."""

from __future__ import annotations

import re

from cvmctx.catalog import input as input_codes
from cvmctx.diagnostics import Diagnostic


def line_end_checks(text: str) -> list[Diagnostic]:
    """CRLF (works for INI, breaks a script and the µCernVM markers) and CR-only line ends."""
    crlf = text.find("\r\n")
    if crlf >= 0:
        line, column = _locate_text(text, crlf)
        return [
            input_codes.CRLF.finding(
                "the user data has Windows (CRLF) line ends: the guest's INI reader strips the "
                "CR from values, but a #! script with them does not run and the µCernVM "
                "bootloader does not see its [ucernvm-begin] block",
                line=line,
                column=column,
                hint="convert the file to LF line ends (dos2unix)",
            )
        ]
    if "\n" not in text.rstrip("\n") and text.count("\r") > 1:
        return [
            input_codes.CR_LINE_ENDS.finding(
                "the user data ends its lines with CR only: the guest splits lines on LF, so "
                "it reads the whole file as one line, at most one [section] header with no "
                "options after it",
                line=1,
                column=text.find("\r") + 1,
                hint="convert the file to LF line ends",
            )
        ]
    return []


# Part types cloud-init reads itself (it decodes their transfer encoding); amiconfig reads none.
_CLOUD_INIT_TYPES = re.compile(
    r"text/(cloud-|x-|part-handler|upstart-job|jinja2)", re.IGNORECASE
)


def mime_part_checks(text: str) -> list[Diagnostic]:
    """MIME parts for amiconfig or µCernVM must be plain text: neither decodes MIME (§1.7)."""
    from cvmctx.guest.mime import read_message

    message = read_message(text)
    if message is None:
        return []
    return [
        _mime_encoded(part.content_type, (part.encoding, part.encoding_line))
        for part in message.parts
        if part.encoding in ("base64", "quoted-printable")
        and part.encoding_line is not None
        and not (part.content_type and _CLOUD_INIT_TYPES.match(part.content_type))
    ]


def _mime_encoded(ctype: str | None, encoding: tuple[str, int]) -> Diagnostic:
    kind, line = encoding
    what = f"this {ctype} part" if ctype else "this MIME part"
    return input_codes.MIME_ENCODED_PART.finding(
        f"{what} is {kind}-encoded: amiconfig and the µCernVM bootloader do not decode MIME, "
        "they scan the message's lines as text, so they cannot read this part",
        line=line,
        column=1,
        hint="emit the amiconfig and ucernvm parts as 7bit/8bit plain text (docs/guest.md §1.7)",
    )


def _locate_text(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset`` in ``text``."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1
