"""Which values are secrets, and how they are hidden in reports and listings.

The models mark secret keys (``guest_key(..., secret=True)``); ``users`` holds passwords inside
``user:group:password`` entries. Keys of sections cvmctx does not know are treated as secret
when their name says so (password, secret, key, cert, token), since a site plugin's secret
must not leak either.
"""

from __future__ import annotations

import re
import string
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from functools import cache

from cvmctx.guest.shapes import strict_base64
from cvmctx.model.sections import REGISTRY, secret_key_names

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


_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")


def holds_user_data(value: str) -> bool:
    """Whether a variable's value is base64 of user data (gzip, a script or INI sections):
    whatever its name, it carries the same passwords and proxies as EC2_USER_DATA."""
    compact = "".join(value.split())
    if not _BASE64_RUN.fullmatch(compact):
        return False
    try:
        data = strict_base64(compact + "=" * (-len(compact) % 4))
    except ValueError:
        return False
    return data[:2] == b"\x1f\x8b" or data[:2] == b"#!" or b"[" in data[:4096]


def shown_variable(name: str, value: str) -> str | None:
    """A context.sh variable's value as a listing may show it; None when it is hidden whole."""
    if is_secret_variable(name) or holds_user_data(value):
        return None
    return "\n".join(mask_by_looks(value.split("\n")))


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
    from cvmctx.guest import inidoc, mime, pytext

    lines = pytext.split_lines(text)
    folded_text = fold_case(text)  # line for line: folding keeps every length
    frame = mime.structure_lines(text)
    section: str | None = None
    secret_above = False
    # Only headers and lines that may name a secret key are read while nothing secret is
    # above: found by one search through the text, not a test per line (16 MB of 'x = y').
    wanted = sorted({*_candidate_lines(folded_text, _secret_key_words()), *_header_lines(text)})

    def dense() -> bool:
        return secret_above  # as it is now: the pass's state

    for index in _visits(wanted, len(lines), dense):
        line = lines[index]
        if index in frame:
            secret_above = False  # a MIME boundary or header ends any value above it
            continue
        header = inidoc.SECTCRE.match(line)
        if header is not None:
            section, secret_above = pytext.ascii_lower(header.group("header")), False
            continue
        if section is None or not pytext.guest_strip(line) or pytext.is_comment(line):
            continue
        option = inidoc.OPTCRE.match(line)
        key = pytext.ascii_lower(pytext.guest_strip(option.group("option"))) if option else None
        if option is None or key is None or line[0] in pytext.ASCII_WS:
            lines[index] = MASK if secret_above else line
            continue
        if secret_above and not _known_key(section, key):
            lines[index] = MASK  # 'REVGR0g=' from a wrapped proxy reads as a key of its own
            continue
        secret_above = is_secret(section, key)
        if secret_above:
            lines[index] = redact_line(line, section, key, option.start("value") + 1)
    return mask_by_looks(lines, folded_text, frame)


# Case folding that keeps every length, for searches that would otherwise need IGNORECASE (ten
# times slower on a long text): ASCII upper case, and the four characters that re's IGNORECASE
# also takes for an ASCII letter (Kelvin sign, long s, dotted and dotless i), so what matches
# after folding is a superset of what IGNORECASE finds.
_FOLD = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ\u212a\u017f\u0130\u0131", "abcdefghijklmnopqrstuvwxyzksii"
)


def fold_case(text: str) -> str:
    return text.translate(_FOLD)


@cache
def _secret_key_words() -> re.Pattern[str]:
    """A search, in :func:`fold_case` text, for anything that may name a secret key: a secret
    key of some section, a ``users`` key, or a name that says secret. A line without one cannot
    hold a key for which :func:`is_secret` is true."""
    names = set(secret_key_names())  # from the index: no model is built for this
    names |= {key for _section, key in _PASSWORD_ENTRIES}
    words = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(f"{words}|{_SECRETISH.pattern}")


