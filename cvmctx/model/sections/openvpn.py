"""[openvpn]: writes an OpenVPN client configuration."""

from __future__ import annotations

from typing import Annotated, ClassVar

from cvmctx.catalog import plugins as plugins_codes
from cvmctx.diagnostics import Diagnostic, Severity
from cvmctx.model.codecs.addresses import FetchedUrl, IpLiteral
from cvmctx.model.codecs.blobs import ZlibBase64Blob
from cvmctx.model.codecs.lists import SpaceList
from cvmctx.model.codecs.scalars import Choice, Integer, Text
from cvmctx.model.sections._base import Section, guest_key


class Openvpn(Section):
    """Writes an OpenVPN client configuration (docs/guest.md §3.7); it does not start openvpn.

    ``server``, ``port``, ``ca``, ``cert`` and ``key`` are required; if one is missing the plugin
    silently returns. It writes ``/etc/openvpn/amiconfig.conf`` (client, ``dev tun``,
    ``remote <server> <port>``, ``proto``, ``ns-cert-type server``, ``cipher BF-CBC``,
    ``comp-lzo``) and the files under ``/etc/openvpn/amiconfig/``.

    Gotchas:

    - ``ca`` is a **URL** the guest downloads (http, https, ftp or file), not the certificate.
    - ``cert`` and ``key`` are base64 of **zlib**-compressed PEM (``zlib.compress``, not gzip),
      on one line. Give the PEM file and cvmctx encodes it: ``--set openvpn.cert=@client.crt``.
      CernVM Online writes all three as plain base64, which the guest cannot use.
    - ``nameserver`` **overwrites** ``/etc/resolv.conf`` with ``search <search>`` and
      ``nameserver <nameserver>``: every other resolver setting of the machine is lost.
    """

    SECTION: ClassVar[str] = "openvpn"
    PLUGINS: ClassVar[tuple[str, ...]] = ("openvpn",)

    nameserver: Annotated[
        str | None,
        IpLiteral(
            why="the guest writes 'nameserver <value>' to /etc/resolv.conf, whose "
            "resolver ignores anything but one IP address",
            severity=Severity.ERROR,
        ),
    ] = guest_key("nameserver", "DNS server; overwrites /etc/resolv.conf when set.")
    search: Annotated[tuple[str, ...] | None, SpaceList()] = guest_key(
        "search", "Search domains for /etc/resolv.conf, separated by spaces."
    )
    server: Annotated[str | None, Text()] = guest_key("server", "The VPN server (host or IP).")
    port: Annotated[int | None, Integer(minimum=1)] = guest_key("port", "The VPN server's port.")
    proto: Annotated[
        str | None,
        Choice(
            ("udp", "tcp"),
            otherwise=": the guest writes 'proto <value>' into the client configuration",
        ),
    ] = guest_key("proto", "Transport protocol.", default="udp")
    ca: Annotated[
        str | None,
        FetchedUrl(schemes=("http", "https", "ftp", "file"), what="the CA certificate"),
    ] = guest_key("ca", "URL of the CA certificate; the guest downloads it.")
    cert: Annotated[str | None, ZlibBase64Blob()] = guest_key(
        "cert", "Client certificate: base64 of zlib-compressed PEM (give the PEM file)."
    )
    key: Annotated[str | None, ZlibBase64Blob()] = guest_key(
        "key",
        "Client private key: base64 of zlib-compressed PEM (give the PEM file).",
        secret=True,
    )

    def check(self) -> list[Diagnostic]:
        found = self.require(
            "server",
            "port",
            "ca",
            "cert",
            "key",
            consequence="the plugin silently returns without configuring openvpn when any of "
            "server, port, ca, cert and key is missing",
        )
        if self.nameserver is not None:
            found.append(
                plugins_codes.OPENVPN_NAMESERVER_OVERWRITES_RESOLV_CONF.finding(
                    "with 'nameserver' set the guest overwrites /etc/resolv.conf with only "
                    "'search' and this nameserver: every other resolver setting of the machine "
                    "is lost",
                    path="openvpn.nameserver",
                    hint="remove 'nameserver' to keep the machine's resolver settings",
                )
            )
        if self.search is not None and self.nameserver is None:
            found.append(
                plugins_codes.OPENVPN_KEY_IGNORED.finding(
                    "the guest writes 'search' to /etc/resolv.conf only together with "
                    "'nameserver': without it 'search' is ignored",
                    path="openvpn.search",
                    hint="set 'nameserver' too, or remove 'search'",
                )
            )
        return found
