"""The context CD, round 2 (issue 8 items 12-14), guest-format.md §4 (and §1.4): one test class
per defect class, several members each, through `cvmctx iso` and `cvmctx validate`.

- §4 "context.sh is sourced by bash": cvmctx reads it as bash does. Several assignments on a
  line, `;`, `export`, `readonly`, comments after `;`, continuations are plain assignments; a
  command is reported without hiding the user data's findings; what cannot be proved is a
  warning that says what (item 12). Checked against bash itself here, and by
  scripts/contextsh_differential.py at scale.
- §4 (HEPiX scripts): a variable the guest's own scripts use after sourcing context.sh is
  refused by `iso --var` (exit 2) and an error in validate, naming the script (item 13).
- §4 "prolog.sh / epilog.sh are sourced": checked with bash on bash's lines, where only '\\n'
  ends a line (item 14).
"""

from __future__ import annotations

import base64
import importlib.util
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, Run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvmctx.cd.image import CdFile, build_image
from cvmctx.guest.contextsh.file import read_context, read_context_sh
from cvmctx.guest.contextsh.variables import finding, refusal

USER_DATA = b"[amiconfig]\nplugins = cernvm\n[cernvm]\norganisations = cms\n"
B64 = base64.b64encode(USER_DATA).decode()
# user data with a real finding: the guest's ConfigParser cuts the proxy at ' ;' (§2)
BAD_USER_DATA = b"[amiconfig]\nplugins = cernvm\n[cernvm]\nproxy = http://s:3128 ;DIRECT\n"
BAD_B64 = base64.b64encode(BAD_USER_DATA).decode()
ONE = 'ONE_CONTEXT_PATH="/var/lib/amiconfig"'
FLAGS = ["--section", "cernvm", "--set", "cernvm.organisations=cms"]
ENV = {"SOURCE_DATE_EPOCH": "0"}


def _differential():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "contextsh_differential", ROOT / "scripts" / "contextsh_differential.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


DIFFERENTIAL = _differential()


def sourced(text: str, names: list[str]) -> dict[str, str]:
    """What bash sets: context.sh sourced from a function, as setupContext does."""
    return dict(DIFFERENTIAL.run_bash([text], names)[0].values)


def validate(cvmctx: Run, path: Path, *extra: str) -> tuple[int, str]:
    proc = cvmctx("validate", *extra, path)
    return proc.returncode, proc.stdout.decode()


def findings(out: str, path: Path) -> list[str]:
    """'LAYER:LINE:COL severity[code]' for every finding line of validate's text output."""
    pattern = re.compile(
        rf"^{re.escape(str(path))}(\[[a-z.]+\])?:(\d+)(?::(\d+))?: (\w+)\[([^\]]+)\]"
    )
    got = []
    for line in out.splitlines():
        if (m := pattern.match(line)) is not None:
            layer, row, col, severity, code = m.groups()
            got.append(f"{layer or ''}:{row}{':' + col if col else ''} {severity}[{code}]")
    return got


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def image(tmp_path: Path, *files: tuple[str, str | bytes]) -> Path:
    cd = [CdFile(n, b.encode() if isinstance(b, str) else b, n.endswith(".sh")) for n, b in files]
    return write(tmp_path, "context.iso", build_image(cd, "CONTEXT", 0))


# ============================================================================================
# Item 12 (§4, §1.4): context.sh as bash sources it


PLAIN = [
    # (text, the variables bash sets): all of them plain assignments, no finding
    (f'EC2_USER_DATA="{B64}"; {ONE}\n', {"EC2_USER_DATA": B64}),
    (f'EC2_USER_DATA="{B64}";{ONE};\n', {"EC2_USER_DATA": B64}),
    (f"EC2_USER_DATA={B64} {ONE} SITE='a b'\n", {"SITE": "a b"}),
    (f"export EC2_USER_DATA={B64} {ONE} SITE\n", {"EC2_USER_DATA": B64}),
    (f'EC2_USER_DATA="{B64}" # the user data ; X=1\n{ONE};\t# done\n', {"EC2_USER_DATA": B64}),
    (f"EC2_USER_DATA=\\\n'{B64}'; {ONE} \\\n  SITE=cern\n", {"SITE": "cern"}),
    (f"EC2_USER_DATA=$'{B64}' {ONE} SITE=$'a\\tb' NODE=\"x\"\\;y\n",
     {"SITE": "a\tb", "NODE": "x;y"}),
    (f"{ONE}\nEC2_USER_DATA={B64[:20]}\\\n{B64[20:]}\n", {"EC2_USER_DATA": B64}),
]  # fmt: skip


