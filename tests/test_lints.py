"""One case per guest hazard of guest-format.md §1-§4 (issue 4, items 1 and 2): the input, the
exact code, severity, line and column, through ``cvmctx.api.validate_bytes``; and no finding
ever quotes a password or secret of the input."""

from __future__ import annotations

import base64
import gzip

import pytest

from cvmctx.api import validate_bytes
from cvmctx.diagnostics import Diagnostic, Severity
from cvmctx.guest.layers import peel
from cvmctx.model.context import read_raw
from cvmctx.model.load import load
from cvmctx.model.rules import check_for_cd

SECRET = "S3cr3tMark"  # every password or secret below contains it
PEM = (
    b"-----BEGIN CERTIFICATE-----\n" + b"MIIBszCCARygAwIBAgIJAOm1" * 8 + b"\n"
    b"-----END CERTIFICATE-----\n"
)
B64_PEM = base64.b64encode(PEM).decode()


def ami(*plugins: str) -> str:
    return "[amiconfig]\nplugins = " + " ".join(plugins) + "\n"


def b64(data: bytes) -> bytes:
    return base64.b64encode(data)


CERNVM = ami("cernvm")
USER_DATA = CERNVM + "[cernvm]\nshell = /bin/bash\n"
MIME = (
    'Content-Type: multipart/mixed; boundary="XYZ"\n'
    "MIME-Version: 1.0\n"
    "\n"
    "--XYZ\n"
    'Content-Type: text/cloud-config; charset="utf-8"\n'
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "I2Nsb3VkLWNvbmZpZwo=\n"
    "--XYZ\n"
    'Content-Type: text/amiconfig-user-data; charset="utf-8"\n'
    "Content-Transfer-Encoding: base64\n"
    "\n"
    f"{b64(USER_DATA.encode()).decode()}\n"
    "--XYZ--\n"
)
WRAPPED_PEM = base64.encodebytes(PEM).decode()  # 76-character lines, as `base64` wraps
DNS = (
    "[dnsupdate]\ntsighost = key1\ntsigkey = " + b64(SECRET.encode()).decode() + "\n"
    "host = vm\ndomain = example.org\nserver = 192.0.2.53\n"
)

