"""Cooperative (TU) games: the engine behind win-win, no-profit and fair-share questions.

Pure numpy/scipy; knows nothing about municipalities: it takes players and a characteristic
function and returns named results. ``game.py`` holds the representation and the sign conventions
(cost and value games), ``shapley.py`` the Shapley value, ``lp.py`` the least core, (pre-)nucleolus
and fee ranges, ``rules.py`` SCRB, equal split, proportional keys, the core check and game
properties, ``io.py`` reading games from mappings, JSON and CSV.
"""

from __future__ import annotations

from .game import EXACT_MAX_PLAYERS, Allocation, Game
from .io import GameFile, game_from_mapping, read_game
from .lp import (
    NUCLEOLUS_MAX_PLAYERS,
    FeeRange,
    LeastCore,
    fee_range,
    fee_ranges,
    least_core,
    nearest_core,
    nucleolus,
    prenucleolus,
)
from .rules import (
    CORE_TOL,
    CoreCheck,
    CoreViolation,
    check_core,
    core_excess,
    equal_split,
    in_core,
    properties,
    proportional,
    scrb,
    scrb_shares,
    standalone_comparison,
    tau,
    tolerance,
    zero_normalised,
)
from .shapley import shapley, shapley_sampled, shapley_shares

__all__ = [
    "CORE_TOL",
    "EXACT_MAX_PLAYERS",
    "NUCLEOLUS_MAX_PLAYERS",
    "Allocation",
    "CoreCheck",
    "CoreViolation",
    "FeeRange",
    "Game",
    "GameFile",
    "LeastCore",
    "check_core",
    "core_excess",
    "equal_split",
    "fee_range",
    "fee_ranges",
    "game_from_mapping",
    "in_core",
    "least_core",
    "nearest_core",
    "nucleolus",
    "prenucleolus",
    "properties",
    "proportional",
    "read_game",
    "scrb",
    "scrb_shares",
    "shapley",
    "shapley_sampled",
    "shapley_shares",
    "standalone_comparison",
    "tau",
    "tolerance",
    "zero_normalised",
]
