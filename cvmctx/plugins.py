"""Plugins: which section each reads, which the guest enables by default, which are enabled.

Derived from the section models (their ``PLUGINS``), so adding a section module is the only
step to teach cvmctx a plugin.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from cvmctx.sections import REGISTRY
from cvmctx.sections._base import Section

#: What CernVM's /etc/amiconfig/default.cfg enables (guest-format.md §2): only rootsshkeys.
DEFAULT_ENABLED: frozenset[str] = frozenset({"rootsshkeys"})


@cache
def plugin_sections() -> Mapping[str, type[Section]]:
    """Plugin name -> the model of the section it reads (or of the section-less plugin)."""
    return {plugin: cls for cls in REGISTRY.values() for plugin in cls.PLUGINS}


def plugin_of(section: str) -> str | None:
    """The plugin that enabling ``section`` turns on (the first that reads it)."""
    cls = REGISTRY.get(section)
    return cls.PLUGINS[0] if cls is not None and cls.PLUGINS else None


def enabled(plugins: tuple[str, ...] | None, disabled: tuple[str, ...] | None) -> set[str]:
    """The guest's set: default.cfg's plugins, plus ``plugins``, minus ``disabled_plugins``."""
    return (set(DEFAULT_ENABLED) | set(plugins or ())) - set(disabled or ())
