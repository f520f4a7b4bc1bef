"""The plugin section models: every guest hazard gives its exact finding, valid data round-trips,
and no secret ever shows up in a message or hint (guest-format.md §3.2-§3.23)."""

from __future__ import annotations

import base64
import zlib

import pytest
from sectiondata import B64_PEM, DNS_OK, OVPN_OK
from sectionkit import COLUMN, LINE, assert_finding, load, one

from cvmctx.diagnostics import Severity
from cvmctx.model.sections import REGISTRY
from cvmctx.model.sections._base import Section
from cvmctx.model.sections.amildap import Ldap
from cvmctx.model.sections.appliance_agent import ApplianceAgent
from cvmctx.model.sections.disablesshpasswdauth import DisableSshPasswdAuth
from cvmctx.model.sections.dnsupdate import Dnsupdate
from cvmctx.model.sections.elastiq_setup import ElastiqSetup
from cvmctx.model.sections.hepix import Hepix
from cvmctx.model.sections.noip import Noip
from cvmctx.model.sections.nss import Nss
from cvmctx.model.sections.openvpn import Openvpn
from cvmctx.model.sections.puppet import Puppet
from cvmctx.model.sections.removed import (
    Callback,
    CernvmAppliance,
    Configscripts,
    Rmake,
    SfcbClientSetup,
)
from cvmctx.model.sections.rootsshkeys import RootSshKeys
from cvmctx.model.sections.rpath import Rpath
from cvmctx.model.sections.tcpbuffers import Tcpbuffers
from cvmctx.model.sections.vaf_setup import VafSetup
from cvmctx.model.sections.workqueue import Workqueue
from cvmctx.model.sections.yp import Yp

MARKER = "S3cr3tMarker"






