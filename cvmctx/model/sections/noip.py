"""[noip]: registers the machine's address with the No-IP dynamic DNS service."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, ClassVar

from cvmctx.catalog.values import PERCENT
from cvmctx.diagnostics import Diagnostic
from cvmctx.model.codecs.core import Parsed, note
from cvmctx.model.codecs.scalars import Integer, Text
from cvmctx.model.sections._base import Section, guest_key
from cvmctx.model.sections.dnsupdate import LABEL_RE
from cvmctx.model.sections.hostname import HOSTNAME_RE

# The guest builds https://<username>:<password>@dynupdate.no-ip.com/... without encoding.
URL_BREAKERS = "@:/#?"
URL_BREAKERS_HELP = (
    "the guest puts the value into https://<username>:<password>@dynupdate.no-ip.com/... "
    "without URL-encoding, so this character breaks the URL"
)


@dataclass(frozen=True)
class UrlCredential(Text):
    """A user name or password the guest pastes, unencoded, into the No-IP update URL."""

    forbid: str = URL_BREAKERS
    forbid_help: str = URL_BREAKERS_HELP

    def parse(self, text: str) -> Parsed[str]:
        parsed = super().parse(text)
        escape = re.search(r"%[0-9A-Fa-f]{2}", text)
        if escape is None:
            return parsed
        found = note(PERCENT, "a '%' followed by two hex digits: the "
                    "guest's urllib decodes such an escape in the user name and password of "
                    "the URL, so No-IP gets a different value [inference]",
                    "avoid '%' followed by two hex digits", escape.start())
        return Parsed(parsed.value, (*parsed.notes, found))


class Noip(Section):
    """Publishes the machine's address at No-IP (docs/guest.md §3.6).

    ``username`` and ``password`` are required, plus either ``hostname`` or the template
    (``prefix``, ``domain`` and ``start``): ``hostname = prefix + "%02d" % (start +
    launch-index) + "." + domain``. The plugin opens
    ``https://<username>:<password>@dynupdate.no-ip.com/nic/update?hostname=<hostname>``
    with urllib.

    Gotchas: nothing is URL-encoded, so ``@``, ``:``, ``/`` and ``#`` in the user name or
    password break the URL and are refused (``?`` too: **[inference]** it ends the host part of
    any URL). ``start`` must be a number: CernVM Online's default ``start = no`` makes the
    plugin fail with a ValueError. The password sits in plain text in the user data.
    """

    SECTION: ClassVar[str] = "noip"
    PLUGINS: ClassVar[tuple[str, ...]] = ("noip",)

    username: Annotated[str | None, UrlCredential()] = guest_key(
        "username", "No-IP account name."
    )
    password: Annotated[str | None, UrlCredential(name_chars=False)] = guest_key(
        "password", "No-IP account password (plain text).", secret=True
    )
    hostname: Annotated[
        str | None, Text(pattern=HOSTNAME_RE, pattern_help="a host name such as vm.no-ip.org")
    ] = guest_key("hostname", "The No-IP host name to update; or use the template keys.")
    prefix: Annotated[
        str | None, Text(pattern=LABEL_RE, pattern_help="the start of a host name, e.g. node")
    ] = guest_key("prefix", "Template: hostname = prefix + two-digit number + '.' + domain.")
    domain: Annotated[
        str | None, Text(pattern=HOSTNAME_RE, pattern_help="a domain such as no-ip.org")
    ] = guest_key("domain", "Template: the domain appended to the generated name.")
    start: Annotated[int | None, Integer()] = guest_key(
        "start", "Template: first number, added to the launch index."
    )

    def check(self) -> list[Diagnostic]:
        found = self.require(
            "username",
            "password",
            consequence="the plugin needs both to log in to No-IP",
        )
        if self.hostname is None:
            found.extend(
                self.require(
                    "prefix",
                    "domain",
                    "start",
                    consequence="without 'hostname' the plugin builds the name from prefix, "
                    "domain and start, and needs all three",
                )
            )
        return found
