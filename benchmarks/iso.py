#!/usr/bin/env python3
"""Build the same context CD with cvmctx and with its peers; report time and size ratios.

    .venv/bin/python benchmarks/iso.py [--runs N]

Peers: genisoimage (the seed's mkisofs), xorriso -as mkisofs, cloud-localds (cloud-utils'
NoCloud seed image, when installed). Every tool gets the same four files: the ATLAS example's
context.sh, root.pub, an empty prolog.sh and a 4 KiB epilog.sh, with Rock Ridge and Joliet
where the tool has them. Times are medians of N runs of the whole command (process start
included, as a user or a CI job sees it); cvmctx is also timed in-process (the library call).
This is a measurement script, not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "atlas-panda"


def _files(tree: Path) -> None:
    tree.mkdir()
    (tree / "context.sh").write_bytes((EXAMPLE / "expected-context.sh").read_bytes())
    (tree / "root.pub").write_bytes((EXAMPLE / "root.pub.example").read_bytes())
    (tree / "prolog.sh").write_bytes(b"")
    (tree / "epilog.sh").write_bytes(b"# site epilog\n" + b"echo epilog\n" * 340)


def _median(run: Callable[[], None], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _command(argv: list[str]) -> Callable[[], None]:
    def run() -> None:
        subprocess.run(argv, check=True, capture_output=True)

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    from cvmctx.cd.image import CdFile, build_image

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        tree = work / "tree"
        _files(tree)
        cd_files = [
            CdFile(p.name, p.read_bytes(), p.suffix == ".sh") for p in sorted(tree.iterdir())
        ]
        out = {name: work / f"{name}.iso" for name in
               ("cvmctx", "cvmctx-cli", "genisoimage", "xorriso", "cloud-localds")}  # fmt: skip
        results: dict[str, tuple[float, int] | str] = {}

        def library() -> None:
            out["cvmctx"].write_bytes(build_image(cd_files, "CONTEXT", 0))

        results["cvmctx"] = (_median(library, runs), 0)
        cvmctx = shutil.which("cvmctx") or str(Path(sys.executable).parent / "cvmctx")
        cli = [cvmctx, "iso", "-o", str(out["cvmctx-cli"]), "--root-pubkey",
               str(EXAMPLE / "root.pub.example"), "--epilog", str(tree / "epilog.sh"),
               "-s", "cernvm", "--set", "cernvm.organisations=atlas"]  # fmt: skip
        peers = {
            "cvmctx-cli": cli,
            "genisoimage": ["genisoimage", "-quiet", "-R", "-J", "-V", "CONTEXT",
                            "-o", str(out["genisoimage"]), str(tree)],
            "xorriso": ["xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-V", "CONTEXT",
                        "-o", str(out["xorriso"]), str(tree)],
            "cloud-localds": ["cloud-localds", str(out["cloud-localds"]),
                              str(tree / "context.sh")],
        }  # fmt: skip
        for name, argv in peers.items():
            if shutil.which(argv[0]) is None:
                results[name] = f"{argv[0]} not installed"
                continue
            results[name] = (_median(_command(argv), runs), 0)
        base = results["cvmctx-cli"]
        print(f"{'tool':<14}{'median s':>10}{'vs cvmctx CLI':>15}{'image bytes':>13}")
        for name, value in results.items():
            if isinstance(value, str):
                print(f"{name:<14}{value:>38}")
                continue
            size = out[name].stat().st_size if out[name].exists() else 0
            ratio = value[0] / base[0] if isinstance(base, tuple) and base[0] else float("nan")
            print(f"{name:<14}{value[0]:>10.4f}{ratio:>14.2f}x{size:>13}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
