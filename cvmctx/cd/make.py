"""The context CD: from the build inputs to the files on the CD and the image, checked by
reading it back (guest-format.md §4). The image itself is :mod:`cvmctx.cd.image`'s job.

What the guest needs: ``context.sh`` (or ``prolog.sh``) in the root of an iso9660 disk,
``EC2_USER_DATA`` as single-line base64 in valid shell, ``ROOT_PUBKEY`` naming a file on the
CD, and ``prolog.sh``/``epilog.sh`` that bash can source.
"""

from __future__ import annotations

import base64
import os
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from cvmctx.catalog import cd as cd_codes
from cvmctx.cd.image import CdFile, build_image, check_label, read_image
from cvmctx.cd.scripts import script_findings
from cvmctx.diagnostics import (
    CvmctxError,
    Diagnostic,
    FindingsError,
    InternalError,
    Report,
)
from cvmctx.fileio import read_file
from cvmctx.guest.contextsh.file import (
    no_user_data,
    read_context_sh,
    render_context_sh,
    user_data_of,
)
from cvmctx.guest.names import argument_head
from cvmctx.limits import LAST_ISO_DATE
from cvmctx.model.rules import check_for_cd
from cvmctx.userdata.build import BuildRequest, BuildResult, build
from cvmctx.userdata.encoding import Compress, Encoding, Target

#: The files cvmctx writes itself; ``--file`` may not take their names.
MANAGED = ("context.sh", "root.pub", "prolog.sh", "epilog.sh")
# Joliet keeps at most 64 characters; a leading dot would hide the file from the guest's
# `cp -r $mnt/*` (guest-format.md §4).
_PORTABLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_SSH_KEY = re.compile(
    r"(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp(256|384|521)|"
    r"sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\r\n]*)?"
)
_MAX_KEY = 64 * 1024
_EMPTY_HINT = "give a user-data file, --section or --set"


@dataclass
class IsoRequest:
    """``cvmctx iso``: the user data's inputs plus what else goes on the CD."""

    build: BuildRequest
    root_pubkey: Path | None = None
    use_env_pubkey: bool = False  # take $ROOT_PUBKEY when root_pubkey is not given (the CLI)
    public_key: str | None = None
    prolog: Path | None = None
    epilog: Path | None = None
    files: Sequence[str] = ()  # SRC[:NAME]
    variables: Sequence[str] = ()  # KEY=VALUE
    label: str = "CONTEXT"
    environ: Mapping[str, str] | None = None  # for tests; default os.environ


@dataclass
class IsoResult:
    image: bytes
    files: list[CdFile]
    built: BuildResult
    epoch: int
    report: Report = field(default_factory=Report)


def source_date_epoch(environ: Mapping[str, str]) -> int:
    """Dates on the CD: ``$SOURCE_DATE_EPOCH`` if set, else 0 (ISO 9660 "not specified")."""
    raw = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return 0
    if not (raw.isascii() and raw.isdigit()) or int(raw) > LAST_ISO_DATE:
        raise CvmctxError(
            f"SOURCE_DATE_EPOCH={raw!r}: give whole seconds since 1970 up to {LAST_ISO_DATE} "
            "(the last date ISO 9660 can store)"
        )
    return int(raw)


