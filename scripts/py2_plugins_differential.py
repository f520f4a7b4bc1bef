#!/usr/bin/env python3
"""Differential check of cvmctx's plugin selection against the guest's own amiconfig code.

The guest decides which plugins run in ami.py ``AMIConfig._getEnabledPlugins`` (guest-format.md
§2): default.cfg's ``enabled_plugins``, plus ``plugin.lower()`` for each word of ``[amiconfig]
plugins.split()``, minus those of ``disabled_plugins``, on Python 2 byte strings. This script
generates random ``[amiconfig]`` blocks (names in any case, ASCII and Unicode spaces, commas,
duplicates, the seed's ``disabed_plugins``, repeated keys and sections, headers in other cases)
and compares

  * the guest: the real ``rpath/amiconfig`` package (ami.py, userdata.py, instancedata.py,
    constants.py, lib/flags.py, taken from the cernvm/amiconfig repository with ``git show``)
    run under Python 2.7 with CernVM's default.cfg (``enabled_plugins = rootsshkeys``, empty
    ``disabled_plugins``); each text is the local user-data file, as on a guest booted from a
    context CD, and ``AMIConfig()._getEnabledPlugins()`` gives the set (or the exception);
  * cvmctx: ``enabled_in(read_context(text))``, the set ``cvmctx validate`` works with;

then builds every text with ``cvmctx build --no-enable-plugins`` and checks that the guest,
reading what build wrote, enables the same plugins as from the input. Only syslog is replaced
(lib/log.py): nothing here writes to the host's system log or opens a network address.

    .venv/bin/python scripts/py2_plugins_differential.py --count 5000 [--seed 1]
        [--guest-git /work/.mirror/cernvm+amiconfig/repo/.git]
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from py2_differential import arguments, run_py2  # the sibling script: options, the py2 runner

from cvmctx.api import BuildRequest, build
from cvmctx.diagnostics import CvmctxError, Severity
from cvmctx.model.load import read_context
from cvmctx.model.plugins import amiconfig_fails, enabled_in
from cvmctx.model.sections import plugin_sections

GUEST_FILES = [
    "__init__.py", "ami.py", "errors.py", "userdata.py", "instancedata.py",
    "metadataservice.py", "lib/__init__.py", "lib/flags.py",
]  # fmt: skip
# CernVM's /etc/amiconfig/default.cfg (guest-format.md §2, REN: amiconfig-rpath/default.cfg).
DEFAULT_CFG = "[general]\nenabled_plugins = rootsshkeys\ndisabled_plugins =\n"
NO_SYSLOG = "def _log(*args, **kwargs):\n    pass\n\nwarn = info = error = critical = _log\n"

GUEST = r'''
import sys, os, json
root = sys.argv[1]
user_data = os.path.join(root, 'user-data')
sys.argv = ['amiconfig', '-c', os.path.join(root, 'default.cfg')]  # lib/flags parses argv
sys.path.insert(0, root)
os.environ['AMICONFIG_CONTEXT_URL'] = 'file:' + os.path.join(root, 'no-meta-data')
os.environ['AMICONFIG_LOCAL_USER_DATA'] = user_data
from amiconfig.ami import AMIConfig
results = []
for text in json.loads(sys.stdin.read()):
    f = open(user_data, 'wb')
    f.write(text.encode('utf-8'))  # the guest reads bytes (a py2 str)
    f.close()
    try:
        names = AMIConfig()._getEnabledPlugins()
    except Exception, e:
        results.append({'error': type(e).__name__})
        continue
    results.append({'enabled': sorted(n.decode('utf-8') for n in names)})
print json.dumps(results)
'''

# ---------------------------------------------------------------------------- generation

UNIVERSE = sorted(plugin_sections())
JUNK = [
    "cernvn", "site-plugin", "rootsshkey", "c\u00e9rnvm", "CERNVM\u00c9", "\u0130", "\u212aelvin",
    "\uff23ernvm", "x.y", "-", "\\", "''", '"cernvm"',
]  # fmt: skip
# What the guest splits on (Python 2 str.split(): ASCII whitespace), and what it does not.
SPACES = [" ", " ", " ", "  ", "\t", "\x0b", "\x0c", "\r", " \t\x0b "]
NOT_SPACES = [
    ",", ", ", " ,", ";", "|", "\u00a0", "\u2003", "\u3000", "\u200b", "\u202f", "\u0085",
    "\x1c", "\u2028", "\ufeff",
]  # fmt: skip
KEYS = [
    "plugins", "plugins", "plugins", "Plugins", "PLUGINS", "disabled_plugins",
    "disabled_plugins", "Disabled_Plugins", "disabed_plugins", "plugin", " plugins",
    "plugins\u00a0", "rem plugins",
]  # fmt: skip
ASSIGN = ["=", " = ", " =", ":", " : ", "\t=\t", "= "]
HEADERS = [
    "[amiconfig]", "[amiconfig]", "[amiconfig]", "[AMIConfig]", "[AMICONFIG]", "[cernvm]",
    "[DEFAULT]", "[amiconfig ]", " [amiconfig]",
]  # fmt: skip


def _cased(rng: random.Random, name: str) -> str:
    style = rng.random()
    if style < 0.5:
        return name
    if style < 0.7:
        return name.upper()
    return "".join(c.upper() if rng.random() < 0.5 else c for c in name)


def _separator(rng: random.Random) -> str:
    return rng.choice(SPACES if rng.random() < 0.8 else NOT_SPACES)


def _value(rng: random.Random) -> str:
    names = [
        _cased(rng, rng.choice(JUNK if rng.random() < 0.15 else UNIVERSE))
        for _ in range(rng.randint(0, 5))
    ]
    if names and rng.random() < 0.2:
        names.append(rng.choice(names))  # a duplicate
    value = ""
    for i, name in enumerate(names):
        value += (_separator(rng) if i else "") + name
    if rng.random() < 0.1:
        value = _separator(rng) + value
    if rng.random() < 0.1:
        value += _separator(rng)
    if rng.random() < 0.05:
        value += rng.choice([" ;comment", ";x", " # note"])
    if rng.random() < 0.02:
        value = '""'
    return value


def sample(rng: random.Random) -> str:
    lines = [rng.choice(HEADERS) if rng.random() < 0.3 else "[amiconfig]"]
    for _ in range(rng.randint(1, 6)):
        roll = rng.random()
        if roll < 0.1:
            lines.append(rng.choice(HEADERS))
        elif roll < 0.15:
            lines.append(rng.choice(["", "# comment", "; comment", "shell = /bin/bash"]))
        else:
            lines.append(rng.choice(KEYS) + rng.choice(ASSIGN) + _value(rng))
    return "\n".join(lines) + rng.choice(["\n", "", "\r\n"])


# ---------------------------------------------------------------------------- the two sides


def guest_package(git_dir: str, root: Path) -> None:
    """The guest's amiconfig package in ``root``, from the repository's HEAD."""
    def show(path: str) -> str:
        return subprocess.run(
            ["git", f"--git-dir={git_dir}", "show", f"HEAD:{path}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip

    package = root / "amiconfig"
    (package / "lib").mkdir(parents=True)
    for name in GUEST_FILES:
        (package / name).write_text(show(f"rpath/amiconfig/{name}"))
    constants = show("rpath/amiconfig/constants.py.in")
    for token, value in [("@version@", "differential"), ("@amiconfigdir@", str(root / "plugins")),
                         ("@libdir@", str(root / "lib"))]:  # fmt: skip
        constants = constants.replace(token, value)
    (package / "constants.py").write_text(constants)
    (package / "lib" / "log.py").write_text(NO_SYSLOG)
    (root / "default.cfg").write_text(DEFAULT_CFG)


def guest_universe(git_dir: str) -> set[str]:
    """The ``name`` of every plugin in the guest's tree, lower-cased as ami.py keys them."""
    listing = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "--name-only", "HEAD"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    names: set[str] = set()
    for path in listing:
        if "/amiconfig/plugins/" in path and path.endswith(".py"):
            source = subprocess.run(
                ["git", f"--git-dir={git_dir}", "show", f"HEAD:{path}"],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            for line in source.splitlines():
                match = re.fullmatch(r"\s+name\s*=\s*['\"]([^'\"]+)['\"]\s*", line)
                if match is not None:
                    names.add(match.group(1).lower())
    return names


def ours(text: str) -> dict[str, Any]:
    context, diags = read_context(text)
    if amiconfig_fails(context):
        # amiconfig stops before any plugin; cvmctx must say so, as an error
        said = any(d.code == "ini.section-case" and d.severity is Severity.ERROR for d in diags)
        return {"error": "KeyError" if said else "KeyError, not reported"}
    return {"enabled": sorted(enabled_in(context))}


def _runs(result: dict[str, Any], universe: set[str]) -> set[str]:
    """The real plugins in a result: those the guest would load and run."""
    return set(result.get("enabled", ())) & universe


def built(text: str, scratch: Path) -> str | None:
    """What ``cvmctx build --no-enable-plugins`` writes for ``text``, or None if it refuses."""
    path = scratch / "input.txt"
    path.write_text(text, encoding="utf-8")
    try:
        return build(BuildRequest(userdata=path, enable_plugins=False, environ={})).text
    except CvmctxError:
        return None


def main() -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--guest-git", default=os.environ.get(
        "AMICONFIG_GIT", "/work/.mirror/cernvm+amiconfig/repo/.git"))  # fmt: skip
    args = parser.parse_args()
    rng = random.Random(args.seed)
    texts = [sample(rng) for _ in range(args.count)]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        guest_package(args.guest_git, root)
        guest = run_py2(args.py2, GUEST, texts, str(root))
        outputs = [built(text, root) for text in texts]
        written = [o for o in outputs if o is not None]
        guest_written = iter(run_py2(args.py2, GUEST, written, str(root)))

    universe = set(UNIVERSE)
    mismatches = runs_mismatches = build_mismatches = 0
    for text, want, output in zip(texts, guest, outputs, strict=True):
        got = ours(text)
        if got != want:
            mismatches += 1
            if mismatches <= 5:
                print("MISMATCH", repr(text), "\n  guest:", want, "\n  cvmctx:", got)
        runs_mismatches += _runs(want, universe) != _runs(got, universe)
        if output is not None:
            again = next(guest_written)
            if again != want:
                build_mismatches += 1
                if build_mismatches <= 5:
                    print("BUILD CHANGED", repr(text), "->", repr(output), "\n  guest before:",
                          want, "\n  guest after:", again)  # fmt: skip
    crashed = sum("error" in g for g in guest)
    on_guest = guest_universe(args.guest_git)
    print(f"{args.count} texts: guest stopped (KeyError) on {crashed}; enabled sets "
          f"{args.count - mismatches} agree, {mismatches} differ; plugins that run "
          f"{args.count - runs_mismatches} agree, {runs_mismatches} differ")  # fmt: skip
    print(f"build wrote {len(written)}, refused {args.count - len(written)}; the guest reads "
          f"{len(written) - build_mismatches} of the written ones as the input, "
          f"{build_mismatches} differently")  # fmt: skip
    print(f"plugin names: cvmctx knows {len(universe)}, the guest tree has {len(on_guest)}; "
          f"cvmctx only: {sorted(universe - on_guest)}; guest only: {sorted(on_guest - universe)}")
    return 1 if mismatches or build_mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
