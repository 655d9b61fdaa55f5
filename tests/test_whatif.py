"""The what-if a workshop turns (``notebooks/verkennen.ipynb``, ``verkenning verken``): its numbers are
the model's, and what it saves is a study that renders with the same numbers."""

from __future__ import annotations

import pytest

from verkenning.report.whatif import WhatIf
from verkenning.scenario import load_scenario
from verkenning.study import Study

BORNE = {
    "partners.borne.standalone_annual_cost_eur": 900_000.0,
    "partners.borne.entry_fee_eur": 150_000.0,
    "parameters.fixed_share_scale": 3.0,
    "services.*.scale_exponent": 0.95,
    "services.*.allocation_key": "inhabitants",
    "parameters.transition_cost_bearer": "key",
}


@pytest.fixture
def borne(write, tmp_path):
    """The what-if of a copy of the Borne study (the ``write`` fixture copies the shipped scenarios)."""
    return WhatIf.load(tmp_path / "borne.yaml")


def test_the_controls_start_at_the_scenario_and_change_nothing_until_moved(borne):
    assert set(borne.values) == set(BORNE)
    assert borne.overrides(borne.values) == {}
    start = borne.evaluate()
    plain = Study.load(borne.path).costs
    rate = plain.rates[0]
    assert [r["npv_eur"] for r in start.rows] == list(plain.npv_eur["key"][rate])
    assert start.verdicts == tuple((v.condition, v.verdict) for v in Study.load(borne.path).card.verdicts)


def test_every_control_moves_the_numbers_as_the_scenario_file_with_that_value_would(borne, tmp_path):
    for name, value in BORNE.items():
        outcome = borne.evaluate({name: value})
        saved = borne.save({name: value}, tmp_path / f"{name.replace('*', 'all')}.yaml")
        study = Study.load(saved)
        rate = study.costs.rates[0]
        assert [r["npv_eur"] for r in outcome.rows] == list(study.costs.npv_eur["key"][rate]), name
        assert outcome.verdicts == tuple((v.condition, v.verdict) for v in study.card.verdicts), name
        assert outcome.rows != borne.evaluate().rows, f"{name} changes nothing"


def test_the_saved_workshop_extends_the_original_with_only_what_changed(borne, tmp_path):
    target = tmp_path / "workshop.yaml"
    borne.save(BORNE, target, name="Werksessie Borne")
    scenario = load_scenario(target)
    assert scenario.name == "Werksessie Borne"
    entrant = scenario.partner("borne")
    assert entrant.standalone_annual_cost_eur == 900_000 and entrant.entry_fee_eur == 150_000
    assert {float(s.scale_exponent) for s in scenario.services} == {0.95}
    assert {s.allocation_key for s in scenario.services} == {"inhabitants"}
    assert scenario.parameters.transition_cost_bearer == "key"
    text = target.read_text(encoding="utf-8")
    assert "extends: " in text and "inhabitants:" not in text.split("services:")[0], "only what changed"
    with pytest.raises(FileExistsError):
        borne.save(BORNE, target)
    # a sweep and a report read it like any study: the status quo is still today's cooperation
    assert scenario.status_quo == load_scenario(borne.path).status_quo


def test_the_centre_gain_is_the_centres_row(borne):
    outcome = borne.evaluate({"parameters.fixed_share_scale": 3.0})
    centre = next(r for r in outcome.rows if r["id"] == "hengelo")
    assert outcome.centre_npv_eur == centre["npv_eur"] and outcome.centre_saving_eur == centre["saving_eur"]
    page = str(outcome.html())
    assert "Gemeente Hengelo bespaart in" in page and "NCW voordeel" in page


def test_moving_a_widget_recomputes_the_outcome_and_the_button_saves_the_choice(borne, tmp_path):
    box = borne.show()
    controls = {c.name: w for c, w in zip(borne.controls, box.children, strict=False)}
    outcome = next(w for w in box.children if "whatif-outcome" in w._dom_classes)
    controls["parameters.fixed_share_scale"].value = 3.0
    assert outcome.value == str(borne.evaluate({"parameters.fixed_share_scale": 3.0}).html())
    name, button = box.children[-2].children
    name.value = "uit-de-werksessie.yaml"
    button.click()
    saved = load_scenario(tmp_path / "uit-de-werksessie.yaml")
    assert saved.parameters.fixed_share_scale == 3.0
    assert "verkenning run" in box.children[-1].value
