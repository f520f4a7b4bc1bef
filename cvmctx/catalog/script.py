"""Codes of the script part (``script.*``).

Declared here once; docs/diagnostics.md is generated from the catalog
(``python -m cvmctx.catalog``), in the order of declaration."""

from __future__ import annotations

from cvmctx.catalog.code import Page

PAGE = Page()

PAGE.prose(
    """## The script part (`script.*`)

The guest's amiconfig.sh deletes blank lines, runs a script only if the first line starts
with `#!` and passes one of two unanchored sed tests, and executes everything from the first
`#!.*sh` line to the end of the user data, INI lines included ([§1.6](guest.md#s1.6)). These codes use the path
`script` (or the `--script` file).
"""
)

NOT_FIRST = PAGE.code(
    'script.not-first',
    "error",
    """A `#!` line is in the user data, but not as the first non-blank line (or behind a byte
order mark or an indent). The guest sees no script, and the INI reader drops the lines as text
before the first section ([§1.6](guest.md#s1.6), [§2](guest.md#s2)). **Fix:** put the script first, starting with its `#!` line
in column 1.""",
)

SHEBANG_NOT_RUN = PAGE.code(
    'script.shebang-not-run',
    "error",
    """The guest never runs this script: its first line matches neither `#!.*sh.*before` nor
`#!.*sh(.*after|$)` (`#!/bin/bash -e`, `#!/usr/bin/env python`, a shebang ending in CR), or it
runs another `#!.*sh` line further down instead of this interpreter ([§1.6](guest.md#s1.6)). In `cvmctx build`
it refuses a non-shell interpreter. **Fix:** start with `#!/bin/sh` (after the plugins) or
`#!/bin/sh.before` (before them); put options in a `set -e` line and run other interpreters
from inside the script.""",
)

SHEBANG_REPLACED = PAGE.code(
    'script.shebang-replaced',
    "warning",
    """cvmctx replaced the script's first line with one that runs in
the requested phase (`#!/bin/sh.before`, or `#!/bin/sh`/`#!/bin/bash` after the plugins): as
written, the guest would have run it in the other phase, in both, never, or with the kernel
passing the phase word as an argument (`#!/bin/sh before`) ([§1.6](guest.md#s1.6)). Only a line that loses
nothing is replaced; one with options is refused (`script.shebang-unrunnable`). **Fix:** write
the replacement as the first line yourself.""",
    qualifier='`cvmctx build`',
)

UNANALYSED = PAGE.code(
    'script.unanalysed',
    "error",
    """cvmctx's shell parser gave up on the script within its fixed budget
(a hostile tangle such as thousands of unclosed `a=(`), so nothing about where the shell stops
or what blank lines change is proven; nothing is written. `validate` reports the same as
`script.exit-unproven`. **Fix:** simplify the script, or ship the complex part as a file it
runs.""",
    qualifier='`cvmctx build`',
)

SHEBANG_UNRUNNABLE = PAGE.code(
    'script.shebang-unrunnable',
    "error",
    """The guest selects the script (its sed test matches) but the kernel cannot start it:
the kernel passes everything after the interpreter as **one** argument, so `#!/bin/sh before`
runs `/bin/sh before FILE` (no file `before`), `#!/bin/bash -e after` gives bash the option
string `-e after` (invalid option) and `#!/usr/bin/env sh after` asks env for a program named
`sh after` ([§1.6](guest.md#s1.6)). Nothing of the script runs. In `cvmctx build`, a shebang whose options
cvmctx would have to drop is refused, not rewritten. **Fix:** the hint gives the working
spelling: `#!/bin/sh.before` (or `#!/bin/sh`, `#!/bin/bash`) as the first line and the options
as a `set` line after it (`set -e`).""",
)

RUNS_TWICE = PAGE.code(
    'script.runs-twice',
    "error",
    """One line matches the "before" test and another the "after" test (for example a
here-document that writes `#!/bin/sh`), so the guest runs the same script before **and** after
the plugins ([§1.6](guest.md#s1.6)). **Fix:** no other line may hold `#!` followed by `sh`; write such text with
`printf '#%s\\n' '!/bin/sh'`.""",
)

NO_EXIT = PAGE.code(
    'script.no-exit',
    "error",
    """No top-level command of the script part ends the shell before the INI lines, so the
shell goes on and runs them (`[amiconfig]`, `plugins=…`) as commands ([§1.6](guest.md#s1.6)). cvmctx reads the
script's structure, not its lines: an `exit` in the background (`exit &`), in a pipeline
(`exit | cat`), in a subshell (`(exit)`), in a function defined inside a pipeline, in a `case`
branch that a literal word never takes, or one that is only text (an argument continued by
`\\`, the body of a here-document, a quoted string) does not end the shell; the message names
which. **Fix:** end the script with a line `exit` of its own.""",
)

