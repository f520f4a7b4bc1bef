#!/usr/bin/env python3
"""Every speed and scale figure of issue 15, side by side with the peers, in one run.

    .venv/bin/python benchmarks/run.py [--runs N] [--hosts N] [--quick]

Rows: cold start of validate/build/iso against a bare typer app (benchmarks/bare_typer.py),
1,000 per-host context CDs with `cvmctx fleet` against a genisoimage loop and a cloud-localds
loop, validating 1,000 files in one process, validate time per input shape at 1 and 2 MB, the
largest realistic config that fits EC2's 16,384 bytes (cvmctx's gzip against `gzip -9 -n` and
zopfli), and the peak memory of a fleet. Each prints its median, min-max, the ratio and whether
its goal is met. Commands run as a user runs them (whole processes, start-up included) and in
turn with their peer, so a machine that drifts moves both. Missing Debian peers are installed
as scripts/test.sh installs its tools. This measures; it never fails a build (exit 0 whatever
the figures; 2 when a peer cannot be found or installed).
"""

from __future__ import annotations

import argparse
import base64
import functools
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CVMCTX = [str(BIN / "cvmctx")] if (BIN / "cvmctx").exists() else [sys.executable, "-m", "cvmctx"]
BARE = [sys.executable, str(ROOT / "benchmarks" / "bare_typer.py")]
EXAMPLE = ROOT / "examples" / "cms-ec2" / "expected-userdata.txt"
CLUSTER = ROOT / "examples" / "batch-cluster"
LIMIT = 16_384  # EC2's user-data limit, in bytes as sent (after gzip, before base64)
# command -> Debian package, for the peers (installed where missing, as scripts/test.sh does)
PEERS = {
    "genisoimage": "genisoimage",
    "cloud-localds": "cloud-image-utils",
    "zopfli": "zopfli",
    "gzip": "gzip",
}


@dataclass
class Row:
    what: str
    figure: str  # cvmctx's, with min-max
    peer: str  # the peer's (or the floor's)
    ratio: str
    goal: str
    met: bool | None  # None: not judged here (a figure for the record)


def install_peers() -> None:
    missing = sorted({pkg for cmd, pkg in PEERS.items() if shutil.which(cmd) is None})
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", *missing], check=True, env=env)


