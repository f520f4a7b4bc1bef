"""``cvmctx fleet``: a context per machine, for every host of a hosts table.

Each host's spec is rendered and built in a worker process (one per core), judged as a single
build is, and written to a staging directory inside ``DIR`` only where its bytes differ from
what ``DIR`` holds. Nothing in ``DIR`` changes until every host has been built: on the first
failing host the run stops and the staging directory goes, so ``DIR`` is exactly as before.
With ``keep_going`` the good hosts are put in place and the failing ones keep their old files.
Then ``manifest.json`` records the spec's digest and, per host, its values' digest, files,
sizes, sha256 and findings. Workers return a summary, never the images: memory does not grow
with the fleet."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from cvmctx import __version__
from cvmctx.deploy.render import Host
from cvmctx.deploy.requests import Overrides, build_request, iso_request
from cvmctx.deploy.spec import SpecFile, read_spec, resolve
from cvmctx.diagnostics import CvmctxError, Diagnostic, FindingsError, Report
from cvmctx.fileio import hold_signals, release_signals, write_private

What = Literal["userdata", "iso", "both"]
MANIFEST = "manifest.json"
_FILES: dict[str, tuple[str, ...]] = {
    "userdata": ("user-data",),
    "iso": ("context.iso",),
    "both": ("user-data", "context.iso"),
}


@dataclass
class FleetRequest:
    spec: Path
    hosts: list[Host]
    hosts_table: Path
    out: Path
    what: What = "iso"
    jobs: int = 1
    keep_going: bool = False
    prune: bool = False
    overrides: Overrides = field(default_factory=Overrides)


@dataclass
class HostResult:
    """What a worker reports of one host: small, whatever the size of its files."""

    name: str
    index: int
    ok: bool
    files: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    values_sha256: str = ""
    error: str = ""
    changed: int = 0


@dataclass
class FleetResult:
    hosts: list[HostResult]
    manifest: Path | None
    failed: list[HostResult]
    left: list[str] = field(default_factory=list)  # hosts of the old manifest not in the table
    pruned: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(h.changed for h in self.hosts if h.ok)


@dataclass(frozen=True)
class _Job:
    spec: Path
    spec_sha256: str
    host: Host
    what: What
    out: Path
    staging: Path
    overrides: Overrides


@cache
def _spec(path: Path, sha256: str) -> SpecFile:
    """The spec, read once per worker process (``sha256`` keys the cache on its content)."""
    spec = read_spec(path)
    if spec.sha256 != sha256:
        raise CvmctxError(f"{path}: the spec changed while the fleet was being built; run again")
    return spec


def relative_to(path: Path | str, out: Path) -> str:
    """``path`` as the manifest in ``out`` names it: relative to ``out``, so that a fleet kept
    in git reads the same from every checkout and working directory."""
    return os.path.relpath(os.path.abspath(path), os.path.abspath(out))


def _finding(d: Diagnostic) -> dict[str, Any]:
    entry: dict[str, Any] = {"code": d.code, "severity": str(d.severity), "message": d.message}
    for key in ("source", "line", "path", "hint"):
        value = getattr(d, key)
        if value is not None:
            entry[key] = value
    return entry


def _manifest_findings(findings: list[dict[str, Any]], out: Path) -> list[dict[str, Any]]:
    """Findings as the manifest keeps them: their files relative to ``out`` (the command line
    prints them as given)."""
    return [{**f, "source": relative_to(f["source"], out)} if "source" in f else f
            for f in findings]  # fmt: skip


def _digest(values: dict[str, Any]) -> str:
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _sha256_of(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def build_host(job: _Job) -> HostResult:
    """One host, in a worker: render, build, judge, and stage what changed."""
    host = job.host
    result = HostResult(host.name, host.index, ok=False)
    try:
        resolved = resolve(_spec(job.spec, job.spec_sha256), host)
        result.values_sha256 = _digest(resolved.values)
        outputs: list[tuple[str, bytes, Report]] = []
        if "user-data" in _FILES[job.what]:
            from cvmctx.userdata.build import build

            built = build(build_request(resolved, job.overrides))
            outputs.append(("user-data", built.encoded.data, built.report))
        if "context.iso" in _FILES[job.what]:
            from cvmctx.cd.make import make_iso

            made = make_iso(iso_request(resolved, job.overrides))
            outputs.append(("context.iso", made.image, made.report))
    except FindingsError as exc:
        result.error = str(exc)
        result.findings = [_finding(d) for d in exc.report.sorted()]
        return result
    except CvmctxError as exc:
        result.error = str(exc)
        return result
    seen: set[tuple[str, str, str]] = set()
    for name, data, report in outputs:
        digest = hashlib.sha256(data).hexdigest()
        target = job.out / host.name / name
        if _sha256_of(target) != digest:
            (job.staging / host.name).mkdir(mode=0o700, exist_ok=True)
            write_private(job.staging / host.name / name, data)
            result.changed += 1
        path = f"{host.name}/{name}"
        result.files.append({"name": name, "path": path, "size": len(data), "sha256": digest})
        for d in report.sorted():  # a finding of the user data comes with both files
            entry = _finding(d)
            key = (entry["code"], entry["message"], str(entry.get("line")))
            if key not in seen:
                seen.add(key)
                result.findings.append(entry)
    result.ok = True
    return result


def _results(jobs: Iterator[_Job], workers: int, stop: Callable[[], bool]) -> Iterator[HostResult]:
    """Each job's result as it completes, with at most a few jobs queued per worker."""
    if workers <= 1:
        for job in jobs:
            yield build_host(job)
            if stop():
                return
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: set[Future[HostResult]] = set()
        try:
            for job in jobs:
                pending.add(pool.submit(build_host, job))
                while len(pending) >= workers * 2:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield future.result()
                    if stop():
                        return
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        finally:
            for future in pending:
                future.cancel()


