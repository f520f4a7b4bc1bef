"""Issue 10, as a new user and a CI job meet cvmctx: nothing silent, help that helps.

Each test runs the command line as a user does (a subprocess) and checks the exit code, what is
printed and that no file is left where none should be.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, Run

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("assignment", "hint"),
    [
        ("cernvm.organisation=cms", "hint: did you mean 'organisations'?"),
        ("condor.condor_secretx=S3cretValue", "hint: did you mean 'condor_secret'?"),
        ("squid.zzz=1", "hint: see 'cvmctx sections squid' for the keys it reads"),
    ],
)
def test_a_set_typo_fails_the_build(
    cvmctx: Run, tmp_path: Path, assignment: str, hint: str
) -> None:
    """The user asked for an effect and would get none: exit 1, the suggestion, no output."""
    for command in ("build", "iso"):
        out = tmp_path / f"{command}.out"
        proc = cvmctx(command, "--section", "cernvm", "--set", assignment, "-o", out)
        err = proc.stderr.decode()
        section, key = assignment.split("=")[0].split(".")
        assert proc.returncode == 1, err
        assert (
            f"error[build.set-unknown-key] --set {section}.{key}: the [{section}] plugin does "
            f"not read '{key}', so setting it has no effect" in err
        )
        assert hint in err
        assert "S3cretValue" not in err + proc.stdout.decode()
        assert not out.exists()
        assert "key.unknown" not in err  # said once, as the error


@pytest.mark.parametrize(
    "assignment",
    [
        "cernvm.organisations=cms",
        "amiconfig.plugins=cernvm",
        "nss.password=files",  # the seed's spelling: written as passwd, with a warning
    ],
)
def test_keys_the_plugin_reads_still_build(cvmctx: Run, assignment: str) -> None:
    proc = cvmctx("build", "--section", "cernvm", "--section", "nss", "--set", assignment, "-q")
    assert proc.returncode == 0, proc.stderr.decode()
    assert "build.set-unknown-key" not in proc.stderr.decode()


def test_the_same_key_in_a_file_stays_a_warning(cvmctx: Run, tmp_path: Path) -> None:
    (tmp_path / "u.txt").write_text(
        "[amiconfig]\nplugins = cernvm\n[cernvm]\norganisation = cms\n", encoding="utf-8"
    )
    proc = cvmctx("validate", "u.txt")
    assert proc.returncode == 0
    assert "warning[key.unknown]" in proc.stdout.decode()


def test_a_comma_list_of_sections_gets_the_right_spelling(cvmctx: Run, tmp_path: Path) -> None:
    proc = cvmctx("build", "--section", "cernvm,condor", "-o", tmp_path / "u.txt")
    assert proc.returncode == 2
    assert proc.stderr.decode() == (
        "cvmctx: error: --section cernvm,condor: one section per option; "
        "write --section cernvm --section condor\n"
    )
    assert not (tmp_path / "u.txt").exists()


def test_sections_keeps_its_columns_apart(cvmctx: Run) -> None:
    """The plugins column is as wide as its longest entry: nothing runs into the summary."""
    lines = cvmctx("sections", env={"COLUMNS": "300"}).stdout.decode().splitlines()
    header = lines[0]
    summary_at = header.index("summary")
    assert header[summary_at - 2 : summary_at] == "  "
    rows = [line for line in lines[1:] if re.match(r"[\[(][a-z_-]+[\])] ", line)]
    assert len(rows) > 20
    for row in rows:
        assert row[summary_at - 2 : summary_at] == "  ", row
        assert row[summary_at] != " ", row
    rpath = next(row for row in rows if row.startswith("[rpath]"))
    assert "rapadminpassword conaryproxy rapcert raprsakey  rPath appliance" in rpath


def test_password_hints_name_cvmctx_hash_password(cvmctx: Run, tmp_path: Path) -> None:
    (tmp_path / "u.txt").write_text(
        "[amiconfig]\nplugins = cernvm\n[cernvm]\norganisations = cms\n"
        "users = alice:cms:S3cretValue,bob:cms:$1$abc$def\n",
        encoding="utf-8",
    )
    out = cvmctx("validate", "u.txt").stdout.decode()
    hints = [line.strip() for line in out.splitlines() if line.strip().startswith("hint:")]
    assert "hint: give a SHA-512 crypt hash: cvmctx hash-password (or build --hash-passwords)" in (
        hints
    )
    assert "hint: generate a SHA-512 hash: cvmctx hash-password" in hints
    assert "openssl" not in out and "S3cretValue" not in out


def _hook_pattern() -> re.Pattern[str]:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    found = re.search(r"^\s*files:\s*(\S+)\s*$", text, re.MULTILINE)
    assert found is not None
    return re.compile(found.group(1))


@pytest.mark.parametrize(
    "path",
    ["site.context", "contexts/cms-worker.context", "userdata.txt", "user-data",
     "cms.userdata", "context.sh", "iso/my-context.iso"],
)  # fmt: skip
def test_the_pre_commit_hook_finds_contexts(path: str) -> None:
    assert _hook_pattern().search(path), path


@pytest.mark.parametrize("path", ["README.md", "context.py", "docs/contexts.md", "a.contexts"])
def test_the_pre_commit_hook_leaves_other_files(path: str) -> None:
    assert not _hook_pattern().search(path), path


WARNINGS_ONLY = "[amiconfig]\nplugins = cernvm\n[cernvm]\norganisations = cms\nshell = /bin/zsh\n"


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_strict_quiet_says_why_it_fails(cvmctx: Run, tmp_path: Path, fmt: str) -> None:
    """--strict -q on warnings only: exit 1, and the warnings that make it 1 are printed."""
    (tmp_path / "u.txt").write_text(WARNINGS_ONLY, encoding="utf-8")
    plain = cvmctx("validate", "-f", fmt, "-q", "u.txt", env={"GITHUB_ACTIONS": "false"})
    assert (plain.returncode, plain.stdout) == (0, b"")  # nothing fails: -q prints nothing
    proc = cvmctx("validate", "-f", fmt, "--strict", "-q", "u.txt",
                  env={"GITHUB_ACTIONS": "false"})  # fmt: skip
    out = proc.stdout.decode()
    assert proc.returncode == 1
    said = "cernvm.shell.unusual-shell"
    assert (f"warning[{said}]" in out) if fmt == "text" else (f"title={said}::" in out), out
    assert "info[" not in out


def test_o_dash_is_standard_output(cvmctx: Run, tmp_path: Path) -> None:
    """``-o -`` writes to standard output for build, iso (binary, to a pipe) and domain: never
    a file named '-'."""
    built = cvmctx("build", "--section", "cernvm", "--set", "cernvm.organisations=cms", "-o", "-")
    assert built.returncode == 0, built.stderr.decode()
    assert built.stdout.startswith(b"[amiconfig]\nplugins = cernvm\n[cernvm]\n")
    iso = cvmctx("iso", "--section", "cernvm", "--set", "cernvm.organisations=cms", "-o", "-")
    assert iso.returncode == 0, iso.stderr.decode()
    assert iso.stdout[0x8001:0x8006] == b"CD001"
    assert "<stdout>: " in iso.stderr.decode()
    (tmp_path / "piped.iso").write_bytes(iso.stdout)
    assert cvmctx("validate", "piped.iso").returncode == 0
    domain = cvmctx("domain", "--name", "vm", "--disk", "d.qcow2", "--iso", "c.iso", "-o", "-")
    assert domain.returncode == 0, domain.stderr.decode()
    assert domain.stdout.startswith(b"<domain")
    assert not (tmp_path / "-").exists()


def test_an_iso_is_not_written_to_a_terminal(tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "cvmctx", "iso", "--section", "cernvm",
                               "-o", "-"], stdout=follower, stderr=subprocess.PIPE, cwd=tmp_path,
                              timeout=60, check=False)  # fmt: skip
    finally:
        os.close(follower)
        os.close(leader)
    assert proc.returncode == 2
    assert proc.stderr.decode() == (
        "cvmctx: error: the output is an ISO image (binary), not for a terminal: redirect it "
        "(-o - > FILE) or give -o FILE\n"
    )


def test_libvirt_disk_needs_a_file(cvmctx: Run, tmp_path: Path) -> None:
    proc = cvmctx("iso", "--section", "cernvm", "-o", "-", "--libvirt-disk")
    assert proc.returncode == 2 and proc.stdout == b""
    assert "--libvirt-disk names the image file: give -o FILE, not -o -" in proc.stderr.decode()


def _run_patched(tmp_path: Path, patch: str, *argv: str, debug: bool = False) -> tuple[int, str]:
    """The CLI's main() in a fresh interpreter with one function replaced by ``patch``."""
    import os
    import subprocess
    import sys

    code = f"import sys\n{patch}\nsys.argv = ['cvmctx', *{list(argv)!r}]\n" \
           "from cvmctx.cli.app import main\nmain()\n"  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "CVMCTX_DEBUG"}
    if debug:
        env["CVMCTX_DEBUG"] = "1"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=tmp_path,
                          env=env, timeout=60, check=False)  # fmt: skip
    return proc.returncode, proc.stderr.decode()


