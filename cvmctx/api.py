"""The library surface: build user data and validate it. The CLI is a thin layer over this.

Nothing here prints. Problems with the input are :class:`~cvmctx.diagnostics.Diagnostic`
findings in a :class:`~cvmctx.diagnostics.Report`; problems that stop a command (unreadable
file, bad option) raise :class:`~cvmctx.diagnostics.CvmctxError` with a one-line message.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from cvmctx.carry import dropped_parts
from cvmctx.context import Context, RawContext, load, read_raw, render_checked, section_shares
from cvmctx.diagnostics import (
    CvmctxError,
    Diagnostic,
    FindingsError,
    Report,
    error,
    info,
    warning,
)
from cvmctx.encoding import Compress, Encoded, Encoding, Target, encode
from cvmctx.guest_names import argument_head, key_problem, section_problem, shown
from cvmctx.inspection import CdLayers, peel_cd, read_context_sh
from cvmctx.limits import MAX_FILE, MAX_UNPACKED
from cvmctx.peeling import peel
from cvmctx.plugins import enable_section_plugins, refuse_misspelled
from cvmctx.rules import check_for_cd
from cvmctx.script import Phase, make_script
from cvmctx.secrets import redacted_lines
from cvmctx.sections import REGISTRY, known_sections
from cvmctx.sections._base import Entry, Section
from cvmctx.sections._types import Refused
from cvmctx.sections.amiconfig import MISSPELLED_KEY


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
        from cvmctx.cdscripts import cd_script_findings

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
        if not (d.code == "input.empty" and "contextsh.no-user-data" in said)
    )  # fmt: skip
    if cd.layers and peeled.layers[:1] == ("base64",):
        report.add(
            error(
                "contextsh.user-data-base64-twice",
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


# ---------------------------------------------------------------------------- build


@dataclass
class BuildRequest:
    """Everything ``cvmctx build`` takes; paths are read here, not in the CLI."""

    userdata: Path | None = None
    sections: Sequence[str] = ()
    sets: Sequence[str] = ()
    script: Path | None = None
    phase: Phase | None = None
    x509_proxy: Path | None = None
    # Take $X509_USER_PROXY when x509_proxy is not given: the CLI's default (the seed's script
    # does it), never the library's, which reads only what its caller names.
    use_env_proxy: bool = False
    enable_plugins: bool = True
    target: Target = Target.EC2
    compress: Compress = Compress.AUTO
    encoding: Encoding = Encoding.PLAIN
    strict: bool = False
    hash_passwords: bool = False  # replace plaintext [cernvm] users passwords by $6$ hashes
    environ: dict[str, str] | None = None  # for tests; default os.environ


@dataclass
class BuildResult:
    text: str
    context: Context
    encoded: Encoded
    report: Report

    def __post_init__(self) -> None:
        self.report = self.report.capped()


def build(request: BuildRequest) -> BuildResult:
    """Merge the inputs, type every value, render, read back, encode and check the budget.

    Raises :class:`FindingsError` (exit 1) when a value would be misread by the guest or the
    result is over budget, with every finding in its report.
    """
    report = Report()
    raw = _base_context(request, report)
    for name in request.sections:
        _add_section(raw, name, report)
    for assignment in request.sets:
        _apply_set(raw, assignment)
    unread = _unread_sets(request.sets)
    report.extend(unread)
    _apply_proxy(raw, request, report)
    if request.script is not None:
        _apply_script(raw, request, report)
    elif request.phase is not None:
        raise CvmctxError("--phase needs --script FILE")
    report.extend(_from_file(refuse_misspelled(raw), request.userdata))
    if request.enable_plugins:
        enable_section_plugins(raw, request.sections)
    if request.hash_passwords:
        _hash_passwords(raw, report)
    context, diags = load(raw)
    said = {d.path for d in unread}  # build.set-unknown-key says what key.unknown would
    diags = [d for d in diags if not (d.code == "key.unknown" and d.path in said and not d.line)]
    report.extend(_from_file(diags, request.userdata))  # only the file's values have lines
    if report.fails(request.strict):
        raise FindingsError("the user data has findings that fail the build", report)
    text = render_checked(context)
    encoded = encode(
        text.encode("utf-8"),
        target=request.target,
        compress=request.compress,
        encoding=request.encoding,
        shares=section_shares(context, text),
    )
    report.extend(encoded.diagnostics)
    if report.fails(request.strict):
        raise FindingsError("the encoded user data does not fit its target", report)
    return BuildResult(text, context, encoded, report)


def _base_context(request: BuildRequest, report: Report) -> RawContext:
    if request.userdata is None:
        return RawContext()
    path = request.userdata
    peeled = peel(read_file(path, "user-data file"))
    report.extend(peeled.diagnostics)
    if peeled.text is None:
        raise FindingsError(f"{path}: cannot read the user data", report)
    report.extend(_from_file(dropped_parts(peeled.text), path))  # nothing lost silently
    raw, diags = read_raw(peeled.text)
    report.extend(_from_file(diags, path))
    return raw


def _from_file(diags: Sequence[Diagnostic], path: Path | None) -> list[Diagnostic]:
    """Findings with a line number name the input file the line is in (build reads several)."""
    if path is None:
        return list(diags)
    return [replace(d, source=str(path)) if d.line and d.source is None else d for d in diags]


def _suggest(name: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else "; see 'cvmctx sections'"


def _add_section(raw: RawContext, name: str, report: Report) -> None:
    cls = REGISTRY.get(name)
    parts = [p.strip() for p in name.split(",")]
    if cls is None and len(parts) > 1 and all(p in REGISTRY for p in parts):
        each = " ".join(f"--section {p}" for p in parts)
        raise CvmctxError(f"--section {shown(name)}: one section per option; write {each}")
    if cls is None:
        problem = section_problem(name)
        if problem is not None:
            raise CvmctxError(f"--section {shown(name)}: {problem}")
        raise CvmctxError(f"--section {name}: no such section{_suggest(name, list(REGISTRY))}")
    if cls.HAS_SECTION:
        raw.ensure(name)
    else:
        report.add(
            info(
                "build.plugin-without-section",
                f"plugin '{name}' reads no section: it is enabled, no section is written",
                path=name,
            )
        )


def _apply_set(raw: RawContext, assignment: str) -> None:
    target, sep, value = assignment.partition("=")
    section, dot, key = target.partition(".")
    if not sep or not dot:
        # The name only: what follows it ('=' or a mistyped ':') may be a secret.
        raise CvmctxError(
            f"--set {argument_head(target if sep else assignment)}: write SECTION.KEY=VALUE, "
            "e.g. --set cernvm.organisations=cms"
        )
    cls = REGISTRY.get(section)
    if cls is None:
        problem = section_problem(section)
        if problem is not None:
            raise CvmctxError(f"--set {shown(target)}: {problem}")
        raise CvmctxError(
            f"--set {shown(target)}: no such section{_suggest(section, list(REGISTRY))}"
        )
    if not cls.HAS_SECTION:
        raise CvmctxError(f"--set {shown(target)}: plugin '{section}' reads no section")
    # The key is written as given: it must be one the guest's reader reads back as itself
    # (guest-format.md §2), or what cvmctx writes is not what the guest reads.
    problem = key_problem(key)
    if problem is not None:
        raise CvmctxError(f"--set {shown(target)}: {problem}")
    if value.startswith("@") and not value.startswith("@@"):
        value = _value_from_file(cls.key_spec(key), section, key, Path(value[1:]))
    elif value.startswith("@@"):
        value = value[1:]  # '@@x' is the literal '@x'
    raw.ensure(section)[key] = Entry(key, value)


def _unread_sets(sets: Sequence[str]) -> list[Diagnostic]:
    """An error for each ``--set`` of a key its plugin does not read: the user asked for an
    effect and would get none. (The same line in a file is only a warning, ``key.unknown``:
    there the text already exists.) ``_apply_set`` has checked the form of each."""
    out: list[Diagnostic] = []
    for assignment in sets:
        section, _, key = assignment.partition("=")[0].partition(".")
        cls = REGISTRY[section]
        if _read_by(cls, key) or (section, key) == ("amiconfig", MISSPELLED_KEY):
            continue  # read; or the seed's misspelling, which build.misspelled-key refuses
        close = difflib.get_close_matches(key, [s.key for s in cls.key_specs()], n=1)
        out.append(
            error(
                "build.set-unknown-key",
                f"--set {shown(section)}.{shown(key)}: the [{section}] plugin does not read "
                f"'{shown(key)}', so setting it has no effect",
                path=f"{section}.{key}",
                hint=f"did you mean '{close[0]}'?" if close else
                f"see 'cvmctx sections {section}' for the keys it reads",
            )
        )
    return out


def _read_by(cls: type[Section], key: str) -> bool:
    """Whether the plugin behind ``cls`` reads ``key`` (or reads it under a new name)."""
    if cls.key_spec(key) is not None or key in cls.RENAMED:
        return True
    return cls.PATTERN_KEYS is not None and re.fullmatch(cls.PATTERN_KEYS, key) is not None


def _value_from_file(spec: object, section: str, key: str, path: Path) -> str:
    from cvmctx.sections._base import KeySpec

    if not isinstance(spec, KeySpec):
        raise CvmctxError(
            f"--set {section}.{key}=@{path}: [{section}] has no key '{key}' that takes a file"
        )
    data = read_file(path)
    try:
        value = spec.codec.from_file(data, str(path))
        return str(value)
    except Refused as refused:
        raise CvmctxError(
            f"--set {section}.{key}=@{path}: {refused.note.message}; {refused.note.hint}"
        ) from None


def _apply_proxy(raw: RawContext, request: BuildRequest, report: Report) -> None:
    """x509-cert from --x509-proxy, or from $X509_USER_PROXY as the seed's script does."""
    environ = os.environ if request.environ is None else request.environ
    path = request.x509_proxy
    from_env = False
    if path is None and request.use_env_proxy and environ.get("X509_USER_PROXY"):
        cernvm = raw.sections.get("cernvm")
        if cernvm is None or "x509-cert" in cernvm:
            return
        path = Path(environ["X509_USER_PROXY"])
        from_env = True
        if not path.is_file():
            # The seed's script skips a missing proxy silently; the pilot then fails on the
            # guest without a word. A variable that names nothing is a mistake: say so here.
            raise CvmctxError(
                f"$X509_USER_PROXY names {path}, which is not a file (expired and removed?); "
                "renew the proxy, or unset X509_USER_PROXY to build without x509-cert"
            )
    if path is None:
        return
    spec = REGISTRY["cernvm"].key_spec("x509-cert")
    value = _value_from_file(spec, "cernvm", "x509-cert", path)
    raw.ensure("cernvm")["x509-cert"] = Entry("x509-cert", value)
    if from_env:
        report.add(
            info(
                "build.proxy-from-env",
                f"x509-cert is the proxy in $X509_USER_PROXY ({path}), as single-line base64",
                path="cernvm.x509-cert",
            )
        )


