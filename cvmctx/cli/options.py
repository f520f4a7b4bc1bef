"""Command-line options shared by ``cvmctx build`` and ``cvmctx iso``: declared once, so the
two commands take the user data's inputs with the same names, help and defaults."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cvmctx.cli.help import complete_section, complete_set
from cvmctx.guest.script.part import Phase
from cvmctx.limits import LIMIT_CEILING

if TYPE_CHECKING:
    from cvmctx.deploy.requests import Overrides
    from cvmctx.deploy.spec import Resolved
    from cvmctx.userdata.build import BuildRequest

UserDataArg = Annotated[
    Path | None,
    typer.Argument(
        metavar="USERDATA|SPEC.toml",
        help="Existing user data to start from (plain, gzip or base64), or a deployment "
        "spec (a file ending in .toml; the flags override it).",
    ),
]
SectionOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--section",
        "-s",
        metavar="NAME",
        help="Include a section and enable its plugin (repeatable).",
        autocompletion=complete_section,
    ),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="SECTION.KEY=VALUE",
        autocompletion=complete_set,
        help="SECTION.KEY=VALUE (repeatable, later wins); VALUE '@FILE' reads a file for keys "
        "that take one (x509-cert, openvpn cert/key); '@@' is a literal '@'.",
    ),
]
ScriptOpt = Annotated[
    Path | None, typer.Option("--script", metavar="FILE", help="Shell script to run on the guest.")
]
PhaseOpt = Annotated[
    Phase | None,
    typer.Option("--phase", help="Run the script before or after the plugins [default: after]."),
]
ProxyOpt = Annotated[
    Path | None,
    typer.Option(
        "--x509-proxy",
        metavar="FILE",
        help="PEM proxy for [cernvm] x509-cert [default: $X509_USER_PROXY, when [cernvm] is "
        "included].",
    ),
]
EnablePluginsOpt = Annotated[
    bool | None,
    typer.Option(
        "--enable-plugins/--no-enable-plugins",
        help="Name every included section's plugin in [amiconfig] plugins [default: enable].",
        show_default=False,
    ),
]
StrictOpt = Annotated[bool, typer.Option(help="Fail on warnings too.")]
QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet", "-q", help="Print only what fails the run (errors; warnings too with --strict)."
    ),
]
HashOpt = Annotated[
    bool,
    typer.Option(
        "--hash-passwords",
        help="Replace plaintext [cernvm] users passwords by SHA-512 ($6$) hashes (random salt).",
    ),
]
MaxInputOpt = Annotated[
    int,
    typer.Option(
        "--max-input-bytes",
        metavar="BYTES",
        min=1,
        max=LIMIT_CEILING,
        help="Inputs larger than this are a finding (input.too-large), not read "
        "(at most 4 GiB: the input is held in memory).",
    ),
]
MaxUnpackedOpt = Annotated[
    int,
    typer.Option(
        "--max-unpacked-bytes",
        metavar="BYTES",
        min=1,
        max=LIMIT_CEILING,
        help="gzip that unpacks to more than this is a finding (input.gzip-bomb) (at most 4 GiB).",
    ),
]


def is_spec(path: Path | None) -> bool:
    """A positional file ending in ``.toml`` is a deployment spec; any other is user data."""
    return path is not None and path.suffix.lower() == ".toml"


def overrides(
    userdata: Path | None,
    section: list[str] | None,
    set_: list[str] | None,
    script: Path | None,
    phase: Phase | None,
    x509_proxy: Path | None,
    *,
    enable_plugins: bool | None,
    strict: bool,
    hash_passwords: bool,
) -> Overrides:
    """The user data's part of a command line, for ``build`` and ``iso`` alike. A switch left
    off (``--strict``, ``--hash-passwords``) leaves the spec's value, so it is None here."""
    from cvmctx.deploy.requests import Overrides

    return Overrides(
        userdata=None if is_spec(userdata) else userdata,
        sections=section or (),
        sets=set_ or (),
        script=script,
        phase=phase,
        x509_proxy=x509_proxy,
        enable_plugins=enable_plugins,
        strict=True if strict else None,
        hash_passwords=True if hash_passwords else None,
    )


def spec_of(userdata: Path | None) -> Resolved | None:
    """The positional file read and checked as a spec for a single build (no hosts table),
    or None when it is user data (or not given)."""
    if userdata is None or not is_spec(userdata):
        return None
    from cvmctx.deploy.spec import read_spec, resolve

    return resolve(read_spec(userdata))


def build_request(userdata: Path | None, over: Overrides) -> BuildRequest:
    """The library's request for ``build``: the spec (if ``userdata`` is one) under the flags."""
    from cvmctx.deploy.requests import build_request as make

    return make(spec_of(userdata), over)