BOOM = (
    "import cvmctx.api\n"
    "def boom(*args, **kwargs):\n    raise ValueError('S3cretValue')\n"
    "cvmctx.api.validate_file = boom\n"
)


def test_an_internal_error_has_its_own_exit_code(tmp_path: Path) -> None:
    (tmp_path / "u.txt").write_text("[cernvm]\n", encoding="utf-8")
    code, err = _run_patched(tmp_path, BOOM, "validate", "u.txt")
    assert code == 3, err
    assert re.fullmatch(
        r"cvmctx: error: internal error: ValueError in cvmctx/cli/validate\.py:\d+ "
        r"\(cvmctx [^)]+\)\. "
        r"This is a cvmctx bug: please report it with 'cvmctx --version' and the command line "
        r"\(with any secret removed\); CVMCTX_DEBUG=1 shows the traceback\n", err
    ), err
    assert "S3cretValue" not in err and "Traceback" not in err


def test_cvmctx_debug_shows_the_traceback(tmp_path: Path) -> None:
    (tmp_path / "u.txt").write_text("[cernvm]\n", encoding="utf-8")
    code, err = _run_patched(tmp_path, BOOM, "validate", "u.txt", debug=True)
    assert code == 1 and "Traceback" in err and "ValueError: S3cretValue" in err


