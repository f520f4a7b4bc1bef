"""The spec's JSON Schema, generated from the models: the spec's own tables
(:mod:`cvmctx.deploy.tables`) and one model per section, built from the section's keys and
the form each key's codec declares (:class:`~cvmctx.model.codecs.core.SpecForm`).

Editors that read JSON Schema for TOML (taplo, Even Better TOML) complete and check a spec
with it (a ``#:schema`` line at the top of the spec); ``cvmctx schema`` prints it and a copy
is committed as ``docs/cvmctx-spec.schema.json``."""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from cvmctx import generated
from cvmctx.deploy.forms import takes_file
from cvmctx.deploy.tables import TABLES
from cvmctx.model.codecs.core import Codec, SpecForm
from cvmctx.model.sections import REGISTRY
from cvmctx.model.sections._base import Section

SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"
#: The committed copy that specs' ``#:schema`` lines and editors read.
PAGE = Path(__file__).resolve().parents[2] / "docs" / "cvmctx-spec.schema.json"
STALE = "docs/cvmctx-spec.schema.json is out of date: run python -m cvmctx.deploy.schema > it\n"


class FileRef(BaseModel):
    """A file whose content is the value (as ``--set KEY=@FILE``), relative to the spec."""

    model_config = ConfigDict(extra="forbid", title="file")
    file: str = Field(description="A path relative to the spec.")


def _record(form: SpecForm, owner: str) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    alternatives = dict(form.alternatives)
    for name in form.fields:
        required = name not in form.optional and name not in alternatives.values()
        fields[name] = (str, Field()) if required else (str | None, Field(default=None))
    for alias, name in alternatives.items():
        fields[alias] = (str | None, Field(default=None, description=f"Instead of {name}."))
    return create_model(
        f"{owner}_entry", __config__=ConfigDict(extra="forbid"), **fields
    )


def _annotation(codec: Codec[Any], owner: str, secret: bool) -> Any:
    form = codec.spec_form()
    shapes: dict[str, Any] = {
        "scalar": str | int,
        "bool": bool | str,
        "list": list[str | int] | str,
        "mapping": dict[str, str | int] | str,
        "groups": list[str | list[str]] | str,
    }
    shape: Any
    if form.kind == "records":
        shape = list[_record(form, owner)] | str  # type: ignore[misc]
    elif form.kind == "record":
        shape = _record(form, owner) | str
    else:
        shape = shapes[form.kind]
    return shape | FileRef if takes_file(codec, secret) else shape


def _section_model(cls: type[Section]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    if cls.HAS_SECTION:
        for spec in cls.key_specs():
            extra: dict[str, Any] = {}
            if spec.guest_default is not None:
                extra["default"] = spec.guest_default
            description = f"{spec.doc} ({spec.codec.kind})" if spec.doc else spec.codec.kind
            fields[spec.attr] = (
                _annotation(spec.codec, f"{cls.SECTION}_{spec.attr}", spec.secret) | None,
                Field(default=None, alias=spec.key, description=description,
                      json_schema_extra=extra or None),
            )  # fmt: skip
    # elastiq's <section>_<key> keys are read by pattern: any other key is allowed there
    config = ConfigDict(extra="forbid", title=f"[{cls.SECTION}]")
    if cls.PATTERN_KEYS is not None:
        config = ConfigDict(extra="allow", title=f"[{cls.SECTION}]")
    doc = (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    return create_model(
        f"section_{cls.SECTION}",
        __config__=config,
        __doc__=doc or None,
        **fields,
    )


@cache
def spec_model() -> type[BaseModel]:
    """The whole spec as one model: its own tables and every section, by name."""
    fields: dict[str, Any] = {}
    for name, table in TABLES.items():
        fields[name] = (table | None, Field(default=None, description=table.__doc__))
    for name, cls in REGISTRY.items():
        model = _section_model(cls)
        attr = "section_" + name.replace("-", "_")
        fields[attr] = (model | None, Field(default=None, alias=name, description=model.__doc__))
    return create_model(
        "cvmctx_spec",
        __config__=ConfigDict(extra="forbid", title="cvmctx deployment spec"),
        __doc__="A cvmctx deployment spec: its own tables and the guest's sections.",
        **fields,
    )


def spec_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a spec."""
    schema = spec_model().model_json_schema(by_alias=True)
    return {"$schema": SCHEMA_URI, **_without_null(schema)}


def _without_null(node: Any) -> Any:
    """TOML has no null: an optional key is one left out, so ``null`` goes from the schema."""
    if isinstance(node, list):
        return [_without_null(n) for n in node if n != {"type": "null"}]
    if not isinstance(node, dict):
        return node
    out = {k: _without_null(v) for k, v in node.items() if not (k == "default" and v is None)}
    if "anyOf" in out and len(out["anyOf"]) == 1:
        out |= out.pop("anyOf")[0]
    return out


def schema_text() -> str:
    """The schema as ``cvmctx schema`` prints it and the committed copy holds it."""
    return json.dumps(spec_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str], page: Path = PAGE) -> int:
    """``python -m cvmctx.deploy.schema [--check]``: print the schema, or check the copy."""
    return generated.main(argv, page, schema_text, "cvmctx.deploy.schema", STALE)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
