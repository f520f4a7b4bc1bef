"""``python -m cvmctx.catalog [--check]``: write docs/diagnostics.md from the catalog, or check
that the committed page is what the catalog gives."""

from __future__ import annotations

import sys
from pathlib import Path

from cvmctx.catalog import page_markdown

PAGE = Path(__file__).resolve().parent.parent.parent / "docs" / "diagnostics.md"


def main(argv: list[str]) -> int:
    text = page_markdown()
    if argv == ["--check"]:
        if PAGE.read_text(encoding="utf-8") != text:
            sys.stderr.write("docs/diagnostics.md is out of date: run python -m cvmctx.catalog\n")
            return 1
        return 0
    if argv:
        sys.stderr.write("usage: python -m cvmctx.catalog [--check]\n")
        return 2
    PAGE.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
