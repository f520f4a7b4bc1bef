"""Addresses the guest or the file it writes needs as given: IP literals, URLs it downloads."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import ClassVar

from cvmctx.catalog.encoded import NOT_IP, NOT_URL
from cvmctx.diagnostics import Severity
from cvmctx.model.codecs.core import Codec, Parsed, Refused, check_line, note
from cvmctx.model.codecs.scalars import Url


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
            found = note(
                NOT_IP,
                "this is not one IP address: " + self.why,
                "write the IP address, e.g. 192.0.2.53",
                severity=self.severity,
            )
            if found.severity is Severity.ERROR:
                raise Refused(NOT_IP, found.message, found.hint) from None
            return Parsed(text, (found,))
        return Parsed(text)


@dataclass(frozen=True)
class FetchedUrl(Url):
    """A URL the guest downloads; ``what`` names the thing so the message can say "not the data"."""

    what: str = "the file"

    def parse(self, text: str) -> Parsed[str]:
        try:
            return super().parse(text)
        except Refused as refused:
            if refused.finding.code != NOT_URL.suffix:
                raise
            schemes = ", ".join(self.schemes)
            raise Refused(
                NOT_URL,
                f"this key must be the URL of {self.what}, which the guest downloads "
                f"({schemes}); the content itself (PEM or base64) is not accepted",
                "publish the file and write its URL, e.g. " + self.schemes[0] + "://host/path",
            ) from None
