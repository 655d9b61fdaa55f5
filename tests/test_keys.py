"""The key designer: its family, its linear shares against the model's own key, and its choice
against an independent check of every key of a small family."""

from __future__ import annotations

import json
import subprocess
import sys
from math import comb
from pathlib import Path

import numpy as np
import pytest

from verkenning.costs import simulate
from verkenning.games import Game, check_core
from verkenning.optimise.keys import GRID, design_key, family, linear_shares
from verkenning.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
BORNE = ROOT / "scenarios" / "borne.yaml"


def _study(overrides: dict | None = None):
    result = simulate(load_scenario(BORNE, overrides or {}))
    return result, result.exact, result.years.index(result.reference_year)


def test_every_mix_is_a_key_a_regeling_can_state():
    _, run, k = _study()
    found = family(run, k)
    assert found.groups == ("basis", "governance"), "Borne's members take basis and the governance roles"
    for group in found.groups:
        mixes = found.mixes(group)
        d = len(found.options[group])
        # compositions of 20 steps of 5 points over at most three of d drivers
        assert len(mixes) == sum(comb(d, j) * comb(GRID - 1, j - 1) for j in range(1, 4))
        assert (mixes.sum(axis=1) == GRID).all() and ((mixes > 0).sum(axis=1) <= 3).all()
        assert len({tuple(m) for m in mixes}) == len(mixes)
    assert "own" not in found.options["governance"], "CISO and FG have one driver: own is no extra option"


@pytest.mark.parametrize("driver", ["workstations", "equal", "fte"])
def test_the_linear_shares_are_the_models_own_key_for_a_single_driver(driver):
    # independent: the cost model's own key with the governance services keyed by one driver
    key = {"equal": "organisations"}.get(driver, driver)
    result, run, k = _study(
        {"services": [{"id": "SEC", "allocation_key": key}, {"id": "PRIV", "allocation_key": key}]}
    )
    _, base_run, _ = _study()
    found = family(base_run, k)
    weights = found.vector({"basis": found.today["basis"], "governance": _mix("governance", driver)})
    shares = linear_shares(run, k, found).shares(weights)[0]
    members = list(run.members(k))
    # the accounts round each service line to the cent: at most a cent per line apart
    cents = 0.01 * len(run.model.services)
    assert shares == pytest.approx(result.share_eur["key"][members, k], abs=cents)
    today = linear_shares(base_run, k, found).today[0]
    base = simulate(load_scenario(BORNE))
    assert today == pytest.approx(base.share_eur["key"][members, k], abs=cents)


def _mix(group, driver):
    from verkenning.optimise import Mix

    return Mix(group, ((driver, 100),))


def _holds_independently(result, run, k, shares) -> bool:
    """The entry win-win judged from scratch: the core of the year's game (games.check_core) and no
    incumbent paying more than its status quo, no entrant more than alone (one-offs included)."""
    members = list(run.members(k))
    values = run.game(k)[0]
    game = Game(tuple(run.model.partners[i] for i in members), values, "cost")
    if not check_core(game, shares).in_core:
        return False
    extra = run.cost["key"][0, members, k] - run.share["key"][0, members, k]
    incumbent = run.status_quo_member[members, k]
    bound = np.where(incumbent, run.status_quo["key"][0, members, k], run.standalone[0, members, k])
    return bool((shares + extra <= bound + 0.01).all())


def test_on_a_small_family_the_designer_finds_a_stable_key_when_one_exists():
    # economies of scale (exponent 0.85) and the roles keyed by workstations: a few keys of the
    # two-driver family are stable, most are not
    scale = [{"id": s, "scale_exponent": 0.85} for s in ("NET", "HOST", "IAM", "SD", "WP", "TEL", "BCM")]
    roles = [{"id": s, "allocation_key": "workstations"} for s in ("SEC", "PRIV")]
    result, run, k = _study(
        {"terms": {"drivers": ["workstations", "inhabitants"]}, "services": scale + roles}
    )
    found = family(run, k)
    design = design_key(run, run, k)
    assert found.size <= 4096 and design.method == "enumeration"
    # every key of the family, judged independently
    terms = linear_shares(run, k, found)
    grids = [found.mixes(g) / GRID for g in found.groups]
    keys = [np.concatenate([a, b]) for a in grids[0] for b in grids[1]]
    stable = [w for w in keys if _holds_independently(result, run, k, terms.shares(w)[0])]
    assert 0 < len(stable) < len(keys) / 10, "a few stable keys: finding one is a test"
    assert design.win_win.all() and design.central[0]
    assert any(np.allclose(design.weights, w) for w in stable)
    # among the stable keys, the least largest regret against the Shapley share
    from verkenning.games import shapley_shares

    shapley = shapley_shares(run.game(k))[0]
    regret = [np.maximum(terms.shares(w)[0] - shapley, 0).max() for w in stable]
    assert design.regret_eur == pytest.approx(min(regret), abs=0.01)


