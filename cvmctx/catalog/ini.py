"""Codes of the INI reader (``ini.*``, ``ucernvm.*``).

Declared here once; docs/diagnostics.md is generated from the catalog
(``python -m cvmctx.catalog``), in the order of declaration."""

from __future__ import annotations

from cvmctx.catalog.code import Page

PAGE = Page()

PAGE.prose(
    """## The INI reader (`ini.*`, `ucernvm.*`)

amiconfig reads the user data with a line pre-filter followed by Python 2's `ConfigParser`
([§2](guest.md#s2)); the µCernVM bootloader reads its own block ([§5.1](guest.md#s5.1)).
"""
)

NO_SECTION = PAGE.code(
    'ini.no-section',
    "error",
    """The text has no `[section]` header (in column 1) and no `#!` script: the guest does
nothing with it ([§2](guest.md#s2)). **Fix:** start the INI part with a section line such as `[amiconfig]`.""",
)

BOM = PAGE.code(
    'ini.bom',
    "error",
    """The file starts with a UTF-8 byte order mark. The guest does not skip it, so a
section header on the first line is not seen and that whole section is lost ([§2](guest.md#s2)). **Fix:** save
the file as UTF-8 without BOM.""",
)

CONTINUATION_DROPPED = PAGE.code(
    'ini.continuation-dropped',
    "error",
    """A line starts with whitespace. The guest's pre-filter drops it, so a continuation
line is lost and the value above it ends on the line before ([§2](guest.md#s2)). **Fix:** put the whole value
on one line.""",
)

WRAPPED_VALUE = PAGE.code(
    'ini.wrapped-value',
    "error",
    """The line looks like the rest of a long base64 value wrapped onto a new line. The guest
reads a value from one line only, so it drops this part; a piece ending in `=` padding is even
read as a bogus key ([§2](guest.md#s2)). **Fix:** put the whole value on one line (`base64 -w0`).""",
)

INDENTED_HEADER = PAGE.code(
    'ini.indented-header',
    "error",
    """An indented `[section]` line is not a header to the guest: the line and the options
under it go to the section before ([§2](guest.md#s2)). **Fix:** start the header in column 1.""",
)

LINE_DROPPED = PAGE.code(
    'ini.line-dropped',
    "warning",
    """A line after the first section is neither a `[section]` header nor a `key = value`
option (no `:` or `=`), so the guest ignores it ([§2](guest.md#s2)). **Fix:** write `key = value`, or make it a
comment starting with `#`.""",
)

REM_LINE = PAGE.code(
    'ini.rem-line',
    "warning",
    """A line whose first word is `rem` (any case) is a comment to `ConfigParser`, so this
option is ignored ([§2](guest.md#s2)). **Fix:** rename the key, or remove the line.""",
)

INLINE_COMMENT = PAGE.code(
    'ini.inline-comment',
    "error",
    """A `;` preceded by whitespace starts a comment: the guest cuts the value there, so
`proxy = http://p:3128 ;DIRECT` gives `http://p:3128` ([§2](guest.md#s2)). **Fix:** remove the whitespace
before `;` (`http://p:3128;DIRECT`), or put the comment on a line of its own.""",
)

HASH_COMMENT = PAGE.code(
    'ini.hash-comment',
    "warning",
    """A `#` after a value is not a comment to the guest: the text from `#` on stays part
of the value ([§2](guest.md#s2)). **Fix:** put the comment on a line of its own.""",
)

HEADER_TRAILING_TEXT = PAGE.code(
    'ini.header-trailing-text',
    "warning",
    """The guest ignores the text after `]` on a section header ([§2](guest.md#s2)). **Fix:** move it to
a line of its own.""",
)

DEFAULT_SECTION = PAGE.code(
    'ini.default-section',
    "error",
    """`[DEFAULT]` is special to `ConfigParser`: its options go to the parser's defaults,
which no plugin ever sees ([§2](guest.md#s2)). **Fix:** put the options in the section of the plugin that reads
them.""",
)

DUPLICATE_SECTION = PAGE.code(
    'ini.duplicate-section',
    "warning",
    """A section appears twice; the guest merges both into one ([§2](guest.md#s2)). **Fix:** write each
section once.""",
)

DUPLICATE_KEY = PAGE.code(
    'ini.duplicate-key',
    "warning",
    """A key is set twice in one section; the guest keeps only the last value ([§2](guest.md#s2)).
**Fix:** set each key once.""",
)

SECTION_CASE = PAGE.code(
    'ini.section-case',
    "error",
    """A section such as `[CernVM]` differs from a known section only in case. The guest looks
the section up in lower case and the plugin fails with a KeyError ([§2](guest.md#s2)). `[AMIConfig]` without an
exact `[amiconfig]` is worse: amiconfig itself stops with that KeyError before running any
plugin, `rootsshkeys` included. **Fix:** write the section name in lower case, exactly as listed
in `cvmctx sections`.""",
)

UNKNOWN_SECTION = PAGE.code(
    'ini.unknown-section',
    "warning",
    """No CernVM plugin reads this section; the guest ignores it ([§2](guest.md#s2)). It is fine for a site
plugin of your own. **Fix:** check the spelling (the message suggests a near match), or enable
the site plugin in `[amiconfig] plugins`.""",
)

KEY_CASE = PAGE.code(
    'ini.key-case',
    "info",
    """A key was written in mixed case (`screenRes`); the guest lower-cases option names and
reads it as `screenres` ([§2](guest.md#s2)). Nothing to fix.""",
)

OPTION_AFTER_UCERNVM_END = PAGE.code(
    'ini.option-after-ucernvm-end',
    "error",
    """An option follows the `[ucernvm-end]` line with no section header in between. The
amiconfig reader files it under a section `[ucernvm-end]`, which no plugin reads ([§5.1](guest.md#s5.1)). **Fix:**
move it above the `[ucernvm-begin]` block, under its own section header.""",
)

UCERNVM_MARKER_NOT_EXACT = PAGE.code(
    'ucernvm.marker-not-exact',
    "error",
    """A `[ucernvm-begin]` line carries spaces or a CR. The bootloader treats a line as a
marker only if it equals `[ucernvm-begin]` exactly, so the whole block is ignored ([§5.1](guest.md#s5.1)).
**Fix:** write `[ucernvm-begin]` alone on its line, with LF line ends.""",
)

UCERNVM_SHELL = PAGE.code(
    'ucernvm.shell',
    "error",
    """The µCernVM bootloader writes each line of the block as `_UCONTEXT_<KEY>=<value>`
and sources the result with busybox sh as root ([§5.1](guest.md#s5.1)). A line that is more than
one plain assignment runs as shell there: `$(...)` or a backtick runs a command, `$` expands, an
unquoted `;`, `&`, `|` or space ends the assignment and runs the rest, `<`/`>` redirect, a key
with spaces around `=` is no assignment at all. **Fix:** write `key=value` with no spaces, and
put a value holding anything but letters, digits and `._/:,@%+-=~` in single quotes
(`cvmfs_pac_urls='http://a/wpad.dat;http://b/wpad.dat'`).""",
)

UCERNVM_UNTERMINATED = PAGE.code(
    'ucernvm.unterminated',
    "error",
    """The µCernVM block has no `[ucernvm-end]` line: the bootloader reads to the end of the
file, taking every later line as a bootloader key ([§5.1](guest.md#s5.1)). **Fix:** close the block with a
`[ucernvm-end]` line.""",
)
