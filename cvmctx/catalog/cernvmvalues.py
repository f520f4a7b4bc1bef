"""Value problems of the structured ``[cernvm]`` values: users, environment,
``contextualization_command``, ``extra_repositories``.

Declared here once; docs/diagnostics.md is generated from the catalog
(``python -m cvmctx.catalog``), in the order of declaration."""

from __future__ import annotations

from cvmctx.catalog.code import Page

PAGE = Page()

PAGE.prose(
    """### `[cernvm] users`

`user:group:password` entries joined by `,` ([§3.9](guest.md#s3.9)).
"""
)

FIELDS = PAGE.code(
    '<section>.<key>.fields',
    "error",
    """Keys: cernvm.users (exactly `user:group:password`), cernvm.environment (exactly
`NAME=value`), cernvm.extra_repositories (exactly `name|server|base64-key`), or the value is
empty. The guest splits on `,` and then on `:`, `=` or `|`; on a bad users or environment entry
the cernvm plugin fails and skips everything after it, a bad repository entry is silently
skipped ([§3.9](guest.md#s3.9)). So no `:` or `,` may appear in a password, and no `,` or `=` in an environment
value. **Fix:** write the entries in the exact form; leave a password empty for a random one.""",
    level=4,
)

USER = PAGE.code(
    '<section>.<key>.user',
    "error",
    """Keys: cernvm.users (the user name is empty or not one useradd accepts: at most 32
letters, digits, `_`, `-`, not starting with a digit or `-`), cernvm.contextualization_command
(the guest takes the user from the lower-case letters before the first `:`; no digits, `_` or
`-`, or nothing runs) ([§3.9](guest.md#s3.9)). **Fix:** write a valid user name (`a`–`z` only for the command).""",
    level=4,
)

GROUP = PAGE.code(
    '<section>.<key>.group',
    "error",
    """Key: cernvm.users. The group name is empty or not one groupadd accepts ([§3.9](guest.md#s3.9)).
**Fix:** write a group name such as `cms`.""",
    level=4,
)

NAME = PAGE.code(
    '<section>.<key>.name',
    "error",
    """Keys: cernvm.x509-user, cernvm.eos-user (not a user name useradd accepts),
cernvm.environment (a variable name must be letters, digits and `_`, not starting with a digit),
cernvm.extra_repositories (the repository name becomes the file name
`/etc/cvmfs/config.d/<name>.conf`) ([§3.9](guest.md#s3.9)). **Fix:** write a valid name.""",
    level=4,
)

NAME_STYLE = PAGE.code(
    '<section>.<key>.name-style',
    "warning",
    """Keys: cernvm.users, cernvm.x509-user, cernvm.eos-user. The name has upper-case
letters or `.`: Red Hat's useradd accepts it, most other tools expect lower-case names ([§3.9](guest.md#s3.9)).
**Fix:** write the name in lower case.""",
    level=4,
)

ROOT = PAGE.code(
    '<section>.<key>.root',
    "warning",
    """Key: cernvm.users. The guest runs its user setup on root: it changes root's shell,
group and password ([§3.9](guest.md#s3.9)). **Fix:** create an ordinary user.""",
    level=4,
)

DUPLICATE = PAGE.code(
    '<section>.<key>.duplicate',
    "warning",
    """Keys: cernvm.users (the guest sets the user up again with the later entry),
cernvm.environment (the later value replaces the earlier one) ([§3.9](guest.md#s3.9)). **Fix:** list each user or
variable once.""",
    level=4,
)

RANDOM = PAGE.code(
    '<section>.<key>.random',
    "info",
    """Key: cernvm.users. The password is empty: the guest sets a random 8-character password
([§3.9](guest.md#s3.9)). **Fix:** set a password, or log in with an ssh key.""",
    level=4,
)

PLAINTEXT_PASSWORD = PAGE.code(
    '<section>.<key>.plaintext-password',
    "warning",
    """Key: cernvm.users. The password is plain text: the guest sets it with
`echo $passwd | passwd --stdin`, and anyone who can read the user data can read it ([§3.9](guest.md#s3.9)).
**Fix:** give a SHA-512 crypt hash (`cvmctx hash-password`, or `cvmctx build --hash-passwords`).""",
    level=4,
)

UNRECOGNISED_HASH = PAGE.code(
    '<section>.<key>.unrecognised-hash',
    "warning",
    """Key: cernvm.users. The password looks like a `$1$` or `$5$` crypt hash, but the guest
recognises only `$6$` (SHA-512) hashes and sets this text as the plain-text password ([§3.9](guest.md#s3.9)).
**Fix:** generate a SHA-512 hash: `cvmctx hash-password`.""",
    level=4,
)

