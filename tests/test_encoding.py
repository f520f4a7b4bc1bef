"""Tests for cvmctx.userdata.encoding: gzip as `gzip -9 -n`, the size budget, and peeling layers
off."""

from __future__ import annotations

import base64
import gzip
import random
import string
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvmctx.diagnostics import Diagnostic, Severity
from cvmctx.guest.layers import peel
from cvmctx.userdata.encoding import (
    EC2_LAUNCH_CONFIGURATION_B64_LIMIT,
    LIMITS,
    Budget,
    Compress,
    Encoding,
    Target,
    b64,
    encode,
    gzip_bytes,
)

USER_DATA = b"[amiconfig]\nplugins=cernvm\n"  # 27 B; `gzip -9 -n` makes it 47 B


def codes(diagnostics: tuple[Diagnostic, ...]) -> list[str]:
    return [d.code for d in diagnostics]


def by_code(diagnostics: tuple[Diagnostic, ...], code: str) -> Diagnostic:
    (found,) = [d for d in diagnostics if d.code == code]
    return found


def printable(size: int, seed: int) -> bytes:
    rnd = random.Random(seed)
    return "".join(rnd.choice(string.printable) for _ in range(size)).encode()


def mixed_text(size: int, seed: int) -> bytes:
    rnd = random.Random(seed)
    words = ["[cernvm]", "users", "=", "cvm:cvm:secret", "proxy", "http://p:3128;DIRECT",
             "#!/bin/sh", "echo", "\n", "exit", "0", "été", "数据", "\t"]  # fmt: skip
    return " ".join(rnd.choice(words) for _ in range(size)).encode()[:size]


# --------------------------------------------------------------------------------------------
# gzip_bytes and b64

def real_gzip(data: bytes) -> bytes:
    return subprocess.run(
        ["gzip", "-9", "-n", "-c"], input=data, capture_output=True, check=True
    ).stdout


@pytest.mark.parametrize(
    "data",
    [
        b"",
        USER_DATA,
        mixed_text(20 * 1024, seed=1),
        printable(100 * 1024, seed=2),
        b"\x00" * 300_000,
        random.Random(3).randbytes(70_000),
    ],
    ids=["empty", "small", "mixed-20k", "printable-100k", "zeros-300k", "random-binary-70k"],
)
def test_gzip_bytes_is_gzip_9_n(data: bytes) -> None:
    assert gzip_bytes(data) == real_gzip(data)


def test_gzip_bytes_literal_heavy_input_round_trips() -> None:
    # GNU gzip's ct_tally may end a deflate block early on input like this and zlib does not,
    # so here the bytes may differ from `gzip -9 -n` (documented in gzip_bytes); the guest's
    # `gzip -d` must still read it back exactly.
    rnd = random.Random(2)
    base = "".join(rnd.choice(string.ascii_letters) for _ in range(5000))
    parts = []
    for _ in range(1000):
        parts.append("".join(rnd.choice(string.digits) for _ in range(3)))
        start = rnd.randrange(0, 4000)
        parts.append(base[start : start + 200])
    data = "".join(parts).encode()
    assert gzip.decompress(gzip_bytes(data)) == data
    assert gzip.decompress(real_gzip(data)) == data


