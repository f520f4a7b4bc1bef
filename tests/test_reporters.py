"""validate's machine reports beyond JSON: a SARIF 2.1.0 log and GitHub Actions annotations."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import Run

from cvmctx import __version__
from cvmctx.api import FileResult
from cvmctx.catalog import entry_for
from cvmctx.catalog.code import docs_dir
from cvmctx.diagnostics import Diagnostic, Report, Severity
from cvmctx.report.github import github_annotation, to_github

SCHEMA_FILE = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"

# Several findings of both severities, one of them holding a password that must stay out.
SECRET = "Sup3rSecretPw"
USER_DATA = (
    "[amiconfig]\n"
    "plugins = a,b\n"  # one name to the guest, so [cernvm] is not enabled
    "[CernVM]\n"
    "proxy = http://q:3128 ;DIRECT\n"
    "[cernvm]\n"
    "keyboard = us\n"
    f"users = alice:wheel:{SECRET}\n"
).encode()
# (ruleId, level, line, column) in file order.
EXPECTED = [
    ("amiconfig.plugins.comma", "error", 2, 11),
    ("ini.section-case", "error", 3, 2),
    ("ini.inline-comment", "error", 4, 23),
    ("plugin.not-enabled", "warning", 5, 1),
    ("cernvm.users.plaintext-password", "warning", 7, 21),
]
NO_GITHUB = {"GITHUB_ACTIONS": ""}  # the runner's own variable must not leak into these runs

# A context.sh whose line 2 the guest would expand; line 1 of the user data has a finding too.
INNER = b"[cernvm]\nshell = /bin/bash\n"
CONTEXT_SH = b'ONE=1\nTWO="$HOME"\nEC2_USER_DATA=' + base64.b64encode(INNER) + b"\n"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    assert "2.1.0" in schema["title"]
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def _sarif(
    cvmctx: Run,
    validator: jsonschema.Draft4Validator,
    *args: str | Path,
    code: int = 1,
    stdin: bytes | None = None,
) -> dict[str, Any]:
    proc = cvmctx("validate", "--format", "sarif", *args, env=NO_GITHUB, stdin=stdin)
    assert proc.returncode == code, proc.stderr.decode()
    if code != 2:  # an unreadable file is one line on stderr; stdout stays a whole log
        assert proc.stderr == b""
    log: dict[str, Any] = json.loads(proc.stdout)
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, "\n".join(str(e) for e in errors[:3])
    return log


def _iso(tmp_path: Path, context_sh: bytes) -> Path:
    from cvmctx.cd.image import CdFile, build_image

    iso = tmp_path / "context.iso"
    iso.write_bytes(build_image([CdFile("context.sh", context_sh)], "CONTEXT", 1700000000))
    return iso


# ---------------------------------------------------------------------------------- SARIF


def test_sarif_log_is_valid_and_complete(
    cvmctx: Run, validator: jsonschema.Draft4Validator, tmp_path: Path
) -> None:
    (tmp_path / "u.txt").write_bytes(USER_DATA)
    log = _sarif(cvmctx, validator, "u.txt")
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("cvmctx", __version__)
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [e[0] for e in EXPECTED]  # one per distinct code
    assert [r["defaultConfiguration"]["level"] for r in rules] == [e[1] for e in EXPECTED]
    assert all(r["shortDescription"]["text"] for r in rules)
    assert run["artifacts"] == [
        {
            "location": {"uri": "u.txt", "uriBaseId": "%SRCROOT%"},
            "roles": ["analysisTarget"],
            "properties": {"layers": ["text"]},
        }
    ]
    got = []
    for i, result in enumerate(run["results"]):
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {
            "uri": "u.txt",
            "uriBaseId": "%SRCROOT%",
            "index": 0,
        }
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        region = physical["region"]
        got.append((result["ruleId"], result["level"], region["startLine"], region["startColumn"]))
        assert set(region) == {"startLine", "startColumn"}  # no snippet, ever
        assert "properties" not in result, i
    assert got == EXPECTED
    for rule in rules:  # each rule's help is its docs/diagnostics.md entry, and points there
        entry = entry_for(rule["id"])
        assert entry is not None, rule["id"]
        assert rule["helpUri"] == f"{(docs_dir() / 'diagnostics.md').as_uri()}#{entry.anchor}"
        assert rule["help"]["text"] == entry.text
        assert rule["help"]["markdown"].startswith(("**error.**", "**warning.**", "**info.**"))
        assert "](guest.md" not in rule["help"]["markdown"]  # links work away from the page
        assert rule["fullDescription"]["text"] == entry.summary
        assert entry.summary and "**" not in entry.summary
    inline = run["results"][2]
    assert inline["message"]["text"] == (
        "' ;' starts a comment on the guest: everything from this ';' on is lost Hint: remove "
        "the whitespace before ';' (write 'a;b'), or put the comment on its own line"
    )
    assert inline["locations"][0]["logicalLocations"] == [{"fullyQualifiedName": "CernVM.proxy"}]


def test_sarif_never_holds_a_secret_or_a_snippet(
    cvmctx: Run, validator: jsonschema.Draft4Validator, tmp_path: Path
) -> None:
    (tmp_path / "u.txt").write_bytes(USER_DATA)
    out = json.dumps(_sarif(cvmctx, validator, "u.txt"))
    assert SECRET not in out
    assert "snippet" not in out and "contents" not in out
    assert "http://q:3128" not in out  # no line of the file is copied


def test_sarif_source_finding_in_an_iso_claims_no_line_of_the_iso(
    cvmctx: Run, validator: jsonschema.Draft4Validator, tmp_path: Path
) -> None:
    iso = _iso(tmp_path, CONTEXT_SH)
    log = _sarif(cvmctx, validator, iso.name)
    (run,) = log["runs"]
    assert run["artifacts"][0]["properties"] == {"layers": ["iso", "context.sh", "base64", "text"]}
    by_rule = {r["ruleId"]: r for r in run["results"]}
    expansion = by_rule["contextsh.expansion"]
    physical = expansion["locations"][0]["physicalLocation"]
    assert physical == {
        "artifactLocation": {"uri": "context.iso", "uriBaseId": "%SRCROOT%", "index": 0}
    }  # the artifact is the file given, with no region in it
    assert expansion["properties"] == {
        "source": "context.sh",
        "layerRegion": {"layer": "context.sh", "startLine": 2, "startColumn": 6},
    }
    # A line of the decoded user data is not a line of the ISO either.
    inner = by_rule["plugin.not-enabled"]
    assert "region" not in inner["locations"][0]["physicalLocation"]
    assert inner["properties"] == {
        "layerRegion": {"layer": "text", "startLine": 1, "startColumn": 1}
    }
    assert by_rule["contextsh.no-one-context-path"]["level"] == "note"  # info -> note


def test_sarif_context_sh_given_as_the_file_keeps_its_lines(
    cvmctx: Run, validator: jsonschema.Draft4Validator, tmp_path: Path
) -> None:
    """When context.sh is the file itself, its lines are the file's lines; the user data
    decoded from it is still a layer inside."""
    (tmp_path / "context.sh").write_bytes(CONTEXT_SH)
    (run,) = _sarif(cvmctx, validator, "context.sh")["runs"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    physical = by_rule["contextsh.expansion"]["locations"][0]["physicalLocation"]
    assert physical["region"] == {"startLine": 2, "startColumn": 6}
    assert by_rule["contextsh.expansion"]["properties"] == {"source": "context.sh"}
    assert "region" not in by_rule["plugin.not-enabled"]["locations"][0]["physicalLocation"]


def test_sarif_paths_absolute_stdin_and_clean(
    cvmctx: Run, validator: jsonschema.Draft4Validator, tmp_path: Path
) -> None:
    sub = tmp_path / "my dir"
    sub.mkdir()
    (sub / "u.txt").write_bytes(USER_DATA)
    log = _sarif(cvmctx, validator, sub / "u.txt", "-", "my dir/u.txt", stdin=USER_DATA)
    (run,) = log["runs"]
    absolute, stdin, relative = run["artifacts"]
    assert absolute["location"] == {"uri": (sub / "u.txt").as_uri()}
    assert stdin == {
        "description": {"text": "standard input"},
        "roles": ["standardStream"],
        "properties": {"layers": ["text"]},
    }
    assert relative["location"] == {"uri": "my%20dir/u.txt", "uriBaseId": "%SRCROOT%"}
    assert len(run["results"]) == 3 * len(EXPECTED)
    from_stdin = run["results"][len(EXPECTED)]["locations"][0]["physicalLocation"]
    assert from_stdin == {
        "artifactLocation": {"index": 1},
        "region": {"startLine": 2, "startColumn": 11},
    }

    clean = tmp_path / "clean.txt"
    clean.write_bytes(b"[amiconfig]\nplugins = cernvm\n[cernvm]\nshell = /bin/bash\n")
    (run,) = _sarif(cvmctx, validator, clean.name, code=0)["runs"]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []


def test_sarif_exit_codes_follow_strict(
    cvmctx: Run, validator: jsonschema.Draft4Validator, tmp_path: Path
) -> None:
    (tmp_path / "w.txt").write_bytes(b"[amiconfig]\nplugins = cernvm\n[cernvm]\nusers = a:b:pw\n")
    assert _sarif(cvmctx, validator, "w.txt", code=0)["runs"][0]["results"]
    _sarif(cvmctx, validator, "--strict", "w.txt", code=1)
    partial = _sarif(cvmctx, validator, "w.txt", "missing.txt", code=2)
    # the missing file is an artifact that a tool execution notification points at (issue 10)
    run = partial["runs"][0]
    assert [a["location"]["uri"] for a in run["artifacts"]] == ["w.txt", "missing.txt"]
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["index"] == 1


# --------------------------------------------------------------------------------- GitHub


def test_github_annotation_escapes_properties_and_message() -> None:
    d = Diagnostic(
        "x.odd,code:1",
        Severity.WARNING,
        "100% sure: a,b\nnext line\r",
        line=3,
        column=4,
    )
    got = github_annotation("dir,1/a:b%.txt", d, ("text",))
    assert got == (
        "::warning file=dir%2C1/a%3Ab%25.txt,line=3,col=4,title=x.odd%2Ccode%3A1"
        "::100%25 sure: a,b%0Anext line%0D"
    )


def test_github_severities_hint_and_located_elsewhere() -> None:
    findings = [
        Diagnostic("a.error", Severity.ERROR, "bad", line=2, hint="fix: it"),
        Diagnostic("b.info", Severity.INFO, "fyi"),
        Diagnostic("c.inner", Severity.ERROR, "expands", line=2, column=6, source="context.sh"),
        Diagnostic("d.outer", Severity.ERROR, "no line", source="context.sh"),
    ]
    result = FileResult("c.iso", ("iso", "context.sh", "base64", "text"), Report(findings))
    assert to_github([result]).splitlines() == [
        "::error file=c.iso,title=a.error::decoded user data line 2: bad Hint: fix: it",
        "::error file=c.iso,title=c.inner::context.sh line 2, column 6: expands",
        "::notice file=c.iso,title=b.info::fyi",
        "::error file=c.iso,title=d.outer::context.sh: no line",
        "3 errors, 0 warnings, 1 info",
    ]
    assert to_github([result], quiet=True).splitlines() == [
        "::error file=c.iso,title=a.error::decoded user data line 2: bad Hint: fix: it",
        "::error file=c.iso,title=c.inner::context.sh line 2, column 6: expands",
        "::error file=c.iso,title=d.outer::context.sh: no line",
    ]


GITHUB_LINES = [
    "::error file=u.txt,line=2,col=11,title=amiconfig.plugins.comma::the guest splits this list "
    "on whitespace only: 'a,b' is read as one name Hint: separate names with spaces: a b",
    "::error file=u.txt,line=3,col=2,title=ini.section-case::[CernVM] is not [cernvm]: the guest "
    "looks the section up in lower case and the plugin fails with a KeyError Hint: write [cernvm]",
    "::error file=u.txt,line=4,col=23,title=ini.inline-comment::' ;' starts a comment on the "
    "guest: everything from this ';' on is lost Hint: remove the whitespace before ';' (write "
    "'a;b'), or put the comment on its own line",
    "::warning file=u.txt,line=5,col=1,title=plugin.not-enabled::the guest ignores [cernvm]: "
    "plugin 'cernvm' is not enabled (the seed says cernvm is on by default, but the guest's "
    "default.cfg enables only rootsshkeys) Hint: add 'cernvm' to [amiconfig] plugins (cvmctx "
    "build does this by default)",
    "::warning file=u.txt,line=7,col=21,title=cernvm.users.plaintext-password::the password of "
    "user 'alice' is plain text: the guest sets it with 'echo $passwd | passwd --stdin', and "
    "anyone who can read the user data can read it Hint: give a SHA-512 crypt hash: cvmctx "
    "hash-password (or build --hash-passwords)",
    "3 errors, 2 warnings, 0 infos",
]


def test_github_format_exact_lines(cvmctx: Run, tmp_path: Path) -> None:
    (tmp_path / "u.txt").write_bytes(USER_DATA)
    proc = cvmctx("validate", "--format", "github", "u.txt", env=NO_GITHUB)
    assert proc.returncode == 1
    assert proc.stdout.decode().splitlines() == GITHUB_LINES
    assert SECRET not in proc.stdout.decode()
    quiet = cvmctx("validate", "-f", "github", "-q", "u.txt", env=NO_GITHUB)
    assert quiet.stdout.decode().splitlines() == GITHUB_LINES[:3]


def test_github_chosen_under_github_actions(cvmctx: Run, tmp_path: Path) -> None:
    (tmp_path / "u.txt").write_bytes(USER_DATA)
    auto = cvmctx("validate", "u.txt", env={"GITHUB_ACTIONS": "true"})
    assert auto.returncode == 1
    assert auto.stdout.decode().splitlines() == GITHUB_LINES
    explicit_auto = cvmctx("validate", "--format", "auto", "u.txt", env={"GITHUB_ACTIONS": "true"})
    assert explicit_auto.stdout == auto.stdout

    for env in ({"GITHUB_ACTIONS": "true"}, {"GITHUB_ACTIONS": "false"}, NO_GITHUB):
        text = cvmctx("validate", "--format", "text", "u.txt", env=env)
        assert "u.txt:4:23: error[ini.inline-comment]" in text.stdout.decode()
        assert "::error" not in text.stdout.decode()
    for env in ({"GITHUB_ACTIONS": "false"}, NO_GITHUB):
        default = cvmctx("validate", "u.txt", env=env)
        assert default.stdout.startswith(b"u.txt: text\n")
        assert b"::" not in default.stdout
    as_json = cvmctx("validate", "-f", "json", "u.txt", env={"GITHUB_ACTIONS": "true"})
    assert json.loads(as_json.stdout)["version"] == 1


def test_github_source_finding_in_an_iso(cvmctx: Run, tmp_path: Path) -> None:
    iso = _iso(tmp_path, CONTEXT_SH)
    proc = cvmctx("validate", "-f", "github", iso.name, env=NO_GITHUB)
    lines = proc.stdout.decode().splitlines()
    (expansion,) = [line for line in lines if "title=contextsh.expansion" in line]
    assert expansion.startswith(
        "::error file=context.iso,title=contextsh.expansion::context.sh line 2, column 6: "
        "the value of TWO uses $"
    )
    assert lines[-1] == "1 error, 1 warning, 1 info"


def test_every_report_format_has_one_reporter() -> None:
    from cvmctx.cli.common import ReportFormat
    from cvmctx.report.reporters import REPORTER_BY_NAME

    assert set(REPORTER_BY_NAME) == {f.value for f in ReportFormat} - {"auto"}
    assert all(name == r.name for name, r in REPORTER_BY_NAME.items())
