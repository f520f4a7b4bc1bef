"""Value problems, second half: paths and URLs, the CVMFS proxy, encoded data.

Declared here once; docs/diagnostics.md is generated from the catalog
(``python -m cvmctx.catalog``), in the order of declaration."""

from __future__ import annotations

from cvmctx.catalog.code import Page

PAGE = Page()

PAGE.prose(
    """### Paths and URLs
"""
)

NOT_ABSOLUTE = PAGE.code(
    '<section>.<key>.not-absolute',
    "error",
    """Keys: cernvm.shell, cernvm.x509-cert-file, squid.cache_dir, storage.relocate-paths,
condor.condor_dir. The guest uses the value as a path on the guest, which must be absolute ([§3.8](guest.md#s3.8),
[§3.9](guest.md#s3.9), [§3.10](guest.md#s3.10), [§3.15](guest.md#s3.15)). `x509-cert-file` names a file already on the guest, not on your host.
**Fix:** write the full path on the guest, starting with `/`.""",
    level=4,
)

SPACE_IN_PATH = PAGE.code(
    '<section>.<key>.space-in-path',
    "error",
    """Keys: cernvm.shell, cernvm.x509-cert-file, squid.cache_dir, storage.relocate-paths.
The guest uses the path without quoting it, so a space or tab splits it in two ([§3.8](guest.md#s3.8), [§3.9](guest.md#s3.9),
[§3.15](guest.md#s3.15)). **Fix:** use a path without spaces.""",
    level=4,
)

NOT_URL = PAGE.code(
    '<section>.<key>.not-url',
    "error",
    """Keys: openvpn.ca (a URL the guest downloads: http, https, ftp or file; the certificate
itself is not accepted, [§3.7](guest.md#s3.7)), rpath.conaryproxy, rpath.rapcert, rpath.rappublickey,
rpath.rapprivatekey (http or https, [§3.23](guest.md#s3.23)). **Fix:** write a full URL; for `ca`, publish the
file and give its URL.""",
    level=4,
)

NOT_IP = PAGE.code(
    '<section>.<key>.not-ip',
    "error",
    """ for openvpn.nameserver (the guest writes it to `/etc/resolv.conf`, whose resolver takes
only an IP address, [§3.7](guest.md#s3.7)); **warning** for dnsupdate.server (dnspython of that era expects an
address [inference], [§3.5](guest.md#s3.5)). **Fix:** write the IP address.""",
    level=4,
    varies=True,
)

UNUSUAL_SHELL = PAGE.code(
    '<section>.<key>.unusual-shell',
    "warning",
    """Key: cernvm.shell. CernVM supports `/bin/bash` and `/bin/tcsh` as user shells;
another shell must exist on the image or the users cannot log in ([§3.9](guest.md#s3.9)). **Fix:** write
`/bin/bash` or `/bin/tcsh`.""",
    level=4,
)

PAGE.prose(
    """### The CVMFS proxy (`[cernvm] proxy`)
"""
)

MEMBER = PAGE.code(
    '<section>.<key>.member',
    "error",
    """Key: cernvm.proxy. A proxy is not `DIRECT`, `auto` or `http://host[:port]` (groups are
separated by `;`, load-balanced proxies within a group by `|`) ([§3.9](guest.md#s3.9)). **Fix:** write, for
example, `http://squid.example.org:3128;DIRECT`.""",
    level=4,
)

EMPTY_MEMBER = PAGE.code(
    '<section>.<key>.empty-member',
    "error",
    """Key: cernvm.proxy. The list has an empty entry (a doubled, leading or trailing `;` or
`|`) ([§3.9](guest.md#s3.9)). **Fix:** remove the extra separator.""",
    level=4,
)

PORT = PAGE.code(
    '<section>.<key>.port',
    "error",
    """ for cernvm.proxy: the proxy port is not between 1 and 65535 ([§3.9](guest.md#s3.9)). **warning** for
squid.backends: squid's `acl dst` takes a host name or address, not `host:port`, so that server
is not allowed [inference] ([§3.15](guest.md#s3.15)). **Fix:** write the squid's port (e.g. 3128); for backends,
the host name only.""",
    level=4,
    varies=True,
)

GLUED = PAGE.code(
    '<section>.<key>.glued',
    "warning",
    """Key: squid.backends. An entry looks like two server names run together (a missing
`,`); the guest writes it as one `acl backend dst` name, which does not resolve, so squid allows
neither server ([§3.15](guest.md#s3.15)). **Fix:** separate the servers with `,`.""",
    level=4,
)

