"""One-word values: free text with the guest's forbidden characters, integers, a word from a
fixed set, a URL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from cvmctx.catalog.encoded import NOT_URL
from cvmctx.catalog.values import CASE, CHARACTER, CHOICE, FORMAT, NOT_INTEGER, TOO_SMALL
from cvmctx.guest.pytext import ASCII_WS
from cvmctx.model.codecs.core import Codec, Parsed, Refused, check_line


@dataclass(frozen=True)
class Text(Codec[str]):
    """A one-line string the guest uses as is."""

    kind: ClassVar[str] = "string"
    pattern: str | None = None
    pattern_help: str = ""
    forbid: str = ""  # characters the guest misreads in this key
    forbid_help: str = ""
    #: False for a secret: the message then names the characters the guest misreads in general,
    #: not the ones found in the value.
    name_chars: bool = True

    def parse(self, text: str) -> Parsed[str]:
        check_line(text)
        bad = next((i for i, ch in enumerate(text) if ch in self.forbid), None)
        if bad is not None:
            if self.name_chars:
                chars = " ".join(repr(c) for c in self.forbid if c in text)
                hint = "remove or replace the character"
            else:
                chars = "a character the guest misreads"
                hint = "use none of " + " ".join(repr(c) for c in self.forbid)
            raise Refused(CHARACTER, f"{chars}: {self.forbid_help}", hint, bad)
        if self.pattern is not None and text and not re.fullmatch(self.pattern, text):
            raise Refused(FORMAT, f"the guest expects {self.pattern_help}",
                          f"write {self.pattern_help}")
        return Parsed(text)


@dataclass(frozen=True)
class Integer(Codec[int]):
    kind: ClassVar[str] = "integer"
    minimum: int = 0

    def parse(self, text: str) -> Parsed[int]:
        check_line(text)
        if not re.fullmatch(r"[0-9]+", text, re.ASCII):
            raise Refused(NOT_INTEGER, "the guest converts this value with int(): it must be "
                          "a whole number", "write digits only, e.g. 20")
        value = int(text)
        if value < self.minimum:
            raise Refused(TOO_SMALL, f"the guest needs at least {self.minimum} here",
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
            raise Refused(CASE, f"the guest compares this value exactly: it does not match "
                          f"'{folded[0]}'{self.otherwise}", f"write '{folded[0]}'")
        if not self.open:
            raise Refused(CHOICE, "the guest only knows " + ", ".join(
                repr(c) for c in self.choices) + self.otherwise,
                "write one of " + ", ".join(self.choices))
        return Parsed(text)


@dataclass(frozen=True)
class Url(Codec[str]):
    kind: ClassVar[str] = "URL"
    schemes: tuple[str, ...] = ("http", "https")

    def parse(self, text: str) -> Parsed[str]:
        check_line(text)
        scheme = text.split(":", 1)[0].lower() if "://" in text or text.startswith("file:") else ""
        if scheme not in self.schemes or any(c in ASCII_WS for c in text):
            raise Refused(NOT_URL, "the guest fetches this value as a URL: it must start with "
                          + " or ".join(s + "://" for s in self.schemes) + " and hold no spaces",
                          "write a full URL, e.g. " + self.schemes[0] + "://host/path")
        return Parsed(text)
