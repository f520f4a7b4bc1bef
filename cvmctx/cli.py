"""The command line: one small function per command, no logic of its own.

Each command parses options, calls :mod:`cvmctx.api`, hands findings to a reporter and maps
them to an exit code through :func:`cvmctx.diagnostics.exit_code`: 0 clean, 1 findings that
fail, 2 usage or I/O error. User errors print one line, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer

from cvmctx import __version__
from cvmctx.cli_help import EXAMPLES, Command, Group, complete_section
from cvmctx.cli_options import (
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
)
from cvmctx.diagnostics import (
    EXIT_INTERNAL,
    EXIT_USAGE,
    REPORT_BUG,
    CvmctxError,
    FindingsError,
    exit_code,
)
from cvmctx.encoding import Compress, Encoding, Target
from cvmctx.limits import MAX_FILE, MAX_UNPACKED

if TYPE_CHECKING:
    from cvmctx.api import BuildResult, FileResult

app = typer.Typer(
    name="cvmctx",
    help="Build and check CernVM contextualization data exactly as the guest reads it.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=Group,
    epilog=EXAMPLES["cvmctx"],
    context_settings={"help_option_names": ["-h", "--help"]},  # inherited by every command
)

T = TypeVar("T")


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


class ReportFormat(StrEnum):
    """validate's report formats; auto is github under GitHub Actions, else text."""

    AUTO = "auto"
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    from cvmctx.reporters import visible

    # A path or argument in the message may hold ESC or a newline: one line, nothing raw.
    sys.stderr.write(f"cvmctx: error: {visible(message)}\n")
    raise typer.Exit(code)


def _guarded(fn: Callable[[], T]) -> T:
    """Run a command body; turn user errors into one line and an exit code."""
    try:
        return fn()
    except FindingsError as exc:
        from rich.console import Console

        from cvmctx.reporters import print_findings, summary_line

        console = Console(stderr=True, highlight=False)
        print_findings(console, None, exc.report.sorted())
        console.print(summary_line([exc.report]), highlight=False)
        _fail(str(exc), exc.exit_code)
    except CvmctxError as exc:
        _fail(str(exc), exc.exit_code)
    except Exception as exc:  # a bug in cvmctx: its own exit code, never a bare traceback
        import os

        if os.environ.get("CVMCTX_DEBUG") == "1":
            raise
        _fail(_internal_error(exc), EXIT_INTERNAL)


def _internal_error(exc: Exception) -> str:
    """One line for an unexpected exception: its type and where in cvmctx it was raised. Not
    its message, which may quote the input (a password, a key)."""
    import traceback

    package = Path(__file__).resolve().parent
    ours = [
        (Path(f.filename).resolve(), f.lineno)
        for f in traceback.extract_tb(exc.__traceback__)
        if Path(f.filename).resolve().is_relative_to(package)
    ]
    where = ""
    if ours:
        path, line = ours[-1]
        where = f" in cvmctx/{path.relative_to(package)}:{line}"
    return f"internal error: {type(exc).__name__}{where} (cvmctx {__version__}). {REPORT_BUG}"


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"cvmctx {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Build and check CernVM contextualization data exactly as the guest reads it."""


@app.command(cls=Command, epilog=EXAMPLES["build"])
def build(
    userdata: UserDataArg = None,
    section: SectionOpt = None,
    set_: SetOpt = None,
    script: ScriptOpt = None,
    phase: PhaseOpt = None,
    x509_proxy: ProxyOpt = None,
    target: Annotated[Target, typer.Option(help="Cloud whose size limit applies.")] = Target.EC2,
    compress: Annotated[
        Compress,
        typer.Option(
            help="auto/never: plain text (over the size limit is an error naming the choices); "
            "always: gzip, only for guests that unpack it (CernVM 2, the µCernVM bootloader)."
        ),
    ] = Compress.AUTO,
    encoding: Annotated[
        Encoding,
        typer.Option(help="plain for aws-cli file:// and boto3; base64 for raw API calls."),
    ] = Encoding.PLAIN,
    enable_plugins: EnablePluginsOpt = True,
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
) -> None:
    """Build user data from a file, --section/--set flags and a script."""

    def body() -> None:
        from cvmctx.api import BuildRequest
        from cvmctx.api import build as build_userdata

        result = build_userdata(
            BuildRequest(
                userdata=userdata,
                sections=section or (),
                sets=set_ or (),
                script=script,
                phase=phase,
                x509_proxy=x509_proxy,
                use_env_proxy=True,  # the CLI's default, as the seed's script
                enable_plugins=enable_plugins,
                target=target,
                compress=compress,
                encoding=encoding,
                strict=strict,
                hash_passwords=hash_passwords,
            )
        )
        _emit(result.encoded.data, output)
        _report_build(result, quiet, strict)

    _guarded(body)


