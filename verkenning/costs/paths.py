"""Years and money: the cooperation's path over the horizon against the status quo, and its NPV.

All amounts are in real euros at base-year prices (MKBA convention, FACTS §5). For year y, with
t = y − base_year and inflation π:

- Stand-alone costs grow at the real rate g_s = (1 + g_standalone)/(1 + π) − 1 (M&I trend), the
  cooperation's at g_c = (1 + g_cooperation)/(1 + π) − 1: the difference is the modelled
  *minder meerkosten* (FACTS §3.6), which the result also reports with it switched off (g_c = g_s,
  the COELO 2017 finding that cooperation does not lower spending), so it is never shown as a fact.
  The cooperation has existed since 2013, so the slower growth applies from the base year.
- Volumes grow at ``volume_growth`` (default flat); organisations and fixed drivers do not.
- The game of year y is c_y(S) = (1 + g_c)^t · [c(S) + Σ_{entrants e ∈ S} λ · c({e})] for two or
  more members and c_y({p}) = (1 + g_s)^t · c({p}) alone, with λ the entrant's one-off level
  effect (``level_effect_entrant``, default 0).
- An entrant migrates onto the centre's platform (the centre's processes and infrastructure lead):
  a one-off transition cost τ · c({e}) (τ = ``transition_cost_share``), ``transition_share_first_year``
  of it in the year of entry and the rest the year after; carried by the entrant, or shared by the
  key (``transition_cost_bearer``).
- A leaver pays an exit fee of ``exit_cost_share`` times its last annual share in the year it
  leaves, which goes to the partners that stay, by the key; the stayers' shares of the smaller
  cooperation rise (the stranded costs) and the leaver pays its stand-alone cost again.
- Annual service costs are annualised: depreciation over the reinvestment cycles (workstations 4
  years, central hardware 5-7, FACTS §3.7) is inside the unit costs, so reinvestment adds no yearly
  peaks and the cycles are not separate parameters.

The named alternative is the status quo (``Scenario.status_quo``): today's cooperation, the root of
the ``extends`` chain, with its members and their services over the whole horizon; every other
partner on its own, and any service a member takes in the scenario beyond the status quo (such as
information management) bought on its own. A partner's saving in a year is
its status-quo cost minus its cost in the scenario (a member's share plus transition and exit
amounts, or its stand-alone cost when not a member); the NPV discounts the savings to the base year
at the scenario's rate, and also at 0% and 4.5% (FACTS §5). The break-even year is the first year,
from the first year the partner's costs differ from the status quo, from which its cumulative
discounted saving stays at or above zero.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..games import Game
from ..scenario import Scenario
from .allocation import GAME_RULES, SIMPLE_KEYS, TraceLine, YearShares, split_cents, year_shares
from .model import CostModel, cost_model

__all__ = [
    "METHODS",
    "NPV_RATES",
    "CostResult",
    "member_matrix",
    "reference_year",
    "shares_for",
    "simulate",
    "year_game",
]

METHODS = ("key", *SIMPLE_KEYS, *GAME_RULES)
"""Every way of sharing the cost: the scenario's key, whole-cost keys and the game rules."""
NPV_RATES = (0.0, 0.045)
"""Rates at which the NPV is always reported besides the scenario's own (FACTS §5)."""


