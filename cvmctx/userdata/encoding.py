"""Encodings of user data for clouds (gzip, base64) and the size budget;
:mod:`cvmctx.guest.layers`
takes them off again for ``cvmctx validate``.

Host side (``encode``): the guest reads user data as plain text. cvmctx gzips only when asked
(``--compress always``): amiconfig's own gzip check is an exact ``file -bi`` string comparison
that never matches with ``file`` 5.x (CernVM 3 and 4), and the EC2 download path drops NUL
bytes (guest-format.md §1.2, §1.3, §6.1). So the default, ``auto``, never gzips: plain text
that does not fit is an error that names the choices. base64 is only for raw API calls: the
guest decodes base64 at most once, and only on the GCE and context-CD paths (§1.4).

"""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from cvmctx.catalog import build as build_codes
from cvmctx.diagnostics import Diagnostic
from cvmctx.guest.shapes import GZIP_MAGIC


class Target(StrEnum):
    EC2 = "ec2"
    OPENSTACK = "openstack"
    AZURE = "azure"
    GCE = "gce"
    NONE = "none"


# Bytes of payload as sent (after gzip, before base64). The guest enforces no limit itself
# (guest-format.md §1.5); these are the clouds' API limits on the user-data field.
LIMITS: dict[Target, int | None] = {
    Target.EC2: 16384,
    Target.OPENSTACK: 65535,
    Target.AZURE: 65535,
    Target.GCE: 262144,
    Target.NONE: None,
}

# EC2 launch configurations (Auto Scaling) cap the base64 text, not the raw bytes. A payload of
# exactly 16384 B is within the EC2 limit but its base64 (21848 characters) is not.
EC2_LAUNCH_CONFIGURATION_B64_LIMIT = 21847


class Compress(StrEnum):
    """Whether to gzip. AUTO (the default) never gzips, as NEVER; it stays a name of its own so
    that scripts written for the older "gzip when it does not fit" keep working and now fail
    loudly instead of sending gzip that amiconfig on CernVM 3/4 cannot read (§1.3)."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


class Encoding(StrEnum):
    PLAIN = "plain"
    BASE64 = "base64"


# The share of the limit below which a payload counts as "near" it: within 10 %.
_NEAR_LIMIT_PERCENT = 10


# gzip member header as `gzip -9 -n` writes it (RFC 1952): magic, CM=8 (deflate), FLG=0 (-n: no
# name), MTIME=0 (-n: no time stamp), XFL=2 (maximum compression), OS=3 (Unix). Python's
# gzip.compress writes OS=255, so it cannot be used for byte-identical output.
_GZIP_HEADER = GZIP_MAGIC + b"\x08\x00" + b"\x00\x00\x00\x00" + b"\x02\x03"


def gzip_bytes(data: bytes) -> bytes:
    """``data`` compressed exactly as ``gzip -9 -n`` does, so builds are reproducible.

    GNU gzip and zlib share their deflate code (both by Jean-loup Gailly). With level 9 and
    memLevel 9, zlib uses gzip's 32 K literal buffer, so block boundaries and Huffman trees match,
    and the output is the same byte for byte on ordinary input. One difference remains: gzip's
    ``ct_tally`` may end a block early when most symbols are literals yet the block compresses
    better than 2:1 (zlib keeps that heuristic behind ``TRUNCATE_BLOCK``, off by default). Input
    that triggers it (long repeats separated by short literal runs, over ~4096 symbols) still
    gives valid gzip of the same data, just not gzip's exact bytes.
    """
    # wbits -15: a raw deflate stream; the gzip header and trailer are written here because
    # zlib's own gzip wrapper (wbits 31) writes XFL=0 and OS=3 or 255 depending on the build.
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY)
    body = compressor.compress(data) + compressor.flush(zlib.Z_FINISH)
    trailer = struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)
    return _GZIP_HEADER + body + trailer


def b64(data: bytes) -> bytes:
    """Standard base64 on one line with no trailing newline (``base64 -w0``).

    Single-line base64 is what the docs, ``cvm2ova`` and libcernvm use, and the only form every
    decoder on the guest accepts (guest-format.md §1.4).
    """
    return base64.b64encode(data)


def _b64_length(size: int) -> int:
    """Length of the padded base64 text of ``size`` bytes."""
    return 4 * ((size + 2) // 3)


@dataclass(frozen=True)
class Budget:
    """Sizes of one encoding run, and how the payload compares with the target's limit."""

    raw: int  # the plain user data
    gzip: int  # gzip_bytes of it, whether or not it is used
    base64: int  # base64 characters of the payload
    payload: int  # bytes as sent to the cloud, before any base64
    limit: int | None
    target: Target
    compressed: bool
    encoding: Encoding

    @property
    def headroom(self) -> int | None:
        """Bytes left under the limit; negative when over it, None when the target has none."""
        if self.limit is None:
            return None
        return self.limit - self.payload

    def lines(self) -> list[str]:
        """The human budget report, for stderr."""
        kind = "gzip" if self.compressed else "plain"
        sizes = f"raw {self.raw} B, gzip {self.gzip} B, base64 {self.base64} B"
        headroom = self.headroom
        if self.limit is None or headroom is None:
            budget = f"no size limit ({self.target}), payload {self.payload} B ({kind})"
        else:
            left = f"headroom {headroom} B" if headroom >= 0 else f"over by {-headroom} B"
            budget = (
                f"{self.target} limit {self.limit} B, payload {self.payload} B ({kind}), {left}"
            )
        out = [f"{sizes}; {budget}"]
        if self.encoding is Encoding.BASE64:
            out.append(f"output: base64 of the payload, {self.base64} characters on one line")
        return out


