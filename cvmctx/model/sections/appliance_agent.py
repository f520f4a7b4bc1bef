"""[appliance-agent]: the CernVM appliance agent's admin password."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar

from cvmctx.catalog.values import ONE_ARGUMENT
from cvmctx.model.codecs.core import Parsed, note
from cvmctx.model.codecs.scalars import Text
from cvmctx.model.sections._base import Section, guest_key


@dataclass(frozen=True)
class HtpasswdPassword(Text):
    """The password the guest hands to ``htpasswd -mb`` inside one argument string (§3.19)."""

    def parse(self, text: str) -> Parsed[str]:
        parsed = super().parse(text)
        found = note(ONE_ARGUMENT, "the guest passes '<file> admin "
                    "<password>' to htpasswd -mb as ONE argument instead of three, so htpasswd "
                    "most likely fails and the password is not set [inference]",
                    "set the password from the #! script: htpasswd -mb FILE admin PASSWORD")
        return Parsed(parsed.value, (*parsed.notes, found))


class ApplianceAgent(Section):
    """Sets the admin password of the CernVM appliance agent (docs/guest.md §3.19).

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

    password: Annotated[str | None, HtpasswdPassword()] = guest_key(
        "password", "Admin password of the appliance agent web interface.", secret=True
    )
