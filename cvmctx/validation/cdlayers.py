"""What a guest gets from a context CD or a context.sh: the outer layers of ``cvmctx validate``
and the listing of ``cvmctx inspect`` (guest-format.md §1.4, §4).

Peeling goes ISO -> context.sh -> EC2_USER_DATA; what is inside EC2_USER_DATA is then judged
like any user data. context.sh is read statically (:mod:`cvmctx.guest.contextsh.file`), never
executed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from cvmctx.catalog import cd as cd_codes
from cvmctx.diagnostics import Diagnostic
from cvmctx.guest.contextsh.file import ShellVar, read_context, user_data_of
from cvmctx.validation.redact import MASK, holds_user_data, is_secret_variable, mask_by_looks

# A context.sh sets one of the variables the guest reads (at the start of a line or after
# another word: A=1; EC2_USER_DATA=...); user data starts with '#!' or '['.
_CONTEXT_SH = re.compile(
    rb"(?:^|[ \t;&|])(EC2_USER_DATA|ROOT_PUBKEY|PUBLIC_KEY|ONE_CONTEXT_PATH)=", re.M
)
_ASSIGNMENT = re.compile(r"(?<![A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_]*)\+?=")


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
    #: Entries of the CD another reader may take for a name the guest acts on (contextiso).
    shadowed: list[tuple[str, bytes]] = field(default_factory=list)
    context_sh_lines: list[str] = field(default_factory=list)  # for code frames, redacted


def is_context_sh(data: bytes) -> bool:
    head = data.lstrip()[:2]
    return head not in (b"#!", b"[") and _CONTEXT_SH.search(data[: 1 << 20]) is not None


def peel_cd(data: bytes) -> CdLayers:
    """Undo the ISO and context.sh layers, if any, the guest's way. Never raises."""
    from cvmctx.cd import (
        image as contextiso,  # the ISO reader (and pycdlib) only when there is an ISO
    )

    out = CdLayers(payload=data)
    if contextiso.is_iso(data):
        out.layers.append("iso")
        try:
            image = contextiso.read_image(data)
        except ValueError as exc:
            out.diagnostics.append(
                cd_codes.ISO_UNREADABLE.finding(
                    f"the ISO 9660 image cannot be read ({exc})",
                    hint="rebuild it (cvmctx iso) and check it with isoinfo -d -i FILE",
                )
            )
            out.payload = None
            return out
        for view, name in image.duplicates:
            out.diagnostics.append(
                cd_codes.ISO_DUPLICATE_NAME.finding(
                    f"the CD's {view} directory holds two entries named {name!r}: the guest's "
                    "mount finds the first, other readers may take the other (both are judged)",
                    hint="rebuild the CD with one file per name (cvmctx iso refuses duplicates)",
                )
            )
        out.shadowed = image.shadowed
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
            sourced = [n for n in ("prolog.sh", "epilog.sh") if image.files.get(n, b"").strip()]
            _context_sh(text, out, sourced)
        values = {name: var.value for name, var in out.variables.items()}
        out.diagnostics.extend(guest_checks(image.files, values))
        return out
    if is_context_sh(data):
        _context_sh(data, out)
    return out


def read_context_sh(data: bytes) -> CdLayers:
    """A context.sh read the guest's way, on its own (not from an ISO)."""
    out = CdLayers(payload=data)
    _context_sh(data, out)
    return out


def _context_sh(data: bytes, out: CdLayers, sourced: Sequence[str] = ()) -> None:
    out.layers.append("context.sh")
    out.payload = None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        out.diagnostics.append(
            cd_codes.CONTEXTSH_NOT_UTF8.finding(
                f"context.sh is not UTF-8 text (byte {exc.start})",
                source="context.sh",
                line=data[: exc.start].count(b"\n") + 1,
                hint="write context.sh as plain ASCII/UTF-8 text",
            )
        )
        return
    reading = read_context(text, sourced)
    variables, diags = reading.values, reading.diagnostics
    out.variables = variables
    out.diagnostics.extend(replace(d, source="context.sh") for d in diags)
    out.context_sh_lines = _frame_lines(text, reading.spans)
    if "EC2_USER_DATA" in variables and not any(
        d.code == cd_codes.CONTEXTSH_USER_DATA_NOT_BASE64.code for d in diags
    ):
        out.layers.append("base64")
        out.payload = user_data_of(variables)


def _frame_lines(text: str, spans: list[tuple[str, int, int]]) -> list[str]:
    """context.sh's lines (bash's: split on '\\n' only) for code frames, with the value of every
    secret variable masked: where the reader found each value (over several lines for a quoted
    one), and on any line that still assigns a secret name, the rest of that line."""
    parts: list[str] = []
    done = 0
    for name, start, end in sorted(spans, key=lambda span: span[1]):
        value = text[start:end].strip("'\"")
        secret = bool(value.strip()) and (is_secret_variable(name) or holds_user_data(value))
        if not secret or start < done:  # an empty value is shown as empty: nothing to hide
            continue
        parts.append(text[done:start])
        parts.append("\n".join(MASK if piece else "" for piece in text[start:end].split("\n")))
        done = end
    parts.append(text[done:])
    lines = "".join(parts).split("\n")
    quote = ""  # the quote a secret value opened and has not closed yet
    for number, line in enumerate(lines):
        if quote:
            lines[number] = MASK if line else line
            quote = "" if quote in line else quote
            continue
        for found in _ASSIGNMENT.finditer(line):
            name, rest = found.group(1), line[found.end() :]
            if rest.strip() in ("", '""', "''"):
                continue  # set empty: nothing to hide, and '********' would say otherwise
            if is_secret_variable(name) or holds_user_data(rest.strip("'\"")):
                lines[number] = line[: found.end()] + MASK
                # a quoted value the reader did not place (a syntax error) may go on below
                if rest[:1] in ("'", '"') and rest[:1] not in rest[1:]:
                    quote = rest[:1]
                break
    return mask_by_looks(lines)


def guest_checks(files: Mapping[str, bytes], variables: Mapping[str, str]) -> list[Diagnostic]:
    """What the guest's device scan and setupContext make of a CD's root, and whether bash can
    source its prolog.sh and epilog.sh (guest-format.md §4)."""
    from cvmctx.cd.scripts import cd_script_findings

    diags: list[Diagnostic] = cd_script_findings(dict(files))
    if "context.sh" not in files and "prolog.sh" not in files:
        near = [n for n in files if n.lower() in ("context.sh", "prolog.sh")]
        hint = f"rename {near[0]!r} to {near[0].lower()!r}" if near else "add context.sh"
        diags.append(
            cd_codes.ISO_NO_CONTEXT.finding(
                "the root has neither context.sh nor prolog.sh: the guest skips this disk",
                hint=hint,
            )
        )
    key_file = variables.get("ROOT_PUBKEY")
    if key_file and key_file not in files:
        diags.append(
            cd_codes.ISO_ROOT_PUBKEY_MISSING.finding(
                f"ROOT_PUBKEY names {key_file!r}, which is not in the root of the CD: "
                "no ssh key is installed",
                hint="put the key file on the CD (cvmctx iso --root-pubkey FILE)",
            )
        )
    hidden = sorted(n for n in files if n.startswith("."))
    if hidden:
        diags.append(
            cd_codes.ISO_DOTFILE.finding(
                f"{hidden[0]!r} starts with a dot: the guest copies the CD with cp -r $mnt/*, "
                "which skips it",
                hint="rename it without the leading dot",
            )
        )
    return diags
