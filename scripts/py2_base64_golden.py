#!/usr/bin/env python3
"""Write tests/data/py2-decodestring.json: what Python 2.7's ``base64.decodestring`` (the guest
plugins' decoder, guest-format.md §3.9) gives for a fixed set of strings, errors included.

tests/test_values_round2.py checks cvmctx.guest.py2base64 against this file, so the test suite needs
no Python 2 (Debian no longer ships it); this script needs one (pyenv's 2.7 here):

    .venv/bin/python scripts/py2_base64_golden.py [--py2 ~/.pyenv/versions/2.7.18/bin/python]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import subprocess
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "py2-decodestring.json"
PEM = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

DECODE = r"""
import base64, json, sys
out = []
for s in json.load(sys.stdin):
    try:
        out.append(base64.decodestring(s.encode("utf-8")).encode("hex"))
    except Exception as e:
        out.append("error: " + str(e))
json.dump(out, sys.stdout)
"""


def texts() -> list[str]:
    b64 = base64.b64encode(PEM * 3).decode()
    spaced = " ".join(b64[i : i + 7] for i in range(0, len(b64), 7))
    rng = random.Random(9)
    chars = "AQUJDRazg09+/====  \t-_!\u00e9\n\r"
    fixed = ["", "=", "QQ==", "QQ=x=", "QUI=QUJD", "QU=JD", "QUJD====", "QUJDRA", "QUJDRA=",
             "QUJDR===", "QUJDRA===", b64, spaced]  # fmt: skip
    return fixed + [
        "".join(rng.choice(chars) for _ in range(rng.randint(0, 14))) for _ in range(3000)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = os.environ.get("PY2", str(Path.home() / ".pyenv/versions/2.7.18/bin/python"))
    parser.add_argument("--py2", default=default)
    args = parser.parse_args()
    inputs = texts()
    proc = subprocess.run([args.py2, "-c", DECODE], input=json.dumps(inputs).encode(),
                          capture_output=True, timeout=120, check=True)  # fmt: skip
    pairs = [[t, r] for t, r in zip(inputs, json.loads(proc.stdout), strict=True)]
    OUT.write_text(json.dumps(pairs, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {len(pairs)} cases to {OUT}")


if __name__ == "__main__":
    main()
