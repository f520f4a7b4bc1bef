"""The user documentation generated from the models is the one committed."""

from __future__ import annotations

from pathlib import Path

from cvmctx.report.sections import reference_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_section_reference_is_current() -> None:
    committed = (DOCS / "sections.md").read_text(encoding="utf-8")
    assert committed == reference_markdown(), (
        "docs/sections.md is out of date: run python -m cvmctx.report.sections > docs/sections.md"
    )


def test_section_reference_names_every_section() -> None:
    from cvmctx.model.sections import REGISTRY

    text = (DOCS / "sections.md").read_text(encoding="utf-8")
    for name in REGISTRY:
        assert f"\n## {name}\n" in text
