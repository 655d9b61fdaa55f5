"""The public API: every name in an ``__all__`` exists, and the package imports lightly."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

MODULES = [
    "verkenning",
    "verkenning.errors",
    "verkenning.files",
    "verkenning.formats",
    "verkenning.graph",
    "verkenning.scenario",
    "verkenning.scenario.figures",
    "verkenning.scenario.reader",
    "verkenning.scenario.schema",
    "verkenning.scenario.checks",
    "verkenning.scenario.summary",
    "verkenning.scenario.template",
    "verkenning.games",
    "verkenning.games.game",
    "verkenning.games.io",
    "verkenning.games.lp",
    "verkenning.games.rules",
    "verkenning.games.shapley",
    "verkenning.games.summary",
    "verkenning.costs",
    "verkenning.costs.allocation",
    "verkenning.costs.model",
    "verkenning.costs.paths",
    "verkenning.costs.tables",
    "verkenning.fourk",
    "verkenning.fourk.centre",
    "verkenning.fourk.indicators",
    "verkenning.fourk.text",
    "verkenning.fourk.verdicts",
    "verkenning.optimise",
    "verkenning.explore",
    "verkenning.explore.analysis",
    "verkenning.explore.sampling",
    "verkenning.explore.sweep",
    "verkenning.explore.vector",
    "verkenning.report",
    "verkenning.report.compare",
    "verkenning.report.html",
    "verkenning.report.provenance",
    "verkenning.report.run",
    "verkenning.report.sections",
    "verkenning.report.findings",
    "verkenning.report.labels",
    "verkenning.report.study",
    "verkenning.plots",
]


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
