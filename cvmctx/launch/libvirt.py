"""Starting CernVM machines on libvirt through its Python binding (``cvmctx[libvirt]``).

Each machine gets its context CD (built by cvmctx, or a fleet's, checked against its manifest),
optionally a qcow2 overlay on the base image (so one CernVM image serves many machines, each
writing only its own overlay), and the domain XML ``cvmctx domain`` writes, defined and started.
Everything is checked before the first machine is touched (the connection, the disk, every
domain name, every overlay path), and a machine that fails half way is undone (undefined, its
files removed), so nothing is left half done: a failure after others started reports them
(:class:`~cvmctx.launch.machines.PartlyStarted`) for the record.

libvirt's own error handler prints every error to stderr; it is silenced, and each error comes
back as one line with the fix. Tested with libvirt's built-in test driver (``test:///default``,
in-process) in tests/test_launch_libvirt.py."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cvmctx.diagnostics import CvmctxError
from cvmctx.fileio import write_private
from cvmctx.launch.machines import Machine, partly

DEFAULT_URI = "qemu:///system"
_QEMU_IMG_SECONDS = 60  # one overlay is a header: qemu-img writes it at once


@dataclass
class VirtTarget:
    """How to start the machines: the connection and what each domain gets."""

    uri: str
    disk: Path
    overlay: bool = False
    memory_mib: int = 2048
    vcpus: int = 1
    network: str = "default"
    bus: str | None = None
    vnc_listen: str = "127.0.0.1"


@dataclass(frozen=True)
class Planned:
    """One machine to start: its domain name, its context CD (``cd`` is written to ``iso``
    first, or None when ``iso`` is a fleet's CD used in place) and its user data's digest."""

    name: str
    iso: Path
    cd: bytes | None
    userdata_sha256: str

    @staticmethod
    def of(name: str, iso: Path, cd: bytes | None, userdata: bytes | str) -> Planned:
        digest = userdata if isinstance(userdata, str) else hashlib.sha256(userdata).hexdigest()
        return Planned(name, iso, cd, digest)


def connect(uri: str) -> Any:
    """An open libvirt connection; exit 2 naming the extra when the binding is missing."""
    try:
        import libvirt
    except ImportError:
        raise CvmctxError(
            "cvmctx launch libvirt needs libvirt-python: pip install "
            "'cvmctx[libvirt]' (it builds against libvirt-dev and pkg-config)"
        ) from None
    # libvirt prints each error itself unless a handler takes it; ours are one line each
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    try:
        return libvirt.open(uri)
    except libvirt.libvirtError as exc:
        raise CvmctxError(
            f"cannot reach libvirt at {uri} ({_first_line(exc)}): is libvirtd "
            "running, and may this user use it? check --connect"
        ) from None


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def overlay_path(target: VirtTarget, name: str) -> Path:
    """Where a machine's overlay goes: next to the base image, named after the domain."""
    return target.disk.parent / f"{name}.qcow2"


def check(conn: Any, target: VirtTarget, names: Sequence[str]) -> None:
    """Refuse before anything is created: a missing disk, a name taken (by a domain or twice in
    this launch), an overlay already there, one writable disk shared by several machines.
    Cheap, so the command runs it before building the CDs, and :func:`launch` again."""
    if not target.disk.is_file():
        raise CvmctxError(
            f"{target.disk}: no such machine image; give --disk the CernVM image (.hdd, .qcow2)"
        )
    if len(names) > 1 and not target.overlay:
        raise CvmctxError(
            f"{len(names)} machines cannot share one writable disk "
            f"({target.disk}): give --overlay"
        )
    if target.overlay and shutil.which("qemu-img") is None:
        raise CvmctxError("--overlay needs qemu-img: apt-get install qemu-utils")
    taken = set(_names(conn))
    seen: set[str] = set()
    for name in names:
        if name in taken:
            raise CvmctxError(
                f"libvirt domain '{name}' exists already at {target.uri}: "
                "choose another --name, or cvmctx terminate it"
            )
        if name in seen:
            raise CvmctxError(f"two machines would be named '{name}': give each its own")
        seen.add(name)
        if target.overlay and overlay_path(target, name).exists():
            raise CvmctxError(
                f"{overlay_path(target, name)} exists (another machine's "
                "disk?): remove it, or choose another --name"
            )


def _names(conn: Any) -> list[str]:
    import libvirt

    try:
        return [d.name() for d in conn.listAllDomains()]
    except libvirt.libvirtError as exc:
        raise CvmctxError(f"libvirt refused to list its domains ({_first_line(exc)})") from None


def launch(conn: Any, target: VirtTarget, machines: Sequence[Planned]) -> list[Machine]:
    """Define and start one domain per planned machine, in order (after :func:`check`)."""
    check(conn, target, [m.name for m in machines])
    started: list[Machine] = []
    for planned in machines:
        try:
            started.append(_start(conn, target, planned))
        except CvmctxError as exc:
            raise partly(planned.name, exc, started, len(machines)) from None
    return started


def _start(conn: Any, target: VirtTarget, planned: Planned) -> Machine:
    """One machine: its CD and overlay written, its domain defined and started; on a failure,
    all of it undone."""
    import libvirt

    from cvmctx.cd.libvirt import domain_xml

    created: list[Path] = []
    domain: Any = None
    try:
        if planned.cd is not None:
            write_private(planned.iso, planned.cd)
            created.append(planned.iso)
        disk, disk_format = target.disk, image_format(target.disk)
        if target.overlay:
            disk = overlay_path(target, planned.name)
            created.append(disk)  # check() saw no file there: whatever qemu-img leaves is ours
            _overlay(target.disk, disk_format, disk)
            disk_format = "qcow2"
        sata = target.bus in ("sata", "scsi")
        xml = domain_xml(
            name=planned.name,
            memory_mib=target.memory_mib,
            disk=disk,
            iso=planned.iso,
            disk_format=disk_format,
            network=target.network,
            vnc_listen=target.vnc_listen,
            bus=target.bus,
            vcpus=target.vcpus,
            machine_disk_target="sda" if sata else "hda",
            iso_target="sdb" if sata else "hdb",
        )
        try:
            domain = conn.defineXML(xml)
            domain.create()
            uuid = str(domain.UUIDString())
        except libvirt.libvirtError as exc:
            raise CvmctxError(
                f"libvirt refused domain '{planned.name}' ({_first_line(exc)})"
            ) from None
    except BaseException:
        _undo(domain, created)
        raise
    return Machine(
        planned.name, uuid, planned.userdata_sha256, tuple(str(p.resolve()) for p in created)
    )


def _undo(domain: Any, created: list[Path]) -> None:
    if domain is not None:
        with contextlib.suppress(Exception):
            if domain.isActive():
                domain.destroy()
        with contextlib.suppress(Exception):
            domain.undefine()
    for path in created:
        with contextlib.suppress(OSError):
            path.unlink()


def image_format(path: Path) -> str:
    """qcow2 images say so in their first bytes; CernVM's .hdd images are raw."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise CvmctxError(f"{path}: cannot read the machine image ({exc.strerror})") from None
    return "qcow2" if magic == b"QFI\xfb" else "raw"


def _overlay(base: Path, base_format: str, overlay: Path) -> None:
    """A qcow2 overlay backed by ``base`` (by its absolute path, which libvirt and QEMU follow
    whatever their working directory), mode 0600: the machine writes its secrets there."""
    command = [
        "qemu-img",
        "create",
        "-q",
        "-f",
        "qcow2",
        "-F",
        base_format,
        "-b",
        str(base.resolve()),
        str(overlay),
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=_QEMU_IMG_SECONDS
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CvmctxError(f"{overlay}: qemu-img could not create the overlay ({exc})") from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise CvmctxError(f"{overlay}: qemu-img could not create the overlay ({reason})")
    os.chmod(overlay, 0o600)


#: libvirt's domain states (virDomainState), as ``virsh domstate`` names them.
_STATES = (
    "no state",
    "running",
    "blocked",
    "paused",
    "in shutdown",
    "shut off",
    "crashed",
    "pmsuspended",
)


def states(conn: Any, ids: Sequence[str]) -> dict[str, str]:
    """Each domain's state by UUID ("running", "shut off", ...; "gone" when libvirt no longer
    knows it)."""
    import libvirt

    found: dict[str, str] = {}
    for uuid in ids:
        try:
            state = int(conn.lookupByUUIDString(uuid).state()[0])
        except libvirt.libvirtError:
            found[uuid] = "gone"
            continue
        found[uuid] = _STATES[state] if 0 <= state < len(_STATES) else f"state {state}"
    return found


def terminate(conn: Any, ids: Sequence[str], files: Sequence[str]) -> None:
    """Destroy and undefine the domains (a domain libvirt no longer knows is already gone),
    then remove the files their launch created (overlays, context CDs)."""
    import libvirt

    for uuid in ids:
        try:
            domain = conn.lookupByUUIDString(uuid)
        except libvirt.libvirtError:
            continue
        try:
            if domain.isActive():
                domain.destroy()
            domain.undefine()
        except libvirt.libvirtError as exc:
            raise CvmctxError(
                f"libvirt refused to remove domain {uuid} ({_first_line(exc)})"
            ) from None
    for name in files:
        with contextlib.suppress(FileNotFoundError):
            Path(name).unlink()
