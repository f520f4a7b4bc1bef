"""Guest-typed fields: each knows the exact text the guest reads and refuses what it misreads.

A section model (see :mod:`cvmctx.model.sections._base`) is a pydantic model whose fields carry a
:class:`Codec` in their ``Annotated`` metadata. The codec turns the one-line string the guest's
INI reader hands to the plugin into a typed value (``parse``) and back (``render``), with
``parse(render(v)) == v`` for every value it accepts. ``parse`` raises :class:`Refused` for text
the guest would reject or misread, and returns notes (findings made by :func:`note`) for text
that works but surprises. Messages speak of the guest and the user's INI, never of the
validation library, and never quote the value itself: a field may hold a secret.
"""

from __future__ import annotations

import base64
import re
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from cvmctx.diagnostics import Diagnostic, Severity
from cvmctx.guest.ini import ASCII_WS, cut_inline_comment, guest_split
from cvmctx.guest.py2base64 import Decoded, IncorrectPadding, decodestring
from cvmctx.limits import PER_CODE

T = TypeVar("T")


def note(
    code: str, severity: Severity, message: str, hint: str | None = None, offset: int | None = None
) -> Diagnostic:
    """A finding about one value, as a codec sees it: ``code`` is the suffix after
    ``<section>.<key>.``, and the column counts in the value (``offset`` 0 is column 1), until
    the section model places it at the key's line and column (``Section._note``)."""
    return Diagnostic(code, severity, message, hint=hint,
                      column=None if offset is None else offset + 1)  # fmt: skip


class Refused(Exception):  # it names what happened to the value (not "...Error")
    """The guest would reject or misread this value; it is not taken into the model."""

    def __init__(self, code: str, message: str, hint: str | None = None, offset: int | None = None):
        super().__init__(message)
        self.finding = note(code, Severity.ERROR, message, hint, offset)


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


class Notes(list[Diagnostic]):
    """A codec's notes about one value, at most :data:`~cvmctx.limits.PER_CODE` of each code:
    the rest are only counted (a value of a million list entries would otherwise hold a
    million notes, then a million findings, in memory at once)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[str, int] = {}
        self.left_out: dict[str, tuple[Severity, int]] = {}

    def append(self, note: Diagnostic) -> None:
        seen = self.seen[note.code] = self.seen.get(note.code, 0) + 1
        if seen <= PER_CODE:
            super().append(note)
            return
        worst, count = self.left_out.get(note.code, (note.severity, 0))
        if _RANK[note.severity] < _RANK[worst]:
            worst = note.severity
        self.left_out[note.code] = (worst, count + 1)

    def left_out_items(self) -> tuple[tuple[str, Severity, int], ...]:
        return tuple((code, sev, n) for code, (sev, n) in self.left_out.items())

    def extend(self, notes: Iterable[Diagnostic]) -> None:
        for note in notes:
            self.append(note)


@dataclass(frozen=True)
class Parsed(Generic[T]):
    value: T
    notes: tuple[Diagnostic, ...] = ()
    #: Notes left out past PER_CODE of a code, by code: their worst severity and how many.
    left_out: tuple[tuple[str, Severity, int], ...] = ()

    def __post_init__(self) -> None:
        if len(self.notes) <= PER_CODE:
            return
        bounded = Notes()
        bounded.extend(self.notes)
        object.__setattr__(self, "notes", tuple(bounded))
        object.__setattr__(self, "left_out", (*self.left_out, *bounded.left_out_items()))


_NEWLINE = re.compile("[\n\r]")


def check_line(text: str) -> None:
    """Refuse what no INI value can carry to the guest, whatever its type (guest-format.md §2)."""
    if (
        ";" not in text
        and "\n" not in text
        and "\r" not in text
        and text == text.strip(ASCII_WS)
        and text != '""'
    ):
        return  # the common value, passed in five C-speed tests (once per key of a big file)
    newline = _NEWLINE.search(text)
    if newline is not None:
        raise Refused(
            "newline",
            "a value must fit on one line: the guest drops every line after the first and "
            "may read the next one as a [section] or a key",
            "remove the line break; encode multi-line data (base64) where the key allows it",
            newline.start(),
        )
    if text != text.strip(ASCII_WS):
        raise Refused(
            "whitespace",
            "the guest strips whitespace around a value, so it would not read this value as "
            "written",
            "remove the leading and trailing whitespace",
        )
    _kept, cut = cut_inline_comment(text)
    if cut is not None:
        raise Refused(
            "inline-comment",
            "' ;' starts a comment on the guest: everything from the ';' on would be lost",
            "remove the whitespace before ';'",
            cut,
        )
    if text == '""':
        raise Refused("empty-quotes", 'the guest reads a value of exactly "" as empty', "write =")


class Codec(ABC, Generic[T]):
    """How one key's value is read by the guest (``parse``) and written by cvmctx (``render``)."""

    #: One line for ``cvmctx sections``: the type in the user's words.
    kind: ClassVar[str] = "string"

    @abstractmethod
    def parse(self, text: str) -> Parsed[T]:
        """Read ``text`` as the guest does; raise :class:`Refused` if it would misread it."""

    def render(self, value: T) -> str:
        return str(value)

    def from_file(self, data: bytes, name: str) -> T:
        """Build a value from a file's bytes (``--set key=@FILE``); most keys take no file."""
        raise Refused("no-file", "this key takes a value, not a file", "write the value itself")

    def example(self) -> str:
        return "<" + self.kind + ">"


