"""The structured ``[cernvm]`` values besides users (docs/guest.md §3.9): ``environment``,
``contextualization_command``, ``extra_repositories``, the site.conf text and swap size."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from cvmctx.catalog.cernvmvalues import (
    DUPLICATE,
    EMPTY_COMMAND,
    EMPTY_VALUE,
    FIELDS,
    LIST,
    NAME,
    PREFIX,
    QUOTED,
    SERVER,
    SYSTEM_USER,
    USER,
)
from cvmctx.catalog.encoded import NOT_PEM
from cvmctx.catalog.values import SHELL_EXPANSION
from cvmctx.diagnostics import Diagnostic, Severity
from cvmctx.model.codecs.blobs import guest_base64
from cvmctx.model.codecs.core import Codec, Notes, Parsed, Refused, SpecForm, check_line, note
from cvmctx.model.codecs.flags import FALSE_WORDS
from cvmctx.model.codecs.scalars import Text
from cvmctx.model.sections.cernvm_users import (
    _READ_BACK_EXPANDS,
    QUOTE_HELP,
    READ_BACK_EXPANDS,
    READ_BACK_HELP,
    SYSTEM_USERS,
    _read_back_notes,
)

if TYPE_CHECKING:
    from sortedcontainers import SortedList

ENV_NAME_RE = r"[A-Za-z_][A-Za-z0-9_]*"
_ENV_NAME = re.compile(ENV_NAME_RE, re.ASCII)
REPO_RE = r"[A-Za-z0-9][A-Za-z0-9._-]*"
SERVER_RE = r"[A-Za-z0-9.\[\]:-]+"


@dataclass(frozen=True)
class EnvEntry:
    """One ``NAME=value`` entry of ``environment``."""

    name: str
    value: str

    def __repr__(self) -> str:
        return f"EnvEntry(name={self.name!r}, value={self.value!r})"


@dataclass(frozen=True)
class ContextCommand:
    """``contextualization_command``: the one command run as ``user`` at the end of boot."""

    user: str
    command: str

    def __repr__(self) -> str:
        return f"ContextCommand(user={self.user!r}, command={self.command!r})"


@dataclass(frozen=True)
class ExtraRepository:
    """One ``name|server|base64-public-key`` entry of ``extra_repositories``."""

    name: str
    server: str
    public_key: str  # base64, as written

    def __repr__(self) -> str:
        return (f"ExtraRepository(name={self.name!r}, server={self.server!r}, "
                f"public_key=<{len(self.public_key)} base64 characters>)")


# ---------------------------------------------------------------- codecs
@dataclass(frozen=True)
class SiteConfText(Text):
    """A string the guest writes to a CernVM ``.conf`` file and reads back through eval."""

    def parse(self, text: str) -> Parsed[str]:
        parsed = super().parse(text)
        return Parsed(parsed.value, (*parsed.notes, *_read_back_notes(text)))


@dataclass(frozen=True)
class SwapSize(Text):
    """``swap_size``: ``config -t`` runs ``fallocate -l <value>`` unless the value is empty.

    The plugin's own docstring writes ``swap_size = off`` for "no swap": ``fallocate`` rejects
    ``off`` (or ``0``, ``no``) and the guest creates no swap, as the text says. So a spelling of
    "no" is accepted, kept as written.
    """

    def parse(self, text: str) -> Parsed[str]:
        if text.lower() in FALSE_WORDS:
            check_line(text)
            return Parsed(text)
        return super().parse(text)


@dataclass(frozen=True)
class Environment(Codec[tuple[EnvEntry, ...]]):
    """``NAME=value`` entries joined by ``,`` (docs/guest.md §3.9 "environment details")."""

    kind: ClassVar[str] = "NAME=value,..."

    def spec_form(self) -> SpecForm:
        return SpecForm("mapping", field_sep="=")

    def parse(self, text: str) -> Parsed[tuple[EnvEntry, ...]]:
        check_line(text)
        if not text:
            raise Refused(FIELDS, "an empty 'environment' makes the guest's cernvm plugin "
                          "fail (it expects NAME=value) and skip every key after it",
                          "remove the key, or write NAME=value")
        entries: list[EnvEntry] = []
        notes = Notes()
        names = _NameIndex()
        offset = 0
        for raw in text.split(","):
            fields = raw.split("=")
            if len(fields) != 2:
                raise Refused(
                    FIELDS,
                    "each variable must be exactly NAME=value: the guest splits the list on "
                    "',' and each entry on '=', so no ',' or '=' may appear in a value; on "
                    "this entry the cernvm plugin fails and skips every key after it",
                    "remove ',' and '=' from the values (or set them in the script part)",
                    offset,
                )
            name, value = fields
            if not _ENV_NAME.fullmatch(name):
                raise Refused(NAME, "a variable name must be letters, digits and '_', not "
                              "starting with a digit: the login shell cannot define it",
                              "write a name such as CMS_ROOT", offset)
            value_at = offset + len(name) + 1
            if not value:
                notes.append(note(EMPTY_VALUE, f"'{name}' has an empty "
                                  "value: the guest writes no line for it (it deletes any "
                                  f"line starting with '{name}' instead)",
                                  "give a value, or remove the entry", value_at))
            if '"' in value or _READ_BACK_EXPANDS.search(value):
                notes.extend(_read_back_notes(value, value_at))
            names.note(name, offset, notes)
            entries.append(EnvEntry(name, value))
            offset += len(raw) + 1
        return Parsed(tuple(entries), tuple(notes), notes.left_out_items())

    def render(self, value: tuple[EnvEntry, ...]) -> str:
        return ",".join(f"{e.name}={e.value}" for e in value)

    def example(self) -> str:
        return "CMS_SITECONFIG=EC2,CMS_ROOT=/opt/cms"


class _NameIndex:
    """The names seen so far, for writeConfigToFile's prefix matching (docs/guest.md §3.9).

    At most one finding per entry, found in time linear in the name's length (its prefixes in a
    set) plus a binary search (earlier names that start with it), never entry against entry:
    1,000 copies of ``A=1`` give 999 findings, not 499,500.
    """

    def __init__(self) -> None:
        from sortedcontainers import SortedList  # only where an environment is read

        self.seen: set[str] = set()
        # Sorted for the binary search; a plain list's insort moves every later name, which
        # made a long line of distinct names quadratic (2 MB: 13 s).
        self.ordered: SortedList[str] = SortedList()

    def longer(self, name: str) -> str | None:
        """An earlier name that starts with ``name`` and is longer, if any."""
        at = self.ordered.bisect_right(name)
        if at < len(self.ordered):
            after: str = self.ordered[at]
            if after.startswith(name):
                return after
        return None

    def note(self, name: str, offset: int, notes: Notes) -> None:
        """Add to ``notes`` what the entry ``name`` meets among the earlier names, then add it."""
        if name in self.seen:
            if notes.room(DUPLICATE):  # past the cap only counted: no message built
                notes.append(note(DUPLICATE, f"'{name}' is set twice: the later value "
                                  "replaces the earlier one", "set each variable once", offset))
            return
        found = self._prefix_note(name, offset, notes)
        if found is not None:
            notes.append(found)
        self.seen.add(name)
        self.ordered.add(name)

    def _prefix_note(self, name: str, offset: int, notes: Notes) -> Diagnostic | None:
        longer = self.longer(name)
        if longer is not None:
            if not notes.room(PREFIX):
                return None
            return note(PREFIX, f"'{name}' is a prefix of '{longer}': the "
                        f"guest's writeConfigToFile matches names by prefix, so writing "
                        f"'{name}' replaces the '{longer}' line and '{longer}' is lost",
                        "rename one of them so that neither name is the start of the other",
                        offset)
        shorter = next((name[:n] for n in range(1, len(name)) if name[:n] in self.seen), None)
        if shorter is not None:
            if not notes.room(PREFIX):
                return None
            return note(PREFIX, f"'{shorter}' is a prefix of '{name}': the "
                        "guest's writeConfigToFile matches names by prefix, so one of them is "
                        f"deleted if '{shorter}' is ever written after '{name}' (in this order "
                        "both survive)", "rename one of them so that neither name is the "
                        "start of the other", offset)
        return None


@dataclass(frozen=True)
class ContextCommandCodec(Codec[ContextCommand]):
    """``user:command``, run by ``su - user -c "command > /dev/null 2>&1 &"`` (§3.9)."""

    kind: ClassVar[str] = "user:command"

    def spec_form(self) -> SpecForm:
        return SpecForm("record", fields=("user", "command"), field_sep=":")

    def parse(self, text: str) -> Parsed[ContextCommand]:
        check_line(text)
        user, sep, command = text.partition(":")
        if not sep or not re.fullmatch(r"[a-z]+", user):
            raise Refused(USER, "the guest takes the user from lower-case letters before the "
                          "first ':' (no digits, '_' or '-'): with this value nothing runs",
                          "write user:/path/script.sh args, with a user name of letters a-z")
        if user in SYSTEM_USERS:
            raise Refused(SYSTEM_USER, f"the guest runs the command only as a user with uid "
                          f">= 500: as '{user}' nothing runs",
                          "create a user in 'users' and run the command as that user")
        if not command:
            raise Refused(EMPTY_COMMAND, "there is no command after 'user:': nothing runs",
                          "write user:/path/script.sh args")
        at = len(user) + 1
        listed = re.search(r",\s*[a-z][a-z0-9_-]*:(?!//)", command)
        if listed is not None:
            raise Refused(LIST, "the guest runs one command, not a ','-separated list (the "
                          "docs are wrong): everything after the first 'user:' is one command",
                          "run one script that starts the others", at + listed.start())
        if _one_quoted_word(command):
            raise Refused(QUOTED, "the command is wrapped in single quotes: they survive the "
                          "guest's read-back and 'su -c' runs the quoted text as ONE word, "
                          "program name and arguments together, so the command is not found "
                          "and nothing runs", "write user:/path/script.sh args, without quotes",
                          at)
        return Parsed(ContextCommand(user, command), tuple(_command_notes(command, at)))

    def render(self, value: ContextCommand) -> str:
        return f"{value.user}:{value.command}"

    def example(self) -> str:
        return "alice:/path/script.sh args"


def _one_quoted_word(command: str) -> bool:
    """``'prog arg'``: single quotes around a command with arguments make it one word."""
    return (
        len(command) > 1
        and command[0] == command[-1] == "'"
        and "'" not in command[1:-1]
        and re.search(r"\s", command[1:-1], re.ASCII) is not None
    )


def _command_notes(command: str, at: int) -> list[Diagnostic]:
    hint = "write user:/path/script.sh args, without quotes"
    notes: list[Diagnostic] = []
    dquote = command.find('"')
    if dquote >= 0:
        notes.append(note(QUOTED, "the command holds double quotes: "
                          + QUOTE_HELP + ", so the command runs without them", hint,
                          at + dquote, severity=Severity.WARNING))
    elif "'" in command:
        notes.append(note(QUOTED, "the command holds single quotes: they "
                          "survive the guest's read-back and the 'su -c' shell interprets them",
                          "check that the quoting does what you want, or use a script",
                          at + command.index("'"), severity=Severity.WARNING))
    expand = next((i for i, ch in enumerate(command) if ch in READ_BACK_EXPANDS), None)
    if expand is not None:
        notes.append(note(SHELL_EXPANSION, READ_BACK_HELP + ", as root, "
                          "before the command runs", "put the command in a script and run "
                          "that", at + expand))
    return notes


@dataclass(frozen=True)
class ExtraRepositories(Codec[tuple[ExtraRepository, ...]]):
    """``name|server|base64-key`` entries joined by ``,`` (§3.9, since 2014-05)."""

    kind: ClassVar[str] = "name|server|base64-public-key,..."

    def spec_form(self) -> SpecForm:
        return SpecForm(
            "records", fields=("name", "server", "public_key"), field_sep="|"
        )

    def parse(self, text: str) -> Parsed[tuple[ExtraRepository, ...]]:
        check_line(text)
        if not text:
            raise Refused(FIELDS, "an empty value adds no repository",
                          "remove the key, or write name|server|base64-public-key")
        entries: list[ExtraRepository] = []
        notes = Notes()
        offset = 0
        for raw in text.split(","):
            fields = raw.split("|")
            if len(fields) != 3:
                raise Refused(FIELDS, "each repository must be exactly "
                              f"name|server|base64-public-key (this entry has {len(fields)} "
                              "'|'-separated fields): the guest silently skips it",
                              "write name|server|base64-public-key", offset)
            name, server, key = fields
            if not re.fullmatch(REPO_RE, name):
                raise Refused(NAME, "the repository name becomes a file name on the guest "
                              "(/etc/cvmfs/config.d/<name>.conf): use letters, digits, '.', "
                              "'_' and '-'", "write the repository name, e.g. sft.cern.ch",
                              offset)
            server_at = offset + len(name) + 1
            if "://" in server or not re.fullmatch(SERVER_RE, server):
                raise Refused(SERVER, "the guest writes "
                              "CVMFS_SERVER_URL=http://<server>/cvmfs/<name>: the server must "
                              "be host or host:port, without http:// or a path",
                              "write e.g. cvmfs-stratum-one.example.org:8000", server_at)
            key_at = server_at + len(server) + 1
            # The guest's b64decode is Python 2's lenient a2b_base64; a decode error skips the
            # entry (guest-format.md §3.9).
            decoded, key_notes = guest_base64(
                key, "the public key", ": the guest silently skips this repository",
                "give base64 of the repository's .pub file (base64 -w0 name.pub)", key_at)
            notes.extend(key_notes)
            if b"-----BEGIN " not in decoded.data:
                notes.append(note(NOT_PEM, "the public key does not decode to a PEM block: "
                                  "CVMFS cannot verify the repository with it",
                                  "encode the repository's .pub file", key_at,
                                  severity=Severity.WARNING))  # fmt: skip
            entries.append(ExtraRepository(name, server, decoded.canonical))
            offset += len(raw) + 1
        return Parsed(tuple(entries), tuple(notes), notes.left_out_items())

    def render(self, value: tuple[ExtraRepository, ...]) -> str:
        return ",".join(f"{e.name}|{e.server}|{e.public_key}" for e in value)

    def example(self) -> str:
        return "repo.example.org|stratum1.example.org|<base64 of repo.example.org.pub>"
