"""Base64 values the guest decodes with Python 2's lenient decoder (docs/guest.md §3.9, §3.7):
certificates and keys, plain or zlib-compressed."""

from __future__ import annotations

import base64
import zlib
from dataclasses import dataclass
from typing import ClassVar

from cvmctx.catalog.encoded import (
    AFTER_PADDING,
    NOT_BASE64,
    NOT_PEM,
    NOT_ZLIB_BASE64,
    STRAY_CHARACTER,
    TRUNCATED_PEM,
)
from cvmctx.diagnostics import Diagnostic
from cvmctx.guest.py2base64 import Decoded, IncorrectPadding, decodestring
from cvmctx.model.codecs.core import Codec, NotAFile, Parsed, Refused, check_line, note


def guest_base64(text: str, what: str, on_error: str = "", fix: str = "",
                 offset: int = 0) -> tuple[Decoded, list[Diagnostic]]:
    """Decode ``text`` as the guest's Python 2 ``base64.decodestring`` does (§3.9).

    Refuses what the guest cannot decode or decodes only in part; notes characters it skips.
    Spaces and tabs between the groups are fine: the guest skips them, as ``base64 -d`` does.
    """
    try:
        decoded = decodestring(text)
    except IncorrectPadding:
        raise Refused(NOT_BASE64, f"the guest cannot decode this as base64 of {what}: its "
                      "base64 characters do not end on a whole group of four (Python's "
                      "'Incorrect padding')" + on_error, fix, offset) from None
    if decoded.stopped_at is not None:
        raise Refused(AFTER_PADDING, "the guest stops decoding at this '=' padding and "
                      f"ignores the base64 after it, so it gets only part of {what}",
                      "encode the whole data as one base64 text (key=@FILE)",
                      offset + decoded.stopped_at)
    notes: list[Diagnostic] = []
    if decoded.stray:
        notes.append(note(STRAY_CHARACTER, "the guest skips characters "
                          "that are not standard base64 (such as '-', '_' or '=' inside the "
                          f"data): {what} it decodes is what the other characters give",
                          "write standard base64 (A-Z a-z 0-9 + /), e.g. base64 -w0 FILE",
                          offset + decoded.stray[0]))
    return decoded, notes


@dataclass(frozen=True)
class Base64Blob(Codec[str]):
    """Binary or multi-line data as single-line base64 (``x509-cert``, ``cacerts_b64``).

    The guest decodes it with Python 2's ``base64.decodestring``, which skips spaces (and other
    characters outside the alphabet): cvmctx accepts what the guest decodes and writes the same
    bytes back as canonical base64, on one line without spaces. ``pem`` asks that the decoded
    bytes hold a PEM block, as a proxy certificate does.
    """

    kind: ClassVar[str] = "single-line base64"
    pem: bool = True
    what: str = "the data"
    on_error: str = ""  # what the guest does with undecodable text
    fix: str = "give the file (key=@FILE) and let cvmctx encode it"
    takes_file: bool = True

    def parse(self, text: str) -> Parsed[str]:
        check_line(text)
        decoded, notes = guest_base64(text, self.what, self.on_error, self.fix)
        data = decoded.data
        if self.pem and b"-----BEGIN " not in data:
            raise Refused(NOT_PEM, f"this base64 does not decode to {self.what} (no "
                          "'-----BEGIN' block)", "encode the PEM file itself")
        if self.pem and b"-----END " not in data:
            raise Refused(TRUNCATED_PEM, f"this base64 decodes to the start of {self.what} "
                          "with no '-----END' line: the value was cut (a wrapped base64 value "
                          "keeps only its first line on the guest), so the guest writes an "
                          "incomplete file", self.fix)
        return Parsed(decoded.canonical, tuple(notes))

    def accepts_file(self) -> bool:
        return self.takes_file

    def from_file(self, data: bytes, name: str) -> str:
        if not self.takes_file:
            return super().from_file(data, name)
        if self.pem and b"-----BEGIN " not in data:
            raise NotAFile(f"{name} is not a PEM file (no '-----BEGIN' line)",
                           "give the PEM proxy or certificate file")
        return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class ZlibBase64Blob(Codec[str]):
    """openvpn's "compressed" PEM: base64(zlib.compress(pem)), zlib not gzip (§3.7).

    Decoded as the guest does (``base64.decodestring``, then ``zlib.decompress``) and written
    back as canonical single-line base64 of the same bytes.
    """

    kind: ClassVar[str] = "base64 of zlib-compressed PEM"

    def parse(self, text: str) -> Parsed[str]:
        check_line(text)
        fix = "give the PEM file: key=@FILE"
        decoded, notes = guest_base64(text, "the compressed PEM", "", fix)
        try:
            data = zlib.decompress(decoded.data)
        except zlib.error:
            raise Refused(NOT_ZLIB_BASE64, "the guest decodes this with base64 and then "
                          "zlib.decompress; this value does not decode that way (plain base64 or "
                          "gzip will not do)", fix) from None
        if b"-----BEGIN " not in data:
            raise Refused(NOT_PEM, "this value does not decompress to a PEM block",
                          "compress the PEM file itself")
        return Parsed(decoded.canonical, tuple(notes))

    def from_file(self, data: bytes, name: str) -> str:
        if b"-----BEGIN " not in data:
            raise NotAFile(f"{name} is not a PEM file (no '-----BEGIN' line)",
                           "give the PEM certificate or key file")
        return base64.b64encode(zlib.compress(data, 9)).decode("ascii")
