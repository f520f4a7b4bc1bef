"""A deployment spec: one TOML file for everything ``build`` and ``iso`` take.

Top-level tables are the spec's own (``[build]``, ``[script]``, ``[cd]``, ``[fleet]``) or
sections, named as the guest names them (``[cernvm]``, ``[condor]``), with their keys as the
guest reads them. :func:`read_spec` parses the file (exit 2 when it is not TOML);
:func:`resolve` renders it for one host and checks every table, each problem a finding at
the spec's line and TOML key (exit 1)."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cvmctx.catalog import spec as spec_codes
from cvmctx.deploy.forms import SpecProblem, to_text
from cvmctx.deploy.locate import Lines, dotted, locate
from cvmctx.deploy.locate import Path as KeyPath
from cvmctx.deploy.render import Host, render_tree
from cvmctx.deploy.tables import TABLES, BuildTable, CdTable, FleetTable, ScriptTable
from cvmctx.diagnostics import CvmctxError, FindingsError, Report
from cvmctx.fileio import read_file
from cvmctx.guest.names import key_problem
from cvmctx.model.sections import REGISTRY
from cvmctx.model.sections._base import Section
from cvmctx.suggest import did_you_mean
from cvmctx.userdata.build import Preset


@dataclass(frozen=True)
class SpecFile:
    """A spec as read: its text, its parsed document, the line of every key."""

    path: Path
    data: dict[str, Any]
    lines: Lines
    sha256: str

    @property
    def base(self) -> Path:
        """The directory the spec's paths are relative to."""
        return self.path.parent

    def where(self, key: KeyPath) -> tuple[str, int | None]:
        return str(self.path), self.lines.line_of(key)


@dataclass
class Resolved:
    """A spec rendered for one host and checked: what the requests are made from."""

    spec: SpecFile
    build: BuildTable
    script: ScriptTable | None
    cd: CdTable
    fleet: FleetTable
    sections: list[str] = field(default_factory=list)
    presets: list[Preset] = field(default_factory=list)
    #: TOML key ("cernvm.users") -> spec line, for findings the build makes about the values.
    origins: dict[str, int] = field(default_factory=dict)
    #: The document as rendered for the host: what the host's values digest is taken of.
    values: dict[str, Any] = field(default_factory=dict)

    def path(self, relative: str) -> Path:
        """A path the spec gives, relative to the spec's directory."""
        given = Path(relative)
        return given if given.is_absolute() else self.spec.base / given

    def optional_path(self, relative: str | None) -> Path | None:
        """:meth:`path` of a key the spec may leave out."""
        return None if relative is None else self.path(relative)


def read_spec(path: Path) -> SpecFile:
    """Parse a spec file; a file that cannot be read or is not TOML stops the run (exit 2)."""
    data = read_file(path, "spec")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CvmctxError(f"{path}: the spec is not UTF-8 text (byte {exc.start})") from None
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib says "<what> (at line N, column M)", or "(at end of document)" for what
        # was never closed; the file and line go first, as in every other message. It names
        # the place, never a value.
        message = str(exc)
        where = ""
        if " (at line " in message:
            message, _, at = message.rpartition(" (at line ")
            where = ":" + at.split(",")[0].rstrip(")")
        elif message.endswith(" (at end of document)"):
            message = message.removesuffix(" (at end of document)") + " at the end of the file"
            where = f":{max(1, len(text.splitlines()))}"
        raise CvmctxError(f"{path}{where}: not TOML: {message}; fix the syntax") from None
    return SpecFile(path, parsed, locate(text), hashlib.sha256(data).hexdigest())


def _secret_keys() -> frozenset[str]:
    keys = {"password", "password_hash", "public_key"}
    for cls in REGISTRY.values():
        keys |= cls.secret_keys()
    return frozenset(keys)


def resolve(spec: SpecFile, host: Host | None = None) -> Resolved:
    """The spec rendered for ``host`` (None: no hosts table) and checked table by table."""
    problems: list[SpecProblem] = []
    data = render_tree(spec.data, host, problems, secret=_secret_keys())
    unrendered = {p.path[:2] for p in problems}  # a table's key, reported once
    for name, key in (p for p in unrendered if len(p) == 2):
        if isinstance(data.get(name), dict):
            data[name].pop(key, None)
    tables: dict[str, Any] = {}
    resolved = Resolved(spec, BuildTable(), None, CdTable(), FleetTable(), values=data)
    for name, value in data.items():
        if name in TABLES:
            tables[name] = _own_table(name, value, problems)
        elif name in REGISTRY:
            _section(resolved, REGISTRY[name], value, problems)
        else:
            problems.append(_unknown_table(name, value))
    if problems:
        raise _findings(spec, problems)
    resolved.build = tables.get("build") or BuildTable()
    resolved.script = tables.get("script")
    resolved.cd = tables.get("cd") or CdTable()
    resolved.fleet = tables.get("fleet") or FleetTable()
    if resolved.script is not None and (resolved.script.file is None) == (
        resolved.script.text is None
    ):
        raise _findings(spec, [SpecProblem(
            spec_codes.WRONG_TYPE, "script: give file = PATH or text = '''...''', one of them",
            ("script",), "write the script in a file beside the spec: file = \"script.sh\"",
        )])  # fmt: skip
    return resolved


def fleet_table(spec: SpecFile) -> FleetTable:
    """The spec's ``[fleet]`` table alone, as written (its paths are not templates)."""
    problems: list[SpecProblem] = []
    value = spec.data.get("fleet")
    table = FleetTable() if value is None else _own_table("fleet", value, problems)
    if problems:
        raise _findings(spec, problems)
    assert isinstance(table, FleetTable)
    return table


