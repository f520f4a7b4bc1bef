"""[rpath]: the rPath appliance plugins of CernVM 2 (removed from CernVM's amiconfig)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from cvmctx.catalog import plugins as plugins_codes
from cvmctx.catalog.code import Code
from cvmctx.model.codecs.scalars import Text, Url
from cvmctx.model.sections._base import Section, guest_key


class Rpath(Section):
    """rPath appliance settings, read only by CernVM 2-era images (docs/guest.md §3.23).

    These rPath plugins were removed from CernVM's amiconfig on 2013-10-01; on CernVM 3 and
    later no plugin reads ``[rpath]``. On older images:

    - ``rapadminpassword`` reads ``rap-password``: it needs ``/etc/raa/prod.cfg`` and replaces
      ``defaults.initialAdminPassword="password"`` with the password inside double quotes, so a
      ``"`` in the password is refused. The password is plain text in the user data.
    - ``conaryproxy`` reads ``conaryproxy`` and appends ``conaryProxy http <url>`` and
      ``conaryProxy https <url with http -> https>`` to ``/etc/conary/config.d/amiconfig``.
    - ``rapcert`` reads ``rapcert``, the URL of ``/etc/ssl/pem/raa.pem``; ``raprsakey`` reads
      the URLs ``rappublickey`` and ``rapprivatekey``.

    For CernVM 3 and later, set the appliance password with ``[appliance-agent] password``.
    """

    SECTION: ClassVar[str] = "rpath"
    PLUGINS: ClassVar[tuple[str, ...]] = ("rapadminpassword", "conaryproxy", "rapcert", "raprsakey")
    GUEST_WARNING: ClassVar[tuple[Code, str] | None] = (
        plugins_codes.RPATH_REMOVED,
        "the rPath plugins reading [rpath] were removed from CernVM's amiconfig on 2013-10-01: "
        "on CernVM 3 and later no plugin reads [rpath] (use [appliance-agent] password)",
    )

    rap_password: Annotated[
        str | None,
        Text(
            forbid='"',
            forbid_help="the guest writes the password inside double quotes in "
            "/etc/raa/prod.cfg, so a '\"' ends it early",
            name_chars=False,
        ),
    ] = guest_key("rap-password", "rPath Appliance Agent admin password (plain text).", secret=True)
    conaryproxy: Annotated[str | None, Url()] = guest_key(
        "conaryproxy", "Conary proxy URL, e.g. http://proxy.example.org:3128."
    )
    rapcert: Annotated[str | None, Url()] = guest_key(
        "rapcert", "URL of the appliance agent's certificate (raa.pem)."
    )
    rappublickey: Annotated[str | None, Url()] = guest_key(
        "rappublickey", "URL of the appliance agent's RSA public key."
    )
    rapprivatekey: Annotated[str | None, Url()] = guest_key(
        "rapprivatekey", "URL of the appliance agent's RSA private key."
    )
