#!/usr/bin/env python3
"""Check cvmctx's table of guest variables against the guest's own sources (guest-format.md §4).

`cvmctx.guest.contextsh.variables` refuses a context.sh that sets a variable the guest reads after
sourcing it
(``AMICONFIG_CONTEXT_DIR``, ``VERSION``, ``CONTEXT_DIR``, ``AMICONFIG``, ``AMILOGECHO``,
``AMICONFIG_LOCAL_USER_DATA``, ``DO_CONTEXT``). This script settles that each of those names is
read where the table says, in a snapshot of github:cernvm/amiconfig. It needs that snapshot, so it
is a script rather than a test (the test suite runs on machines without it):

    .venv/bin/python scripts/guest_sources_check.py [--git-dir DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

DEFAULT = Path("/work/.mirror/cernvm+amiconfig/repo/.git")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--git-dir", type=Path, default=DEFAULT)
    git_dir = parser.parse_args().git_dir
    if not git_dir.is_dir():
        print(f"{git_dir}: no snapshot of cernvm/amiconfig here (fetch github:cernvm/amiconfig)",
              file=sys.stderr)  # fmt: skip
        return 2

    def show(path: str) -> str:
        return subprocess.run(["git", "--git-dir", str(git_dir), "show", f"HEAD:{path}"],
                              capture_output=True, check=True).stdout.decode()  # fmt: skip

    failures: list[str] = []

    def expect(ok: bool, what: str) -> None:
        print(("ok    " if ok else "FAIL  ") + what)
        if not ok:
            failures.append(what)

    functions = show("hepix/extra/hepix_functions")
    setup = functions[functions.index("setupContext ()") : functions.index("finalize ()")]
    after = setup[setup.index(". $CONTEXT_DIR/context.sh") :]
    for name in ("AMICONFIG_CONTEXT_DIR", "VERSION", "CONTEXT_DIR"):
        expect(f"${name}" in after or f"${{{name}}}" in after,
               f"hepix_functions setupContext reads ${name} after sourcing context.sh")  # fmt: skip
    expect("$AMICONFIG user" in show("hepix/extra/vmcontext_hepix"),
           "vmcontext_hepix runs $AMICONFIG user")  # fmt: skip
    script = show("hepix/commands/amiconfig.sh")
    expect("$AMILOGECHO" in script, "amiconfig.sh logs through $AMILOGECHO")
    expect('"$AMICONFIG_LOCAL_USER_DATA" == \'\'' in script,
           "amiconfig.sh reads the user data from $AMICONFIG_LOCAL_USER_DATA when set")
    expect("DO_CONTEXT=" not in script.replace("&& DO_CONTEXT=1", ""),
           "amiconfig.sh never clears DO_CONTEXT")
    print(f"{len(failures)} failed" if failures else "all agree")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
