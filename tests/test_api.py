"""The public API: every name in an ``__all__`` exists, and the package imports lightly."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "verkenning"
MODULES = sorted(
    "verkenning." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")
    for p in PACKAGE.rglob("*.py")
    if p.name != "__main__.py"
)
MODULES = [m.removesuffix(".__init__") if m != "verkenning.__init__" else "verkenning" for m in MODULES]


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_only_names_that_exist(name):
    module = importlib.import_module(name)
    for attribute in module.__all__:
        assert hasattr(module, attribute), f"{name}.__all__ names {attribute!r}, which does not exist"


def test_importing_the_package_loads_no_heavy_modules():
    heavy = "('numpy', 'scipy', 'networkx', 'pydantic')"
    code = f"import sys, verkenning; print(sorted(m for m in {heavy} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
