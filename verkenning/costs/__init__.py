"""The cost model: what each coalition of partners would pay, year by year, and who pays what.

The model is written once, over a leading batch axis of samples: ``inputs.py`` holds every figure
as arrays (the study is the batch of one; a sweep applies its draws there), ``model.py`` states the
scale-effect model and computes c(S) for every coalition at once, ``allocation.py`` shares one
year's cost by the scenario's key (traced per service and driver), by whole-cost keys and by the
game rules, in exact floats or in whole cents, ``lines.py`` holds the business case's lines beside
the platform (transition, double running, stranded book value, frictiekosten, retained costs, the
integral surcharge, VAT), ``paths.py`` runs the years against the status quo
and discounts the savings, and ``tables.py`` turns a study's result into tidy long tables and an
Excel workbook.
"""

from __future__ import annotations

from .allocation import Cents, Exact, split_cents
from .inputs import Inputs, scenario_inputs, with_draws
from .lines import ENTRY_LINES, STRUCTURAL_LINES, VAT_RATE, integral_rates, transition_items, vat_share
from .model import MAX_PARTNERS, CostModel, cost_model
from .paths import (
    METHODS,
    NPV_RATES,
    CostResult,
    Projection,
    exit_fee_eur,
    exit_schedule,
    member_matrix,
    no_saving,
    project,
    shares_for,
    simulate,
    stranded_eur,
    with_bearer,
    year_game,
)

__all__ = [
    "ENTRY_LINES",
    "MAX_PARTNERS",
    "METHODS",
    "NPV_RATES",
    "STRUCTURAL_LINES",
    "VAT_RATE",
    "Cents",
    "CostModel",
    "CostResult",
    "Exact",
    "Inputs",
    "Projection",
    "cost_model",
    "exit_fee_eur",
    "exit_schedule",
    "integral_rates",
    "member_matrix",
    "no_saving",
    "project",
    "scenario_inputs",
    "shares_for",
    "simulate",
    "split_cents",
    "stranded_eur",
    "transition_items",
    "vat_share",
    "with_bearer",
    "with_draws",
    "year_game",
]
