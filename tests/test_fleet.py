"""Issue 12: ``cvmctx fleet`` writes a context per host from one spec and a hosts table, each
validated like a single build, with a manifest whose hashes match the files; a rerun rewrites
only what changed, and a failing host changes nothing (or, with --keep-going, only the good)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, Run
from typer.testing import CliRunner

SPEC = """\
#:schema ../docs/cvmctx-spec.schema.json
[fleet]
hosts = "hosts.csv"

[cd]
root_pubkey = "root.pub"
variables = { NODE_INDEX = "{{ index }}" }

[cernvm]
organisations = ["cms"]

[condor]
hostname = "{{ host.name }}.{{ host.domain }}"
condor_master = "{{ host.master }}"
condor_secret = "pool-secret"
"""
HOSTNAME_LINE = SPEC.splitlines().index('hostname = "{{ host.name }}.{{ host.domain }}"') + 1


def _hosts(count: int, bad: dict[int, str] | None = None) -> str:
    rows = ["name,domain,master"]
    for i in range(1, count + 1):
        domain = (bad or {}).get(i, "batch.example.org")
        rows.append(f"wn{i:03d},{domain},cm.batch.example.org")
    return "\n".join(rows) + "\n"


def _site(tmp_path: Path, count: int, bad: dict[int, str] | None = None) -> Path:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "spec.toml").write_text(SPEC)
    (site / "hosts.csv").write_text(_hosts(count, bad))
    (site / "root.pub").write_bytes((EXAMPLES / "atlas-panda" / "root.pub.example").read_bytes())
    return site / "spec.toml"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _state(out: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file under ``out``: (inode, mtime, bytes), to see what a run rewrote."""
    return {str(p.relative_to(out)): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(out.rglob("*")) if p.is_file()}  # fmt: skip


