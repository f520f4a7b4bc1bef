"""``context.sh`` on a context CD: written so the guest reads exactly what was meant, and read
back without executing it (guest-format.md §1.4, §4).

HEPiX sources context.sh with bash as root and runs ``echo $EC2_USER_DATA | base64 -di``;
µCernVM runs ``( source context.sh && echo ${EC2_USER_DATA} ) | base64 -d`` under busybox sh.
``ROOT_PUBKEY`` names a key file on the CD, ``PUBLIC_KEY`` is key text and wins over it, and
``ONE_CONTEXT_PATH`` is read by nothing but required by the docs. :func:`read_context_sh` reads
context.sh as bash sources it (:mod:`cvmctx.guest.contextsh.reader`): every form of plain
assignment is
read, commands are reported (the guest would run them), what cannot be proved statically is a
warning, and variables the guest's own scripts use are refused
(:mod:`cvmctx.guest.contextsh.variables`).
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Mapping, Sequence

from cvmctx.catalog import cd as cd_codes
from cvmctx.catalog.code import Code
from cvmctx.diagnostics import (
    CvmctxError,
    Diagnostic,
    InternalError,
    Severity,
)
from cvmctx.guest.contextsh import variables as guestvars
from cvmctx.guest.contextsh.reader import Reading, ShellVar, read_statements

__all__ = [
    "ONE_CONTEXT_PATH",
    "ShellVar",
    "check_name",
    "quote",
    "read_context",
    "read_context_sh",
    "render_context_sh",
    "user_data_of",
]

ONE_CONTEXT_PATH = "/var/lib/amiconfig"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FILE_NAME = re.compile(r"[A-Za-z0-9._][A-Za-z0-9._-]*")
_B64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_NOT_ALPHABET = re.compile(r"[^A-Za-z0-9+/=]+")
# A run of whole groups, then a padded group if one follows (GNU base64 -d goes on after it).
_GROUPS = re.compile(r"((?:[^=]{4})*)([^=]{3}=|[^=]{2}==)?")
_MANAGED = {
    "EC2_USER_DATA": "cvmctx writes it from the build inputs (the user data)",
    "ROOT_PUBKEY": "set it with --root-pubkey",
    "PUBLIC_KEY": "set it with --public-key",
    "ONE_CONTEXT_PATH": f'cvmctx always writes ONE_CONTEXT_PATH="{ONE_CONTEXT_PATH}"',
}
_IFS = re.compile("[ \t\n]+")  # bash's default IFS: what an unquoted $EC2_USER_DATA splits on
_ONE_LINE = {"\n": "a newline", "\r": "a carriage return (CR)", "\0": "a NUL character"}


def quote(value: str, name: str = "the value") -> str:
    """``value`` in POSIX single quotes; refused if it cannot stay on one line."""
    bad = next((c for c in _ONE_LINE if c in value), None)
    if bad is not None:
        raise CvmctxError(
            f"{name} holds {_ONE_LINE[bad]}: a context.sh value must be one "
            "line; remove the line break (multi-line data belongs in the user data)"
        )
    return "'" + value.replace("'", "'\\''") + "'"


def check_name(name: str) -> None:
    """Refuse a name that is not a shell variable, that breaks the guest, or that cvmctx sets."""
    if not _NAME.fullmatch(name):
        raise CvmctxError(
            f"{name!r} is not a shell variable name: use letters, digits and '_'"
            ", not starting with a digit"
        )
    if name in _MANAGED:
        raise CvmctxError(f"{name} cannot be set as an extra variable: {_MANAGED[name]}")
    why = guestvars.refusal(name)
    if why is not None:
        raise CvmctxError(f"{name} cannot be set in context.sh: {why}; pick another name")


def render_context_sh(
    user_data_b64: str, *, root_pubkey: str | None, public_key: str | None, extra: Mapping[str, str]
) -> str:
    """The context.sh text: a comment line, then every variable sorted by name, one per line."""
    from cvmctx.templating import render_template  # lazily: no jinja2 in validate

    if not _B64.fullmatch(user_data_b64):
        raise CvmctxError(
            "EC2_USER_DATA must be single-line standard base64 (A-Z a-z 0-9 + / "
            "and '=' padding): encode the user data with `base64 -w0`"
        )
    values = {"EC2_USER_DATA": user_data_b64, "ONE_CONTEXT_PATH": ONE_CONTEXT_PATH}
    words = {name: f'"{value}"' for name, value in values.items()}  # both are safe in "..."
    if root_pubkey is not None:
        if not _FILE_NAME.fullmatch(root_pubkey) or root_pubkey in {".", ".."}:
            raise CvmctxError(
                "--root-pubkey: ROOT_PUBKEY must be the bare name of a file in "
                "the CD root (letters, digits, . _ -; no leading -), e.g. root.pub"
            )
        words["ROOT_PUBKEY"] = values["ROOT_PUBKEY"] = root_pubkey
    if public_key is not None:
        words["PUBLIC_KEY"] = quote(public_key, "PUBLIC_KEY (--public-key)")
        values["PUBLIC_KEY"] = public_key
    for name, value in extra.items():
        check_name(name)
        words[name], values[name] = quote(value, name), value
    text = render_template("context.sh.j2", variables=sorted(words.items()))
    if {n: v.value for n, v in read_context_sh(text)[0].items()} != values:
        raise InternalError("the rendered context.sh reads back differently; nothing was written")
    return text


def user_data_of(variables: Mapping[str, ShellVar]) -> bytes | None:
    """What HEPiX's ``echo $EC2_USER_DATA | base64 -di`` (GNU coreutils) gives; None if unset.
    The unquoted echo takes leading ``-n``/``-e``/``-E`` words as options; ``-i`` drops what is
    not in the alphabet; decoding stops at a malformed group, keeping its leading bytes."""
    var = variables.get("EC2_USER_DATA")
    if var is None:
        return None
    words = re.findall(r"[^ \t\n]+", var.value)  # bash's default IFS
    while words and re.fullmatch(r"-[neE]+", words[0]):
        words.pop(0)
    kept = _NOT_ALPHABET.sub("", "".join(words))
    out = bytearray()
    k = 0
    while k < len(kept):
        # whole groups in one call; a padded group ends a run (a2b_base64 would stop there)
        run = _GROUPS.match(kept, k)
        assert run is not None  # the pattern matches the empty string
        out += binascii.a2b_base64(run.group(1))
        k = run.end()
        if run.group(2) is None:
            break
        out += binascii.a2b_base64(run.group(2))
    group = kept[k : k + 4]  # a malformed group (or nothing): its leading bytes, as base64 -d
    lead = len(group.split("=")[0])
    if lead >= 2:
        out += binascii.a2b_base64(group[:lead] + "=" * (4 - lead))
    return bytes(out)


def read_context_sh(text: str) -> tuple[dict[str, ShellVar], list[Diagnostic]]:
    """The variables a context.sh sets, read statically; the rest is reported. Never raises.
    A variable whose value cannot be known is left out. ``contextsh.no-user-data`` is an error,
    or a warning when PUBLIC_KEY or ROOT_PUBKEY is set (the CD still gives root a key)."""
    reading = read_context(text)
    return reading.values, reading.diagnostics


def read_context(text: str, sourced: Sequence[str] = ()) -> Reading:
    """:func:`read_context_sh` with everything the reading found: the variables cvmctx cannot
    know, the exported and read-only ones, where each value is (to mask secrets).

    ``sourced``: the scripts of the same CD that the guest sources and that hold something
    (``prolog.sh``, ``epilog.sh``): a CD without user data that runs one still does something.
    """
    reading = read_statements(text)
    diags: list[Diagnostic] = []
    crlf = text.find("\r\n")
    if crlf >= 0:
        line = text.count("\n", 0, crlf) + 1
        diags.append(_finding(cd_codes.CONTEXTSH_CRLF, (line, crlf - text.rfind("\n", 0, crlf))))
    diags.extend(reading.diagnostics)
    diags.extend(_check_variables(reading, crlf >= 0, sourced))
    reading.diagnostics = diags
    return reading


# code -> (message, hint). {name} is a variable's name: a value may be a secret, never show it.
_FINDINGS = {
    cd_codes.CONTEXTSH_CRLF: (
        "context.sh has CR LF (Windows) line ends: bash keeps the CR at the end of "
        "every value, so ROOT_PUBKEY names a file that does not exist and every value differs",
        "save context.sh with LF line ends (dos2unix context.sh)",
    ),
    cd_codes.CONTEXTSH_USER_DATA_WRAPPED: (
        "EC2_USER_DATA holds blanks or line breaks: HEPiX copes (its "
        "echo is unquoted and base64 -di skips them), but µCernVM and other readers may not",
        "write the base64 on one line (base64 -w0)",
    ),
    cd_codes.CONTEXTSH_USER_DATA_NOT_BASE64: (
        "EC2_USER_DATA is not valid base64: µCernVM's base64 -d "
        "fails on it and HEPiX's base64 -di drops bad characters, so the user data differ",
        "encode the user data with base64 -w0",
    ),
    cd_codes.CONTEXTSH_NO_USER_DATA: (
        "context.sh sets no EC2_USER_DATA (or sets it empty): the guest gets no user data{name}",
        'add EC2_USER_DATA="<base64 of the user data>" (cvmctx iso writes it from a user-data '
        "file, --section or --set)",
    ),
    cd_codes.CONTEXTSH_PUBLIC_KEY_WINS: (
        "both PUBLIC_KEY and ROOT_PUBKEY are set: the guest installs "
        "the PUBLIC_KEY text as root's key and ignores the ROOT_PUBKEY file",
        "set only one",
    ),
    cd_codes.CONTEXTSH_NO_ONE_CONTEXT_PATH: (
        "context.sh does not set ONE_CONTEXT_PATH: no guest code "
        "reads it, but the CernVM docs require it (docs/guest.md §4)",
        f'add ONE_CONTEXT_PATH="{ONE_CONTEXT_PATH}"',
    ),
}


def _finding(
    code: Code, where: tuple[int, int], name: str = "", severity: Severity | None = None
) -> Diagnostic:
    message, hint = _FINDINGS[code]
    found = code.finding(message.format(name=name), hint=hint.format(name=name), severity=severity)
    return found.at(*where)


def no_user_data(key: bool, sourced: Sequence[str]) -> Diagnostic:
    """``contextsh.no-user-data`` for a CD without user data: a warning when it still gives
    root a key (``key``) or runs a prolog.sh/epilog.sh (``sourced``), for it does something;
    an error when it does nothing. ``cvmctx iso`` judges what it writes with this too."""
    gives = (["root's ssh key"] if key else []) + [f"what {name} runs" for name in sourced]
    why = f", only {' and '.join(gives)}" if gives else "; the CD contextualizes nothing"
    return _finding(cd_codes.CONTEXTSH_NO_USER_DATA, (1, 1), why,
                    Severity.WARNING if gives else Severity.ERROR)  # fmt: skip


def _readonly(reading: Reading) -> list[Diagnostic]:
    """``readonly`` and the guest's two sourcings of context.sh in one subshell: an error when
    a plain NAME=... of a read-only name then fails, else a warning for the error messages."""
    diags: list[Diagnostic] = []
    for where, names in reading.readonly_statements:
        plain = [n for n in names if n in reading.plain and n not in reading.failed]
        if plain:
            diags.append(
                cd_codes.CONTEXTSH_READONLY.finding(
                    f"{plain[0]} is both assigned with {plain[0]}=... and made read-only: "
                    "vmcontext_prolog sources context.sh twice in one subshell (loadContext, "
                    f"then setupContext), the second time {plain[0]}=... fails, and bash "
                    "abandons the subshell: setupContext and prolog.sh do not run",
                    hint=f"drop readonly {plain[0]}",
                    severity=Severity.ERROR,  # the second sourcing fails
                ).at(*where)
            )
        else:
            message = (
                f"readonly {', '.join(names)}: vmcontext_prolog sources context.sh twice "
                "in one shell (loadContext, then setupContext), so the second time bash "
                "prints 'readonly variable' errors at every boot"
            )
            hint = "drop readonly: NAME='value' is enough"
            diags.append(cd_codes.CONTEXTSH_READONLY.finding(message, hint=hint).at(*where))
    return diags


def _check_variables(reading: Reading, crlf: bool, sourced: Sequence[str]) -> list[Diagnostic]:
    found = reading.values
    unknown = reading.unknown | ({"EC2_USER_DATA", "ONE_CONTEXT_PATH"} if reading.incomplete
                                 else set())  # fmt: skip
    diags: list[Diagnostic] = []
    data = found.get("EC2_USER_DATA")
    keys = [found[k] for k in ("PUBLIC_KEY", "ROOT_PUBKEY") if k in found and found[k].value]
    value = (data.value.removesuffix("\r") if crlf else data.value) if data else ""
    compact = "".join(_IFS.split(value))  # what HEPiX's unquoted echo joins, not str.split()
    where = (data.line, data.column) if data else (1, 1)
    if compact != value:
        diags.append(_finding(cd_codes.CONTEXTSH_USER_DATA_WRAPPED, where))
    if compact and not _B64.fullmatch(compact):
        diags.append(_finding(cd_codes.CONTEXTSH_USER_DATA_NOT_BASE64, where))
    if not compact and "EC2_USER_DATA" not in unknown:
        diags.append(no_user_data(bool(keys), sourced).at(*where))
    if len(keys) == 2:
        diags.append(_finding(cd_codes.CONTEXTSH_PUBLIC_KEY_WINS, (keys[1].line, keys[1].column)))
    if "ONE_CONTEXT_PATH" not in found and "ONE_CONTEXT_PATH" not in unknown:
        diags.append(_finding(cd_codes.CONTEXTSH_NO_ONE_CONTEXT_PATH, (1, 1)))
    diags.extend(_readonly(reading))
    places = {**reading.readonly, **reading.assigned}
    for name in sorted(places, key=places.__getitem__):
        effect = guestvars.finding(name, exported=name in reading.exported,
                                   readonly=name in reading.readonly)  # fmt: skip
        if effect is not None:
            diags.append(
                cd_codes.CONTEXTSH_GUEST_VARIABLE.finding(
                    f"context.sh sets {name}: {effect}",
                    hint=f"rename {name}: the guest's own scripts use that name",
                ).at(*places[name])
            )
    return diags
