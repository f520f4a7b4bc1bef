"""MIME multipart user data (cloud-init + amiconfig, guest-format.md §1.7), line by line.

amiconfig does not decode MIME: its INI reader scans the whole message. The header, boundary
and cloud-init lines that come after the first section become options of whatever section is
open there. That is harmless while no plugin reads those keys, and silently changes the
configuration when one does (a cloud-config ``users:`` line after ``[cernvm]`` empties the
cernvm users). This module tells which lines are such noise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MULTIPART = re.compile(r"^Content-Type:\s*multipart/", re.IGNORECASE | re.MULTILINE)
_BOUNDARY = re.compile(r"boundary=(?:\"([^\"]+)\"|([^\s;]+))", re.IGNORECASE)
_HEADER = re.compile(r"(Content-Type|Content-Transfer-Encoding):\s*([^;\s]+)", re.IGNORECASE)
# Parts meant for the guest's own readers (amiconfig-mime's type names, the docs' "ucernvm").
_FOR_THE_GUEST = re.compile(r"text/(amiconfig|ucernvm|plain)", re.IGNORECASE)


@dataclass
class Part:
    """One MIME part: its type, its transfer encoding (and the header line naming it) and the
    1-based numbers of its body lines."""

    content_type: str | None = None
    encoding: str | None = None
    encoding_line: int | None = None
    body: list[int] = field(default_factory=list)
    start: int = 0  # the boundary line that opens it
    type_line: int | None = None  # its Content-Type header

    @property
    def for_the_guest(self) -> bool:
        return self.content_type is not None and bool(_FOR_THE_GUEST.match(self.content_type))


@dataclass
class Message:
    parts: list[Part]
    guest_lines: set[int]  # body lines of plain-text parts meant for amiconfig or µCernVM
    line_count: int

    def noise(self) -> set[int]:
        """Lines the guest reads although they are not meant for it."""
        return set(range(1, self.line_count + 1)) - self.guest_lines


_HEADER_LINE = re.compile(r"[A-Za-z0-9-]+:[ \t]")


def structure_lines(text: str) -> frozenset[int]:
    """The 0-based numbers of a multipart message's boundary and header lines (the message's
    own headers and each part's, up to its blank line): its frame, which holds no value.

    Empty if ``text`` is not a multipart message. Masking uses it to end a secret value's
    continuation at the next boundary instead of hiding the message's frame as secret.
    """
    if _MULTIPART.search(text) is None:
        return frozenset()
    boundaries = {f"--{a or b}" for a, b in _BOUNDARY.findall(text)}
    frame: set[int] = set()
    in_headers = True  # the message's own headers come first
    for number, raw in enumerate(text.split("\n")):
        line = raw.rstrip("\r")
        if line.rstrip(" \t").removesuffix("--") in boundaries:
            frame.add(number)
            in_headers = True
        elif in_headers and not line.strip():
            in_headers = False
        elif in_headers and (_HEADER_LINE.match(line) or line[:1] in (" ", "\t")):
            frame.add(number)  # a header, or the folded continuation of one (RFC 5322)
        else:
            in_headers = False
    return frozenset(frame)


def read_message(text: str) -> Message | None:
    """The parts of a multipart message, or None if ``text`` is not one."""
    if _MULTIPART.search(text) is None:
        return None
    boundaries = {f"--{a or b}" for a, b in _BOUNDARY.findall(text)}
    lines = text.split("\n")
    parts: list[Part] = []
    current: Part | None = None
    in_headers = False
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r")
        if line.rstrip(" \t").removesuffix("--") in boundaries:
            current, in_headers = Part(start=number), True
            parts.append(current)
            continue
        if current is None:
            continue  # the message's own headers and preamble
        if in_headers:
            if not line.strip():
                in_headers = False
                continue
            header = _HEADER.match(line)
            if header is not None and header.group(1).lower() == "content-type":
                current.content_type, current.type_line = header.group(2), number
            elif header is not None:
                current.encoding, current.encoding_line = header.group(2).lower(), number
            continue
        current.body.append(number)
    guest = {
        n
        for p in parts
        if p.for_the_guest and p.encoding not in ("base64", "quoted-printable")
        for n in p.body
    }
    return Message(parts, guest, len(lines))
