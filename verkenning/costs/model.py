"""The scale-effect cost model: what any coalition of partners would pay per year for its services.

Per service s and coalition S, the *volume* is the sum of the service's driver (workstations,
inhabitants, fte, applications, organisations) over the members of S that take s, where taking a
service pulls in everything it depends on (the closure of the dependency graph). For the
``fixed`` driver the volume is 1 when any member takes s. The annual cost is

    K_s(S) = F_s + u_s · r_s · (V_s(S) / r_s)^e_s      when some member of S takes s, else 0,

with F_s = ``fixed_annual_cost_eur``, u_s = ``unit_annual_cost_eur``, e_s = ``scale_exponent`` and
r_s = ``reference_volume``, the size at which u_s was calibrated: the exponent bends the cost curve
around that size, so it changes the scale effect and not the level of cost (with e_s = 1 the
reference drops out). An exponent below 1 is an economy of scale and above 1 a diseconomy; the
public evidence for Dutch municipal IT is mixed (FACTS §3.3), so the exponent is an input (default
1) and the only built-in advantage of pooling is that F_s is paid once. A coalition of m ≥ 2
organisations also pays a coordination overhead k · (m − 1) (governance, DVO, demand coordination; k =
``coordination_annual_cost_eur_per_organisation``): one partner alone coordinates with nobody.

So c(S) = Σ_s K_s(S) + k · (|S| − 1), at the prices of the base year, for every coalition at once:
the volumes of all 2^m coalitions are one matrix product (coalition membership × partner volumes).

Stand-alone cost of a partner is c({p}) from the same model, unless the scenario gives an observed
``standalone_annual_cost_eur``: then c({p}) is that figure, and coalitions of two or more stay
modelled on the centre's platform, because the centre's processes and infrastructure lead (the
council letter). The gap between the observed and the modelled stand-alone cost is reported as the
calibration factor, so a reader sees how far the model is from that partner's books.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import VerkenningError
from ..graph import closure, partner_closure
from ..scenario import Scenario

__all__ = ["MAX_PARTNERS", "CostModel", "cost_model"]

MAX_PARTNERS = 20
"""Coalition costs are computed for every subset of the members of a year: 2^20 rows at most."""


@dataclass(frozen=True, eq=False)
class CostModel:
    """A scenario's partners and services as arrays (partners in scenario order, services by id)."""

    scenario: Scenario
    partners: tuple[str, ...]
    services: tuple[str, ...]
    takes: np.ndarray
    """partners × services: whether the partner takes the service (its closure)."""
    volume: np.ndarray
    """partners × services: the partner's quantity of the service's driver (1 for organisations/fixed)."""
    fixed: np.ndarray
    unit: np.ndarray
    exponent: np.ndarray
    reference: np.ndarray
    """services: the reference volume r_s of the cost curve."""
    per_unit: np.ndarray
    """services: whether the driver is a quantity (False for the ``fixed`` driver, where u_s is unused)."""
    volume_scales: np.ndarray
    """services: whether the driver grows with volume growth (not so for organisations and fixed)."""
    keys: tuple[str, ...]
    """services: how the scenario's own key shares each (its ``allocation_key``, else its driver)."""
    coordination: float
    observed: np.ndarray
    """partners: observed stand-alone annual cost, NaN where none is given."""

    def index(self, partner: str) -> int:
        return self.partners.index(partner)

    def quantity(self, key: str) -> np.ndarray:
        """Each partner's quantity of a key or driver; one per partner for equal, organisations, fixed."""
        if key in ("equal", "organisations", "fixed"):
            return np.ones(len(self.partners))
        return np.array([float(getattr(p, key)) for p in self.scenario.partners])

    def key_weights(self) -> np.ndarray:
        """partners × services: each partner's weight in the scenario's key of each service it takes."""
        return np.column_stack([self.quantity(key) for key in self.keys]) * self.takes

    def service_costs(self, members: np.ndarray, volume_factor: float = 1.0) -> np.ndarray:
        """K_s(S) for coalitions given as a membership matrix (coalitions × partners, 0/1).

        ``volume_factor`` scales every partner's volumes (volume growth over the years).
        """
        members = np.atleast_2d(members).astype(float)
        takers = members @ self.takes
        scaled = np.where(self.volume_scales, self.volume * volume_factor, self.volume)
        volume = members @ (self.takes * scaled)
        ratio = volume / self.reference
        variable = np.where(self.per_unit, self.unit * self.reference * np.power(ratio, self.exponent), 0.0)
        return np.where(takers > 0, self.fixed + variable, 0.0)

    def coordination_cost(self, members: np.ndarray) -> np.ndarray:
        """k · (|S| − 1) for coalitions of two or more, 0 otherwise."""
        size = np.atleast_2d(members).sum(axis=1)
        return self.coordination * np.maximum(size - 1, 0)

    def modelled_standalone(self, volume_factor: float = 1.0) -> np.ndarray:
        """c({p}) from the model, for every partner (ignoring observed figures)."""
        return self.service_costs(np.eye(len(self.partners)), volume_factor).sum(axis=1)

    def standalone(self, volume_factor: float = 1.0) -> np.ndarray:
        """c({p}): the observed stand-alone cost where given (scaled with the volumes), else modelled."""
        modelled = self.modelled_standalone(volume_factor)
        return np.where(np.isnan(self.observed), modelled, self.observed * volume_factor)

    def calibration(self) -> np.ndarray:
        """Observed over modelled stand-alone cost per partner (NaN where nothing is observed)."""
        return self.observed / self.modelled_standalone()

    def coalition_costs(self, members: list[int] | tuple[int, ...], volume_factor: float = 1.0) -> np.ndarray:
        """c(S) at base-year prices for every subset S of ``members`` (partner indices), by bitmask.

        Bit i of the mask is ``members[i]``; singletons are the stand-alone costs.
        """
        m = len(members)
        if m > MAX_PARTNERS:
            raise VerkenningError(
                f"{m} partners at once is more than the {MAX_PARTNERS} whose coalitions can be listed"
            )
        membership = np.zeros((1 << m, len(self.partners)))
        bits = (np.arange(1 << m)[:, None] >> np.arange(m)) & 1
        membership[:, list(members)] = bits
        cost = self.service_costs(membership, volume_factor).sum(axis=1) + self.coordination_cost(membership)
        cost[1 << np.arange(m)] = self.standalone(volume_factor)[list(members)]
        cost[0] = 0.0
        return cost


