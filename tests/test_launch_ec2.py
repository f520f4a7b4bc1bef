"""Issue 13: starting machines on an EC2-compatible cloud, against moto's EC2 server on
127.0.0.1 (a free port, started here and stopped after); nothing else is contacted."""

from __future__ import annotations

import base64
import hashlib
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
    return Ec2Target(
        image="ami-03cf127a",
        instance_type="m1.large",
        region="us-east-1",
        endpoint_url=endpoint,
        **extra,
    )  # type: ignore[arg-type]


def test_the_user_data_read_back_is_the_bytes_built(endpoint: str) -> None:
    data = (EXAMPLES / "cms-ec2" / "expected-userdata.txt").read_bytes()
    target = _target(endpoint, tags={"cvmctx-spec": "abc"})
    ec2 = client(target)
    started = start(ec2, target, "cms1", data)
    attribute = ec2.describe_instance_attribute(InstanceId=started.id, Attribute="userData")
    assert base64.b64decode(attribute["UserData"]["Value"]) == data  # encoded once, by boto3
    [reservation] = ec2.describe_instances(InstanceIds=[started.id])["Reservations"]
    tags = {t["Key"]: t["Value"] for t in reservation["Instances"][0]["Tags"]}
    assert tags == {
        "Name": "cms1",
        "cvmctx-spec": "abc",
        "cvmctx:userdata-sha256": hashlib.sha256(data).hexdigest(),
    }


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
    assert str(refused.value) == (
        "cannot reach the EC2 endpoint: check --endpoint-url and --region"
    )


def test_a_fleet_launches_one_machine_per_host_with_its_own_user_data(
    endpoint: str, tmp_path: Path
) -> None:
    import json
    import subprocess
    import sys

    from cvmctx.launch.record import append, fleet_userdata

    spec = EXAMPLES / "batch-cluster" / "spec.toml"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cvmctx",
            "fleet",
            str(spec),
            "--what",
            "userdata",
            "-o",
            str(tmp_path / "fleet"),
            "-q",
        ],
        check=True,
    )
    hosts = fleet_userdata(tmp_path / "fleet" / "manifest.json")
    assert [h.host for h in hosts] == [f"wn{i:03d}" for i in range(1, 21)]
    target = _target(endpoint)
    ec2 = client(target)
    started = [start(ec2, target, h.host, h.data) for h in hosts]
    for host, machine in zip(hosts, started, strict=True):
        read = ec2.describe_instance_attribute(InstanceId=machine.id, Attribute="userData")
        assert base64.b64decode(read["UserData"]["Value"]) == host.data
        assert f"hostname = {host.host}.batch.example.org".encode() in host.data
    record = tmp_path / "cvmctx-launch.json"
    append(record, "ec2", {"endpoint": endpoint, "region": "us-east-1"}, started)
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
    result = CliRunner().invoke(
        app,
        [
            "launch",
            "ec2",
            str(EXAMPLES / "cms-ec2" / "spec.toml"),
            "--image",
            "ami-03cf127a",
            "--instance-type",
            "m1.large",
            "--key-name",
            "ami",
            "--security-group",
            "cernvm",
            "--endpoint-url",
            endpoint,
            "--region",
            "us-east-1",
            "--record",
            str(record),
        ],
    )
    assert result.exit_code == 0, result.output
    [machine] = json.loads(record.read_text())["launches"][0]["machines"]
    assert result.stdout == f"cms-ec2\t{machine['id']}\n"  # named after the example's directory
    read = ec2.describe_instance_attribute(InstanceId=machine["id"], Attribute="userData")
    expected = (EXAMPLES / "cms-ec2" / "expected-userdata.txt").read_bytes()
    assert base64.b64decode(read["UserData"]["Value"]) == expected
    [reservation] = ec2.describe_instances(InstanceIds=[machine["id"]])["Reservations"]
    tags = {t["Key"]: t["Value"] for t in reservation["Instances"][0]["Tags"]}
    spec = (EXAMPLES / "cms-ec2" / "spec.toml").read_bytes()
    assert tags == {
        "Name": "cms-ec2",
        "cvmctx:spec-sha256": hashlib.sha256(spec).hexdigest(),
        "cvmctx:userdata-sha256": hashlib.sha256(expected).hexdigest(),
    }


