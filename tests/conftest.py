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
        return subprocess.run(
            [sys.executable, "-m", "cvmctx", *map(str, args)],
            input=stdin if stdin is not None else b"",
            capture_output=True,
            env=base,
            cwd=cwd or tmp_path,
            timeout=60,
            check=False,
        )

    return run
