"""Every section (and section-less plugin) the CernVM guest knows: an explicit registry.

One module per section; the class docstring is the user documentation that
``cvmctx sections NAME`` prints. Add a section by writing its module and listing it in
:data:`INDEX` (tests/test_sections_registry.py checks the entry against the class).

The registry builds a section's pydantic model only when the section is used: :data:`INDEX`
holds what the rest of the code asks of every section (its name, its plugins, whether it has a
section, its secret keys) without importing any model, so a file with a ``[cernvm]`` section
builds the cernvm model and no other (start-up time: issue 15).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cvmctx.model.sections._base import Section


@dataclass(frozen=True)
class SectionInfo:
    """What is known of a section without building its model."""

    name: str  # as the guest looks it up
    module: str  # cvmctx.model.sections.<module>
    cls: str  # the model's class name there
    has_section: bool  # False for a section-less plugin ([rootsshkeys] ...)
    plugins: tuple[str, ...]  # the plugins that read it, the first one enabled by --section
    secret_keys: tuple[str, ...]  # keys whose values are secret (masked in every report)


#: Every section, in the order help and the docs list them.
INDEX: tuple[SectionInfo, ...] = (
    SectionInfo("amiconfig", "amiconfig", "Amiconfig", True, (), ()),
    SectionInfo("cernvm", "cernvm", "Cernvm", True, ("cernvm",),
                ("contextualization_key", "entitlement_key", "eos-x509-cert", "x509-cert")),
    SectionInfo("rootsshkeys", "rootsshkeys", "RootSshKeys", False, ("rootsshkeys",), ()),
    SectionInfo("disablesshpasswdauth", "disablesshpasswdauth", "DisableSshPasswdAuth", False,
                ("disablesshpasswdauth",), ()),
    SectionInfo("hostname", "hostname", "Hostname", True, ("hostname",), ()),
    SectionInfo("dnsupdate", "dnsupdate", "Dnsupdate", True, ("dnsupdate",), ("tsigkey",)),
    SectionInfo("noip", "noip", "Noip", True, ("noip",), ("password",)),
    SectionInfo("openvpn", "openvpn", "Openvpn", True, ("openvpn",), ("key",)),
    SectionInfo("storage", "storage", "Storage", True, ("storage",), ()),
    SectionInfo("condor", "condor", "Condor", True, ("condor",), ("condor_secret",)),
    SectionInfo("ganglia", "ganglia", "Ganglia", True, ("ganglia",), ()),
    SectionInfo("nss", "nss", "Nss", True, ("nss",), ()),
    SectionInfo("amildap", "amildap", "Amildap", True, ("amildap",), ()),
    SectionInfo("ldap", "amildap", "Ldap", True, ("ldap",), ()),
    SectionInfo("yp", "yp", "Yp", True, ("yp",), ()),
    SectionInfo("squid", "squid", "Squid", True, ("squid",), ()),
    SectionInfo("puppet", "puppet", "Puppet", True, ("puppet",), ()),
    SectionInfo("tcpbuffers", "tcpbuffers", "Tcpbuffers", True, ("tcpbuffers",), ()),
    SectionInfo("workqueue", "workqueue", "Workqueue", True, ("workqueue",), ()),
    SectionInfo("appliance-agent", "appliance_agent", "ApplianceAgent", True,
                ("appliance-agent",), ("password",)),
    SectionInfo("elastiq-setup", "elastiq_setup", "ElastiqSetup", True, ("elastiq-setup",), ()),
    SectionInfo("vaf-setup", "vaf_setup", "VafSetup", True, ("vaf-setup",), ()),
    SectionInfo("hepix", "hepix", "Hepix", True, ("hepix",), ()),
    SectionInfo("rpath", "rpath", "Rpath", True,
                ("rapadminpassword", "conaryproxy", "rapcert", "raprsakey"), ("rap-password",)),
    SectionInfo("rmake", "removed", "Rmake", True, ("rmakenode", "rmakeserver"), ()),
    SectionInfo("configscripts", "removed", "Configscripts", True, ("configscripts",), ()),
    SectionInfo("callback", "removed", "Callback", True, ("callback",), ()),
    SectionInfo("sfcb-client-setup", "removed", "SfcbClientSetup", True, (), ()),
    SectionInfo("cernvm_appliance", "removed", "CernvmAppliance", True, (), ()),
)  # fmt: skip


class _Registry(Mapping[str, "type[Section]"]):
    """Section name -> model, each model imported (and built by pydantic) on first use."""

    def __init__(self, index: tuple[SectionInfo, ...]) -> None:
        self._info = {info.name: info for info in index}
        self._models: dict[str, type[Section]] = {}

    def __getitem__(self, name: str) -> type[Section]:
        model = self._models.get(name)
        if model is None:
            info = self._info[name]  # KeyError for an unknown name, as a Mapping raises
            module = importlib.import_module(f"{__name__}.{info.module}")
            model = self._models[name] = getattr(module, info.cls)
        return model

    def __contains__(self, name: object) -> bool:
        return name in self._info  # without building the model

    def __iter__(self) -> Iterator[str]:
        return iter(self._info)

    def __len__(self) -> int:
        return len(self._info)

    def info(self, name: str) -> SectionInfo | None:
        """What is known of ``name`` without building its model (None: no such section)."""
        return self._info.get(name)


#: Section name (as the guest looks it up) -> model.
REGISTRY = _Registry(INDEX)


@cache
def known_sections() -> frozenset[str]:
    """Names of the sections some guest plugin reads (section-less plugins excluded)."""
    return frozenset(info.name for info in INDEX if info.has_section)


@cache
def plugin_sections() -> Mapping[str, SectionInfo]:
    """Plugin name -> the section it reads (or the section-less plugin), without models."""
    return {plugin: info for info in INDEX for plugin in info.plugins}


@cache
def secret_key_names() -> frozenset[str]:
    """Every key that is secret in some section."""
    return frozenset(key for info in INDEX for key in info.secret_keys)


__all__ = ["INDEX", "REGISTRY", "SectionInfo", "known_sections", "plugin_sections",
           "secret_key_names"]  # fmt: skip
