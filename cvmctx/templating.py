"""The one Jinja2 environment: user data, context.sh and libvirt XML are rendered from
``cvmctx/templates/``. Loaded on first use, so ``validate`` and ``--help`` never import jinja2."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2


@cache
def _environment() -> jinja2.Environment:
    import jinja2  # only rendering needs it: `cvmctx validate` and `--help` stay light

    return jinja2.Environment(
        loader=jinja2.PackageLoader("cvmctx", "templates"),
        # libvirt XML escapes every value (none is trusted); user data and context.sh are not
        # markup: their values are checked and quoted by the models and cvmctx.guest.contextsh.file.
        autoescape=lambda name: name is not None and name.endswith(".xml.j2"),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
    )


def render_template(template: str, /, **values: object) -> str:
    return _environment().get_template(template).render(**values)