# (id, input, code, severity, line, column)
CASES: list[tuple[str, bytes, str, str, int | None, int | None]] = [
    # §1 input peeling: each failure is a code, never an exception
    ("base64-twice", b64(b64(USER_DATA.encode())), "input.base64-twice", "error", None, None),
    ("base64-invalid", b64(USER_DATA.encode())[:-3] + b"\n",
     "input.base64-invalid", "error", 1, 1),
    ("base64-url-safe", b64(USER_DATA.encode()).replace(b"+", b"-").replace(b"W", b"_"),
     "input.base64-invalid", "error", 1, 1),
    ("base64-not-user-data", b64(bytes(range(256))),
     "input.base64-not-user-data", "error", 1, 1),
    ("gzip", gzip.compress(USER_DATA.encode()), "input.gzip", "warning", None, None),
    ("gzip-truncated", gzip.compress(USER_DATA.encode() * 20)[:-12],
     "input.gzip-truncated", "error", None, None),
    ("gzip-corrupt", gzip.compress(USER_DATA.encode()) + b"junk",
     "input.gzip-corrupt", "error", None, None),
    ("nul", (USER_DATA + "keyboard = us\x00\n").encode(), "input.nul", "error", 5, 14),
    ("not-utf8", (USER_DATA + "keyboard = ").encode() + b"\xe9\n",
     "input.not-utf8", "error", 5, 12),
    ("bom", ("\ufeff" + USER_DATA).encode(), "ini.bom", "error", 1, 1),
    ("crlf", USER_DATA.replace("\n", "\r\n").encode(), "input.crlf", "warning", 1, 12),
    ("crlf-script", ("#!/bin/sh\r\necho hi\r\nexit\r\n" + USER_DATA).encode(),
     "script.crlf", "error", 1, 1),
    ("cr-only", USER_DATA.replace("\n", "\r").encode(), "input.cr-line-ends", "error", 1, 12),
    ("empty", b"\n\n", "input.empty", "warning", None, None),
    ("no-section", b"plugins = cernvm\nshell = /bin/bash\n", "ini.no-section", "error", 1, 1),
    ("mime-base64-part", MIME.encode(), "input.mime-encoded-part", "error", 11, 1),
    # §2 the INI reader
    ("wrapped-value", (CERNVM + "[cernvm]\nx509-cert = " + WRAPPED_PEM).encode(),
     "ini.wrapped-value", "error", 5, 1),
    ("wrapped-truncated-pem", (CERNVM + "[cernvm]\nx509-cert = " + WRAPPED_PEM).encode(),
     "cernvm.x509-cert.truncated-pem", "error", 4, 13),
    ("hash-not-comment", (CERNVM + "[cernvm]\nservices = ntpd # time\n").encode(),
     "ini.hash-comment", "warning", 4, 17),
    ("not-enabled", b"[condor]\nuse_ips = true\n", "plugin.not-enabled", "warning", 1, 1),
    ("no-section-for-plugin", ami("cernvm", "noip").encode() + b"[cernvm]\nshell = /bin/bash\n",
     "plugin.no-section", "warning", 2, 1),
    ("runs-without-section", ami("squid").encode(),
     "plugin.runs-without-section", "info", 2, 1),
    ("condor-before-hostname",
     (ami("condor", "hostname") + "[condor]\nuse_ips = true\n[hostname]\nhostname = a.example.org\n"
      ).encode(), "condor.before-hostname", "info", 3, 1),
    ("hostname-conflict",
     (ami("condor", "hostname") + "[condor]\nhostname = b.example.org\n"
      "[hostname]\nhostname = a.example.org\n").encode(), "hostname.conflict", "warning", 6, 1),
    # §3.9 [cernvm]
    ("x509-unexpanded", (CERNVM + "[cernvm]\nx509-cert = $x509_cert\n").encode(),
     "cernvm.x509-cert.not-pem", "error", 4, 13),
    ("x509-not-base64", (CERNVM + "[cernvm]\nx509-cert = QUJDRA\n").encode(),
     "cernvm.x509-cert.not-base64", "error", 4, 13),
    ("ctx-command-user", (CERNVM + "[cernvm]\ncontextualization_command = User:/bin/x\n").encode(),
     "cernvm.contextualization_command.user", "error", 4, 29),
    ("ctx-command-digit", (CERNVM + "[cernvm]\ncontextualization_command = user1:/bin/x\n"
                           ).encode(), "cernvm.contextualization_command.user", "error", 4, 29),
    ("ctx-command-quoted",
     (CERNVM + "[cernvm]\nusers = panda:atlas:\n"
      "contextualization_command = panda:'/bin/run -t 1'\n").encode(),
     "cernvm.contextualization_command.quoted", "error", 5, 35),
    ("ctx-command-double-quotes",
     (CERNVM + "[cernvm]\nusers = panda:atlas:\n"
      'contextualization_command = panda:/bin/run "a b"\n').encode(),
     "cernvm.contextualization_command.quoted", "warning", 5, 44),
    ("users-plaintext", (CERNVM + f"[cernvm]\nusers = bob:cms:{SECRET}\n").encode(),
     "cernvm.users.plaintext-password", "warning", 4, 17),
    # §3.6 [noip]
    ("noip-url-character",
     (ami("noip") + f"[noip]\nusername = me\npassword = {SECRET}@x\nhostname = vm.no-ip.org\n"
      ).encode(), "noip.password.character", "error", 5, 22),
    ("noip-percent",
     (ami("noip") + f"[noip]\nusername = me\npassword = {SECRET}%41\nhostname = vm.no-ip.org\n"
      ).encode(), "noip.password.percent", "warning", 5, 22),
    # §3.8 [storage]
    ("daemon-false", (ami("storage") + "[storage]\ndaemon = False\n").encode(),
     "storage.daemon.false-means-true", "error", 4, 10),
    # §3.10 [condor], §3.11 [ganglia], §3.12 [nss]
    ("condor-docs-key", (ami("condor") + "[condor]\nfilesystem_domain = x\n").encode(),
     "key.not-read", "warning", 4, 1),
    ("condor-secret-shell",
     (ami("condor") + f"[condor]\ncondor_secret = {SECRET};x\n").encode(),
     "condor.condor_secret.character", "error", 4, 27),
    ("ganglia-slash", (ami("ganglia") + "[ganglia]\nurl = http://g.example.org/\n").encode(),
     "ganglia.url.character", "error", 4, 12),
    ("ganglia-glob", (ami("ganglia") + "[ganglia]\nname = cms*\n").encode(),
     "ganglia.name.glob", "warning", 4, 11),
    ("nss-password", (ami("nss") + "[nss]\npassword = files ldap\n").encode(),
     "nss.password.renamed", "warning", 4, 1),
    # §3.15 [squid]
    ("squid-glued",
     (ami("squid") + "[squid]\nbackends = cvmfs-stratum-one.cern.chcvmfs.fnal.gov\n").encode(),
     "squid.backends.glued", "warning", 4, 37),
    ("squid-glued-port",
     (ami("squid") + "[squid]\nbackends = a.cern.ch:8000b.fnal.gov\n").encode(),
     "squid.backends.glued", "warning", 4, 26),
    ("squid-port", (ami("squid") + "[squid]\nbackends = a.cern.ch,b.fnal.gov:8000\n").encode(),
     "squid.backends.port", "warning", 4, 32),
    # §3.7 [openvpn], §3.14 [yp], §3.16 [puppet], §3.18 [workqueue], §3.19 [appliance-agent]
    ("openvpn-resolv-conf", (ami("openvpn") + "[openvpn]\nnameserver = 192.0.2.1\n").encode(),
     "openvpn.nameserver.overwrites-resolv-conf", "info", 3, 1),
    ("yp-quoted", (ami("yp") + "[yp]\ndomain = nis\n").encode(),
     "yp.domain.quoted-line", "info", 3, 1),
    ("puppet-master", (ami("puppet") + "[puppet]\npuppetmaster_log = syslog\n").encode(),
     "puppet.master-not-started", "warning", 3, 1),
    ("puppet-unquoted",
     (ami("puppet") + "[puppet]\npuppet_server = p\npuppet_extra_opts = --a --b\n").encode(),
     "puppet.puppet_extra_opts.unquoted-space", "warning", 5, 24),
    ("workqueue-catalog", (ami("workqueue") + "[workqueue]\n").encode(),
     "workqueue.starts-catalog-server", "info", 3, 1),
    ("appliance-htpasswd",
     (ami("appliance-agent") + f"[appliance-agent]\npassword = {SECRET}\n").encode(),
     "appliance-agent.password.one-argument", "warning", 4, 12),
]

