"""The package's layers, as data: every import of ``cityops`` points down the list (or
stays inside its own package), no module imports itself back through others, and
the entry points reach storage only through the services.

An import inside a function or under ``TYPE_CHECKING`` counts like any other: a
deferred import is still a dependency, and a cycle hidden in a function is
still a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[2] / "src" / "cityops"

LAYERS: tuple[frozenset[str], ...] = tuple(
    frozenset(layer)
    for layer in (
        {"__main__"},
        {"cli"},
        {"server"},
        {"console"},
        {"api"},
        {"demo"},
        {"services"},
        {"reporting", "advisor", "compliance"},
        {"settlement", "operations"},
        {"evaluation", "tickets"},
        {"indicators", "ingestion", "synth"},
        {"accounts", "audit"},
        {"workspace"},
        {"register"},
        {"lake"},
        {"access"},
        {"messages"},
        {"domain", "definitions", "settings"},
        {"public"},
        {"types", "errors", "__init__"},
    )
)
"""From the top down: a package may import from its own package and from the layers
below its own; packages of one layer are independent of each other."""

ENTRY_POINTS = frozenset({"cli", "server", "console", "api", "demo"})
"""They call services; they never touch storage themselves."""
STORAGE = ("sqlalchemy", "duckdb", "cityops.register", "cityops.lake")


@dataclass(frozen=True, slots=True)
class Import:
    source: str
    """The importing module, e.g. ``cityops.api.routers.regions``."""
    target: str
    """The imported module (or the name imported from a module)."""
    line: int


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> Iterator[Import]:
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(module, alias.name, node.lineno)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    yield Import(module, f"{base}.{alias.name}", node.lineno)


IMPORTS = tuple(_imports())
MODULES = frozenset(_module_name(path) for path in PACKAGE.rglob("*.py"))


def _top(module: str) -> str:
    """The package of ``cityops`` a module belongs to (``__init__`` for the root)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layer(package: str) -> int:
    for index, layer in enumerate(LAYERS):
        if package in layer:
            return index
    raise AssertionError(f"package cityops.{package} is in no layer of LAYERS")


def _owning_module(target: str) -> str | None:
    """The module of ``cityops`` that ``target`` names or a name of which it imports."""
    while target:
        if target in MODULES:
            return target
        target = target.rpartition(".")[0]
    return None


def _internal() -> list[tuple[Import, str]]:
    found = []
    for imported in IMPORTS:
        if imported.target.startswith("cityops"):
            module = _owning_module(imported.target)
            if module is not None and module != imported.source:
                found.append((imported, module))
    return found


def test_every_package_has_a_layer() -> None:
    packages = {_top(module) for module in MODULES}
    for package in packages:
        _layer(package)


def test_imports_point_down_the_layers() -> None:
    upward = [
        f"{imported.source}:{imported.line} imports {module}"
        for imported, module in _internal()
        if _top(imported.source) != _top(module)
        and _layer(_top(module)) <= _layer(_top(imported.source))
    ]
    assert upward == []


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(edges.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_back_through_others() -> None:
    edges: dict[str, set[str]] = {}
    for imported, module in _internal():
        edges.setdefault(imported.source, set()).add(module)
    assert _cycles(edges) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The check above could not fail if this did not hold."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("package", sorted(ENTRY_POINTS))
def test_entry_points_reach_storage_only_through_services(package: str) -> None:
    touching = [
        f"{imported.source}:{imported.line} imports {imported.target}"
        for imported in IMPORTS
        if _top(imported.source) == package
        and any(
            imported.target == name or imported.target.startswith(f"{name}.") for name in STORAGE
        )
    ]
    assert touching == []
