"""Every number the cost model reads, as arrays over a leading batch axis of samples.

A study is the batch of one: the scenario's own figures. A sweep is a batch of n samples in which
the scenario's uncertain figures are drawn (:func:`with_draws`): a draw replaces the figure, or
multiplies it when the uncertainty is a ``factor``; a ``*`` in the path applies one draw to every
partner or service, moving each item's own value in proportion (the draw over the items' mean: at
the mean, every item keeps its own value). This is the one place where a figure path
(``services.WP.scale_exponent``, ``partners.borne.workstations``,
``partners.borne.baseline.annual_cost_eur``, ``parameters.absence_rate``, ``discount_rate``) meets
an array.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from ..scenario import Scenario
from ..scenario.checks import values_at
from ..scenario.schema import Parameters, Uncertainty

__all__ = ["PARAMETERS", "PARTNER_FIGURES", "SERVICE_FIGURES", "Inputs", "scenario_inputs", "with_draws"]

PARTNER_FIGURES = ("inhabitants", "fte", "workstations", "applications")
"""The partner figures that drive costs and keys, in the order of ``Inputs.partner``'s last axis."""
SERVICE_FIGURES = ("fixed_annual_cost_eur", "unit_annual_cost_eur", "scale_exponent")
PARAMETERS = tuple(
    name
    for name in Parameters.model_fields
    if name
    not in (
        "transition_cost_bearer",
        "transition_phasing",
        "friction_bearers",
        "exit_method",
        "pricing",
        "fourk_weights",
    )
)
"""The numeric model parameters (the others are choices, not numbers)."""


@dataclass(frozen=True, eq=False)
class Inputs:
    """The figures of n samples: arrays whose first axis is the sample."""

    fixed: np.ndarray
    """n × services: ``fixed_annual_cost_eur``."""
    unit: np.ndarray
    """n × services: ``unit_annual_cost_eur``."""
    exponent: np.ndarray
    """n × services: ``scale_exponent``."""
    partner: np.ndarray
    """n × partners × PARTNER_FIGURES."""
    observed: np.ndarray
    """n × partners: observed stand-alone annual cost, NaN where none is given."""
    observed_service: np.ndarray
    """n × partners × services: observed stand-alone cost per service (the nulmeting), NaN elsewhere."""
    volume_growth: np.ndarray
    """n × partners: a partner's own volume growth, NaN where it follows ``parameters.volume_growth``."""
    parameters: dict[str, np.ndarray]
    """Parameter name → n values."""
    discount: np.ndarray
    """n: the discount rate."""

    @property
    def n(self) -> int:
        return self.fixed.shape[0]

    def parameter(self, name: str) -> np.ndarray:
        return self.parameters[name]

    def take(self, rows: slice) -> Inputs:
        """The figures of the samples ``rows``."""
        return Inputs(
            **{f.name: getattr(self, f.name)[rows] for f in fields(self) if f.name != "parameters"},
            parameters={name: values[rows] for name, values in self.parameters.items()},
        )


def scenario_inputs(scenario: Scenario, services: tuple[str, ...]) -> Inputs:
    """The scenario's own figures as a batch of one (services in the given order)."""
    ordered = [scenario.service(s) for s in services]

    def row(values) -> np.ndarray:
        return np.array([[float(v) for v in values]])

    return Inputs(
        fixed=row(s.fixed_annual_cost_eur for s in ordered),
        unit=row(s.unit_annual_cost_eur for s in ordered),
        exponent=row(s.scale_exponent for s in ordered),
        partner=np.array([[[float(getattr(p, f)) for f in PARTNER_FIGURES] for p in scenario.partners]]),
        observed=row(np.nan if p.observed_cost is None else p.observed_cost for p in scenario.partners),
        observed_service=np.array(
            [
                [
                    [
                        float(p.baseline.services[s])
                        if p.baseline is not None and s in p.baseline.services
                        else np.nan
                        for s in services
                    ]
                    for p in scenario.partners
                ]
            ]
        ),
        volume_growth=row(np.nan if p.volume_growth is None else p.volume_growth for p in scenario.partners),
        parameters={name: np.array([float(getattr(scenario.parameters, name))]) for name in PARAMETERS},
        discount=np.array([float(scenario.discount_rate)]),
    )


def with_draws(
    base: Inputs,
    scenario: Scenario,
    services: tuple[str, ...],
    paths: tuple[str, ...],
    specs: tuple[Uncertainty, ...],
    draws: np.ndarray,
) -> Inputs:
    """``base`` (a batch of one) repeated for every row of ``draws`` (n × paths), the draws applied."""
    n = draws.shape[0]
    tiled = {
        "fixed": np.repeat(base.fixed, n, axis=0),
        "unit": np.repeat(base.unit, n, axis=0),
        "exponent": np.repeat(base.exponent, n, axis=0),
        "partner": np.repeat(base.partner, n, axis=0),
        "observed": np.repeat(base.observed, n, axis=0),
        "observed_service": np.repeat(base.observed_service, n, axis=0),
        "volume_growth": np.repeat(base.volume_growth, n, axis=0),
    }
    parameters = {name: np.repeat(values, n) for name, values in base.parameters.items()}
    discount = np.repeat(base.discount, n)
    column_of_service = {sid: j for j, sid in enumerate(services)}
    row_of_partner = {p.id: i for i, p in enumerate(scenario.partners)}
    for column, (path, spec) in enumerate(zip(paths, specs, strict=True)):
        draw = draws[:, column]
        head, *rest = path.split(".")
        if head == "discount_rate":
            discount = discount * draw if spec.factor else draw.copy()
            continue
        if head == "parameters":
            parameters[rest[0]] = parameters[rest[0]] * draw if spec.factor else draw.copy()
            continue
        if head == "services":
            array = tiled[("fixed", "unit", "exponent")[SERVICE_FIGURES.index(rest[1])]]
            columns = list(column_of_service.values()) if rest[0] == "*" else [column_of_service[rest[0]]]
            index: tuple = (slice(None), columns)
        else:
            rows = list(row_of_partner.values()) if rest[0] == "*" else [row_of_partner[rest[0]]]
            if rest[1] == "baseline" and rest[2] == "services":
                array, index = tiled["observed_service"], (slice(None), rows, column_of_service[rest[3]])
            elif rest[1] in ("standalone_annual_cost_eur", "baseline"):
                array, index = tiled["observed"], (slice(None), rows)
            else:
                array, index = tiled["partner"], (slice(None), rows, PARTNER_FIGURES.index(rest[1]))
        current = array[index]
        value = draw.reshape((-1,) + (1,) * (current.ndim - 1))
        if not spec.factor and rest[0] == "*":  # the typical item: every item moves in proportion
            own = values_at(scenario, path)
            reference = float(np.mean(own)) if own else 0.0
            if reference:
                array[index] = current * (value / reference)
                continue
        array[index] = current * value if spec.factor else np.broadcast_to(value, current.shape)
    return replace(base, **tiled, parameters=parameters, discount=discount)
