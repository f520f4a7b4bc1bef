"""The findings as a SARIF 2.1.0 log (OASIS), for code-scanning uploads and SARIF viewers.

One run, tool ``cvmctx``: one rule per distinct finding code, one artifact per input file (its
peeled layers in the artifact's property bag), one result per finding. Like the JSON report this
only formats what :mod:`cvmctx.validation.pipeline` found: messages and hints carry no secret, and
no source
snippet or artifact content is ever written.

Where a finding's line counts
-----------------------------
A SARIF region is a place *in the artifact*, and viewers (GitHub code scanning) draw it on the
file as stored. A finding's line counts in the file as given only when nothing was peeled before
the layer it counts in: plain-text user data, or a ``context.sh`` given as the file itself. A line
in a layer inside the file (the ``context.sh`` on an ISO, base64 or gzip user data decoded)
would point at an unrelated line of the file, so such a result names the file but claims no
region there; its position goes to the result's property bag instead, as ``layerRegion``
(``layer``, ``startLine``, ``startColumn``). A logical location cannot hold a line, and a nested
artifact (``iso#context.sh``) is not something viewers resolve, so the property bag is the
honest place. ``layer`` is the finding's ``source`` (``context.sh``) or ``text`` (the decoded
user data), the names the artifact's ``layers`` use.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import quote

from cvmctx import __version__
from cvmctx.catalog import entry_for
from cvmctx.catalog import input as input_codes
from cvmctx.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from cvmctx.validation.pipeline import FileResult
from cvmctx.report.positions import in_file, layer_of, message_text, region

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
STDIN = "<stdin>"  # the name cvmctx.cli gives to '-'
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str) -> dict[str, object]:
    """An artifactLocation for a path as the user gave it: relative stays relative."""
    pure = PurePosixPath(path)
    if pure.is_absolute():
        return {"uri": "file://" + quote(pure.as_posix(), safe="/")}
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _artifact(result: FileResult) -> dict[str, object]:
    out: dict[str, object]
    if result.path == STDIN:
        out = {"description": {"text": "standard input"}, "roles": ["standardStream"]}
    else:
        out = {"location": _uri(result.path), "roles": ["analysisTarget"]}
    out["properties"] = {"layers": list(result.layers)}
    return out


def _rules(results: Sequence[FileResult]) -> list[dict[str, object]]:
    seen: dict[str, Severity] = {}
    for r in results:
        for d in r.report.sorted():
            seen.setdefault(d.code, d.severity)
    return [_rule(code, severity) for code, severity in seen.items()]


def _rule(code: str, severity: Severity) -> dict[str, object]:
    """A rule with the catalog's entry as its help (shown by code-scanning viewers beside each
    alert) and the entry's place in the installed docs/diagnostics.md as its helpUri."""
    rule: dict[str, object] = {
        "id": code,
        "shortDescription": {
            "text": f"cvmctx finding '{code}': docs/diagnostics.md gives its meaning and fix"
        },
        "defaultConfiguration": {"level": LEVEL[severity]},
    }
    entry = entry_for(code)
    if entry is not None:
        rule["helpUri"] = entry.uri()
        rule["help"] = {"text": entry.text, "markdown": entry.markdown_absolute}
        rule["fullDescription"] = {"text": entry.summary}  # the catalog's one-line summary
    return rule


def _result(
    d: Diagnostic, layers: Sequence[str], artifact: dict[str, object], rule_index: int
) -> dict[str, object]:
    physical: dict[str, object] = {"artifactLocation": artifact}
    where = region(d)
    properties: dict[str, object] = {}
    if d.source is not None:
        properties["source"] = d.source
    if where is not None:
        if in_file(layers, d):
            physical["region"] = where
        else:  # see the module docstring: not a region of this file
            properties["layerRegion"] = {"layer": layer_of(d), **where}
    location: dict[str, object] = {"physicalLocation": physical}
    if d.path:
        location["logicalLocations"] = [{"fullyQualifiedName": d.path}]
    out: dict[str, object] = {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": LEVEL[d.severity],
        "message": {"text": message_text(d)},
        "locations": [location],
    }
    if properties:
        out["properties"] = properties
    return out


UNREADABLE = input_codes.UNREADABLE.code


def to_sarif_log(results: Sequence[FileResult]) -> dict[str, object]:
    """The SARIF log as a JSON-ready dict."""
    rules = _rules(results)
    rule_index = {str(rule["id"]): i for i, rule in enumerate(rules)}
    artifacts: list[dict[str, object]] = []
    artifact_index: dict[str, int] = {}  # the same path given twice is one artifact
    sarif_results: list[dict[str, object]] = []
    notifications: list[dict[str, object]] = []
    for r in results:
        if r.path not in artifact_index:
            artifact_index[r.path] = len(artifacts)
            artifacts.append(_artifact(r))
        index = artifact_index[r.path]
        location: dict[str, object] = (
            {"index": index} if r.path == STDIN else {**_uri(r.path), "index": index}
        )
        for d in r.report.sorted():
            if d.code == UNREADABLE:
                # Not a finding about the file's content: the run could not read it (SARIF
                # §3.58 toolExecutionNotifications), so the run is not a success either.
                notifications.append({"level": "error", "message": {"text": d.message},
                                      "locations": [{"physicalLocation": {
                                          "artifactLocation": location}}]})  # fmt: skip
                continue
            sarif_results.append(_result(d, r.layers, location, rule_index[d.code]))
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cvmctx",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not notifications,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "artifacts": artifacts,
                "results": sarif_results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def to_sarif(results: Sequence[FileResult]) -> str:
    return json.dumps(to_sarif_log(results), indent=2, ensure_ascii=False) + "\n"
