"""Exploring under uncertainty: how sure is each verdict, what drives it, and where win-win fails.

``sampling.py`` reads the scenario's uncertainties and draws Latin hypercube samples;
``vector.py`` evaluates the cost model for all samples at once; ``analysis.py`` turns samples into
probabilities, tornado and Sobol sensitivities, a scenario-discovery finding and growth-path
comparisons; ``sweep.py`` runs sweeps on local processes or dask and saves and loads them.
"""

from __future__ import annotations

from .analysis import (
    Discovery,
    Probability,
    discover,
    entry_orders,
    growth_orders,
    probabilities,
    sensitivity_outcomes,
    sobol,
    tornado,
)
from .outcomes import KINDS, Outcome
from .sampling import Draws, active, sample
from .sweep import (
    Exploration,
    cached_exploration,
    exploration_folder,
    explore,
    load_exploration,
    main_outcome,
    save_exploration,
    saved_exploration,
    sweep_id,
    workload,
)
from .vector import evaluate, plan, sampled

__all__ = [
    "KINDS",
    "Discovery",
    "Draws",
    "Exploration",
    "Outcome",
    "Probability",
    "active",
    "cached_exploration",
    "discover",
    "entry_orders",
    "evaluate",
    "exploration_folder",
    "explore",
    "growth_orders",
    "load_exploration",
    "main_outcome",
    "plan",
    "probabilities",
    "sample",
    "sampled",
    "save_exploration",
    "saved_exploration",
    "sensitivity_outcomes",
    "sobol",
    "sweep_id",
    "tornado",
    "workload",
]
