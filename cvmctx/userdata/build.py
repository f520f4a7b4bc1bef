"""The build pipeline: a :class:`BuildRequest` (user data, sections, ``--set``s, script, proxy)
to user-data text that reads back as meant, encoded for its target (:class:`BuildResult`)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from cvmctx.catalog import build as build_codes
from cvmctx.catalog import plugins as plugins_codes
from cvmctx.diagnostics import (
    CvmctxError,
    Diagnostic,
    FindingsError,
    Report,
)
from cvmctx.fileio import read_file
from cvmctx.guest.layers import peel
from cvmctx.guest.names import argument_head, key_problem, section_problem, shown
from cvmctx.guest.script.part import Phase, make_script
from cvmctx.model.codecs.core import NotAFile
from cvmctx.model.context import Context, RawContext, read_raw
from cvmctx.model.load import load
from cvmctx.model.plugins import enable_section_plugins, refuse_misspelled
from cvmctx.model.render import render_checked, section_shares
from cvmctx.model.sections import REGISTRY, known_sections
from cvmctx.model.sections._base import Entry, Section
from cvmctx.model.sections.amiconfig import MISSPELLED_KEY
from cvmctx.suggest import did_you_mean
from cvmctx.userdata.carry import dropped_parts
from cvmctx.userdata.encoding import Compress, Encoded, Encoding, Target, encode


@dataclass(frozen=True)
class Preset:
    """A section key's value from a deployment spec, as the amiconfig string its codec reads;
    ``line`` is the spec's line of the key."""

    section: str
    key: str
    value: str
    line: int | None = None


@dataclass
class BuildRequest:
    """Everything ``cvmctx build`` takes; paths are read here, not in the CLI."""

    userdata: Path | None = None
    #: Values from a spec, applied over ``userdata`` and under ``sections`` and ``sets``.
    presets: Sequence[Preset] = ()
    #: The spec ``presets`` come from, and the line of each TOML key ("cernvm.users", and
    #: "cernvm" for the table) that findings about those values are placed at.
    spec: Path | None = None
    origins: Mapping[str, int] = field(default_factory=dict)
    #: A script given as text (a spec's [script] text), at ``script_line`` of ``spec``.
    script_text: str | None = None
    script_line: int = 0
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
    for preset in request.presets:
        raw.ensure(preset.section)[preset.key] = Entry(preset.key, preset.value)
    for name in request.sections:
        _add_section(raw, name, report)
    for assignment in request.sets:
        _apply_set(raw, assignment)
    unread = _unread_sets(request.sets)
    report.extend(unread)
    _apply_proxy(raw, request, report)
    if request.script is not None or request.script_text is not None:
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
    unknown = plugins_codes.KEY_UNKNOWN.code
    diags = [d for d in diags if not (d.code == unknown and d.path in said and not d.line)]
    report.extend(_from_file(_from_spec(diags, request), request.userdata))
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


def _from_spec(diags: Sequence[Diagnostic], request: BuildRequest) -> list[Diagnostic]:
    """Findings about a spec's values placed at the spec's line of their key (only the user
    data file's values have lines of their own); a key a ``--set`` replaced is not the spec's."""
    if request.spec is None:
        return list(diags)
    origins = dict(request.origins)
    for assignment in request.sets:
        origins.pop(assignment.partition("=")[0], None)
    source = str(request.spec)
    out = []
    for d in diags:
        line = _origin(origins, d.path) if d.line is None and d.path else None
        out.append(d if line is None else replace(d, line=line, source=source))
    return out


def _origin(origins: Mapping[str, int], path: str) -> int | None:
    """The line of ``path`` or of its nearest parent (``cernvm.users[1]`` -> ``cernvm.users``)."""
    while path:
        if path in origins:
            return origins[path] or None
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def _suggest(name: str, choices: Sequence[str]) -> str:
    hint = did_you_mean(name, choices)
    return f"; {hint}" if hint else "; see 'cvmctx sections'"


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
            build_codes.PLUGIN_WITHOUT_SECTION.finding(
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
        out.append(
            build_codes.SET_UNKNOWN_KEY.finding(
                f"--set {shown(section)}.{shown(key)}: the [{section}] plugin does not read "
                f"'{shown(key)}', so setting it has no effect",
                path=f"{section}.{key}",
                hint=did_you_mean(key, [s.key for s in cls.key_specs()])
                or f"see 'cvmctx sections {section}' for the keys it reads",
            )
        )
    return out


def _read_by(cls: type[Section], key: str) -> bool:
    """Whether the plugin behind ``cls`` reads ``key`` (or reads it under a new name)."""
    if cls.key_spec(key) is not None or key in cls.RENAMED:
        return True
    return cls.PATTERN_KEYS is not None and re.fullmatch(cls.PATTERN_KEYS, key) is not None


def _value_from_file(spec: object, section: str, key: str, path: Path) -> str:
    from cvmctx.model.sections._base import KeySpec

    if not isinstance(spec, KeySpec):
        raise CvmctxError(
            f"--set {section}.{key}=@{path}: [{section}] has no key '{key}' that takes a file"
        )
    data = read_file(path)
    try:
        value = spec.codec.from_file(data, str(path))
        return str(value)
    except NotAFile as refused:
        raise CvmctxError(
            f"--set {section}.{key}=@{path}: {refused.message}; {refused.hint}"
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
            build_codes.PROXY_FROM_ENV.finding(
                f"x509-cert is the proxy in $X509_USER_PROXY ({path}), as single-line base64",
                path="cernvm.x509-cert",
            )
        )


def _hash_passwords(raw: RawContext, report: Report) -> None:
    from cvmctx.userdata.passwords import hash_users

    entry = raw.sections.get("cernvm", {}).get("users")
    if entry is None:
        return
    value, hashed = hash_users(entry.value)
    if not hashed:
        return
    raw.sections["cernvm"]["users"] = Entry("users", value, entry.line, entry.column)
    report.add(
        build_codes.PASSWORDS_HASHED.finding(
            f"the password of {', '.join(repr(u) for u in hashed)} is now a SHA-512 hash: "
            "CernVM images older than 2014-01-27 (CFG 939eda7) do not know hashes and would set "
            "the hash text itself as the password",
            path="cernvm.users",
            hint="for older images give plaintext passwords (or ssh keys) instead",
        )
    )


def _apply_script(raw: RawContext, request: BuildRequest, report: Report) -> None:
    if request.script is not None:
        name = str(request.script)
        data = read_file(request.script, "script")
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CvmctxError(f"{name}: the script is not UTF-8 text (byte {exc.start})") from None
    else:
        assert request.script_text is not None
        name, source = f"{request.spec}: [script] text", request.script_text
    script, diags = make_script(
        source, request.phase or Phase.AFTER, known_sections=known_sections()
    )
    label = f"--script {name}" if request.script is not None else f"the [script] of {request.spec}"
    if raw.script is not None:
        report.add(
            build_codes.SCRIPT_REPLACED.finding(
                f"{label} replaces the script of the user-data file",
                path="script",
            )
        )
    raw.script = script
    found = [_in_file(d, name) for d in diags]
    if request.script is not None:
        report.extend(_from_file(found, request.script))
        return
    # An inline script's lines count from the line after `text = """` in the spec.
    spec = str(request.spec)
    report.extend(replace(d, line=d.line + request.script_line, source=spec) if d.line else d
                  for d in found)  # fmt: skip


def _in_file(diag: Diagnostic, name: str) -> Diagnostic:
    return diag if diag.path else diag.under(name)
