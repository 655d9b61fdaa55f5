"""The staffing plan of the pooled team: the least cost that reaches a coverage target.

Staffing plan (MILP, HiGHS through highspy, as the game LPs: ``games.lp.binary_program``). For the
cooperation's pooled team, choose n_r people per key role r, at least the role's workload rounded up, to
minimise the cost Σ_r n_r · (cost per fte) subject to the chance that every role is covered on a given day,
Π_r (1 − p^{n_r}), reaching the target; with a budget, the plan must also fit it, and when no plan reaches
the target within the budget the plan with the highest coverage that fits is returned and says so. Binary
variables x_{r,k} choose n_r = k, which makes the product a linear constraint in logs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..costs import CostResult
from ..errors import VerkenningError
from ..fourk import role_fte

__all__ = ["StaffingPlan", "staffing_plan"]


@dataclass(frozen=True)
class StaffingPlan:
    """People per key role for the pooled team, its cost and the chance that every role is covered."""

    year: int
    people: dict[str, int]
    workload_fte: dict[str, float]
    cost_eur: float
    coverage_probability: float
    target: float
    budget_eur: float | None
    target_met: bool
    """False when no plan within the budget reaches the target: then this is the highest coverage."""
    within_budget: bool = True
    """False when even one person per key role costs more than the budget: then this is that minimum,
    over budget, so that the reader sees what the smallest team costs."""


def staffing_plan(
    result: CostResult, target: float = 0.95, budget_eur: float | None = None, year: int | None = None
) -> StaffingPlan:
    """The least-cost staffing that reaches the coverage target (see the module docstring)."""
    from ..games.lp import binary_program

    if not 0 < target < 1:
        raise VerkenningError(f"the coverage target must lie between 0 and 1, got {target}")
    year = result.reference_year if year is None else year
    k = result.years.index(year)
    team = [int(i) for i in np.flatnonzero(result.member[:, k])]
    workload = role_fte(result.model, team)
    roles = sorted(workload)
    p = result.scenario.parameters
    absence, price = float(p.absence_rate), float(p.fte_annual_cost_eur)
    spread = int(np.ceil(np.log(1 - target) / np.log(absence))) + 1 if absence > 0 else 1
    least = {r: max(1, int(np.ceil(workload[r] - 1e-9))) for r in roles}
    options = [(r, n) for r in roles for n in range(least[r], least[r] + spread + 1)]
    cost = np.array([price * n for _, n in options])
    log_cover = np.array([np.log1p(-(absence**n)) for _, n in options])
    choose = np.array([[1.0 if r == role else 0.0 for r, _ in options] for role in roles])
    ones, inf = np.ones(len(roles)), np.inf
    rows, lower, upper = [choose, log_cover[None, :]], [ones, [np.log(target)]], [ones, [inf]]
    if budget_eur is not None:
        rows, lower, upper = [*rows, cost[None, :]], [*lower, [-inf]], [*upper, [budget_eur]]
    chosen = binary_program(cost, np.vstack(rows), np.concatenate(lower), np.concatenate(upper))
    target_met = chosen is not None
    if not target_met:
        if budget_eur is None:
            raise VerkenningError(f"no staffing reaches a coverage of {target:.0%}")
        chosen = binary_program(  # the highest coverage that fits the budget
            -log_cover, np.vstack([choose, cost[None, :]]), np.append(ones, -inf), np.append(ones, budget_eur)
        )
    within_budget = chosen is not None
    people = dict(options[j] for j in np.flatnonzero(chosen)) if within_budget else dict(least)
    coverage = float(np.prod([1 - absence**n for n in people.values()]))
    return StaffingPlan(
        year=year,
        people=people,
        workload_fte={r: round(workload[r], 3) for r in roles},
        cost_eur=float(sum(price * n for n in people.values())),
        coverage_probability=coverage,
        target=target,
        budget_eur=budget_eur,
        target_met=target_met,
        within_budget=within_budget,
    )
