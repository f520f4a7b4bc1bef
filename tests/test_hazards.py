"""One case per guest hazard: the input, the diagnostic code and the line it points at,
checked through the library API and through `cvmctx validate --format json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Run

from cvmctx.api import validate_bytes

AMI = "[amiconfig]\nplugins = cernvm condor storage openvpn ganglia tcpbuffers\n"
PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

# (id, user data, code, severity, line)
CASES: list[tuple[str, str, str, str, int]] = [
    # the INI reader (guest-format.md §2)
    ("continuation", AMI + "[cernvm]\nrepositories = cms,\n  atlas\n",
     "ini.continuation-dropped", "error", 5),
    ("inline-comment", AMI + "[cernvm]\nproxy = http://p:3128 ;DIRECT\n",
     "ini.inline-comment", "error", 4),
    ("section-case", AMI + "[CernVM]\nshell = /bin/bash\n", "ini.section-case", "error", 3),
    ("bom", "\ufeff" + AMI, "ini.bom", "error", 1),
    ("indented-header", AMI + "  [cernvm]\nshell = /bin/bash\n",
     "ini.indented-header", "error", 3),
    ("unknown-section", AMI + "[cernmv]\nshell = /bin/bash\n",
     "ini.unknown-section", "warning", 3),
    ("duplicate-key", AMI + "[cernvm]\nshell = /bin/sh\nshell = /bin/bash\n",
     "ini.duplicate-key", "warning", 5),
    # [amiconfig] (§3.1)
    ("plugins-comma", "[amiconfig]\nplugins = cernvm,condor\n",
     "amiconfig.plugins.comma", "error", 2),
    ("disabed-plugins", "[amiconfig]\ndisabed_plugins = rootsshkeys\n",
     "key.not-read", "warning", 2),
    ("not-enabled", "[condor]\nuse_ips = true\n", "plugin.not-enabled", "warning", 1),
    # [cernvm] values (§3.9)
    ("users-colon", AMI + "[cernvm]\nusers = a:b:c:d\n", "cernvm.users.fields", "error", 4),
    ("users-random", AMI + "[cernvm]\nusers = panda:atlas:\n", "cernvm.users.random", "info", 4),
    ("users-plaintext", AMI + "[cernvm]\nusers = a:b:pw\n",
     "cernvm.users.plaintext-password", "warning", 4),
    ("env-comma-in-value", AMI + "[cernvm]\nenvironment = A=x=y\n",
     "cernvm.environment.fields", "error", 4),
    ("env-prefix", AMI + "[cernvm]\nenvironment = CMS_ROOT=/a,CMS=b\n",
     "cernvm.environment.prefix", "warning", 4),
    ("x509-unexpanded", AMI + "[cernvm]\nx509-cert = $x509_cert\n",
     "cernvm.x509-cert.not-pem", "error", 4),
    ("x509-not-base64", AMI + "[cernvm]\nx509-cert = QUJDRA\n",
     "cernvm.x509-cert.not-base64", "error", 4),
    ("edition-case", AMI + "[cernvm]\nedition = desktop\n", "cernvm.edition.case", "error", 4),
    ("startxdm-choice", AMI + "[cernvm]\nstartXDM = yes\n", "cernvm.startxdm.choice", "error", 4),
    ("ctx-command-user", AMI + "[cernvm]\ncontextualization_command = user1:/bin/x\n",
     "cernvm.contextualization_command.user", "error", 4),
    ("ctx-command-quoted", AMI + "[cernvm]\ncontextualization_command = panda:'/bin/x -t 1'\n",
     "cernvm.contextualization_command.quoted", "error", 4),
    ("config-url-not-read", AMI + "[cernvm]\nconfig_url = http://x/\n",
     "key.not-read", "warning", 4),
    # other sections
    ("use-ips-exact", AMI + "[condor]\nuse_ips = True\n", "condor.use_ips.not-exact", "error", 4),
    ("condor-docs-key", AMI + "[condor]\nslots = 4\n", "key.not-read", "warning", 4),
    ("daemon-false", AMI + "[storage]\ndaemon = False\n",
     "storage.daemon.false-means-true", "error", 4),
    ("openvpn-ca-url", AMI + "[openvpn]\nca = " + "QUJD" + "\n", "openvpn.ca.not-url", "error", 4),
    ("openvpn-cert-zlib", AMI + "[openvpn]\ncert = QUJD\n",
     "openvpn.cert.not-zlib-base64", "error", 4),
    ("tcpbuffers-broken", AMI + "[tcpbuffers]\nnet.core.rmem_max = 16777216\n",
     "tcpbuffers.broken", "warning", 3),
    ("rpath-removed", AMI + "[rpath]\nconaryproxy = http://p/\n", "rpath.removed", "warning", 3),
    # the script part (§1.6)
    ("shebang-not-run", "#!/bin/bash -e\necho hi\nexit\n" + AMI,
     "script.shebang-not-run", "error", 1),
    ("heredoc-blank", "#!/bin/sh\ncat > /x <<EOF\na\n\nb\nEOF\nexit\n" + AMI,
     "script.blank-line-in-heredoc", "warning", 4),
    ("bracket-line", "#!/bin/sh\n[ -f /x ] && echo y\nexit\n" + AMI,
     "script.bracket-line", "warning", 2),
    ("runs-twice", "#!/bin/sh.before\ncat > /x <<EOF\n#!/bin/sh\nEOF\nexit\n" + AMI,
     "script.runs-twice", "error", 3),
    ("crlf", "#!/bin/sh\r\necho hi\r\nexit\r\n" + AMI, "script.crlf", "error", 1),
    ("no-exit", "#!/bin/sh\necho hi\n" + AMI, "script.no-exit", "error", 1),
    ("syntax", "#!/bin/sh\necho a\n\nfi\nexit\n" + AMI, "script.syntax", "error", 4),
]

IDS = [c[0] for c in CASES]


def _located(findings: list[tuple[str, str, int | None]], code: str, severity: str,
             line: int) -> bool:
    return (code, severity, line) in findings


@pytest.mark.parametrize(("name", "text", "code", "severity", "line"), CASES, ids=IDS)
def test_hazard_through_api(name: str, text: str, code: str, severity: str, line: int) -> None:
    result = validate_bytes(text.encode("utf-8"), f"{name}.txt")
    findings = [(d.code, d.severity.value, d.line) for d in result.report]
    assert _located(findings, code, severity, line), findings


@pytest.mark.parametrize(("name", "text", "code", "severity", "line"), CASES, ids=IDS)
def test_hazard_through_cli(
    cvmctx: Run, tmp_path: Path, name: str, text: str, code: str, severity: str, line: int
) -> None:
    path = tmp_path / f"{name}.txt"
    path.write_bytes(text.encode("utf-8"))
    proc = cvmctx("validate", "--format", "json", path)
    doc = json.loads(proc.stdout)
    findings = [(f["code"], f["severity"], f["line"]) for f in doc["files"][0]["findings"]]
    assert _located(findings, code, severity, line), findings
    assert proc.returncode == (1 if doc["summary"]["errors"] else 0)


def test_seed_atlas_userdata(cvmctx: Run) -> None:
    """The seed's ISO example, as its script really writes it (quoted heredoc: no expansion)."""
    path = Path(__file__).parent / "data" / "atlas-seed-userdata.txt"
    proc = cvmctx("validate", "--format", "json", path)
    assert proc.returncode == 1
    findings = json.loads(proc.stdout)["files"][0]["findings"]
    got = {(f["code"], f["severity"], f["line"]) for f in findings}
    # '$x509_cert' unexpanded: the guest decodes 'x509cert' (§3.9) and writes no PEM
    assert ("cernvm.x509-cert.not-pem", "error", 6) in got
    assert ("cernvm.contextualization_command.quoted", "error", 5) in got
    assert [f for f in findings if f["severity"] == "error"] == [
        f
        for f in findings
        if f["code"]
        in ("cernvm.x509-cert.not-pem", "cernvm.contextualization_command.quoted")
    ]
