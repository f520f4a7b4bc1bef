"""``context.sh`` on a context CD: written so the guest reads exactly what was meant, and read
back without executing it (guest-format.md §1.4, §4).

HEPiX sources context.sh with bash as root and runs ``echo $EC2_USER_DATA | base64 -di``;
µCernVM runs ``( source context.sh && echo ${EC2_USER_DATA} ) | base64 -d`` under busybox sh.
``ROOT_PUBKEY`` names a key file on the CD, ``PUBLIC_KEY`` is key text and wins over it, and
``ONE_CONTEXT_PATH`` is read by nothing but required by the docs. :func:`read_context_sh` parses
the plain-assignment subset of shell and reports the rest, which the guest would execute.
"""

from __future__ import annotations

import binascii
import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cvmctx.diagnostics import CvmctxError, Diagnostic, error, info, warning

__all__ = ["ONE_CONTEXT_PATH", "ShellVar", "check_name", "quote", "read_context_sh",
           "render_context_sh", "user_data_of"]

ONE_CONTEXT_PATH = "/var/lib/amiconfig"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FILE_NAME = re.compile(r"[A-Za-z0-9._][A-Za-z0-9._-]*")
_B64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_ASSIGN = re.compile(r"(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=")
_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_RUNS_INIT = {"PATH", "IFS", "HOME", "SHELL", "ENV", "BASH_ENV", "PS4", "CDPATH", "LD_PRELOAD",
              "LD_LIBRARY_PATH", "POSIXLY_CORRECT", "GLOBIGNORE", "TMOUT", "OPTIND"}
_READONLY = {"SHELLOPTS", "BASHOPTS", "UID", "EUID", "PPID"}  # bash refuses to assign these
_DYNAMIC = {"_", "RANDOM", "SRANDOM", "SECONDS", "LINENO", "EPOCHSECONDS", "EPOCHREALTIME",
            "HISTCMD", "FUNCNAME", "GROUPS", "DIRSTACK", "PWD", "OLDPWD"}  # bash sets these
_MANAGED = {
    "EC2_USER_DATA": "cvmctx writes it from the build inputs (the user data)",
    "ROOT_PUBKEY": "set it with --root-pubkey",
    "PUBLIC_KEY": "set it with --public-key",
    "ONE_CONTEXT_PATH": f'cvmctx always writes ONE_CONTEXT_PATH="{ONE_CONTEXT_PATH}"',
}
_ONE_LINE = {"\n": "a newline", "\r": "a carriage return (CR)", "\0": "a NUL character"}


@dataclass(frozen=True)
class ShellVar:
    """A variable context.sh sets, with the 1-based line and column where its value starts."""

    name: str
    value: str
    line: int
    column: int


def quote(value: str, name: str = "the value") -> str:
    """``value`` in POSIX single quotes; refused if it cannot stay on one line."""
    bad = next((c for c in _ONE_LINE if c in value), None)
    if bad is not None:
        raise CvmctxError(f"{name} holds {_ONE_LINE[bad]}: a context.sh value must be one "
                          "line; remove the line break (multi-line data belongs in the user data)")
    return "'" + value.replace("'", "'\\''") + "'"


def check_name(name: str) -> None:
    """Refuse a name that is not a shell variable, that breaks the guest, or that cvmctx sets."""
    if not _NAME.fullmatch(name):
        raise CvmctxError(f"{name!r} is not a shell variable name: use letters, digits and '_'"
                          ", not starting with a digit")
    if name in _MANAGED:
        raise CvmctxError(f"{name} cannot be set as an extra variable: {_MANAGED[name]}")
    if name in _READONLY:
        why = "bash makes it read-only, so assigning it only prints an error at every boot"
    elif name in _DYNAMIC:
        why = "bash sets it itself, so the value given is lost"
    elif name == "CONTEXT_DIR":
        why = "the guest's hepix_functions use it to find the files copied from the CD"
    elif name in _RUNS_INIT or name.startswith(("BASH_", "LD_")):
        why = "the init scripts that source context.sh as root (and what they start) use it"
    else:
        return
    raise CvmctxError(f"{name} cannot be set in context.sh: {why}; pick another name")


