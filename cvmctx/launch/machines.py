"""What a launch gives back, whatever the provider: one :class:`Machine` per machine started,
and :class:`PartlyStarted` when a launch stops on a host after others were started (they are
running: the caller records them, so that ``cvmctx terminate`` finds them)."""

from __future__ import annotations

from dataclasses import dataclass

from cvmctx.diagnostics import CvmctxError


@dataclass(frozen=True)
class Machine:
    """One machine that was started: its host name, the provider's id (an EC2 instance id, a
    libvirt domain UUID), the digest of the user data it was given, and the files the launch
    created for it (a libvirt overlay and context CD), which ``terminate`` removes."""

    host: str
    id: str
    userdata_sha256: str
    files: tuple[str, ...] = ()


class PartlyStarted(CvmctxError):
    """A launch that stopped on a host: the machines started before it are in ``started``."""

    def __init__(self, message: str, started: list[Machine]) -> None:
        super().__init__(message)
        self.started = started


def partly(host: str, exc: CvmctxError, started: list[Machine], total: int) -> CvmctxError:
    """The error for a launch that failed on ``host``: ``exc`` itself when nothing started
    yet (nothing to record), else :class:`PartlyStarted` saying how many did."""
    if not started:
        return exc
    return PartlyStarted(
        f"host '{host}': {exc}; {len(started)} of {total} machine(s) started before it (recorded)",
        started,
    )