def cost_model(scenario: Scenario, taking: Mapping[str, tuple[str, ...]] | None = None) -> CostModel:
    """The arrays of the cost model for a scenario; ``taking`` overrides what some partners take
    (service ids or packages, as in a scenario file), for the status quo."""
    partners = tuple(p.id for p in scenario.partners)
    services = tuple(sorted(s.id for s in scenario.services))
    column = {s: j for j, s in enumerate(services)}
    takes = np.zeros((len(partners), len(services)), dtype=bool)
    volume = np.zeros((len(partners), len(services)))
    catalogue = {s.id: s for s in scenario.services}
    for i, partner in enumerate(scenario.partners):
        taken = (
            partner_closure(scenario, partner)
            if taking is None or partner.id not in taking
            else closure(scenario, scenario.expand(taking[partner.id]))
        )
        for service_id in taken:
            takes[i, column[service_id]] = True
        for service_id, j in column.items():
            volume[i, j] = partner.volume(catalogue[service_id].driver)
    ordered = [catalogue[s] for s in services]
    return CostModel(
        scenario=scenario,
        partners=partners,
        services=services,
        takes=takes,
        volume=volume,
        fixed=np.array([float(s.fixed_annual_cost_eur) for s in ordered]),
        unit=np.array([float(s.unit_annual_cost_eur) for s in ordered]),
        exponent=np.array([float(s.scale_exponent) for s in ordered]),
        reference=np.array([float(s.reference_volume) for s in ordered]),
        per_unit=np.array([s.driver != "fixed" for s in ordered]),
        volume_scales=np.array([s.driver not in ("fixed", "organisations") for s in ordered]),
        keys=tuple(s.allocation_key or s.driver for s in ordered),
        coordination=float(scenario.parameters.coordination_annual_cost_eur_per_organisation),
        observed=np.array(
            [
                np.nan if p.standalone_annual_cost_eur is None else float(p.standalone_annual_cost_eur)
                for p in scenario.partners
            ]
        ),
    )
