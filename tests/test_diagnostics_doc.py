"""docs/diagnostics.md documents every diagnostic code the code base can emit, and no other.

The codes come from :func:`codescan.emitted_codes`, which reads the source; a code is
documented when it appears in the page in backticks, exactly as emitted (placeholders
included: ``<section>.<key>.not-base64``). Any backticked string on the page that looks like a
code must be one, or a concrete instance of one (``cernvm.x509-cert.not-base64``), so that a
removed or renamed code cannot stay documented.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from codescan import _FAMILIES, emitted_codes

from cvmctx.model.sections import REGISTRY

DOC = Path(__file__).resolve().parent.parent / "docs" / "diagnostics.md"
_BACKTICKED = re.compile(r"`([^`\n]+)`")
_PART = r"(?:<[a-z]+>|[a-z0-9_-]+)"
_CODE_SHAPE = re.compile(rf"{_PART}(?:\.{_PART})+")


@cache
def _codes() -> frozenset[str]:
    return frozenset(emitted_codes())


def _backticked() -> set[str]:
    return set(_BACKTICKED.findall(DOC.read_text(encoding="utf-8")))


def _looks_like_code(text: str) -> bool:
    if not _CODE_SHAPE.fullmatch(text):
        return False
    heads = _FAMILIES | set(REGISTRY) | {c.split(".")[0] for c in _codes()}
    return text.split(".")[0] in heads


def _instance_pattern(code: str) -> re.Pattern[str]:
    """``<section>.<key>.x`` -> a pattern for ``cernvm.x509-cert.x`` (a known section, any key)."""
    sections = "|".join(re.escape(name) for name in REGISTRY)
    parts = []
    for part in code.split("."):
        if part == "<section>":
            parts.append(f"(?:{sections})")
        elif part.startswith("<"):
            parts.append(r"[a-z0-9_-]+")
        else:
            parts.append(re.escape(part))
    # A key may itself hold dots ([tcpbuffers] net.core.rmem_max).
    return re.compile(r"\.".join(parts).replace(r"[a-z0-9_-]+", r"[a-z0-9_.-]+"))


def _is_code_or_instance(text: str) -> bool:
    if text in _codes():
        return True
    return any(_instance_pattern(c).fullmatch(text) for c in _codes() if "<" in c)


def test_every_emitted_code_is_documented() -> None:
    documented = _backticked()
    missing = sorted(_codes() - documented)
    assert not missing, (
        "docs/diagnostics.md does not document these codes (write each in backticks, exactly as "
        f"listed, with its severity, what the guest does and the fix): {missing}"
    )


def test_every_documented_code_exists() -> None:
    stale = sorted(t for t in _backticked() if _looks_like_code(t) and not _is_code_or_instance(t))
    assert not stale, (
        "docs/diagnostics.md names codes that the code base does not emit (removed or renamed?), "
        f"or shows a path or file name in backticks that looks like a code: {stale}"
    )


def test_the_scan_finds_codes_of_every_kind() -> None:
    # A guard for the scan itself: if it stopped seeing a kind of code, the first test would
    # pass on a page that documents nothing of that kind.
    codes = _codes()
    assert "ini.inline-comment" in codes  # a whole code
    assert "<section>.missing-key" in codes  # a per-section f-string
    assert "<section>.<key>.not-base64" in codes  # a codec's Refused
    assert "<section>.<key>.group" in codes  # a code passed through a helper's parameter
    assert "section.not-read" in codes  # a GUEST_WARNING
    assert "amiconfig.plugins" not in codes  # a finding's path=, not a code
    assert "<section>.<key>.no-file" not in codes  # from_file: a usage error, not a finding


def test_every_emitted_code_is_declared_in_the_catalog() -> None:
    from cvmctx.catalog import entry_for

    assert sorted(c for c in _codes() if entry_for(c) is None) == []


def test_a_code_is_made_with_the_severity_the_catalog_declares() -> None:
    # Most call sites make their finding from the declaration (``ini_codes.BOM.finding``);
    # where one still writes the severity (diagnostics.py sits below the catalog), it must be
    # the declared one, or the declaration says it varies.
    from codescan import maker_severities

    from cvmctx.catalog import entry_for

    made = maker_severities()
    assert ("report.truncated", "info") in made  # a guard for the scan itself
    wrong = []
    for code, severity in sorted(made):
        entry = entry_for(code)
        if entry is not None and not entry.varies and entry.severity != severity:
            wrong.append((code, severity, str(entry.severity)))
    assert wrong == []
