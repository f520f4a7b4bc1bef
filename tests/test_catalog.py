"""The pages users are pointed at exist and ship (issue 10 item 11): docs/guest.md (how the guest
reads each byte) and docs/diagnostics.md (each code); messages cite them, never the internal
reference; SARIF rules and ``cvmctx explain`` carry each code's entry."""

from __future__ import annotations

import ast
import re
import zipfile
from pathlib import Path

import pytest
from catalogrefs import referenced
from conftest import Run

from cvmctx.catalog import entries, entry_for
from cvmctx.catalog.code import anchor, docs_dir

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cvmctx"
DOCS = ROOT / "docs"
_CITED = re.compile(r"docs/guest\.md §(\d+(?:\.\d+)?)")
_LINKED = re.compile(r"\]\(guest\.md#(s[0-9.]+)\)")


def _guest_anchors() -> set[str]:
    return set(re.findall(r'<a id="(s[0-9.]+)"></a>', (DOCS / "guest.md").read_text("utf-8")))


def _shown_strings(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module a user can see: every one but module and function
    docstrings (comments for readers of the code); section class docstrings are shown by
    ``cvmctx sections``, so they count."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = node.body[0] if node.body else None
            shown = isinstance(node, ast.ClassDef) and "sections" in path.parts
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and not shown:
                docstrings.add(id(first.value))
    return [
        (n.lineno, n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    ]


def test_anchor_is_the_one_markdown_renderers_give() -> None:
    assert anchor(" `cernvm.users.plaintext-password`") == "cernvmusersplaintext-password"
    assert anchor("`<section>.<key>.not-base64`") == "sectionkeynot-base64"
    assert anchor("Any key") == "any-key"


def test_every_code_cvmctx_emits_has_an_entry() -> None:
    missing = sorted(c for c in referenced() if entry_for(c) is None)
    assert missing == []
    assert len(entries()) > 150
    # a concrete instance of a placeholder code finds its family's entry
    entry = entry_for("cernvm.x509-cert.not-base64")
    assert entry is not None and entry.code == "<section>.<key>.not-base64"
    assert entry_for("cernvm.nothing-like-this") is None


def test_messages_cite_the_shipped_guest_page_not_the_internal_reference() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, text in _shown_strings(path)
        if "guest-format" in text
    ]
    assert found == []


def test_every_cited_and_linked_guest_section_exists() -> None:
    anchors = _guest_anchors()
    for number in ["1", *[f"1.{i}" for i in range(1, 8)], "2", "3", "4", "5", "6"]:
        assert f"s{number}" in anchors, number
    assert {f"s3.{i}" for i in range(1, 24)} <= anchors
    cited = {
        f"s{m}"
        for path in PACKAGE.rglob("*.py")
        for _line, text in _shown_strings(path)
        for m in _CITED.findall(text)
    }
    assert cited and cited <= anchors, sorted(cited - anchors)
    for page in ("diagnostics.md", "architecture.md", "context-cd.md"):
        linked = set(_LINKED.findall((DOCS / page).read_text("utf-8")))
        assert linked <= anchors, (page, sorted(linked - anchors))


def test_explain_prints_a_codes_entry(cvmctx: Run) -> None:
    proc = cvmctx("explain", "ini.continuation-dropped")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode() == (
        "ini.continuation-dropped\n"
        "\n"
        "error. A line starts with whitespace. The guest's pre-filter drops it, so a continuation "
        "line is\nlost and the value above it ends on the line before (§2). Fix: put the whole "
        "value on one line.\n"
        "\n"
        f"more: {(docs_dir() / 'diagnostics.md').as_uri()}#inicontinuation-dropped\n"
    )
    proc = cvmctx("explain", "cernvm.x509-cert.not-base64")
    assert proc.returncode == 0
    assert proc.stdout.decode().startswith(
        "cernvm.x509-cert.not-base64 (documented as <section>.<key>.not-base64)\n\nerror. "
    )


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ("ini.continuation", "did you mean 'ini.continuation-dropped'?"),
        ("zzz", "docs/diagnostics.md lists them"),
    ],
)
def test_explain_of_an_unknown_code_is_a_usage_error(cvmctx: Run, code: str, said: str) -> None:
    proc = cvmctx("explain", code)
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert proc.stderr.decode() == f"cvmctx: error: no finding has the code '{code}'; {said}\n"


def test_the_wheel_ships_the_pages(tmp_path: Path) -> None:
    from hatchling.builders.wheel import WheelBuilder

    (wheel,) = WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"])
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"cvmctx/docs/diagnostics.md", "cvmctx/docs/guest.md", "cvmctx/py.typed"} <= names
    for page in ("diagnostics.md", "guest.md"):
        shipped = zipfile.ZipFile(wheel).read(f"cvmctx/docs/{page}")
        assert shipped == (DOCS / page).read_bytes()
