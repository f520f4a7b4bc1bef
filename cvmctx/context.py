"""The Context: a script plus typed sections; how it is read from text and rendered back.

Reading replays the guest (script part: :mod:`cvmctx.script`; INI part: :mod:`cvmctx.ini`) and
loads each section into its model (:mod:`cvmctx.sections`). Rendering goes through the Jinja2
template ``user-data.j2``; :func:`render_checked` reads the result back and insists on getting
the same Context, so nothing cvmctx writes can differ from what the guest will read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from cvmctx import ini
from cvmctx.diagnostics import (
    CvmctxError,
    Diagnostic,
    Severity,
    error,
    file_order_budget,
    info,
)
from cvmctx.mime import read_message
from cvmctx.rules import check_context
from cvmctx.script import Script, read_script
from cvmctx.sections import REGISTRY
from cvmctx.sections._base import Entry, Section

if TYPE_CHECKING:
    import jinja2


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
        return next((s for s in self.sections if name == s.SECTION), None)

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
    owned: set[str] = set()
    if script is not None and script.lines is not None:
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
    diags.extend(d for d in doc.diagnostics if d.line not in noise)
    raw = RawContext(script=script, ucernvm=tuple(doc.ucernvm) if doc.ucernvm is not None else None)
    ignored = 0
    kept = {
        name: block
        for name, block in doc.blocks.items()
        if not (name in ini.UCERNVM_SECTIONS or name == "DEFAULT" or name in owned)
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
            if option.written_key != option.key and budget.room("ini.key-case", Severity.INFO):
                diags.append(ini.key_name_info(option, name))
    diags.extend(budget.tallies())
    if message is not None:
        diags.append(
            info(
                "input.mime-multipart",
                "MIME multipart user data: amiconfig reads the whole message as INI text; "
                f"{ignored} header, boundary or cloud-init line(s) become options no plugin "
                "reads (harmless)",
                line=1,
                column=1,
            )
        )
    return raw, diags


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


def _mime_line_read(section: str, key: str, option: ini.Option) -> Diagnostic:
    return error(
        "input.mime-line-read",
        f"this line is not in an amiconfig part of the MIME message, yet amiconfig reads it as "
        f"[{section}] {key} (the last '{key}' wins), changing what the plugin does",
        line=option.line,
        column=1,
        hint=f"put the amiconfig part last, or move [{section}] so that no other part follows it "
        "(docs/guest.md §1.7)",
    )


def load(raw: RawContext) -> tuple[Context, list[Diagnostic]]:
    """Type every section's values; report what the guest would misread or ignore."""
    diags: list[Diagnostic] = []
    sections: list[AnySection] = []
    for name, entries in raw.sections.items():
        cls = REGISTRY.get(name)
        if cls is None:
            sections.append(UnknownSection(name, tuple((k, e.value) for k, e in entries.items())))
            continue
        model, found = cls.load(entries.values())
        sections.append(model)
        header = raw.header_lines.get(name)
        # Findings about the whole section point at its header line.
        diags.extend(d.at(header, 1) if d.line is None and header else d for d in found)
    context = Context(raw.script, tuple(sections), raw.ucernvm)
    diags.extend(check_context(context, raw))
    return context, diags


def read_context(text: str) -> tuple[Context, list[Diagnostic]]:
    raw, diags = read_raw(text)
    context, more = load(raw)
    return context, diags + more


def raw_from_context(context: Context) -> RawContext:
    raw = RawContext(script=context.script, ucernvm=context.ucernvm)
    for section in context.ordered_sections():
        raw.sections[section.SECTION] = {k: Entry(k, v) for k, v in section.items()}
    return raw


@cache
def _environment() -> jinja2.Environment:
    import jinja2  # only rendering needs it: `cvmctx validate` and `--help` stay light

    return jinja2.Environment(
        loader=jinja2.PackageLoader("cvmctx", "templates"),
        # libvirt XML escapes every value (none is trusted); user data and context.sh are not
        # markup: their values are checked and quoted by the models and cvmctx.shellvars.
        autoescape=lambda name: name is not None and name.endswith(".xml.j2"),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
    )


def render_template(template: str, /, **values: object) -> str:
    return _environment().get_template(template).render(**values)


def render(context: Context) -> str:
    """The user-data text for ``context``, in the exact form the guest reads."""
    sections = [(s.SECTION, s.items()) for s in context.ordered_sections() if _has_section(s)]
    return render_template(
        "user-data.j2",
        script=context.script.text if context.script else "",
        sections=sections,
        ucernvm=context.ucernvm,
    )


def _has_section(section: AnySection) -> bool:
    return not isinstance(section, Section) or section.HAS_SECTION


class InternalError(CvmctxError):
    """cvmctx produced text that does not read back as what it meant: a cvmctx bug."""


def render_checked(context: Context) -> str:
    """Render, then read the text back the guest's way; it must give ``context`` again."""
    text = render(context)
    back, _ = read_context(text)
    if back != _without_sectionless(context):
        differing = _differences(_without_sectionless(context), back)
        raise InternalError(
            "internal error: the rendered user data reads back differently "
            f"({differing}); nothing was written. Please report this as a cvmctx bug."
        )
    return text


def _without_sectionless(context: Context) -> Context:
    kept = tuple(s for s in context.sections if _has_section(s))
    return Context(context.script, kept, context.ucernvm)


def _differences(want: Context, got: Context) -> str:
    parts: list[str] = []
    if want.script != got.script:
        parts.append("script")
    if want.ucernvm != got.ucernvm:
        parts.append("ucernvm block")
    a: Mapping[str, AnySection] = {s.SECTION: s for s in want.sections}
    b: Mapping[str, AnySection] = {s.SECTION: s for s in got.sections}
    parts.extend(f"[{n}]" for n in sorted(set(a) | set(b)) if a.get(n) != b.get(n))
    return ", ".join(parts) or "order"


def section_shares(context: Context, text: str) -> list[tuple[str, int]]:
    """Bytes each part takes in the rendered text, for the over-budget message."""
    shares: list[tuple[str, int]] = []
    if context.script:
        shares.append(("script", len(context.script.text.encode())))
    for name, items in _rendered_items(context):
        size = len(f"[{name}]\n".encode()) + sum(len(f"{k} = {v}\n".encode()) for k, v in items)
        shares.append((f"[{name}]", size))
    if context.ucernvm is not None:
        shares.append(("[ucernvm-begin]", sum(len(x.encode()) + 1 for x in context.ucernvm)))
    return shares


def _rendered_items(context: Context) -> Iterable[tuple[str, list[tuple[str, str]]]]:
    for s in context.ordered_sections():
        if _has_section(s):
            yield s.SECTION, s.items()
