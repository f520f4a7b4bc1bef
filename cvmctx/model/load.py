"""From raw sections to a typed, checked :class:`~cvmctx.model.context.Context`: every section's
model
loads its values, then the cross-section rules run (guest-format.md §2, §3)."""

from __future__ import annotations

from cvmctx.diagnostics import Diagnostic
from cvmctx.model.context import AnySection, Context, RawContext, UnknownSection, read_raw
from cvmctx.model.rules import check_context
from cvmctx.model.sections import REGISTRY


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
