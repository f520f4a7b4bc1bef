"""Codes of the input layers (``input.*``): what peeling base64 and gzip finds.

Declared here once; docs/diagnostics.md is generated from the catalog
(``python -m cvmctx.catalog``), in the order of declaration."""

from __future__ import annotations

from cvmctx.catalog.code import Page

PAGE = Page()

PAGE.prose(
    """## Input layers (`input.*`)

`cvmctx validate` (and `cvmctx build FILE`) peel base64 and gzip layers off the input before
judging the text, as the guest would on its fetch paths ([§1.2](guest.md#s1.2)–[§1.4](guest.md#s1.4)).
"""
)

TOO_LARGE = PAGE.code(
    'input.too-large',
    "error",
    """The input is larger than `--max-input-bytes` (16 MiB by default) and is not read at
all. No cloud passes more than 256 KB of user data to a guest (GCE's limit; [§1.5](guest.md#s1.5) for the
guest's own 16 kB guidance). **Fix:** check that this is the right file; raise
`--max-input-bytes` only if it is.""",
)

UNREADABLE = PAGE.code(
    'input.unreadable',
    "error",
    """A file given to `validate` could not be read: it is missing, a directory,
or not readable. The text report says so on stderr; `--format json` and `github` also list the
file with this one finding, and SARIF reports it as a tool execution notification (with
`executionSuccessful: false`), so CI sees it in the report it reads. The other files are still
judged. **Fix:** check the path and its permissions.""",
    qualifier='exit 2',
)

EMPTY = PAGE.code(
    'input.empty',
    "warning",
    """The user data holds nothing but whitespace: the guest has nothing to do ([§1.2](guest.md#s1.2)).
**Fix:** check that this is the right file.""",
)

NUL = PAGE.code(
    'input.nul',
    "error",
    """The user data contains NUL bytes. The EC2 and CloudStack download paths store the
data through a shell variable, which drops NUL bytes ([§1.2](guest.md#s1.2)). **Fix:** remove the NUL bytes.""",
)

NOT_UTF8 = PAGE.code(
    'input.not-utf8',
    "error",
    """The (decoded) user data is not valid UTF-8, so cvmctx cannot read it as text; the
guest's readers would see bytes no one wrote on purpose ([§2](guest.md#s2)). **Fix:** save the file as UTF-8.""",
)

CRLF = PAGE.code(
    'input.crlf',
    "warning",
    """The user data has Windows (CRLF) line ends. The INI reader strips the CR from values
([§2](guest.md#s2)), but a `#!` script with CRs does not run ([§1.6](guest.md#s1.6)) and the µCernVM bootloader does not see an
`[ucernvm-begin]` line that ends in CR ([§5.1](guest.md#s5.1)). **Fix:** convert to LF line ends (`dos2unix`).""",
)

CR_LINE_ENDS = PAGE.code(
    'input.cr-line-ends',
    "error",
    """The lines end in CR only. The guest splits lines on LF, so it reads the whole file as
one line: at most one section header and no options ([§2](guest.md#s2)). **Fix:** convert to LF line ends.""",
)

BASE64_WRAPPED = PAGE.code(
    'input.base64-wrapped',
    "warning",
    """The base64 text is broken into lines. The HEPiX decoder (`base64 -di`) copes, other
decoders may not ([§1.4](guest.md#s1.4)). **Fix:** encode on one line (`base64 -w0`).""",
)

BASE64_TWICE = PAGE.code(
    'input.base64-twice',
    "error",
    """The user data is base64 of base64. The guest decodes base64 at most once (GCE and the
context CD only; raw EC2/OpenStack user data not at all), so amiconfig reads base64 text instead
of user data ([§1.4](guest.md#s1.4)). **Fix:** give aws-cli `file://` and boto3 the plain user data; they encode
it themselves.""",
)

BASE64_INVALID = PAGE.code(
    'input.base64-invalid',
    "error",
    """The text looks like base64 but does not decode (URL-safe alphabet, a length that is
not a multiple of 4, `=` in the middle). The guest reads it as text, finds no section and no
script, and does nothing ([§1.4](guest.md#s1.4), [§2](guest.md#s2)). **Fix:** encode the whole file again with `base64 -w0`.""",
)