def _header_lines(text: str) -> list[int]:
    """The lines of ``text`` that start with '[' (a substring search: a regex's '^' is ten
    times slower)."""

    def hit(at: int) -> int:
        if at == 0 and text.startswith("["):
            return 0
        newline = text.find("\n[", max(at - 1, 0))  # from the newline ending the line before
        return -1 if newline < 0 else newline + 1

    return _lines_hit(text, hit)


def _candidate_lines(text: str, pattern: re.Pattern[str]) -> list[int]:
    """The 0-based numbers of the lines of ``text`` (split on ``\\n``, as the guest splits)
    holding a match of ``pattern``, in order: one search per such line, none per other line."""

    def hit(at: int) -> int:
        match = pattern.search(text, at)
        return -1 if match is None else match.start()

    return _lines_hit(text, hit)


def _lines_hit(text: str, hit: Callable[[int], int]) -> list[int]:
    """The numbers of the lines of ``text`` where ``hit(offset)`` (the offset of the next hit
    at or after ``offset``, or -1) finds something, in order."""
    found: list[int] = []
    number = 0
    counted = 0  # offset up to which newlines are counted into number
    count, find = text.count, text.find
    start = hit(0)
    while start >= 0:
        number += count("\n", counted, start)
        found.append(number)
        end = find("\n", start)
        if end < 0:
            break
        number, counted = number + 1, end + 1
        start = hit(counted)
    return found


# fold_case text with every base64 character as NUL (and a NUL as \x01): a long base64 run is
# then a plain substring search, ten times faster than a regex over the text.
_AS_RUNS = str.maketrans({**{ord(c): 0 for c in string.ascii_lowercase + string.digits + "+/"},
                          0: 1})  # fmt: skip
_RUN = "\0" * 16


def _maybe_secret_lines(folded: str) -> list[int]:
    """The lines of ``folded`` that may hold something secret-looking: a secret word, or a
    run of 16 base64 characters (a blob, a wrapped proxy)."""
    runs = folded.translate(_AS_RUNS)
    worded = _candidate_lines(folded, _SECRET_WORDS_FOLDED)
    blobbed = _lines_hit(runs, lambda at: runs.find(_RUN, at))
    return sorted({*worded, *blobbed})


def _visits(wanted: Sequence[int], count: int, dense: Callable[[], bool]) -> Iterator[int]:
    """The line numbers a pass must look at: every line while ``dense()`` holds (a value
    above may go on), else the next one of ``wanted``."""
    index = position = 0
    while index < count:
        if not dense():
            position = bisect_left(wanted, index, position)
            if position == len(wanted):
                return
            index = wanted[position]
        yield index
        index += 1


# ---------------------------------------------------------------- masking by what text looks like

# Where a text may break a line for some reader (an editor, Python's splitlines, a CR-only file)
# though not for the guest: each piece is judged as a line of its own.
_BREAKS = re.compile("(\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029])")
# A key-looking name, after any prefix (indent, BOM, '[cernvm ]', 'rem', '#', 'export', ';'),
# then ':' or '=', then the value: the shape a secret has wherever the reader places the line.
_LOOKS = re.compile(
    r"(?<![A-Za-z0-9_.-])([A-Za-z0-9_][A-Za-z0-9_.-]*)[ \t\ufeff\u00a0]*[:=][ \t\u00a0]*(?=\S)"
)
_LOOKS_KEY = re.compile(r"[ \t\ufeff\u00a0]*\[|[ \t\ufeff\u00a0]*[A-Za-z0-9_][\w.-]*\s*[:=]")


# In fold_case text, what any secret-looking line holds: a secret word, or a long base64 run.
_SECRET_WORDS_FOLDED = re.compile(f"users|{_SECRETISH.pattern}")
_WRAPPED = re.compile(r"[A-Za-z0-9+/=]{16,}")


def _continues(piece: str) -> bool:
    """Whether a piece reads as the continuation of a value: indented, or a wrapped base64 run."""
    return piece[:1] in (" ", "\t", "\ufeff") or bool(_WRAPPED.fullmatch(piece.rstrip()))


def _secret_looking(key: str) -> bool:
    lower = key.lower()
    return lower == "users" or bool(_SECRETISH.search(lower))


