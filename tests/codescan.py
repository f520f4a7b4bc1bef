"""Every diagnostic code the code base can emit, found by reading its source (ast), so a test can
insist that docs/diagnostics.md documents each one.

Three kinds:
- whole codes written as string literals (``"ini.inline-comment"``, GUEST_WARNING tuples);
- codes built from a section and a key (``f"{cls.SECTION}.{key}.renamed"``), written here with
  placeholders: ``<section>.<key>.renamed``, ``<section>.missing-key``;
- value problems a codec reports with ``Refused("code")`` or ``note("code")``; the section model
  turns them into ``<section>.<key>.<code>``: listed as ``<section>.<key>.<code>``. A helper
  that passes its own parameter on (``Refused(code, ...)``) counts with the literals its
  callers give that parameter. A codec's ``from_file`` is not a finding: ``--set KEY=@FILE``
  turns its refusal into a usage error (exit 2), so its codes are left out.

A string of one of the families below is a code wherever it is written, except as a finding's
``path=`` (``amiconfig.plugins`` is the logical path of a finding, not a code).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "cvmctx"
_CODE = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)+")
_FAMILIES = {
    "amiconfig", "build", "contextsh", "encoding", "ini", "input", "iso", "key", "plugin",
    "script", "section", "size", "ucernvm",
}  # fmt: skip
_MAKERS = {"error", "warning", "info", "Diagnostic"}
_VALUE_MAKERS = {"Refused", "note"}


def _section_names() -> set[str]:
    from cvmctx.model.sections import REGISTRY

    return set(REGISTRY)


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _pattern(node: ast.JoinedStr) -> str:
    parts: list[str] = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value))
        elif isinstance(value, ast.FormattedValue):
            text = ast.unparse(value.value)
            parts.append("<section>" if "SECTION" in text else f"<{text.split('.')[-1]}>")
    return "".join(parts)


def _declared_references(tree: ast.AST) -> set[str]:
    """Codes a call site takes from the catalog: ``ini_codes.BOM`` (``from cvmctx.catalog
    import ini as ini_codes``) is the code that ``cvmctx.catalog.ini.BOM`` declares."""
    import importlib

    aliases = {
        a.asname or a.name: a.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "cvmctx.catalog"
        for a in node.names
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            module = importlib.import_module(f"cvmctx.catalog.{aliases[node.value.id]}")
            declared = getattr(module, node.attr, None)
            if declared is not None and hasattr(declared, "code"):
                found.add(declared.code)
    return found


def emitted_codes() -> set[str]:
    sections = _section_names()
    families = _FAMILIES | sections
    codes: set[str] = set()
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in sorted(PACKAGE.rglob("*.py"))]
    relays = {fn: index for tree in trees for fn, index in _value_code_relays(tree).items()}
    for tree in trees:
        codes |= _declared_references(tree)
        skipped = _path_keywords(tree) | _from_file_nodes(tree)
        for node in ast.walk(tree):
            if node in skipped:
                continue
            # Codes of the families below are never anything else, wherever they are written
            # (tables of messages, tuples handed around), except as a finding's path=;
            # section-named strings may be logical paths (cernvm.users), so those count only
            # where a finding is made.
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                codes.update(_literal_codes(node, _FAMILIES))
            if isinstance(node, ast.AnnAssign | ast.Assign) and _is_guest_warning(node):
                codes.update(_literal_codes(node.value, families))
            elif isinstance(node, ast.Call) and node.args:
                name = _call_name(node)
                first = node.args[0]
                if name in _MAKERS and isinstance(first, ast.Constant):
                    codes.update(_literal_codes(first, families))
                elif name in _VALUE_MAKERS and isinstance(first, ast.Constant):
                    codes.add(f"<section>.<key>.{first.value}")
                elif name in _MAKERS and isinstance(first, ast.JoinedStr):
                    pattern = _pattern(first)
                    if "<code>" not in pattern:  # the model's own f"{SECTION}.{key}.{note.code}"
                        codes.add(pattern)
                if name in relays and len(node.args) > relays[name]:
                    relayed = node.args[relays[name]]
                    if isinstance(relayed, ast.Constant) and isinstance(relayed.value, str):
                        codes.add(f"<section>.<key>.{relayed.value}")
    return codes


def _value_code_relays(tree: ast.AST) -> dict[str, int]:
    """Functions that hand one of their parameters to ``Refused``/``note`` as the code:
    function name -> that parameter's position (``_check_name(name, what, code, offset)``)."""
    relays: dict[str, int] = {}
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef):
            continue
        params = [a.arg for a in fn.args.args]
        for node in ast.walk(fn):
            if (
                isinstance(node, ast.Call)
                and _call_name(node) in _VALUE_MAKERS
                and node.args
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id in params
            ):
                relays[fn.name] = params.index(node.args[0].id)
    return relays


def _path_keywords(tree: ast.AST) -> set[ast.AST]:
    """The values of ``path=`` keywords: logical paths of findings, not codes."""
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword) and node.arg == "path"
    }


def _from_file_nodes(tree: ast.AST) -> set[ast.AST]:
    """Everything inside a codec's ``from_file``: its refusals become usage errors, not findings."""
    return {
        sub
        for fn in ast.walk(tree)
        if isinstance(fn, ast.FunctionDef) and fn.name == "from_file"
        for sub in ast.walk(fn)
    }


def _is_guest_warning(node: ast.AnnAssign | ast.Assign) -> bool:
    targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
    return any(isinstance(t, ast.Name) and t.id == "GUEST_WARNING" for t in targets)


def _literal_codes(node: ast.AST | None, families: set[str]) -> set[str]:
    found: set[str] = set()
    for sub in ast.walk(node) if node is not None else ():
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            text = sub.value
            if _CODE.fullmatch(text) and text.split(".")[0] in families:
                found.add(text)
    return found


_MAKER_SEVERITY = {"error": "error", "warning": "warning", "info": "info"}


def maker_severities() -> set[tuple[str, str]]:
    """``(code, severity)`` for every whole code written as the first argument of
    ``error``/``warning``/``info`` (a code's severity at the place it is made)."""
    pairs: set[tuple[str, str]] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = _call_name(node)
            first = node.args[0]
            if (
                name in _MAKER_SEVERITY
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and _CODE.fullmatch(first.value)
            ):
                pairs.add((first.value, _MAKER_SEVERITY[name]))
    return pairs
