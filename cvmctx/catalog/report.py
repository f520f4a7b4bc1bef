"""Codes of the reports themselves (``report.*``).

Declared here once; docs/diagnostics.md is generated from the catalog
(``python -m cvmctx.catalog``), in the order of declaration."""

from __future__ import annotations

from cvmctx.catalog.code import Page

PAGE = Page()

PAGE.prose(
    """## Reports (`report.*`)
"""
)

TRUNCATED = PAGE.code(
    'report.truncated',
    "info",
    """A report shows at most 100 findings of one code and 1,000 in all per input (errors
first, then in file order); the rest of a code are counted in this one note. They still count in
the summary line and in the exit code, so `--strict` and CI fail as before. A 4 KB `environment`
of 1,000 copies of `A=1` gives 999 findings (one per repeated name), of which 100 are shown,
each code frame cut to 120 characters around its column. Past the first 100 of a code, cvmctx
only counts findings instead of building them (the report is the same), so a 16 MiB file of
repeated lines costs a count per line, not a message per line. **Fix:** fix the first ones
shown: the rest are usually the same mistake.""",
)
