"""[puppet]: puppet agent or puppetmaster settings in /etc/sysconfig."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, ClassVar

from cvmctx.catalog import plugins as plugins_codes
from cvmctx.catalog.values import UNQUOTED_SPACE
from cvmctx.diagnostics import Diagnostic
from cvmctx.model.codecs.core import Parsed, note
from cvmctx.model.codecs.scalars import Integer, Text
from cvmctx.model.sections._base import Section, guest_key

# A value the shell reads as one word although it holds blanks: quoted, or a bash array.
_ONE_WORD = re.compile(r'"[^"]*"|\'[^\']*\'|\([^()]*\)')


@dataclass(frozen=True)
class SysconfigValue(Text):
    """A value written raw (``KEY=value``) into a sysconfig file that init scripts source."""

    def parse(self, text: str) -> Parsed[str]:
        parsed = super().parse(text)
        space = re.search(r"\s", text, re.ASCII)
        if space is None or _ONE_WORD.fullmatch(text):
            return parsed
        found = note(UNQUOTED_SPACE, "the guest writes this value without "
                    "quotes into /etc/sysconfig/puppet (or puppetmaster), which the init script "
                    "sources: the shell ends the value at the first blank and runs the rest as "
                    "a command [inference]", "wrap the value in double quotes, e.g. "
                    '"--a --b"', space.start())
        return Parsed(parsed.value, (*parsed.notes, found))

AGENT = ("puppet_port", "puppet_log", "puppet_extra_opts")
MASTER = (
    "puppetmaster_manifest",
    "puppetmaster_ports",
    "puppetmaster_log",
    "puppetmaster_extra_opts",
)


class Puppet(Section):
    """Configures the puppet agent, or else the puppetmaster (docs/guest.md §3.16).

    With ``puppet_server`` set, ``/etc/sysconfig/puppet`` gets ``PUPPET_SERVER``,
    ``PUPPET_PORT``, ``PUPPET_LOG`` and ``PUPPET_EXTRA_OPTS`` from ``puppet_server``,
    ``puppet_port``, ``puppet_log`` and ``puppet_extra_opts``; the ``puppetmaster_*`` keys are
    then ignored. Without it, ``/etc/sysconfig/puppetmaster`` gets ``PUPPETMASTER_MANIFEST``,
    ``_PORTS``, ``_LOG`` and ``_EXTRA_OPTS`` from the ``puppetmaster_*`` keys, and the
    ``puppet_*`` keys are ignored.

    Gotchas: values are written raw, without quotes (CernVM Online writes
    ``puppetmaster_ports=(8140)``); **[inference]** the init scripts source these files, so
    quote a value with spaces yourself. Either way the plugin then runs ``chkconfig puppet on``
    and ``service puppet start``, which starts the **agent**, even in master mode.
    """

    SECTION: ClassVar[str] = "puppet"
    PLUGINS: ClassVar[tuple[str, ...]] = ("puppet",)

    puppet_server: Annotated[str | None, SysconfigValue()] = guest_key(
        "puppet_server", "The puppetmaster the agent uses; unset = configure a puppetmaster."
    )
    puppet_port: Annotated[int | None, Integer(minimum=1)] = guest_key(
        "puppet_port", "Port of the puppetmaster (PUPPET_PORT)."
    )
    puppet_log: Annotated[str | None, SysconfigValue()] = guest_key(
        "puppet_log", "Agent log file, or syslog (PUPPET_LOG)."
    )
    puppet_extra_opts: Annotated[str | None, SysconfigValue()] = guest_key(
        "puppet_extra_opts", "Extra agent options, e.g. --waitforcert=500 (PUPPET_EXTRA_OPTS)."
    )
    puppetmaster_manifest: Annotated[str | None, SysconfigValue()] = guest_key(
        "puppetmaster_manifest", "Main manifest, e.g. /etc/puppet/manifests/site.pp."
    )
    puppetmaster_ports: Annotated[str | None, SysconfigValue()] = guest_key(
        "puppetmaster_ports", "Port(s) to listen on, written raw, e.g. (18140 18141)."
    )
    puppetmaster_log: Annotated[str | None, SysconfigValue()] = guest_key(
        "puppetmaster_log", "Puppetmaster log file, or syslog."
    )
    puppetmaster_extra_opts: Annotated[str | None, SysconfigValue()] = guest_key(
        "puppetmaster_extra_opts", "Extra puppetmaster options, e.g. --no-ca."
    )

    def check(self) -> list[Diagnostic]:
        found = self._ignored()
        if self.puppet_server is None:
            found.append(
                plugins_codes.PUPPET_MASTER_NOT_STARTED.finding(
                    "without 'puppet_server' the guest writes the puppetmaster settings but "
                    "then runs only 'service puppet start', which starts the puppet agent (with "
                    "no server set), not the puppetmaster",
                    path="puppet",
                    hint="set 'puppet_server' for an agent, or start puppetmaster from the "
                    "#! script",
                )
            )
        return found

    def _ignored(self) -> list[Diagnostic]:
        agent = self.puppet_server is not None
        ignored = MASTER if agent else AGENT
        why = (
            "with 'puppet_server' set the guest configures the agent only"
            if agent
            else "without 'puppet_server' the guest configures the puppetmaster only"
        )
        return [
            plugins_codes.PUPPET_KEY_IGNORED.finding(
                f"{why}: '{key}' is ignored",
                path=f"puppet.{key}",
                hint=f"remove '{key}'" + ("" if agent else ", or set 'puppet_server'"),
            )
            for key in ignored
            if getattr(self, key) is not None
        ]
