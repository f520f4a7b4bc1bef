"""context.sh (guest-format.md §1.4, §4): rendered for bash, dash and the guest's base64 pipeline,
read back statically, one test per diagnostic code with the exact line and column."""

from __future__ import annotations

import base64
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvmctx.diagnostics import CvmctxError, Diagnostic, Severity
from cvmctx.guest.contextsh.file import (
    ONE_CONTEXT_PATH,
    ShellVar,
    check_name,
    quote,
    read_context_sh,
    render_context_sh,
    user_data_of,
)

USER_DATA = b"[amiconfig]\nplugins = cernvm\n[cernvm]\norganisations = cms\n"
B64 = base64.b64encode(USER_DATA).decode()
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me@host"
OK = f'EC2_USER_DATA="{B64}"\nONE_CONTEXT_PATH="{ONE_CONTEXT_PATH}"\n'  # two clean lines
ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

Found = list[tuple[str, Severity, int | None, int | None]]


def found(diags: list[Diagnostic]) -> Found:
    return [(d.code, d.severity, d.line, d.column) for d in diags]


def read(text: str) -> tuple[dict[str, str], Found]:
    got, diags = read_context_sh(text)
    return {n: v.value for n, v in got.items()}, found(diags)


def render(extra: dict[str, str] | None = None, **kw: str | None) -> str:
    kw.setdefault("root_pubkey", None)
    kw.setdefault("public_key", None)
    b64 = kw.pop("user_data_b64", None) or B64
    return render_context_sh(b64, extra=extra or {}, **kw)


def run_shell(shell: str, text: str, command: str) -> bytes:
    """Run ``command`` in ``shell`` in a fresh directory holding ``text`` as context.sh."""
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "context.sh").write_bytes(text.encode())
        done = subprocess.run(
            [shell, "-c", command], cwd=tmp, capture_output=True, timeout=30, check=False,
            env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
        )  # fmt: skip
    assert done.returncode == 0 and done.stderr == b"", done.stderr
    return done.stdout


def sourced(shell: str, text: str, names: list[str]) -> list[str]:
    """The values of ``names`` after sourcing context.sh in ``shell``."""
    refs = " ".join(f'"${{{n}}}"' for n in names)
    out = run_shell(shell, text, f". ./context.sh; printf '%s\\0' {refs}")
    return out.decode().split("\0")[:-1]


# --------------------------------------------------------------------------------------------
# Rendering


def test_golden_bytes() -> None:
    text = render_context_sh(
        "W2FtaWNvbmZpZ10K",
        root_pubkey="root.pub",
        public_key="ssh-rsa AAAAB3Nz it's me",
        extra={"SITE": "CERN's \"T0\" $(rm -rf /) `id` \\ ok", "A_1": ""},
    )
    assert text.encode() == (
        b"# Context variables used by amiconfig (written by cvmctx)\n"
        b"A_1=''\n"
        b'EC2_USER_DATA="W2FtaWNvbmZpZ10K"\n'
        b'ONE_CONTEXT_PATH="/var/lib/amiconfig"\n'
        b"PUBLIC_KEY='ssh-rsa AAAAB3Nz it'\\''s me'\n"
        b"ROOT_PUBKEY=root.pub\n"
        b"SITE='CERN'\\''s \"T0\" $(rm -rf /) `id` \\ ok'\n"
    )


def test_minimal_file_is_what_the_docs_show() -> None:
    assert render() == f"# Context variables used by amiconfig (written by cvmctx)\n{OK}"


@pytest.mark.parametrize("shell", ["bash", "sh"])
def test_rendered_file_passes_syntax_check(shell: str, tmp_path: Path) -> None:
    path = tmp_path / "context.sh"
    path.write_text(render({"SITE": "a'b\"c $(x) `y` \\ é"}, root_pubkey="k.pub", public_key=KEY))
    done = subprocess.run([shell, "-n", str(path)], capture_output=True, check=False)
    assert (done.returncode, done.stderr) == (0, b"")


@pytest.mark.parametrize("shell", ["bash", "sh"])
def test_guest_pipelines_give_the_user_data_back(shell: str) -> None:
    text = render(root_pubkey="root.pub")
    # HEPiX (bash): echo $EC2_USER_DATA | base64 -di; µCernVM: ( source ... && echo ) | base64 -d
    hepix = run_shell(shell, text, ". ./context.sh; echo $EC2_USER_DATA | base64 -di")
    micro = run_shell(shell, text, "( . ./context.sh && echo ${EC2_USER_DATA} ) | base64 -d")
    assert hepix == micro == USER_DATA
    assert user_data_of(read_context_sh(text)[0]) == USER_DATA


