"""[nss]: name-service sources in /etc/nsswitch.conf."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

from cvmctx.model.codecs.scalars import Text
from cvmctx.model.sections._base import Section, guest_key

#: amiconfig-helper edits /etc/nsswitch.conf with sed s#...#...#.
SED = Text(
    forbid="#&",
    forbid_help="the guest writes this line with sed s#...#...#: '#' ends the sed expression "
    "and '&' is replaced by the matched text",
)


def _db(name: str, example: str) -> Any:
    return guest_key(name, f"Sources for the '{name}' database, e.g. '{example}'.")


class Nss(Section):
    """Sets name-service sources in ``/etc/nsswitch.conf`` (docs/guest.md §3.12).

    Each key replaces (or appends) the line ``<key>: <value>`` through
    ``/usr/sbin/amiconfig-helper``: ``passwd = files ldap`` gives ``passwd: files ldap``.
    Keys: ``passwd``, ``group``, ``shadow``, ``hosts``, ``bootparams``, ``ethers``,
    ``netmasks``, ``networks``, ``protocols``, ``rpc``, ``services``, ``netgroup``,
    ``publickey``, ``automount``, ``aliases``.

    Gotchas: the seed (the plugin's docstring) says ``password``; the guest reads ``passwd``.
    cvmctx reads ``password`` with a warning and writes ``passwd``. The helper uses
    ``sed s#...#...#``, so ``#`` and ``&`` in a value are refused.
    """

    SECTION: ClassVar[str] = "nss"
    PLUGINS: ClassVar[tuple[str, ...]] = ("nss",)
    RENAMED: ClassVar[Mapping[str, tuple[str, str]]] = {
        "password": (
            "passwd",
            "the guest reads 'passwd'; 'password' (the seed's spelling) is ignored on the guest, "
            "and cvmctx writes it as 'passwd'",
        )
    }

    passwd: Annotated[str | None, SED] = _db("passwd", "files ldap")
    group: Annotated[str | None, SED] = _db("group", "files")
    shadow: Annotated[str | None, SED] = _db("shadow", "files")
    hosts: Annotated[str | None, SED] = _db("hosts", "files dns")
    bootparams: Annotated[str | None, SED] = _db("bootparams", "nisplus [NOTFOUND=return] files")
    ethers: Annotated[str | None, SED] = _db("ethers", "files")
    netmasks: Annotated[str | None, SED] = _db("netmasks", "files")
    networks: Annotated[str | None, SED] = _db("networks", "files")
    protocols: Annotated[str | None, SED] = _db("protocols", "files")
    rpc: Annotated[str | None, SED] = _db("rpc", "files")
    services: Annotated[str | None, SED] = _db("services", "files")
    netgroup: Annotated[str | None, SED] = _db("netgroup", "nisplus")
    publickey: Annotated[str | None, SED] = _db("publickey", "nisplus")
    automount: Annotated[str | None, SED] = _db("automount", "files nisplus")
    aliases: Annotated[str | None, SED] = _db("aliases", "files nisplus")