def is_stdout(output: Path | None) -> bool:
    """``-o -`` (or no ``-o``) is standard output, as for every Unix tool; never a file '-'."""
    return output is None or str(output) == "-"


def _emit(data: bytes, output: Path | None, *, binary: bool = False) -> None:
    if not is_stdout(output):
        from cvmctx.fileio import write_private

        assert output is not None
        write_private(output, data)
        return
    if (binary or data[:2] == b"\x1f\x8b") and sys.stdout.isatty():
        what = "an ISO image" if binary else "gzip"
        fix = (
            "redirect it (-o - > FILE) or give -o FILE"
            if binary
            else ("give -o FILE or use --encoding base64")
        )
        raise CvmctxError(f"the output is {what} (binary), not for a terminal: {fix}")
    sys.stdout.buffer.write(data)  # exact bytes: no newline is added after base64
    sys.stdout.buffer.flush()


def _report_build(result: BuildResult, quiet: bool, strict: bool) -> None:
    from rich.console import Console
    from rich.text import Text

    from cvmctx.reporters import print_findings

    console = Console(stderr=True, highlight=False)
    print_findings(console, None, result.report.sorted(), quiet=quiet, strict=strict)
    if not quiet:
        for line in result.encoded.budget.lines():
            console.print(Text(line, style="dim"), soft_wrap=True)


@app.command(cls=Command, epilog=EXAMPLES["validate"])
def validate(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE",
            help="User data (plain, gzip or base64), context.sh or context ISO; '-' is stdin.",
        ),
    ],
    format_: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            "-f",
            help="Report format: text, json, sarif (SARIF 2.1.0) or github (workflow-command "
            "annotations); auto is github when GITHUB_ACTIONS=true, else text.",
        ),
    ] = ReportFormat.AUTO,
    strict: Annotated[bool, typer.Option(help="Fail on warnings too.")] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="Print only what fails the run (errors; warnings too with --strict).",
        ),
    ] = False,
    max_input: MaxInputOpt = MAX_FILE,
    max_unpacked: MaxUnpackedOpt = MAX_UNPACKED,
) -> None:
    """Judge user data the way the guest would; exit 1 if it would fail there."""

    def body() -> int:
        from cvmctx.api import validate_bytes, validate_file

        limits = {"max_input": max_input, "max_unpacked": max_unpacked}
        results: list[FileResult] = []
        io_failed = False
        for path in files:
            try:
                if str(path) == "-":
                    data = sys.stdin.buffer.read(max_input + 1)
                    results.append(validate_bytes(data, "<stdin>", **limits))
                else:
                    results.append(validate_file(path, **limits))
            except CvmctxError as exc:
                from cvmctx.reporters import visible

                sys.stderr.write(f"cvmctx: error: {visible(str(exc))}\n")
                io_failed = True
                if format_ not in (ReportFormat.TEXT, ReportFormat.AUTO) or _github():
                    results.append(_unreadable(path, str(exc)))  # in the report CI reads too
        _print_results(results, format_, quiet, strict)
        code = exit_code([r.report for r in results], strict)
        return EXIT_USAGE if io_failed else code

    raise typer.Exit(_guarded(body))


def _github() -> bool:
    import os

    return os.environ.get("GITHUB_ACTIONS") == "true"


def _unreadable(path: Path, why: str) -> FileResult:
    """A file that could not be read, as the machine-read formats show it: a file entry with
    one ``input.unreadable`` error (SARIF: a tool execution notification)."""
    from cvmctx.api import FileResult
    from cvmctx.diagnostics import Report, error

    name = "<stdin>" if str(path) == "-" else str(path)
    finding = error("input.unreadable", why, hint="check the path and its permissions")
    return FileResult(name, (), Report([finding]))