OPEN_AT_END = PAGE.code(
    'script.open-at-end',
    "error",
    """The script part ends inside something still open: a `\\` continuation, a quote, a
here-document that is never closed, an `if`/`case`/loop/`{`/`(` without its end, or a trailing
`&&`, `||` or `|`. The shell reads the next lines, the `exit` and the INI lines, as part of it
([§1.6](guest.md#s1.6)). `cvmctx build` refuses such a `--script` rather than add an `exit` that would be
swallowed. **Fix:** the hint names the line: remove the `\\`, close the quote or the
here-document, or finish the command.""",
)

EXIT_UNPROVEN = PAGE.code(
    'script.exit-unproven',
    "warning",
    """cvmctx cannot prove that the shell stops before the INI lines: the only command
that would end it runs on some paths only (`[ -d /opt ] && exit`, an `if` without `else`, a loop
that may not run, `return` outside a function, which ends the shell only when bash runs as
`sh`), or cvmctx's shell parser could not read it. When it does not run, the shell runs the INI
lines as commands ([§1.6](guest.md#s1.6)). **Fix:** end the script with an unconditional `exit` line.""",
)

EXIT_ADDED = PAGE.code(
    'script.exit-added',
    "info",
    """cvmctx added the final `exit` line that keeps the shell from running
the INI part ([§1.6](guest.md#s1.6)). Nothing to fix.""",
    qualifier='`cvmctx build`',
)

CRLF = PAGE.code(
    'script.crlf',
    "error",
    """The script has CRLF line ends: bash sees a `\\r` at the end of every command (even
`exit\\r` is an unknown command) and `#!/bin/sh\\r` is a bad interpreter ([§1.6](guest.md#s1.6)). **Fix:** convert
the file to LF line ends (`dos2unix`).""",
)

BLANK_LINE_IN_HEREDOC = PAGE.code(
    'script.blank-line-in-heredoc',
    "warning",
    """A blank line inside a here-document: the guest deletes blank lines before running
the script, so the text it writes lacks this line ([§1.6](guest.md#s1.6)). **Fix:** if the empty line matters,
write it outside the here-document (`echo >> FILE`).""",
)

BLANK_LINE_IN_STRING = PAGE.code(
    'script.blank-line-in-string',
    "warning",
    """A blank (empty or spaces-only) line inside a quoted string that spans lines: the
guest deletes it before running the script, so the string lacks this line; the commands and
their arguments stay the same ([§1.6](guest.md#s1.6)). **Fix:** if the empty line matters, build it with
`printf`.""",
)

BLANK_LINE_JOINS = PAGE.code(
    'script.blank-line-joins',
    "error",
    """The line before this blank line ends in `\\`, which joins the blank line and so ends
the command there. The guest deletes blank lines first, so the `\\` joins the next line instead:
`echo one \\`, blank, `echo two` runs `echo one echo two`; before an `exit`, the `exit` becomes
an argument and the shell runs the INI lines ([§1.6](guest.md#s1.6)). `cvmctx build` refuses such a script.
**Fix:** remove the `\\` (or the blank line).""",
)

BRACKET_LINE = PAGE.code(
    'script.bracket-line',
    "error",
    """ when the bracketed name is `amiconfig` or a known section, else **warning**. A script
line starting with `[` and holding a `]` (`[ -f /x ] && …`, a heredoc line `[cernvm]`) opens a
section for the guest's INI reader, which takes the `key=value`-looking script lines after it as
that section's options ([§2](guest.md#s2)). Such a section belongs to the script: `cvmctx build` keeps it out
of the INI part (and drops it with the script when `--script` replaces it), and validate reports
nothing else about those lines. **Fix:** write `test …` instead of `[ … ]`, or indent the line (in
a here-document, open it with `<<-` and indent with a tab).""",
    varies=True,
)

SYNTAX = PAGE.code(
    'script.syntax',
    "error",
    """`bash -n` cannot parse the text the guest runs (after blank lines are deleted), so it
fails at that line ([§1.6](guest.md#s1.6)). **Fix:** check the line and the ones just before it; remember that
blank lines are gone.""",
)

SYNTAX_UNCHECKED = PAGE.code(
    'script.syntax-unchecked',
    "info",
    """bash could not be run on the host (not installed, or too slow), so the script's syntax
was not checked. **Fix:** install bash to get the check.""",
)
