"""[workqueue]: Work Queue worker or catalog server."""

from __future__ import annotations

from typing import Annotated, ClassVar

from cvmctx.catalog import plugins as plugins_codes
from cvmctx.diagnostics import Diagnostic
from cvmctx.model.codecs.scalars import Text
from cvmctx.model.sections._base import Section, guest_key


class Workqueue(Section):
    """Sets up Work Queue workers, or a catalog server (docs/guest.md §3.18).

    With ``catalog_server`` the plugin writes ``CATALOG_SERVER=<value>:9097``, ``WQ_PROJECT``
    from ``workqueue_project``, ``WQ_USER`` from ``workqueue_user`` and ``WQ_WORKERS=<ncpu>``
    to ``/etc/workqueue.local``. Without it, it writes ``START_CATALOG_SERVER=yes`` only (the
    other keys are ignored). Then it adds and starts the workqueue service.

    Gotchas: the guest appends ``:9097`` itself, so ``catalog_server`` is a host name without
    a port. The plugin runs whenever it is enabled: an empty ``[workqueue]`` section (as in
    the docs) starts a catalog server.
    """

    SECTION: ClassVar[str] = "workqueue"
    PLUGINS: ClassVar[tuple[str, ...]] = ("workqueue",)

    catalog_server: Annotated[
        str | None,
        Text(
            forbid=":/",
            forbid_help="the guest appends ':9097' itself: write the host name "
            "only, without a port or URL",
        ),
    ] = guest_key("catalog_server", "Catalog server host; unset = run a catalog server here.")
    workqueue_project: Annotated[str | None, Text()] = guest_key(
        "workqueue_project", "Project name the workers serve (WQ_PROJECT)."
    )
    workqueue_user: Annotated[str | None, Text()] = guest_key(
        "workqueue_user", "User the workers run as (WQ_USER)."
    )

    def check(self) -> list[Diagnostic]:
        if self.catalog_server is not None:
            return []
        starts = plugins_codes.WORKQUEUE_STARTS_CATALOG_SERVER.finding(
            "without 'catalog_server' the guest starts a Work Queue catalog server on this "
            "machine (START_CATALOG_SERVER=yes) instead of workers",
            path="workqueue",
            hint="set 'catalog_server' to the catalog host for a worker",
        )
        return [starts] + [
            plugins_codes.WORKQUEUE_KEY_IGNORED.finding(
                f"without 'catalog_server' the guest only starts a catalog server: '{key}' is "
                "ignored",
                path=f"workqueue.{key}",
                hint=f"set 'catalog_server', or remove '{key}'",
            )
            for key in ("workqueue_project", "workqueue_user")
            if getattr(self, key) is not None
        ]
