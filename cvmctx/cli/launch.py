"""``cvmctx launch ec2`` (build, or take a fleet's, user data, check it, then start machines),
``cvmctx instances`` and ``cvmctx terminate`` over the launch record it writes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cvmctx.cli.common import Format, guarded
from cvmctx.cli.options import (
    PhaseOpt,
    ProxyOpt,
    ScriptOpt,
    SectionOpt,
    SetOpt,
    StrictOpt,
    UserDataArg,
    build_request,
    overrides,
)
from cvmctx.diagnostics import EXIT_FINDINGS, CvmctxError

if TYPE_CHECKING:
    from cvmctx.deploy.requests import Overrides

RECORD = "cvmctx-launch.json"


def _tags(given: list[str]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for item in given:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise CvmctxError(f"--tag {key or item!r}: give KEY=VALUE")
        tags[key] = value
    return tags


def _hosts(source: Path | None, count: int, over: Overrides) -> list[tuple[str, bytes]]:
    """(host, user data) per machine: a fleet's hosts, or ``count`` copies of one build."""
    if source is not None and source.name == "manifest.json":
        from cvmctx.launch.record import fleet_userdata

        return [(h.host, h.data) for h in fleet_userdata(source)]
    from rich.console import Console

    from cvmctx.api import build
    from cvmctx.report.text import print_findings

    request = build_request(source, over)
    result = build(request)  # findings that fail the build stop here, before any call
    print_findings(Console(stderr=True, highlight=False), None, result.report.sorted(),
                   quiet=True, strict=request.strict)  # fmt: skip
    name = source.stem if source is not None else "cvmctx"
    if count == 1:
        return [(name, result.encoded.data)]
    return [(f"{name}-{i}", result.encoded.data) for i in range(1, count + 1)]


def ec2(
    source: UserDataArg = None,
    image: Annotated[str, typer.Option("--image", metavar="AMI", help="Image id (ami-...).")] = "",
    instance_type: Annotated[
        str, typer.Option("--instance-type", metavar="TYPE", help="Instance type.")
    ] = "m1.large",
    count: Annotated[int, typer.Option(min=1, max=1000, metavar="N", help="Machines.")] = 1,
    key_name: Annotated[str | None, typer.Option("--key-name", metavar="NAME")] = None,
    security_group: Annotated[
        list[str] | None, typer.Option("--security-group", metavar="GROUP", help="Repeatable.")
    ] = None,
    subnet: Annotated[str | None, typer.Option(metavar="SUBNET")] = None,
    region: Annotated[str | None, typer.Option(metavar="REGION")] = None,
    profile: Annotated[str | None, typer.Option(metavar="PROFILE")] = None,
    endpoint_url: Annotated[
        str | None,
        typer.Option("--endpoint-url", metavar="URL", help="Any EC2-compatible API."),
    ] = None,
    tag: Annotated[list[str] | None, typer.Option(metavar="KEY=VALUE")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="EC2's DryRun: permissions checked, nothing started.")
    ] = False,
    record: Annotated[
        Path | None, typer.Option(metavar="FILE", help=f"Launch record [default: {RECORD}].")
    ] = None,
    section: SectionOpt = None,
    set_: SetOpt = None,
    script: ScriptOpt = None,
    phase: PhaseOpt = None,
    x509_proxy: ProxyOpt = None,
    strict: StrictOpt = False,
) -> None:
    """Start machines on an EC2-compatible cloud with the user data built and checked first."""

    def body() -> int:
        from cvmctx.launch.ec2 import Ec2Target, PartlyStarted, client, launch
        from cvmctx.launch.ec2 import dry_run as check
        from cvmctx.launch.record import Machine, append

        if not image:
            raise CvmctxError("give the image: --image ami-...")
        over = overrides(source, section, set_, script, phase, x509_proxy,
                         enable_plugins=None, strict=strict, hash_passwords=False)  # fmt: skip
        hosts = _hosts(source, count, over)
        target = Ec2Target(image, instance_type, region, endpoint_url, profile, key_name,
                           security_group or (), subnet, _tags(tag or []))  # fmt: skip
        api = client(target)
        if dry_run:
            check(api, target, hosts[0][1])
            sys.stderr.write(f"dry run: allowed to start {len(hosts)} machine(s) of {image}; "
                             "nothing started\n")  # fmt: skip
            return 0
        where = {"endpoint": endpoint_url, "region": region}
        path = record or ((source.parent if source else Path(".")) / RECORD)
        try:
            started = launch(api, target, hosts)
        except PartlyStarted as partial:
            append(path, "ec2", where, [Machine(s.host, s.instance_id, s.userdata_sha256)
                                        for s in partial.started])  # fmt: skip
            sys.stderr.write(f"cvmctx: error: {partial}\n")
            return EXIT_FINDINGS
        append(path, "ec2", where, [Machine(s.host, s.instance_id, s.userdata_sha256)
                                    for s in started])  # fmt: skip
        for s in started:
            sys.stdout.write(f"{s.host}\t{s.instance_id}\n")
        sys.stderr.write(f"{len(started)} machine(s) started; recorded in {path}\n")
        return 0

    code = guarded(body)
    if code:
        raise typer.Exit(code)