@dataclass(frozen=True)
class Text(Codec[str]):
    """A one-line string the guest uses as is."""

    kind: ClassVar[str] = "string"
    pattern: str | None = None
    pattern_help: str = ""
    forbid: str = ""  # characters the guest misreads in this key
    forbid_help: str = ""
    severity_forbid: Severity = Severity.ERROR
    #: False for a secret: the message then names the characters the guest misreads in general,
    #: not the ones found in the value.
    name_chars: bool = True

    def parse(self, text: str) -> Parsed[str]:
        check_line(text)
        notes: list[Diagnostic] = []
        bad = next((i for i, ch in enumerate(text) if ch in self.forbid), None)
        if bad is not None:
            if self.name_chars:
                chars = " ".join(repr(c) for c in self.forbid if c in text)
                hint = "remove or replace the character"
            else:
                chars = "a character the guest misreads"
                hint = "use none of " + " ".join(repr(c) for c in self.forbid)
            if self.severity_forbid is Severity.ERROR:
                raise Refused("character", f"{chars}: {self.forbid_help}", hint, bad)
            notes.append(note("character", self.severity_forbid, f"{chars}: {self.forbid_help}",
                              hint, bad))
        if self.pattern is not None and text and not re.fullmatch(self.pattern, text):
            raise Refused("format", f"the guest expects {self.pattern_help}",
                          f"write {self.pattern_help}")
        return Parsed(text, tuple(notes))


@dataclass(frozen=True)
class Integer(Codec[int]):
    kind: ClassVar[str] = "integer"
    minimum: int = 0

    def parse(self, text: str) -> Parsed[int]:
        check_line(text)
        if not re.fullmatch(r"[0-9]+", text, re.ASCII):
            raise Refused("not-integer", "the guest converts this value with int(): it must be "
                          "a whole number", "write digits only, e.g. 20")
        value = int(text)
        if value < self.minimum:
            raise Refused("too-small", f"the guest needs at least {self.minimum} here",
                          f"write a number >= {self.minimum}")
        return Parsed(value)

    def render(self, value: int) -> str:
        return str(value)


@dataclass(frozen=True)
class Choice(Codec[str]):
    """A string the guest compares exactly (``true``, ``on``, ``Desktop``...).

    ``open`` choices accept other values too (the guest then takes the "else" branch), but a
    value that differs from a choice only in case is refused: the guest would not match it.
    """

    choices: tuple[str, ...] = ()
    open: bool = False
    otherwise: str = ""  # what the guest does with a value that is not one of the choices

    @property
    def kind(self) -> str:  # type: ignore[override]
        return " | ".join(self.choices) + (" | other" if self.open else "")

    def parse(self, text: str) -> Parsed[str]:
        check_line(text)
        if text in self.choices:
            return Parsed(text)
        folded = [c for c in self.choices if c.lower() == text.lower()]
        if folded:
            raise Refused("case", f"the guest compares this value exactly: it does not match "
                          f"'{folded[0]}'{self.otherwise}", f"write '{folded[0]}'")
        if not self.open:
            raise Refused("choice", "the guest only knows " + ", ".join(
                repr(c) for c in self.choices) + self.otherwise,
                "write one of " + ", ".join(self.choices))
        return Parsed(text)


