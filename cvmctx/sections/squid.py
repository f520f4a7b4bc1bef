"""[squid]: a squid cache for CVMFS on this machine."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, ClassVar

from cvmctx.sections._base import Section, guest_key
from cvmctx.sections._types import AbsolutePath, CommaList, Integer

BACKEND_RE = r"[A-Za-z0-9][A-Za-z0-9.:-]*(/[0-9]{1,3})?"


class Squid(Section):
    """Configures and starts squid as a cache for CVMFS (guest-format.md §3.15).

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
        CommaList(
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
