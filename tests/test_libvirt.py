"""libvirt XML for the context CD and a whole domain: exact text, schema-valid, escaped, refusals.

Schema checks run libvirt's own validator (``virt-xml-validate`` from Debian libvirt-clients,
which scripts/test.sh installs); it is required, not optional.
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cvmctx.cd.libvirt import disk_xml, domain_xml
from cvmctx.diagnostics import EXIT_USAGE, CvmctxError

SEED_DISK = "/data/test/cernvm-batch-node-2.4.0-1.1-1-x86_64.hdd"
SEED_ISO = "/data/test/context.iso"
SPECIAL = "a&b<c'd\"e>f"


def run_validator(tmp_path: Path, xml: str, kind: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("virt-xml-validate") or "/usr/bin/virt-xml-validate"
    assert Path(tool).exists(), "virt-xml-validate is missing: install Debian libvirt-clients"
    assert shutil.which("xmllint"), "virt-xml-validate needs xmllint: install libxml2-utils"
    path = tmp_path / f"{kind}.xml"
    path.write_text(xml, encoding="utf-8")
    return subprocess.run(
        [tool, str(path), kind], capture_output=True, text=True, timeout=60, check=False
    )


def validate(tmp_path: Path, xml: str, kind: str = "domain") -> None:
    """Run ``virt-xml-validate FILE kind``; fail with its output unless the file is valid."""
    done = run_validator(tmp_path, xml, kind)
    assert done.returncode == 0, f"{done.stdout}{done.stderr}\n{xml}"
    assert "validates" in done.stdout + done.stderr


def minimal_domain(devices: str) -> str:
    indented = "".join(f"    {line}\n" for line in devices.splitlines())
    return (
        "<domain type='kvm'>\n  <name>t</name>\n  <memory unit='MiB'>64</memory>\n"
        "  <os>\n    <type arch='x86_64'>hvm</type>\n  </os>\n"
        f"  <devices>\n{indented}  </devices>\n</domain>\n"
    )


def seed_domain(**overrides: object) -> str:
    values: dict[str, object] = {
        "name": "CernVM-2.2.0-x86_64",
        "memory_mib": 512,
        "disk": SEED_DISK,
        "iso": SEED_ISO,
        "vnc_port": 6019,
    }
    values.update(overrides)
    return domain_xml(**values)  # type: ignore[arg-type]


# --- the context CD element -------------------------------------------------------------------


def test_disk_element_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert disk_xml("context.iso") == (
        "<disk type='file' device='cdrom'>\n"
        "  <driver name='qemu' type='raw'/>\n"
        f"  <source file='{tmp_path}/context.iso'/>\n"
        "  <target dev='hdb'/>\n"
        "  <readonly/>\n"
        "</disk>\n"
    )


def test_disk_element_has_the_seed_contents(tmp_path: Path) -> None:
    disk = ET.fromstring(disk_xml(tmp_path / "context.iso"))
    assert (disk.tag, disk.attrib) == ("disk", {"type": "file", "device": "cdrom"})
    assert [child.tag for child in disk] == ["driver", "source", "target", "readonly"]
    assert disk.find("driver").attrib == {"name": "qemu", "type": "raw"}  # type: ignore[union-attr]
    assert disk.find("source").attrib == {"file": str(tmp_path / "context.iso")}  # type: ignore[union-attr]
    assert disk.find("target").attrib == {"dev": "hdb"}  # type: ignore[union-attr]


def test_disk_path_is_made_absolute_and_normalised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    source = ET.fromstring(disk_xml(Path("../ctx/context.iso"))).find("source")
    assert source is not None
    assert source.get("file") == f"{tmp_path}/ctx/context.iso"


def test_disk_target_and_bus(tmp_path: Path) -> None:
    xml = disk_xml(tmp_path / "context.iso", target="sdb", bus="sata")
    assert "  <target dev='sdb' bus='sata'/>\n" in xml
    validate(tmp_path, minimal_domain(xml))


@pytest.mark.parametrize("bus", ["ide", "sata", "scsi", "usb"])
def test_disk_every_bus_validates(tmp_path: Path, bus: str) -> None:
    target = "hdc" if bus == "ide" else "sdc"
    validate(tmp_path, minimal_domain(disk_xml(tmp_path / "context.iso", target=target, bus=bus)))


def test_disk_element_in_minimal_domain_validates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    validate(tmp_path, minimal_domain(disk_xml("context.iso")))


def test_validator_is_not_a_no_op(tmp_path: Path) -> None:
    """The schema check can fail: libvirt's schema refuses a relative source path."""
    good = disk_xml(tmp_path / "c.iso")
    done = run_validator(
        tmp_path, minimal_domain(good.replace(str(tmp_path / "c.iso"), "c.iso")), "domain"
    )
    assert done.returncode != 0
    assert "fails to validate" in done.stdout + done.stderr


