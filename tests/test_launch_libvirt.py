"""Issue 13: starting CernVM machines on libvirt, against libvirt's built-in test driver
(``test:///default``: in-process, part of libvirt itself; no daemon, no network).

The test driver keeps its machines while a connection to it is open, so the module holds one
(``virt``) for its whole run: each command opens and closes its own, and the domains it
defined are still there for the next command, and for the checks here."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES
from typer.testing import CliRunner

from cvmctx.cli.app import app

URI = "test:///default"
EPOCH = "1700000000"


@pytest.fixture(scope="module")
def virt() -> Iterator[Any]:
    import libvirt

    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    conn = libvirt.open(URI)
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture(autouse=True)
def _clean(virt: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.delenv("X509_USER_PROXY", raising=False)
    monkeypatch.delenv("ROOT_PUBKEY", raising=False)
    before = {d.name() for d in virt.listAllDomains()}
    yield
    for domain in virt.listAllDomains():  # leave the driver as the test found it
        if domain.name() not in before:
            if domain.isActive():
                domain.destroy()
            domain.undefine()


def _disk(tmp_path: Path) -> Path:
    """A stand-in for the CernVM image: raw bytes (the test driver boots nothing)."""
    disk = tmp_path / "images" / "cernvm-batch-node-2.4.0-1.1-1-x86_64.hdd"
    disk.parent.mkdir()
    disk.write_bytes(b"\0" * 65536)
    return disk


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def _devices(domain: Any) -> dict[str, ET.Element]:
    """The domain's disks as libvirt holds them, by device kind (disk, cdrom)."""
    root = ET.fromstring(domain.XMLDesc())
    return {d.get("device", ""): d for d in root.iter("disk")}


def test_the_seeds_kvm_example_as_one_command(virt: Any, tmp_path: Path) -> None:
    disk = _disk(tmp_path)
    record = tmp_path / "launch.json"
    spec = EXAMPLES / "atlas-panda" / "spec.toml"
    result = _invoke(
        "launch",
        "libvirt",
        str(spec),
        "--disk",
        str(disk),
        "--connect",
        URI,
        "--memory",
        "512",
        "--record",
        str(record),
    )
    assert result.exit_code == 0, result.output
    domain = virt.lookupByName("atlas-panda")
    assert result.stdout == f"atlas-panda\t{domain.UUIDString()}\n"
    assert domain.isActive()
    assert domain.maxMemory() == 512 * 1024
    devices = _devices(domain)
    cd = devices["cdrom"]
    iso = disk.parent / "atlas-panda.context.iso"
    assert cd.find("source").get("file") == str(iso)  # type: ignore[union-attr]
    assert cd.find("readonly") is not None  # the context CD is attached read-only
    assert cd.find("target").get("dev") == "hdb"  # type: ignore[union-attr]
    assert devices["disk"].find("source").get("file") == str(disk)  # type: ignore[union-attr]
    # the CD is the one `cvmctx iso` writes from the same spec, byte for byte, mode 0600
    built = tmp_path / "context.iso"
    subprocess.run(
        [sys.executable, "-m", "cvmctx", "iso", str(spec), "-o", str(built), "-q"],
        check=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )
    assert iso.read_bytes() == built.read_bytes()
    assert iso.stat().st_mode & 0o777 == 0o600
    [machine] = json.loads(record.read_text())["launches"][0]["machines"]
    assert machine["host"] == "atlas-panda"
    assert machine["files"] == [str(iso)]
    launch = json.loads(record.read_text())["launches"][0]
    assert launch["uri"] == URI
    assert launch["spec_sha256"] == hashlib.sha256(spec.read_bytes()).hexdigest()


