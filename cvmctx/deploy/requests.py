"""The command line's flags, over a resolved spec or alone, as the library's requests:
:class:`BuildRequest` for ``build``, :class:`IsoRequest` for ``iso``.

One :class:`Overrides` carries what ``build``, ``iso`` and ``fleet`` were given, so the flag
list lives here once. Over a spec, ``--section`` adds a section, ``--set`` replaces a key's
value, ``--script`` replaces the spec's script, and an option left at None keeps the spec's
value; without a spec, None is the command line's default."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cvmctx.cd.make import IsoRequest
from cvmctx.guest.script.part import Phase
from cvmctx.userdata.build import BuildRequest
from cvmctx.userdata.encoding import Compress, Encoding, Target

if TYPE_CHECKING:
    from cvmctx.deploy.spec import Resolved
    from cvmctx.deploy.tables import BuildTable

@dataclass
class CdOverrides:
    """The context CD's options as given on the command line (None: not given)."""

    root_pubkey: Path | None = None
    public_key: str | None = None
    prolog: Path | None = None
    epilog: Path | None = None
    files: Sequence[str] = ()
    variables: Sequence[str] = ()
    label: str | None = None


@dataclass
class Overrides:
    """What the command line gives (None: the spec decides, or the CLI's default)."""

    #: The positional user data to start from, when it is not a spec.
    userdata: Path | None = None
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
    cd: CdOverrides = field(default_factory=CdOverrides)
    environ: dict[str, str] | None = field(default=None, repr=False)


T = TypeVar("T")


def _pick(given: T | None, spec: T) -> T:
    return spec if given is None else given


#: The switches a flag given replaces, and a flag not given takes from the spec's [build]
#: table (or, without a spec, from the library's defaults): the same names in both.
_SWITCHES = ("enable_plugins", "target", "compress", "encoding", "strict", "hash_passwords")


def _switches(over: Overrides, defaults: BuildRequest | BuildTable) -> dict[str, Any]:
    return {name: _pick(getattr(over, name), getattr(defaults, name)) for name in _SWITCHES}


def _flags_only(over: Overrides) -> BuildRequest:
    """The request from the flags alone, with the library's defaults where none is given."""
    return BuildRequest(
        userdata=over.userdata,
        sections=over.sections,
        sets=over.sets,
        script=over.script,
        phase=over.phase,
        x509_proxy=over.x509_proxy,
        use_env_proxy=over.use_env_proxy,
        environ=over.environ,
        **_switches(over, BuildRequest()),
    )


def build_request(resolved: Resolved | None, over: Overrides) -> BuildRequest:
    """The user data's request: the spec's values (if any), the command line's over them."""
    if resolved is None:
        return _flags_only(over)
    table = resolved.build
    script = resolved.script
    script_path = resolved.path(script.file) if script is not None and script.file else None
    script_text = script.text if script is not None else None
    phase = over.phase
    if over.script is not None:
        script_path, script_text = over.script, None
    elif phase is None and script is not None:
        phase = script.phase
    return BuildRequest(
        userdata=resolved.optional_path(table.userdata),
        presets=resolved.presets,
        spec=resolved.spec.path,
        origins=resolved.origins,
        sections=[*resolved.sections, *(s for s in over.sections if s not in resolved.sections)],
        sets=over.sets,
        script=script_path,
        script_text=script_text,
        script_line=resolved.spec.lines.line_of(("script", "text")) or 0,
        phase=phase,
        x509_proxy=_pick(over.x509_proxy, resolved.optional_path(table.x509_proxy)),
        use_env_proxy=over.use_env_proxy,
        environ=over.environ,
        **_switches(over, table),
    )


def _spec_cd(resolved: Resolved, flags: CdOverrides) -> CdOverrides:
    """The spec's [cd] table with the command line's flags over it (--file and --var add;
    --var NAME=... replaces the spec's NAME)."""
    cd = resolved.cd
    files = [
        f"{resolved.path(f)}:{Path(f).name}"
        if isinstance(f, str)
        else f"{resolved.path(f.source)}:{f.name or Path(f.source).name}"
        for f in cd.files
    ]
    given = {v.partition("=")[0] for v in flags.variables}
    variables = [f"{k}={v}" for k, v in cd.variables.items() if k not in given]
    return CdOverrides(
        root_pubkey=_pick(flags.root_pubkey, resolved.optional_path(cd.root_pubkey)),
        public_key=_pick(flags.public_key, cd.public_key),
        prolog=_pick(flags.prolog, resolved.optional_path(cd.prolog)),
        epilog=_pick(flags.epilog, resolved.optional_path(cd.epilog)),
        files=[*files, *flags.files],
        variables=[*variables, *flags.variables],
        label=_pick(flags.label, cd.label),
    )


def iso_request(resolved: Resolved | None, over: Overrides) -> IsoRequest:
    """The context CD's request. The CD decides the user data's encoding (plain, no gzip,
    no cloud budget), so the spec's [build] target, compress and encoding do not apply."""
    build = build_request(resolved, over)
    build.target, build.compress, build.encoding = Target.NONE, Compress.NEVER, Encoding.PLAIN
    cd = over.cd if resolved is None else _spec_cd(resolved, over.cd)
    return IsoRequest(
        build=build,
        root_pubkey=cd.root_pubkey,
        use_env_pubkey=True,  # the CLI's default: $ROOT_PUBKEY
        public_key=cd.public_key,
        prolog=cd.prolog,
        epilog=cd.epilog,
        files=list(cd.files),
        variables=list(cd.variables),
        label=_pick(cd.label, IsoRequest.label),  # the library's default, CONTEXT
        environ=over.environ,
    )
