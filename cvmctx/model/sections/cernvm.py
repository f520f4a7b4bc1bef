"""[cernvm]: the CernVM appliance settings (users, CVMFS, environment, proxy certificate)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, ClassVar

from cvmctx.diagnostics import Diagnostic, Severity, error, warning
from cvmctx.model.codecs.blobs import Base64Blob, guest_base64
from cvmctx.model.codecs.core import Codec, Notes, Parsed, Refused, check_line, note
from cvmctx.model.codecs.flags import FALSE_WORDS, NoEffect
from cvmctx.model.codecs.lists import AbsolutePath, CommaList
from cvmctx.model.codecs.proxy import CvmfsProxy
from cvmctx.model.codecs.scalars import Choice, Integer, Text
from cvmctx.model.sections._base import Section, guest_key
from cvmctx.model.sections.hostname import HOSTNAME_RE

# useradd's portable rule, and the wider one Red Hat's shadow-utils accepts.
NAME_RE = r"[a-z_][a-z0-9_-]*\$?"
LAX_NAME_RE = r"[A-Za-z_][A-Za-z0-9_.-]*\$?"
NAME_MAX = 32
ENV_NAME_RE = r"[A-Za-z_][A-Za-z0-9_]*"
_ENV_NAME = re.compile(ENV_NAME_RE, re.ASCII)
SHA512_CRYPT_RE = r"\$6\$(?:rounds=[0-9]+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{86}"
REPO_RE = r"[A-Za-z0-9][A-Za-z0-9._-]*"
SERVER_RE = r"[A-Za-z0-9.\[\]:-]+"
SHELLS = ("/bin/bash", "/bin/tcsh")
# Accounts a CernVM image already has with a uid below 500: S50script.sh never runs as them.
SYSTEM_USERS = frozenset(
    {
        "root", "bin", "daemon", "adm", "lp", "sync", "shutdown", "halt", "mail", "uucp",
        "operator", "games", "gopher", "ftp", "nobody", "dbus", "rpc", "rpcuser", "nfsnobody",
        "sshd", "ntp", "postfix", "apache", "squid", "cvmfs", "haldaemon", "avahi", "xfs", "gdm",
        "vcsa", "saslauth", "pulse", "rtkit", "abrt", "tcpdump",
    }
)
READ_BACK_EXPANDS = "$`\\"
_READ_BACK_EXPANDS = re.compile("[$`\\\\]")
READ_BACK_HELP = (
    "the guest reads /etc/cernvm/site.conf and environment.conf back with eval as KEY=\"value\": "
    "'$', '`' and '\\' are interpreted by the shell there"
)
QUOTE_HELP = "the guest deletes every double quote when it reads the .conf files back"


def _read_back_notes(text: str, offset: int = 0) -> list[Diagnostic]:
    """What the eval-based read-back of site.conf does to a value (guest-format.md §3.9)."""
    notes: list[Diagnostic] = []
    quote = text.find('"')
    if quote >= 0:
        notes.append(note("double-quote", Severity.WARNING, QUOTE_HELP + ": the value loses "
                          "them", "remove the double quotes", offset + quote))
    found = _READ_BACK_EXPANDS.search(text)  # one search, not a generator step per character
    expand = found.start() if found is not None else None
    if expand is not None:
        notes.append(note("shell-expansion", Severity.WARNING, READ_BACK_HELP,
                          "avoid '$', '`' and '\\' in this value", offset + expand))
    return notes


def _check_name(name: str, what: str, code: str, offset: int) -> list[Diagnostic]:
    """A Linux user or group name as useradd/groupadd take it; refuses what they reject."""
    if not name:
        raise Refused(code, f"the {what} name is empty: useradd/groupadd fail",
                      f"write a {what} name such as cms", offset)
    if len(name) > NAME_MAX or not re.fullmatch(LAX_NAME_RE, name):
        raise Refused(code, f"'{name}' is not a valid {what} name: useradd/groupadd reject it "
                      f"(at most {NAME_MAX} characters: letters, digits, '_', '-', not starting "
                      "with a digit or '-')", f"write a {what} name such as cms", offset)
    if not re.fullmatch(NAME_RE, name):
        return [note("name-style", Severity.WARNING, f"'{name}' has upper-case letters or '.': "
                     "Red Hat's useradd accepts it, most other tools expect lower-case names",
                     f"write the {what} name in lower case", offset)]
    return []


# ---------------------------------------------------------------- value classes
@dataclass(frozen=True)
class UserEntry:
    """One ``user:group:password`` entry of ``users``; an empty password means a random one."""

    user: str
    group: str
    password: str

    def __repr__(self) -> str:
        shown = "''" if not self.password else "<hidden>"
        return f"UserEntry(user={self.user!r}, group={self.group!r}, password={shown})"


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
class UserName(Codec[str]):
    """An existing or created Linux account name (``x509-user``, ``eos-user``)."""

    kind: ClassVar[str] = "user name"

    def parse(self, text: str) -> Parsed[str]:
        check_line(text)
        return Parsed(text, tuple(_check_name(text, "user", "name", 0)))


@dataclass(frozen=True)
class Shell(AbsolutePath):
    """The login shell of the users (``CERNVM_USER_SHELL``)."""

    kind: ClassVar[str] = "absolute path of a shell"
    what: str = "the users' login shell"
    example_path: str = "/bin/bash"

    def parse(self, text: str) -> Parsed[str]:
        parsed = super().parse(text)
        if text in SHELLS:
            return parsed
        return Parsed(text, (note("unusual-shell", Severity.WARNING, "CernVM supports "
                                  "/bin/bash and /bin/tcsh as user shells; another shell must "
                                  "exist on the image or the users cannot log in",
                                  "write /bin/bash or /bin/tcsh"),))


@dataclass(frozen=True)
class Users(Codec[tuple[UserEntry, ...]]):
    """``user:group:password`` entries joined by ``,`` (docs/guest.md §3.9 "users details")."""

    kind: ClassVar[str] = "user:group:password,..."

    def parse(self, text: str) -> Parsed[tuple[UserEntry, ...]]:
        check_line(text)
        if not text:
            raise Refused("fields", "an empty 'users' makes the guest's cernvm plugin fail "
                          "(it expects user:group:password) and skip every key after it",
                          "remove the key, or write user:group:password")
        entries: list[UserEntry] = []
        notes = Notes()
        seen: set[str] = set()
        offset = 0
        for raw in text.split(","):
            fields = raw.split(":")
            if len(fields) != 3:
                raise Refused(
                    "fields",
                    "each user must be exactly user:group:password (three fields separated by "
                    f"':'; this entry has {len(fields)}): the guest fails on it and creates no "
                    "user after it, so no ':' or ',' may appear in a password",
                    "write user:group:password, with no ':' or ',' in the password (or leave "
                    "the password empty for a random one)",
                    offset,
                )
            user, group, password = fields
            notes.extend(_check_name(user, "user", "user", offset))
            group_at = offset + len(user) + 1
            notes.extend(_check_name(group, "group", "group", group_at))
            if user == "root":
                notes.append(note("root", Severity.WARNING, "the guest runs its user setup on "
                                  "root: it changes root's shell, group and password",
                                  "create an ordinary user", offset))
            if user in seen:
                notes.append(note("duplicate", Severity.WARNING, f"user '{user}' is listed "
                                  "twice: the guest sets it up again with the later entry",
                                  "list each user once", offset))
            seen.add(user)
            at = group_at + len(group) + 1
            notes.extend(_password_notes(password, user, at, len(entries) + 1))
            entries.append(UserEntry(user, group, password))
            offset += len(raw) + 1
        return Parsed(tuple(entries), tuple(notes), notes.left_out_items())

    def render(self, value: tuple[UserEntry, ...]) -> str:
        return ",".join(f"{e.user}:{e.group}:{e.password}" for e in value)

    def example(self) -> str:
        return "alice:cms:,bob:cms:$6$salt$hash"


def _password_notes(password: str, user: str, offset: int, number: int) -> list[Diagnostic]:
    """Findings about one password; the password itself never appears in them.

    A refusal names the entry by its number, not by its user: a ',' in a password splits it,
    and the "user" of the entry after it is then a piece of that password.
    """
    if not password:
        return [note("random", Severity.INFO, f"user '{user}': the guest sets a random "
                     "8-character password", "set a password, or log in with an ssh key",
                     offset)]
    space = re.search(r"\s", password, re.ASCII)
    if space is not None:
        raise Refused("password-space", f"the password of user {number} holds whitespace: the "
                      "guest sets it with an unquoted 'echo $passwd | passwd --stdin', which "
                      "collapses or drops it", "use a password without spaces, or a $6$ hash",
                      offset + space.start())
    if password.startswith("$6$"):
        if re.fullmatch(SHA512_CRYPT_RE, password):
            return []
        return [note("bad-hash", Severity.WARNING, f"the password of user '{user}' starts with "
                     "$6$ but is not a well-formed SHA-512 crypt hash: the guest sets it as "
                     "the hash as is, and no password will match it",
                     "generate it with: cvmctx hash-password", offset)]
    if re.fullmatch(r"-[neE]+", password):
        raise Refused("echo-option", f"the guest sets the password of user {number} with "
                      "'echo $passwd': echo takes this password as an option and prints "
                      "nothing", "use another password, or a $6$ hash", offset)
    notes: list[Diagnostic] = []
    if password.startswith(("$1$", "$5$")):
        notes.append(note("unrecognised-hash", Severity.WARNING, f"the password of user "
                          f"'{user}' looks like a {password[:3]} crypt hash, but the guest "
                          "recognises only $6$ (SHA-512) hashes: it sets this text as the "
                          "plain-text password", "generate a SHA-512 hash: cvmctx hash-password",
                          offset))
    else:
        notes.append(note("plaintext-password", Severity.WARNING, f"the password of user "
                          f"'{user}' is plain text: the guest sets it with 'echo $passwd | "
                          "passwd --stdin', and anyone who can read the user data can read it",
                          "give a SHA-512 crypt hash: cvmctx hash-password (or build "
                          "--hash-passwords)", offset))
    glob = next((i for i, ch in enumerate(password) if ch in "*?["), None)
    if glob is not None:
        notes.append(note("glob", Severity.WARNING, f"the password of user '{user}' holds a "
                          "'*', '?' or '[': the guest's unquoted echo may replace it with "
                          "matching file names", "avoid '*', '?' and '[' in the password",
                          offset + glob))
    return notes


@dataclass(frozen=True)
class Environment(Codec[tuple[EnvEntry, ...]]):
    """``NAME=value`` entries joined by ``,`` (docs/guest.md §3.9 "environment details")."""

    kind: ClassVar[str] = "NAME=value,..."

    def parse(self, text: str) -> Parsed[tuple[EnvEntry, ...]]:
        check_line(text)
        if not text:
            raise Refused("fields", "an empty 'environment' makes the guest's cernvm plugin "
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
                    "fields",
                    "each variable must be exactly NAME=value: the guest splits the list on "
                    "',' and each entry on '=', so no ',' or '=' may appear in a value; on "
                    "this entry the cernvm plugin fails and skips every key after it",
                    "remove ',' and '=' from the values (or set them in the script part)",
                    offset,
                )
            name, value = fields
            if not _ENV_NAME.fullmatch(name):
                raise Refused("name", "a variable name must be letters, digits and '_', not "
                              "starting with a digit: the login shell cannot define it",
                              "write a name such as CMS_ROOT", offset)
            value_at = offset + len(name) + 1
            if not value:
                notes.append(note("empty-value", Severity.WARNING, f"'{name}' has an empty "
                                  "value: the guest writes no line for it (it deletes any "
                                  f"line starting with '{name}' instead)",
                                  "give a value, or remove the entry", value_at))
            if '"' in value or _READ_BACK_EXPANDS.search(value):
                notes.extend(_read_back_notes(value, value_at))
            notes.extend(names.notes(name, offset))
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
        self.seen: set[str] = set()
        self.ordered: list[str] = []

    def longer(self, name: str) -> str | None:
        """An earlier name that starts with ``name`` and is longer, if any."""
        at = bisect.bisect_right(self.ordered, name)
        if at < len(self.ordered) and self.ordered[at].startswith(name):
            return self.ordered[at]
        return None

    def notes(self, name: str, offset: int) -> list[Diagnostic]:
        found = self._note(name, offset)
        if name not in self.seen:
            self.seen.add(name)
            bisect.insort(self.ordered, name)
        return [] if found is None else [found]

    def _note(self, name: str, offset: int) -> Diagnostic | None:
        if name in self.seen:
            return note("duplicate", Severity.WARNING, f"'{name}' is set twice: the later "
                        "value replaces the earlier one", "set each variable once", offset)
        longer = self.longer(name)
        if longer is not None:
            return note("prefix", Severity.WARNING, f"'{name}' is a prefix of '{longer}': the "
                        f"guest's writeConfigToFile matches names by prefix, so writing "
                        f"'{name}' replaces the '{longer}' line and '{longer}' is lost",
                        "rename one of them so that neither name is the start of the other",
                        offset)
        shorter = next((name[:n] for n in range(1, len(name)) if name[:n] in self.seen), None)
        if shorter is not None:
            return note("prefix", Severity.WARNING, f"'{shorter}' is a prefix of '{name}': the "
                        "guest's writeConfigToFile matches names by prefix, so one of them is "
                        f"deleted if '{shorter}' is ever written after '{name}' (in this order "
                        "both survive)", "rename one of them so that neither name is the "
                        "start of the other", offset)
        return None


@dataclass(frozen=True)
class ContextCommandCodec(Codec[ContextCommand]):
    """``user:command``, run by ``su - user -c "command > /dev/null 2>&1 &"`` (§3.9)."""

    kind: ClassVar[str] = "user:command"

    def parse(self, text: str) -> Parsed[ContextCommand]:
        check_line(text)
        user, sep, command = text.partition(":")
        if not sep or not re.fullmatch(r"[a-z]+", user):
            raise Refused("user", "the guest takes the user from lower-case letters before the "
                          "first ':' (no digits, '_' or '-'): with this value nothing runs",
                          "write user:/path/script.sh args, with a user name of letters a-z")
        if user in SYSTEM_USERS:
            raise Refused("system-user", f"the guest runs the command only as a user with uid "
                          f">= 500: as '{user}' nothing runs",
                          "create a user in 'users' and run the command as that user")
        if not command:
            raise Refused("empty-command", "there is no command after 'user:': nothing runs",
                          "write user:/path/script.sh args")
        at = len(user) + 1
        listed = re.search(r",\s*[a-z][a-z0-9_-]*:(?!//)", command)
        if listed is not None:
            raise Refused("list", "the guest runs one command, not a ','-separated list (the "
                          "docs are wrong): everything after the first 'user:' is one command",
                          "run one script that starts the others", at + listed.start())
        if _one_quoted_word(command):
            raise Refused("quoted", "the command is wrapped in single quotes: they survive the "
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
        notes.append(note("quoted", Severity.WARNING, "the command holds double quotes: "
                          + QUOTE_HELP + ", so the command runs without them", hint,
                          at + dquote))
    elif "'" in command:
        notes.append(note("quoted", Severity.WARNING, "the command holds single quotes: they "
                          "survive the guest's read-back and the 'su -c' shell interprets them",
                          "check that the quoting does what you want, or use a script",
                          at + command.index("'")))
    expand = next((i for i, ch in enumerate(command) if ch in READ_BACK_EXPANDS), None)
    if expand is not None:
        notes.append(note("shell-expansion", Severity.WARNING, READ_BACK_HELP + ", as root, "
                          "before the command runs", "put the command in a script and run "
                          "that", at + expand))
    return notes


@dataclass(frozen=True)
class ExtraRepositories(Codec[tuple[ExtraRepository, ...]]):
    """``name|server|base64-key`` entries joined by ``,`` (§3.9, since 2014-05)."""

    kind: ClassVar[str] = "name|server|base64-public-key,..."

    def parse(self, text: str) -> Parsed[tuple[ExtraRepository, ...]]:
        check_line(text)
        if not text:
            raise Refused("fields", "an empty value adds no repository",
                          "remove the key, or write name|server|base64-public-key")
        entries: list[ExtraRepository] = []
        notes = Notes()
        offset = 0
        for raw in text.split(","):
            fields = raw.split("|")
            if len(fields) != 3:
                raise Refused("fields", "each repository must be exactly "
                              f"name|server|base64-public-key (this entry has {len(fields)} "
                              "'|'-separated fields): the guest silently skips it",
                              "write name|server|base64-public-key", offset)
            name, server, key = fields
            if not re.fullmatch(REPO_RE, name):
                raise Refused("name", "the repository name becomes a file name on the guest "
                              "(/etc/cvmfs/config.d/<name>.conf): use letters, digits, '.', "
                              "'_' and '-'", "write the repository name, e.g. sft.cern.ch",
                              offset)
            server_at = offset + len(name) + 1
            if "://" in server or not re.fullmatch(SERVER_RE, server):
                raise Refused("server", "the guest writes "
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
                notes.append(note("not-pem", Severity.WARNING, "the public key does not "
                                  "decode to a PEM block: CVMFS cannot verify the repository "
                                  "with it", "encode the repository's .pub file", key_at))
            entries.append(ExtraRepository(name, server, decoded.canonical))
            offset += len(raw) + 1
        return Parsed(tuple(entries), tuple(notes), notes.left_out_items())

    def render(self, value: tuple[ExtraRepository, ...]) -> str:
        return ",".join(f"{e.name}|{e.server}|{e.public_key}" for e in value)

    def example(self) -> str:
        return "repo.example.org|stratum1.example.org|<base64 of repo.example.org.pub>"


X509_FIX = "give the file (e.g. --x509-proxy FILE or key=@FILE) and let cvmctx encode it"
X509_ON_ERROR = (
    "; on a decode error the guest's cernvm plugin returns immediately, skipping every key "
    "after it (eos-*, desktop mode)"
)


class Cernvm(Section):
    """Configures the appliance: users, CVMFS, environment, proxy (docs/guest.md §3.9).

    The plugin writes most keys as raw ``KEY=value`` lines into ``/etc/cernvm/site.conf``,
    ``/etc/cvmfs/site.conf`` or ``/etc/cernvm/environment.conf``; init scripts read them back
    with ``eval`` after deleting every ``"``, so ``$``, backticks and ``\\`` in a value are
    interpreted by the shell (docs/guest.md §3.9). The plugin runs whenever it is enabled; it
    always writes ``shell`` (default ``/bin/bash``) and ``auto_login`` (default ``off``).

    Keys, in the order the guest handles them:

    - ``organisations`` and ``repositories``: lower-case ``,`` lists (CVMFS repositories).
      ``extra_repositories``: ``name|server|base64-public-key`` entries joined by ``,``; an
      entry without exactly three fields or with bad base64 is silently skipped.
    - ``screenres`` (``1280x800``), ``startxdm`` and ``auto_login`` (exactly ``on``/``off``),
      ``edition`` (only exactly ``Desktop`` turns on desktop mode), ``keyboard``,
      ``griduiversion``.
    - ``proxy``: ``CVMFS_HTTP_PROXY`` such as ``http://squid:3128;DIRECT``, no spaces: a
      space before ``;`` starts a comment on the guest (docs/guest.md §2).
    - ``services``: a ``,`` list started with ``service <name> start`` late in the boot.
    - ``environment``: ``NAME=value`` entries joined by ``,``; no ``,`` or ``=`` in a value.
      The guest matches names by prefix when writing them, so avoid names that start another
      (``CMS`` and ``CMS_ROOT``).
    - ``users``: ``user:group:password`` entries joined by ``,``, exactly three fields each:
      a bad entry stops the plugin, and no user after it is created. No ``:`` or ``,`` in a
      password. Only a ``$6$`` (SHA-512 crypt) hash is set as a hash; anything else is set as
      a plain-text password through an unquoted ``echo``; an empty password becomes a random
      one. The first user is the appliance user (and the default ``x509-user``/``eos-user``).
    - ``contextualization_command``: **one** ``user:/path/script.sh args``, run at the end of
      the boot as that user (lower-case letters only, uid >= 500, never root), not a list.
    - ``x509-cert``: base64 of a PEM proxy, written to ``/tmp/x509up_u<uid>`` of
      ``x509-user``. The guest's Python 2 decoder skips spaces between the groups and stops at
      the first ``=`` padding; cvmctx writes the value on one line without spaces.
      ``x509-cert-file`` names a file already on the guest. A ``x509-cert`` or
      ``eos-x509-cert`` that does not decode makes the plugin return at once, skipping the
      keys after it.
    - ``eos-server`` mounts EOS at ``/eos`` with ``eosfsd``; it needs a user (``eos-user`` or
      ``users``) and a proxy certificate (``x509-cert``, ``x509-cert-file`` or
      ``eos-x509-cert``).

    Gotchas: ``group_profile`` does nothing useful (``/etc/cernvm/config -g`` only prints its
    usage). ``config_url`` is not read. When ``users`` is set the guest's prefix matching
    replaces the ``CERNVM_USER_SHELL`` line of site.conf with ``CERNVM_USER`` (the users still
    get their shell). After all its work the plugin ends with an error (rc 2) from a broken
    ``service cernvm start`` call **[inference]**.
    """

    SECTION: ClassVar[str] = "cernvm"
    PLUGINS: ClassVar[tuple[str, ...]] = ("cernvm",)
    NOT_READ: ClassVar[Mapping[str, str]] = {
        "config_url": "no guest code reads config_url (the cernvm plugin has it commented "
        "out): no configuration is fetched",
    }

    group_profile: Annotated[
        str | None,
        NoEffect(
            message="the guest runs '/etc/cernvm/config -g <value>', but that script does not "
            "know -g: it prints its usage and exits, so no group profile is installed",
            hint="remove it; set organisations and repositories instead",
        ),
    ] = guest_key("group_profile", "Group profile to install; has no effect on the guest.")
    entitlement_key: Annotated[str | None, SiteConfText()] = guest_key(
        "entitlement_key", "CVMFS entitlement key (CVMFS_ENTITLEMENT_KEY).", secret=True
    )
    contextualization_key: Annotated[str | None, SiteConfText()] = guest_key(
        "contextualization_key",
        "CernVM Online pairing key, <context-id>[:<secret>].",
        secret=True,
    )
    contextualization_command: Annotated[ContextCommand | None, ContextCommandCodec()] = (
        guest_key(
            "contextualization_command",
            "One user:/path/script.sh args, run as that user (uid >= 500) at the end of boot.",
        )
    )
    organisations: Annotated[
        tuple[str, ...] | None,
        CommaList(lower=True, item_pattern=REPO_RE, item_help="an organisation name, e.g. cms"),
    ] = guest_key("organisations", "Organisations/experiments, ',' list, lower case.")
    repositories: Annotated[
        tuple[str, ...] | None,
        CommaList(lower=True, item_pattern=REPO_RE, item_help="a repository name, e.g. atlas"),
    ] = guest_key("repositories", "CVMFS repositories to mount, ',' list, lower case.")
    extra_repositories: Annotated[tuple[ExtraRepository, ...] | None, ExtraRepositories()] = (
        guest_key(
            "extra_repositories",
            "Extra CVMFS repositories: name|server|base64-public-key, ',' list.",
        )
    )
    screenres: Annotated[
        str | None,
        Text(pattern=r"[0-9]+x[0-9]+", pattern_help="WIDTHxHEIGHT, e.g. 1280x800"),
    ] = guest_key("screenres", "Screen resolution, e.g. 1280x800 (written screenRes).")
    startxdm: Annotated[
        str | None,
        Choice(("on", "off"), otherwise=" (CERNVM_START_XDM)"),
    ] = guest_key("startxdm", "Start the graphical login (XDM) at boot.")
    edition: Annotated[
        str | None,
        Choice(
            ("Desktop",),
            open=True,
            otherwise=": only exactly 'Desktop' turns on desktop mode (config -x, telinit 5)",
        ),
    ] = guest_key("edition", "CernVM edition; exactly 'Desktop' turns on desktop mode.")
    keyboard: Annotated[
        str | None,
        Text(pattern=r"[A-Za-z0-9_.-]+", pattern_help="a keyboard layout such as us"),
    ] = guest_key("keyboard", "Keyboard layout, e.g. us or us-acentos.")
    griduiversion: Annotated[
        str | None,
        Text(pattern=r"[A-Za-z0-9_.-]+", pattern_help="a grid UI version such as default"),
    ] = guest_key("griduiversion", "Grid UI version (written gridUiVersion).")
    proxy: Annotated[tuple[tuple[str, ...], ...] | None, CvmfsProxy()] = guest_key(
        "proxy", "CVMFS HTTP proxy, e.g. http://squid:3128;DIRECT (no spaces)."
    )
    services: Annotated[
        tuple[str, ...] | None,
        CommaList(item_pattern=r"[A-Za-z0-9@._-]+", item_help="a service name such as ntpd"),
    ] = guest_key("services", "Services to start at the end of boot, ',' list.")
    shell: Annotated[str | None, Shell()] = guest_key(
        "shell", "Login shell of the users: /bin/bash or /bin/tcsh.", default="/bin/bash"
    )
    auto_login: Annotated[
        str | None,
        Choice(("on", "off"), otherwise=" (CERNVM_AUTOLOGIN)"),
    ] = guest_key("auto_login", "Log the first user in to the desktop.", default="off")
    swap_size: Annotated[
        str | None,
        SwapSize(
            pattern=r"[0-9]+[mMgG]|auto", pattern_help="a size such as 512m or 2g, auto, or off"
        ),
    ] = guest_key(
        "swap_size", "Swap to create: a size like 1g/512m, auto (2 GB per core), or off (none)."
    )
    desktop_icons: Annotated[str | None, SiteConfText()] = guest_key(
        "desktop_icons", "Desktop icons to set up (CERNVM_DESKTOP_ICONS, then config -y)."
    )
    environment: Annotated[tuple[EnvEntry, ...] | None, Environment()] = guest_key(
        "environment", "Environment variables for logins: NAME=value, ',' list."
    )
    users: Annotated[tuple[UserEntry, ...] | None, Users()] = guest_key(
        "users", "Users to create: user:group:password, ',' list (empty password = random)."
    )
    x509_user: Annotated[str | None, UserName()] = guest_key(
        "x509-user", "Owner of the proxy certificate file.", default="first user, else root"
    )
    x509_cert_file: Annotated[
        str | None, AbsolutePath(what="a file on the guest", example_path="/tmp/x509up_u0")
    ] = guest_key("x509-cert-file", "Path ON THE GUEST of a proxy to copy to /tmp/x509up_u<uid>.")
    x509_cert: Annotated[
        str | None,
        Base64Blob(what="a PEM proxy certificate", on_error=X509_ON_ERROR, fix=X509_FIX),
    ] = guest_key(
        "x509-cert",
        "Proxy certificate, single-line base64 of the PEM (give the file: --x509-proxy).",
        secret=True,
    )
    eos_user: Annotated[str | None, UserName()] = guest_key(
        "eos-user", "User that mounts EOS.", default="first user"
    )
    eos_x509_cert: Annotated[
        str | None,
        Base64Blob(what="a PEM proxy certificate", on_error=X509_ON_ERROR),
    ] = guest_key(
        "eos-x509-cert", "Proxy certificate for EOS, single-line base64 of the PEM.", secret=True
    )
    eos_readaheadsize: Annotated[int | None, Integer()] = guest_key(
        "eos-readaheadsize", "EOS read-ahead size in bytes.", default="4000000"
    )
    eos_readcachesize: Annotated[int | None, Integer()] = guest_key(
        "eos-readcachesize", "EOS read cache size in bytes.", default="16000000"
    )
    eos_server: Annotated[
        str | None,
        Text(pattern=HOSTNAME_RE, pattern_help="an EOS host name such as eospublic.cern.ch"),
    ] = guest_key("eos-server", "EOS server to mount at /eos (root://<server>//eos/).")

    def check(self) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        user_names = {e.user for e in self.users or ()}
        command = self.contextualization_command
        if command is not None and command.user not in user_names:
            found.append(
                warning(
                    "cernvm.contextualization_command.user-not-created",
                    f"'{command.user}' is not created by 'users': the command runs only if "
                    "that user already exists on the image with a uid >= 500",
                    path="cernvm.contextualization_command",
                    hint=f"add {command.user}:<group>: to 'users'",
                )
            )
        eos_user = self.eos_user or (self.users[0].user if self.users else None)
        if self.eos_x509_cert is not None and eos_user is None:
            found.append(
                error(
                    "cernvm.missing-key",
                    "[cernvm] eos-x509-cert needs eos-user or users: without a user the "
                    "guest's cernvm plugin fails there and skips every key after it",
                    path="cernvm.eos-x509-cert",
                    hint="set eos-user, or users",
                )
            )
        if self.eos_server is not None:
            if eos_user is None:
                found.append(
                    warning(
                        "cernvm.key-ignored",
                        "eos-server needs eos-user or users: without a user the guest does "
                        "not mount EOS",
                        path="cernvm.eos-server",
                        hint="set eos-user, or users",
                    )
                )
            elif (self.x509_cert, self.x509_cert_file, self.eos_x509_cert) == (None,) * 3:
                found.append(
                    error(
                        "cernvm.missing-key",
                        "[cernvm] eos-server needs a proxy certificate (x509-cert, "
                        "x509-cert-file or eos-x509-cert): without one the guest's cernvm "
                        "plugin fails while mounting EOS",
                        path="cernvm.eos-server",
                        hint="give the proxy: --x509-proxy FILE",
                    )
                )
        else:
            found.extend(
                warning(
                    "cernvm.key-ignored",
                    f"'{key}' is used only to mount EOS with eos-server: without eos-server "
                    "the guest ignores it",
                    path=f"cernvm.{key}",
                    hint=f"set eos-server, or remove '{key}'",
                )
                for key, value in (
                    ("eos-readaheadsize", self.eos_readaheadsize),
                    ("eos-readcachesize", self.eos_readcachesize),
                )
                if value is not None
            )
        if self.x509_cert is not None and self.x509_cert_file is not None:
            found.append(
                warning(
                    "cernvm.key-ignored",
                    "x509-cert and x509-cert-file both write /tmp/x509up_u<uid>: the guest "
                    "copies x509-cert-file first and then overwrites it with x509-cert",
                    path="cernvm.x509-cert-file",
                    hint="keep one of them",
                )
            )
        return found
