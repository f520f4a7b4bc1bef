"""Write the bad-input corpus that tests/test_corpus.py validates: every NAME.EXT input here.

    .venv/bin/python tests/bad-inputs/make.py [--out DIR]

Deterministic: gzip with mtime 0, fixed random seeds, ISO images at epoch 0, so running it again
gives the committed files byte for byte (tests/test_corpus.py checks that). Extensions: ``.txt``
user data, ``.b64`` base64, ``.gz`` gzip, ``.sh`` a context.sh, ``.iso`` a context CD.

The ``NAME.expected`` files are NOT written here: they are the reviewed expectation, one
``CODE LINE`` per finding in report order after a ``# exit N`` line, edited by hand.

Inputs are grouped by what they aim at: one per diagnostic code ``validate`` can produce (the
file name is the code, dots as ``-``), one per per-value code suffix (``value-<suffix>``), and
``nasty-*`` shapes that once broke or could break a reader. Every secret is or contains the
marker ``CorpusS3cret``, which must never appear in any report; the one exception is
``value-echo-option`` (that password must be exactly ``-n``, ``-e``...).
"""

from __future__ import annotations

import argparse
import base64
import random
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # run from a checkout without installing

from cvmctx.userdata.encoding import gzip_bytes  # noqa: E402

SECRET = "CorpusS3cret"
# A secret PEM (a proxy, a key) whose base64 shows the marker: the bytes under it are placed
# on a 3-byte boundary (28 bytes of header + "MI"), so base64 of the PEM holds the marker text.
SECRET_BYTES = base64.b64decode(SECRET * 2)
PEM_HEAD = b"-----BEGIN CERTIFICATE-----\nMI"
PEM = PEM_HEAD + SECRET_BYTES + b"\n-----END CERTIFICATE-----\n"
B64_PEM = base64.b64encode(PEM).decode()
ZLIB_PEM = base64.b64encode(zlib.compress(PEM, 9)).decode()
# The same with 60 bytes before the secret ones: base64 -w76 puts the marker on the 2nd line.
WRAPPED_PEM = PEM.replace(PEM_HEAD, PEM_HEAD[:-2] + b"MIIBszCCARygAwIBAgIJAOm1MIIBszCC", 1)
# Public material (a certificate, a repository key): no secret, no marker.
PUBLIC_PEM = (
    b"-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\n-----END PUBLIC KEY-----\n"
)
B64_PUBLIC = base64.b64encode(PUBLIC_PEM).decode()
ZLIB_PUBLIC = base64.b64encode(zlib.compress(PUBLIC_PEM, 9)).decode()
SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDeadBeefDeadBeefDeadBeefDeadBeefDeadBeefDead corpus"
# A well-formed SHA-512 crypt hash shape: $6$<salt>$<86 characters>.
SHA512 = "$6$saltsalt$" + "A" * 86


CERNVM_SHELL = "[cernvm]\nshell = /bin/bash\n"


def ami(*plugins: str) -> str:
    return "[amiconfig]\nplugins = " + " ".join(plugins) + "\n"


def cernvm(*lines: str) -> str:
    """Enabled [cernvm] with the given key lines."""
    return ami("cernvm") + "[cernvm]\n" + "".join(line + "\n" for line in lines)


def section(name: str, *lines: str, plugin: str | None = None) -> str:
    """Enabled [name] (plugin ``plugin`` or ``name``) with the given key lines."""
    return ami(plugin or name) + f"[{name}]\n" + "".join(line + "\n" for line in lines)


USER_DATA = cernvm("shell = /bin/bash", "repositories = atlas,cms")
SCRIPT = "#!/bin/sh\necho configuring\nexit\n"
DNS_OK = [
    "tsighost = key1",
    f"tsigkey = {SECRET}",
    "host = vm1",
    "domain = example.org",
    "server = 192.0.2.53",
]
OPENVPN_OK = [
    "server = vpn.example.org",
    "port = 1194",
    "ca = https://ca.example.org/ca.pem",
    f"cert = {ZLIB_PUBLIC}",
    f"key = {ZLIB_PEM}",
]


def b64(data: str | bytes) -> bytes:
    raw = data.encode() if isinstance(data, str) else data
    return base64.b64encode(raw)


def b64_times(data: str, times: int) -> bytes:
    out = data.encode()
    for _ in range(times):
        out = b64(out)
    return out


def gz(data: str | bytes) -> bytes:
    raw = data.encode() if isinstance(data, str) else data
    # `gzip -9 -n` bytes on every Python (gzip.compress's header changed in 3.12)
    return gzip_bytes(raw)


