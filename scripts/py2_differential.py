#!/usr/bin/env python3
"""Differential check of cvmctx's INI reader against the guest's real parser.

The guest reads user data with Python 2's ConfigParser after amiconfig's pre-filter
(guest-format.md §2). This script feeds the same random user-data-like texts to

  * a Python 2.7 interpreter running ConfigParser itself (the guest's code, not a copy),
    behind the pre-filter as guest-format.md §2 describes it, and
  * cvmctx.guest.ini.read,

and compares the sections and options each ends with. It needs a python2.7 (pyenv has one:
``PY2=~/.pyenv/versions/2.7.18/bin/python``), so it is a tool, not a test: Debian no longer
ships Python 2.

    .venv/bin/python scripts/py2_differential.py --count 20000 [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cvmctx.guest import ini

GUEST = r'''
import sys, json, ConfigParser, StringIO
SECTCRE = ConfigParser.RawConfigParser.SECTCRE
OPTCRE = ConfigParser.RawConfigParser.OPTCRE
results = []
for text in json.loads(sys.stdin.read()):
    text = text.encode('utf-8')  # the guest reads bytes (a py2 str), not unicode
    kept, started = [], False
    for line in text.split('\n'):
        if not started:
            if not SECTCRE.match(line):
                continue
            started = True
        if SECTCRE.match(line) or OPTCRE.match(line):
            kept.append(line)
    parser = ConfigParser.ConfigParser()
    try:
        parser.readfp(StringIO.StringIO('\n'.join(kept)))
    except Exception, e:
        results.append({'error': type(e).__name__})
        continue
    u = lambda b: b.decode('utf-8')
    sections = {}
    for name, options in parser._sections.items():
        sections[u(name)] = dict((u(k), u(v)) for k, v in options.items() if k != '__name__')
    defaults = dict((u(k), u(v)) for k, v in parser._defaults.items())
    results.append({'sections': sections, 'defaults': defaults})
print json.dumps(results)
'''

PIECES = [
    "[cernvm]", "[amiconfig]", "[CernVM]", " [cernvm]", "[a]]", "[ x ]", "[DEFAULT]", "[]",
    "users", "plugins", "Key", "KEY", "a", "x y", "rem", "REM x", "#", ";", " ;", ";c", "=", ":",
    " = ", ": ", "==", "value", "v ;c", "http://p:3128;DIRECT", '""', "%(x)s", "\t", " ", "\r",
    "é", "É", "KÉY", "İ", "ß", "\u00a0", "\u2028", "\x0b", "\x0c", "\x85",
    "[ucernvm-begin]", "[ucernvm-end]", "#!/bin/sh", "exit", "\ufeff", "a=b", "k: v",
]


def sample(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 12)):
        lines.append("".join(rng.choice(PIECES) for _ in range(rng.randint(0, 5))))
    return "\n".join(lines) + rng.choice(["", "\n"])


def ours(text: str) -> dict[str, object]:
    doc = ini.read(text)
    sections: dict[str, dict[str, str]] = {}
    defaults: dict[str, str] = {}
    for name, block in doc.blocks.items():
        values = {k: o.value for k, o in block.options.items()}
        if name == "DEFAULT":
            defaults = values
        else:
            sections[name] = values
    return {"sections": sections, "defaults": defaults}


def arguments(description: str) -> argparse.ArgumentParser:
    """The options every differential script takes: how many cases, the seed, the python2.7."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--py2", default=os.environ.get(
        "PY2", str(Path.home() / ".pyenv/versions/2.7.18/bin/python")))  # fmt: skip
    return parser


def run_py2(py2: str, program: str, payload: object, *argv: str) -> Any:
    """Run ``program`` under Python 2.7 with ``payload`` as JSON on stdin; its JSON stdout."""
    return json.loads(subprocess.run(
        [py2, "-c", program, *argv], input=json.dumps(payload), capture_output=True, text=True,
        check=True,
    ).stdout)  # fmt: skip


def main() -> int:
    args = arguments(__doc__.splitlines()[0]).parse_args()
    rng = random.Random(args.seed)
    texts = [sample(rng) for _ in range(args.count)]
    guest = run_py2(args.py2, GUEST, texts)
    mismatches = 0
    for text, want in zip(texts, guest, strict=True):
        if "error" in want:
            continue  # ConfigParser raised (e.g. a duplicate [DEFAULT] quirk): not compared
        if ours(text) != want:
            mismatches += 1
            if mismatches <= 5:
                print("MISMATCH", json.dumps(text), "\n  guest:", want, "\n  cvmctx:", ours(text))
    errors = sum("error" in g for g in guest)
    print(f"{args.count} texts, {errors} raised in ConfigParser, {mismatches} mismatches")
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
