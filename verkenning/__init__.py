"""verkenning: strategic exploration of a shared public IT cooperation.

The public API is listed in ``__all__``; names are imported on first use, so that the command line
starts without loading the modules a command does not need.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Figure",
    "Game",
    "GameError",
    "Problem",
    "Scenario",
    "ScenarioError",
    "Study",
    "VerkenningError",
    "explore",
    "load_organisations",
    "load_scenario",
    "run_study",
    "scorecard",
    "service_graph",
    "simulate",
    "topological_order",
    "weak_points",
]

_HOME = {
    "Figure": "scenario",
    "Scenario": "scenario",
    "load_organisations": "scenario",
    "load_scenario": "scenario",
    "GameError": "errors",
    "Problem": "errors",
    "ScenarioError": "errors",
    "VerkenningError": "errors",
    "service_graph": "graph",
    "topological_order": "graph",
    "weak_points": "graph",
    "Game": "games",
    "simulate": "costs",
    "scorecard": "fourk",
    "explore": "explore",
    "Study": "study",
    "run_study": "report",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'verkenning' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)


def __dir__() -> list[str]:
    return sorted(__all__)
