"""The cost model against hand calculations, and its invariants on the shipped scenarios."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from verkenning.cli import app
from verkenning.costs import cost_model, simulate, split_cents, year_game
from verkenning.costs.budget import budget
from verkenning.costs.tables import long_table, trace_table
from verkenning.errors import ScenarioError
from verkenning.examples import PLATFORM_ONLY, three_partners, two_partners
from verkenning.scenario import load_scenario

from .conftest import SCENARIOS

TWO = (
    """
name: twee
question: Wat kost samen tegenover alleen?
centre: a
horizon_years: 3
discount_rate: 0.1
partners:
  - {id: a, name: A, kind: municipality, workstations: 100, inhabitants: 1000, services: [NET]}
  - {id: b, name: B, kind: municipality, workstations: 50, inhabitants: 3000, services: [NET]%s}
services:
  - {id: NET, fixed_annual_cost_eur: %s, unit_annual_cost_eur: 10, depends_on: []}
parameters:
  coordination_annual_cost_eur_per_organisation: %s
  cost_growth_standalone: 0
  cost_growth_cooperation: 0
  inflation: 0
"""
    + "".join(
        f"  {name}: {value}\n" for name, value in {**PLATFORM_ONLY, "transition_network_eur": 450}.items()
    )
    + """\
  transition_phasing: [0.6, 0.4]
"""
)
"""Two partners on the platform alone: of the business case's lines only a transition of 450 (as a
network connection), 60% in the year of entry and 40% the year after."""


def two(write, joins="", fixed=1000, coordination=0, extra=""):
    return load_scenario(write(TWO % (joins, fixed, coordination) + extra))


def test_two_partner_coalition_costs_by_hand(write):
    """NET: F = 1000, u = 10 per workstation, e = 1. A has 100 workstations, B 50.
    c(A) = 1000 + 1000 = 2000; c(B) = 1000 + 500 = 1500; c(AB) = 1000 + 1500 = 2500."""
    model = cost_model(two_partners())
    np.testing.assert_allclose(model.coalition_costs([0, 1])[0], [0, 2000, 1500, 2500])
    assert model.coalition_costs([0, 1]).shape == (1, 4), "a study is the batch of one"


def test_three_partners_with_coordination_by_hand(write):
    """As above plus C (50 workstations) and coordination k = 100 per organisation beyond the first:
    c(AB) = 1000 + 1500 + 100 = 2600; c(BC) = 1000 + 1000 + 100 = 2100; c(ABC) = 1000 + 2000 + 200 = 3200."""
    model = cost_model(three_partners(coordination_eur=100))
    np.testing.assert_allclose(
        model.coalition_costs([0, 1, 2])[0], [0, 2000, 1500, 2600, 1500, 2600, 2100, 3200]
    )


def test_every_key_in_a_two_partner_year_by_hand(write):
    """Year 2025, both members, c(AB) = 2500. Scenario key (NET by workstations, 100 : 50): A 1666.67,
    B 833.33. Inhabitants (1000 : 3000): 625, 1875. Inbreng (what each brought in, its stand-alone
    cost 2000 : 1500): 1428.57, 1071.43. Shapley = nucleolus = SCRB for two players: each pays its
    stand-alone cost minus half the saving of 1000: A 1500, B 1000."""
    result = simulate(two(write))
    share = {m: result.share_eur[m][:, 0] for m in result.share_eur}
    np.testing.assert_allclose(share["key"], [1666.67, 833.33])
    np.testing.assert_allclose(share["workstations"], [1666.67, 833.33])
    np.testing.assert_allclose(share["inhabitants"], [625, 1875])
    np.testing.assert_allclose(share["inbreng"], [1428.57, 1071.43])
    for rule in ("shapley", "nucleolus", "scrb"):
        np.testing.assert_allclose(share[rule], [1500, 1000])


def test_no_fixed_part_and_exponent_one_gives_no_gain(write):
    """With F = 0 and e = 1, c(AB) = c(A) + c(B): cooperation saves nothing. The game rules and the
    workstation key charge each its stand-alone cost; a key on inhabitants only moves money between
    partners. Under every method the partners' savings add up to zero."""
    result = simulate(two(write, fixed=0))
    for method in ("key", "workstations", "inbreng", "shapley", "nucleolus", "scrb"):
        np.testing.assert_allclose(result.cost_eur[method], result.standalone_eur, atol=0.011)
    for method in result.share_eur:
        assert sum(result.npv_eur[method][0.1]) == pytest.approx(0.0, abs=0.05)
    assert result.share_eur["inhabitants"][0, 0] == pytest.approx(375.0)  # 1500 × 1000/4000


