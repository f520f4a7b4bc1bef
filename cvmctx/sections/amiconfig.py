"""[amiconfig]: which plugins run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, ClassVar

from cvmctx.sections._base import Section, guest_key
from cvmctx.sections._types import SpaceList


class Amiconfig(Section):
    """Turns amiconfig plugins on and off.

    The guest starts from the plugins its ``/etc/amiconfig/default.cfg`` enables (only
    ``rootsshkeys`` on CernVM), adds those named in ``plugins`` and removes those named in
    ``disabled_plugins``. Both lists are split on **whitespace only**: ``plugins = cernvm,condor``
    enables one plugin called ``cernvm,condor``, which does not exist (guest-format.md §2, §3.1).
    The seed's spelling ``disabed_plugins`` is not read by the guest; cvmctx reads it with a
    warning and writes ``disabled_plugins``. The order of names does not set the order plugins
    run in (the guest runs them in dictionary order).
    """

    SECTION: ClassVar[str] = "amiconfig"
    PLUGINS: ClassVar[tuple[str, ...]] = ()
    RENAMED: ClassVar[Mapping[str, tuple[str, str]]] = {
        "disabed_plugins": (
            "disabled_plugins",
            "the guest reads 'disabled_plugins'; 'disabed_plugins' (the seed's misspelling) is "
            "ignored on the guest, and cvmctx writes it as 'disabled_plugins'",
        )
    }

    plugins: Annotated[tuple[str, ...] | None, SpaceList()] = guest_key(
        "plugins", "Plugins to enable, separated by spaces (not commas)."
    )
    disabled_plugins: Annotated[tuple[str, ...] | None, SpaceList()] = guest_key(
        "disabled_plugins",
        "Plugins to disable, separated by spaces; can remove even the default rootsshkeys.",
    )
