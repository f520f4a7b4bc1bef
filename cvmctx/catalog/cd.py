"""Codes of the context CD (``iso.*``, ``contextsh.*``).

Declared here once; docs/diagnostics.md is generated from the catalog
(``python -m cvmctx.catalog``), in the order of declaration."""

from __future__ import annotations

from cvmctx.catalog.code import Page

PAGE = Page()

PAGE.prose(
    """## The context CD (`iso.*`, `contextsh.*`)

Found when the input is a context ISO or a `context.sh` ([§4](guest.md#s4)). HEPiX copies the CD and sources
`context.sh` with bash as root; µCernVM sources it with busybox `sh` ([§1.4](guest.md#s1.4), [§4](guest.md#s4)).
"""
)

ISO_UNREADABLE = PAGE.code(
    'iso.unreadable',
    "error",
    """The ISO 9660 image cannot be read. The guest mounts only an iso9660 or vfat
filesystem ([§4](guest.md#s4)). **Fix:** rebuild it (`cvmctx iso`) and check it with `isoinfo -d -i FILE`.""",
)

ISO_DUPLICATE_NAME = PAGE.code(
    'iso.duplicate-name',
    "error",
    """A name appears twice in the CD's root, in its ISO 9660, Rock Ridge or Joliet view
(case-folded where Linux folds it: plain ISO 9660 with `map=normal`, and Joliet). The kernel's
lookup, and `isoinfo -x`, return the first entry; another reader may take the second, so a CD
whose first `context.sh` runs something else could pass a check made on the second. cvmctx
judges the first as the guest reads it, reports the repetition, and judges every other entry
that any view names `context.sh`, `prolog.sh` or `epilog.sh` too: its findings keep their
codes and say "in the other 'context.sh' entry of the CD, line N" (they have no code frame,
since that entry's lines are not the ones shown). **Fix:** rebuild the CD with one file per
name (`cvmctx iso` never writes two).""",
)

ISO_NO_CONTEXT = PAGE.code(
    'iso.no-context',
    "error",
    """The CD's root holds neither `context.sh` nor `prolog.sh`: the guest's device scan
skips the disk ([§4](guest.md#s4)). **Fix:** add `context.sh` (names are compared exactly: rename
`CONTEXT.SH` on a Joliet/Rock Ridge image).""",
)

ISO_ROOT_PUBKEY_MISSING = PAGE.code(
    'iso.root-pubkey-missing',
    "error",
    """`ROOT_PUBKEY` names a file that is not in the CD's root, so no ssh key is installed
for root ([§3.2](guest.md#s3.2), [§4](guest.md#s4)). **Fix:** put the key file on the CD (`cvmctx iso --root-pubkey FILE`).""",
)

ISO_DOTFILE = PAGE.code(
    'iso.dotfile',
    "error",
    """A file on the CD starts with a dot. The guest copies the CD with `cp -r $mnt/*`,
which skips dot files ([§4](guest.md#s4)). **Fix:** rename it without the leading dot.""",
)

ISO_PUBLIC_KEY_WINS = PAGE.code(
    'iso.public-key-wins',
    "info",
    """Both `--root-pubkey` and `--public-key` were given. The guest installs
the `PUBLIC_KEY` text and ignores the `ROOT_PUBKEY` file ([§4](guest.md#s4)). **Fix:** give one of them.""",
    qualifier='`cvmctx iso`',
)

CONTEXTSH_NOT_UTF8 = PAGE.code(
    'contextsh.not-utf8',
    "error",
    """`context.sh` is not UTF-8 text, so cvmctx cannot read it; bash sources it byte by
byte ([§4](guest.md#s4)). **Fix:** write `context.sh` as plain ASCII/UTF-8 text.""",
)

CONTEXTSH_CRLF = PAGE.code(
    'contextsh.crlf',
    "error",
    """`context.sh` has CRLF line ends. bash keeps the CR at the end of every value, so
`ROOT_PUBKEY` names a file that does not exist and every value differs ([§4](guest.md#s4)). **Fix:** save it
with LF line ends (`dos2unix context.sh`).""",
)