def test_calibration_reproduces_an_observed_standalone_cost(write):
    scenario = two(write, joins=", standalone_annual_cost_eur: 1800")
    model = cost_model(scenario)
    assert model.standalone()[0, 1] == 1800
    assert model.modelled_standalone()[0, 1] == 1500
    assert model.calibration()[0, 1] == pytest.approx(1.2)
    assert np.isnan(model.calibration()[0, 0])
    assert model.coalition_costs([0, 1])[0, 2] == 1800
    assert simulate(scenario).standalone_eur[1, 0] == 1800


def test_npv_and_break_even_of_an_entrant_by_hand(write):
    """B joins in 2026 (base 2025, three years, rate 10%, no growth). Transition: 0.3 × 1500 = 450,
    60% (270) in 2026 and 180 in 2027, carried by B. Status quo: A alone pays 2000, B 1500.
    A pays 2000, 1666.67, 1666.67: NPV = 333.33/1.1 + 333.33/1.21.
    B pays 1500, 833.33 + 270, 833.33 + 180: NPV = 396.67/1.1 + 486.67/1.21."""
    result = simulate(two(write, joins=", joins: 2026"))
    np.testing.assert_allclose(result.cost_eur["key"], [[2000, 1666.67, 1666.67], [1500, 1103.33, 1013.33]])
    np.testing.assert_allclose(result.transition_eur[1], [0, 270, 180])
    assert result.npv_eur["key"][0.1][0] == pytest.approx(333.33 / 1.1 + 333.33 / 1.21, abs=1e-6)
    assert result.npv_eur["key"][0.1][1] == pytest.approx(396.67 / 1.1 + 486.67 / 1.21, abs=1e-6)
    assert result.npv_eur["key"][0.0][1] == pytest.approx(396.67 + 486.67, abs=1e-6)
    assert result.break_even_year == (2026, 2026)


def test_transition_shared_by_the_key_adds_up_to_the_same(write):
    result = simulate(two(write, joins=", joins: 2026", extra="  transition_cost_bearer: key\n"))
    np.testing.assert_allclose(result.transition_eur.sum(axis=0), [0, 270, 180])
    np.testing.assert_allclose(result.transition_eur[:, 1], [180, 90])  # by key shares 2 : 1
    by_entrant = simulate(two(write, joins=", joins: 2026"))
    for rate in result.rates:  # each result also shows the other choice of who carries the transition
        np.testing.assert_allclose(
            by_entrant.npv_other_bearer_eur[rate], result.npv_eur["key"][rate], atol=0.01
        )
        np.testing.assert_allclose(
            result.npv_other_bearer_eur[rate], by_entrant.npv_eur["key"][rate], atol=0.01
        )


@pytest.mark.parametrize(
    ("method", "fees"),
    [
        # KB 14 mei 1985: 100%, 80%, … of B's last share (833.33), from the year it leaves (2026)
        ("kb1985", [833.33, 666.66]),  # 0.8 × 833.33, in cents
        # a regeling's own 40% of the last share, once
        ("share", [333.33, 0.0]),
        # ABRvS 2015: what B's leaving strands, its share 833.33 less what it adds to the cost,
        # c(AB) − c(A) = 2500 − 2000 = 500, each year of the five-year bridge within the horizon
        ("damage", [333.33, 333.33]),
    ],
)
def test_a_leaver_pays_an_exit_fee_to_those_who_stay_by_the_method_chosen(write, method, fees):
    """A (100 workstations) and B (50) share NET (1000 fixed, 10 per workstation): 2025 shares by
    workstations 1666.67 and 833.33. B leaves in 2026 and pays its stand-alone 1500 again plus the
    fee of the year; A pays its own 2000 less what it receives."""
    text = TWO % ("", 1000, 0) + f"  exit_method: {method}\n  exit_cost_share: 0.4\n"
    text = text.replace("services: [NET]}\nservices", "services: [NET], leaves: 2026}\nservices")
    result = simulate(load_scenario(write(text)))
    np.testing.assert_allclose(result.exit_eur[1, 1:], fees, atol=0.01)
    np.testing.assert_allclose(result.exit_eur[0, 1:], [-f for f in fees], atol=0.01)
    assert result.cost_eur["key"][1, 1] == pytest.approx(1500 + fees[0], abs=0.01)
    assert result.cost_eur["key"][0, 2] == pytest.approx(2000 - fees[1], abs=0.01)
    assert result.exit_eur.sum(axis=0) == pytest.approx([0, 0, 0], abs=0.01), "the fee goes to the stayers"


