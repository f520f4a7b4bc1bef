"""Sections of plugins the CernVM guest removed, cannot load, or never had.

cvmctx keeps every key of these sections verbatim (nothing a site wrote is lost) and warns once
per section about what the guest does with it.
"""

from __future__ import annotations

from typing import ClassVar

from cvmctx.catalog import plugins as plugins_codes
from cvmctx.catalog.code import Code
from cvmctx.model.sections._base import Section

ANY_KEY = r".+"


class Rmake(Section):
    """rMake node and server setup, read only by CernVM 2-era images (docs/guest.md §3.23).

    The rPath plugins ``rmakenode`` and ``rmakeserver`` read ``[rmake]``. They were removed from
    CernVM's amiconfig on 2013-10-01, with the other rPath plugins: on CernVM 3 and later no
    plugin reads this section. cvmctx keeps its keys as written, unchecked.
    """

    SECTION: ClassVar[str] = "rmake"
    PLUGINS: ClassVar[tuple[str, ...]] = ("rmakenode", "rmakeserver")
    PATTERN_KEYS: ClassVar[str | None] = ANY_KEY
    PATTERN_HELP: ClassVar[str] = "any key, kept as written (the guest ignores the section)"
    GUEST_WARNING: ClassVar[tuple[Code, str] | None] = (
        plugins_codes.RMAKE_REMOVED,
        "the rmakenode and rmakeserver plugins were removed from CernVM's amiconfig on "
        "2013-10-01: on CernVM 3 and later no plugin reads [rmake]",
    )


class Configscripts(Section):
    """Configuration-script bundles; the plugin was removed in 2014 (docs/guest.md §3.23).

    The ``configscripts`` plugin read ``[configscripts] bundle``. It was removed from CernVM's
    amiconfig in 2014, so current images ignore the section; use the ``#!`` script part of the
    user data instead. cvmctx keeps its keys as written, unchecked.
    """

    SECTION: ClassVar[str] = "configscripts"
    PLUGINS: ClassVar[tuple[str, ...]] = ("configscripts",)
    PATTERN_KEYS: ClassVar[str | None] = ANY_KEY
    PATTERN_HELP: ClassVar[str] = "any key, kept as written (the guest ignores the section)"
    GUEST_WARNING: ClassVar[tuple[Code, str] | None] = (
        plugins_codes.CONFIGSCRIPTS_REMOVED,
        "the configscripts plugin was removed from CernVM's amiconfig in 2014: current images "
        "ignore [configscripts] (use the #! script part instead)",
    )


class Callback(Section):
    """HEPiX callback EC2 credentials; the plugin was removed in 2014 (docs/guest.md §3.23).

    The HEPiX ``callback`` plugin wrote ``[callback] EC2_URL``, ``EC2_SECRET_KEY`` and
    ``EC2_ACCESS_KEY`` (read lower-cased) to ``/etc/ec2.conf``. It was removed in 2014, so
    current images ignore the section, which then only exposes the credentials in the user
    data. cvmctx keeps its keys as written, unchecked (and masks the secret ones in reports).
    """

    SECTION: ClassVar[str] = "callback"
    PLUGINS: ClassVar[tuple[str, ...]] = ("callback",)
    PATTERN_KEYS: ClassVar[str | None] = ANY_KEY
    PATTERN_HELP: ClassVar[str] = "any key, kept as written (the guest ignores the section)"
    GUEST_WARNING: ClassVar[tuple[Code, str] | None] = (
        plugins_codes.CALLBACK_REMOVED,
        "the HEPiX callback plugin was removed in 2014: current images ignore [callback], and "
        "the EC2 credentials in it are only exposed in the user data",
    )


class SfcbClientSetup(Section):
    """SFCB client setup; the plugin cannot load on CernVM (docs/guest.md §3.23).

    The plugin reading ``[sfcb-client-setup]`` (``boot-uuid``, ``x509-cert-hash`` and a base64
    ``x509-cert``) is still in amiconfig's tree, but it imports ``conary``, which CernVM does not
    ship: the import fails silently and no plugin reads the section. cvmctx keeps its keys as
    written, unchecked.
    """

    SECTION: ClassVar[str] = "sfcb-client-setup"
    PLUGINS: ClassVar[tuple[str, ...]] = ()
    PATTERN_KEYS: ClassVar[str | None] = ANY_KEY
    PATTERN_HELP: ClassVar[str] = "any key, kept as written (the guest ignores the section)"
    GUEST_WARNING: ClassVar[tuple[Code, str] | None] = (
        plugins_codes.SFCB_CLIENT_SETUP_NOT_LOADABLE,
        "the plugin for [sfcb-client-setup] imports conary, which CernVM lacks: it never loads, "
        "so the guest ignores this section",
    )


class CernvmAppliance(Section):
    """CernVM Online's appliance password section; no guest plugin reads it (docs/guest.md §6).

    CernVM Online emits ``[cernvm_appliance] password`` and enables a plugin
    ``cernvm_appliance`` "for CernVM 3.x", but no such plugin exists on the guest, so the
    password is never set (and sits in plain text in the user data). The guest's plugin is
    ``appliance-agent``: write ``[appliance-agent] password`` and enable ``appliance-agent``.
    cvmctx keeps this section's keys as written, unchecked.
    """

    SECTION: ClassVar[str] = "cernvm_appliance"
    PLUGINS: ClassVar[tuple[str, ...]] = ()
    PATTERN_KEYS: ClassVar[str | None] = ANY_KEY
    PATTERN_HELP: ClassVar[str] = "any key, kept as written (the guest ignores the section)"
    GUEST_WARNING: ClassVar[tuple[Code, str] | None] = (
        plugins_codes.CERNVM_APPLIANCE_NOT_READ,
        "no guest plugin reads [cernvm_appliance] (CernVM Online emits it): use "
        "[appliance-agent] password and plugins = appliance-agent",
    )