IDS = [c[0] for c in CASES]


def _findings(data: bytes, name: str) -> list[Diagnostic]:
    return list(validate_bytes(data, f"{name}.txt").report)


@pytest.mark.parametrize(("name", "data", "code", "severity", "line", "column"), CASES, ids=IDS)
def test_lint(
    name: str, data: bytes, code: str, severity: str, line: int | None, column: int | None
) -> None:
    found = [(d.code, d.severity.value, d.line, d.column) for d in _findings(data, name)]
    assert (code, severity, line, column) in found, found


@pytest.mark.parametrize(("name", "data"), [(c[0], c[1]) for c in CASES], ids=IDS)
def test_no_finding_quotes_a_secret(name: str, data: bytes) -> None:
    for d in _findings(data, name):
        for text in (d.message, d.hint or "", d.path or ""):
            assert SECRET not in text, (d.code, text)


def test_every_finding_has_a_fix_hint() -> None:
    """Each new or verified code says how to fix it (a hint), in plain words."""
    wanted = {c[2] for c in CASES} - {"script.crlf"}  # the script part's own finding
    seen: dict[str, Diagnostic] = {}
    for name, data, *_ in CASES:
        for d in _findings(data, name):
            seen.setdefault(d.code, d)
    assert [code for code in sorted(wanted) if not seen[code].hint] == []


# ---------------------------------------------------------------- peel parameters
def test_gzip_bomb_is_a_finding() -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024 + 1), 9)
    result = validate_bytes(bomb, "bomb.gz")
    assert [(d.code, d.severity) for d in result.report] == [("input.gzip-bomb", Severity.ERROR)]
    assert result.context is None


def test_gzip_cap_is_configurable() -> None:
    small = gzip.compress(USER_DATA.encode() * 10)
    assert [d.code for d in peel(small, max_output=100).diagnostics] == ["input.gzip-bomb"]
    assert peel(small).text == USER_DATA * 10


def test_input_over_the_size_cap_is_a_finding() -> None:
    result = validate_bytes(b"a" * (16 * 1024 * 1024 + 1), "big.txt")
    assert [d.code for d in result.report] == ["input.too-large"]
    assert [d.code for d in peel(USER_DATA.encode(), max_input=10).diagnostics] == [
        "input.too-large"
    ]


