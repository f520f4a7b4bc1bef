"""``cvmctx sections``: the section reference, read off the models (never written by hand)."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

from cvmctx import generated
from cvmctx.diagnostics import CvmctxError
from cvmctx.model.sections import REGISTRY
from cvmctx.model.sections._base import Section


def _summary(cls: type[Section]) -> str:
    doc = inspect.getdoc(cls) or ""
    return doc.splitlines()[0] if doc else ""


def describe_all() -> str:
    width = max(len(n) for n in REGISTRY) + 4  # the brackets and two spaces
    # The plugins column is as wide as its longest entry plus two spaces: a fixed width ran the
    # longest one ([rpath]'s five plugins) into the summary.
    plugins_of = {name: " ".join(cls.PLUGINS) for name, cls in REGISTRY.items()}
    plugins_width = max(len(p) for p in plugins_of.values()) + 2
    lines = [f"{'section':<{width}}{'plugins':<{plugins_width}}summary"]
    for name in sorted(REGISTRY):
        cls = REGISTRY[name]
        shown = f"[{name}]" if cls.HAS_SECTION else f"({name})"
        lines.append(f"{shown:<{width}}{plugins_of[name]:<{plugins_width}}{_summary(cls)}")
    lines.append("")
    lines.append("(name): a plugin that reads no section; enable it with --section NAME.")
    lines.append("Run 'cvmctx sections NAME' for a section's keys.")
    return "\n".join(lines) + "\n"


def describe_one(name: str) -> str:
    cls = REGISTRY.get(name.strip("[]"))
    if cls is None:
        from cvmctx.suggest import did_you_mean

        close = did_you_mean(name, REGISTRY)
        hint = f"; {close}" if close else "; run 'cvmctx sections'"
        raise CvmctxError(f"no section '{name}'{hint}")
    out = [
        f"[{cls.SECTION}]" if cls.HAS_SECTION else f"({cls.SECTION}: no section)",
        f"plugins: {' '.join(cls.PLUGINS) or '-'}",
        "",
        inspect.getdoc(cls) or "",
        "",
    ]
    specs = cls.key_specs()
    if specs:
        out.append("keys:")
        for spec in specs:
            flags = []
            if spec.guest_default is not None:
                flags.append(f"default {spec.guest_default}")
            if spec.secret:
                flags.append("secret")
            extra = f" ({', '.join(flags)})" if flags else ""
            out.append(f"  {spec.key}: {spec.codec.kind}{extra}")
            if spec.doc:
                out.append(f"      {spec.doc}")
    for key, why in cls.NOT_READ.items():
        out.append(f"  {key}: not read by the guest. {why}")
    for key, (target, _why) in cls.RENAMED.items():
        out.append(f"  {key}: read as '{target}' (the guest ignores '{key}')")
    if cls.PATTERN_KEYS:
        out.append(f"  other keys: {cls.PATTERN_HELP or cls.PATTERN_KEYS}")
    return "\n".join(out).rstrip("\n") + "\n"


def reference_markdown() -> str:
    """``docs/sections.md``: every section as ``cvmctx sections NAME`` shows it, in one page."""
    parts = [
        "# Section reference\n",
        "Generated from the models by `python -m cvmctx.report.sections > docs/sections.md`; a "
        "test "
        "fails when it is out of date. The same text is `cvmctx sections NAME`. A "
        "`docs/guest.md §N` is a section of [How the guest reads contextualization data]"
        "(guest.md).\n",
    ]
    for name in sorted(REGISTRY):
        parts.append(f"## {name}\n\n```text\n{describe_one(name)}```\n")
    return "\n".join(parts)


PAGE = Path(__file__).resolve().parents[2] / "docs" / "sections.md"
STALE = "docs/sections.md is out of date: run python -m cvmctx.report.sections > docs/sections.md\n"


def check(page: Path = PAGE) -> int:
    """0 when ``page`` is what :func:`reference_markdown` gives, else 1 and one line on stderr."""
    return generated.check(page, reference_markdown(), STALE)


def main(argv: list[str], page: Path = PAGE) -> int:
    """Print docs/sections.md's text; with ``--check``, compare the committed page to it."""
    return generated.main(argv, page, reference_markdown, "cvmctx.report.sections", STALE)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