# --- the whole domain -------------------------------------------------------------------------


def test_seed_domain_validates(tmp_path: Path) -> None:
    validate(tmp_path, seed_domain())


def test_seed_domain_golden() -> None:
    assert seed_domain() == (
        "<domain type='kvm'>\n"
        "  <name>CernVM-2.2.0-x86_64</name>\n"
        "  <memory unit='MiB'>512</memory>\n"
        "  <vcpu>1</vcpu>\n"
        "  <os>\n"
        "    <type arch='x86_64'>hvm</type>\n"
        "    <boot dev='hd'/>\n"
        "  </os>\n"
        "  <devices>\n"
        "    <disk type='file' device='disk'>\n"
        "      <driver name='qemu' type='raw'/>\n"
        f"      <source file='{SEED_DISK}'/>\n"
        "      <target dev='hda'/>\n"
        "    </disk>\n"
        "    <disk type='file' device='cdrom'>\n"
        "      <driver name='qemu' type='raw'/>\n"
        f"      <source file='{SEED_ISO}'/>\n"
        "      <target dev='hdb'/>\n"
        "      <readonly/>\n"
        "    </disk>\n"
        "    <interface type='network'>\n"
        "      <source network='default'/>\n"
        "      <model type='virtio'/>\n"
        "    </interface>\n"
        "    <graphics type='vnc' port='6019' autoport='no' listen='127.0.0.1'/>\n"
        "  </devices>\n"
        "</domain>\n"
    )


def test_domain_cd_is_the_disk_element() -> None:
    """The context CD in the domain is disk_xml's element, indented by four spaces."""
    disk = disk_xml(SEED_ISO)
    assert "".join(f"    {line}\n" for line in disk.splitlines()) in seed_domain()


def test_domain_is_deterministic() -> None:
    assert seed_domain() == seed_domain()
    assert seed_domain().endswith("</domain>\n") and not seed_domain().endswith("\n\n")


def test_domain_autoport_qcow2_sata_and_options(tmp_path: Path) -> None:
    xml = domain_xml(
        name="cvm",
        memory_mib=2048,
        disk=tmp_path / "cvm.qcow2",
        iso=tmp_path / "context.iso",
        disk_format="qcow2",
        vnc_port=None,
        machine_disk_target="sda",
        iso_target="sdb",
        bus="sata",
        vcpus=2,
        vnc_listen="::1",
        arch="x86_64",
    )
    validate(tmp_path, xml)
    root = ET.fromstring(xml)
    assert root.findtext("vcpu") == "2"
    assert root.find("memory").attrib == {"unit": "MiB"}  # type: ignore[union-attr]
    assert root.findtext("memory") == "2048"
    graphics = root.find("devices/graphics")
    assert graphics is not None
    assert graphics.attrib == {"type": "vnc", "autoport": "yes", "listen": "::1"}
    disks = root.findall("devices/disk")
    assert disks[0].find("driver").get("type") == "qcow2"  # type: ignore[union-attr]
    assert [d.find("target").attrib for d in disks] == [  # type: ignore[union-attr]
        {"dev": "sda", "bus": "sata"},
        {"dev": "sdb", "bus": "sata"},
    ]


def test_domain_default_vnc_is_loopback() -> None:
    xml = domain_xml(name="x", memory_mib=256, disk=SEED_DISK, iso=SEED_ISO)
    assert "<graphics type='vnc' autoport='yes' listen='127.0.0.1'/>" in xml
    assert "0.0.0.0" not in xml


# --- escaping ---------------------------------------------------------------------------------


def test_special_characters_escaped_validate_and_parse_back(tmp_path: Path) -> None:
    disk = tmp_path / f"disk {SPECIAL}.hdd"
    iso = tmp_path / f"ctx {SPECIAL}.iso"
    xml = domain_xml(
        name=f"CernVM {SPECIAL}", memory_mib=512, disk=disk, iso=iso, network=f"net{SPECIAL}"
    )
    for raw in ("a&b", "b<c", "c'd", 'd"e', "e>f"):
        assert raw not in xml
    assert "a&amp;b&lt;c" in xml
    validate(tmp_path, xml)
    root = ET.fromstring(xml)
    assert root.findtext("name") == f"CernVM {SPECIAL}"
    sources = [d.find("source").get("file") for d in root.findall("devices/disk")]  # type: ignore[union-attr]
    assert sources == [str(disk), str(iso)]
    assert root.find("devices/interface/source").get("network") == f"net{SPECIAL}"  # type: ignore[union-attr]


