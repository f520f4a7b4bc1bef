"""Value problems, first half: any key; numbers, choices and lists; text the guest uses as is.

Declared here once; docs/diagnostics.md is generated from the catalog
(``python -m cvmctx.catalog``), in the order of declaration."""

from __future__ import annotations

from cvmctx.catalog.code import Page

PAGE = Page()

PAGE.prose(
    """## Value problems

A value the guest would reject or misread is an **error** and is left out of the model (so
`cvmctx build` stops); a value that works but surprises is a **warning** or **info**. The code
is the section, the key and the problem: `<section>.<key>.not-base64` is reported as
`cernvm.x509-cert.not-base64`. Messages never quote the value, since it may be a secret.

### Any key

These come from the one-line rule every INI value obeys ([§2](guest.md#s2)). Values read from a file have
already been cut by the INI reader (reported as `ini.*`), so these mostly concern values given
with `--set`.
"""
)

NEWLINE = PAGE.code(
    '<section>.<key>.newline',
    "error",
    """Any key. A value must fit on one line: the guest drops every line after the first and
may read the next one as a section or a key ([§2](guest.md#s2)). **Fix:** remove the line break; encode
multi-line data as base64 where the key allows it (`--set KEY=@FILE`).""",
    level=4,
)

WHITESPACE = PAGE.code(
    '<section>.<key>.whitespace',
    "error",
    """Any key. The guest strips whitespace around a value, so it would not read the value as
written ([§2](guest.md#s2)). For `[cernvm] proxy` also whitespace inside: CVMFS allows no spaces in a proxy list
([§3.9](guest.md#s3.9)). **Fix:** remove the whitespace.""",
    level=4,
)

INLINE_COMMENT = PAGE.code(
    '<section>.<key>.inline-comment',
    "error",
    """Any key. `' ;'` starts a comment on the guest: everything from the `;` on would be lost
([§2](guest.md#s2)). **Fix:** remove the whitespace before `;`.""",
    level=4,
)

EMPTY_QUOTES = PAGE.code(
    '<section>.<key>.empty-quotes',
    "error",
    """Any key. The guest reads a value of exactly `""` as the empty string ([§2](guest.md#s2)). **Fix:**
write an empty value (`key =`).""",
    level=4,
)

RENAMED = PAGE.code(
    '<section>.<key>.renamed',
    "warning",
    """Key: nss.password. The seed's spelling is not what the guest reads (`passwd`,
[§3.12](guest.md#s3.12)), so the guest ignores it; cvmctx reads it and writes the right key. **Fix:** write the key
the hint names.""",
    level=4,
)

PAGE.prose(
    """### Numbers, choices, lists
"""
)

NOT_INTEGER = PAGE.code(
    '<section>.<key>.not-integer',
    "error",
    """Keys: cernvm.eos-readaheadsize, cernvm.eos-readcachesize, dnsupdate.start,
noip.start, openvpn.port, storage.pre-allocated-space, condor.highport, condor.lowport,
ganglia.port, ganglia.ttl, squid.cache_dir_size, puppet.puppet_port,
vaf-setup.num_pool_accounts. The guest converts the value with `int()` or uses it as a number;
anything but digits fails there ([§3.5](guest.md#s3.5), [§3.6](guest.md#s3.6), [§3.8](guest.md#s3.8), [§3.9](guest.md#s3.9), [§3.10](guest.md#s3.10)). **Fix:** write digits only.""",
    level=4,
)

TOO_SMALL = PAGE.code(
    '<section>.<key>.too-small',
    "error",
    """Keys: openvpn.port, condor.highport, condor.lowport, ganglia.port,
squid.cache_dir_size, puppet.puppet_port (at least 1), vaf-setup.num_pool_accounts (at least 2,
[§3.21](guest.md#s3.21)). **Fix:** write a number at least as large as the message says.""",
    level=4,
)

CHOICE = PAGE.code(
    '<section>.<key>.choice',
    "error",
    """Keys: cernvm.startxdm, cernvm.auto_login (`on`/`off`), openvpn.proto (`udp`/`tcp`),
ganglia.bind_hostname (gmond's libconfuse takes `yes`/`no`, `true`/`false`, `on`/`off` in any
case, nothing else, an empty value neither; cvmctx writes `yes` or `no`), vaf-setup.auth_method
(`pool_users`/`alice_ldap`; anything else makes the plugin abort, [§3.21](guest.md#s3.21)). The guest knows only
these values ([§3.7](guest.md#s3.7), [§3.9](guest.md#s3.9), [§3.11](guest.md#s3.11)). **Fix:** write one of the values listed.""",
    level=4,
)