@dataclass(frozen=True, eq=False)
class CostResult:
    """The cooperation's path and the status quo, per partner, year and method. Arrays are P × Y."""

    scenario: Scenario
    model: CostModel
    years: tuple[int, ...]
    member: np.ndarray
    """Whether the partner is a member in the scenario, per year."""
    status_quo_member: np.ndarray
    cooperation_cost_eur: np.ndarray
    """Per year: the cost of the cooperation (to the cent), which every method's shares add up to."""
    status_quo_cooperation_cost_eur: np.ndarray
    standalone_eur: np.ndarray
    share_eur: dict[str, np.ndarray]
    """Method → what each member pays the cooperation (NaN when not a member)."""
    transition_eur: np.ndarray
    exit_eur: np.ndarray
    cost_eur: dict[str, np.ndarray]
    """Method → what each partner pays in all: its share plus transition and exit, or stand-alone."""
    status_quo_eur: dict[str, np.ndarray]
    npv_eur: dict[str, dict[float, np.ndarray]]
    """Method → rate → NPV of the saving against the status quo (positive: the partner gains)."""
    npv_without_avoided_growth_eur: dict[float, np.ndarray]
    """The key's NPV with the cooperation's cost growing as fast as stand-alone costs."""
    npv_other_bearer_eur: dict[float, np.ndarray]
    """The key's NPV had the other party carried the transition costs (the entrant, or all by key)."""
    break_even_year: tuple[int | None, ...]
    trace: tuple[tuple[int, TraceLine], ...]
    """(year, line) for every euro of the scenario key."""
    notes: tuple[str, ...]

    @property
    def partners(self) -> tuple[str, ...]:
        return self.model.partners

    @property
    def rates(self) -> tuple[float, ...]:
        return tuple(self.npv_eur["key"])

    @property
    def reference_year(self) -> int:
        """The first year with every entrant in and its transition paid: the year to show."""
        return reference_year(self.scenario)


def reference_year(scenario: Scenario) -> int:
    """Two years after the last entry (its transition paid), within the horizon; else the base year."""
    joins = [p.joins for p in scenario.partners if p.joins is not None]
    return min(max(joins) + 2, scenario.end_year) if joins else scenario.base_year


def _growth(rate: float, inflation: float, t: np.ndarray) -> np.ndarray:
    return ((1.0 + rate) / (1.0 + inflation)) ** t


class _Simulation:
    """One pass over the years, with the year's shares cached by membership."""

    def __init__(self, scenario: Scenario, model: CostModel, avoided_growth: bool, rules: tuple[str, ...]):
        self.scenario, self.rules, self.model = scenario, rules, model
        p = scenario.parameters
        self.t = np.array(scenario.years) - scenario.base_year
        self.g_standalone = _growth(float(p.cost_growth_standalone), float(p.inflation), self.t)
        cooperation_rate = p.cost_growth_cooperation if avoided_growth else p.cost_growth_standalone
        self.g_cooperation = _growth(float(cooperation_rate), float(p.inflation), self.t)
        self.volume = (1.0 + float(p.volume_growth)) ** self.t
        self.level = float(p.level_effect_entrant)
        self.entrants = {self.model.index(e) for e in scenario.entrants()}
        self.cache: dict[tuple[tuple[int, ...], int], YearShares] = {}

    def shares(self, members: tuple[int, ...], k: int) -> YearShares:
        if (members, k) not in self.cache:
            self.cache[members, k] = self._shares(members, k)
        return self.cache[members, k]

    def game_values(self, members: tuple[int, ...], k: int) -> np.ndarray:
        """c_y(S) for every subset S of ``members`` in year index k (see the module docstring)."""
        model, vf = self.model, self.volume[k]
        standalone = model.standalone(vf)
        values = model.coalition_costs(members, vf)
        bits = (np.arange(len(values))[:, None] >> np.arange(len(members))) & 1
        level = bits @ np.array([self.level * standalone[i] if i in self.entrants else 0.0 for i in members])
        together = bits.sum(axis=1) >= 2
        return np.where(together, (values + level) * self.g_cooperation[k], values * self.g_standalone[k])

    def _shares(self, members: tuple[int, ...], k: int) -> YearShares:
        model, vf = self.model, self.volume[k]
        standalone = model.standalone(vf)
        grand = np.zeros(len(model.partners))
        grand[list(members)] = 1.0
        lines = model.service_costs(grand, vf)[0] * self.g_cooperation[k]
        coordination = float(model.coordination_cost(grand)[0]) * self.g_cooperation[k]
        own = {i: self.level * standalone[i] * self.g_cooperation[k] for i in members if i in self.entrants}
        values = self.game_values(members, k)
        return year_shares(model, members, values, lines, coordination, own, rules=self.rules)


def shares_for(
    result: CostResult, members: tuple[int, ...], year: int, rules: tuple[str, ...] = ()
) -> YearShares:
    """The shares of any set of members (partner indices) in ``year``: for what-if comparisons."""
    k = result.years.index(year)
    return _Simulation(result.scenario, result.model, True, rules).shares(tuple(sorted(members)), k)


