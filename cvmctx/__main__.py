"""``python -m cvmctx``."""

from cvmctx.cli import main

main()