BAD_HASH = PAGE.code(
    '<section>.<key>.bad-hash',
    "warning",
    """Key: cernvm.users. The password starts with `$6$` but is not a well-formed SHA-512
crypt hash: the guest sets it as the hash as is, and no password will match it ([§3.9](guest.md#s3.9)). **Fix:**
generate it with `cvmctx hash-password`.""",
    level=4,
)

PASSWORD_SPACE = PAGE.code(
    '<section>.<key>.password-space',
    "error",
    """Key: cernvm.users. The password holds whitespace; the guest's unquoted
`echo $passwd | passwd --stdin` collapses or drops it ([§3.9](guest.md#s3.9)). **Fix:** use a password without
spaces, or a `$6$` hash.""",
    level=4,
)

ECHO_OPTION = PAGE.code(
    '<section>.<key>.echo-option',
    "error",
    """Key: cernvm.users. The password is something like `-n` or `-e`: the guest's
`echo $passwd` takes it as an option and prints nothing ([§3.9](guest.md#s3.9)). **Fix:** use another password,
or a `$6$` hash.""",
    level=4,
)

PAGE.prose(
    """### `[cernvm] environment`

`NAME=value` entries joined by `,` ([§3.9](guest.md#s3.9)); `fields`, `name`, `duplicate`, `double-quote` and
`shell-expansion` above apply too.
"""
)

EMPTY_VALUE = PAGE.code(
    '<section>.<key>.empty-value',
    "warning",
    """Key: cernvm.environment. A variable has an empty value: the guest writes no line for
it, and instead deletes any line starting with that name ([§3.9](guest.md#s3.9)). **Fix:** give a value, or remove
the entry.""",
    level=4,
)

PREFIX = PAGE.code(
    '<section>.<key>.prefix',
    "warning",
    """Key: cernvm.environment. One variable name is the start of another (`CMS` and
`CMS_ROOT`). The guest's `writeConfigToFile` matches names by prefix, so writing the shorter one
replaces or deletes the longer one's line ([§3.9](guest.md#s3.9)). **Fix:** rename one so that neither name starts
the other.""",
    level=4,
)

PAGE.prose(
    """### `[cernvm] contextualization_command`

One `user:/path/script.sh args`, run as that user (uid ≥ 500) at the end of the boot ([§3.9](guest.md#s3.9), [§6](guest.md#s6)).
`user` and `shell-expansion` above apply too.
"""
)

SYSTEM_USER = PAGE.code(
    '<section>.<key>.system-user',
    "error",
    """Key: cernvm.contextualization_command. The user is a system account (uid below 500,
such as root): the guest runs the command only as a user with uid of 500 or more, so nothing
runs ([§3.9](guest.md#s3.9)). **Fix:** create a user in `users` and run the command as that user.""",
    level=4,
)

EMPTY_COMMAND = PAGE.code(
    '<section>.<key>.empty-command',
    "error",
    """Key: cernvm.contextualization_command. There is no command after `user:`: nothing
runs ([§3.9](guest.md#s3.9)). **Fix:** write `user:/path/script.sh args`.""",
    level=4,
)

LIST = PAGE.code(
    '<section>.<key>.list',
    "error",
    """Key: cernvm.contextualization_command. The guest runs one command, not a `,`-separated
list (the docs are wrong): everything after the first `user:` is one command ([§3.9](guest.md#s3.9), [§6](guest.md#s6)). **Fix:**
run one script that starts the others.""",
    level=4,
)

QUOTED = PAGE.code(
    '<section>.<key>.quoted',
    "error",
    """ when the whole command is wrapped in single quotes: they survive the guest's read-back,
and `su -c` runs the quoted text as one word, so the command is not found. **warning** when it
holds double quotes (the guest deletes them) or single quotes elsewhere (the `su -c` shell
interprets them) ([§3.9](guest.md#s3.9)). Key: cernvm.contextualization_command. **Fix:** write
`user:/path/script.sh args`, without quotes.""",
    level=4,
    varies=True,
)

PAGE.prose(
    """### `[cernvm] extra_repositories`

`name|server|base64-public-key` entries joined by `,` ([§3.9](guest.md#s3.9)); `fields`, `name`, `not-base64` and
`not-pem` above apply too.
"""
)

SERVER = PAGE.code(
    '<section>.<key>.server',
    "error",
    """Key: cernvm.extra_repositories. The guest writes
`CVMFS_SERVER_URL=http://<server>/cvmfs/<name>`, so the server must be `host` or `host:port`,
without `http://` or a path ([§3.9](guest.md#s3.9)). **Fix:** write, for example,
`cvmfs-stratum-one.example.org:8000`.""",
    level=4,
)
