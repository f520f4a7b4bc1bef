"""Issue 13 (WIP): starting machines on an EC2-compatible cloud, against moto's EC2 server on
127.0.0.1 (a free port, started here and stopped after); nothing else is contacted."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXAMPLES

from cvmctx.diagnostics import CvmctxError
from cvmctx.launch.ec2 import Ec2Target, client, dry_run, start


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))


def _target(endpoint: str, **extra: object) -> Ec2Target:
    return Ec2Target(image="ami-03cf127a", instance_type="m1.large", region="us-east-1",
                     endpoint_url=endpoint, **extra)  # type: ignore[arg-type]  # fmt: skip


def test_the_user_data_read_back_is_the_bytes_built(endpoint: str) -> None:
    data = (EXAMPLES / "cms-ec2" / "expected-userdata.txt").read_bytes()
    target = _target(endpoint, tags={"cvmctx-spec": "abc"})
    ec2 = client(target)
    started = start(ec2, target, "cms1", data)
    attribute = ec2.describe_instance_attribute(InstanceId=started.instance_id,
                                                Attribute="userData")  # fmt: skip
    assert base64.b64decode(attribute["UserData"]["Value"]) == data  # encoded once, by boto3
    [reservation] = ec2.describe_instances(InstanceIds=[started.instance_id])["Reservations"]
    tags = {t["Key"]: t["Value"] for t in reservation["Instances"][0]["Tags"]}
    assert tags == {"Name": "cms1", "cvmctx-spec": "abc"}


def test_dry_run_starts_nothing(endpoint: str) -> None:
    target = _target(endpoint)
    ec2 = client(target)
    before = len(ec2.describe_instances()["Reservations"])
    dry_run(ec2, target, b"[amiconfig]\n")
    assert len(ec2.describe_instances()["Reservations"]) == before


def test_an_endpoint_that_does_not_answer_is_one_line_with_the_fix() -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    target = _target(closed)
    with pytest.raises(CvmctxError) as refused:
        start(client(target), target, "x", b"[amiconfig]\n")
    assert str(refused.value) == ("cannot reach the EC2 endpoint: check --endpoint-url and "
                                  "--region")  # fmt: skip


def test_a_fleet_launches_one_machine_per_host_with_its_own_user_data(
    endpoint: str, tmp_path: Path
) -> None:
    import json
    import subprocess
    import sys

    from cvmctx.launch.record import Machine, append, fleet_userdata

    spec = EXAMPLES / "batch-cluster" / "spec.toml"
    subprocess.run([sys.executable, "-m", "cvmctx", "fleet", str(spec), "--what", "userdata",
                    "-o", str(tmp_path / "fleet"), "-q"], check=True)  # fmt: skip
    hosts = fleet_userdata(tmp_path / "fleet" / "manifest.json")
    assert [h.host for h in hosts] == [f"wn{i:03d}" for i in range(1, 21)]
    target = _target(endpoint)
    ec2 = client(target)
    started = [start(ec2, target, h.host, h.data) for h in hosts]
    for host, machine in zip(hosts, started, strict=True):
        read = ec2.describe_instance_attribute(InstanceId=machine.instance_id,
                                               Attribute="userData")  # fmt: skip
        assert base64.b64decode(read["UserData"]["Value"]) == host.data
        assert f"hostname = {host.host}.batch.example.org".encode() in host.data
    record = tmp_path / "cvmctx-launch.json"
    append(record, "ec2", {"endpoint": endpoint, "region": "us-east-1"},
           [Machine(s.host, s.instance_id, s.userdata_sha256) for s in started])  # fmt: skip
    saved = json.loads(record.read_text())
    assert len(saved["launches"][0]["machines"]) == 20
    assert record.stat().st_mode & 0o777 == 0o600
    # a user-data file changed after the fleet was built is refused before any launch
    (tmp_path / "fleet" / "wn007" / "user-data").write_bytes(b"[amiconfig]\n")
    with pytest.raises(CvmctxError, match="changed since the fleet was built"):
        fleet_userdata(tmp_path / "fleet" / "manifest.json")


def test_the_seeds_perl_example_as_one_command(
    endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from typer.testing import CliRunner

    from cvmctx.cli.app import app

    monkeypatch.delenv("X509_USER_PROXY", raising=False)
    ec2 = client(_target(endpoint))
    ec2.create_key_pair(KeyName="ami")  # the seed's key pair and security group
    ec2.create_security_group(GroupName="cernvm", Description="CernVM machines")
    record = tmp_path / "launch.json"
    result = CliRunner().invoke(app, [
        "launch", "ec2", str(EXAMPLES / "cms-ec2" / "spec.toml"), "--image", "ami-03cf127a",
        "--instance-type", "m1.large", "--key-name", "ami", "--security-group", "cernvm",
        "--endpoint-url", endpoint, "--region", "us-east-1", "--record", str(record),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    [machine] = json.loads(record.read_text())["launches"][0]["machines"]
    assert result.stdout == f"spec\t{machine['id']}\n"
    read = ec2.describe_instance_attribute(InstanceId=machine["id"], Attribute="userData")
    expected = (EXAMPLES / "cms-ec2" / "expected-userdata.txt").read_bytes()
    assert base64.b64decode(read["UserData"]["Value"]) == expected


def test_launch_instances_terminate(endpoint: str, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from cvmctx.cli.app import app

    data = tmp_path / "ud.txt"
    data.write_bytes((EXAMPLES / "cms-ec2" / "expected-userdata.txt").read_bytes())
    record = tmp_path / "launch.json"
    runner = CliRunner()
    launched = runner.invoke(app, ["launch", "ec2", str(data), "--image", "ami-03cf127a",
                                   "--count", "3", "--endpoint-url", endpoint, "--region",
                                   "us-east-1", "--record", str(record)])  # fmt: skip
    assert launched.exit_code == 0, launched.output
    assert [line.split("\t")[0] for line in launched.stdout.splitlines()] == ["ud-1", "ud-2",
                                                                             "ud-3"]  # fmt: skip
    shown = runner.invoke(app, ["instances", "--format", "json", str(record)])
    assert shown.exit_code == 0, shown.output
    assert [m["state"] for m in json.loads(shown.stdout)["machines"]] == ["running"] * 3
    refused = runner.invoke(app, ["terminate", str(record)])  # not a terminal, no --yes
    assert refused.exit_code == 2
    one = runner.invoke(app, ["terminate", str(record), "--host", "ud-2", "--yes"])
    assert one.exit_code == 0, one.output
    left = json.loads(record.read_text())["launches"][0]["machines"]
    assert [m["host"] for m in left] == ["ud-1", "ud-3"]
    rest = runner.invoke(app, ["terminate", str(record), "--yes"])
    assert rest.exit_code == 0, rest.output
    assert json.loads(record.read_text())["launches"] == []
    ec2 = client(_target(endpoint))
    ids = [line.split("\t")[1] for line in launched.stdout.splitlines()]
    states = {i["InstanceId"]: i["State"]["Name"] for r in ec2.describe_instances(
        InstanceIds=ids)["Reservations"] for i in r["Instances"]}  # fmt: skip
    assert set(states.values()) <= {"shutting-down", "terminated"}  # none left running