def context_sh(user_data: str | bytes | None, *extra: str, one_context: bool = True) -> str:
    """A context.sh as the docs write it: EC2_USER_DATA in double quotes, ONE_CONTEXT_PATH."""
    lines: list[str] = []
    if user_data is not None:
        lines.append(f'EC2_USER_DATA="{b64(user_data).decode()}"')
    if one_context:
        lines.append('ONE_CONTEXT_PATH="/var/lib/amiconfig"')
    lines.extend(extra)
    return "".join(line + "\n" for line in lines)


def iso(*files: tuple[str, str | bytes]) -> bytes:
    from cvmctx.cd.image import CdFile, build_image

    cd = [
        CdFile(name, body.encode() if isinstance(body, str) else body, name.endswith(".sh"))
        for name, body in files
    ]
    return build_image(cd, "CONTEXT", 0)


def iso_same_name_twice(first: str, second: str) -> bytes:
    """A CD whose root holds two context.sh entries (two ISO 9660 names, one Rock Ridge name):
    the kernel's lookup finds the first, a careless reader the second."""
    import io

    import pycdlib

    from cvmctx.cd.image import _frozen_clock

    iso_ = pycdlib.PyCdlib()
    out = io.BytesIO()
    with _frozen_clock(0):
        iso_.new(interchange_level=1, vol_ident="CONTEXT", joliet=3, rock_ridge="1.09")
        for number, body in enumerate((first.encode(), second.encode()), start=1):
            iso_.add_fp(io.BytesIO(body), len(body), f"/CONTEXT{number}.SH;1",
                        rr_name="context.sh", joliet_path=f"/context{number}.sh")  # fmt: skip
        iso_.write_fp(out)
        iso_.close()
    return out.getvalue()


# ------------------------------------------------------------------------------ the inputs
# name -> content (str is written as UTF-8). Callables are for the few that are slow to build.

Content = str | bytes | Callable[[], bytes]