CONTEXTSH_COMMAND = PAGE.code(
    'contextsh.command',
    "error",
    """`context.sh` runs something besides assignments: a command (`rm -rf /tmp/x`, and
`A=1 cmd`, where `A` only goes into `cmd`'s environment and is not set), a pipeline (`|`: its
parts run in subshells, so nothing assigned there is set), `&` (the same, in the background), a
redirection (`A=1 >f` sets `A` and creates `f`), a compound command or a function definition
(`if`, `while`, `{ }`, `( )`, `name()`: a function replaces the command of that name for the rest
of the guest's script), or an `export`/`readonly` argument that is not `NAME` or `NAME=value`.
The guest sources `context.sh` with bash as root, so it runs at every boot ([§4](guest.md#s4)). Assignments
are read as bash reads them: `A=1; B=2`, `A=1 B=2`, `export A=1 B`, `readonly A=1`, comments
after `;` and `\\`-newline continuations are plain assignments, and `EC2_USER_DATA` is still
decoded and checked when another line is a command. **Fix:** keep only `NAME='value'`
assignments and comments; quote a value that holds blanks or `; | & < > ( )`.""",
)

CONTEXTSH_EXPANSION = PAGE.code(
    'contextsh.expansion',
    "error",
    """A value uses `$`, `${…}`, `$(…)`, a backtick or `~`. The guest expands or runs it when
it sources `context.sh`, so the value cannot be known in advance ([§4](guest.md#s4)). **Fix:** write the
literal value in single quotes.""",
)

CONTEXTSH_UNTERMINATED = PAGE.code(
    'contextsh.unterminated',
    "error",
    """A quote or an expansion is never closed. bash stops sourcing `context.sh` at the
syntax error, so nothing from that line on is set ([§4](guest.md#s4)). **Fix:** close the quote.""",
)

CONTEXTSH_SYNTAX = PAGE.code(
    'contextsh.syntax',
    "error",
    """bash cannot parse a line: an operator where a command should be (`A=1;;`, a leading
`;`, `A=1; ;`, an unmatched `)` or `fi`, a redirection without a file). bash parses a whole line
before running any of it, so nothing of that line runs, and it stops sourcing `context.sh`
there: no later line is read either ([§4](guest.md#s4)). Reported only where cvmctx is sure; after shell
structure it does not follow, it says `contextsh.cannot-tell` instead. **Fix:** fix or remove
the operator (check with `bash -n context.sh`).""",
)

CONTEXTSH_CANNOT_TELL = PAGE.code(
    'contextsh.cannot-tell',
    "warning",
    """cvmctx cannot prove what bash sets a variable to, and says what it could not
prove: an assignment after `&&`/`||` behind a command whose exit status is unknown, inside a
compound command, `NAME+=…` (it appends to what the guest's environment or the first of the two
sourcings left), an array, brace expansion in an `export`/`readonly` argument, `$"…"` (translated
with the guest's message catalogs), a `$'…'` escape that depends on the locale, a name made
local by `declare`/`local`, a command that may change any variable or stop the sourcing (`eval`,
`source`, `exit`, `return`, a function defined above), or an expansion whose end cvmctx had to
guess. Such a variable has no value in the report (and `EC2_USER_DATA` is not decoded) ([§4](guest.md#s4)).
**Fix:** write plain `NAME='value'` assignments at the top level of `context.sh`.""",
)

CONTEXTSH_READONLY = PAGE.code(
    'contextsh.readonly',
    "warning",
    """, or **error** when the guest's second sourcing fails. `vmcontext_prolog` sources
`context.sh` twice in one subshell (`loadContext`, then `setupContext`), so every `readonly`
prints `readonly variable` errors at boot (warning). When a name is both assigned with
`NAME=…` and made read-only, the second sourcing's `NAME=…` fails and bash abandons the whole
subshell: `setupContext` and `prolog.sh` do not run (error); and an assignment to a name that is
already read-only (`readonly` earlier in the file, or bash's own `UID`, `SHELLOPTS`…) fails
at every boot, after which bash skips the rest of that line ([§1.1](guest.md#s1.1), [§4](guest.md#s4)). **Fix:** drop
`readonly`; `NAME='value'` is enough.""",
    varies=True,
)

