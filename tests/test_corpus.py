"""The bad-input corpus (tests/bad-inputs, issue 4 item 5): every input NAME.EXT is validated
through the library and through the CLI, and must give exactly the findings its NAME.expected
lists, in report order, with the exit code it names. Together the inputs cover every code
``cvmctx validate`` can produce; no report ever holds the secret marker of the inputs.

``NAME.expected``: a first line ``# exit N``, then one ``CODE LINE`` per finding (``-`` when the
finding has no line; a line counts in the layer the finding names, e.g. context.sh). The inputs
are written by ``tests/bad-inputs/make.py``; the expectations are edited by hand.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
from catalogrefs import referenced
from conftest import _FROM_THE_CALLER, Run

from cvmctx.api import validate_bytes, validate_file
from cvmctx.diagnostics import exit_code

CORPUS = Path(__file__).parent / "bad-inputs"
SCHEMA_FILE = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
SUFFIXES = (".txt", ".b64", ".gz", ".sh", ".iso")
INPUTS = sorted(p for p in CORPUS.iterdir() if p.suffix in SUFFIXES)
NAMES = [p.name for p in INPUTS]
MARKER = "CorpusS3cret"  # every secret in the inputs holds it (make.py)
MIN_INPUTS = 70

# Codes only `build`/`iso` can give: out of scope for validate.
# spec.* and hosts.* judge deployment specs and hosts tables, never user data: they are
# covered by tests/test_spec.py and tests/test_fleet.py.
BUILD_ONLY = ("build.", "size.", "encoding.", "spec.", "hosts.")
# Codes validate can give but no committed input can carry, and why.
NOT_IN_CORPUS: dict[str, str] = {
    "input.too-large": "needs an input over 16 MiB: test_too_large_input makes one at test time",
    "report.truncated": "needs over 100 findings of one code: test_hostile_round2.py makes "
    "such inputs at test time",
}
# Codes the code base has that validate never gives, and why.
UNREACHABLE: dict[str, str] = {
    "<section>.<key>.empty-quotes": "the INI reader turns a value of exactly \"\" into the empty "
    "string before any codec sees it (ini.py _add_option); only build --set hands '\"\"' over",
    "<section>.<key>.inline-comment": "the INI reader has already cut the value at the first "
    "' ;' (ini.py cut_inline_comment, the same rule), and a stripped value cannot end in the "
    "whitespace that makes a leading ';' cut; only build --set hands such a value over",
    "input.unreadable": "a file that cannot be read has no bytes to put in the corpus "
    "(tests/test_new_user.py covers it through the CLI)",
    "iso.public-key-wins": "only `cvmctx iso` gives it (--root-pubkey with --public-key); a "
    "context.sh setting both gives contextsh.public-key-wins",
    "script.exit-added": "build mode only (make_script adds the exit to --script)",
    "script.shebang-replaced": "build mode only (make_script rewrites the --script shebang)",
    "script.unanalysed": "build mode only (validate says script.exit-unproven)",
    "script.syntax-unchecked": "only when bash is missing or `bash -n` takes over 10 s: a "
    "property of the host, not of the input (tests/test_script.py covers it)",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# ---------------------------------------------------------------------------- expectations


@dataclass(frozen=True)
class Expected:
    exit: int
    findings: list[tuple[str, int | None]]


def expected(path: Path) -> Expected:
    lines = path.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    head = re.fullmatch(r"# exit ([01])", lines[0]) if lines else None
    assert head is not None, f"{path.stem}.expected: the first line must be '# exit 0|1'"
    findings: list[tuple[str, int | None]] = []
    for number, line in enumerate(lines[1:], start=2):
        match = re.fullmatch(r"([a-z0-9_.-]+) (-|[1-9][0-9]*)", line)
        assert match is not None, f"{path.stem}.expected:{number}: not 'CODE LINE': {line!r}"
        code, where = match.groups()
        findings.append((code, None if where == "-" else int(where)))
    return Expected(int(head.group(1)), findings)


# ---------------------------------------------------------------------------- the CLI


def _cli(*args: str, cwd: Path = CORPUS) -> subprocess.CompletedProcess[bytes]:
    """``python -m cvmctx ARGS`` with the environment the ``cvmctx`` fixture gives."""
    env = {k: v for k, v in os.environ.items() if k not in _FROM_THE_CALLER}
    env.update({"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb", "GITHUB_ACTIONS": ""})
    return subprocess.run(
        [sys.executable, "-m", "cvmctx", *args],
        input=b"",
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def json_runs() -> Iterator[dict[str, Future[subprocess.CompletedProcess[bytes]]]]:
    """One ``validate --format json FILE`` per input, run in parallel, each awaited by its test."""
    pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
    try:
        yield {n: pool.submit(_cli, "validate", "--format", "json", n) for n in NAMES}
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="module")
def text_report() -> dict[str, str]:
    """One ``validate --format text`` over the whole corpus, split into each file's block."""
    proc = _cli("validate", "--format", "text", *NAMES)
    assert proc.returncode == 1
    assert b"Traceback" not in proc.stderr, proc.stderr.decode(errors="replace")
    out = proc.stdout.decode("utf-8")
    starts = []
    at = 0
    for name in NAMES:  # each block opens with the line "NAME: layers"
        at = out.index(f"\n{name}: " if at else f"{name}: ", at)
        starts.append(at)
    blocks = [out[a:b] for a, b in zip(starts, [*starts[1:], len(out)], strict=True)]
    assert MARKER not in proc.stderr.decode("utf-8", "replace")
    return dict(zip(NAMES, blocks, strict=True))


# ---------------------------------------------------------------------------- tests