def test_split_cents_is_exact_and_fair():
    assert split_cents(100, np.array([1, 1, 1])).tolist() == [34, 33, 33]
    assert split_cents(250000, np.array([100, 50])).tolist() == [166667, 83333]
    assert split_cents(7, np.zeros(2)).sum() == 7


@pytest.mark.parametrize("name", ["borne", "borne-im", "haaksbergen-im", "groeipad"])
def test_every_key_adds_up_to_the_cooperation_to_the_cent(name):
    result = simulate(load_scenario(SCENARIOS / f"{name}.yaml"))
    total = np.round(result.cooperation_cost_eur * 100).astype(np.int64)
    for method, share in result.share_eur.items():
        cents = np.round(np.nansum(share, axis=0) * 100).astype(np.int64)
        assert (cents == total).all(), method
    trace = trace_table(result)
    by_year = (trace.groupby("year")["eur"].sum() * 100).round().astype(np.int64)
    assert (by_year.to_numpy() == total).all()
    by_partner = trace.groupby(["year", "partner"])["eur"].sum()
    for k, year in enumerate(result.years):
        for i, partner in enumerate(result.partners):
            if result.member[i, k]:
                assert by_partner[year, partner] == pytest.approx(result.share_eur["key"][i, k], abs=0.005)


def test_information_management_alone_is_the_alternative():
    """Status quo of haaksbergen-im: Hengelo takes the basis package in today's cooperation and
    buys IM on its own: F + u × fte = 140,000 + 600 × 706 = 563,600 (2025 prices), beside what it
    pays in today's cooperation (its share and what it keeps at home)."""
    result = simulate(load_scenario(SCENARIOS / "haaksbergen-im.yaml"))
    basis = simulate(load_scenario(SCENARIOS / "basis.yaml"))
    h = result.partners.index("hengelo")
    extra = result.status_quo_eur["key"][h, 0] - basis.status_quo_eur["key"][h, 0]
    assert extra == pytest.approx(140_000 + 600 * 706, abs=0.01)
    assert result.npv_eur["key"][result.rates[0]][result.partners.index("oldenzaal")] == pytest.approx(
        0, abs=1
    )


def test_the_modelled_saving_is_also_shown_without_avoided_growth():
    result = simulate(load_scenario(SCENARIOS / "borne.yaml"))
    rate = result.rates[0]
    assert set(result.rates) == {0.0225, 0.0, 0.045}
    # the entrant gains less when the cooperation's costs grow as fast as its own would; the incumbents'
    # saving (a smaller share of a cooperation that grows) need not fall
    borne = result.partners.index("borne")
    assert result.npv_without_avoided_growth_eur[rate][borne] < result.npv_eur["key"][rate][borne]


def test_twenty_partners_still_work(write):
    rows = "\n".join(
        f"  - {{id: p{i}, name: P{i}, kind: municipality, workstations: {100 + i}, services: [NET]}}"
        for i in range(2, 20)
    )
    text = (TWO % ("", 1000, 10)).replace("services:\n  - {id: NET", rows + "\nservices:\n  - {id: NET")
    model = cost_model(load_scenario(write(text)))
    costs = model.coalition_costs(list(range(20)))[0]
    assert costs.shape == (1 << 20,)
    assert costs[-1] == pytest.approx(1000 + 10 * (150 + sum(100 + i for i in range(2, 20))) + 10 * 19)


def test_tables_are_long():
    result = simulate(load_scenario(SCENARIOS / "borne.yaml"))
    table = long_table(result)
    assert list(table.columns) == ["scenario", "partner", "year", "variable", "unit", "value"]
    assert {"cost:key", "share:shapley", "standalone_cost", "cooperation_cost"} <= set(table["variable"])
    assert len(table) == len(table.drop_duplicates(["partner", "year", "variable"]))


def test_costs_command_prints_every_partner_and_writes_xlsx(tmp_path):
    result = CliRunner().invoke(app, ["costs", "scenarios/borne.yaml", "--xlsx", str(tmp_path / "b.xlsx")])
    assert result.exit_code == 0, result.output
    for partner in ("hengelo", "oldenzaal", "haaksbergen", "swb", "borne"):
        assert partner in result.stdout
    assert "NPV@2.25%" in result.stdout and (tmp_path / "b.xlsx").is_file()


