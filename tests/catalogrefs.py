"""Which of the catalog's declarations the package uses: a declaration is used where a module
outside the catalog names it (``ini_codes.BOM`` after ``from cvmctx.catalog import ini as
ini_codes``, or ``NOT_BASE64`` imported from ``cvmctx.catalog.values``). Findings are made
only from declarations (mypy holds ``note``, ``Refused`` and ``Code.finding`` to them), so the
used declarations are the codes cvmctx can emit."""

from __future__ import annotations

import ast
import importlib
from functools import cache
from pathlib import Path

from cvmctx.catalog import codes
from cvmctx.catalog.code import Code

PACKAGE = Path(__file__).resolve().parent.parent / "cvmctx"


def _names(tree: ast.AST) -> dict[str, object]:
    """What a module takes from the catalog, by the name it uses."""
    package = importlib.import_module("cvmctx.catalog")
    names: dict[str, object] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        if node.module == "cvmctx.catalog":
            for a in node.names:
                if not callable(getattr(package, a.name, None)):
                    names[a.asname or a.name] = importlib.import_module(f"cvmctx.catalog.{a.name}")
        elif node.module.startswith("cvmctx.catalog.") and node.module != "cvmctx.catalog.code":
            module = importlib.import_module(node.module)
            for a in node.names:
                names[a.asname or a.name] = getattr(module, a.name)
    return names


@cache
def referenced() -> frozenset[str]:
    """The codes of the declarations that modules outside the catalog name."""
    found: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        if "catalog" in path.relative_to(PACKAGE).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _names(tree)
        for node in ast.walk(tree):
            target: object = None
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                module = names.get(node.value.id)
                target = getattr(module, node.attr, None) if module is not None else None
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                target = names.get(node.id)
            if isinstance(target, Code):
                found.add(target.code)
    from cvmctx.diagnostics import TRUNCATED  # made below the catalog, by its code

    found.add(TRUNCATED)
    return frozenset(found)


def unused() -> list[str]:
    """Declarations no module names, and that are no instance of a named family (the page
    gives ``cernvm.missing-key`` an entry of its own; ``MISSING_KEY.instance`` makes it)."""
    used = referenced()
    families = [c for c in codes() if c.code in used and "<" in c.code]
    return sorted(
        c.code
        for c in codes()
        if c.code not in used and not any(f.matches(c.code) for f in families)
    )
