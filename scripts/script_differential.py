#!/usr/bin/env python3
"""Differential check of ``cvmctx validate`` against the guest's script runner, run for real.

Random user data (a ``#!/bin/sh`` script built from exits in every form, ``\\`` continuations,
here-documents, multi-line strings, blank and spaces-only lines, then INI sections) goes
through

  * the guest's RunUserDataScript (``hepix/commands/amiconfig.sh``, guest-format.md §1.6) with
    GNU grep, sed and awk exactly as the guest calls them, then the extracted file run by
    bash as ``sh`` (CernVM's ``/bin/sh`` is bash), in an empty directory, with a PATH that
    holds only recording stubs: ``mark``/``markin`` for the script's own commands and one stub
    per first word of the INI lines, so that the trace shows every command that ran, with its
    arguments and standard input; and
  * ``cvmctx.api.validate_bytes``.

Two questions are compared:

A. Does the guest's shell run or swallow INI lines (an INI stub ran, or INI text reached a
   command's arguments or standard input)? validate: ``script.no-exit`` or
   ``script.open-at-end`` say yes, ``script.exit-unproven`` says it cannot decide, a
   ``script.syntax`` error means the shell dies where the syntax breaks (so no), else no.
B. What does the guest's deletion of blank lines change? The script as written and as the
   guest keeps it are both run (without the INI part) and their traces compared: the same,
   only the text of arguments or standard input (a string or here-document), or the commands
   and their arguments. validate: ``script.blank-line-joins`` says commands,
   ``script.blank-line-in-string``/``-in-heredoc`` say text, nothing says the same.

Nothing here contacts any address; every process is bounded by a timeout.

    .venv/bin/python scripts/script_differential.py --count 2000 [--seed 1] [--show 5]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cvmctx.api import validate_bytes

INI = "[amiconfig]\nplugins = cernvm\n[cernvm]\norganisations = cms\n"
INI_WORDS = ("[amiconfig]", "plugins", "[cernvm]", "organisations")
INI_MARKERS = ("amiconfig", "plugins", "cernvm", "organisations")

# RunUserDataScript, after mode, from amiconfig.sh (guest-format.md §1.6): the same grep, sed
# and awk commands; the extracted file is then run by bash as `sh`.
GUEST = r"""
t=$(mktemp)
grep -v -e "^ *\$" "$1" > "$t" 2>&1
[ -s "$t" ] || exit 0
[ $(head -1 "$t" | grep -c -e '^#!') == 0 ] && exit 0
sed -n '/#!.*sh\(.*after\|$\)/,/^exit/p' "$t" | sed  -e 's/\(#!.*\) \(.*\)/\1/' > "$t".sh
if [ -s "$t".sh ]; then
  awk '/#!.*sh/,/^$/ {print}' "$t" > "$t".sh
  cp "$t".sh "$2"
