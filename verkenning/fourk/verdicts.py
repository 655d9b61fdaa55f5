"""The conditions (randvoorwaarden) of the council letter, each judged pass, fail or undetermined,
or shown as a modelling choice (``model_choice``, *modelkeuze*) where the model holds it by how it
is built rather than by a test on the data that could come out either way.

Each condition is one small judgement returning a frozen verdict with structured facts (partner
ids, amounts in euros, years); the words come later, Dutch in ``report/labels.py`` and English in
``console.py``. Judgements about money (in the core, worse off) are made on the exact projection
of the study (``CostResult.exact``) with the one tolerance policy of ``games.tolerance``, the same
test the sweep makes on every sample.

Win-win is two verdicts, because the entry and the key are two questions (a key can fail the core
before anyone joins):

- ``better_off``: in the reference year every incumbent pays no more than in the status quo (and its
  NPV is not negative) and every entrant no more than on its own.
- ``key_stable``: the shares are in the core of that year's cost game: no group of partners pays
  more than it would on its own (violations listed, worst first). Beside it the same test on the
  status quo (``status_quo_violations``: a failure there is the key's, not the entry's) and the
  smallest change that fixes it (``adjustment``: the nearest core allocation in euros moved, per
  member; ``core_empty`` when no key can be stable).

The sweep's ``win_win`` outcome is both at once.
- ``no_profit``: no member is charged more than the centre's integral cost price of what it gets
  (Wet Markt en Overheid, gedragsregel 1): its share by the scenario's key of the direct cost, plus
  ``overhead_share`` and ``capital_charge_share`` on it. The charge is the method's share, plus the
  integral surcharge when ``pricing`` is integral. It fails, with the profit per partner, when a
  method (inhabitants, inbreng, fixed percentages, a game rule) charges a member above that price in
  any year; the scenario's own key charges the price (integral) or its direct part (direct) by how
  it is built, so for the key a pass is a *modelkeuze*. Beside it what the centre carries itself in
  the reference year (``subsidy_eur``: the overhead and capital charge it does not charge), and the
  guard that the shares add up to the cooperation's cost every year, to the cent.
- ``transparency``: every euro of the scenario's key is traced to a service and a key, and the trace
  adds up to each partner's share (undetermined for game-theoretic rules, which have no such trace).
  The key is built from that trace, so a pass is a *modelkeuze*.
- ``platform_leads``: the entrants' migration onto the centre's platform is costed (undetermined
  without entrants). The model assumes the centre's platform leads; costing it is a *modelkeuze*,
  and it fails when the scenario costs no migration.
- ``risks_shared``: a risk reserve (``risk_reserve_share`` of the annual cost) is carried in
  proportion to the shares; it fails when a member carries none of it, and is otherwise a
  *modelkeuze* (the model spreads the reserve by the key; who bears which risk is the regeling's).
- ``value_for_residents``: the municipal partners' cost per inhabitant does not rise.
- ``no_extra_risk`` (*geen (extra) risico's voor welke partner dan ook*), ``centre_ambitions``
  (*bijdragen aan de ambities van de centrumgemeente*) and ``governance`` (*governance helder en
  werkbaar*, the college's condition): the model holds no yes/no test for these, so they are
  *niet te bepalen*, each with what would decide it (``decided_by``): a stated limit on the chance of
  a loss that the sweep already gives per partner, the centre's ambitions as measurable goals, and
  the regeling's decision rules.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

import numpy as np

from ..costs import CostResult, integral_rates, year_game
from ..games import Game, check_core, nearest_core, tolerance

__all__ = [
    "CONDITIONS",
    "BetterOff",
    "Group",
    "KeyStable",
    "NoProfit",
    "PlatformLeads",
    "RisksShared",
    "Transparency",
    "Undecided",
    "ValueForResidents",
    "Verdict",
    "verdicts",
    "worse_off",
]

CONDITIONS = (
    "better_off",
    "key_stable",
    "no_profit",
    "transparency",
    "platform_leads",
    "risks_shared",
    "value_for_residents",
    "no_extra_risk",
    "centre_ambitions",
    "governance",
)
VerdictValue = Literal["pass", "fail", "undetermined", "model_choice"]
BY_CONSTRUCTION = "model_choice"
"""A condition the model holds by how it is built: shown as such, never as a passed test."""


@dataclass(frozen=True)
class Verdict:
    """A condition of the letter, judged in ``year``: pass, fail or undetermined."""

    condition: str
    verdict: VerdictValue
    year: int

    def facts(self) -> dict[str, object]:
        """The evidence as plain data (JSON-ready, English keys)."""

        def plain(value):
            if isinstance(value, Group):
                return {"members": list(value.members), "amount_eur": value.amount_eur}
            if isinstance(value, tuple):
                return [plain(v) for v in value]
            return value

        return {
            f.name: plain(getattr(self, f.name))
            for f in fields(self)
            if f.name not in ("condition", "verdict")
        }


@dataclass(frozen=True)
class Group:
    """A group of partners and an amount: what it pays more together than on its own."""

    members: tuple[str, ...]
    amount_eur: float


@dataclass(frozen=True)
class BetterOff(Verdict):
    incumbents_worse: tuple[str, ...]
    entrants_worse: tuple[str, ...]


@dataclass(frozen=True)
class KeyStable(Verdict):
    core_violations: tuple[Group, ...]
    """The groups that pay more together than on their own, worst first (``SHOWN`` at most)."""
    core_violation_count: int
    """How many groups do (of 2^n − 2: a 20-member key can fail for a quarter of a million)."""
    players: tuple[str, ...]
    """The members of the year's game, to name who a group leaves out."""
    status_quo_violations: tuple[Group, ...]
    """The same test on the status quo's key and members in that year (``SHOWN`` at most)."""
    status_quo_violation_count: int
    adjustment: tuple[tuple[str, float], ...]
    """(member, euros more (+) or less (−) a year) at the nearest stable shares; () when stable."""
    core_empty: bool


