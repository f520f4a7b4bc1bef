"""More guest-typed fields, for the plugin sections (see :mod:`cvmctx.sections._types`).

Same contract as there: ``parse`` raises :class:`Refused` for text the guest misreads, returns
notes for text that works but surprises, and no message ever quotes the value.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import ClassVar

from cvmctx.diagnostics import Severity
from cvmctx.sections._types import Codec, Note, Parsed, Refused, Url, check_line


@dataclass(frozen=True)
class IpLiteral(Codec[str]):
    """An address the guest (or the file it writes) needs as an IPv4 or IPv6 literal.

    ``severity`` says what a host name costs: a warning when it may still work, an error when
    the consumer is known to ignore it (resolv.conf's ``nameserver``).
    """

    kind: ClassVar[str] = "IP address"
    why: str = "the guest needs an IP address here"
    severity: Severity = Severity.WARNING

    def parse(self, text: str) -> Parsed[str]:
        check_line(text)
        try:
            ipaddress.ip_address(text)
        except ValueError:
            note = Note(
                "not-ip",
                self.severity,
                "this is not one IP address: " + self.why,
                "write the IP address, e.g. 192.0.2.53",
            )
            if note.severity is Severity.ERROR:
                raise Refused(note.code, note.message, note.hint) from None
            return Parsed(text, (note,))
        return Parsed(text)


@dataclass(frozen=True)
class FetchedUrl(Url):
    """A URL the guest downloads; ``what`` names the thing so the message can say "not the data"."""

    what: str = "the file"

    def parse(self, text: str) -> Parsed[str]:
        try:
            return super().parse(text)
        except Refused as refused:
            if refused.note.code != "not-url":
                raise
            schemes = ", ".join(self.schemes)
            raise Refused(
                "not-url",
                f"this key must be the URL of {self.what}, which the guest downloads "
                f"({schemes}); the content itself (PEM or base64) is not accepted",
                "publish the file and write its URL, e.g. " + self.schemes[0] + "://host/path",
            ) from None


@dataclass(frozen=True)
class NoEffect(Codec[str]):
    """A key the guest reads but that changes nothing (a guest bug): kept, with a warning."""

    kind: ClassVar[str] = "string (no effect on the guest)"
    message: str = "the guest reads this key but it has no effect"
    hint: str = "remove it"

    def parse(self, text: str) -> Parsed[str]:
        check_line(text)
        return Parsed(text, (Note("no-effect", Severity.WARNING, self.message, self.hint),))
