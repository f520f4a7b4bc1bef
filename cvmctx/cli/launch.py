"""``cvmctx launch ec2`` and ``cvmctx launch libvirt`` (build, or take a fleet's, user data and
context CDs, check them, then start machines), ``cvmctx instances`` and ``cvmctx terminate``
over the launch record they write."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cvmctx.cli.cdoptions import (
    EpilogOpt,
    FileOpt,
    LabelOpt,
    PrologOpt,
    PublicKeyOpt,
    RootPubkeyOpt,
    VarOpt,
)
from cvmctx.cli.common import Format, guarded
from cvmctx.cli.options import (
    PhaseOpt,
    ProxyOpt,
    QuietOpt,
    ScriptOpt,
    SectionOpt,
    SetOpt,
    StrictOpt,
    is_spec,
    overrides,
)
from cvmctx.diagnostics import EXIT_FINDINGS, CvmctxError
from cvmctx.limits import MAX_MEMORY_MIB, MAX_VCPUS

if TYPE_CHECKING:
    from cvmctx.deploy.requests import Overrides
    from cvmctx.launch.machines import Machine

RECORD = "cvmctx-launch.json"
MAX_COUNT = 1000
MAX_WAIT = 3600  # seconds

SourceArg = Annotated[
    Path | None,
    typer.Argument(
        metavar="USERDATA|SPEC.toml|manifest.json",
        help="User data or a deployment spec to build from (the flags override it), or a "
        "fleet's manifest.json (cvmctx fleet): one machine per host, each with its own files.",
    ),
]
CountOpt = Annotated[
    int,
    typer.Option(min=1, max=MAX_COUNT, metavar="N", help="Machines (not with a fleet)."),
]
RecordOpt = Annotated[
    Path | None,
    typer.Option(
        metavar="FILE",
        help=f"The launch record to append to [default: {RECORD} beside the spec or fleet].",
    ),
]


@dataclass(frozen=True)
class Host:
    """One machine to start: its name, its user data and its context CD (when built here)."""

    name: str
    userdata: bytes
    cd: bytes | None = None


def default_name(source: Path | None) -> str:
    """A machine's name when none is given: the file's stem, or the directory's name for a file
    named ``spec.toml`` (examples/cms-ec2/spec.toml starts "cms-ec2")."""
    if source is None:
        return "cernvm"
    if source.name == "spec.toml" and source.resolve().parent.name:
        return source.resolve().parent.name
    return source.stem


def _is_fleet(source: Path | None) -> bool:
    return source is not None and source.name == "manifest.json"


def _names(name: str, count: int) -> list[str]:
    return [name] if count == 1 else [f"{name}-{i}" for i in range(1, count + 1)]


def _spec_digest(source: Path | None) -> str:
    """The sha256 of the spec the machines come from (a fleet's manifest names it), or ""."""
    if source is None:
        return ""
    if _is_fleet(source):
        from cvmctx.launch.record import fleet_spec_sha256

        return fleet_spec_sha256(source)
    if is_spec(source):
        from cvmctx.fileio import read_file

        return hashlib.sha256(read_file(source, "spec")).hexdigest()
    return ""


def _built(
    source: Path | None, names: list[str], over: Overrides, *, cd: bool, quiet: bool
) -> list[Host]:
    """The user data (and, with ``cd``, the context CD) built and checked once, for each of
    ``names``. Findings that fail the build stop here, before any machine is touched."""
    from rich.console import Console

    from cvmctx.report.text import print_findings

    console = Console(stderr=True, highlight=False)
    if cd:
        from cvmctx.cd.make import make_iso
        from cvmctx.cli.cdoptions import iso_request

        request = iso_request(source, over)
        made = make_iso(request)
        print_findings(
            console, None, made.report.capped().sorted(), quiet=quiet, strict=request.build.strict
        )
        return [Host(n, made.built.encoded.data, made.image) for n in names]
    from cvmctx.api import build
    from cvmctx.cli.options import build_request

    built_request = build_request(source, over)
    result = build(built_request)
    print_findings(
        console, None, result.report.capped().sorted(), quiet=quiet, strict=built_request.strict
    )
    return [Host(n, result.encoded.data) for n in names]


def _record_path(record: Path | None, source: Path | None) -> Path:
    return record or ((source.parent if source else Path(".")) / RECORD)


def _report_started(
    provider: str, where: dict[str, str | None], path: Path, started: list[Machine], quiet: bool
) -> None:
    from cvmctx.launch.record import append

    append(path, provider, where, started)
    for machine in started:
        sys.stdout.write(f"{machine.host}\t{machine.id}\n")
    if not quiet:
        sys.stderr.write(f"{len(started)} machine(s) started; recorded in {path}\n")


def ec2(
    source: SourceArg = None,
    image: Annotated[str, typer.Option("--image", metavar="AMI", help="Image id (ami-...).")] = "",
    instance_type: Annotated[
        str, typer.Option("--instance-type", metavar="TYPE", help="Instance type.")
    ] = "m1.large",
    count: CountOpt = 1,
    name: Annotated[
        str | None,
        typer.Option(
            metavar="NAME", help="Name tag [default: the file's name]; NAME-1... with --count."
        ),
    ] = None,
    key_name: Annotated[str | None, typer.Option("--key-name", metavar="NAME")] = None,
    security_group: Annotated[
        list[str] | None, typer.Option("--security-group", metavar="GROUP", help="Repeatable.")
    ] = None,
    subnet: Annotated[str | None, typer.Option(metavar="SUBNET")] = None,
    region: Annotated[str | None, typer.Option(metavar="REGION")] = None,
    profile: Annotated[
        str | None, typer.Option(metavar="PROFILE", help="A profile of the AWS shared files.")
    ] = None,
    endpoint_url: Annotated[
        str | None,
        typer.Option("--endpoint-url", metavar="URL", help="Any EC2-compatible API."),
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option(metavar="KEY=VALUE", help="Extra tag (repeatable).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="EC2's DryRun: permissions checked, nothing started.")
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="Then wait until every machine is running.")
    ] = False,
    wait_timeout: Annotated[
        int,
        typer.Option(metavar="SECONDS", min=1, max=MAX_WAIT, help="How long --wait waits."),
    ] = 600,
    record: RecordOpt = None,
    section: SectionOpt = None,
    set_: SetOpt = None,
    script: ScriptOpt = None,
    phase: PhaseOpt = None,
    x509_proxy: ProxyOpt = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Start machines on an EC2-compatible cloud with the user data built and checked first.

    Credentials come from the AWS chain (environment, shared files, --profile), never from
    cvmctx; the user data goes to the cloud as the bytes built (boto3 encodes them once).
    """

    def body() -> int:
        from cvmctx.launch.ec2 import Ec2Target, client, launch, wait_running
        from cvmctx.launch.ec2 import dry_run as check
        from cvmctx.launch.machines import PartlyStarted

        if not image:
            raise CvmctxError("give the image: --image ami-...")
        if _is_fleet(source) and (count != 1 or name):
            raise CvmctxError("a fleet starts one machine per host: drop --count and --name")
        tags = _tags(tag or [])
        spec = _spec_digest(source)
        if spec:
            tags.setdefault("cvmctx:spec-sha256", spec)
        if _is_fleet(source):
            from cvmctx.launch.record import fleet_userdata

            assert source is not None
            hosts = [(h.host, h.data) for h in fleet_userdata(source)]
        else:
            over = overrides(
                source,
                section,
                set_,
                script,
                phase,
                x509_proxy,
                enable_plugins=None,
                strict=strict,
                hash_passwords=False,
            )
            names = _names(name or default_name(source), count)
            hosts = [
                (h.name, h.userdata) for h in _built(source, names, over, cd=False, quiet=quiet)
            ]
        target = Ec2Target(
            image,
            instance_type,
            region,
            endpoint_url,
            profile,
            key_name,
            security_group or (),
            subnet,
            tags,
        )
        api = client(target)
        if dry_run:
            check(api, target, hosts[0][1])
            sys.stderr.write(
                f"dry run: allowed to start {len(hosts)} machine(s) of {image}; nothing started\n"
            )
            return 0
        where = {"endpoint": endpoint_url, "region": region, "spec_sha256": spec or None}
        path = _record_path(record, source)
        try:
            started = launch(api, target, hosts)
        except PartlyStarted as partial:
            _report_started("ec2", where, path, partial.started, quiet)
            sys.stderr.write(f"cvmctx: error: {partial}\n")
            return EXIT_FINDINGS
        _report_started("ec2", where, path, started, quiet)
        if wait:
            shown = _progress(len(started)) if not quiet else (lambda _now: None)
            wait_running(api, [m.id for m in started], wait_timeout, shown)
            if not quiet:
                sys.stderr.write(f"{len(started)} machine(s) running\n")
        return 0

    code = guarded(body)
    if code:
        raise typer.Exit(code)


def _tags(given: list[str]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for item in given:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise CvmctxError(f"--tag {key or item!r}: give KEY=VALUE")
        tags[key] = value
    return tags


class _progress:
    """What ``--wait`` shows after each poll: a bar on a terminal, else a line whenever the
    number of running machines changes (CI logs stay short)."""

    def __init__(self, total: int) -> None:
        import os

        from rich.console import Console

        self.total = total
        self.console = Console(stderr=True, highlight=False)
        self.bar = self.console.is_terminal and not os.environ.get("CI")
        self.last = -1

    def __call__(self, now: dict[str, str]) -> None:
        running = sum(1 for state in now.values() if state == "running")
        if running != self.last:
            self.last = running
            text = f"waiting: {running} of {self.total} machine(s) running"
            if self.bar:
                self.console.print(text, end="\r", markup=False, highlight=False)
            else:
                self.console.print(text, markup=False, highlight=False, soft_wrap=True)


def libvirt(
    source: SourceArg = None,
    disk: Annotated[
        Path | None,
        typer.Option(metavar="IMAGE", help="The CernVM machine image (.hdd raw, or .qcow2)."),
    ] = None,
    overlay: Annotated[
        bool,
        typer.Option(
            "--overlay",
            help="Give each machine a qcow2 overlay on --disk "
            "(NAME.qcow2 beside it), leaving the image untouched.",
        ),
    ] = False,
    connect: Annotated[
        str, typer.Option("--connect", "-c", metavar="URI", help="libvirt connection URI.")
    ] = "qemu:///system",
    name: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Domain name [default: the file's name]; NAME-1... "
            "with --count; with a fleet, NAME-HOST.",
        ),
    ] = None,
    count: CountOpt = 1,
    memory: Annotated[
        int, typer.Option(metavar="MIB", help="Memory in MiB.", min=1, max=MAX_MEMORY_MIB)
    ] = 2048,
    vcpus: Annotated[
        int, typer.Option(metavar="N", help="Virtual CPUs.", min=1, max=MAX_VCPUS)
    ] = 1,
    network: Annotated[str, typer.Option(metavar="NETWORK", help="libvirt network.")] = "default",
    bus: Annotated[
        str | None, typer.Option(metavar="BUS", help="Disk bus: ide (as the seed), sata...")
    ] = None,
    iso_: Annotated[
        Path | None,
        typer.Option(
            "--iso",
            metavar="FILE",
            help="Write the context CD here [default: NAME.context.iso beside --disk].",
        ),
    ] = None,
    record: RecordOpt = None,
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
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Start machines on libvirt (KVM) with the context CD built, checked and attached read-only.

    The domain is the one cvmctx domain writes, defined and started; a fleet's manifest.json
    starts one domain per host with that host's CD.
    """

    def body() -> int:
        from cvmctx.deploy.requests import CdOverrides
        from cvmctx.launch.libvirt import Planned, VirtTarget, check
        from cvmctx.launch.libvirt import connect as open_connection
        from cvmctx.launch.libvirt import launch as start
        from cvmctx.launch.machines import PartlyStarted

        if disk is None:
            raise CvmctxError("give the machine image: --disk IMAGE (a CernVM .hdd or .qcow2)")
        target = VirtTarget(connect, disk, overlay, memory, vcpus, network, bus)
        fleet = _is_fleet(source)
        if fleet and (count != 1 or iso_ is not None):
            raise CvmctxError("a fleet brings one CD per host: drop --count and --iso")
        if iso_ is not None and count != 1:
            raise CvmctxError(
                "--iso names one CD: with --count, each machine gets its own "
                "NAME-N.context.iso beside --disk"
            )
        if iso_ is not None and not iso_.parent.is_dir():
            raise CvmctxError(f"{iso_}: the directory {iso_.parent} does not exist")
        conn = open_connection(connect)  # unreachable, or no binding: before any build
        try:
            if fleet:
                from cvmctx.launch.record import fleet_files

                assert source is not None
                prefix = f"{name}-" if name else ""
                planned = [
                    Planned.of(prefix + h.host, h.path, None, h.userdata_sha256)
                    for h in fleet_files(source, "context.iso", "--what iso or both")
                ]
            else:
                names = _names(name or default_name(source), count)
                check(conn, target, names)  # the disk, the names, the overlays: before building
                over = overrides(
                    source,
                    section,
                    set_,
                    script,
                    phase,
                    x509_proxy,
                    enable_plugins=None,
                    strict=strict,
                    hash_passwords=False,
                )
                over.cd = CdOverrides(
                    root_pubkey, public_key, prolog, epilog, file or [], var or [], label
                )
                planned = [
                    Planned.of(h.name, iso_ or disk.parent / f"{h.name}.context.iso", h.cd,
                               h.userdata)
                    for h in _built(source, names, over, cd=True, quiet=quiet)
                ]  # fmt: skip
            path = _record_path(record, source)
            where = {"uri": connect, "spec_sha256": _spec_digest(source) or None}
            try:
                started = start(conn, target, planned)
            except PartlyStarted as partial:
                _report_started("libvirt", where, path, partial.started, quiet)
                sys.stderr.write(f"cvmctx: error: {partial}\n")
                return EXIT_FINDINGS
        finally:
            conn.close()
        _report_started("libvirt", where, path, started, quiet)
        return 0

    code = guarded(body)
    if code:
        raise typer.Exit(code)


RecordArg = Annotated[Path, typer.Argument(metavar="RECORD", help=f"A launch record ({RECORD}).")]
Pairs = list[tuple[dict[str, Any], dict[str, Any]]]


def _machines(record: Path, host: str | None) -> Pairs:
    """(launch, machine) for every machine of the record (or only ``host``'s)."""
    from cvmctx.launch.record import load

    pairs = [
        (launch, m)
        for launch in load(record)
        for m in launch.get("machines", [])
        if host is None or m.get("host") == host
    ]
    if host is not None and not pairs:
        raise CvmctxError(f"{record}: no machine of host '{host}'")
    return pairs


def _by_place(pairs: Pairs) -> dict[tuple[str, str | None, str | None], list[dict[str, Any]]]:
    """The machines grouped by where they run: (provider, endpoint or URI, region)."""
    places: dict[tuple[str, str | None, str | None], list[dict[str, Any]]] = {}
    for launch, machine in pairs:
        provider = str(launch.get("provider"))
        if provider == "libvirt":
            key = (provider, launch.get("uri"), None)
        elif provider == "ec2":
            key = (provider, launch.get("endpoint"), launch.get("region"))
        else:
            raise CvmctxError(f"the launch record names an unknown provider {provider!r}")
        places.setdefault(key, []).append(machine)
    return places


def _states(pairs: Pairs) -> dict[str, str]:
    """The state of each machine, asking each cloud or libvirt once for its machines."""
    found: dict[str, str] = {}
    for (provider, where, region), machines in _by_place(pairs).items():
        ids = [m["id"] for m in machines]
        if provider == "ec2":
            from cvmctx.launch.ec2 import connect, states

            found |= states(connect(region, where, None), ids)
        else:
            from cvmctx.launch.libvirt import connect as open_connection
            from cvmctx.launch.libvirt import states as domain_states

            conn = open_connection(str(where))
            try:
                found |= domain_states(conn, ids)
            finally:
                conn.close()
    return found


def instances(
    record: RecordArg,
    format_: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.TEXT,
) -> None:
    """Show the machines a launch record names and their current state."""

    def body() -> None:
        import json

        pairs = _machines(record, None)
        if not pairs:
            sys.stderr.write(f"{record}: no machines (all terminated)\n")
        found = _states(pairs)
        rows = [
            {
                "host": m["host"],
                "id": m["id"],
                "provider": launch["provider"],
                "state": found.get(m["id"], "unknown"),
            }
            for launch, m in pairs
        ]
        if format_ is Format.JSON:
            sys.stdout.write(json.dumps({"machines": rows}, indent=2) + "\n")
            return
        from rich.console import Console

        console = Console(highlight=False)
        if not console.is_terminal:  # a pipe: one tab-separated line per machine, for cut/awk
            for row in rows:
                sys.stdout.write("\t".join((row["host"], row["id"], row["provider"],
                                            row["state"])) + "\n")  # fmt: skip
            return
        from rich.table import Table
        from rich.text import Text

        from cvmctx.report.text import visible

        table = Table("host", "id", "provider", "state", box=None, header_style="bold")
        for row in rows:
            style = "green" if row["state"] == "running" else None
            # Text, not markup: a '[' in a name (the record is a file anyone may edit) is shown
            cells = (Text(visible(row[k])) for k in ("host", "id", "provider", "state"))
            table.add_row(*cells, style=style)
        console.print(table)

    guarded(body)


def terminate(
    record: RecordArg,
    host: Annotated[
        str | None, typer.Option("--host", metavar="NAME", help="Only this host.")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Stop and remove the machines a launch record names.

    EC2: TerminateInstances. libvirt: destroy and undefine, then remove the overlays and
    context CDs the launch created.
    """

    def body() -> None:
        from cvmctx.launch.record import load, save

        pairs = _machines(record, host)
        if not yes:
            if not sys.stdin.isatty():
                raise CvmctxError("terminate asks before it stops machines: give --yes")
            typer.confirm(f"terminate {len(pairs)} machine(s)?", abort=True)
        for (provider, where, region), machines in _by_place(pairs).items():
            ids = [m["id"] for m in machines]
            if provider == "ec2":
                from cvmctx.launch.ec2 import connect
                from cvmctx.launch.ec2 import terminate as stop

                stop(connect(region, where, None), ids)
            else:
                from cvmctx.launch.libvirt import connect as open_connection
                from cvmctx.launch.libvirt import terminate as remove

                conn = open_connection(str(where))
                try:
                    remove(conn, ids, [f for m in machines for f in m.get("files", [])])
                finally:
                    conn.close()
        doomed = {m["id"] for _, m in pairs}
        launches = load(record)
        for launch in launches:
            launch["machines"] = [m for m in launch.get("machines", []) if m["id"] not in doomed]
        save(record, launches)
        sys.stderr.write(f"{len(doomed)} machine(s) terminated; {record} updated\n")

    guarded(body)
