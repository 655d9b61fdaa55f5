"""Optimal terms: the fee range by hand, admission against brute force, staffing against enumeration."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from verkenning.costs import shares_for, simulate
from verkenning.examples import PLATFORM_ONLY
from verkenning.optimise import admit, entry_fee_range, staffing_plan
from verkenning.scenario import load_scenario

from .test_costs import TWO
from .test_fourk import two_with_roles

ROOT = Path(__file__).resolve().parent.parent


def test_fee_range_of_a_two_partner_game_by_hand(write):
    """Two players: the core is x_B ∈ [c(AB) − c(A), c(B)] = [2500 − 2000, 1500] = [500, 1500]."""
    result = simulate(load_scenario(write(TWO % ("", 1000, 0))))
    fee = entry_fee_range(result, "b", 2025)
    assert (fee.low_eur, fee.high_eur) == pytest.approx((500.0, 1500.0))
    assert (fee.marginal_cost_eur, fee.standalone_eur) == pytest.approx((500.0, 1500.0))
    assert not fee.core_empty and fee.low_eur <= fee.key_share_eur <= fee.high_eur


RANDOM = """
name: toelating
question: Wie laten we toe?
centre: a
horizon_years: 3
partners:
  - {{id: a, name: A, kind: municipality, workstations: {a_ws}, inhabitants: {a_inh}, services: [NET, SEC]}}
  - {{id: b, name: B, kind: municipality, workstations: {b_ws}, inhabitants: {b_inh}, services: [NET, SEC]}}
{candidates}
services:
  - {{id: NET, fixed_annual_cost_eur: 20000, unit_annual_cost_eur: 100, depends_on: []}}
  - {{id: SEC, fixed_annual_cost_eur: 30000, unit_annual_cost_eur: 15000, depends_on: []}}
parameters:
  coordination_annual_cost_eur_per_organisation: {coord}
""" + "".join(f"  {name}: {value}\n" for name, value in PLATFORM_ONLY.items())


def _random_scenario(write, seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    candidates = "\n".join(
        f"  - {{id: c{i}, name: C{i}, kind: municipality, workstations: {int(rng.integers(20, 400))}, "
        f"inhabitants: {int(rng.integers(0, 60000))}, services: [NET, SEC], joins: 2026}}"
        for i in range(k)
    )
    text = RANDOM.format(
        a_ws=int(rng.integers(200, 900)),
        a_inh=int(rng.integers(20000, 90000)),
        b_ws=int(rng.integers(50, 400)),
        b_inh=int(rng.integers(0, 40000)),
        candidates=candidates,
        coord=int(rng.integers(0, 40000)),
    )
    return simulate(load_scenario(write(text, f"random{seed}.yaml")), rules=())


@pytest.mark.parametrize("seed", range(12))
def test_admission_matches_brute_force_with_the_models_own_key(write, seed):
    result = _random_scenario(write, seed)
    incumbents = [0, 1]
    candidates = list(result.scenario.entrants())
    base_year = result.years[0]
    standalone = result.model.standalone()[0]
    baseline = shares_for(result, tuple(incumbents), base_year)
    best = None
    for size in range(len(candidates) + 1):
        for subset in itertools.combinations(candidates, size):
            members = tuple(sorted(incumbents + [result.partners.index(c) for c in subset]))
            year = shares_for(result, members, base_year)
            position = [members.index(i) for i in incumbents]
            if (year[position] > baseline + 1).any():  # one cent of rounding
                continue
            saving = round(float(standalone[list(members)].sum()) - year.sum() / 100, 2)
            if best is None or saving > best[0] + 0.02:
                best = (saving, subset)
    choice = admit(result)
    assert choice.saving_eur == pytest.approx(best[0], abs=0.05)
    assert set(choice.chosen) == set(best[1])
    assert all(change <= 0.005 for change in choice.incumbent_change_eur.values())


def test_staffing_plan_is_the_cheapest_that_reaches_the_target(write):
    extra = ROLE_SERVICES
    text = (TWO % ("", 1000, 0)).split("services:\n")[0] + extra
    result = simulate(load_scenario(write(text)), rules=())
    plan = staffing_plan(result, target=0.99)
    assert plan.target_met and plan.coverage_probability >= 0.99
    p = 0.12
    workload = plan.workload_fte
    ranges = [range(max(1, int(np.ceil(workload[r] - 1e-9))), 8) for r in sorted(workload)]
    feasible = [combo for combo in itertools.product(*ranges) if np.prod([1 - p**n for n in combo]) >= 0.99]
    cheapest = min(sum(combo) for combo in feasible)
    assert sum(plan.people.values()) == cheapest
    for role, n in plan.people.items():
        assert n >= workload[role]


def test_staffing_plan_within_a_tight_budget_says_so(write):
    text = (TWO % ("", 1000, 0)).split("services:\n")[0] + ROLE_SERVICES
    result = simulate(load_scenario(write(text)), rules=())
    price = float(result.scenario.parameters.fte_annual_cost_eur)
    plan = staffing_plan(result, target=0.999, budget_eur=5 * price)
    assert not plan.target_met and plan.cost_eur <= 5 * price
    assert sum(plan.people.values()) == 5
    # brute force: the highest coverage of any staffing within the budget
    p = float(result.scenario.parameters.absence_rate)
    ranges = [range(max(1, int(np.ceil(plan.workload_fte[r] - 1e-9))), 8) for r in sorted(plan.workload_fte)]
    best = max(np.prod([1 - p**n for n in combo]) for combo in itertools.product(*ranges) if sum(combo) <= 5)
    assert plan.coverage_probability == pytest.approx(best, rel=1e-12)
    smallest = staffing_plan(result, target=0.999, budget_eur=0.5 * price)
    least = {r: max(1, int(np.ceil(w - 1e-9))) for r, w in smallest.workload_fte.items()}
    assert not smallest.within_budget and smallest.people == least, "over budget: the smallest team"


ROLE_SERVICES = """services:
  - {id: NET, fixed_annual_cost_eur: 1000, unit_annual_cost_eur: 10, depends_on: [],
     key_roles: {network_admin: {fixed_fte: 0.5, fte_per_unit: 0.01}, ciso: 0.4}}
