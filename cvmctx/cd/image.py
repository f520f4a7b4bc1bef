"""The context CD-ROM image (guest-format.md §4): the only module that imports pycdlib.

Images are ISO 9660 with Rock Ridge and Joliet, so ``context.sh`` keeps its exact lower-case
name on Linux (Rock Ridge), on Windows-style readers (Joliet) and, as ``CONTEXT.SH;1``, on a
plain ISO 9660 mount (which Linux shows as ``context.sh`` with its default ``map=normal``).

pycdlib takes every date from the wall clock (``time.time()``, even at write time for the
volume modification date) and converts it in the local time zone. :func:`_frozen_clock`
hands its modules a clock stopped at the requested epoch that converts in UTC, and
:func:`build_image` then checks the volume dates it finds in the image, so a pycdlib that
read the time some other way would be caught rather than shipped as a non-reproducible
image.
"""

from __future__ import annotations

import contextlib
import io
import re
import struct
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from time import struct_time
from types import ModuleType
from typing import Any

from cvmctx.diagnostics import CvmctxError, InternalError

SECTOR = 2048
_PVD = 16 * SECTOR  # the primary volume descriptor; a supplementary one (Joliet) follows
_CREATION, _MODIFICATION = 813, 830  # offsets of the volume dates in a volume descriptor
_LABEL_RE = re.compile(r"[A-Z0-9_]{1,32}")
_LOCK = threading.Lock()


@dataclass(frozen=True)
class CdFile:
    """One file in the root of the CD: its exact name, its bytes and whether it is a script."""

    name: str
    data: bytes
    executable: bool = False


@dataclass(frozen=True)
class Image:
    """An image as read back: the label, the files of its root by the name Linux shows."""

    label: str
    files: dict[str, bytes]
    modes: dict[str, int]
    rock_ridge: bool
    joliet: bool
    #: Names that appear more than once in the root, per view ("ISO 9660", "Rock Ridge",
    #: "Joliet"; case-folded where Linux folds them). ``files`` keeps the first, as the
    #: kernel's lookup does.
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    #: The other entries a reader may take for a name the guest acts on (context.sh, prolog.sh,
    #: epilog.sh): a later one of two equal names, or the one another view shows under it,
    #: when its bytes differ from ``files``'. Each is judged too (issue 9).
    shadowed: list[tuple[str, bytes]] = field(default_factory=list)


class _StoppedClock:
    """A stand-in for the ``time`` module: the clock reads ``epoch`` and converts in UTC."""

    def __init__(self, real: ModuleType, epoch: int) -> None:
        self._real = real
        self._epoch = epoch

    def time(self) -> float:
        return float(self._epoch)

    def localtime(self, seconds: float | None = None) -> struct_time:
        moment = self._epoch if seconds is None else seconds
        return time.gmtime(moment)  # UTC whatever $TZ says: same bytes in every time zone

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@contextlib.contextmanager
def _frozen_clock(epoch: int) -> Iterator[None]:
    import pycdlib.dates
    import pycdlib.headervd
    import pycdlib.pycdlib
    import pycdlib.utils

    modules = (pycdlib.pycdlib, pycdlib.headervd, pycdlib.dates, pycdlib.utils)
    with _LOCK:  # the stand-in is module-wide state: one build at a time
        saved = [module.time for module in modules]
        clock = _StoppedClock(time, epoch)
        try:
            for module in modules:
                module.time = clock  # type: ignore[attr-defined]
            yield
        finally:
            for module, real in zip(modules, saved, strict=True):
                module.time = real  # type: ignore[attr-defined]


def check_label(label: str) -> None:
    """ISO 9660 volume identifiers are d-characters: upper-case letters, digits and ``_``."""
    if not _LABEL_RE.fullmatch(label):
        raise CvmctxError(
            f"--label {label!r}: an ISO 9660 volume label is 1 to 32 characters A-Z, 0-9 and _; "
            "write for example CONTEXT"
        )


