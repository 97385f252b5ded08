"""The layers import only downwards (docs/architecture.md): functions → web → surfaces →
services → contracts → validation → security → data → the base modules (settings, clock, errors, …)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "layers" / "gatehouse" / "gatehouse"

# Higher imports lower; a package may import itself. Modules not listed are base modules (0).
RANKS = {"data": 1, "security": 2, "validation": 3, "contracts": 4, "services": 5, "surfaces": 6, "web": 7}
FUNCTIONS_RANK = 8


def _layer_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else path.stem


def _imported_layers(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "gatehouse":
            names = node.module.split(".")
            found.add(names[1] if len(names) > 1 else node.names[0].name)
        elif isinstance(node, ast.Import):
            found.update(
                alias.name.split(".")[1] for alias in node.names if alias.name.startswith("gatehouse.")
            )
    return found


def _upward_imports(path: Path, rank: int, own: str | None) -> list[str]:
    return sorted(
        f"{path.relative_to(REPO)} imports gatehouse.{layer}"
        for layer in _imported_layers(path)
        if layer != own and RANKS.get(layer, 0) >= rank
    )


@pytest.mark.parametrize("layer", sorted(RANKS))
def test_a_layer_imports_only_the_layers_below_it(layer: str) -> None:
    package, module = PACKAGE / layer, PACKAGE / f"{layer}.py"
    modules = sorted(package.rglob("*.py")) if package.is_dir() else [module]
    assert all(path.exists() for path in modules), f"no modules in gatehouse.{layer}"
    assert [line for path in modules for line in _upward_imports(path, RANKS[layer], layer)] == []


def test_base_modules_import_no_layer() -> None:
    base = [path for path in PACKAGE.glob("*.py") if _layer_of(path) not in RANKS]
    assert [line for path in base for line in _upward_imports(path, 1, None)] == []


def test_functions_import_the_layer_but_not_each_other() -> None:
    apps = sorted((REPO / "functions").glob("*/app.py"))
    assert apps
    for path in apps:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        local = [
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("functions")
        ]
        assert local == [], f"{path.relative_to(REPO)} imports another function: {local}"
        assert _upward_imports(path, FUNCTIONS_RANK + 1, None) == []
