"""Booleans as each consumer reads them (Python's truth words, libconfuse's), and keys whose
value does nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cvmctx.catalog.values import CHOICE, NO_EFFECT, NOT_EXACT, READ_AS_FALSE
from cvmctx.model.codecs.core import Codec, Parsed, Refused, SpecForm, check_line, note


@dataclass(frozen=True)
class NoEffect(Codec[str]):
    """A key the guest reads but that changes nothing (a guest bug): kept, with a warning."""

    kind: ClassVar[str] = "string (no effect on the guest)"
    message: str = "the guest reads this key but it has no effect"
    hint: str = "remove it"

    def parse(self, text: str) -> Parsed[str]:
        check_line(text)
        return Parsed(text, (note(NO_EFFECT, self.message, self.hint),))


# How people write yes and no; the guest's own comparison decides which of them it honours.
TRUE_WORDS = frozenset({"true", "yes", "on", "1", "y", "t", "enable", "enabled"})
FALSE_WORDS = frozenset({"", "false", "no", "off", "0", "n", "f", "none", "disable", "disabled"})


@dataclass(frozen=True)
class Flag(Codec[bool]):
    """A boolean the guest tests with ``value == true`` (``[condor] use_ips``: exactly ``true``).

    Everything else is false on the guest, so every spelling of "no" (``false``, ``no``, an empty
    value as in the plugin's own docstring, ``0`` ...) is accepted as false and written back as
    ``false``. A spelling of "yes" that is not exactly ``true`` (``True``, ``yes``, ``1``) is
    refused: the guest reads it as false. Any other text is read as false, with a warning.
    """

    true: str = "true"
    false: str = "false"

    @property
    def kind(self) -> str:  # type: ignore[override]
        return f"{self.true} | {self.false} (anything but exactly '{self.true}' is false)"

    def spec_form(self) -> SpecForm:
        return SpecForm("bool")

    def parse(self, text: str) -> Parsed[bool]:
        check_line(text)
        if text == self.true:
            return Parsed(True)
        word = text.lower()
        if word in FALSE_WORDS:
            return Parsed(False)
        if word in TRUE_WORDS:
            raise Refused(NOT_EXACT, f"the guest treats only exactly '{self.true}' as true; "
                          "this value would be read as false",
                          f"write '{self.true}' (or '{self.false}')")
        return Parsed(False, (note(READ_AS_FALSE, "this is neither yes nor "
                                   f"no: the guest treats anything but exactly '{self.true}' as "
                                   "false, so it reads this value as false",
                                   f"write '{self.true}' or '{self.false}'"),))

    def render(self, value: bool) -> str:
        return self.true if value else self.false

    def example(self) -> str:
        return self.true


@dataclass(frozen=True)
class ConfuseBool(Codec[bool]):
    """A boolean a libconfuse configuration file reads (gmond's ``bind_hostname``).

    libconfuse's ``cfg_parse_boolean`` takes ``true``/``yes``/``on`` and ``false``/``no``/``off``
    in any case; anything else (an empty value too) is a syntax error and the daemon does not
    start. Written back as ``yes`` or ``no``.
    """

    kind: ClassVar[str] = "yes | no (also true/false, on/off, any case)"
    what: str = "the daemon"

    def spec_form(self) -> SpecForm:
        return SpecForm("bool")

    def parse(self, text: str) -> Parsed[bool]:
        check_line(text)
        word = text.lower()
        if word in ("true", "yes", "on"):
            return Parsed(True)
        if word in ("false", "no", "off"):
            return Parsed(False)
        raise Refused(CHOICE, "the guest writes this value into a configuration file whose "
                      "reader takes only yes/no, true/false or on/off: with anything else "
                      f"{self.what} fails to read its configuration", "write yes or no")

    def render(self, value: bool) -> str:
        return "yes" if value else "no"

    def example(self) -> str:
        return "yes"
