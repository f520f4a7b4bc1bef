"""What was launched, and what to launch from a fleet.

:func:`fleet_userdata` reads a fleet's ``manifest.json`` (``cvmctx fleet``) into one user-data
file per host, each checked against the digest the manifest holds, so a file edited (or cut)
since the fleet was built is refused before any machine starts. :func:`append` keeps the launch
record (``cvmctx-launch.json``): provider, endpoint, region, and per machine its host, id and
user-data digest; ``instances`` and ``terminate`` read it back. Written atomically, mode 0600."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cvmctx.diagnostics import CvmctxError
from cvmctx.fileio import read_file, write_private
from cvmctx.launch.machines import Machine

RECORD_VERSION = 1


@dataclass(frozen=True)
class HostData:
    """One host's file from a fleet (its user data or its context CD), checked against the
    manifest's digest, with the digest of the host's user data when the fleet wrote it."""

    host: str
    path: Path
    data: bytes
    userdata_sha256: str


def fleet_userdata(manifest: Path) -> list[HostData]:
    """Every built host of the fleet whose manifest this is, with its user data checked."""
    return fleet_files(manifest, "user-data", "--what userdata or both")


def fleet_files(manifest: Path, name: str, build_with: str) -> list[HostData]:
    """Every built host's file ``name`` (``user-data`` or ``context.iso``) of the fleet whose
    manifest this is, each read once and checked against the digest the manifest holds."""
    try:
        parsed = json.loads(read_file(manifest, "fleet manifest"))
        hosts = parsed["hosts"]
    except (ValueError, KeyError, TypeError):
        raise CvmctxError(f"{manifest}: not a fleet manifest (cvmctx fleet writes one)") from None
    out: list[HostData] = []
    for entry in hosts:
        if not isinstance(entry, dict) or entry.get("status") != "ok":
            continue
        files = {f.get("name"): f for f in entry.get("files", []) if isinstance(f, dict)}
        if name not in files:
            raise CvmctxError(f"{manifest}: host '{entry.get('name')}' has no {name}; "
                              f"build the fleet with {build_with}")  # fmt: skip
        path = manifest.parent / str(files[name]["path"])
        if not path.resolve().is_relative_to(manifest.parent.resolve()):
            # a manifest edited by hand: never send a file from outside the fleet's DIR
            raise CvmctxError(f"{manifest}: host '{entry.get('name')}' names a file outside "
                              "the fleet's directory; run cvmctx fleet again")  # fmt: skip
        data = read_file(path, name)
        digest = hashlib.sha256(data).hexdigest()
        if digest != files[name].get("sha256"):
            raise CvmctxError(f"{path}: changed since the fleet was built (its sha256 is not "
                              "the manifest's); run cvmctx fleet again")  # fmt: skip
        userdata = files.get("user-data", {}).get("sha256", "") if name != "user-data" else digest
        out.append(HostData(str(entry["name"]), path, data, str(userdata)))
    if not out:
        raise CvmctxError(f"{manifest}: no host of the fleet was built")
    return out


def append(record: Path, provider: str, where: dict[str, str | None],
           machines: list[Machine]) -> None:  # fmt: skip
    """Add one launch to the record (created if missing). ``where`` is the provider's address
    (``endpoint`` and ``region`` for EC2, ``uri`` for libvirt) and the spec's digest."""
    launches = load(record) if record.exists() else []
    rows = [{k: v for k, v in asdict(m).items() if v or k != "files"} for m in machines]
    launches.append({"provider": provider, **where, "machines": rows})
    save(record, launches)


def load(record: Path) -> list[dict[str, Any]]:
    """The launches of a record, each ``{provider, endpoint, region, machines}``."""
    try:
        parsed = json.loads(read_file(record, "launch record"))
        launches = parsed["launches"]
        assert isinstance(launches, list)
    except (ValueError, KeyError, TypeError, AssertionError):
        raise CvmctxError(f"{record}: not a cvmctx launch record") from None
    return launches


def save(record: Path, launches: list[dict[str, Any]]) -> None:
    """The record with ``launches`` (a launch whose machines are all gone is dropped)."""
    kept = [launch for launch in launches if launch.get("machines")]
    text = json.dumps({"version": RECORD_VERSION, "launches": kept}, indent=2) + "\n"
    write_private(record, text.encode("utf-8"))


def fleet_spec_sha256(manifest: Path) -> str:
    """The digest of the spec a fleet was built from (its manifest says), or ""."""
    try:
        return str(json.loads(read_file(manifest, "fleet manifest"))["spec"]["sha256"])
    except (ValueError, KeyError, TypeError):
        return ""
