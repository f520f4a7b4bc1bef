"""Codes of plugins and sections: per section, and whole codes of the plugins.

Declared here once; docs/diagnostics.md is generated from the catalog
(``python -m cvmctx.catalog``), in the order of declaration."""

from __future__ import annotations

from cvmctx.catalog.code import Page

PAGE = Page()

PAGE.prose(
    """## Plugins and sections

Which plugins run, and what each does with its section ([§2](guest.md#s2), [§3](guest.md#s3)). Several of these come from the
whole user data rather than one value.
"""
)

PLUGIN_NOT_ENABLED = PAGE.code(
    'plugin.not-enabled',
    "warning",
    """The section's plugin is not enabled, so the guest ignores the section. CernVM's
`default.cfg` enables only `rootsshkeys`, whatever the seed says about `cernvm` ([§2](guest.md#s2), [§6](guest.md#s6)).
**Fix:** add the plugin to `[amiconfig] plugins` (`cvmctx build` does this by default), or
remove it from `disabled_plugins`.""",
)

PLUGIN_NO_SECTION = PAGE.code(
    'plugin.no-section',
    "warning",
    """A plugin is enabled but its section is absent: without its keys the plugin does
nothing ([§2](guest.md#s2)). **Fix:** add the section, or remove the plugin from `plugins`.""",
)

PLUGIN_RUNS_WITHOUT_SECTION = PAGE.code(
    'plugin.runs-without-section',
    "info",
    """A plugin that runs with its defaults is enabled without its section: squid starts with
a 50000 MB cache, ganglia writes its template defaults, workqueue starts a catalog server, cernvm
writes its defaults ([§3.9](guest.md#s3.9), [§3.11](guest.md#s3.11), [§3.15](guest.md#s3.15), [§3.18](guest.md#s3.18)). **Fix:** add the section to set its keys.""",
)

AMICONFIG_PLUGINS_UNKNOWN = PAGE.code(
    'amiconfig.plugins.unknown',
    "warning",
    """No CernVM plugin has this name; the guest ignores it ([§2](guest.md#s2)). Names are compared as the
guest reads them, in lower case (`CernVM` is `cernvm`). Fine for a site plugin. A word of
separators only (a lone `,` or `\\`) is reported here too: it enables nothing, and changes
nothing. **Fix:** check the name (the message suggests a near match).""",
)

AMICONFIG_DISABLED_PLUGINS_UNKNOWN = PAGE.code(
    'amiconfig.disabled_plugins.unknown',
    "warning",
    """`disabled_plugins` names a plugin no CernVM plugin has, so disabling it does
nothing: `disabled_plugins = rootsshkey` leaves `rootsshkeys` on ([§2](guest.md#s2)). Fine for a site plugin.
**Fix:** check the name (the message suggests a near match).""",
)

AMICONFIG_PLUGINS_ALSO_DISABLED = PAGE.code(
    'amiconfig.plugins.also-disabled',
    "warning",
    """A plugin is both in `plugins` and in `disabled_plugins`: the guest disables it ([§2](guest.md#s2)).
**Fix:** remove it from one of the lists.""",
)

AMICONFIG_DEFAULT_DISABLED = PAGE.code(
    'amiconfig.default-disabled',
    "info",
    """`disabled_plugins` turns off `rootsshkeys`, which is on by default: no root ssh key is
installed ([§2](guest.md#s2), [§3.2](guest.md#s3.2)). Nothing to fix if that is meant.""",
)

SECTION_NOT_READ = PAGE.code(
    'section.not-read',
    "warning",
    """The plugin reads no section (`rootsshkeys`, `disablesshpasswdauth`): the guest
ignores `[rootsshkeys]` and `[disablesshpasswdauth]`; cvmctx writes nothing for them ([§3.2](guest.md#s3.2),
[§3.3](guest.md#s3.3)). **Fix:** remove the section; enable the plugin in `[amiconfig] plugins` (root's key comes
from the meta-data or the CD's `root.pub`).""",
)

KEY_UNKNOWN = PAGE.code(
    'key.unknown',
    "warning",
    """The section's plugin does not read this key; the guest ignores it ([§2](guest.md#s2)). cvmctx keeps
it verbatim. **Fix:** check the spelling (the hint suggests a near match).""",
)