def render_context_sh(
    user_data_b64: str, *, root_pubkey: str | None, public_key: str | None, extra: Mapping[str, str]
) -> str:
    """The context.sh text: a comment line, then every variable sorted by name, one per line."""
    from cvmctx.context import InternalError, render_template  # lazily: no jinja2 in validate

    if not _B64.fullmatch(user_data_b64):
        raise CvmctxError("EC2_USER_DATA must be single-line standard base64 (A-Z a-z 0-9 + / "
                          "and '=' padding): encode the user data with `base64 -w0`")
    values = {"EC2_USER_DATA": user_data_b64, "ONE_CONTEXT_PATH": ONE_CONTEXT_PATH}
    words = {name: f'"{value}"' for name, value in values.items()}  # both are safe in "..."
    if root_pubkey is not None:
        if not _FILE_NAME.fullmatch(root_pubkey) or root_pubkey in {".", ".."}:
            raise CvmctxError("--root-pubkey: ROOT_PUBKEY must be the bare name of a file in "
                              "the CD root (letters, digits, . _ -; no leading -), e.g. root.pub")
        words["ROOT_PUBKEY"] = values["ROOT_PUBKEY"] = root_pubkey
    if public_key is not None:
        words["PUBLIC_KEY"] = quote(public_key, "PUBLIC_KEY (--public-key)")
        values["PUBLIC_KEY"] = public_key
    for name, value in extra.items():
        check_name(name)
        words[name], values[name] = quote(value, name), value
    text = render_template("context.sh.j2", variables=sorted(words.items()))
    if {n: v.value for n, v in read_context_sh(text)[0].items()} != values:
        raise InternalError("internal error: the rendered context.sh reads back differently; "
                            "nothing was written. Please report this as a cvmctx bug.")
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
    kept = "".join(c for c in "".join(words) if c in _ALPHABET)
    out = bytearray()
    for k in range(0, len(kept), 4):
        group = kept[k : k + 4]
        if re.fullmatch(r"[^=]{4}|[^=]{3}=|[^=]{2}==", group):
            out += binascii.a2b_base64(group)
            continue
        lead = len(group.split("=")[0])
        if lead >= 2:
            out += binascii.a2b_base64(group[:lead] + "=" * (4 - lead))
        break
    return bytes(out)


def read_context_sh(text: str) -> tuple[dict[str, ShellVar], list[Diagnostic]]:
    """The variables a context.sh sets, read statically; the rest is reported. Never raises.
    A variable whose assignment has a finding is left out. ``contextsh.no-user-data`` is an error,
    or a warning when PUBLIC_KEY or ROOT_PUBKEY is set (the CD still gives root a key)."""
    starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def pos(index: int) -> tuple[int, int]:
        line = bisect_right(starts, index)
        return line, index - starts[line - 1] + 1

    found: dict[str, ShellVar] = {}
    diags: list[Diagnostic] = []
    tried: set[str] = set()
    if (crlf := text.find("\r\n")) >= 0:
        diags.append(_finding(error, "contextsh.crlf", pos(crlf)))
    i, n = 0, len(text)
    while i < n:
        i = _skip_blanks(text, i)
        if i >= n or text[i] == "\n":
            i += 1
            continue
        m = _ASSIGN.match(text, i)
        if m is None and text[i] != "#":
            diags.append(_finding(error, "line", pos(i)))
        if m is None:
            i = _eol(text, i)
            continue
        name = m.group(1)
        tried.add(name)
        value, end, problem = _word(text, m.end())
        after = _skip_blanks(text, end)
        if problem is None and after < n and text[after] not in "\n#":
            problem = ("contextsh.command", after)
        if problem is not None:
            diags.append(_finding(error, problem[0], pos(problem[1]), name))
            if problem[0] == "contextsh.unterminated":
                break  # bash stops sourcing at the syntax error: nothing after it is set
        else:
            found[name] = ShellVar(name, value, *pos(m.end()))
        i = _eol(text, end)
    diags.extend(_check_variables(found, tried, crlf >= 0))
    return found, diags


def _skip_blanks(text: str, i: int) -> int:
    """Past spaces and tabs, and past a CR that ends a line (contextsh.crlf reports it)."""
    while i < len(text) and (text[i] in " \t" or text.startswith("\r\n", i) or text[i:] == "\r"):
        i += 1
    return i