def test_with_no_stable_key_in_the_family_it_says_so_and_proposes_its_best(capsys):
    # a diseconomy of scale: every incumbent pays more with the entrant whatever the key
    overrides = {
        "terms": {"drivers": ["workstations", "inhabitants"]},
        "services": [
            {"id": s, "scale_exponent": 1.3} for s in ("NET", "HOST", "IAM", "SD", "WP", "TEL", "BCM")
        ],
    }
    result, run, k = _study(overrides)
    design = design_key(run, run, k)
    assert not design.found and not design.win_win.any()
    terms = linear_shares(run, k, design.family)
    grids = [design.family.mixes(g) / GRID for g in design.family.groups]
    assert not any(
        _holds_independently(result, run, k, terms.shares(np.concatenate([a, b]))[0])
        for a in grids[0]
        for b in grids[1]
    )
    for mix in design.proposed:
        assert sum(w for _, w in mix.weights) == 100 and len(mix.weights) <= 3
    assert any(b.failure_share == 1.0 for b in design.binding), "and names the condition that fails"


def test_terms_prints_the_proposal_and_results_json_carries_it(tmp_path, write):
    from typer.testing import CliRunner

    from verkenning.cli import app

    path = write(
        f"extends: {BORNE}\nterms: {{drivers: [workstations, inhabitants, equal], keep: [governance]}}\n"
    )
    done = CliRunner().invoke(app, ["terms", str(path), "--samples", "200"])
    assert done.exit_code == 0, done.output
    assert "proposed: basis:" in done.output and "governance: 100% inhabitants (kept)" in done.output
    assert "P(win-win): proposed" in done.output
    bad = write(f"extends: {BORNE}\nterms: {{keep: [nothing]}}\n", "bad.yaml")
    refused = subprocess.run(
        [sys.executable, "-m", "verkenning", "terms", str(bad), "--samples", "50"],
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2
    assert (
        "bad.yaml:2:16: terms.keep[0]: unknown service group 'nothing' — use one of: basis" in refused.stderr
    )
    assert "Traceback" not in refused.stderr

    from verkenning.study import Study

    study = Study.load(path, samples=200)
    found = json.loads(json.dumps(study.results()))["proposed_key"]
    assert found["today"]["governance"] == {"inhabitants": 100} == found["weights"]["governance"]
    assert found["probability"] == pytest.approx(study.key_design.win_win.mean())
    assert sum(found["weights"]["basis"].values()) == 100
    assert set(found["change_eur"]) == set(study.costs.partners)


@pytest.mark.parametrize("exponent", [0.9, 1.0, 1.1])
def test_the_growth_path_check_agrees_with_the_models_own_key_year_by_year(exponent):
    """Independent: the scenario key's cents for the members with and without each year's newcomers
    (``costs.shares_for``, the accounts' own code), compared partner by partner."""
    from verkenning.costs import shares_for
    from verkenning.games import tolerance
    from verkenning.optimise.keys import consistent

    scale = [{"id": s, "scale_exponent": exponent} for s in ("NET", "HOST", "IAM", "SD", "WP", "TEL", "BCM")]
    result = simulate(load_scenario(ROOT / "scenarios" / "groeipad.yaml", {"services": scale}))
    run = result.exact
    k = result.years.index(result.reference_year)
    found = family(run, k)
    expected = True
    for j in range(1, len(result.years)):
        now, before = set(run.members(j)), set(run.members(j - 1))
        stay = tuple(sorted(now & before))
        if now == before or not stay:
            continue
        year = result.years[j]
        with_them = dict(zip(sorted(now), shares_for(result, tuple(sorted(now)), year), strict=True))
        without = dict(zip(stay, shares_for(result, stay, year), strict=True))
        limit = float(tolerance(run.game(j)[0])) * 100 + len(run.model.services)  # cents
        expected &= all(with_them[p] <= without[p] + limit for p in stay)
    assert bool(consistent(run, found, None)[0][0]) == expected


def test_rows_generated_as_needed_give_the_key_that_every_row_gives(monkeypatch):
    """The designer scores on a subset of the core's rows and adds what the chosen key breaks; forced
    to start from the fewest rows, it must end where scoring on every row from the start ends."""
    import verkenning.optimise.keys as keys
    from verkenning.explore.vector import sampled

    run = sampled(load_scenario(ROOT / "scenarios" / "groeipad.yaml"), 300, seed=3)
    k = run.years.index(max(p.joins for p in run.model.scenario.partners if p.joins) + 2)
    every = design_key(run, run, k)
    monkeypatch.setattr(keys, "ALL_ROWS", 0)
    rows = keys.win_win_rows(run, k)
    assert len(rows.first()) < len(rows.B), "the generation starts from fewer rows"
    generated = design_key(run, run, k)
    np.testing.assert_array_equal(generated.weights, every.weights)
    np.testing.assert_array_equal(generated.win_win, every.win_win)
    assert generated.regret_eur == every.regret_eur


@pytest.mark.parametrize("cells", [1 << 17, 1 << 8])
def test_the_rows_slack_is_their_bound_less_what_the_members_pay_in_them(monkeypatch, cells):
    """Rows.slack reads what a row adds up from subset sums of the payments; by the rows' definition
    it is H − x Bᵀ (B: which members each row adds up). holds and violated, judged block by block of
    samples, must say what that product says of every sample and row."""
    import verkenning.optimise.keys as keys
    from verkenning.explore.vector import sampled

    monkeypatch.setattr(keys, "SLACK_CELLS", cells)  # one block, or blocks of a few samples
    run = sampled(load_scenario(ROOT / "scenarios" / "groeipad.yaml"), 60, seed=4)
    k = run.years.index(max(p.joins for p in run.model.scenario.partners if p.joins) + 2)
    rows = keys.win_win_rows(run, k)
    assert rows.complete
    # today's key in some samples, the Shapley value in the others (in the core of most)
    today = keys.linear_shares(run, k, family(run, k)).today
    shapley = keys.shapley_shares(rows.values)
    shares = np.where(np.arange(len(today))[:, None] % 2 == 0, today, shapley)
    direct = rows.bounds() - shares @ rows.B.T
    np.testing.assert_allclose(rows.slack(shares), direct, rtol=0, atol=1e-6)
    # the binding rows and their figures, a block of rows at a time and medians only where the list
    # can need them, are those the whole slack gives, to the bit (3 rows, and every row in order)
    slack = rows.slack(shares)
    broken, median = (slack < 0).mean(axis=0), np.median(slack, axis=0)
    assert broken.min() < broken.max()
    for count in (3, len(rows.B)):
        expected = [(int(r), broken[r], median[r]) for r in np.lexsort((median, -broken))[:count]]
        assert rows.binding(shares, count) == expected
    holds = (direct >= 0).all(axis=1)
    assert 0 < holds.sum() < len(holds), "some samples hold every row and some do not"
    np.testing.assert_array_equal(rows.holds(shares), holds)
    active = rows.first()[:5]
    inside = (direct[:, active] >= 0).all(axis=1)
    broken = inside & (direct.min(axis=1) < 0)
    expected = np.unique(direct[broken].argmin(axis=1))
    assert expected.size and not np.isin(expected, active).any()
    np.testing.assert_array_equal(rows.violated(shares, active), expected)


def test_orders_of_entry_on_one_path_agree_with_a_path_per_order():
    """entry_orders judges every order on one sampled path with that order's membership; each order
    sampled and judged as a scenario of its own must give the same shares of samples."""
    from verkenning.explore.analysis import _orders, entry_orders
    from verkenning.explore.vector import sampled
    from verkenning.optimise.keys import consistent

    scenario = load_scenario(ROOT / "scenarios" / "groeipad.yaml")
    found = entry_orders(scenario, None, samples=200, seed=1)
    by_order = dict(zip(found["order"], found["today"], strict=True))
    assert len(by_order) > 1
    for order, variant in _orders(scenario, 24):
        run = sampled(variant, 200, 1)
        own = family(run, variant.years.index(variant.reference_year()))
        assert float(consistent(run, own, None)[0].mean()) == by_order[order], order


def test_a_groups_tolerance_read_from_its_years_game_is_its_own_games():
    # a coalition's cost depends on who is in it: the game of every group of a year together holds
    # each group's game, so each year's one game gives each group's tolerance
    from verkenning.costs import member_matrix
    from verkenning.explore.analysis import _orders
    from verkenning.explore.vector import sampled
    from verkenning.games import tolerance
    from verkenning.optimise.keys import _joins, _tolerances

    scenario = load_scenario(ROOT / "scenarios" / "groeipad.yaml")
    run = sampled(scenario, 50, 2)
    groups = {
        (k, now) for _, v in _orders(scenario, 24) for k, now, _ in _joins(member_matrix(v, status_quo=False))
    }
    assert len({k for k, _ in groups}) < len(groups), "some year has several groups"
    for (k, group), found in _tolerances(run, groups).items():
        np.testing.assert_allclose(found[:, 0], tolerance(run.game(k, group)), rtol=1e-13)
