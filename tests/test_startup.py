"""Start-up (issue 15): a command imports what it uses. The section registry builds a section's
model only when the file (or the command line) has the section, and the heavy libraries load
only on the paths that need them. Checked in a fresh interpreter per command, on sys.modules
(never on time: benchmarks/ measures time)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES

# Runs the CLI in this interpreter and prints the modules it imported.
PROBE = """
import json, sys
from cvmctx.cli.app import main
sys.argv = ["cvmctx", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
sys.stdout = sys.__stdout__
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""

# The sections of the commands below: cernvm (which imports hostname's name pattern) and
# amiconfig; every other section model must stay unbuilt.
USED = {"_base", "amiconfig", "cernvm", "cernvm_users", "cernvm_values", "hostname"}


def _modules(tmp_path: Path, *args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=tmp_path,
                          capture_output=True, text=True, check=False, timeout=120)  # fmt: skip
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def _sections(modules: set[str]) -> set[str]:
    prefix = "cvmctx.model.sections."
    return {m.removeprefix(prefix) for m in modules if m.startswith(prefix)}


@pytest.mark.parametrize(
    ("args", "absent"),
    [
        (
            ["validate", "-q", str(EXAMPLES / "cms-ec2" / "expected-userdata.txt")],
            {"jinja2", "pycdlib", "passlib", "boto3", "libvirt"},
        ),
        (
            ["build", "--section", "cernvm", "--set", "cernvm.organisations=cms", "-o", "u.txt"],
            {"pycdlib", "passlib", "boto3", "libvirt"},
        ),
        (
            ["iso", "--section", "cernvm", "--set", "cernvm.organisations=cms", "-o", "c.iso"],
            {"passlib", "boto3", "libvirt"},
        ),
    ],
    ids=["validate", "build", "iso"],
)
def test_a_command_builds_only_the_sections_it_uses(
    tmp_path: Path, args: list[str], absent: set[str]
) -> None:
    modules = _modules(tmp_path, *args)
    assert _sections(modules) <= USED
    assert {m.split(".")[0] for m in modules} & absent == set()


def test_help_builds_no_section_model(tmp_path: Path) -> None:
    modules = _modules(tmp_path, "--help")
    assert _sections(modules) == set()
    assert {m.split(".")[0] for m in modules} & {"pydantic", "jinja2", "pycdlib"} == set()
