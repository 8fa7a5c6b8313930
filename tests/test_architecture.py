"""The package's shape: no import cycles between ``mirror`` modules, no module using another's private names.

Every module under ``mirror/`` is parsed (never imported).  An import anywhere in
a module counts, at module level or inside a function: a lazy import hides a
cycle from the interpreter, not from the reader.  Imports under
``if TYPE_CHECKING:`` are never executed, so they are left out of the cycle
check (they still may not name another module's private names).

``from pkg import name`` is an edge to ``pkg.name`` when that is a module, else to
``pkg``.  A private name starts with one underscore (dunders such as
``__version__`` are public).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "mirror"


@dataclass(frozen=True)
class Import:
    """One import of a ``mirror`` module by another."""

    importer: str
    target: str
    line: int
    type_only: bool


def module_names(root: Path = PACKAGE) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file under ``root``."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _type_only_nodes(tree: ast.Module) -> set[int]:
    """``id`` of every node inside an ``if TYPE_CHECKING:`` body."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for stmt in node.body:
                out.update(id(n) for n in ast.walk(stmt))
    return out


def _resolve_from(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module a ``from ... import`` names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def scan(modules: dict[str, Path]) -> tuple[list[Import], list[str]]:
    """Every import of a ``mirror`` module, and every use of another module's private name.

    Returns
    -------
    (list of Import, list of str)
        The imports, and one line per private-name use: ``"importer:line uses target._name"``.
    """
    imports: list[Import] = []
    private_uses: list[str] = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        type_only = _type_only_nodes(tree)
        is_package = path.name == "__init__.py"
        aliases: dict[str, str] = {}  # local name -> mirror module it is bound to

        def add(target: str, node: ast.stmt, module: str = module, type_only: set[int] = type_only) -> None:
            if target in modules and target != module:
                imports.append(Import(module, target, node.lineno, id(node) in type_only))

        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "mirror" or alias.name.startswith("mirror."):
                        add(alias.name, node)
                        if alias.asname:
                            aliases[alias.asname] = alias.name
            elif isinstance(node, ast.ImportFrom):
                source = _resolve_from(module, is_package, node)
                if source != "mirror" and not source.startswith("mirror."):
                    continue
                for alias in node.names:
                    sub = f"{source}.{alias.name}"
                    if sub in modules:
                        add(sub, node)
                        aliases[alias.asname or alias.name] = sub
                    else:
                        add(source, node)
                        if _private(alias.name) and source != module:
                            private_uses.append(f"{module}:{node.lineno} imports {source}.{alias.name}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and _private(node.attr):
                dotted = _dotted(node.value)
                if dotted is None:
                    continue
                head, _, rest = dotted.partition(".")
                target = aliases.get(head, head if head == "mirror" else None)
                if target is None:
                    continue
                target = f"{target}.{rest}" if rest else target
                if target in modules and target != module:
                    private_uses.append(f"{module}:{node.lineno} uses {target}.{node.attr}")
    return imports, private_uses


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of names, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def cycles(imports: list[Import]) -> list[list[str]]:
    """Strongly connected groups of more than one module in the runtime import graph (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        if not imp.type_only:
            graph.setdefault(imp.importer, set()).add(imp.target)
            graph.setdefault(imp.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(groups)


def describe_cycle(group: list[str], imports: list[Import]) -> str:
    """The imports inside one cycle, with their lines, to say where to cut it."""
    members = set(group)
    edges = sorted(
        {
            f"{i.importer}:{i.line} -> {i.target}"
            for i in imports
            if not i.type_only and i.importer in members and i.target in members
        }
    )
    return " | ".join(edges)


def violations() -> list[str]:
    imports, private_uses = scan(module_names())
    found = [f"cycle: {describe_cycle(group, imports)}" for group in cycles(imports)]
    return found + sorted(private_uses)


# ------------------------------------------------------------------ the checker on known code


def _write(root: Path, files: dict[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return module_names(root / "mirror")


def test_checker_finds_a_lazy_cycle_and_private_names(tmp_path):
    modules = _write(
        tmp_path,
        {
            "mirror/__init__.py": "",
            "mirror/a.py": "from mirror.b import f, _g\n",
            "mirror/b.py": "def f():\n    from mirror import a\n    return a._h\n",
            "mirror/c/__init__.py": "",
            "mirror/c/d.py": "from . import e\nimport mirror.a as m\nx = m._k\n",
            "mirror/c/e.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from mirror.c import d\n",
        },
    )
    imports, private_uses = scan(modules)
    assert cycles(imports) == [["mirror.a", "mirror.b"]]  # the TYPE_CHECKING import of d by e is no cycle
    assert sorted(private_uses) == [
        "mirror.a:1 imports mirror.b._g",
        "mirror.b:3 uses mirror.a._h",
        "mirror.c.d:3 uses mirror.a._k",
    ]


def test_checker_allows_own_privates_and_dunders(tmp_path):
    modules = _write(
        tmp_path,
        {
            "mirror/__init__.py": "__version__ = '1'\n",
            "mirror/a.py": "from mirror import __version__\n_x = 1\ny = _x\n",
        },
    )
    imports, private_uses = scan(modules)
    assert cycles(imports) == [] and private_uses == []


# ------------------------------------------------------------------ the package itself


def test_no_import_cycles_and_no_private_names_across_modules():
    found = violations()
    assert not found, "\n" + "\n".join(found)
