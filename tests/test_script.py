"""The `#!` script part (guest-format.md §1.6): the guest's pipeline replayed, build and read mode,
one test per diagnostic code with the exact line it points at."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvmctx.diagnostics import Diagnostic, Severity
from cvmctx.guest.script import exits as shell_exits
from cvmctx.guest.script.part import SHEBANG, Phase, Script, executed_text, make_script, read_script

KNOWN = frozenset({"amiconfig", "cernvm", "condor", "hostname"})
AMI = "[amiconfig]\nplugins = cernvm\n"
SEED = (
    "#!/bin/sh\necho Done > /tmp/done\nexit\n[cernvm]\norganisations = cms\n"
    "repositories = cms\nusers = testcms:cms:12345678\nshell = /bin/bash\nservices = ntpd\n"
    "environment = CMS_SITECONFIG=EC2,CMS_ROOT=/opt/cms\n"
)

Found = list[tuple[str, Severity, int | None]]


def found(diags: list[Diagnostic]) -> Found:
    return [(d.code, d.severity, d.line) for d in diags]


def read(text: str) -> tuple[Script | None, Found]:
    got, diags = read_script(text, known_sections=KNOWN)
    return got, found(diags)


def build(source: str, phase: Phase = Phase.AFTER) -> tuple[str, Found]:
    got, diags = make_script(source, phase, known_sections=KNOWN)
    assert all(d.path == "script" for d in diags)
    return got.text, found(diags)


# --------------------------------------------------------------------------------------------
# The guest's pipeline


def test_seed_example_runs_after_with_no_findings() -> None:
    got, diags = read(SEED)
    assert got == Script("#!/bin/sh\necho Done > /tmp/done\nexit\n")
    assert got.phases == {Phase.AFTER}
    assert diags == []


def test_before_shebang_runs_before() -> None:
    got, diags = read("#!/bin/sh.before\necho hi\nexit\n" + AMI)
    assert got is not None and got.phases == {Phase.BEFORE}
    assert diags == []


def test_executed_text_of_seed_is_everything_from_the_shebang_minus_blank_lines() -> None:
    text = "\n  \n" + SEED.replace("exit\n", "exit\n\n   \n")
    assert executed_text(text) == SEED


def test_executed_text_starts_at_first_sh_line_and_keeps_tab_lines() -> None:
    text = "#!/usr/bin/python\nprint(1)\n\t\n#!/bin/sh\nexit\n" + AMI
    assert executed_text(text) == "#!/bin/sh\nexit\n" + AMI
    assert executed_text(AMI) is None
    assert executed_text("#!/usr/bin/env python\nprint(1)\n") is None
    assert executed_text("") is None


@pytest.mark.parametrize(
    ("first_line", "phases"),
    [
        ("#!/bin/sh", {Phase.AFTER}),
        ("#!/bin/bash", {Phase.AFTER}),
        ("#!/usr/bin/env bash", {Phase.AFTER}),
        ("#!/bin/sh.after", {Phase.AFTER}),
        ("#!/bin/sh.before", {Phase.BEFORE}),
        ("#!/bin/sh before", {Phase.BEFORE}),
        ("#!/bin/bash -e", set()),
        ("#!/bin/sh ", set()),
        ("#!/bin/sh\r", set()),
        ("#!/usr/bin/env python", set()),
    ],
)
def test_phase_replay(first_line: str, phases: set[Phase]) -> None:
    assert Script(first_line + "\nexit\n").phases == phases


def test_phases_need_shebang_on_first_kept_line() -> None:
    assert Script("  \n#!/bin/sh\nexit\n").phases == {Phase.AFTER}
    assert Script("\t\n#!/bin/sh\nexit\n").phases == frozenset()


# --------------------------------------------------------------------------------------------
# Build mode


def test_make_script_exact_bytes_per_phase() -> None:
    before, _ = make_script("echo hi", Phase.BEFORE)
    after, _ = make_script("echo hi", Phase.AFTER)
    assert before.text == "#!/bin/sh.before\necho hi\nexit\n"
    assert after.text == "#!/bin/sh\necho hi\nexit\n"
    assert before.phases == {Phase.BEFORE}
    assert after.phases == {Phase.AFTER}


def test_make_script_seed_script_file() -> None:
    text, diags = build("echo Done > /tmp/done\n")
    assert text + SEED[len(text) :] == SEED
    assert diags == [("script.exit-added", Severity.INFO, None)]


def test_make_script_keeps_shell_shebang_of_requested_phase_and_existing_exit() -> None:
    for source, phase in [
        ("#!/bin/bash\necho\nexit 0\n", Phase.AFTER),
        ("#!/usr/bin/env sh\necho\nexit\n", Phase.AFTER),
        ("#!/bin/sh.after\necho\nexit\n", Phase.AFTER),
        ("#!/bin/sh.before\necho\nexit\n", Phase.BEFORE),
        ("#!/bin/sh.before -e\necho\nexit\n", Phase.BEFORE),  # the kernel runs it as written
    ]:
        assert build(source, phase) == (source, [])


def test_make_script_removes_blank_lines_like_the_guest() -> None:
    assert build("\n#!/bin/sh\n\necho a\n   \n\techo b\nexit\n\n") == (
        "#!/bin/sh\necho a\n\techo b\nexit\n",
        [],
    )


def test_make_script_exit_added() -> None:
    assert build("#!/bin/sh\necho\nexitcode=1\n") == (
        "#!/bin/sh\necho\nexitcode=1\nexit\n",
        [("script.exit-added", Severity.INFO, None)],
    )


def test_make_script_shebang_with_options_is_refused_not_dropped() -> None:
    # The guest never runs '#!/bin/bash -e' (§1.6); replacing it would silently drop '-e'.
    for line, phase in [
        ("#!/bin/bash -e", Phase.AFTER),
        ("#!/bin/bash -e after", Phase.AFTER),
        ("#!/bin/sh -ex before", Phase.BEFORE),
        ("#!/usr/bin/env bash -e", Phase.AFTER),
    ]:
        _, diags = make_script(f"{line}\necho\nexit\n", phase)
        assert found(diags) == [("script.shebang-unrunnable", Severity.ERROR, 1)], line
        assert diags[0].hint is not None and "'set -e" in diags[0].hint


def test_make_script_phase_words_after_a_space_are_replaced() -> None:
    # '#!/bin/sh before' passes the before test, then the kernel runs '/bin/sh before FILE'.
    for line, phase, new in [
        ("#!/bin/sh before", Phase.BEFORE, "#!/bin/sh.before"),
        ("#!/bin/sh after", Phase.AFTER, "#!/bin/sh"),
        ("#!/bin/bash after", Phase.AFTER, "#!/bin/bash"),
        ("#!/usr/bin/env sh after", Phase.AFTER, "#!/usr/bin/env sh"),
    ]:
        got, diags = make_script(f"{line}\necho\nexit\n", phase)
        assert got.text == f"{new}\necho\nexit\n"
        assert found(diags) == [("script.shebang-replaced", Severity.WARNING, 1)]
        assert "single argument" in diags[0].message


def test_make_script_shebang_of_other_phase_is_replaced() -> None:
    got, diags = make_script("\n#!/bin/sh\necho\nexit\n", Phase.BEFORE)
    assert got.text == "#!/bin/sh.before\necho\nexit\n"
    assert found(diags) == [("script.shebang-replaced", Severity.WARNING, 2)]
    assert "after the plugins" in diags[0].message


def test_make_script_non_shell_interpreter_is_refused() -> None:
    _, diags = build("#!/usr/bin/env python\nprint(1)\nexit\n")
    assert diags == [("script.shebang-not-run", Severity.ERROR, 1)]
    _, full = make_script("#!/usr/bin/perl\nprint 1;\nexit\n", Phase.AFTER)
    assert found(full) == [("script.shebang-not-run", Severity.ERROR, 1)]
    assert full[0].hint is not None and "wrap" in full[0].hint


def test_make_script_crlf_stops() -> None:
    text, diags = build("#!/bin/sh\necho a\r\n\nfi\r\n")
    assert diags == [("script.crlf", Severity.ERROR, 2)]
    assert text.startswith("#!/bin/sh\n") and text.endswith("\nexit\n")


def test_make_script_blank_line_in_heredoc() -> None:
    text, diags = build("cat > /x <<'EOF'\na\n\nb\nEOF\n\necho done\nexit\n")
    assert text == "#!/bin/sh\ncat > /x <<'EOF'\na\nb\nEOF\necho done\nexit\n"
    assert diags == [("script.blank-line-in-heredoc", Severity.WARNING, 3)]


def test_make_script_syntax_error_reports_source_line() -> None:
    # bash sees `fi` on its line 3; it is line 5 of the source, after two blank lines.
    _, diags = build("#!/bin/sh\n\necho a\n\nfi\nexit\n")
    assert diags == [("script.syntax", Severity.ERROR, 5)]


def test_make_script_unclosed_block_is_refused_at_its_first_line() -> None:
    _, diags = build("if true; then\necho a\n")
    assert diags == [("script.open-at-end", Severity.ERROR, 1)]


def test_make_script_bracket_lines_and_runs_twice() -> None:
    _, diags = build(
        "[ -f /x ] && echo y\ncat <<EOF >/etc/x\n[cernvm]\n#!/bin/sh\nEOF\n", Phase.BEFORE
    )
    assert diags == [
        ("script.exit-added", Severity.INFO, None),
        ("script.runs-twice", Severity.ERROR, 4),
        ("script.bracket-line", Severity.WARNING, 1),
        ("script.bracket-line", Severity.ERROR, 3),
    ]


def test_make_script_unclosed_heredoc_is_refused() -> None:
    _, diags = build("cat > /x <<EOF\na\n")
    assert diags == [("script.open-at-end", Severity.ERROR, 1)]


# --------------------------------------------------------------------------------------------
# Read mode: one case per hazard


@pytest.mark.parametrize(
    ("text", "code", "severity", "line"),
    [
        ("#!/bin/bash -e\necho hi\nexit\n" + AMI, "script.shebang-not-run", Severity.ERROR, 1),
        ("#!/usr/bin/env python\nprint(1)\n" + AMI, "script.shebang-not-run", Severity.ERROR, 1),
        (
            "\n#!/usr/bin/python\ncat <<E\n#!/bin/sh\nE\nexit\n",
            "script.shebang-not-run",
            Severity.ERROR,
            2,
        ),
        ("# context\n\n#!/bin/sh\necho\nexit\n" + AMI, "script.not-first", Severity.ERROR, 3),
        (AMI + "#!/bin/sh\necho\nexit\n", "script.not-first", Severity.ERROR, 3),
        ("\n #!/bin/sh\necho\nexit\n" + AMI, "script.not-first", Severity.ERROR, 2),
        (
            "#!/bin/sh.before\ncat > /x <<EOF\n#!/bin/sh\nEOF\nexit\n" + AMI,
            "script.runs-twice",
            Severity.ERROR,
            3,
        ),
        (
            "#!/bin/sh\n[ -f /x ] && echo y\nexit\n" + AMI,
            "script.bracket-line",
            Severity.WARNING,
            2,
        ),
        (
            "#!/bin/sh\ncat >/x <<EOF\n[cernvm]\nusers=a:b:c\nEOF\nexit\n" + AMI,
            "script.bracket-line",
            Severity.ERROR,
            3,
        ),
        ("#!/bin/sh\r\necho hi\r\nexit\r\n" + AMI, "script.crlf", Severity.ERROR, 1),
        ("#!/bin/sh\necho hi\n" + AMI, "script.no-exit", Severity.ERROR, 1),
        ("#!/bin/sh\nif foo; then\nexit\nfi\n" + AMI, "script.exit-unproven", Severity.WARNING, 3),
        ("#!/bin/sh\necho a\n\nfi\nexit\n" + AMI, "script.syntax", Severity.ERROR, 4),
        (
            "#!/bin/sh\ncat > /x <<EOF\na\n\nb\nEOF\nexit\n" + AMI,
            "script.blank-line-in-heredoc",
            Severity.WARNING,
            4,
        ),
    ],
)
def test_read_hazard(text: str, code: str, severity: Severity, line: int) -> None:
    _, diags = read(text)
    assert (code, severity, line) in diags, diags


def test_read_syntax_line_maps_back_over_blank_lines() -> None:
    _, diags = read("\n#!/bin/sh\n\n\necho a\n\nfi\nexit\n" + AMI)
    assert diags == [("script.syntax", Severity.ERROR, 7)]


def test_read_syntax_message_is_bash_without_prefix() -> None:
    _, diags = read_script("#!/bin/sh\necho a\nfi\nexit\n" + AMI)
    assert diags[0].message == (
        "bash cannot parse the script the guest runs: syntax error near unexpected token `fi'"
    )


def test_read_syntax_ignores_ini_after_exit() -> None:
    assert read("#!/bin/sh\necho a\nexit\n[cernvm]\nusers = a:b:(c\n") == (
        Script("#!/bin/sh\necho a\nexit\n"),
        [],
    )


def test_syntax_unchecked_without_bash(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(*args: Any, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        raise FileNotFoundError("bash")

    from cvmctx.guest.script import bashcheck

    monkeypatch.setattr(subprocess, "run", missing)
    monkeypatch.setattr(bashcheck, "_VERDICTS", type(bashcheck._VERDICTS)())  # none known yet
    _, diags = read("#!/bin/sh\necho\nexit\n")
    assert diags == [("script.syntax-unchecked", Severity.INFO, None)]


def test_crlf_read_reports_the_dead_shebang_too() -> None:
    _, diags = read("#!/bin/sh\r\necho hi\r\nexit\r\n" + AMI)
    assert diags == [
        ("script.crlf", Severity.ERROR, 1),
        ("script.shebang-not-run", Severity.ERROR, 1),
    ]


def test_read_no_script() -> None:
    assert read(AMI) == (None, [])
    assert read("") == (None, [])
    assert read("# #!!! comment\n" + AMI) == (None, [])


def test_read_script_part_boundaries() -> None:
    # an `exit` inside a heredoc or followed by more script does not end the script part
    text = "#!/bin/sh\ncat <<EOF\nexit\n[cernvm]\nEOF\nusage() {\nexit 1\n}\nexit\n\n\t\n" + AMI
    got, diags = read(text)
    assert got == Script("#!/bin/sh\ncat <<EOF\nexit\n[cernvm]\nEOF\nusage() {\nexit 1\n}\nexit\n")
    assert diags == [("script.bracket-line", Severity.ERROR, 4)]
    # `[ -f x ] && ...` after an exit is script, not a header
    got, _ = read("#!/bin/sh\nexit\n[ -f /x ] && echo\nexit\n" + AMI)
    assert got == Script("#!/bin/sh\nexit\n[ -f /x ] && echo\nexit\n")
    # without an exit the script part ends before the first known section outside a heredoc
    got, _ = read("#!/bin/sh\necho\n[site]\na=1\n[cernvm]\nshell = /bin/sh\n")
    assert got == Script("#!/bin/sh\necho\n[site]\na=1\n")
    got, diags = read("#!/bin/sh\ncat <<E\n[cernvm]\nE\n" + AMI)
    assert got == Script("#!/bin/sh\ncat <<E\n[cernvm]\nE\n")
    assert diags == [
        ("script.bracket-line", Severity.ERROR, 3),
        ("script.no-exit", Severity.ERROR, 1),
    ]


def test_tab_stripped_heredoc_terminator() -> None:
    _, diags = read("#!/bin/sh\ncat <<-EOF\n\ta\n\tEOF\nexit\n" + AMI)
    assert diags == []


# --------------------------------------------------------------------------------------------
# Properties

TOP = [
    "echo hi",
    "x=1",
    "FOO=bar",
    "[ -f /x ] && echo y",
    "  [cernvm]",
    "  indented",
    "\t",
    "",
    "   ",
    "exit 1",
    "if true; then",
    "fi",
    "# comment",
    "#!/bin/sh",
    "echo $((1 << 2))",
    "cat <<< word",
]
BODY = ["a", "", "  ", "exit", "[cernvm]", "users=a:b:c", "#!/bin/sh", "\t", "key = value"]
FIRST = ["", "#!/bin/sh", "#!/bin/bash -e", "#!/bin/sh.before", "#!/usr/bin/env python", "\n"]
INI = [
    "",
    AMI,
    "[cernvm]\nshell = /bin/bash\n[hostname]\nhostname = x\n",
    "[site]\nexit = 1\n[amiconfig]\n",
]


@st.composite
def heredoc(draw: st.DrawFn, closed: bool = True) -> list[str]:
    opener = draw(st.sampled_from(["cat > /f <<EOF", "cat <<'EOF' >/g", "cat <<-EOF"]))
    pool = BODY if closed else [b for b in BODY if not b.startswith("[")]
    body = draw(st.lists(st.sampled_from(pool), max_size=4))
    return [opener, *body, *(["EOF"] if closed else [])]


@st.composite
def sources(draw: st.DrawFn) -> str:
    lines = [draw(st.sampled_from(FIRST))]
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.booleans()):
            lines.extend(draw(heredoc()))
        else:
            lines.append(draw(st.sampled_from(TOP)))
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["exit", "exit 0", "", "  "])))
    if draw(st.integers(0, 9)) == 0:
        lines.extend(draw(heredoc(closed=False)))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))


@settings(max_examples=200, deadline=None)
@given(sources(), st.sampled_from(list(Phase)), st.sampled_from(INI))
def test_round_trip(source: str, phase: Phase, ini_text: str) -> None:
    built, diags = make_script(source, phase, known_sections=KNOWN)
    if any(d.severity is Severity.ERROR for d in diags):
        return  # refused: never emitted
    text = built.text
    assert text.endswith("\n") and text.startswith("#!")
    lines = text[:-1].split("\n")
    assert all(line.strip(" ") for line in lines)
    assert shell_exits.find_exit(text).row is not None  # the shell stops before the INI part
    got, _ = read_script(text + ini_text, known_sections=KNOWN)
    assert got == built


@settings(max_examples=100, deadline=None)
@given(st.text(), st.sampled_from(list(Phase)))
def test_clean_sources_run_in_their_phase_only(body: str, phase: Phase) -> None:
    built, diags = make_script(body, phase)
    if not any(d.severity is Severity.ERROR for d in diags):
        assert built.phases == {phase}


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.lists(st.one_of(st.sampled_from(TOP + BODY + FIRST + INI), st.text())).map("\n".join),
    )
)
def test_read_never_raises(text: str) -> None:
    got, diags = read_script(text, known_sections=KNOWN)
    assert got is None or got.text.endswith("\n")
    assert all(isinstance(d, Diagnostic) for d in diags)
    executed_text(text)


def test_shebang_constants() -> None:
    assert SHEBANG == {Phase.BEFORE: "#!/bin/sh.before", Phase.AFTER: "#!/bin/sh"}
    assert Phase("before") is Phase.BEFORE and str(Phase.AFTER) == "after"


# --------------------------------------------------------------------------------------------
# The guest's own pipeline, run offline: RunUserDataScript from amiconfig.sh (guest-format.md
# §1.6), with GNU grep/sed and awk, must agree with the replay.

GUEST_PIPELINE = r"""
t=$(mktemp)
grep -v -e "^ *\$" "$1" > "$t" 2>&1
[ -s "$t" ] || exit 0
[ $(head -1 "$t" | grep -c -e '^#!') == 0 ] && exit 0
case $2 in
  before) sed -n '/#!.*sh.*before/,/^exit/p' "$t" | sed -e 's/\(#!.*\) \(.*\)/\1/' > "$t".sh ;;
  after) sed -n '/#!.*sh\(.*after\|$\)/,/^exit/p' "$t" | sed -e 's/\(#!.*\) \(.*\)/\1/' > "$t".sh ;;
