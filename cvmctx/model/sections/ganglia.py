"""[ganglia]: the gmond (Ganglia monitoring) configuration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar

from cvmctx.catalog.values import CHARACTER, GLOB
from cvmctx.model.codecs.core import Parsed, Refused, check_line, note
from cvmctx.model.codecs.flags import ConfuseBool
from cvmctx.model.codecs.scalars import Integer, Text
from cvmctx.model.sections._base import Section, guest_key

# Characters that break the unquoted `sed -e s/@key@/<value>/g ... > /etc/gmond.conf`: '/' ends
# sed's s command early, whitespace splits the word, the others are shell syntax or expansion.
SED_BREAKERS = "/ \t;&|<>()$`\\\"'"
# Glob characters: the shell replaces the word only if it matches file names.
SED_GLOBS = "*?[]{}"
SED_HELP = (
    "the guest puts the value unquoted into 'sed -e s/@key@/<value>/g /etc/gmond.conf.cernvm "
    "> /etc/gmond.conf' run by a shell: with this character sed fails (or the shell splits the "
    "command) and /etc/gmond.conf is left empty"
)
GLOB_HELP = (
    "the guest puts the value unquoted into a sed command run by a shell, which may replace "
    "a word holding '*', '?', '[' or '{' with matching file names"
)


@dataclass(frozen=True)
class SedValue(Text):
    """A value pasted unquoted into the guest's ``sed -e s/@key@/<value>/g`` shell command."""

    def parse(self, text: str) -> Parsed[str]:
        check_line(text)
        bad = next((i for i, ch in enumerate(text) if ch in SED_BREAKERS), None)
        if bad is not None:
            chars = " ".join(repr(c) for c in SED_BREAKERS if c in text)
            raise Refused(CHARACTER, f"{chars}: {SED_HELP}",
                          "remove the character (a URL cannot be given here)", bad)
        glob = next((i for i, ch in enumerate(text) if ch in SED_GLOBS), None)
        if glob is not None:
            return Parsed(text, (note(GLOB, GLOB_HELP,
                                      "avoid '*', '?', '[' and '{' in this value", glob),))
        return Parsed(text)


def _sed_text() -> SedValue:
    return SedValue()


class Ganglia(Section):
    """Writes the gmond configuration from its template (docs/guest.md §3.11).

    The guest fills ``/etc/gmond.conf`` from ``/etc/gmond.conf.cernvm``: each key replaces its
    ``@key@`` placeholder in the template. Keys and guest defaults:
    ``name`` (CernVM), ``owner``, ``latlong``, ``url`` and ``location`` (unknown), ``host``
    (localhost), ``bind_hostname`` (yes), ``port`` (8649), ``ttl`` (1).

    Gotchas: the guest builds **one unquoted shell command**,
    ``sed -e s/@name@/<value>/g ... /etc/gmond.conf.cernvm > /etc/gmond.conf``. A value with a
    ``/`` (so any URL), a space or a shell metacharacter breaks it, and ``/etc/gmond.conf`` is
    then left empty **[inference, from the shell semantics]**; cvmctx refuses such a value
    (a glob character such as ``*`` gets a warning). The plugin runs whenever it is enabled,
    even without a ``[ganglia]`` section.
    """

    SECTION: ClassVar[str] = "ganglia"
    PLUGINS: ClassVar[tuple[str, ...]] = ("ganglia",)

    name: Annotated[str | None, _sed_text()] = guest_key(
        "name", "Cluster name.", default="CernVM"
    )
    owner: Annotated[str | None, _sed_text()] = guest_key(
        "owner", "Cluster owner.", default="unknown"
    )
    latlong: Annotated[str | None, _sed_text()] = guest_key(
        "latlong", "Latitude and longitude of the cluster.", default="unknown"
    )
    url: Annotated[str | None, _sed_text()] = guest_key(
        "url", "Cluster URL; a '/' breaks the guest's sed command.", default="unknown"
    )
    location: Annotated[str | None, _sed_text()] = guest_key(
        "location", "Host location.", default="unknown"
    )
    host: Annotated[str | None, _sed_text()] = guest_key(
        "host", "Host gmond sends to.", default="localhost"
    )
    bind_hostname: Annotated[bool | None, ConfuseBool(what="gmond")] = guest_key(
        "bind_hostname", "Bind to the host name: yes or no (gmond also takes true/false, on/off).",
        default="yes",
    )
    port: Annotated[int | None, Integer(minimum=1)] = guest_key(
        "port", "gmond port.", default="8649"
    )
    ttl: Annotated[int | None, Integer()] = guest_key("ttl", "Multicast TTL.", default="1")