def test_a_cooperation_of_one_member_grows_as_it_would_alone():
    # FACTS §3.6: a cooperation of one member is no cooperation. The centre alone, before Borne
    # joins (a scenario that extends nothing: its status quo is the centre without entrants), pays
    # exactly its stand-alone cost every year, not the slower cooperation growth.
    from verkenning.scenario import Scenario, load_organisations

    library = load_organisations()
    partners = [library["hengelo"].model_dump(), {**library["borne"].model_dump(), "joins": 2027}]
    for partner in partners:
        partner["services"] = ["basis"]
    scenario = Scenario.from_mapping(
        {"name": "alleen", "question": "q", "centre": "hengelo", "partners": partners}
    )
    result = simulate(scenario, rules=())
    cents = 0.01 * len(scenario.services)  # every line of the key is rounded to the cent
    np.testing.assert_allclose(result.status_quo_eur["key"][0], result.standalone_eur[0], atol=cents)
    before = [k for k, y in enumerate(result.years) if y < 2027]
    np.testing.assert_allclose(
        result.cost_eur["key"][0, before], result.standalone_eur[0, before], atol=cents
    )
    assert (result.cost_eur["key"][0, -3:] < result.standalone_eur[0, -3:]).all(), "together it grows slower"


def test_costs_command_prints_the_same_figures_as_json_for_tools():
    table = CliRunner().invoke(app, ["costs", "scenarios/borne.yaml"])
    done = CliRunner().invoke(app, ["costs", "scenarios/borne.yaml", "--format", "json"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    result = simulate(load_scenario(SCENARIOS / "borne.yaml"))
    k = result.years.index(result.reference_year)
    assert data["reference_year"] == result.reference_year == 2029, "after three years of transition"
    assert list(data["partners"]) == list(result.partners)
    borne = data["partners"]["borne"]
    i = result.partners.index("borne")
    assert borne["new_eur"] == round(float(result.cost_eur["key"][i, k]), 2)
    assert borne["npv_eur"]["0.0225"] == round(float(result.npv_eur["key"][0.0225][i]), 2)
    assert borne["break_even_year"] == result.break_even_year[i]
    # the table shows the same NPV, rounded to the euro
    assert f"{borne['npv_eur']['0.0225']:,.0f}" in table.stdout
    bad = CliRunner().invoke(app, ["costs", "scenarios/borne.yaml", "--format", "xml"])
    assert bad.exit_code == 2 and "choose table or json" in bad.output


def test_the_nulmeting_replaces_the_modelled_cost_per_service_and_in_the_sweep(write):
    # borne-nulmeting.yaml gives Borne's observed cost of WP, HOST and SD: its stand-alone cost is the
    # modelled one of borne.yaml with those three services' modelled costs replaced by the observed.
    from verkenning.explore import Outcome, active, evaluate, plan, sample

    modelled = cost_model(load_scenario(SCENARIOS / "borne.yaml"))
    measured = load_scenario(SCENARIOS / "borne-nulmeting.yaml")
    model = cost_model(measured)
    i = model.index("borne")
    by_service = dict(zip(modelled.services, modelled.alone_by_service()[0, i], strict=True))
    observed = {"WP": 310000.0, "HOST": 150000.0, "SD": 120000.0}
    expected = modelled.standalone()[0, i] - sum(by_service[s] for s in observed) + sum(observed.values())
    assert model.standalone()[0, i] == pytest.approx(expected)
    # every nulmeting figure carries a measurement error in the sweep: 5% observed, 20% estimated
    specs = active(measured)
    assert (
        specs["partners.borne.baseline.services.WP"].low,
        specs["partners.borne.baseline.services.WP"].high,
    ) == (
        pytest.approx(0.95),
        pytest.approx(1.05),
    )
    assert specs["partners.borne.baseline.services.SD"].high == pytest.approx(1.20)
    draws = sample(measured, 200, seed=1)
    out = evaluate(plan(measured, draws.paths, draws.specs), draws.values)
    assert out[Outcome("npv_eur", "borne")].std() > 0
    # a declared uncertainty wins, null switches the default error off
    text = (SCENARIOS / "borne-nulmeting.yaml").read_text(encoding="utf-8")
    off = load_scenario(write(text + "uncertainties:\n  partners.borne.baseline.services.WP: null\n"))
    assert "partners.borne.baseline.services.WP" not in active(off)
    assert "partners.borne.baseline.services.HOST" in active(off)


def test_a_partner_with_its_own_volume_growth_shrinks_alone_and_in_the_cooperation():
    # SWB has had no new Wsw inflow since 2015 (FACTS §9.6): its volumes fall 2% a year, the others'
    # stay flat. Its stand-alone cost in year t is the model's at volume factor 0.98^t (grown by the
    # real stand-alone rate); a flat partner's is the base year's, grown.
    scenario = load_scenario(SCENARIOS / "basis.yaml")
    assert scenario.partner("swb").volume_growth == pytest.approx(-0.02)
    result = simulate(scenario, rules=())
    model = cost_model(scenario)
    swb, hengelo = result.partners.index("swb"), result.partners.index("hengelo")
    run = result.projection
    for k, t in ((0, 0), (5, 5), (9, 9)):
        factor = np.ones((1, len(result.partners)))
        factor[0, swb] = 0.98**t
        expected = model.standalone(factor)[0] * run.growth_standalone[0, k]
        np.testing.assert_allclose(result.standalone_eur[:, k], expected, rtol=1e-12)
    base = result.standalone_eur[hengelo, 0]
    assert result.standalone_eur[hengelo, 9] == pytest.approx(base * run.growth_standalone[0, 9])
    assert result.standalone_eur[swb, 9] < result.standalone_eur[swb, 0] * run.growth_standalone[0, 9]


def test_an_entry_fee_goes_to_the_partners_already_in_by_the_key(write):
    entrant = "\n  - {id: c, name: C, kind: municipality, workstations: 50, inhabitants: 500, "
    entrant += "services: [NET], joins: 2026}"
    plain = (TWO % ("", 1000, 0)).replace(
        "services: [NET]}\nservices", "services: [NET]}" + entrant + "\nservices"
    )
    with_fee = plain.replace("joins: 2026}", "joins: 2026, entry_fee_eur: 300}")
    before = simulate(load_scenario(write(plain, "plain.yaml")))
    after = simulate(load_scenario(write(with_fee, "fee.yaml")))
    k = after.years.index(2026)
    key = after.share_eur["key"][:2, k]
    # by hand: C pays 300 in its year of entry; A and B receive it in proportion to their key shares
    expected = [-300 * key[0] / key.sum(), -300 * key[1] / key.sum(), 300]
    np.testing.assert_allclose(after.entry_fee_eur[:, k], expected, atol=0.01)
    assert after.entry_fee_eur.sum() == pytest.approx(0, abs=0.001)
    assert not after.entry_fee_eur[:, k + 1 :].any()
    np.testing.assert_allclose(
        after.cost_eur["key"][:, k] - before.cost_eur["key"][:, k], expected, atol=0.01
    )
    # discounted one year at 10%: the NPVs move by the fee over 1.1
    np.testing.assert_allclose(
        after.npv_eur["key"][0.1] - before.npv_eur["key"][0.1], [-x / 1.1 for x in expected], atol=0.02
    )


def test_only_an_entrant_pays_an_entry_fee(write):
    fee = "services: [NET], entry_fee_eur: 5}\nservices"
    text = (TWO % ("", 1000, 0)).replace("services: [NET]}\nservices", fee)
    with pytest.raises(ScenarioError, match="only an entrant pays an entry fee"):
        load_scenario(write(text))


def test_a_key_of_fixed_percentages_by_hand(write):
    """Fixed percentages agreed at the start (A 60%, B 40%). 2025: c(AB) = 2500, so A 1500, B 1000.
    C (50 workstations) joins in 2026, unnamed: it pays by the scenario key, 3000 × 50/200 = 750 of
    c(ABC) = 1000 + 10 × 200 = 3000; A and B split the other 2250 as 60 : 40, 1350 and 900."""
    text = (TWO % ("", 1000, 0)).replace(
        "services: [NET]}\nservices",
        "services: [NET]}\n  - {id: c, name: C, kind: municipality, workstations: 50, inhabitants: 1000, "
        "services: [NET], joins: 2026}\nservices",
    )
    result = simulate(load_scenario(write(text + "fixed_shares: {a: 60, b: 40}\n")))
    np.testing.assert_allclose(result.share_eur["fixed"][:, 0], [1500, 1000, np.nan])
    np.testing.assert_allclose(result.share_eur["fixed"][:, 1], [1350, 900, 750])
    assert result.share_eur["fixed"][:, 1].sum() == pytest.approx(result.cooperation_cost_eur[1])
    assert "fixed" not in simulate(load_scenario(write(text, "plain.yaml"))).share_eur, "only where agreed"


@pytest.mark.parametrize(
    ("shares", "message"),
    [("{a: 60, b: 30}", "the percentages add up to 90, not 100"), ("{a: 60, z: 40}", "unknown partner 'z'")],
)
def test_fixed_percentages_that_cannot_hold_are_refused_with_their_place(write, shares, message):
    from verkenning.errors import ScenarioError

    with pytest.raises(ScenarioError, match=message) as refused:
        load_scenario(write(TWO % ("", 1000, 0) + f"fixed_shares: {shares}\n"))
    assert "fixed_shares" in str(refused.value)


def test_the_meerjarenraming_indexes_personnel_by_wages_and_the_rest_by_prices_by_hand(write):
    """A and B as in the two-partner case, real costs flat (cost growth = inflation = 2%). Half the cost
    is personnel, indexed by a wage index of 4%: index 1, 0.5 × 1.04 + 0.5 × 1.02 = 1.03, then
    0.5 × 1.04² + 0.5 × 1.02² = 1.061. A's contribution 1666.67 a year becomes 1716.67 and 1768.33."""
    from verkenning.costs.budget import budget

    text = (TWO % ("", 1000, 0)).replace("cost_growth_standalone: 0", "cost_growth_standalone: 0.02")
    text = text.replace("cost_growth_cooperation: 0", "cost_growth_cooperation: 0.02").replace(
        "inflation: 0", "inflation: 0.02"
    )
    text += "  personnel_share: 0.5\n  wage_index: 0.04\n"
    result = simulate(load_scenario(write(text)))
    b = budget(result)
    np.testing.assert_allclose(b.index, [1.0, 1.03, 1.061])
    np.testing.assert_allclose(b.structural_eur[0], [1666.67, 1716.67, 1768.33], atol=0.01)
    assert not b.incidental_eur.any(), "nothing happens once"
    facts = b.facts()["a"]["2026"]
    assert facts == {"structural_eur": 1716.67, "incidental_eur": 0.0, "nominal_total_eur": 1716.67}


def test_the_meerjarenraming_is_the_real_path_in_nominal_euros_with_its_nominal_npv():
    """Borne: structural plus incidental, deflated by the year's index, is what each partner pays in
    the study (its share and one-offs, or its stand-alone cost); the one-offs are incidental; the
    nominal NPV discounts the indexed saving at the nominal rate."""
    from verkenning.costs.budget import budget

    result = simulate(load_scenario(SCENARIOS / "borne.yaml"))
    b = budget(result)
    np.testing.assert_allclose(b.total_eur / b.index, result.cost_eur["key"], atol=1e-6)
    once = result.transition_eur + result.exit_eur + result.entry_fee_eur
    np.testing.assert_allclose(b.incidental_eur / b.index, once, atol=1e-6)
    assert b.incidental_eur[result.partners.index("borne")].sum() > 0, "Borne's transition is incidental"
    t = np.arange(len(result.years))
    saving = result.status_quo_eur["key"] - result.cost_eur["key"]
    expected = [sum(saving[i, k] * b.index[k] / 1.043 ** t[k] for k in t) for i in range(len(b.partners))]
    np.testing.assert_allclose(b.npv_nominal_eur, expected)


LINES = """
name: posten
question: Wat kost een toetreding met alle posten naast het platform?
centre: a
horizon_years: 4
discount_rate: 0.1
partners:
  - {id: a, name: A, kind: municipality, workstations: 100, inhabitants: 1000, services: [NET],
     retained_annual_cost_eur: 100}
  - id: b
    name: B
    kind: %s
    workstations: 50
    inhabitants: 3000
    fte: 20
    services: [NET]
    joins: 2026
    vat_unrecoverable_share: 0.5
    baseline:
      year: 2024
      contracts:
        - {id: kantoor, supplier: S, covers: licenties, annual_cost_eur: 730, end_date: 2026-03-31}
        - {id: mail, supplier: T, covers: mail, annual_cost_eur: 365, end_date: 2025-12-31, notice_months: 12}
      assets:
        - {id: servers, description: servers, book_value_eur: 400, depreciation_end: 2026-12-31}
      staff:
        - {role: beheer, fte: 4}
        - {role: inhuur, fte: 1, hired: true}
services:
  - {id: NET, fixed_annual_cost_eur: 1000, unit_annual_cost_eur: 10, depends_on: []}
parameters:
  coordination_annual_cost_eur_per_organisation: 0
  cost_growth_standalone: 0
  cost_growth_cooperation: 0
  inflation: 0
  wage_index: 0
  fte_annual_cost_eur: 1000
  transition_team_fte: 1
  transition_team_months: 6
  transition_migration_eur_per_workstation: 2
  transition_network_eur: 60
  transition_training_eur_per_fte: 1
  transition_phasing: [0.5, 0.5]
  guarantee_share: 0.05
  guarantee_years: 2
  surplus_fte_share: 0.25
  surplus_years: 0.5
  social_plan_eur_per_fte: 10
  friction_bearers: {guarantees: centre, surplus: key, social_plan: entrant}
  retained_fte: 0.1
  retained_fte_per_100k_inhabitants: 1
  overhead_share: 0.1
  capital_charge_share: 0.02
  pricing: %s
"""


def test_every_line_of_an_entry_by_hand(write):
    """A (centre) and B (joins 2026), years 2025-2028, c(A) = 2000, c(B) = 1500, c(AB) = 2500, the key
    by workstations A 1666.67, B 833.33; w = 1000 a fte. B's lines:
    transition 1 fte × 6/12 × 1000 + 2 × 50 ws + 60 + 1 × 20 fte = 680, half in 2026 and 2027;
    double running: 'kantoor' 730 a year until 31 March 2026, 89 of 365 days = 178, and 'mail' ended
    in 2025 but gives 12 months' notice at entry, all of 2026 = 365;
    stranded: the servers' 400 at the end of 2024, written down to zero at 31 December 2026: on
    1 January 2026 364 of 730 days are left, 199.45;
    personnel, 4 employed fte (the hired one is not affected): guarantees 0.05 × 1000 × 4 = 200 a
    year in 2026 and 2027, borne by the centre; boventalligheid 0.25 × 4 × 1000 for half a year = 500
    in 2026, by the key (A 333.33, B 166.67); sociaal plan 10 × 4 = 40 by B;
    retained: A its own 100, B (0.1 + 1 × 3000/100000) × 1000 = 130, as members of two;
    integral pricing, 10% + 2%: B pays 0.12 × 833.33 = 100.00 to A;
    VAT: B cannot recover half: 0.21 × 0.5 × (833.33 + 100) = 98.00 a year as a member, and alone in
    2025 0.21 × 0.5 × (1 − 0.5 personnel) × 1500 = 78.75."""
    result = simulate(load_scenario(write(LINES % ("municipality", "integral"))))
    lines = result.lines_eur
    a, b = 0, 1
    np.testing.assert_allclose(
        lines["project_team"][b] + lines["migration"][b] + lines["network"][b] + lines["training"][b],
        [0, 340, 340, 0],
    )
    np.testing.assert_allclose(lines["double_running"][b], [0, 178 + 365, 0, 0])
    np.testing.assert_allclose(lines["stranded"][b], [0, 199.45, 0, 0])
    np.testing.assert_allclose(lines["guarantees"][a], [0, 200, 200, 0])
    np.testing.assert_allclose(lines["surplus"][:, 1], [333.33, 166.67])
    np.testing.assert_allclose(lines["social_plan"][b], [0, 40, 0, 0])
    np.testing.assert_allclose(lines["retained"][:, 1:], [[100] * 3, [130] * 3])
    np.testing.assert_allclose(lines["retained"][:, 0], [0, 0], err_msg="a cooperation of one is none")
    np.testing.assert_allclose(lines["surcharge"][:, 2], [-100.0, 100.0])
    np.testing.assert_allclose(lines["vat"][b], [78.75, 98.0, 98.0, 98.0])
    b_2026 = 833.33 + 340 + 543 + 199.45 + 166.67 + 40 + 130 + 100 + 98
    assert result.cost_eur["key"][b, 1] == pytest.approx(b_2026, abs=0.02)
    assert result.cost_eur["key"][a, 1] == pytest.approx(1666.67 + 200 + 333.33 + 100 - 100, abs=0.02)
    # the status quo: A alone (a cooperation of one, nothing retained), B alone with its VAT
    np.testing.assert_allclose(result.status_quo_eur["key"][:, 2], [2000, 1500 + 78.75])
    # the game of 2027: each alone saves what it keeps at home as a member
    np.testing.assert_allclose(year_game(result, 2027).values, [0, 2000 - 100, 1500 - 130, 2500])
    # the meerjarenraming (no indexation here): the entry's lines incidental, the rest structural
    budget_ = budget(result)
    assert budget_.incidental_eur[b, 1] == pytest.approx(340 + 543 + 199.45 + 166.67 + 40, abs=0.02)
    assert budget_.structural_eur[b, 1] == pytest.approx(833.33 + 130 + 100 + 98, abs=0.02)
    # the reference year is the first after the two years of phasing
    assert result.reference_year == 2028


def test_the_integral_cost_price_decides_no_profit_the_floor_and_the_checks(write):
    """At integral pricing the key charges B its integral cost price, 833.33 × 1.12 = 933.33: no
    profit, and for an organisation of another kind the legal floor is its key share (933.33 / 1.12).
    By inhabitants B would pay 2500 × 3000/4000 = 1875, charged 2100 against that price: a profit of
    1166.67 on B. At direct pricing the centre carries 0.12 × 833.33 = 100.00 itself, which the floor
    of the Wet Markt en Overheid forbids for an organisation of another kind."""
    from verkenning.fourk.checklist import checklist
    from verkenning.fourk.verdicts import verdicts
    from verkenning.optimise import entry_fee_range

    integral = simulate(load_scenario(write(LINES % ("other", "integral"))))
    by_key = {v.condition: v for v in verdicts(integral, "key")}["no_profit"]
    assert by_key.verdict == "model_choice" and by_key.profits == () and by_key.subsidy_eur == 0
    by_inhabitants = {v.condition: v for v in verdicts(integral, "inhabitants")}["no_profit"]
    assert by_inhabitants.verdict == "fail"
    assert by_inhabitants.profits[0][:2] == ("b", 2026)
    assert by_inhabitants.profits[0][2] == pytest.approx(1166.67, abs=0.02)
    checks = {c.check: c for c in checklist(integral)}
    assert checks["market"].verdict == "pass"
    assert checks["vat"].verdict == "fail" and checks["vat"].amount_eur == pytest.approx(98.0, abs=0.01)
    assert entry_fee_range(integral, "b").legal_floor_eur == pytest.approx(833.33, abs=0.01)

    direct = simulate(load_scenario(write(LINES % ("other", "direct"))))
    assert {v.condition: v for v in verdicts(direct, "key")}["no_profit"].subsidy_eur == pytest.approx(100.0)
    market = {c.check: c for c in checklist(direct)}["market"]
    assert market.verdict == "fail" and market.amount_eur == pytest.approx(100.0, abs=0.01)
    assert entry_fee_range(direct, "b").legal_floor_eur == pytest.approx(933.33, abs=0.01)
    public = simulate(load_scenario(write(LINES % ("municipality", "direct"))))
    assert {c.check: c for c in checklist(public)}["market"].verdict == "pass", "exempt between public bodies"


def test_a_phasing_that_does_not_add_up_is_refused_with_its_place(write):
    path = write(
        f"extends: {SCENARIOS / 'borne.yaml'}\nname: fasering\n"
        "parameters:\n  transition_phasing: [0.5, 0.4]\n"
    )
    done = CliRunner().invoke(app, ["check", str(path)])
    assert done.exit_code == 2 and "Traceback" not in done.output
    assert "transition_phasing" in done.output and "adds up to 0.9, not 1" in done.output
    assert "make the shares add up to 1" in done.output
    assert ":4:" in done.output, "the line of the field"


def test_a_years_game_in_blocks_of_samples_is_the_same_game(monkeypatch):
    """Projection.game_blocks slices the samples' figures and factors; the blocks must be the game of
    all samples at once, to the bit, in order."""
    import verkenning.costs.paths as paths
    from verkenning.explore.vector import sampled

    run = sampled(load_scenario(SCENARIOS / "groeipad.yaml"), 50, seed=2)
    k = run.years.index(run.years[-1])
    whole = paths._game_values(run.model, run.members(k), k, run.growth)
    monkeypatch.setattr(paths, "GAME_CELLS", 1 << 9)  # blocks of 4 samples of 7 members
    blocks = list(run.game_blocks(k))
    assert len(blocks) == 13
    np.testing.assert_array_equal(np.concatenate([values for _, values in blocks]), whole)
    assert [rows.start for rows, _ in blocks] == list(range(0, 50, 4))
    monkeypatch.setattr(paths, "BLOCK_CELLS", 1 << 9)  # the formula's own blocks, as a sweep reads them
    small = list(run.game_blocks(k, cells=paths.BLOCK_CELLS))
    np.testing.assert_array_equal(np.concatenate([values for _, values in small]), whole)
    assert [rows.start for rows, _ in small] == list(range(0, 50, 4))


@pytest.mark.parametrize("block", [1 << 5, 1 << 9])
def test_a_years_game_in_blocks_of_samples_is_the_game_in_one_piece(monkeypatch, block):
    """The cost formula runs over blocks of samples for speed; each sample's game is its own (to the
    last bit but one: a block whose samples share one exponent takes the formula's one-power form)."""
    from verkenning.costs import paths
    from verkenning.explore.sampling import sample
    from verkenning.explore.vector import plan, projection
    from verkenning.scenario import load_scenario

    scenario = load_scenario(SCENARIOS / "borne.yaml")
    draws = sample(scenario, 300, seed=5)
    run = projection(plan(scenario, draws.paths, draws.specs), draws.values)
    k = len(run.years) - 1
    members = run.members(k)
    whole = paths._game_values(run.model, members, k, run.growth)
    monkeypatch.setattr(paths, "BLOCK_CELLS", block)  # blocks of 1 and of 16 samples
    assert (block >> len(members)) < run.model.n
    np.testing.assert_allclose(paths._game_values(run.model, members, k, run.growth), whole, rtol=1e-15)