@dataclass(frozen=True)
class SpaceList(Codec[tuple[str, ...]]):
    """A whitespace-separated list: ``[openvpn] search = a.example.org b.example.org``.

    Split as Python 2 splits a byte string: on ASCII whitespace only (a no-break space is part
    of an item, not a separator). ``[amiconfig]`` plugin lists have their own codec.
    """

    kind: ClassVar[str] = "space-separated list"

    def parse(self, text: str) -> Parsed[tuple[str, ...]]:
        check_line(text)
        items = tuple(guest_split(text))
        for item in items:
            if "," in item:
                raise Refused("comma", "the guest splits this list on whitespace only: "
                              f"'{item}' is read as one name", "separate names with spaces: "
                              + " ".join(p for p in item.split(",") if p), text.index(item))
        return Parsed(items)

    def render(self, value: tuple[str, ...]) -> str:
        return " ".join(value)


@dataclass(frozen=True)
class CommaList(Codec[tuple[str, ...]]):
    """A ``,``-separated list whose items the guest uses without trimming."""

    kind: ClassVar[str] = "comma-separated list"
    lower: bool = False  # the guest expects lower-case items (organisations, repositories)
    item_pattern: str | None = None
    item_help: str = ""

    def parse(self, text: str) -> Parsed[tuple[str, ...]]:
        check_line(text)
        if not text:
            return Parsed(())
        items = tuple(text.split(","))
        notes: list[Diagnostic] = []
        offset = 0
        for item in items:
            if item == "":
                raise Refused("empty-item", "the list has an empty item: the guest passes it on "
                              "as an empty name", "remove the doubled or trailing ','", offset)
            if item != item.strip(ASCII_WS) or any(c in ASCII_WS for c in item):
                raise Refused("space-in-item", "the guest does not trim list items: a space "
                              "becomes part of the name", "write the list without spaces, "
                              "e.g. a,b,c", offset)
            if self.lower and item != item.lower():
                notes.append(note("not-lowercase", Severity.WARNING, "the guest expects "
                                  "lower-case names here", "write the names in lower case",
                                  offset))
            if self.item_pattern and not re.fullmatch(self.item_pattern, item):
                raise Refused("item-format", f"each item must be {self.item_help}",
                              f"write {self.item_help}", offset)
            offset += len(item) + 1
        return Parsed(items, tuple(notes))

    def render(self, value: tuple[str, ...]) -> str:
        return ",".join(value)


def guest_base64(text: str, what: str, on_error: str = "", fix: str = "",
                 offset: int = 0) -> tuple[Decoded, list[Diagnostic]]:
    """Decode ``text`` as the guest's Python 2 ``base64.decodestring`` does (§3.9).

    Refuses what the guest cannot decode or decodes only in part; notes characters it skips.
    Spaces and tabs between the groups are fine: the guest skips them, as ``base64 -d`` does.
    """
    try:
        decoded = decodestring(text)
    except IncorrectPadding:
        raise Refused("not-base64", f"the guest cannot decode this as base64 of {what}: its "
                      "base64 characters do not end on a whole group of four (Python's "
                      "'Incorrect padding')" + on_error, fix, offset) from None
    if decoded.stopped_at is not None:
        raise Refused("after-padding", "the guest stops decoding at this '=' padding and "
                      f"ignores the base64 after it, so it gets only part of {what}",
                      "encode the whole data as one base64 text (key=@FILE)",
                      offset + decoded.stopped_at)
    notes: list[Diagnostic] = []
    if decoded.stray:
        notes.append(note("stray-character", Severity.WARNING, "the guest skips characters "
                          "that are not standard base64 (such as '-', '_' or '=' inside the "
                          f"data): {what} it decodes is what the other characters give",
                          "write standard base64 (A-Z a-z 0-9 + /), e.g. base64 -w0 FILE",
                          offset + decoded.stray[0]))
    return decoded, notes


