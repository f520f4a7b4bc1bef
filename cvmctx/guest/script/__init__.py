"""The user data's ``#!`` script part as amiconfig's runner cuts and runs it: shebang, the shell's
structure, where it exits, bash -n, the findings, making one. Imports diagnostics and guest."""
