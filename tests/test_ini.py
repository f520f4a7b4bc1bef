"""The guest's INI reader (guest-format.md §2), replayed: each rule and its diagnostic."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cvmctx.diagnostics import Severity
from cvmctx.guest import ini

KNOWN = frozenset({"amiconfig", "cernvm", "condor", "squid"})


def values(text: str) -> dict[str, dict[str, str]]:
    doc = ini.read(text, KNOWN)
    return {name: block.values() for name, block in doc.blocks.items()}


def found(text: str) -> list[tuple[str, Severity, int | None, int | None]]:
    return [(d.code, d.severity, d.line, d.column) for d in ini.read(text, KNOWN).diagnostics]


def test_lines_before_first_section_are_dropped() -> None:
    assert values("a = 1\nb: 2\n[cernvm]\nshell = /bin/bash\n") == {
        "cernvm": {"shell": "/bin/bash"}
    }


def test_both_separators_and_first_separator_ends_key() -> None:
    assert values("[cernvm]\nusers: a:b:c\nenvironment = A=B\n") == {
        "cernvm": {"users": "a:b:c", "environment": "A=B"}
    }


def test_continuation_line_is_dropped_and_reported() -> None:
    text = "[cernvm]\nrepositories = cms,\n  atlas\nshell = /bin/bash\n"
    assert values(text) == {"cernvm": {"repositories": "cms,", "shell": "/bin/bash"}}
    assert found(text) == [("ini.continuation-dropped", Severity.ERROR, 3, 1)]


def test_indented_header_is_not_a_header() -> None:
    text = "[cernvm]\nshell = /bin/bash\n  [condor]\ncondor_master = m\n"
    assert values(text) == {"cernvm": {"shell": "/bin/bash", "condor_master": "m"}}
    assert found(text) == [("ini.indented-header", Severity.ERROR, 3, 1)]


def test_inline_comment_cuts_at_first_semicolon_after_space() -> None:
    text = "[cernvm]\nproxy = http://p:3128 ;DIRECT\n"
    assert values(text) == {"cernvm": {"proxy": "http://p:3128"}}
    assert found(text) == [("ini.inline-comment", Severity.ERROR, 2, 23)]


def test_semicolon_without_space_stays() -> None:
    assert values("[cernvm]\nproxy = http://p:3128;DIRECT\n") == {
        "cernvm": {"proxy": "http://p:3128;DIRECT"}
    }


def test_only_the_first_semicolon_is_examined() -> None:
    # ConfigParser looks at optval.find(';') only: a later ' ;' does not cut.
    assert values("[cernvm]\nproxy = a;b ;c\n") == {"cernvm": {"proxy": "a;b ;c"}}
    assert found("[cernvm]\nproxy = a;b ;c\n") == []


def test_value_starting_with_semicolon_and_crlf_is_emptied() -> None:
    # optval[pos-1] with pos 0 is the last character: '\r' is whitespace, so the cut happens.
    assert values("[cernvm]\nshell = ;x\r\n")["cernvm"]["shell"] == ""


def test_keys_lower_cased_values_keep_case() -> None:
    assert values("[cernvm]\nscreenRes = 1280X800\n") == {"cernvm": {"screenres": "1280X800"}}


def test_repeated_sections_merge_and_last_key_wins() -> None:
    text = "[cernvm]\nshell = /bin/sh\n[condor]\nuse_ips = true\n[cernvm]\nshell = /bin/bash\n"
    assert values(text) == {"cernvm": {"shell": "/bin/bash"}, "condor": {"use_ips": "true"}}
    assert found(text) == [
        ("ini.duplicate-section", Severity.WARNING, 5, 1),
        ("ini.duplicate-key", Severity.WARNING, 6, 1),
    ]


def test_bom_loses_first_section() -> None:
    text = "\ufeff[cernvm]\nshell = /bin/bash\n[condor]\nuse_ips = true\n"
    assert values(text) == {"condor": {"use_ips": "true"}}
    assert ("ini.bom", Severity.ERROR, 1, 1) in found(text)


def test_crlf_values_are_stripped() -> None:
    assert values("[cernvm]\r\nshell = /bin/bash\r\n") == {"cernvm": {"shell": "/bin/bash"}}


def test_comments_and_rem_lines() -> None:
    text = "[cernvm]\n# shell = x\n; shell = y\nREM shell = z\nrem = 1\nshell = /bin/bash\n"
    assert values(text) == {"cernvm": {"shell": "/bin/bash"}}
    assert [c for c, *_ in found(text)] == ["ini.rem-line", "ini.rem-line"]


def test_inline_hash_is_not_a_comment() -> None:
    assert values("[cernvm]\nshell = /bin/bash # x\n") == {"cernvm": {"shell": "/bin/bash # x"}}


def test_empty_quotes_become_empty() -> None:
    assert values('[cernvm]\nshell = ""\n') == {"cernvm": {"shell": ""}}


def test_section_case_is_an_error() -> None:
    assert found("[CernVM]\nshell = /bin/bash\n") == [("ini.section-case", Severity.ERROR, 1, 2)]


def test_unknown_section_suggests_near_miss() -> None:
    doc = ini.read("[cernmv]\nshell = /bin/bash\n", KNOWN)
    (d,) = doc.diagnostics
    assert (d.code, d.severity, d.line) == ("ini.unknown-section", Severity.WARNING, 1)
    assert d.hint == "did you mean [cernvm]?"


def test_line_without_separator_is_dropped() -> None:
    assert found("[cernvm]\njust words\n") == [("ini.line-dropped", Severity.WARNING, 2, 1)]


def test_default_section_is_invisible() -> None:
    assert [c for c, *_ in found("[DEFAULT]\nshell = x\n")] == ["ini.default-section"]


def test_header_trailing_text() -> None:
    assert found("[cernvm] # fine\nshell = a\n") == []
    assert found("[cernvm] extra\nshell = a\n") == [
        ("ini.header-trailing-text", Severity.WARNING, 1, 9)
    ]


def test_ucernvm_block_is_kept_verbatim() -> None:
    text = (
        "[cernvm]\nshell = a\n[ucernvm-begin]\nresize_rootfs=off\ncvmfs_branch = x\n[ucernvm-end]\n"
    )
    doc = ini.read(text, KNOWN)
    assert doc.ucernvm == ["resize_rootfs=off", "cvmfs_branch = x"]
    # kept verbatim, and the spaced line is no assignment for the bootloader's busybox sh
    assert [(d.code, d.line, d.column) for d in doc.diagnostics] == [("ucernvm.shell", 5, 13)]


def test_ucernvm_marker_must_be_exact() -> None:
    text = "[cernvm]\nshell = a\n[ucernvm-begin] \nresize_rootfs=off\n[ucernvm-end]\n"
    assert ("ucernvm.marker-not-exact", Severity.ERROR, 3, 1) in found(text)


def test_option_after_ucernvm_end_is_lost() -> None:
    text = "[ucernvm-begin]\nresize_rootfs=off\n[ucernvm-end]\nshell = a\n"
    assert found(text) == [("ini.option-after-ucernvm-end", Severity.ERROR, 4, 1)]


def test_non_ascii_whitespace_is_not_stripped() -> None:
    # Python 2 strips ASCII whitespace only: a no-break space stays in the value.
    assert values("[cernvm]\nshell = /bin/bash\u00a0\n") == {"cernvm": {"shell": "/bin/bash\u00a0"}}


@given(st.text())
def test_reader_never_raises(text: str) -> None:
    ini.read(text, KNOWN)


def test_rem_word_ends_at_ascii_whitespace_only() -> None:
    # Found by scripts/py2_differential.py: Python 2 splits the byte string on ASCII whitespace,
    # so 'rem' followed by a no-break space or U+2028 is not a comment there: it is a key.
    doc = ini.read("[cernvm]\nrem\u00a0x: 1\nrem\u2028y = 2\nREM z = 3\nrem\tw = 4\n", KNOWN)
    assert {k: o.value for k, o in doc.blocks["cernvm"].options.items()} == {
        "rem\u00a0x": "1",
        "rem\u2028y": "2",
    }


def test_ucernvm_line_without_key_is_one_assignment() -> None:
    # '=x' becomes '_UCONTEXT_=x' (found by the fuzzer: it crashed the key check)
    text = "[ucernvm-begin]\n=\n==\n=a b\n[ucernvm-end]\n"
    shell = [(d.line, d.column) for d in ini.read(text).diagnostics if d.code == "ucernvm.shell"]
    assert shell == [(4, 3)]