fi
rm -f "$t" "$t".sh
"""

STUB = """#!/bin/bash
{ printf '%s' "${0##*/}"; printf '\\t%q' "$@"; printf '\\n'; } >> "$TRACE"
"""
STUB_IN = """#!/bin/bash
{ printf '%s' "${0##*/}"; printf '\\t%q' "$@"; printf '\\tstdin:%q\\n' "$(/bin/cat)"; } >> "$TRACE"
"""

# Exits in every form the issue names, and then some; each a list of lines.
EXITS: list[list[str]] = [
    ["exit"], ["  exit"], ["\texit 0"], ["exit 3"], ["exec mark x"], ["true && exit"],
    ["{ exit; }"], ["if true; then exit; fi"], ["if true; then", "  exit", "fi"],
    ["if mark c; then exit; else exit 1; fi"], ["mark c && exit"], ["mark c || exit"],
    ["exit &"], ["exit | mark p"], ["(exit)"], ["! exit"], ["X=1 exit"], ["exit 0 >/dev/null"],
    ["f() { exit; }", "f"], ["while true; do exit; done"], ["case x in *) exit;; esac"],
    ["case x in a) exit;; esac"], ["for i in 1; do exit; done"], ["exit \\"], ["exit;"],
    ["builtin exit"], ["command exit"], ["exec >/dev/null"], ["return"], [],
]  # fmt: skip

BLANKS = ["", "   "]


def body_item(rng: random.Random, n: int) -> list[str]:
    """One piece of script: a command, a continuation, a heredoc, a multi-line string, …"""
    blank = rng.choice(BLANKS)
    kind = rng.randrange(12)
    if kind == 0:
        return [f"mark {n} \\", f"  arg{n}"]
    if kind == 1:
        return [f"mark {n} \\", blank, f"mark {n}b"]
    if kind == 2:
        return [f"markin {n} <<EOF", "line one", blank, "line two", "EOF"]
    if kind == 3:
        return [f"markin {n} <<'EOF'", "exit", "EOF"]
    if kind == 4:
        return [f'mark {n} "first', blank, 'last"']
    if kind == 5:
        return [f"mark {n} 'first", blank, "last'"]
    if kind == 6:
        return [f"markin {n} <<-EOF", "\tindented", "\tEOF"]
    if kind == 7:
        return [f"mark {n} &&", blank, f"mark {n}b"]
    if kind == 8:
        return [f"if mark {n}; then", f"  mark {n}b", "fi"]
    if kind == 9:
        return [blank]
    if kind == 10:
        return [f"mark {n} # comment \\", f"mark {n}b"]
    return [f"mark {n}"]


def hazard(rng: random.Random) -> list[str]:
    """Something left open at the end of the script, now and then."""
    return rng.choice(
        [
            [],
            [],
            [],
            ["mark h \\"],
            ["markin h <<EOF", "unclosed"],
            ["if mark h; then"],
            ['mark h "unclosed'],
            ["mark h |"],
            ["{ mark h"],
        ]
    )


def sample(rng: random.Random) -> str:
    lines = ["#!/bin/sh"]
    for n in range(rng.randrange(5)):
        lines += body_item(rng, n)
    if rng.random() < 0.15:
        lines += hazard(rng)
    lines += rng.choice(EXITS)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------


@dataclass
class Sandbox:
    root: Path

    @classmethod
    def make(cls) -> Sandbox:
        root = Path(tempfile.mkdtemp(prefix="cvmctx-diff-"))
        bin_dir = root / "bin"
        bin_dir.mkdir()
        for name, body in [("mark", STUB), ("markin", STUB_IN)] + [(w, STUB) for w in INI_WORDS]:
            (bin_dir / name).write_text(body)
            (bin_dir / name).chmod(0o755)
        bash = shutil.which("bash") or "/bin/bash"
        os.symlink(bash, bin_dir / "sh")  # bash as `sh`: posix mode, like CernVM's /bin/sh
        (root / "work").mkdir()
        return cls(root)

    def run(self, script_file: Path) -> str:
        """Run ``script_file`` by bash-as-sh in the empty work directory; the trace."""
        trace = self.root / "trace"
        trace.write_text("")
        env = {"PATH": str(self.root / "bin"), "TRACE": str(trace), "LC_ALL": "C"}
        for timeout in (10, 30, 90):  # a busy host can stall a run; a script never loops
            try:
                proc = subprocess.run(
                    [str(self.root / "bin" / "sh"), str(script_file)],
                    cwd=self.root / "work",
                    env=env,
                    capture_output=True,
                    timeout=timeout,
                    check=False,
                )
                break
            except subprocess.TimeoutExpired:
                trace.write_text("")
        else:
            raise RuntimeError(f"{script_file} did not finish in 90 s")
        # The shell read to the end of the file looking for the end of a command: a quote,
        # a here-document or a compound command left open took the INI lines in.
        read_to_end = any(m in proc.stderr for m in _READ_TO_END)
        # INI text that reached a builtin (`exit \` + `[amiconfig]` runs `exit [amiconfig]`)
        # shows only in the shell's complaint about it.
        builtin = any(m.encode() in proc.stderr for m in INI_MARKERS)
        return (
            trace.read_text()
            + ("<read-to-end>\n" if read_to_end else "")
            + ("<read-to-end>\n" if builtin else "")
        )

    def guest(self, user_data: str) -> str | None:
        """The guest's extraction and run of ``user_data``; None when it runs no script."""
        data = self.root / "user-data"
        data.write_text(user_data)
        extracted = self.root / "extracted.sh"
        extracted.unlink(missing_ok=True)
        subprocess.run(
            ["bash", "-c", GUEST, "guest", str(data), str(extracted)],
            env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"},
            capture_output=True,
            timeout=120,  # grep, sed and awk on a few hundred bytes; generous for a busy host
            check=True,
        )
        return self.run(extracted) if extracted.exists() else None

    def plain(self, text: str) -> str:
        path = self.root / "plain.sh"
        path.write_text(text)
        return self.run(path)


