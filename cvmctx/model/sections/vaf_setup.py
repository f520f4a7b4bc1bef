"""[vaf-setup]: Virtual Analysis Facility node setup."""

from __future__ import annotations

from typing import Annotated, ClassVar

from cvmctx.catalog import plugins as plugins_codes
from cvmctx.diagnostics import Diagnostic
from cvmctx.model.codecs.scalars import Choice, Integer, Text
from cvmctx.model.sections._base import Section, guest_key


class VafSetup(Section):
    """Sets up a Virtual Analysis Facility (VAF) node (docs/guest.md §3.21).

    - ``node_type``: ``master`` makes the master; any other value a worker.
    - ``auth_method``: ``pool_users`` or ``alice_ldap``; anything else (or nothing) makes the
      plugin abort.
    - ``num_pool_accounts``: a number of at least 2, required with ``pool_users``.
    - ``client_settings``: a settings group such as ``alice``; the keys
      ``<client_settings>_*`` (``alice_storage``...) are read for it, other ``*_*`` keys are not.

    The plugin needs Python 2.6 or later (``except ... as e``): CernVM 2 cannot load it.
    CernVM Online calls this group ``vaf_setup``; the section is ``[vaf-setup]``.
    """

    SECTION: ClassVar[str] = "vaf-setup"
    PLUGINS: ClassVar[tuple[str, ...]] = ("vaf-setup",)
    PATTERN_KEYS: ClassVar[str | None] = r"[^_]+_.+"
    PATTERN_HELP: ClassVar[str] = "'<client_settings>_<key>' keys, e.g. alice_storage"

    node_type: Annotated[
        str | None,
        Choice(("master",), open=True, otherwise=" (any other value makes a worker node)"),
    ] = guest_key("node_type", "'master' for the master node; anything else for a worker.")
    auth_method: Annotated[
        str | None,
        Choice(("pool_users", "alice_ldap"), otherwise=": any other value makes the plugin abort"),
    ] = guest_key("auth_method", "pool_users or alice_ldap.")
    num_pool_accounts: Annotated[int | None, Integer(minimum=2)] = guest_key(
        "num_pool_accounts", "Number of pool accounts (at least 2); required for pool_users."
    )
    client_settings: Annotated[
        str | None,
        Text(pattern=r"[A-Za-z0-9-]+", pattern_help="a name without '_', e.g. alice"),
    ] = guest_key("client_settings", "Client settings group; its keys are <name>_<key>.")

    def check(self) -> list[Diagnostic]:
        found = self.require(
            "auth_method",
            consequence="the plugin aborts unless auth_method is pool_users or alice_ldap",
        )
        if self.auth_method == "pool_users":
            found.extend(
                self.require(
                    "num_pool_accounts",
                    consequence="auth_method = pool_users needs the number of pool accounts",
                )
            )
        prefix = f"{self.client_settings}_" if self.client_settings is not None else None
        for key in sorted(self.other):
            if prefix is not None and key.startswith(prefix):
                continue
            why = (
                f"it does not start with '{prefix}' (client_settings)"
                if prefix is not None
                else "'client_settings' is not set"
            )
            found.append(
                plugins_codes.VAF_SETUP_KEY_IGNORED.finding(
                    f"the guest reads '<client_settings>_*' keys only: '{key}' is ignored, "
                    f"since {why}",
                    path=f"vaf-setup.{key}",
                    hint="set client_settings to the key's prefix, or remove the key",
                )
            )
        return found