class TestContextShAsBashReadsIt:
    """§4: what bash sets is what cvmctx reads; no contextsh.command for plain assignments."""

    @pytest.mark.parametrize(("text", "some"), PLAIN)
    def test_validate_accepts_what_bash_reads_as_assignments(
        self, cvmctx: Run, tmp_path: Path, text: str, some: dict[str, str]
    ) -> None:
        path = write(tmp_path, "context.sh", text)
        code, out = validate(cvmctx, path, "--strict")
        assert (code, findings(out, path)) == (0, []), out
        assert "context.sh → base64 → text" in out  # the user data was decoded and read
        got = {n: v.value for n, v in read_context(text).values.items()}
        assert sourced(text, sorted(got)) == got  # exactly what bash sets
        assert some.items() <= got.items()

    @pytest.mark.parametrize(("text", "some"), PLAIN[:4])
    def test_validate_an_iso_holding_it(
        self, cvmctx: Run, tmp_path: Path, text: str, some: dict[str, str]
    ) -> None:
        iso = image(tmp_path, ("context.sh", text), ("prolog.sh", ""))
        assert validate(cvmctx, iso, "--strict") == (0, f"{iso}: iso → context.sh → base64 → "
                                                        "text\n0 errors, 0 warnings, 0 infos\n")

    @pytest.mark.parametrize(
        ("line", "where", "bash_a", "read_a"),
        [("A=1 echo x", ":3:5", None, None), ("echo hi; A=1", ":3:1", "1", "1"),
         ("A=1;rm x", ":3:5", "1", "1"), ("A=1 | cat", ":3:5", None, None),
         ("A=1 &", ":3:5", None, None), ("A=1 >/dev/null", ":3:5", "1", "1"),
         ("if true; then A=1; fi", ":3:1", "1", "cannot tell"),
         ("f() { A=1; }", ":3:1", None, "cannot tell")],
    )  # fmt: skip
    def test_a_command_is_reported_and_the_user_data_still_checked(
        self, cvmctx: Run, tmp_path: Path, line: str, where: str, bash_a: str | None,
        read_a: str | None,
    ) -> None:  # fmt: skip
        text = f'EC2_USER_DATA="{BAD_B64}"\n{ONE}\n{line}\n'
        path = write(tmp_path, "context.sh", text)
        code, out = validate(cvmctx, path)
        got = findings(out, path)
        assert code == 1
        assert got[0] == f"[context.sh]{where} error[contextsh.command]", out
        # the user data behind the command is still decoded, and its error reported
        assert got[-1] == ":4:23 error[ini.inline-comment]", out
        assert sourced(text, ["A"]).get("A") == bash_a
        reading = read_context(text)
        if read_a == "cannot tell":
            assert "A" in reading.unknown and "warning[contextsh.cannot-tell]" in out
        else:
            assert (reading.values["A"].value if "A" in reading.values else None) == read_a

    def test_a_command_in_an_iso_does_not_hide_the_user_data(
        self, cvmctx: Run, tmp_path: Path
    ) -> None:
        iso = image(tmp_path, ("context.sh", f'EC2_USER_DATA="{BAD_B64}"; echo hi\n{ONE}\n'))
        code, out = validate(cvmctx, iso)
        assert (code, findings(out, iso)) == (1, [
            f"[context.sh]:1:{len(BAD_B64) + 19} error[contextsh.command]",
            ":4:23 error[ini.inline-comment]",
        ]), out  # fmt: skip

    @pytest.mark.parametrize(
        ("line", "where"),
        [("SITE=cern;;", ":3:10"), ("; SITE=cern", ":3:1"), ("SITE=cern; ;", ":3:12"),
         ("SITE=cern )", ":3:11"), ("SITE=cern & ;", ":3:13"), ("fi", ":3:1")],
    )  # fmt: skip
    def test_syntax_error_stops_the_sourcing(
        self, cvmctx: Run, tmp_path: Path, line: str, where: str
    ) -> None:
        text = f'EC2_USER_DATA="{B64}"\n{ONE}\n{line}\nNODE=never\n'
        path = write(tmp_path, "context.sh", text)
        code, out = validate(cvmctx, path)
        assert (code, findings(out, path)) == (1, [f"[context.sh]{where} error[contextsh.syntax]"])
        assert sourced(text, ["SITE", "NODE"]) == {}  # bash ran neither that line nor later ones
        assert "SITE" not in read_context(text).values and "NODE" not in read_context(text).values

    @pytest.mark.parametrize(
        ("line", "where", "what"),
        [("true && SITE=cern", ":3:9", "SITE to: it follows && or ||"),
         ("SITE+=x", ":3:1", "'+=' appends"), ("SITE=(a b)", ":3:1", "array assignment"),
         ("export SITE=x{a,b}", ":3:8", "brace expansion"),
         ('SITE=$"cern"', ":3:6", "message catalogs"),
         ("SITE=$'\\u00e9'", ":3:8", "locale")],
    )  # fmt: skip
    def test_what_cannot_be_proved_is_a_warning_naming_it(
        self, cvmctx: Run, tmp_path: Path, line: str, where: str, what: str
    ) -> None:
        path = write(tmp_path, "context.sh", f'EC2_USER_DATA="{B64}"\n{ONE}\n{line}\n')
        code, out = validate(cvmctx, path)
        got = [f for f in findings(out, path) if "cannot-tell" in f]
        assert got == [f"[context.sh]{where} warning[contextsh.cannot-tell]"], out
        assert what in out and code == (1 if line.startswith("true") else 0)
        assert validate(cvmctx, path, "--strict")[0] == 1

    def test_user_data_after_a_doubtful_line_is_not_guessed(
        self, cvmctx: Run, tmp_path: Path
    ) -> None:
        path = write(tmp_path, "context.sh", f'true || EC2_USER_DATA="{B64}"\n{ONE}\n')
        code, out = validate(cvmctx, path)
        assert (code, findings(out, path)) == (1, [
            "[context.sh]:1:1 error[contextsh.command]",
            "[context.sh]:1:9 warning[contextsh.cannot-tell]",
        ]), out  # fmt: skip  (no contextsh.no-user-data: bash may well set it)

    @pytest.mark.parametrize("value", ["a; b # c", "x=1 y=2", "it's \"q\" $(id) `id` \\", ""])
    def test_iso_var_values_read_back_as_bash_reads_them(
        self, cvmctx: Run, tmp_path: Path, value: str
    ) -> None:
        out = tmp_path / "c.iso"
        proc = cvmctx("iso", "-o", out, *FLAGS, "--var", f"SITE={value}", env=ENV)
        assert proc.returncode == 0, proc.stderr.decode()
        assert validate(cvmctx, out, "--strict")[0] == 0
        listing = cvmctx("inspect", "-f", "json", out).stdout.decode()
        assert f'"SITE": {__import__("json").dumps(value)}' in listing
        from cvmctx.cd.image import read_image

        text = read_image(out.read_bytes()).files["context.sh"].decode()
        assert sourced(text, ["SITE"]) == {"SITE": value}


