"""Issue 12: deployment specs. ``cvmctx build SPEC.toml`` and ``cvmctx iso SPEC.toml`` build
what the same flags build, byte for byte; every problem is placed at the spec's file, line and
TOML key, with exit 1 for bad values and 2 for an unreadable file or TOML syntax."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest
from conftest import EXAMPLES, ROOT, Run

SCHEMA = ROOT / "docs" / "cvmctx-spec.schema.json"
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}


def _shim_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose ``cvmctx`` on PATH is this interpreter's (for the build.sh scripts)."""
    shim = tmp_path / "bin" / "cvmctx"
    shim.parent.mkdir(exist_ok=True)
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m cvmctx "$@"\n')
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("X509_USER_PROXY", "ROOT_PUBKEY")}
    return {**env, "PATH": f"{shim.parent}:{os.environ['PATH']}", **EPOCH}


def _spec(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the seed's two examples: spec == flags, byte for byte ---------------------------------


def test_cms_spec_builds_the_flag_scripts_bytes(cvmctx: Run, tmp_path: Path) -> None:
    flags = tmp_path / "flags.txt"
    subprocess.run(["bash", str(EXAMPLES / "cms-ec2" / "build.sh"), str(flags)],
                   check=True, env=_shim_env(tmp_path), capture_output=True)  # fmt: skip
    proc = cvmctx("build", EXAMPLES / "cms-ec2" / "spec.toml", "-o", tmp_path / "spec.txt")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "spec.txt").read_bytes() == flags.read_bytes()
    assert flags.read_bytes() == (EXAMPLES / "cms-ec2" / "expected-userdata.txt").read_bytes()


def test_atlas_spec_builds_the_flag_scripts_cd(cvmctx: Run, tmp_path: Path) -> None:
    flags = tmp_path / "flags.iso"
    subprocess.run(["bash", str(EXAMPLES / "atlas-panda" / "build.sh"), str(flags)],
                   check=True, env=_shim_env(tmp_path), capture_output=True)  # fmt: skip
    spec = EXAMPLES / "atlas-panda" / "spec.toml"
    proc = cvmctx("iso", spec, "-o", tmp_path / "spec.iso", env=EPOCH)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "spec.iso").read_bytes() == flags.read_bytes()


def test_a_spec_builds_the_same_from_any_directory(cvmctx: Run, tmp_path: Path) -> None:
    # paths in the spec are relative to the spec, not to the working directory
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    spec = EXAMPLES / "atlas-panda" / "spec.toml"
    cvmctx("iso", spec, "-o", tmp_path / "a.iso", env=EPOCH, cwd=EXAMPLES)
    cvmctx("iso", spec, "-o", tmp_path / "b.iso", env=EPOCH, cwd=elsewhere)
    assert (tmp_path / "a.iso").read_bytes() == (tmp_path / "b.iso").read_bytes()


# -- typed values and amiconfig's string forms ------------------------------------------


TYPED = """\
[cernvm]
organisations = ["cms", "grid"]
users = [{ name = "a", group = "b", password_hash = "$6$salt$hash" }, { name = "c", group = "d" }]
environment = { CMS_SITECONFIG = "EC2", CMS_ROOT = "/opt/cms" }
services = ["ntpd", "sshd"]
"""
PASTED = """\
[cernvm]
organisations = "cms,grid"
users = "a:b:$6$salt$hash,c:d:"
environment = "CMS_SITECONFIG=EC2,CMS_ROOT=/opt/cms"
services = "ntpd,sshd"
"""


def test_amiconfig_string_forms_build_what_typed_values_build(cvmctx: Run, tmp_path: Path) -> None:
    typed = cvmctx("build", _spec(tmp_path, TYPED, "typed.toml"))
    pasted = cvmctx("build", _spec(tmp_path, PASTED, "pasted.toml"))
    assert typed.returncode == pasted.returncode == 0, typed.stderr + pasted.stderr
    assert typed.stdout == pasted.stdout
    assert b"users = a:b:$6$salt$hash,c:d:\n" in typed.stdout
    assert b"environment = CMS_SITECONFIG=EC2,CMS_ROOT=/opt/cms\n" in typed.stdout


