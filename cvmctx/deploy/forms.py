"""A spec's typed TOML value for one key, turned into the amiconfig string its codec reads.

Arrays, tables and booleans are joined into the exact text a user would write in the INI
(``organisations = ["cms", "atlas"]`` -> ``cms,atlas``), so the codec then reads it as it
reads a file or ``--set`` and every finding is the same. An item that holds the character the
guest splits on is refused here: joined, it would be read as two items (``spec.separator``).
Messages never quote a value: it may be a secret."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cvmctx.catalog import spec as spec_codes
from cvmctx.catalog.code import Code
from cvmctx.deploy.locate import Path, dotted
from cvmctx.model.codecs.core import Codec, NotAFile, SpecForm
from cvmctx.suggest import did_you_mean

#: Reads a file a spec names (relative to the spec), or stops with a one-line error.
FileReader = Callable[[str, Path], bytes]


class SpecProblem(Exception):
    """A finding about a spec's value at ``path`` (its TOML key)."""

    def __init__(self, code: Code, message: str, path: Path, hint: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.path = path
        self.hint = hint


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


def _wrong(path: Path, value: object, forms: str) -> SpecProblem:
    return SpecProblem(
        spec_codes.WRONG_TYPE,
        f"{dotted(path)} is {_type_name(value)}; it takes {forms}",
        path,
        "see 'cvmctx schema' for the forms each key takes",
    )


def forms_text(form: SpecForm, files: bool) -> str:
    """The forms a key takes, in the user's words."""
    shape = {
        "scalar": "a string or an integer",
        "bool": "true or false",
        "list": "an array of strings",
        "records": "an array of tables {" + ", ".join(form.fields) + "}",
        "record": "a table {" + ", ".join(form.fields) + "}",
        "mapping": "a table of NAME = value",
        "groups": "an array of strings or of arrays of strings",
    }[form.kind]
    extra = ", a table { file = PATH }" if files else ""
    if form.kind == "scalar":
        return shape + extra
    return f"{shape}{extra}, or amiconfig's string"


def takes_file(codec: Codec[Any], secret: bool) -> bool:
    """Whether a key takes ``{ file = PATH }``: a blob (a proxy, a key), or a secret word
    (a password, a pool secret) kept out of the spec, and so out of the spec's git history."""
    return codec.accepts_file() or (secret and codec.spec_form().kind == "scalar")


def to_text(
    codec: Codec[Any], value: object, path: Path, read: FileReader, *, secret: bool = False
) -> str:
    """The amiconfig string for ``value`` of a key read by ``codec``."""
    form = codec.spec_form()
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"file"} and takes_file(codec, secret):
        name = value["file"]
        if not isinstance(name, str):
            raise _wrong((*path, "file"), name, "a path relative to the spec")
        data = read(name, (*path, "file"))
        if not codec.accepts_file():
            return _secret_word(data, name, path)
        try:
            return str(codec.from_file(data, name))
        except NotAFile as refused:
            raise SpecProblem(
                spec_codes.WRONG_TYPE, f"{dotted(path)}: {refused.message}", path, refused.hint
            ) from None
    converter = _CONVERTERS.get(form.kind)
    text = None if converter is None else converter(form, codec, value, path)
    if text is None:
        raise _wrong(path, value, forms_text(form, takes_file(codec, secret)))
    return text


def _secret_word(data: bytes, name: str, path: Path) -> str:
    """A secret's file: one line of UTF-8 text (its final newline is not part of the value).
    The message never quotes the file: it holds a secret."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        text = text.removesuffix("\n").removesuffix("\r")
    if not text or "\n" in text or "\r" in text:
        raise SpecProblem(spec_codes.WRONG_TYPE, f"{dotted(path)}: {name} must hold the value "
                          "as one line of UTF-8 text", path, "write the secret alone on one line "
                          "(printf '%s\\n' VALUE > FILE)")  # fmt: skip
    return text


def _scalar(form: SpecForm, codec: Codec[Any], value: object, path: Path) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _bool(form: SpecForm, codec: Codec[Any], value: object, path: Path) -> str | None:
    if not isinstance(value, bool):
        return None
    word = form.true_word if value else form.false_word
    return word if word is not None else codec.render(value)


def _item(value: object, path: Path, seps: str, what: str) -> str:
    """One string of an array or table, refused if it holds a separator of its value."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise _wrong(path, value, "a string")
    for sep in seps:
        if sep in value if sep != " " else any(c in " \t" for c in value):
            shown = "whitespace" if sep == " " else f"'{sep}'"
            raise SpecProblem(
                spec_codes.SEPARATOR,
                f"{dotted(path)} holds {shown}, which the guest splits {what} on: joined into "
                "amiconfig's line it would be read as two",
                path,
                f"remove the {shown}",
            )
    return value


