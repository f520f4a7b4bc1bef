"""Starting CernVM machines on an EC2-compatible cloud through boto3 (``cvmctx[ec2]``).

The user data reaches boto3 as bytes that cvmctx built and validated: boto3 base64-encodes
``UserData`` itself, so cvmctx never does (the seed's Perl glue encodes by hand, and an
encoding done twice reaches the guest as base64 text it does not decode again). Credentials
come from boto3's own chain (environment, shared files, ``--profile``), never from cvmctx's
options, and are never printed. Every request is bounded: one attempt per call with short
timeouts, and waiting for "running" has a deadline.

Tested against moto's EC2 server on 127.0.0.1 (tests/test_launch_ec2.py)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cvmctx.diagnostics import CvmctxError
from cvmctx.launch.machines import Machine, partly

#: boto3's codes a user meets, each with the fix (docs: EC2 API error codes).
_FIXES: dict[str, str] = {
    "AuthFailure": "the credentials were refused: check AWS_PROFILE / --profile and the keys",
    "UnauthorizedOperation": "these credentials may not run instances: ask for ec2:RunInstances",
    "InvalidAMIID.NotFound": "no such image in this region: check --image and --region",
    "InvalidAMIID.Malformed": "that is not an image id (ami-...): check --image",
    "InvalidKeyPair.NotFound": "no such key pair in this region: check --key-name",
    "InvalidGroup.NotFound": "no such security group: check --security-group",
    "InstanceLimitExceeded": "the account's instance quota is reached: terminate machines, or "
    "ask the cloud for a higher limit",
    "InsufficientInstanceCapacity": "the cloud has no capacity for this type now: try another "
    "--instance-type or later",
}


@dataclass
class Ec2Target:
    """Where and how to start the machines (all but the user data)."""

    image: str
    instance_type: str
    region: str | None = None
    endpoint_url: str | None = None
    profile: str | None = None
    key_name: str | None = None
    security_groups: Sequence[str] = ()
    subnet: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


def client(target: Ec2Target) -> Any:
    """A boto3 EC2 client for ``target``'s cloud (see :func:`connect`)."""
    return connect(target.region, target.endpoint_url, target.profile)


def connect(region: str | None, endpoint_url: str | None, profile: str | None) -> Any:
    """A boto3 EC2 client with bounded requests; exit 2 naming the extra when boto3 is missing."""
    try:
        import boto3  # type: ignore[import-untyped]
        from botocore.config import Config  # type: ignore[import-untyped]
    except ImportError:
        raise CvmctxError("cvmctx launch ec2 needs boto3: pip install 'cvmctx[ec2]'") from None
    session = boto3.Session(profile_name=profile, region_name=region)
    config = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=10,
                    read_timeout=30)  # fmt: skip
    return session.client("ec2", endpoint_url=endpoint_url, config=config)


def _refusal(exc: Exception) -> CvmctxError:
    """A boto3 error as one line with the fix; never the request (it holds the user data)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = str(response.get("Error", {}).get("Code", ""))
        fix = _FIXES.get(code, "see the cloud's message above")
        return CvmctxError(f"EC2 refused the request ({code}): {fix}")
    name = type(exc).__name__
    if name == "NoCredentialsError":
        return CvmctxError("no AWS credentials: set AWS_PROFILE (or --profile), or "
                           "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")  # fmt: skip
    if name == "EndpointConnectionError":
        return CvmctxError("cannot reach the EC2 endpoint: check --endpoint-url and --region")
    return CvmctxError(f"EC2 request failed ({name})")


def dry_run(ec2: Any, target: Ec2Target, userdata: bytes) -> None:
    """EC2's own DryRun: permissions checked, nothing started. Returns when allowed."""
    try:
        ec2.run_instances(**_arguments(target, userdata, "dry-run"), DryRun=True)
    except Exception as exc:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code")
        if code == "DryRunOperation":
            return
        raise _refusal(exc) from None
    raise CvmctxError("the endpoint ignored DryRun and started an instance")


def start(ec2: Any, target: Ec2Target, host: str, userdata: bytes) -> Machine:
    """Start one machine for ``host`` with its own user data, tagged with its name."""
    try:
        response = ec2.run_instances(**_arguments(target, userdata, host))
    except Exception as exc:
        raise _refusal(exc) from None
    instance_id = response["Instances"][0]["InstanceId"]
    return Machine(host, instance_id, hashlib.sha256(userdata).hexdigest())


