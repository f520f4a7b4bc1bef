#!/usr/bin/env python3
"""Differential check of cvmctx's static context.sh reader against bash sourcing the same text.

The guest sources context.sh with bash (guest-format.md §4). This script generates context.sh
texts from the shell forms people write (assignments with every quoting form, several per line,
``;``, comments, line continuations, ``export``/``readonly``, ``&&``/``||``, a few commands,
compound commands and syntax errors), and compares, for every text,

  * what ``env -i bash --norc --noprofile`` sets after ``. ./context.sh`` (run on the generated
    text only, in a fresh subshell per text, in a temporary directory), and
  * what :func:`cvmctx.guest.contextsh.file.read_context` says it sets.

A text agrees when every value cvmctx claims is bash's, every variable bash sets is either
claimed with that value or one cvmctx says it cannot know, and cvmctx reports a syntax error or
a failed read-only assignment exactly where bash prints one.

    .venv/bin/python scripts/contextsh_differential.py --count 20000 [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cvmctx.guest.contextsh.file import read_context

NAMES = ["A", "B", "C", "D", "E1", "_f", "g"]
_BARE = [*"abcXYZ019_./:,+=@%^*?[]{}!é#-~", "{a,b}", "x{1..2}"]
_SQ_CHARS = [*"ab $`\"\\\n;#&|()<>~é{},", "\t"]
_DQ_CHARS = list("ab ;#&|()<>'~é{},\n\t")
_DQ_ESCAPES = ["\\$", "\\`", '\\"', "\\\\", "\\\n", "\\a", "\\'", "$", "$ ", "$'x'"]
_ANSI = ["\\n", "\\t", "\\\\", "\\'", '\\"', "\\x41", "\\101", "\\q", "\\e", "\\?", "\\u00e9",
         "\\x", "\\0", "a", " ", "$"]  # fmt: skip
_ESCAPES = ["\\ ", "\\;", "\\'", '\\"', "\\\\", "\\$", "\\#", "\\\n", "\\|", "\\&", "\\~", "\\é"]
_EXPANSIONS = ["$X", "${X}", "$(:)", "`:`", "$1", "$((1+1))", "${X:-a b}", "$(echo ')')"]


def _value(rng: random.Random) -> str:
    pieces = []
    for _ in range(rng.choice([0, 1, 1, 2, 3, 4])):
        kind = rng.random()
        if kind < 0.3:
            pieces.append("".join(rng.choice(_BARE) for _ in range(rng.randint(1, 4))))
        elif kind < 0.5:
            pieces.append("'" + "".join(rng.choice(_SQ_CHARS) for _ in range(rng.randint(0, 5)))
                          + "'")  # fmt: skip
        elif kind < 0.7:
            inner = [rng.choice(_DQ_CHARS + _DQ_ESCAPES) for _ in range(rng.randint(0, 5))]
            pieces.append('"' + "".join(inner) + '"')
        elif kind < 0.8:
            pieces.append(rng.choice(_ESCAPES))
        elif kind < 0.88:
            pieces.append("$'" + "".join(rng.choice(_ANSI) for _ in range(rng.randint(0, 4)))
                          + "'")  # fmt: skip
        elif kind < 0.92:
            pieces.append('$"' + "".join(rng.choice("ab ") for _ in range(2)) + '"')
        elif kind < 0.96:
            pieces.append(rng.choice(["$", "a$", "$;"[:1]]))
        else:
            pieces.append(rng.choice(_EXPANSIONS))
    return "".join(pieces)


def _assignment(rng: random.Random) -> str:
    name = rng.choice(NAMES)
    if rng.random() < 0.03:
        return f"{name}+={_value(rng)}"
    if rng.random() < 0.02:
        return f"{name}=(x y)"
    return f"{name}={_value(rng)}"


def _statement(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.55:
        return " ".join(_assignment(rng) for _ in range(rng.choice([1, 1, 1, 2, 3])))
    if kind < 0.72:
        builtin = rng.choice(["export", "export", "readonly"])
        args = [rng.choice([rng.choice(NAMES), _assignment(rng), _assignment(rng)])
                for _ in range(rng.randint(1, 3))]  # fmt: skip
        if rng.random() < 0.1:
            args.insert(0, rng.choice(["--", "-n", "-p"]))
        if rng.random() < 0.05:
            args.append(rng.choice(["1x=2", "'A B'=1", '"A"=q']))
        return " ".join([builtin, *args])
    if kind < 0.8:
        name = rng.choice(NAMES)
        return rng.choice([":", "true", "false", f"{_assignment(rng)} :", "echo hi >/dev/null",
                           f"{_assignment(rng)} >/dev/null", f"unset {name}", "return",
                           f"eval {name}=e", f"declare {name}=d", f"local {name}=l",
                           f"read {name} </dev/null", f"let {name}=1+1", f"printf -v {name} p",
                           f"f() {{ {name}=f; }}", "f", f'"export" {name}=x', "exit 0",
                           f"{name}=$((1/0)) B=2", f"{name}=${{X:?}}", f"export {name}=$[1+]",
                           f"{name}=${{X:-a}} B=3"])  # fmt: skip
    if kind < 0.86:
        return rng.choice([f"if true; then {_assignment(rng)}; fi",
                           f"{{ {_assignment(rng)}; }}", f"( {_assignment(rng)} )",
                           f"if false\nthen\n{_assignment(rng)}\nfi",
                           f"for i in 1; do {_assignment(rng)}; done",
                           f"case x in x) {_assignment(rng)};; esac",
                           f"f() {{ {_assignment(rng)}; }}"])  # fmt: skip
    if kind < 0.97:
        return " ".join(_assignment(rng) for _ in range(rng.randint(1, 2)))
    return rng.choice([";;", "; A=1", ")", "A=1 ;;", "fi", "A=1 ; ;"])


def _joiner(rng: random.Random) -> str:
    return rng.choice(["\n", "\n", "\n", "; ", ";", " ;\n", "; # c ; X=1\n", " # c\n", " && ",
                       " || ", " \\\n", "\n\n", " & ", " | ", "&&\n", ";\t#c\\\n"])  # fmt: skip


def generate_plain(rng: random.Random) -> str:
    """A text of plain assignments only, as people write context.sh by hand: every quoting
    form, several per line, ``;``, comments, continuations, ``export``/``readonly``. cvmctx
    must read every value bash sets, with no finding but ``contextsh.readonly``."""
    names = list(NAMES)
    rng.shuffle(names)
    statements = []
    for name in names[: rng.randint(1, len(names))]:
        value = "".join(rng.choice([
            "".join(rng.choice(_BARE[:-3]) for _ in range(rng.randint(1, 3))),
            "'" + "".join(rng.choice(_SQ_CHARS) for _ in range(rng.randint(0, 4))) + "'",
            '"' + "".join(rng.choice(_DQ_CHARS + _DQ_ESCAPES[:6]) for _ in range(3)) + '"',
            rng.choice(_ESCAPES),
            "$'" + "".join(rng.choice(_ANSI[:10]) for _ in range(rng.randint(0, 3))) + "'",
        ]) for _ in range(rng.randint(0, 3)))
        value = value.replace("~", "x") if value.startswith("~") or ":~" in value else value
        statements.append(rng.choice(["", "", "export ", "readonly "]) + f"{name}={value}")
    text = statements[0]
    for statement in statements[1:]:
        joiners = ["\n", "; ", ";", "; # c\n", " # c ; X=1\n", "\n\n# comment\n", ";\t#c\\\n"]
        if not statement.startswith(("export ", "readonly ")):
            joiners += [" ", " \\\n"]  # A=1 B=2: one command, both set
        text += rng.choice(joiners) + statement
    return text + rng.choice(["\n", "", " # end\n"])


def generate(rng: random.Random) -> str:
    """One context.sh-like text."""
    parts = [_statement(rng)]
    for _ in range(rng.randint(0, 5)):
        parts.append(_joiner(rng))
        parts.append(_statement(rng))
    text = "".join(parts)
    if rng.random() < 0.02:
        text += rng.choice(["\nA='open", '\nB="open', "\nC=$(open"])
    return text + rng.choice(["\n", "", "\n# end\n"])


@dataclass
class Bash:
    values: dict[str, str]
    stderr: str
    aborted: bool  # bash gave up the caller too (a parse error inside $( ... ), bash 5.2)


_PRINT = ('for __v in {names}; do if [ -n "${{!__v+x}}" ]; then '
          "printf '%s=%s\\0' \"$__v\" \"${{!__v}}\"; fi; done")


def run_bash(texts: list[str], names: list[str] = NAMES) -> list[Bash]:
    """Source each text in a fresh ``env -i bash``, from a function as the guest does (in
    vmcontext_hepix; vmcontext_prolog's subshell gives up at a failed read-only assignment
    where this skips the rest of the line). Runs nothing but the generated text."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for text in texts:
            (root / "context.sh").write_text(text, encoding="utf-8")
            proc = subprocess.run(
                ["env", "-i", "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "bash", "--norc",
                 "--noprofile", "-c", f"setupContext() {{ . ./context.sh >/dev/null; }}\n"
                 f"setupContext </dev/null\n{_PRINT.format(names=' '.join(names))}; "
                 "printf 'done\\0'"],
                cwd=root, capture_output=True, timeout=60, check=False,
            )  # fmt: skip
            out = proc.stdout.decode("utf-8", "surrogateescape").split("\0")
            values = dict(item.split("=", 1) for item in out if "=" in item)
            results.append(Bash(values, proc.stderr.decode("utf-8", "replace"), "done" not in out))
    return results