@dataclass(frozen=True)
class Encoded:
    data: bytes
    budget: Budget
    diagnostics: tuple[Diagnostic, ...]


def _over_budget_hint(
    shares: Sequence[tuple[str, int]], compressed: bool, gzip_size: int, limit: int
) -> str:
    # Largest first, so the user sees what to move out; sorted() is stable, so equal shares keep
    # the caller's (file) order.
    ranked = sorted(shares, key=lambda share: share[1], reverse=True)
    fix = "trim the data (move it out, e.g. behind a URL)"
    if not compressed and gzip_size <= limit:
        fix += (
            f", or use --compress always (gzip: {gzip_size} B, fits) only for guests known to "
            "unpack gzip: CernVM 2 and the µCernVM bootloader; amiconfig on CernVM 3 and 4 "
            "does not (docs/guest.md §1.3)"
        )
    elif not compressed:
        fix += f"; gzip would not fit either ({gzip_size} B)"
    if not ranked:
        return fix
    parts = ", ".join(f"{name} {size} B" for name, size in ranked)
    return f"largest parts: {parts}; {fix}"


def encode(
    text: bytes,
    *,
    target: Target = Target.EC2,
    compress: Compress = Compress.AUTO,
    encoding: Encoding = Encoding.PLAIN,
    shares: Sequence[tuple[str, int]] = (),
) -> Encoded:
    """Encode user data for ``target`` and check it against the target's size limit.

    ``shares`` names the parts of ``text`` (section name, bytes) so an over-budget error can say
    what to move out. Problems are returned as diagnostics; nothing here raises.
    """
    limit = LIMITS[target]
    compressed_bytes = gzip_bytes(text)
    # Only an explicit ALWAYS gzips. AUTO never does: plain is the one form every guest path
    # reads, and amiconfig on CernVM 3/4 reads gzip still compressed (guest-format.md §1.3,
    # §6.1); over budget, the size.over-budget error names the choices instead.
    compressed = compress is Compress.ALWAYS
    payload = compressed_bytes if compressed else text
    budget = Budget(
        raw=len(text),
        gzip=len(compressed_bytes),
        base64=_b64_length(len(payload)),
        payload=len(payload),
        limit=limit,
        target=target,
        compressed=compressed,
        encoding=encoding,
    )
    diagnostics = _form_notes(compressed, encoding)
    diagnostics += _size_findings(budget, shares)

    data = b64(payload) if encoding is Encoding.BASE64 else payload
    return Encoded(data=data, budget=budget, diagnostics=tuple(diagnostics))


def _form_notes(compressed: bool, encoding: Encoding) -> list[Diagnostic]:
    """What the chosen forms cost on the guest: gzip that CernVM 3/4's amiconfig does not
    unpack, base64 that only a raw API call wants."""
    diagnostics: list[Diagnostic] = []
    if compressed:
        diagnostics.append(
            build_codes.ENCODING_GZIP_OLD_GUEST.finding(
                "user data is gzip-compressed (--compress always): amiconfig on CernVM 3 and 4 "
                "does not unpack it",
                hint=(
                    "amiconfig gunzips only when `file -bi` prints exactly "
                    "'application/x-gzip', which file 5.x (CernVM 3 and 4) does not, and the "
                    "EC2 path drops NUL bytes (docs/guest.md §1.2, §1.3, §6.1); CernVM 2 and "
                    "the µCernVM bootloader (its own copy) do unpack it. Prefer plain user data"
                ),
            )
        )
    if encoding is Encoding.BASE64:
        diagnostics.append(
            build_codes.ENCODING_BASE64_FOR_RAW_API.finding(
                "output is base64, for raw API calls (e.g. the seed's Perl encode_base64)",
                hint=(
                    "aws-cli file:// and boto3 take plain user data and base64 it themselves; "
                    "encoding twice breaks the guest, which decodes at most once "
                    "(docs/guest.md §1.4)"
                ),
            )
        )
    return diagnostics


def _size_findings(budget: Budget, shares: Sequence[tuple[str, int]]) -> list[Diagnostic]:
    """The payload against the target's limit: over it (naming what to move out), near it,
    and over what an EC2 launch configuration accepts."""
    diagnostics: list[Diagnostic] = []
    limit, target, payload = budget.limit, budget.target, budget.payload
    if limit is not None:
        excess = payload - limit
        if excess > 0:
            diagnostics.append(
                build_codes.SIZE_OVER_BUDGET.finding(
                    f"{target} user data is {payload} B, over the {limit} B limit "
                    f"by {excess} B",
                    hint=_over_budget_hint(shares, budget.compressed, budget.gzip, limit),
                )
            )
        elif -excess * 100 <= limit * _NEAR_LIMIT_PERCENT:
            diagnostics.append(
                build_codes.SIZE_NEAR_LIMIT.finding(
                    f"{target} user data is {payload} B, within "
                    f"{_NEAR_LIMIT_PERCENT}% of the {limit} B limit ({-excess} B left)",
                )
            )
    # Checked on its own, not only when over budget: exactly 16384 B fits EC2's limit but not a
    # launch configuration's.
    if target is Target.EC2 and budget.base64 > EC2_LAUNCH_CONFIGURATION_B64_LIMIT:
        diagnostics.append(
            build_codes.SIZE_LAUNCH_CONFIGURATION.finding(
                f"base64 of the payload is {budget.base64} characters, over the "
                f"{EC2_LAUNCH_CONFIGURATION_B64_LIMIT} an EC2 launch configuration accepts",
                hint="launch templates and RunInstances are not affected",
            )
        )
    return diagnostics