def year_game(result: CostResult, year: int) -> Game:
    """The cost game of ``year`` over that year's members, as the simulation shares it."""
    k = result.years.index(year)
    members = tuple(int(i) for i in np.flatnonzero(result.member[:, k]))
    values = _Simulation(result.scenario, result.model, True, ()).game_values(members, k)
    return Game(tuple(result.partners[i] for i in members), values, "cost")


def member_matrix(scenario: Scenario, status_quo: bool) -> np.ndarray:
    """partners × years: membership in the scenario, or in the status quo (its members, every year)."""
    member = np.zeros((len(scenario.partners), len(scenario.years)), dtype=bool)
    for k, year in enumerate(scenario.years):
        ids = set(scenario.status_quo[1]) if status_quo else set(scenario.members(year))
        member[:, k] = [p.id in ids for p in scenario.partners]
    return member


def _npv(saving: np.ndarray, t: np.ndarray, rates: tuple[float, ...]) -> dict[float, np.ndarray]:
    return {rate: (saving / (1.0 + rate) ** t).sum(axis=1) for rate in rates}


def _break_even(
    saving: np.ndarray, t: np.ndarray, rate: float, years: tuple[int, ...]
) -> tuple[int | None, ...]:
    """Per partner: the first year from which the cumulative discounted saving stays ≥ 0, counted from
    the first year its costs differ from the status quo; None if it ends below zero or never differs."""
    cumulative = np.cumsum(saving / (1.0 + rate) ** t, axis=1)
    found: list[int | None] = []
    for row, yearly in zip(cumulative, saving, strict=True):
        changed = np.flatnonzero(np.abs(yearly) > 0.005)
        if changed.size == 0 or row[-1] < -0.005:
            found.append(None)
            continue
        negative = np.flatnonzero(row < -0.005)
        found.append(years[max(int(changed[0]), int(negative[-1]) + 1 if negative.size else 0)])
    return tuple(found)


def _run(scenario: Scenario, avoided_growth: bool, rules: tuple[str, ...]):
    model = cost_model(scenario)
    status_quo_model = cost_model(scenario, scenario.status_quo[1])
    sim = _Simulation(scenario, model, avoided_growth, rules)
    sq_sim = _Simulation(scenario, status_quo_model, avoided_growth, rules)
    years = scenario.years
    n_partners, n_years = len(model.partners), len(years)
    methods = ("key", *SIMPLE_KEYS, *rules)
    member = member_matrix(scenario, status_quo=False)
    status_quo_member = member_matrix(scenario, status_quo=True)
    standalone = np.column_stack(
        [model.standalone(sim.volume[k]) * sim.g_standalone[k] for k in range(n_years)]
    )
    # services a status-quo member takes in the scenario beyond the status quo: bought on its own
    extra = replace(model, takes=model.takes & ~status_quo_model.takes, observed=np.full(n_partners, np.nan))
    extra_alone = np.column_stack(
        [extra.modelled_standalone(sim.volume[k]) * sim.g_standalone[k] for k in range(n_years)]
    )

    def path(matrix: np.ndarray, sim: _Simulation):
        share = {m: np.full((n_partners, n_years), np.nan) for m in methods}
        total = np.zeros(n_years)
        key_cents: list[dict[int, int]] = []
        trace: list[tuple[int, TraceLine]] = []
        notes: list[str] = []
        for k, year in enumerate(years):
            members = tuple(int(i) for i in np.flatnonzero(matrix[:, k]))
            year_result = sim.shares(members, k)
            total[k] = year_result.total / 100.0
            for method in methods:
                share[method][list(members), k] = year_result.shares[method] / 100.0
            key_cents.append(dict(zip(members, year_result.shares["key"].tolist(), strict=True)))
            trace.extend((year, line) for line in year_result.trace)
            notes.extend(f"{year}: {note}" for note in year_result.notes)
        return share, total, key_cents, trace, notes

    share, total, key_cents, trace, notes = path(member, sim)
    sq_share, sq_total, _, _, _ = path(status_quo_member, sq_sim)
    transition, exit_fee = _one_offs(scenario, model, member, key_cents, share["key"], standalone)
    other = "key" if scenario.parameters.transition_cost_bearer == "entrant" else "entrant"
    other_transition, _ = _one_offs(scenario, model, member, key_cents, share["key"], standalone, other)
    cost_other_bearer = np.where(member, share["key"], standalone) + other_transition + exit_fee
    cost = {m: np.where(member, share[m], standalone) + transition + exit_fee for m in methods}
    status_quo = {m: np.where(status_quo_member, sq_share[m] + extra_alone, standalone) for m in methods}
    return dict(
        sim=sim,
        cost_other_bearer=cost_other_bearer,
        member=member,
        status_quo_member=status_quo_member,
        standalone=standalone,
        share=share,
        total=total,
        sq_total=sq_total,
        transition=transition,
        exit_fee=exit_fee,
        cost=cost,
        status_quo=status_quo,
        trace=trace,
        notes=notes,
        methods=methods,
    )