def test_corpus_is_complete() -> None:
    """At least 70 inputs, each with its expectation, together covering every validate code."""
    assert len(INPUTS) >= MIN_INPUTS, len(INPUTS)
    stems = [p.stem for p in INPUTS]
    assert len(set(stems)) == len(stems), "two inputs share a NAME"
    orphans = {p.stem for p in CORPUS.glob("*.expected")} - set(stems)
    assert not orphans, f".expected without an input: {sorted(orphans)}"
    for path in INPUTS:
        assert path.with_suffix(".expected").is_file(), f"{path.name} has no .expected"

    found = {code for path in INPUTS for code, _ in expected(path).findings} | set(NOT_IN_CORPUS)
    codes = {c for c in referenced() if not c.startswith(BUILD_ONLY)}
    missing = sorted(c for c in codes - set(UNREACHABLE) if not _covered(c, found))
    assert not missing, f"no corpus input gives: {missing}"
    stale = sorted(set(UNREACHABLE) - codes)
    assert not stale, f"UNREACHABLE names codes the code base no longer has: {stale}"
    reached = sorted(c for c in UNREACHABLE if _covered(c, found))
    assert not reached, f"UNREACHABLE codes that an input does give: {reached}"
    unknown = sorted(c for c in found if not any(_covered(p, {c}) for p in codes))
    assert not unknown, f".expected names codes the code base does not have: {unknown}"


def _covered(pattern: str, found: set[str]) -> bool:
    """Whether a code, or a pattern such as ``<section>.<key>.fields``, is among ``found``
    (``<section>`` is one name, ``<key>`` may hold dots: tcpbuffers' net.core.rmem_max)."""
    regex = "".join(
        r"[^.]+" if part == "<section>" else ".+" if part.startswith("<") else re.escape(part)
        for part in re.split(r"(<[a-z]+>)", pattern)
        if part
    )
    return any(re.fullmatch(regex, code) for code in found)


@pytest.mark.parametrize("name", NAMES)
def test_input_through_api(name: str) -> None:
    path = CORPUS / name
    want = expected(path)
    result = validate_bytes(path.read_bytes(), name)
    got = [(d.code, d.line) for d in result.report.sorted()]
    assert got == want.findings
    assert exit_code([result.report]) == want.exit


@pytest.mark.parametrize("name", NAMES)
def test_input_through_cli(
    name: str, json_runs: dict[str, Future[subprocess.CompletedProcess[bytes]]]
) -> None:
    proc = json_runs[name].result()
    stderr = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    assert stderr == ""
    stdout = proc.stdout.decode("utf-8")
    assert MARKER not in stdout
    doc = json.loads(stdout)
    (report,) = doc["files"]
    assert report["path"] == name
    got = [(f["code"], f["line"]) for f in report["findings"]]
    want = expected(CORPUS / name)
    assert got == want.findings
    assert proc.returncode == want.exit


@pytest.mark.parametrize("name", NAMES)
def test_text_report_holds_no_secret(name: str, text_report: dict[str, str]) -> None:
    block = text_report[name]
    assert block.startswith((f"{name}: ", f"\n{name}: "))
    assert MARKER not in block


@pytest.mark.parametrize("name", NAMES)
def test_text_report_prints_no_control_characters(
    name: str, text_report: dict[str, str]
) -> None:
    assert _CONTROL.search(text_report[name]) is None


def test_sarif_report_of_the_whole_corpus() -> None:
    """One SARIF log for every input: valid SARIF 2.1.0, one result per finding, no secret."""
    proc = _cli("validate", "--format", "sarif", *NAMES)
    assert proc.returncode == 1
    assert proc.stderr == b"", proc.stderr.decode(errors="replace")
    assert MARKER not in proc.stdout.decode("utf-8")
    log = json.loads(proc.stdout)
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, "\n".join(str(e) for e in errors[:3])
    (run,) = log["runs"]
    assert [a["location"]["uri"] for a in run["artifacts"]] == NAMES
    want = [c for p in INPUTS for c, _ in expected(p).findings]
    assert sorted(r["ruleId"] for r in run["results"]) == sorted(want)


def test_github_report_of_the_whole_corpus() -> None:
    proc = _cli("validate", "--format", "github", *NAMES)
    assert proc.returncode == 1
    assert proc.stderr == b"", proc.stderr.decode(errors="replace")
    out = proc.stdout.decode("utf-8")
    assert MARKER not in out
    assert len(out.splitlines()) == sum(len(expected(p).findings) for p in INPUTS) + 1


def test_too_large_input(cvmctx: Run, tmp_path: Path) -> None:
    """100 MB (sparse: nothing is written) is a finding, not a crash, and is not read whole."""
    big = tmp_path / "huge.txt"
    with big.open("wb") as handle:
        handle.truncate(100 * 1000 * 1000)
    result = validate_file(big)
    assert [(d.code, d.line) for d in result.report.sorted()] == [("input.too-large", None)]
    proc = cvmctx("validate", "--format", "json", big)
    assert b"Traceback" not in proc.stderr
    assert proc.returncode == 1
    findings = json.loads(proc.stdout)["files"][0]["findings"]
    assert [(f["code"], f["line"]) for f in findings] == [("input.too-large", None)]
    text = cvmctx("validate", big)
    assert (text.returncode, text.stderr) == (1, b"")
    assert b"input.too-large" in text.stdout


def test_make_py_writes_the_committed_inputs(tmp_path: Path) -> None:
    """The generator is deterministic and the committed inputs are what it writes."""
    proc = subprocess.run(
        [sys.executable, str(CORPUS / "make.py"), "--out", str(tmp_path)],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == NAMES
    changed = [n for n in NAMES if (tmp_path / n).read_bytes() != (CORPUS / n).read_bytes()]
    assert not changed, f"make.py writes other bytes for: {changed}"