def test_launch_instances_terminate(virt: Any, tmp_path: Path) -> None:
    disk = _disk(tmp_path)
    record = tmp_path / "launch.json"
    userdata = tmp_path / "ud.txt"
    userdata.write_bytes((EXAMPLES / "cms-ec2" / "expected-userdata.txt").read_bytes())
    launched = _invoke(
        "launch",
        "libvirt",
        str(userdata),
        "--disk",
        str(disk),
        "--overlay",
        "--count",
        "3",
        "--name",
        "cvm",
        "--connect",
        URI,
        "--record",
        str(record),
    )
    assert launched.exit_code == 0, launched.output
    assert [line.split("\t")[0] for line in launched.stdout.splitlines()] == [
        "cvm-1",
        "cvm-2",
        "cvm-3",
    ]
    for name in ("cvm-1", "cvm-2", "cvm-3"):
        overlay = disk.parent / f"{name}.qcow2"
        info = json.loads(
            subprocess.run(
                ["qemu-img", "info", "--output", "json", str(overlay)],
                capture_output=True,
                check=True,
                text=True,
            ).stdout
        )
        assert info["format"] == "qcow2"
        assert info["backing-filename"] == str(disk)  # one base image serves them all
        source = _devices(virt.lookupByName(name))["disk"].find("source")
        assert source.get("file") == str(overlay)  # type: ignore[union-attr]
    shown = _invoke("instances", "--format", "json", str(record))
    assert shown.exit_code == 0, shown.output
    rows = json.loads(shown.stdout)["machines"]
    assert [(m["host"], m["provider"], m["state"]) for m in rows] == [
        (f"cvm-{i}", "libvirt", "running") for i in (1, 2, 3)
    ]
    # on a terminal, a table (rich: TTY_COMPATIBLE=1 makes CliRunner's stdout one)
    table = CliRunner(env={"TTY_COMPATIBLE": "1", "NO_COLOR": "1"}).invoke(
        app, ["instances", str(record)]
    )
    words = [re.sub(r"\x1b\[[0-9;]*m", "", line).split() for line in table.stdout.splitlines()]
    assert words[0] == ["host", "id", "provider", "state"]
    assert [row[0] for row in words[1:]] == ["cvm-1", "cvm-2", "cvm-3"]
    assert {row[3] for row in words[1:]} == {"running"}
    one = _invoke("terminate", str(record), "--host", "cvm-2", "--yes")
    assert one.exit_code == 0, one.output
    assert "cvm-2" not in {d.name() for d in virt.listAllDomains()}
    assert not (disk.parent / "cvm-2.qcow2").exists()
    assert not (disk.parent / "cvm-2.context.iso").exists()
    assert (disk.parent / "cvm-1.qcow2").exists()
    rest = _invoke("terminate", str(record), "--yes")
    assert rest.exit_code == 0, rest.output
    assert json.loads(record.read_text())["launches"] == []
    assert sorted(p.name for p in disk.parent.iterdir()) == [disk.name]  # only the base image
    assert disk.read_bytes() == b"\0" * 65536


def test_a_fleet_starts_one_domain_per_host_with_its_own_cd(virt: Any, tmp_path: Path) -> None:
    spec = EXAMPLES / "batch-cluster" / "spec.toml"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cvmctx",
            "fleet",
            str(spec),
            "--what",
            "iso",
            "-o",
            str(tmp_path / "fleet"),
            "-q",
        ],
        check=True,
    )
    manifest = tmp_path / "fleet" / "manifest.json"
    disk = _disk(tmp_path)
    shared = _invoke("launch", "libvirt", str(manifest), "--disk", str(disk), "--connect", URI)
    assert shared.exit_code == 2
    assert shared.stderr == (
        f"cvmctx: error: 20 machines cannot share one writable disk ({disk}): give --overlay\n"
    )
    result = _invoke(
        "launch", "libvirt", str(manifest), "--disk", str(disk), "--overlay", "--connect", URI
    )
    assert result.exit_code == 0, result.output
    for i in range(1, 21):
        host = f"wn{i:03d}"
        cd = _devices(virt.lookupByName(host))["cdrom"].find("source")
        assert cd.get("file") == str(tmp_path / "fleet" / host / "context.iso")  # type: ignore[union-attr]
    record = tmp_path / "fleet" / "cvmctx-launch.json"  # beside the fleet
    done = _invoke("terminate", str(record), "--yes")
    assert done.exit_code == 0, done.output
    assert (tmp_path / "fleet" / "wn001" / "context.iso").exists()  # the fleet's, not the launch's
    assert not list(disk.parent.glob("*.qcow2"))


def _nothing_left(virt: Any, tmp_path: Path, disk: Path, names: set[str]) -> None:
    assert not names & {d.name() for d in virt.listAllDomains()}
    assert sorted(p.name for p in disk.parent.iterdir()) == [disk.name]
    assert not (tmp_path / "launch.json").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--name", "test"],
            "libvirt domain 'test' exists already at test:///default: choose "
            "another --name, or cvmctx terminate it",
        ),  # the test driver's own domain
        (
            ["--connect", "qemu+unix:///system?socket=/nonexistent/libvirt-sock"],
            "cannot reach libvirt at qemu+unix:///system?socket=/nonexistent/libvirt-sock (Failed "
            "to connect socket to '/nonexistent/libvirt-sock': No such file or directory): is "
            "libvirtd running, and may this user use it? check --connect",
        ),
        (
            ["--iso", "/nonexistent/dir/c.iso"],
            "/nonexistent/dir/c.iso: the directory /nonexistent/dir does not exist",
        ),
    ],
    ids=["name-taken", "unreachable", "iso-directory-missing"],
)
def test_errors_are_one_line_and_leave_nothing(
    virt: Any, tmp_path: Path, extra: list[str], message: str
) -> None:
    disk = _disk(tmp_path)
    result = _invoke(
        "launch",
        "libvirt",
        str(EXAMPLES / "atlas-panda" / "spec.toml"),
        "--disk",
        str(disk),
        "--connect",
        URI,
        "--record",
        str(tmp_path / "launch.json"),
        *extra,
    )
    assert result.exit_code == 2, result.output
    assert result.stderr == f"cvmctx: error: {message}\n"
    _nothing_left(virt, tmp_path, disk, {"atlas-panda"})


