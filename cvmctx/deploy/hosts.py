"""Hosts tables: a CSV file with a header line, a JSON array of objects, or a TOML file of
``[[hosts]]`` tables; one :class:`~cvmctx.deploy.render.Host` per row, named by its ``name``.

A host's name becomes its directory in the fleet, so it must be safe as a file name on every
system the fleet may be copied to: no ``/`` or ``\\``, no ``..``, no control characters, and no
two names that differ only in case (``hosts.*``). The table is read as it streams (CSV), but
names are checked for all rows before any file is written."""

from __future__ import annotations

import csv
import io
import json
import tomllib
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cvmctx.catalog import spec as spec_codes
from cvmctx.deploy.render import Host
from cvmctx.diagnostics import CvmctxError, Diagnostic, FindingsError, Report
from cvmctx.fileio import read_file

_MAX_NAME = 255  # bytes: the longest file name most file systems take


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a host's directory, or None."""
    if name in ("", ".", ".."):
        return "is empty, '.' or '..'"
    if any(c in "/\\" for c in name):
        return "holds '/' or '\\'"
    if any(unicodedata.category(c)[0] in "CZ" for c in name):
        return "holds whitespace or a control character"
    if name.startswith((".", "-")):
        return "starts with '.' or '-' (a hidden file, or an option to tools)"
    if len(name.encode("utf-8")) > _MAX_NAME:
        return f"is longer than {_MAX_NAME} bytes"
    return None


def _rows(path: Path, data: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, row) of every row, the line where the row starts in the file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CvmctxError(f"{path}: the hosts table is not UTF-8 text (byte {exc.start})") from None
    suffix = path.suffix.lower()
    if suffix == ".json":
        yield from _json_rows(path, text)
    elif suffix == ".toml":
        yield from _toml_rows(path, text)
    elif suffix in (".csv", ".txt", ""):
        yield from _csv_rows(path, text)
    else:
        raise CvmctxError(f"{path}: a hosts table is a .csv, .json or .toml file")


def _csv_rows(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    # strict: an unclosed quote is an error, not a name that swallows the next lines
    reader = csv.DictReader(io.StringIO(text, newline=""), restval=None, strict=True)
    try:
        if reader.fieldnames is None:
            return
        if "name" not in reader.fieldnames:
            columns = ", ".join(reader.fieldnames) or "none"
            raise FindingsError(
                f"{path}: no name column",
                Report([_no_name(path, 1, f"the header has no 'name' column (it has: {columns})")]),
            )
        for row in reader:
            if None in row or None in row.values():
                # A short row would give its missing columns as empty strings, which a
                # template would render silently: as wrong as an undefined variable.
                raise CvmctxError(
                    f"{path}:{reader.line_num}: the row has {_count(row)} field(s), the header "
                    f"{len(reader.fieldnames)}; quote a field that holds ','"
                )
            yield reader.line_num, dict(row)
    except csv.Error as exc:
        raise CvmctxError(f"{path}:{reader.line_num}: not CSV ({exc}); fix the row") from None


def _count(row: dict[Any, Any]) -> int:
    """The fields a CSV row had, as DictReader gives it (extra ones under None)."""
    given = [v for k, v in row.items() if k is not None and v is not None]
    return len(given) + len(row.get(None) or [])


def _json_rows(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CvmctxError(f"{path}:{exc.lineno}: not JSON ({exc.msg}); fix the syntax") from None
    if isinstance(data, dict) and isinstance(data.get("hosts"), list):
        data = data["hosts"]
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise CvmctxError(f'{path}: give a JSON array of objects (or {{"hosts": [...]}})')
    lines = _json_lines(text)
    for index, row in enumerate(data):
        yield (lines[index] if index < len(lines) else 1), row


def _json_lines(text: str) -> list[int]:
    """The line each host's object starts on, in a JSON text already known to be valid: the
    top-level array, or the array under "hosts" (a later "hosts" key wins, as in json.loads)."""
    decoder = json.JSONDecoder()
    pos = _skip(text, 0)
    if text.startswith("[", pos):
        return _array_lines(text, pos, decoder)
    found: list[int] = []
    pos = _skip(text, pos + 1)  # after '{'
    while text.startswith('"', pos):
        key, pos = decoder.raw_decode(text, pos)
        pos = _skip(text, _skip(text, pos) + 1)  # after ':'
        if key == "hosts" and text.startswith("[", pos):
            found = _array_lines(text, pos, decoder)
        pos = _skip(text, decoder.raw_decode(text, pos)[1])
        pos = _skip(text, pos + 1) if text.startswith(",", pos) else pos
    return found


def _array_lines(text: str, pos: int, decoder: json.JSONDecoder) -> list[int]:
    lines: list[int] = []
    pos = _skip(text, pos + 1)  # after '['
    while not text.startswith("]", pos):
        lines.append(text.count("\n", 0, pos) + 1)
        pos = _skip(text, decoder.raw_decode(text, pos)[1])
        pos = _skip(text, pos + 1) if text.startswith(",", pos) else pos
    return lines


def _skip(text: str, pos: int) -> int:
    """``pos`` past JSON whitespace."""
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _toml_rows(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    from cvmctx.deploy.locate import locate

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CvmctxError(f"{path}: not TOML ({exc}); fix the syntax") from None
    rows = data.get("hosts")
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise CvmctxError(f"{path}: give the hosts as [[hosts]] tables")
    lines = locate(text)
    for index, row in enumerate(rows):
        yield lines.line_of(("hosts", index)) or 1, row


def _no_name(path: Path, line: int, message: str = "the host has no name") -> Diagnostic:
    return spec_codes.NO_NAME.finding(
        message,
        source=str(path), line=line, hint="give every host a name (a 'name' column)",
    )  # fmt: skip


def read_hosts(path: Path) -> list[Host]:
    """Every host of the table, names checked; findings (exit 1) for bad or doubled names."""
    data = read_file(path, "hosts table")
    hosts: list[Host] = []
    problems = Report()
    seen: dict[str, int] = {}
    for line, row in _rows(path, data):
        name = row.get("name")
        if not isinstance(name, str) or not name:
            problems.add(_no_name(path, line))
            continue
        problem = name_problem(name)
        if problem is not None:
            problems.add(spec_codes.HOST_NAME.finding(
                f"host {len(hosts) + 1}: its name {problem}, so it cannot be its directory",
                source=str(path), line=line, hint="use the machine's host name",
            ))  # fmt: skip
            continue
        folded = name.casefold()
        if folded in seen:
            problems.add(spec_codes.DUPLICATE_HOST.finding(
                f"host '{name}' has the name of the host on line {seen[folded]} (names may "
                "differ only in case)", source=str(path), line=line,
                hint="give every host its own name",
            ))  # fmt: skip
            continue
        seen[folded] = line
        hosts.append(Host(name, len(hosts), row, f"{path.name} line {line}"))
    if problems:
        raise FindingsError(f"{path}: the hosts table has findings", problems)
    if not hosts:
        raise CvmctxError(f"{path}: the hosts table has no hosts")
    return hosts
