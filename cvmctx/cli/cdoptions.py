"""The context CD's command-line options, shared by ``cvmctx iso`` and the commands that build
a CD on the way (declared once so that their names, metavars and help stay the same)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cvmctx.cli.options import build_request, is_spec, overrides, resolved_spec
from cvmctx.guest.script.part import Phase

if TYPE_CHECKING:
    from cvmctx.cd.make import IsoRequest

OutputOpt = Annotated[
    Path,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="The image to write (atomic, mode 0600); - for stdout (a pipe).",
    ),
]
RootPubkeyOpt = Annotated[
    Path | None,
    typer.Option(
        "--root-pubkey",
        metavar="FILE",
        help="ssh public key for root, copied as root.pub [default: $ROOT_PUBKEY].",
    ),
]
PublicKeyOpt = Annotated[
    str | None,
    typer.Option("--public-key", metavar="LINE", help="ssh public key line, inline as PUBLIC_KEY."),
]
PrologOpt = Annotated[
    Path | None,
    typer.Option(
        "--prolog", metavar="FILE", help="prolog.sh, sourced before the network [default: empty]."
    ),
]
EpilogOpt = Annotated[
    Path | None,
    typer.Option("--epilog", metavar="FILE", help="epilog.sh, sourced at the end of boot."),
]
FileOpt = Annotated[
    list[str] | None,
    typer.Option("--file", metavar="SRC[:NAME]", help="Extra file for the CD (repeatable)."),
]
VarOpt = Annotated[
    list[str] | None,
    typer.Option("--var", metavar="KEY=VALUE", help="Extra context.sh variable (repeatable)."),
]
LabelOpt = Annotated[
    str | None,
    typer.Option(metavar="LABEL", help="ISO 9660 volume label.", show_default="CONTEXT"),
]
LibvirtDiskOpt = Annotated[
    bool, typer.Option("--libvirt-disk", help="Print the libvirt <disk> element for the image.")
]


@dataclass(frozen=True)
class CdFlags:
    """The CD's options as given on the command line (None: not given)."""

    root_pubkey: Path | None
    public_key: str | None
    prolog: Path | None
    epilog: Path | None
    files: list[str]
    variables: list[str]
    label: str | None


def iso_request(
    userdata: Path | None,
    section: list[str] | None,
    set_: list[str] | None,
    script: Path | None,
    phase: Phase | None,
    x509_proxy: Path | None,
    flags: CdFlags,
    *,
    enable_plugins: bool | None,
    strict: bool,
    hash_passwords: bool,
) -> IsoRequest:
    """The CD's part of a command line as the library's request, from a spec (the flags over
    it) or from the flags alone; ``$ROOT_PUBKEY`` when no key is given, as the seed does."""
    from cvmctx.cd.make import IsoRequest

    if is_spec(userdata):
        from cvmctx.deploy.requests import iso_request as from_spec

        assert userdata is not None
        over = overrides(section, set_, script, phase, x509_proxy, enable_plugins=enable_plugins,
                         strict=strict, hash_passwords=hash_passwords)  # fmt: skip
        over.root_pubkey, over.public_key = flags.root_pubkey, flags.public_key
        over.prolog, over.epilog, over.label = flags.prolog, flags.epilog, flags.label
        over.files, over.variables = flags.files, flags.variables
        return from_spec(resolved_spec(userdata), over)
    build = build_request(userdata, section, set_, script, phase, x509_proxy,
                          enable_plugins=enable_plugins, strict=strict,
                          hash_passwords=hash_passwords)  # fmt: skip
    return IsoRequest(
        build=build,
        root_pubkey=flags.root_pubkey,
        public_key=flags.public_key,
        prolog=flags.prolog,
        epilog=flags.epilog,
        files=flags.files,
        variables=flags.variables,
        label="CONTEXT" if flags.label is None else flags.label,
        use_env_pubkey=True,  # the CLI's default: $ROOT_PUBKEY
    )