def test_an_image_that_does_not_read_back_is_an_internal_error(tmp_path: Path) -> None:
    patch = (
        "import cvmctx.cd.make\n"
        "def unreadable(data):\n    raise ValueError('damaged')\n"
        "cvmctx.cd.make.read_image = unreadable\n"
    )
    code, err = _run_patched(tmp_path, patch, "iso", "--section", "cernvm", "-o", "c.iso")
    assert code == 3, err
    assert err.startswith(
        "cvmctx: error: internal error: the new image does not read back (damaged); nothing was "
        "written. This is a cvmctx bug: please report it"
    ), err
    assert not (tmp_path / "c.iso").exists()


def test_an_unreadable_file_is_in_every_machine_report(cvmctx: Run, tmp_path: Path) -> None:
    import json

    (tmp_path / "ok.txt").write_text("[cernvm]\norganisations = cms\n", encoding="utf-8")
    said = "nope.txt: no such user-data file"
    proc = cvmctx("validate", "-f", "json", "ok.txt", "nope.txt")
    assert proc.returncode == 2 and proc.stderr.decode() == f"cvmctx: error: {said}\n"
    files = json.loads(proc.stdout)["files"]
    assert [f["path"] for f in files] == ["ok.txt", "nope.txt"]  # the others are still judged
    assert [(d["code"], d["severity"], d["message"]) for d in files[1]["findings"]] == [
        ("input.unreadable", "error", said)
    ]
    sarif = json.loads(cvmctx("validate", "-f", "sarif", "ok.txt", "nope.txt").stdout)
    run = sarif["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is False
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "error" and note["message"]["text"] == said
    assert all(r["ruleId"] != "input.unreadable" for r in run["results"])
    github = cvmctx("validate", "-f", "github", "ok.txt", "nope.txt").stdout.decode()
    assert f"::error file=nope.txt,title=input.unreadable::{said}" in github
    text = cvmctx("validate", "ok.txt", "nope.txt", env={"GITHUB_ACTIONS": "false"})
    assert "input.unreadable" not in text.stdout.decode()  # text: the stderr line says it


_NOTHING = (
    "context.sh sets no EC2_USER_DATA (or sets it empty): the guest gets no user data"
)


@pytest.mark.parametrize("extra", [[], ["--var", "SITE=cern"]])
def test_iso_of_nothing_is_not_written(cvmctx: Run, tmp_path: Path, extra: list[str]) -> None:
    """validate rejects a CD that contextualizes nothing (contextsh.no-user-data is an error
    there): iso does not write it, and says what to give instead."""
    proc = cvmctx("iso", "-o", "c.iso", *extra)
    err = proc.stderr.decode()
    assert proc.returncode == 1
    assert f"error[contextsh.no-user-data] {_NOTHING}; the CD contextualizes nothing\n" in err
    assert "  hint: give a user-data file, --section or --set\n" in err
    assert err.endswith("cvmctx: error: the CD would carry no user data\n")
    assert not (tmp_path / "c.iso").exists()


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["--root-pubkey", str(EXAMPLES / "atlas-panda" / "root.pub.example")], "root's ssh key"),
        (["--epilog", "epilog.sh"], "what epilog.sh runs"),
    ],
)
def test_iso_of_a_key_or_script_only_agrees_with_validate(
    cvmctx: Run, tmp_path: Path, args: list[str], what: str
) -> None:
    """A CD with no user data that still gives a key or runs a script is a warning in both
    iso and validate: written without --strict, refused with it, as validate --strict would."""
    (tmp_path / "epilog.sh").write_text("echo contextualized > /etc/motd\n")
    warned = f"warning[contextsh.no-user-data] {_NOTHING}, only {what}\n"
    proc = cvmctx("iso", "-o", "c.iso", *args)
    assert proc.returncode == 0, proc.stderr.decode()
    assert warned in proc.stderr.decode()
    checked = cvmctx("validate", "c.iso")
    assert checked.returncode == 0
    assert warned in checked.stdout.decode()
    assert cvmctx("validate", "--strict", "c.iso").returncode == 1
    (tmp_path / "c.iso").unlink()
    proc = cvmctx("iso", "--strict", "-o", "c.iso", *args)
    assert proc.returncode == 1
    assert warned in proc.stderr.decode()
    assert proc.stderr.decode().endswith("cvmctx: error: the CD would carry no user data\n")
    assert not (tmp_path / "c.iso").exists()


