"""What of an input file ``build`` (and ``iso``) cannot carry over into what it writes.

``build`` writes amiconfig user data: an optional script, INI sections and the µCernVM block,
as one plain text. An input may hold more: a whole cloud-init payload (``#cloud-config``,
``#include``, ...), or a MIME message whose cloud-init parts sit beside the amiconfig part
(guest-format.md §1.7, §5.2). Writing the amiconfig part alone would silently lose the rest
(a cloud-config user ``alice`` disappears), so each such part is an error naming it and its
line, and nothing is written. Imports only the MIME line reader and the diagnostics.
"""

from __future__ import annotations

from cvmctx.catalog import build as build_codes
from cvmctx.diagnostics import Diagnostic
from cvmctx.guest.mime import Part, read_message

# First lines by which cloud-init (cloudinit/handlers, type_from_starts_with) tells its
# payload types, compared case-insensitively after leading blanks, as it does.
_CLOUD_INIT_STARTS = (
    "#cloud-config-archive",
    "#cloud-config-jsonp",
    "#cloud-config",
    "#include-once",
    "#include",
    "#cloud-boothook",
    "#upstart-job",
    "#part-handler",
    "## template: jinja",
)
_HINT = (
    "cvmctx does not write MIME yet: build the amiconfig part alone (give cvmctx only it) and "
    "join it with the other parts using cloud-init's make-mime"
)


def dropped_parts(text: str) -> list[Diagnostic]:
    """An error for each part of ``text`` that build's output would not hold."""
    message = read_message(text)
    if message is None:
        return _whole_payload(text)
    lines = text.split("\n")
    found: list[Diagnostic] = []
    for number, part in enumerate(message.parts, start=1):
        if part.for_the_guest or not any(lines[n - 1].strip() for n in part.body):
            continue  # read by amiconfig and carried over; or the closing boundary
        found.append(_dropped(number, part))
    return found


def _whole_payload(text: str) -> list[Diagnostic]:
    stripped = text.lstrip()
    first = stripped.split("\n", 1)[0].rstrip("\r")
    kind = next((s for s in _CLOUD_INIT_STARTS if first.lower().startswith(s)), None)
    if kind is None:
        return []
    line = text[: len(text) - len(stripped)].count("\n") + 1
    return [
        build_codes.PART_DROPPED.finding(
            f"this is '{kind}' user data, read by cloud-init and not by amiconfig: build writes "
            "amiconfig user data (script, INI sections, µCernVM block) and would drop all of it",
            line=line,
            column=1,
            hint=_HINT,
        )
    ]


def _dropped(number: int, part: Part) -> Diagnostic:
    ctype = part.content_type or "no Content-Type"
    return build_codes.PART_DROPPED.finding(
        f"MIME part {number} ({ctype}) is not amiconfig user data: build writes the amiconfig "
        "part alone and would drop this one",
        line=part.type_line or part.start,
        column=1,
        hint=_HINT,
    )
