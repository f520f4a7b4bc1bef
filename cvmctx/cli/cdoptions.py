"""The context CD's command-line options, shared by ``cvmctx iso`` and the commands that build
a CD on the way (declared once so that their names, metavars and help stay the same)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cvmctx.cli.options import spec_of

if TYPE_CHECKING:
    from cvmctx.cd.make import IsoRequest
    from cvmctx.deploy.requests import Overrides

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


def iso_request(userdata: Path | None, over: Overrides) -> IsoRequest:
    """The library's request for ``iso``: the spec (if ``userdata`` is one) under the flags;
    ``$ROOT_PUBKEY`` when no key is given, as the seed does."""
    from cvmctx.deploy.requests import iso_request as make

    return make(spec_of(userdata), over)
