"""Every section (and section-less plugin) the CernVM guest knows: an explicit registry.

One module per section; the class docstring is the user documentation that
``cvmctx sections NAME`` prints. Add a section by writing its module and listing it here.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from cvmctx.sections._base import Section
from cvmctx.sections.amiconfig import Amiconfig
from cvmctx.sections.amildap import Amildap, Ldap
from cvmctx.sections.appliance_agent import ApplianceAgent
from cvmctx.sections.cernvm import Cernvm
from cvmctx.sections.condor import Condor
from cvmctx.sections.disablesshpasswdauth import DisableSshPasswdAuth
from cvmctx.sections.dnsupdate import Dnsupdate
from cvmctx.sections.elastiq_setup import ElastiqSetup
from cvmctx.sections.ganglia import Ganglia
from cvmctx.sections.hepix import Hepix
from cvmctx.sections.hostname import Hostname
from cvmctx.sections.noip import Noip
from cvmctx.sections.nss import Nss
from cvmctx.sections.openvpn import Openvpn
from cvmctx.sections.puppet import Puppet
from cvmctx.sections.removed import Callback, CernvmAppliance, Configscripts, Rmake, SfcbClientSetup
from cvmctx.sections.rootsshkeys import RootSshKeys
from cvmctx.sections.rpath import Rpath
from cvmctx.sections.squid import Squid
from cvmctx.sections.storage import Storage
from cvmctx.sections.tcpbuffers import Tcpbuffers
from cvmctx.sections.vaf_setup import VafSetup
from cvmctx.sections.workqueue import Workqueue
from cvmctx.sections.yp import Yp

_MODELS: tuple[type[Section], ...] = (
    Amiconfig,
    Cernvm,
    RootSshKeys,
    DisableSshPasswdAuth,
    Hostname,
    Dnsupdate,
    Noip,
    Openvpn,
    Storage,
    Condor,
    Ganglia,
    Nss,
    Amildap,
    Ldap,
    Yp,
    Squid,
    Puppet,
    Tcpbuffers,
    Workqueue,
    ApplianceAgent,
    ElastiqSetup,
    VafSetup,
    Hepix,
    Rpath,
    Rmake,
    Configscripts,
    Callback,
    SfcbClientSetup,
    CernvmAppliance,
)

#: Section name (as the guest looks it up) -> model.
REGISTRY: Mapping[str, type[Section]] = {cls.SECTION: cls for cls in _MODELS}


@cache
def known_sections() -> frozenset[str]:
    """Names of the sections some guest plugin reads (section-less plugins excluded)."""
    return frozenset(name for name, cls in REGISTRY.items() if cls.HAS_SECTION)


__all__ = ["REGISTRY", "Section", "known_sections"]