# What the rest of a line must look like for holds_user_data() to accept it once stripped of
# blanks and quotes: base64 characters and blanks, at most two '=' at the end. Unambiguous, so
# a failed match stops at the first other character.
_MAYBE_BASE64_REST = re.compile(
    r"\s*(?:['\"]+\s*)?(?:[A-Za-z0-9+/]\s*){16,}(?:=\s*){0,2}(?:['\"]+\s*)?"
)


def _mask_piece(piece: str) -> tuple[str, bool, str]:
    """A piece of a line with the value after a secret-looking key masked; whether it was;
    the quote that value opens without closing it ('' if none), so the lines below are too."""
    for found in _LOOKS.finditer(piece):
        key = found.group(1)
        # Every 'NAME=' of a long line is a candidate: only one whose whole rest may be base64
        # is decoded (the test stops at the first other character; a copy of the rest per
        # candidate made a 1 MB environment line quadratic).
        if not _secret_looking(key) and not (
            _MAYBE_BASE64_REST.fullmatch(piece, found.end())
            and holds_user_data(piece[found.end() :].strip().strip("'\""))
        ):
            continue
        value = piece[found.end() :]
        quote = value[0] if value[:1] in ("'", '"') and value[0] not in value[1:] else ""
        if key.lower() == "users":
            value = ",".join(map(_mask_password, value.split(",")))
            return piece[: found.end()] + value, True, quote
        return piece[: found.end()] + MASK, True, quote
    return piece, False, ""


def mask_by_looks(
    lines: list[str], folded: str | None = None, frame: frozenset[int] = frozenset()
) -> list[str]:
    """Lines with every value that *looks* secret masked, wherever the guest places it.

    The guest's reading (:func:`redacted_lines`) misses lines it places nowhere: an indented or
    tab-indented key, a line before the first section or in a ``[cernvm ]`` section, a ``rem``
    line, text after a BOM or in a CR-only file. Any ``name = value`` or ``name: value`` whose
    name says secret (or is ``users``) is masked here too, in any section or none, and the lines
    that continue such a value (until a blank line, a header or a line that reads as another
    key) with it.

    ``folded``: the :func:`fold_case` text that ``lines`` were split from (on ``\\n``) before
    any redaction, when the caller has it (a search there is ten times faster; a redacted line
    only lost text).
    ``frame``: the numbers of lines that are a MIME message's boundaries and headers
    (:func:`cvmctx.guest.mime.structure_lines`); they end a value's continuation and are judged only
    for a secret-looking value of their own.
    """
    out = list(lines)
    continuing = False
    quote = ""  # a quote that a masked value opened and has not closed: all up to it is secret
    # A line with nothing secret-looking stays as it is, unless a value above goes on: only the
    # others are read, found by one search through the folded text (lines that hold a '\\n'
    # of their own would shift that text's line numbers: then every line is read).
    wanted: Sequence[int]
    if folded is not None:
        wanted = _maybe_secret_lines(folded)
    else:
        folded = fold_case("\n".join(lines))
        split_alike = folded.count("\n") == max(len(lines) - 1, 0)
        wanted = _maybe_secret_lines(folded) if split_alike else range(len(lines))

    def dense() -> bool:
        return bool(continuing or quote)  # as they are now: the pass's state

    for index in _visits(wanted, len(lines), dense):
        line = lines[index]
        if index in frame:
            continuing, quote = False, ""
        pieces = _BREAKS.split(line)
        for piece_index in range(0, len(pieces), 2):
            piece = pieces[piece_index]
            if quote:
                pieces[piece_index] = MASK if piece else piece
                quote = "" if quote in piece else quote
                continue
            masked, secret, opened = _mask_piece(piece)
            if secret:
                pieces[piece_index], continuing, quote = masked, True, opened
            elif not piece.strip() or _LOOKS_KEY.match(piece):
                continuing = False
            elif continuing and piece != MASK and _continues(piece):
                pieces[piece_index] = MASK
            else:
                continuing = False
        out[index] = "".join(pieces)
    return out


def _known_key(section: str, key: str) -> bool:
    cls = REGISTRY.get(section)
    return cls is not None and cls.key_spec(key) is not None
