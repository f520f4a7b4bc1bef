"""The library surface: build user data, make a context CD, validate. The CLI is a thin layer
over this, and so is every other caller.

Nothing here prints. Problems with the input are :class:`~cvmctx.diagnostics.Diagnostic`
findings in a :class:`~cvmctx.diagnostics.Report`; problems that stop a command (unreadable
file, bad option) raise :class:`~cvmctx.diagnostics.CvmctxError` with a one-line message.
"""

from __future__ import annotations

from cvmctx.fileio import read_file
from cvmctx.userdata.build import BuildRequest, BuildResult, build
from cvmctx.validation.pipeline import FileResult, validate_bytes, validate_file

__all__ = [
    "BuildRequest",
    "BuildResult",
    "FileResult",
    "build",
    "read_file",
    "validate_bytes",
    "validate_file",
]
