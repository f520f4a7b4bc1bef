"""Valid values for every section in the registry, as the reader hands them over: the data of
the one section test harness (tests/test_sections_registry.py), shared by the hazard tests."""

from __future__ import annotations

import base64
import zlib

from cvmctx.model.sections.amildap import Amildap, Ldap
from cvmctx.model.sections.appliance_agent import ApplianceAgent
from cvmctx.model.sections.cernvm import Cernvm
from cvmctx.model.sections.condor import Condor
from cvmctx.model.sections.disablesshpasswdauth import DisableSshPasswdAuth
from cvmctx.model.sections.dnsupdate import Dnsupdate
from cvmctx.model.sections.elastiq_setup import ElastiqSetup
from cvmctx.model.sections.ganglia import Ganglia
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
from cvmctx.model.sections.squid import Squid
from cvmctx.model.sections.storage import Storage
from cvmctx.model.sections.tcpbuffers import Tcpbuffers
from cvmctx.model.sections.vaf_setup import VafSetup
from cvmctx.model.sections.workqueue import Workqueue
from cvmctx.model.sections.yp import Yp

PEM = b"-----BEGIN CERTIFICATE-----\nMIIBszCCARygAwIBAgIJAO\n-----END CERTIFICATE-----\n"
KEY_PEM = b"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\n-----END PRIVATE KEY-----\n"
B64_PEM = base64.b64encode(PEM).decode()
ZLIB_PEM = base64.b64encode(zlib.compress(PEM)).decode()
ZLIB_KEY = base64.b64encode(zlib.compress(KEY_PEM)).decode()
PUBKEY = base64.b64encode(b"-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n").decode()
SHA512 = "$6$saltsalt$" + "a" * 86
DNS_OK = [
    ("tsighost", "vm-key"),
    ("tsigkey", "c2VjcmV0a2V5"),
    ("host", "vm01"),
    ("domain", "example.org"),
    ("server", "192.0.2.53"),
]
OVPN_OK = [
    ("server", "vpn.example.org"),
    ("port", "1194"),
    ("ca", "https://example.org/ca.crt"),
    ("cert", ZLIB_PEM),
    ("key", ZLIB_KEY),
]