def make_iso(request: IsoRequest) -> IsoResult:
    """Build the user data, put it with the keys and scripts on a CD image, read it back.

    The CD's rules hold for every caller, not only the CLI: the user data goes on it plain
    (context.sh's EC2_USER_DATA is its base64, which the guest decodes once), never gzip
    (amiconfig on a CD guest may not unpack it, §1.3), and without a cloud's size budget (the
    CD has none). A request that asks for base64 or gzip is refused; the budget is dropped.
    """
    environ = os.environ if request.environ is None else request.environ
    request = _for_cd(request)
    epoch = source_date_epoch(environ)
    pubkey = _root_pubkey(request, environ)
    public_key = _public_key(request.public_key) if request.public_key is not None else None
    scripts = Report()
    prolog = _sourced_script(request.prolog, "prolog.sh", scripts) if request.prolog else b""
    epilog = _sourced_script(request.epilog, "epilog.sh", scripts) if request.epilog else None
    extras = [_extra_file(spec) for spec in request.files]
    variables = _variables(request.variables)
    if scripts.fails(request.build.strict):
        raise FindingsError("a script for the CD has findings that fail", scripts)

    built = build(request.build)
    # What no EC2 meta-data behind the CD breaks is judged here as validate judges the CD, so
    # that what iso writes with exit 0 passes validate at the same strictness (§4).
    report = Report([*built.report, *scripts, *check_for_cd(built.context)])
    if report.fails(request.build.strict):
        raise FindingsError("the user data does not work from a context CD", report)
    if not built.encoded.data:
        _judge_empty(report, pubkey is not None or public_key is not None, prolog, epilog)
        if report.fails(request.build.strict):
            raise FindingsError("the CD would carry no user data", report)
    context_sh = render_context_sh(
        base64.b64encode(built.encoded.data).decode("ascii"),
        root_pubkey="root.pub" if pubkey is not None else None,
        public_key=public_key,
        extra=variables,
    )
    files = _cd_files(context_sh, pubkey, prolog, epilog, extras)
    if pubkey is not None and public_key is not None:
        report.add(
            cd_codes.ISO_PUBLIC_KEY_WINS.finding(
                "both ROOT_PUBKEY and PUBLIC_KEY are set: the guest installs PUBLIC_KEY only",
                hint="give --root-pubkey or --public-key, not both",
            )
        )
    image = build_image(files, request.label, epoch)
    _verify(image, files, built.encoded.data)
    return IsoResult(image, files, built, epoch, report)


def _for_cd(request: IsoRequest) -> IsoRequest:
    """The request as a CD carries it: plain, uncompressed, no cloud's budget; refuse the rest."""
    if request.build.encoding is not Encoding.PLAIN:
        raise CvmctxError(
            "a context CD carries the user data plain: EC2_USER_DATA is its base64 already "
            "(base64 of base64 would reach amiconfig as text); use encoding=plain"
        )
    if request.build.compress is Compress.ALWAYS:
        raise CvmctxError(
            "a context CD carries the user data uncompressed: amiconfig may not unpack gzip "
            "there (docs/guest.md §1.3); use compress=never"
        )
    check_label(request.label)
    return replace(
        request, build=replace(request.build, target=Target.NONE, compress=Compress.NEVER)
    )


def _judge_empty(report: Report, gives_key: bool, prolog: bytes, epilog: bytes | None) -> None:
    """No user data, judged as validate judges the CD (a warning if it still gives a key or
    runs a script, an error if it does nothing), so that what iso writes passes validate."""
    sourced = [
        n for n, body in (("prolog.sh", prolog), ("epilog.sh", epilog)) if body and body.strip()
    ]
    empty = no_user_data(gives_key, sourced)
    report.add(Diagnostic(empty.code, empty.severity, empty.message, hint=_EMPTY_HINT))


def _cd_files(
    context_sh: str,
    pubkey: bytes | None,
    prolog: bytes,
    epilog: bytes | None,
    extras: list[CdFile],
) -> list[CdFile]:
    """The CD's files, context.sh first as the guest's examples put them; names checked unique."""
    files = [CdFile("context.sh", context_sh.encode("utf-8"), executable=True)]
    if pubkey is not None:
        files.append(CdFile("root.pub", pubkey))
    files.append(CdFile("prolog.sh", prolog, executable=True))
    if epilog is not None:
        files.append(CdFile("epilog.sh", epilog, executable=True))
    files.extend(extras)
    _check_unique(files)
    return files


def _root_pubkey(request: IsoRequest, environ: Mapping[str, str]) -> bytes | None:
    path = request.root_pubkey
    origin = "--root-pubkey"
    if path is None and request.use_env_pubkey and environ.get("ROOT_PUBKEY"):
        path, origin = Path(environ["ROOT_PUBKEY"]), "$ROOT_PUBKEY"
    if path is None:
        return None
    data = read_file(path, "public key file", _MAX_KEY)
    if b"PRIVATE KEY-----" in data:
        raise CvmctxError(
            f"{path} ({origin}): this is a PRIVATE key; give the public one "
            "(e.g. ~/.ssh/id_rsa.pub)"
        )
    try:
        lines = [line for line in data.decode("utf-8").split("\n") if line.strip()]
    except UnicodeDecodeError:
        lines = ["\0"]
    for number, line in enumerate(lines, 1):
        if not _SSH_KEY.fullmatch(line):
            raise CvmctxError(
                f"{path}:{number} ({origin}): not an OpenSSH public key line "
                "('ssh-ed25519 AAAA... comment'); give the .pub file"
            )
    if not lines:
        raise CvmctxError(f"{path} ({origin}): the public key file is empty")
    return data