# bash's parse errors (not "syntax error: operand expected" from arithmetic when it runs)
_PARSE_ERROR = re.compile(r"syntax error near|syntax error: unexpected end of file|"
                          r"unexpected EOF while looking")


def compare(text: str, bash: Bash) -> list[str]:
    """The disagreements between cvmctx's reading of ``text`` and what bash set."""
    reading = read_context(text)
    codes = {d.code for d in reading.diagnostics}
    problems = []
    if bash.aborted:  # nothing after the source ran (exit, ${X:?}, a parse error in $( ... ))
        if not {"contextsh.cannot-tell", "contextsh.unterminated", "contextsh.syntax",
                "contextsh.command", "contextsh.expansion"} & codes:  # fmt: skip
            problems.append("bash gave up the caller, cvmctx reports nothing about it")
        return problems
    if reading.incomplete:  # a command may change anything: cvmctx said so, claims nothing new
        return problems if "contextsh.cannot-tell" in codes else ["incomplete without warning"]
    for name in NAMES:
        claimed = reading.values.get(name)
        if claimed is not None and bash.values.get(name) != claimed.value:
            problems.append(f"{name}: cvmctx {claimed.value!r}, bash {bash.values.get(name)!r}")
        elif claimed is None and name in bash.values and name not in reading.unknown:
            problems.append(f"{name}: bash sets {bash.values[name]!r}, cvmctx says unset")
    bash_syntax = _PARSE_ERROR.search(bash.stderr) is not None
    cvmctx_syntax = bool({"contextsh.syntax", "contextsh.unterminated"} & codes)
    if cvmctx_syntax and not bash_syntax:
        problems.append("cvmctx reports a syntax error, bash parses it")
    if bash_syntax and not (cvmctx_syntax or "contextsh.cannot-tell" in codes):
        problems.append("bash reports a syntax error, cvmctx does not")
    if reading.failed and "readonly variable" not in bash.stderr:  # (not the second sourcing)
        problems.append("cvmctx reports a failed read-only assignment, bash does not")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=10, help="disagreements to print")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    stats: Counter[str] = Counter()
    shown = 0
    plain = [generate_plain(rng) for _ in range(args.count // 4)]
    for text, bash in zip(plain, run_bash(plain), strict=True):
        reading = read_context(text)
        others = {d.code for d in reading.diagnostics} - {"contextsh.readonly",
                  "contextsh.no-user-data", "contextsh.no-one-context-path"}  # fmt: skip
        got = {n: v.value for n, v in reading.values.items()}
        stats["plain texts"] += 1
        stats["plain variables bash set"] += len(bash.values)
        if got == bash.values and not others and not reading.unknown:
            stats["plain texts read exactly, no finding"] += 1
        else:
            stats["plain disagreements"] += 1
            if shown < args.show:
                shown += 1
                print(f"--- plain {text!r}\n    cvmctx {got} {sorted(others)}\n"
                      f"    bash {bash.values}")
    texts = [generate(rng) for _ in range(args.count)]
    for start in range(0, len(texts), 2000):
        batch = texts[start : start + 2000]
        for text, bash in zip(batch, run_bash(batch), strict=True):
            problems = compare(text, bash)
            reading = read_context(text)
            stats["texts"] += 1
            stats["variables bash set"] += len(bash.values)
            stats["values cvmctx claimed"] += sum(n in reading.values for n in NAMES)
            stats["values cvmctx could not tell"] += sum(n in reading.unknown for n in NAMES)
            parse_error = _PARSE_ERROR.search(bash.stderr) is not None
            stats["texts bash stopped with a syntax error"] += parse_error
            stats["texts cvmctx could not read to the end (eval, source...)"] += reading.incomplete
            stats["texts where bash gave up the caller (exit, ${X:?}...)"] += bash.aborted
            if problems:
                stats["disagreements"] += 1
                if shown < args.show:
                    shown += 1
                    print(f"--- {text!r}\n    " + "\n    ".join(problems))
            else:
                stats["agreements"] += 1
    for key, value in stats.items():
        print(f"{key}: {value}")
    return 1 if stats["disagreements"] or stats["plain disagreements"] else 0


if __name__ == "__main__":
    sys.exit(main())
