"""Checks across sections: is each section's plugin enabled, are the enabled plugins real,
what enabled plugins do without their section, and what needs EC2 meta-data.

A plain list of functions (as validate-pyproject does), each taking the loaded context and the
raw one (for line numbers) and returning findings. :func:`check_for_cd` holds the checks that
apply only when the user data comes from a context CD (an ISO or a context.sh).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cvmctx.catalog import plugins as plugins_codes
from cvmctx.diagnostics import Diagnostic
from cvmctx.limits import PER_CODE
from cvmctx.model.plugins import DEFAULT_ENABLED, amiconfig_fails, enabled_in
from cvmctx.model.sections import plugin_sections
from cvmctx.model.sections._base import Section
from cvmctx.model.sections.amiconfig import Amiconfig, flawed, shown
from cvmctx.suggest import closest

if TYPE_CHECKING:
    from cvmctx.model.context import Context, RawContext


def _amiconfig(context: Context) -> Amiconfig:
    section = context.section("amiconfig")
    return section if isinstance(section, Amiconfig) else Amiconfig()


#: Plugins the guest runs whether or not they are enabled (``amiconfig -f hepix``, §3.22).
ALWAYS_RUN: frozenset[str] = frozenset({"hepix"})

#: Plugins that do nothing without their section (they return, or abort, with no keys).
IDLE_WITHOUT_SECTION: frozenset[str] = frozenset(
    {"dnsupdate", "noip", "openvpn", "nss", "amildap", "ldap", "yp", "vaf-setup", "tcpbuffers"}
)

#: Plugins that run with their defaults when their section is absent (§2, §3.9-§3.18).
DEFAULTS_WITHOUT_SECTION: dict[str, str] = {
    "squid": "configures and starts squid with a 50000 MB cache in /var/spool/squid",
    "ganglia": "writes /etc/gmond.conf from its template with the defaults (cluster CernVM)",
    "workqueue": "starts a Work Queue catalog server on this machine",
    "cernvm": "writes its defaults (shell /bin/bash, auto_login off) to /etc/cernvm/site.conf",
}


def _line(raw: RawContext | None, section: str, key: str | None = None) -> int | None:
    if raw is None:
        return None
    if key is not None:
        entry = raw.sections.get(section, {}).get(key)
        if entry is not None and entry.line is not None:
            return entry.line
    return raw.header_lines.get(section)


def sections_enabled(context: Context, raw: RawContext) -> list[Diagnostic]:
    """A section whose plugin the guest does not run is ignored (guest-format.md §2)."""
    if amiconfig_fails(context):
        return []  # nothing runs at all: ini.section-case says why
    ami = _amiconfig(context)
    on = enabled_in(context)
    found: list[Diagnostic] = []
    for section in context.sections:
        if not isinstance(section, Section) or not section.PLUGINS or not section.HAS_SECTION:
            continue
        if on & set(section.PLUGINS) or ALWAYS_RUN & set(section.PLUGINS):
            continue
        name = section.SECTION
        plugin = section.PLUGINS[0]
        why = (
            " (the seed says cernvm is on by default, but the guest's default.cfg enables only "
            "rootsshkeys)"
            if name == "cernvm"
            else ""
        )
        if ami.disabled_plugins and plugin in ami.disabled_plugins:
            why = " (it is in disabled_plugins)"
        found.append(
            plugins_codes.PLUGIN_NOT_ENABLED.finding(
                f"the guest ignores [{name}]: plugin '{plugin}' is not enabled{why}",
                path=name,
                line=_line(raw, name),
                column=1,
                hint=f"add '{plugin}' to [amiconfig] plugins (cvmctx build does this by default)",
            )
        )
    return found


def plugins_known(context: Context, raw: RawContext) -> list[Diagnostic]:
    """Names in the plugin lists that no guest plugin has, and plugins both enabled and
    disabled. A name no plugin can have (a comma, a Unicode space inside) is already an error
    of the [amiconfig] model."""
    ami = _amiconfig(context)
    found = [
        *_unknown_names(context, raw, "plugins", ami.plugins),
        *_unknown_names(context, raw, "disabled_plugins", ami.disabled_plugins),
    ]
    both = sorted(set(ami.plugins or ()) & set(ami.disabled_plugins or ()))
    for name in both:
        found.append(
            plugins_codes.AMICONFIG_PLUGINS_ALSO_DISABLED.finding(
                f"'{shown(name)}' is both in plugins and in disabled_plugins: the guest "
                "disables it",
                path="amiconfig.disabled_plugins",
                line=_line(raw, "amiconfig", "disabled_plugins"),
                column=1,
                hint=f"remove '{shown(name)}' from one of the lists",
            )
        )
    gone = sorted(DEFAULT_ENABLED & set(ami.disabled_plugins or ()))
    for name in gone:
        found.append(
            plugins_codes.AMICONFIG_DEFAULT_DISABLED.finding(
                f"'{name}' is on by default and disabled here: no root ssh key is installed",
                path="amiconfig.disabled_plugins",
                line=_line(raw, "amiconfig", "disabled_plugins"),
                column=1,
            )
        )
    return found


def _unknown_names(
    context: Context, raw: RawContext, key: str, names: tuple[str, ...] | None
) -> list[Diagnostic]:
    known = plugin_sections()
    if key == "plugins":
        code, effect = plugins_codes.AMICONFIG_PLUGINS_UNKNOWN, ""
    else:
        code = plugins_codes.AMICONFIG_DISABLED_PLUGINS_UNKNOWN
        effect = ", so disabling it does nothing"
    site_sections = {s.SECTION for s in context.sections if not isinstance(s, Section)}
    line = _line(raw, "amiconfig", key)
    found: list[Diagnostic] = []
    choices = sorted(known)
    for name in names or ():
        if name in known or name in site_sections or flawed(name):
            continue
        # no did-you-mean past the findings a report shows (a fuzzy match each)
        close = closest(name, choices) if len(found) < PER_CODE else None
        found.append(
            code.finding(
                f"no CernVM plugin is called '{shown(name)}'{effect}"
                + (f"; did you mean '{close}'?" if close else " (fine for a site plugin)"),
                path=f"amiconfig.{key}",
                line=line,
                column=1,
                hint=f"write '{close}'" if close else "check the plugin name",
            )
        )
    return found


def plugins_without_section(context: Context, raw: RawContext) -> list[Diagnostic]:
    """An enabled plugin whose section is absent does nothing, or runs with its defaults (§2)."""
    on = enabled_in(context)
    present = {s.SECTION for s in context.sections}
    line = _line(raw, "amiconfig", "plugins")
    found: list[Diagnostic] = []
    for plugin in sorted(on & set(plugin_sections())):
        info = plugin_sections()[plugin]
        if not info.has_section or info.name in present:
            continue
        if plugin in IDLE_WITHOUT_SECTION:
            found.append(
                plugins_codes.PLUGIN_NO_SECTION.finding(
                    f"plugin '{plugin}' is enabled but there is no [{info.name}] section: "
                    "without its keys the guest's plugin does nothing",
                    path="amiconfig.plugins",
                    line=line,
                    column=1,
                    hint=f"add the [{info.name}] section, or remove '{plugin}' from plugins",
                )
            )
        elif plugin in DEFAULTS_WITHOUT_SECTION:
            found.append(
                plugins_codes.PLUGIN_RUNS_WITHOUT_SECTION.finding(
                    f"plugin '{plugin}' is enabled with no [{info.name}] section: the guest "
                    f"still runs it and it {DEFAULTS_WITHOUT_SECTION[plugin]}",
                    path="amiconfig.plugins",
                    line=line,
                    column=1,
                    hint=f"add a [{info.name}] section to set its keys",
                )
            )
    return found


def hostname_order(context: Context, raw: RawContext) -> list[Diagnostic]:
    """[condor] and [hostname] both set the host name; the guest runs condor first (§2, §3.10)."""
    on = enabled_in(context)
    condor = context.section("condor")
    host = context.section("hostname")
    if condor is None or host is None:
        return []  # the models are built (and imported) only for sections a file has
    from cvmctx.model.sections.condor import Condor
    from cvmctx.model.sections.hostname import Hostname

    if not isinstance(condor, Condor) or not isinstance(host, Hostname):
        return []
    if not {"condor", "hostname"} <= on or host.hostname is None:
        return []
    if condor.hostname is not None and condor.hostname != host.hostname:
        return [
            plugins_codes.HOSTNAME_CONFLICT.finding(
                "[condor] hostname and [hostname] hostname differ: the guest sets both, condor "
                "first, so condor is configured with one name and the machine ends up with "
                "the other",
                path="hostname.hostname",
                line=_line(raw, "hostname", "hostname"),
                column=1,
                hint="set the same host name in both, or only in one of them",
            )
        ]
    if condor.hostname is None and condor.condor_master is None:
        return [
            plugins_codes.CONDOR_BEFORE_HOSTNAME.finding(
                "the guest runs the condor plugin before the hostname plugin, so this central "
                "manager's CONDOR_HOST is the host name from before [hostname] sets it "
                "(plugin order as simulated, not verified on a guest)",
                path="condor",
                line=_line(raw, "condor"),
                column=1,
                hint="set the same name in [condor] hostname as well",
            )
        ]
    return []


RULES: list[Callable[[Context, RawContext], list[Diagnostic]]] = [
    sections_enabled,
    plugins_known,
    plugins_without_section,
    hostname_order,
]


def check_context(context: Context, raw: RawContext) -> list[Diagnostic]:
    return [d for rule in RULES for d in rule(context, raw)]


def check_for_cd(context: Context, raw: RawContext | None = None) -> list[Diagnostic]:
    """Findings that hold only when the user data comes from a context CD (guest-format.md §4).

    A context CD gives the guest user data and, at most, root's ssh key: amiconfig then reads
    meta-data from ``file:/var/lib/amiconfig/2007-12-15/meta-data/``, where nothing else exists
    (§1.2). Plugins that need EC2 meta-data fail or do nothing there. ``raw`` (optional) gives
    the findings their lines.
    """
    on = enabled_in(context)
    plugins_line = _line(raw, "amiconfig", "plugins")
    checks = (_dnsupdate_on_cd, _storage_on_cd, _noip_on_cd, _hostname_on_cd)
    found = (check(context, raw, on, plugins_line) for check in checks)
    return [f for f in found if f is not None]


def _dnsupdate_on_cd(
    context: Context, raw: RawContext | None, on: set[str], plugins_line: int | None
) -> Diagnostic | None:
    if "dnsupdate" not in on or context.section("dnsupdate") is None:
        return None
    return plugins_codes.DNSUPDATE_CONTEXT_CD.finding(
        "[dnsupdate] needs EC2 meta-data (public-ipv4, instance-id), which a context "
        "CD does not provide: the guest's dnsupdate plugin fails and DNS is not updated",
        path="dnsupdate",
        line=_line(raw, "dnsupdate"),
        column=1,
        hint="update DNS from the #! script, or use the cloud's meta-data service "
        "instead of a context CD",
    )


def _storage_on_cd(
    context: Context, raw: RawContext | None, on: set[str], plugins_line: int | None
) -> Diagnostic | None:
    if "storage" not in on:
        return None
    return plugins_codes.STORAGE_CONTEXT_CD.finding(
        "the storage plugin needs EC2 meta-data (block-device-mapping), which a context "
        "CD does not provide: the guest's plugin returns and does nothing (no swap, no "
        "ephemeral disks, no relocate-paths)",
        path="storage",
        line=_line(raw, "storage") or plugins_line,
        column=1,
        hint="set up disks and swap from the #! script, or remove [storage]",
    )


def _noip_on_cd(
    context: Context, raw: RawContext | None, on: set[str], plugins_line: int | None
) -> Diagnostic | None:
    noip = context.section("noip")
    if "noip" not in on or noip is None:
        return None
    from cvmctx.model.sections.noip import Noip  # built already: the file has [noip]

    if not isinstance(noip, Noip) or noip.hostname is not None:
        return None
    if noip.prefix is None and noip.start is None:
        return None
    return plugins_codes.NOIP_CONTEXT_CD.finding(
        "without 'hostname' [noip] builds the name from the meta-data launch index, "
        "which a context CD does not provide: the guest's noip plugin fails",
        path="noip",
        line=_line(raw, "noip"),
        column=1,
        hint="set 'hostname' to the full No-IP host name",
    )


def _hostname_on_cd(
    context: Context, raw: RawContext | None, on: set[str], plugins_line: int | None
) -> Diagnostic | None:
    host = context.section("hostname")
    if "hostname" not in on:
        return None
    if host is not None:
        from cvmctx.model.sections.hostname import Hostname  # built already: the file has it

        if isinstance(host, Hostname) and host.hostname is not None:
            return None
    return plugins_codes.HOSTNAME_CONTEXT_CD.finding(
        "without a 'hostname' key the hostname plugin takes meta-data local-hostname, "
        "which a context CD does not provide: the guest's plugin fails and the host "
        "name is not set",
        path="hostname",
        line=_line(raw, "hostname") or plugins_line,
        column=1,
        hint="set [hostname] hostname",
    )
