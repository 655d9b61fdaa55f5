"""Named example scenarios built in code: small cooperations whose answers can be worked by hand.

Tests, doctests and notebooks start from these (or from the shipped files in ``scenarios/``)
instead of writing scenario text of their own. Each function returns a validated Scenario on top
of the embedded defaults; keyword arguments change the figures a case is about.

>>> two_partners().partners[1].id
'b'
"""

from __future__ import annotations

from typing import Any

from .scenario import Scenario

__all__ = ["PLATFORM_ONLY", "three_partners", "two_partners"]

PLATFORM_ONLY = {
    "transition_team_fte": 0,
    "transition_migration_eur_per_workstation": 0,
    "transition_network_eur": 0,
    "transition_training_eur_per_fte": 0,
    "double_running_months": 0,
    "stranded_book_value_share": 0,
    "guarantee_share": 0,
    "surplus_fte_share": 0,
    "social_plan_eur_per_fte": 0,
    "retained_fte": 0,
    "retained_fte_per_100k_inhabitants": 0,
}
"""The business case's lines beside the platform switched off (``costs.lines``): the examples are
about the platform's costs and shares; a case about a line passes it as a keyword argument."""


def _no_growth(**parameters: Any) -> dict[str, Any]:
    return {
        "cost_growth_standalone": 0,
        "cost_growth_cooperation": 0,
        "inflation": 0,
        **PLATFORM_ONLY,
        **parameters,
    }


def two_partners(
    fixed_eur: float = 1000, coordination_eur: float = 0, b_joins: int | None = None, **parameters: Any
) -> Scenario:
    """A (100 workstations, 1,000 inhabitants) and B (50, 3,000) share one network service.

    NET costs ``fixed_eur`` plus 10 euro per workstation (exponent 1): c(A) = F + 1000,
    c(B) = F + 500, c(AB) = F + 1500 + coordination. Three years, 10% discount rate, no growth, and
    none of the business case's lines beside the platform (:data:`PLATFORM_ONLY`).
    """
    b = {
        "id": "b",
        "name": "B",
        "kind": "municipality",
        "workstations": 50,
        "inhabitants": 3000,
        "services": ["NET"],
    }
    if b_joins is not None:
        b["joins"] = b_joins
    return Scenario.from_mapping(
        {
            "name": "twee",
            "question": "Wat kost samen tegenover alleen?",
            "centre": "a",
            "horizon_years": 3,
            "discount_rate": 0.1,
            "partners": [
                {
                    "id": "a",
                    "name": "A",
                    "kind": "municipality",
                    "workstations": 100,
                    "inhabitants": 1000,
                    "services": ["NET"],
                },
                b,
            ],
            "services": [
                {
                    "id": "NET",
                    "fixed_annual_cost_eur": fixed_eur,
                    "unit_annual_cost_eur": 10,
                    "depends_on": [],
                }
            ],
            "parameters": _no_growth(
                coordination_annual_cost_eur_per_organisation=coordination_eur, **parameters
            ),
        },
        origin="examples.two_partners",
    )


def three_partners(coordination_eur: float = 100, **parameters: Any) -> Scenario:
    """As :func:`two_partners` plus C (50 workstations, no inhabitants), coordination 100 per extra member:
    c(AB) = 2600, c(BC) = 2100, c(ABC) = 3200."""
    two = two_partners(coordination_eur=coordination_eur, **parameters)
    c = two.partners[1].model_copy(update={"id": "c", "name": "C", "kind": "other", "inhabitants": 0})
    return two.derive(partners=(*two.partners, c))
