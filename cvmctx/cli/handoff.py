"""The command line of another tool that starts a machine with a file cvmctx just wrote
(``build --print-cmd aws|openstack``, ``iso --print-cmd virt-install``), quoted for the shell.

What only the user knows (the image, the instance type, the machine's name) is left as a shell
variable (``"$IMAGE_ID"``), so the line runs as printed once those are set. The file goes in
the form the tool reads it without encoding it again: the aws CLI base64-encodes
``--user-data`` itself, so it takes plain text as ``file://`` and gzip as ``fileb://`` (raw
bytes), and base64 output would reach the guest encoded twice (the guest decodes once,
docs/guest.md §1.3); it is refused instead."""

from __future__ import annotations

import os
import shlex
from enum import StrEnum
from pathlib import Path

from cvmctx.diagnostics import CvmctxError
from cvmctx.userdata.encoding import Encoding


class UserDataTool(StrEnum):
    """Tools that take user data (``build --print-cmd``)."""

    AWS = "aws"
    OPENSTACK = "openstack"


class CdTool(StrEnum):
    """Tools that attach a context CD (``iso --print-cmd``)."""

    VIRT_INSTALL = "virt-install"


def _absolute(path: Path) -> str:
    # absolute, so the line runs from any directory; not resolved: a symlink the user chose
    # stays the path they named
    return os.path.abspath(path)


def check_userdata_tool(tool: UserDataTool, output: Path | None, encoding: Encoding) -> None:
    """Refuse, before anything is written, a hand-off that could not work."""
    if output is None or str(output) == "-":
        raise CvmctxError(f"--print-cmd {tool} names the file: give -o FILE, not stdout")
    if encoding is Encoding.BASE64:
        raise CvmctxError(
            f"--print-cmd {tool}: {tool} base64-encodes the file itself, so base64 output "
            "would reach the guest encoded twice; build with --encoding plain"
        )


def userdata_command(tool: UserDataTool, path: Path, *, gzip: bool) -> str:
    """The tool's command for the (plain or gzip) user data at ``path``, one shell line."""
    where = _absolute(path)
    if tool is UserDataTool.AWS:
        scheme = "fileb://" if gzip else "file://"  # fileb: raw bytes, for gzip
        return (
            'aws ec2 run-instances --image-id "$IMAGE_ID" --instance-type "$INSTANCE_TYPE" '
            f"--user-data {shlex.quote(scheme + where)}"
        )
    return (
        'openstack server create --image "$IMAGE" --flavor "$FLAVOR" '
        f'--user-data {shlex.quote(where)} --config-drive true "$NAME"'
    )


def cd_command(tool: CdTool, path: Path) -> str:
    """The tool's command that boots a disk image with the context CD at ``path`` attached
    read-only, as the seed's libvirt domain does."""
    cdrom = f"path={_absolute(path)},device=cdrom,readonly=on"
    return (
        'virt-install --name "$NAME" --memory 2048 --vcpus 2 --import '
        f'--disk "path=$DISK" --disk {shlex.quote(cdrom)} '
        "--os-variant linux2020 --network default --noautoconsole"
    )
