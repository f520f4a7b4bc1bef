"""Codes of build time (``build.*``, ``encoding.*``, ``size.*``, ``iso.script-*``).

Declared here once; docs/diagnostics.md is generated from the catalog
(``python -m cvmctx.catalog``), in the order of declaration."""

from __future__ import annotations

from cvmctx.catalog.code import Page

PAGE = Page()

PAGE.prose(
    """## Build time (`build.*`, `encoding.*`, `size.*`, `iso.script-*`)

Reported by `cvmctx build` and `cvmctx iso` about what they produced.
"""
)

PLUGIN_WITHOUT_SECTION = PAGE.code(
    'build.plugin-without-section',
    "info",
    """`--section` named a plugin that reads no section (`rootsshkeys`,
`disablesshpasswdauth`): it is enabled in `[amiconfig] plugins`, and no section is written
([§3.2](guest.md#s3.2), [§3.3](guest.md#s3.3)). Nothing to fix.""",
)

PROXY_FROM_ENV = PAGE.code(
    'build.proxy-from-env',
    "info",
    """`[cernvm] x509-cert` was filled from the proxy in `$X509_USER_PROXY`, as the seed's
script does, as single-line base64 ([§3.9](guest.md#s3.9)). **Fix:** give `--x509-proxy FILE` to choose the file
explicitly.""",
)

PASSWORDS_HASHED = PAGE.code(
    'build.passwords-hashed',
    "warning",
    """Plaintext passwords in `[cernvm] users` were replaced by SHA-512
hashes. CernVM images older than 2014-01-27 do not know hashes and would set the hash text
itself as the password ([§3.9](guest.md#s3.9)). **Fix:** for older images, give plaintext passwords (or use ssh
keys) instead.""",
    qualifier='`--hash-passwords`',
)

MISSPELLED_KEY = PAGE.code(
    'build.misspelled-key',
    "error",
    """The input has `[amiconfig] disabed_plugins`, the seed's misspelling. The guest reads
nothing by that name, so it disables nothing and `rootsshkeys` stays on ([§2](guest.md#s2), [§6](guest.md#s6)). `cvmctx build`
neither writes it (a line that does nothing) nor turns it into `disabled_plugins` (an effect
nobody asked for); `cvmctx validate` only warns (`key.not-read`). **Fix:** write
`disabled_plugins = …` to disable those plugins, or remove the line to keep them on.""",
)

SET_UNKNOWN_KEY = PAGE.code(
    'build.set-unknown-key',
    "error",
    """`--set SECTION.KEY=VALUE` names a key that the section's plugin does not read, such
as `--set cernvm.organisation=cms` for organisations: the user asked for an effect and would get none,
so `build` and `iso` stop with exit 1 instead of writing a line that does nothing. The same line
in a user-data file is only a warning in `validate` (`key.unknown`): there it already exists.
**Fix:** use the key the hint suggests, or see `cvmctx sections SECTION` for the keys it reads.""",
)

PART_DROPPED = PAGE.code(
    'build.part-dropped',
    "error",
    """The input file holds something `build` (and `iso`) would not carry into what it
writes: a whole cloud-init payload (first line `#cloud-config`, `#include`, `#cloud-boothook`,
`#upstart-job`, `#part-handler`, `## template: jinja`), or a part of a MIME message that is
not for amiconfig (`text/cloud-config`, `text/x-shellscript`, ...; a part is for amiconfig
when its type is `text/plain`, `text/amiconfig` or `text/ucernvm`). cvmctx writes amiconfig
user data only, so writing it would silently lose that part (a cloud-config user would not
exist on the machine); the finding names the part and its `Content-Type` line, and nothing is
written. **Fix:** give `build` the amiconfig part alone and join the parts with cloud-init's
`make-mime`; `validate` reads the whole message as it is.""",
)

SCRIPT_REPLACED = PAGE.code(
    'build.script-replaced',
    "info",
    """`--script FILE` replaces the script part of the input user-data file ([§1.6](guest.md#s1.6): only one
script per user data). Nothing to fix.""",
)

