"""cvmctx: build and check CernVM contextualization data exactly as the guest reads it.

The library's public API, the same guarantees as the CLI (a CD's rules live in ``make_iso``,
not in the command line; nothing is read from the environment unless the request says so)::

    from cvmctx import BuildRequest, build, IsoRequest, make_iso, validate_file

Names load on first use, so ``import cvmctx`` stays as light as the CLI's start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS = {
    "BuildRequest": "cvmctx.api",
    "BuildResult": "cvmctx.api",
    "FileResult": "cvmctx.api",
    "build": "cvmctx.api",
    "validate_bytes": "cvmctx.api",
    "validate_file": "cvmctx.api",
    "IsoRequest": "cvmctx.cd.make",
    "IsoResult": "cvmctx.cd.make",
    "make_iso": "cvmctx.cd.make",
    "CvmctxError": "cvmctx.diagnostics",
    "Diagnostic": "cvmctx.diagnostics",
    "FindingsError": "cvmctx.diagnostics",
    "Report": "cvmctx.diagnostics",
    "Severity": "cvmctx.diagnostics",
    "Compress": "cvmctx.userdata.encoding",
    "Encoding": "cvmctx.userdata.encoding",
    "Target": "cvmctx.userdata.encoding",
}

__all__ = [
    "BuildRequest",
    "BuildResult",
    "Compress",
    "CvmctxError",
    "Diagnostic",
    "Encoding",
    "FileResult",
    "FindingsError",
    "IsoRequest",
    "IsoResult",
    "Report",
    "Severity",
    "Target",
    "__version__",
    "build",
    "make_iso",
    "validate_bytes",
    "validate_file",
]

if TYPE_CHECKING:
    from cvmctx.api import (
        BuildRequest,
        BuildResult,
        FileResult,
        build,
        validate_bytes,
        validate_file,
    )
    from cvmctx.cd.make import IsoRequest, IsoResult, make_iso
    from cvmctx.diagnostics import CvmctxError, Diagnostic, FindingsError, Report, Severity
    from cvmctx.userdata.encoding import Compress, Encoding, Target


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cvmctx' has no attribute {name!r}")
    return getattr(import_module(module), name)