def test_managed_values_as_the_guest_sees_them() -> None:
    text = render(root_pubkey="root.pub", public_key=KEY)
    names = ["EC2_USER_DATA", "ONE_CONTEXT_PATH", "PUBLIC_KEY", "ROOT_PUBKEY"]
    assert sourced("bash", text, names) == [B64, ONE_CONTEXT_PATH, KEY, "root.pub"]
    assert read(text) == (dict(zip(names, [B64, ONE_CONTEXT_PATH, KEY, "root.pub"], strict=True)),
                          [("contextsh.public-key-wins", INFO, 5, 13)])  # fmt: skip


def _allowed(name: str) -> bool:
    try:
        check_name(name)
    except CvmctxError:
        return False
    return True


NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True).filter(_allowed)
VALUES = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\n\r\0"))
TRICKY = st.sampled_from(["'", '"', "$(id)", "`id`", "\\", " ", "${X}", "'\\''", "é", "~", "#"])
EXTRA_VALUES = st.lists(st.one_of(VALUES, TRICKY), max_size=6).map("".join)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(NAMES, EXTRA_VALUES, min_size=1, max_size=4))
def test_bash_and_dash_source_exactly_the_values_given(extra: dict[str, str]) -> None:
    text = render(extra)
    names = sorted(extra)
    assert sourced("bash", text, names) == [extra[n] for n in names]
    assert sourced("sh", text, names) == [extra[n] for n in names]


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(NAMES, EXTRA_VALUES, max_size=5), st.one_of(st.none(), EXTRA_VALUES))
def test_read_back_gives_the_exact_values(extra: dict[str, str], public_key: str | None) -> None:
    data = USER_DATA + b"\x00\xff"
    b64 = base64.b64encode(data).decode()
    got, diags = read_context_sh(render(extra, public_key=public_key, user_data_b64=b64))
    want = {**extra, "ONE_CONTEXT_PATH": ONE_CONTEXT_PATH}
    if public_key is not None:
        want["PUBLIC_KEY"] = public_key
    assert {n: v.value for n, v in got.items() if n != "EC2_USER_DATA"} == want
    assert user_data_of(got) == data
    assert [d for d in diags if d.severity is not INFO] == []


# --------------------------------------------------------------------------------------------
# Refusals


@pytest.mark.parametrize("name", ["", "1A", "A-B", "A B", "É", "A=B", "$A", "A\n"])
def test_refuses_names_that_are_not_shell_variables(name: str) -> None:
    with pytest.raises(CvmctxError, match="not a shell variable name"):
        render({name: "x"})


@pytest.mark.parametrize(
    ("name", "why"),
    [("PATH", "init scripts"), ("IFS", "init scripts"), ("HOME", "init scripts"),
     ("SHELL", "init scripts"), ("ENV", "init scripts"), ("BASH_ENV", "init scripts"),
     ("PS4", "init scripts"), ("CDPATH", "init scripts"), ("LD_PRELOAD", "init scripts"),
     ("LD_LIBRARY_PATH", "init scripts"), ("BASH_XTRACEFD", "init scripts"),
     ("LD_AUDIT", "init scripts"), ("POSIXLY_CORRECT", "init scripts"),
     ("CONTEXT_DIR", "hepix_functions"), ("UID", "read-only"), ("SHELLOPTS", "read-only"),
     ("_", "bash sets it"), ("RANDOM", "bash sets it")],
)  # fmt: skip
def test_refuses_names_that_break_the_guest(name: str, why: str) -> None:
    with pytest.raises(CvmctxError, match=f"^{name} cannot be set in context.sh: .*{why}") as exc:
        render({name: "x"})
    assert exc.value.exit_code == 2 and "\n" not in str(exc.value)


@pytest.mark.parametrize(
    ("name", "option"),
    [("EC2_USER_DATA", "build inputs"), ("ROOT_PUBKEY", "--root-pubkey"),
     ("PUBLIC_KEY", "--public-key"), ("ONE_CONTEXT_PATH", "always writes")],
)  # fmt: skip
def test_refuses_managed_names_naming_the_option(name: str, option: str) -> None:
    with pytest.raises(CvmctxError, match=f"^{name} cannot be set as an extra variable:.*{option}"):
        check_name(name)


