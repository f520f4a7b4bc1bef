"""The seed's EC2 example (examples/cms-ec2): same bytes from a user-data file and from flags."""

from __future__ import annotations

import base64
import gzip
import os
import stat
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLES, Run

EXAMPLE = EXAMPLES / "cms-ec2"
EXPECTED = (EXAMPLE / "expected-userdata.txt").read_bytes()
FLAGS = [
    "--script",
    str(EXAMPLE / "script.sh"),
    "--phase",
    "after",
    "--section",
    "cernvm",
    "--set",
    "cernvm.organisations=cms",
    "--set",
    "cernvm.repositories=cms",
    "--set",
    "cernvm.users=testcms:cms:12345678",
    "--set",
    "cernvm.shell=/bin/bash",
    "--set",
    "cernvm.services=ntpd",
    "--set",
    "cernvm.environment=CMS_SITECONFIG=EC2,CMS_ROOT=/opt/cms",
]


def test_expected_output_is_the_seed_example_with_cernvm_enabled() -> None:
    assert EXPECTED.startswith(
        b"#!/bin/sh\necho Done > /tmp/done\nexit\n[amiconfig]\nplugins = cernvm\n[cernvm]\n"
    )


def test_build_from_flags_gives_expected_bytes(cvmctx: Run, tmp_path: Path) -> None:
    out = tmp_path / "ud.txt"
    proc = cvmctx("build", *FLAGS, "-o", out)
    assert proc.returncode == 0, proc.stderr.decode()
    assert out.read_bytes() == EXPECTED
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_build_from_seed_userdata_gives_expected_bytes(cvmctx: Run) -> None:
    proc = cvmctx("build", EXAMPLE / "seed-userdata.txt")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == EXPECTED


def test_build_to_stdout_equals_file(cvmctx: Run) -> None:
    proc = cvmctx("build", *FLAGS)
    assert proc.returncode == 0
    assert proc.stdout == EXPECTED


def test_budget_report_on_stderr(cvmctx: Run) -> None:
    proc = cvmctx("build", *FLAGS)
    err = proc.stderr.decode()
    assert f"raw {len(EXPECTED)} B" in err
    assert "ec2" in err and "16384" in err


def test_validate_expected_plain_base64_gzip(cvmctx: Run, tmp_path: Path) -> None:
    variants = {
        "plain.txt": EXPECTED,
        "b64.txt": base64.b64encode(EXPECTED),
        "gz.bin": gzip.compress(EXPECTED, 9, mtime=0),
    }
    for name, data in variants.items():
        (tmp_path / name).write_bytes(data)
        proc = cvmctx("validate", tmp_path / name)
        assert proc.returncode == 0, (name, proc.stdout.decode())


def test_build_base64_and_gzip_variants_validate(cvmctx: Run, tmp_path: Path) -> None:
    b64 = cvmctx("build", *FLAGS, "--encoding", "base64")
    assert b64.returncode == 0
    assert base64.b64decode(b64.stdout, validate=True) == EXPECTED
    out = tmp_path / "ud.gz"
    gz = cvmctx("build", *FLAGS, "--compress", "always", "-o", out)
    assert gz.returncode == 0
    assert gzip.decompress(out.read_bytes()) == EXPECTED
    assert "encoding.gzip-old-guest" in gz.stderr.decode()
    for path in (out,):
        assert cvmctx("validate", path).returncode == 0
    (tmp_path / "b64.txt").write_bytes(b64.stdout)
    assert cvmctx("validate", tmp_path / "b64.txt").returncode == 0


def test_build_script_matches_example(tmp_path: Path) -> None:
    # build.sh calls `cvmctx`; a shim on PATH makes that this interpreter's cvmctx.
    shim = tmp_path / "bin" / "cvmctx"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m cvmctx "$@"\n')
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{shim.parent}:{os.environ['PATH']}"}
    env.pop("X509_USER_PROXY", None)
    out = tmp_path / "ud.txt"
    subprocess.run(
        ["bash", str(EXAMPLE / "build.sh"), str(out)], check=True, env=env, capture_output=True
    )
    assert out.read_bytes() == EXPECTED
