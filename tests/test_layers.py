"""The layer order of ../shared/DESIGN.md: no module imports a layer above its own.

Every import statement of the package is read from its source (top-level, inside functions and under
``TYPE_CHECKING`` alike), resolved to the unit it names (``verkenning/<unit>/`` or
``verkenning/<unit>.py``) and checked against the order below: a unit may import itself and the
units of lower layers, nothing else.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "verkenning"

LAYERS = (
    {"errors"},
    {"formats", "files", "aside"},
    {"scenario"},
    {"graph", "games"},
    {"costs"},
    {"fourk"},
    {"optimise"},
    {"explore"},
    {"study", "examples"},
    {"plots"},
    {"report"},
    {"console"},
    {"cli"},
    {"__main__"},
)
LEVEL = {unit: level for level, units in enumerate(LAYERS) for unit in units}


def unit_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def imported_units(path: Path, source: str | None = None) -> list[tuple[int, str]]:
    """(line, unit) for every import of a verkenning module in ``path`` (or in ``source`` read as if
    it stood at ``path``)."""
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    module_parts = ["verkenning", *path.relative_to(PACKAGE).with_suffix("").parts]
    if module_parts[-1] == "__init__":
        module_parts = module_parts[:-1]
    package = module_parts if path.name == "__init__.py" else module_parts[:-1]
    found = []
    for node in ast.walk(tree):
        targets: list[list[str]] = []
        if isinstance(node, ast.Import):
            targets = [alias.name.split(".") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            named = [*base, *(node.module.split(".") if node.module else [])]
            targets = [named] if node.module else [[*named, alias.name] for alias in node.names]
        for parts in targets:
            if parts[:1] == ["verkenning"] and len(parts) > 1:
                found.append((node.lineno, parts[1]))
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if unit_of(p) != "__init__")


def test_every_unit_has_a_layer():
    assert {unit_of(p) for p in MODULES} <= set(LEVEL), "add new modules to LAYERS"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_import_against_the_layer_order(path):
    unit = unit_of(path)
    upward = [
        f"line {line}: {unit} imports {target}"
        for line, target in imported_units(path)
        if target != unit and LEVEL.get(target, -1) >= LEVEL[unit]
    ]
    assert not upward, "; ".join(upward)


def test_the_check_sees_lazy_and_type_only_imports():
    # a lazy import inside a function and one under TYPE_CHECKING both count, relative or absolute
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..report import Report\n"
    source += (
        "def f():\n    from ..costs import simulate\n    import verkenning.study\n    from .. import plots\n"
    )
    units = [u for _, u in imported_units(PACKAGE / "scenario" / "checks.py", source)]
    assert units == ["report", "costs", "study", "plots"]