_READ_TO_END = (b"unexpected end of file", b"unexpected EOF", b"delimited by end-of-file")


def ini_reached(trace: str) -> bool:
    """An INI stub ran, INI text reached a command, or the shell read on to the end."""
    records = [line.split("\t") for line in trace.splitlines()]
    return any(
        r[0] in INI_WORDS
        or r[0] == "<read-to-end>"
        or any(m in f for f in r[1:] for m in INI_MARKERS)
        for r in records
    )


def change(written: str, kept: str) -> str:
    """same, text (only argument or stdin text differs) or commands."""
    if written == kept:
        return "same"
    a = [line.split("\t") for line in written.splitlines()]
    b = [line.split("\t") for line in kept.splitlines()]
    if len(a) != len(b):
        return "commands"
    for x, y in zip(a, b, strict=True):
        # the command, its number of arguments and its id argument must stay
        if x[0] != y[0] or len(x) != len(y) or x[1:2] != y[1:2]:
            return "commands"
    return "text"


def verdicts(codes: set[str]) -> tuple[str, str]:
    if "script.syntax" in codes:
        a = "dies"
    elif {"script.no-exit", "script.open-at-end"} & codes:
        a = "reads-ini"
    elif "script.exit-unproven" in codes:
        a = "undecided"
    else:
        a = "stops"
    if "script.blank-line-joins" in codes:
        b = "commands"
    elif {"script.blank-line-in-string", "script.blank-line-in-heredoc"} & codes:
        b = "text"
    else:
        b = "same"
    return a, b


@dataclass
class Outcome:
    script: str
    guest_a: str
    ours_a: str
    guest_b: str
    ours_b: str

    @property
    def agree_a(self) -> bool:
        if self.ours_a == "undecided":
            return True
        if self.ours_a == "dies":
            return self.guest_a == "stops"
        return self.ours_a == self.guest_a

    @property
    def agree_b(self) -> bool:
        # A change the shell never reaches (after the exit, or swallowed) can show as "same".
        return self.ours_b == self.guest_b or self.ours_a != "stops" or self.guest_a != "stops"


def judge(box: Sandbox, script: str) -> Outcome:
    ran = box.guest(script + INI)
    guest_a = "stops" if ran is not None and not ini_reached(ran) else "reads-ini"
    kept = "".join(line + "\n" for line in script.split("\n")[:-1] if line.strip(" "))
    guest_b = change(box.plain(script), box.plain(kept))
    result = validate_bytes((script + INI).encode(), "user-data")
    ours_a, ours_b = verdicts({d.code for d in result.report})
    return Outcome(script, guest_a, ours_a, guest_b, ours_b)


def run(count: int, seed: int) -> list[Outcome]:
    rng = random.Random(seed)
    box = Sandbox.make()
    try:
        return [judge(box, sample(rng)) for _ in range(count)]
    finally:
        shutil.rmtree(box.root, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=5, help="disagreements to print")
    args = parser.parse_args()
    outcomes = run(args.count, args.seed)
    bad = [o for o in outcomes if not (o.agree_a and o.agree_b)]
    a = Counter((o.guest_a, o.ours_a) for o in outcomes)
    b = Counter((o.guest_b, o.ours_b) for o in outcomes if o.ours_a == o.guest_a == "stops")
    print(f"cases: {len(outcomes)}")
    print(f"A (INI lines run): agree {sum(o.agree_a for o in outcomes)}, "
          f"undecided {sum(o.ours_a == 'undecided' for o in outcomes)}")  # fmt: skip
    for (guest, ours), n in sorted(a.items()):
        print(f"    guest {guest:9} validate {ours:9} {n}")
    print(f"B (blank lines): agree {sum(o.agree_b for o in outcomes)}")
    for (guest, ours), n in sorted(b.items()):
        print(f"    guest {guest:9} validate {ours:9} {n}")
    print(f"disagreements: {len(bad)}")
    for o in bad[: args.show]:
        print("----", o.guest_a, o.ours_a, o.guest_b, o.ours_b)
        print(o.script, end="")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