def _eol(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end


def _word(text: str, i: int) -> tuple[str, int, tuple[str, int] | None]:
    """The value of the word at ``i``, where it ends, and its first problem (code, index).
    Inside double quotes, scanning goes on past a problem to the closing quote."""
    out: list[str] = []
    problem: tuple[str, int] | None = None
    start, n = i, len(text)
    while i < n and text[i] not in " \t\n":
        c = text[i]
        if c == "'":
            if (close := text.find("'", i + 1)) < 0:
                return "", n, ("contextsh.unterminated", i)
            out.append(text[i + 1 : close])
            i = close + 1
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:  # POSIX: \ escapes only $ ` " \ and newline
                    nxt = text[j + 1]
                    out.append("" if nxt == "\n" else nxt if nxt in '$`"\\' else "\\" + nxt)
                    j += 2
                    continue
                if text[j] in "$`" and problem is None:
                    problem = ("contextsh.expansion", j)
                out.append(text[j])
                j += 1
            if j >= n:
                return "", n, ("contextsh.unterminated", i)
            i = j + 1
        elif c == "\\":  # escapes the next character; before a newline, joins the lines
            out.append("\\" if i + 1 == n else "" if text[i + 1] == "\n" else text[i + 1])
            i += 2
        elif c in "$`" or (c == "~" and (i == start or text[i - 1] == ":")):
            return "", i, ("contextsh.expansion", i)
        elif c in "|&;<>()":
            return "", i, ("contextsh.command", i)
        else:
            out.append(c)
            i += 1
    return "".join(out), min(i, n), problem


# code -> (message, hint). {name} is a variable's name: a value may be a secret, never show it.
_FINDINGS = {
    "contextsh.crlf": ("context.sh has CR LF (Windows) line ends: bash keeps the CR at the end of "
        "every value, so ROOT_PUBKEY names a file that does not exist and every value differs",
        "save context.sh with LF line ends (dos2unix context.sh)"),
    "line": ("this line is not a variable assignment: the guest sources context.sh with bash as "
        "root, so it runs this line as a command at every boot",
        "remove the line; context.sh should hold only NAME='value' lines and comments"),
    "contextsh.command": ("the line assigning {name} holds more than one assignment (another "
        "word, a command, an operator or a redirection): the guest runs it with bash as root",
        "one assignment per line; quote a value with blanks or ; | & < > ( ): {name}='...'"),
    "contextsh.expansion": ("the value of {name} uses $, ${{...}}, $(...), a backtick or ~: the "
        "guest expands or runs it when it sources context.sh, so cvmctx cannot know the value",
        "write the literal value in single quotes: {name}='...'"),
    "contextsh.unterminated": ("the quote in the value of {name} is never closed: bash stops "
        "sourcing context.sh with a syntax error, so neither this nor any later variable is set",
        "close the quote"),
    "contextsh.user-data-wrapped": ("EC2_USER_DATA holds blanks or line breaks: HEPiX copes (its "
        "echo is unquoted and base64 -di skips them), but µCernVM and other readers may not",
        "write the base64 on one line (base64 -w0)"),
    "contextsh.user-data-not-base64": ("EC2_USER_DATA is not valid base64: µCernVM's base64 -d "
        "fails on it and HEPiX's base64 -di drops bad characters, so the user data differ",
        "encode the user data with base64 -w0"),
    "contextsh.no-user-data": ("context.sh sets no EC2_USER_DATA (or sets it empty): the guest "
        "gets no user data{name}",
        'add EC2_USER_DATA="<base64 of the user data>" (cvmctx build writes it)'),
    "contextsh.public-key-wins": ("both PUBLIC_KEY and ROOT_PUBKEY are set: the guest installs "
        "the PUBLIC_KEY text as root's key and ignores the ROOT_PUBKEY file", "set only one"),
    "contextsh.no-one-context-path": ("context.sh does not set ONE_CONTEXT_PATH: no guest code "
        "reads it, but the CernVM docs require it (guest-format.md §4)",
        f'add ONE_CONTEXT_PATH="{ONE_CONTEXT_PATH}"'),
}


def _finding(make: Callable[..., Diagnostic], code: str, where: tuple[int, int], name: str = ""
             ) -> Diagnostic:
    message, hint = _FINDINGS[code]
    code = "contextsh.command" if code == "line" else code
    return make(code, message.format(name=name), hint=hint.format(name=name)).at(*where)


def _check_variables(found: Mapping[str, ShellVar], tried: set[str], crlf: bool
                     ) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    data = found.get("EC2_USER_DATA")
    keys = [found[k] for k in ("PUBLIC_KEY", "ROOT_PUBKEY") if k in found and found[k].value]
    value = (data.value.removesuffix("\r") if crlf else data.value) if data else ""
    compact = "".join(value.split())
    where = (data.line, data.column) if data else (1, 1)
    if compact != value:
        diags.append(_finding(warning, "contextsh.user-data-wrapped", where))
    if compact and not _B64.fullmatch(compact):
        diags.append(_finding(error, "contextsh.user-data-not-base64", where))
    if not compact and (data is not None or "EC2_USER_DATA" not in tried):
        # A CD that still gives root a key does something: warn. One that does nothing: error.
        why = ", only root's ssh key" if keys else "; the CD contextualizes nothing"
        diags.append(_finding(warning if keys else error, "contextsh.no-user-data", where, why))
    if len(keys) == 2:
        diags.append(_finding(info, "contextsh.public-key-wins", (keys[1].line, keys[1].column)))
    if "ONE_CONTEXT_PATH" not in tried:
        diags.append(_finding(info, "contextsh.no-one-context-path", (1, 1)))
    return diags
