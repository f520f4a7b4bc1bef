"""Codes of deployment specs and fleets (``spec.*``, ``hosts.*``).

Declared here once; docs/diagnostics.md is generated from the catalog
(``python -m cvmctx.catalog``), in the order of declaration."""

from __future__ import annotations

from cvmctx.catalog.code import Page

PAGE = Page()

PAGE.prose(
    """## Deployment specs (`spec.*`, `hosts.*`)

Reported by `cvmctx build SPEC.toml`, `cvmctx iso SPEC.toml` and `cvmctx fleet` about the spec
and the hosts table, at the spec's file, line and TOML key (see [deploy.md](deploy.md)). A value
the spec gives is then judged by the same codes as the same value in a user-data file, placed
at the spec's line. A spec that is not TOML, or a file it names that cannot be read, is a usage
error (exit 2) instead.
"""
)

UNKNOWN_TABLE = PAGE.code(
    'spec.unknown-table',
    "error",
    """A top-level table is neither one of the spec's own (`build`, `script`, `cd`, `fleet`)
nor a section some guest plugin reads. Nothing would be written for it. **Fix:** correct the
name (the message suggests the nearest one); `cvmctx sections` lists the sections.""",
)

UNKNOWN_KEY = PAGE.code(
    'spec.unknown-key',
    "error",
    """A table has a key it does not take: a key the section's plugin does not read (as with
`--set`, the user asked for an effect and would get none), a key read under another name, or
an option the spec's own tables do not have. **Fix:** correct the key (the message suggests the
nearest one); `cvmctx sections NAME` lists a section's keys, `cvmctx schema` every key.""",
)

WRONG_TYPE = PAGE.code(
    'spec.wrong-type',
    "error",
    """A value has a TOML type its key does not take: a table where a string goes, a number
for a list, a boolean for a name. Every key also takes amiconfig's own string form, so text
pasted from an existing context works. **Fix:** write the value in one of the forms the message
names (see `cvmctx schema`).""",
)

SEPARATOR = PAGE.code(
    'spec.separator',
    "error",
    """An item of an array (or a field of a table) holds the character the guest splits that
value on: a `,` in an organisation, a `:` in a password of `users`, a `,` in an `environment`
value. Joined into amiconfig's line, it would be read as two items. **Fix:** remove the
character; where the guest cannot carry it at all, the value needs another form.""",
)

TEMPLATE = PAGE.code(
    'spec.template',
    "error",
    """A `{{ … }}` or `{% … %}` template in the spec does not render: a variable that is not
defined (a column the hosts table lacks, `host` without a hosts table), a syntax error, or an
operation the sandbox refuses. An undefined variable is never rendered as an empty string.
**Fix:** add the column to the hosts table, correct the name, or build the spec with
`cvmctx fleet SPEC --hosts FILE`.""",
)

PAGE.prose(
    """### Hosts tables
"""
)

HOST_NAME = PAGE.code(
    'hosts.unsafe-name',
    "error",
    """A host's `name` cannot be a directory name of the fleet: it is empty, `.` or `..`,
holds `/`, `\\`, a control character or whitespace, starts with `.` or `-`, or is longer than
255 bytes. **Fix:** use the machine's host name (letters, digits, `.`, `-`, `_`).""",
    level=4,
)

DUPLICATE_HOST = PAGE.code(
    'hosts.duplicate-name',
    "error",
    """Two hosts have the same `name`, or names that differ only in case (one directory on
case-insensitive file systems, and one DNS name). **Fix:** give every host its own name.""",
    level=4,
)

NO_NAME = PAGE.code(
    'hosts.no-name',
    "error",
    """A hosts table has no `name` column, or a row without a name. The name is the host's
directory in the fleet and `{{ host.name }}` in the spec. **Fix:** add a `name` column (the
first line of a CSV file is its header).""",
    level=4,
)