def test_a_missing_disk_is_refused_before_anything(virt: Any, tmp_path: Path) -> None:
    missing = tmp_path / "images" / "none.hdd"
    missing.parent.mkdir()
    result = _invoke(
        "launch",
        "libvirt",
        str(EXAMPLES / "atlas-panda" / "spec.toml"),
        "--disk",
        str(missing),
        "--connect",
        URI,
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"cvmctx: error: {missing}: no such machine image; give --disk "
        "the CernVM image (.hdd, .qcow2)\n"
    )
    assert list(missing.parent.iterdir()) == []


def test_an_overlay_already_there_is_never_overwritten(virt: Any, tmp_path: Path) -> None:
    disk = _disk(tmp_path)
    taken = disk.parent / "cvm.qcow2"
    taken.write_bytes(b"another machine's disk")
    result = _invoke(
        "launch",
        "libvirt",
        "--section",
        "cernvm",
        "--set",
        "cernvm.organisations=cms",
        "--disk",
        str(disk),
        "--overlay",
        "--name",
        "cvm",
        "--connect",
        URI,
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"cvmctx: error: {taken} exists (another machine's disk?): remove "
        "it, or choose another --name\n"
    )
    assert taken.read_bytes() == b"another machine's disk"


def test_a_failure_half_way_undoes_that_machine_and_records_the_others(
    virt: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """libvirt refusing the 3rd of 4 domains (say, the host ran out of memory): the 3rd's CD and
    overlay are removed, the two started are recorded and reported, exit 1."""
    import libvirt

    from cvmctx.launch import libvirt as provider

    real = provider.connect

    class Refusing:
        def __init__(self, conn: Any) -> None:
            self.conn, self.defined = conn, 0

        def __getattr__(self, name: str) -> Any:
            return getattr(self.conn, name)

        def defineXML(self, xml: str) -> Any:
            self.defined += 1
            if self.defined == 3:
                raise libvirt.libvirtError("operation failed: not enough memory")
            return self.conn.defineXML(xml)

    monkeypatch.setattr(provider, "connect", lambda uri: Refusing(real(uri)))
    disk = _disk(tmp_path)
    record = tmp_path / "launch.json"
    result = _invoke(
        "launch",
        "libvirt",
        str(EXAMPLES / "atlas-panda" / "spec.toml"),
        "--disk",
        str(disk),
        "--overlay",
        "--count",
        "4",
        "--connect",
        URI,
        "--record",
        str(record),
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "cvmctx: error: host 'atlas-panda-3': libvirt refused domain 'atlas-panda-3' (operation "
        "failed: not enough memory); 2 of 4 machine(s) started before it (recorded)"
    )
    assert [m["host"] for m in json.loads(record.read_text())["launches"][0]["machines"]] == [
        "atlas-panda-1",
        "atlas-panda-2",
    ]
    assert sorted(p.name for p in disk.parent.iterdir()) == sorted(
        [
            disk.name,
            "atlas-panda-1.qcow2",
            "atlas-panda-1.context.iso",
            "atlas-panda-2.qcow2",
            "atlas-panda-2.context.iso",
        ]
    )
    assert {"atlas-panda-3", "atlas-panda-4"}.isdisjoint(d.name() for d in virt.listAllDomains())
    monkeypatch.setattr(provider, "connect", real)
    done = _invoke("terminate", str(record), "--yes")
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in disk.parent.iterdir()) == [disk.name]


def test_without_the_binding_one_line_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "libvirt", None)  # as if libvirt-python were not installed
    disk = _disk(tmp_path)
    result = _invoke(
        "launch", "libvirt", "--section", "cernvm", "--disk", str(disk), "--connect", URI
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "cvmctx: error: cvmctx launch libvirt needs libvirt-python: pip "
        "install 'cvmctx[libvirt]' (it builds against libvirt-dev and "
        "pkg-config)\n"
    )
    assert sorted(p.name for p in disk.parent.iterdir()) == [disk.name]
