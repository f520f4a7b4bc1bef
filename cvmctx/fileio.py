"""Writing output files: atomically, with mode 0600, never leaving a partial file behind.

User data carries passwords and proxies, so every file cvmctx writes is private to its owner
from the first byte (the mode is set when the temporary file is created, not after).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cvmctx.diagnostics import CvmctxError


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory, then rename."""
    directory = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise CvmctxError(f"{path}: is a directory; give a file name for the output")
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
