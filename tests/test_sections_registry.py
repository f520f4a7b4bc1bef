"""The one section test harness: what holds for every section in the registry, whatever its
plugin: it is documented, valid data round-trips through load and render, and no secret ever
reaches a message, hint or path. Hazards specific to a section are in test_sections_core.py
and test_sections_plugins.py."""

from __future__ import annotations

import pytest
from sectiondata import VALID
from sectionkit import load

from cvmctx.diagnostics import Severity
from cvmctx.model.sections import REGISTRY
from cvmctx.model.sections._base import Entry, Section

SECTIONS = sorted(REGISTRY.values(), key=lambda cls: cls.SECTION)
IDS = [cls.SECTION for cls in SECTIONS]
MARKER = "S3cr3tMarker"


def test_every_section_has_round_trip_data() -> None:
    assert set(VALID) == set(REGISTRY)


@pytest.mark.parametrize("cls", SECTIONS, ids=IDS)
def test_section_is_documented(cls: type[Section]) -> None:
    assert "docs/guest.md §" in (cls.__doc__ or ""), cls.__name__
    assert cls.SECTION and cls.SECTION.lower() == cls.SECTION
    assert isinstance(cls.PLUGINS, tuple)


@pytest.mark.parametrize("cls", SECTIONS, ids=IDS)
def test_round_trip(cls: type[Section]) -> None:
    values = VALID[cls.SECTION]
    model, diags = load(cls, values)
    assert [d for d in diags if d.severity is Severity.ERROR] == []
    items = model.items()
    assert sorted(items) == sorted(values)
    again, diags2 = cls.load([Entry(k, v) for k, v in items])
    assert again == model
    assert [d.code for d in diags2] == [d.code for d in diags]
    assert again.items() == items


# Forms that reach each kind of refusal or note: bad characters, a second line, leading space,
# the guest's inline comment, bad base64, quotes and $ that the guest rewrites.
BAD_FORMS = [
    f'{MARKER}@:/#&"',
    f"{MARKER}\nsecond line",
    f" {MARKER}",
    f"{MARKER} ;comment",
    f"{MARKER}!not-base64",
    f"{MARKER}?",
    f'{MARKER}"$x',
    f"{MARKER} x",
    MARKER,
]
SECRETISH = ["password", "ec2_secret_key", "ec2_aws_secret_access_key", "key", "tsigkey"]


@pytest.mark.parametrize("cls", SECTIONS, ids=IDS)
def test_secrets_never_appear_in_findings(cls: type[Section]) -> None:
    keys = sorted(cls.secret_keys() | set(SECRETISH))
    for bad in BAD_FORMS:
        _, diags = load(cls, [(k, bad) for k in keys])
        if " ;" in bad and cls.secret_keys():  # the guest cuts the value: always an error
            assert any(d.severity is Severity.ERROR for d in diags), (cls.SECTION, bad)
        for d in diags:
            assert MARKER not in d.message, (d.code, d.message)
            assert MARKER not in (d.hint or ""), (d.code, d.hint)
            assert MARKER not in (d.path or ""), d.code


def test_the_index_says_what_each_model_says() -> None:
    """INDEX answers for every section without building its model; it must say what the
    model says, and name every section model the package defines."""
    import importlib
    import pkgutil

    from cvmctx.model import sections
    from cvmctx.model.sections import INDEX

    for info in INDEX:
        cls = REGISTRY[info.name]
        assert (cls.SECTION, cls.__name__, cls.__module__) == (
            info.name, info.cls, f"cvmctx.model.sections.{info.module}")  # fmt: skip
        assert cls.HAS_SECTION is info.has_section, info.name
        assert info.plugins == cls.PLUGINS, info.name
        assert sorted(s.key for s in cls.key_specs() if s.secret) == list(info.secret_keys)
    defined = set()
    for module in pkgutil.iter_modules(sections.__path__):
        loaded = importlib.import_module(f"cvmctx.model.sections.{module.name}")
        for value in vars(loaded).values():
            own = isinstance(value, type) and value.__module__ == loaded.__name__
            if own and issubclass(value, Section) and "SECTION" in vars(value):
                defined.add(value.SECTION)
    assert defined == {info.name for info in INDEX}
    assert len(REGISTRY) == len(INDEX) and list(REGISTRY) == [i.name for i in INDEX]
    assert "nosuch" not in REGISTRY and REGISTRY.get("nosuch") is None