def _print_results(
    results: list[FileResult], format_: ReportFormat, quiet: bool, strict: bool
) -> None:
    if format_ is ReportFormat.AUTO:
        format_ = ReportFormat.GITHUB if _github() else ReportFormat.TEXT
    if format_ is ReportFormat.JSON:
        from cvmctx.reporters import to_json

        sys.stdout.write(to_json(results))
        return
    if format_ is ReportFormat.SARIF:  # like JSON, a whole report: --quiet does not apply
        from cvmctx.sarif import to_sarif

        sys.stdout.write(to_sarif(results))
        return
    if format_ is ReportFormat.GITHUB:
        from cvmctx.reporters import to_github

        sys.stdout.write(to_github(results, quiet, strict))
        return
    from rich.console import Console

    from cvmctx.reporters import print_text

    print_text(Console(highlight=False), results, quiet, strict)


@app.command(cls=Command, epilog=EXAMPLES["sections"])
def sections(
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="SECTION", help="One section to describe.", autocompletion=complete_section
        ),
    ] = None,
) -> None:
    """List the sections the guest reads, or describe one: keys, types, defaults, docs."""

    def body() -> None:
        from cvmctx.describe import describe_all, describe_one

        sys.stdout.write(describe_all() if name is None else describe_one(name))

    _guarded(body)


@app.command(cls=Command, epilog=EXAMPLES["explain"])
def explain(
    code: Annotated[
        str, typer.Argument(metavar="CODE", help="A finding's code, as a report shows it.")
    ],
) -> None:
    """Tell what a finding's code means and how to fix it (from docs/diagnostics.md)."""

    def body() -> None:
        import textwrap

        from cvmctx.catalog import closest_code, entry_for

        asked = code.strip()
        entry = entry_for(asked)
        if entry is None:
            close = closest_code(asked)
            hint = f"did you mean '{close}'?" if close else "docs/diagnostics.md lists them"
            raise CvmctxError(f"no finding has the code {asked[:80]!r}; {hint}")
        title = asked if entry.code == asked else f"{asked} (documented as {entry.code})"
        text = textwrap.fill(entry.text, width=100, break_on_hyphens=False)
        sys.stdout.write(f"{title}\n\n{text}\n\nmore: {entry.uri()}\n")

    _guarded(body)


# The context-CD commands register themselves on `app` (kept apart to keep modules small).
from cvmctx import cli_iso, cli_secrets  # noqa: E402

__all__ = ["app", "cli_iso", "cli_secrets", "main"]


class _Terminated(BaseException):
    """SIGTERM or SIGHUP, raised where the run is so that cleanup runs as for Ctrl-C.

    A BaseException, like KeyboardInterrupt: ``write_private`` removes its temporary file (which
    may hold a password) on any BaseException, and no ``except Exception`` swallows it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, _frame: object) -> None:
    raise _Terminated(signum)


def _utf8_arguments() -> None:
    """One rule for every locale: arguments are UTF-8 text, or refused (exit 2).

    Under a locale that is not UTF-8 (LC_ALL=C with PYTHONUTF8=0, a Latin-1 locale) Python
    decodes arguments, paths and output by that locale, so ``--var GREETING=Grüße`` would give
    other bytes. cvmctx then runs itself again in Python's UTF-8 mode (the arguments keep their
    bytes through exec), so the output is the same bytes under every locale.
    """
    import os

    if not sys.flags.utf8_mode and sys.getfilesystemencoding().lower() not in ("utf-8", "utf8"):
        os.execv(sys.executable, [sys.executable, "-X", "utf8", "-m", "cvmctx", *sys.argv[1:]])
    for number, arg in enumerate(sys.argv[1:], start=1):
        if any("\udc80" <= ch <= "\udcff" for ch in arg):  # bytes UTF-8 could not decode
            option = sys.argv[number - 1] if number > 1 else ""
            after = f" (after {option})" if option.startswith("-") else ""
            # the argument itself is never shown: it may be a secret
            sys.stderr.write(f"cvmctx: error: argument {number}{after} is not UTF-8 text; "
                             "give every argument as UTF-8\n")  # fmt: skip
            raise SystemExit(EXIT_USAGE)


def main() -> None:
    """Console entry point."""
    import signal

    _utf8_arguments()

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _on_signal)
    try:
        app(prog_name="cvmctx")  # also under python -m cvmctx: help and errors say cvmctx
    except KeyboardInterrupt:
        sys.stderr.write("cvmctx: interrupted\n")
        raise SystemExit(130) from None
    except _Terminated as exc:
        sys.stderr.write(f"cvmctx: terminated by signal {exc.signum}\n")
        raise SystemExit(128 + exc.signum) from None
