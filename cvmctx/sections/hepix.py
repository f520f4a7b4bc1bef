"""[hepix]: the HEPiX site context tarball."""

from __future__ import annotations

from typing import Annotated, ClassVar

from cvmctx.sections._base import Section, guest_key
from cvmctx.sections._more_types import NoEffect
from cvmctx.sections._types import Text


class Hepix(Section):
    """Fetches and applies a HEPiX site context tarball (guest-format.md §3.22).

    The plugin runs ``site_context``, which downloads the tarball ``context`` (default
    ``default.tgz``) from ``https://169.254.169.254/context/<name>`` with ``curl -k``, untars it
    into ``/var/lib/hepix/context``, sources ``init.sh`` and ``context.sh``, and runs
    ``prolog.sh start`` unless ``/etc/contextdone`` exists.

    It always runs (``amiconfig.sh hepix`` forces it with ``amiconfig -f hepix``), whether or
    not it is in ``[amiconfig] plugins``.

    Gotcha: ``requiressl`` (default ``no``) has no effect. Because of a bug (the script compares
    the literal string ``requiressl``), the guest always uses https.
    """

    SECTION: ClassVar[str] = "hepix"
    PLUGINS: ClassVar[tuple[str, ...]] = ("hepix",)

    context: Annotated[
        str | None,
        Text(forbid=" \t?#", forbid_help="the guest puts the name into a URL for curl"),
    ] = guest_key("context", "Name of the context tarball to fetch.", default="default.tgz")
    requiressl: Annotated[
        str | None,
        NoEffect(
            message="requiressl has no effect: because of a bug in site_context the guest "
            "always fetches the context over https (curl -k), whatever this says",
            hint="remove it; the guest uses https anyway",
        ),
    ] = guest_key("requiressl", "Ignored by the guest (bug): it always uses https.", default="no")
