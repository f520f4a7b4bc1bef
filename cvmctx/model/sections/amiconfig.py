"""[amiconfig]: which plugins run, and how the guest reads the two plugin lists."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, ClassVar

from cvmctx.catalog.values import CHARACTER, COMMA, UPPER_CASE
from cvmctx.diagnostics import Diagnostic
from cvmctx.guest.pytext import ASCII_WS, ascii_lower, guest_split
from cvmctx.model.codecs.core import Codec, Parsed, SpecForm, check_line, note
from cvmctx.model.sections._base import Section, guest_key

#: The seed's spelling of ``disabled_plugins``; nothing on the guest reads it (§2, §6.5).
MISSPELLED_KEY = "disabed_plugins"

#: What a plugin name is made of, lower-cased: every guest plugin's ``name`` (``cernvm``,
#: ``vaf-setup``), and any site plugin's that a Python class attribute would sensibly hold.
_NAME = re.compile(r"[a-z0-9_.-]+", re.ASCII)
_WORD = re.compile(f"[^{re.escape(ASCII_WS)}]+")
_ASCII_PUNCTUATION = frozenset(string.punctuation) - set("-_.")


def guest_names(text: str) -> tuple[str, ...]:
    """The names the guest takes from a ``plugins`` or ``disabled_plugins`` value.

    ami.py ``_getEnabledPlugins`` splits the value with Python 2 ``str.split()`` and adds
    ``plugin.lower()`` of each word, both on a byte string: the split is on ASCII whitespace
    only (space, ``\\t``, ``\\v``, ``\\f``, ``\\r``; a no-break space is part of a word) and only
    ASCII letters change case (guest-format.md §2). Duplicates are kept here; the guest puts
    the names in a set.
    """
    return tuple(ascii_lower(word) for word in guest_split(text))


def is_name(name: str) -> bool:
    """Whether a lower-cased name could be a plugin's (no comma, Unicode space or junk)."""
    return _NAME.fullmatch(name) is not None


def shown(name: str) -> str:
    """A name as a message prints it: a character that does not print as itself (a no-break
    space, a control character) as ``<U+00A0>``."""
    return "".join(c if c.isprintable() else f"<U+{ord(c):04X}>" for c in name)


def _char(c: str) -> str:
    if c.isprintable() and not c.isspace():
        return repr(c)
    name = unicodedata.name(c, "")
    return f"U+{ord(c):04X}" + (f" ({name})" if name else "")


def _space_like(c: str) -> bool:
    """A character a user means as a separator, or does not see at all."""
    return c.isspace() or unicodedata.category(c) in ("Zs", "Zl", "Zp", "Cc", "Cf")


def flawed(name: str) -> bool:
    """Whether the [amiconfig] model reports ``name`` as an error (see :func:`_flaw`)."""
    return _flaw(name, 0) is not None


def _flaw(word: str, offset: int) -> Diagnostic | None:
    """An error for a word the guest reads as one name although it holds the names the user
    meant (``cernvm,condor``, ``cernvm<U+00A0>condor``, ``cérnvm``): no plugin has that name, so
    the plugins meant are not enabled (or not disabled). A word of separators only (a lone
    ``,`` or ``\\``) holds no name and changes nothing: the rules report it as an unknown name.
    """
    at = next((i for i, c in enumerate(ascii_lower(word)) if not is_name(c)), None)
    parts = _parts(word)
    if at is None or not parts:
        return None
    if "," in word:
        return note(
            COMMA,
            f"the guest splits this list on whitespace only: '{shown(word)}' is read as one name",
            "separate names with spaces: " + " ".join(shown(p) for p in parts),
            offset,
        )
    bad = word[at]
    hint = (
        "separate names with plain spaces: " + " ".join(ascii_lower(p) for p in parts)
        if len(parts) > 1
        else "write the plugin name in ASCII letters, digits, '-', '_' and '.'"
    )
    if _space_like(bad):
        why = f"the guest splits this list on ASCII spaces and tabs only, not on {_char(bad)}"
    else:
        why = f"{_char(bad)} cannot be part of a plugin name"
    return note(
        CHARACTER, f"{why}: '{shown(word)}' is read as one name, which no plugin has",
        hint,
        offset + at,
    )


