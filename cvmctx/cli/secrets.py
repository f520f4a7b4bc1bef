"""``cvmctx hash-password``: a SHA-512 crypt hash for ``[cernvm] users``, from a prompt or stdin.

The password is never echoed or written anywhere but the hash to stdout.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cvmctx.cli.common import guarded
from cvmctx.diagnostics import CvmctxError


def hash_password_command(
    stdin: Annotated[
        bool,
        typer.Option("--stdin", help="Read the password from the first line of stdin."),
    ] = False,
) -> None:
    """Print a $6$ (SHA-512 crypt) hash of a password, for users = NAME:GROUP:HASH."""

    def body() -> None:
        from cvmctx.userdata.passwords import hash_password

        password = _read_stdin() if stdin or not sys.stdin.isatty() else _prompt()
        try:
            sys.stdout.write(hash_password(password) + "\n")
        except ValueError as exc:
            raise CvmctxError(f"{exc}; give a password") from None

    guarded(body)


def _read_stdin() -> str:
    line = sys.stdin.buffer.readline()
    try:
        return line.decode("utf-8").removesuffix("\n").removesuffix("\r")
    except UnicodeDecodeError:
        raise CvmctxError("the password on stdin is not UTF-8 text") from None


def _prompt() -> str:
    import getpass

    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise CvmctxError("the two passwords differ; nothing was printed")
    return first
