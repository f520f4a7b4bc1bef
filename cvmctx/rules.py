"""Checks across sections: is each section's plugin enabled, are the enabled plugins real.

A plain list of functions (as validate-pyproject does), each taking the loaded context and the
raw one (for line numbers) and returning findings.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import TYPE_CHECKING

from cvmctx.diagnostics import Diagnostic, info, warning
from cvmctx.plugins import DEFAULT_ENABLED, enabled, plugin_sections
from cvmctx.sections._base import Section
from cvmctx.sections.amiconfig import Amiconfig

if TYPE_CHECKING:
    from cvmctx.context import Context, RawContext


def _amiconfig(context: Context) -> Amiconfig:
    section = context.section("amiconfig")
    return section if isinstance(section, Amiconfig) else Amiconfig()


def _line(raw: RawContext, section: str, key: str | None = None) -> int | None:
    if key is not None:
        entry = raw.sections.get(section, {}).get(key)
        if entry is not None and entry.line is not None:
            return entry.line
    return raw.header_lines.get(section)


def sections_enabled(context: Context, raw: RawContext) -> list[Diagnostic]:
    """A section whose plugin the guest does not run is ignored (guest-format.md §2)."""
    ami = _amiconfig(context)
    on = enabled(ami.plugins, ami.disabled_plugins)
    found: list[Diagnostic] = []
    for section in context.sections:
        if not isinstance(section, Section) or not section.PLUGINS or not section.HAS_SECTION:
            continue
        if on & set(section.PLUGINS):
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
            warning(
                "plugin.not-enabled",
                f"the guest ignores [{name}]: plugin '{plugin}' is not enabled{why}",
                path=name,
                line=_line(raw, name),
                column=1,
                hint=f"add '{plugin}' to [amiconfig] plugins (cvmctx build does this by default)",
            )
        )
    return found


def plugins_known(context: Context, raw: RawContext) -> list[Diagnostic]:
    """Names in ``plugins`` that no guest plugin has, and plugins both enabled and disabled."""
    ami = _amiconfig(context)
    known = plugin_sections()
    site_sections = {s.SECTION for s in context.sections if not isinstance(s, Section)}
    found: list[Diagnostic] = []
    line = _line(raw, "amiconfig", "plugins")
    for name in ami.plugins or ():
        if name in known or name in site_sections:
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
        found.append(
            warning(
                "amiconfig.plugins.unknown",
                f"no CernVM plugin is called '{name}'"
                + (f"; did you mean '{close[0]}'?" if close else " (fine for a site plugin)"),
                path="amiconfig.plugins",
                line=line,
                column=1,
                hint=f"write '{close[0]}'" if close else "check the plugin name",
            )
        )
    both = sorted(set(ami.plugins or ()) & set(ami.disabled_plugins or ()))
    for name in both:
        found.append(
            warning(
                "amiconfig.plugins.also-disabled",
                f"'{name}' is both in plugins and in disabled_plugins: the guest disables it",
                path="amiconfig.disabled_plugins",
                line=_line(raw, "amiconfig", "disabled_plugins"),
                column=1,
                hint=f"remove '{name}' from one of the lists",
            )
        )
    gone = sorted(DEFAULT_ENABLED & set(ami.disabled_plugins or ()))
    for name in gone:
        found.append(
            info(
                "amiconfig.default-disabled",
                f"'{name}' is on by default and disabled here: no root ssh key is installed",
                path="amiconfig.disabled_plugins",
                line=_line(raw, "amiconfig", "disabled_plugins"),
                column=1,
            )
        )
    return found


RULES: list[Callable[[Context, RawContext], list[Diagnostic]]] = [
    sections_enabled,
    plugins_known,
]


def check_context(context: Context, raw: RawContext) -> list[Diagnostic]:
    return [d for rule in RULES for d in rule(context, raw)]