CASE = PAGE.code(
    '<section>.<key>.case',
    "error",
    """Keys: the choice keys above (not ganglia.bind_hostname, which takes any case) plus
cernvm.edition and vaf-setup.node_type, and cernvm.proxy (`DIRECT`, `auto`). The guest compares the
value exactly, so `desktop` is not `Desktop` and `direct` is not `DIRECT` ([§3.9](guest.md#s3.9), [§3.21](guest.md#s3.21)). **Fix:**
write the value in the case the hint shows.""",
    level=4,
)

NOT_EXACT = PAGE.code(
    '<section>.<key>.not-exact',
    "error",
    """Key: condor.use_ips. The guest treats only exactly `true` as true (`cfg['use_ips'] ==
'true'`), so another spelling of yes (`True`, `yes`, `1`, `on`) is read as false ([§3.10](guest.md#s3.10)).
Spellings of no (`false`, `no`, `off`, `0`, any case, or an empty value as in the plugin's own
docstring) are false on the guest too and are accepted; cvmctx writes them as `false`. **Fix:**
write `true` or `false`.""",
    level=4,
)

READ_AS_FALSE = PAGE.code(
    '<section>.<key>.read-as-false',
    "warning",
    """Key: condor.use_ips. The value is neither a yes nor a no (`maybe`, `ip`): the guest
treats anything but exactly `true` as false, so it reads it as false ([§3.10](guest.md#s3.10)); cvmctx writes
`false`. **Fix:** write `true` or `false`.""",
    level=4,
)

FALSE_MEANS_TRUE = PAGE.code(
    '<section>.<key>.false-means-true',
    "error",
    """Key: storage.daemon. The value spells off (`False`, `no`, `off`, `0`, any case), but
the guest reads it with Python's `bool()`: any non-empty text means on, so it runs the daemon;
only an empty value turns it off ([§3.8](guest.md#s3.8)). CernVM Online writes `daemon=False`. **Fix:** write
`daemon =` (empty) to turn it off.""",
    level=4,
)

NO_EFFECT = PAGE.code(
    '<section>.<key>.no-effect',
    "warning",
    """Key: cernvm.group_profile (the guest's `config -g` only prints its usage, [§3.9](guest.md#s3.9)).
The guest reads the key but nothing changes. **Fix:** remove it.""",
    level=4,
)

PLAIN_HTTP = PAGE.code(
    '<section>.<key>.plain-http',
    "warning",
    """Key: hepix.requiressl. With an empty value the guest fetches the context tarball
over plain http: `site_context` gets no second argument from its unquoted
`fetchFromIP $tarname $requiressl`, and its test `[ "x"$requiressl == "x" -o requiressl == 'no' ]`
is true only then ([§3.22](guest.md#s3.22)). **Fix:** remove the key (or write `yes`) to fetch over https.""",
    level=4,
)

HTTPS_ANYWAY = PAGE.code(
    '<section>.<key>.https-anyway',
    "warning",
    """Key: hepix.requiressl. The value spells no (`no`, `false`, `off`, `0`), but the
guest fetches over https for every non-empty value, the default `no` included: `site_context`
compares the literal word `requiressl`, not the value ([§3.22](guest.md#s3.22)). Either way `curl -k` does not
verify the certificate. **Fix:** write `requiressl =` (empty) for plain http, or remove the key.""",
    level=4,
)

COMMA = PAGE.code(
    '<section>.<key>.comma',
    "error",
    """Keys: amiconfig.plugins, amiconfig.disabled_plugins, openvpn.search. The guest splits
these lists on whitespace only, so `cernvm,condor` is one name, a plugin that does not exist
([§2](guest.md#s2), [§3.1](guest.md#s3.1), [§3.7](guest.md#s3.7)): neither `cernvm` nor `condor` is enabled (or disabled). **Fix:** separate the
names with spaces.""",
    level=4,
)

UPPER_CASE = PAGE.code(
    '<section>.<key>.upper-case',
    "info",
    """Keys: amiconfig.plugins, amiconfig.disabled_plugins. The guest lower-cases plugin names
(ASCII letters only, as Python 2 does on bytes), so `CernVM` enables `cernvm` ([§2](guest.md#s2)). `cvmctx
build` writes the names in lower case. **Fix:** none needed; write lower case to match.""",
    level=4,
)

