"""The script part as the guest's shell runs it (guest-format.md §1.6), one class per test, each
with several members, through ``build`` and ``validate`` both (library and CLI).

The guest deletes blank lines, then runs everything from the first ``#!…sh`` line to the end of
the user data, INI lines included, with the shebang as written: only a command that ends the
shell stops it before ``[amiconfig]``. What ends the shell is decided from the script's
structure (top-level commands), not from line patterns.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Run

from cvmctx.api import BuildRequest, build, validate_bytes
from cvmctx.diagnostics import FindingsError
from cvmctx.guest.script.part import Phase

INI = "[amiconfig]\nplugins = cernvm\n[cernvm]\norganisations = cms\n"
KNOWN_FLAGS = ("--section", "cernvm", "--set", "cernvm.organisations=cms")


def findings(text: str) -> list[tuple[str, int | None]]:
    """What validate reports about the script part of ``text``."""
    result = validate_bytes(text.encode(), "user-data")
    return [(d.code, d.line) for d in result.report if d.code.startswith("script.")]


def built(
    tmp_path: Path, script: str, phase: Phase = Phase.AFTER
) -> tuple[str | None, list[tuple[str, int | None]]]:
    """``build --script`` with ``script``: the text (None when refused) and the script findings."""
    source = tmp_path / "setup.sh"
    source.write_text(script)
    request = BuildRequest(
        script=source, phase=phase, sections=["cernvm"], sets=["cernvm.organisations=cms"],
        use_env_proxy=False,
    )  # fmt: skip
    try:
        result = build(request)
    except FindingsError as exc:
        return None, [(d.code, d.line) for d in exc.report if d.code.startswith("script.")]
    return result.text, [(d.code, d.line) for d in result.report if d.code.startswith("script.")]


# --------------------------------------------------------------------------------------------
# 1. The exit that build adds must end the shell: a script left open swallows it.

OPEN_AT_END = [
    ("echo configuring \\\n", 1),  # a '\' continuation
    ("echo 'configuring\n", 1),  # an open single quote
    ('echo "configuring\n', 1),  # an open double quote
    ("cat > /etc/motd <<EOF\nhello\n", 1),  # a here-document never closed
    ("if [ -d /opt ]; then\n  echo yes\n", 1),  # an open if
    ("case $1 in\n  a) echo a;;\n", 1),  # an open case
    ("for i in 1 2; do\n  echo $i\n", 1),  # an open loop
    ("{\n  echo grouped\n", 1),  # an open brace group
    ("echo one &&\n", 1),  # a trailing &&
    ("echo one |\n", 1),  # a trailing pipe
]


@pytest.mark.parametrize(("body", "line"), OPEN_AT_END)
def test_build_refuses_a_script_left_open(tmp_path: Path, body: str, line: int) -> None:
    text, found = built(tmp_path, "#!/bin/sh\n" + body)
    assert text is None
    assert found == [("script.open-at-end", line + 1)]


@pytest.mark.parametrize(("body", "line"), OPEN_AT_END)
def test_validate_finds_a_script_left_open_before_the_ini(body: str, line: int) -> None:
    assert findings("#!/bin/sh\n" + body + INI) == [("script.open-at-end", line + 1)]


def test_build_cli_refuses_an_open_script_with_line_and_fix(cvmctx: Run, tmp_path: Path) -> None:
    (tmp_path / "s.sh").write_text("#!/bin/sh\necho configuring \\\n")
    out = cvmctx("build", "--script", "s.sh", *KNOWN_FLAGS, "-o", "u.txt")
    assert out.returncode == 1
    err = out.stderr.decode()
    assert "s.sh:2:1: error[script.open-at-end]" in err
    assert "remove the '\\' at the end of line 2" in err
    assert not (tmp_path / "u.txt").exists()


# --------------------------------------------------------------------------------------------
# 2. An `exit` that does not end the shell is not a final exit.

NOT_FINAL = [
    ("echo hi\nexit &\n", 3),  # in the background
    ("echo hi\nexit | cat\n", 3),  # in a pipeline
    ("echo hi\n(exit)\n", 3),  # in a subshell
    ("echo hi \\\nexit\n", 3),  # continued: 'exit' is an argument of echo
    ("cat > /x <<EOF\nexit\nEOF\n", 3),  # the text of a here-document
    ("echo 'a\nexit\nb'\n", 3),  # the text of a string
    ("true | f() { exit; }\nf\n", 1),  # f is defined in a pipeline's subshell only
    ("case x in a) exit;; esac\n", 1),  # a branch the literal word never takes
]


@pytest.mark.parametrize(("body", "line"), NOT_FINAL)
def test_validate_an_exit_that_does_not_end_the_shell(body: str, line: int) -> None:
    assert findings("#!/bin/sh\n" + body + INI) == [("script.no-exit", line)]


@pytest.mark.parametrize(("body", "line"), NOT_FINAL)
def test_build_adds_an_exit_after_an_exit_that_does_not_end_the_shell(
    tmp_path: Path, body: str, line: int
) -> None:
    text, found = built(tmp_path, "#!/bin/sh\n" + body)
    assert text == "#!/bin/sh\n" + body + "exit\n" + INI
    assert found == [("script.exit-added", None)]


# --------------------------------------------------------------------------------------------
# 3. An `exit` (or `exec`) that does end the shell is not an error.

FINAL = [
    "  exit\n",
    "\texit 0\n",
    "exec /usr/bin/run-pilot\n",
    "true && exit\n",
    ": && exit 3\n",
    "false || exit\n",
    "{ exit; }\n",
    "if true; then exit; fi\n",
    "if true; then\n  exit\nfi\n",
    "if [ -d /opt ]; then exit 0; else exit 1; fi\n",
    "case $1 in a) exit 1;; *) exit 0;; esac\n",
    "while true; do exit; done\n",
    "for i in 1 2; do exit; done\n",
    "die() { exit 1; }\ndie\n",
    "X=1 exit\n",
    "! exit\n",
    "exit 0 > /dev/null 2>&1\n",
    "command exit\n",
    "exit; # done\n",
]


@pytest.mark.parametrize("body", FINAL)
def test_validate_accepts_every_exit_that_ends_the_shell(body: str) -> None:
    assert findings("#!/bin/sh\necho hi\n" + body + INI) == []


@pytest.mark.parametrize("body", FINAL)
def test_build_adds_no_exit_after_an_exit_that_ends_the_shell(tmp_path: Path, body: str) -> None:
    text, found = built(tmp_path, "#!/bin/sh\necho hi\n" + body)
    assert text == "#!/bin/sh\necho hi\n" + body + INI
    assert found == []


UNPROVEN = [
    ("[ -d /opt ] && exit 0\n", 2),
    ("test -f /etc/done || exit\n", 2),
    ("if [ -f /etc/done ]; then\n  exit\nfi\n", 3),
    ("for f in $NODES; do exit; done\n", 2),
    ("case $(hostname) in wn*) exit;; esac\n", 2),
    ("return\n", 2),
]


@pytest.mark.parametrize(("body", "line"), UNPROVEN)
def test_validate_says_what_it_cannot_prove_as_a_warning(body: str, line: int) -> None:
    result = validate_bytes(("#!/bin/sh\n" + body + INI).encode(), "user-data")
    unproven = [d for d in result.report if d.code == "script.exit-unproven"]
    assert [(d.line, d.severity.value) for d in unproven] == [(line, "warning")]
    assert "cannot prove" in unproven[0].message
    assert not [d for d in result.report if d.code == "script.no-exit"]


def test_validate_cli_unproven_is_exit_0_and_strict_exit_1(cvmctx: Run, tmp_path: Path) -> None:
    (tmp_path / "u.txt").write_text("#!/bin/sh\n[ -d /opt ] && exit 0\n" + INI)
    assert cvmctx("validate", "u.txt").returncode == 0
    assert cvmctx("validate", "--strict", "u.txt").returncode == 1


# --------------------------------------------------------------------------------------------
# 4. Deleting blank lines changes the program in more places than heredocs.


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_line_after_a_continuation_changes_the_command(tmp_path: Path, blank: str) -> None:
    body = f"echo one \\\n{blank}\necho two\nexit\n"
    assert findings("#!/bin/sh\n" + body + INI) == [("script.blank-line-joins", 3)]
    text, found = built(tmp_path, "#!/bin/sh\n" + body)
    assert text is None
    assert found == [("script.blank-line-joins", 3)]


def test_blank_line_after_a_continued_exit_swallows_the_ini() -> None:
    assert findings("#!/bin/sh\necho configuring \\\n\nexit\n" + INI) == [
        ("script.blank-line-joins", 3),
        ("script.no-exit", 4),
    ]


@pytest.mark.parametrize(
    ("body", "code", "line"),
    [
        ('echo "Welcome\n\nto CernVM" > /etc/motd\n', "script.blank-line-in-string", 3),
        ("echo 'Welcome\n   \nto CernVM' > /etc/motd\n", "script.blank-line-in-string", 3),
        ('MOTD="a\n\nb"\n', "script.blank-line-in-string", 3),
        ("cat > /etc/motd <<EOF\nWelcome\n\nEOF\n", "script.blank-line-in-heredoc", 4),
        ("cat > /etc/motd <<'EOF'\n\nWelcome\nEOF\n", "script.blank-line-in-heredoc", 3),
    ],
)
def test_blank_line_in_text_is_a_warning(tmp_path: Path, body: str, code: str, line: int) -> None:
    assert findings("#!/bin/sh\n" + body + "exit\n" + INI) == [(code, line)]
    text, found = built(tmp_path, "#!/bin/sh\n" + body + "exit\n")
    kept = "".join(x + "\n" for x in body.split("\n")[:-1] if x.strip(" "))
    assert text == "#!/bin/sh\n" + kept + "exit\n" + INI
    assert found == [(code, line)]


@pytest.mark.parametrize(
    "body",
    [
        "echo one\n\necho two\n",  # between commands
        "echo one &&\n\necho two\n",  # after an operator the shell waits for more anyway
        "echo $(\n\necho two)\n",  # inside a command substitution
        "echo one # a comment ending in \\\n\necho two\n",  # a comment does not continue
        "f() {\n\n  echo in\n}\n",
    ],
)
def test_blank_line_that_changes_nothing_is_not_reported(body: str) -> None:
    assert findings("#!/bin/sh\n" + body + "exit\n" + INI) == []


def test_blank_line_after_the_exit_is_not_the_scripts(tmp_path: Path) -> None:
    assert findings("#!/bin/sh\nexit\necho one \\\n\necho two\n" + INI) == []


# --------------------------------------------------------------------------------------------
# 5. Shebangs the guest selects but the kernel cannot run.


@pytest.mark.parametrize(
    ("line", "fix"),
    [
        ("#!/bin/sh before", "'#!/bin/sh.before'"),
        ("#!/bin/sh.before now", "'#!/bin/sh.before'"),
        ("#!/bin/bash -e after", "'#!/bin/bash' as the first line and 'set -e' as the second"),
        ("#!/usr/bin/env sh after", "'#!/usr/bin/env sh'"),
        ("#!/usr/bin/env bash -e", "'#!/usr/bin/env bash' as the first line and 'set -e'"),
        ("#!/bin/sh -e -x", "'#!/bin/sh' as the first line and 'set -e -x'"),
    ],
)
def test_validate_an_unrunnable_shebang_with_the_working_spelling(line: str, fix: str) -> None:
    result = validate_bytes((line + "\necho hi\nexit\n" + INI).encode(), "user-data")
    got = [d for d in result.report if d.code.startswith("script.shebang")]
    assert [(d.code, d.line) for d in got] in (
        [("script.shebang-unrunnable", 1)],
        [("script.shebang-not-run", 1)],  # '#!/bin/sh -e -x' is not even selected
    )
    assert got[0].hint is not None and fix in got[0].hint


def test_build_replaces_phase_words_and_refuses_to_drop_options(tmp_path: Path) -> None:
    text, found = built(tmp_path, "#!/bin/sh before\necho hi\n", Phase.BEFORE)
    assert text == "#!/bin/sh.before\necho hi\nexit\n" + INI
    assert found == [("script.shebang-replaced", 1), ("script.exit-added", None)]
    text, found = built(tmp_path, "#!/bin/bash -e after\necho hi\n")
    assert text is None
    assert ("script.shebang-unrunnable", 1) in found


# --------------------------------------------------------------------------------------------
# 6. `[ … ]` test lines in a script: built, and their pseudo-section stays the script's.

BRACKET = "#!/bin/sh\n[ -d /opt/app ] && echo present\nexit\n"


def test_build_script_with_a_test_line(tmp_path: Path) -> None:
    text, found = built(tmp_path, BRACKET)
    assert text == BRACKET + INI
    assert found == [("script.bracket-line", 2)]


def test_build_from_user_data_does_not_copy_the_pseudo_section(tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text(BRACKET + INI)
    result = build(BuildRequest(userdata=tmp_path / "in.txt", use_env_proxy=False))
    assert result.text == BRACKET + INI
    (tmp_path / "new.sh").write_text("echo new\n")
    request = BuildRequest(
        userdata=tmp_path / "in.txt", script=tmp_path / "new.sh", phase=Phase.AFTER,
        use_env_proxy=False,
    )  # fmt: skip
    assert build(request).text == "#!/bin/sh\necho new\nexit\n" + INI


def test_validate_a_test_line_reports_only_the_bracket_line() -> None:
    result = validate_bytes((BRACKET + INI).encode(), "user-data")
    assert [(d.code, d.line, d.severity.value) for d in result.report] == [
        ("script.bracket-line", 2, "warning")
    ]


def test_build_cli_script_with_test_lines(cvmctx: Run, tmp_path: Path) -> None:
    (tmp_path / "s.sh").write_text("[ -d /opt/app ] && echo present\n[ -x /bin/x ] || exit 1\n")
    out = cvmctx("build", "--script", "s.sh", *KNOWN_FLAGS, "-o", "u.txt")
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "u.txt").read_text() == (
        "#!/bin/sh\n[ -d /opt/app ] && echo present\n[ -x /bin/x ] || exit 1\nexit\n" + INI
    )
    assert cvmctx("validate", "u.txt").returncode == 0


# --------------------------------------------------------------------------------------------
# Bounded work: a text the parser gives up on is never a confident verdict either way.

TANGLE = "#!/bin/sh\n" + "a=( " * 16000 + "exit\n"


def test_a_tangle_the_parser_gives_up_on(tmp_path: Path) -> None:
    assert findings(TANGLE + INI) == [("script.exit-unproven", 1)]
    text, found = built(tmp_path, TANGLE)
    assert text is None
    assert found == [("script.unanalysed", 1)]


def test_the_parser_never_crashes_the_process_on_non_ascii_text() -> None:
    """tree-sitter's bash grammar segfaulted now and then (not on a fixed text: the heap decides)
    within 100,000 random non-ASCII texts; cvmctx.guest.script.shell gives it ASCII only. A
    property run
    in a child process, so that a crash fails this test and not the whole session."""
    program = (
        "import random\n"
        "from cvmctx.guest.script import shell\n"
        "rng = random.Random(5)\n"
        "spans = [(0, 128), (128, 0x800), (0x800, 0xD800), (0xE000, 0x110000)]\n"
        "for _ in range(150000):\n"
        "    n = rng.randrange(60)\n"
        "    shell.parse(''.join(chr(rng.randrange(*rng.choice(spans))) for _ in range(n)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", program], capture_output=True, timeout=600)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]


def test_non_ascii_words_keep_the_structure() -> None:
    assert findings("#!/bin/sh\ncat > /x <<ÉOF\nexit\nÉOF\necho é\nexit\n" + INI) == []
    assert findings("#!/bin/sh\ncat > /x <<ÉOF\nexit\nÜOF\n" + INI) == [("script.open-at-end", 2)]
    assert findings("#!/bin/sh\ncase é in ?) exit;; esac\n" + INI) == [("script.exit-unproven", 2)]
