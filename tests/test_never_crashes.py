"""``validate`` never crashes (issue 4 item 5): whatever the bytes, the library returns findings
and the CLI exits 0 or 1 without a traceback. Hypothesis properties over arbitrary bytes and
over text shaped like user data (headers, options, script lines) in every wrapping the guest
or a user might use. Kept cheap (seconds); scripts/fuzz.py is the long-running fuzzer.
"""

from __future__ import annotations

import base64
import gzip
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvmctx.api import validate_bytes
from cvmctx.diagnostics import Severity, exit_code
from cvmctx.model.sections import REGISTRY

_CODE = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_.-]+)+")
# Small inputs and no deadline: an input starting with '#!' runs `bash -n` in a subprocess.
FAST = settings(max_examples=500, deadline=None)
CORPUS = Path(__file__).parent / "bad-inputs"

# ------------------------------------------------------------------ user-data-shaped text

SECTIONS = [*REGISTRY, "ucernvm-begin", "ucernvm-end", "DEFAULT", "CernVM", "mysite", " -f /x "]
KEYS = sorted(
    {spec.key for cls in REGISTRY.values() for spec in cls.key_specs()}
    | {"disabed_plugins", "password", "config_url", "Shell", "rem", "x"}
)
VALUES = [
    "", "on", "off", "true", "True", "Desktop", "/bin/bash", "bash", "cms,atlas", "a,,b",
    "alice:cms:", "alice:cms:pw", "a:b:c:d", "root:root:$6$x", "alice:cms:-n", "CMS=1,CMS_X=2",
    "X=$HOME", 'A="b"', "alice:/opt/run.sh", "alice:'/x -v'", "http://p:3128;DIRECT",
    "http://p:99999", "DIRECT;;", "direct", "9700", "0", "-1", "70000", "192.0.2.1", "ns.x.org",
    "a%41", "x ;comment", "x # note", '""', "cernvm,condor", "a b", "~", "*", "a|b|c",
    base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").decode(),
    "QUJD", "\u00e9\u00a0\ufeff", "\x0b", "\r",
]  # fmt: skip
SCRIPT_LINES = [
    "#!/bin/sh", "#!/bin/sh.before", "#!/bin/bash -e", "#!/usr/bin/env python", "#!", "exit",
    "exit 0", "echo hi", "cat > /x <<EOF", "cat > /x <<-'EOF'", "EOF", "fi", "if true; then",
    "[ -f /x ] && echo y", "  indented", "\t[cernvm]", "rem note", "# comment", "; comment",
    "[ucernvm-begin]", "[ucernvm-end]", "[]", "[", "=", ":", "Content-Type: multipart/mixed; "
    'boundary="B"', "--B", "--B--", "Content-Transfer-Encoding: base64", "#cloud-config",
]  # fmt: skip


@st.composite
def header(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(SECTIONS) | st.text(min_size=1, max_size=8))
    pad = draw(st.sampled_from(["", " ", "\t"]))
    tail = draw(st.sampled_from(["", " ", " # x", " extra", "\r"]))
    return f"{pad}[{name}]{tail}"


@st.composite
def option(draw: st.DrawFn) -> str:
    key = draw(st.sampled_from(KEYS) | st.text(max_size=6))
    sep = draw(st.sampled_from([" = ", "=", ": ", ":", " =", "\u00a0= "]))
    value = draw(st.lists(st.sampled_from(VALUES) | st.text(max_size=6), max_size=3))
    return key + sep + draw(st.sampled_from(["", ",", " ", ";", ":", "|"])).join(value)


LINE = st.one_of(
    header(), option(), option(), st.sampled_from(SCRIPT_LINES), st.just(""), st.text(max_size=12)
)


@st.composite
def user_data(draw: st.DrawFn) -> str:
    lines = draw(st.lists(LINE, max_size=14))
    end = draw(st.sampled_from(["\n", "\r\n", "\r", ""]))
    bom = draw(st.sampled_from(["", "", "\ufeff"]))
    return bom + end.join(lines) + draw(st.sampled_from([end, ""]))


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _context_sh(data: bytes) -> bytes:
    return b'EC2_USER_DATA="' + base64.b64encode(data) + b'"\nONE_CONTEXT_PATH="/var/lib"\n'


WRAPPINGS: dict[str, Callable[[bytes], bytes]] = {
    "plain": lambda d: d,
    "base64": base64.b64encode,
    "base64-wrapped": base64.encodebytes,
    "base64-twice": lambda d: base64.b64encode(base64.b64encode(d)),
    "gzip": _gz,
    "gzip-twice": lambda d: _gz(_gz(d)),
    "base64-of-gzip": lambda d: base64.b64encode(_gz(d)),
    "gzip-of-base64": lambda d: _gz(base64.b64encode(d)),
    "truncated-gzip": lambda d: _gz(d)[: max(2, len(_gz(d)) // 2)],
    "context.sh": _context_sh,
    "context.sh-crlf": lambda d: _context_sh(d).replace(b"\n", b"\r\n"),
    "latin-1": lambda d: d.decode("utf-8").encode("latin-1", "replace"),
    "nul": lambda d: d + b"\x00",
}


def _check(result_data: bytes) -> None:
    """Validate and check the result's shape: never an exception, codes and lines sane."""
    result = validate_bytes(result_data, "fuzz.txt")
    for d in result.report:
        assert _CODE.fullmatch(d.code), d.code
        assert isinstance(d.severity, Severity)
        assert d.line is None or d.line >= 1, d
        assert d.column is None or d.column >= 1, d
    assert exit_code([result.report]) in (0, 1)
    assert len(result.report.sorted()) == len(result.report)


@FAST
@given(st.binary(max_size=600))
def test_arbitrary_bytes(data: bytes) -> None:
    _check(data)


@FAST
@given(user_data(), st.sampled_from(sorted(WRAPPINGS)))
def test_user_data_shaped_text(text: str, wrapping: str) -> None:
    _check(WRAPPINGS[wrapping](text.encode("utf-8", "surrogatepass")))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=40), st.integers(min_value=0, max_value=2047))
def test_bytes_in_a_context_cd(data: bytes, cut: int) -> None:
    """A context CD holding arbitrary bytes as context.sh, and the image cut short."""
    from cvmctx.cd.image import CdFile, build_image

    image = build_image([CdFile("context.sh", _context_sh(data) + data)], "CONTEXT", 0)
    _check(image)
    _check(image[: 16 * 2048 + cut])


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.binary(max_size=300) | user_data().map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_cli_exits_0_or_1_without_traceback(cvmctx: Run, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "input.txt"
    path.write_bytes(data)
    for args in (("validate", path), ("validate", "--format", "json", "-")):
        proc = cvmctx(*args, stdin=data)
        assert b"Traceback" not in proc.stderr, proc.stderr.decode(errors="replace")
        assert proc.returncode in (0, 1), proc.stderr.decode(errors="replace")


# Crashes scripts/fuzz.py found (fixed), as (corpus file, {offset: new byte}): regression tests.
KNOWN_CRASHES = [
    pytest.param(
        "iso-root-pubkey-missing.iso",
        {57628: 0xFF},  # one byte of a directory record's Rock Ridge (SUSP) entry
        id="iso-record-without-rock-ridge",
    ),
]


@pytest.mark.parametrize(("name", "patch"), KNOWN_CRASHES)
def test_known_crash(name: str, patch: dict[int, int]) -> None:
    data = bytearray((CORPUS / name).read_bytes())
    for offset, value in patch.items():
        data[offset] = value
    _check(bytes(data))