@pytest.mark.parametrize(("char", "what"), [("\n", "newline"), ("\r", "CR"), ("\0", "NUL")])
def test_refuses_values_that_cannot_stay_on_one_line(char: str, what: str) -> None:
    with pytest.raises(CvmctxError, match=f"^MOTD holds .*{what}.*remove the line break") as exc:
        render({"MOTD": f"s3cret{char}x"})
    assert "s3cret" not in str(exc.value)
    with pytest.raises(CvmctxError, match=r"^PUBLIC_KEY \(--public-key\) holds"):
        render(public_key=f"{KEY}{char}")
    with pytest.raises(CvmctxError, match=r"^the value holds"):
        quote(char)


@pytest.mark.parametrize("b64", ["QUJD\n", "QUJ", "QU JD", "QUJD=", "QU-D", "QUJD\nQUJD", "é"])
def test_refuses_user_data_that_is_not_single_line_base64(b64: str) -> None:
    with pytest.raises(CvmctxError, match=r"^EC2_USER_DATA must be single-line standard base64"):
        render(user_data_b64=b64)


@pytest.mark.parametrize("name", ["", ".", "..", "-f", "keys/root.pub", "root pub", "a;b", "$x"])
def test_refuses_root_pubkey_that_is_not_a_bare_file_name(name: str) -> None:
    with pytest.raises(CvmctxError, match=r"^--root-pubkey: ROOT_PUBKEY must be the bare name"):
        render(root_pubkey=name)


def test_quote() -> None:
    assert quote("") == "''"
    assert quote("it's") == "'it'\\''s'"
    assert quote("$(x) `y` \\ \"") == "'$(x) `y` \\ \"'"


