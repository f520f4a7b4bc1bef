"""Peeling user data for ``cvmctx validate``: the file a user would hand to a cloud may be
plain, gzip or base64. ``peel`` undoes those layers with hard caps on sizes (a gzip bomb must not
take the host down), reports every layer the guest would not undo, and never raises; then it
judges the text's shape (empty, base64 left over, line ends, MIME parts) the guest's way
(guest-format.md §1.2-§1.7)."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from cvmctx.catalog import input as input_codes
from cvmctx.diagnostics import Diagnostic
from cvmctx.guest.shapes import GZIP_MAGIC, base64_shaped, strict_base64
from cvmctx.guest.textchecks import line_end_checks, mime_part_checks


@dataclass(frozen=True)
class Peeled:
    text: str | None  # None when no text could be recovered; diagnostics say why
    layers: tuple[str, ...]  # outermost first, e.g. ("base64", "gzip", "text")
    diagnostics: tuple[Diagnostic, ...]


# Every layer shrinks (base64) or is capped (gzip), but a bound keeps adversarial nesting cheap.
_MAX_LAYERS = 8


# Entire input is base64: the standard alphabet in groups of four, padding only at the very end,
# optionally broken into lines (LF or CRLF) and ending in one line break.
_LINE_BREAK = re.compile(rb"\r?\n")


# A section header as the guest's ConfigParser matches it: at the start of a line (§2).
_SECTION_LINE = re.compile(r"^\[[^]]+\]", re.MULTILINE)


_BOM = b"\xef\xbb\xbf"


def _unwrap_base64(data: bytes) -> tuple[bytes, bool] | None:
    """The decoded bytes and whether the text was wrapped, if ``data`` is entirely base64."""
    if not data or not data.isascii():
        return None
    body = data[:-2] if data.endswith(b"\r\n") else data[:-1] if data.endswith(b"\n") else data
    lines = _LINE_BREAK.split(body)
    if any(not line for line in lines):
        return None
    joined = b"".join(lines)
    try:
        decoded = strict_base64(joined)
    except ValueError:
        return None
    return decoded, len(lines) > 1


def _is_user_data_shaped(data: bytes) -> bool:
    """Whether decoded bytes look like user data rather than binary that happens to be base64."""
    head = data.lstrip(b" \t\r\n")
    if head.startswith(_BOM):
        head = head[len(_BOM) :].lstrip(b" \t\r\n")
    if head.startswith((b"#!", b"[", GZIP_MAGIC)):
        return True
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return _SECTION_LINE.search(text) is not None


def _base64_of_user_data(data: bytes, depth: int) -> tuple[bytes, bool] | None:
    """Decode ``data`` if it is base64 of user data (possibly base64 again, up to ``depth``)."""
    unwrapped = _unwrap_base64(data)
    if unwrapped is None:
        return None
    decoded, _ = unwrapped
    if _is_user_data_shaped(decoded):
        return unwrapped
    if depth > 1 and _base64_of_user_data(decoded, depth - 1) is not None:
        return unwrapped
    return None


class _GzipFailure(Exception):
    """Internal: why a gzip layer could not be unpacked; turned into a diagnostic by ``peel``."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _gunzip(data: bytes, max_output: int) -> bytes:
    """Unpack all gzip members in ``data``, streaming, with at most ``max_output`` bytes out.

    The cap is enforced while inflating (``max_length``), so a bomb never gets allocated.
    """
    out = bytearray()
    rest = data
    while True:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip wrapper only
        pending = rest
        try:
            while not inflater.eof:
                # One byte more than allowed, so going past the cap is detected.
                chunk = inflater.decompress(pending, max_output - len(out) + 1)
                out += chunk
                if len(out) > max_output:
                    raise _GzipFailure(
                        input_codes.GZIP_BOMB.finding(
                            f"gzip data unpacks to more than {max_output} B; stopped there",
                            hint="user data is at most a few hundred KB on any cloud",
                        )
                    )
                pending = inflater.unconsumed_tail
                if not chunk and not pending:
                    break
        except zlib.error as exc:
            raise _GzipFailure(
                input_codes.GZIP_CORRUPT.finding(
                    f"gzip data is corrupt ({exc}); the guest cannot unpack it",
                    hint="re-create the file with gzip (or better, give plain user data)",
                )
            ) from None
        if not inflater.eof:
            raise _GzipFailure(
                input_codes.GZIP_TRUNCATED.finding(
                    "gzip data ends early (truncated); the guest cannot unpack it",
                    hint="re-create the file; a transfer or a shell variable may have cut it",
                )
            )
        rest = inflater.unused_data
        if not rest:
            return bytes(out)
        # `gzip -d` unpacks concatenated members but stops with status 2 on trailing garbage,
        # and the µCernVM bootloader keeps the result only on status 0 (guest-format.md §1.3).
        if not rest.startswith(GZIP_MAGIC):
            raise _GzipFailure(
                input_codes.GZIP_CORRUPT.finding(
                    f"{len(rest)} B of trailing data after the gzip stream; "
                    "`gzip -d` on the guest fails on it",
                    hint="remove what follows the gzip data (or give plain user data)",
                )
            )


