"""[amildap] (and the older [ldap]): LDAP client settings in /etc/ldap.conf."""

from __future__ import annotations

from typing import Annotated, ClassVar

from cvmctx.catalog import plugins as plugins_codes
from cvmctx.catalog.code import Code
from cvmctx.model.codecs.scalars import Text
from cvmctx.model.sections._base import Section, guest_key


class Amildap(Section):
    """Writes the LDAP base DN and server to ``/etc/ldap.conf`` (docs/guest.md §3.13).

    ``base`` and ``url`` become the lines ``base <dn>`` and ``url <url>``. The plugin really
    writes ``url``, not ``uri`` (confirmed by test). The plugin was called ``ldap`` with section
    ``[ldap]`` on images built before 2014-02-25; later images know only ``amildap``. For an
    image of unknown age, write both sections and enable both plugins (the unknown one is
    ignored).
    """

    SECTION: ClassVar[str] = "amildap"
    PLUGINS: ClassVar[tuple[str, ...]] = ("amildap",)

    base: Annotated[str | None, Text()] = guest_key(
        "base", "Base DN to bind to, e.g. dc=example,dc=org."
    )
    url: Annotated[str | None, Text()] = guest_key(
        "url", "LDAP server URL, e.g. ldap://ldap.example.org; written as 'url <value>'."
    )


class Ldap(Amildap):
    """The [amildap] plugin under its old name ``ldap`` (docs/guest.md §3.13).

    Only images built before 2014-02-25 have a plugin ``ldap`` reading ``[ldap]``; it was then
    renamed ``amildap`` (section ``[amildap]``). Keys and behaviour are those of [amildap]:
    ``base`` and ``url`` become ``base <dn>`` and ``url <url>`` in ``/etc/ldap.conf``.
    """

    SECTION: ClassVar[str] = "ldap"
    PLUGINS: ClassVar[tuple[str, ...]] = ("ldap",)
    GUEST_WARNING: ClassVar[tuple[Code, str] | None] = (
        plugins_codes.LDAP_RENAMED,
        "plugin 'ldap' exists only on images built before 2014-02-25; it was renamed "
        "'amildap', so newer images ignore [ldap] (use [amildap] and plugins = amildap)",
    )
