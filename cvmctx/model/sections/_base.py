"""The section model: one pydantic model per guest plugin section, loaded from and rendered to
the exact ``key = value`` lines the guest reads.

A subclass declares its keys as fields::

    class Hostname(Section):
        '''User documentation (shown by ``cvmctx sections hostname``).'''

        SECTION: ClassVar[str] = "hostname"
        PLUGINS: ClassVar[tuple[str, ...]] = ("hostname",)

        hostname: Annotated[str | None, Text()] = guest_key("hostname", "Host name to set.")

The codec in ``Annotated`` (see :mod:`cvmctx.model.codecs`) reads and writes the value;
``guest_key`` names the INI key (lower case, as the guest reads it) and marks secrets. Keys the
guest does not read are kept verbatim in ``other`` with a warning, so nothing a site wrote is
lost on re-rendering.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic.fields import FieldInfo

from cvmctx.catalog import plugins as plugins_codes
from cvmctx.catalog.code import Code
from cvmctx.catalog.plugins import MISSING_KEY
from cvmctx.catalog.values import RENAMED
from cvmctx.diagnostics import (
    Budget,
    Diagnostic,
    Tally,
    file_order_budget,
)
from cvmctx.limits import PER_CODE
from cvmctx.model.codecs.core import Codec, Refused, check_line, field_codec
from cvmctx.suggest import did_you_mean

# model_validate's context key: the values of ``other`` were checked to fit a line already
_LINES_CHECKED = "cvmctx.lines-checked"


@functools.cache
def _pattern(source: str) -> re.Pattern[str]:
    return re.compile(source)


def guest_key(name: str, doc: str, *, secret: bool = False, default: str | None = None) -> Any:
    """A field's INI key, its documentation, whether it is secret, and the guest's default."""
    extra: dict[str, Any] = {"secret": secret}
    if default is not None:
        extra["guest_default"] = default
    return Field(default=None, alias=name, description=doc, json_schema_extra=extra)


@dataclass(slots=True)
class Entry:
    """One value on its way into a model, with where it came from (for line and column).
    Not frozen: a frozen dataclass costs four times as much to build, once per option."""

    key: str
    value: str
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class KeySpec:
    """What ``cvmctx sections`` shows for a key, read off the model."""

    key: str
    attr: str
    codec: Codec[Any]
    doc: str
    secret: bool
    guest_default: str | None


# Per-class caches of key_specs(): a file with many key lines asks for them once per line.
_KEY_SPECS: dict[type[Section], tuple[KeySpec, ...]] = {}
_KEY_INDEX: dict[type[Section], dict[str, KeySpec]] = {}


class Section(BaseModel):
    """Base of every section model."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    #: The section name exactly as the guest looks it up (lower case).
    SECTION: ClassVar[str]
    #: The plugins that read this section; enabling the section enables the first one.
    PLUGINS: ClassVar[tuple[str, ...]]
    #: Keys the seed documents but the guest never reads: key -> what the guest does instead.
    NOT_READ: ClassVar[Mapping[str, str]] = {}
    #: Keys read under another name: written key -> the key cvmctx writes instead, and why.
    RENAMED: ClassVar[Mapping[str, tuple[str, str]]] = {}
    #: A warning about the whole section (plugin removed from or broken on the guest).
    GUEST_WARNING: ClassVar[tuple[Code, str] | None] = None
    #: False for a plugin that reads no section (rootsshkeys): nothing is rendered for it, and
    #: its GUEST_WARNING (code ``section.not-read``) is what loading such a section reports.
    HAS_SECTION: ClassVar[bool] = True
    #: A regular expression for keys the plugin reads by pattern (elastiq's ``<section>_<key>``).
    PATTERN_KEYS: ClassVar[str | None] = None
    PATTERN_HELP: ClassVar[str] = ""

    other: dict[str, str] = Field(
        default_factory=dict,
        description="Keys the guest plugin does not read (or reads by pattern), kept verbatim.",
    )

    @field_validator("other")
    @classmethod
    def _other_fits_a_line(cls, other: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        # A value a library caller puts here must fit on a line, or rendering could not give the
        # guest the same value back. load() checked each value already (context "lines
        # checked"): a million unknown keys are not checked twice.
        if info.context is not None and info.context.get(_LINES_CHECKED):
            return other
        for key, value in other.items():
            try:
                check_line(value)
            except Refused as refused:
                raise ValueError(f"{cls.SECTION}.{key}: {refused.finding.message}") from None
        return other

    # ---------------------------------------------------------------- introspection
    @classmethod
    def key_specs(cls) -> list[KeySpec]:
        """The section's keys, computed once per class (the fields never change after import)."""
        cached = _KEY_SPECS.get(cls)
        if cached is None:
            cached = _KEY_SPECS[cls] = cls._compute_key_specs()
            index: dict[str, KeySpec] = {}
            for spec in cached:
                index.setdefault(spec.key, spec)  # the first field of a key, as before
            _KEY_INDEX[cls] = index
        return list(cached)

    @classmethod
    def _compute_key_specs(cls) -> tuple[KeySpec, ...]:
        specs = []
        for attr, info in cls.model_fields.items():
            codec = field_codec(info.metadata)
            if codec is None:
                continue
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            default = extra.get("guest_default")
            specs.append(
                KeySpec(
                    key=info.alias or attr,
                    attr=attr,
                    codec=codec,
                    doc=info.description or "",
                    secret=bool(extra.get("secret")),
                    guest_default=default if isinstance(default, str) else None,
                )
            )
        return tuple(specs)

    @classmethod
    def key_spec(cls, key: str) -> KeySpec | None:
        if cls not in _KEY_INDEX:
            cls.key_specs()
        return _KEY_INDEX[cls].get(key)

    @classmethod
    def secret_keys(cls) -> frozenset[str]:
        return frozenset(s.key for s in cls.key_specs() if s.secret)

    # ---------------------------------------------------------------- reading
    @classmethod
    def load(cls, entries: Iterable[Entry]) -> tuple[Section, list[Diagnostic]]:
        """Build the model from the values the guest would hand the plugin, with findings.

        A value the guest would misread is reported as an error and left out of the model.
        """
        diags: list[Diagnostic] = []
        if cls.GUEST_WARNING is not None:
            code, message = cls.GUEST_WARNING
            diags.append(code.finding(message, path=cls.SECTION))
        specs = {s.key: s for s in cls.key_specs()}
        values: dict[str, Any] = {}
        other: dict[str, str] = {}
        entries = list(entries)
        # A section of a million unknown keys builds a report's worth of findings, not a million.
        budget = file_order_budget(entry.line for entry in entries)
        for entry in entries:
            key = entry.key
            if key in cls.RENAMED:
                target, why = cls.RENAMED[key]
                diags.append(
                    _at(
                        RENAMED.instance(section=cls.SECTION, key=key).finding(
                            why,
                            path=f"{cls.SECTION}.{key}",
                            hint=f"write '{target}'",
                        ),
                        entry,
                    )
                )
                key = target
            spec = specs.get(key)
            if spec is None:
                try:
                    check_line(entry.value)
                except Refused as refused:
                    # kept, it could not be rendered back (a hand-built Entry; the reader's
                    # values always fit): say why and leave it out
                    note = cls._note(refused.finding, entry.key, entry)
                    if budget.room(note.code, note.severity, entry.line):
                        diags.append(note)
                    continue
                other[key] = entry.value
                unread = cls._unread_key(entry, specs, budget, suggest=len(other) <= PER_CODE)
                if unread is not None:
                    diags.append(unread)
                continue
            try:
                parsed = spec.codec.parse(entry.value)
            except Refused as refused:
                diags.append(cls._note(refused.finding, key, entry))
                continue
            values[spec.attr] = parsed.value
            diags.extend(cls._note(n, key, entry) for n in parsed.notes)
            diags.extend(Tally(cls._code(key, code), severity, "", count=count)
                         for code, severity, count in parsed.left_out)  # fmt: skip
        model = cls.model_validate({**values, "other": other}, context={_LINES_CHECKED: True})
        diags.extend(model.check())
        diags.extend(budget.tallies())
        return model, diags

    @classmethod
    def _unread_key(
        cls, entry: Entry, specs: Mapping[str, KeySpec], budget: Budget, *, suggest: bool = True
    ) -> Diagnostic | None:
        """``key.unknown`` or ``key.not-read``, when ``budget`` has room: past the findings a
        report shows they are only counted (a did-you-mean costs a fuzzy match per key)."""
        key = entry.key
        if key in cls.NOT_READ:
            if not plugins_codes.KEY_NOT_READ.room(budget, entry.line):
                return None
            return _at(
                plugins_codes.KEY_NOT_READ.finding(
                    cls.NOT_READ[key],
                    path=f"{cls.SECTION}.{key}",
                    hint="remove it; the guest ignores it",
                ),
                entry,
            )
        if cls.PATTERN_KEYS is not None and _pattern(cls.PATTERN_KEYS).fullmatch(key):
            return None
        if not plugins_codes.KEY_UNKNOWN.room(budget, entry.line):
            return None  # counted: the common case of a file of a million unknown keys
        close = did_you_mean(key, specs) if suggest else None
        hint = close or "check the key's spelling"
        message = f"the [{cls.SECTION}] plugin does not read '{key}'"
        if cls.PATTERN_KEYS is not None:
            message += f" (it reads {cls.PATTERN_HELP})"
        return _at(
            plugins_codes.KEY_UNKNOWN.finding(message, path=f"{cls.SECTION}.{key}", hint=hint),
            entry,
        )

    @classmethod
    def _note(cls, note: Diagnostic, key: str, entry: Entry) -> Diagnostic:
        # a codec's column counts in the value; the value starts at the entry's column
        column = (
            entry.column + note.column - 1
            if entry.column and note.column is not None
            else entry.column
        )
        return Diagnostic(
            cls._code(key, note.code),
            note.severity,
            note.message,
            path=f"{cls.SECTION}.{key}",
            line=entry.line,
            column=column,
            hint=note.hint,
        )

    @classmethod
    def _code(cls, key: str, suffix: str) -> str:
        # Codes are for matching in CI: a key a site wrote may hold any character (the guest
        # splits lines on \n only), so only a plain spelling of it goes into the code.
        return f"{cls.SECTION}.{re.sub(r'[^a-z0-9_.-]', '_', key)}.{suffix}"

    def check(self) -> list[Diagnostic]:
        """Checks across the keys of this section (required keys and the like)."""
        return []

    def require(self, *attrs: str, consequence: str) -> list[Diagnostic]:
        """An error for each key in ``attrs`` that is not set: the plugin needs all of them."""
        missing = [a for a in attrs if getattr(self, a) is None]
        if not missing:
            return []
        names = ", ".join(self._alias(a) for a in missing)
        return [
            MISSING_KEY.instance(section=self.SECTION).finding(
                f"[{self.SECTION}] needs {names}: " + consequence,
                path=self.SECTION,
                hint=f"set {names}",
            )
        ]

    @classmethod
    def _alias(cls, attr: str) -> str:
        info: FieldInfo = cls.model_fields[attr]
        return info.alias or attr

    # ---------------------------------------------------------------- writing
    def items(self) -> list[tuple[str, str]]:
        """The ``(key, value)`` lines to write, in the model's key order, then ``other``."""
        out: list[tuple[str, str]] = []
        for spec in self.key_specs():
            value = getattr(self, spec.attr)
            if value is not None:
                out.append((spec.key, spec.codec.render(value)))
        out.extend(sorted(self.other.items()))
        return out


def _at(diag: Diagnostic, entry: Entry) -> Diagnostic:
    return diag.at(entry.line, 1 if entry.line is not None else None)