def _one_offs(scenario, model, member, key_cents, key_share, standalone, bearer: str | None = None):
    """Transition costs of entrants and exit fees of leavers, per partner and year (to the cent).

    ``bearer`` overrides the scenario's ``transition_cost_bearer`` (to show the other choice too).
    """
    years, p = scenario.years, scenario.parameters
    bearer = bearer or p.transition_cost_bearer
    transition = np.zeros(member.shape)
    exit_fee = np.zeros(member.shape)
    base_standalone = model.standalone()
    for partner in scenario.partners:
        i = model.index(partner.id)
        if partner.joins is not None and partner.joins > years[0]:
            whole = round(float(p.transition_cost_share) * base_standalone[i], 2)
            first = round(whole * float(p.transition_share_first_year), 2)
            for year, amount in ((partner.joins, first), (partner.joins + 1, round(whole - first, 2))):
                if year not in years or amount == 0:
                    continue
                k = years.index(year)
                if bearer == "entrant":
                    transition[i, k] += amount
                else:
                    members = sorted(key_cents[k])
                    weights = np.array([key_cents[k][j] for j in members], dtype=float)
                    transition[members, k] += split_cents(round(amount * 100), weights) / 100.0
        if partner.leaves is not None and partner.leaves in years and partner.leaves > years[0]:
            k = years.index(partner.leaves)
            fee = round(float(p.exit_cost_share) * float(key_share[i, k - 1]), 2)
            exit_fee[i, k] += fee
            stayers = sorted(key_cents[k])
            if stayers:
                weights = np.array([key_cents[k][j] for j in stayers], dtype=float)
                exit_fee[stayers, k] -= split_cents(round(fee * 100), weights) / 100.0
    return transition, exit_fee


def simulate(scenario: Scenario, rules: tuple[str, ...] = GAME_RULES) -> CostResult:
    """The cooperation's path, the status quo and every partner's costs, shares, NPV and break-even."""
    run = _run(scenario, avoided_growth=True, rules=rules)
    sim = run["sim"]
    rates = tuple(dict.fromkeys((float(scenario.discount_rate), *NPV_RATES)))
    npv = {m: _npv(run["status_quo"][m] - run["cost"][m], sim.t, rates) for m in run["methods"]}
    pessimistic = _run(scenario, avoided_growth=False, rules=())
    saving_without = pessimistic["status_quo"]["key"] - pessimistic["cost"]["key"]
    return CostResult(
        scenario=scenario,
        model=sim.model,
        years=scenario.years,
        member=run["member"],
        status_quo_member=run["status_quo_member"],
        cooperation_cost_eur=run["total"],
        status_quo_cooperation_cost_eur=run["sq_total"],
        standalone_eur=run["standalone"],
        share_eur=run["share"],
        transition_eur=run["transition"],
        exit_eur=run["exit_fee"],
        cost_eur=run["cost"],
        status_quo_eur=run["status_quo"],
        npv_eur=npv,
        npv_without_avoided_growth_eur=_npv(saving_without, sim.t, rates),
        npv_other_bearer_eur=_npv(run["status_quo"]["key"] - run["cost_other_bearer"], sim.t, rates),
        break_even_year=_break_even(
            run["status_quo"]["key"] - run["cost"]["key"], sim.t, rates[0], scenario.years
        ),
        trace=tuple(run["trace"]),
        notes=tuple(dict.fromkeys(run["notes"])),
    )