def test_launch_instances_terminate(endpoint: str, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from cvmctx.cli.app import app

    data = tmp_path / "ud.txt"
    data.write_bytes((EXAMPLES / "cms-ec2" / "expected-userdata.txt").read_bytes())
    record = tmp_path / "launch.json"
    runner = CliRunner()
    launched = runner.invoke(
        app,
        [
            "launch",
            "ec2",
            str(data),
            "--image",
            "ami-03cf127a",
            "--count",
            "3",
            "--endpoint-url",
            endpoint,
            "--region",
            "us-east-1",
            "--record",
            str(record),
        ],
    )
    assert launched.exit_code == 0, launched.output
    assert [line.split("\t")[0] for line in launched.stdout.splitlines()] == [
        "ud-1",
        "ud-2",
        "ud-3",
    ]
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
    states = {
        i["InstanceId"]: i["State"]["Name"]
        for r in ec2.describe_instances(InstanceIds=ids)["Reservations"]
        for i in r["Instances"]
    }
    assert set(states.values()) <= {"shutting-down", "terminated"}  # none left running


def _cli(*args: str) -> Any:
    from typer.testing import CliRunner

    from cvmctx.cli.app import app

    return CliRunner().invoke(app, list(args))


def test_quota_exceeded_on_the_5th_of_10_records_the_4_started(
    endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cloud refusing the 5th RunInstances (the account's quota, as EC2 words it): the four
    running machines are reported and recorded, so that terminate finds them; exit 1."""
    import json

    from botocore.exceptions import ClientError

    from cvmctx.launch import ec2 as provider

    real = provider.connect

    def counted(*args: Any) -> Any:
        ec2 = real(*args)
        calls = {"n": 0}

        def quota(**_: Any) -> None:
            calls["n"] += 1
            if calls["n"] == 5:
                raise ClientError(
                    {
                        "Error": {
                            "Code": "InstanceLimitExceeded",
                            "Message": "You have requested more instances (5) than your "
                            "current instance limit of 4 allows",
                        }
                    },
                    "RunInstances",
                )

        ec2.meta.events.register("before-call.ec2.RunInstances", quota)
        return ec2

    monkeypatch.setattr(provider, "connect", counted)
    data = tmp_path / "ud.txt"
    data.write_bytes((EXAMPLES / "cms-ec2" / "expected-userdata.txt").read_bytes())
    record = tmp_path / "launch.json"
    result = _cli(
        "launch",
        "ec2",
        str(data),
        "--image",
        "ami-03cf127a",
        "--count",
        "10",
        "--endpoint-url",
        endpoint,
        "--region",
        "us-east-1",
        "--record",
        str(record),
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[-1] == (
        "cvmctx: error: host 'ud-5': EC2 refused the request (InstanceLimitExceeded): the "
        "account's instance quota is reached: terminate machines, or ask the cloud for a higher "
        "limit; 4 of 10 machine(s) started before it (recorded)"
    )
    machines = json.loads(record.read_text())["launches"][0]["machines"]
    assert [m["host"] for m in machines] == ["ud-1", "ud-2", "ud-3", "ud-4"]
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == [
        "ud-1",
        "ud-2",
        "ud-3",
        "ud-4",
    ]
    monkeypatch.setattr(provider, "connect", real)
    shown = _cli("instances", "--format", "json", str(record))
    assert [m["state"] for m in json.loads(shown.stdout)["machines"]] == ["running"] * 4
    assert _cli("terminate", str(record), "--yes").exit_code == 0


def test_wait_polls_until_running_and_is_bounded(endpoint: str, tmp_path: Path) -> None:
    from cvmctx.launch.ec2 import wait_running

    target = _target(endpoint)
    ec2 = client(target)
    ids = [start(ec2, target, f"w{i}", b"[amiconfig]\n").id for i in range(3)]
    seen: list[dict[str, str]] = []
    assert wait_running(ec2, ids, 60, seen.append) == dict.fromkeys(ids, "running")
    assert seen[-1] == dict.fromkeys(ids, "running")
    ec2.stop_instances(InstanceIds=ids[:1])
    with pytest.raises(CvmctxError, match=f"instance {ids[0]} is (stopping|stopped), not running"):
        wait_running(ec2, ids, 60, seen.append)
    # a machine that never comes up: at most timeout / interval + 2 polls, then one line
    clock = iter(range(0, 1000, 5))
    polls: list[dict[str, str]] = []
    never = type(
        "Never",
        (),
        {
            "describe_instances": lambda self, **_: {
                "Reservations": [
                    {"Instances": [{"InstanceId": "i-1", "State": {"Name": "pending"}}]}
                ]
            }
        },
    )()
    with pytest.raises(CvmctxError) as late:
        wait_running(
            never,
            ["i-1"],
            20,
            polls.append,
            clock=lambda: float(next(clock)),
            sleep=lambda _s: None,
        )
    assert str(late.value) == (
        "1 of 1 machine(s) not running after 20 s (i-1 is pending); "
        "they are recorded: cvmctx instances RECORD shows them later"
    )
    assert len(polls) <= 20 // 5 + 2


def test_launch_wait_on_the_command_line(endpoint: str, tmp_path: Path) -> None:
    data = tmp_path / "ud.txt"
    data.write_bytes(b"[amiconfig]\nplugins = cernvm\n[cernvm]\norganisations = cms\n")
    record = tmp_path / "launch.json"
    result = _cli(
        "launch",
        "ec2",
        str(data),
        "--image",
        "ami-03cf127a",
        "--count",
        "2",
        "--wait",
        "--endpoint-url",
        endpoint,
        "--region",
        "us-east-1",
        "--record",
        str(record),
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == "2 machine(s) running"
    assert "waiting: 2 of 2 machine(s) running" in result.stderr
    assert _cli("terminate", str(record), "--yes").exit_code == 0


def test_without_boto3_one_line_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "boto3", None)  # as if cvmctx[ec2] were not installed
    result = _cli(
        "launch",
        "ec2",
        "--section",
        "cernvm",
        "--image",
        "ami-03cf127a",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--record",
        str(tmp_path / "r.json"),
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "cvmctx: error: cvmctx launch ec2 needs boto3: pip install 'cvmctx[ec2]'\n"
    )
    assert not (tmp_path / "r.json").exists()


def test_a_manifest_naming_a_file_outside_its_fleet_is_refused(tmp_path: Path) -> None:
    import json

    from cvmctx.launch.record import fleet_userdata

    fleet = tmp_path / "fleet"
    (fleet / "a").mkdir(parents=True)
    (tmp_path / "secret").write_bytes(b"not for the cloud")
    digest = hashlib.sha256(b"not for the cloud").hexdigest()
    manifest = fleet / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "hosts": [
                    {
                        "name": "a",
                        "status": "ok",
                        "files": [{"name": "user-data", "path": "../secret", "sha256": digest}],
                    }
                ]
            }
        )
    )
    with pytest.raises(CvmctxError) as refused:
        fleet_userdata(manifest)
    assert str(refused.value) == (
        f"{manifest}: host 'a' names a file outside the fleet's directory; run cvmctx fleet again"
    )


def test_no_credentials_is_one_line_naming_the_chain(
    endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    result = _cli(
        "launch",
        "ec2",
        "--section",
        "cernvm",
        "--image",
        "ami-03cf127a",
        "--endpoint-url",
        endpoint,
        "--region",
        "us-east-1",
        "-q",
        "--record",
        str(tmp_path / "r.json"),
    )
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "cvmctx: error: no AWS credentials: set AWS_PROFILE (or "
        "--profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n"
    )
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "UnauthorizedOperation",
            "EC2 refused the request (UnauthorizedOperation): these "
            "credentials may not run instances: ask for ec2:RunInstances",
        ),
        (
            "InvalidAMIID.NotFound",
            "EC2 refused the request (InvalidAMIID.NotFound): no such "
            "image in this region: check --image and --region",
        ),
        (
            "AuthFailure",
            "EC2 refused the request (AuthFailure): the credentials were refused: "
            "check AWS_PROFILE / --profile and the keys",
        ),
    ],
)
def test_dry_run_tells_allowed_from_refused(code: str, message: str) -> None:
    """EC2 answers a DryRun with an error either way: DryRunOperation is "allowed" (moto's
    answer, above), anything else is the refusal with its fix. botocore's Stubber plays the
    cloud here: moto enforces no IAM permissions and knows every image id."""
    from botocore.stub import Stubber

    target = _target("http://127.0.0.1:9")  # never contacted: the stub answers
    ec2 = client(target)
    with Stubber(ec2) as stub:
        stub.add_client_error("run_instances", code, http_status_code=403)
        with pytest.raises(CvmctxError) as refused:
            dry_run(ec2, target, b"[amiconfig]\n")
    assert str(refused.value) == message
