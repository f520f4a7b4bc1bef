"""The command line as a user meets it: exit codes, one-line errors, reports, light start-up."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Run

SEED = b"#!/bin/sh\necho Done > /tmp/done\nexit\n[amiconfig]\nplugins = cernvm\n[cernvm]\n"


def _one_line_error(proc: subprocess.CompletedProcess[bytes]) -> str:
    err = proc.stderr.decode()
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("cvmctx: error:")]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("argv", [["--help"], ["validate", "{file}"], ["sections"]])
def test_start_up_does_not_import_iso_or_template_libraries(
    argv: list[str], tmp_path: Path
) -> None:
    data = tmp_path / "u.txt"
    data.write_bytes(SEED + b"shell = /bin/bash\n")
    args = [a.replace("{file}", str(data)) for a in argv]
    code = (
        "import sys\n"
        "from cvmctx.cli.app import app\n"
        f"sys.argv = ['cvmctx', *{args!r}]\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in ('pycdlib', 'jinja2') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert out.stdout.decode().splitlines()[-1] == "LOADED []"


def test_version(cvmctx: Run) -> None:
    proc = cvmctx("--version")
    assert proc.returncode == 0
    assert proc.stdout.decode().startswith("cvmctx ")


def test_validate_clean_exits_0(cvmctx: Run, tmp_path: Path) -> None:
    (tmp_path / "u.txt").write_bytes(SEED + b"shell = /bin/bash\n")
    proc = cvmctx("validate", "u.txt")
    assert proc.returncode == 0, proc.stdout.decode()
    assert "0 errors, 0 warnings" in proc.stdout.decode()


def test_validate_error_exits_1_with_code_frame(cvmctx: Run, tmp_path: Path) -> None:
    (tmp_path / "u.txt").write_bytes(SEED + b"proxy = http://p:3128 ;DIRECT\n")
    proc = cvmctx("validate", "u.txt")
    out = proc.stdout.decode()
    assert proc.returncode == 1
    assert "u.txt:7:23: error[ini.inline-comment]" in out
    assert "    7 | proxy = http://p:3128 ;DIRECT" in out
    assert "      |                       ^" in out


def test_validate_json_shape(cvmctx: Run, tmp_path: Path) -> None:
    (tmp_path / "u.txt").write_bytes(SEED + b"proxy = http://p:3128 ;DIRECT\n")
    proc = cvmctx("validate", "--format", "json", "u.txt")
    doc = json.loads(proc.stdout)
    assert doc["version"] == 1
    (entry,) = doc["files"]
    assert entry["path"] == "u.txt"
    assert entry["layers"] == ["text"]
    (finding,) = entry["findings"]
    assert finding == {
        "code": "ini.inline-comment",
        "severity": "error",
        "message": "' ;' starts a comment on the guest: everything from this ';' on is lost",
        "path": "cernvm.proxy",
        "line": 7,
        "column": 23,
        "hint": "remove the whitespace before ';' (write 'a;b'), or put the comment on its own "
        "line",
    }
    assert doc["summary"] == {"errors": 1, "warnings": 0, "infos": 0}


def test_validate_strict_fails_on_warning(cvmctx: Run, tmp_path: Path) -> None:
    (tmp_path / "u.txt").write_bytes(SEED + b"shell = /bin/bash\n[cernvm]\nkeyboard = us\n")
    assert cvmctx("validate", "u.txt").returncode == 0
    assert cvmctx("validate", "--strict", "u.txt").returncode == 1


def test_validate_stdin(cvmctx: Run) -> None:
    proc = cvmctx("validate", "-", stdin=SEED + b"shell = /bin/bash\n")
    assert proc.returncode == 0
    assert "<stdin>" in proc.stdout.decode()


def test_validate_missing_file_exits_2(cvmctx: Run) -> None:
    proc = cvmctx("validate", "nope.txt")
    assert proc.returncode == 2
    assert _one_line_error(proc) == "cvmctx: error: nope.txt: no such user-data file"


def test_validate_directory_exits_2(cvmctx: Run, tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    proc = cvmctx("validate", "d")
    assert proc.returncode == 2
    assert "is a directory" in _one_line_error(proc)


def test_build_unknown_section_suggests(cvmctx: Run) -> None:
    proc = cvmctx("build", "--section", "cernmv")
    assert proc.returncode == 2
    assert _one_line_error(proc) == (
        "cvmctx: error: --section cernmv: no such section; did you mean 'cernvm'?"
    )


def test_build_bad_set_syntax(cvmctx: Run) -> None:
    proc = cvmctx("build", "--set", "cernvm-shell")
    assert proc.returncode == 2
    assert "write SECTION.KEY=VALUE" in _one_line_error(proc)


def test_build_phase_needs_script(cvmctx: Run) -> None:
    proc = cvmctx("build", "--section", "cernvm", "--phase", "before")
    assert proc.returncode == 2
    assert _one_line_error(proc) == "cvmctx: error: --phase needs --script FILE"


def test_build_refused_value_exits_1_without_output(cvmctx: Run, tmp_path: Path) -> None:
    out = tmp_path / "ud.txt"
    proc = cvmctx("build", "--set", "amiconfig.plugins=cernvm,condor", "-o", out)
    assert proc.returncode == 1
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
    err = proc.stderr.decode()
    assert "error[amiconfig.plugins.comma]" in err
    assert "Traceback" not in err


def test_build_newline_in_value_refused(cvmctx: Run) -> None:
    proc = cvmctx("build", "--set", "cernvm.keyboard=us\n[condor]")
    assert proc.returncode == 1
    assert "error[cernvm.keyboard.newline]" in proc.stderr.decode()


def test_build_output_mode_0600_and_replaces_atomically(cvmctx: Run, tmp_path: Path) -> None:
    out = tmp_path / "ud.txt"
    out.write_text("old")
    out.chmod(0o644)
    proc = cvmctx("build", "--section", "cernvm", "--set", "cernvm.keyboard=us", "-o", out)
    assert proc.returncode == 0, proc.stderr.decode()
    assert out.read_text() == "[amiconfig]\nplugins = cernvm\n[cernvm]\nkeyboard = us\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ud.txt"]


def test_build_output_into_missing_directory_exits_2(cvmctx: Run, tmp_path: Path) -> None:
    proc = cvmctx("build", "--section", "cernvm", "-o", tmp_path / "no" / "ud.txt")
    assert proc.returncode == 2
    assert "does not exist" in _one_line_error(proc)


def test_build_no_enable_plugins(cvmctx: Run) -> None:
    proc = cvmctx("build", "--no-enable-plugins", "--set", "cernvm.keyboard=us")
    assert proc.stdout == b"[cernvm]\nkeyboard = us\n"
    assert "plugin.not-enabled" in proc.stderr.decode()


def test_sections_lists_and_describes(cvmctx: Run) -> None:
    listing = cvmctx("sections").stdout.decode()
    assert "[cernvm]" in listing and "(rootsshkeys)" in listing
    one = cvmctx("sections", "cernvm")
    assert one.returncode == 0
    text = one.stdout.decode()
    assert "x509-cert: single-line base64 (secret)" in text
    assert cvmctx("sections", "nope").returncode == 2