EMPTY_ITEM = PAGE.code(
    '<section>.<key>.empty-item',
    "error",
    """Keys: cernvm.organisations, cernvm.repositories, cernvm.services, squid.backends
(`,` lists), storage.relocate-paths (`:` list). A doubled, leading or trailing separator gives an
empty item, which the guest passes on as an empty name or path ([§3.8](guest.md#s3.8), [§3.9](guest.md#s3.9), [§3.15](guest.md#s3.15)). **Fix:**
remove the extra separator.""",
    level=4,
)

SPACE_IN_ITEM = PAGE.code(
    '<section>.<key>.space-in-item',
    "error",
    """Keys: cernvm.organisations, cernvm.repositories, cernvm.services, squid.backends. The
guest does not trim list items: a space becomes part of the name ([§3.9](guest.md#s3.9), [§3.15](guest.md#s3.15)). **Fix:** write
the list without spaces (`a,b,c`).""",
    level=4,
)

ITEM_FORMAT = PAGE.code(
    '<section>.<key>.item-format',
    "error",
    """Keys: cernvm.organisations, cernvm.repositories, cernvm.services, squid.backends. An
item is not a name the guest can use (a repository, organisation, service name, or a server name
or address for squid's `acl dst`) ([§3.9](guest.md#s3.9), [§3.15](guest.md#s3.15)). **Fix:** write each item as the message
describes.""",
    level=4,
)

NOT_LOWERCASE = PAGE.code(
    '<section>.<key>.not-lowercase',
    "warning",
    """Keys: cernvm.organisations, cernvm.repositories. The guest expects lower-case names
here ([§3.9](guest.md#s3.9)). **Fix:** write the names in lower case.""",
    level=4,
)

PAGE.prose(
    """### Text the guest uses as is
"""
)

FORMAT = PAGE.code(
    '<section>.<key>.format',
    "error",
    """Keys: cernvm.screenres (`1280x800`), cernvm.keyboard, cernvm.griduiversion,
cernvm.swap_size (`2g`, `512m`, `auto`, or `off`, the plugin's docstring form: `fallocate` rejects
it and no swap is made), cernvm.eos-server, hostname.hostname, dnsupdate.host, dnsupdate.domain,
dnsupdate.prefix, noip.hostname, noip.prefix, noip.domain, condor.hostname, condor.condor_master,
condor.condor_user, condor.condor_group, vaf-setup.client_settings (no `_`). The value is not of the
form the guest needs there: a host name, a size, a user name passed unquoted to useradd ([§3.4](guest.md#s3.4)–[§3.6](guest.md#s3.6),
[§3.9](guest.md#s3.9), [§3.10](guest.md#s3.10), [§3.21](guest.md#s3.21)). **Fix:** write the form the message names.""",
    level=4,
)

CHARACTER = PAGE.code(
    '<section>.<key>.character',
    "error",
    """A character the guest misreads in this key (secret keys do not say which):
noip.username, noip.password (`@ : / # ?` break the update URL, [§3.6](guest.md#s3.6)); nss.* (`#` and `&` break
its `sed s#…#…#`, [§3.12](guest.md#s3.12)); yp.server, yp.domain (`"`, [§3.14](guest.md#s3.14)); rpath.rap-password (`"`, [§3.23](guest.md#s3.23));
workqueue.catalog_server (`:` `/`: the guest appends `:9097` itself, [§3.18](guest.md#s3.18)); hepix.context
(blanks, `?`, `#` in a URL, [§3.22](guest.md#s3.22)); condor.condor_secret, condor.condor_dir (pasted unquoted into
a shell command: whitespace and shell characters, [§3.10](guest.md#s3.10)); ganglia.name, ganglia.owner,
ganglia.latlong, ganglia.url, ganglia.location, ganglia.host (`/`, blanks and shell characters
break the guest's unquoted `sed` and leave `/etc/gmond.conf` empty, [§3.11](guest.md#s3.11)); amiconfig.plugins,
amiconfig.disabled_plugins (a no-break space or other Unicode space, a control character, `;`,
`|` or a non-ASCII letter inside a name: the guest splits on ASCII spaces and tabs only, so
`cernvm` and `condor` joined by a no-break space are one name that no plugin has, and neither is
enabled, [§2](guest.md#s2)). **Fix:** remove or replace the character; separate plugin names with plain spaces.""",
    level=4,
)

