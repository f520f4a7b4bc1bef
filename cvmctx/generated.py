"""Pages generated from the code (docs/cli.md, docs/sections.md): one way to print them and
to check the committed copy, ``python -m MODULE [--check]``. Bottom of the stack."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path


def check(page: Path, text: str, stale: str) -> int:
    """0 when ``page`` holds ``text``, else 1 and the one line ``stale`` on stderr."""
    try:
        if page.read_text(encoding="utf-8") == text:
            return 0
    except (OSError, UnicodeDecodeError):
        pass  # missing or unreadable: out of date as well
    sys.stderr.write(stale)
    return 1


def main(argv: list[str], page: Path, make: Callable[[], str], module: str, stale: str) -> int:
    """Print the page; with ``--check``, compare the committed ``page`` with it."""
    if argv == ["--check"]:
        return check(page, make(), stale)
    if argv:
        sys.stderr.write(f"usage: python -m {module} [--check]\n")
        return 2
    sys.stdout.buffer.write(make().encode("utf-8"))  # the same bytes in every locale
    sys.stdout.buffer.flush()
    return 0
