"""The catalog of finding codes: each declared once, with its severity and documentation, in a
module per family; ``docs/diagnostics.md`` is generated from it (``python -m cvmctx.catalog``,
and a test fails when the page is out of date). Bottom of the stack: imports diagnostics only."""

from __future__ import annotations

from functools import cache

from cvmctx.catalog.code import Code, Page


@cache
def pages() -> tuple[Page, ...]:
    """The parts of the page in order (imported on first use: reports need them only for
    SARIF help and ``cvmctx explain``)."""
    from cvmctx.catalog import (
        build,
        cd,
        cernvmvalues,
        encoded,
        front,
        ini,
        input,
        plugins,
        report,
        script,
        spec,
        values,
    )

    order = (
        front, report, input, cd, ini, script, plugins, values, encoded, cernvmvalues, build,
        spec,
    )  # fmt: skip
    return tuple(module.PAGE for module in order)


@cache
def codes() -> tuple[Code, ...]:
    return tuple(code for page in pages() for code in page.codes())


def page_markdown() -> str:
    """``docs/diagnostics.md``."""
    return "\n".join(line for page in pages() for line in page.lines())


def entries() -> tuple[Code, ...]:
    """Every declared code, in the page's order (``cvmctx explain``, SARIF rules)."""
    return codes()


@cache
def entry_for(code: str) -> Code | None:
    """The declaration of ``code``: its own first, then the family it is an instance of."""
    found = codes()
    exact = next((c for c in found if c.code == code), None)
    return exact or next((c for c in found if c.matches(code)), None)


def closest_code(code: str) -> str | None:
    """The declared code nearest to a mistyped one (``explain``'s did-you-mean)."""
    from cvmctx.suggest import closest

    return closest(code, [c.code for c in codes()])
