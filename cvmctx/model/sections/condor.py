"""[condor]: an HTCondor worker or central manager."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, ClassVar

from cvmctx.catalog import plugins as plugins_codes
from cvmctx.catalog.encoded import NOT_ABSOLUTE
from cvmctx.catalog.values import CHARACTER, EMPTY, SPLIT_LINE
from cvmctx.diagnostics import Diagnostic
from cvmctx.model.codecs.core import Codec, Parsed, Refused, SpecForm, check_line, note
from cvmctx.model.codecs.flags import Flag
from cvmctx.model.codecs.scalars import Integer, Text
from cvmctx.model.sections._base import Section, guest_key
from cvmctx.model.sections.hostname import HOSTNAME_RE

# What an unquoted word in `os.system("... %s ...")` must not hold.
SHELL_SPECIAL = " \t;&|<>()$`\\\"'*?[]{}"
SHELL_WORD_START = "#~"
NAME_RE = r"[A-Za-z_][A-Za-z0-9_.-]*"
CONFIG_LINE_RE = re.compile(
    r"\s*(?:[A-Za-z_][A-Za-z0-9_.:]*\s*=|#|(?:use|include)\s)", re.ASCII | re.IGNORECASE
)
PORT_MAX = 65535


@dataclass(frozen=True)
class ShellWord(Codec[str]):
    """A value the guest pastes unquoted into an ``os.system`` command line.

    The message never names the offending character: the value may be a secret.
    """

    kind: ClassVar[str] = "one shell word"
    what: str = "this value"
    absolute: bool = False

    def parse(self, text: str) -> Parsed[str]:
        check_line(text)
        if self.absolute and not text.startswith("/"):
            raise Refused(NOT_ABSOLUTE, f"{self.what} must be an absolute path on the guest",
                          "write the full path, e.g. /home/condor")
        bad = next((i for i, ch in enumerate(text) if ch in SHELL_SPECIAL), None)
        if bad is None and text[:1] in tuple(SHELL_WORD_START):
            bad = 0
        if bad is not None:
            raise Refused(CHARACTER, f"the guest passes {self.what} unquoted through a shell: "
                          "whitespace and shell characters such as ; & | < > ( ) $ ` \\ quotes "
                          "* ? [ ] { } split it or run other commands",
                          "use only letters, digits and . _ - + = , : @ % / ^", bad)
        if not text:
            raise Refused(EMPTY, f"{self.what} is empty: the guest's command line misses an "
                          "argument", "give a value, or remove the key")
        return Parsed(text)


@dataclass(frozen=True)
class ConfigLines(Codec[tuple[str, ...]]):
    """``extra_vars``: raw condor configuration lines, joined by ``,`` (§3.10)."""

    kind: ClassVar[str] = "condor config lines, ','-separated"

    def spec_form(self) -> SpecForm:
        return SpecForm("list", sep=",")

    def parse(self, text: str) -> Parsed[tuple[str, ...]]:
        check_line(text)
        if not text:
            return Parsed(())
        items = tuple(text.split(","))
        notes: list[Diagnostic] = []
        offset = 0
        for item in items:
            if item.strip() and not CONFIG_LINE_RE.match(item):
                notes.append(note(SPLIT_LINE, "the guest splits extra_vars "
                                  "on every ',' and writes each piece as a line of "
                                  "condor_config.local: this piece is not a 'NAME = value' "
                                  "line (a ',' inside a value splits it)",
                                  "keep ',' out of the values, e.g. write lists with spaces",
                                  offset))
            offset += len(item) + 1
        return Parsed(items, tuple(notes))

    def render(self, value: tuple[str, ...]) -> str:
        return ",".join(value)

    def example(self) -> str:
        return "NUM_SLOTS = 4,STARTD_ATTRS = COLLECTOR_HOST_STRING"


class Condor(Section):
    """Configures and (re)starts HTCondor as a worker or central manager (docs/guest.md §3.10).

    With ``condor_master`` the machine is a worker (``DAEMON_LIST = MASTER, STARTD``) reporting
    to that host; without it, it is the central manager (collector, negotiator, schedd) and
    ``CONDOR_HOST`` is its own host name, or its IP address when ``use_ips`` is ``true`` or the
    names disagree. The plugin writes ``/etc/condor/condor_config.local`` (``CONDOR_ADMIN``
    default ``root@<master>``, ``UID_DOMAIN`` default the domain of the FQDN, ``HIGHPORT`` 9700,
    ``LOWPORT`` 9600, ``COLLECTOR_NAME``, ``ALLOW_WRITE``, then the ``extra_vars`` lines),
    creates ``condor_user``/``condor_group`` (default ``condor``), stores ``condor_secret``
    with ``condor_store_cred``, then runs ``chkconfig condor on`` and
    ``service condor restart``. ``hostname`` runs ``hostname <value>`` first.

    Gotchas:

    - ``use_ips`` is on only for exactly ``true``; it also sets ``NO_DNS`` and
      ``NETWORK_INTERFACE``. Anything else is off: ``false``, ``no`` or an empty value (the
      plugin's own docstring writes ``use_ips =``) are accepted and written ``false``; ``True``,
      ``yes`` or ``1`` are refused, since the guest reads them as off.
      ``uid_domain = *`` trusts the submitters' UIDs.
    - ``condor_secret``, ``condor_user``, ``condor_group`` and ``condor_dir`` are pasted
      **unquoted** into shell commands: whitespace and shell characters are refused.
    - ``extra_vars`` is split on every ``,``: a ``,`` inside a condor value splits the line.
    - The seed's ``filesystem_domain``, ``localconfig``, ``slots``, ``slot_user`` and
      ``cannonical_user`` are not read. The plugin runs before [cernvm] and [hostname], and
      does not load on CernVM 2 (Python 2.4).
    """

    SECTION: ClassVar[str] = "condor"
    PLUGINS: ClassVar[tuple[str, ...]] = ("condor",)
    NOT_READ: ClassVar[Mapping[str, str]] = {
        key: f"the guest does not read '{key}' (the [condor] plugin has it commented out): "
        "put the setting in extra_vars as a condor configuration line"
        for key in ("filesystem_domain", "localconfig", "slots", "slot_user", "cannonical_user")
    }

    hostname: Annotated[
        str | None, Text(pattern=HOSTNAME_RE, pattern_help="a host name such as node1.example.org")
    ] = guest_key("hostname", "Host name to set before configuring condor.")
    condor_master: Annotated[
        str | None,
        Text(pattern=HOSTNAME_RE, pattern_help="the central manager's host name or IPv4 address"),
    ] = guest_key("condor_master", "Central manager; set = this machine is a worker.")
    condor_secret: Annotated[str | None, ShellWord(what="the pool password")] = guest_key(
        "condor_secret", "Pool password, stored with condor_store_cred.", secret=True
    )
    collector_name: Annotated[str | None, Text()] = guest_key(
        "collector_name", "COLLECTOR_NAME of the pool."
    )
    condor_user: Annotated[
        str | None,
        Text(pattern=NAME_RE, pattern_help="a user name such as condor (the guest passes it "
             "unquoted to useradd through a shell)"),
    ] = guest_key("condor_user", "User condor runs as (created if missing).", default="condor")
    condor_group: Annotated[
        str | None,
        Text(pattern=NAME_RE, pattern_help="a group name such as condor (the guest passes it "
             "unquoted to groupadd through a shell)"),
    ] = guest_key("condor_group", "Group of condor_user (created if missing).", default="condor")
    condor_dir: Annotated[str | None, ShellWord(what="condor_dir", absolute=True)] = guest_key(
        "condor_dir", "LOCAL_DIR of condor.", default="home of condor_user"
    )
    condor_admin: Annotated[str | None, Text()] = guest_key(
        "condor_admin", "CONDOR_ADMIN mail address.", default="root@<master>"
    )
    highport: Annotated[int | None, Integer(minimum=1)] = guest_key(
        "highport", "Highest port condor uses.", default="9700"
    )
    lowport: Annotated[int | None, Integer(minimum=1)] = guest_key(
        "lowport", "Lowest port condor uses.", default="9600"
    )
    uid_domain: Annotated[str | None, Text()] = guest_key(
        "uid_domain", "UID_DOMAIN; '*' trusts the submitters' UIDs.", default="domain of FQDN"
    )
    allow_write: Annotated[str | None, Text()] = guest_key(
        "allow_write", "ALLOW_WRITE host pattern."
    )
    extra_vars: Annotated[tuple[str, ...] | None, ConfigLines()] = guest_key(
        "extra_vars", "Raw condor_config.local lines, separated by ','."
    )
    use_ips: Annotated[bool | None, Flag()] = guest_key(
        "use_ips", "Use IP addresses instead of host names (exactly 'true').", default="false"
    )

    def check(self) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        for key, value in (("highport", self.highport), ("lowport", self.lowport)):
            if value is not None and value > PORT_MAX:
                found.append(
                    plugins_codes.CONDOR_KEY_TOO_BIG.instance(key=key).finding(
                        f"{key} must be a port number, at most {PORT_MAX}",
                        path=f"condor.{key}",
                        hint=f"write a port between 1024 and {PORT_MAX}",
                    )
                )
        low = 9600 if self.lowport is None else self.lowport
        high = 9700 if self.highport is None else self.highport
        if (self.lowport is not None or self.highport is not None) and low >= high:
            found.append(
                plugins_codes.CONDOR_PORTS.finding(
                    f"condor needs lowport below highport (here {low} and {high}, counting "
                    "the guest's defaults 9600 and 9700)",
                    path="condor.lowport",
                    hint="set both lowport and highport, lowport the smaller",
                )
            )
        return found