# ------------------------------------------------------------------ hazards
# (class, values, code, severity, line, column): the finding the first value (at LINE, COLUMN)
# or the section as a whole (line None) must give.
E, W = Severity.ERROR, Severity.WARNING
HAZARDS = [
    # §3.2, §3.3: plugins that read no section
    (RootSshKeys, [], "section.not-read", W, None, None),
    (RootSshKeys, [("key", "ssh-rsa AAAA")], "section.not-read", W, None, None),
    (DisableSshPasswdAuth, [], "section.not-read", W, None, None),
    # §3.5 dnsupdate
    (
        Dnsupdate,
        [("tsigkey", "not base64!"), *DNS_OK[2:]],  # 'notbase64': 9 characters, no padding
        "dnsupdate.tsigkey.not-base64",
        E,
        LINE,
        COLUMN,
    ),
    (
        Dnsupdate,
        [("server", "ns.example.org"), *DNS_OK[:4]],
        "dnsupdate.server.not-ip",
        W,
        LINE,
        COLUMN,
    ),
    (Dnsupdate, [("hostname", "vm01.example.org"), *DNS_OK], "key.not-read", W, LINE, 1),
    (Dnsupdate, [("start", "no"), *DNS_OK], "dnsupdate.start.not-integer", E, LINE, COLUMN),
    (Dnsupdate, [("tsighost", "vm-key")], "dnsupdate.missing-key", E, None, None),
    (Dnsupdate, [("prefix", "node"), *DNS_OK], "dnsupdate.key-ignored", W, None, None),
    # §3.6 noip
    (
        Noip,
        [("password", "pa@ss"), ("username", "me"), ("hostname", "vm.no-ip.org")],
        "noip.password.character",
        E,
        LINE,
        COLUMN + 2,
    ),
    (Noip, [("password", "pa:ss")], "noip.password.character", E, LINE, COLUMN + 2),
    (Noip, [("password", "pa/ss")], "noip.password.character", E, LINE, COLUMN + 2),
    (Noip, [("password", "pa#ss")], "noip.password.character", E, LINE, COLUMN + 2),
    (Noip, [("username", "me@x")], "noip.username.character", E, LINE, COLUMN + 2),
    (Noip, [("start", "no")], "noip.start.not-integer", E, LINE, COLUMN),
    (Noip, [("hostname", "vm.no-ip.org")], "noip.missing-key", E, None, None),
    (
        Noip,
        [("username", "me"), ("password", "pw"), ("prefix", "node")],
        "noip.missing-key",
        E,
        None,
        None,
    ),
    # §3.7 openvpn
    (Openvpn, [("ca", B64_PEM), *OVPN_OK[:2], *OVPN_OK[3:]], "openvpn.ca.not-url", E, LINE, COLUMN),
    (Openvpn, [("ca", "-----BEGIN CERTIFICATE-----")], "openvpn.ca.not-url", E, LINE, COLUMN),
    (Openvpn, [("cert", B64_PEM)], "openvpn.cert.not-zlib-base64", E, LINE, COLUMN),
    (
        Openvpn,
        [("key", base64.b64encode(zlib.compress(b"no pem")).decode())],
        "openvpn.key.not-pem",
        E,
        LINE,
        COLUMN,
    ),
    (Openvpn, [("proto", "TCP")], "openvpn.proto.case", E, LINE, COLUMN),
    (Openvpn, [("proto", "icmp")], "openvpn.proto.choice", E, LINE, COLUMN),
    (Openvpn, [("port", "1194/udp")], "openvpn.port.not-integer", E, LINE, COLUMN),
    (Openvpn, [("nameserver", "dns.example.org")], "openvpn.nameserver.not-ip", E, LINE, COLUMN),
    (Openvpn, [("server", "vpn.example.org")], "openvpn.missing-key", E, None, None),
    (Openvpn, [("search", "example.org"), *OVPN_OK], "openvpn.key-ignored", W, None, None),
    # §3.12 nss
    (Nss, [("passwd", "files#ldap")], "nss.passwd.character", E, LINE, COLUMN + 5),
    (Nss, [("hosts", "files&dns")], "nss.hosts.character", E, LINE, COLUMN + 5),
    (Nss, [("password", "files")], "nss.password.renamed", W, LINE, 1),
    # §3.13 ldap
    (Ldap, [("base", "dc=example,dc=org")], "ldap.renamed", W, None, None),
    # §3.14 yp
    (Yp, [("domain", 'nis"x')], "yp.domain.character", E, LINE, COLUMN + 3),
    (Yp, [("ypserver", "nis.example.org"), ("domain", "nis")], "yp.key-ignored", W, None, None),
    (Yp, [("server", "nis.example.org")], "yp.key-ignored", W, None, None),
    # §3.16 puppet
    (Puppet, [("puppet_port", "http")], "puppet.puppet_port.not-integer", E, LINE, COLUMN),
    (
        Puppet,
        [("puppetmaster_log", "syslog"), ("puppet_server", "puppet")],
        "puppet.key-ignored",
        W,
        None,
        None,
    ),
    (Puppet, [("puppet_log", "syslog")], "puppet.key-ignored", W, None, None),
    # §3.17 tcpbuffers
    (Tcpbuffers, [("net.core.rmem_max", "16777216")], "tcpbuffers.broken", W, None, None),
    # §3.18 workqueue
    (
        Workqueue,
        [("catalog_server", "cat.example.org:9097")],
        "workqueue.catalog_server.character",
        E,
        LINE,
        COLUMN + 15,
    ),
    (Workqueue, [("workqueue_project", "p")], "workqueue.key-ignored", W, None, None),
    # §3.19 appliance-agent (any key: a value must fit on one line)
    (
        ApplianceAgent,
        [("password", "pw\nsecond")],
        "appliance-agent.password.newline",
        E,
        LINE,
        COLUMN + 2,
    ),
    # §3.20 elastiq-setup
    (
        ElastiqSetup,
        [("cacerts_b64", "not base64")],
        "elastiq-setup.cacerts_b64.not-base64",
        E,
        LINE,
        COLUMN,
    ),
    (
        ElastiqSetup,
        [("cacerts_b64", base64.b64encode(b"plain").decode())],
        "elastiq-setup.cacerts_b64.not-pem",
        E,
        LINE,
        COLUMN,
    ),
    (ElastiqSetup, [("quota", "3")], "key.unknown", W, LINE, 1),
    # §3.21 vaf-setup
    (VafSetup, [("auth_method", "ldap")], "vaf-setup.auth_method.choice", E, LINE, COLUMN),
    (VafSetup, [("auth_method", "Pool_Users")], "vaf-setup.auth_method.case", E, LINE, COLUMN),
    (
        VafSetup,
        [("node_type", "Master"), ("auth_method", "alice_ldap")],
        "vaf-setup.node_type.case",
        E,
        LINE,
        COLUMN,
    ),
    (
        VafSetup,
        [("num_pool_accounts", "1"), ("auth_method", "alice_ldap")],
        "vaf-setup.num_pool_accounts.too-small",
        E,
        LINE,
        COLUMN,
    ),
    (VafSetup, [("auth_method", "pool_users")], "vaf-setup.missing-key", E, None, None),
    (VafSetup, [("node_type", "master")], "vaf-setup.missing-key", E, None, None),
    (
        VafSetup,
        [("cms_storage", "x"), ("client_settings", "alice"), ("auth_method", "alice_ldap")],
        "vaf-setup.key-ignored",
        W,
        None,
        None,
    ),
    # §3.22 hepix
    # site_context: only an empty requiressl means http; 'no' means https (§3.22)
    (Hepix, [("requiressl", "no")], "hepix.requiressl.https-anyway", W, LINE, COLUMN),
    (Hepix, [("requiressl", "")], "hepix.requiressl.plain-http", W, LINE, COLUMN),
    (Hepix, [("context", "")], "hepix.context.empty", E, LINE, COLUMN),
    (Hepix, [("context", "my ctx.tgz")], "hepix.context.character", E, LINE, COLUMN + 2),
    # §3.23 rpath and the removed plugins
    (Rpath, [("conaryproxy", "http://proxy:3128")], "rpath.removed", W, None, None),
    (Rpath, [("rap-password", 'a"b')], "rpath.rap-password.character", E, LINE, COLUMN + 1),
    (Rpath, [("conaryproxy", "proxy:3128")], "rpath.conaryproxy.not-url", E, LINE, COLUMN),
    (Rmake, [("server", "x")], "rmake.removed", W, None, None),
    (Configscripts, [("bundle", "x")], "configscripts.removed", W, None, None),
    (Callback, [("ec2_url", "https://ec2")], "callback.removed", W, None, None),
    (SfcbClientSetup, [("boot-uuid", "x")], "sfcb-client-setup.not-loadable", W, None, None),
    (CernvmAppliance, [("password", "pw")], "cernvm_appliance.not-read", W, None, None),
]