WHOLE_CODES: dict[str, Content] = {
    # [amiconfig] and the plugin rules
    "amiconfig-default-disabled.txt": "[amiconfig]\ndisabled_plugins = rootsshkeys\n",
    "amiconfig-plugins-also-disabled.txt": (
        "[amiconfig]\nplugins = cernvm\ndisabled_plugins = cernvm\n[cernvm]\nshell = /bin/bash\n"
    ),
    "amiconfig-plugins-unknown.txt": "[amiconfig]\nplugins = cernvn\n",
    "amiconfig-disabled_plugins-unknown.txt": "[amiconfig]\ndisabled_plugins = rootsshkey\n",
    "plugin-no-section.txt": ami("openvpn"),
    "plugin-not-enabled.txt": "[condor]\nuse_ips = true\n",
    "plugin-runs-without-section.txt": ami("squid"),
    # sections the guest no longer reads
    "callback-removed.txt": section("callback", f"ec2_secret_key = {SECRET}"),
    "cernvm_appliance-not-read.txt": f"[cernvm_appliance]\npassword = {SECRET}\n",
    "configscripts-removed.txt": section("configscripts", "bundle = http://example.org/b.tgz"),
    "ldap-renamed.txt": section("ldap", "base = dc=example,dc=org"),
    "rmake-removed.txt": section("rmake", "server = rmake.example.org", plugin="rmakenode"),
    "rpath-removed.txt": section(
        "rpath", "conaryproxy = http://proxy.example.org:3128", plugin="conaryproxy"
    ),
    "section-not-read.txt": "[rootsshkeys]\n",
    "sfcb-client-setup-not-loadable.txt": "[sfcb-client-setup]\nboot-uuid = 1234\n",
    "tcpbuffers-broken.txt": section("tcpbuffers", "net.core.rmem_max = 16777216"),
    # [cernvm] across keys
    "cernvm-contextualization_command-user-not-created.txt": cernvm(
        "contextualization_command = alice:/opt/run.sh"
    ),
    "cernvm-key-ignored.txt": cernvm("eos-readaheadsize = 100000"),
    "cernvm-missing-key.txt": cernvm(f"eos-x509-cert = {B64_PEM}"),
    # [condor]
    "condor-highport-too-big.txt": section("condor", "highport = 70000"),
    "condor-ports.txt": section("condor", "lowport = 9800"),
    "condor-before-hostname.txt": (
        ami("condor", "hostname") + "[condor]\nuse_ips = true\n"
        "[hostname]\nhostname = cm.example.org\n"
    ),
    "hostname-conflict.txt": (
        ami("condor", "hostname") + "[condor]\nhostname = a.example.org\n"
        "[hostname]\nhostname = b.example.org\n"
    ),
    # other sections' cross-key checks
    "dnsupdate-key-ignored.txt": section("dnsupdate", *DNS_OK, "prefix = node"),
    "dnsupdate-missing-key.txt": section("dnsupdate", "host = vm1"),
    "openvpn-key-ignored.txt": section("openvpn", *OPENVPN_OK, "search = example.org"),
    "openvpn-nameserver-overwrites-resolv-conf.txt": section(
        "openvpn", *OPENVPN_OK, "nameserver = 192.0.2.53"
    ),
    "puppet-key-ignored.txt": section(
        "puppet", "puppet_server = puppet.example.org", "puppetmaster_log = syslog"
    ),
    "puppet-master-not-started.txt": section("puppet", "puppetmaster_log = syslog"),
    "vaf-setup-key-ignored.txt": section("vaf-setup", "auth_method = alice_ldap", "alice_x = 1"),
    "workqueue-key-ignored.txt": section("workqueue", "workqueue_project = proj"),
    "workqueue-starts-catalog-server.txt": section("workqueue"),
    "yp-domain-quoted-line.txt": section("yp", "domain = nis.example.org"),
    "yp-key-ignored.txt": section("yp", "ypserver = nis1.example.org", "domain = example.org"),
    # the INI reader
    "ini-bom.txt": ("\ufeff" + USER_DATA).encode(),
    "ini-continuation-dropped.txt": cernvm("repositories = atlas,", "  cms"),
    "ini-default-section.txt": USER_DATA + "[DEFAULT]\nshell = /bin/tcsh\n",
    "ini-duplicate-key.txt": cernvm("shell = /bin/tcsh", "shell = /bin/bash"),
    "ini-duplicate-section.txt": USER_DATA + "[cernvm]\nkeyboard = us\n",
    "ini-hash-comment.txt": cernvm("desktop_icons = firefox # the browser"),
    "ini-header-trailing-text.txt": ami("cernvm") + "[cernvm] extra\nshell = /bin/bash\n",
    "ini-indented-header.txt": ami("cernvm") + "  [cernvm]\nshell = /bin/bash\n",
    "ini-inline-comment.txt": cernvm("proxy = http://squid.example.org:3128 ;DIRECT"),
    "ini-key-case.txt": cernvm("Shell = /bin/bash"),
    "ini-line-dropped.txt": cernvm("just some words"),
    "ini-no-section.txt": "plugins = cernvm\nshell = /bin/bash\n",
    "ini-option-after-ucernvm-end.txt": (
        USER_DATA + "[ucernvm-begin]\nresolution=1024x768\n[ucernvm-end]\nkeyboard = us\n"
    ),
    "ini-rem-line.txt": cernvm("Rem = 1"),
    "ini-section-case.txt": ami("cernvm") + "[CernVM]\nshell = /bin/bash\n",
    "ini-unknown-section.txt": USER_DATA + "[mysite]\nfoo = bar\n",
    # base64 -w76 of a PEM: the guest keeps only the first line of the value
    "ini-wrapped-value.txt": cernvm(
        "x509-cert = " + base64.encodebytes(WRAPPED_PEM).decode().rstrip("\n")
    ),
    "ucernvm-marker-not-exact.txt": USER_DATA + "[ucernvm-begin] \nresolution=1024x768\n",
    "ucernvm-unterminated.txt": USER_DATA + "[ucernvm-begin]\nresolution=1024x768\n",
    "ucernvm-shell.txt": USER_DATA + "[ucernvm-begin]\ncvmfs_branch=cernvm-prod.cern.ch\n"
    "cvmfs_server=$(touch /tmp/owned)\ncvmfs_http_proxy=http://squid:3128;DIRECT\n"
    "cvmfs_pac_urls='http://a/wpad.dat;http://b/wpad.dat'\n[ucernvm-end]\n",
    "key-not-read.txt": cernvm("config_url = http://config.example.org/"),
    "key-unknown.txt": cernvm("shel = /bin/bash"),
    # peeling the input
    "input-base64-invalid.b64": b64(USER_DATA)[:-3] + b"\n",
    "input-base64-not-user-data.b64": b64(bytes(range(256))),
    "input-base64-twice.b64": b64(b64(USER_DATA)),
    "input-base64-wrapped.b64": base64.encodebytes(USER_DATA.encode()),
    "input-cr-line-ends.txt": USER_DATA.replace("\n", "\r").encode(),
    "input-crlf.txt": USER_DATA.replace("\n", "\r\n").encode(),
    "input-empty.txt": b"",
    "input-gzip.gz": gz(USER_DATA),
    # 64 MiB + 1 zeros: just past the default unpack limit, about 64 KB compressed
    "input-gzip-bomb.gz": lambda: gz(bytes(64 * 1024 * 1024 + 1)),
    "input-gzip-corrupt.gz": gz(USER_DATA) + b"trailing junk\n",
    "input-gzip-truncated.gz": gz(USER_DATA * 20)[:-12],
    "input-gzip-twice.gz": gz(gz(USER_DATA)),
    "input-mime-encoded-part.txt": (
        'Content-Type: multipart/mixed; boundary="XYZ"\n'
        "MIME-Version: 1.0\n"
        "\n"
        "--XYZ\n"
        'Content-Type: text/amiconfig-user-data; charset="utf-8"\n'
        "Content-Transfer-Encoding: base64\n"
        "\n"
        f"{b64(USER_DATA).decode()}\n"
        "--XYZ--\n"
    ),
    "input-mime-multipart.txt": (
        'Content-Type: multipart/mixed; boundary="XYZ"\n'
        "MIME-Version: 1.0\n"
        "\n"
        "--XYZ\n"
        'Content-Type: text/amiconfig-user-data; charset="us-ascii"\n'
        "Content-Transfer-Encoding: 7bit\n"
        "\n"
        f"{USER_DATA}"
        "--XYZ--\n"
    ),
    # a cloud-config part after the amiconfig part: its 'users:' line lands in [cernvm]
    "input-mime-line-read.txt": (
        'Content-Type: multipart/mixed; boundary="XYZ"\n'
        "MIME-Version: 1.0\n"
        "\n"
        "--XYZ\n"
        'Content-Type: text/amiconfig-user-data; charset="us-ascii"\n'
        "\n"
        f"{cernvm('users = alice:cms:')}"
        "--XYZ\n"
        'Content-Type: text/cloud-config; charset="us-ascii"\n'
        "\n"
        "#cloud-config\n"
        "users:\n"
        "  - default\n"
        "--XYZ--\n"
    ),
    "input-not-utf8.txt": (USER_DATA + "keyboard = ").encode() + b"\xe9\n",
    "input-nul.txt": (USER_DATA + "keyboard = us\x00\n").encode(),
    # the #! script part
    "script-blank-line-in-heredoc.txt": (
        "#!/bin/sh\ncat > /etc/motd <<EOF\nWelcome\n\nto CernVM\nEOF\nexit\n" + USER_DATA
    ),
    "script-bracket-line.txt": "#!/bin/sh\n[ -f /etc/motd ] && echo yes\nexit\n" + USER_DATA,
    "script-crlf.txt": ("#!/bin/sh\r\necho hi\r\nexit\r\n" + USER_DATA).encode(),
    "script-no-exit.txt": "#!/bin/sh\necho configuring\n" + USER_DATA,
    "script-not-first.txt": "# my context\n#!/bin/sh\necho hi\nexit\n" + USER_DATA,
    "script-runs-twice.txt": (
        "#!/bin/sh.before\ncat > /tmp/x.sh <<EOF\n#!/bin/sh\nEOF\nexit\n" + USER_DATA
    ),
    "script-shebang-not-run.txt": "#!/bin/bash -e\necho hi\nexit\n" + USER_DATA,
    "script-syntax.txt": "#!/bin/sh\nif true; then\necho a\nfi fi\nexit\n" + USER_DATA,
    "script-blank-line-joins.txt": "#!/bin/sh\necho configuring \\\n\nexit\n" + USER_DATA,
    "script-blank-line-in-string.txt": (
        "#!/bin/sh\necho \"Welcome\n\nto CernVM\" > /etc/motd\nexit\n" + USER_DATA
    ),
    "script-exit-unproven.txt": "#!/bin/sh\n[ -d /opt ] && exit 0\n" + USER_DATA,
    "script-open-at-end.txt": "#!/bin/sh\necho configuring \\\n" + USER_DATA,
    "script-no-exit-continued.txt": "#!/bin/sh\necho configuring \\\nexit\n" + USER_DATA,
    "script-no-exit-heredoc.txt": "#!/bin/sh\ncat > /etc/motd <<EOF\nhi\nexit\nEOF\n" + USER_DATA,
    "script-open-at-end-if.txt": "#!/bin/sh\nif [ -d /opt ]; then\n  exit\n" + USER_DATA,
    "script-no-exit-background.txt": "#!/bin/sh\necho hi\nexit &\n" + USER_DATA,
    "script-no-exit-pipeline.txt": "#!/bin/sh\necho hi\nexit | cat\n" + USER_DATA,
    "script-exit-indented.txt": "#!/bin/sh\nif true; then\n  echo hi\nfi\n  exit\n" + USER_DATA,
    "script-exit-exec.txt": "#!/bin/sh\nexec /usr/bin/setup-node\n" + USER_DATA,
    "script-shebang-unrunnable.txt": "#!/bin/sh before\necho hi\nexit\n" + USER_DATA,
    # context.sh, given as the file itself
    "contextsh-command.sh": context_sh(USER_DATA, "rm -rf /tmp/cache"),
    "contextsh-crlf.sh": context_sh(USER_DATA).replace("\n", "\r\n").encode(),
    "contextsh-expansion.sh": context_sh(USER_DATA, "NODE=$(hostname -s)"),
    "contextsh-no-one-context-path.sh": context_sh(USER_DATA, one_context=False),
    "contextsh-no-user-data.sh": 'EC2_USER_DATA=""\nONE_CONTEXT_PATH="/var/lib/amiconfig"\n',
    "contextsh-not-utf8.sh": (context_sh(USER_DATA) + "SITE='caf").encode() + b"\xe9'\n",
    "contextsh-public-key-wins.sh": context_sh(
        USER_DATA, "ROOT_PUBKEY=root.pub", f"PUBLIC_KEY='{SSH_KEY}'"
    ),
    "contextsh-unterminated.sh": context_sh(USER_DATA, "SITE='cern"),
    "contextsh-user-data-base64-twice.sh": context_sh(b64(USER_DATA)),
    "contextsh-user-data-not-base64.sh": (
        'EC2_USER_DATA="not base64!"\nONE_CONTEXT_PATH="/var/lib/amiconfig"\n'
    ),
    "contextsh-user-data-wrapped.sh": (
        'EC2_USER_DATA="'
        + base64.encodebytes(USER_DATA.encode()).decode().rstrip("\n")
        + '"\nONE_CONTEXT_PATH="/var/lib/amiconfig"\n'
    ),
    "contextsh-syntax.sh": context_sh(USER_DATA, "SITE=cern;;", "NODE=never"),
    "contextsh-cannot-tell.sh": context_sh(USER_DATA, "SITE+=-cern"),
    "contextsh-readonly.sh": context_sh(USER_DATA, "SITE=cern", "readonly SITE"),
    "contextsh-guest-variable.sh": context_sh(USER_DATA, "AMICONFIG=/usr/local/bin/setup"),
    "nasty-contextsh-one-line.sh": (
        f'EC2_USER_DATA="{b64(USER_DATA).decode()}"; export ONE_CONTEXT_PATH=/var/lib/amiconfig'
        ' # both on one line\nA=1 B=2; readonly C=3 # shell reads all of these\n'
    ),
    "nasty-contextsh-command-elsewhere.sh": context_sh(
        section("cernvm", f"users = corpus:cms:{SECRET}", "shell = /bin/zsh"), "echo hi; X=1"
    ),
    # prolog.sh and epilog.sh on a CD: bash sources them (§4); lines end at '\n' only
    "iso-script-syntax.iso": lambda: iso(
        ("context.sh", context_sh(USER_DATA)), ("prolog.sh", "echo a\x0cif true; then\necho b\n")
    ),
    "iso-script-crlf.iso": lambda: iso(
        ("context.sh", context_sh(USER_DATA)), ("epilog.sh", "echo a\u2028b\necho done\r\n")
    ),
    "iso-script-unchecked.iso": lambda: iso(
        ("context.sh", context_sh(USER_DATA)), ("prolog.sh", b"echo caf\xe9\n")
    ),
    # findings that hold only behind a context CD (no EC2 meta-data there)
    "dnsupdate-context-cd.sh": context_sh(section("dnsupdate", *DNS_OK)),
    "hostname-context-cd.sh": context_sh(ami("hostname")),
    "noip-context-cd.sh": context_sh(
        section(
            "noip",
            "username = corpus",
            f"password = {SECRET}",
            "prefix = node",
            "domain = example.org",
            "start = 1",
        )
    ),
    "storage-context-cd.sh": context_sh(section("storage", "daemon =")),
    # context CD images
    "iso-duplicate-name.iso": lambda: iso_same_name_twice(
        context_sh(USER_DATA), 'EC2_USER_DATA="" ONE_CONTEXT_PATH=/tmp\n'
    ),
    "iso-dotfile.iso": lambda: iso(("context.sh", context_sh(USER_DATA)), (".hidden", "x\n")),
    "iso-no-context.iso": lambda: iso(("readme.txt", "no context here\n")),
    "iso-root-pubkey-missing.iso": lambda: iso(
        ("context.sh", context_sh(USER_DATA, "ROOT_PUBKEY=root.pub"))
    ),
    # the image up to its volume descriptors only: the directory records are missing
    "iso-unreadable.iso": lambda: iso(("context.sh", context_sh(USER_DATA)))[: 18 * 2048],
}

