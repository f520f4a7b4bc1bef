"""Per-machine values: the spec's strings rendered as Jinja2 templates for one host, in a
sandbox, before any value is typed (so each host's values go through the same codecs).

Only strings holding ``{{`` or ``{%`` are templates; Jinja2's ``{# #}`` comments are off, so a
``${#array[@]}`` in a script or a ``{#`` in a password stays as written. An undefined variable
is an error naming the key and the host, never an empty string."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from cvmctx.catalog import spec as spec_codes
from cvmctx.deploy.forms import SpecProblem
from cvmctx.deploy.locate import Path, dotted

if TYPE_CHECKING:
    import jinja2
    import jinja2.exceptions


@dataclass(frozen=True)
class Host:
    """One row of a hosts table: ``{{ host.<column> }}``, ``{{ index }}`` (from 0)."""

    name: str
    index: int
    values: dict[str, Any] = field(default_factory=dict)
    where: str = ""  # "hosts.csv line 4", for messages

    def context(self) -> dict[str, Any]:
        return {"host": self.values, "index": self.index}


@cache
def _environment() -> jinja2.sandbox.SandboxedEnvironment:
    import jinja2
    import jinja2.exceptions
    import jinja2.sandbox

    return jinja2.sandbox.SandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # the values are not markup: the codecs check and quote them
        keep_trailing_newline=True,  # a script's last newline is kept
        # Comments off: no delimiter a spec would hold by chance (a shell's ${#x}).
        comment_start_string="\x00{#",
        comment_end_string="#}\x00",
    )


@cache
def _template(text: str) -> jinja2.Template:
    return _environment().from_string(text)


def is_template(text: str) -> bool:
    return "{{" in text or "{%" in text


def _problem(path: Path, host: Host | None, reason: str, hint: str) -> SpecProblem:
    whose = f" for host '{host.name}' ({host.where})" if host is not None and host.where else ""
    if host is not None and not whose:
        whose = f" for host '{host.name}'"
    return SpecProblem(
        spec_codes.TEMPLATE, f"{dotted(path)}: the template does not render{whose}: {reason}",
        path, hint,
    )  # fmt: skip


def render_string(text: str, path: Path, host: Host | None, secret: bool = False) -> str:
    """``text`` rendered for ``host`` (None: a single build, no ``host`` variable)."""
    import jinja2
    import jinja2.exceptions

    context = host.context() if host is not None else {}
    try:
        return _template(text).render(context)
    except jinja2.UndefinedError as exc:
        reason = str(exc).replace("'dict object' has no attribute", "no column")
        if host is None:
            hint = "per-host values need a hosts table: cvmctx fleet SPEC --hosts FILE"
        else:
            hint = "add the column to the hosts table, or correct the name"
        raise _problem(path, host, reason, hint) from None
    except jinja2.TemplateSyntaxError as exc:
        # The message may quote a token of the text: not for a secret's value.
        reason = "a syntax error" if secret else f"a syntax error ({exc.message})"
        raise _problem(path, host, reason, "write {{ host.COLUMN }} or {{ index }}") from None
    except jinja2.exceptions.SecurityError:
        raise _problem(path, host, "the sandbox refuses the operation", "use plain "
                       "variables and filters") from None  # fmt: skip
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise _problem(path, host, f"{type(exc).__name__}", "check the expression") from None


def render_tree(
    data: Any,
    host: Host | None,
    problems: list[SpecProblem],
    path: Path = (),
    secret: frozenset[str] = frozenset(),
) -> Any:
    """Every template string in a parsed TOML document rendered for ``host``; the rest as is.
    A template that does not render adds to ``problems`` and stays as written (the caller
    skips its key). ``secret`` names keys whose values a message must not quote."""
    if isinstance(data, str):
        if not is_template(data):
            return data
        key = next((p for p in reversed(path) if isinstance(p, str)), "")
        try:
            return render_string(data, path, host, secret=key in secret)
        except SpecProblem as problem:
            problems.append(problem)
            return data
    if isinstance(data, dict):
        return {k: render_tree(v, host, problems, (*path, k), secret) for k, v in data.items()}
    if isinstance(data, list):
        return [render_tree(v, host, problems, (*path, i), secret) for i, v in enumerate(data)]
    return data