@dataclass(frozen=True)
class Undecided(Verdict):
    """A condition the model has no test for; ``decided_by`` says what would decide it."""

    decided_by: str
    centre: str


@dataclass(frozen=True)
class NoProfit(Verdict):
    max_gap_eur: float
    profits: tuple[tuple[str, int, float], ...]
    """(partner, year, euros) charged above its integral cost price, the largest first (ten at most)."""
    subsidy_eur: float
    """What the centre carries itself in the reference year: the overhead and capital charge on the
    other members' shares it does not charge them."""
    rate: float
    """Overhead plus capital charge on the direct cost."""
    pricing: str


@dataclass(frozen=True)
class Transparency(Verdict):
    method: str
    lines: int
    unmatched: tuple[tuple[int, str], ...]
    """(year, partner) whose share the trace does not add up to; the first ten."""


@dataclass(frozen=True)
class PlatformLeads(Verdict):
    transition_eur: tuple[tuple[str, float], ...]
    """(entrant, its transition cost over the horizon)."""
    missing: tuple[str, ...]


@dataclass(frozen=True)
class RisksShared(Verdict):
    reserve_eur: float
    exposure_eur: tuple[tuple[str, float], ...]
    """(member, its part of the reserve)."""
    carrying_none: tuple[str, ...]


@dataclass(frozen=True)
class ValueForResidents(Verdict):
    before_eur: float | None
    """Cost per inhabitant of the municipal partners now (None without municipalities)."""
    after_eur: float | None


def worse_off(
    cost: np.ndarray,
    status_quo: np.ndarray,
    standalone: np.ndarray,
    npv: np.ndarray,
    incumbents: np.ndarray,
    entrants: np.ndarray,
    limit: np.ndarray,
) -> np.ndarray:
    """n × partners: who is worse off with the change, by more than ``limit`` (n, the tolerance policy).

    An incumbent is worse off when it pays more than in the status quo or its NPV is negative; an
    entrant when it pays more than it would on its own. Arrays are n × partners (the reference year).
    """
    t = np.asarray(limit, dtype=float)[:, None]
    incumbent = ((cost > status_quo + t) | (npv < -t)) & incumbents
    entrant = (cost > standalone + t) & entrants
    return incumbent | entrant


SHOWN = 10
"""The groups better off alone a verdict names, worst first (with the count of all)."""