def test_a_file_value_is_read_relative_to_the_spec(cvmctx: Run, tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    spec = _spec(tmp_path / "site", '[cernvm]\nx509-cert = { file = "proxy.pem" }\n')
    proxy = (EXAMPLES / "atlas-panda" / "x509up.example.pem").read_bytes()
    (tmp_path / "site" / "proxy.pem").write_bytes(proxy)
    proc = cvmctx("build", spec, "-o", tmp_path / "ud.txt")
    assert proc.returncode == 0, proc.stderr
    assert b"x509-cert = " in (tmp_path / "ud.txt").read_bytes()
    assert b"BEGIN" not in proc.stderr  # the proxy is a secret: never printed


def test_a_secret_key_takes_its_value_from_a_file(cvmctx: Run, tmp_path: Path) -> None:
    # a pool secret kept out of the spec (and its git history), as the batch-cluster example
    (tmp_path / "pool-secret").write_text("s3cret-pool\n")
    spec = _spec(tmp_path, '[condor]\ncondor_master = "cm.example.org"\n'
                 'condor_secret = { file = "pool-secret" }\n')  # fmt: skip
    proc = cvmctx("build", spec)
    assert proc.returncode == 0, proc.stderr
    assert b"\ncondor_secret = s3cret-pool\n" in proc.stdout
    (tmp_path / "pool-secret").write_text("s3cret\npool\n")
    proc = cvmctx("build", "s.toml")
    assert proc.returncode == 1
    assert proc.stderr.decode().splitlines()[0] == (
        "s.toml:3: error[spec.wrong-type] condor.condor_secret: pool-secret must hold the value "
        "as one line of UTF-8 text"
    )
    assert b"s3cret" not in proc.stderr
    _spec(tmp_path, '[condor]\ncondor_master = { file = "pool-secret" }\n')  # not a secret
    proc = cvmctx("build", "s.toml")
    assert proc.stderr.decode().splitlines()[0] == (
        "s.toml:2: error[spec.wrong-type] condor.condor_master is a table; it takes a string or "
        "an integer"
    )


def test_command_line_flags_override_the_spec(cvmctx: Run, tmp_path: Path) -> None:
    spec = _spec(tmp_path, '[cernvm]\norganisations = ["cms"]\n[script]\ntext = "echo spec"\n')
    script = tmp_path / "cli.sh"
    script.write_text("echo cli\n")
    proc = cvmctx("build", spec, "--set", "cernvm.organisations=atlas", "--script", script,
                  "--section", "squid")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert "organisations = atlas\n" in out and "cms" not in out
    assert "echo cli\n" in out and "echo spec" not in out
    assert "plugins = cernvm squid\n" in out


def test_a_spec_script_text_is_the_script(cvmctx: Run, tmp_path: Path) -> None:
    spec = _spec(tmp_path, '[script]\nphase = "before"\ntext = """\nset -e\necho hi\n"""\n'
                 "[cernvm]\norganisations = [\"cms\"]\n")  # fmt: skip
    proc = cvmctx("build", spec, "--strict")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(b"#!/bin/sh\n") or proc.stdout.startswith(b"#!")
    assert b"echo hi\n" in proc.stdout and b"\nexit\n" in proc.stdout


# -- every problem at the spec's line and key -----------------------------------------------


BAD: list[tuple[str, str, str]] = [
    ('[cernvmm]\norganisations = ["cms"]\n', "s.toml:1: error[spec.unknown-table] [cernvmm] is "
     "neither a table of the spec nor a section a guest plugin reads", "did you mean 'cernvm'?"),
    ('[cernvm]\norganisation = ["cms"]\n', "s.toml:2: error[spec.unknown-key] cernvm.organisation:"
     " the [cernvm] plugin does not read 'organisation', so setting it has no effect",
     "did you mean 'organisations'?"),
    ('[build]\ntargt = "ec2"\n', "s.toml:2: error[spec.unknown-key] build.targt: no such key",
     "did you mean 'target'?"),
    ("[cernvm]\n\norganisations = 5\n", "s.toml:3: error[spec.wrong-type] cernvm.organisations is "
     "a number; it takes an array of strings, or amiconfig's string", "cvmctx schema"),
    ('[cd]\nlabel = 5\n', "s.toml:2: error[spec.wrong-type] cd.label: input should be a valid "
     "string", "cvmctx schema"),
    ('[cernvm]\nusers = [{name="a"}]\n', "s.toml:2: error[spec.wrong-type] cernvm.users[0] has no "
     "group", "add group = ..."),
    ('[cernvm]\norganisations = ["a,b"]\n', "s.toml:2: error[spec.separator] "
     "cernvm.organisations[0] holds ',', which the guest splits this list on: joined into "
     "amiconfig's line it would be read as two", "remove the ','"),
    ('[cernvm]\nenvironment = { A = "x,y" }\n', "s.toml:2: error[spec.separator] "
     "cernvm.environment.A holds ',', which the guest splits it on: joined into amiconfig's line "
     "it would be read as two", "remove the ','"),
    ('[cernvm]\norganisations = ["{{ host.name }}"]\n', "s.toml:2: error[spec.template] "
     "cernvm.organisations[0]: the template does not render: 'host' is undefined",
     "cvmctx fleet SPEC --hosts FILE"),
    ('[script]\ntext = "echo {{ index }}"\n', "s.toml:2: error[spec.template] script.text: the "
     "template does not render: 'index' is undefined", "cvmctx fleet SPEC --hosts FILE"),
    ('[script]\ntext = "{{ ().__class__ }}"\n', "s.toml:2: error[spec.template] script.text: the "
     "template does not render: the sandbox refuses the operation", "plain variables"),
    # a value the spec gives is judged by the section's own codes, at the spec's line
    ('[condor]\nhostname = "a b"\n', "s.toml:2: error[condor.hostname.format] the guest expects a "
     "host name such as node1.example.org", "node1.example.org"),
]


@pytest.mark.parametrize(("text", "first", "hint"), BAD, ids=[b[1].split("[")[1].split("]")[0]
                                                             for b in BAD])  # fmt: skip
def test_a_bad_value_is_a_finding_at_the_spec_line(
    cvmctx: Run, tmp_path: Path, text: str, first: str, hint: str
) -> None:
    _spec(tmp_path, text)
    proc = cvmctx("build", "s.toml", "-o", "out.txt")
    lines = proc.stderr.decode().splitlines()
    assert proc.returncode == 1
    assert lines[0] == first
    assert hint in lines[1]
    assert lines[-1] in ("cvmctx: error: s.toml: the spec has findings",
                         "cvmctx: error: the user data has findings that fail the build")
    assert not (tmp_path / "out.txt").exists()  # no partial output
    assert "Traceback" not in proc.stderr.decode()


def test_iso_judges_a_spec_the_same_way(cvmctx: Run, tmp_path: Path) -> None:
    _spec(tmp_path, '[cernvm]\norganisation = ["cms"]\n')
    proc = cvmctx("iso", "s.toml", "-o", "c.iso")
    assert proc.returncode == 1
    assert proc.stderr.decode().startswith("s.toml:2: error[spec.unknown-key] cernvm.organisation:")
    assert not (tmp_path / "c.iso").exists()


def test_a_password_in_a_bad_value_is_never_echoed(cvmctx: Run, tmp_path: Path) -> None:
    _spec(tmp_path, '[cernvm]\nusers = [{name="a", group="b", password="s3cr:et"}]\n')
    proc = cvmctx("build", "s.toml")
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert err.startswith("s.toml:2: error[spec.separator] cernvm.users[0].password holds ':'")
    assert "s3cr" not in err and "et" not in err.split("holds")[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[cernvm]\norganisations = = 3\n', "s.toml:2: not TOML: Invalid value; fix the syntax"),
        ('[cernvm]\norganisations = [ "cms"\n',
         "s.toml:2: not TOML: Unclosed array at the end of the file; fix the syntax"),
        ('[cernvm]\n[cernvm]\n', "s.toml:2: not TOML: Cannot declare ('cernvm',) twice; fix the "
         "syntax"),
    ],
)  # fmt: skip
def test_toml_syntax_is_a_usage_error_at_its_line(
    cvmctx: Run, tmp_path: Path, text: str, message: str
) -> None:
    _spec(tmp_path, text)
    proc = cvmctx("build", "s.toml", "-o", "out.txt")
    assert proc.returncode == 2
    assert proc.stderr.decode() == f"cvmctx: error: {message}\n"
    assert not (tmp_path / "out.txt").exists()