def test_iso_refuses_what_fails_behind_a_cd_as_validate_does(cvmctx: Run, tmp_path: Path) -> None:
    """[dnsupdate] needs EC2 meta-data that no context CD has: validate calls that an error on a
    CD, so iso refuses to write one; with the plugin left out of plugins it is written."""
    sets = ["tsigkey=AAAAAAAAAAAA", "tsighost=k", "host=vm1", "domain=example.org",
            "server=10.0.0.1"]  # fmt: skip
    args = [a for s in sets for a in ("--set", f"dnsupdate.{s}")]
    proc = cvmctx("iso", "-o", "c.iso", *args)
    err = proc.stderr.decode()
    assert proc.returncode == 1
    assert "cvmctx: error[dnsupdate.context-cd] [dnsupdate] needs EC2 meta-data" in err
    assert err.endswith("cvmctx: error: the user data does not work from a context CD\n")
    assert not (tmp_path / "c.iso").exists()
    assert "AAAAAAAAAAAA" not in err
    proc = cvmctx("iso", "-o", "c.iso", "--no-enable-plugins", *args)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "warning[plugin.not-enabled] the guest ignores [dnsupdate]" in proc.stderr.decode()


_MIME = (
    'Content-Type: multipart/mixed; boundary="==B=="\n'
    "MIME-Version: 1.0\n"
    "\n"
    "--==B==\n"
    'Content-Type: text/plain; charset="us-ascii"\n'
    "MIME-Version: 1.0\n"
    "\n"
    "[amiconfig]\n"
    "plugins = cernvm\n"
    "[cernvm]\n"
    "users = alice:cms:S3cretPw\n"
    "x509_cert = -----BEGIN CERTIFICATE-----\n"
    "MIIBfakefakefakefakefakefakefake\n"
    "--==B==\n"
    "Content-Type: text/cloud-config\n"
    "\n"
    "#cloud-config\n"
    "--==B==--\n"
)


