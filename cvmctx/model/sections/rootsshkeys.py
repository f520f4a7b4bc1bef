"""rootsshkeys: installs root's ssh key; reads no section."""

from __future__ import annotations

from typing import ClassVar

from cvmctx.catalog import plugins as plugins_codes
from cvmctx.catalog.code import Code
from cvmctx.model.sections._base import Section


class RootSshKeys(Section):
    """Installs root's ssh public key; the plugin reads no section (docs/guest.md §3.2).

    It is the one plugin the guest enables by default. The key comes from the meta-data
    ``public-keys/0/openssh-key`` under ``AMICONFIG_CONTEXT_URL``, never from user data: on a
    context CD, ``context.sh``'s ``ROOT_PUBKEY=root.pub`` (a file on the CD) or ``PUBLIC_KEY``
    (the key text) produce that file (§4); CernVM Online sends it as base64 (§5.4). The plugin
    creates ``/root/.ssh`` (mode 0700) and appends the key to ``/root/.ssh/authorized_keys``
    unless the same line is already there. It writes the key as is, without adding a newline,
    so give the key file a trailing newline. Without a key it does nothing.

    A ``[rootsshkeys]`` section is ignored by the guest: cvmctx warns and writes nothing for it.
    ``[amiconfig] disabled_plugins = rootsshkeys`` turns the plugin off.
    """

    SECTION: ClassVar[str] = "rootsshkeys"
    PLUGINS: ClassVar[tuple[str, ...]] = ("rootsshkeys",)
    HAS_SECTION: ClassVar[bool] = False
    GUEST_WARNING: ClassVar[tuple[Code, str] | None] = (
        plugins_codes.SECTION_NOT_READ,
        "rootsshkeys reads no section: the key comes from meta-data / the context CD's "
        "root.pub, so the guest ignores [rootsshkeys]",
    )