KEY_NOT_READ = PAGE.code(
    'key.not-read',
    "warning",
    """The seed documents this key, but the guest never reads it: `[cernvm] config_url`,
`[condor] filesystem_domain`, `localconfig`, `slots`, `slot_user`, `cannonical_user` ([§3.10](guest.md#s3.10),
[§6](guest.md#s6)), `[dnsupdate] hostname` ([§3.5](guest.md#s3.5)), `[squid] cvmfs_server`, `cache_mem`,
`maximum_object_size_in_memory` ([§3.15](guest.md#s3.15)), `[amiconfig] disabed_plugins` (the seed's misspelling:
it disables nothing and `rootsshkeys` stays on, [§2](guest.md#s2), [§6](guest.md#s6)). **Fix:** remove it; the message says
what to use instead (`extra_vars` for condor, `backends` for squid, `disabled_plugins` for
amiconfig). `cvmctx build` refuses `disabed_plugins` (`build.misspelled-key`).""",
)

MISSING_KEY = PAGE.code(
    '<section>.missing-key',
    "error",
    """Reported as `dnsupdate.missing-key`, `noip.missing-key`, `openvpn.missing-key` and
`vaf-setup.missing-key`. The plugin needs keys that are not set and silently returns or aborts
without them: dnsupdate needs `tsighost`, `tsigkey`, `host`, `domain` and `server` ([§3.5](guest.md#s3.5)); noip
`username`, `password` and `hostname` or `prefix`/`domain`/`start` ([§3.6](guest.md#s3.6)); openvpn `server`,
`port`, `ca`, `cert` and `key` ([§3.7](guest.md#s3.7)); vaf-setup `auth_method`, and `num_pool_accounts` with
`pool_users` ([§3.21](guest.md#s3.21)). **Fix:** set the keys the message names.""",
)

CERNVM_MISSING_KEY = PAGE.code(
    'cernvm.missing-key',
    "error",
    """`eos-x509-cert` is set with no `eos-user` or `users`, or `eos-server` with no proxy
certificate (`x509-cert`, `x509-cert-file` or `eos-x509-cert`). The guest's cernvm plugin then
fails (a NameError) and skips everything after it ([§3.9](guest.md#s3.9)). **Fix:** set `eos-user` (or `users`);
give the proxy with `--x509-proxy FILE`.""",
)

CERNVM_KEY_IGNORED = PAGE.code(
    'cernvm.key-ignored',
    "warning",
    """A `[cernvm]` key that has no effect as combined: `eos-server` without `eos-user` or
`users` (EOS is not mounted), `eos-readaheadsize`/`eos-readcachesize` without `eos-server`, or
`x509-cert-file` together with `x509-cert` (the guest copies the file, then overwrites it with
`x509-cert`) ([§3.9](guest.md#s3.9)). **Fix:** set the missing key, or remove the ignored one.""",
)

CERNVM_CONTEXTUALIZATION_COMMAND_USER_NOT_CREATED = PAGE.code(
    'cernvm.contextualization_command.user-not-created',
    "warning",
    """The command's user is not created by `users`: the guest runs the command only if
that user already exists on the image with a uid of 500 or more ([§3.9](guest.md#s3.9)). **Fix:** add
`user:group:` to `users`.""",
)

CONDOR_KEY_TOO_BIG = PAGE.code(
    'condor.<key>.too-big',
    "error",
    """Reported as `condor.highport.too-big` or `condor.lowport.too-big`: the value is over
65535, which is not a port condor can use ([§3.10](guest.md#s3.10)). **Fix:** write a port between 1024 and
65535.""",
)

CONDOR_PORTS = PAGE.code(
    'condor.ports',
    "error",
    """`lowport` is not below `highport` (counting the guest's defaults 9600 and 9700 for the
one not set), so condor's port range is empty ([§3.10](guest.md#s3.10)). **Fix:** set both, `lowport` the smaller.""",
)

CONDOR_BEFORE_HOSTNAME = PAGE.code(
    'condor.before-hostname',
    "info",
    """`[condor]` (central manager, no `hostname` of its own) and `[hostname]` are both
enabled. The guest runs condor before hostname, so `CONDOR_HOST` is the name from before
`[hostname]` sets it (plugin order as simulated, not verified on a guest) ([§2](guest.md#s2), [§3.10](guest.md#s3.10)). **Fix:**
set the same name in `[condor] hostname` too.""",
)

