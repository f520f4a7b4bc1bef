"""Commands for the context CD: ``cvmctx iso``, ``cvmctx inspect`` and ``cvmctx domain``.

Registered on :data:`cvmctx.cli.app`; like the rest of the CLI they only parse options, call
the library and print. pycdlib and jinja2 are imported inside the commands, never at start-up.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cvmctx.cli.cdoptions import (
    EpilogOpt,
    FileOpt,
    LabelOpt,
    LibvirtDiskOpt,
    OutputOpt,
    PrologOpt,
    PublicKeyOpt,
    RootPubkeyOpt,
    VarOpt,
    iso_request,
)
from cvmctx.cli.common import Format, emit, guarded, is_stdout
from cvmctx.cli.handoff import CdTool, cd_command
from cvmctx.cli.options import (
    EnablePluginsOpt,
    HashOpt,
    MaxInputOpt,
    MaxUnpackedOpt,
    PhaseOpt,
    ProxyOpt,
    QuietOpt,
    ScriptOpt,
    SectionOpt,
    SetOpt,
    StrictOpt,
    UserDataArg,
    overrides,
)
from cvmctx.diagnostics import CvmctxError, exit_code
from cvmctx.limits import MAX_FILE, MAX_MEMORY_MIB, MAX_UNPACKED, MAX_VCPUS

if TYPE_CHECKING:
    from cvmctx.cd.make import IsoResult


def iso(
    output: OutputOpt,
    userdata: UserDataArg = None,
    section: SectionOpt = None,
    set_: SetOpt = None,
    script: ScriptOpt = None,
    phase: PhaseOpt = None,
    x509_proxy: ProxyOpt = None,
    root_pubkey: RootPubkeyOpt = None,
    public_key: PublicKeyOpt = None,
    prolog: PrologOpt = None,
    epilog: EpilogOpt = None,
    file: FileOpt = None,
    var: VarOpt = None,
    label: LabelOpt = None,
    libvirt_disk: LibvirtDiskOpt = False,
    print_cmd: Annotated[
        CdTool | None,
        typer.Option(
            "--print-cmd",
            help="Then print the virt-install command that boots a disk with the image "
            "written (-o FILE) attached read-only, quoted for the shell.",
        ),
    ] = None,
    enable_plugins: EnablePluginsOpt = None,
    hash_passwords: HashOpt = False,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Build the context CD image: context.sh with the user data, root.pub, prolog.sh, epilog.sh.

    Dates come from $SOURCE_DATE_EPOCH (default 0, "not specified"): same inputs, same bytes.
    """

    def body() -> None:
        from cvmctx.cd.make import make_iso
        from cvmctx.deploy.requests import CdOverrides

        if libvirt_disk and is_stdout(output):
            raise CvmctxError("--libvirt-disk names the image file: give -o FILE, not -o -")
        if print_cmd is not None and is_stdout(output):
            raise CvmctxError(f"--print-cmd {print_cmd} names the image file: give -o FILE, "
                              "not -o -")  # fmt: skip
        over = overrides(
            userdata, section, set_, script, phase, x509_proxy,
            enable_plugins=enable_plugins, strict=strict, hash_passwords=hash_passwords,
        )  # fmt: skip
        over.cd = CdOverrides(root_pubkey, public_key, prolog, epilog, file or [], var or [], label)
        request = iso_request(userdata, over)
        result = make_iso(request)
        emit(result.image, output, binary=True)
        _report_iso(result, output, quiet, request.build.strict)
        if libvirt_disk:
            _print_disk(output)
        if print_cmd is not None:
            sys.stdout.write(cd_command(print_cmd, output) + "\n")

    guarded(body)


def _print_disk(output: Path) -> None:
    from cvmctx.cd.libvirt import disk_xml

    sys.stdout.write(disk_xml(output))


