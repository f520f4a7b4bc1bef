"""``cvmctx build``: user data from a file, sections, ``--set``s and a script."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cvmctx.cli.options import (
    EnablePluginsOpt,
    HashOpt,
    PhaseOpt,
    ProxyOpt,
    QuietOpt,
    ScriptOpt,
    SectionOpt,
    SetOpt,
    StrictOpt,
    UserDataArg,
    build_request,
    overrides,
)
from cvmctx.userdata.encoding import Compress, Encoding, Target

if TYPE_CHECKING:
    from cvmctx.api import BuildResult
from cvmctx.cli.common import emit, guarded
from cvmctx.cli.handoff import UserDataTool, check_userdata_tool, userdata_command


def build(
    userdata: UserDataArg = None,
    section: SectionOpt = None,
    set_: SetOpt = None,
    script: ScriptOpt = None,
    phase: PhaseOpt = None,
    x509_proxy: ProxyOpt = None,
    target: Annotated[
        Target | None,
        typer.Option(help="Cloud whose size limit applies.", show_default="ec2"),
    ] = None,
    compress: Annotated[
        Compress | None,
        typer.Option(
            help="auto/never: plain text (over the size limit is an error naming the choices); "
            "always: gzip, only for guests that unpack it (CernVM 2, the µCernVM bootloader).",
            show_default="auto",
        ),
    ] = None,
    encoding: Annotated[
        Encoding | None,
        typer.Option(
            help="plain for aws-cli file:// and boto3; base64 for raw API calls.",
            show_default="plain",
        ),
    ] = None,
    enable_plugins: EnablePluginsOpt = None,
    hash_passwords: HashOpt = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write here (atomic, mode 0600); - or none: stdout.",
        ),
    ] = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
    print_cmd: Annotated[
        UserDataTool | None,
        typer.Option(
            "--print-cmd",
            help="Then print the aws or openstack command that starts a machine with the "
            "file written (-o FILE), quoted for the shell.",
        ),
    ] = None,
) -> None:
    """Build user data from a file or a spec, --section/--set flags and a script."""

    def body() -> None:
        from cvmctx.api import build as build_userdata

        over = overrides(
            userdata, section, set_, script, phase, x509_proxy,
            enable_plugins=enable_plugins, strict=strict, hash_passwords=hash_passwords,
        )  # fmt: skip
        over.target, over.compress, over.encoding = target, compress, encoding
        request = build_request(userdata, over)
        if print_cmd is not None:
            check_userdata_tool(print_cmd, output, request.encoding)
        result = build_userdata(request)
        emit(result.encoded.data, output)
        _report_build(result, quiet, request.strict)
        if print_cmd is not None and output is not None:
            gzip = result.encoded.budget.compressed
            sys.stdout.write(userdata_command(print_cmd, output, gzip=gzip) + "\n")

    guarded(body)

def _report_build(result: BuildResult, quiet: bool, strict: bool) -> None:
    from rich.console import Console
    from rich.text import Text

    from cvmctx.report.text import print_findings

    console = Console(stderr=True, highlight=False)
    print_findings(console, None, result.report.sorted(), quiet=quiet, strict=strict)
    if not quiet:
        for line in result.encoded.budget.lines():
            console.print(Text(line, style="dim"), soft_wrap=True)
