"""Password hashing for ``[cernvm] users``: the one hash form the guest sets as a hash."""

from __future__ import annotations

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
