"""Issue 8, round 2: values the guest reads one way and cvmctx read another (items 9, 10, 11, 15,
16), one class per section below, each member through ``cvmctx build`` and ``cvmctx validate``.

"§" numbers are sections of the guest reference, guest-format.md.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import zlib
from pathlib import Path

import pytest
from conftest import Run

from cvmctx.guest.py2base64 import IncorrectPadding, decodestring
from cvmctx.userdata.encoding import gzip_bytes

PEM = (
    b"-----BEGIN CERTIFICATE-----\nMIIBproxyCertificateBody0123456789\n-----END CERTIFICATE-----\n"
    b"-----BEGIN RSA PRIVATE KEY-----\nMIIEproxyKeyBody\n-----END RSA PRIVATE KEY-----\n"
)
B64 = base64.b64encode(PEM).decode()  # canonical: what build writes
ZLIB_B64 = base64.b64encode(zlib.compress(PEM, 9)).decode()
TSIG = base64.b64encode(b"a TSIG secret of 32 bytes, random").decode()
_FINDING = re.compile(r"^(?:(?P<file>\S+?):(?P<line>\d+):\d+: )?(?:cvmctx: )?"
                      r"(?P<severity>error|warning|info)\[(?P<code>[^\]]+)\]", re.MULTILINE)


def spaced(text: str, width: int = 76, sep: str = " ") -> str:
    """base64 wrapped at ``width`` and joined with ``sep``: ``base64 FILE | tr '\\n' ' '``."""
    return sep.join(text[i : i + width] for i in range(0, len(text), width))


def validate(cvmctx: Run, tmp_path: Path, text: str) -> tuple[int, list[tuple[str, str, int]]]:
    path = tmp_path / "userdata.txt"
    path.write_text(text, encoding="utf-8")
    proc = cvmctx("validate", "--format", "json", path)
    assert "Traceback" not in proc.stderr.decode()
    doc = json.loads(proc.stdout)
    found = [(f["code"], f["severity"], f["line"]) for f in doc["files"][0]["findings"]]
    return proc.returncode, found


def build(cvmctx: Run, tmp_path: Path, *args: str) -> tuple[int, str, list[tuple[str, str, int]]]:
    """Run build, writing to a file; returns the exit code, the output and the findings."""
    out = tmp_path / "built.txt"
    out.unlink(missing_ok=True)
    proc = cvmctx("build", *args, "-o", out)
    err = proc.stderr.decode()
    assert "Traceback" not in err
    found = [(m["code"], m["severity"], int(m["line"] or 0)) for m in _FINDING.finditer(err)]
    text = out.read_bytes().decode("utf-8", "replace") if out.exists() else ""
    if proc.returncode != 0:
        assert not out.exists()  # nothing is written when the build fails
    return proc.returncode, text, found


def build_file(
    cvmctx: Run, tmp_path: Path, text: str, *args: str
) -> tuple[int, str, list[tuple[str, str, int]]]:
    src = tmp_path / "input.txt"
    src.write_text(text, encoding="utf-8")
    return build(cvmctx, tmp_path, str(src), *args)


def section(name: str, *lines: str, plugin: str | None = None) -> str:
    return f"[amiconfig]\nplugins = {plugin or name}\n[{name}]\n" + "".join(f"{x}\n" for x in lines)


# ======================================================================================
# Item 9. Every base64 value a plugin decodes goes through Python 2's base64.decodestring
# (binascii.a2b_base64): §3.9 x509-cert, eos-x509-cert, extra_repositories keys; §3.7 openvpn
# cert/key (then zlib); §3.20 elastiq-setup cacerts_b64; §3.5 dnsupdate tsigkey (dnspython).
# It skips characters outside the alphabet, so spaced base64 decodes; cvmctx accepts it and
# writes the same bytes back as canonical base64.
# ======================================================================================

OPENVPN = ("server = vpn.example.org", "port = 1194", "ca = https://example.org/ca.crt")
DNS = ("tsighost = key1", "host = vm1", "domain = example.org", "server = 192.0.2.53")

# (section, lines before, key, canonical value, lines after, what joins the wrapped pieces)
BASE64_KEYS = [
    pytest.param("cernvm", (), "x509-cert", B64, (), " ", id="cernvm.x509-cert"),
    pytest.param("cernvm", (), "x509-cert", B64, (), "\t", id="cernvm.x509-cert-tabs"),
    pytest.param("cernvm", (), "x509-cert", B64, (), " \t  ", id="cernvm.x509-cert-mixed"),
    pytest.param("cernvm", ("eos-user = alice",), "eos-x509-cert", B64, (), " ",
                 id="cernvm.eos-x509-cert"),
    pytest.param("elastiq-setup", (), "cacerts_b64", B64, (), " ", id="elastiq-setup.cacerts_b64"),
    pytest.param("openvpn", OPENVPN, "cert", ZLIB_B64, (f"key = {ZLIB_B64}",), " ",
                 id="openvpn.cert"),
    pytest.param("dnsupdate", DNS, "tsigkey", TSIG, (), " ", id="dnsupdate.tsigkey"),
]


@pytest.mark.parametrize(("name", "before", "key", "value", "after", "sep"), BASE64_KEYS)
def test_spaced_base64_is_what_the_guest_decodes(
    cvmctx: Run, tmp_path: Path, name: str, before: tuple[str, ...], key: str, value: str,
    after: tuple[str, ...], sep: str,
) -> None:
    written = spaced(value, 16, sep)
    text = section(name, *before, f"{key} = {written}", *after)
    assert validate(cvmctx, tmp_path, text) == (0, [])
    # build from the file and from --set: the same bytes, written canonical on one line
    code, out, found = build_file(cvmctx, tmp_path, text, "--quiet")
    assert (code, found) == (0, [])
    assert f"\n{key} = {value}\n" in out
    sets = [f"--set={name}.{line.replace(' = ', '=', 1)}" for line in (*before, *after)]
    code, out, found = build(cvmctx, tmp_path, *sets, f"--set={name}.{key}={written}", "--quiet")
    assert (code, found) == (0, [])
    assert f"\n{key} = {value}\n" in out


def test_extra_repositories_key_with_spaces(cvmctx: Run, tmp_path: Path) -> None:
    pub = base64.b64encode(b"-----BEGIN PUBLIC KEY-----\nMIIBkey\n-----END PUBLIC KEY-----\n")
    canonical = f"sft.example.org|s1.example.org|{pub.decode()}"
    written = f"sft.example.org|s1.example.org|{spaced(pub.decode(), 8)}"
    assert validate(cvmctx, tmp_path, section("cernvm", f"extra_repositories = {written}")) == (
        0, [])
    code, out, _ = build(cvmctx, tmp_path, f"--set=cernvm.extra_repositories={written}")
    assert code == 0 and f"\nextra_repositories = {canonical}\n" in out


# What the guest cannot decode (an error: the plugin returns, or skips the repository), decodes
# only in part (the rest after '=' padding is ignored), or decodes after skipping characters.
BAD_BASE64 = [
    # 'Incorrect padding': the alphabet characters do not end on a group of four
    pytest.param("x509-cert", B64[:-1], "cernvm.x509-cert.not-base64", "error", id="cut-short"),
    pytest.param("x509-cert", B64 + "Q", "cernvm.x509-cert.not-base64", "error", id="one-extra"),
    pytest.param("eos-x509-cert", B64[:-2] + "=", "cernvm.eos-x509-cert.not-base64", "error",
                 id="one-pad-missing"),
    # two base64 texts glued: the guest stops at the first '=' padding
    pytest.param("x509-cert", base64.b64encode(PEM + b"x").decode() + B64,
                 "cernvm.x509-cert.after-padding", "error", id="glued"),
    # characters the guest skips: URL-safe '-'/'_', a non-ASCII space, '=' inside a group
    pytest.param("x509-cert", B64[:8] + "_" + B64[8:], "cernvm.x509-cert.stray-character",
                 "warning", id="underscore"),
    pytest.param("x509-cert", B64[:8] + "\u00a0" + B64[8:], "cernvm.x509-cert.stray-character",
                 "warning", id="no-break-space"),
    pytest.param("x509-cert", B64[:9] + "=" + B64[9:], "cernvm.x509-cert.stray-character",
                 "warning", id="pad-inside"),
]


@pytest.mark.parametrize(("key", "value", "code", "severity"), BAD_BASE64)
def test_base64_the_guest_misreads(
    cvmctx: Run, tmp_path: Path, key: str, value: str, code: str, severity: str
) -> None:
    lines = ("eos-user = alice",) if key.startswith("eos") else ()
    text = section("cernvm", *lines, f"{key} = {value}")
    line = 4 + len(lines)
    fails = severity == "error"
    assert validate(cvmctx, tmp_path, text) == (int(fails), [(code, severity, line)])
    got, out, found = build_file(cvmctx, tmp_path, text)
    assert (got, found) == (int(fails), [(code, severity, line)])
    if not fails:  # what the guest decodes, written as canonical base64
        assert f"\n{key} = {B64}\n" in out


GOLDEN = Path(__file__).parent / "data" / "py2-decodestring.json"


def test_decoder_matches_python27() -> None:
    """py2base64.decodestring gives what Python 2.7's does, byte for byte, errors included:
    3,013 strings and their results from python2.7 itself (scripts/py2_base64_golden.py)."""
    cases = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert len(cases) > 3000
    assert {want.startswith("error") for _, want in cases} == {True, False}
    for text, want in cases:
        try:
            got = decodestring(text).data.hex()
        except IncorrectPadding as exc:
            got = f"error: {exc}"
        assert got == want, text


# ======================================================================================
# Item 10. Booleans, judged by how the guest compares them.
# §3.10 condor use_ips: `cfg['use_ips'] == 'true'`; anything else is false.
# §3.11 ganglia bind_hostname: gmond's libconfuse takes yes/no, true/false, on/off (any case).
# §3.8 storage daemon: `bool(value)`; only an empty value is false. §3.9 cernvm swap_size.
# ======================================================================================

BOOLEANS = [
    # (section, key, written, validate findings, build exit, written back)
    ("condor", "use_ips", "", [], 0, "false"),  # the plugin docstring's own form
    ("condor", "use_ips", "no", [], 0, "false"),
    ("condor", "use_ips", "false", [], 0, "false"),
    ("condor", "use_ips", "FALSE", [], 0, "false"),
    ("condor", "use_ips", "0", [], 0, "false"),
    ("condor", "use_ips", "off", [], 0, "false"),
    ("condor", "use_ips", "true", [], 0, "true"),
    ("condor", "use_ips", "True", [("condor.use_ips.not-exact", "error", 4)], 1, None),
    ("condor", "use_ips", "yes", [("condor.use_ips.not-exact", "error", 4)], 1, None),
    ("condor", "use_ips", "1", [("condor.use_ips.not-exact", "error", 4)], 1, None),
    ("condor", "use_ips", "maybe", [("condor.use_ips.read-as-false", "warning", 4)], 0, "false"),
    ("ganglia", "bind_hostname", "yes", [], 0, "yes"),
    ("ganglia", "bind_hostname", "True", [], 0, "yes"),
    ("ganglia", "bind_hostname", "ON", [], 0, "yes"),
    ("ganglia", "bind_hostname", "No", [], 0, "no"),
    ("ganglia", "bind_hostname", "off", [], 0, "no"),
    ("ganglia", "bind_hostname", "1", [("ganglia.bind_hostname.choice", "error", 4)], 1, None),
    ("ganglia", "bind_hostname", "", [("ganglia.bind_hostname.choice", "error", 4)], 1, None),
    # §3.9 cernvm swap_size: `config -t` runs `fallocate -l <value>`; the plugin docstring's
    # 'off' (or 0, no) makes fallocate fail, so no swap: as written.
    ("cernvm", "swap_size", "off", [], 0, "off"),
    ("cernvm", "swap_size", "0", [], 0, "0"),
    ("cernvm", "swap_size", "2g", [], 0, "2g"),
    ("cernvm", "swap_size", "On", [("cernvm.swap_size.format", "error", 4)], 1, None),
    ("storage", "daemon", "", [], 0, ""),
    ("storage", "daemon", "yes", [], 0, "yes"),
    ("storage", "daemon", "False", [("storage.daemon.false-means-true", "error", 4)], 1, None),
    ("storage", "daemon", "no", [("storage.daemon.false-means-true", "error", 4)], 1, None),
    ("storage", "daemon", "0", [("storage.daemon.false-means-true", "error", 4)], 1, None),
]


@pytest.mark.parametrize(
    ("name", "key", "written", "findings", "exit", "back"),
    BOOLEANS,
    ids=[f"{b[0]}.{b[1]}={b[2] or 'empty'}" for b in BOOLEANS],
)
def test_boolean_as_the_guest_compares_it(
    cvmctx: Run, tmp_path: Path, name: str, key: str, written: str,
    findings: list[tuple[str, str, int]], exit: int, back: str | None,
) -> None:
    text = section(name, f"{key} = {written}".rstrip())
    assert validate(cvmctx, tmp_path, text) == (exit, findings)
    code, out, found = build(cvmctx, tmp_path, f"--set={name}.{key}={written}")
    assert (code, found) == (exit, [(c, s, 0) for c, s, _ in findings])  # --set: no line
    if back is not None:
        assert out == section(name, f"{key} = {back}".rstrip())
    if findings:  # from a file, the findings carry its line
        assert build_file(cvmctx, tmp_path, text)[::2] == (exit, findings)


# ======================================================================================
# Item 11. §3.22 hepix: the plugin runs `site_context <context> <requiressl>`; site_context
# calls `fetchFromIP $tarname $requiressl` unquoted and tests `[ "x"$requiressl == "x" -o
# requiressl == 'no' ]`: only an EMPTY value means http, anything else (default 'no') https.
# ======================================================================================

HEPIX = [
    ("requiressl", "", [("hepix.requiressl.plain-http", "warning", 4)], 0),
    ("requiressl", "no", [("hepix.requiressl.https-anyway", "warning", 4)], 0),
    ("requiressl", "No", [("hepix.requiressl.https-anyway", "warning", 4)], 0),
    ("requiressl", "false", [("hepix.requiressl.https-anyway", "warning", 4)], 0),
    ("requiressl", "yes", [], 0),
    ("requiressl", "required", [], 0),
    # an empty name vanishes from the unquoted call: requiressl becomes the tarball name
    ("context", "", [("hepix.context.empty", "error", 4)], 1),
    ("context", "site.tgz", [], 0),
]


@pytest.mark.parametrize(("key", "written", "findings", "exit"), HEPIX,
                         ids=[f"{h[0]}={h[1] or 'empty'}" for h in HEPIX])
def test_hepix_messages_say_what_site_context_does(
    cvmctx: Run, tmp_path: Path, key: str, written: str,
    findings: list[tuple[str, str, int]], exit: int,
) -> None:
    text = section("hepix", f"{key} = {written}".rstrip())
    assert validate(cvmctx, tmp_path, text) == (exit, findings)
    code, out, found = build(cvmctx, tmp_path, f"--set=hepix.{key}={written}")
    assert (code, found) == (exit, [(c, s, 0) for c, s, _ in findings])  # --set: no line
    if exit == 0:
        assert out == text
    if findings:  # from a file, the findings carry its line
        assert build_file(cvmctx, tmp_path, text)[::2] == (exit, findings)


def test_hepix_messages_name_the_protocol(cvmctx: Run, tmp_path: Path) -> None:
    proc = cvmctx("validate", "--format", "json",
                  _write(tmp_path, section("hepix", "requiressl =")))
    (finding,) = json.loads(proc.stdout)["files"][0]["findings"]
    assert "plain http" in finding["message"]
    proc = cvmctx("validate", "--format", "json",
                  _write(tmp_path, section("hepix", "requiressl = no")))
    (finding,) = json.loads(proc.stdout)["files"][0]["findings"]
    assert "over https" in finding["message"] and "'requiressl =' (empty)" in finding["hint"]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "u.txt"
    path.write_text(text, encoding="utf-8")
    return path


# ======================================================================================
# Item 15. §1.3: amiconfig.sh gunzips only when `file -bi` prints exactly application/x-gzip,
# which file 5.x (CernVM 3 and 4) never does. The default --compress auto never gzips: over
# budget it fails (exit 1) with the excess in bytes and the choices; --compress always gzips
# with a warning.
# ======================================================================================

BIG = "x" * 17000  # compresses to a few hundred bytes
OVER = "ec2 user data is 17055 B, over the 16384 B limit by 671 B"
BIG_TEXT = f"[amiconfig]\nplugins = cernvm\n[cernvm]\ndesktop_icons = {BIG}\n"
GZIP_SIZE = len(gzip_bytes(BIG_TEXT.encode()))


@pytest.mark.parametrize("compress", [[], ["--compress", "auto"], ["--compress", "never"]],
                         ids=["default", "auto", "never"])
def test_over_budget_fails_with_the_choices(
    cvmctx: Run, tmp_path: Path, compress: list[str]
) -> None:
    out = tmp_path / "ud.txt"
    proc = cvmctx("build", "--section", "cernvm", f"--set=cernvm.desktop_icons={BIG}",
                  *compress, "-o", out)
    err = proc.stderr.decode()
    assert proc.returncode == 1 and not out.exists()
    assert f"cvmctx: error[size.over-budget] {OVER}\n" in err
    assert (
        "  hint: largest parts: [cernvm] 17026 B, [amiconfig] 29 B; trim the data (move it out, "
        f"e.g. behind a URL), or use --compress always (gzip: {GZIP_SIZE} B, fits) only for "
        "guests known "
        "to unpack gzip: CernVM 2 and the µCernVM bootloader; amiconfig on CernVM 3 and 4 does "
        "not (docs/guest.md §1.3)\n"
    ) in err
    assert "encoding.gzip-old-guest" not in err
    assert err.endswith("cvmctx: error: the encoded user data does not fit its target\n")


def test_explicit_compress_always_still_gzips_with_a_warning(cvmctx: Run, tmp_path: Path) -> None:
    out = tmp_path / "ud.gz"
    proc = cvmctx("build", "--section", "cernvm", f"--set=cernvm.desktop_icons={BIG}",
                  "--compress", "always", "-o", out)
    assert proc.returncode == 0
    assert "warning[encoding.gzip-old-guest]" in proc.stderr.decode()
    text = gzip.decompress(out.read_bytes()).decode()
    assert text == BIG_TEXT
    # validate peels the gzip, and says what amiconfig on CernVM 3/4 does with it
    check = cvmctx("validate", "--format", "json", out)
    doc = json.loads(check.stdout)["files"][0]
    assert (check.returncode, doc["layers"]) == (0, ["gzip", "text"])
    assert [(f["code"], f["severity"]) for f in doc["findings"]] == [("input.gzip", "warning")]


def test_plain_that_fits_is_never_compressed(cvmctx: Run, tmp_path: Path) -> None:
    code, out, found = build(cvmctx, tmp_path, "--set=cernvm.keyboard=us", "--compress", "auto")
    assert (code, found) == (0, [])
    assert out == "[amiconfig]\nplugins = cernvm\n[cernvm]\nkeyboard = us\n"


# ======================================================================================
# Item 16. §2: `--set` writes `key = value`; the guest's reader keeps the line only if it
# matches OPTCRE and is no comment or header, strips the key and lower-cases it. A key that
# does not read back as itself is a usage error (exit 2, one line naming the key and why).
# ======================================================================================

BAD_KEYS = [
    ("cernvm.#x", "--set cernvm.#x: the key starts with '#': the guest reads the line as a "
     "comment"),
    ("cernvm.;x", "--set cernvm.;x: the key starts with ';': the guest reads the line as a "
     "comment"),
    ("cernvm.[x]", "--set cernvm.[x]: the key starts with '[': the guest reads a line that "
     "starts with '[' and has a ']' later as a section header"),
    ("cernvm. users", "--set 'cernvm. users': the key starts with whitespace: the guest drops "
     "lines that start with whitespace (it takes them for continuation lines)"),
    ("cernvm.users ", "--set 'cernvm.users ': the key ends with whitespace, which the guest "
     "strips: it reads 'users'"),
    ("cernvm.REM", "--set cernvm.REM: the key's first word is 'rem' (in any case): the guest "
     "reads the line as a comment"),
    ("cernvm.rem x", "--set 'cernvm.rem x': the key's first word is 'rem' (in any case): the "
     "guest reads the line as a comment"),
    ("cernvm.", "--set cernvm.: the key is empty: the guest needs a name before the '=' (its "
     "reader drops the line)"),
    ("cernvm.a:b", "--set cernvm.a:b: the key holds ':': the guest's key ends at the first ':' "
     "or '=', so it reads the key 'a' and the rest as the value"),
    ("cernvm.x\ny", "--set 'cernvm.x\\ny': the key holds a line break: the guest reads the text "
     "after it as another line"),
    ("cernvm.screenRes", "--set cernvm.screenRes: the guest lower-cases keys: it reads "
     "'screenres', so write that"),
    # section names
    ("CernVM.shell", "--set CernVM.shell: the guest looks sections up in lower case: with "
     "[CernVM] the plugin fails (KeyError); write [cernvm]"),
    ("cer]nvm.shell", "--set cer]nvm.shell: the section name holds ']': the guest's header ends "
     "at the first ']', so it reads [cer]"),
    (".shell", "--set .shell: the section name is empty: '[]' is no header to the guest"),
    ("DEFAULT.shell", "--set DEFAULT.shell: [DEFAULT] holds ConfigParser's defaults: no plugin "
     "ever sees its options"),
]


@pytest.mark.parametrize(("target", "message"), BAD_KEYS, ids=[repr(k[0]) for k in BAD_KEYS])
def test_set_key_the_guest_cannot_read_back_is_a_usage_error(
    cvmctx: Run, tmp_path: Path, target: str, message: str
) -> None:
    out = tmp_path / "ud.txt"
    proc = cvmctx("build", f"--set={target}=/bin/bash", "-o", out)
    assert proc.returncode == 2 and not out.exists()
    assert proc.stderr.decode() == f"cvmctx: error: {message}\n"


@pytest.mark.parametrize(("name", "message"), [
    ("CernVM", "--section CernVM: the guest looks sections up in lower case: with [CernVM] the "
     "plugin fails (KeyError); write [cernvm]"),
    ("", "--section '': the section name is empty: '[]' is no header to the guest"),
    ("DEFAULT", "--section DEFAULT: [DEFAULT] holds ConfigParser's defaults: no plugin ever sees "
     "its options"),
])
def test_section_the_guest_cannot_read_is_a_usage_error(
    cvmctx: Run, name: str, message: str
) -> None:
    proc = cvmctx("build", "--section", name)
    assert proc.returncode == 2
    assert proc.stderr.decode() == f"cvmctx: error: {message}\n"


# What the guest's reader makes of those lines in a file: none reads back as the key written.
READ_BACK = [
    ("#x = 1", 0, []),  # a comment
    (";x = 1", 0, []),
    ("[x] = 1", 0, [("ini.unknown-section", "warning", 5),
                    ("ini.header-trailing-text", "warning", 5)]),
    (" users = alice:cms:", 1, [("ini.continuation-dropped", "error", 5)]),
    ("REM = 1", 0, [("ini.rem-line", "warning", 5)]),
    ("a:b = 1", 0, [("key.unknown", "warning", 5)]),  # key 'a'
    ("Shell = /bin/tcsh", 0, [("ini.duplicate-key", "warning", 5), ("ini.key-case", "info", 5)]),
]


@pytest.mark.parametrize(("line", "exit", "findings"), READ_BACK, ids=[r[0] for r in READ_BACK])
def test_validate_reads_those_keys_as_the_guest_does(
    cvmctx: Run, tmp_path: Path, line: str, exit: int, findings: list[tuple[str, str, int]]
) -> None:
    text = section("cernvm", "shell = /bin/bash", line)
    assert validate(cvmctx, tmp_path, text) == (exit, findings)


def test_a_key_the_guest_reads_back_is_still_accepted(cvmctx: Run, tmp_path: Path) -> None:
    # odd but readable: dots in the key
    code, out, _ = build(cvmctx, tmp_path, "--set=tcpbuffers.net.core.rmem_max=16777216",
                         "--quiet")  # fmt: skip
    assert code == 0 and "\nnet.core.rmem_max = 16777216\n" in out
    # a space inside the key reads back too: not a usage error (2), but no plugin reads it, so
    # the build fails on build.set-unknown-key (1) rather than write a line that does nothing
    code, _, found = build(cvmctx, tmp_path, "--set=cernvm.site key=1", "--quiet")
    assert code == 1 and "build.set-unknown-key" in str(found)
