"""The centre's perspective: the 4 K's of the centre and every partner along the path of entrants.

``growth_path`` follows the scenario year by year: per member, its annual cost under the scenario's
key (real euros of the base year, transition included) and the team indicators of the pooled
cooperation serving it (coverage probability, key roles below the minimum, specialist roles).

``marginal_effects`` isolates each entrant: in the order of entry (ties by id), it compares the
cooperation just before the entrant with the same cooperation plus the entrant, at base-year
prices and volumes, so that growth and transition costs do not blur what the entrant itself does to
the centre and to each incumbent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..costs import CostResult, shares_for
from .indicators import quality

__all__ = ["growth_path", "marginal_effects"]

TEAM_INDICATORS = ("coverage_probability", "bus_factor_roles", "specialist_roles")


def growth_path(result: CostResult) -> pd.DataFrame:
    """Per year and member: annual cost and team indicators (long: year, partner, k, indicator, value)."""
    p = result.scenario.parameters
    absence, minimum = float(p.absence_rate), float(p.key_role_min_fte)
    rows = []
    for k, year in enumerate(result.years):
        team = [int(i) for i in np.flatnonzero(result.member[:, k])]
        for i in team:
            partner = result.partners[i]
            rows.append((year, partner, "kosten", "annual_cost_eur", float(result.cost_eur["key"][i, k])))
            q = quality(result.model, i, team, absence, minimum)
            rows.append((year, partner, "kwaliteit", "coverage_probability", q["coverage_probability"]))
            rows.append((year, partner, "kwetsbaarheid", "bus_factor_roles", q["bus_factor_roles"]))
            rows.append((year, partner, "kennis", "specialist_roles", q["specialist_roles"]))
    return pd.DataFrame(rows, columns=["year", "partner", "k", "indicator", "value"])


def marginal_effects(result: CostResult) -> pd.DataFrame:
    """What each entrant changes for every partner already in: cost and team indicators, base year."""
    scenario = result.scenario
    p = scenario.parameters
    absence, minimum = float(p.absence_rate), float(p.key_role_min_fte)
    base = result.years[0]
    order = sorted((q.joins, q.id) for q in scenario.partners if q.joins is not None)
    rows = []
    for joins, entrant in order:
        k = result.years.index(joins)
        e = result.partners.index(entrant)
        entered_before = {
            i
            for i, q in enumerate(scenario.partners)
            if q.joins is None or (q.joins, q.id) < (joins, entrant)
        }
        before = [int(i) for i in np.flatnonzero(result.member[:, k]) if i in entered_before]
        after = sorted([*before, e])
        cents_before = dict(zip(before, shares_for(result, tuple(before), base), strict=True))
        cents_after = dict(zip(after, shares_for(result, tuple(after), base), strict=True))
        for i in before:
            q_before = quality(result.model, i, before, absence, minimum)
            q_after = quality(result.model, i, after, absence, minimum)
            rows.append(
                {
                    "entrant": entrant,
                    "year": joins,
                    "partner": result.partners[i],
                    "delta_annual_cost_eur": (cents_after[i] - cents_before[i]) / 100.0,
                    **{f"delta_{name}": q_after[name] - q_before[name] for name in TEAM_INDICATORS},
                }
            )
    columns = [
        "entrant",
        "year",
        "partner",
        "delta_annual_cost_eur",
        *(f"delta_{n}" for n in TEAM_INDICATORS),
    ]
    return pd.DataFrame(rows, columns=columns)