def _hash_passwords(raw: RawContext, report: Report) -> None:
    from cvmctx.secrets import hash_users

    entry = raw.sections.get("cernvm", {}).get("users")
    if entry is None:
        return
    value, hashed = hash_users(entry.value)
    if not hashed:
        return
    raw.sections["cernvm"]["users"] = Entry("users", value, entry.line, entry.column)
    report.add(
        warning(
            "build.passwords-hashed",
            f"the password of {', '.join(repr(u) for u in hashed)} is now a SHA-512 hash: "
            "CernVM images older than 2014-01-27 (CFG 939eda7) do not know hashes and would set "
            "the hash text itself as the password",
            path="cernvm.users",
            hint="for older images give plaintext passwords (or ssh keys) instead",
        )
    )


def _apply_script(raw: RawContext, request: BuildRequest, report: Report) -> None:
    assert request.script is not None
    data = read_file(request.script, "script")
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CvmctxError(
            f"{request.script}: the script is not UTF-8 text (byte {exc.start})"
        ) from None
    script, diags = make_script(
        source, request.phase or Phase.AFTER, known_sections=known_sections()
    )
    if raw.script is not None:
        report.add(
            info(
                "build.script-replaced",
                f"--script {request.script} replaces the script of the user-data file",
                path="script",
            )
        )
    raw.script = script
    report.extend(_from_file([_in_file(d, str(request.script)) for d in diags], request.script))


def _in_file(diag: Diagnostic, name: str) -> Diagnostic:
    return diag if diag.path else diag.under(name)


__all__ = [
    "BuildRequest",
    "BuildResult",
    "FileResult",
    "build",
    "read_file",
    "validate_bytes",
    "validate_file",
]