def iso9660_names(names: Sequence[str]) -> dict[str, str]:
    """Level-1 (8.3, upper-case) names for ``names``, unique, in a stable order."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        stem, _, ext = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
        stem = re.sub(r"[^A-Z0-9_]", "_", stem.upper()) or "_"
        ext = re.sub(r"[^A-Z0-9_]", "_", ext.upper())[:3]
        base = stem[:8]
        candidate = f"{base}.{ext}" if ext else base
        counter = 1
        while candidate in taken:  # mangling as genisoimage does: shorten and number
            suffix = f"_{counter}"  # '~' is no d-character: pycdlib (and ISO 9660) refuse it
            candidate = f"{base[: 8 - len(suffix)]}{suffix}" + (f".{ext}" if ext else "")
            counter += 1
        taken.add(candidate)
        out[name] = candidate + ";1"
    return out


def build_image(files: Sequence[CdFile], label: str, epoch: int) -> bytes:
    """The image holding ``files`` in its root, every date at ``epoch`` (UTC)."""
    import pycdlib

    check_label(label)
    names = iso9660_names([f.name for f in files])
    iso = pycdlib.PyCdlib()
    out = io.BytesIO()
    with _frozen_clock(epoch):
        # ISO 9660's volume identifier holds 32 characters, Joliet's (UCS-2 in the same 32
        # bytes) 16: Joliet gets the first 16, as genisoimage does, the primary gets them all.
        iso.new(interchange_level=1, vol_ident=label[:16], joliet=3, rock_ridge="1.09")
        iso.pvd.volume_identifier = label.encode("ascii").ljust(32, b" ")
        for f in files:
            iso.add_fp(
                io.BytesIO(f.data),
                len(f.data),
                iso_path="/" + names[f.name],
                rr_name=f.name,
                joliet_path="/" + f.name,
                file_mode=0o100755 if f.executable else 0o100644,
            )
        iso.write_fp(out)
        iso.close()
    data = out.getvalue()
    _check_dates(data, epoch)
    return data


def _check_dates(data: bytes, epoch: int) -> None:
    # At epoch 0 pycdlib writes ISO 9660's "not specified" form (all zero digits) instead.
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(epoch)) if epoch else "0" * 14
    want = stamp.encode() + b"00\x00"
    for descriptor in (_PVD, _PVD + SECTOR):
        for offset in (_CREATION, _MODIFICATION):
            got = data[descriptor + offset : descriptor + offset + 17]
            if got != want:
                raise InternalError(
                    "the ISO's volume dates do not follow SOURCE_DATE_EPOCH (has pycdlib "
                    "changed how it reads the clock?); nothing was written"
                )


def is_iso(data: bytes) -> bool:
    return data[_PVD + 1 : _PVD + 6] == b"CD001"


def read_image(data: bytes) -> Image:
    """Read the root of an image the way Linux mounts it: Rock Ridge, else Joliet, else ISO 9660
    names lower-cased without ``;1`` (``map=normal``). Raises ValueError on an unreadable image.
    """
    import pycdlib
    from pycdlib.pycdlibexception import PyCdlibException

    iso = pycdlib.PyCdlib()
    try:
        iso.open_fp(io.BytesIO(data))
        try:
            return _read_root(iso, data)
        finally:
            iso.close()
    except PyCdlibException as exc:
        raise ValueError(str(exc)) from None
    except (struct.error, IndexError, KeyError, UnicodeError, AttributeError, TypeError) as exc:
        # pycdlib trusts the structures it reads; a damaged image can break it anywhere.
        raise ValueError(f"malformed image ({type(exc).__name__})") from None


def _read_root(iso: Any, data: bytes) -> Image:
    rock_ridge = bool(iso.has_rock_ridge())
    joliet = bool(iso.has_joliet())
    label = iso.pvd.volume_identifier.decode("ascii", "replace").rstrip()
    plain = _children(iso, "/")
    joliet_records = (
        [r for r in iso.list_children(joliet_path="/") if not (r.is_dot() or r.is_dotdot())]
        if joliet
        else []
    )
    duplicates = _repeated("ISO 9660", (_map_normal(r.file_identifier()) for r in plain))
    if joliet:
        names = (r.file_identifier().decode("utf-16-be", "replace") for r in joliet_records)
        duplicates += _repeated("Joliet", (n.lower() for n in names))
    if rock_ridge:
        # A damaged record may lack its Rock Ridge entry: Linux then shows its ISO 9660 name.
        records = [
            (r, r.rock_ridge.name().decode("utf-8", "replace"))
            if r.rock_ridge is not None
            else (r, _map_normal(r.file_identifier()))
            for r in plain
        ]
        duplicates += _repeated("Rock Ridge", (name for _, name in records))
    elif joliet:
        records = [(r, r.file_identifier().decode("utf-16-be", "replace")) for r in joliet_records]
    else:
        records = [(r, _map_normal(r.file_identifier())) for r in plain]
    files: dict[str, bytes] = {}
    modes: dict[str, int] = {}
    extents = _Extents(data)
    for record, name in records:
        if not record.is_file() or name in files:
            continue  # the kernel's lookup finds the first of two equal names
        files[name] = extents.read(record)
        if record.rock_ridge is not None:
            modes[name] = int(record.rock_ridge.get_file_mode())
    # Every entry that some view names like a file the guest acts on, in every view: what
    # another reader (or a mount without Rock Ridge) may take instead of what the guest takes.
    views = [records, [(r, _map_normal(r.file_identifier())) for r in plain]]
    if joliet:
        views.append([(r, r.file_identifier().decode("utf-16-be", "replace").lower())
                      for r in joliet_records])  # fmt: skip
    shadowed: list[tuple[str, bytes]] = []
    for view in views:
        for record, name in view:
            if name in ACTED_ON and record.is_file():
                body = extents.read(record)
                if body != files.get(name) and (name, body) not in shadowed:
                    shadowed.append((name, body))
    return Image(label, files, modes, rock_ridge, joliet, duplicates, shadowed)


#: The names on a CD whose content the guest reads or runs (guest-format.md §4).
ACTED_ON = frozenset({"context.sh", "prolog.sh", "epilog.sh"})


def _repeated(view: str, names: Iterable[str]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for name in names:
        if name in seen and (view, name) not in out:
            out.append((view, name))
        seen.add(name)
    return out


class _Extents:
    """File data read straight from the image, each extent at most once.

    Directory records may point many names at one extent, or at overlapping ones: copied per
    name, 1,000 records on one 12 MiB extent would need 12 GB. An extent read again is the same
    bytes object; data beyond what the image holds is refused.
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.seen: dict[tuple[int, int], bytes] = {}
        self.total = 0

    def read(self, record: Any) -> bytes:
        start = int(record.extent_location()) * 2048
        length = int(record.data_length)  # the record's own field, as the kernel reads it
        key = (start, length)
        if key in self.seen:
            return self.seen[key]
        if start + length > len(self.data):
            raise ValueError("a file's data lies beyond the end of the image")
        self.total += length
        if self.total > len(self.data):
            raise ValueError(
                "the files' data add up to more than the image holds: directory records "
                "point into the same data again and again"
            )
        body = self.seen[key] = self.data[start : start + length]
        return body


def _children(iso: Any, path: str) -> list[Any]:
    return [r for r in iso.list_children(iso_path=path) if not (r.is_dot() or r.is_dotdot())]


def _map_normal(identifier: bytes) -> str:
    """Linux's default ``map=normal``: lower case, no ``;1`` version, no trailing dot."""
    name = identifier.decode("ascii", "replace").split(";", 1)[0]
    return name.rstrip(".").lower()
