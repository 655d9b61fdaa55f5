"""The embedded defaults: every figure has a pedigree, and the service costs are calibrated."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from verkenning.scenario import Figure, load_organisations, load_scenario

from .conftest import SCENARIOS

BASIS = load_scenario(SCENARIOS / "basis.yaml")

# FACTS.md §3.1 and §2.2: total municipal ICT cost EUR 109 per inhabitant (M&I/Partners ICT benchmark
# gemeenten 2024, book year 2023), of which about half is in the scope of the shared service.
BENCHMARK_EUR_PER_INHABITANT = 109 * 0.50


def _figures(obj, path=""):
    if isinstance(obj, Figure):
        yield path, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _figures(getattr(obj, name), f"{path}.{name}" if path else name)
    elif isinstance(obj, tuple | list):
        for i, item in enumerate(obj):
            yield from _figures(item, f"{path}[{i}]")
    elif isinstance(obj, dict):
        for key, item in obj.items():
            yield from _figures(item, f"{path}.{key}")


def test_every_embedded_default_has_a_source_or_an_assumption():
    # zero means "none of this cost" (e.g. BCM has no unit cost) and needs no pedigree
    missing = [
        path
        for path, figure in _figures(BASIS)
        if not path.startswith("partners") and not (figure.source or figure.assumption) and figure != 0
    ]
    assert missing == []


def test_every_organisation_figure_has_a_source_or_an_assumption():
    for org in load_organisations().values():
        for path, figure in _figures(org):
            assert figure.source or figure.assumption, f"{org.id}.{path}"


def test_shipped_partners_agree_with_the_organisation_library():
    library = load_organisations()
    for path in SCENARIOS.glob("*.yaml"):
        for partner in load_scenario(path).partners:
            org = library[partner.id]
            for field in ("inhabitants", "fte", "workstations", "applications"):
                ours, theirs = getattr(partner, field), getattr(org, field)
                assert (ours, ours.source, ours.assumption) == (theirs, theirs.source, theirs.assumption), (
                    f"{path.name}: {partner.id}.{field}"
                )


def test_organisation_figures_follow_their_stated_rules():
    for org in load_organisations().values():
        assert org.workstations == round(1.2 * org.fte, -1)
        assert org.applications == round(0.3 * org.workstations)


def _standalone_basis_cost(scenario, partner_id):
    """Hand calculation of the model for one partner alone: sum over the services it takes (with
    their dependencies) of fixed + unit x volume ** exponent, the partner's own volume of the driver."""
    partner = scenario.partner(partner_id)
    total = 0.0
    for service_id in scenario.taken_by(partner):
        s = scenario.service(service_id)
        volume = 1.0 if s.driver in ("organisations", "fixed") else float(getattr(partner, s.driver))
        unit = 0.0 if s.driver == "fixed" else s.unit_annual_cost_eur
        total += s.fixed_annual_cost_eur + unit * volume**s.scale_exponent
    return total


@pytest.mark.parametrize("partner_id", ["hengelo", "oldenzaal", "haaksbergen", "borne"])
def test_standalone_basis_cost_matches_the_public_benchmark(partner_id):
    scenario = load_scenario(SCENARIOS / "borne.yaml")
    modelled = _standalone_basis_cost(scenario, partner_id)
    benchmark = scenario.partner(partner_id).inhabitants * BENCHMARK_EUR_PER_INHABITANT
    assert modelled == pytest.approx(benchmark, rel=0.08)


def test_current_municipalities_add_up_to_their_benchmark():
    ids = ["hengelo", "oldenzaal", "haaksbergen"]
    modelled = sum(_standalone_basis_cost(BASIS, p) for p in ids)
    benchmark = sum(BASIS.partner(p).inhabitants for p in ids) * BENCHMARK_EUR_PER_INHABITANT
    assert modelled == pytest.approx(benchmark, rel=0.002)


def test_fixed_share_at_the_reference_partner_follows_facts():
    """FACTS §3.4: 40% of in-scope cost does not vary with volume (range 30-50%)."""
    basis = [s for s in BASIS.services if s.package == "basis"]
    total = _standalone_basis_cost(BASIS, "haaksbergen")
    shared_fixed = sum(s.fixed_annual_cost_eur for s in basis)
    per_organisation = sum(s.unit_annual_cost_eur for s in basis if s.driver == "organisations")
    assert 0.30 <= shared_fixed / total <= 0.50 or 0.30 <= (shared_fixed + per_organisation) / total <= 0.50
    assert (shared_fixed + per_organisation) / total == pytest.approx(0.40, abs=0.03)
