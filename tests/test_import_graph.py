"""The import graph of ``srbench_lite`` has no cycle, and no module is over 400 lines.

The graph is built statically (``ast``, nothing is imported): one node per module of the
package, one edge per ``import`` statement that names another module of the package, wherever
the statement is (module level or inside a function: a lazy import still ties the two modules
together). Not counted: imports under ``if TYPE_CHECKING:`` (never run), and the parent
packages Python runs before a submodule (``import a.b.c`` runs ``a`` and ``a.b`` first; counting
those would make every package ``__init__`` that re-exports its submodules a cycle).

Resolution: ``import a.b`` is an edge to ``a.b``; ``from a import b`` is an edge to ``a.b`` when
that is a module, else to ``a`` (``b`` is a name defined there); relative imports are resolved
against the importing module's package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import srbench_lite

PACKAGE = "srbench_lite"
ROOT = Path(srbench_lite.__file__).resolve().parent
MAX_LINES = 400


def _modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the package: dotted name -> file (a package is its ``__init__.py``)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join((PACKAGE, *parts))] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST):
    """The import statements of ``tree`` that run (those under ``if TYPE_CHECKING:`` do not)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _targets(node: ast.Import | ast.ImportFrom, name: str, is_pkg: bool, modules) -> set[str]:
    """The package's modules that one import statement in module ``name`` loads."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name in modules}
    if node.level:
        package = name.split(".") if is_pkg else name.split(".")[:-1]
        base = package[: len(package) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    out = set()
    for alias in node.names:
        sub = f"{source}.{alias.name}"
        if sub in modules:
            out.add(sub)
        elif source in modules:
            out.add(source)
    return out


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (see the module docstring for the rules)."""
    modules = _modules(root)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_pkg = path.name == "__init__.py"
        edges = set()
        for node in _import_nodes(tree):
            edges |= _targets(node, name, is_pkg, modules)
        edges.discard(name)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (``[a, b, ..., a]``) per strongly connected component with more than one
    module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        components.append(sorted(comp))
    return [_cycle_in(graph, set(c)) for c in components]


def _cycle_in(graph: dict[str, set[str]], comp: set[str]) -> list[str]:
    """A shortest cycle through the first module of a strongly connected component."""
    first = min(comp)
    prev: dict[str, str] = {first: ""}
    frontier = [first]
    while frontier:  # breadth-first search from ``first`` back to it, inside the component
        nxt = []
        for v in frontier:
            for w in sorted(graph[v] & comp):
                if w == first:
                    path = [v]
                    while path[-1] != first:
                        path.append(prev[path[-1]])
                    return [*reversed(path), first]
                if w not in prev:
                    prev[w] = v
                    nxt.append(w)
        frontier = nxt
    raise AssertionError(f"no cycle in component {sorted(comp)}")  # unreachable for an SCC


def test_the_graph_sees_the_package():
    graph = import_graph()
    assert f"{PACKAGE}.cli" in graph and f"{PACKAGE}.expr" in graph
    assert f"{PACKAGE}.engines.common.operators" in graph[f"{PACKAGE}.engines.common.program"]
    assert sum(map(len, graph.values())) > 100  # edges were found at all


def test_cycles_are_found(tmp_path):
    pkg = tmp_path / PACKAGE
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from . import b\n")
    (pkg / "a.py").write_text("from srbench_lite.sub import b\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from .. import c\n")
    (pkg / "c.py").write_text("import srbench_lite.a\n")
    (pkg / "d.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from srbench_lite import a\n"
    )
    graph = import_graph(pkg)
    assert graph[f"{PACKAGE}.sub"] == {f"{PACKAGE}.sub.b"}
    assert graph[f"{PACKAGE}.d"] == set()
    assert cycles(graph) == [[f"{PACKAGE}.{m}" for m in ("a", "sub.b", "c", "a")]]


def test_no_import_cycle():
    found = cycles(import_graph())
    assert not found, "import cycles in srbench_lite:\n" + "\n".join(" -> ".join(c) for c in found)


def test_no_module_over_400_lines():
    sizes = {n: len(p.read_text(encoding="utf-8").splitlines()) for n, p in _modules().items()}
    big = {n: k for n, k in sizes.items() if k > MAX_LINES}
    assert not big, f"modules over {MAX_LINES} lines: {big}"