ENCODING_GZIP_OLD_GUEST = PAGE.code(
    'encoding.gzip-old-guest',
    "warning",
    """The output is gzip-compressed because `--compress always` asked for it (the default,
`auto`, never gzips). amiconfig gunzips only when `file -bi` prints exactly
`application/x-gzip`, which `file` 5.x (CernVM 3 and 4) does not, and the EC2 path drops NUL
bytes; CernVM 2 and the µCernVM bootloader (its own copy) do unpack it ([§1.2](guest.md#s1.2), [§1.3](guest.md#s1.3), [§6](guest.md#s6)).
**Fix:** use it only for guests known to unpack gzip; otherwise write plain user data and move
data out.""",
)

ENCODING_BASE64_FOR_RAW_API = PAGE.code(
    'encoding.base64-for-raw-api',
    "info",
    """The output is base64 (`--encoding base64`), for raw API calls. aws-cli `file://` and
boto3 take plain user data and encode it themselves; encoding twice breaks the guest, which
decodes at most once ([§1.4](guest.md#s1.4)). **Fix:** use `--encoding plain` for aws-cli and boto3.""",
)

SIZE_OVER_BUDGET = PAGE.code(
    'size.over-budget',
    "error",
    """The payload (after gzip, before base64) is over the target cloud's user-data limit
(EC2 16384 B, OpenStack and Azure 65535 B, GCE 262144 B). The guest itself enforces no limit
([§1.5](guest.md#s1.5)), but the cloud refuses the launch. The message gives the excess in bytes. `build` and
`iso` write nothing; with the default `--compress auto` (as with `never`) cvmctx does not gzip
on its own, since amiconfig on CernVM 3 and 4 cannot read gzip ([§1.3](guest.md#s1.3)). **Fix:** trim the data
(the hint lists each part's size, largest first: move data out, e.g. behind a URL); or, when
the hint says gzip fits, use `--compress always` for guests known to unpack gzip (CernVM 2, the
µCernVM bootloader).""",
)

SIZE_NEAR_LIMIT = PAGE.code(
    'size.near-limit',
    "info",
    """The payload is within 10 % of the target's limit ([§1.5](guest.md#s1.5)). Nothing to fix yet.""",
)

SIZE_LAUNCH_CONFIGURATION = PAGE.code(
    'size.launch-configuration',
    "warning",
    """The base64 of the payload is over 21847 characters, the most an EC2 (Auto Scaling)
launch configuration accepts, although the payload fits RunInstances' 16384 B ([§1.5](guest.md#s1.5)). **Fix:**
use launch templates or RunInstances, or make the user data smaller.""",
)

ISO_SCRIPT_CRLF = PAGE.code(
    'iso.script-crlf',
    "error",
    """`prolog.sh` or `epilog.sh`
has CRLF line ends: bash keeps the `\\r` in every command it sources ([§4](guest.md#s4)). **Fix:** convert it
with `dos2unix`.""",
    qualifier='`cvmctx iso --prolog/--epilog`, and validate of an ISO',
)

ISO_SCRIPT_SYNTAX = PAGE.code(
    'iso.script-syntax',
    "error",
    """bash cannot parse
`prolog.sh` or `epilog.sh`, which the guest sources ([§4](guest.md#s4)). The line is bash's: only `\\n` ends a
line (a form feed, `\\v`, `\\x1c`-`\\x1e`, `\\x85`, U+2028 or U+2029 is an ordinary character to
bash). **Fix:** fix the line (check with `bash -n`).""",
    qualifier='`cvmctx iso --prolog/--epilog`, and validate of an ISO',
)

ISO_SCRIPT_UNCHECKED = PAGE.code(
    'iso.script-unchecked',
    "warning",
    """cvmctx could not check that bash can parse `prolog.sh` or
`epilog.sh`: the file is not UTF-8 text, or bash is not installed where cvmctx runs ([§4](guest.md#s4)).
**Fix:** check it with `bash -n`.""",
    qualifier='validate of an ISO',
)