class TestSecretsStayMasked:
    """§4: context.sh values can be secrets; a command on their line shows the line masked."""

    @pytest.mark.parametrize(
        "line",
        ["SITE=x; DB_PASSWORD='CorpusS3cret' X=1 echo hi", "TOKEN=CorpusS3cret;rm x",
         'export API_TOKEN="CorpusS3cret" A=$(id)', "DB_PASSWORD=\"Corpus\nS3cret\"; echo"],
    )  # fmt: skip
    def test_code_frames_mask_every_secret_on_the_line(
        self, cvmctx: Run, tmp_path: Path, line: str
    ) -> None:
        path = write(tmp_path, "context.sh", f'EC2_USER_DATA="{B64}"\n{ONE}\n{line}\n')
        code, out = validate(cvmctx, path)
        assert code == 1 and "********" in out
        assert "CorpusS3cret" not in out and "S3cret" not in out, out


class TestReadonly:
    """§4 + §1.1: the guest sources context.sh twice in one subshell (loadContext, then
    setupContext): a `readonly` name that context.sh also assigns fails the second time."""

    def test_readonly_alone_is_a_warning(self, cvmctx: Run, tmp_path: Path) -> None:
        path = write(tmp_path, "context.sh", f'readonly EC2_USER_DATA="{B64}" {ONE}\n')
        code, out = validate(cvmctx, path)
        assert (code, findings(out, path)) == (0, ["[context.sh]:1:1 warning[contextsh.readonly]"])

    @pytest.mark.parametrize("tail", ["SITE=cern\nreadonly SITE\n", "readonly SITE; SITE=cern\n"])
    def test_readonly_and_plain_assignment_is_an_error(
        self, cvmctx: Run, tmp_path: Path, tail: str
    ) -> None:
        path = write(tmp_path, "context.sh", f'EC2_USER_DATA="{B64}"\n{ONE}\n{tail}')
        code, out = validate(cvmctx, path)
        assert code == 1 and "error[contextsh.readonly]" in out, out
        assert "abandon" in out

    def test_guest_abandons_the_subshell(self, tmp_path: Path) -> None:
        """The claim behind the error, on bash: vmcontext_prolog's structure, run."""
        (tmp_path / "context.sh").write_text("SITE=cern\nreadonly SITE\n")
        guest = ("loadContext() { . ./context.sh; }\nsetupContext() { . ./context.sh; "
                 "echo decoded; }\n( loadContext; setupContext; echo prolog )\n")  # fmt: skip
        done = subprocess.run(["env", "-i", "bash", "--norc", "-c", guest], cwd=tmp_path,
                              capture_output=True, check=False, timeout=30)  # fmt: skip
        assert done.stdout == b""  # neither setupContext's work nor the prolog


