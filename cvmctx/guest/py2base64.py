"""Python 2.7's ``base64.decodestring``, reproduced: the one base64 decoder of the guest plugins.

Every base64 value a guest plugin decodes goes through Python 2's ``binascii.a2b_base64``:
``base64.decodestring`` and ``base64.b64decode`` (without ``altchars``) both call it. That is
``[cernvm] x509-cert`` and ``eos-x509-cert`` (decodestring; a decode error makes the plugin
return), the keys of ``[cernvm] extra_repositories`` (b64decode; the entry is skipped),
``[elastiq-setup] cacerts_b64`` (b64decode), ``[openvpn] cert``/``key`` (decodestring, then
zlib) and ``[dnsupdate] tsigkey`` (dnspython 1.x's ``tsigkeyring.from_text``: decodestring).
guest-format.md §3.5, §3.7, §3.9, §3.20.

The decoder is lenient, and this module does exactly what it does (CPython 2.7
``Modules/binascii.c``, checked against ``python2.7`` by ``tests/test_values_round2.py``):

* every character outside the base64 alphabet is skipped: spaces, tabs, ``-``, ``_``, any
  byte above 0x7f; so ``LS0t LS0t`` (wrapped base64 joined with spaces) decodes fine;
* ``=`` ends the data once at least two characters of a group of four are read (after two,
  only if the next alphabet character is a second ``=``): everything after it is ignored; an
  ``=`` earlier in a group is skipped like any stray character;
* the only error is "Incorrect padding": the data characters do not end on a whole group of
  four and no ``=`` ended them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
# Skipped without a second thought: what wrapping or joining lines leaves between the groups.
_SPACING = frozenset(" \t\r\n\x0b\x0c")


class IncorrectPadding(ValueError):
    """``binascii.Error: Incorrect padding``: the guest cannot decode the text at all."""


@dataclass(frozen=True)
class Decoded:
    """What the guest gets from a base64 text, and what it passed over on the way."""

    data: bytes
    #: Offsets of characters the guest skipped that are neither base64 nor spacing
    #: (``-``, ``_``, ``!``, a non-ASCII character, an ``=`` inside a group).
    stray: tuple[int, ...] = ()
    #: Offset of the ``=`` where the guest stopped, when base64 characters follow it (ignored).
    stopped_at: int | None = None

    @property
    def canonical(self) -> str:
        """The same bytes as standard base64 on one line, with no spaces (``base64 -w0``)."""
        return base64.b64encode(self.data).decode("ascii")


def _next_valid(text: str, start: int) -> str | None:
    """binascii_find_valid(…, 1): the next alphabet character or ``=`` from ``start`` on."""
    return next((ch for ch in text[start:] if ch in _VALUE or ch == "="), None)


def decodestring(text: str) -> Decoded:
    """Decode ``text`` as Python 2's ``base64.decodestring`` does; raise IncorrectPadding.

    A non-ASCII character stands for its UTF-8 bytes, all above 0x7f, which the guest skips.
    """
    out = bytearray()
    stray: list[int] = []
    leftchar = leftbits = quad_pos = 0
    stopped_at: int | None = None
    for i, ch in enumerate(text):
        if ch == "=":
            if quad_pos < 2 or (quad_pos == 2 and _next_valid(text, i + 1) != "="):
                stray.append(i)
                continue
            leftbits = 0  # a pad sequence means no more input
            if any(c in _VALUE for c in text[i + 1 :]):
                stopped_at = i
            break
        value = _VALUE.get(ch)
        if value is None:
            if ch not in _SPACING:
                stray.append(i)
            continue
        quad_pos = (quad_pos + 1) & 3
        leftchar = (leftchar << 6) | value
        leftbits += 6
        if leftbits >= 8:
            leftbits -= 8
            out.append((leftchar >> leftbits) & 0xFF)
            leftchar &= (1 << leftbits) - 1
    if leftbits:
        raise IncorrectPadding("Incorrect padding")
    return Decoded(bytes(out), tuple(stray), stopped_at)


__all__ = ["ALPHABET", "Decoded", "IncorrectPadding", "decodestring"]
