"""Plugins: which section each reads, which the guest enables by default, which are enabled.

Derived from the section models (their ``PLUGINS``), so adding a section module is the only
step to teach cvmctx a plugin.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cvmctx.catalog import build as build_codes
from cvmctx.diagnostics import Diagnostic
from cvmctx.model.sections import REGISTRY
from cvmctx.model.sections._base import Entry
from cvmctx.model.sections.amiconfig import MISSPELLED_KEY, Amiconfig, guest_names

if TYPE_CHECKING:
    from cvmctx.model.context import Context, RawContext

#: What CernVM's /etc/amiconfig/default.cfg enables (guest-format.md §2): only rootsshkeys.
DEFAULT_ENABLED: frozenset[str] = frozenset({"rootsshkeys"})


def plugin_of(section: str) -> str | None:
    """The plugin that enabling ``section`` turns on (the first that reads it)."""
    info = REGISTRY.info(section)
    return info.plugins[0] if info is not None and info.plugins else None


def enabled(plugins: tuple[str, ...] | None, disabled: tuple[str, ...] | None) -> set[str]:
    """The guest's set: default.cfg's plugins, plus ``plugins``, minus ``disabled_plugins``.

    Both are names as the guest reads them (lower case; see
    :func:`cvmctx.model.sections.amiconfig.guest_names`), as the ``[amiconfig]`` model holds them.
    """
    return (set(DEFAULT_ENABLED) | set(plugins or ())) - set(disabled or ())


def amiconfig_fails(context: Context) -> bool:
    """Whether amiconfig stops before running any plugin: with ``[AMIConfig]`` (any case but
    the exact one) and no ``[amiconfig]``, ``getSection('amiconfig')`` raises KeyError in
    ``_getEnabledPlugins`` and nothing catches it (guest-format.md §2)."""
    return context.section("amiconfig") is None and "amiconfig" in context.lower_names


def enabled_in(context: Context) -> set[str]:
    """The plugins the guest's amiconfig runs for this user data (junk names included, as the
    guest holds them), or none at all when it stops first (:func:`amiconfig_fails`)."""
    if amiconfig_fails(context):
        return set()
    ami = context.section("amiconfig")
    if not isinstance(ami, Amiconfig):
        ami = Amiconfig()
    return enabled(ami.plugins, ami.disabled_plugins)


# ---------------------------------------------------------------------------- build


def refuse_misspelled(raw: RawContext) -> list[Diagnostic]:
    """``disabed_plugins`` (the seed's misspelling) is read by nothing on the guest (§2, §6.5).

    Writing it would ship a line that disables nothing; writing ``disabled_plugins`` instead
    would turn that no-op into an effect nobody asked for; dropping it would hide that what the
    user wrote does not happen. So build refuses it, and the user chooses.
    """
    entries = raw.sections.get("amiconfig")
    entry = entries.pop(MISSPELLED_KEY, None) if entries is not None else None
    if entry is None:
        return []
    names = " ".join(dict.fromkeys(guest_names(entry.value)))
    hint = (
        f"to disable them write 'disabled_plugins = {names}'; to keep them on, remove the line"
        if names
        else "remove the line"
    )
    return [
        build_codes.MISSPELLED_KEY.finding(
            f"'{MISSPELLED_KEY}' is the seed's misspelling of 'disabled_plugins': the guest "
            "reads nothing by that name, so it disables nothing (rootsshkeys stays on); cvmctx "
            "neither writes it nor guesses what you meant",
            path=f"amiconfig.{MISSPELLED_KEY}",
            line=entry.line,
            column=1 if entry.line is not None else None,
            hint=hint,
        )
    ]


def enable_section_plugins(raw: RawContext, requested: Sequence[str]) -> None:
    """Name every present section's plugin in [amiconfig] plugins (the seed's cernvm default
    is not the guest's: its default.cfg enables only rootsshkeys, guest-format.md §6.3).

    What is already enabled or disabled is read as the guest reads it (lower case, split on
    ASCII whitespace); the value written is left as it is, with the new names after it, so
    the model still judges every name the user wrote.
    """
    wanted: list[str] = []
    for name in [*raw.sections, *requested]:
        plugin = plugin_of(name)
        if plugin is not None and plugin not in wanted and name != "amiconfig":
            wanted.append(plugin)
    if not wanted:
        return
    entries = raw.ensure("amiconfig")
    current = entries.get("plugins")
    names = set(guest_names(current.value)) if current is not None else set()
    disabled_entry = entries.get("disabled_plugins")
    disabled = set(guest_names(disabled_entry.value)) if disabled_entry is not None else set()
    added = [p for p in wanted if p not in names and p not in disabled]
    if added:
        kept = current.value if current is not None else ""
        value = " ".join([kept, *added] if kept else added)
        line = current.line if current is not None else None
        column = current.column if current is not None else None
        entries["plugins"] = Entry("plugins", value, line, column)
    # [amiconfig] first, as the guest's readers and people expect it.
    raw.sections = {
        "amiconfig": entries,
        **{k: v for k, v in raw.sections.items() if k != "amiconfig"},
    }