def test_reading_never_imports_jinja2() -> None:
    code = (
        "import sys; from cvmctx.guest.contextsh.file import read_context_sh, user_data_of\n"
        "user_data_of(read_context_sh('EC2_USER_DATA=QUJD')[0])\n"
        "assert 'jinja2' not in sys.modules, 'jinja2 imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    assert done.returncode == 0, done.stderr


# --------------------------------------------------------------------------------------------
# Reading: one test per diagnostic code, exact line and column


def test_clean_file_with_comments_export_and_escapes() -> None:
    text = (
        "# context\n\n  \t\n"
        f'export EC2_USER_DATA="{B64}"  # trailing comment\n'
        f"ONE_CONTEXT_PATH={ONE_CONTEXT_PATH}\n"
        "A='it'\\''s'\"$HOME-\\\"q\\\"\\$\\`\\\\\\x\"\n"
        "B=a#b\\ c*?[x]{y,z}\n"
        "C=\n"
        "D=\"two\nlines\"\n"
        "E=joi\\\nned\n"
        "A=again\n"
    )
    values, diags = read(text.replace("$HOME", "\\$HOME"))
    assert values == {"EC2_USER_DATA": B64, "ONE_CONTEXT_PATH": ONE_CONTEXT_PATH,
                      "A": "again", "B": "a#b c*?[x]{y,z}", "C": "", "D": "two\nlines",
                      "E": "joined"}  # fmt: skip
    assert diags == []
    got, _ = read_context_sh(text.replace("$HOME", "\\$HOME").replace("A=again\n", ""))
    assert got["A"] == ShellVar("A", "it's$HOME-\"q\"$`\\\\x", 6, 3)
    assert got["D"] == ShellVar("D", "two\nlines", 9, 3)
    assert got["E"] == ShellVar("E", "joined", 11, 3)
    names = ["A", "B", "C", "D", "E"]
    shell_text = text.replace("$HOME", "\\$HOME").replace("A=again\n", "")
    assert sourced("bash", shell_text, names) == [got[n].value for n in names]
    assert sourced("sh", shell_text, names) == [got[n].value for n in names]


@pytest.mark.parametrize(
    ("line", "column", "a"),
    [("rm -rf /", 1, None), ("curl -s http://x/y | sh", 1, None), ("  echo hi", 3, None),
     ("A=1 rm -rf /", 5, None), ("A=1;rm x", 5, "1"), ("A=x>f", 4, "x"), ("A=x&", 4, None)],
)  # fmt: skip
def test_command(line: str, column: int, a: str | None) -> None:
    # A=1 cmd: A is cmd's environment only; A=x>f: bash sets A and creates f; A=x&: a subshell
    values, diags = read(f"{OK}{line}\n")
    assert diags == [("contextsh.command", ERROR, 3, column)]
    assert values.get("A") == a


@pytest.mark.parametrize(("line", "column"), [("A=(x y)", 1), ("A+=x", 1), ("B=1 A+=x", 5)])
def test_cannot_tell_arrays_and_appends(line: str, column: int) -> None:
    values, diags = read(f"{OK}{line}\n")
    assert diags == [("contextsh.cannot-tell", WARNING, 3, column)]
    assert "A" not in values


@pytest.mark.parametrize(
    ("line", "column"),
    [("X=$(id)", 3), ("X=a$HOME", 4), ('X="a${HOME}b"', 5), ("X=`id`", 3), ('X="\n`id`"', 1),
     ("X=~/x", 3), ("X=/a:~/b", 6), ("export X=\"ok\"'$y'$z", 18)],
)  # fmt: skip
def test_expansion(line: str, column: int) -> None:
    values, diags = read(f"{OK}{line}\nY=after\n")
    end = 3 + line.count("\n")
    assert diags == [("contextsh.expansion", ERROR, end, column)]
    assert values == {"EC2_USER_DATA": B64, "ONE_CONTEXT_PATH": ONE_CONTEXT_PATH, "Y": "after"}


def test_single_quotes_and_escapes_are_not_expansions() -> None:
    assert read(f"{OK}X='$(id) `id` ~'\\$y\"\\`\"a~\n") == (
        {"EC2_USER_DATA": B64, "ONE_CONTEXT_PATH": ONE_CONTEXT_PATH, "X": "$(id) `id` ~$y`a~"}, []
    )


@pytest.mark.parametrize(("line", "column"), [("X='abc", 3), ('X=ab"c\nd', 5)])
def test_unterminated(line: str, column: int) -> None:
    values, diags = read(f"{OK}{line}\nY=never\n")
    assert diags == [("contextsh.unterminated", ERROR, 3, column)]
    assert "X" not in values and "Y" not in values


def test_unterminated_stops_reading_like_bash() -> None:
    text = f"Z=first\nX='abc\n{OK}"
    values, diags = read(text)
    assert values == {"Z": "first"}
    assert diags == [
        ("contextsh.unterminated", ERROR, 2, 3),
        ("contextsh.no-user-data", ERROR, 1, 1),
        ("contextsh.no-one-context-path", INFO, 1, 1),
    ]


def test_crlf() -> None:
    text = "# ok\r\n" + OK.replace("\n", "\r\n") + "ROOT_PUBKEY=root.pub\r\n\r\n"
    values, diags = read(text)
    assert diags == [("contextsh.crlf", ERROR, 1, 5)]
    # what bash does: the CR stays in every value
    assert values["ROOT_PUBKEY"] == "root.pub\r" and values["EC2_USER_DATA"] == B64 + "\r"
    names = ["ROOT_PUBKEY", "EC2_USER_DATA"]
    # (bash also tries to run the CR-only last line as a command: $'\r': command not found)
    assert sourced("bash", text.removesuffix("\r\n"), names) == [values[n] for n in names]
    assert user_data_of(read_context_sh(text)[0]) == USER_DATA


@pytest.mark.parametrize(
    ("text", "expected"),
    [(f'ONE_CONTEXT_PATH="{ONE_CONTEXT_PATH}"\n', ("contextsh.no-user-data", ERROR, 1, 1)),
     (f'ONE_CONTEXT_PATH="{ONE_CONTEXT_PATH}"\nPUBLIC_KEY="{KEY}"\n',
      ("contextsh.no-user-data", WARNING, 1, 1)),
     (f'ONE_CONTEXT_PATH="{ONE_CONTEXT_PATH}"\nROOT_PUBKEY=root.pub\nEC2_USER_DATA=""\n',
      ("contextsh.no-user-data", WARNING, 3, 15))],
)  # fmt: skip
def test_no_user_data(text: str, expected: tuple[str, Severity, int, int]) -> None:
    assert read(text)[1] == [expected]


def test_user_data_wrapped() -> None:
    wrapped = B64[:20] + "\n" + B64[20:40] + "\n  " + B64[40:]
    text = f'ONE_CONTEXT_PATH="{ONE_CONTEXT_PATH}"\nEC2_USER_DATA="{wrapped}"\n'
    values, diags = read(text)
    assert diags == [("contextsh.user-data-wrapped", WARNING, 2, 15)]
    assert values["EC2_USER_DATA"] == wrapped
    assert user_data_of(read_context_sh(text)[0]) == USER_DATA
    assert run_shell("bash", text, ". ./context.sh; echo $EC2_USER_DATA | base64 -di") == USER_DATA


@pytest.mark.parametrize("bad", ["QUJD!", "QUJ", "QU=D", "Q"])
def test_user_data_not_base64(bad: str) -> None:
    text = f"{OK}EC2_USER_DATA='{bad}'\n"
    assert read(text)[1] == [("contextsh.user-data-not-base64", ERROR, 3, 15)]


def test_public_key_wins() -> None:
    text = f"{OK}ROOT_PUBKEY=root.pub\nPUBLIC_KEY='{KEY}'\n"
    assert read(text)[1] == [("contextsh.public-key-wins", INFO, 3, 13)]
    assert read(f"{OK}ROOT_PUBKEY=root.pub\nPUBLIC_KEY=\n")[1] == []


def test_no_one_context_path() -> None:
    text = f'\n\nEC2_USER_DATA="{B64}"\n'
    assert read(text)[1] == [("contextsh.no-one-context-path", INFO, 1, 1)]


def test_messages_name_the_variable_never_the_value() -> None:
    text = (
        "PASSWORD=\"hunter2$(x)\"\nTOKEN='hunter2\nEC2_USER_DATA=hunter2!\r\n"
        "EC2_USER_DATA=hunter2 x\nSECRET=hunter2;x\n"
    )
    for t in (text, text.replace("TOKEN='hunter2\n", "")):
        diags = read_context_sh(t)[1]
        assert diags and all("hunter2" not in f"{d.message} {d.hint}" for d in diags)
    assert "PASSWORD" in read_context_sh(text)[1][1].message


# --------------------------------------------------------------------------------------------
# Properties: never raises, agrees with bash, decodes like base64 -di

SHELLISH = st.lists(st.sampled_from([*"AB_=$'\"`\\ \t\n\r#;|&(){}~:-xé", "export ", "\r\n"])).map(
    "".join
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), SHELLISH))
def test_reading_never_raises(text: str) -> None:
    variables, diags = read_context_sh(text)
    assert all(d.line is not None and d.line >= 1 and (d.column or 0) >= 1 for d in diags)
    user_data_of(variables)


