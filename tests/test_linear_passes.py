"""The shortcuts that keep validate linear on hostile input read exactly what the plain passes
read (issue 9 item 4, issue 15 item 4): the reader's memory of repeated lines, and the
redaction passes that look only at the lines a search finds."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvmctx.guest import ini
from cvmctx.validation import redact

# Lines of the shapes that matter, repeated often: plain options, duplicates, comments after
# ';' and '#', headers (ordinary, µCernVM markers, script tests), secrets, base64 runs.
_PIECES = [
    "x = y", "x = y", "X = y", "k=v", "k: v", "x = a ;cut", "x = a#b", "[cernvm]",
    "[cernvm]", "[ucernvm-begin]", "[ucernvm-end]", "[ -f /x ] && y", "users = a:b:S3cret",
    "password = S3cret", "  indented = S3cret", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY", "",
    "rem x = y", "#x = y", "Password: hunter2", "\r", "token=abc", "key = [x]",
    "x = QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9w",
]  # fmt: skip
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=40).map("\n".join)


def _summary(doc: ini.Document) -> object:
    blocks = {
        name: (block.line, [(o.key, o.written_key, o.value, o.line, o.value_column)
                            for o in block.options.values()])
        for name, block in doc.blocks.items()
    }  # fmt: skip
    return blocks, [(d.code, d.line, d.column, d.message) for d in doc.diagnostics]


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_the_reader_remembering_lines_reads_as_without(text: str) -> None:
    remembered = _summary(ini.read(text, frozenset({"cernvm"})))
    old = ini._MEMO_LINES
    ini._MEMO_LINES = 0
    try:
        plain = _summary(ini.read(text, frozenset({"cernvm"})))
    finally:
        ini._MEMO_LINES = old
    assert remembered == plain


def test_a_remembered_line_keeps_its_own_line_number() -> None:
    doc = ini.read("[cernvm]\nx = 1\nx = 1\ny = 2\nx = 1\n", frozenset({"cernvm"}))
    assert doc.blocks["cernvm"].options["x"].line == 5
    assert [(d.code, d.line) for d in doc.diagnostics] == [
        ("ini.duplicate-key", 3),
        ("ini.duplicate-key", 5),
    ]


@given(st.text(alphabet="ab[\n\r ", max_size=60))
def test_header_lines_are_the_lines_starting_with_a_bracket(text: str) -> None:
    expected = [i for i, line in enumerate(text.split("\n")) if line.startswith("[")]
    assert redact._header_lines(text) == expected


@given(st.text(alphabet="ap\nsAB+/=x", max_size=80))
def test_secret_looking_lines_are_found_by_one_search(text: str) -> None:
    folded = redact.fold_case(text)
    wanted = re.compile(r"users|pass|secret|key|cert|token|cred|[a-z0-9+/]{16,}")
    expected = [i for i, line in enumerate(folded.split("\n")) if wanted.search(line)]
    assert redact._maybe_secret_lines(folded) == expected


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # a secret after 10,000 plain lines, and the continuation that goes on below it
        ("[cernvm]\n" + "x = y\n" * 10_000 + "password = S3cret\n  more\norganisations = cms\n",
         {10_001: "password = ********", 10_002: "********", 10_003: "organisations = cms"}),
        # a header far down changes the section the secret is judged in
        ("[cernvm]\n" + "x = y\n" * 5_000 + "[condor]\ncondor_secret = S3cret\n",
         {5_002: "condor_secret = ********"}),
    ],
)  # fmt: skip
def test_redaction_finds_secrets_far_down(text: str, shown: dict[int, str]) -> None:
    lines = redact.redacted_lines(text)
    for index, line in shown.items():
        assert lines[index] == line
    assert "S3cret" not in "\n".join(lines)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ABC_", min_size=1, max_size=4), max_size=30))
def test_environment_prefix_index_finds_what_pairs_find(names: list[str]) -> None:
    """The sorted index of environment names (no pairwise loop) answers "which earlier name
    starts with this one" exactly as comparing every pair does (docs/guest.md §3.9)."""
    from cvmctx.model.codecs.core import Notes
    from cvmctx.model.sections.cernvm_values import _NameIndex

    index = _NameIndex()
    for i, name in enumerate(names):
        earlier = set(names[:i])
        longer = sorted(n for n in earlier if n.startswith(name) and n != name)
        assert index.longer(name) == (longer[0] if longer else None)
        index.note(name, 0, Notes())
