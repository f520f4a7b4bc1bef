"""Issue 13 item 4: ``--print-cmd`` prints the other tool's command for the file just written,
quoted for the shell, in the form the tool reads without encoding it again."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import EXAMPLES, Run

KEY = str(EXAMPLES / "atlas-panda" / "root.pub.example")


def _run_printed(line: str, tmp_path: Path, tool: str) -> list[str]:
    """Run the printed line with a stand-in ``tool`` on PATH that records its arguments, and
    with the variables the line leaves to the user set: what the real tool would receive."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    fake = bindir / tool
    fake.write_text('#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n')
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}", "IMAGE_ID": "ami-1",
           "INSTANCE_TYPE": "m1.large", "IMAGE": "cernvm4", "FLAVOR": "m1.large",
           "NAME": "vm1", "DISK": "/images/vm1.qcow2"}  # fmt: skip
    proc = subprocess.run(["bash", "-c", line], capture_output=True, env=env, check=True)
    return proc.stdout.decode().splitlines()


def test_aws_takes_plain_user_data_as_file_url(cvmctx: Run, tmp_path: Path) -> None:
    proc = cvmctx("build", "-s", "cernvm", "-o", "it's my ud.txt", "--print-cmd", "aws", "-q")
    assert proc.returncode == 0, proc.stderr
    path = tmp_path / "it's my ud.txt"
    line = proc.stdout.decode()
    quoted = f"'file://{tmp_path}/it'\"'\"'s my ud.txt'"  # the shell's quoting of a "'"
    assert line == ('aws ec2 run-instances --image-id "$IMAGE_ID" --instance-type '
                    f'"$INSTANCE_TYPE" --user-data {quoted}\n')  # fmt: skip
    argv = _run_printed(line, tmp_path, "aws")
    assert argv == ["ec2", "run-instances", "--image-id", "ami-1", "--instance-type", "m1.large",
                    "--user-data", f"file://{path}"]  # fmt: skip
    assert path.read_bytes().startswith(b"[amiconfig]\n")


def test_aws_takes_gzip_as_raw_bytes(cvmctx: Run, tmp_path: Path) -> None:
    proc = cvmctx("build", "-s", "cernvm", "--compress", "always", "-o", "ud.gz",
                  "--print-cmd", "aws", "-q")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().endswith(f" --user-data fileb://{tmp_path}/ud.gz\n")
    assert (tmp_path / "ud.gz").read_bytes()[:2] == b"\x1f\x8b"


def test_openstack_gets_the_file_and_a_config_drive(cvmctx: Run, tmp_path: Path) -> None:
    proc = cvmctx("build", "-s", "cernvm", "-o", "ud.txt", "--print-cmd", "openstack", "-q")
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.decode()
    assert line == ('openstack server create --image "$IMAGE" --flavor "$FLAVOR" --user-data '
                    f'{tmp_path}/ud.txt --config-drive true "$NAME"\n')  # fmt: skip
    assert _run_printed(line, tmp_path, "openstack")[-4:] == [
        f"{tmp_path}/ud.txt", "--config-drive", "true", "vm1"]  # fmt: skip


def test_virt_install_attaches_the_cd_read_only(cvmctx: Run, tmp_path: Path) -> None:
    proc = cvmctx("iso", "-s", "cernvm", "--root-pubkey", KEY, "-o", "context.iso",
                  "--print-cmd", "virt-install", "-q")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    argv = _run_printed(proc.stdout.decode(), tmp_path, "virt-install")
    assert argv[argv.index("--disk") + 1] == "path=/images/vm1.qcow2"
    assert argv[argv.index("--disk") + 2:argv.index("--disk") + 4] == [
        "--disk", f"path={tmp_path}/context.iso,device=cdrom,readonly=on"]  # fmt: skip
    assert argv[:2] == ["--name", "vm1"] and "--import" in argv


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "-s", "cernvm", "--print-cmd", "aws"],
         "--print-cmd aws names the file: give -o FILE, not stdout"),
        (["build", "-s", "cernvm", "-o", "out", "--encoding", "base64", "--print-cmd", "aws"],
         "--print-cmd aws: aws base64-encodes the file itself, so base64 output would reach the "
         "guest encoded twice; build with --encoding plain"),
        (["build", "-s", "cernvm", "-o", "out", "--encoding", "base64", "--print-cmd",
          "openstack"], "--print-cmd openstack: openstack base64-encodes the file itself, so "
         "base64 output would reach the guest encoded twice; build with --encoding plain"),
        (["iso", "-s", "cernvm", "-o", "-", "--print-cmd", "virt-install"],
         "--print-cmd virt-install names the image file: give -o FILE, not -o -"),
    ],
)  # fmt: skip
def test_a_hand_off_that_cannot_work_is_refused_before_writing(
    cvmctx: Run, tmp_path: Path, args: list[str], message: str
) -> None:
    proc = cvmctx(*args, env={"ROOT_PUBKEY": KEY})
    assert proc.returncode == 2
    assert proc.stderr.decode() == f"cvmctx: error: {message}\n"
    assert proc.stdout == b""
    assert not (tmp_path / "out").exists()
