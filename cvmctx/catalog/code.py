"""A finding's code, declared once: its severity, its documentation (what the guest does, the
fix), and its place in ``docs/diagnostics.md``, which is generated from the declarations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from cvmctx.diagnostics import Budget, Diagnostic, Severity

_PLACEHOLDER = re.compile(r"<[a-z]+>")
_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\n]+\)")
_PAGE_LINK = re.compile(r"\]\(((?:guest|diagnostics)\.md)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def anchor(heading: str) -> str:
    """The anchor GitHub and most Markdown renderers give a heading: lower case, punctuation
    other than ``-`` and ``_`` dropped, spaces as ``-`` (``cernvm.users`` -> ``cernvmusers``)."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def docs_dir() -> Path:
    """Where the shipped pages are: inside the package when installed from a wheel, else the
    checkout's ``docs/`` (an editable install)."""
    package = Path(__file__).resolve().parent.parent
    inside = package / "docs"
    return inside if (inside / "diagnostics.md").is_file() else package.parent / "docs"


def _plain(markdown: str) -> str:
    return " ".join(_LINK.sub(r"\1", markdown).replace("**", "").split())


@dataclass(frozen=True)
class Code:
    """One code: ``ini.inline-comment``, or a family with placeholders
    (``<section>.<key>.not-base64`` is reported as ``cernvm.x509-cert.not-base64``)."""

    code: str
    severity: Severity
    #: The entry after its severity, as Markdown: what the guest does, then **Fix:**.
    doc: str
    level: int = 3  # the heading's level on the page
    #: When the code applies, written after the severity: ``(context CD only)``.
    qualifier: str | None = None
    #: The severity depends on the case; the doc goes on from it (``**error** when ...``).
    varies: bool = False
    blank_lines: int = 1  # after the entry on the page

    def finding(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
        source: str | None = None,
        severity: Severity | None = None,
    ) -> Diagnostic:
        """A finding of this code, with its declared severity and the message's variables;
        ``severity`` only for a code whose declaration says it varies."""
        if severity is not None and not self.varies:
            raise ValueError(f"{self.code} is declared {self.severity}; its severity is fixed")
        return Diagnostic(self.code, severity or self.severity, message, path, line, column,
                          hint, source)  # fmt: skip

    def room(self, budget: Budget, line: int | None = None) -> bool:
        """Whether ``budget`` builds one more finding of this code (else it only counts it)."""
        return budget.room(self.code, self.severity, line)

    def instance(self, **parts: str) -> Code:
        """This family's code for one section or key (``section="noip"`` turns
        ``<section>.missing-key`` into ``noip.missing-key``), declared as the family is."""
        code = self.code
        for name, value in parts.items():
            code = code.replace(f"<{name}>", value)
        return replace(self, code=code)

    @cached_property  # read once per note: a value of a million entries asks a million times
    def suffix(self) -> str:
        """The last part: what a codec's finding holds until the section is named
        (``not-base64`` of ``<section>.<key>.not-base64``)."""
        return self.code.rsplit(".", 1)[1]

    @property
    def lead(self) -> str:
        if self.varies:
            return f"**{self.severity}**"
        if self.qualifier is not None:
            return f"**{self.severity}** ({self.qualifier}). "
        return f"**{self.severity}.** "

    @property
    def markdown(self) -> str:
        """The entry under its heading, as the page writes it."""
        return self.lead + self.doc

    @property
    def anchor(self) -> str:
        return anchor(f"`{self.code}`")

    @property
    def summary(self) -> str:
        """The first sentence after the severity, as plain text: the one-line summary (where
        the severity varies, the sentence that says how)."""
        text = _plain(self.markdown if self.varies else self.doc)
        return _SENTENCE_END.split(text, maxsplit=1)[0]

    @property
    def text(self) -> str:
        """The entry as plain text: links as their words, emphasis marks dropped."""
        return _plain(self.markdown)

    @property
    def markdown_absolute(self) -> str:
        """The entry's Markdown with its links to the shipped pages made absolute, for viewers
        that show it away from the page (SARIF's help)."""
        base = docs_dir().as_uri()
        return _PAGE_LINK.sub(lambda m: f"]({base}/{m.group(1)}", self.markdown)

    def uri(self) -> str:
        """An absolute URI of the entry in the installed page (SARIF's helpUri)."""
        return f"{(docs_dir() / 'diagnostics.md').as_uri()}#{self.anchor}"

    def matches(self, code: str) -> bool:
        """Whether ``code`` is this one, or an instance of this family."""
        if self.code == code:
            return True
        if not _PLACEHOLDER.search(self.code):
            return False
        parts = [re.escape(p) for p in _PLACEHOLDER.split(self.code)]
        return re.fullmatch("[a-z0-9_.-]+".join(parts), code) is not None

    def page_lines(self) -> list[str]:
        heading = "#" * self.level + f" `{self.code}`"
        return [heading, "", *self.markdown.split("\n"), *[""] * self.blank_lines]


@dataclass
class Page:
    """One part of docs/diagnostics.md, in order: prose (headings, introductions) and codes."""

    items: list[str | Code] = field(default_factory=list)

    def prose(self, text: str) -> None:
        self.items.append(text)

    def code(
        self,
        code: str,
        severity: str,
        doc: str,
        *,
        level: int = 3,
        qualifier: str | None = None,
        varies: bool = False,
        blank_lines: int = 1,
    ) -> Code:
        declared = Code(code, Severity(severity), doc, level, qualifier, varies, blank_lines)
        self.items.append(declared)
        return declared

    def codes(self) -> list[Code]:
        return [item for item in self.items if isinstance(item, Code)]

    def lines(self) -> list[str]:
        out: list[str] = []
        for item in self.items:
            out.extend(item.split("\n") if isinstance(item, str) else item.page_lines())
        return out