def _public_key(text: str) -> str:
    key = text.strip()
    if not _SSH_KEY.fullmatch(key):
        raise CvmctxError(
            "--public-key: give one OpenSSH public key line ('ssh-ed25519 AAAA... comment')"
        )
    return key


def _sourced_script(path: Path, name: str, report: Report) -> bytes:
    """prolog.sh and epilog.sh are sourced by bash on the guest: they must parse."""
    data = read_file(path, f"{name} script")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CvmctxError(f"{path}: {name} is not UTF-8 text") from None
    found, unchecked = script_findings(text, name, str(path))
    report.extend(found)
    if unchecked is not None:
        raise CvmctxError(f"{path}: cannot check {name} with bash -n: {unchecked}")
    return data


def _extra_file(spec: str) -> CdFile:
    source, name = spec, ""
    head, sep, tail = spec.rpartition(":")
    if sep and head and "/" not in tail:
        source, name = head, tail
    path = Path(source)
    name = name or path.name
    if not _PORTABLE.fullmatch(name):
        raise CvmctxError(
            f"--file {spec}: {name!r} is not a portable CD name; use 1 to 64 characters "
            "A-Z a-z 0-9 . _ -, starting with a letter or digit (the guest skips dot files)"
        )
    try:
        info_ = path.lstat()
    except FileNotFoundError:
        raise CvmctxError(f"--file {spec}: {source}: no such file") from None
    except OSError as exc:
        raise CvmctxError(f"--file {spec}: {source}: {exc.strerror}") from None
    if stat.S_ISLNK(info_.st_mode):
        raise CvmctxError(f"--file {spec}: {source} is a symbolic link; give the file it points to")
    if not stat.S_ISREG(info_.st_mode):
        raise CvmctxError(
            f"--file {spec}: {source} is not a regular file (a directory? pack it with tar)"
        )
    data = read_file(path, "file")
    return CdFile(name, data, executable=bool(info_.st_mode & 0o111))


def _variables(assignments: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep:
            # The name only: a mistyped 'DB_PASSWORD:S3cret' holds the secret after it.
            raise CvmctxError(f"--var {argument_head(assignment)}: write KEY=VALUE")
        out[name] = value  # names and values are checked by render_context_sh
    return out


def _check_unique(files: Sequence[CdFile]) -> None:
    seen: dict[str, str] = {}
    for f in files:
        folded = f.name.lower()  # plain ISO 9660 and vfat readers do not tell case apart
        if folded in seen:
            other = seen[folded]
            why = "cvmctx writes it itself" if other in MANAGED else f"{other!r} is there too"
            raise CvmctxError(f"--file: two files named {f.name!r} on the CD ({why})")
        seen[folded] = f.name


def _verify(image: bytes, files: Sequence[CdFile], payload: bytes) -> None:
    """Read the image back as the guest would; any difference is a cvmctx bug."""
    try:
        back = read_image(image)
    except ValueError as exc:
        raise InternalError(
            f"the new image does not read back ({exc}); nothing was written"
        ) from None
    want = {f.name: f.data for f in files}
    modes = {f.name: 0o100755 if f.executable else 0o100644 for f in files}
    problems: list[str] = []
    if back.files != want:
        problems.append("file contents")
    if back.modes != modes:
        problems.append("file modes")
    variables, _ = read_context_sh(back.files.get("context.sh", b"").decode("utf-8"))
    if user_data_of(variables) != payload:
        problems.append("EC2_USER_DATA")
    if problems:
        raise InternalError(
            f"the image reads back with different {', '.join(problems)}; nothing was written"
        )
