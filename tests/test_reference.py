"""The one cost model against an independent reference written from its formulas (reference_model.py).

Hypothesis generates cooperations of 2–8 partners, with entrants in different years, leavers,
information management taken beyond the status quo, exponents above and below 1, observed
stand-alone costs, nulmetingen with contracts, assets and staff, retained costs and VAT positions of
their own, direct and integral pricing, phasings, every bearer of every line, every key and both
transition bearers, as two scenario files (a base and an
extension, so the status quo is a real one) at random values of every declared uncertainty. The
model (the batch the sweep runs, through ``with_draws``) must agree with the reference to 1e-6
relative; the study's cents to the cent per line.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verkenning.costs import Exact, cost_model, project, simulate, with_draws
from verkenning.costs import model as model_module
from verkenning.explore import active
from verkenning.scenario import load_scenario

from .conftest import SCENARIOS
from .reference_model import Reference

KEYS = ("workstations", "inhabitants", "fte", "applications", "organisations", "equal")
EXTRA = ("INT", "ZGW", "FAB", "DATA", "IM", "PRIV")
RELATIVE = 1e-6


@st.composite
def cooperations(draw):
    n = draw(st.integers(2, 8))
    incumbents = draw(st.integers(1, n - 1))
    partners, extension = [], []
    for i in range(n):
        kind = draw(st.sampled_from(["municipality", "municipality", "public_body", "other"]))
        workstations = draw(st.integers(20, 1200))
        partner = {
            "id": f"p{i}",
            "name": f"Partner {i}",
            "kind": kind,
            "inhabitants": draw(st.integers(1000, 120000)) if kind == "municipality" else 0,
            "fte": draw(st.integers(10, 900)),
            "workstations": workstations,
            "applications": draw(st.integers(5, 250)),
            "services": ["basis", *draw(st.lists(st.sampled_from(EXTRA[:4]), max_size=2, unique=True))],
        }
        if draw(st.booleans()) and i > 0:
            partner["standalone_annual_cost_eur"] = float(workstations * draw(st.integers(2000, 9000)))
        if draw(st.integers(0, 3)) == 0:  # a partner whose volume grows (or shrinks) at its own rate
            partner["volume_growth"] = draw(st.floats(-0.05, 0.03))
        if draw(st.booleans()):  # a nulmeting with observed costs of some services
            services = draw(st.lists(st.sampled_from(["WP", "NET", "SD", "HOST"]), min_size=1, unique=True))
            cost = {
                "value": float(workstations * draw(st.integers(300, 2500))),
                "source": "boeken",
                "obtained": "observed",
            }
            partner["baseline"] = {"year": 2024, "services": {sid: dict(cost) for sid in services}}
            if draw(st.booleans()):  # a contract calendar, assets and staff: the entry's own lines
                partner["baseline"]["contracts"] = [
                    {
                        "id": f"c{j}",
                        "supplier": "Leverancier",
                        "covers": "licenties",
                        "annual_cost_eur": float(draw(st.integers(1000, 90000))),
                        "end_date": f"{draw(st.integers(2025, 2031))}-{draw(st.integers(1, 12)):02d}-28",
                        "notice_months": draw(st.integers(0, 12)),
                    }
                    for j in range(draw(st.integers(1, 3)))
                ]
                partner["baseline"]["assets"] = [
                    {
                        "id": "a0",
                        "description": "servers",
                        "book_value_eur": float(draw(st.integers(0, 200000))),
                        "depreciation_end": f"{draw(st.integers(2025, 2032))}-06-30",
                    }
                ]
                partner["baseline"]["staff"] = [
                    {"role": "beheer", "fte": draw(st.floats(0, 12))},
                    {"role": "inhuur", "fte": draw(st.floats(0, 3)), "hired": True},
                ]
        if draw(st.integers(0, 2)) == 0:
            partner["retained_annual_cost_eur"] = float(draw(st.integers(0, 150000)))
        if draw(st.integers(0, 2)) == 0:
            partner["vat_unrecoverable_share"] = draw(st.floats(0, 1))
        if i < incumbents:
            partners.append(partner)
            change = {"id": partner["id"]}
            if draw(st.booleans()):  # takes more than in the status quo, e.g. information management
                change["services"] = [
                    *partner["services"],
                    *draw(st.lists(st.sampled_from(EXTRA[4:]), min_size=1, unique=True)),
                ]
            if i > 0 and draw(st.integers(0, 4)) == 0:
                change["leaves"] = draw(st.integers(2027, 2033))
            if len(change) > 1:
                extension.append(change)
        else:
            extension.append({**partner, "joins": draw(st.integers(2025, 2031))})
    services = [
        {
            "id": sid,
            "scale_exponent": draw(st.floats(0.8, 1.2)),
            "allocation_key": draw(st.sampled_from(KEYS)),
        }
        for sid in draw(
            st.lists(st.sampled_from(["NET", "WP", "SD", "SEC", "IAM", "TAB", "IM"]), unique=True)
        )
    ]
    base = {
        "name": "basis",
        "question": "Wat is er nu?",
        "centre": "p0",
        "partners": partners,
    }
    top = {
        "extends": "base.yaml",
        "name": "uitbreiding",
        "question": "Wat verandert er?",
        "partners": extension,
        **({"services": services} if services else {}),
        "parameters": {
            "transition_cost_bearer": draw(st.sampled_from(["entrant", "key"])),
            "exit_method": draw(st.sampled_from(["kb1985", "damage", "share"])),
            "volume_growth": draw(st.floats(-0.02, 0.03)),
            "pricing": draw(st.sampled_from(["direct", "integral"])),
            "transition_phasing": draw(st.sampled_from([[1.0], [0.6, 0.4], [0.4, 0.4, 0.2], [0.25] * 4])),
            "guarantee_years": draw(st.sampled_from([0, 1, 2.5, 3])),
            "surplus_years": draw(st.sampled_from([0, 0.5, 1, 2])),
            "friction_bearers": {
                line: draw(st.sampled_from(["entrant", "centre", "key"]))
                for line in ("guarantees", "surplus", "social_plan")
            },
        },
    }
    return base, top, draw(st.randoms(use_true_random=False))


def load(base: dict, top: dict):
    folder = Path(tempfile.mkdtemp())
    (folder / "base.yaml").write_text(yaml.safe_dump(base, sort_keys=False), encoding="utf-8")
    (folder / "top.yaml").write_text(yaml.safe_dump(top, sort_keys=False), encoding="utf-8")
    return load_scenario(folder / "top.yaml")


def draw_values(scenario, rng) -> dict:
    """A value inside each declared uncertainty's range (the defaults' uniform, triangular, discrete)."""
    values = {}
    for path, spec in active(scenario).items():
        if spec.distribution == "discrete":
            values[path, spec] = rng.choice(list(spec.values))
        else:
            values[path, spec] = rng.uniform(spec.low, spec.high)
    return values


def modelled(scenario, values: dict, bearer: str):
    base = cost_model(scenario)
    paths = tuple(path for path, _ in values)
    specs = tuple(spec for _, spec in values)
    draws = np.array([[float(v) for v in values.values()]])
    model = replace(base, inputs=with_draws(base.inputs, scenario, base.services, paths, specs, draws))
    status_quo = model.with_takes(cost_model(scenario, scenario.status_quo[1]).takes)
    return project(model, status_quo, Exact(), bearer=bearer)


def compare(scenario, run, ref: Reference, npv_rate=None) -> None:
    expected = ref.path()
    for i, partner in enumerate(ref.partners):
        for k, year in enumerate(ref.years):
            for name, array in (("cost", run.cost["key"]), ("status_quo", run.status_quo["key"])):
                want = expected[name][partner, year]
                assert array[0, i, k] == pytest.approx(want, rel=RELATIVE, abs=1e-6), (name, partner, year)
            share = expected["share"][year].get(partner)
            got = run.share["key"][0, i, k]
            assert np.isnan(got) if share is None else got == pytest.approx(share, rel=RELATIVE, abs=1e-6), (
                "share",
                partner,
                year,
            )
        assert run.npv("key", npv_rate)[0, i] == pytest.approx(
            expected["npv"][partner], rel=RELATIVE, abs=1e-3
        )
    year = ref.reference_year()
    k = ref.years.index(year)
    np.testing.assert_allclose(run.game(k)[0], ref.game(year), rtol=RELATIVE)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(cooperations())
def test_the_model_agrees_with_the_reference_at_random_values(case):
    base, top, rng = case
    scenario = load(base, top)
    values = draw_values(scenario, rng)
    for bearer in ("entrant", "key"):
        run = modelled(scenario, values, bearer)
        compare(scenario, run, Reference(scenario, values, bearer))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(cooperations())
def test_the_studys_cents_agree_with_the_reference_to_the_cent(case):
    base, top, _ = case
    scenario = load(base, top)
    result = simulate(scenario, rules=())
    expected = Reference(scenario).path()
    lines = len(scenario.services) + 2  # every line of the key is rounded once
    for i, partner in enumerate(result.partners):
        for k, year in enumerate(result.years):
            assert result.cost_eur["key"][i, k] == pytest.approx(
                expected["cost"][partner, year], abs=0.01 * lines
            )


def test_a_leaver_pays_its_exit_fee_in_the_sweep_as_in_the_study(write):
    # The defect this model fixes: Oldenzaal leaves in 2030 (on top of borne.yaml, no uncertainty);
    # the sweep dropped its exit fee because the leaver is no member in its leaving year.
    path = write(
        "extends: borne.yaml\nname: Oldenzaal treedt uit\npartners:\n  - {id: oldenzaal, leaves: 2030}\n"
    )
    scenario = load_scenario(path)
    study = simulate(scenario)
    run = modelled(scenario, {}, scenario.parameters.transition_cost_bearer)
    i = study.partners.index("oldenzaal")
    assert study.exit_eur[i].max() > 500_000  # the fee is there
    assert run.npv("key", float(scenario.discount_rate))[0, i] == pytest.approx(
        study.npv_eur["key"][float(scenario.discount_rate)][i], abs=1.0
    )
    expected = Reference(scenario).path()["npv"]["oldenzaal"]
    assert study.npv_eur["key"][float(scenario.discount_rate)][i] == pytest.approx(expected, abs=1.0)


def test_the_shipped_scenarios_agree_with_the_reference():
    for path in sorted(SCENARIOS.glob("*.yaml")):
        scenario = load_scenario(path)
        run = modelled(scenario, {}, scenario.parameters.transition_cost_bearer)
        compare(scenario, run, Reference(scenario), float(scenario.discount_rate))


def test_twenty_members_coalition_costs_agree_with_the_reference_block_by_block(monkeypatch):
    """At 20 members the model computes c(S) in blocks of 2^17 coalitions (``coalition_costs``): the
    masks of every block, the singletons of the high bits and the grand coalition against the
    reference's c(S), with exponents above and below 1 and services taken by some partners only."""
    rng = np.random.default_rng(20)
    partners = [
        {
            "id": f"p{i}",
            "name": f"Partner {i}",
            "kind": "municipality",
            "inhabitants": int(rng.integers(5_000, 90_000)),
            "fte": int(rng.integers(40, 700)),
            "workstations": int(rng.integers(50, 1000)),
            "applications": int(rng.integers(10, 200)),
            "services": ["basis", *EXTRA[i % 3 : i % 3 + i % 2 + 1]],
        }
        for i in range(20)
    ]
    services = [
        {"id": sid, "scale_exponent": exponent}
        for sid, exponent in (("NET", 0.85), ("WP", 1.1), ("SD", 0.9), ("SEC", 0.8), ("INT", 0.95))
    ]
    scenario = load(
        {"name": "basis", "question": "Twintig?", "centre": "p0", "partners": partners},
        {"extends": "base.yaml", "name": "twintig", "question": "Twintig?", "services": services},
    )
    ref = Reference(scenario)
    ids = [p.id for p in scenario.partners]
    costs = cost_model(scenario).coalition_costs(list(range(20)))[0]
    masks = [0, (1 << 20) - 1, *(1 << j for j in range(16, 20)), *rng.integers(1, 1 << 20, 40).tolist()]
    masks += [(block << 17) + int(rng.integers(0, 1 << 17)) for block in range(8)]
    for mask in masks:
        members = [ids[j] for j in range(20) if mask >> j & 1]
        want = ref.coalition(members, ref.volume(0)) if members else 0.0
        assert costs[mask] == pytest.approx(want, rel=RELATIVE), members
    monkeypatch.setattr(model_module, "CACHE_CELLS", 1 << 20)  # all 2^20 coalitions in one block
    assert np.array_equal(cost_model(scenario).coalition_costs(list(range(20)))[0], costs), "to the bit"