RecordArg = Annotated[Path, typer.Argument(metavar="RECORD", help="A launch record.")]


def _machines(record: Path, host: str | None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(launch, machine) for every machine of the record (or only ``host``'s)."""
    from cvmctx.launch.record import load

    pairs = [(launch, m) for launch in load(record) for m in launch.get("machines", [])
             if host is None or m.get("host") == host]  # fmt: skip
    if host is not None and not pairs:
        raise CvmctxError(f"{record}: no machine of host '{host}'")
    return pairs


def _states(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, str]:
    """The state of each machine, asking each cloud once for its machines."""
    from cvmctx.launch.ec2 import connect, states

    found: dict[str, str] = {}
    clouds: dict[tuple[str | None, str | None], list[str]] = {}
    for launch, machine in pairs:
        if launch.get("provider") == "ec2":
            key = (launch.get("endpoint"), launch.get("region"))
            clouds.setdefault(key, []).append(machine["id"])
    for (endpoint, region), ids in clouds.items():
        found |= states(connect(region, endpoint, None), ids)
    return found


def instances(
    record: RecordArg,
    format_: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.TEXT,
) -> None:
    """Show the machines a launch record names and their current state."""

    def body() -> None:
        import json

        pairs = _machines(record, None)
        found = _states(pairs)
        rows = [{"host": m["host"], "id": m["id"], "provider": launch["provider"],
                 "state": found.get(m["id"], "unknown")} for launch, m in pairs]  # fmt: skip
        if format_ is Format.JSON:
            sys.stdout.write(json.dumps({"machines": rows}, indent=2) + "\n")
            return
        for row in rows:
            sys.stdout.write(f"{row['host']}\t{row['id']}\t{row['provider']}\t{row['state']}\n")

    guarded(body)


def terminate(
    record: RecordArg,
    host: Annotated[
        str | None, typer.Option("--host", metavar="NAME", help="Only this host.")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Stop and remove the machines a launch record names (EC2 TerminateInstances)."""

    def body() -> None:
        from cvmctx.launch.ec2 import connect
        from cvmctx.launch.ec2 import terminate as stop
        from cvmctx.launch.record import load, save

        pairs = _machines(record, host)
        if not yes:
            if not sys.stdin.isatty():
                raise CvmctxError("terminate asks before it stops machines: give --yes")
            typer.confirm(f"terminate {len(pairs)} machine(s)?", abort=True)
        doomed = {m["id"] for _, m in pairs}
        launches = load(record)
        for launch in launches:
            ids = [m["id"] for m in launch.get("machines", []) if m["id"] in doomed]
            if ids and launch.get("provider") == "ec2":
                stop(connect(launch.get("region"), launch.get("endpoint"), None), ids)
            launch["machines"] = [m for m in launch.get("machines", []) if m["id"] not in doomed]
        save(record, launches)
        sys.stderr.write(f"{len(doomed)} machine(s) terminated; {record} updated\n")

    guarded(body)