def _findings(spec: SpecFile, problems: list[SpecProblem]) -> FindingsError:
    report = Report()
    for p in problems:
        source, line = spec.where(p.path)
        report.add(p.code.finding(
            p.message, path=dotted(p.path), line=line, hint=p.hint, source=source,
        ))  # fmt: skip
    return FindingsError(f"{spec.path}: the spec has findings", report)


def _unknown_table(name: str, value: object) -> SpecProblem:
    choices = [*TABLES, *REGISTRY]
    if not isinstance(value, dict):
        owner = next((t for t, m in TABLES.items() if name in m.model_fields), None)
        hint = f"put it in [{owner}]" if owner else "keys belong in a table: [build], [cernvm]..."
        return SpecProblem(spec_codes.UNKNOWN_TABLE, f"{dotted((name,))}: a key outside any "
                           "table", (name,), hint)  # fmt: skip
    hint = did_you_mean(name, choices) or "see 'cvmctx sections' for the sections"
    return SpecProblem(
        spec_codes.UNKNOWN_TABLE,
        f"[{dotted((name,))}] is neither a table of the spec nor a section a guest plugin reads",
        (name,),
        hint,
    )


def _own_table(name: str, value: object, problems: list[SpecProblem]) -> Any:
    model = TABLES[name]
    if not isinstance(value, dict):
        problems.append(SpecProblem(spec_codes.WRONG_TYPE, f"{name} must be a table [{name}]",
                                    (name,)))  # fmt: skip
        return None
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_input=False):
            loc: KeyPath = (name, *error["loc"])
            problems.append(_pydantic_problem(model, loc, error["type"], error["msg"]))
        return None


def _pydantic_problem(model: type[Any], loc: KeyPath, kind: str, msg: str) -> SpecProblem:
    if kind == "extra_forbidden":
        fields = list(model.model_fields) if len(loc) == 2 else []
        hint = did_you_mean(str(loc[-1]), fields) or (
            "the keys are " + ", ".join(fields) if fields else "see 'cvmctx schema'"
        )
        return SpecProblem(spec_codes.UNKNOWN_KEY, f"{dotted(loc)}: no such key", loc, hint)
    # pydantic's message names the expected type, never the input (include_input=False);
    # union members appear as extra locations ("str", "CdFileTable"): drop them.
    while (loc and isinstance(loc[-1], str) and loc[-1][:1].isupper()) or loc[-1:] == ("str",):
        loc = loc[:-1]
    return SpecProblem(spec_codes.WRONG_TYPE, f"{dotted(loc)}: {msg.lower()}", loc,
                       "see 'cvmctx schema' for the forms each key takes")  # fmt: skip


def _section(
    resolved: Resolved, cls: type[Section], value: object, problems: list[SpecProblem]
) -> None:
    name = cls.SECTION
    spec = resolved.spec
    if not isinstance(value, dict):
        problems.append(SpecProblem(spec_codes.WRONG_TYPE, f"{name} must be a table [{name}] "
                                    "of the section's keys", (name,)))  # fmt: skip
        return
    resolved.sections.append(name)
    resolved.origins[name] = spec.lines.line_of((name,)) or 0
    if value and not cls.HAS_SECTION:
        problems.append(SpecProblem(spec_codes.UNKNOWN_KEY, f"plugin '{name}' reads no "
                                    "section: its keys do nothing", (name,),
                                    f"leave [{name}] empty to enable the plugin"))  # fmt: skip
        return
    for key, item in value.items():
        path: KeyPath = (name, key)
        problem = _key_problem(cls, key)
        if problem is not None:
            problems.append(SpecProblem(spec_codes.UNKNOWN_KEY, problem[0], path, problem[1]))
            continue
        key_spec = cls.key_spec(key)
        try:
            if key_spec is None:  # a key the plugin reads by pattern: a string
                if not isinstance(item, str | int) or isinstance(item, bool):
                    raise SpecProblem(spec_codes.WRONG_TYPE, f"{dotted(path)} takes a string",
                                      path)  # fmt: skip
                text = str(item)
            else:
                text = to_text(key_spec.codec, item, path, lambda p, at: _read(resolved, p, at),
                               secret=key_spec.secret)  # fmt: skip
        except SpecProblem as found:
            problems.append(found)
            continue
        line = spec.lines.line_of(path)
        resolved.presets.append(Preset(name, key, text, line))
        resolved.origins[f"{name}.{key}"] = line or 0


def _key_problem(cls: type[Section], key: str) -> tuple[str, str] | None:
    """Why ``key`` in the section's table does nothing on the guest (message, hint), or None."""
    name = cls.SECTION
    if key in cls.RENAMED:
        target, why = cls.RENAMED[key]
        return f"{name}.{key}: {why}", f"write {target}"
    if cls.key_spec(key) is not None:
        return None
    problem = key_problem(key)
    if problem is not None:
        return f"{dotted((name, key))}: {problem}", "write the key as the guest reads it"
    if cls.PATTERN_KEYS is not None:
        import re

        if re.fullmatch(cls.PATTERN_KEYS, key):
            return None
    hint = did_you_mean(key, [s.key for s in cls.key_specs()])
    return (
        f"{dotted((name, key))}: the [{name}] plugin does not read '{key}', so setting it has "
        "no effect",
        hint or f"see 'cvmctx sections {name}' for the keys it reads",
    )


def _read(resolved: Resolved, relative: str, at: KeyPath) -> bytes:
    """A file a section key names (``{ file = ... }``); errors name the spec's line."""
    path = resolved.path(relative)
    try:
        return read_file(path)
    except CvmctxError as exc:
        source, line = resolved.spec.where(at)
        raise CvmctxError(f"{source}:{line}: {dotted(at)}: {exc}", exc.exit_code) from None
