"""The package's plan holds (issue 11): imports go down the stack, never up, and no module
imports itself back through others. The stack, bottom first:

    bottom      diagnostics, limits, catalog, fileio, suggest, templating, generated
                (and __version__)
    guest       how the guest reads bytes
    model       sections, context, rules, plugins, loading and rendering
    userdata    the build pipeline
    cd          the context CD and libvirt XML
    deploy      specs, hosts tables, fleets
    validation  the validate pipeline
    report      reporters, listing, section reference
    api         the public façade
    cli         the command line

A module may import its own package and anything in a lower one (TYPE_CHECKING imports too:
a type that points up is a layering leak as well)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "cvmctx"
STACK = [
    "bottom", "guest", "model", "userdata", "cd", "deploy", "launch", "validation", "report", "api",
    "cli",
]  # fmt: skip
BOTTOM = {"cvmctx", "cvmctx.diagnostics", "cvmctx.limits", "cvmctx.catalog", "cvmctx.fileio",
          "cvmctx.suggest", "cvmctx.templating", "cvmctx.generated"}  # fmt: skip


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module == "cvmctx":
                    names = {a.name for a in node.names}
                    found |= {f"cvmctx.{n}" for n in names - {"__version__"}}
                    found |= {"cvmctx"} & {"cvmctx" for n in names if n == "__version__"}
                elif node.module.startswith("cvmctx."):
                    base = PACKAGE.parent / node.module.replace(".", "/")
                    subs = {a.name for a in node.names if (base / f"{a.name}.py").exists()}
                    found |= {f"{node.module}.{s}" for s in subs}  # from cvmctx.guest import ini
                    if len(subs) < len(node.names):
                        found.add(node.module)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("cvmctx.")}
        graph[_name(path)] = found
    return graph


def _module(name: str, graph: dict[str, set[str]]) -> str:
    while name not in graph and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def _layer(name: str) -> str:
    if name == "cvmctx.__main__":
        return "cli"  # python -m cvmctx runs the command line
    if name in BOTTOM or name.startswith("cvmctx.catalog."):
        return "bottom"
    head = name.split(".")[1]
    assert head in STACK, f"{name}: in no layer of the stack; add it to the plan"
    return head


def test_every_module_is_in_a_layer_and_imports_only_down_the_stack() -> None:
    graph = _imports()
    up = [
        f"{m} ({_layer(m)}) imports {d} ({_layer(_module(d, graph))})"
        for m, deps in graph.items()
        for d in deps
        if m != "cvmctx" and STACK.index(_layer(_module(d, graph))) > STACK.index(_layer(m))
    ]
    assert up == []


def test_no_import_cycle() -> None:
    graph = {m: {_module(d, graph_) for d in deps} - {m} for graph_ in [_imports()]
             for m, deps in graph_.items()}  # fmt: skip
    graph["cvmctx"] = set()  # the package's lazy exports load on use, not on import
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_plan_is_not_vacuous() -> None:
    """The scan sees the packages and their imports (a broken scan would pass the tests above)."""
    graph = _imports()
    assert {"cvmctx.guest.ini", "cvmctx.model.context", "cvmctx.cli.app"} <= set(graph)
    assert "cvmctx.guest.ini" in graph["cvmctx.model.context"]
    assert len(graph) > 80
