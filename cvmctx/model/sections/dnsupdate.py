"""[dnsupdate]: registers the machine in DNS with a TSIG-signed dynamic update."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, ClassVar

from cvmctx.catalog import plugins as plugins_codes
from cvmctx.diagnostics import Diagnostic
from cvmctx.model.codecs.addresses import IpLiteral
from cvmctx.model.codecs.blobs import Base64Blob
from cvmctx.model.codecs.scalars import Integer, Text
from cvmctx.model.sections._base import Section, guest_key
from cvmctx.model.sections.hostname import HOSTNAME_RE

LABEL_RE = r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"


class Dnsupdate(Section):
    """Updates a DNS zone with a TSIG-signed dynamic update (docs/guest.md §3.5).

    ``tsighost``, ``tsigkey``, ``host``, ``domain`` and ``server`` are **all required**: if one
    is missing the plugin silently returns. ``host`` is needed even in template mode. The plugin
    deletes the A and TXT records of the host in zone ``domain``, then adds A = meta-data
    ``public-ipv4`` and TXT = ``instance-id`` (TTL 300), sent over TCP to ``server`` with the
    keyring ``{tsighost: tsigkey}`` (key name and base64 secret).

    Template mode: when ``prefix``, ``domain`` and ``start`` are all set, the host becomes
    ``prefix + "%02d" % (start + ami-launch-index)``, with no domain appended (unlike [noip]).

    Gotchas: it needs EC2 meta-data; with a context CD those files do not exist and the plugin
    fails (rc 1). ``server`` should be an IP address: **[inference]** the dnspython of that era
    passes it to ``dns.query.tcp`` as an address. The seed's ``hostname`` key is not read.
    """

    SECTION: ClassVar[str] = "dnsupdate"
    PLUGINS: ClassVar[tuple[str, ...]] = ("dnsupdate",)
    NOT_READ: ClassVar[Mapping[str, str]] = {
        "hostname": "the [dnsupdate] plugin never reads 'hostname' (the seed lists it): it "
        "updates 'host', or in template mode prefix + start",
    }

    tsighost: Annotated[str | None, Text()] = guest_key(
        "tsighost", "Name of the TSIG key (the key's name on the DNS server)."
    )
    tsigkey: Annotated[
        str | None,
        Base64Blob(
            pem=False,
            what="the TSIG secret",
            on_error=": the plugin fails when it builds the keyring",
            fix="write the TSIG secret as base64 (e.g. dnssec-keygen's 'Key:' value)",
            takes_file=False,
        ),
    ] = guest_key("tsigkey", "The TSIG key's secret, base64.", secret=True)
    server: Annotated[
        str | None,
        IpLiteral(
            why="the guest passes 'server' to dns.query.tcp, which of that era expects an "
            "IP address (a host name probably fails) [inference, docs/guest.md §3.5]"
        ),
    ] = guest_key("server", "The DNS server to send the update to, as an IP address.")
    host: Annotated[
        str | None, Text(pattern=HOSTNAME_RE, pattern_help="a host name within the zone")
    ] = guest_key("host", "Name of the record to update; required even in template mode.")
    domain: Annotated[
        str | None, Text(pattern=HOSTNAME_RE, pattern_help="a DNS zone such as example.org")
    ] = guest_key("domain", "The zone to update.")
    prefix: Annotated[
        str | None, Text(pattern=LABEL_RE, pattern_help="the start of a host name, e.g. node")
    ] = guest_key("prefix", "Template mode: host = prefix + two-digit (start + launch index).")
    start: Annotated[int | None, Integer()] = guest_key(
        "start", "Template mode: first number, added to the launch index."
    )

    def check(self) -> list[Diagnostic]:
        found = self.require(
            "tsighost",
            "tsigkey",
            "host",
            "domain",
            "server",
            consequence="the plugin silently returns without updating DNS when any of tsighost, "
            "tsigkey, host, domain and server is missing (host is needed even with prefix and "
            "start)",
        )
        half = [a for a in ("prefix", "start") if getattr(self, a) is not None]
        if len(half) == 1:
            other = "start" if half[0] == "prefix" else "prefix"
            found.append(
                plugins_codes.DNSUPDATE_KEY_IGNORED.finding(
                    f"'{half[0]}' is used only together with '{other}' and 'domain' (template "
                    f"mode): the guest ignores it and updates 'host'",
                    path=f"dnsupdate.{half[0]}",
                    hint=f"set '{other}' too, or remove '{half[0]}'",
                )
            )
        return found
