"""The framework floor: a bare two-command typer app, started as cvmctx is started.

`benchmarks/run.py` times `cvmctx validate`, `build` and `iso` against this app's `validate`
and `build`: what cvmctx costs beyond what any typer command line costs on this machine.
"""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(add_completion=False)


@app.command()
def validate(path: Path) -> None:
    """Read a file, as the cheapest validate would."""
    path.read_bytes()


@app.command()
def build(output: Path = Path("-")) -> None:
    """Write a line, as the cheapest build would."""
    if str(output) != "-":
        output.write_text("[amiconfig]\n")


if __name__ == "__main__":
    app()
