"""disablesshpasswdauth: turns off ssh password logins; reads no section."""

from __future__ import annotations

from typing import ClassVar

from cvmctx.catalog import plugins as plugins_codes
from cvmctx.catalog.code import Code
from cvmctx.model.sections._base import Section


class DisableSshPasswdAuth(Section):
    """Turns off ssh password authentication; the plugin reads no section (docs/guest.md §3.3).

    Not enabled by default: enable it with ``[amiconfig] plugins = disablesshpasswdauth``
    (``cvmctx build --section disablesshpasswdauth``). It rewrites ``/etc/ssh/sshd_config``:
    the first line matching ``PasswordAuthentication yes|no`` (commented lines included) becomes
    ``PasswordAuthentication no`` and later matches are commented out. It does not restart
    sshd. **[inference]** sshd starts after amiconfig during boot, so the change normally holds
    from the first boot on; it only waits for a restart when the plugin runs again later.

    A ``[disablesshpasswdauth]`` section is ignored by the guest: cvmctx warns and writes
    nothing for it.
    """

    SECTION: ClassVar[str] = "disablesshpasswdauth"
    PLUGINS: ClassVar[tuple[str, ...]] = ("disablesshpasswdauth",)
    HAS_SECTION: ClassVar[bool] = False
    GUEST_WARNING: ClassVar[tuple[Code, str] | None] = (
        plugins_codes.SECTION_NOT_READ,
        "disablesshpasswdauth reads no section: it only needs to be enabled in [amiconfig] "
        "plugins, so the guest ignores [disablesshpasswdauth]",
    )