@dataclass(frozen=True)
class Base64Blob(Codec[str]):
    """Binary or multi-line data as single-line base64 (``x509-cert``, ``cacerts_b64``).

    The guest decodes it with Python 2's ``base64.decodestring``, which skips spaces (and other
    characters outside the alphabet): cvmctx accepts what the guest decodes and writes the same
    bytes back as canonical base64, on one line without spaces. ``pem`` asks that the decoded
    bytes hold a PEM block, as a proxy certificate does.
    """

    kind: ClassVar[str] = "single-line base64"
    pem: bool = True
    what: str = "the data"
    on_error: str = ""  # what the guest does with undecodable text
    fix: str = "give the file (key=@FILE) and let cvmctx encode it"
    takes_file: bool = True

    def parse(self, text: str) -> Parsed[str]:
        check_line(text)
        decoded, notes = guest_base64(text, self.what, self.on_error, self.fix)
        data = decoded.data
        if self.pem and b"-----BEGIN " not in data:
            raise Refused("not-pem", f"this base64 does not decode to {self.what} (no "
                          "'-----BEGIN' block)", "encode the PEM file itself")
        if self.pem and b"-----END " not in data:
            raise Refused("truncated-pem", f"this base64 decodes to the start of {self.what} "
                          "with no '-----END' line: the value was cut (a wrapped base64 value "
                          "keeps only its first line on the guest), so the guest writes an "
                          "incomplete file", self.fix)
        return Parsed(decoded.canonical, tuple(notes))

    def from_file(self, data: bytes, name: str) -> str:
        if not self.takes_file:
            return super().from_file(data, name)
        if self.pem and b"-----BEGIN " not in data:
            raise Refused("not-pem", f"{name} is not a PEM file (no '-----BEGIN' line)",
                          "give the PEM proxy or certificate file")
        return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class ZlibBase64Blob(Codec[str]):
    """openvpn's "compressed" PEM: base64(zlib.compress(pem)), zlib not gzip (§3.7).

    Decoded as the guest does (``base64.decodestring``, then ``zlib.decompress``) and written
    back as canonical single-line base64 of the same bytes.
    """

    kind: ClassVar[str] = "base64 of zlib-compressed PEM"

    def parse(self, text: str) -> Parsed[str]:
        check_line(text)
        fix = "give the PEM file: key=@FILE"
        decoded, notes = guest_base64(text, "the compressed PEM", "", fix)
        try:
            data = zlib.decompress(decoded.data)
        except zlib.error:
            raise Refused("not-zlib-base64", "the guest decodes this with base64 and then "
                          "zlib.decompress; this value does not decode that way (plain base64 or "
                          "gzip will not do)", fix) from None
        if b"-----BEGIN " not in data:
            raise Refused("not-pem", "this value does not decompress to a PEM block",
                          "compress the PEM file itself")
        return Parsed(decoded.canonical, tuple(notes))

    def from_file(self, data: bytes, name: str) -> str:
        if b"-----BEGIN " not in data:
            raise Refused("not-pem", f"{name} is not a PEM file (no '-----BEGIN' line)",
                          "give the PEM certificate or key file")
        return base64.b64encode(zlib.compress(data, 9)).decode("ascii")


@dataclass(frozen=True)
class Url(Codec[str]):
    kind: ClassVar[str] = "URL"
    schemes: tuple[str, ...] = ("http", "https")

    def parse(self, text: str) -> Parsed[str]:
        check_line(text)
        scheme = text.split(":", 1)[0].lower() if "://" in text or text.startswith("file:") else ""
        if scheme not in self.schemes or any(c in ASCII_WS for c in text):
            raise Refused("not-url", "the guest fetches this value as a URL: it must start with "
                          + " or ".join(s + "://" for s in self.schemes) + " and hold no spaces",
                          "write a full URL, e.g. " + self.schemes[0] + "://host/path")
        return Parsed(text)


def field_codec(metadata: Sequence[Any]) -> Codec[Any] | None:
    """The codec a model field carries in its ``Annotated`` metadata."""
    return next((m for m in metadata if isinstance(m, Codec)), None)


# ---------------------------------------------------------------- paths and proxies

_SHELL_SPACE = re.compile(r"[ \t\x0b\x0c]", re.ASCII)


@dataclass(frozen=True)
class AbsolutePath(Codec[str]):
    """A path on the guest (not on the host), used as one word: absolute, no whitespace."""

    kind: ClassVar[str] = "absolute path on the guest"
    what: str = "a path on the guest"
    example_path: str = "/path/on/the/guest"

    def parse(self, text: str) -> Parsed[str]:
        check_line(text)
        _check_path(text, self.what, self.example_path, 0)
        return Parsed(text)


def _check_path(path: str, what: str, example: str, offset: int) -> None:
    if not path.startswith("/"):
        raise Refused("not-absolute", f"the guest uses this value as {what}: it must be an "
                      "absolute path on the guest, starting with '/'",
                      f"write the full path, e.g. {example}", offset)
    space = _SHELL_SPACE.search(path)
    if space is not None:
        raise Refused("space-in-path", f"the guest uses this value as {what} without quoting "
                      "it: a space or tab splits the path in two", "use a path without spaces",
                      offset + space.start())


