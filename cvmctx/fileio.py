"""Input and output files: inputs read with a limit or a one-line error naming the file; outputs
written atomically, with mode 0600, never leaving a partial file behind.

User data carries passwords and proxies, so every file cvmctx writes is private to its owner
from the first byte (the mode is set when the temporary file is created, not after).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from cvmctx.diagnostics import CvmctxError
from cvmctx.limits import MAX_FILE


def _refuse_special(path: Path) -> None:
    """Refuse a target that exists and is not a regular file (nor a link to one).

    Renaming over ``/dev/null``, a FIFO or a link to ``/proc/self/fd/1`` would replace that
    node with a regular file (as root, for everyone); ``-o -`` is how to write to stdout.
    """
    try:
        link = path.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise CvmctxError(f"{path}: cannot write there ({exc.strerror})") from None
    if stat.S_ISDIR(link.st_mode):
        raise CvmctxError(f"{path}: is a directory; give a file name for the output")
    mode = link.st_mode
    if stat.S_ISLNK(mode):
        try:
            mode = path.stat().st_mode
        except OSError:
            return  # a dangling link: the rename replaces the link itself
    if not stat.S_ISREG(mode):
        raise CvmctxError(
            f"{path}: exists and is not a regular file (a device, FIFO, socket or directory); "
            "cvmctx replaces only regular files: give another name, or '-' for standard output"
        )


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory, then rename."""
    directory = path.parent if str(path.parent) else Path(".")
    _refuse_special(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except FileNotFoundError:
        raise CvmctxError(f"{path}: the directory {directory} does not exist") from None
    except OSError as exc:
        raise CvmctxError(f"{path}: cannot write there ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp creates the file with mode 0600
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise CvmctxError(f"{path}: cannot write the file ({exc.strerror})") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_file(
    path: Path, what: str = "file", limit: int = MAX_FILE, *, over: bool = False
) -> bytes:
    """Read an input file, or stop with a one-line error naming it. With ``over``, a file larger
    than ``limit`` is not an error: its first ``limit + 1`` bytes are returned for the caller to
    report as a finding."""
    try:
        if path.is_dir():
            raise CvmctxError(f"{path}: is a directory, not a {what}")
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise CvmctxError(f"{path}: no such {what}") from None
    except PermissionError:
        raise CvmctxError(f"{path}: cannot read the {what} (permission denied)") from None
    except OSError as exc:
        raise CvmctxError(f"{path}: cannot read the {what} ({exc.strerror})") from None
    if len(data) > limit and not over:
        raise CvmctxError(f"{path}: the {what} is larger than {limit} bytes")
    return data
