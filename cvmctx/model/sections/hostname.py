"""[hostname]: the machine's host name."""

from __future__ import annotations

from typing import Annotated, ClassVar

from cvmctx.model.codecs.scalars import Text
from cvmctx.model.sections._base import Section, guest_key

HOSTNAME_RE = (
    r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)


class Hostname(Section):
    """Sets the host name with ``hostname <value>`` (docs/guest.md §3.4).

    Without the key the plugin uses the meta-data ``local-hostname``. The change lasts until the
    next boot only: the plugin writes no ``/etc/sysconfig/network``. ``[condor] hostname`` sets
    the host name too.
    """

    SECTION: ClassVar[str] = "hostname"
    PLUGINS: ClassVar[tuple[str, ...]] = ("hostname",)

    hostname: Annotated[
        str | None, Text(pattern=HOSTNAME_RE, pattern_help="a host name such as node1.example.org")
    ] = guest_key("hostname", "Host name (or FQDN) to set; default: meta-data local-hostname.")
