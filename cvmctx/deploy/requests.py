"""A resolved spec as the library's requests: :class:`BuildRequest` for ``build``,
:class:`IsoRequest` for ``iso``, with the command line's flags over the spec's values.

Command-line ``--section`` adds a section, ``--set`` replaces a key's value, ``--script``
replaces the spec's script; an option left at None keeps the spec's value (or the default)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from cvmctx.cd.make import IsoRequest
from cvmctx.deploy.spec import Resolved
from cvmctx.guest.script.part import Phase
from cvmctx.userdata.build import BuildRequest
from cvmctx.userdata.encoding import Compress, Encoding, Target


@dataclass
class Overrides:
    """What the command line gives over a spec (None: the spec decides)."""

    sections: Sequence[str] = ()
    sets: Sequence[str] = ()
    script: Path | None = None
    phase: Phase | None = None
    x509_proxy: Path | None = None
    enable_plugins: bool | None = None
    hash_passwords: bool | None = None
    strict: bool | None = None
    target: Target | None = None
    compress: Compress | None = None
    encoding: Encoding | None = None
    use_env_proxy: bool = True  # the CLI's default: $X509_USER_PROXY
    # The CD's options
    root_pubkey: Path | None = None
    public_key: str | None = None
    prolog: Path | None = None
    epilog: Path | None = None
    files: Sequence[str] = ()
    variables: Sequence[str] = ()
    label: str | None = None
    environ: dict[str, str] | None = field(default=None, repr=False)


T = TypeVar("T")


def _pick(given: T | None, spec: T) -> T:
    return spec if given is None else given


def _path(resolved: Resolved, relative: str | None) -> Path | None:
    return None if relative is None else resolved.path(relative)


def build_request(resolved: Resolved, over: Overrides) -> BuildRequest:
    """The user data's request: the spec's values, the command line's over them."""
    table = resolved.build
    script = resolved.script
    script_path = resolved.path(script.file) if script is not None and script.file else None
    script_text = script.text if script is not None else None
    if over.script is not None:
        script_path, script_text = over.script, None
    phase = over.phase if over.phase is not None or over.script is not None else None
    if phase is None and script is not None and over.script is None:
        phase = script.phase
    return BuildRequest(
        userdata=_path(resolved, table.userdata),
        presets=resolved.presets,
        spec=resolved.spec.path,
        origins=resolved.origins,
        sections=[*resolved.sections, *(s for s in over.sections if s not in resolved.sections)],
        sets=over.sets,
        script=script_path,
        script_text=script_text,
        script_line=resolved.spec.lines.line_of(("script", "text")) or 0,
        phase=phase,
        x509_proxy=_pick(over.x509_proxy, _path(resolved, table.x509_proxy)),
        use_env_proxy=over.use_env_proxy,
        enable_plugins=_pick(over.enable_plugins, table.enable_plugins),
        target=_pick(over.target, table.target),
        compress=_pick(over.compress, table.compress),
        encoding=_pick(over.encoding, table.encoding),
        strict=_pick(over.strict, table.strict),
        hash_passwords=_pick(over.hash_passwords, table.hash_passwords),
        environ=over.environ,
    )


def iso_request(resolved: Resolved, over: Overrides) -> IsoRequest:
    """The context CD's request. The CD decides the user data's encoding (plain, no gzip,
    no cloud budget), so the spec's [build] target, compress and encoding do not apply."""
    build = build_request(resolved, over)
    build.target, build.compress, build.encoding = Target.NONE, Compress.NEVER, Encoding.PLAIN
    cd = resolved.cd
    files = [
        f"{resolved.path(f)}:{Path(f).name}"
        if isinstance(f, str)
        else f"{resolved.path(f.source)}:{f.name or Path(f.source).name}"
        for f in cd.files
    ]
    given = {v.partition("=")[0] for v in over.variables}  # --var NAME=... replaces the spec's
    variables = [f"{k}={v}" for k, v in cd.variables.items() if k not in given]
    return IsoRequest(
        build=build,
        root_pubkey=_pick(over.root_pubkey, _path(resolved, cd.root_pubkey)),
        use_env_pubkey=True,
        public_key=_pick(over.public_key, cd.public_key),
        prolog=_pick(over.prolog, _path(resolved, cd.prolog)),
        epilog=_pick(over.epilog, _path(resolved, cd.epilog)),
        files=[*files, *over.files],
        variables=[*variables, *over.variables],
        label=_pick(over.label, cd.label),
        environ=over.environ,
    )