def _arguments(target: Ec2Target, userdata: bytes, host: str) -> dict[str, Any]:
    # the host name, and what it was given: a machine found later in the console says
    # which spec (cvmctx:spec-sha256, set by the caller) and which user data it runs
    own = {"Name": host, "cvmctx:userdata-sha256": hashlib.sha256(userdata).hexdigest()}
    tags = [{"Key": k, "Value": v} for k, v in (own | dict(target.tags)).items()]
    args: dict[str, Any] = {
        "ImageId": target.image,
        "InstanceType": target.instance_type,
        "MinCount": 1,
        "MaxCount": 1,
        "UserData": userdata,  # bytes: boto3 base64-encodes them, once
        "TagSpecifications": [{"ResourceType": "instance", "Tags": tags}],
    }
    if target.key_name:
        args["KeyName"] = target.key_name
    if target.security_groups:
        args["SecurityGroupIds" if all(g.startswith("sg-") for g in target.security_groups)
             else "SecurityGroups"] = list(target.security_groups)  # fmt: skip
    if target.subnet:
        args["SubnetId"] = target.subnet
    return args


def launch(ec2: Any, target: Ec2Target, hosts: Sequence[tuple[str, bytes]]) -> list[Machine]:
    """One machine per (host, user data), in order; on a refusal after some started,
    :class:`~cvmctx.launch.machines.PartlyStarted` naming the host and carrying them."""
    started: list[Machine] = []
    for host, data in hosts:
        try:
            started.append(start(ec2, target, host, data))
        except CvmctxError as exc:
            raise partly(host, exc, started, len(hosts)) from None
    return started


_CHUNK = 100  # instance ids per DescribeInstances / TerminateInstances call


def states(ec2: Any, ids: Sequence[str]) -> dict[str, str]:
    """Each instance's state ("running", "terminated", ...; "gone" when the cloud no longer
    knows it), one bounded call per 100 ids."""
    found: dict[str, str] = {}
    for at in range(0, len(ids), _CHUNK):
        chunk = list(ids[at:at + _CHUNK])
        try:
            response = ec2.describe_instances(InstanceIds=chunk)
        except Exception as exc:
            raise _refusal(exc) from None
        for reservation in response.get("Reservations", []):
            for instance in reservation.get("Instances", []):
                found[instance["InstanceId"]] = instance["State"]["Name"]
    return {i: found.get(i, "gone") for i in ids}


#: states from which an instance never becomes "running"
_ENDED = ("shutting-down", "terminated", "stopping", "stopped", "gone")


def wait_running(
    ec2: Any,
    ids: Sequence[str],
    timeout: float,
    on_poll: Callable[[dict[str, str]], None],
    *,
    interval: float = 5.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, str]:
    """Poll the instances' states until all are running, calling ``on_poll`` after each poll.
    Bounded: at most ``timeout`` seconds and ``timeout / interval + 2`` polls; an instance
    that ends (terminated, stopped) stops the wait at once, with the fix."""
    deadline = clock() + timeout
    now: dict[str, str] = {}
    for _ in range(int(timeout / interval) + 2):
        now = states(ec2, ids)
        on_poll(now)
        ended = [i for i in ids if now[i] in _ENDED]
        if ended:
            raise CvmctxError(f"instance {ended[0]} is {now[ended[0]]}, not running: its console "
                              "output (aws ec2 get-console-output) says why")  # fmt: skip
        if all(now[i] == "running" for i in ids):
            return now
        left = deadline - clock()
        if left <= 0:
            break
        sleep(min(interval, left))
    waiting = [i for i in ids if now.get(i) != "running"]
    raise CvmctxError(f"{len(waiting)} of {len(ids)} machine(s) not running after {timeout:g} s "
                      f"({waiting[0]} is {now.get(waiting[0], 'unknown')}); they are recorded: "
                      "cvmctx instances RECORD shows them later")  # fmt: skip


def terminate(ec2: Any, ids: Sequence[str]) -> None:
    """Terminate the instances (EC2 TerminateInstances), 100 ids per call."""
    for at in range(0, len(ids), _CHUNK):
        try:
            ec2.terminate_instances(InstanceIds=list(ids[at:at + _CHUNK]))
        except Exception as exc:
            raise _refusal(exc) from None
