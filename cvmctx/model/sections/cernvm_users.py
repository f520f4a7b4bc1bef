"""``[cernvm] users`` and the rules its names and passwords follow (docs/guest.md §3.9): the
codecs of the accounts the guest creates, and the read-back of the .conf files it writes,
which every [cernvm] value shares."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from cvmctx.catalog.cernvmvalues import (
    BAD_HASH,
    DUPLICATE,
    ECHO_OPTION,
    FIELDS,
    GROUP,
    NAME,
    NAME_STYLE,
    PASSWORD_SPACE,
    PLAINTEXT_PASSWORD,
    RANDOM,
    ROOT,
    UNRECOGNISED_HASH,
    USER,
)
from cvmctx.catalog.code import Code
from cvmctx.catalog.encoded import UNUSUAL_SHELL
from cvmctx.catalog.values import DOUBLE_QUOTE, GLOB, SHELL_EXPANSION
from cvmctx.diagnostics import Diagnostic
from cvmctx.model.codecs.core import Codec, Notes, Parsed, Refused, SpecForm, check_line, note
from cvmctx.model.codecs.lists import AbsolutePath

# useradd's portable rule, and the wider one Red Hat's shadow-utils accepts.
NAME_RE = r"[a-z_][a-z0-9_-]*\$?"
LAX_NAME_RE = r"[A-Za-z_][A-Za-z0-9_.-]*\$?"
NAME_MAX = 32
SHA512_CRYPT_RE = r"\$6\$(?:rounds=[0-9]+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{86}"
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
        notes.append(note(DOUBLE_QUOTE, QUOTE_HELP + ": the value loses "
                          "them", "remove the double quotes", offset + quote))
    found = _READ_BACK_EXPANDS.search(text)  # one search, not a generator step per character
    expand = found.start() if found is not None else None
    if expand is not None:
        notes.append(note(SHELL_EXPANSION, READ_BACK_HELP,
                          "avoid '$', '`' and '\\' in this value", offset + expand))
    return notes


def _check_name(name: str, what: str, code: Code, offset: int) -> list[Diagnostic]:
    """A Linux user or group name as useradd/groupadd take it; refuses what they reject."""
    if not name:
        raise Refused(code, f"the {what} name is empty: useradd/groupadd fail",
                      f"write a {what} name such as cms", offset)
    if len(name) > NAME_MAX or not re.fullmatch(LAX_NAME_RE, name):
        raise Refused(code, f"'{name}' is not a valid {what} name: useradd/groupadd reject it "
                      f"(at most {NAME_MAX} characters: letters, digits, '_', '-', not starting "
                      "with a digit or '-')", f"write a {what} name such as cms", offset)
    if not re.fullmatch(NAME_RE, name):
        return [note(NAME_STYLE, f"'{name}' has upper-case letters or '.': "
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
class UserName(Codec[str]):
    """An existing or created Linux account name (``x509-user``, ``eos-user``)."""

    kind: ClassVar[str] = "user name"

    def parse(self, text: str) -> Parsed[str]:
        check_line(text)
        return Parsed(text, tuple(_check_name(text, "user", NAME, 0)))


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
        return Parsed(text, (note(UNUSUAL_SHELL, "CernVM supports "
                                  "/bin/bash and /bin/tcsh as user shells; another shell must "
                                  "exist on the image or the users cannot log in",
                                  "write /bin/bash or /bin/tcsh"),))


@dataclass(frozen=True)
class Users(Codec[tuple[UserEntry, ...]]):
    """``user:group:password`` entries joined by ``,`` (docs/guest.md §3.9 "users details")."""

    kind: ClassVar[str] = "user:group:password,..."

    def spec_form(self) -> SpecForm:
        return SpecForm(
            "records",
            fields=("name", "group", "password"),
            field_sep=":",
            optional=("password",),
            alternatives=(("password_hash", "password"),),
        )

    def parse(self, text: str) -> Parsed[tuple[UserEntry, ...]]:
        check_line(text)
        if not text:
            raise Refused(FIELDS, "an empty 'users' makes the guest's cernvm plugin fail "
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
                    FIELDS,
                    "each user must be exactly user:group:password (three fields separated by "
                    f"':'; this entry has {len(fields)}): the guest fails on it and creates no "
                    "user after it, so no ':' or ',' may appear in a password",
                    "write user:group:password, with no ':' or ',' in the password (or leave "
                    "the password empty for a random one)",
                    offset,
                )
            user, group, password = fields
            notes.extend(_check_name(user, "user", USER, offset))
            group_at = offset + len(user) + 1
            notes.extend(_check_name(group, "group", GROUP, group_at))
            if user == "root":
                notes.append(note(ROOT, "the guest runs its user setup on "
                                  "root: it changes root's shell, group and password",
                                  "create an ordinary user", offset))
            if user in seen:
                notes.append(note(DUPLICATE, f"user '{user}' is listed "
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
        return [note(RANDOM, f"user '{user}': the guest sets a random "
                     "8-character password", "set a password, or log in with an ssh key",
                     offset)]
    space = re.search(r"\s", password, re.ASCII)
    if space is not None:
        raise Refused(PASSWORD_SPACE, f"the password of user {number} holds whitespace: the "
                      "guest sets it with an unquoted 'echo $passwd | passwd --stdin', which "
                      "collapses or drops it", "use a password without spaces, or a $6$ hash",
                      offset + space.start())
    if password.startswith("$6$"):
        if re.fullmatch(SHA512_CRYPT_RE, password):
            return []
        return [note(BAD_HASH, f"the password of user '{user}' starts with "
                     "$6$ but is not a well-formed SHA-512 crypt hash: the guest sets it as "
                     "the hash as is, and no password will match it",
                     "generate it with: cvmctx hash-password", offset)]
    if re.fullmatch(r"-[neE]+", password):
        raise Refused(ECHO_OPTION, f"the guest sets the password of user {number} with "
                      "'echo $passwd': echo takes this password as an option and prints "
                      "nothing", "use another password, or a $6$ hash", offset)
    notes: list[Diagnostic] = []
    if password.startswith(("$1$", "$5$")):
        notes.append(note(UNRECOGNISED_HASH, f"the password of user "
                          f"'{user}' looks like a {password[:3]} crypt hash, but the guest "
                          "recognises only $6$ (SHA-512) hashes: it sets this text as the "
                          "plain-text password", "generate a SHA-512 hash: cvmctx hash-password",
                          offset))
    else:
        notes.append(note(PLAINTEXT_PASSWORD, f"the password of user "
                          f"'{user}' is plain text: the guest sets it with 'echo $passwd | "
                          "passwd --stdin', and anyone who can read the user data can read it",
                          "give a SHA-512 crypt hash: cvmctx hash-password (or build "
                          "--hash-passwords)", offset))
    glob = next((i for i, ch in enumerate(password) if ch in "*?["), None)
    if glob is not None:
        notes.append(note(GLOB, f"the password of user '{user}' holds a "
                          "'*', '?' or '[': the guest's unquoted echo may replace it with "
                          "matching file names", "avoid '*', '?' and '[' in the password",
                          offset + glob))
    return notes
