"""[cernvm]: the CernVM appliance settings (users, CVMFS, environment, proxy certificate); its
values are typed in :mod:`.cernvm_users` and :mod:`.cernvm_values`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, ClassVar

from cvmctx.catalog import plugins as plugins_codes
from cvmctx.diagnostics import Diagnostic
from cvmctx.model.codecs.blobs import Base64Blob
from cvmctx.model.codecs.flags import NoEffect
from cvmctx.model.codecs.lists import AbsolutePath, CommaList
from cvmctx.model.codecs.proxy import CvmfsProxy
from cvmctx.model.codecs.scalars import Choice, Integer, Text
from cvmctx.model.sections._base import Section, guest_key
from cvmctx.model.sections.cernvm_users import Shell, UserEntry, UserName, Users
from cvmctx.model.sections.cernvm_values import (
    REPO_RE,
    ContextCommand,
    ContextCommandCodec,
    EnvEntry,
    Environment,
    ExtraRepositories,
    ExtraRepository,
    SiteConfText,
    SwapSize,
)
from cvmctx.model.sections.hostname import HOSTNAME_RE

X509_FIX = "give the file (e.g. --x509-proxy FILE or key=@FILE) and let cvmctx encode it"
X509_ON_ERROR = (
    "; on a decode error the guest's cernvm plugin returns immediately, skipping every key "
    "after it (eos-*, desktop mode)"
)


class Cernvm(Section):
    """Configures the appliance: users, CVMFS, environment, proxy (docs/guest.md §3.9).

    The plugin writes most keys as raw ``KEY=value`` lines into ``/etc/cernvm/site.conf``,
    ``/etc/cvmfs/site.conf`` or ``/etc/cernvm/environment.conf``; init scripts read them back
    with ``eval`` after deleting every ``"``, so ``$``, backticks and ``\\`` in a value are
    interpreted by the shell (docs/guest.md §3.9). The plugin runs whenever it is enabled; it
    always writes ``shell`` (default ``/bin/bash``) and ``auto_login`` (default ``off``).

    Keys, in the order the guest handles them:

    - ``organisations`` and ``repositories``: lower-case ``,`` lists (CVMFS repositories).
      ``extra_repositories``: ``name|server|base64-public-key`` entries joined by ``,``; an
      entry without exactly three fields or with bad base64 is silently skipped.
    - ``screenres`` (``1280x800``), ``startxdm`` and ``auto_login`` (exactly ``on``/``off``),
      ``edition`` (only exactly ``Desktop`` turns on desktop mode), ``keyboard``,
      ``griduiversion``.
    - ``proxy``: ``CVMFS_HTTP_PROXY`` such as ``http://squid:3128;DIRECT``, no spaces: a
      space before ``;`` starts a comment on the guest (docs/guest.md §2).
    - ``services``: a ``,`` list started with ``service <name> start`` late in the boot.
    - ``environment``: ``NAME=value`` entries joined by ``,``; no ``,`` or ``=`` in a value.
      The guest matches names by prefix when writing them, so avoid names that start another
      (``CMS`` and ``CMS_ROOT``).
    - ``users``: ``user:group:password`` entries joined by ``,``, exactly three fields each:
      a bad entry stops the plugin, and no user after it is created. No ``:`` or ``,`` in a
      password. Only a ``$6$`` (SHA-512 crypt) hash is set as a hash; anything else is set as
      a plain-text password through an unquoted ``echo``; an empty password becomes a random
      one. The first user is the appliance user (and the default ``x509-user``/``eos-user``).
    - ``contextualization_command``: **one** ``user:/path/script.sh args``, run at the end of
      the boot as that user (lower-case letters only, uid >= 500, never root), not a list.
    - ``x509-cert``: base64 of a PEM proxy, written to ``/tmp/x509up_u<uid>`` of
      ``x509-user``. The guest's Python 2 decoder skips spaces between the groups and stops at
      the first ``=`` padding; cvmctx writes the value on one line without spaces.
      ``x509-cert-file`` names a file already on the guest. A ``x509-cert`` or
      ``eos-x509-cert`` that does not decode makes the plugin return at once, skipping the
      keys after it.
    - ``eos-server`` mounts EOS at ``/eos`` with ``eosfsd``; it needs a user (``eos-user`` or
      ``users``) and a proxy certificate (``x509-cert``, ``x509-cert-file`` or
      ``eos-x509-cert``).

    Gotchas: ``group_profile`` does nothing useful (``/etc/cernvm/config -g`` only prints its
    usage). ``config_url`` is not read. When ``users`` is set the guest's prefix matching
    replaces the ``CERNVM_USER_SHELL`` line of site.conf with ``CERNVM_USER`` (the users still
    get their shell). After all its work the plugin ends with an error (rc 2) from a broken
    ``service cernvm start`` call **[inference]**.
    """

    SECTION: ClassVar[str] = "cernvm"
    PLUGINS: ClassVar[tuple[str, ...]] = ("cernvm",)
    NOT_READ: ClassVar[Mapping[str, str]] = {
        "config_url": "no guest code reads config_url (the cernvm plugin has it commented "
        "out): no configuration is fetched",
    }

    group_profile: Annotated[
        str | None,
        NoEffect(
            message="the guest runs '/etc/cernvm/config -g <value>', but that script does not "
            "know -g: it prints its usage and exits, so no group profile is installed",
            hint="remove it; set organisations and repositories instead",
        ),
    ] = guest_key("group_profile", "Group profile to install; has no effect on the guest.")
    entitlement_key: Annotated[str | None, SiteConfText()] = guest_key(
        "entitlement_key", "CVMFS entitlement key (CVMFS_ENTITLEMENT_KEY).", secret=True
    )
    contextualization_key: Annotated[str | None, SiteConfText()] = guest_key(
        "contextualization_key",
        "CernVM Online pairing key, <context-id>[:<secret>].",
        secret=True,
    )
    contextualization_command: Annotated[ContextCommand | None, ContextCommandCodec()] = (
        guest_key(
            "contextualization_command",
            "One user:/path/script.sh args, run as that user (uid >= 500) at the end of boot.",
        )
    )
    organisations: Annotated[
        tuple[str, ...] | None,
        CommaList(lower=True, item_pattern=REPO_RE, item_help="an organisation name, e.g. cms"),
    ] = guest_key("organisations", "Organisations/experiments, ',' list, lower case.")
    repositories: Annotated[
        tuple[str, ...] | None,
        CommaList(lower=True, item_pattern=REPO_RE, item_help="a repository name, e.g. atlas"),
    ] = guest_key("repositories", "CVMFS repositories to mount, ',' list, lower case.")
    extra_repositories: Annotated[tuple[ExtraRepository, ...] | None, ExtraRepositories()] = (
        guest_key(
            "extra_repositories",
            "Extra CVMFS repositories: name|server|base64-public-key, ',' list.",
        )
    )
    screenres: Annotated[
        str | None,
        Text(pattern=r"[0-9]+x[0-9]+", pattern_help="WIDTHxHEIGHT, e.g. 1280x800"),
    ] = guest_key("screenres", "Screen resolution, e.g. 1280x800 (written screenRes).")
    startxdm: Annotated[
        str | None,
        Choice(("on", "off"), otherwise=" (CERNVM_START_XDM)"),
    ] = guest_key("startxdm", "Start the graphical login (XDM) at boot.")
    edition: Annotated[
        str | None,
        Choice(
            ("Desktop",),
            open=True,
            otherwise=": only exactly 'Desktop' turns on desktop mode (config -x, telinit 5)",
        ),
    ] = guest_key("edition", "CernVM edition; exactly 'Desktop' turns on desktop mode.")
    keyboard: Annotated[
        str | None,
        Text(pattern=r"[A-Za-z0-9_.-]+", pattern_help="a keyboard layout such as us"),
    ] = guest_key("keyboard", "Keyboard layout, e.g. us or us-acentos.")
    griduiversion: Annotated[
        str | None,
        Text(pattern=r"[A-Za-z0-9_.-]+", pattern_help="a grid UI version such as default"),
    ] = guest_key("griduiversion", "Grid UI version (written gridUiVersion).")
    proxy: Annotated[tuple[tuple[str, ...], ...] | None, CvmfsProxy()] = guest_key(
        "proxy", "CVMFS HTTP proxy, e.g. http://squid:3128;DIRECT (no spaces)."
    )
    services: Annotated[
        tuple[str, ...] | None,
        CommaList(item_pattern=r"[A-Za-z0-9@._-]+", item_help="a service name such as ntpd"),
    ] = guest_key("services", "Services to start at the end of boot, ',' list.")
    shell: Annotated[str | None, Shell()] = guest_key(
        "shell", "Login shell of the users: /bin/bash or /bin/tcsh.", default="/bin/bash"
    )
    auto_login: Annotated[
        str | None,
        Choice(("on", "off"), otherwise=" (CERNVM_AUTOLOGIN)"),
    ] = guest_key("auto_login", "Log the first user in to the desktop.", default="off")
    swap_size: Annotated[
        str | None,
        SwapSize(
            pattern=r"[0-9]+[mMgG]|auto", pattern_help="a size such as 512m or 2g, auto, or off"
        ),
    ] = guest_key(
        "swap_size", "Swap to create: a size like 1g/512m, auto (2 GB per core), or off (none)."
    )
    desktop_icons: Annotated[str | None, SiteConfText()] = guest_key(
        "desktop_icons", "Desktop icons to set up (CERNVM_DESKTOP_ICONS, then config -y)."
    )
    environment: Annotated[tuple[EnvEntry, ...] | None, Environment()] = guest_key(
        "environment", "Environment variables for logins: NAME=value, ',' list."
    )
    users: Annotated[tuple[UserEntry, ...] | None, Users()] = guest_key(
        "users", "Users to create: user:group:password, ',' list (empty password = random)."
    )
    x509_user: Annotated[str | None, UserName()] = guest_key(
        "x509-user", "Owner of the proxy certificate file.", default="first user, else root"
    )
    x509_cert_file: Annotated[
        str | None, AbsolutePath(what="a file on the guest", example_path="/tmp/x509up_u0")
    ] = guest_key("x509-cert-file", "Path ON THE GUEST of a proxy to copy to /tmp/x509up_u<uid>.")
    x509_cert: Annotated[
        str | None,
        Base64Blob(what="a PEM proxy certificate", on_error=X509_ON_ERROR, fix=X509_FIX),
    ] = guest_key(
        "x509-cert",
        "Proxy certificate, single-line base64 of the PEM (give the file: --x509-proxy).",
        secret=True,
    )
    eos_user: Annotated[str | None, UserName()] = guest_key(
        "eos-user", "User that mounts EOS.", default="first user"
    )
    eos_x509_cert: Annotated[
        str | None,
        Base64Blob(what="a PEM proxy certificate", on_error=X509_ON_ERROR),
    ] = guest_key(
        "eos-x509-cert", "Proxy certificate for EOS, single-line base64 of the PEM.", secret=True
    )
    eos_readaheadsize: Annotated[int | None, Integer()] = guest_key(
        "eos-readaheadsize", "EOS read-ahead size in bytes.", default="4000000"
    )
    eos_readcachesize: Annotated[int | None, Integer()] = guest_key(
        "eos-readcachesize", "EOS read cache size in bytes.", default="16000000"
    )
    eos_server: Annotated[
        str | None,
        Text(pattern=HOSTNAME_RE, pattern_help="an EOS host name such as eospublic.cern.ch"),
    ] = guest_key("eos-server", "EOS server to mount at /eos (root://<server>//eos/).")

    def check(self) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        user_names = {e.user for e in self.users or ()}
        command = self.contextualization_command
        if command is not None and command.user not in user_names:
            found.append(
                plugins_codes.CERNVM_CONTEXTUALIZATION_COMMAND_USER_NOT_CREATED.finding(
                    f"'{command.user}' is not created by 'users': the command runs only if "
                    "that user already exists on the image with a uid >= 500",
                    path="cernvm.contextualization_command",
                    hint=f"add {command.user}:<group>: to 'users'",
                )
            )
        found.extend(self._eos_findings())
        if self.x509_cert is not None and self.x509_cert_file is not None:
            found.append(
                plugins_codes.CERNVM_KEY_IGNORED.finding(
                    "x509-cert and x509-cert-file both write /tmp/x509up_u<uid>: the guest "
                    "copies x509-cert-file first and then overwrites it with x509-cert",
                    path="cernvm.x509-cert-file",
                    hint="keep one of them",
                )
            )
        return found

    def _eos_findings(self) -> list[Diagnostic]:
        """EOS needs a user (eos-user, else the first of users) and a proxy; its cache sizes
        do nothing without eos-server (docs/guest.md §3.9)."""
        found: list[Diagnostic] = []
        eos_user = self.eos_user or (self.users[0].user if self.users else None)
        if self.eos_x509_cert is not None and eos_user is None:
            found.append(
                plugins_codes.CERNVM_MISSING_KEY.finding(
                    "[cernvm] eos-x509-cert needs eos-user or users: without a user the "
                    "guest's cernvm plugin fails there and skips every key after it",
                    path="cernvm.eos-x509-cert",
                    hint="set eos-user, or users",
                )
            )
        if self.eos_server is not None:
            if eos_user is None:
                found.append(
                    plugins_codes.CERNVM_KEY_IGNORED.finding(
                        "eos-server needs eos-user or users: without a user the guest does "
                        "not mount EOS",
                        path="cernvm.eos-server",
                        hint="set eos-user, or users",
                    )
                )
            elif (self.x509_cert, self.x509_cert_file, self.eos_x509_cert) == (None,) * 3:
                found.append(
                    plugins_codes.CERNVM_MISSING_KEY.finding(
                        "[cernvm] eos-server needs a proxy certificate (x509-cert, "
                        "x509-cert-file or eos-x509-cert): without one the guest's cernvm "
                        "plugin fails while mounting EOS",
                        path="cernvm.eos-server",
                        hint="give the proxy: --x509-proxy FILE",
                    )
                )
        else:
            found.extend(
                plugins_codes.CERNVM_KEY_IGNORED.finding(
                    f"'{key}' is used only to mount EOS with eos-server: without eos-server "
                    "the guest ignores it",
                    path=f"cernvm.{key}",
                    hint=f"set eos-server, or remove '{key}'",
                )
                for key, value in (
                    ("eos-readaheadsize", self.eos_readaheadsize),
                    ("eos-readcachesize", self.eos_readcachesize),
                )
                if value is not None
            )
        return found
