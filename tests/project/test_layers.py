"""The folders show the flow: objectos_core <- components <- settings / program <- tools.

Each package may import only the layers below it (function-local imports and
`if TYPE_CHECKING:` blocks included: a type is a dependency too), and no module
imports itself back through others when it runs. `python -m tests.project.test_layers` prints
the package graph.
"""

from __future__ import annotations

import ast
import functools
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KIT = ("objectos_core", "components", "settings", "program", "testing", "policy", "golive")
ALLOWED: dict[str, set[str]] = {
    "objectos_core": set(),  # the standard library only
    "components": {"objectos_core"},
    "settings": {"objectos_core", "components"},
    "program": {"objectos_core", "components", "settings"},
    "testing": set(),  # Pulumi's SDK only
    "policy": {"objectos_core"},  # the pack runs from its own virtualenv: the facts and itself
    "golive": {"objectos_core", "components", "settings", "program", "policy", "testing"},
}


def modules() -> dict[str, Path]:
    found = {}
    for package in KIT:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(name: str, path: Path, known: set[str], typing: bool = True) -> set[str]:
    """Kit modules `name` imports (resolving relative imports); `typing=False`: only those it runs."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def resolve(module: str) -> None:
        while module and module not in known:
            module = module.rpartition(".")[0]
        if module:
            found.add(module)

    def visit(node: ast.AST) -> None:
        if not typing and isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                resolve(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                resolve(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    found.discard(name)
    return found


@functools.lru_cache(maxsize=2)
def graph(typing: bool = True) -> dict[str, set[str]]:
    found = modules()
    return {name: imports_of(name, path, set(found), typing) for name, path in found.items()}


@functools.lru_cache(maxsize=1)
def package_graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {package: set() for package in KIT}
    for name, targets in graph().items():
        edges[name.split(".")[0]] |= {t.split(".")[0] for t in targets} - {name.split(".")[0]}
    return edges


@pytest.mark.parametrize("package", KIT)
def test_each_package_imports_only_the_layers_below_it(package):
    assert package_graph()[package] <= ALLOWED[package], f"{package} imports {sorted(package_graph()[package])}"


def test_no_module_imports_itself_back():
    edges = graph(typing=False)
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                cycles.append(trail[trail.index(target) :] + [target] if target in trail else [node, target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_entry_point_only_calls_the_program():
    assert (ROOT / "__main__.py").read_text(encoding="utf-8").split() == ["from", "program", "import", "main", "main()"]


def test_a_planted_upward_import_is_caught(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from settings.model import Settings\n")
    assert imports_of("components.planted", planted, set(modules())) == {"settings.model"}


if __name__ == "__main__":
    for package, targets in package_graph().items():
        print(f"{package:14} -> {', '.join(sorted(targets)) or '(standard library and SDKs only)'}", file=sys.stdout)
