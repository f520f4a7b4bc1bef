"""The core promise as properties: what cvmctx renders, the guest reads back as the same model.

Models are generated the way users make them: every key of every section gets text the user
might type (or the codec's own example); text a codec refuses never reaches a model, just as
``cvmctx build`` refuses it. The rendered text is then read back by the guest replay.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvmctx.guest.names import key_problem
from cvmctx.guest.script.part import Phase, make_script
from cvmctx.model.codecs.core import Refused, check_line
from cvmctx.model.context import Context, UnknownSection
from cvmctx.model.load import read_context
from cvmctx.model.render import render, render_checked
from cvmctx.model.sections import REGISTRY
from cvmctx.model.sections._base import Section

# Characters users put in values, including the ones the guest treats specially.
VALUE_CHARS = "abcxyzABC0189 :,=;/.-_$@#+%'\"*[]"
WRITTEN = tuple(cls for cls in REGISTRY.values() if cls.HAS_SECTION)


def _typed(codec: Any, text: str) -> Any:
    """The value the codec gives for what a user typed, or None where it refuses it."""
    try:
        return codec.parse(text.strip()).value  # the guest strips values (guest-format.md §2)
    except Refused:
        return None


@st.composite
def section_models(draw: st.DrawFn, cls: type[Section]) -> Section:
    values: dict[str, Any] = {}
    for spec in cls.key_specs():
        if not draw(st.booleans()):
            continue
        text = draw(
            st.one_of(
                st.just(spec.codec.example()),
                st.sampled_from(["true", "false", "on", "off", "1", "0", "/opt/x", "a,b", ""]),
                st.text(VALUE_CHARS, max_size=24),
            )
        )
        value = _typed(spec.codec, text)
        if value is not None:
            values[spec.attr] = value
    other = draw(
        st.dictionaries(
            st.from_regex(r"x[a-z0-9_]{0,8}", fullmatch=True),
            st.text(VALUE_CHARS, max_size=16).map(str.strip).filter(_line_ok),
            max_size=2,
        )
    )
    known = {s.key for s in cls.key_specs()} | set(cls.NOT_READ) | set(cls.RENAMED)
    other = {k: v for k, v in other.items() if k not in known}
    return cls.model_validate({**values, "other": other})


def _line_ok(text: str) -> bool:
    try:
        check_line(text)
    except Refused:
        return False
    return True


unknown_sections = st.builds(
    UnknownSection,
    st.from_regex(r"site[a-z0-9_]{1,8}", fullmatch=True),
    st.lists(
        st.tuples(
            # a line 'rem = ...' is a comment to the guest: no key reads back as 'rem' (§2)
            st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
                lambda k: key_problem(k) is None
            ),
            st.text("abc019 /.-_", max_size=12).map(str.strip),
        ),
        max_size=3,
        unique_by=lambda kv: kv[0],
    ).map(tuple),
)


@st.composite
def contexts(draw: st.DrawFn) -> Context:
    classes = draw(st.lists(st.sampled_from(WRITTEN), max_size=5, unique=True))
    sections: list[Any] = [draw(section_models(cls)) for cls in classes]
    sections += draw(st.lists(unknown_sections, max_size=2, unique_by=lambda s: s.name))
    script = None
    if draw(st.booleans()):
        body = draw(st.sampled_from(["echo hi\n", "touch /tmp/x\nexit 0\n", "true"]))
        phase = draw(st.sampled_from(list(Phase)))
        script, _ = make_script(body, phase, "script.sh", known_sections=frozenset(REGISTRY))
    ucernvm = None
    if draw(st.booleans()):
        ucernvm = tuple(draw(st.lists(st.sampled_from(["resize_rootfs=on", "cvmfs_branch=x"]))))
    return Context(script, tuple(sections), ucernvm)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contexts())
def test_read_of_render_is_the_model(context: Context) -> None:
    back, _ = read_context(render(context))
    assert back == context


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contexts())
def test_render_is_a_fixed_point(context: Context) -> None:
    text = render_checked(context)
    back, _ = read_context(text)
    assert render(back) == text


@given(st.sampled_from(WRITTEN))
def test_every_section_round_trips_its_examples(cls: type[Section]) -> None:
    values = {}
    for spec in cls.key_specs():
        value = _typed(spec.codec, spec.codec.example())
        if value is not None:
            values[spec.attr] = value
    context = Context(sections=(cls.model_validate(values),))
    back, _ = read_context(render(context))
    assert back == context