def test_a_missing_or_binary_spec_is_a_usage_error(cvmctx: Run, tmp_path: Path) -> None:
    proc = cvmctx("build", "missing.toml")
    assert (proc.returncode, proc.stderr) == (2, b"cvmctx: error: missing.toml: no such spec\n")
    (tmp_path / "bin.toml").write_bytes(b"[cernvm]\norganisations = \xff\n")
    proc = cvmctx("build", "bin.toml")
    assert proc.returncode == 2
    assert proc.stderr == b"cvmctx: error: bin.toml: the spec is not UTF-8 text (byte 25)\n"


def test_a_missing_file_the_spec_names_is_a_usage_error(cvmctx: Run, tmp_path: Path) -> None:
    spec = _spec(tmp_path, '[cernvm]\nx509-cert = { file = "nope.pem" }\n')
    proc = cvmctx("build", spec, "-o", "out.txt")
    assert proc.returncode == 2, proc.stderr
    assert b"nope.pem" in proc.stderr and b"Traceback" not in proc.stderr
    assert not (tmp_path / "out.txt").exists()


# -- init: a starter spec that builds as it stands -------------------------------------------


@pytest.mark.parametrize(("cloud", "command", "out"), [("ec2", "build", "ud.txt"),
                                                      ("kvm", "iso", "c.iso")])  # fmt: skip