@pytest.mark.parametrize(
    ("cls", "values", "code", "severity", "line", "column"),
    HAZARDS,
    ids=[f"{h[0].SECTION}:{h[2]}:{i}" for i, h in enumerate(HAZARDS)],
)
def test_hazard_gives_its_finding(
    cls: type[Section],
    values: list[tuple[str, str]],
    code: str,
    severity: Severity,
    line: int | None,
    column: int | None,
) -> None:
    assert_finding(cls, values, code, severity, line, column)


def test_refused_value_stays_out_of_the_model() -> None:
    model, _ = load(Noip, [("password", "pa@ss")])
    assert isinstance(model, Noip) and model.password is None
    model, _ = load(Openvpn, [("ca", B64_PEM)])
    assert isinstance(model, Openvpn) and model.ca is None


def test_warned_value_is_kept() -> None:
    model, _ = load(Dnsupdate, [("server", "ns.example.org")])
    assert isinstance(model, Dnsupdate) and model.server == "ns.example.org"


def test_ca_message_says_it_must_be_a_url() -> None:
    _, diags = load(Openvpn, [("ca", B64_PEM)])
    assert "URL" in one(diags, "openvpn.ca.not-url").message


def test_nss_password_is_written_as_passwd() -> None:
    model, _ = load(Nss, [("password", "files ldap")])
    assert isinstance(model, Nss) and model.passwd == "files ldap"
    assert model.items() == [("passwd", "files ldap")]
    assert model.other == {}


def test_dnsupdate_hostname_is_kept_but_not_read() -> None:
    model, _ = load(Dnsupdate, [("hostname", "vm01")])
    assert model.other == {"hostname": "vm01"}


def test_sectionless_plugins() -> None:
    sectionless = ((RootSshKeys, "rootsshkeys"), (DisableSshPasswdAuth, "disablesshpasswdauth"))
    for cls, plugin in sectionless:
        assert cls.HAS_SECTION is False
        assert (plugin, (plugin,)) == (cls.SECTION, cls.PLUGINS)
        assert cls.key_specs() == []
    _, diags = RootSshKeys.load([])
    assert "root.pub" in one(diags, "section.not-read").message
    others = [c for c in REGISTRY.values() if c not in (RootSshKeys, DisableSshPasswdAuth)]
    assert all(c.HAS_SECTION for c in others)


def test_elastiq_pattern_keys_are_kept_silently() -> None:
    model, diags = load(ElastiqSetup, [("ec2_api_url", "https://x"), ("quota_min_vms", "2")])
    assert diags == []
    assert model.other == {"ec2_api_url": "https://x", "quota_min_vms": "2"}


def test_vaf_client_settings_keys_are_read() -> None:
    values = [("client_settings", "alice"), ("auth_method", "alice_ldap"), ("alice_storage", "s")]
    _, diags = load(VafSetup, values)
    assert diags == []


def test_removed_sections_keep_every_key_with_one_warning() -> None:
    for cls in (Rmake, Configscripts, Callback, SfcbClientSetup, CernvmAppliance):
        model, diags = load(cls, [("anything", "x"), ("ec2_secret_key", "y")])
        assert cls.GUEST_WARNING is not None
        assert [d.code for d in diags] == [cls.GUEST_WARNING[0].code]
        assert model.other == {"anything": "x", "ec2_secret_key": "y"}


def test_guest_defaults() -> None:
    specs = Hepix.key_specs()
    assert {s.key: s.guest_default for s in specs} == {
        "context": "default.tgz",
        "requiressl": "no",
    }
    proto = Openvpn.key_spec("proto")
    assert proto is not None and proto.guest_default == "udp"


# ------------------------------------------------------------------ secrets
def test_secret_keys_are_marked() -> None:
    assert Dnsupdate.secret_keys() == {"tsigkey"}
    assert Noip.secret_keys() == {"password"}
    assert Openvpn.secret_keys() == {"key"}
    assert ApplianceAgent.secret_keys() == {"password"}
    assert Rpath.secret_keys() == {"rap-password"}


def test_secret_refusals_are_reported() -> None:
    """The secret test above exercises refusals, not only clean loads."""
    for cls in (Dnsupdate, Noip, Openvpn, ApplianceAgent, Rpath):
        (key,) = cls.secret_keys()
        _, diags = load(cls, [(key, f'{MARKER}@:/#&"\nx')])
        assert any(d.code.startswith(f"{cls.SECTION}.{key}.") for d in diags), cls.SECTION