def _locate(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in bytes) of ``offset`` in ``data``."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def peel(
    data: bytes,
    *,
    max_input: int = 16 * 1024 * 1024,
    max_output: int = 64 * 1024 * 1024,
) -> Peeled:
    """Undo base64 and gzip layers of ``data`` and decode the text, reporting what is wrong.

    Order is the guest's: base64 outermost (it decodes base64 on fetch, §1.2, §1.4), then gzip
    (§1.3). Layers the guest would not undo (base64 twice, gzip twice) are still peeled so later
    checks can run on the text, but reported as errors. Never raises.
    """
    diagnostics: list[Diagnostic] = []
    layers: list[str] = []

    if len(data) > max_input:
        diagnostics.append(
            input_codes.TOO_LARGE.finding(
                f"input is {len(data)} B, over the {max_input} B that validate reads",
                hint="user data is at most 256 KB on any cloud (GCE); is this the right file?",
            )
        )
        return Peeled(None, (), tuple(diagnostics))

    current = _peel_base64(data, layers, diagnostics)
    peeled = _peel_gzip(current, layers, diagnostics, max_output)
    if peeled is None:
        return Peeled(None, tuple(layers), tuple(diagnostics))
    current, gzip_layers = peeled
    # Positions are only meaningful to the user in the file as given, not in a decoded layer.
    text = _decode_text(current, diagnostics, located=not layers)
    if text is None:
        return Peeled(None, tuple(layers), tuple(diagnostics))

    if gzip_layers == 1:
        diagnostics.append(_gzip_old_guest())
    diagnostics.extend(_text_checks(text, layers))
    # A UTF-8 BOM stays in the text: the INI reader reports what it does to the first section.
    layers.append("text")
    return Peeled(text, tuple(layers), tuple(diagnostics))


def _peel_base64(current: bytes, layers: list[str], diagnostics: list[Diagnostic]) -> bytes:
    """Undo base64 layers (the guest decodes on fetch, §1.2, §1.4): each one peeled is added to
    ``layers``; more than one is an error, since the guest decodes at most once."""
    base64_layers = 0
    while len(layers) < _MAX_LAYERS:
        found = _base64_of_user_data(current, depth=_MAX_LAYERS - len(layers))
        if found is None:
            break
        current, wrapped = found
        base64_layers += 1
        layers.append("base64")
        if wrapped:
            diagnostics.append(
                input_codes.BASE64_WRAPPED.finding(
                    "base64 is broken into lines",
                    hint=(
                        "the HEPiX decoder copes but others may not; use one line "
                        "(base64 -w0), docs/guest.md §1.4"
                    ),
                )
            )
        if base64_layers == 2:
            diagnostics.append(
                input_codes.BASE64_TWICE.finding(
                    "user data is base64-encoded twice; the guest decodes at most once",
                    hint=(
                        "aws-cli file:// and boto3 base64 the data themselves: give them plain "
                        "user data (docs/guest.md §1.4)"
                    ),
                )
            )
    return current


