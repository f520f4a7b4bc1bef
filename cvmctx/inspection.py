"""What a guest gets from a context CD or a context.sh: the outer layers of ``cvmctx validate``
and the listing of ``cvmctx inspect`` (guest-format.md §1.4, §4).

Peeling goes ISO -> context.sh -> EC2_USER_DATA; what is inside EC2_USER_DATA is then judged
like any user data. context.sh is read statically (:mod:`cvmctx.shellvars`), never executed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from cvmctx.diagnostics import Diagnostic, error
from cvmctx.secrets import MASK, is_secret_variable
from cvmctx.shellvars import ShellVar, read_context_sh, user_data_of

# A context.sh sets one of the variables the guest reads; user data starts with '#!' or '['.
_CONTEXT_SH = re.compile(
    rb"^[ \t]*(export[ \t]+)?(EC2_USER_DATA|ROOT_PUBKEY|PUBLIC_KEY|ONE_CONTEXT_PATH)=", re.M
)
_ASSIGNMENT = re.compile(r"^([ \t]*(?:export[ \t]+)?(\w+)=).*$")


@dataclass(frozen=True)
class CdFileInfo:
    name: str
    size: int
    mode: int | None  # Rock Ridge mode; None on a CD without Rock Ridge


@dataclass
class CdLayers:
    """What the CD layers of an input held (empty for plain user data)."""

    layers: list[str] = field(default_factory=list)
    label: str | None = None
    extensions: list[str] = field(default_factory=list)  # "Rock Ridge", "Joliet"
    files: list[CdFileInfo] = field(default_factory=list)
    variables: dict[str, ShellVar] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    payload: bytes | None = None  # what the guest decodes from EC2_USER_DATA, or the input
    context_sh_lines: list[str] = field(default_factory=list)  # for code frames, redacted


def is_context_sh(data: bytes) -> bool:
    head = data.lstrip()[:2]
    return head not in (b"#!", b"[") and _CONTEXT_SH.search(data[:1 << 20]) is not None


def peel_cd(data: bytes) -> CdLayers:
    """Undo the ISO and context.sh layers, if any, the guest's way. Never raises."""
    from cvmctx import contextiso  # the ISO reader (and pycdlib) only when there is an ISO

    out = CdLayers(payload=data)
    if contextiso.is_iso(data):
        out.layers.append("iso")
        try:
            image = contextiso.read_image(data)
        except ValueError as exc:
            out.diagnostics.append(
                error(
                    "iso.unreadable",
                    f"the ISO 9660 image cannot be read ({exc})",
                    hint="rebuild it (cvmctx iso) and check it with isoinfo -d -i FILE",
                )
            )
            out.payload = None
            return out
        out.label = image.label
        out.extensions = [n for n, on in (("Rock Ridge", image.rock_ridge),
                                          ("Joliet", image.joliet)) if on]  # fmt: skip
        out.files = [
            CdFileInfo(name, len(body), image.modes.get(name))
            for name, body in sorted(image.files.items())
        ]
        text = image.files.get("context.sh")
        out.payload = None
        if text is not None:
            _context_sh(text, out)
        values = {name: var.value for name, var in out.variables.items()}
        out.diagnostics.extend(guest_checks(image.files, values))
        return out
    if is_context_sh(data):
        _context_sh(data, out)
    return out


def _context_sh(data: bytes, out: CdLayers) -> None:
    out.layers.append("context.sh")
    out.payload = None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        out.diagnostics.append(
            error(
                "contextsh.not-utf8",
                f"context.sh is not UTF-8 text (byte {exc.start})",
                source="context.sh",
                line=data[: exc.start].count(b"\n") + 1,
                hint="write context.sh as plain ASCII/UTF-8 text",
            )
        )
        return
    variables, diags = read_context_sh(text)
    out.variables = variables
    out.diagnostics.extend(replace(d, source="context.sh") for d in diags)
    out.context_sh_lines = [_frame_line(line) for line in text.split("\n")]
    if "EC2_USER_DATA" in variables and not any(
        d.code == "contextsh.user-data-not-base64" for d in diags
    ):
        out.layers.append("base64")
        out.payload = user_data_of(variables)


def _frame_line(line: str) -> str:
    """A context.sh line for a code frame: a secret variable's value masked."""
    found = _ASSIGNMENT.match(line)
    if found is None or not is_secret_variable(found.group(2)):
        return line
    return found.group(1) + MASK


def guest_checks(files: Mapping[str, bytes], variables: Mapping[str, str]) -> list[Diagnostic]:
    """What the guest's device scan and setupContext make of a CD's root (guest-format.md §4)."""
    diags: list[Diagnostic] = []
    if "context.sh" not in files and "prolog.sh" not in files:
        near = [n for n in files if n.lower() in ("context.sh", "prolog.sh")]
        hint = f"rename {near[0]!r} to {near[0].lower()!r}" if near else "add context.sh"
        diags.append(
            error(
                "iso.no-context",
                "the root has neither context.sh nor prolog.sh: the guest skips this disk",
                hint=hint,
            )
        )
    key_file = variables.get("ROOT_PUBKEY")
    if key_file and key_file not in files:
        diags.append(
            error(
                "iso.root-pubkey-missing",
                f"ROOT_PUBKEY names {key_file!r}, which is not in the root of the CD: "
                "no ssh key is installed",
                hint="put the key file on the CD (cvmctx iso --root-pubkey FILE)",
            )
        )
    hidden = sorted(n for n in files if n.startswith("."))
    if hidden:
        diags.append(
            error(
                "iso.dotfile",
                f"{hidden[0]!r} starts with a dot: the guest copies the CD with cp -r $mnt/*, "
                "which skips it",
                hint="rename it without the leading dot",
            )
        )
    return diags
