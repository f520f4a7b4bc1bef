"""Lists the guest splits (on whitespace or commas) and the paths it takes as one shell word."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from cvmctx.catalog.encoded import NOT_ABSOLUTE, SPACE_IN_PATH
from cvmctx.catalog.values import COMMA, EMPTY_ITEM, ITEM_FORMAT, NOT_LOWERCASE, SPACE_IN_ITEM
from cvmctx.diagnostics import Diagnostic
from cvmctx.guest.pytext import ASCII_WS, guest_split
from cvmctx.model.codecs.core import Codec, Parsed, Refused, SpecForm, check_line, note


@dataclass(frozen=True)
class SpaceList(Codec[tuple[str, ...]]):
    """A whitespace-separated list: ``[openvpn] search = a.example.org b.example.org``.

    Split as Python 2 splits a byte string: on ASCII whitespace only (a no-break space is part
    of an item, not a separator). ``[amiconfig]`` plugin lists have their own codec.
    """

    kind: ClassVar[str] = "space-separated list"

    def spec_form(self) -> SpecForm:
        return SpecForm("list", sep=" ")

    def parse(self, text: str) -> Parsed[tuple[str, ...]]:
        check_line(text)
        items = tuple(guest_split(text))
        for item in items:
            if "," in item:
                raise Refused(COMMA, "the guest splits this list on whitespace only: "
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

    def spec_form(self) -> SpecForm:
        return SpecForm("list", sep=",")

    def parse(self, text: str) -> Parsed[tuple[str, ...]]:
        check_line(text)
        if not text:
            return Parsed(())
        items = tuple(text.split(","))
        notes: list[Diagnostic] = []
        offset = 0
        for item in items:
            if item == "":
                raise Refused(EMPTY_ITEM, "the list has an empty item: the guest passes it on "
                              "as an empty name", "remove the doubled or trailing ','", offset)
            if item != item.strip(ASCII_WS) or any(c in ASCII_WS for c in item):
                raise Refused(SPACE_IN_ITEM, "the guest does not trim list items: a space "
                              "becomes part of the name", "write the list without spaces, "
                              "e.g. a,b,c", offset)
            if self.lower and item != item.lower():
                notes.append(note(NOT_LOWERCASE, "the guest expects "
                                  "lower-case names here", "write the names in lower case",
                                  offset))
            if self.item_pattern and not re.fullmatch(self.item_pattern, item):
                raise Refused(ITEM_FORMAT, f"each item must be {self.item_help}",
                              f"write {self.item_help}", offset)
            offset += len(item) + 1
        return Parsed(items, tuple(notes))

    def render(self, value: tuple[str, ...]) -> str:
        return ",".join(value)


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
        raise Refused(NOT_ABSOLUTE, f"the guest uses this value as {what}: it must be an "
                      "absolute path on the guest, starting with '/'",
                      f"write the full path, e.g. {example}", offset)
    space = _SHELL_SPACE.search(path)
    if space is not None:
        raise Refused(SPACE_IN_PATH, f"the guest uses this value as {what} without quoting "
                      "it: a space or tab splits the path in two", "use a path without spaces",
                      offset + space.start())


@dataclass(frozen=True)
class PathList(Codec[tuple[str, ...]]):
    """Absolute guest paths joined by one separator (``[storage] relocate-paths``: ``:``)."""

    kind: ClassVar[str] = "list of absolute paths"
    sep: str = ":"
    what: str = "a directory on the guest"
    example_path: str = "/srv/data"

    def spec_form(self) -> SpecForm:
        return SpecForm("list", sep=self.sep)

    def parse(self, text: str) -> Parsed[tuple[str, ...]]:
        check_line(text)
        if not text:
            return Parsed(())
        items = tuple(text.split(self.sep))
        offset = 0
        for item in items:
            if not item:
                raise Refused(EMPTY_ITEM, f"the list has an empty item (a doubled, leading or "
                              f"trailing '{self.sep}'): the guest reads it as a path of its own",
                              f"remove the extra '{self.sep}'", offset)
            _check_path(item, self.what, self.example_path, offset)
            offset += len(item) + len(self.sep)
        return Parsed(items)

    def render(self, value: tuple[str, ...]) -> str:
        return self.sep.join(value)

    def example(self) -> str:
        return self.sep.join((self.example_path, self.example_path + "2"))
