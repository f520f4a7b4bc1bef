"""From a :class:`~cvmctx.model.context.Context` to the user-data text the guest reads, checked by
reading it back the guest's way; and what each part weighs, for the over-budget message."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cvmctx.diagnostics import InternalError
from cvmctx.model.context import AnySection, Context
from cvmctx.model.load import read_context
from cvmctx.model.sections._base import Section
from cvmctx.templating import render_template


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


def render_checked(context: Context) -> str:
    """Render, then read the text back the guest's way; it must give ``context`` again."""
    text = render(context)
    back, _ = read_context(text)
    if back != _without_sectionless(context):
        differing = _differences(_without_sectionless(context), back)
        raise InternalError(f"the rendered user data reads back differently ({differing}); "
                            "nothing was written")  # fmt: skip
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