# One input per per-value code suffix: "<section>.<key>.<suffix>" (the key named in the name).
VALUE_CODES: dict[str, Content] = {
    # the guest's decodestring stops at the first '=' padding: the second PEM is ignored (§3.9)
    "value-after-padding.txt": cernvm("x509-cert = " + b64(PEM + b"\n").decode() + B64_PEM),
    "value-bad-hash.txt": cernvm(f"users = alice:cms:$6${SECRET}"),
    "value-case.txt": cernvm("edition = desktop"),
    "value-character.txt": section("ganglia", "name = my/cluster"),
    "value-choice.txt": cernvm("startxdm = yes"),
    "value-comma.txt": "[amiconfig]\nplugins = cernvm,condor\n",
    "value-double-quote.txt": cernvm('environment = GREETING="hello"'),
    "value-duplicate.txt": cernvm("users = alice:cms:,alice:cms:"),
    "value-echo-option.txt": cernvm("users = alice:cms:-n"),
    "value-empty.txt": cernvm("proxy ="),
    "value-empty-command.txt": cernvm("users = alice:cms:", "contextualization_command = alice:"),
    "value-empty-item.txt": cernvm("repositories = atlas,,cms"),
    "value-empty-member.txt": cernvm("proxy = http://squid.example.org:3128;"),
    "value-empty-value.txt": cernvm("environment = CMS_ROOT="),
    "value-false-means-true.txt": section("storage", "daemon = False"),
    "value-fields.txt": cernvm("users = alice:cms"),
    "value-format.txt": cernvm("screenres = big"),
    "value-group.txt": cernvm("users = alice:1cms:"),
    "value-glob.txt": section("ganglia", "owner = team*"),
    "value-glued.txt": section("squid", "backends = cvmfs.cern.chcvmfs.fnal.gov"),
    "value-item-format.txt": cernvm("repositories = atlas/x"),
    "value-list.txt": cernvm(
        "users = alice:cms:,bob:cms:",
        "contextualization_command = alice:/opt/a.sh,bob:/opt/b.sh",
    ),
    "value-member.txt": cernvm("proxy = squid.example.org:3128"),
    "value-name.txt": cernvm("environment = 1ST=a"),
    "value-name-style.txt": cernvm("x509-user = Alice"),
    # a CR inside a value (not at its end, which the guest strips): the value spans two lines
    "value-newline.txt": cernvm("keyboard = us\rde").encode(),
    "value-no-effect.txt": cernvm("group_profile = cms"),
    "value-not-absolute.txt": cernvm("shell = bash"),
    # 13 base64 characters: decodestring fails with 'Incorrect padding' (the '!' is skipped)
    "value-not-base64.txt": cernvm(f"x509-cert = {SECRET}Q!"),
    "value-not-exact.txt": section("condor", "use_ips = True"),
    "value-not-integer.txt": section("condor", "highport = many"),
    "value-not-ip.txt": section(
        "dnsupdate", *[k for k in DNS_OK if not k.startswith("server")], "server = ns.example.org"
    ),
    "value-not-lowercase.txt": cernvm("repositories = CMS"),
    "value-not-pem.txt": cernvm("x509-cert = " + b64(SECRET_BYTES).decode()),
    "value-not-url.txt": section("rpath", "conaryproxy = proxy.example.org:3128",
                                 plugin="conaryproxy"),
    "value-not-zlib-base64.txt": section(
        "openvpn", *[k for k in OPENVPN_OK if not k.startswith("cert")], f"cert = {B64_PUBLIC}"
    ),
    "value-https-anyway.txt": section("hepix", "requiressl = no"),
    "value-one-argument.txt": section("appliance-agent", f"password = {SECRET}"),
    "value-password-space.txt": cernvm(f"users = alice:cms:{SECRET} two"),
    "value-percent.txt": section(
        "noip", "username = corpus%41", f"password = {SECRET}", "hostname = vm.example.org"
    ),
    "value-plain-http.txt": section("hepix", "requiressl ="),
    "value-plaintext-password.txt": cernvm(f"users = alice:cms:{SECRET}"),
    "value-port.txt": cernvm("proxy = http://squid.example.org:99999"),
    "value-prefix.txt": cernvm("environment = CMS_ROOT=/opt/cms,CMS=1"),
    "value-quoted.txt": cernvm(
        "users = alice:cms:", "contextualization_command = alice:'/opt/run.sh -v'"
    ),
    "value-random.txt": cernvm("users = alice:cms:"),
    "value-read-as-false.txt": section("condor", "use_ips = maybe"),
    "value-renamed.txt": ami("nss") + "[nss]\npassword = files ldap\n",
    "value-upper-case.txt": "[amiconfig]\nplugins = CernVM\n" + CERNVM_SHELL,
    "value-root.txt": cernvm(f"users = root:root:{SHA512}"),
    "value-server.txt": cernvm(
        f"extra_repositories = sft.example.org|http://s1.example.org|{B64_PUBLIC}"
    ),
    "value-shell-expansion.txt": cernvm("environment = DATA=$HOME/data"),
    "value-space-in-item.txt": cernvm("repositories = atlas, cms"),
    "value-space-in-path.txt": cernvm("x509-cert-file = /tmp/my proxy"),
    "value-split-line.txt": section("condor", "extra_vars = NUM_SLOTS = 4,8"),
    # URL-safe base64 ('_' for '/'): the guest skips the '_' (§3.9); here it stands between groups
    "value-stray-character.txt": cernvm(f"x509-cert = {B64_PEM[:8]}_{B64_PEM[8:]}"),
    "value-system-user.txt": cernvm("contextualization_command = root:/opt/run.sh"),
    "value-too-small.txt": section(
        "vaf-setup", "auth_method = pool_users", "num_pool_accounts = 1"
    ),
    "value-truncated-pem.txt": cernvm(
        "x509-cert = " + b64(PEM_HEAD + SECRET_BYTES + b"\n").decode()
    ),
    "value-unquoted-space.txt": section(
        "puppet", "puppet_server = puppet.example.org", "puppet_extra_opts = --a --b"
    ),
    "value-unrecognised-hash.txt": cernvm(f"users = alice:cms:$1${SECRET}"),
    "value-unusual-shell.txt": cernvm("shell = /bin/zsh"),
    "value-user.txt": cernvm("contextualization_command = user1:/opt/run.sh"),
    "value-whitespace.txt": cernvm("proxy = http://squid.example.org:3128 |DIRECT"),
}

