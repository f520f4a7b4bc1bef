"""What user-data text looks like before anyone reads it: base64-shaped, or meant for
cloud-init (guest-format.md §1.4, §1.7). The INI reader and the layer peeler both ask."""

from __future__ import annotations

import base64
import binascii
import re

GZIP_MAGIC = b"\x1f\x8b"  # what gzip's output starts with, and what the guest tests for (§1.3)

_B64ISH = re.compile(r"[A-Za-z0-9+/\-_=]+")
_NOT_B64ISH = re.compile(r"[^A-Za-z0-9+/\-_=\s]")
_MIN_B64ISH = 16  # shorter words are more likely a stray token than encoded user data
_CLOUD_INIT_START = ("#cloud-config", "#include", "#cloud-boothook", "#part-handler",
                     "#upstart-job", "Content-Type:", "From nobody", "MIME-Version:")  # fmt: skip


def base64_shaped(text: str) -> bool:
    """Whether ``text`` is base64-like characters only (possibly wrapped), not INI text.

    Such text holds no section and no script, so the guest reads nothing from it; ``peel`` says
    why (invalid base64, or base64 of something that is not user data).
    """
    if _NOT_B64ISH.search(text):
        return False  # a character no base64 line holds: decided in one search, not per line
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    joined = "".join(lines)
    return (
        len(joined) >= _MIN_B64ISH
        and all(_B64ISH.fullmatch(line) and "=" not in line.rstrip("=") for line in lines)
        and re.search(r"[0-9+/=]", joined) is not None
    )


def strict_base64(joined: str | bytes) -> bytes:
    """The bytes of standard padded base64 on one line (RFC 4648 §4): the one decoder for text
    cvmctx must read exactly as written (the guest's own decoders are lenient, and are
    replayed apart: py2base64, the context CD's ``base64 -di``). Raises ValueError saying
    what is wrong, never quoting the text (it may be a secret)."""
    text = joined.decode("latin-1") if isinstance(joined, bytes) else joined
    bad = re.search(r"[^A-Za-z0-9+/=]", text)
    if bad is not None:
        if bad.group() in "-_":
            raise ValueError(f"'{bad.group()}' belongs to the URL-safe alphabet")
        raise ValueError("a character outside the base64 alphabet")
    if len(text) % 4:
        raise ValueError(f"{len(text)} characters, not a multiple of 4: cut or padded wrong")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("'=' padding in the middle") from None


def starts_like_cloud_init(text: str) -> bool:
    """User data for cloud-init (or a MIME message), which amiconfig is not meant to read."""
    return text.lstrip().startswith(_CLOUD_INIT_START)
