"""Every section (and section-less plugin) the CernVM guest knows: an explicit registry.

One module per section; the class docstring is the user documentation that
``cvmctx sections NAME`` prints. Add a section by writing its module and listing it here.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from cvmctx.model.sections._base import Section
from cvmctx.model.sections.amiconfig import Amiconfig
from cvmctx.model.sections.amildap import Amildap, Ldap
from cvmctx.model.sections.appliance_agent import ApplianceAgent
from cvmctx.model.sections.cernvm import Cernvm
from cvmctx.model.sections.condor import Condor
from cvmctx.model.sections.disablesshpasswdauth import DisableSshPasswdAuth
from cvmctx.model.sections.dnsupdate import Dnsupdate
from cvmctx.model.sections.elastiq_setup import ElastiqSetup
from cvmctx.model.sections.ganglia import Ganglia
from cvmctx.model.sections.hepix import Hepix
from cvmctx.model.sections.hostname import Hostname
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