def timed(argv: Sequence[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def paired(runs: int, *commands: Callable[[], float]) -> list[list[float]]:
    """Each command's times, run in turn (A B C A B C ...) after one untimed warm-up each."""
    for command in commands:
        command()
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for i, command in enumerate(commands):
            times[i].append(command())
    return times


def spread(times: Sequence[float], unit: str = "s", scale: float = 1.0) -> str:
    m, lo, hi = (statistics.median(times) * scale, min(times) * scale, max(times) * scale)
    return f"{m:.3f} {unit} ({lo:.3f}-{hi:.3f})"


def ratio(a: Sequence[float], b: Sequence[float]) -> float:
    """The median of the pair-by-pair ratios a/b."""
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


# ---------------------------------------------------------------------------------- start-up


def startup_rows(runs: int, work: Path) -> list[Row]:
    rows = []
    cases = [
        (
            "cold validate one.txt",
            [*CVMCTX, "validate", "-q", str(EXAMPLE)],
            [*BARE, "validate", str(EXAMPLE)],
        ),
        (
            "cold build",
            [
                *CVMCTX,
                "build",
                "--section",
                "cernvm",
                "--set",
                "cernvm.organisations=cms",
                "-o",
                str(work / "u.txt"),
            ],
            [*BARE, "build", "--output", str(work / "b.txt")],
        ),
        (
            "cold iso",
            [
                *CVMCTX,
                "iso",
                "--section",
                "cernvm",
                "--set",
                "cernvm.organisations=cms",
                "-o",
                str(work / "c.iso"),
            ],
            [*BARE, "build", "--output", str(work / "b.txt")],
        ),
    ]
    for what, ours, floor in cases:
        a, b = paired(runs, functools.partial(timed, ours), functools.partial(timed, floor))
        r = ratio(a, b)
        rows.append(
            Row(
                what,
                spread(a),
                "bare typer " + spread(b),
                f"{r:.2f}x",
                "<= 1.15x the bare typer app",
                r <= 1.15,
            )
        )
    return rows


# ---------------------------------------------------------------------------------- fleet


def _cluster(work: Path, hosts: int) -> Path:
    spec_dir = work / "cluster"
    shutil.copytree(CLUSTER, spec_dir)
    lines = ["name,domain,condor_master"]
    lines += [f"wn{i:04d},batch.example.org,condor-cm.batch.example.org" for i in range(hosts)]
    (spec_dir / "hosts.csv").write_text("\n".join(lines) + "\n")
    return spec_dir / "spec.toml"


def _peer_trees(work: Path, built: Path, hosts: int) -> tuple[Path, Path]:
    """Per-host inputs for the peers, with the same per-host user data cvmctx put on its CDs:
    a context.sh tree for genisoimage, user-data + meta-data for cloud-localds."""
    from cvmctx.cd.image import read_image

    first = sorted(p for p in built.iterdir() if p.is_dir())[0]
    template = read_image((first / "context.iso").read_bytes())
    files = dict(template.files)
    iso_trees, seeds = work / "iso-trees", work / "seeds"
    iso_trees.mkdir()
    seeds.mkdir()
    for host in sorted(p for p in built.iterdir() if p.is_dir())[:hosts]:
        userdata = (host / "user-data").read_bytes()
        tree = iso_trees / host.name
        tree.mkdir()
        for name, data in files.items():
            if name == "context.sh":
                encoded = base64.b64encode(userdata).decode()
                text = "".join(
                    f'EC2_USER_DATA="{encoded}"\n' if line.startswith("EC2_USER_DATA=") else line
                    for line in data.decode().splitlines(keepends=True)
                )
                data = text.encode()
            (tree / name).write_bytes(data)
        seed = seeds / host.name
        seed.mkdir()
        (seed / "user-data").write_bytes(userdata)
        (seed / "meta-data").write_text(f"instance-id: {host.name}\nlocal-hostname: {host.name}\n")
    return iso_trees, seeds


def fleet_rows(runs: int, hosts: int, work: Path) -> list[Row]:
    spec = _cluster(work, hosts)
    setup = work / "setup"
    subprocess.run(
        [*CVMCTX, "fleet", str(spec), "--what", "both", "-o", str(setup), "-q"], check=True
    )
    iso_trees, seeds = _peer_trees(work, setup, hosts)
    out = work / "fleet-out"

    def ours() -> float:
        shutil.rmtree(out, ignore_errors=True)
        return timed([*CVMCTX, "fleet", str(spec), "--what", "iso", "-o", str(out), "-q"])

    genisoimage = [
        "sh",
        "-c",
        'for d in "$0"/*/; do d=${d%/}; '
        'genisoimage -quiet -R -J -V CONTEXT -o "$d.iso" "$d" || exit 1; done',
        str(iso_trees),
    ]
    localds = [
        "sh",
        "-c",
        'for d in "$0"/*/; do d=${d%/}; '
        'cloud-localds "$d.img" "$d/user-data" "$d/meta-data" || exit 1; done',
        str(seeds),
    ]
    a, b, c = paired(runs, ours, lambda: timed(genisoimage), lambda: timed(localds))
    per = 1000 / hosts
    rg, rc = ratio(b, a), ratio(c, a)
    rows = [
        Row(
            f"{hosts} per-host CDs",
            f"cvmctx fleet {spread(a, 'ms/CD', per)}",
            f"genisoimage loop {spread(b, 'ms/CD', per)}",
            f"{rg:.2f}x faster",
            ">= 5x faster than genisoimage",
            rg >= 5,
        ),
        Row(
            f"{hosts} per-host CDs",
            f"cvmctx fleet {spread(a, 'ms/CD', per)}",
            f"cloud-localds loop {spread(c, 'ms/CD', per)}",
            f"{rc:.2f}x faster",
            ">= 12x faster than cloud-localds",
            rc >= 12,
        ),
    ]
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    shutil.rmtree(out, ignore_errors=True)
    peak = subprocess.run(
        [
            sys.executable,
            "-c",
            probe,
            *CVMCTX,
            "fleet",
            str(spec),
            "--what",
            "iso",
            "-o",
            str(out),
            "-q",
            "--jobs",
            "1",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    mib = int(peak.stdout.split()[-1]) / 1024
    rows.append(
        Row(
            f"peak RSS, {hosts}-host fleet",
            f"{mib:.1f} MiB (one process)",
            "-",
            "-",
            "<= 80 MB whatever the fleet size",
            mib <= 80,
        )
    )
    return rows


# ---------------------------------------------------------------------------------- validate


def many_files_row(runs: int, work: Path, count: int = 1000) -> Row:
    corpus = work / "corpus"
    corpus.mkdir()
    text = EXAMPLE.read_text()
    for i in range(count):
        (corpus / f"u{i:04d}.txt").write_text(text.replace("testcms", f"user{i}"))
    files = sorted(str(p) for p in corpus.iterdir())
    a, one = paired(
        runs,
        lambda: timed([*CVMCTX, "validate", "-q", *files]),
        lambda: timed([*CVMCTX, "validate", "-q", files[0]]),
    )
    marginal = [(x - y) / (count - 1) for x, y in zip(a, one, strict=True)]
    m = statistics.median(marginal) * 1000
    return Row(
        f"validate {count} files, one process",
        spread(marginal, "ms/file", 1000),
        f"whole run {spread(a)}",
        "-",
        "<= 1 ms/file (beyond the first)",
        m <= 1,
    )


def _shapes(size: int) -> dict[str, str]:
    """One input of about ``size`` bytes per shape issue 15 names."""
    head = "[amiconfig]\nplugins = cernvm\n[cernvm]\norganisations = cms\n"
    n = size // 12
    return {
        "key lines": head + "".join(f"k{i} = v\n" for i in range(n)),
        "long script": "#!/bin/sh\n"
        + "".join(f"echo line {i}\n" for i in range(n))
        + "exit\n"
        + head,
        "heredoc": "#!/bin/sh\ncat <<'EOF' > /tmp/x\n"
        + "".join(f"data {i}\n" for i in range(n))
        + "EOF\nexit\n"
        + head,
        "environment line": head
        + "environment = "
        + ",".join(f"A{i}=1" for i in range(size // 7))
        + "\n",
        "users line": head + "users = " + ",".join(f"u{i}:cms:" for i in range(size // 9)) + "\n",
        "repositories line": head
        + "repositories = "
        + ",".join(f"r{i}" for i in range(size // 5))
        + "\n",
        "many sections": head + "".join(f"[s{i}]\nk = v\n" for i in range(size // 14)),
    }


def shape_rows(runs: int) -> list[Row]:
    from cvmctx.api import validate_bytes

    rows = []
    for mb in (1, 2):
        for shape, text in _shapes(mb * 1_000_000).items():
            data = text.encode()
            times = []
            for _ in range(max(1, runs // 2)):
                start = time.perf_counter()
                validate_bytes(data, shape)
                times.append(time.perf_counter() - start)
            per_mb = statistics.median(times) / (len(data) / 1e6)
            met = per_mb <= 0.5 and (mb != 1 or statistics.median(times) < 1)
            rows.append(
                Row(
                    f"validate {shape}, {mb} MB",
                    spread(times),
                    "-",
                    f"{per_mb:.2f} s/MB",
                    "<= 0.5 s/MB; 1 MB < 1 s",
                    met,
                )
            )
    return rows


# ---------------------------------------------------------------------------------- capacity


def _config(kind: str, n: int) -> bytes:
    """A realistic [cernvm] config with ``n`` users (hashed passwords) or ``n`` script lines."""
    rnd = random.Random(n)  # the same text for the same n, for every compressor
    words = [
        "cvmfs",
        "grid",
        "atlas",
        "cms",
        "export",
        "mount",
        "proxy",
        "squid",
        "echo",
        "config",
        "voms",
        "x509",
        "condor",
        "pilot",
        "setup",
        "tmp",
        "log",
    ]
    head = "[amiconfig]\nplugins = cernvm\n[cernvm]\norganisations = cms\n"
    if kind == "hashed users":
        alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        users = [
            f"u{i}:cms:$6${''.join(rnd.choices(alphabet, k=16))}$"
            f"{''.join(rnd.choices(alphabet, k=86))}"
            for i in range(n)
        ]
        return (head + "users = " + ",".join(users) + "\n").encode()
    script = "".join(
        f"{rnd.choice(words)} {' '.join(rnd.choices(words, k=rnd.randint(2, 7)))} # step {i}\n"
        for i in range(n)
    )
    return ("#!/bin/sh\n" + script + "exit\n" + head).encode()


def _largest(kind: str, size_of: Callable[[bytes], int]) -> int:
    """The largest config of ``kind`` (raw bytes) whose compressed size fits the limit."""
    lo, hi = 1, 64
    while size_of(_config(kind, hi)) <= LIMIT:
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if size_of(_config(kind, mid)) <= LIMIT else (lo, mid)
    return len(_config(kind, lo))


def capacity_rows() -> list[Row]:
    from cvmctx.userdata.encoding import gzip_bytes

    def gnu(data: bytes) -> int:
        return len(
            subprocess.run(
                ["gzip", "-9", "-n", "-c"], input=data, check=True, capture_output=True
            ).stdout
        )

    def zopfli(data: bytes) -> int:
        with tempfile.NamedTemporaryFile() as handle:
            handle.write(data)
            handle.flush()
            return len(
                subprocess.run(
                    ["zopfli", "--i15", "-c", handle.name], check=True, capture_output=True
                ).stdout
            )

    rows = []
    for kind in ("hashed users", "text"):
        ours = _largest(kind, lambda d: len(gzip_bytes(d)))
        gz, zo = _largest(kind, gnu), _largest(kind, zopfli)
        rows.append(
            Row(
                f"largest {kind} config in {LIMIT} B",
                f"{ours / 1000:.1f} KB",
                f"gzip -9 {gz / 1000:.1f} KB, zopfli {zo / 1000:.1f} KB",
                f"{ours / zo:.2f}x zopfli",
                ">= zopfli's figure",
                ours >= zo,
            )
        )
    return rows


# ---------------------------------------------------------------------------------- output


def show(rows: list[Row]) -> None:
    headers = ("what", "cvmctx", "peer / floor", "ratio", "goal", "met")
    cells = [
        (
            r.what,
            r.figure,
            r.peer,
            r.ratio,
            r.goal,
            "-" if r.met is None else ("yes" if r.met else "NO"),
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    for line in (headers, tuple("-" * w for w in widths), *cells):
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
    met = sum(1 for r in rows if r.met)
    judged = sum(1 for r in rows if r.met is not None)
    print(f"\n{met} of {judged} goals met")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="paired runs per row (default 5)")
    parser.add_argument("--hosts", type=int, default=1000, help="fleet size (default 1000)")
    parser.add_argument("--quick", action="store_true", help="100 hosts, 3 runs: a smoke run")
    args = parser.parse_args()
    runs, hosts = (3, 100) if args.quick else (args.runs, args.hosts)
    try:
        install_peers()
    except (OSError, subprocess.CalledProcessError) as exc:
        sys.stderr.write(
            f"benchmarks: cannot install the peers ({exc}); install "
            f"{', '.join(sorted(set(PEERS.values())))}\n"
        )
        return 2
    print(
        f"cvmctx benchmarks: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"{runs} paired runs, fleet of {hosts}, {time.strftime('%Y-%m-%d')}\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows = startup_rows(runs, work)
        rows += fleet_rows(max(1, min(runs, 3)), hosts, work)
        rows.append(many_files_row(max(1, min(runs, 3)), work))
        rows += shape_rows(runs)
        rows += capacity_rows()
    show(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