def _parts(word: str) -> list[str]:
    """The names a word holds when its Unicode spaces and punctuation are read as separators."""
    parts = [""]
    for c in word:
        if _space_like(c) or c in _ASCII_PUNCTUATION:
            parts.append("")
        else:
            parts[-1] += c
    return [p for p in parts if p]


@dataclass(frozen=True)
class PluginNames(Codec[tuple[str, ...]]):
    """``plugins`` / ``disabled_plugins``: the guest's names, lower case, each once.

    The model holds exactly the names the guest puts in its set (:func:`guest_names`), so the
    plugins cvmctx counts as enabled are the guest's. A word no plugin can have (a comma, a
    no-break space, punctuation inside it) is an error, yet stays in the model as the guest
    keeps it: the plugin the user meant is then, rightly, not enabled. Names are rendered in
    lower case, separated by single spaces: to the guest that is the same list.
    """

    kind: ClassVar[str] = "plugin names separated by spaces"

    def spec_form(self) -> SpecForm:
        return SpecForm("list", sep=" ")

    def parse(self, text: str) -> Parsed[tuple[str, ...]]:
        # A CR inside the line is whitespace to the guest's split(): it separates names (the
        # reader has already stripped one at the end of the line).
        check_line(text.replace("\r", " "))
        names: list[str] = []
        notes: list[Diagnostic] = []
        cased: list[tuple[str, str, int]] = []
        for match in _WORD.finditer(text):
            word, name = match.group(), ascii_lower(match.group())
            flaw = _flaw(word, match.start())
            if flaw is not None:
                notes.append(flaw)
            elif name != word:
                cased.append((word, name, match.start()))
            if name not in names:
                names.append(name)
        if cased:
            read_as = ", ".join(f"'{w}' as '{n}'" for w, n, _ in cased)
            notes.append(
                note(
                    UPPER_CASE, f"the guest lower-cases plugin names: it reads {read_as}",
                    "write plugin names in lower case (cvmctx build writes them so)",
                    cased[0][2],
                )
            )
        return Parsed(tuple(names), tuple(notes))

    def render(self, value: tuple[str, ...]) -> str:
        return " ".join(value)

    def example(self) -> str:
        return "cernvm condor"


class Amiconfig(Section):
    """Turns amiconfig plugins on and off.

    The guest starts from the plugins its ``/etc/amiconfig/default.cfg`` enables (only
    ``rootsshkeys`` on CernVM), adds those named in ``plugins`` and removes those named in
    ``disabled_plugins`` (docs/guest.md §2, §3.1). It splits both lists on **ASCII
    whitespace only** (spaces, tabs) and lower-cases each name:

    - ``plugins = CernVM`` enables ``cernvm``; cvmctx writes the names in lower case, each once,
      separated by single spaces, which the guest reads as the same list;
    - ``plugins = cernvm,condor`` enables one plugin called ``cernvm,condor``, and
      ``cernvm`` and ``condor`` joined by a no-break space (or by ``;``) are one name too:
      such a name enables or disables nothing, and is an error;
    - the order of names does not set the order plugins run in (dictionary order).

    The seed's spelling ``disabed_plugins`` is read by nothing on the guest: it disables nothing
    and ``rootsshkeys`` stays on. ``cvmctx validate`` warns about it; ``cvmctx build`` refuses
    it (exit 1) rather than drop it or turn it into ``disabled_plugins``: write
    ``disabled_plugins`` to disable those plugins, or remove the line.
    """

    SECTION: ClassVar[str] = "amiconfig"
    PLUGINS: ClassVar[tuple[str, ...]] = ()
    NOT_READ: ClassVar[Mapping[str, str]] = {
        MISSPELLED_KEY: "the guest reads 'disabled_plugins'; 'disabed_plugins' (the seed's "
        "misspelling) is read by nothing: no plugin is disabled, and rootsshkeys (on by "
        "default) stays on. Write 'disabled_plugins' to disable plugins",
    }

    plugins: Annotated[tuple[str, ...] | None, PluginNames()] = guest_key(
        "plugins", "Plugins to enable, separated by spaces (not commas)."
    )
    disabled_plugins: Annotated[tuple[str, ...] | None, PluginNames()] = guest_key(
        "disabled_plugins",
        "Plugins to disable, separated by spaces; can remove even the default rootsshkeys.",
    )