def test_init_writes_a_spec_that_builds_strict(
    cvmctx: Run, tmp_path: Path, cloud: str, command: str, out: str
) -> None:
    proc = cvmctx("init", "--for", cloud)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.decode() == f"site.toml: written; next: cvmctx {command} site.toml -o " + (
        "userdata.txt\n" if cloud == "ec2" else "context.iso\n"
    )
    spec = tmp_path / "site.toml"
    assert spec.stat().st_mode & 0o777 == 0o600
    assert spec.read_text().startswith("#:schema ")
    env = {"ROOT_PUBKEY": str(EXAMPLES / "atlas-panda" / "root.pub.example")}
    built = cvmctx(command, spec, "--strict", "-o", out, env=env)
    assert built.returncode == 0, built.stderr
    again = cvmctx("init", "--for", cloud)
    assert again.returncode == 2
    assert again.stderr == (b"cvmctx: error: site.toml: exists; give another name, or --force to "
                            b"replace it\n")  # fmt: skip
    assert cvmctx("init", "--for", cloud, "--force").returncode == 0


# -- the JSON Schema ---------------------------------------------------------------------------


def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_the_committed_schema_is_what_cvmctx_schema_prints(cvmctx: Run) -> None:
    proc = cvmctx("schema")
    assert proc.returncode == 0
    assert proc.stdout == SCHEMA.read_bytes()
    check = subprocess.run([sys.executable, "-m", "cvmctx.deploy.schema", "--check"],
                           capture_output=True, cwd=ROOT)  # fmt: skip
    assert check.returncode == 0, check.stderr


def test_a_stale_schema_fails_the_check(tmp_path: Path) -> None:
    from cvmctx.deploy.schema import main

    stale = tmp_path / "schema.json"
    stale.write_text("{}\n")
    assert main(["--check"], stale) == 1
    assert main(["--check"], tmp_path / "missing.json") == 1
    assert main(["--check"], SCHEMA) == 0


def test_the_schema_is_draft_2020_12_with_descriptions_and_defaults() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    cd = schema["$defs"]["CdTable"]["properties"]
    assert cd["label"]["default"] == "CONTEXT" and cd["label"]["description"]
    assert "null" not in json.dumps(schema)  # TOML has no null


def _example_specs() -> list[Path]:
    return sorted(EXAMPLES.rglob("*.toml")) + sorted(
        (ROOT / "cvmctx" / "templates").glob("*.toml")
    )


@pytest.mark.parametrize("spec", _example_specs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_spec_validates_against_the_schema(spec: Path) -> None:
    data = tomllib.loads(spec.read_text(encoding="utf-8"))
    errors = sorted(e.message for e in _validator().iter_errors(data))
    assert errors == []
    assert spec.read_text().startswith("#:schema ")


@pytest.mark.parametrize(
    "data",
    [{"cernvmm": {}}, {"cernvm": {"organisation": ["cms"]}}, {"cernvm": {"organisations": 5}},
     {"cernvm": {"users": [{"name": "a"}]}}, {"build": {"target": "aws"}}],
)  # fmt: skip
def test_the_schema_refuses_what_the_spec_refuses(data: dict[str, object]) -> None:
    assert list(_validator().iter_errors(data))


def test_the_schema_takes_typed_and_pasted_forms() -> None:
    for text in (TYPED, PASTED):
        assert list(_validator().iter_errors(tomllib.loads(text))) == []


# -- every example builds and validates --strict ----------------------------------------------


def test_every_example_spec_builds_and_validates_strict(cvmctx: Run, tmp_path: Path) -> None:
    # cms-ec2 reproduces the seed's example, plaintext password and all (examples/README.md)
    cms = cvmctx("build", EXAMPLES / "cms-ec2" / "spec.toml", "--strict", "-o", "cms.txt")
    assert cms.returncode == 1
    assert b"warning[cernvm.users.plaintext-password]" in cms.stderr
    atlas = cvmctx("iso", EXAMPLES / "atlas-panda" / "spec.toml", "--strict", "-o", "atlas.iso")
    assert atlas.returncode == 0, atlas.stderr
    assert cvmctx("validate", "--strict", "atlas.iso").returncode == 0
    fleet = cvmctx("fleet", EXAMPLES / "batch-cluster" / "spec.toml", "--strict", "-o", "fleet",
                   "--what", "both")  # fmt: skip
    assert fleet.returncode == 0, fleet.stderr
    built = sorted(p.relative_to(tmp_path / "fleet") for p in (tmp_path / "fleet").rglob("*")
                   if p.is_file())  # fmt: skip
    assert len(built) == 41  # 20 hosts x (context.iso, user-data) + manifest.json
    for name in ("wn001/context.iso", "wn020/user-data"):
        assert cvmctx("validate", "--strict", Path("fleet") / name).returncode == 0
    assert {p.suffix for p in EXAMPLES.rglob("*.toml")} == {".toml"}
    assert len(list(EXAMPLES.rglob("*.toml"))) == 3  # a new example spec gets a line here