def test_gzip_header_is_gzip_n_9_unix() -> None:
    # magic, deflate, no flags, mtime 0, XFL 2 (best compression), OS 3 (Unix)
    assert gzip_bytes(USER_DATA)[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03"


@given(st.binary(max_size=5000))
def test_b64_is_one_line_standard_base64(data: bytes) -> None:
    out = b64(data)
    assert b"\n" not in out and b"\r" not in out
    assert base64.b64decode(out, validate=True) == data


def test_b64_of_large_data_is_one_line() -> None:
    out = encode(printable(60_000, seed=4), target=Target.GCE, encoding=Encoding.BASE64).data
    assert out.count(b"\n") == 0
    assert len(out) == 80_000


# --------------------------------------------------------------------------------------------
# encode


@settings(max_examples=60, deadline=None)
@given(
    st.binary(max_size=40_000),
    st.sampled_from(list(Target)),
    st.sampled_from(list(Compress)),
    st.sampled_from(list(Encoding)),
)
def test_decode_of_encode_is_identity(
    data: bytes, target: Target, compress: Compress, encoding: Encoding
) -> None:
    encoded = encode(data, target=target, compress=compress, encoding=encoding)
    payload = base64.b64decode(encoded.data) if encoding is Encoding.BASE64 else encoded.data
    assert len(payload) == encoded.budget.payload
    plain = gzip.decompress(payload) if encoded.budget.compressed else payload
    assert plain == data


@settings(max_examples=60, deadline=None)
@given(
    st.text(max_size=3000).map(lambda body: f"[cernvm]\nusers = a:b:c\n{body}".encode()),
    st.sampled_from(list(Compress)),
    st.sampled_from(list(Encoding)),
)
def test_peel_undoes_encode(data: bytes, compress: Compress, encoding: Encoding) -> None:
    encoded = encode(data, compress=compress, encoding=encoding)
    peeled = peel(encoded.data)
    assert peeled.text == data.decode()
    expected = ["base64"] if encoding is Encoding.BASE64 else []
    expected += ["gzip"] if encoded.budget.compressed else []
    assert peeled.layers == (*expected, "text")


def test_budget_figures_are_exact() -> None:
    encoded = encode(USER_DATA)
    assert encoded.budget == Budget(
        raw=27,
        gzip=47,
        base64=36,
        payload=27,
        limit=16384,
        target=Target.EC2,
        compressed=False,
        encoding=Encoding.PLAIN,
    )
    assert encoded.budget.headroom == 16357
    assert encoded.budget.lines() == [
        "raw 27 B, gzip 47 B, base64 36 B; ec2 limit 16384 B, payload 27 B (plain), "
        "headroom 16357 B"
    ]
    assert encoded.data == USER_DATA
    assert encoded.diagnostics == ()


def test_budget_lines_gzip_base64_and_no_limit() -> None:
    encoded = encode(
        USER_DATA, target=Target.NONE, compress=Compress.ALWAYS, encoding=Encoding.BASE64
    )
    assert encoded.budget.headroom is None
    assert encoded.budget.lines() == [
        "raw 27 B, gzip 47 B, base64 64 B; no size limit (none), payload 47 B (gzip)",
        "output: base64 of the payload, 64 characters on one line",
    ]
    assert encoded.data == b64(gzip_bytes(USER_DATA))
    assert codes(encoded.diagnostics) == ["encoding.gzip-old-guest", "encoding.base64-for-raw-api"]


def test_over_budget_lists_shares_largest_first() -> None:
    text = printable(20_000, seed=5)
    shares = [("[amiconfig]", 30), ("script", 4000), ("[cernvm]", 9120), ("[hostname]", 30)]
    encoded = encode(text, compress=Compress.NEVER, shares=shares)
    over = by_code(encoded.diagnostics, "size.over-budget")
    assert over.severity is Severity.ERROR
    assert "20000 B" in over.message and "16384 B" in over.message and "3616 B" in over.message
    assert over.hint == (
        "largest parts: [cernvm] 9120 B, script 4000 B, [amiconfig] 30 B, [hostname] 30 B; "
        "trim the data (move it out, e.g. behind a URL); gzip would not fit either (16830 B)"
    )
    assert encoded.budget.headroom == -3616
    assert encoded.budget.lines()[0].endswith("payload 20000 B (plain), over by 3616 B")
    # 20000 B is 26668 base64 characters: too much for a launch configuration as well.
    assert by_code(encoded.diagnostics, "size.launch-configuration").severity is Severity.WARNING


def test_over_budget_without_shares_and_already_compressed() -> None:
    noise = random.Random(6).randbytes(20_000)  # gzip cannot shrink it
    encoded = encode(noise, compress=Compress.ALWAYS)
    assert encoded.budget.compressed
    over = by_code(encoded.diagnostics, "size.over-budget")
    assert over.hint == "trim the data (move it out, e.g. behind a URL)"


def test_auto_never_compresses() -> None:
    # guest-format.md §1.3: amiconfig on CernVM 3/4 reads gzip still compressed, so the default
    # never sends gzip; over budget it fails and names the choices (issue 8 item 15).
    small = encode(USER_DATA, compress=Compress.AUTO)
    assert not small.budget.compressed
    assert "encoding.gzip-old-guest" not in codes(small.diagnostics)

    big = mixed_text(30_000, seed=7)
    over_ec2 = encode(big, compress=Compress.AUTO)
    assert not over_ec2.budget.compressed
    assert over_ec2.data == big
    assert "encoding.gzip-old-guest" not in codes(over_ec2.diagnostics)
    over = by_code(over_ec2.diagnostics, "size.over-budget")
    assert over.severity is Severity.ERROR
    assert over.message == "ec2 user data is 30000 B, over the 16384 B limit by 13616 B"
    assert over.hint == (
        f"trim the data (move it out, e.g. behind a URL), or use --compress always (gzip: "
        f"{len(gzip_bytes(big))} B, fits) only for guests known to unpack gzip: CernVM 2 and "
        "the µCernVM bootloader; amiconfig on CernVM 3 and 4 does not (docs/guest.md §1.3)"
    )

    # The same text fits OpenStack plain, so it stays plain there.
    fits_openstack = encode(big, target=Target.OPENSTACK, compress=Compress.AUTO)
    assert not fits_openstack.budget.compressed
    assert fits_openstack.data == big

    # No limit, no reason to compress.
    assert not encode(big, target=Target.NONE).budget.compressed


def test_always_compresses_and_warns() -> None:
    encoded = encode(USER_DATA, compress=Compress.ALWAYS)
    assert encoded.budget.compressed and encoded.budget.payload == 47
    assert codes(encoded.diagnostics) == ["encoding.gzip-old-guest"]


def test_never_does_not_compress() -> None:
    big = mixed_text(30_000, seed=8)
    encoded = encode(big, compress=Compress.NEVER)
    assert not encoded.budget.compressed
    assert codes(encoded.diagnostics) == ["size.over-budget", "size.launch-configuration"]


def test_base64_output_gives_info() -> None:
    encoded = encode(USER_DATA, encoding=Encoding.BASE64)
    assert encoded.data == base64.b64encode(USER_DATA)
    assert by_code(encoded.diagnostics, "encoding.base64-for-raw-api").severity is Severity.INFO


def test_near_limit() -> None:
    limit = LIMITS[Target.EC2]
    assert limit is not None
    near = encode(b"x" * (limit - limit // 10), compress=Compress.NEVER)
    assert codes(near.diagnostics) == ["size.near-limit"]
    assert near.diagnostics[0].severity is Severity.INFO
    clear = encode(b"x" * (limit - limit // 10 - 1), compress=Compress.NEVER)
    assert clear.diagnostics == ()


def test_launch_configuration_edge_at_exactly_the_ec2_limit() -> None:
    # 16384 B fits EC2 but its base64 (21848 characters) is one over the launch-configuration cap.
    encoded = encode(b"x" * 16384, compress=Compress.NEVER)
    assert encoded.budget.base64 == EC2_LAUNCH_CONFIGURATION_B64_LIMIT + 1
    assert codes(encoded.diagnostics) == ["size.near-limit", "size.launch-configuration"]
    assert encode(b"x" * 16383, compress=Compress.NEVER).budget.base64 <= 21847
    # Other clouds have no launch configurations.
    other = encode(b"x" * 20_000, target=Target.OPENSTACK)
    assert "size.launch-configuration" not in codes(other.diagnostics)


def test_limits_table() -> None:
    assert LIMITS == {
        Target.EC2: 16384,
        Target.OPENSTACK: 65535,
        Target.AZURE: 65535,
        Target.GCE: 262144,
        Target.NONE: None,
    }


# --------------------------------------------------------------------------------------------
# peel


def test_peel_plain() -> None:
    peeled = peel(USER_DATA)
    assert peeled == peel(USER_DATA)
    assert peeled.text == USER_DATA.decode()
    assert peeled.layers == ("text",)
    assert peeled.diagnostics == ()


def test_peel_empty() -> None:
    assert peel(b"").text == ""


def test_peel_too_large() -> None:
    peeled = peel(b"[a]\nb=c\n", max_input=4)
    assert peeled.text is None and peeled.layers == ()
    assert codes(peeled.diagnostics) == ["input.too-large"]


def test_peel_gzip() -> None:
    peeled = peel(gzip_bytes(USER_DATA))
    assert peeled.text == USER_DATA.decode()
    assert peeled.layers == ("gzip", "text")
    assert codes(peeled.diagnostics) == ["input.gzip"]  # amiconfig may not unpack it (§1.3)


def test_peel_gzip_concatenated_members() -> None:
    peeled = peel(gzip_bytes(b"[a]\n") + gzip_bytes(b"b=c\n"))
    assert peeled.text == "[a]\nb=c\n"
    assert peeled.layers == ("gzip", "text")


def test_peel_gzip_bomb() -> None:
    peeled = peel(gzip_bytes(b"\x00" * 10_000), max_output=1000)
    assert peeled.text is None
    assert codes(peeled.diagnostics) == ["input.gzip-bomb"]
    # Exactly at the cap is fine.
    assert peel(gzip_bytes(b"a" * 1000), max_output=1000).text == "a" * 1000


@pytest.mark.parametrize(
    "data", [gzip_bytes(USER_DATA)[:-5], gzip_bytes(USER_DATA)[:12], b"\x1f\x8b"]
)
def test_peel_gzip_truncated(data: bytes) -> None:
    peeled = peel(data)
    assert peeled.text is None
    assert codes(peeled.diagnostics) == ["input.gzip-truncated"]


@pytest.mark.parametrize(
    "data",
    [
        b"\x1f\x8b\x07" + gzip_bytes(USER_DATA)[3:],  # unknown method
        gzip_bytes(USER_DATA)[:-8] + b"\x00\x00\x00\x00" + gzip_bytes(USER_DATA)[-4:],  # CRC
        gzip_bytes(USER_DATA) + b"junk",  # trailing garbage: `gzip -d` exits 2
    ],
    ids=["method", "crc", "trailing"],
)
def test_peel_gzip_corrupt(data: bytes) -> None:
    peeled = peel(data)
    assert peeled.text is None
    assert codes(peeled.diagnostics) == ["input.gzip-corrupt"]


def test_peel_gzip_twice() -> None:
    peeled = peel(gzip_bytes(gzip_bytes(USER_DATA)))
    assert peeled.text == USER_DATA.decode()
    assert peeled.layers == ("gzip", "gzip", "text")
    assert codes(peeled.diagnostics) == ["input.gzip-twice"]


def test_peel_base64() -> None:
    peeled = peel(b64(USER_DATA))
    assert peeled.text == USER_DATA.decode()
    assert peeled.layers == ("base64", "text")
    assert peeled.diagnostics == ()
    # One trailing newline (as `base64 -w0; echo` leaves) is not wrapping.
    assert peel(b64(USER_DATA) + b"\n").diagnostics == ()


def test_peel_base64_of_gzip() -> None:
    peeled = peel(b64(gzip_bytes(USER_DATA)))
    assert peeled.text == USER_DATA.decode()
    assert peeled.layers == ("base64", "gzip", "text")


@pytest.mark.parametrize("decoded", [b"#!/bin/sh\necho hi\n", b"[x]", b"# c\n[cernvm]\nk=v\n"])
def test_peel_base64_recognises_user_data(decoded: bytes) -> None:
    assert peel(b64(decoded)).layers == ("base64", "text")


def test_peel_base64_alphabet_text_that_is_not_base64_of_user_data() -> None:
    for plain in (b"abcd", b"ABCDEFGH\n", b"plugins", b64(b"\xff\xfe\x00binary")):
        peeled = peel(plain)
        assert peeled.layers == ("text",), plain
        assert peeled.text == plain.decode()


def test_peel_base64_wrapped() -> None:
    text = USER_DATA * 10
    wrapped = base64.encodebytes(text)  # 76-character lines
    assert wrapped.count(b"\n") > 1
    peeled = peel(wrapped)
    assert peeled.text == text.decode()
    assert codes(peeled.diagnostics) == ["input.base64-wrapped"]
    assert peeled.diagnostics[0].severity is Severity.WARNING
    assert peel(wrapped.replace(b"\n", b"\r\n")).text == text.decode()


def test_peel_base64_twice() -> None:
    peeled = peel(b64(b64(USER_DATA)))
    assert peeled.text == USER_DATA.decode()
    assert peeled.layers == ("base64", "base64", "text")
    assert codes(peeled.diagnostics) == ["input.base64-twice"]
    assert peeled.diagnostics[0].severity is Severity.ERROR


def test_peel_not_utf8() -> None:
    peeled = peel(b"[a]\nb=\xff\n")
    assert peeled.text is None
    (diag,) = peeled.diagnostics
    assert diag.code == "input.not-utf8"
    assert "byte 6" in diag.message
    assert (diag.line, diag.column) == (2, 3)


def test_peel_not_utf8_inside_gzip_has_no_file_position() -> None:
    peeled = peel(gzip_bytes(b"[a]\n\xc3"))
    assert peeled.layers == ("gzip",)
    (diag,) = peeled.diagnostics
    assert diag.code == "input.not-utf8" and diag.line is None


def test_peel_nul() -> None:
    peeled = peel(b"[a]\nb=c\x00\n")
    assert peeled.text == "[a]\nb=c\x00\n"
    (diag,) = peeled.diagnostics
    assert diag.code == "input.nul" and diag.severity is Severity.ERROR
    assert (diag.line, diag.column) == (2, 4)


def test_peel_keeps_bom() -> None:
    peeled = peel(b"\xef\xbb\xbf[cernvm]\nk=v\n")
    assert peeled.text == "\ufeff[cernvm]\nk=v\n"
    assert peeled.diagnostics == ()
    # base64 of BOM-prefixed user data is still recognised.
    assert peel(b64(b"\xef\xbb\xbf[cernvm]\nk=v\n")).layers == ("base64", "text")


_layered = st.binary(max_size=2000).flatmap(
    lambda data: st.sampled_from(
        [data, gzip_bytes(data), b64(data), b64(gzip_bytes(data)), gzip_bytes(data)[:-3]]
    )
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=4000),
        st.binary(max_size=4000).map(lambda tail: b"\x1f\x8b\x08" + tail),
        st.binary(max_size=4000).map(lambda body: gzip_bytes(body)[:10] + body),
        _layered,
        st.text(
            alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n"
        ).map(str.encode),
    ),
    st.integers(min_value=0, max_value=5000),
)
def test_peel_never_raises(data: bytes, max_output: int) -> None:
    peeled = peel(data, max_input=3000, max_output=max_output)
    assert isinstance(peeled.layers, tuple)
    if peeled.text is None:
        assert any(d.severity is Severity.ERROR for d in peeled.diagnostics)
    else:
        assert peeled.layers[-1] == "text"
