"""Shared test helpers: run the real CLI in a subprocess, find the examples."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

Run = Callable[..., subprocess.CompletedProcess[bytes]]
# Variables cvmctx reads that a developer's or CI's shell may have set: tests give them or not.
_FROM_THE_CALLER = {"X509_USER_PROXY", "ROOT_PUBKEY", "GITHUB_ACTIONS", "SOURCE_DATE_EPOCH"}


@pytest.fixture
def cvmctx(tmp_path: Path) -> Run:
    """Run ``python -m cvmctx ARGS`` with a clean environment; returns the completed process."""

    def run(
        *args: str | Path,
        stdin: bytes | None = None,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        base = {k: v for k, v in os.environ.items() if k not in _FROM_THE_CALLER}
        base.update({"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
        base.update(env or {})
        proc = subprocess.run(
            [sys.executable, "-m", "cvmctx", *map(str, args)],
            input=stdin if stdin is not None else b"",
            capture_output=True,
            env=base,
            cwd=cwd or tmp_path,
            timeout=60,
            check=False,
        )
        judge_output([str(a) for a in args], proc, cwd or tmp_path)
        return proc

    return run


def _output_of(
    args: list[str], proc: subprocess.CompletedProcess[bytes], cwd: Path
) -> bytes | None:
    """What the run wrote: its -o file, or standard output; None for a special file."""
    for index, arg in enumerate(args[:-1]):
        if arg in ("-o", "--output") and args[index + 1] != "-":
            path = Path(args[index + 1])
            path = path if path.is_absolute() else cwd / path
            return path.read_bytes() if path.is_file() else None
    return proc.stdout


def judge_output(args: list[str], proc: subprocess.CompletedProcess[bytes], cwd: Path) -> None:
    """Whatever ``build`` or ``iso`` writes with exit 0 passes ``validate`` with the strictness
    the test asked for (issue 10, item 9): every file the test suite builds is checked, in
    process. A run that fails, or prints help, wrote nothing to judge."""
    if proc.returncode != 0 or not args or args[0] not in ("build", "iso"):
        return
    if {"-h", "--help"} & set(args):
        return
    from cvmctx.api import validate_bytes
    from cvmctx.diagnostics import exit_code

    written = _output_of(args, proc, cwd)
    if written is None:
        return
    strict = "--strict" in args
    result = validate_bytes(written, f"<output of cvmctx {args[0]}>")
    if exit_code([result.report], strict) != 0:
        found = "\n".join(f"  {d.code} line {d.line}: {d.message}" for d in result.report)
        pytest.fail(
            f"cvmctx {' '.join(args)} exited 0, but validate{' --strict' if strict else ''} "
            f"fails on what it wrote:\n{found}"
        )