def test_disk_special_characters(tmp_path: Path) -> None:
    iso = tmp_path / f"{SPECIAL}.iso"
    xml = disk_xml(iso)
    assert "'" not in xml.split("file='", 1)[1].split("'/>", 1)[0]
    assert ET.fromstring(xml).find("source").get("file") == str(iso)  # type: ignore[union-attr]
    validate(tmp_path, minimal_domain(xml))


# --- refusals ---------------------------------------------------------------------------------


def refused(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(CvmctxError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    assert caught.value.exit_code == EXIT_USAGE
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("target", ["hd", "hdb1", "cdrom", "HDB", "sd-b", "nvme0n1", ""])
def test_disk_refuses_bad_target(target: str) -> None:
    assert refused(disk_xml, SEED_ISO, target=target) == (
        f"libvirt: CD-ROM target {target!r} is not a device name like hdb, sdb, vdb or xvdb"
    )


@pytest.mark.parametrize("bus", ["virtio", "fdc", "xen", "IDE", ""])
def test_disk_refuses_bad_bus(bus: str) -> None:
    assert refused(disk_xml, SEED_ISO, bus=bus) == (
        f"libvirt: bus {bus!r} cannot carry a CD-ROM; use one of ide, sata, scsi, usb"
    )


def test_disk_refuses_empty_and_control_character_paths() -> None:
    assert refused(disk_xml, "") == "libvirt: the context ISO path is empty; give the file"
    assert refused(disk_xml, "/tmp/a\nb.iso") == (
        "libvirt: the context ISO path contains the character U+000A, which libvirt XML cannot "
        "carry; rename it"
    )


@pytest.mark.parametrize("memory", [0, -512, 2**40 + 1, 2**70])
def test_domain_refuses_bad_memory(memory: int) -> None:
    assert refused(seed_domain, memory_mib=memory) == (
        f"libvirt: memory (MiB) must be a whole number from 1 to {2**40}, not {memory}"
    )


@pytest.mark.parametrize("vcpus", [0, 65536])
def test_domain_refuses_bad_vcpus(vcpus: int) -> None:
    assert refused(seed_domain, vcpus=vcpus) == (
        f"libvirt: the vCPU count must be a whole number from 1 to 65535, not {vcpus}"
    )


@pytest.mark.parametrize("port", [5899, 0, -1, 65536])
def test_domain_refuses_bad_port(port: int) -> None:
    assert refused(seed_domain, vnc_port=port) == (
        f"libvirt: VNC port {port!r} is outside 5900-65535; give one in range or none to let "
        f"libvirt pick a free port"
    )


@pytest.mark.parametrize("port", [5900, 65535])
def test_domain_accepts_port_bounds(tmp_path: Path, port: int) -> None:
    validate(tmp_path, seed_domain(vnc_port=port))


@pytest.mark.parametrize("name", ["", "a/b", "/"])
def test_domain_refuses_bad_name(name: str) -> None:
    assert refused(seed_domain, name=name) == (
        f"libvirt: domain name {name!r} must be non-empty and must not contain '/'"
    )


def test_domain_refuses_control_character_in_name() -> None:
    assert refused(seed_domain, name="a\tb") == (
        "libvirt: the domain name contains the character U+0009, which libvirt XML cannot "
        "carry; rename it"
    )


def test_domain_refuses_bad_targets_and_bus() -> None:
    assert refused(seed_domain, machine_disk_target="hda1") == (
        "libvirt: machine disk target 'hda1' is not a device name like hdb, sdb, vdb or xvdb"
    )
    assert refused(seed_domain, iso_target="cd") == (
        "libvirt: CD-ROM target 'cd' is not a device name like hdb, sdb, vdb or xvdb"
    )
    assert refused(seed_domain, iso_target="hda") == (
        "libvirt: the machine disk and the CD-ROM both use target 'hda'; give them different "
        "ones (hda and hdb)"
    )
    assert refused(seed_domain, bus="virtio") == (
        "libvirt: bus 'virtio' cannot carry a CD-ROM; use one of ide, sata, scsi, usb"
    )


def test_domain_refuses_other_bad_values() -> None:
    assert refused(seed_domain, disk_format="iso") == (
        "libvirt: disk format 'iso' is not one of raw, qcow2, vmdk, vdi, vhdx, vpc, qed"
    )
    assert refused(seed_domain, network="") == (
        "libvirt: the network name is empty; give a libvirt network (default)"
    )
    assert refused(seed_domain, vnc_listen="0.0.0.0 ; x") == (
        "libvirt: VNC listen address '0.0.0.0 ; x' is not an IP address or host name"
    )
    assert refused(seed_domain, arch="x86-64") == (
        "libvirt: architecture 'x86-64' is not a name like x86_64 or aarch64"
    )
    assert refused(seed_domain, disk="") == (
        "libvirt: the machine disk path is empty; give the file"
    )
