"""``python -m cvmctx``."""

from cvmctx.cli.app import main

main()