PAGE.prose(
    """### Encoded data (certificates, keys)

Every base64 value a plugin reads is decoded with Python 2's `base64.decodestring` (or
`b64decode`, the same `binascii.a2b_base64`): cernvm.x509-cert, cernvm.eos-x509-cert, the keys
of cernvm.extra_repositories ([§3.9](guest.md#s3.9)), elastiq-setup.cacerts_b64 ([§3.20](guest.md#s3.20)), openvpn.cert and
openvpn.key (then zlib, [§3.7](guest.md#s3.7)) and dnsupdate.tsigkey (dnspython's keyring, [§3.5](guest.md#s3.5)). That decoder
skips every character outside the base64 alphabet, so base64 wrapped and joined with spaces or
tabs decodes as if it were on one line: cvmctx accepts it without a finding and `build` writes
the same bytes back as canonical base64 (one line, no spaces). The codes below are what that
decoder rejects, cuts or passes over.
"""
)

NOT_BASE64 = PAGE.code(
    '<section>.<key>.not-base64',
    "error",
    """Keys: cernvm.x509-cert, cernvm.eos-x509-cert, elastiq-setup.cacerts_b64,
cernvm.extra_repositories (the public key of an entry), openvpn.cert, openvpn.key,
dnsupdate.tsigkey. The guest cannot decode the value: its base64 characters do not end on a
whole group of four and no `=` padding ends them (Python's "Incorrect padding"). On that error
the cernvm plugin returns at once, skipping every key after it; a bad `extra_repositories` key
makes the guest skip that repository silently; dnsupdate fails building its keyring ([§3.5](guest.md#s3.5),
[§3.9](guest.md#s3.9), [§3.20](guest.md#s3.20)). **Fix:** give the file and let cvmctx encode it: `--x509-proxy FILE` or
`--set KEY=@FILE` (`base64 -w0 name.pub` for a repository key).""",
    level=4,
)

AFTER_PADDING = PAGE.code(
    '<section>.<key>.after-padding',
    "error",
    """Same keys. The guest's decoder stops at the first complete `=` padding and ignores
the base64 after it, so it gets only part of the data: two base64 texts glued together give the
first one only ([§3.9](guest.md#s3.9)). **Fix:** encode the whole data as one base64 text (`--set KEY=@FILE`).""",
    level=4,
)

STRAY_CHARACTER = PAGE.code(
    '<section>.<key>.stray-character',
    "warning",
    """Same keys. The value holds characters the guest's decoder skips that are neither
base64 nor spacing: `-` or `_` (URL-safe base64), a non-ASCII character, an `=` inside the data.
The guest decodes what the other characters give, and `build` writes exactly that back as
canonical base64; if the value was URL-safe base64 those bytes are not the ones meant ([§3.9](guest.md#s3.9)).
**Fix:** write standard base64 (`base64 -w0 FILE`).""",
    level=4,
)

NOT_PEM = PAGE.code(
    '<section>.<key>.not-pem',
    "error",
    """ for cernvm.x509-cert, cernvm.eos-x509-cert, elastiq-setup.cacerts_b64 (the base64 does
not decode to a `-----BEGIN` block) and openvpn.cert, openvpn.key (the value does not decompress
to a PEM block); **warning** for cernvm.extra_repositories (the public key is no PEM block, so
CVMFS cannot verify the repository). The guest writes the decoded bytes as a certificate or key
file that nothing can use ([§3.7](guest.md#s3.7), [§3.9](guest.md#s3.9), [§3.20](guest.md#s3.20)). **Fix:** encode the PEM file itself
(`--set KEY=@FILE`).""",
    level=4,
    varies=True,
)

TRUNCATED_PEM = PAGE.code(
    '<section>.<key>.truncated-pem',
    "error",
    """Keys: cernvm.x509-cert, cernvm.eos-x509-cert, elastiq-setup.cacerts_b64. The base64
decodes to the start of a PEM block with no `-----END` line: the value was cut (a wrapped base64
value keeps only its first line on the guest, [§2](guest.md#s2)), so the guest writes an incomplete file
([§3.9](guest.md#s3.9)). **Fix:** give the file and let cvmctx encode it on one line.""",
    level=4,
)

NOT_ZLIB_BASE64 = PAGE.code(
    '<section>.<key>.not-zlib-base64',
    "error",
    """Keys: openvpn.cert, openvpn.key. The guest decodes these with base64 and then
`zlib.decompress`; plain base64 (what CernVM Online writes) or gzip does not decode that way
([§3.7](guest.md#s3.7)). **Fix:** give the PEM file: `--set openvpn.cert=@client.crt`.""",
    level=4,
)