PIECES = st.one_of(
    st.text(st.sampled_from(list("abcXYZ019_./:,+=@%^*?[]{}!é#-")), min_size=1, max_size=5),
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="'\0\r"), max_size=5)
    .map(lambda s: f"'{s}'"),
    st.text(st.sampled_from(list("ab $`\"\\\n'x#")), max_size=6).map(
        lambda s: '"' + "".join("\\" + c if c in '$`"\\' else c for c in s) + '"'),
    st.sampled_from(["\\ ", "\\'", '\\"', "\\\\", "\\$", "\\\n", '"\\x"', '"\\\n"']),
)  # fmt: skip


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C"]), st.lists(PIECES, max_size=4)),
                min_size=1, max_size=4))  # fmt: skip
def test_values_read_statically_are_what_bash_and_dash_set(
    assignments: list[tuple[str, list[str]]],
) -> None:
    text = "".join(f"{name}={''.join(pieces)}\n" for name, pieces in assignments)
    got, diags = read_context_sh(text)
    assert [d.code for d in diags if d.severity is ERROR] == ["contextsh.no-user-data"]
    names = sorted(got)
    assert sourced("bash", text, names) == [got[n].value for n in names]
    assert sourced("sh", text, names) == [got[n].value for n in names]


@settings(max_examples=80, deadline=None)
@given(st.text(st.sampled_from(list("QUJDabc0+/=== \t\r-neEx.!")), max_size=24))
def test_user_data_of_decodes_like_base64_di(value: str) -> None:
    text = f"EC2_USER_DATA='{value}'\n"
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "context.sh").write_text(text)
        guest = subprocess.run(
            ["bash", "-c", ". ./context.sh; echo $EC2_USER_DATA | base64 -di"],
            cwd=tmp, capture_output=True, timeout=30, check=False,
        ).stdout  # fmt: skip
    assert user_data_of(read_context_sh(text)[0]) == guest
