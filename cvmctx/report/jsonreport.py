"""The JSON report, a public contract (docs/diagnostics.md "JSON"): fields are added, never
renamed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cvmctx.diagnostics import Diagnostic

if TYPE_CHECKING:

    from cvmctx.validation.pipeline import FileResult
from cvmctx.report.summary import summary

JSON_VERSION = 1


def finding_dict(d: Diagnostic) -> dict[str, object]:
    out: dict[str, object] = {
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message,
        "path": d.path,
        "line": d.line,
        "column": d.column,
    }
    if d.hint:
        out["hint"] = d.hint
    if d.source:
        out["source"] = d.source  # line and column count in this layer (e.g. context.sh)
    return out


def to_json(results: Sequence[FileResult]) -> str:
    """The versioned JSON report (design.md): add fields, never rename them."""
    doc = {
        "version": JSON_VERSION,
        "files": [
            {
                "path": r.path,
                "layers": list(r.layers),
                "findings": [finding_dict(d) for d in r.report.sorted()],
            }
            for r in results
        ],
        "summary": summary([r.report for r in results]),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