GLOB = PAGE.code(
    '<section>.<key>.glob',
    "warning",
    """Keys: ganglia.name, ganglia.owner, ganglia.latlong, ganglia.url, ganglia.location,
ganglia.host, cernvm.users (a password). The value holds `*`, `?`, `[` (or `{`), and the guest
passes it unquoted through a shell or an unquoted `echo`, which may replace it with matching file
names ([§3.9](guest.md#s3.9), [§3.11](guest.md#s3.11)). **Fix:** avoid those characters.""",
    level=4,
)

EMPTY = PAGE.code(
    '<section>.<key>.empty',
    "error",
    """Keys: cernvm.proxy (an empty proxy removes `CVMFS_HTTP_PROXY`, so no repository
mounts, [§3.9](guest.md#s3.9)), condor.condor_secret (the guest's command line misses an argument, [§3.10](guest.md#s3.10)),
hepix.context (the empty name vanishes from `site_context`'s unquoted
`fetchFromIP $tarname $requiressl`, so the guest fetches a tarball named after `requiressl`,
by default `no`, over plain http, [§3.22](guest.md#s3.22)). **Fix:** write `DIRECT` for no proxy; give the secret
or the tarball name, or remove the key.""",
    level=4,
)

DOUBLE_QUOTE = PAGE.code(
    '<section>.<key>.double-quote',
    "warning",
    """Keys: cernvm.entitlement_key, cernvm.contextualization_key, cernvm.desktop_icons,
cernvm.environment. The guest deletes every `"` when it reads its `.conf` files back, so the
value loses them ([§3.9](guest.md#s3.9)). **Fix:** remove the double quotes.""",
    level=4,
)

SHELL_EXPANSION = PAGE.code(
    '<section>.<key>.shell-expansion',
    "warning",
    """Keys: cernvm.entitlement_key, cernvm.contextualization_key, cernvm.desktop_icons,
cernvm.environment, cernvm.contextualization_command. The guest reads its `.conf` files back with
`eval` as `KEY="value"`, so `$`, backticks and `\\` are interpreted by the shell, as root ([§3.9](guest.md#s3.9)).
**Fix:** avoid those characters; put a command in a script and run that.""",
    level=4,
)

UNQUOTED_SPACE = PAGE.code(
    '<section>.<key>.unquoted-space',
    "warning",
    """Keys: puppet.puppet_server, puppet.puppet_log, puppet.puppet_extra_opts,
puppet.puppetmaster_manifest, puppet.puppetmaster_ports, puppet.puppetmaster_log,
puppet.puppetmaster_extra_opts. The guest writes the value without quotes into
`/etc/sysconfig/puppet` (or `puppetmaster`), which init scripts source: the shell ends the value
at the first blank and runs the rest as a command [inference] ([§3.16](guest.md#s3.16)). **Fix:** wrap the value in
double quotes.""",
    level=4,
)

ONE_ARGUMENT = PAGE.code(
    '<section>.<key>.one-argument',
    "warning",
    """Key: appliance-agent.password. The guest passes `<file> admin <password>` to
`htpasswd -mb` as one argument instead of three, so htpasswd most likely fails and the password
is not set [inference] ([§3.19](guest.md#s3.19)). **Fix:** set the password from the `#!` script with
`htpasswd -mb FILE admin PASSWORD`.""",
    level=4,
)

PERCENT = PAGE.code(
    '<section>.<key>.percent',
    "warning",
    """Keys: noip.username, noip.password. A `%` followed by two hex digits is decoded by
the guest's urllib in the URL's user name and password, so No-IP gets a different value
[inference] ([§3.6](guest.md#s3.6)). **Fix:** avoid `%` followed by two hex digits.""",
    level=4,
)

SPLIT_LINE = PAGE.code(
    '<section>.<key>.split-line',
    "warning",
    """Key: condor.extra_vars. The guest splits `extra_vars` on every `,` and writes each
piece as a line of `condor_config.local`; this piece is not a `NAME = value` line, so a `,`
inside a value split it ([§3.10](guest.md#s3.10)). **Fix:** keep `,` out of the values (write lists with spaces).""",
    level=4,
)
