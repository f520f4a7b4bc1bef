"""Secrets never leak: no report, listing or error message shows a secret value unless asked;
passwords can be hashed the one way the guest accepts."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest
from conftest import EXAMPLES, Run
from passlib.hash import sha512_crypt

MARK = "Zq9Secret"  # in every secret value below; must never show up in any output
PEM = f"-----BEGIN CERTIFICATE-----\nMIIB{MARK}AAAA\n-----END CERTIFICATE-----\n".encode()
B64_PEM = base64.b64encode(PEM).decode()
USER_DATA = f"""[amiconfig]
plugins = cernvm noip dnsupdate condor appliance-agent rapadminpassword
[cernvm]
organisations = cms
users = alice:cms:{MARK}pw,bob:cms:{MARK}  two
x509-cert = {B64_PEM}
contextualization_key = {MARK}ctx
[noip]
username = someone
password = {MARK}noip
hostname = h.example.org
[dnsupdate]
server = 10.0.0.1
tsighost = update-key
host = vm1
domain = example.org
tsigkey = {MARK}tsi
[condor]
condor_secret = {MARK}condor
[appliance-agent]
password = {MARK}agent
[rpath]
rap-password = {MARK}rap
[sitecustom]
api_token = {MARK}token
"""  # (rpath: removed plugin, a warning; sitecustom: a site plugin, a warning)
PUBKEY = EXAMPLES / "atlas-panda" / "root.pub.example"


@pytest.fixture
def userdata(tmp_path: Path) -> Path:
    path = tmp_path / "userdata.txt"
    path.write_text(USER_DATA)
    return path


def _clean(proc: subprocess.CompletedProcess[bytes]) -> None:
    for stream in (proc.stdout, proc.stderr):
        assert MARK.encode() not in stream, stream.decode(errors="replace")
        assert B64_PEM[8:40].encode() not in stream
    assert b"Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["validate", "--format", "json"],
        ["validate", "--strict", "--quiet"],
        ["inspect"],
        ["inspect", "--format", "json"],
    ],
)
def test_reports_never_show_secrets(cvmctx: Run, userdata: Path, args: list[str]) -> None:
    proc = cvmctx(*args, userdata)
    assert proc.returncode == 1  # bob's password has a space: the guest collapses it
    _clean(proc)


def test_the_findings_are_still_there(cvmctx: Run, userdata: Path) -> None:
    doc = json.loads(cvmctx("validate", "--format", "json", userdata).stdout)
    codes = {f["code"] for f in doc["files"][0]["findings"]}
    assert codes == {
        "cernvm.users.password-space",
        "rpath.removed",
        "ini.unknown-section",
        "appliance-agent.password.one-argument",
    }


def test_inspect_show_secrets_is_the_only_way(cvmctx: Run, userdata: Path) -> None:
    proc = cvmctx("inspect", "--show-secrets", userdata)
    assert f"password = {MARK}noip".encode() in proc.stdout


def test_build_failure_and_iso_failure_do_not_echo(cvmctx: Run, userdata: Path) -> None:
    _clean(cvmctx("build", userdata))  # refused: bob's password
    _clean(cvmctx("build", "--set", f"noip.password={MARK} x\ny", "-s", "noip"))
    _clean(cvmctx("iso", "-o", userdata.parent / "c.iso", userdata))
    _clean(cvmctx("iso", "-o", userdata.parent / "c.iso", "--var", f"TOKEN={MARK}\n"))


def test_build_output_has_the_secret_only_in_the_output_file(
    cvmctx: Run, userdata: Path, tmp_path: Path
) -> None:
    fixed = USER_DATA.replace(f"{MARK}  two", f"{MARK}two")
    userdata.write_text(fixed)
    out = tmp_path / "out.txt"
    proc = cvmctx("build", userdata, "-o", out)
    assert proc.returncode == 0, proc.stderr.decode()
    _clean(proc)
    assert MARK in out.read_text()
    assert out.stat().st_mode & 0o777 == 0o600


def test_iso_stderr_and_inspect_are_clean(cvmctx: Run, userdata: Path, tmp_path: Path) -> None:
    fixed = USER_DATA.replace(f"{MARK}  two", f"{MARK}two")
    userdata.write_text(fixed)
    iso = tmp_path / "c.iso"
    # an enabled [dnsupdate] fails behind a CD (no EC2 meta-data): refused, and cleanly
    proc = cvmctx("iso", "-o", iso, userdata, "--root-pubkey", PUBKEY)
    assert proc.returncode == 1
    assert "error[dnsupdate.context-cd]" in proc.stderr.decode()
    assert not iso.exists()
    _clean(proc)
    userdata.write_text(fixed.replace(" dnsupdate condor", " condor"))
    proc = cvmctx("iso", "-o", iso, userdata, "--root-pubkey", PUBKEY, "--no-enable-plugins")
    assert proc.returncode == 0, proc.stderr.decode()
    _clean(proc)
    _clean(cvmctx("inspect", iso))
    _clean(cvmctx("validate", "--format", "json", iso))


# ------------------------------------------------------------------------------ hashing


def test_hash_password_from_stdin_is_sha512_crypt(cvmctx: Run) -> None:
    proc = cvmctx("hash-password", "--stdin", stdin=f"{MARK}pw\n".encode())
    assert proc.returncode == 0
    hashed = proc.stdout.decode().strip()
    assert hashed.startswith("$6$") and len(hashed.split("$")) == 4
    assert sha512_crypt.verify(f"{MARK}pw", hashed)
    assert MARK.encode() not in proc.stdout + proc.stderr
    # glibc's crypt(3) agrees: openssl passwd -6 with the same salt gives the same hash
    salt = hashed.split("$")[2]
    again = subprocess.run(
        ["openssl", "passwd", "-6", "-salt", salt, "-stdin"],
        input=f"{MARK}pw".encode(), capture_output=True, check=True,
    ).stdout.decode().strip()  # fmt: skip
    assert again == hashed


def test_hash_password_refuses_empty(cvmctx: Run) -> None:
    proc = cvmctx("hash-password", "--stdin", stdin=b"\n")
    assert proc.returncode == 2
    want = "cvmctx: error: an empty password cannot be hashed; give a password\n"
    assert proc.stderr.decode() == want


def test_build_hash_passwords(cvmctx: Run) -> None:
    proc = cvmctx(
        "build", "-s", "cernvm", "--set", f"cernvm.users=alice:cms:{MARK}pw,bob:cms:,"
        "carol:cms:$6$saltsalt$" + "a" * 86, "--hash-passwords",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode()
    line = next(x for x in proc.stdout.decode().splitlines() if x.startswith("users = "))
    alice, bob, carol = line.removeprefix("users = ").split(",")
    assert sha512_crypt.verify(f"{MARK}pw", alice.split(":", 2)[2])
    assert bob == "bob:cms:"
    assert carol == "carol:cms:$6$saltsalt$" + "a" * 86
    err = proc.stderr.decode()
    assert "warning[build.passwords-hashed] the password of 'alice' is now a SHA-512 hash" in err
    assert MARK not in err
    assert "plaintext-password" not in err