@dataclass(frozen=True)
class PathList(Codec[tuple[str, ...]]):
    """Absolute guest paths joined by one separator (``[storage] relocate-paths``: ``:``)."""

    kind: ClassVar[str] = "list of absolute paths"
    sep: str = ":"
    what: str = "a directory on the guest"
    example_path: str = "/srv/data"

    def parse(self, text: str) -> Parsed[tuple[str, ...]]:
        check_line(text)
        if not text:
            return Parsed(())
        items = tuple(text.split(self.sep))
        offset = 0
        for item in items:
            if not item:
                raise Refused("empty-item", f"the list has an empty item (a doubled, leading or "
                              f"trailing '{self.sep}'): the guest reads it as a path of its own",
                              f"remove the extra '{self.sep}'", offset)
            _check_path(item, self.what, self.example_path, offset)
            offset += len(item) + len(self.sep)
        return Parsed(items)

    def render(self, value: tuple[str, ...]) -> str:
        return self.sep.join(value)

    def example(self) -> str:
        return self.sep.join((self.example_path, self.example_path + "2"))


_PROXY_HOST = (
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
    r"[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])"
)
_PROXY_MEMBER = re.compile(r"http://" + _PROXY_HOST + r"(?::(?P<port>[0-9]{1,5}))?", re.ASCII)
_PROXY_WORDS = ("DIRECT", "auto")


@dataclass(frozen=True)
class CvmfsProxy(Codec[tuple[tuple[str, ...], ...]]):
    """A CVMFS proxy string (``CVMFS_HTTP_PROXY``): ``http://a:3128|http://b:3128;DIRECT``.

    The value is the tuple of fail-over groups (split on ``;``), each a tuple of load-balanced
    members (split on ``|``). A member is ``DIRECT``, ``auto`` or ``http://host[:port]``.
    """

    kind: ClassVar[str] = "CVMFS proxy list (http://host:port|...;DIRECT)"

    def parse(self, text: str) -> Parsed[tuple[tuple[str, ...], ...]]:
        check_line(text)
        if not text:
            raise Refused("empty", "an empty proxy leaves CVMFS with no proxy setting (the "
                          "guest removes CVMFS_HTTP_PROXY), so no repository mounts",
                          "write DIRECT for no proxy, or http://host:port;DIRECT")
        space = re.search(r"\s", text, re.ASCII)
        if space is not None:
            raise Refused("whitespace", "CVMFS does not allow spaces in the proxy list (and a "
                          "space before ';' starts a comment on the guest)",
                          "write the list without spaces, e.g. http://p:3128;DIRECT",
                          space.start())
        groups: list[tuple[str, ...]] = []
        offset = 0
        for group in text.split(";"):
            members: list[str] = []
            for member in group.split("|"):
                _check_proxy_member(member, offset)
                members.append(member)
                offset += len(member) + 1
            groups.append(tuple(members))
        return Parsed(tuple(groups))

    def render(self, value: tuple[tuple[str, ...], ...]) -> str:
        return ";".join("|".join(group) for group in value)

    def example(self) -> str:
        return "http://squid.example.org:3128;DIRECT"


def _check_proxy_member(member: str, offset: int) -> None:
    if not member:
        raise Refused("empty-member", "the proxy list has an empty entry (a doubled, leading "
                      "or trailing ';' or '|')", "remove the extra ';' or '|'", offset)
    if member in _PROXY_WORDS:
        return
    folded = next((w for w in _PROXY_WORDS if w.lower() == member.lower()), None)
    if folded is not None:
        raise Refused("case", f"CVMFS only knows '{folded}' written exactly so",
                      f"write '{folded}'", offset)
    match = _PROXY_MEMBER.fullmatch(member)
    if match is None:
        raise Refused("member", "each proxy must be DIRECT, auto or http://host[:port] (groups "
                      "separated by ';', load-balanced proxies within a group by '|')",
                      "write e.g. http://squid.example.org:3128;DIRECT", offset)
    port = match.group("port")
    if port is not None and not 0 < int(port) < 65536:
        raise Refused("port", "the proxy port must be between 1 and 65535",
                      "write the squid's port, e.g. 3128", offset)
