"""libvirt XML for booting CernVM with the context CD attached (KVM).

:func:`disk_xml` writes the ``<disk type='file' device='cdrom'>`` element the CernVM
contextualization guide adds to a VM definition for ``context.iso``; :func:`domain_xml` writes a
whole ``<domain type='kvm'>`` after the guide's full example, with that same element included.

Both render Jinja2 templates (``libvirt-disk.xml.j2``, ``libvirt-domain.xml.j2``) with
autoescaping on, so every value (paths, the domain name, the network name) is XML-escaped and a
path such as ``/data/a&b's.iso`` comes back unchanged from any XML parser. Values are checked
first; a value libvirt would refuse, or that XML cannot carry, raises :class:`CvmctxError`.
Output is deterministic: 2-space indentation, one trailing newline.
"""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path

from cvmctx.diagnostics import CvmctxError
from cvmctx.limits import MAX_MEMORY_MIB, MAX_VCPUS
from cvmctx.templating import render_template  # one Jinja2 environment; XML autoescaped

# Device names libvirt maps onto a bus: hdb (IDE), sdb (SATA/SCSI/USB), vdb, xvdb.
_TARGET = re.compile(r"(?:hd|sd|vd|xvd)[a-z]+")
# Buses a CD-ROM can sit on. virtio is valid libvirt XML but QEMU has no virtio CD-ROM.
CDROM_BUSES = ("ide", "sata", "scsi", "usb")
# Image formats QEMU reads that a CernVM machine disk comes in (raw .hdd, qcow2 ...).
DISK_FORMATS = ("raw", "qcow2", "vmdk", "vdi", "vhdx", "vpc", "qed")
_ARCH = re.compile(r"[a-z][a-z0-9_]*")
_DNS_NAME = re.compile(r"[A-Za-z0-9.\-]+")  # libvirt's dnsName, for a VNC listen host name
VNC_PORTS = range(5900, 65536)  # libvirt refuses a VNC port below 5900
# Characters XML 1.0 cannot carry (C0 controls other than tab/LF/CR, surrogates from undecodable
# file names, U+FFFE/U+FFFF), and tab/LF/CR too: a parser turns them into spaces in attributes.
_NOT_XML = re.compile("[\x00-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(what: str, value: str) -> str:
    """``value``, if XML can carry it unchanged; else a one-line refusal naming ``what``."""
    bad = _NOT_XML.search(value)
    if bad is not None:
        raise CvmctxError(
            f"libvirt: the {what} contains the character U+{ord(bad.group()):04X}, which libvirt "
            f"XML cannot carry; rename it"
        )
    return value


def _path(what: str, path: Path | str) -> str:
    """``path`` made absolute (libvirt resolves nothing against the caller's directory)."""
    text = os.fspath(path)
    if not text:
        raise CvmctxError(f"libvirt: the {what} path is empty; give the file")
    return _text(f"{what} path", os.path.abspath(text))


def _target(what: str, target: str) -> str:
    if not _TARGET.fullmatch(target):
        raise CvmctxError(
            f"libvirt: {what} target {target!r} is not a device name like hdb, sdb, vdb or xvdb"
        )
    return target


def _bus(bus: str | None) -> str | None:
    if bus is not None and bus not in CDROM_BUSES:
        raise CvmctxError(
            f"libvirt: bus {bus!r} cannot carry a CD-ROM; use one of {', '.join(CDROM_BUSES)}"
        )
    return bus


def _positive(what: str, value: int, most: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= most:
        raise CvmctxError(f"libvirt: {what} must be a whole number from 1 to {most}, not {value}")
    return value


def disk_xml(iso: Path | str, *, target: str = "hdb", bus: str | None = None) -> str:
    """The ``<disk type='file' device='cdrom'>`` element attaching ``iso`` read-only.

    This is the element the CernVM contextualization guide adds to a VM definition, with the
    source made absolute. ``target`` is the guest device name (``hdb`` as in the guide; ``sdb``
    with ``bus="sata"`` for machine types without IDE such as q35); ``bus`` is one of
    :data:`CDROM_BUSES` or None to let libvirt pick it from the target name.
    """
    return render_template(
        "libvirt-disk.xml.j2",
        source=_path("context ISO", iso),
        target=_target("CD-ROM", target),
        bus=_bus(bus),
    )


def domain_xml(
    *,
    name: str,
    memory_mib: int,
    disk: Path | str,
    iso: Path | str,
    disk_format: str = "raw",
    network: str = "default",
    vnc_listen: str = "127.0.0.1",
    vnc_port: int | None = None,
    arch: str = "x86_64",
    machine_disk_target: str = "hda",
    iso_target: str = "hdb",
    bus: str | None = None,
    vcpus: int = 1,
) -> str:
    """A whole ``<domain type='kvm'>`` booting ``disk`` with the context CD ``iso`` attached.

    It follows the CernVM contextualization guide's example: hvm ``arch``, boot from the hard
    disk, the machine disk (``disk_format`` as detected by the caller: ``raw`` for CernVM
    ``.hdd`` images, ``qcow2``...), the context CD (exactly :func:`disk_xml`'s element), a
    virtio interface on the libvirt ``network`` and a VNC console. ``bus``, when given, applies
    to both disks. ``vnc_port`` None lets libvirt pick a free port (``autoport='yes'``).

    One default differs from the guide: VNC listens on 127.0.0.1, not 0.0.0.0. A libvirt VNC
    console has no password unless one is configured, so listening on every address hands the
    VM's console to anyone who can reach the host; reach it through ``virsh``/``virt-viewer`` or
    an SSH tunnel, or pass ``vnc_listen="0.0.0.0"`` knowingly.
    """
    _check_domain(name, disk_format, network, vnc_port, arch, vnc_listen)
    _check_targets(machine_disk_target, iso_target)
    return render_template(
        "libvirt-domain.xml.j2",
        name=_text("domain name", name),
        memory_mib=_positive("memory (MiB)", memory_mib, MAX_MEMORY_MIB),
        vcpus=_positive("the vCPU count", vcpus, MAX_VCPUS),
        arch=arch,
        disk=_path("machine disk", disk),
        disk_format=disk_format,
        machine_disk_target=machine_disk_target,
        iso=_path("context ISO", iso),
        iso_target=iso_target,
        bus=_bus(bus),
        network=_text("network name", network),
        vnc_listen=vnc_listen,
        vnc_port=vnc_port,
    )


def _check_domain(
    name: str, disk_format: str, network: str, vnc_port: int | None, arch: str, vnc_listen: str
) -> None:
    """Refuse what libvirt would refuse later, or take to mean something else, in one line."""
    if not name or "/" in name:
        raise CvmctxError(
            f"libvirt: domain name {name!r} must be non-empty and must not contain '/'"
        )
    if disk_format not in DISK_FORMATS:
        raise CvmctxError(
            f"libvirt: disk format {disk_format!r} is not one of {', '.join(DISK_FORMATS)}"
        )
    if not network:
        raise CvmctxError("libvirt: the network name is empty; give a libvirt network (default)")
    if vnc_port is not None and (
        isinstance(vnc_port, bool) or not isinstance(vnc_port, int) or vnc_port not in VNC_PORTS
    ):
        raise CvmctxError(
            f"libvirt: VNC port {vnc_port!r} is outside 5900-65535; give one in range or none "
            f"to let libvirt pick a free port"
        )
    if not _ARCH.fullmatch(arch):
        raise CvmctxError(f"libvirt: architecture {arch!r} is not a name like x86_64 or aarch64")
    _check_listen(vnc_listen)


def _check_targets(machine_disk_target: str, iso_target: str) -> None:
    """Two valid target names, and not the same one: libvirt refuses two disks on one target."""
    _target("machine disk", machine_disk_target)
    _target("CD-ROM", iso_target)
    if machine_disk_target == iso_target:
        raise CvmctxError(
            f"libvirt: the machine disk and the CD-ROM both use target {iso_target!r}; "
            f"give them different ones (hda and hdb)"
        )


def _check_listen(address: str) -> None:
    """An IP address or a host name, as libvirt's ``listen`` attribute takes."""
    try:
        ipaddress.ip_address(address)
    except ValueError:
        if not _DNS_NAME.fullmatch(address):
            raise CvmctxError(
                f"libvirt: VNC listen address {address!r} is not an IP address or host name"
            ) from None