def _old_manifest(out: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return {h["name"]: h for h in data.get("hosts", []) if isinstance(h, dict) and "name" in h}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def _prepare(out: Path) -> bool:
    """``out`` made ready; True when this run created it (and removes it again if it fails)."""
    if out.exists() and not out.is_dir():
        raise CvmctxError(f"{out}: exists and is not a directory; give a directory for -o")
    created = not out.exists()
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise CvmctxError(f"{out}: cannot create the directory ({exc.strerror})") from None
    return created


def run_fleet(request: FleetRequest, report: Callable[[HostResult], None]) -> FleetResult:
    """Build every host; ``report`` hears of each host as it is done (for progress)."""
    spec = read_spec(request.spec)  # a spec that is not TOML stops the run before any host
    created = _prepare(request.out)
    old = _old_manifest(request.out)
    held = hold_signals()  # a stop between mkdtemp and the try would leave the staging dir
    try:
        staging = Path(tempfile.mkdtemp(prefix=".cvmctx-staging-", dir=request.out))
    except BaseException:
        release_signals(held)
        raise
    try:
        release_signals(held)  # a signal held since mkdtemp is raised here, where cleanup runs
        jobs = (
            _Job(
                request.spec,
                spec.sha256,
                host,
                request.what,
                request.out,
                staging,
                request.overrides,
            )
            for host in request.hosts
        )
        results: list[HostResult] = []
        failed: list[HostResult] = []
        stop = lambda: bool(failed) and not request.keep_going  # noqa: E731
        for result in _results(jobs, request.jobs, stop):
            results.append(result)
            if not result.ok:
                failed.append(result)
            report(result)
        failed.sort(key=lambda h: h.index)
        if failed and not request.keep_going:
            return FleetResult(sorted(results, key=lambda h: h.index), None, failed)
        results.sort(key=lambda h: h.index)
        _commit(request, staging, results, old)
        left = sorted(set(old) - {h.name for h in request.hosts})
        pruned = _prune(request.out, left, old) if request.prune else []
        kept = [n for n in left if n not in pruned]
        manifest = _write_manifest(request, spec, results, {n: old[n] for n in kept}, old)
        return FleetResult(results, manifest, failed, kept, pruned)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not any(request.out.iterdir()):
            request.out.rmdir()  # a failed first run leaves no trace, not an empty DIR


def _commit(
    request: FleetRequest, staging: Path, results: list[HostResult], old: dict[str, Any]
) -> None:
    """Staged files into place; files of an earlier run that a host no longer has removed."""
    for result in results:
        if not result.ok:
            continue
        target = request.out / result.name
        source = staging / result.name
        if source.is_dir():
            target.mkdir(mode=0o700, exist_ok=True)
            for staged in sorted(source.iterdir()):
                os.replace(staged, target / staged.name)
        names = {f["name"] for f in result.files}
        for entry in old.get(result.name, {}).get("files", []):
            if isinstance(entry, dict) and entry.get("name") not in names:
                with contextlib.suppress(OSError, TypeError):
                    (target / str(entry["name"])).unlink()


def _prune(out: Path, left: list[str], old: dict[str, Any]) -> list[str]:
    """Remove the files the old manifest lists for hosts no longer in the table (and their
    directories, when that leaves them empty); nothing else."""
    from cvmctx.deploy.hosts import name_problem

    pruned = []
    for name in left:
        if name_problem(name) is not None:
            continue  # a manifest edited by hand: never a path outside DIR
        for entry in old[name].get("files", []):
            if isinstance(entry, dict) and name_problem(str(entry.get("name", ""))) is None:
                with contextlib.suppress(OSError):
                    (out / name / str(entry["name"])).unlink()
        with contextlib.suppress(OSError):
            (out / name).rmdir()
        pruned.append(name)
    return pruned


def _write_manifest(
    request: FleetRequest,
    spec: SpecFile,
    results: list[HostResult],
    left: dict[str, Any],
    old: dict[str, Any],
) -> Path:
    """``DIR/manifest.json``; hosts of an earlier run the table no longer has stay listed
    (``"status": "not-in-table"``) until ``--prune`` removes their files."""
    hosts = []
    for r in results:
        entry: dict[str, Any] = {"name": r.name, "index": r.index}
        if r.ok:
            entry |= {"status": "ok", "values_sha256": r.values_sha256, "files": r.files}
        else:
            kept = old.get(r.name, {}).get("files", [])
            entry |= {"status": "failed", "error": r.error, "files": kept, "stale": bool(kept)}
        entry["findings"] = _manifest_findings(r.findings, request.out)
        hosts.append(entry)
    for _name, entry in sorted(left.items()):
        hosts.append({**entry, "status": "not-in-table"})
    hosts_sha = _sha256_of(request.hosts_table) or ""
    manifest = {
        "cvmctx": __version__,
        "spec": {"path": relative_to(request.spec, request.out), "sha256": spec.sha256},
        "hosts_table": {
            "path": relative_to(request.hosts_table, request.out),
            "sha256": hosts_sha,
        },
        "what": request.what,
        "hosts": hosts,
    }
    path = request.out / MANIFEST
    data = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    if _sha256_of(path) != hashlib.sha256(data).hexdigest():  # unchanged: left untouched
        write_private(path, data)
    return path
