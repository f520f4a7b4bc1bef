"""[squid]: a squid cache for CVMFS on this machine."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, ClassVar

from cvmctx.catalog.encoded import GLUED, PORT
from cvmctx.diagnostics import Diagnostic, Severity
from cvmctx.model.codecs.core import Parsed, note
from cvmctx.model.codecs.lists import AbsolutePath, CommaList
from cvmctx.model.codecs.scalars import Integer
from cvmctx.model.sections._base import Section, guest_key

BACKEND_RE = r"[A-Za-z0-9][A-Za-z0-9.:-]*(/[0-9]{1,3})?"
# Two names run together: a port followed by more name ("a.cern.ch:8000b.fnal.gov"), or a
# top-level domain followed at once by the first word of a typical server name
# ("a.cern.chcvmfs.fnal.gov"). Deliberately narrow: a false alarm on a real name is worse.
_GLUED_NAME = re.compile(
    r"\.(?:ch|gov|org|com|net|edu|de|fr|it|uk|ca|eu|es|nl|pl|ru|jp|cz|us)"
    r"(?=(?:cvmfs|www|squid|stratum|frontier|cernvm|http))",
    re.IGNORECASE,
)
_GLUED_PORT = re.compile(r":[0-9]+(?=[A-Za-z.-])")
_LABEL_MAX = 63


@dataclass(frozen=True)
class Backends(CommaList):
    """``backends``: one ``acl backend dst <item>`` line per item (§3.15)."""

    def parse(self, text: str) -> Parsed[tuple[str, ...]]:
        parsed = super().parse(text)
        notes = list(parsed.notes)
        offset = 0
        for item in parsed.value:
            notes.extend(_backend_notes(item, offset))
            offset += len(item) + 1
        return Parsed(parsed.value, tuple(notes))


def _is_address(item: str) -> bool:
    try:
        ipaddress.ip_network(item, strict=False)
    except ValueError:
        return False
    return True


def _backend_notes(item: str, offset: int) -> list[Diagnostic]:
    if _is_address(item):
        return []
    glued = _GLUED_PORT.search(item) or _GLUED_NAME.search(item)
    if glued is not None or any(len(label) > _LABEL_MAX for label in item.split(".")):
        at = offset + (glued.end() if glued is not None else 0)  # where the second name starts
        return [note(GLUED, "this entry looks like two server names run "
                     "together (a missing ','): the guest writes it as one 'acl backend dst' "
                     "name, which does not resolve, so squid does not allow either server",
                     "separate the servers with ',', e.g. a.example.org,b.example.org", at)]
    colon = item.find(":")
    if colon >= 0:
        return [note(PORT, "squid's 'acl dst' takes a host name or IP "
                     "address, not host:port: the name with its port does not resolve, so "
                     "squid does not allow this server [inference]",
                     "write the host name only; squid matches every port of it",
                     offset + colon, severity=Severity.WARNING)]
    return []


class Squid(Section):
    """Configures and starts squid as a cache for CVMFS (docs/guest.md §3.15).

    The plugin writes ``/etc/squid/cernvm.conf``, includes it at the top of ``squid.conf``,
    sets ``ulimit -n 10000`` in ``/etc/sysconfig/squid``, then runs ``squid -z`` and starts
    squid. The file holds fixed lines (``max_filedesc 8192``, ``maximum_object_size 1024 MB``,
    ``cache_mem 128 MB``, ``maximum_object_size_in_memory 128 KB``), then
    ``cache_dir ufs <cache_dir> <cache_dir_size> 16 256`` and, with ``backends``, one
    ``acl backend dst <server>`` line per server plus ``http_access allow backend``.

    Gotchas: the plugin runs whenever it is enabled, even with no ``[squid]`` section (it then
    uses ``/var/spool/squid`` and 50000 MB). The seed's ``cvmfs_server``, ``cache_mem`` and
    ``maximum_object_size_in_memory`` keys are not read: the guest always writes its fixed
    values.
    """

    SECTION: ClassVar[str] = "squid"
    PLUGINS: ClassVar[tuple[str, ...]] = ("squid",)
    NOT_READ: ClassVar[Mapping[str, str]] = {
        "cvmfs_server": "the [squid] plugin does not read cvmfs_server: use 'backends' to allow "
        "the servers squid may fetch from",
        "cache_mem": "the [squid] plugin does not read cache_mem: the guest always writes "
        "cache_mem 128 MB",
        "maximum_object_size_in_memory": "the [squid] plugin does not read "
        "maximum_object_size_in_memory: the guest always writes 128 KB",
    }

    backends: Annotated[
        tuple[str, ...] | None,
        Backends(
            item_pattern=BACKEND_RE,
            item_help="a server name or address (squid 'acl dst'), e.g. cvmfs-stratum-one.cern.ch",
        ),
    ] = guest_key("backends", "Servers squid may fetch from, ',' list (acl backend dst ...).")
    cache_dir: Annotated[
        str | None, AbsolutePath(what="squid's cache directory", example_path="/var/spool/squid")
    ] = guest_key("cache_dir", "Cache directory on the guest.", default="/var/spool/squid")
    cache_dir_size: Annotated[int | None, Integer(minimum=1)] = guest_key(
        "cache_dir_size", "Cache size in MB.", default="50000"
    )
