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


def test_diagnostics_page_is_generated_from_the_catalog() -> None:
    from cvmctx.catalog import page_markdown

    committed = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
    assert committed == page_markdown(), (
        "docs/diagnostics.md is out of date: run python -m cvmctx.catalog"
    )


def test_the_catalog_checks_the_committed_page(tmp_path: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "cvmctx.catalog", "--check"],
                          capture_output=True, check=False)  # fmt: skip
    assert (proc.returncode, proc.stderr) == (0, b"")


def test_each_code_is_declared_once() -> None:
    from collections import Counter

    from cvmctx.catalog import codes

    declared = Counter(c.code for c in codes())
    assert [code for code, n in declared.items() if n > 1] == []
    assert len(declared) > 150
    # the summary is the entry's first sentence, in plain text
    (inline,) = [c for c in codes() if c.code == "ini.inline-comment"]
    assert inline.summary == (
        "A `;` preceded by whitespace starts a comment: the guest cuts the value there, so "
        "`proxy = http://p:3128 ;DIRECT` gives `http://p:3128` (§2)."
    )
