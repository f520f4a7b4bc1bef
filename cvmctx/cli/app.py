"""The ``cvmctx`` application: the typer app, its root options, every command registered in one
table, and the process entry point (signals, UTF-8 arguments).

The command line: one small function per command, no logic of its own.

Each command parses options, calls :mod:`cvmctx.api`, hands findings to a reporter and maps
them to an exit code through :func:`cvmctx.diagnostics.exit_code`: 0 clean, 1 findings that
fail, 2 usage or I/O error. User errors print one line, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from cvmctx import __version__
from cvmctx.cli.help import EXAMPLES, Command, Group
from cvmctx.diagnostics import (
    EXIT_USAGE,
)

if TYPE_CHECKING:
    pass

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
    import gc
    import signal

    _utf8_arguments()
    # A run builds up to millions of small acyclic objects from one hostile 16 MB input (a
    # line, an option, a finding each); the cyclic collector's default gen-0 threshold (700)
    # makes it walk them again and again, a quarter of the time (issue 9: 16 MB of distinct
    # keys 13.1 s -> 9.7 s). Reference counting still frees them; cycles wait a little longer.
    gc.set_threshold(100_000, 50, 1000)

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


def _register() -> None:
    """Every command, in the order help lists them; each module defines plain functions."""
    from cvmctx.cli import cd, deploy, launch, reference, secrets, userdata, validate

    commands: list[tuple[str, Callable[..., None]]] = [
        ("build", userdata.build),
        ("validate", validate.validate),
        ("sections", reference.sections),
        ("explain", reference.explain),
        ("iso", cd.iso),
        ("inspect", cd.inspect),
        ("domain", cd.domain),
        ("fleet", deploy.fleet),
        ("init", deploy.init),
        ("schema", deploy.schema),
        ("hash-password", secrets.hash_password_command),
    ]
    for name, function in commands:
        app.command(name, cls=Command, epilog=EXAMPLES[name])(function)
    launcher = typer.Typer(
        help="Start machines with what cvmctx builds and checks.", no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
    )  # fmt: skip
    launcher.command("ec2", cls=Command, epilog=EXAMPLES["launch ec2"])(launch.ec2)
    launcher.command("libvirt", cls=Command, epilog=EXAMPLES["launch libvirt"])(launch.libvirt)
    app.add_typer(launcher, name="launch")
    app.command("instances", cls=Command, epilog=EXAMPLES["instances"])(launch.instances)
    app.command("terminate", cls=Command, epilog=EXAMPLES["terminate"])(launch.terminate)


_register()