NASTY: dict[str, Content] = {
    "nasty-binary-noise.txt": random.Random(4).randbytes(4096),
    "nasty-whitespace-only.txt": "\n  \n\t\n",
    "nasty-bom-only.txt": "\ufeff".encode(),
    "nasty-lone-bracket.txt": "[\n",
    "nasty-empty-header.txt": "[]\nshell = /bin/bash\n",
    "nasty-equals-only.txt": cernvm("=", ":", "= value"),
    "nasty-shebang-only.txt": "#!",
    "nasty-no-final-newline.txt": USER_DATA.rstrip("\n"),
    # a value "continued" on an indented line that holds a header: the guest drops the line
    "nasty-continuation-glued-header.txt": (
        "[amiconfig]\nplugins = cernvm\n    [cernvm]\nshell = /bin/bash\n"
    ),
    # a shell-style backslash continuation: the guest reads '\' as a plugin name
    "nasty-backslash-continuation.txt": (
        "[amiconfig]\nplugins = cernvm \\\n[cernvm]\nshell = /bin/bash\n"
    ),
    # a no-break space before '=': not whitespace to the guest, so the key keeps it
    # terminal control sequences in a value: a text report must not replay them
    "nasty-terminal-escape.txt": cernvm("keyboard = \x1b]0;owned\x07us\x1b[2J"),
    "nasty-nbsp-key.txt": cernvm("shell\u00a0= /bin/bash"),
    # plugin lists as the guest splits them: ASCII whitespace only (guest-format.md §2)
    "nasty-plugins-nbsp.txt": "[amiconfig]\nplugins = cernvm\u00a0condor\n" + CERNVM_SHELL,
    "nasty-plugins-vt-separated.txt": "[amiconfig]\nplugins = CernVM\x0bcondor\t\x0chostname\n",
    "nasty-disabed-plugins.txt": "[amiconfig]\ndisabed_plugins = rootsshkeys\n",
    "nasty-amiconfig-header-case.txt": "[AMIConfig]\nplugins = cernvm\n" + CERNVM_SHELL,
    "nasty-bom-crlf-nul.txt": ("\ufeff" + USER_DATA.replace("\n", "\r\n") + "\x00").encode(),
    "nasty-nul-in-gzip.gz": gz(USER_DATA + "keyboard = us\x00\n"),
    "nasty-not-utf8-in-base64.b64": b64((USER_DATA + "keyboard = ").encode() + b"\xff\n"),
    "nasty-gzip-empty.gz": gz(b""),
    "nasty-base64-of-gzip.b64": b64(gz(USER_DATA)),
    "nasty-gzip-of-base64.gz": gz(b64(USER_DATA)),
    "nasty-base64-nine-deep.b64": b64_times(USER_DATA, 9),
    "nasty-base64-crlf-wrapped.b64": base64.encodebytes(USER_DATA.encode()).replace(
        b"\n", b"\r\n"
    ),
    "nasty-base64-url-safe.b64": b64(USER_DATA + "environment = X=~?>\n")
    .replace(b"+", b"-")
    .replace(b"/", b"_"),
    # a secret whose line the guest keeps in two: neither half may reach a report
    "nasty-secret-continuation.txt": cernvm("users = alice:cms:x,", f"  bob:cms:{SECRET}"),
    "nasty-secret-overwritten.txt": cernvm(
        f"users = alice:cms:{SECRET} ;old", "users = alice:cms:"
    ),
    # base64 -w76 of a public bundle: the last wrapped line ends in '=' padding, so the guest
    # even reads it as a key with an empty value
    "nasty-wrapped-base64-padding-key.txt": section(
        "elastiq-setup",
        "cacerts_b64 = " + base64.encodebytes(PUBLIC_PEM * 2).decode().rstrip("\n"),
    ),
    # secrets in keys whose findings frame their line: the frame must mask them
    "nasty-secret-in-frames.txt": cernvm(
        f'entitlement_key = {SECRET}"$HOME',
        f"contextualization_key = {SECRET} ;old",
    )
    + "[mysite]\n"
    + f"api_token = {SECRET} ;old\n",
    "nasty-secret-rap-password.txt": section(
        "rpath", f'rap-password = {SECRET}"', plugin="rapadminpassword"
    ),
    "nasty-secret-noip-password.txt": section(
        "noip", "username = corpus", f"password = {SECRET}@x", "hostname = vm.example.org"
    ),
    "nasty-script-then-bracket-secret.txt": (
        "#!/bin/sh\n[ -d /opt ] && echo ok\npassword = " + SECRET + "\nexit\n" + USER_DATA
    ),
    "nasty-script-heredoc-unclosed.txt": "#!/bin/sh\ncat > /x <<EOF\nhi\nexit\n" + USER_DATA,
    "nasty-script-only.txt": SCRIPT,
    "nasty-cloud-config.txt": "#cloud-config\nruncmd:\n  - echo hi\n",
    "nasty-secret-context-sh.sh": context_sh(
        USER_DATA, f"SITE_PASSWORD='{SECRET}' echo", f"API_TOKEN=\"$HOME{SECRET}\""
    ),
    # no user data, only root's key: the CD still does something (a warning, not an error)
    "nasty-context-sh-key-only.sh": 'ROOT_PUBKEY=root.pub\nONE_CONTEXT_PATH="/var/lib/amiconfig"\n',
    "nasty-context-sh-empty.sh": b"",
    "nasty-context-sh-assignment-command.sh": context_sh(USER_DATA, "FOO=bar echo hi"),
    "nasty-context-sh-script-no-exit.sh": context_sh("#!/bin/sh\necho hi\n" + USER_DATA),
    "nasty-context-sh-gzip-user-data.sh": context_sh(gz(USER_DATA)),
    "nasty-iso-bad-user-data.iso": lambda: iso(
        ("context.sh", 'EC2_USER_DATA="not base64!"\nONE_CONTEXT_PATH="/var/lib/amiconfig"\n')
    ),
    "nasty-iso-prolog-only.iso": lambda: iso(("prolog.sh", "")),
    "nasty-iso-upper-case-name.iso": lambda: iso(("CONTEXT.SH", context_sh(USER_DATA))),
    "nasty-iso-good.iso": lambda: iso(("context.sh", context_sh(USER_DATA))),
}

INPUTS: dict[str, Content] = {**WHOLE_CODES, **VALUE_CODES, **NASTY}


def build(name: str) -> bytes:
    content = INPUTS[name]
    if callable(content):
        return content()
    return content.encode("utf-8") if isinstance(content, str) else content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="directory to write into")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in INPUTS:
        (args.out / name).write_bytes(build(name))
    print(f"wrote {len(INPUTS)} inputs to {args.out}")


if __name__ == "__main__":
    main()