esac
if [ -s "$t".sh ]; then
  awk '/#!.*sh/,/^$/ {print}' "$t" > "$t".sh
  cat "$t".sh
  rm -f "$t" "$t".sh
  exit 3
fi
rm -f "$t" "$t".sh
"""


def guest_runs(text: str, phase: Phase, tmp: Path) -> str | None:
    data = tmp / "user-data"
    data.write_bytes(text.encode("utf-8"))
    proc = subprocess.run(
        ["bash", "-c", GUEST_PIPELINE, "guest", str(data), phase.value],
        capture_output=True,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
        check=False,
        timeout=30,
    )
    assert proc.returncode in (0, 3), proc.stderr
    return proc.stdout.decode("utf-8") if proc.returncode == 3 else None


def assert_replay_matches_guest(text: str, tmp: Path) -> None:
    phases = Script(text).phases
    for phase in Phase:
        ran = guest_runs(text, phase, tmp)
        assert (ran is not None) == (phase in phases), (phase, text)
        if ran is not None:
            assert ran == executed_text(text)


@pytest.mark.parametrize(
    "text",
    [
        SEED,
        "\n  \n" + SEED,
        "\t\n" + SEED,
        "#!/bin/sh.before\necho\nexit\n" + AMI,
        "#!/bin/sh.before\ncat <<EOF\n#!/bin/sh\nEOF\nexit\n" + AMI,
        "#!/bin/bash -e\necho\nexit\n" + AMI,
        "#!/bin/sh before\necho\nexit\n",
        "#!/usr/bin/python\nprint(1)\n#!/bin/sh\nexit\n",
        "#!/usr/bin/env python\nprint(1)\n",
        "#!/bin/sh\r\necho\r\nexit\r\n" + AMI,
        "#!/bin/sh\necho hi\n" + AMI,
        "# note\n#!/bin/sh\nexit\n",
        AMI,
        "",
        "#!/bin/sh",
    ],
)
def test_replay_matches_guest_pipeline(text: str, tmp_path: Path) -> None:
    assert_replay_matches_guest(text, tmp_path)


GUEST_CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from([*TOP, *BODY, *FIRST, "#!/bin/sh.after", "#!x sh after", " #!/bin/sh"]),
            st.text(GUEST_CHARS, max_size=12),
        ),
        max_size=8,
    ).map("\n".join)
)
def test_replay_matches_guest_pipeline_property(text: str) -> None:
    with tempfile_dir() as tmp:
        assert_replay_matches_guest(text, tmp)


@contextmanager
def tempfile_dir() -> Iterator[Path]:
    # hypothesis runs many examples in one test call, so no function-scoped tmp_path here
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def test_bash_judges_each_distinct_script_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fleet's CDs share one epilog and a corpus repeats its scripts: bash -n runs once per
    distinct text (and bash), and the verdict is the same as the first one."""
    from cvmctx.guest.script import bashcheck

    runs: list[bytes] = []
    real = subprocess.run

    def counted(*args: Any, **kwargs: Any) -> Any:
        assert kwargs["stdin"].seekable()  # a pipe, bash reads byte by byte
        runs.append(kwargs["stdin"].read())
        kwargs["stdin"].seek(0)
        return real(*args, **kwargs)

    monkeypatch.setattr(bashcheck, "_VERDICTS", type(bashcheck._VERDICTS)())
    monkeypatch.setattr(bashcheck.subprocess, "run", counted)
    good, bad = "echo ok\nexit\n", "if true; then\necho\n"
    first = [bashcheck.bash_check(t) for t in (good, bad)]
    again = [bashcheck.bash_check(t) for t in (good, bad, good, bad)]
    assert len(runs) == 2
    assert again == first * 2
    assert first[1].error is not None and first[1].open is not None
    assert first[0].error is None


def test_bash_verdicts_are_bounded_and_never_keep_an_unchecked_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cvmctx.guest.script import bashcheck

    monkeypatch.setattr(bashcheck, "_VERDICTS", type(bashcheck._VERDICTS)())
    monkeypatch.setattr(bashcheck, "_VERDICTS_KEPT", 3)
    for i in range(5):
        bashcheck.bash_check(f"echo {i}\n")
    assert len(bashcheck._VERDICTS) == 3
    monkeypatch.setenv("PATH", "/nonexistent")  # no bash: said, not remembered
    assert bashcheck.bash_check("echo 9\n").unchecked == "bash is not installed"
    assert len(bashcheck._VERDICTS) == 3