@pytest.mark.parametrize("boundary", ["==B==", "MIMEBOUNDARY42"])
def test_inspect_of_mime_masks_only_the_secret_values(
    cvmctx: Run, tmp_path: Path, boundary: str
) -> None:
    """Boundary and header lines after a secret value are the message's frame, shown as written;
    the password and the certificate's wrapped line stay masked (item 15)."""
    path = tmp_path / "mime.txt"
    path.write_text(_MIME.replace("==B==", boundary))
    proc = cvmctx("inspect", path)
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr.decode()
    assert "S3cretPw" not in out and "MIIBfake" not in out
    assert "  11 | users = alice:cms:********\n" in out
    assert "  13 | ********\n" in out
    assert f"  14 | --{boundary}\n" in out
    assert "  15 | Content-Type: text/cloud-config\n" in out
    assert f"  18 | --{boundary}--\n" in out


# in the order their examples run: init writes the site.toml that build's and iso's examples use
_COMMANDS = ["init", "build", "validate", "sections", "iso", "inspect", "domain", "fleet",
             "schema", "hash-password"]  # fmt: skip


@pytest.mark.parametrize("command", ["", *_COMMANDS])
def test_dash_h_is_help(cvmctx: Run, command: str) -> None:
    args = [command] if command else []
    short, long = cvmctx(*args, "-h"), cvmctx(*args, "--help")
    assert short.returncode == long.returncode == 0, short.stderr.decode()
    assert short.stdout == long.stdout
    assert b"Usage: cvmctx" in short.stdout


# What typer prints when a parameter has no metavar of words: its Python type, braces.
_TYPE_NAMES = re.compile(r"<(path|str|int|float|bool|list\[)|[{}]")


@pytest.mark.parametrize("command", ["", *_COMMANDS])
def test_help_names_values_as_words_and_shows_examples(cvmctx: Run, command: str) -> None:
    out = cvmctx(*([command] if command else []), "--help").stdout.decode()
    assert not _TYPE_NAMES.search(out), out
    assert "\nExamples:\n  " in out


def test_help_names_the_values_a_user_types(cvmctx: Run) -> None:
    build = cvmctx("build", "--help").stdout.decode()
    assert "Usage: cvmctx build [OPTIONS] [USERDATA|SPEC.TOML]\n" in build
    assert "  --format" not in build
    assert "  --phase [before|after]  " in build
    assert "  -o, --output FILE  " in build
    validate = cvmctx("validate", "--help").stdout.decode()
    assert "Usage: cvmctx validate [OPTIONS] FILE...\n" in validate
    assert "  -f, --format [auto|text|json|sarif|github]\n" in validate
    assert "  --max-input-bytes BYTES  " in validate


