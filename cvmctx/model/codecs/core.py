"""The codec contract: a guest-typed field turns the one line the guest's INI reader hands to
a plugin into a typed value (``parse``) and back (``render``), with ``parse(render(v)) == v``
for every value it accepts. ``parse`` raises :class:`Refused` for text the guest would reject
or misread, and returns notes (findings made by :func:`note`) for text that works but
surprises. Messages speak of the guest and the user's INI, never of the validation library,
and never quote the value itself: a field may hold a secret."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from cvmctx.catalog.code import Code
from cvmctx.catalog.values import EMPTY_QUOTES, INLINE_COMMENT, NEWLINE, WHITESPACE
from cvmctx.diagnostics import Diagnostic, Severity
from cvmctx.guest.pytext import ASCII_WS, cut_inline_comment
from cvmctx.limits import PER_CODE

T = TypeVar("T")


def note(
    code: Code,
    message: str,
    hint: str | None = None,
    offset: int | None = None,
    *,
    severity: Severity | None = None,
) -> Diagnostic:
    """A finding about one value, as a codec sees it: ``code`` is a ``<section>.<key>.*``
    family of the catalog, whose declared severity it takes (``severity`` only where the
    declaration says it varies). The finding holds the code's last part until the section
    model names the section and key, and its column counts in the value (``offset`` 0 is
    column 1) until the model places it at the key's line and column (``Section._note``)."""
    if severity is not None and not code.varies:
        raise ValueError(f"{code.code} is declared {code.severity}; its severity is fixed")
    return Diagnostic(code.suffix, severity or code.severity, message, hint=hint,
                      column=None if offset is None else offset + 1)  # fmt: skip


class NotAFile(Exception):
    """What a codec says of a file given as its value (``--set KEY=@FILE``): a usage error of
    the command line (exit 2), not a finding about user data."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message = message
        self.hint = hint


class Refused(Exception):  # it names what happened to the value (not "...Error")
    """The guest would reject or misread this value; it is not taken into the model."""

    def __init__(
        self, code: Code, message: str, hint: str | None = None, offset: int | None = None
    ) -> None:
        super().__init__(message)
        # Always an error: the value is left out of the model.
        if code.severity is not Severity.ERROR and not code.varies:
            raise ValueError(f"{code.code} is declared {code.severity}: it cannot refuse a value")
        column = None if offset is None else offset + 1
        self.finding = Diagnostic(code.suffix, Severity.ERROR, message, hint=hint, column=column)


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
        self._leave_out(note.code, note.severity)

    def room(self, code: Code) -> bool:
        """Whether a note of ``code`` (at its declared severity) would be kept; if not, it is
        counted as left out here, so that the caller builds no message for it."""
        suffix = code.suffix
        if self.seen.get(suffix, 0) < PER_CODE:
            return True
        self.seen[suffix] += 1
        self._leave_out(suffix, code.severity)
        return False

    def _leave_out(self, code: str, severity: Severity) -> None:
        worst, count = self.left_out.get(code, (severity, 0))
        if _RANK[severity] < _RANK[worst]:
            worst = severity
        self.left_out[code] = (worst, count + 1)

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
            NEWLINE,
            "a value must fit on one line: the guest drops every line after the first and "
            "may read the next one as a [section] or a key",
            "remove the line break; encode multi-line data (base64) where the key allows it",
            newline.start(),
        )
    if text != text.strip(ASCII_WS):
        raise Refused(
            WHITESPACE,
            "the guest strips whitespace around a value, so it would not read this value as "
            "written",
            "remove the leading and trailing whitespace",
        )
    _kept, cut = cut_inline_comment(text)
    if cut is not None:
        raise Refused(
            INLINE_COMMENT,
            "' ;' starts a comment on the guest: everything from the ';' on would be lost",
            "remove the whitespace before ';'",
            cut,
        )
    if text == '""':
        raise Refused(EMPTY_QUOTES, 'the guest reads a value of exactly "" as empty', "write =")


@dataclass(frozen=True)
class SpecForm:
    """How a deployment spec (TOML) may write a key's value besides amiconfig's own string,
    which every key takes as it is (so a user can paste from an existing context).

    ``kind`` is one of: ``scalar`` (a string, or an integer written as its digits); ``bool``
    (``true``/``false``, written as ``true_word``/``false_word``, or by the codec's own render
    when they are None); ``list`` (an array of strings joined by ``sep``); ``records`` (an
    array of tables with ``fields``, each joined by ``field_sep``, the entries by ``sep``);
    ``record`` (one such table); ``mapping`` (a table of NAME = value, ``NAME=value`` joined
    by ``sep``); ``groups`` (an array of strings or arrays of strings: members joined by
    ``field_sep``, groups by ``sep``). The spec reader turns each into the string the codec
    then reads exactly as it reads the same text in a file."""

    kind: str = "scalar"
    sep: str = ","
    fields: tuple[str, ...] = ()
    field_sep: str = ""
    true_word: str | None = None
    false_word: str | None = None
    #: Fields a record may leave out (written empty): ``users``' password (a random one).
    optional: tuple[str, ...] = ()
    #: Another name a record may give a field by: ``password_hash`` for ``password``.
    alternatives: tuple[tuple[str, str], ...] = ()


SCALAR = SpecForm()


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
        raise NotAFile("this key takes a value, not a file", "write the value itself")

    def example(self) -> str:
        return "<" + self.kind + ">"

    def spec_form(self) -> SpecForm:
        """How a spec writes this key besides the amiconfig string (a scalar by default)."""
        return SCALAR

    def accepts_file(self) -> bool:
        """Whether the key takes a file's content (``--set KEY=@FILE``, ``{ file = ... }``)."""
        return type(self).from_file is not Codec.from_file


def field_codec(metadata: Sequence[Any]) -> Codec[Any] | None:
    """The codec a model field carries in its ``Annotated`` metadata."""
    return next((m for m in metadata if isinstance(m, Codec)), None)