def _inspect(path: Path) -> dict[str, Any]:
    """``cvmctx inspect --format json`` in this process (200 subprocesses would be slow)."""
    from cvmctx.cli.app import app

    result = CliRunner().invoke(app, ["inspect", "--format", "json", str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_a_fleet_of_200_hosts(cvmctx: Run, tmp_path: Path) -> None:
    spec = _site(tmp_path, 200)
    proc = cvmctx("fleet", spec, "-o", "fleet", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr.decode().splitlines()
    assert err[-1] == "200 of 200 hosts built, 200 file(s) written, 0 failed; fleet/manifest.json"
    out = tmp_path / "fleet"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["spec"] == {"path": "../site/spec.toml", "sha256": _sha256(spec)}
    assert manifest["hosts_table"]["sha256"] == _sha256(spec.parent / "hosts.csv")
    assert [h["name"] for h in manifest["hosts"]] == [f"wn{i:03d}" for i in range(1, 201)]
    for index, host in enumerate(manifest["hosts"]):
        assert (host["status"], host["index"], host["findings"]) == ("ok", index, [])
        [entry] = host["files"]
        image = out / entry["path"]
        assert entry["path"] == f"{host['name']}/context.iso"
        assert (entry["size"], entry["sha256"]) == (image.stat().st_size, _sha256(image))
        assert image.stat().st_mode & 0o777 == 0o600
        seen = _inspect(image)
        assert f"hostname = {host['name']}.batch.example.org" in seen["user_data"]
        assert seen["variables"]["NODE_INDEX"] == str(index)
        assert "condor_secret = ********" in seen["user_data"]  # the secret is never printed
    names = [f"wn{i:03d}" for i in range(1, 201)]
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", *names]
    # the same through the real command line, for one of them
    shown = cvmctx("inspect", out / "wn117" / "context.iso")
    assert b"hostname = wn117.batch.example.org" in shown.stdout

    # a rerun writes nothing; one host changed rewrites that host's CD only
    before = _state(out)
    again = cvmctx("fleet", spec, "-o", "fleet", "--jobs", "2", "--quiet")
    assert (again.returncode, again.stderr) == (0, b"")
    assert _state(out) == before
    hosts = spec.parent / "hosts.csv"
    text = hosts.read_text().replace("wn042,batch.example.org", "wn042,other.example.org")
    hosts.write_text(text)
    third = cvmctx("fleet", spec, "-o", "fleet", "--jobs", "2")
    assert third.returncode == 0, third.stderr
    assert third.stderr.decode().splitlines()[-1].startswith("200 of 200 hosts built, 1 file(s)")
    after = _state(out)
    changed = sorted(name for name in before if before[name] != after[name])
    assert changed == ["manifest.json", "wn042/context.iso"]
    assert "hostname = wn042.other.example.org" in _inspect(out / "wn042/context.iso")["user_data"]


def test_a_bad_host_stops_the_run_and_changes_nothing(cvmctx: Run, tmp_path: Path) -> None:
    spec = _site(tmp_path, 6)
    assert cvmctx("fleet", spec, "-o", "fleet").returncode == 0
    before = _state(tmp_path / "fleet")
    _site(tmp_path, 6, bad={4: "bad domain.org"})  # wn004's hostname gets a space
    proc = cvmctx("fleet", "site/spec.toml", "-o", "fleet", "--jobs", "1")
    assert proc.returncode == 1
    err = proc.stderr.decode().splitlines()
    assert f"site/spec.toml:{HOSTNAME_LINE}: error[condor.hostname.format] the guest expects a " \
           "host name such as node1.example.org" in err  # fmt: skip
    assert "cvmctx: error: host 'wn004': the user data has findings that fail the build" in err
    assert err[-1] == ("cvmctx: error: host 'wn004' failed; nothing in fleet was changed "
                       "(--keep-going writes the good hosts)")  # fmt: skip
    assert _state(tmp_path / "fleet") == before
    assert not [p for p in tmp_path.rglob("*") if ".staging" in p.name or p.name.startswith(".")]


def test_a_bad_host_in_a_new_fleet_leaves_no_directory(cvmctx: Run, tmp_path: Path) -> None:
    spec = _site(tmp_path, 3, bad={2: "bad domain.org"})
    proc = cvmctx("fleet", spec, "-o", "fleet")
    assert proc.returncode == 1
    assert b"host 'wn002'" in proc.stderr
    assert not (tmp_path / "fleet").exists()


def test_keep_going_writes_the_good_hosts_and_exits_1(cvmctx: Run, tmp_path: Path) -> None:
    spec = _site(tmp_path, 5, bad={2: "bad domain.org", 5: "x y"})
    proc = cvmctx("fleet", spec, "-o", "fleet", "--keep-going")
    assert proc.returncode == 1
    err = proc.stderr.decode().splitlines()
    assert "cvmctx: error: host 'wn002': the user data has findings that fail the build" in err
    assert "cvmctx: error: host 'wn005': the user data has findings that fail the build" in err
    assert err[-1] == "3 of 5 hosts built, 3 file(s) written, 2 failed; fleet/manifest.json"
    out = tmp_path / "fleet"
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "wn001", "wn003", "wn004"]
    manifest = json.loads((out / "manifest.json").read_text())
    status = {h["name"]: h["status"] for h in manifest["hosts"]}
    assert status == {"wn001": "ok", "wn002": "failed", "wn003": "ok", "wn004": "ok",
                      "wn005": "failed"}  # fmt: skip
    failed = manifest["hosts"][1]
    assert failed["files"] == [] and failed["stale"] is False
    assert [(f["code"], f["line"], f["source"]) for f in failed["findings"]] == [
        ("condor.hostname.format", HOSTNAME_LINE, "../site/spec.toml")
    ]


def test_what_both_writes_user_data_that_validates(cvmctx: Run, tmp_path: Path) -> None:
    spec = _site(tmp_path, 2)
    proc = cvmctx("fleet", spec, "-o", "fleet", "--what", "both", "--strict")
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "fleet"
    assert sorted(p.name for p in (out / "wn002").iterdir()) == ["context.iso", "user-data"]
    data = (out / "wn002" / "user-data").read_bytes()
    assert b"hostname = wn002.batch.example.org\n" in data
    assert cvmctx("validate", "--strict", out / "wn002" / "user-data").returncode == 0
    assert (out / "wn002" / "user-data").stat().st_mode & 0o777 == 0o600
    assert (out / "manifest.json").stat().st_mode & 0o777 == 0o600
    only = cvmctx("fleet", spec, "-o", "ud", "--what", "userdata")
    assert only.returncode == 0, only.stderr
    assert sorted(p.name for p in (tmp_path / "ud" / "wn001").iterdir()) == ["user-data"]
    assert (tmp_path / "ud" / "wn001" / "user-data").read_bytes() == (
        out / "wn001" / "user-data").read_bytes()  # fmt: skip


def test_the_same_inputs_give_the_same_bytes(cvmctx: Run, tmp_path: Path) -> None:
    spec = _site(tmp_path, 4)
    cvmctx("fleet", spec, "-o", "a", "--jobs", "1")
    cvmctx("fleet", spec, "-o", "b", "--jobs", "2", env={"TZ": "Asia/Tokyo"})
    a, b = _state(tmp_path / "a"), _state(tmp_path / "b")
    assert {k: v[2] for k, v in a.items()} == {k: v[2] for k, v in b.items()}


def test_hosts_no_longer_in_the_table_stay_until_prune(cvmctx: Run, tmp_path: Path) -> None:
    spec = _site(tmp_path, 4)
    cvmctx("fleet", spec, "-o", "fleet")
    _site(tmp_path, 2)
    proc = cvmctx("fleet", spec, "-o", "fleet")
    assert proc.returncode == 0
    assert ("2 host(s) of the previous run are not in the table and were left in place "
            "(--prune removes them): wn003, wn004") in proc.stderr.decode()  # fmt: skip
    manifest = json.loads((tmp_path / "fleet" / "manifest.json").read_text())
    assert [(h["name"], h["status"]) for h in manifest["hosts"]][2:] == [
        ("wn003", "not-in-table"), ("wn004", "not-in-table")]  # fmt: skip
    pruned = cvmctx("fleet", spec, "-o", "fleet", "--prune")
    assert b"removed 2 host(s) no longer in the table" in pruned.stderr
    assert sorted(p.name for p in (tmp_path / "fleet").iterdir()) == [
        "manifest.json", "wn001", "wn002"]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "table", "line", "code", "message"),
    [
        ("hosts.csv", "name,domain,master\nwn1,a.org,m\na/b,a.org,m\n", 3, "hosts.unsafe-name",
         "host 2: its name holds '/' or '\\', so it cannot be its directory"),
        ("hosts.csv", "name,domain,master\nwn1,a.org,m\nWN1,a.org,m\n", 3, "hosts.duplicate-name",
         "host 'WN1' has the name of the host on line 2 (names may differ only in case)"),
        ("hosts.csv", "host,domain,master\nwn1,a.org,m\n", 1, "hosts.no-name",
         "the header has no 'name' column (it has: host, domain, master)"),
        ("hosts.json", '[\n {"name": "wn1"},\n {"name": ".."}\n]\n', 3, "hosts.unsafe-name",
         "host 2: its name is empty, '.' or '..', so it cannot be its directory"),
        ("hosts.toml", '[[hosts]]\nname = "wn1"\n\n[[hosts]]\nname = "x y"\n', 4,
         "hosts.unsafe-name", "host 2: its name holds whitespace or a control character, so it "
         "cannot be its directory"),
    ],
)  # fmt: skip
def test_a_bad_hosts_table_is_a_finding_at_its_line(
    cvmctx: Run, tmp_path: Path, name: str, table: str, line: int, code: str, message: str
) -> None:
    spec = _site(tmp_path, 1)
    (spec.parent / name).write_text(table)
    proc = cvmctx("fleet", spec, "--hosts", spec.parent / name, "-o", "fleet")
    assert proc.returncode == 1
    first = proc.stderr.decode().splitlines()[0]
    assert first == f"{spec.parent / name}:{line}: error[{code}] {message}"
    assert not (tmp_path / "fleet").exists()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("name,domain,master\nwn1,a.org\n", "hosts.csv:2: the row has 2 field(s), the header 3; "
         "quote a field that holds ','"),
        ("name,domain,master\nwn1,a.org,m,x\n", "hosts.csv:2: the row has 4 field(s), the header "
         "3; quote a field that holds ','"),
    ],
)  # fmt: skip
def test_a_short_or_long_csv_row_is_a_usage_error(
    cvmctx: Run, tmp_path: Path, table: str, message: str
) -> None:
    # a missing field would render as an empty string: refused, as an undefined variable is
    spec = _site(tmp_path, 1)
    (spec.parent / "hosts.csv").write_text(table)
    proc = cvmctx("fleet", "spec.toml", "-o", "fleet", cwd=spec.parent)
    assert proc.returncode == 2
    assert proc.stderr.decode() == f"cvmctx: error: {message}\n"