HOSTNAME_CONFLICT = PAGE.code(
    'hostname.conflict',
    "warning",
    """`[condor] hostname` and `[hostname] hostname` differ. The guest sets both, condor
first, so condor is configured with one name and the machine ends up with the other ([§2](guest.md#s2), [§3.4](guest.md#s3.4),
[§3.10](guest.md#s3.10)). **Fix:** set the same host name in both, or in only one.""",
)

HOSTNAME_CONTEXT_CD = PAGE.code(
    'hostname.context-cd',
    "error",
    """The hostname plugin is enabled with no `hostname` key, so it takes
the meta-data `local-hostname`, which a context CD does not provide: the plugin fails ([§1.2](guest.md#s1.2),
[§3.4](guest.md#s3.4)). **Fix:** set `[hostname] hostname`.""",
    qualifier='context CD only',
)

DNSUPDATE_CONTEXT_CD = PAGE.code(
    'dnsupdate.context-cd',
    "error",
    """dnsupdate needs EC2 meta-data (`public-ipv4`, `instance-id`), which a
context CD does not provide: the plugin fails and DNS is not updated ([§3.5](guest.md#s3.5)). **Fix:** update DNS
from the `#!` script, or use the cloud's meta-data service instead of a CD.""",
    qualifier='context CD only',
)

DNSUPDATE_KEY_IGNORED = PAGE.code(
    'dnsupdate.key-ignored',
    "warning",
    """Only one of `prefix` and `start` is set. Template mode needs `prefix`, `domain` and
`start` together; otherwise the guest ignores the one given and updates `host` ([§3.5](guest.md#s3.5)). **Fix:**
set the other one too, or remove it.""",
)

NOIP_CONTEXT_CD = PAGE.code(
    'noip.context-cd',
    "error",
    """Without `hostname`, noip builds the name from the meta-data launch
index, which a context CD does not provide: the plugin fails ([§3.6](guest.md#s3.6)). **Fix:** set `hostname` to
the full No-IP host name.""",
    qualifier='context CD only',
)

STORAGE_CONTEXT_CD = PAGE.code(
    'storage.context-cd',
    "warning",
    """The storage plugin needs EC2 meta-data (`block-device-mapping`),
which a context CD does not provide: it returns and does nothing (no swap, no ephemeral disks,
no `relocate-paths`) ([§3.8](guest.md#s3.8)). **Fix:** set up disks and swap from the `#!` script, or remove
`[storage]`.""",
    qualifier='context CD only',
)

OPENVPN_KEY_IGNORED = PAGE.code(
    'openvpn.key-ignored',
    "warning",
    """`search` is set without `nameserver`; the guest writes `search` to
`/etc/resolv.conf` only together with `nameserver` ([§3.7](guest.md#s3.7)). **Fix:** set `nameserver` too, or
remove `search`.""",
)

OPENVPN_NAMESERVER_OVERWRITES_RESOLV_CONF = PAGE.code(
    'openvpn.nameserver.overwrites-resolv-conf',
    "info",
    """With `nameserver` set the guest overwrites `/etc/resolv.conf` with only `search` and this
nameserver; every other resolver setting of the machine is lost ([§3.7](guest.md#s3.7)). **Fix:** remove
`nameserver` to keep the machine's resolver settings.""",
)

PUPPET_KEY_IGNORED = PAGE.code(
    'puppet.key-ignored',
    "warning",
    """With `puppet_server` set the guest configures the agent only and ignores the
`puppetmaster_*` keys; without it, the puppetmaster only, ignoring `puppet_port`, `puppet_log`
and `puppet_extra_opts` ([§3.16](guest.md#s3.16)). **Fix:** remove the ignored key, or set `puppet_server`.""",
)

PUPPET_MASTER_NOT_STARTED = PAGE.code(
    'puppet.master-not-started',
    "warning",
    """Without `puppet_server` the guest writes the puppetmaster settings but then runs only
`service puppet start`, which starts the agent (with no server), not the puppetmaster ([§3.16](guest.md#s3.16)).
**Fix:** set `puppet_server` for an agent, or start puppetmaster from the `#!` script.""",
)

WORKQUEUE_STARTS_CATALOG_SERVER = PAGE.code(
    'workqueue.starts-catalog-server',
    "info",
    """Without `catalog_server` the guest starts a Work Queue catalog server on this machine
(`START_CATALOG_SERVER=yes`) instead of workers ([§3.18](guest.md#s3.18)). **Fix:** set `catalog_server` to the
catalog host for a worker.""",
)

