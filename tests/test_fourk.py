"""The 4K indicators and the verdicts on the conditions, on hand-worked cases and shipped scenarios."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from typer.testing import CliRunner

from verkenning.cli import app
from verkenning.console import verdict_line
from verkenning.costs import cost_model, simulate
from verkenning.examples import two_partners
from verkenning.fourk import CONDITIONS, Group, growth_path, marginal_effects, role_fte, scorecard
from verkenning.optimise import entry_fee_range
from verkenning.report.labels import verdict_sentence
from verkenning.scenario import load_scenario

from .conftest import SCENARIOS
from .test_costs import TWO

TRANSITION_ITEMS = (
    "transition_team_fte",
    "transition_migration_eur_per_workstation",
    "transition_network_eur",
    "transition_training_eur_per_fte",
    "double_running_months",
)

ROLES = """
services:
  - {id: NET, fixed_annual_cost_eur: 1000, unit_annual_cost_eur: 10, depends_on: [],
     key_roles: {network_admin: {fixed_fte: 0.5, fte_per_unit: 0.01}}}
"""


def two_with_roles(write, joins="", extra="", coordination=0):
    text = (TWO % (joins, 1000, coordination)).replace(
        "services:\n  - {id: NET, fixed_annual_cost_eur: 1000, unit_annual_cost_eur: 10, depends_on: []}\n",
        ROLES.lstrip("\n"),
    )
    return simulate(load_scenario(write(text + extra)))


def test_key_roles_pool_by_hand(write):
    """network_admin needs 0.5 fte + 0.01 per workstation: A alone 0.5 + 1.0 = 1.5, B alone
    0.5 + 0.5 = 1.0, together 0.5 + 1.5 = 2.0 (the fixed half once)."""
    model = two_with_roles(write).model
    assert role_fte(model, [0]) == {"network_admin": pytest.approx(1.5)}
    assert role_fte(model, [1]) == {"network_admin": pytest.approx(1.0)}
    assert role_fte(model, [0, 1]) == {"network_admin": pytest.approx(2.0)}


def test_team_indicators_before_and_after_by_hand(write):
    """B joins in 2026 (absence p = 0.12, minimum 2 fte). Before, B alone staffs 1.0 fte: coverage
    1 − 0.12 = 0.88, one role under the minimum, one specialist role, nothing at a professional
    level. After, the pooled 2.0 fte: coverage 1 − 0.12² = 0.9856, no role under the minimum, the
    service fully professional. A (alone before: 1.5 fte) goes from 1 − 0.12^1.5 to 0.9856."""
    card = scorecard(two_with_roles(write, joins=", joins: 2026"))
    assert card.value("b", "coverage_probability", "before") == pytest.approx(0.88)
    assert card.value("b", "coverage_probability") == pytest.approx(1 - 0.12**2)
    assert card.value("a", "coverage_probability", "before") == pytest.approx(1 - 0.12**1.5)
    assert card.value("b", "bus_factor_roles", "before") == 1 and card.value("b", "bus_factor_roles") == 0
    assert card.value("b", "professional_share", "before") == 0 and card.value("b", "professional_share") == 1
    assert card.value("b", "specialist_roles") == 1
    assert (
        card.value("b", "dependence_on_centre", "before") == 0
        and card.value("b", "dependence_on_centre") == 1
    )
    assert card.value("a", "dependence_on_centre") == 0, "the centre is the provider"


def test_cost_indicators_by_hand(write):
    """From the NPV case in test_costs: B pays 1500 alone; in 2027, the reference year (the last of
    the horizon), 833.33 plus the last 180 of its transition, so (833.33 + 180) / 3000 per
    inhabitant. Its exit exposure by KB 1985 is (1 + 0.8 + 0.6 + 0.4 + 0.2) × 833.33 + 0.3 × 1500."""
    card = scorecard(two_with_roles(write, joins=", joins: 2026"))
    assert card.year == 2027
    assert card.value("b", "annual_cost_eur", "before") == pytest.approx(1500)
    assert card.value("b", "cost_per_inhabitant_eur") == pytest.approx((833.33 + 180) / 3000)
    assert card.value("b", "exit_cost_exposure_eur") == pytest.approx(3.0 * 833.33 + 0.3 * 1500)


def test_a_proportional_key_that_breaks_win_win_is_named(write):
    """Inhabitants 1000 : 3000 put 1875 of the 2500 on B, whose stand-alone cost is 1500: B is better
    off alone. The workstation key (1666.67 : 833.33) keeps both below their stand-alone cost."""
    result = two_with_roles(write)
    failing = scorecard(result, "inhabitants").verdict("key_stable")
    assert failing.verdict == "fail"
    assert failing.core_violations[0] == Group(("b",), 375.0)
    names = {p.id: p.name for p in result.scenario.partners}
    assert "Zelfstandig goedkoper uit in 2025: B: € 375 per jaar" in verdict_sentence(failing, names)
    assert "b+" not in verdict_line(failing) and "b would save 375" in verdict_line(failing)
    # the nearest stable shares move the 375 from B to A (B pays its own cost, 1500; A 1000)
    assert dict(failing.adjustment) == pytest.approx({"a": 375.0, "b": -375.0}, abs=0.01)
    moved = "verschuift € 375 per jaar: A betaalt € 375 meer en B € 375 minder"
    assert moved in verdict_sentence(failing, names)
    assert scorecard(result).verdict("key_stable").verdict == "pass"
    assert scorecard(result).verdict("better_off").verdict == "pass"


def card_scenario():
    return load_scenario(SCENARIOS / "borne.yaml")


def test_every_condition_has_a_verdict_with_evidence():
    card = scorecard(simulate(load_scenario(SCENARIOS / "borne.yaml")))
    assert [v.condition for v in card.verdicts] == list(CONDITIONS)
    names = {p.id: p.name for p in card_scenario().partners}
    for verdict in card.verdicts:
        assert verdict.verdict in ("pass", "fail", "undetermined", "model_choice")
        assert verdict_sentence(verdict, names)
        assert json.loads(json.dumps(verdict.facts())) == verdict.facts(), "facts are plain data"
    # held by how the model is built: shown as modelling choices, never as passed tests
    for condition in ("no_profit", "transparency", "platform_leads", "risks_shared"):
        verdict = card.verdict(condition)
        assert verdict.verdict == "model_choice", condition
        assert verdict_sentence(verdict, names).startswith("Modelkeuze"), condition
    leads = card.verdict("platform_leads")
    assert dict(leads.transition_eur)["borne"] > 0
    assert "Gemeente Borne" in verdict_sentence(leads, names)


def test_shipped_key_is_not_win_win_in_todays_cooperation():
    """A finding about the key, not a bug. With the calibration of FACTS §3.4 (corrected) the shared
    platform is small beside the coordination overhead, and the key (by workstations) makes Hengelo
    pay more than it would alone; and the CISO is shared by inhabitants, so SWB (no inhabitants)
    pays none of it and the others would also be cheaper without SWB."""
    scenario = load_scenario(SCENARIOS / "basis.yaml")
    result = simulate(scenario)
    card = scorecard(result)
    verdict = card.verdict("key_stable")
    assert verdict.verdict == "fail" and card.verdict("better_off").verdict == "pass", "a key, not an entry"
    groups = {g.members: g.amount_eur for g in verdict.core_violations}
    assert verdict.core_violation_count == len(groups) <= 10, "four members: every group is named"
    k = result.years.index(verdict.year)
    hengelo = result.partners.index("hengelo")
    # alone it would also shed what it keeps at home as a member (its retained regie)
    alone = result.standalone_eur[hengelo, k] - result.projection.lines["retained"][0, hengelo, k]
    # judged on the exact shares; the accounts round each of the 16 lines to the cent
    assert groups[("hengelo",)] == pytest.approx(result.share_eur["key"][hengelo, k] - alone, abs=0.10)
    assert groups[("hengelo", "oldenzaal", "haaksbergen")] > 0, "cheaper without SWB"
    assert (
        scenario.service("SEC").allocation_key == "inhabitants" and scenario.partner("swb").inhabitants == 0
    )
    names = {p.id: p.name for p in scenario.partners}
    sentence = verdict_sentence(verdict, names)
    assert sentence.startswith("Zelfstandig goedkoper uit in 2025: Gemeente Hengelo: €")
    # nothing changes in basis.yaml, so the status quo fails the same way: the key's doing
    assert {g.members for g in verdict.status_quo_violations} == set(groups)
    assert "een eigenschap van de verdeelsleutel, niet van de toetreding" in sentence
    # the smallest fix moves money and keeps the total; Hengelo pays at least its excess less; with
    # every member's retained regie the core may be empty, and then there is no fix to show
    moves = dict(verdict.adjustment)
    assert bool(moves) != verdict.core_empty
    if moves:
        assert sum(moves.values()) == pytest.approx(0, abs=0.05)
        assert moves["hengelo"] <= -groups[("hengelo",)] + 0.05


def test_risks_not_shared_when_a_member_carries_nothing():
    card = scorecard(simulate(load_scenario(SCENARIOS / "basis.yaml")), "inhabitants")
    verdict = card.verdict("risks_shared")
    assert verdict.verdict == "fail" and dict(verdict.exposure_eur)["swb"] == 0
    assert verdict.carrying_none == ("swb",)


def test_without_entrants_platform_leads_is_undetermined():
    card = scorecard(simulate(load_scenario(SCENARIOS / "haaksbergen-im.yaml")))
    assert card.verdict("platform_leads").verdict == "undetermined"


def test_value_for_residents_fails_when_cooperation_costs_more(write):
    result = two_with_roles(write, joins=", joins: 2026", coordination=5000)
    verdict = scorecard(result).verdict("value_for_residents")
    assert verdict.verdict == "fail" and verdict.after_eur > verdict.before_eur
    assert "stijgen" in verdict_sentence(verdict, {p.id: p.name for p in result.scenario.partners})


def test_composite_only_with_weights_and_beside_its_parts(write):
    assert scorecard(two_with_roles(write)).composite is None
    weights = "  fourk_weights: {kosten: 1, kwaliteit: 1, kwetsbaarheid: 1, kennis: 1}\n"
    card = scorecard(two_with_roles(write, joins=", joins: 2026", extra=weights))
    before, after = card.composite["b"]
    assert 0 <= before < after <= 1
    assert card.value("b", "coverage_probability")  # the parts are still there


def test_growth_path_follows_the_centre_and_marginal_effects_isolate_each_entrant():
    result = simulate(load_scenario(SCENARIOS / "groeipad.yaml"))
    path = growth_path(result)
    hengelo = path[(path.partner == "hengelo") & (path.indicator == "annual_cost_eur")]
    assert list(hengelo.year) == list(result.years)
    effects = marginal_effects(result)
    assert list(dict.fromkeys(effects.entrant)) == ["borne", "hof_van_twente", "noaberkracht"]
    borne = effects[effects.entrant == "borne"]
    assert set(borne.partner) == {"hengelo", "oldenzaal", "haaksbergen", "swb"}
    # With the calibration of FACTS §3.4 (corrected), the key charges Borne less than it adds to the
    # cost of the cooperation (the game's marginal cost), so its entry raises every incumbent's share.
    fee = entry_fee_range(result, "borne", 2026)
    assert fee.key_share_eur < fee.marginal_cost_eur
    assert (borne.delta_annual_cost_eur > 0).all(), "Borne's entry raises every incumbent's key share"
    assert (effects.delta_coverage_probability >= 0).all()


def test_scorecard_command_prints_verdicts_and_terms():
    result = CliRunner().invoke(app, ["scorecard", "scenarios/borne.yaml"])
    assert result.exit_code == 0, result.output
    for condition in CONDITIONS:
        assert condition in result.stdout
    assert "fee range" in result.stdout and "staffing" in result.stdout
    bad = CliRunner().invoke(app, ["scorecard", "scenarios/borne.yaml", "--method", "lottery"])
    assert bad.exit_code == 2


def test_a_key_role_without_work_is_not_needed_in_the_study_and_in_the_sweep():
    # One rule in every place: a role whose workload is zero (the servicedesk of an organisation
    # with no workstations) cannot be left uncovered and is no bus-factor role.
    from verkenning.explore import Outcome, evaluate, plan
    from verkenning.fourk import below, coverage, needed, roles, team_fte

    scenario = two_partners(fixed_eur=1000).derive()
    catalogue = load_scenario(SCENARIOS / "basis.yaml")
    sd = catalogue.service("SD")  # servicedesk_agent: fte per workstation, nothing fixed
    a = scenario.partners[0].model_copy(update={"workstations": 0, "services": ("SD", "NET")})
    net = scenario.service("NET")
    scenario = scenario.derive(
        partners=(a,), services=(net, sd.model_copy(update={"depends_on": ("NET",)})), centre="a"
    )
    model = cost_model(scenario)
    fte = team_fte(model, [0])
    used = needed(model, model.takes[0])
    workload = dict(zip(roles(model).names, fte[0], strict=True))
    assert used.sum() == 2 and workload["servicedesk_agent"] == 0.0 and workload["network_admin"] == 1.0
    assert coverage(fte, np.array([0.1]), used)[0] == pytest.approx(0.9)  # the network admin only
    assert below(fte, np.array([2.0]), used)[0] == 1.0  # the network admin, not the servicedesk
    card = scorecard(simulate(scenario, rules=()))
    assert card.value("a", "coverage_probability") == pytest.approx(
        1 - float(scenario.parameters.absence_rate)
    )
    assert card.value("a", "bus_factor_roles") == 1
    swept = evaluate(plan(scenario, (), ()), np.zeros((1, 0)))
    assert swept[Outcome("coverage_probability")][0] == card.value("samenwerking", "coverage_probability")


def test_an_unknown_indicator_or_condition_names_the_valid_ones():
    from verkenning.errors import VerkenningError

    card = scorecard(simulate(load_scenario(SCENARIOS / "basis.yaml")))
    with pytest.raises(
        VerkenningError, match="no indicator 'annual_cost_eur' of 'bornee'; the partners are hengelo"
    ):
        card.value("bornee", "annual_cost_eur")
    with pytest.raises(VerkenningError, match="unknown condition 'winwin'; the conditions are better_off"):
        card.verdict("winwin")


@pytest.mark.parametrize("method", ["shapley", "nucleolus", "scrb", "inhabitants"])
def test_every_scorecard_method_prints_numbers_not_nan(method):
    result = CliRunner().invoke(app, ["scorecard", "scenarios/borne.yaml", "--method", method])
    assert result.exit_code == 0, result.output
    assert not re.search(r"\bnan\b", result.stdout, re.I), "a figure printed as nan"


def test_a_budget_too_small_for_any_team_reports_the_plan_infeasible_and_shows_the_rest():
    from verkenning.study import Study

    result = CliRunner().invoke(app, ["scorecard", "scenarios/borne.yaml", "--budget", "1000"])
    assert result.exit_code == 0, result.output
    for condition in CONDITIONS:  # the scorecard itself is all there
        assert condition in result.stdout
    line = next(x for x in result.stdout.splitlines() if "staffing" in x)
    assert "infeasible within the budget of 1,000" in line
    # the smallest team carrying the workload, priced at the scenario's fte cost, by hand
    study = Study.load("scenarios/borne.yaml")
    k = study.costs.years.index(study.costs.reference_year)
    team = [int(i) for i in np.flatnonzero(study.costs.member[:, k])]
    smallest = sum(max(1, int(np.ceil(w - 1e-9))) for w in role_fte(study.costs.model, team).values())
    price = float(study.scenario.parameters.fte_annual_cost_eur)
    assert f"costs {smallest * price:,.0f} per year" in line


def test_a_modelling_choice_still_fails_when_the_data_breaks_it(write):
    # platform_leads is a modelkeuze while the migration is costed, and fails when a scenario costs none
    text = (
        (SCENARIOS / "borne.yaml").read_text(encoding="utf-8")
        + "parameters:\n"
        + "".join(f"  {name}: 0\n" for name in TRANSITION_ITEMS)
    )
    card = scorecard(simulate(load_scenario(write(text))))
    assert card.verdict("platform_leads").verdict == "fail"
    assert card.verdict("better_off").verdict in ("pass", "fail"), "win-win is a test on the data"
    assert card.verdict("key_stable").verdict in ("pass", "fail"), "so is the key's stability"


def test_the_conditions_the_model_cannot_decide_say_what_would_decide_them():
    card = scorecard(simulate(load_scenario(SCENARIOS / "borne.yaml")))
    names = {p.id: p.name for p in card_scenario().partners}
    for condition in ("no_extra_risk", "centre_ambitions", "governance"):
        verdict = card.verdict(condition)
        assert verdict.verdict == "undetermined" and verdict.facts()["decided_by"], condition
        assert verdict_sentence(verdict, names).startswith("Niet te bepalen"), condition
    assert "Gemeente Hengelo" in verdict_sentence(card.verdict("centre_ambitions"), names)


def test_the_status_quo_counts_the_functions_a_partner_runs_itself(write, tmp_path):
    """Like with like. Before, A and B share NET (network_admin 0.5 + 0.01 × 150 = 2.0 fte) and each
    runs IM itself (info_manager 0.5 + 0.01 × its workstations: A 1.5 fte, B 1.0 fte); after, IM is
    pooled too (0.5 + 1.5 = 2.0 fte). With absence p = 0.12, A's coverage goes from
    (1 − p²)(1 − p^1.5) to (1 − p²)², up, not down; B goes from (1 − p²)(1 − p) to (1 − p²)², and
    loses the role it had under two fte."""
    base = (TWO % ("", 1000, 0)).replace(
        "services:\n  - {id: NET, fixed_annual_cost_eur: 1000, unit_annual_cost_eur: 10, depends_on: []}\n",
        ROLES.lstrip("\n") + "  - {id: EIGEN, name: Eigen, domain: it, driver: workstations, package: plus,\n"
        "     fixed_annual_cost_eur: 500, unit_annual_cost_eur: 5, depends_on: [],\n"
        "     key_roles: {info_manager: {fixed_fte: 0.5, fte_per_unit: 0.01}}}\n",
    )
    (tmp_path / "base.yaml").write_text(base, encoding="utf-8")
    change = write(
        f"extends: {tmp_path / 'base.yaml'}\nname: IM samen\npartners:\n"
        "  - {id: a, services: [NET, EIGEN]}\n  - {id: b, services: [NET, EIGEN]}\n"
    )
    card = scorecard(simulate(load_scenario(change)))
    p = 0.12
    assert card.value("a", "coverage_probability", "before") == pytest.approx((1 - p**2) * (1 - p**1.5))
    assert card.value("a", "coverage_probability") == pytest.approx((1 - p**2) ** 2)
    assert card.value("b", "coverage_probability", "before") == pytest.approx((1 - p**2) * (1 - p))
    assert card.value("b", "bus_factor_roles", "before") == 1 and card.value("b", "bus_factor_roles") == 0
    assert card.value("a", "specialist_roles", "before") == 2, "its own IM role counts"


def test_pooling_information_management_does_not_read_as_lower_coverage():
    """haaksbergen-im: Hengelo and Haaksbergen run their own information management today; pooling it
    cannot lower the chance that every role serving them is covered (it was read as 44.5% → 29.1%)."""
    card = scorecard(simulate(load_scenario(SCENARIOS / "haaksbergen-im.yaml")))
    for partner in ("hengelo", "haaksbergen"):
        before = card.value(partner, "coverage_probability", "before")
        assert before <= card.value(partner, "coverage_probability") + 1e-12, partner
        assert before < card.value("oldenzaal", "coverage_probability"), "its own IM roles count today"


def test_the_status_quo_of_the_key_is_judged_on_its_own_shares():
    """haaksbergen-im extends basis.yaml: its status quo is today's cooperation, so the key's failures
    before the change are basis.yaml's own, not inflated by the information management that Hengelo
    and Haaksbergen buy alone today (part of their status-quo cost, not of their share)."""
    change = scorecard(simulate(load_scenario(SCENARIOS / "haaksbergen-im.yaml"))).verdict("key_stable")
    today = scorecard(simulate(load_scenario(SCENARIOS / "basis.yaml"))).verdict("key_stable")
    assert change.year == today.year
    assert [g.members for g in change.status_quo_violations] == [g.members for g in today.core_violations]
    before = [g.amount_eur for g in change.status_quo_violations]
    assert before == pytest.approx([g.amount_eur for g in today.core_violations], abs=0.01)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "municipality",
            {"wgr": "undetermined", "market": "pass", "procurement": "undetermined", "vat": "pass"},
        ),
        ("public_body", {"market": "pass", "procurement": "undetermined", "vat": "undetermined"}),
        ("other", {"market": "fail", "procurement": "fail", "vat": "fail"}),
    ],
)
def test_the_legal_checks_follow_the_kind_of_entrant_and_never_pass_by_default(write, kind, expected):
    """Borne as a municipality, a public body and another kind of organisation: the rules of the
    Mededingingswet, the procurement directive and the VAT compensation fund by kind; the Wgr
    procedure is the councils' decision, never passed; another kind pays 21% VAT on its contribution,
    and at the default direct pricing its contribution falls short of the centre's integral cost price
    (10% overhead and 1% capital charge on its share), which the Wet Markt en Overheid makes its floor."""
    from verkenning.fourk import checklist

    zero = ", inhabitants: 0" if kind != "municipality" else ""
    text = f"extends: {SCENARIOS / 'borne.yaml'}\nname: soort\n"
    text += f"partners:\n  - {{id: borne, kind: {kind}{zero}}}\n"
    result = simulate(load_scenario(write(text)))
    found = {c.check: c for c in checklist(result) if c.entrant == "borne"}
    assert {c: found[c].verdict for c in expected} == expected
    assert found["wgr"].verdict == "undetermined" and found["wgr"].decided_by
    assert all(c.decided_by for c in found.values() if c.verdict == "undetermined"), "says what decides it"
    k = result.years.index(result.reference_year)
    share = result.share_eur["key"][result.partners.index("borne"), k]
    assert found["vat"].amount_eur == (pytest.approx(0.21 * share) if kind == "other" else 0.0)
    assert found["market"].amount_eur == (pytest.approx(0.11 * share, abs=0.01) if kind == "other" else 0.0)
    assert found["bio"].verdict == "pass", "SEC staffs a CISO per organisation"


def test_an_entrant_without_its_own_ciso_fails_the_bio_check(write):
    from verkenning.fourk import checklist

    text = (
        f"extends: {SCENARIOS / 'borne.yaml'}\nname: zonder CISO\nservices:\n"
        "  - id: SEC\n    key_roles: {ciso: {fte_per_unit: 0}}\n"
    )
    found = {c.check: c.verdict for c in checklist(simulate(load_scenario(write(text))))}
    assert found["bio"] == "fail"
    assert checklist(simulate(load_scenario(SCENARIOS / "basis.yaml"))) == (), "no entrant, nothing to check"


def test_what_a_member_carries_when_another_leaves_by_hand():
    """Three partners, c(ABC) = 3200, the key A 1566.67, B 816.67, C 816.67 (NET by workstations
    100 : 50 : 50, coordination 200 equally). B leaving strands x_B − (c(ABC) − c(AC)) = 816.67 − 600 =
    216.67 a year, 1083.33 over the five bridging years. By KB 1985 its fee is 3 × 816.67 = 2450,
    which covers it: nobody is exposed. A regeling's own 40% (326.67) leaves 756.67 uncovered, of which
    A, the centre, carries 1566.67 / (1566.67 + 816.67) = 65.7%: 497.39 (C leaving is the same)."""
    from verkenning.examples import three_partners

    covered = scorecard(simulate(three_partners(exit_method="kb1985")))
    assert covered.value("a", "leaver_exposure_eur") == pytest.approx(0.0)
    exposed = scorecard(simulate(three_partners(exit_method="share")))
    assert exposed.value("a", "leaver_exposure_eur") == pytest.approx(497.39, abs=0.02)
    # B's worst case is A leaving: 1566.67 − (3200 − 2100) = 466.67 a year, 2333.33 over five years,
    # less its fee of 626.67, of which B carries half (816.67 of the 1633.33 that stay)
    assert exposed.value("b", "leaver_exposure_eur") == pytest.approx(853.35, abs=0.02)