def _examples(help_text: str) -> list[str]:
    block = help_text.split("\nExamples:\n", 1)[1]
    lines = [line.strip() for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def test_every_help_example_runs_as_shown(cvmctx: Run, tmp_path: Path) -> None:
    """Each command's examples, run in order in one directory, as a user pastes them."""
    work = tmp_path / "work"
    bindir = tmp_path / "bin"
    work.mkdir()
    bindir.mkdir()
    wrapper = bindir / "cvmctx"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m cvmctx "$@"\n')
    wrapper.chmod(0o755)
    (work / "root.pub").write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfakekey root@example\n")
    (work / "password.txt").write_text("correct horse\n")
    (work / "setup.sh").write_text("#!/bin/sh\necho 'setting up'\n")
    (work / "hosts.csv").write_text("name\nwn001\nwn002\n")
    env = {k: v for k, v in os.environ.items() if k not in ("X509_USER_PROXY", "ROOT_PUBKEY")}
    env.update(PATH=f"{bindir}:{env['PATH']}", COLUMNS="200", NO_COLOR="1")
    ran = 0
    for command in [*_COMMANDS, ""]:
        help_text = cvmctx(*([command] if command else []), "--help").stdout.decode()
        for line in _examples(help_text):
            proc = subprocess.run(
                ["bash", "-c", line], cwd=work, env=env, capture_output=True, timeout=60
            )
            assert proc.returncode == 0, f"{line}: {proc.stderr.decode()}"
            ran += 1
    assert ran == 23
    written = sorted(p.name for p in (work / "fleet" / "wn002").iterdir())
    assert written == ["context.iso", "user-data"]
    assert (work / "cvmctx-spec.schema.json").read_bytes().startswith(b"{")
    assert (work / "cvmctx.report.sarif").stat().st_size > 0
    assert (work / "release.iso").read_bytes()[:16] == bytes(16)


def test_shell_completion_is_available(cvmctx: Run) -> None:
    script = cvmctx("--show-completion", "bash")
    assert script.returncode == 0, script.stderr.decode()
    assert b"_CVMCTX_COMPLETE=complete_bash" in script.stdout


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("cvmctx va", ["validate"]),
        ("cvmctx validate --format s", ["sarif"]),
        ("cvmctx sections squ", ["squid"]),
        ("cvmctx build --section con", ["condor", "configscripts"]),
        ("cvmctx iso --set cernvm.organ", ["cernvm.organisations="]),
        ("cvmctx build --set hostn", ["hostname."]),
    ],
)
def test_completion_offers_commands_sections_and_keys(
    cvmctx: Run, words: str, expected: list[str]
) -> None:
    env = {"_CVMCTX_COMPLETE": "complete_bash", "COMP_WORDS": words}
    env["COMP_CWORD"] = str(len(words.split()) - 1)
    proc = cvmctx(env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().split() == expected


_CLOUD_AND_AMI = (
    'Content-Type: multipart/mixed; boundary="XB"\n'
    "MIME-Version: 1.0\n"
    "\n"
    "--XB\n"
    "Content-Type: text/amiconfig\n"
    "\n"
    "[cernvm]\n"
    "organisations = cms\n"
    "--XB\n"
    "MIME-Version: 1.0\n"
    'Content-Type: text/cloud-config; charset="us-ascii"\n'
    "\n"
    "#cloud-config\n"
    "users:\n"
    "  - name: alice\n"
    "--XB\n"
    "Content-Type: text/x-shellscript\n"
    "\n"
    "#!/bin/sh\n"
    "echo hi\n"
    "--XB--\n"
)


@pytest.mark.parametrize("command", ["build", "iso"])
def test_build_never_drops_a_part_of_its_input(cvmctx: Run, tmp_path: Path, command: str) -> None:
    """Item 1: a cloud-config file, or the cloud-init parts of a MIME message, are errors
    naming the part and its line; nothing is written."""
    whole = tmp_path / "cc.yaml"
    whole.write_text("\n#Cloud-Config\nusers:\n  - name: alice\n")
    mixed = tmp_path / "mixed.txt"
    mixed.write_text(_CLOUD_AND_AMI)
    out = tmp_path / "out"
    proc = cvmctx(command, whole, "-o", out)
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    assert (
        f"{whole}:2:1: error[build.part-dropped] this is '#cloud-config' user data, read by "
        "cloud-init and not by amiconfig: build writes amiconfig user data (script, INI "
        "sections, µCernVM block) and would drop all of it\n" in err
    )
    assert "hint: cvmctx does not write MIME yet: build the amiconfig part alone" in err
    assert not out.exists()
    proc = cvmctx(command, mixed, "-o", out)
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    assert (
        f"{mixed}:11:1: error[build.part-dropped] MIME part 2 (text/cloud-config) is not "
        "amiconfig user data: build writes the amiconfig part alone and would drop this one\n"
    ) in err
    assert f"{mixed}:17:1: error[build.part-dropped] MIME part 3 (text/x-shellscript)" in err
    assert err.count("error[build.part-dropped]") == 2
    assert not out.exists()


def test_a_mime_message_of_amiconfig_parts_still_builds(cvmctx: Run, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.txt"
    mixed.write_text(_CLOUD_AND_AMI.split("--XB\nMIME-Version")[0] + "--XB--\n")
    proc = cvmctx("build", mixed, "--no-enable-plugins")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == b"[cernvm]\norganisations = cms\n"
    assert b"build.part-dropped" not in proc.stderr