# ============================================================================================
# Item 13 (§4): variables the guest's own scripts use after sourcing context.sh


GUEST_NAMES = [
    ("AMICONFIG", "vmcontext_hepix", "instead of /usr/sbin/amiconfig.sh"),
    ("CONTEXT_DIR", "hepix_functions", "prolog.sh and epilog.sh"),
    ("AMICONFIG_CONTEXT_DIR", "hepix_functions", "chmod -R 700"),
    ("VERSION", "hepix_functions", "2007-12-15"),
    ("MOVE_TO_COL", "initscripts", "runs its value as a command"),
    ("BOOTUP", "initscripts", "status"),
    ("RETVAL", "vmcontext_hepix", "the value is lost"),
    ("AMICONFIG_CONTEXT_URL", "setupContext", "the value is lost"),
    ("AMICONFIG_LOCAL_USER_DATA", "amiconfig.sh", "no effect"),
    ("PYTHONPATH", "Python interpreter that runs amiconfig", "no effect"),
    ("DO_CONTEXT", "amiconfig.sh", "no effect"),
]


class TestGuestVariables:
    @pytest.mark.parametrize(("name", "where", "then"), GUEST_NAMES)
    def test_iso_refuses_var(
        self, cvmctx: Run, tmp_path: Path, name: str, where: str, then: str
    ) -> None:
        out = tmp_path / "out" / "c.iso"
        out.parent.mkdir()
        proc = cvmctx("iso", "-o", out, *FLAGS, "--var", f"{name}=/tmp/x", env=ENV)
        err = proc.stderr.decode()
        assert proc.returncode == 2 and err.count("\n") == 1, err
        assert err.startswith(f"cvmctx: error: {name} cannot be set in context.sh: ")
        assert where in err and then in err and "/tmp/x" not in err
        assert list(out.parent.iterdir()) == []

    @pytest.mark.parametrize(("name", "where", "then"), GUEST_NAMES)
    def test_validate_reports_it(
        self, cvmctx: Run, tmp_path: Path, name: str, where: str, then: str
    ) -> None:
        path = write(tmp_path, "context.sh", f'EC2_USER_DATA="{B64}"\n{ONE} {name}=/tmp/x\n')
        code, out = validate(cvmctx, path)
        column = len(ONE) + 2
        assert (code, findings(out, path)) == (
            1, [f"[context.sh]:2:{column} error[contextsh.guest-variable]"]), out  # fmt: skip
        assert f"context.sh sets {name}: " in out and where in out and then in out

    def test_exported_variable_for_amiconfig_changes_what_it_reads(
        self, cvmctx: Run, tmp_path: Path
    ) -> None:
        iso = image(tmp_path, ("context.sh", f'EC2_USER_DATA="{B64}"\n{ONE}\n'
                               "export AMICONFIG_LOCAL_USER_DATA=/tmp/other\n"))  # fmt: skip
        code, out = validate(cvmctx, iso)
        assert (code, findings(out, iso)) == (
            1, ["[context.sh]:3:8 error[contextsh.guest-variable]"]), out  # fmt: skip
        assert "context.sh exports it: amiconfig then reads the user data from that file" in out

    def test_readonly_makes_the_guest_use_its_own_assignment(
        self, cvmctx: Run, tmp_path: Path
    ) -> None:
        path = write(tmp_path, "context.sh", f'EC2_USER_DATA="{B64}"\n{ONE}\n'
                     "readonly ssh_keyfile=/etc/shadow\n")  # fmt: skip
        code, out = validate(cvmctx, path)
        assert code == 1 and "[context.sh]:3:10: error[contextsh.guest-variable]" in out, out
        assert "readonly makes that fail: the guest goes on with context.sh's value" in out

    @pytest.mark.parametrize("name", ["SITE", "NODE_ROLE", "USER_DATA", "SSH_KEY", "ONE_CONTEXT"])
    def test_other_names_stay_allowed(self, cvmctx: Run, tmp_path: Path, name: str) -> None:
        out = tmp_path / "c.iso"
        assert cvmctx("iso", "-o", out, *FLAGS, "--var", f"{name}=x", env=ENV).returncode == 0
        assert validate(cvmctx, out, "--strict")[0] == 0

    def test_the_guests_inputs_are_not_guest_variables(self) -> None:
        for name in ("EC2_USER_DATA", "ROOT_PUBKEY", "PUBLIC_KEY", "ONE_CONTEXT_PATH"):
            assert refusal(name) is None
            assert finding(name, exported=True, readonly=False) is None


