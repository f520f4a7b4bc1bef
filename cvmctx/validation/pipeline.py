"""The validate pipeline: bytes in, every layer peeled (CD, context.sh, base64, gzip), the text
read the guest's way and judged; a :class:`FileResult` out, secrets already redacted."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cvmctx.catalog import cd as cd_codes
from cvmctx.catalog import input as input_codes
from cvmctx.diagnostics import (
    Diagnostic,
    Report,
)
from cvmctx.fileio import read_file
from cvmctx.guest.layers import peel
from cvmctx.limits import MAX_FILE, MAX_UNPACKED
from cvmctx.model.context import Context, read_raw
from cvmctx.model.load import load
from cvmctx.model.rules import check_for_cd
from cvmctx.validation.cdlayers import CdLayers, peel_cd, read_context_sh
from cvmctx.validation.redact import redacted_lines


@dataclass
class FileResult:
    """What validation found in one input."""

    path: str
    layers: tuple[str, ...]
    report: Report
    context: Context | None = None
    lines: list[str] = field(default_factory=list)  # the decoded text, secrets redacted
    sources: dict[str, list[str]] = field(default_factory=dict)  # outer layers' lines, redacted
    cd: CdLayers | None = None  # what an ISO or context.sh held
    text: str | None = None  # the decoded user data, unredacted: never printed unless asked

    def __post_init__(self) -> None:
        self.report = self.report.capped()  # bounded output whatever the input (issue 9)


def validate_bytes(
    data: bytes,
    path: str = "<stdin>",
    *,
    max_input: int = MAX_FILE,
    max_unpacked: int = MAX_UNPACKED,
) -> FileResult:
    """Judge user data the way the guest would: plain, gzip or base64 user data, a context.sh
    or a context CD image (ISO 9660), each layer peeled as the guest peels it. ``max_input``
    caps the input, ``max_unpacked`` what gzip may unpack to."""
    if len(data) > max_input:
        peeled = peel(data, max_input=max_input)  # reports input.too-large, reads nothing
        return FileResult(path, (), Report(list(peeled.diagnostics)))
    cd = peel_cd(data)
    report = Report(list(cd.diagnostics))
    for name, body in cd.shadowed:
        report.extend(_other_entry(name, body, path, max_input, max_unpacked))
    return _judge_layers(path, cd, report, max_input, max_unpacked)


def _other_entry(
    name: str, body: bytes, path: str, max_input: int, max_unpacked: int
) -> list[Diagnostic]:
    """The findings about an entry of the CD that the guest does not take for ``name`` but
    another reader may (iso.duplicate-name): judged as the guest would judge it, each said to
    be about that entry, since its lines are not the ones shown in code frames."""
    if name == "context.sh":
        inner = read_context_sh(body)
        found = _judge_layers(path, inner, Report(list(inner.diagnostics)), max_input,
                              max_unpacked).report.diagnostics  # fmt: skip
    else:
        from cvmctx.cd.scripts import cd_script_findings

        found = cd_script_findings({name: body})
    out: list[Diagnostic] = []
    for d in found:
        where = f", line {d.line}" if d.line is not None else ""
        out.append(Diagnostic(d.code, d.severity,
                              f"in the other {name!r} entry of the CD{where}: {d.message}",
                              d.path, None, None, d.hint))  # fmt: skip
    return out


def _judge_layers(
    path: str, cd: CdLayers, report: Report, max_input: int, max_unpacked: int
) -> FileResult:
    """Judge what the CD layers (or none) hand the guest as user data."""
    sources = {"context.sh": cd.context_sh_lines} if cd.context_sh_lines else {}
    if cd.payload is None:
        return FileResult(path, tuple(cd.layers), report, sources=sources, cd=cd)
    peeled = peel(cd.payload, max_input=max_input, max_output=max_unpacked)
    said = {d.code for d in report}
    # An empty EC2_USER_DATA is contextsh.no-user-data already; input.empty would say it twice.
    report.extend(
        d for d in peeled.diagnostics
        if not (d.code == input_codes.EMPTY.code and cd_codes.CONTEXTSH_NO_USER_DATA.code in said)
    )  # fmt: skip
    if cd.layers and peeled.layers[:1] == ("base64",):
        report.add(
            cd_codes.CONTEXTSH_USER_DATA_BASE64_TWICE.finding(
                "EC2_USER_DATA holds base64 of base64: the guest decodes it once and amiconfig "
                "then reads base64 text, not user data",
                source="context.sh",
                hint="encode the plain user data once (cvmctx iso does this)",
            )
        )
    layers = (*cd.layers, *peeled.layers)
    if peeled.text is None:
        return FileResult(path, layers, report, sources=sources, cd=cd)
    raw, diags = read_raw(peeled.text)
    context, more = load(raw)
    report.extend(diags + more)
    if {"iso", "context.sh"} & set(cd.layers):
        report.extend(check_for_cd(context, raw))  # no EC2 meta-data behind a context CD (§4)
    lines = redacted_lines(peeled.text)
    return FileResult(path, layers, report, context, lines, sources, cd, peeled.text)


def validate_file(
    path: Path, *, max_input: int = MAX_FILE, max_unpacked: int = MAX_UNPACKED
) -> FileResult:
    data = read_file(path, "user-data file", max_input, over=True)
    return validate_bytes(data, str(path), max_input=max_input, max_unpacked=max_unpacked)
