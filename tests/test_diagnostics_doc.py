"""The catalog and the code agree: every declaration is used, every finding comes from one,
and the page names no code that is not declared.

Findings are made only from the catalog's declarations (``ini_codes.BOM.finding``,
``note(NOT_BASE64, ...)``, ``Refused(NOT_BASE64, ...)``; mypy holds the callers to a
:class:`~cvmctx.catalog.code.Code`), so what remains to check is that no declaration is left
over and that the page's prose names codes that exist.
"""

from __future__ import annotations

import re

import pytest
from catalogrefs import referenced, unused

from cvmctx.catalog import codes, entry_for, page_markdown
from cvmctx.catalog.code import Code
from cvmctx.diagnostics import TRUNCATED, Severity
from cvmctx.model.codecs.core import Refused, note
from cvmctx.model.sections import REGISTRY

_BACKTICKED = re.compile(r"`([^`\n]+)`")
_PART = r"(?:<[a-z]+>|[a-z0-9_-]+)"
_CODE_SHAPE = re.compile(rf"{_PART}(?:\.{_PART})+")
_FAMILIES = {
    "amiconfig", "build", "contextsh", "encoding", "ini", "input", "iso", "key", "plugin",
    "script", "section", "size", "ucernvm", "report",
}  # fmt: skip


def test_every_declaration_is_used() -> None:
    assert unused() == [], "declared in cvmctx/catalog but made nowhere: remove or use them"
    assert len(referenced()) > 150  # a guard for the reference scan itself


def _looks_like_code(text: str) -> bool:
    if not _CODE_SHAPE.fullmatch(text):
        return False
    heads = _FAMILIES | set(REGISTRY) | {c.code.split(".")[0] for c in codes()}
    return text.split(".")[0] in heads


def test_the_page_names_only_declared_codes() -> None:
    named = set(_BACKTICKED.findall(page_markdown()))
    stale = sorted(t for t in named if _looks_like_code(t) and entry_for(t) is None)
    assert not stale, (
        "docs/diagnostics.md names codes that are not declared (removed or renamed?), or shows "
        f"a path or file name in backticks that looks like a code: {stale}"
    )


def test_the_code_below_the_catalog_uses_the_declared_code() -> None:
    entry = entry_for(TRUNCATED)
    assert entry is not None and entry.code == TRUNCATED and entry.severity is Severity.INFO


def test_a_value_finding_takes_its_declared_severity() -> None:
    from cvmctx.catalog.encoded import NOT_IP, NOT_PEM
    from cvmctx.catalog.values import GLOB

    assert note(GLOB, "m").severity is GLOB.severity
    assert note(GLOB, "m").code == "glob"  # the section names section and key later
    assert note(NOT_IP, "m", severity=Severity.ERROR).severity is Severity.ERROR  # it varies
    with pytest.raises(ValueError, match="declared"):
        note(GLOB, "m", severity=Severity.INFO)
    assert NOT_PEM.varies


def test_a_refusal_is_an_error_of_a_declaration_that_allows_one() -> None:
    errors = [c for c in codes() if c.code.startswith("<section>.<key>.")]
    for code in errors:
        if code.severity is Severity.ERROR or code.varies:
            assert Refused(code, "m").finding.severity is Severity.ERROR
        else:
            with pytest.raises(ValueError, match="declared"):
                Refused(code, "m")


def test_a_family_instance_is_declared_as_its_family() -> None:
    from cvmctx.catalog.plugins import MISSING_KEY

    noip = MISSING_KEY.instance(section="noip")
    assert isinstance(noip, Code)
    assert (noip.code, noip.severity) == ("noip.missing-key", MISSING_KEY.severity)
    assert entry_for(noip.code) == MISSING_KEY