def test_an_undefined_column_names_the_host_line_and_key(cvmctx: Run, tmp_path: Path) -> None:
    spec = _site(tmp_path, 2)
    spec.write_text(SPEC.replace("host.master", "host.mastr"))
    proc = cvmctx("fleet", "spec.toml", "-o", "fleet", "--jobs", "1", cwd=spec.parent)
    assert proc.returncode == 1
    assert proc.stderr.decode().splitlines()[0] == (
        f"spec.toml:{HOSTNAME_LINE + 1}: error[spec.template] condor.condor_master: the "
        "template does not render for host 'wn001' (hosts.csv line 2): no column 'mastr'"
    )
    assert not (spec.parent / "fleet").exists()


def test_fleet_needs_a_hosts_table(cvmctx: Run, tmp_path: Path) -> None:
    spec = tmp_path / "s.toml"
    spec.write_text('[cernvm]\norganisations = ["cms"]\n')
    proc = cvmctx("fleet", spec, "-o", "fleet")
    assert proc.returncode == 2
    assert proc.stderr == (b"cvmctx: error: give the hosts table: --hosts FILE (or [fleet] hosts "
                           b"in the spec)\n")  # fmt: skip


def test_plain_lines_in_ci_one_per_host(cvmctx: Run, tmp_path: Path) -> None:
    spec = _site(tmp_path, 3)
    proc = cvmctx("fleet", spec, "-o", "fleet", "--jobs", "1", env={"CI": "true"})
    lines = proc.stderr.decode().splitlines()
    assert lines[:3] == [f"wn00{i}: context.iso {os.path.getsize(tmp_path / 'fleet' / f'wn00{i}' / 'context.iso')} B (written)" for i in (1, 2, 3)]  # noqa: E501


def test_the_fleet_in_docs_deploy_md_builds_as_shown(cvmctx: Run, tmp_path: Path) -> None:
    page = (EXAMPLES.parent / "docs" / "deploy.md").read_text(encoding="utf-8")
    spec = page.split("## 3. From one machine to 200")[1].split("```toml\n")[1].split("```")[0]
    (tmp_path / "site.toml").write_text(spec)
    key = EXAMPLES / "atlas-panda" / "root.pub.example"
    (tmp_path / "root.pub").write_bytes(key.read_bytes())
    (tmp_path / "pool-secret").write_text("a-pool-secret\n")
    (tmp_path / "hosts.csv").write_text(_hosts(3).replace(",master", ",condor_master"))
    proc = cvmctx("fleet", "site.toml", "-o", "fleet/", "--strict")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.decode().splitlines()[-1] == (
        "3 of 3 hosts built, 6 file(s) written, 0 failed; fleet/manifest.json"
    )
    assert b"a-pool-secret" not in (tmp_path / "fleet" / "manifest.json").read_bytes()
