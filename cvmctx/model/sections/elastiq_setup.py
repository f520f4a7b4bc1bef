"""[elastiq-setup]: elastiq's configuration file and CA bundle."""

from __future__ import annotations

from typing import Annotated, ClassVar

from cvmctx.model.codecs.blobs import Base64Blob
from cvmctx.model.sections._base import Section, guest_key


class ElastiqSetup(Section):
    """Writes ``/etc/elastiq.conf`` and the boto CA bundle (docs/guest.md §3.20).

    Every other key ``<section>_<key>`` is split at the **first** ``_`` and becomes
    ``[<section>] <key> = <value>`` in ``/etc/elastiq.conf`` (owner elastiq, mode 0660):
    ``ec2_api_url = https://...`` gives ``[ec2] api_url``. So an elastiq section name cannot
    contain ``_``: ``quota_min_vms`` is ``[quota] min_vms``. A key without ``_`` is not read.

    ``cacerts_b64`` is a base64 PEM bundle appended to ``/etc/boto_cacerts.txt``; give the file
    (``--set elastiq-setup.cacerts_b64=@ca.pem``) and cvmctx encodes it. ``/etc/boto.cfg`` is
    written too. If ``/var/lib/amiconfig/scalable.user-data`` exists on the guest, it is added
    base64-encoded as ``[ec2] user_data_b64``.

    The plugin needs Python 2.6 or later (``except ... as e``): CernVM 2 cannot load it.
    """

    SECTION: ClassVar[str] = "elastiq-setup"
    PLUGINS: ClassVar[tuple[str, ...]] = ("elastiq-setup",)
    PATTERN_KEYS: ClassVar[str | None] = r"[^_]+_.+"
    PATTERN_HELP: ClassVar[str] = (
        "'<section>_<key>' keys, split at the first '_' into [<section>] <key> of /etc/elastiq.conf"
    )

    cacerts_b64: Annotated[str | None, Base64Blob(pem=True, what="a PEM CA bundle")] = guest_key(
        "cacerts_b64", "CA certificates (PEM), single-line base64; give the file."
    )