def _groups(game: Game, shares: np.ndarray) -> tuple[tuple[Group, ...], int]:
    check = check_core(game, shares)
    return tuple(Group(v.coalition, round(v.amount, 2)) for v in check.worst(SHOWN)), check.count


def _better_off(result: CostResult, method: str) -> BetterOff:
    year = result.reference_year
    k = result.years.index(year)
    exact = result.exact
    game = year_game(result, year)
    incumbents = exact.member[:, k] & exact.status_quo_member[:, k]
    entrants = exact.member[:, k] & ~exact.status_quo_member[:, k]
    cost = exact.cost["key"][0, :, k] if method == "key" else result.cost_eur[method][:, k]
    status_quo = exact.status_quo["key"][0, :, k] if method == "key" else result.status_quo_eur[method][:, k]
    npv = exact.npv("key")[0] if method == "key" else result.npv_eur[method][result.rates[0]]
    worse = worse_off(
        cost[None],
        status_quo[None],
        exact.standalone[0, :, k][None],
        npv[None],
        incumbents,
        entrants,
        np.atleast_1d(tolerance(game.values)),
    )[0]
    worse_incumbents = tuple(result.partners[i] for i in np.flatnonzero(worse & incumbents))
    worse_entrants = tuple(result.partners[i] for i in np.flatnonzero(worse & entrants))
    failed = worse_incumbents or worse_entrants
    return BetterOff("better_off", "fail" if failed else "pass", year, worse_incumbents, worse_entrants)


def _key_stable(result: CostResult, method: str) -> KeyStable:
    year = result.reference_year
    k = result.years.index(year)
    exact = result.exact
    game = year_game(result, year)
    members = [result.partners.index(p) for p in game.players]
    # the key is judged exactly; the other methods' accounts are their allocation of the same game
    shares = exact.share["key"][0, members, k] if method == "key" else result.share_eur[method][members, k]
    groups, count = _groups(game, shares)
    before: tuple[Group, ...] = ()
    before_count = 0
    status_quo_members = tuple(int(i) for i in np.flatnonzero(exact.status_quo_member[:, k]))
    if method == "key" and status_quo_members:
        status_quo_game = Game(
            tuple(result.partners[i] for i in status_quo_members),
            exact.status_quo_game(k)[0],
            "cost",
        )
        before, before_count = _groups(
            status_quo_game, exact.status_quo_share["key"][0, list(status_quo_members), k]
        )
    adjustment: tuple[tuple[str, float], ...] = ()
    nearest = nearest_core(game, shares) if groups else None
    if nearest is not None:
        adjustment = tuple(
            (p, round(float(x - s), 2)) for p, x, s in zip(game.players, nearest.shares, shares, strict=True)
        )
    verdict: VerdictValue = "fail" if groups else "pass"
    empty = bool(groups) and nearest is None
    return KeyStable(
        "key_stable", verdict, year, groups, count, game.players, before, before_count, adjustment, empty
    )


def _no_profit(result: CostResult, method: str) -> NoProfit:
    totals = np.round(np.nansum(result.share_eur[method], axis=0) * 100)
    gaps = totals - np.round(result.cooperation_cost_eur * 100)
    gap = float(abs(gaps).max() / 100)
    p = result.scenario.parameters
    rate, charged = integral_rates(p)
    others = result.member.copy()
    others[result.partners.index(result.scenario.centre)] = False
    price = result.share_eur["key"] * (1.0 + rate)
    over = np.where(others, result.share_eur[method] * charged - price, 0.0)
    found = sorted(
        (
            (result.partners[i], result.years[k], round(float(over[i, k]), 2))
            for i, k in zip(*np.nonzero(over > 0.005), strict=True)
        ),
        key=lambda row: -row[2],
    )
    k = result.years.index(result.reference_year)
    subsidy = float(np.where(others[:, k], price[:, k] - result.share_eur["key"][:, k] * charged, 0.0).sum())
    verdict = "fail" if gaps.any() or found else (BY_CONSTRUCTION if method == "key" else "pass")
    return NoProfit(
        "no_profit",
        verdict,
        result.reference_year,
        gap,
        tuple(found[:10]),
        round(subsidy, 2),
        rate,
        p.pricing,
    )


