"""The cost model: what each coalition of partners would pay, year by year, and who pays what.

``model.py`` states the scale-effect model and computes c(S) for every coalition at once;
``allocation.py`` shares one year's cost by the scenario's key (traced per service and driver), by
whole-cost keys and by the game rules, in whole cents; ``paths.py`` runs the years against the
status quo and discounts the savings; ``tables.py`` turns a result into tidy long tables and an
Excel workbook.
"""

from __future__ import annotations

from .allocation import split_cents
from .model import MAX_PARTNERS, CostModel, cost_model
from .paths import METHODS, NPV_RATES, CostResult, shares_for, simulate, year_game

__all__ = [
    "MAX_PARTNERS",
    "METHODS",
    "NPV_RATES",
    "CostModel",
    "CostResult",
    "cost_model",
    "shares_for",
    "simulate",
    "split_cents",
    "year_game",
]