# ============================================================================================
# Item 14 (§4): prolog.sh and epilog.sh on bash's lines


# Characters Python's str.splitlines() ends a line at and bash does not.
NOT_LINE_ENDS = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


class TestScriptsOnBashLines:
    @pytest.mark.parametrize("char", NOT_LINE_ENDS)
    def test_broken_prolog_is_found_at_bashs_line(
        self, cvmctx: Run, tmp_path: Path, char: str
    ) -> None:
        # bash reads `echo a<char>if true; then` as ONE command line: `then` is unexpected there
        prolog = write(tmp_path, "prolog.sh", f"echo a{char}if true; then\necho b\n")
        out = tmp_path / "out" / "c.iso"
        out.parent.mkdir()
        proc = cvmctx("iso", "-o", out, *FLAGS, "--prolog", prolog, env=ENV)
        err = proc.stderr.decode()
        assert proc.returncode == 1 and list(out.parent.iterdir()) == []
        assert f"{prolog}:1: error[iso.script-syntax] bash cannot parse prolog.sh" in err, err
        assert "unexpected token `then'" in err
        iso = image(tmp_path, ("context.sh", f'EC2_USER_DATA="{B64}"\n{ONE}\n'),
                    ("prolog.sh", prolog.read_bytes()))  # fmt: skip
        code, text = validate(cvmctx, iso)
        assert (code, findings(text, iso)) == (1, ["[prolog.sh]:1 error[iso.script-syntax]"])

    @pytest.mark.parametrize("char", NOT_LINE_ENDS)
    def test_valid_epilog_passes(self, cvmctx: Run, tmp_path: Path, char: str) -> None:
        # one line for bash; cut at <char>, `for i in a` / `b; do` would not parse
        epilog = write(tmp_path, "epilog.sh", f"for i in a{char}b; do echo $i; done\n")
        assert subprocess.run(["bash", "-n", epilog], check=False).returncode == 0
        out = tmp_path / "c.iso"
        proc = cvmctx("iso", "-o", out, *FLAGS, "--epilog", epilog, env=ENV)
        assert proc.returncode == 0, proc.stderr.decode()
        assert validate(cvmctx, out, "--strict")[0] == 0

    @pytest.mark.parametrize("char", ["\u2028", "\x0c", "\x85"])
    def test_crlf_line_number_is_bashs(self, cvmctx: Run, tmp_path: Path, char: str) -> None:
        epilog = write(tmp_path, "epilog.sh", f"echo a{char}b\necho done\r\n")
        proc = cvmctx("iso", "-o", tmp_path / "c.iso", *FLAGS, "--epilog", epilog, env=ENV)
        assert proc.returncode == 1
        assert f"{epilog}:2: error[iso.script-crlf]" in proc.stderr.decode()
        iso = image(tmp_path, ("context.sh", f'EC2_USER_DATA="{B64}"\n{ONE}\n'),
                    ("epilog.sh", epilog.read_bytes()))  # fmt: skip
        code, text = validate(cvmctx, iso)
        assert (code, findings(text, iso)) == (1, ["[epilog.sh]:2 error[iso.script-crlf]"])

    def test_a_lone_cr_is_not_a_line_end(self, cvmctx: Run, tmp_path: Path) -> None:
        epilog = write(tmp_path, "epilog.sh", "printf 'a\rb\\n'\n")
        proc = cvmctx("iso", "-o", tmp_path / "c.iso", *FLAGS, "--epilog", epilog, env=ENV)
        assert proc.returncode == 0, proc.stderr.decode()

    def test_prolog_that_is_not_utf8_is_a_warning_in_validate(
        self, cvmctx: Run, tmp_path: Path
    ) -> None:
        iso = image(tmp_path, ("context.sh", f'EC2_USER_DATA="{B64}"\n{ONE}\n'),
                    ("prolog.sh", b"echo caf\xe9\n"))  # fmt: skip
        code, out = validate(cvmctx, iso)
        assert code == 0 and "warning[iso.script-unchecked]" in out, out

    def test_prolog_unchecked_without_bash(self, cvmctx: Run, tmp_path: Path) -> None:
        iso = image(tmp_path, ("context.sh", f'EC2_USER_DATA="{B64}"\n{ONE}\n'),
                    ("prolog.sh", "echo hi\n"))  # fmt: skip
        proc = cvmctx("validate", iso, env={"PATH": str(tmp_path / "nowhere")})
        assert proc.returncode == 0
        assert "warning[iso.script-unchecked]" in proc.stdout.decode()

    @pytest.mark.parametrize("char", ["\x1c", "\x85", "\u2028", "\x0c"])
    def test_user_data_with_a_non_ifs_separator_is_not_base64(
        self, cvmctx: Run, tmp_path: Path, char: str
    ) -> None:
        # HEPiX's unquoted echo splits on IFS (space, tab, newline) only: the character stays,
        # base64 -di skips it, µCernVM's base64 -d fails (§1.4); not just 'wrapped'
        text = f"EC2_USER_DATA='{B64[:8]}{char}{B64[8:]}'\n{ONE}\n"
        path = write(tmp_path, "context.sh", text)
        code, out = validate(cvmctx, path)
        assert (code, findings(out, path)) == (
            1, ["[context.sh]:1:15 error[contextsh.user-data-not-base64]"]), out  # fmt: skip


# ============================================================================================
# The differential, bounded: cvmctx's reading agrees with bash (scripts/contextsh_differential.py)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32))
def test_reading_agrees_with_bash(seed: int) -> None:
    text = DIFFERENTIAL.generate(random.Random(seed))
    assert DIFFERENTIAL.compare(text, DIFFERENTIAL.run_bash([text])[0]) == [], text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32))
def test_plain_assignments_are_read_exactly(seed: int) -> None:
    text = DIFFERENTIAL.generate_plain(random.Random(seed))
    reading = read_context(text)
    assert {n: v.value for n, v in reading.values.items()} == DIFFERENTIAL.run_bash([text])[
        0
    ].values, text
    assert {d.code for d in reading.diagnostics} <= {
        "contextsh.readonly", "contextsh.no-user-data", "contextsh.no-one-context-path"
    }  # fmt: skip
    assert read_context_sh(text)[0] == reading.values