WORKQUEUE_KEY_IGNORED = PAGE.code(
    'workqueue.key-ignored',
    "warning",
    """`workqueue_project` or `workqueue_user` is set without `catalog_server`; the guest
then only starts a catalog server and ignores them ([§3.18](guest.md#s3.18)). **Fix:** set `catalog_server`, or
remove the key.""",
)

VAF_SETUP_KEY_IGNORED = PAGE.code(
    'vaf-setup.key-ignored',
    "warning",
    """A `<name>_<key>` key whose prefix is not `client_settings` (or `client_settings` is
not set): the guest reads only `<client_settings>_*` keys ([§3.21](guest.md#s3.21)). **Fix:** set
`client_settings` to the key's prefix, or remove the key.""",
)

YP_KEY_IGNORED = PAGE.code(
    'yp.key-ignored',
    "warning",
    """With `ypserver` set the guest writes only `ypserver <host>` and ignores `server` and
`domain` (the first matching rule wins); `server` without `domain` is ignored too ([§3.14](guest.md#s3.14)).
**Fix:** keep one rule: `ypserver`, or `domain` (with `server`).""",
)

YP_DOMAIN_QUOTED_LINE = PAGE.code(
    'yp.domain.quoted-line',
    "info",
    """The guest writes the `domain` rule with literal double quotes
(`domain "<domain> server <server>"`); ypbind may not read it as intended ([§3.14](guest.md#s3.14)). **Fix:**
write `ypserver` instead, which gives a plain `ypserver <host>` line.""",
)

TCPBUFFERS_BROKEN = PAGE.code(
    'tcpbuffers.broken',
    "warning",
    """The tcpbuffers plugin looks up the literal key `var` for every setting, so it fails
with a KeyError (or, with `var` set, writes that one value for every setting) ([§3.17](guest.md#s3.17)). **Fix:**
set the sysctls from the `#!` script (`sysctl -w net.core.rmem_max=16777216`).""",
)

LDAP_RENAMED = PAGE.code(
    'ldap.renamed',
    "warning",
    """The plugin `ldap` exists only on images built before 2014-02-25; it was renamed
`amildap`, so newer images ignore `[ldap]` ([§3.13](guest.md#s3.13)). **Fix:** use `[amildap]` and
`plugins = amildap` (write both for an image of unknown age).""",
)

RPATH_REMOVED = PAGE.code(
    'rpath.removed',
    "warning",
    """The rPath plugins reading `[rpath]` were removed from CernVM's amiconfig on
2013-10-01: CernVM 3 and later ignore the section ([§3.23](guest.md#s3.23)). **Fix:** set the appliance password
with `[appliance-agent] password`.""",
)

RMAKE_REMOVED = PAGE.code(
    'rmake.removed',
    "warning",
    """The rmakenode and rmakeserver plugins were removed on 2013-10-01: CernVM 3 and
later ignore `[rmake]` ([§3.23](guest.md#s3.23)). **Fix:** remove the section for current images.""",
)

CONFIGSCRIPTS_REMOVED = PAGE.code(
    'configscripts.removed',
    "warning",
    """The configscripts plugin was removed in 2014: current images ignore
`[configscripts]` ([§3.23](guest.md#s3.23)). **Fix:** use the `#!` script part instead.""",
)

CALLBACK_REMOVED = PAGE.code(
    'callback.removed',
    "warning",
    """The HEPiX callback plugin was removed in 2014: current images ignore `[callback]`,
and the EC2 credentials in it are only exposed in the user data ([§3.23](guest.md#s3.23)). **Fix:** remove the
section.""",
)

SFCB_CLIENT_SETUP_NOT_LOADABLE = PAGE.code(
    'sfcb-client-setup.not-loadable',
    "warning",
    """The plugin for `[sfcb-client-setup]` imports `conary`, which CernVM lacks; the
import fails silently and the section is never read ([§2](guest.md#s2), [§3.23](guest.md#s3.23)). **Fix:** remove the section.""",
)

CERNVM_APPLIANCE_NOT_READ = PAGE.code(
    'cernvm_appliance.not-read',
    "warning",
    """No guest plugin reads `[cernvm_appliance]` (CernVM Online emits it), so the password
is never set ([§3.23](guest.md#s3.23), [§6](guest.md#s6)). **Fix:** write `[appliance-agent] password` and
`plugins = appliance-agent`.""",
)
