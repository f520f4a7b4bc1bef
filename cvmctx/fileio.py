"""Input and output files: inputs read with a limit or a one-line error naming the file; outputs
written atomically, with mode 0600, never leaving a partial file behind.

User data carries passwords and proxies, so every file cvmctx writes is private to its owner
from the first byte (the mode is set when the temporary file is created, not after).
"""

from __future__ import annotations

import contextlib
import os
import signal
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


# The signals that stop a run (Ctrl-C, kill, a closed terminal): cli/app.py turns each into an
# exception, and the code that creates a temporary file removes it again on any exception.
_STOPS = frozenset(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def hold_signals() -> frozenset[int] | None:
    """Hold back the stop signals until ``release_signals``; returns the mask to restore.

    Between the moment ``mkstemp`` (or ``mkdtemp``) has created its file and the moment its
    caller stands inside the ``try`` that removes it, a signal would raise where no cleanup
    runs, and leave a temporary file (holding a password) behind. Held signals stay pending in
    the kernel and are raised as soon as the caller releases them inside that ``try``.
    """
    if not hasattr(signal, "pthread_sigmask"):  # not POSIX: no mask to hold signals with
        return None
    return frozenset(signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS))


def release_signals(held: frozenset[int] | None) -> None:
    """Restore the mask ``hold_signals`` saved; a signal that came meanwhile is raised now."""
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory, then rename."""
    directory = path.parent if str(path.parent) else Path(".")
    _refuse_special(path)
    held = hold_signals()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except FileNotFoundError:
        release_signals(held)
        raise CvmctxError(f"{path}: the directory {directory} does not exist") from None
    except OSError as exc:
        release_signals(held)
        raise CvmctxError(f"{path}: cannot write there ({exc.strerror})") from None
    try:
        release_signals(held)  # a signal held since mkstemp is raised here, where cleanup runs
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
