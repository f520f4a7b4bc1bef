"""``python -m cvmctx.cli.clidoc [--check]``: docs/cli.md, every command's options read off the
typer app (never written by hand), or a check that the committed page is what the app gives.

The page is the same bytes everywhere: nothing comes from the terminal (width, colour), the
environment, the locale or the current directory, and a default that could (a callable, an
environment variable, an absolute path) is not shown.
"""

from __future__ import annotations

import inspect
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any

import typer
import typer.main
from typer.core import TyperArgument, TyperGroup, TyperOption

from cvmctx import generated
from cvmctx.cli.app import app

PAGE = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
COMMAND = "python -m cvmctx.cli.clidoc > docs/cli.md"
STALE = f"docs/cli.md is out of date: run {COMMAND}\n"
_WIDE = 1_000_000  # the usage line is never wrapped, whatever the terminal
# typer's test hook: set, the completion options take a shell name instead of detecting it
_SHELL_HOOK = "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"
_SPECIAL = re.compile(r"([\\`*_<>|])")  # what Markdown would read as markup or a table cell


def _md(text: str) -> str:
    """One paragraph of plain text as Markdown that shows it as written."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _code(text: str) -> str:
    return "`" + text.replace("|", "\\|") + "`"


@contextmanager
def _without_shell_hook() -> Iterator[None]:
    saved = os.environ.pop(_SHELL_HOOK, None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ[_SHELL_HOOK] = saved


def _names(param: TyperOption) -> str:
    def joined(opts: list[str]) -> str:  # short before long, as --help lists them
        return ", ".join(sorted(opts, key=lambda o: len(o) - len(o.lstrip("-/"))))

    names = joined(param.opts)
    return f"{names} / {joined(param.secondary_opts)}" if param.secondary_opts else names


def _value(param: TyperArgument | TyperOption, ctx: typer.Context) -> str:
    """What the option takes: its words to choose from, its metavar or its type."""
    desc = param.type_descriptor
    if desc.is_choice and desc.choices:
        shown = " \\| ".join(_code(str(getattr(c, "value", c))) for c in desc.choices)
    elif isinstance(param, TyperArgument) or param.is_flag or param.count:
        return ""  # an argument's name is its metavar; a flag takes nothing
    else:
        shown = _code(param.metavar or param.display_type(ctx))
    if param.multiple:
        shown += " (repeatable)"
    if param.min is not None or param.max is not None:
        low = "" if param.min is None else f"{param.min}<="
        high = "" if param.max is None else f"<={param.max}"
        shown += f" {_code(f'{low}x{high}')}"
    return shown


def _default_text(param: TyperArgument | TyperOption, value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(filter(None, (_default_text(param, v) for v in value)))
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):  # a flag's default is the flag that gives it; False: none
        if not value:
            return ""
        return max(param.opts, key=len) if isinstance(param, TyperOption) else "true"
    text = "" if value is None else str(value)
    home = str(Path.home())
    if text.startswith(("/", "~")) or (len(home) > 1 and home in text):
        return ""  # a path on this machine
    return text


def _default(param: TyperArgument | TyperOption, ctx: typer.Context) -> str:
    if param.required:
        return "required"
    if param.show_default is False or param.envvar is not None:
        return ""  # hidden, or read from the environment
    if isinstance(param.show_default, str):
        return _code(param.show_default)
    value = param.get_default(ctx, call=False)
    text = "" if callable(value) else _default_text(param, value)
    return _code(text) if text else ""


def _table(ctx: typer.Context) -> list[str]:
    rows: dict[str, list[str]] = {"Argument": [], "Option": []}
    for param in ctx.command.get_params(ctx):
        if not isinstance(param, TyperArgument | TyperOption) or param.hidden:
            continue
        help_text = _md(param.help or "")
        if param.envvar is not None:
            names = [param.envvar] if isinstance(param.envvar, str) else list(param.envvar)
            help_text += " Environment: " + ", ".join(_code(n) for n in names) + "."
        if isinstance(param, TyperArgument):
            name = str(param.metavar or param.name).upper() + ("..." if param.nargs != 1 else "")
            kind = "Argument"
        else:
            kind, name = "Option", _names(param)
        cells = [_code(name), _value(param, ctx), _default(param, ctx), help_text.strip()]
        rows[kind].append("| " + " | ".join(cells) + " |")
    out: list[str] = []
    for kind, lines in rows.items():
        if lines:
            heading = f"| {kind} | Value | Default | Description |\n| --- | --- | --- | --- |"
            out.append(f"**{kind}s**\n\n{heading}\n" + "\n".join(lines) + "\n")
    return out


def _help(command: Any) -> str:
    text = inspect.cleandoc(command.help or "").partition("\f")[0]
    return "\n\n".join(_md(p) for p in text.split("\n\n") if p.strip())


def _sections(ctx: typer.Context) -> Iterator[str]:
    """The command's section, then its commands' (a group's, and theirs, in --help's order)."""
    command, path = ctx.command, ctx.command_path
    parts = [f"## {path}\n", f"```text\n{command.get_usage(ctx)}\n```\n"]
    parts += [_help(command) + "\n"] if _help(command) else []
    parts += _table(ctx)
    subs = _commands(ctx)
    if subs:
        lines = ["**Commands**\n", "| Command | Description |", "| --- | --- |"]
        for name, sub in subs:
            anchor, summary = f"{path} {name}".lower().replace(" ", "-"), _help(sub).split("\n")[0]
            lines.append(f"| [{_code(name)}](#{anchor}) | {summary} |")
        parts.append("\n".join(lines) + "\n")
    if command.epilog:
        parts.append(f"**Examples**\n\n```sh\n{inspect.cleandoc(command.epilog)}\n```\n")
    yield "\n".join(parts)
    for name, sub in subs:
        yield from _sections(typer.Context(sub, parent=ctx, info_name=name, **sub.context_settings))


def _commands(ctx: typer.Context) -> list[tuple[str, Any]]:
    """A group's commands in the order ``--help`` lists them, hidden ones left out."""
    group = ctx.command
    if not isinstance(group, TyperGroup):
        return []
    found = [(name, group.get_command(ctx, name)) for name in group.list_commands(ctx)]
    return [(name, cmd) for name, cmd in found if cmd is not None and not cmd.hidden]


def page_markdown() -> str:
    """docs/cli.md: the ``cvmctx`` command and each of its commands, as ``--help`` has them."""
    with _without_shell_hook():
        root = typer.main.get_command(app)
    fixed = {"terminal_width": _WIDE, "max_content_width": _WIDE, "color": False}
    settings: dict[str, Any] = {**root.context_settings, **fixed}
    parts = [
        f"<!-- Generated by `{COMMAND}`; do not edit: a test fails when it is out of date. -->\n",
        "# Command-line reference\n",
        f"Generated from the typer app by `{COMMAND}`. The same text, wrapped for the "
        "terminal, is `cvmctx --help` and `cvmctx COMMAND --help`.\n",
        *_sections(typer.Context(root, info_name="cvmctx", **settings)),
    ]
    return "\n".join(parts)


def check(page: Path = PAGE) -> int:
    """0 when ``page`` is what :func:`page_markdown` gives, else 1 and one line on stderr."""
    return generated.check(page, page_markdown(), STALE)


def main(argv: list[str], page: Path = PAGE) -> int:
    return generated.main(argv, page, page_markdown, "cvmctx.cli.clidoc", STALE)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