def _peel_gzip(
    current: bytes, layers: list[str], diagnostics: list[Diagnostic], max_output: int
) -> tuple[bytes, int] | None:
    """Undo gzip layers (§1.3) within ``max_output``: the bytes and how many layers, or None
    when one does not unpack (its finding is in ``diagnostics``)."""
    gzip_layers = 0
    while len(layers) < _MAX_LAYERS and current.startswith(GZIP_MAGIC):
        try:
            current = _gunzip(current, max_output)
        except _GzipFailure as failure:
            diagnostics.append(failure.diagnostic)
            return None
        gzip_layers += 1
        layers.append("gzip")
        if gzip_layers == 2:
            diagnostics.append(
                input_codes.GZIP_TWICE.finding(
                    "user data is gzip-compressed twice; the guest unpacks at most once",
                    hint="compress once (docs/guest.md §1.3)",
                )
            )
    return current, gzip_layers


def _decode_text(current: bytes, diagnostics: list[Diagnostic], *, located: bool) -> str | None:
    """The peeled bytes as text, or None when they are not UTF-8; NUL bytes are an error
    either way. ``located``: the bytes are the file as given, so a position means something."""
    nul = current.find(b"\x00")
    if nul >= 0:
        where = _locate(current, nul) if located else (None, None)
        diagnostics.append(
            input_codes.NUL.finding(
                f"user data contains NUL bytes (first at byte {nul})",
                hint="remove the NUL bytes: the EC2 download path drops them "
                "(docs/guest.md §1.2)",
                line=where[0],
                column=where[1],
            )
        )
    try:
        return current.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = _locate(current, exc.start) if located else (None, None)
        layer = "" if located else " of the decoded data"
        diagnostics.append(
            input_codes.NOT_UTF8.finding(
                f"user data is not valid UTF-8 (at byte {exc.start}{layer})",
                hint="save the file as UTF-8",
                line=where[0],
                column=where[1],
            )
        )
        return None


def _gzip_old_guest() -> Diagnostic:
    return input_codes.GZIP.finding(
        "user data is gzip-compressed: amiconfig unpacks it only when `file -bi` prints exactly "
        "'application/x-gzip', which file 5.x does not, and the EC2 download drops NUL bytes; "
        "the guest may read it still compressed and find nothing",
        hint="give plain user data where it fits (docs/guest.md §1.2, §1.3, §6.1)",
    )


def _text_checks(text: str, layers: Sequence[str] = ()) -> list[Diagnostic]:
    """What the decoded text's shape does on the guest: empty, base64 that was not peeled,
    line ends, MIME parts amiconfig cannot read."""
    found: list[Diagnostic] = []
    if not text.strip():
        found.append(
            input_codes.EMPTY.finding(
                "the user data is empty: the guest has nothing to do",
                hint="is this the right file?",
            )
        )
        return found
    if base64_shaped(text) and not _SECTION_LINE.search(text):
        found.append(_base64_left(text, layers))
    found.extend(line_end_checks(text))
    found.extend(mime_part_checks(text))
    return found


def _base64_left(text: str, layers: Sequence[str]) -> Diagnostic:
    """Text that looks like base64 but was not peeled: it does not decode, it decodes to user
    data that sits too deep (inside gzip, or under more layers than peel follows), or it
    decodes to something else."""
    joined = "".join(text.split())
    try:
        strict_base64(joined)
    except ValueError as exc:
        return input_codes.BASE64_INVALID.finding(
            f"this looks like base64 but is not valid base64 ({exc}): the guest reads it as "
            "text, finds no [section] and no #! script, and does nothing",
            line=1,
            column=1,
            hint="encode the whole file again with base64 -w0 (a transfer may have cut it)",
        )
    inner = _base64_of_user_data(text.encode("ascii", "ignore"), depth=4 * _MAX_LAYERS)
    if inner is not None:
        where = (
            f"after {' and '.join(layers)}, this is base64 again"
            if layers
            else f"this is base64 nested more than {_MAX_LAYERS} times"
        )
        return input_codes.BASE64_NOT_PEELED.finding(
            f"{where}: it holds user data, but the guest decodes base64 at most once, as the "
            "outermost layer, and reads the rest as text with no [section]: it does nothing",
            line=1,
            column=1,
            hint="give the plain user data, base64-encoded at most once (docs/guest.md §1.3-1.4)",
        )
    return input_codes.BASE64_NOT_USER_DATA.finding(
        "this is base64, but it decodes to something that is neither user data (a [section] "
        "or a #! script) nor gzip of it: the guest finds nothing to do",
        line=1,
        column=1,
        hint="encode the plain user-data file itself",
    )
