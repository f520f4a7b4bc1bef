"""The diagnostics catalog, ``docs/diagnostics.md``, read where cvmctx is installed: each code's
entry and its anchor, so that reports can point at the page that explains a finding.

The page is the one source of every code's meaning and fix; it ships inside the wheel as
``cvmctx/docs/`` (with ``guest.md``, which its "§" links point into) and sits at the top of a
source checkout. An entry is a ``###`` or ``####`` heading holding one code in backticks,
placeholders included (``<section>.<key>.not-base64`` documents ``cernvm.x509-cert.not-base64``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_HEADING = re.compile(r"^(#{3,4}) `([^`\n]+)`\s*$")
_ANY_HEADING = re.compile(r"^#{1,4} ")
_PLACEHOLDER = re.compile(r"<[a-z]+>")
_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\n]+\)")
_PAGE_LINK = re.compile(r"\]\(((?:guest|diagnostics)\.md)")


def docs_dir() -> Path:
    """Where the shipped pages are: inside the package when installed from a wheel, else the
    checkout's ``docs/`` (an editable install)."""
    package = Path(__file__).resolve().parent
    inside = package / "docs"
    return inside if (inside / "diagnostics.md").is_file() else package.parent / "docs"


def anchor(heading: str) -> str:
    """The anchor GitHub and most Markdown renderers give a heading: lower case, punctuation
    other than ``-`` and ``_`` dropped, spaces as ``-`` (``cernvm.users`` -> ``cernvmusers``)."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@dataclass(frozen=True)
class Entry:
    code: str  # as the heading writes it, placeholders included
    anchor: str
    markdown: str  # the entry's text under its heading, as written

    def matches(self, code: str) -> bool:
        if self.code == code:
            return True
        if not _PLACEHOLDER.search(self.code):
            return False
        parts = [re.escape(p) for p in _PLACEHOLDER.split(self.code)]
        return re.fullmatch("[a-z0-9_-]+".join(parts), code) is not None

    @property
    def text(self) -> str:
        """The entry as plain text: links as their words, emphasis marks dropped."""
        plain = _LINK.sub(r"\1", self.markdown).replace("**", "")
        return " ".join(plain.split())

    @property
    def markdown_absolute(self) -> str:
        """The entry's Markdown with its links to the shipped pages made absolute, for viewers
        that show it away from the page (SARIF's help)."""
        base = docs_dir().as_uri()
        return _PAGE_LINK.sub(lambda m: f"]({base}/{m.group(1)}", self.markdown)

    def uri(self) -> str:
        """An absolute URI of the entry in the installed page (SARIF's helpUri)."""
        return f"{(docs_dir() / 'diagnostics.md').as_uri()}#{self.anchor}"


@cache
def entries() -> tuple[Entry, ...]:
    try:
        lines = (docs_dir() / "diagnostics.md").read_text(encoding="utf-8").splitlines()
    except OSError:  # a broken install: reports still work, only without their help text
        return ()
    out: list[Entry] = []
    for i, line in enumerate(lines):
        heading = _HEADING.match(line)
        if heading is None:
            continue
        body: list[str] = []
        for later in lines[i + 1 :]:
            if _ANY_HEADING.match(later):
                break
            body.append(later)
        out.append(Entry(heading.group(2), anchor(line.lstrip("#")), "\n".join(body).strip()))
    return tuple(out)


@cache
def entry_for(code: str) -> Entry | None:
    """The entry that documents ``code``: its own heading first, then a placeholder heading."""
    found = entries()
    exact = next((e for e in found if e.code == code), None)
    return exact or next((e for e in found if e.matches(code)), None)


def closest_code(code: str) -> str | None:
    """The documented code nearest to a mistyped one (``explain``'s did-you-mean)."""
    from cvmctx.suggest import closest

    return closest(code, [e.code for e in entries()])