# ---------------------------------------------------------------- what must stay quiet
QUIET: list[tuple[str, str, str]] = [
    ("hepix always runs", "[hepix]\ncontext = site.tgz\n", "plugin.not-enabled"),
    ("cloud-config part may be base64", MIME.replace("amiconfig-user-data", "cloud-config"),
     "input.mime-encoded-part"),
    ("plain text is not base64", "hello\n", "input.base64-invalid"),
    ("cloud-init user data", "#cloud-config\nruncmd:\n  - ls\n", "ini.no-section"),
    ("script-only user data", "#!/bin/sh\necho hi\nexit\n", "ini.no-section"),
    ("single-quoted word", CERNVM + "[cernvm]\nusers = panda:atlas:\n"
     "contextualization_command = panda:'/bin/run'\n", "cernvm.contextualization_command.quoted"
     ":error"),
    ("real stratum-1 names",
     ami("squid") + "[squid]\nbackends = cvmfs-stratum-one.cern.ch,cvmfs.desy.de,"
     "grid.computing.example.org,2001:db8::1,192.0.2.0/24\n", "squid.backends."),
    ("hash without blank", CERNVM + "[cernvm]\nproxy = http://p:3128#x\n", "ini.hash-comment"),
    ("pem with its end line", CERNVM + f"[cernvm]\nx509-cert = {B64_PEM}\n",
     "cernvm.x509-cert"),
    ("script test line with '#'", "#!/bin/sh\n[ -f /x ] && echo y\nA=1 # note\nexit\n" + USER_DATA,
     "ini.hash-comment"),
    ("lf line ends", USER_DATA, "input.crlf"),
]


@pytest.mark.parametrize(("name", "text", "absent"), QUIET, ids=[q[0] for q in QUIET])
def test_quiet(name: str, text: str, absent: str) -> None:
    code, _, severity = absent.partition(":")
    for d in _findings(text.encode(), name):
        assert not (d.code.startswith(code) and (not severity or d.severity.value == severity)), (
            d.code,
            d.message,
        )


def test_wrapped_value_replaces_line_dropped() -> None:
    found = _findings((CERNVM + "[cernvm]\nx509-cert = " + WRAPPED_PEM).encode(), "w")
    assert "ini.line-dropped" not in [d.code for d in found]
    assert len([d for d in found if d.code == "ini.wrapped-value"]) == WRAPPED_PEM.count("\n") - 1


# ---------------------------------------------------------------- context CD (§4)
CD_USER_DATA = (
    ami("dnsupdate", "storage", "hostname", "noip")
    + DNS
    + "[storage]\nrelocate-paths = /srv\n"
    + f"[noip]\nusername = me\npassword = {SECRET}\nprefix = vm\ndomain = no-ip.org\nstart = 1\n"
)
CD_CASES: list[tuple[str, str, int]] = [
    ("dnsupdate.context-cd", "error", 3),  # needs EC2 meta-data: the plugin fails (rc 1)
    ("storage.context-cd", "warning", 9),  # needs block-device-mapping: the plugin returns
    ("noip.context-cd", "error", 11),  # template mode needs the launch index
    ("hostname.context-cd", "error", 2),  # no key: needs meta-data local-hostname
]


def _cd_findings(text: str) -> list[Diagnostic]:
    raw, _ = read_raw(text)
    context, _ = load(raw)
    return check_for_cd(context, raw)


@pytest.mark.parametrize(("code", "severity", "line"), CD_CASES, ids=[c[0] for c in CD_CASES])
def test_context_cd_rule(code: str, severity: str, line: int) -> None:
    found = [(d.code, d.severity.value, d.line, d.column) for d in _cd_findings(CD_USER_DATA)]
    assert (code, severity, line, 1) in found, found


def test_context_cd_rule_is_quiet_without_those_plugins() -> None:
    text = ami("cernvm", "hostname") + "[hostname]\nhostname = vm.example.org\n"
    assert _cd_findings(text) == []
    assert _cd_findings(USER_DATA) == []


def test_context_cd_rule_only_for_a_cd() -> None:
    """Plain user data (EC2 meta-data exists) gives none of the CD findings."""
    codes = {d.code for d in _findings(CD_USER_DATA.encode(), "plain")}
    assert not codes & {c[0] for c in CD_CASES}


def test_context_cd_rule_through_validate() -> None:
    """validate_bytes judges a context.sh with the context-CD rules (no EC2 meta-data)."""
    context_sh = (
        f'EC2_USER_DATA="{b64(CD_USER_DATA.encode()).decode()}"\n'
        'ONE_CONTEXT_PATH="/var/lib/amiconfig"\n'
    )
    result = validate_bytes(context_sh.encode(), "context.sh")
    assert result.layers[0] == "context.sh"
    found = {(d.code, d.severity.value, d.line) for d in result.report}
    for code, severity, line in CD_CASES:
        assert (code, severity, line) in found
    for d in result.report:
        assert SECRET not in d.message and SECRET not in (d.hint or "")
