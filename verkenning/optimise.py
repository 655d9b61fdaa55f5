"""Optimal terms: the entry fee range, which candidates to admit, and the staffing plan.

Entry fee range (LP). For an entrant e in the year's cost game c, its annual contribution lies
between what it adds to the cost, c(N) − c(N∖e), and what it would pay alone, c({e}); the range is
narrowed to the shares that keep every partner and every group better off: min and max x_e over the
core (over the least core when the core is empty, which the result says). Two LPs, in
``games.fee_range``.

Admission. Among the candidates (the scenario's entrants), choose the set T that maximises the
cooperation's total saving Σ_{p ∈ M∪T} c({p}) − c(M ∪ T), subject to every incumbent (a member of the
status quo M) paying no more under the scenario's key than without any candidate, at base-year
prices. The key's shares are ratios of pooled costs to pooled weights, so the constraint is not
linear in T and a MILP would need the very enumeration it replaces; instead every one of the 2^k
subsets is evaluated at once with array arithmetic (in chunks), which is exact and takes about a
second for k = 20. The tests check it against the key as the cost model computes it, subset by subset.

Staffing plan (MILP, scipy's HiGHS). For the cooperation's pooled team, choose n_r people per key
role r, at least the role's workload rounded up, to minimise the cost Σ_r n_r · (cost per fte)
subject to the chance that every role is covered on a given day, Π_r (1 − p^{n_r}), reaching the
target; with a budget, the plan must also fit it, and when no plan reaches the target within the
budget the plan with the highest coverage that fits is returned and says so. Binary variables
x_{r,k} choose n_r = k, which makes the product a linear constraint in logs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .costs import CostResult, year_game
from .costs.allocation import key_shares
from .errors import VerkenningError
from .fourk import role_fte
from .games import fee_range

__all__ = ["Admission", "EntryFee", "StaffingPlan", "admit", "entry_fee_range", "staffing_plan"]

ADMIT_MAX_CANDIDATES = 20
CHUNK = 1 << 15
CENT = 0.005


@dataclass(frozen=True)
class EntryFee:
    """An entrant's annual contribution: the bounds of reason and the range that keeps all better off."""

    entrant: str
    year: int
    marginal_cost_eur: float
    """c(N) − c(N∖e): the least an entrant can pay without the others paying for it."""
    standalone_eur: float
    """c({e}): the most it would pay before staying alone is cheaper."""
    low_eur: float
    high_eur: float
    core_empty: bool
    epsilon_eur: float
    key_share_eur: float
    """What the scenario's key charges it in that year."""


def entry_fee_range(result: CostResult, entrant: str, year: int | None = None) -> EntryFee:
    """The fee range of ``entrant`` in ``year`` (default: the reference year)."""
    year = result.reference_year if year is None else year
    game = year_game(result, year)
    if entrant not in game.players:
        raise VerkenningError(f"{entrant!r} is not a member in {year}; members: {', '.join(game.players)}")
    bit = 1 << game.players.index(entrant)
    fee = fee_range(game, entrant)
    k = result.years.index(year)
    return EntryFee(
        entrant=entrant,
        year=year,
        marginal_cost_eur=float(game.values[game.grand] - game.values[game.grand ^ bit]),
        standalone_eur=float(game.values[bit]),
        low_eur=fee.low,
        high_eur=fee.high,
        core_empty=fee.core_empty,
        epsilon_eur=fee.epsilon,
        key_share_eur=float(result.share_eur["key"][result.partners.index(entrant), k]),
    )


@dataclass(frozen=True)
class Admission:
    """The best set of candidates to admit with no incumbent paying more, and what it saves."""

    candidates: tuple[str, ...]
    chosen: tuple[str, ...]
    saving_eur: float
    """The cooperation's total saving against everyone alone, with the chosen candidates."""
    saving_without_eur: float
    """The same without any candidate."""
    incumbent_change_eur: dict[str, float]
    """Per incumbent: key share with the chosen candidates minus without (≤ 0)."""
    subsets: int
    feasible: int