def _transparency(result: CostResult, method: str) -> Transparency:
    year = result.reference_year
    if method != "key":
        return Transparency("transparency", "undetermined", year, method, 0, ())
    traced: dict[tuple[int, str], int] = {}
    for line_year, line in result.trace:
        traced[line_year, line.partner] = traced.get((line_year, line.partner), 0) + line.cents
    mismatch = tuple(
        (y, p)
        for kk, y in enumerate(result.years)
        for i, p in enumerate(result.partners)
        if result.member[i, kk] and traced.get((y, p), 0) != round(result.share_eur["key"][i, kk] * 100)
    )
    verdict: VerdictValue = "fail" if mismatch else BY_CONSTRUCTION
    return Transparency("transparency", verdict, year, method, len(result.trace), mismatch[:10])


def _platform_leads(result: CostResult, method: str) -> PlatformLeads:
    scenario = result.scenario
    year = result.reference_year
    joining = [p.id for p in scenario.partners if p.joins is not None and p.joins > scenario.base_year]
    if not joining:
        return PlatformLeads("platform_leads", "undetermined", year, (), ())
    amounts = tuple(
        (p, round(float(result.migration_eur[result.partners.index(p)].sum()), 2)) for p in joining
    )
    if scenario.parameters.transition_cost_bearer == "key":
        missing = () if result.migration_eur.sum() > 0 else tuple(joining)
    else:
        missing = tuple(p for p, amount in amounts if amount <= 0)
    return PlatformLeads("platform_leads", "fail" if missing else BY_CONSTRUCTION, year, amounts, missing)


def _risks_shared(result: CostResult, method: str) -> RisksShared:
    year = result.reference_year
    k = result.years.index(year)
    reserve = float(result.scenario.parameters.risk_reserve_share) * float(result.cooperation_cost_eur[k])
    member_ids = [i for i in range(len(result.partners)) if result.member[i, k]]
    weights = result.share_eur[method][member_ids, k]
    if weights.sum() <= 0:
        return RisksShared("risks_shared", "undetermined", year, 0.0, (), ())
    exposure = tuple(
        (result.partners[i], round(float(reserve * w / weights.sum()), 2))
        for i, w in zip(member_ids, weights, strict=True)
    )
    none = tuple(p for p, e in exposure if e <= 0)
    verdict: VerdictValue = "fail" if none else BY_CONSTRUCTION
    return RisksShared("risks_shared", verdict, year, round(reserve, 2), exposure, none)


def _value_for_residents(result: CostResult, method: str) -> ValueForResidents:
    scenario = result.scenario
    year = result.reference_year
    k = result.years.index(year)
    municipal = [i for i, p in enumerate(scenario.partners) if p.kind == "municipality" and p.inhabitants > 0]
    if not municipal:
        return ValueForResidents("value_for_residents", "undetermined", year, None, None)
    inhabitants = sum(float(scenario.partners[i].inhabitants) for i in municipal)
    before = float(result.status_quo_eur[method][municipal, k].sum()) / inhabitants
    after = float(result.cost_eur[method][municipal, k].sum()) / inhabitants
    verdict: VerdictValue = "pass" if after <= before + 1e-9 else "fail"
    return ValueForResidents("value_for_residents", verdict, year, before, after)


UNDECIDED = {
    "no_extra_risk": "a limit on each partner's chance of a loss (the sweep gives that chance per partner)",
    "centre_ambitions": "the centre's ambitions written as measurable goals in the scenario",
    "governance": "the regeling's decision rules, voting weights and exit terms, judged by the partners",
}
"""The conditions the model cannot decide, and what would decide each."""


def _undecided(condition: str):
    def judge(result: CostResult, method: str) -> Undecided:
        centre = result.scenario.centre
        return Undecided(condition, "undetermined", result.reference_year, UNDECIDED[condition], centre)

    return judge


JUDGEMENTS = (
    _better_off,
    _key_stable,
    _no_profit,
    _transparency,
    _platform_leads,
    _risks_shared,
    _value_for_residents,
    *(_undecided(c) for c in UNDECIDED),
)


def verdicts(result: CostResult, method: str = "key") -> tuple[Verdict, ...]:
    """Each condition of the letter judged on the cost result, under ``method`` (default the key)."""
    return tuple(judge(result, method) for judge in JUDGEMENTS)