CONTEXTSH_GUEST_VARIABLE = PAGE.code(
    'contextsh.guest-variable',
    "error",
    """`context.sh` sets a variable the guest's own scripts use after sourcing it, so the
guest then does something else than contextualize: `AMICONFIG` (`vmcontext_hepix` runs its value
as root instead of `/usr/sbin/amiconfig.sh`), `CONTEXT_DIR`, `AMICONFIG_CONTEXT_DIR`, `VERSION`
(`hepix_functions` `setupContext` and `runContextualizationScript`), the initscripts status
variables (`BOOTUP`, `LSB`, `MOVE_TO_COL`, `SETCOLOR_*`: run as commands when `vmcontext_hepix`
prints its status), variables the guest assigns itself after the source (`AMICONFIG_CONTEXT_URL`,
`ssh_keyfile`, `PHASE`, `COMM`, `RETVAL`…: the value is lost, and `readonly` makes the guest use
it instead), bash's own (`PATH`, `IFS`, `HOME`, `BASH_*`, `RANDOM`…), and variables that
amiconfig.sh, amiconfig or the dynamic loader read from the environment
(`AMICONFIG_LOCAL_USER_DATA`, `AMILOGECHO`, `DO_CONTEXT`, `LD_*`, `PYTHON*`, `BASH_ENV`: exported
they change what runs, not exported they have no effect) ([§1.2](guest.md#s1.2), [§4](guest.md#s4)). The message names the
guest script and function that use it, and what the guest then does; `cvmctx iso --var` refuses
the same names (exit 2). `EC2_USER_DATA`, `ROOT_PUBKEY`, `PUBLIC_KEY` and `ONE_CONTEXT_PATH` are
the guest's inputs and stay allowed. **Fix:** rename the variable.""",
)

CONTEXTSH_NO_USER_DATA = PAGE.code(
    'contextsh.no-user-data',
    "error",
    """, or **warning** when `PUBLIC_KEY` or `ROOT_PUBKEY` is set or `prolog.sh`/`epilog.sh`
is not empty (the CD still gives root a key, or runs a script). `context.sh` sets no
`EC2_USER_DATA`, or sets it empty: the guest gets no user data ([§4](guest.md#s4)). `cvmctx iso` judges what it
would write the same way: with nothing but `--var`s it is an error and no CD is written; with
only a key or a script it is a warning, and `--strict` refuses it as `validate --strict` would.
**Fix:** add `EC2_USER_DATA="<base64 of the user data>"` (`cvmctx iso` writes it from a
user-data file, `--section` or `--set`).""",
    varies=True,
)

CONTEXTSH_USER_DATA_WRAPPED = PAGE.code(
    'contextsh.user-data-wrapped',
    "warning",
    """`EC2_USER_DATA` holds blanks or line breaks. HEPiX copes (its `echo` is unquoted and
`base64 -di` skips them), µCernVM and other readers may not ([§1.4](guest.md#s1.4)). **Fix:** write the base64 on
one line (`base64 -w0`).""",
)

CONTEXTSH_USER_DATA_NOT_BASE64 = PAGE.code(
    'contextsh.user-data-not-base64',
    "error",
    """`EC2_USER_DATA` is not valid base64. µCernVM's `base64 -d` fails on it and HEPiX's
`base64 -di` silently drops the bad characters, so the two get different user data ([§1.4](guest.md#s1.4)).
**Fix:** encode the user data with `base64 -w0`.""",
)

CONTEXTSH_USER_DATA_BASE64_TWICE = PAGE.code(
    'contextsh.user-data-base64-twice',
    "error",
    """`EC2_USER_DATA` holds base64 of base64. The guest decodes it once, and amiconfig then
reads base64 text, not user data ([§1.4](guest.md#s1.4)). **Fix:** encode the plain user data once (`cvmctx iso`
does).""",
)

CONTEXTSH_PUBLIC_KEY_WINS = PAGE.code(
    'contextsh.public-key-wins',
    "info",
    """Both `PUBLIC_KEY` and `ROOT_PUBKEY` are set: the guest installs the `PUBLIC_KEY` text
as root's key and ignores the `ROOT_PUBKEY` file ([§4](guest.md#s4)). **Fix:** set only one.""",
)

CONTEXTSH_NO_ONE_CONTEXT_PATH = PAGE.code(
    'contextsh.no-one-context-path',
    "info",
    """`context.sh` does not set `ONE_CONTEXT_PATH`. No guest code reads it, but the CernVM
docs require it ([§4](guest.md#s4), [§6](guest.md#s6)). **Fix:** add `ONE_CONTEXT_PATH="/var/lib/amiconfig"`.""",
)