def _evaluate(result: CostResult, incumbents: list[int], candidates: list[int], masks: np.ndarray):
    """Incumbents' key shares and the total saving for subsets of candidates (rows), base year."""
    model = result.model
    standalone = model.standalone()[0]
    level = float(result.scenario.parameters.level_effect_entrant)
    members = np.zeros((len(masks), len(model.partners)))
    members[:, incumbents] = 1.0
    bits = ((masks[:, None] >> np.arange(len(candidates))) & 1).astype(float)
    members[:, candidates] = bits
    lines = model.service_costs(members)
    coordination = model.coordination_cost(members)
    own = np.zeros((1, *members.shape))
    own[0][:, candidates] = bits * (level * standalone[candidates])
    shares = key_shares(model, members, lines, coordination, own)[0]
    saving = members @ standalone - shares.sum(axis=1)
    return shares[:, incumbents], saving


def admit(result: CostResult, candidates: list[str] | None = None) -> Admission:
    """The subset of candidates with the largest total saving that leaves no incumbent paying more."""
    scenario = result.scenario
    ids = list(candidates) if candidates is not None else list(scenario.entrants())
    if len(ids) > ADMIT_MAX_CANDIDATES:
        raise VerkenningError(
            f"{len(ids)} candidates; the exact choice is made for up to {ADMIT_MAX_CANDIDATES}"
        )
    unknown = [c for c in ids if c not in result.partners]
    if unknown:
        raise VerkenningError(f"unknown candidate {unknown[0]!r}")
    incumbents = [result.partners.index(p) for p in scenario.status_quo[1] if p in result.partners]
    candidate_index = [result.partners.index(c) for c in ids]
    if set(incumbents) & set(candidate_index):
        raise VerkenningError("a candidate is already a member of the status quo")
    baseline, saving0 = _evaluate(result, incumbents, candidate_index, np.zeros(1, dtype=np.int64))
    best = (saving0[0], 0, 0)  # saving, -size, -mask: the largest saving, then fewest, then first
    feasible_count = 0
    for start in range(0, 1 << len(ids), CHUNK):
        masks = np.arange(start, min(start + CHUNK, 1 << len(ids)), dtype=np.int64)
        shares, saving = _evaluate(result, incumbents, candidate_index, masks)
        feasible = (shares <= baseline + CENT).all(axis=1)
        feasible_count += int(feasible.sum())
        for mask in masks[feasible]:
            row = int(mask - start)
            candidate = (round(float(saving[row]), 2), -int(mask).bit_count(), -int(mask))
            if candidate > best:
                best = candidate
    mask = -best[2]
    chosen = tuple(c for b, c in enumerate(ids) if mask >> b & 1)
    shares, saving = _evaluate(result, incumbents, candidate_index, np.array([mask], dtype=np.int64))
    change = {result.partners[i]: float(shares[0, n] - baseline[0, n]) for n, i in enumerate(incumbents)}
    return Admission(
        candidates=tuple(ids),
        chosen=chosen,
        saving_eur=float(saving[0]),
        saving_without_eur=float(saving0[0]),
        incumbent_change_eur=change,
        subsets=1 << len(ids),
        feasible=feasible_count,
    )


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
    from scipy.optimize import Bounds, LinearConstraint, milp

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
    one_each = LinearConstraint(choose, 1, 1)
    constraints = [one_each, LinearConstraint(log_cover[None, :], np.log(target), np.inf)]
    if budget_eur is not None:
        constraints.append(LinearConstraint(cost[None, :], -np.inf, budget_eur))
    integral = np.ones(len(options))
    bounds = Bounds(0, 1)
    solution = milp(cost, constraints=constraints, integrality=integral, bounds=bounds)
    target_met = solution.status == 0
    if not target_met:
        if budget_eur is None:
            raise VerkenningError(f"no staffing reaches a coverage of {target:.0%}: {solution.message}")
        fallback = [one_each, LinearConstraint(cost[None, :], -np.inf, budget_eur)]
        solution = milp(-log_cover, constraints=fallback, integrality=integral, bounds=bounds)
    within_budget = solution.status == 0
    people = dict(options[j] for j in np.flatnonzero(solution.x > 0.5)) if within_budget else dict(least)
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
