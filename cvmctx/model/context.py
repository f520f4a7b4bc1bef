"""The Context: a script plus typed sections; how it is read from text and rendered back.

Reading replays the guest (script part: :mod:`cvmctx.guest.script.part`; INI part:
:mod:`cvmctx.guest.ini`) and
loads each section into its model (:mod:`cvmctx.model.sections`). Rendering goes through the Jinja2
template ``user-data.j2``; :func:`render_checked` reads the result back and insists on getting
the same Context, so nothing cvmctx writes can differ from what the guest will read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cvmctx.catalog import ini as ini_codes
from cvmctx.catalog import input as input_codes
from cvmctx.diagnostics import (
    Diagnostic,
    file_order_budget,
)
from cvmctx.guest import ini, inidoc, ucernvm
from cvmctx.guest.mime import read_message
from cvmctx.guest.pytext import ascii_lower
from cvmctx.guest.script.part import Script, read_script
from cvmctx.model.sections import REGISTRY
from cvmctx.model.sections._base import Entry, Section


@dataclass(frozen=True)
class UnknownSection:
    """A section no CernVM plugin reads (a site plugin's, say), kept verbatim."""

    name: str
    values: tuple[tuple[str, str], ...] = ()

    @property
    def SECTION(self) -> str:
        return self.name

    def items(self) -> list[tuple[str, str]]:
        return list(self.values)


AnySection = Section | UnknownSection


@dataclass(frozen=True, eq=False)
class Context:
    """User data as a model: the script, the sections and the µCernVM block.

    Two contexts are equal when the guest would see the same thing: the order of sections
    does not matter to it (it runs plugins in dictionary order, guest-format.md §2).
    """

    script: Script | None = None
    sections: tuple[AnySection, ...] = ()
    ucernvm: tuple[str, ...] | None = None

    def section(self, name: str) -> AnySection | None:
        return self._by_name.get(name)

    @cached_property
    def _by_name(self) -> dict[str, AnySection]:
        # Built once: rules look sections up by name a dozen times, and hostile user data may
        # hold a million sections (issue 9). The first of a name wins, as a scan would find it.
        out: dict[str, AnySection] = {}
        for s in self.sections:
            out.setdefault(s.SECTION, s)
        return out

    @cached_property
    def lower_names(self) -> frozenset[str]:
        """The section names as the guest looks them up (ASCII lower case, §2)."""
        return frozenset(ascii_lower(s.SECTION) for s in self.sections)

    def _key(self) -> tuple[Any, ...]:
        return (self.script, {s.SECTION: s for s in self.sections}, self.ucernvm)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Context) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self.script, tuple(sorted(s.SECTION for s in self.sections))))

    def ordered_sections(self) -> list[AnySection]:
        """The order cvmctx writes sections in: [amiconfig] first, then as given."""
        return sorted(self.sections, key=lambda s: s.SECTION != "amiconfig")


@dataclass
class RawContext:
    """User data between reading and loading: raw values per section, before typing.

    ``cvmctx build`` merges a user-data file, ``--section`` and ``--set`` at this level, then
    loads the result once, so every value goes through the same codecs.
    """

    script: Script | None = None
    sections: dict[str, dict[str, Entry]] = field(default_factory=dict)
    ucernvm: tuple[str, ...] | None = None
    header_lines: dict[str, int] = field(default_factory=dict)  # section -> line of its header

    def ensure(self, section: str) -> dict[str, Entry]:
        return self.sections.setdefault(section, {})