BASE64_NOT_USER_DATA = PAGE.code(
    'input.base64-not-user-data',
    "error",
    """The text is valid base64, but it decodes to something that is neither user data (a
section or a `#!` script) nor gzip of it: the guest finds nothing to do ([§1.4](guest.md#s1.4)). **Fix:** encode
the plain user-data file itself.""",
)

BASE64_NOT_PEELED = PAGE.code(
    'input.base64-not-peeled',
    "error",
    """Base64 that holds user data sits where the guest never decodes it: inside gzip, or
under more base64 layers than one. The guest decodes base64 at most once, as the outermost
layer, so it reads this base64 as text with no section and does nothing ([§1.3](guest.md#s1.3), [§1.4](guest.md#s1.4)). **Fix:**
give the plain user data, base64-encoded at most once (and not before gzip).""",
)

GZIP = PAGE.code(
    'input.gzip',
    "warning",
    """The user data is gzip-compressed. amiconfig unpacks it only when `file -bi` prints
exactly `application/x-gzip`, which `file` 5.x does not, and the EC2 download drops NUL bytes,
so the guest may read it still compressed and find nothing; only the µCernVM bootloader
reliably unpacks its own copy ([§1.2](guest.md#s1.2), [§1.3](guest.md#s1.3), [§6](guest.md#s6)). **Fix:** give plain user data where it fits.""",
)

GZIP_TWICE = PAGE.code(
    'input.gzip-twice',
    "error",
    """The user data is gzip of gzip; the guest unpacks at most once ([§1.3](guest.md#s1.3)). **Fix:**
compress once (or better, not at all).""",
)

GZIP_CORRUPT = PAGE.code(
    'input.gzip-corrupt',
    "error",
    """The gzip stream is corrupt, or other data follows it. `gzip -d` fails on it, and the
µCernVM bootloader keeps the unpacked copy only when gzip exits 0 ([§1.3](guest.md#s1.3)). **Fix:** re-create the
file with gzip, or give plain user data.""",
)

GZIP_TRUNCATED = PAGE.code(
    'input.gzip-truncated',
    "error",
    """The gzip stream ends early; the guest cannot unpack it ([§1.3](guest.md#s1.3)). A transfer or a shell
variable may have cut it ([§1.2](guest.md#s1.2)). **Fix:** re-create the file.""",
)

GZIP_BOMB = PAGE.code(
    'input.gzip-bomb',
    "error",
    """The gzip data unpacks to more than `--max-unpacked-bytes` (64 MiB by default); cvmctx
stops there. Real user data is at most a few hundred KB on any cloud ([§1.5](guest.md#s1.5)). **Fix:** check the
file; raise `--max-unpacked-bytes` only if it is genuine.""",
)

MIME_ENCODED_PART = PAGE.code(
    'input.mime-encoded-part',
    "error",
    """A MIME part that is not cloud-init's own is base64 or quoted-printable encoded.
amiconfig and the µCernVM bootloader do not decode MIME: they scan the message's lines as text,
so they cannot read that part ([§1.7](guest.md#s1.7)). amiconfig-mime run under Python 3 produces such parts.
**Fix:** emit the amiconfig and ucernvm parts as 7bit/8bit plain text.""",
)

MIME_MULTIPART = PAGE.code(
    'input.mime-multipart',
    "info",
    """The user data is a MIME multipart message (cloud-init and amiconfig mixed). amiconfig
does not decode MIME and reads the whole message as INI text: header, boundary and cloud-init
lines after the first section become options of whatever section is open there ([§1.7](guest.md#s1.7), [§5.2](guest.md#s5.2)).
The message counts those no plugin reads, which are harmless. Nothing to fix.""",
)

MIME_LINE_READ = PAGE.code(
    'input.mime-line-read',
    "error",
    """A line outside the amiconfig part of a MIME message (a header, a boundary, a
cloud-config line such as `users:`) follows an amiconfig section and has a key that section's
plugin reads, so amiconfig takes it as that key and the last value wins ([§1.7](guest.md#s1.7), [§2](guest.md#s2)). **Fix:** put
the amiconfig part last, or move the section so that no other part follows it.""",
)