#: Per section name, values that load without an error and render back to themselves.
VALID: dict[str, list[tuple[str, str]]] = {
    "amiconfig": [("plugins", "cernvm condor"), ("disabled_plugins", "rootsshkeys")],
    "hostname": [("hostname", "node1.example.org")],
    Cernvm.SECTION: [
        ("group_profile", "group-cms"),
        ("entitlement_key", "289a919c-9a97-44a9-a07d-473850bd5730"),
        ("contextualization_key", "de4248a0-3fc9-463b-a66f-88f7bc935b11:s3cret"),
        ("contextualization_command", "alice:/opt/run.sh -v"),
        ("organisations", "cms,atlas"),
        ("repositories", "cms,grid,sft.cern.ch"),
        ("extra_repositories", f"r.example.org|s.example.org:8000|{PUBKEY}"),
        ("screenres", "1280x800"),
        ("startxdm", "off"),
        ("edition", "Desktop"),
        ("keyboard", "us-acentos"),
        ("griduiversion", "default"),
        ("proxy", "http://squid.example.org:3128|http://[2001:db8::1]:3128;DIRECT"),
        ("services", "ntpd,crond"),
        ("shell", "/bin/tcsh"),
        ("auto_login", "on"),
        ("swap_size", "2g"),
        ("desktop_icons", "on"),
        ("environment", "CMS_SITECONFIG=EC2,CMS_ROOT=/opt/cms"),
        ("users", f"alice:cms:{SHA512},bob:bob:"),
        ("x509-user", "alice"),
        ("x509-cert", B64_PEM),
        ("eos-user", "alice"),
        ("eos-x509-cert", B64_PEM),
        ("eos-readaheadsize", "4000000"),
        ("eos-readcachesize", "16000000"),
        ("eos-server", "eospublic.cern.ch"),
    ],
    Storage.SECTION: [
        ("daemon", "yes"),
        ("pre-allocated-space", "20"),
        ("relocate-paths", "/srv/rmake-builddir:/srv/mysql"),
    ],
    Condor.SECTION: [
        ("hostname", "wn1.example.org"),
        ("condor_master", "cm.example.org"),
        ("condor_secret", "s3cr3t-pool_pw"),
        ("collector_name", "My Pool"),
        ("condor_user", "condor"),
        ("condor_group", "condor"),
        ("condor_dir", "/home/condor/condor"),
        ("condor_admin", "root@cm.example.org"),
        ("highport", "9700"),
        ("lowport", "9600"),
        ("uid_domain", "*"),
        ("allow_write", "*.example.org"),
        ("extra_vars", "NUM_SLOTS = 4,STARTD_ATTRS = X"),
        ("use_ips", "true"),
    ],
    Squid.SECTION: [
        ("backends", "cvmfs-stratum-one.cern.ch,192.0.2.0/24"),
        ("cache_dir", "/var/spool/squid"),
        ("cache_dir_size", "50000"),
    ],
    Ganglia.SECTION: [
        ("name", "CernVM"),
        ("owner", "unknown"),
        ("latlong", "N46.2-E6.1"),
        ("url", "unknown"),
        ("location", "Geneva"),
        ("host", "gmond.example.org"),
        ("bind_hostname", "no"),
        ("port", "8649"),
        ("ttl", "1"),
    ],
    RootSshKeys.SECTION: [],
    DisableSshPasswdAuth.SECTION: [],
    Dnsupdate.SECTION: [*DNS_OK, ("prefix", "node"), ("start", "1")],
    Noip.SECTION: [
        ("username", "me"),
        ("password", "pw-1!"),
        ("prefix", "vm"),
        ("domain", "no-ip.org"),
        ("start", "0"),
        ("hostname", "vm.no-ip.org"),
    ],
    Openvpn.SECTION: [
        *OVPN_OK,
        ("nameserver", "192.0.2.1"),
        ("search", "a.example.org b.example.org"),
        ("proto", "tcp"),
    ],
    Nss.SECTION: [
        ("passwd", "files ldap"),
        ("group", "files"),
        ("bootparams", "nisplus [NOTFOUND=return] files"),
        ("aliases", "files nisplus"),
    ],
    Amildap.SECTION: [("base", "dc=example,dc=org"), ("url", "ldap://ldap.example.org")],
    Ldap.SECTION: [("base", "dc=example,dc=org"), ("url", "ldap://ldap.example.org")],
    Yp.SECTION: [("ypserver", "nis.example.org")],
    Puppet.SECTION: [
        ("puppet_server", "puppet"),
        ("puppet_port", "8140"),
        ("puppet_log", "/var/log/puppet/puppet.log"),
        ("puppet_extra_opts", "--waitforcert=500"),
    ],
    Tcpbuffers.SECTION: [
        ("net.core.rmem_max", "16777216"),
        ("net.ipv4.tcp_rmem", "4096 87380 16777216"),
        ("net.ipv4.tcp_sack", "1"),
        ("var", "1"),
    ],
    Workqueue.SECTION: [
        ("catalog_server", "cat.example.org"),
        ("workqueue_project", "p"),
        ("workqueue_user", "wq"),
    ],
    ApplianceAgent.SECTION: [("password", "secret pw%")],
    ElastiqSetup.SECTION: [("cacerts_b64", B64_PEM), ("ec2_api_url", "https://ec2.example.org")],
    VafSetup.SECTION: [
        ("node_type", "master"),
        ("auth_method", "pool_users"),
        ("num_pool_accounts", "20"),
        ("client_settings", "alice"),
        ("alice_storage", "root://eos"),
    ],
    Hepix.SECTION: [("context", "site.tgz")],
    Rpath.SECTION: [
        ("rap-password", "pw"),
        ("conaryproxy", "http://proxy.example.org:3128"),
        ("rapcert", "https://example.org/raa.pem"),
    ],
    Rmake.SECTION: [("server", "x")],
    Configscripts.SECTION: [("bundle", "x")],
    Callback.SECTION: [("ec2_url", "https://ec2.example.org")],
    SfcbClientSetup.SECTION: [("boot-uuid", "1234")],
    CernvmAppliance.SECTION: [("password", "pw")],
}