parameters:
  coordination_annual_cost_eur_per_organisation: 0
""" + "".join(f"  {name}: {value}\n" for name, value in PLATFORM_ONLY.items())


def test_fee_range_of_borne_brackets_its_key_share(write):
    result = two_with_roles(write, joins=", joins: 2026")
    fee = entry_fee_range(result, "b")
    assert fee.year == 2027 and fee.low_eur <= fee.key_share_eur <= fee.high_eur


# --- entry terms: the negotiation room over the samples ------------------------------------------


def test_entry_terms_of_a_two_partner_entry_by_hand(write):
    """B joins A: c(A) = 2000, c(B) = 1500, c(AB) = 2500 (no transition, no level effect). B paying y
    leaves A 2500 − y: A is better off for y ≥ 500, B for y ≤ 1500. The gain of the entry is
    2000 + 1500 − 2500 = 1000; halved, B pays 1500 − 500 = 1000, which is also its Shapley value and
    nucleolus (two players); each then gains 500."""
    from verkenning.optimise import entry_terms

    extra = "  level_effect_entrant: 0\n"
    result = simulate(
        load_scenario(
            write(TWO.replace("horizon_years: 3", "horizon_years: 4") % (", joins: 2026", 1000, 0) + extra)
        )
    )
    k = result.years.index(result.reference_year)
    terms = entry_terms(result.exact, result.exact, k, "b", target=0.9)
    assert (terms.low_eur, terms.high_eur) == pytest.approx((500.0, 1500.0), abs=0.5)
    assert (terms.floor_eur, terms.standalone_eur) == pytest.approx((500.0, 1500.0))
    assert terms.points == pytest.approx({"equal_gain": 1000.0, "nucleolus": 1000.0, "shapley": 1000.0})
    assert terms.central_gains(1000.0) == pytest.approx({"a": 500.0, "b": 500.0})
    assert terms.probability(np.array([499.0, 500.0, 1000.0, 1500.0, 1501.0])).tolist() == [0, 1, 1, 1, 0]


@pytest.mark.parametrize("floor", ["median", "all"])
def test_the_groups_direct_bounds_are_the_rows_one_by_one(monkeypatch, floor):
    """_group_bounds (one table of subset sums of the others' shares) against the rows' own
    a + c·y ≤ H with c and a from the row matrix (``_intervals``), in each sample: the samples
    a share floor of ``inf`` sends one by one, and a floor at the median smallest share that splits
    every block of samples between the two paths."""
    from verkenning.explore import sampled
    from verkenning.optimise import fees

    scenario = load_scenario(ROOT / "scenarios" / "groeipad.yaml")
    run = sampled(scenario, 120, 1)
    k = len(run.years) - 1
    members = run.members(k)
    e = members[-1]
    x = run.share["key"][:, members, k]
    others = x[:, :-1] / x[:, :-1].sum(axis=1, keepdims=True)
    monkeypatch.setattr(fees, "CELLS", 1 << (len(members) + 2))  # blocks of 8 samples
    monkeypatch.setattr(fees, "SHARE_FLOOR", np.inf)
    _, lo_rows, hi_rows, _, _ = fees._linear(run, k, e)
    monkeypatch.setattr(fees, "SHARE_FLOOR", 0.0 if floor == "all" else float(np.median(others.min(axis=1))))
    _, lo, hi, _, _ = fees._linear(run, k, e)
    assert np.isfinite(lo_rows).all() and np.isfinite(hi_rows).all()
    assert (lo_rows > hi_rows).any() and (lo_rows <= hi_rows).any()  # rooms that exist and some that do not
    np.testing.assert_allclose(lo, lo_rows, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(hi, hi_rows, rtol=1e-12, atol=1e-6)


@pytest.mark.parametrize("i", range(5))
def test_the_direct_bounds_are_the_rows_where_no_group_is_flat(i):
    """A member with a key share of 0 makes the groups of it alone flat (c = 0): ``_linear`` sends
    such samples row by row; in the others the direct bounds are the rows' own, whichever member
    ``i`` the entrant is (its bit splits the game's masks into those without and with it)."""
    from verkenning.optimise import fees

    rng = np.random.default_rng(5)
    m, n = 5, 40
    x = rng.uniform(1e4, 1e5, (n, m))
    zero = 1 if i != 1 else 2
    x[::3, zero] = 0.0  # every third sample: another member pays nothing
    others = np.arange(m) != i
    pool = x[:, others].sum(axis=1, keepdims=True)
    delta = np.where(others, -x / pool, 1.0)
    masks = np.arange(1, (1 << m) - 1)
    B = ((masks[:, None] >> np.arange(m)) & 1).astype(float)
    H = (B @ x.T).T * rng.uniform(0.97, 1.1, (n, len(B)))
    c = delta @ B.T
    lo_rows, hi_rows = fees._intervals(x @ B.T - x[:, i : i + 1] * c, c, H)
    direct = ~np.isin(np.arange(n), np.arange(0, n, 3))
    values = np.pad(H, ((0, 0), (1, 1)))  # a game whose groups cost H (masks 1 … 2^m − 2), no tolerance
    game = values[direct]
    lo, hi = fees._group_bounds(x[direct], pool[direct], game, np.zeros(direct.sum()), i)
    np.testing.assert_array_equal(game, values[direct])  # the game is read, not changed
    np.testing.assert_allclose(lo, lo_rows[direct], rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(hi, hi_rows[direct], rtol=1e-12, atol=1e-6)
    assert (np.abs(c[~direct]) < 1e-12).any()  # the flat rows the direct path must not be given


def test_the_room_is_checked_sample_by_sample_against_the_core_and_the_status_quo():
    from verkenning.explore import sampled
    from verkenning.games import Game, check_core, tolerance
    from verkenning.optimise import entry_terms

    scenario = load_scenario(ROOT / "scenarios" / "borne.yaml")
    result = simulate(scenario)
    k = result.years.index(result.reference_year)
    run = sampled(scenario, 200, 0)
    terms = entry_terms(run, result.exact, k, "borne", target=0.3)
    assert terms.low_eur is not None and terms.low_eur < terms.high_eur
    members = list(run.members(k))
    e = members.index(run.model.partners.index("borne"))
    players = tuple(run.model.partners[i] for i in members)
    limit = np.where(
        run.status_quo_member[members, k], run.status_quo["key"][:, members, k], run.standalone[:, members, k]
    ) - (run.cost["key"][:, members, k] - run.share["key"][:, members, k])

    def share_better_off(y: float) -> float:
        # from scratch: the entrant pays y, the others the rest by their key shares
        good = 0
        for s in range(run.model.n):
            x = run.share["key"][s, members, k].copy()
            others = np.arange(len(members)) != e
            x[others] -= (y - x[e]) * x[others] / x[others].sum()
            x[e] = y
            values = run.game(k)[s]
            game = Game(players, values, "cost")
            good += check_core(game, x).in_core and bool((x <= limit[s] + tolerance(values)).all())
        return good / run.model.n

    inside = np.linspace(terms.low_eur, terms.high_eur, 4)
    for y in inside:
        assert share_better_off(y) == pytest.approx(float(terms.probability(y)), abs=0.011)
        assert float(terms.probability(y)) >= 0.3 or y in (inside[1], inside[2])
    assert float(terms.probability(terms.low_eur)) >= 0.3 and float(terms.probability(terms.high_eur)) >= 0.3
    assert (
        float(terms.probability(terms.low_eur - 50)) < 0.3
        and float(terms.probability(terms.high_eur + 50)) < 0.3
    )
    assert terms.best_probability == pytest.approx(float(terms.probability(terms.best_eur)))