def _list(form: SpecForm, codec: Codec[Any], value: object, path: Path) -> str | None:
    if not isinstance(value, list):
        return None
    items = [_item(v, (*path, i), form.sep, "this list") for i, v in enumerate(value)]
    return form.sep.join(items)


def _record(form: SpecForm, value: object, path: Path, seps: str, last: str | None = None) -> str:
    """One table of a record form, its fields joined; ``last``: the separators refused in the
    last field (the guest splits only on the first ones: a command may hold ':')."""
    if not isinstance(value, dict):
        raise _wrong(path, value, "a table {" + ", ".join(form.fields) + "}")
    alias = dict(form.alternatives)
    fields: dict[str, str] = {}
    for key, item in value.items():
        field = alias.get(key, key)
        if field not in form.fields:
            choices = [*form.fields, *alias]
            hint = did_you_mean(key, choices) or "the fields are " + ", ".join(choices)
            raise SpecProblem(
                spec_codes.UNKNOWN_KEY, f"{dotted((*path, key))}: no such field", path, hint
            )
        if field in fields:
            raise SpecProblem(
                spec_codes.UNKNOWN_KEY,
                f"{dotted(path)} gives {field} twice ({key} and another name of it)",
                (*path, key),
                f"give {field} or {key}, not both",
            )
        refused = last if last is not None and field == form.fields[-1] else seps
        fields[field] = _item(item, (*path, key), refused, "this value")
    for field in form.fields:
        if field not in fields and field not in form.optional:
            raise SpecProblem(
                spec_codes.WRONG_TYPE, f"{dotted(path)} has no {field}", path, f"add {field} = ..."
            )
    return form.field_sep.join(fields.get(f, "") for f in form.fields)


def _records(form: SpecForm, codec: Codec[Any], value: object, path: Path) -> str | None:
    if not isinstance(value, list):
        return None
    seps = form.field_sep + form.sep
    return form.sep.join(_record(form, v, (*path, i), seps) for i, v in enumerate(value))


def _one_record(form: SpecForm, codec: Codec[Any], value: object, path: Path) -> str | None:
    if not isinstance(value, dict):
        return None
    return _record(form, value, path, form.field_sep, last="")


def _mapping(form: SpecForm, codec: Codec[Any], value: object, path: Path) -> str | None:
    if not isinstance(value, dict):
        return None
    pairs = []
    for name, item in value.items():
        key = _item(name, (*path, name), form.sep + form.field_sep, "this table")
        pairs.append(f"{key}{form.field_sep}{_item(item, (*path, name), form.sep, 'it')}")
    return form.sep.join(pairs)


def _groups(form: SpecForm, codec: Codec[Any], value: object, path: Path) -> str | None:
    if not isinstance(value, list):
        return None
    groups = []
    for i, group in enumerate(value):
        if isinstance(group, list):
            members = [
                _item(m, (*path, i, j), form.sep + form.field_sep, "this list")
                for j, m in enumerate(group)
            ]
            groups.append(form.field_sep.join(members))
        else:
            groups.append(_item(group, (*path, i), form.sep, "this list"))
    return form.sep.join(groups)


_CONVERTERS: dict[str, Callable[[SpecForm, Codec[Any], object, Path], str | None]] = {
    "scalar": _scalar,
    "bool": _bool,
    "list": _list,
    "records": _records,
    "record": _one_record,
    "mapping": _mapping,
    "groups": _groups,
}
