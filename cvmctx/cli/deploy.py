"""Commands for deployments: ``cvmctx fleet``, ``cvmctx init`` and ``cvmctx schema``.

Registered on :data:`cvmctx.cli.app`; they parse options, call :mod:`cvmctx.deploy` and print.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cvmctx.cli.common import emit, guarded, is_stdout
from cvmctx.cli.options import QuietOpt, SectionOpt, SetOpt, StrictOpt
from cvmctx.diagnostics import EXIT_FINDINGS, CvmctxError, Diagnostic, Severity

if TYPE_CHECKING:
    from rich.console import Console

    from cvmctx.deploy.fleet import FleetRequest, FleetResult, HostResult


class What(StrEnum):
    USERDATA = "userdata"
    ISO = "iso"
    BOTH = "both"


class Cloud(StrEnum):
    EC2 = "ec2"
    KVM = "kvm"


def fleet(
    spec: Annotated[Path, typer.Argument(metavar="SPEC.toml", help="The deployment spec.")],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", metavar="DIR", help="The fleet's directory (created)."),
    ],
    hosts: Annotated[
        Path | None,
        typer.Option(
            "--hosts",
            metavar="FILE",
            help="Hosts table: CSV with a header, or a JSON/TOML array of tables, with a name "
            "column [default: the spec's [fleet] hosts].",
        ),
    ] = None,
    what: Annotated[
        What | None,
        typer.Option(help="What to write per host.", show_default="the spec's, else iso"),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, max=256, metavar="N", help="Worker processes [default: cores]."
        ),
    ] = None,
    keep_going: Annotated[
        bool,
        typer.Option(
            "--keep-going", help="Report every failing host and write the good ones (exit 1)."
        ),
    ] = False,
    prune: Annotated[
        bool,
        typer.Option("--prune", help="Remove hosts the table no longer has (their files only)."),
    ] = False,
    section: SectionOpt = None,
    set_: SetOpt = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write a context per host: DIR/HOST/context.iso and/or user-data, and DIR/manifest.json.

    Nothing in DIR changes unless every host builds (--keep-going: the good ones); a rerun
    rewrites only the files whose bytes changed.
    """

    def body() -> int:
        from cvmctx.deploy.fleet import FleetRequest
        from cvmctx.deploy.hosts import read_hosts
        from cvmctx.deploy.requests import Overrides
        from cvmctx.deploy.spec import fleet_table, read_spec

        if spec.suffix.lower() != ".toml":
            raise CvmctxError(f"{spec}: a spec is a .toml file (see cvmctx init)")
        table = fleet_table(read_spec(spec))
        hosts_path = hosts or (spec.parent / table.hosts if table.hosts else None)
        if hosts_path is None:
            raise CvmctxError("give the hosts table: --hosts FILE (or [fleet] hosts in the spec)")
        listed = read_hosts(hosts_path)
        over = Overrides(sections=section or (), sets=set_ or (), strict=True if strict else None)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        request = FleetRequest(
            spec=spec, hosts=listed, hosts_table=hosts_path, out=output,
            what=(what.value if what else table.what),
            jobs=min(jobs or cores, len(listed)), keep_going=keep_going, prune=prune,
            overrides=over,
        )  # fmt: skip
        result = _run(request, quiet)
        return EXIT_FINDINGS if result.failed else 0

    code = guarded(body)
    if code:
        raise typer.Exit(code)


def _run(request: FleetRequest, quiet: bool) -> FleetResult:
    """The fleet with a progress bar on a terminal, or a line per host (CI, pipes, --quiet)."""
    from rich.console import Console

    from cvmctx.deploy.fleet import run_fleet as run

    console = Console(stderr=True, highlight=False)
    show_bar = console.is_terminal and not quiet and not os.environ.get("CI")
    def plain(result: HostResult) -> None:
        if not result.ok:
            _print_failure(console, result)
        elif not quiet:
            state = "written" if result.changed else "unchanged"
            files = ", ".join(f"{f['name']} {f['size']} B" for f in result.files)
            _say(console, f"{result.name}: {files} ({state})")

    if not show_bar:
        result = run(request, plain)
    else:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        columns = (TextColumn("building"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.description}"))  # fmt: skip
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("", total=len(request.hosts))

            def bar(result: HostResult) -> None:
                progress.update(task, advance=1, description=result.name)

            result = run(request, bar)
        for failed in result.failed:
            _print_failure(console, failed)
    _summary(console, request, result, quiet)
    return result


def _say(console: Console, text: str) -> None:
    """A line as written: host names and paths are not markup, and are not wrapped."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def _print_failure(console: Console, result: HostResult) -> None:
    from cvmctx.report.text import print_findings

    print_findings(console, None, [_diagnostic(f) for f in result.findings])
    _say(console, f"cvmctx: error: host '{result.name}': {result.error}")


def _diagnostic(f: dict[str, Any]) -> Diagnostic:
    """A finding as a worker reported it (a dict of the manifest), to print."""
    return Diagnostic(
        f["code"], Severity(f["severity"]), f["message"], path=f.get("path"), line=f.get("line"),
        hint=f.get("hint"), source=f.get("source"),
    )  # fmt: skip


def _summary(console: Console, request: FleetRequest, result: FleetResult, quiet: bool) -> None:
    if result.failed and result.manifest is None:
        _say(console, f"cvmctx: error: host '{result.failed[0].name}' failed; nothing in "
             f"{request.out} was changed (--keep-going writes the good hosts)")  # fmt: skip
        return
    if result.left:
        names = ", ".join(result.left[:5])
        _say(console, f"{len(result.left)} host(s) of the previous run are not in the table "
             f"and were left in place (--prune removes them): {names}")  # fmt: skip
    if result.pruned and not quiet:
        _say(console, f"removed {len(result.pruned)} host(s) no longer in the table")
    if quiet and not result.failed:
        return
    ok = sum(1 for h in result.hosts if h.ok)
    _say(console, f"{ok} of {len(request.hosts)} hosts built, {result.changed} file(s) "
         f"written, {len(result.failed)} failed; {result.manifest}")  # fmt: skip


def init(
    path: Annotated[
        Path,
        typer.Argument(metavar="[FILE]", help="The spec to write; - for stdout."),
    ] = Path("site.toml"),
    for_: Annotated[
        Cloud, typer.Option("--for", help="ec2: user data for a cloud; kvm: a context CD.")
    ] = Cloud.EC2,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write a commented starter spec that builds as it stands."""

    def body() -> None:
        from importlib.resources import files

        text = (files("cvmctx") / "templates" / f"starter-{for_.value}.toml").read_bytes()
        if not is_stdout(path) and path.exists() and not force:
            raise CvmctxError(f"{path}: exists; give another name, or --force to replace it")
        emit(text, path)
        if not is_stdout(path):
            command = "build" if for_ is Cloud.EC2 else "iso"
            out = "userdata.txt" if for_ is Cloud.EC2 else "context.iso"
            sys.stderr.write(f"{path}: written; next: cvmctx {command} {path} -o {out}\n")

    guarded(body)


def schema(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write here; - or none: stdout."),
    ] = None,
) -> None:
    """Print the JSON Schema of a deployment spec (for editors: a #:schema line in the spec)."""

    def body() -> None:
        from cvmctx.deploy.schema import schema_text

        emit(schema_text().encode("utf-8"), output)

    guarded(body)
