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

RECORD_VERSION = 1


@dataclass(frozen=True)
class HostData:
    """One host's user data from a fleet."""

    host: str
    path: Path
    data: bytes


def fleet_userdata(manifest: Path) -> list[HostData]:
    """Every built host of the fleet whose manifest this is, with its user data checked."""
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
        if "user-data" not in files:
            raise CvmctxError(f"{manifest}: host '{entry.get('name')}' has no user data; "
                              "build the fleet with --what userdata or both")  # fmt: skip
        path = manifest.parent / str(files["user-data"]["path"])
        if not path.resolve().is_relative_to(manifest.parent.resolve()):
            # a manifest edited by hand: never send a file from outside the fleet's DIR
            raise CvmctxError(f"{manifest}: host '{entry.get('name')}' names a file outside "
                              "the fleet's directory; run cvmctx fleet again")  # fmt: skip
        data = read_file(path, "user data")
        if hashlib.sha256(data).hexdigest() != files["user-data"].get("sha256"):
            raise CvmctxError(f"{path}: changed since the fleet was built (its sha256 is not "
                              "the manifest's); run cvmctx fleet again")  # fmt: skip
        out.append(HostData(str(entry["name"]), path, data))
    if not out:
        raise CvmctxError(f"{manifest}: no host of the fleet was built")
    return out


@dataclass(frozen=True)
class Machine:
    host: str
    id: str
    userdata_sha256: str


def append(record: Path, provider: str, where: dict[str, str | None],
           machines: list[Machine]) -> None:  # fmt: skip
    """Add one launch to the record (created if missing)."""
    launches = load(record) if record.exists() else []
    launches.append({"provider": provider, **where, "machines": [asdict(m) for m in machines]})
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
