"""[appliance-agent]: the CernVM appliance agent's admin password."""

from __future__ import annotations

from typing import Annotated, ClassVar

from cvmctx.sections._base import Section, guest_key
from cvmctx.sections._types import Text


class ApplianceAgent(Section):
    """Sets the admin password of the CernVM appliance agent (guest-format.md §3.19).

    The plugin (its name has a hyphen: ``plugins = appliance-agent``) passes ``password`` to
    ``htpasswd -mb`` as **one** argument string (``"<file> admin <password>"``);
    **[inference]** htpasswd then probably fails. It then touches
    ``/var/lib/cernvm-appliance-agent/password_set`` and restarts the agent service.

    The password is plain text in the user data. CernVM Online's ``[cernvm_appliance]
    password`` is read by no plugin: use this section. From 2013-10-01 the plugin was briefly
    called ``appliance`` and read ``[rpath] rap-password``.
    """

    SECTION: ClassVar[str] = "appliance-agent"
    PLUGINS: ClassVar[tuple[str, ...]] = ("appliance-agent",)

    password: Annotated[str | None, Text()] = guest_key(
        "password", "Admin password of the appliance agent web interface.", secret=True
    )
