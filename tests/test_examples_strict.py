"""Issue 10 item 9: what cvmctx ships passes its own strictest check, or says why not.

Every user-data and context file under ``examples/`` goes through ``validate --strict``. The
CMS example keeps the seed's plaintext password on purpose (it reproduces the seed's example
byte for byte, examples/README.md): those files are listed with exactly the findings they have.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Run

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# file -> the codes validate --strict fails on, errors and warnings (empty: it passes)
EXPECTED: dict[str, list[str]] = {
    "atlas-panda/expected-context.sh": [],
    # as the seed wrote it: user 'testcms' with the password 12345678 in plain text
    "cms-ec2/expected-userdata.txt": ["cernvm.users.plaintext-password"],
    # the seed's own text, which also forgets to enable the cernvm plugin
    "cms-ec2/seed-userdata.txt": ["plugin.not-enabled", "cernvm.users.plaintext-password"],
}


def _contexts() -> list[str]:
    names = sorted(str(p.relative_to(EXAMPLES)) for p in EXAMPLES.rglob("*")
                   if p.is_file() and p.name.startswith(("expected-", "seed-")))  # fmt: skip
    return names


def test_every_example_context_is_listed() -> None:
    assert _contexts() == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_examples_pass_validate_strict_or_list_their_findings(cvmctx: Run, name: str) -> None:
    proc = cvmctx("validate", "--strict", "--format", "json", EXAMPLES / name)
    findings = json.loads(proc.stdout)["files"][0]["findings"]
    failing = [f["code"] for f in findings if f["severity"] != "info"]  # what --strict fails on
    assert failing == EXPECTED[name]
    assert proc.returncode == (1 if EXPECTED[name] else 0)
