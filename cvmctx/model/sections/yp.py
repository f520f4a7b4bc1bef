"""[yp]: NIS (YP) client settings in /etc/yp.conf."""

from __future__ import annotations

from typing import Annotated, ClassVar

from cvmctx.catalog import plugins as plugins_codes
from cvmctx.diagnostics import Diagnostic
from cvmctx.model.codecs.scalars import Text
from cvmctx.model.sections._base import Section, guest_key

QUOTED = Text(
    forbid='"',
    forbid_help="the guest puts domain and server inside double quotes in /etc/yp.conf",
)


class Yp(Section):
    """Writes one NIS binding rule to ``/etc/yp.conf`` (docs/guest.md §3.14).

    Only the first matching rule applies:

    - ``ypserver`` gives ``ypserver <host>``;
    - ``server`` with ``domain`` gives ``domain "<domain> server <server>"``;
    - ``domain`` alone gives ``domain "<domain> broadcast"``.

    Gotchas: the guest writes the ``domain`` line **with literal double quotes** around the
    rest of the line, as shown; **[inference]** ypbind may not read that as intended, so
    ``ypserver`` is the safer key. ``/etc/yp.conf`` must already exist on the image.
    ``server`` without ``domain`` does nothing.
    """

    SECTION: ClassVar[str] = "yp"
    PLUGINS: ClassVar[tuple[str, ...]] = ("yp",)

    ypserver: Annotated[str | None, Text()] = guest_key(
        "ypserver", "NIS server: writes 'ypserver <host>'."
    )
    server: Annotated[str | None, QUOTED] = guest_key(
        "server", "NIS server for 'domain': writes 'domain \"<domain> server <server>\"'."
    )
    domain: Annotated[str | None, QUOTED] = guest_key(
        "domain", "NIS domain; alone it writes 'domain \"<domain> broadcast\"'."
    )

    def check(self) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        if self.ypserver is not None:
            ignored = [k for k in ("server", "domain") if getattr(self, k) is not None]
            found.extend(
                plugins_codes.YP_KEY_IGNORED.finding(
                    f"with 'ypserver' set the guest writes only 'ypserver <host>': '{key}' is "
                    "ignored (only the first matching rule applies)",
                    path=f"yp.{key}",
                    hint=f"remove '{key}' or 'ypserver'",
                )
                for key in ignored
            )
        elif self.domain is not None:
            found.append(
                plugins_codes.YP_DOMAIN_QUOTED_LINE.finding(
                    "the guest writes this rule with literal double quotes, domain \"<domain> "
                    "server <server>\" (or \"<domain> broadcast\"); ypbind may not read it as "
                    "intended [inference]",
                    path="yp.domain",
                    hint="write 'ypserver' instead, which gives a plain 'ypserver <host>' line",
                )
            )
        if self.ypserver is None and self.server is not None and self.domain is None:
            found.append(
                plugins_codes.YP_KEY_IGNORED.finding(
                    "the guest uses 'server' only together with 'domain': it is ignored",
                    path="yp.server",
                    hint="set 'domain' too, or write 'ypserver' instead",
                )
            )
        return found
