"""[tcpbuffers]: TCP buffer sysctls (the guest plugin is broken)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from cvmctx.catalog import plugins as plugins_codes
from cvmctx.catalog.code import Code
from cvmctx.model.codecs.scalars import Text
from cvmctx.model.sections._base import Section, guest_key


class Tcpbuffers(Section):
    """Meant to set TCP buffer sysctls; **the guest plugin is broken** (docs/guest.md §3.17).

    For each of ``net.core.rmem_max``, ``net.core.wmem_max``, ``net.ipv4.tcp_rmem``,
    ``net.ipv4.tcp_wmem``, ``net.core.netdev_max_backlog``, ``net.ipv4.tcp_timestamps`` and
    ``net.ipv4.tcp_sack`` that is present, the plugin runs ``sysctl -w <key>=<cfg['var']>``:
    it indexes the literal key ``var``. Without a ``var`` key it fails with a KeyError (rc 2)
    and sets nothing; with ``var = X`` every listed setting gets X, not its own value.

    In practice the section is unusable: set these sysctls from the ``#!`` script instead
    (``sysctl -w net.core.rmem_max=16777216``). cvmctx keeps the keys, with a warning.
    """

    SECTION: ClassVar[str] = "tcpbuffers"
    PLUGINS: ClassVar[tuple[str, ...]] = ("tcpbuffers",)
    GUEST_WARNING: ClassVar[tuple[Code, str] | None] = (
        plugins_codes.TCPBUFFERS_BROKEN,
        "the [tcpbuffers] plugin is broken: it looks up the literal key 'var' for every "
        "setting, so it fails with a KeyError (or, with 'var' set, writes var's value for every "
        "setting); set these sysctls from the #! script instead",
    )

    net_core_rmem_max: Annotated[str | None, Text()] = guest_key(
        "net.core.rmem_max", "Maximum receive buffer, e.g. 16777216 (not applied: broken)."
    )
    net_core_wmem_max: Annotated[str | None, Text()] = guest_key(
        "net.core.wmem_max", "Maximum send buffer, e.g. 16777216 (not applied: broken)."
    )
    net_ipv4_tcp_rmem: Annotated[str | None, Text()] = guest_key(
        "net.ipv4.tcp_rmem", "min default max, e.g. 4096 87380 16777216 (not applied: broken)."
    )
    net_ipv4_tcp_wmem: Annotated[str | None, Text()] = guest_key(
        "net.ipv4.tcp_wmem", "min default max, e.g. 4096 65536 16777216 (not applied: broken)."
    )
    net_core_netdev_max_backlog: Annotated[str | None, Text()] = guest_key(
        "net.core.netdev_max_backlog", "Input queue length, e.g. 30000 (not applied: broken)."
    )
    net_ipv4_tcp_timestamps: Annotated[str | None, Text()] = guest_key(
        "net.ipv4.tcp_timestamps", "1 or 0 (not applied: broken)."
    )
    net_ipv4_tcp_sack: Annotated[str | None, Text()] = guest_key(
        "net.ipv4.tcp_sack", "1 or 0 (not applied: broken)."
    )
    var: Annotated[str | None, Text()] = guest_key(
        "var", "What the broken plugin actually writes for every listed setting."
    )
