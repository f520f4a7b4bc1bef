"""Which values are secrets, and how they are hidden in reports and listings.

The models mark secret keys (``guest_key(..., secret=True)``); ``users`` holds passwords inside
``user:group:password`` entries. Keys of sections cvmctx does not know are treated as secret
when their name says so (password, secret, key, cert, token), since a site plugin's secret
must not leak either.
"""

from __future__ import annotations

import re

from cvmctx.sections import REGISTRY

MASK = "********"
_SECRETISH = re.compile(r"pass|secret|key|cert|token|cred", re.IGNORECASE)
# Keys holding entries with a password in their third ':' field.
_PASSWORD_ENTRIES = {("cernvm", "users")}


def is_secret(section: str, key: str) -> bool:
    cls = REGISTRY.get(section)
    if cls is not None:
        spec = cls.key_spec(key)
        if spec is not None:
            return spec.secret or (section, key) in _PASSWORD_ENTRIES
    return bool(_SECRETISH.search(key))


#: context.sh variables that carry the user data: base64 hides none of its passwords or proxies.
USER_DATA_VARIABLES = frozenset({"EC2_USER_DATA", "USER_DATA"})
_PUBLIC_VARIABLES = frozenset({"PUBLIC_KEY", "ROOT_PUBKEY", "SSH_KEY"})  # public keys


def is_secret_variable(name: str) -> bool:
    """Whether a context.sh variable's value is hidden unless asked for."""
    upper = name.upper()
    if upper in USER_DATA_VARIABLES:
        return True
    return upper not in _PUBLIC_VARIABLES and bool(_SECRETISH.search(name))


def redact_value(section: str, key: str, value: str) -> str:
    """The value as it may be shown: passwords and secret blobs masked, the rest unchanged."""
    if (section, key) in _PASSWORD_ENTRIES:
        return ",".join(_mask_password(entry) for entry in value.split(","))
    if value and is_secret(section, key):
        return MASK
    return value


def _mask_password(entry: str) -> str:
    parts = entry.split(":", 2)
    if len(parts) == 3 and parts[2]:
        return f"{parts[0]}:{parts[1]}:{MASK}"
    return entry if len(parts) == 3 else MASK


def redact_line(line: str, section: str, key: str, value_column: int) -> str:
    """A source line with its value redacted (for code frames); ``value_column`` is 1-based."""
    start = value_column - 1
    value = line[start:].rstrip("\r")
    shown = redact_value(section, key, value.strip())
    if shown == value.strip():
        return line
    return line[:start] + shown


def redacted_lines(text: str) -> list[str]:
    """The text's lines as the guest splits them, secrets masked, for code frames.

    Every ``key = value`` line is judged, not only the one the guest keeps (a repeated key's
    earlier lines hold secrets too), and lines that continue a secret value (indented
    continuations, wrapped base64, even a wrapped line that reads as a key of its own) are
    masked whole.
    """
    from cvmctx import ini

    lines = ini.split_lines(text)
    section: str | None = None
    secret_above = False
    for index, line in enumerate(lines):
        header = ini.SECTCRE.match(line)
        if header is not None:
            section, secret_above = ini.ascii_lower(header.group("header")), False
            continue
        if section is None or not ini.guest_strip(line) or ini.is_comment(line):
            continue
        option = ini.OPTCRE.match(line)
        key = ini.ascii_lower(ini.guest_strip(option.group("option"))) if option else None
        if option is None or key is None or line[0] in ini.ASCII_WS:
            lines[index] = MASK if secret_above else line
            continue
        if secret_above and not _known_key(section, key):
            lines[index] = MASK  # 'REVGR0g=' from a wrapped proxy reads as a key of its own
            continue
        lines[index] = redact_line(line, section, key, option.start("value") + 1)
        secret_above = is_secret(section, key)
    return lines


def _known_key(section: str, key: str) -> bool:
    cls = REGISTRY.get(section)
    return cls is not None and cls.key_spec(key) is not None


# ---------------------------------------------------------------- password hashing

_SALT_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def hash_password(password: str) -> str:
    """A SHA-512 crypt hash (``$6$<16-char salt>$<86 chars>``), the one form the guest sets as
    a hash (guest-format.md §3.9: ``usermod -p``). The default 5000 rounds keep the classic
    form without ``rounds=``, which every glibc since 2007 reads. The salt is random, so a build
    with hashing is not byte-reproducible: hash once (``cvmctx hash-password``) for that."""
    import secrets as random_source

    from passlib.hash import sha512_crypt

    if not password:
        raise ValueError("an empty password cannot be hashed")
    salt = "".join(random_source.choice(_SALT_ALPHABET) for _ in range(16))
    return str(sha512_crypt.using(rounds=5000, salt=salt).hash(password))


def hash_users(value: str) -> tuple[str, list[str]]:
    """``[cernvm] users`` with every plaintext password replaced by its hash; the user names
    whose password was hashed. Entries that are not ``user:group:password`` stay as they are
    for the model to report."""
    entries: list[str] = []
    hashed: list[str] = []
    for entry in value.split(","):
        parts = entry.split(":")
        if len(parts) == 3 and parts[2] and not parts[2].startswith("$6$"):
            parts[2] = hash_password(parts[2])
            hashed.append(parts[0])
        entries.append(":".join(parts))
    return ",".join(entries), hashed