def read_raw(text: str) -> tuple[RawContext, list[Diagnostic]]:
    """Read user data the guest's way, keeping raw values and where they came from."""
    known = frozenset(REGISTRY)  # section-less plugins too: [rootsshkeys] is not "unknown"
    script, diags = read_script(text, known_sections=known)
    message = read_message(text)
    noise = message.noise() if message is not None else set()
    doc = ini.read(text, known, free=_maybe_noise(script, noise))
    # What the reader drops or misreads in cloud-init parts and MIME headers is not a loss, and
    # a shebang there is cloud-init's (a part of type text/x-shellscript), not amiconfig's.
    diags = [d for d in diags if d.line not in noise]
    # A '[ -f /x ]' script line opens a section for the guest's INI reader (§2). No plugin
    # reads it: it belongs to the script (script.bracket-line reports it), not to the INI part,
    # and build must not copy it there. A known section's name is another matter: its plugin
    # reads it, so it stays, and script.bracket-line is then an error.
    owned = _script_sections(script, doc, known, noise)
    diags.extend(d for d in doc.diagnostics if d.line not in noise)
    raw = RawContext(script=script, ucernvm=tuple(doc.ucernvm) if doc.ucernvm is not None else None)
    ignored = 0
    kept = {
        name: block
        for name, block in doc.blocks.items()
        if not (name in ucernvm.UCERNVM_SECTIONS or name == "DEFAULT" or name in owned)
    }
    budget = file_order_budget(o.line for b in kept.values() for o in b.options.values())
    for name, block in kept.items():
        entries = raw.ensure(name)
        raw.header_lines[name] = block.line
        for key, option in block.options.items():
            if option.line in noise:
                if not _read_by_plugin(name, key):
                    ignored += 1  # a MIME header or cloud-init line no plugin reads: harmless
                    continue
                diags.append(_mime_line_read(name, key, option))
            entries[key] = Entry(key, option.value, option.line, option.value_column)
            if option.written_key != option.key and ini_codes.KEY_CASE.room(budget):
                diags.append(inidoc.key_name_info(option, name))
    diags.extend(budget.tallies())
    if message is not None:
        diags.append(
            input_codes.MIME_MULTIPART.finding(
                "MIME multipart user data: amiconfig reads the whole message as INI text; "
                f"{ignored} header, boundary or cloud-init line(s) become options no plugin "
                "reads (harmless)",
                line=1,
                column=1,
            )
        )
    return raw, diags


def _script_sections(
    script: Script | None, doc: inidoc.Document, known: frozenset[str], noise: set[int]
) -> set[str]:
    """The sections the reader opens inside the script part that belong to the script (no
    plugin reads them); the script lines' findings of the reader join ``noise``."""
    if script is None or script.lines is None:
        return set()
    start, end = script.lines
    owned = {
        name
        for name, block in doc.blocks.items()
        if start <= block.line < end and name not in known and name != "amiconfig"
    }
    # What the reader says about script lines (dropped, trailing text, unknown section)
    # is about shell, not INI; lines of a known section there stay (its plugin reads them).
    plugin_lines = {
        line
        for name, block in doc.blocks.items()
        if name not in owned
        for line in (block.line, *(o.line for o in block.options.values()))
    }
    noise |= {
        d.line
        for d in doc.diagnostics
        if d.line is not None and start <= d.line < end and d.line not in plugin_lines
    }
    return owned


def _maybe_noise(script: Script | None, noise: set[int]) -> Callable[[int], bool] | None:
    """Lines whose INI findings read_raw may drop as noise (MIME and cloud-init lines, script
    lines): the reader builds all of those, and caps only the rest."""
    start, end = script.lines if script is not None and script.lines is not None else (0, 0)
    if not noise and start == end:
        return None
    return lambda number: start <= number < end or number in noise


def _read_by_plugin(section: str, key: str) -> bool:
    cls = REGISTRY.get(section)
    return cls is not None and (cls.key_spec(key) is not None or key in cls.RENAMED)


def _mime_line_read(section: str, key: str, option: inidoc.Option) -> Diagnostic:
    return input_codes.MIME_LINE_READ.finding(
        f"this line is not in an amiconfig part of the MIME message, yet amiconfig reads it as "
        f"[{section}] {key} (the last '{key}' wins), changing what the plugin does",
        line=option.line,
        column=1,
        hint=f"put the amiconfig part last, or move [{section}] so that no other part follows it "
        "(docs/guest.md §1.7)",
    )
