"""What a guest gets from a context CD or a context.sh: the outer layers of ``cvmctx validate``
and the listing of ``cvmctx inspect`` (guest-format.md §1.4, §4).

Peeling goes ISO -> context.sh -> EC2_USER_DATA; what is inside EC2_USER_DATA is then judged
like any user data. context.sh is read statically (:mod:`cvmctx.shellvars`), never executed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from cvmctx.diagnostics import Diagnostic, error
from cvmctx.secrets import MASK
from cvmctx.shellvars import ShellVar, read_context_sh, user_data_of

# A context.sh sets one of the variables the guest reads; user data starts with '#!' or '['.
_CONTEXT_SH = re.compile(
    rb"^[ \t]*(export[ \t]+)?(EC2_USER_DATA|ROOT_PUBKEY|PUBLIC_KEY|ONE_CONTEXT_PATH)=", re.M
)
# context.sh lines whose value is not shown in a code frame: the user data (it holds the
# passwords and proxies, base64 hides nothing) and anything named like a secret.
_HIDDEN = re.compile(
    r"^([ \t]*(?:export[ \t]+)?"
    r"(?:EC2_USER_DATA|USER_DATA|\w*(?:PASS|SECRET|TOKEN|KEY|CERT|CRED)\w*)=)(.*)$",
    re.IGNORECASE,
)


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
        from cvmctx.cdrom import guest_checks

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
    out.context_sh_lines = [_HIDDEN.sub(rf"\g<1>{MASK}", line) for line in text.split("\n")]
    if "EC2_USER_DATA" in variables and not any(
        d.code == "contextsh.user-data-not-base64" for d in diags
    ):
        out.layers.append("base64")
        out.payload = user_data_of(variables)