def _report_iso(result: IsoResult, output: Path, quiet: bool, strict: bool) -> None:
    from rich.console import Console
    from rich.text import Text

    from cvmctx.report.text import print_findings, visible

    console = Console(stderr=True, highlight=False)
    print_findings(console, None, result.report.capped().sorted(), quiet=quiet, strict=strict)
    if quiet:
        return
    names = ", ".join(f"{f.name} ({len(f.data)} B)" for f in result.files)
    # Text, not a markup string: a '[' in a file name is not rich markup; no control reaches the tty
    shown = "<stdout>" if is_stdout(output) else str(output)
    line = f"{shown}: {len(result.image)} B ISO 9660 + Rock Ridge + Joliet: {names}"
    console.print(Text(visible(line)), soft_wrap=True, highlight=False)


def inspect(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="An ISO, a context.sh or user data; '-' is stdin."),
    ],
    format_: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = (
        Format.TEXT
    ),
    show_secrets: Annotated[
        bool, typer.Option("--show-secrets", help="Show passwords, keys and proxies too.")
    ] = False,
    strict: StrictOpt = False,
    max_input: MaxInputOpt = MAX_FILE,
    max_unpacked: MaxUnpackedOpt = MAX_UNPACKED,
) -> None:
    """List what the guest gets: files on the CD, context.sh variables, the user data, findings."""

    def body() -> int:
        from cvmctx.api import validate_bytes, validate_file
        from cvmctx.report.listing import listing_json, print_listing

        # validate's limits: standard input is read no further than one byte past the cap
        limits = {"max_input": max_input, "max_unpacked": max_unpacked}
        if str(file) == "-":
            result = validate_bytes(sys.stdin.buffer.read(max_input + 1), "<stdin>", **limits)
        else:
            result = validate_file(file, **limits)
        if format_ is Format.JSON:
            sys.stdout.write(listing_json(result, show_secrets))
        else:
            from rich.console import Console

            print_listing(Console(highlight=False), result, show_secrets)
        return exit_code([result.report], strict)

    raise typer.Exit(guarded(body))


def domain(
    name: Annotated[str, typer.Option(metavar="NAME", help="Domain name.")],
    disk: Annotated[
        Path,
        typer.Option(metavar="IMAGE", help="The CernVM machine image (.hdd, .qcow2, ...)."),
    ],
    iso_: Annotated[Path, typer.Option("--iso", metavar="FILE", help="The context CD image.")],
    memory: Annotated[
        int, typer.Option(metavar="MIB", help="Memory in MiB.", min=1, max=MAX_MEMORY_MIB)
    ] = 2048,
    vcpus: Annotated[
        int, typer.Option(metavar="N", help="Virtual CPUs.", min=1, max=MAX_VCPUS)
    ] = 1,
    network: Annotated[str, typer.Option(metavar="NETWORK", help="libvirt network.")] = "default",
    vnc_port: Annotated[
        int | None, typer.Option(metavar="PORT", help="VNC port [default: libvirt picks one].")
    ] = None,
    vnc_listen: Annotated[
        str,
        typer.Option(metavar="ADDRESS", help="VNC listen address (the console has no password)."),
    ] = "127.0.0.1",
    bus: Annotated[
        str | None,
        typer.Option(metavar="BUS", help="Disk bus: ide (as the seed), sata for q35 machines..."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write here instead of stdout (-)."),
    ] = None,
) -> None:
    """Write a libvirt domain XML that boots the machine image with the context CD attached."""

    def body() -> None:
        from cvmctx.cd.libvirt import domain_xml

        text = domain_xml(
            name=name,
            memory_mib=memory,
            disk=disk,
            iso=iso_,
            disk_format=_disk_format(disk),
            network=network,
            vnc_listen=vnc_listen,
            vnc_port=vnc_port,
            bus=bus,
            machine_disk_target="sda" if bus in ("sata", "scsi") else "hda",
            iso_target="sdb" if bus in ("sata", "scsi") else "hdb",
            vcpus=vcpus,
        )
        emit(text.encode("utf-8"), output)

    guarded(body)


def _disk_format(path: Path) -> str:
    """qcow2 images say so in their first bytes; CernVM's .hdd images are raw."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except FileNotFoundError:
        return "qcow2" if path.suffix == ".qcow2" else "raw"  # the image may be made later
    except OSError as exc:
        raise CvmctxError(f"{path}: cannot read the machine image ({exc.strerror})") from None
    return "qcow2" if magic == b"QFI\xfb" else "raw"
