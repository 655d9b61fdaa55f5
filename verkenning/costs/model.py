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
1) and the only built-in advantage of pooling is that F_s is paid once. How large F_s is, is itself
uncertain: ``fixed_share_scale`` λ scales every F_s and moves the difference into the volume part,
so that the cost at the reference volume T_s = F_s + u_s r_s stays what it was (``cost_curve``).
A coalition of m ≥ 2 organisations also pays a coordination overhead k · (m − 1) (governance, DVO,
demand coordination; k = ``coordination_annual_cost_eur_per_organisation``): one partner alone
coordinates with nobody.

So c(S) = Σ_s K_s(S) + k · (|S| − 1), at the prices of the base year, for every coalition at once:
the volumes of all 2^m coalitions are subset sums of the members' volumes, O(m 2^m) per service.

Stand-alone cost of a partner is c({p}) from the same model, unless the partner's nulmeting
(``baseline``) gives observed costs: per service where given (K_s({p}) is then that figure), and for
the whole in-scope cost where given (``baseline.annual_cost_eur``, or ``standalone_annual_cost_eur``):
then c({p}) is that figure, and coalitions of two or more stay
modelled on the centre's platform, because the centre's processes and infrastructure lead (the
council letter). The gap between the observed and the modelled stand-alone cost is reported as the
calibration factor, so a reader sees how far the model is from that partner's books.

Every figure is an array over a leading batch axis of samples (``inputs.py``): the study is the batch
of one, a sweep n samples. Each method returns arrays with that axis first, so the deterministic
study, the uncertainty sweep and the admission choice evaluate this one model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from ..errors import VerkenningError
from ..games.game import CACHE_CELLS, block_sums, group_counts, subset_sums
from ..scenario import Scenario
from ..scenario.checks import MAX_PARTNERS
from .inputs import PARTNER_FIGURES, Inputs, scenario_inputs

__all__ = ["MAX_PARTNERS", "CostModel", "cost_model"]

MIN_BLOCK_BITS = 10
"""The fewest coalitions (2^10) :meth:`CostModel.coalition_costs` works on at once when all of them
do not fit in the cache: below it, the formula's few dozen array operations per block cost more than
the cache saves."""


@dataclass(frozen=True, eq=False)
class CostModel:
    """A scenario's partners and services as arrays (partners in scenario order, services by id).

    The structure (who takes what, drivers and keys) is fixed; the figures (``inputs``) carry a
    leading batch axis of n samples.
    """

    scenario: Scenario
    partners: tuple[str, ...]
    services: tuple[str, ...]
    takes: np.ndarray
    """partners × services: whether the partner takes the service (its closure)."""
    drivers: tuple[str, ...]
    """services: the cost driver of each."""
    keys: tuple[str, ...]
    """services: how the scenario's own key shares each (its ``allocation_key``, else its driver)."""
    reference: np.ndarray
    """services: the reference volume r_s of the cost curve."""
    per_unit: np.ndarray
    """services: whether the driver is a quantity (False for the ``fixed`` driver, where u_s is unused)."""
    volume_scales: np.ndarray
    """services: whether the driver grows with volume growth (not so for organisations and fixed)."""
    inputs: Inputs

    @property
    def n(self) -> int:
        """The number of samples in the batch."""
        return self.inputs.n

    def index(self, partner: str) -> int:
        try:
            return self.partners.index(partner)
        except ValueError:
            raise VerkenningError(
                f"unknown partner {partner!r}; the partners are {', '.join(self.partners)}"
            ) from None

    def quantity(self, names: tuple[str, ...] | str) -> np.ndarray:
        """n × partners (× names): each partner's quantity of drivers or keys; 1 for a count of one."""
        single = isinstance(names, str)
        columns = [
            self.inputs.partner[:, :, PARTNER_FIGURES.index(name)]
            if name in PARTNER_FIGURES
            else np.ones((self.n, len(self.partners)))
            for name in ((names,) if single else names)
        ]
        return columns[0] if single else np.stack(columns, axis=2)

    @cached_property
    def volume(self) -> np.ndarray:
        """n × partners × services: the partner's quantity of each service's driver."""
        return self.quantity(self.drivers)

    @cached_property
    def cost_curve(self) -> tuple[np.ndarray, np.ndarray]:
        """n × services: the fixed and unit costs in force, with the shared fixed part scaled.

        λ = ``fixed_share_scale``; with T_s = F_s + u_s r_s the cost at the reference volume,
        F'_s = min(λ F_s, T_s) and u'_s = (T_s − F'_s) / r_s: the structural uncertainty moves cost
        between the shared and the volume part and leaves the reference level alone. A service with
        the ``fixed`` driver has no volume part to move it to and keeps F_s.
        """
        x = self.inputs
        scale = x.parameter("fixed_share_scale")[:, None]
        total = x.fixed + x.unit * self.reference
        fixed = np.where(self.per_unit, np.minimum(scale * x.fixed, total), x.fixed)
        unit = np.where(self.per_unit, (total - fixed) / self.reference, x.unit)
        exact = scale == 1.0  # the catalogue as stated, to the last bit
        return np.where(exact, x.fixed, fixed), np.where(exact, x.unit, unit)

    @cached_property
    def key_weights(self) -> np.ndarray:
        """n × partners × services: each partner's weight in the key of each service it takes."""
        return self.quantity(self.keys) * self.takes

    def take(self, rows: slice) -> CostModel:
        """The same model for the samples ``rows``; what this one has computed of its figures
        (volumes, cost curves, key weights: each sample's own) is sliced, not computed again."""
        block = replace(self, inputs=self.inputs.take(rows))
        for name in ("volume", "key_weights"):
            if name in self.__dict__:
                block.__dict__[name] = self.__dict__[name][rows]
        if "cost_curve" in self.__dict__:
            block.__dict__["cost_curve"] = tuple(part[rows] for part in self.cost_curve)
        return block

    def with_takes(self, takes: np.ndarray) -> CostModel:
        """The same figures with other services taken (the status quo's)."""
        return replace(self, takes=takes)

    def service_costs(self, members: np.ndarray, volume_factor: np.ndarray | float = 1.0) -> np.ndarray:
        """K_s(S) for coalitions given as a membership matrix (coalitions × partners, 0/1): n × C × S.

        ``volume_factor`` scales the partners' volumes: one for all, one per sample (n), or one per
        sample and partner (n × partners).
        """
        x = self.inputs
        fixed_cost, unit_cost = self.cost_curve
        members = np.atleast_2d(members).astype(float)
        factor = self._per_partner(volume_factor)
        scaled = np.where(self.volume_scales, self.volume * factor[:, :, None], self.volume)
        pooled = members @ (self.takes * scaled)  # C × P times n × P × S: n × C × S
        taken = (members @ self.takes) > 0
        ratio = pooled / self.reference
        power = np.power(ratio, x.exponent[:, None, :])
        variable = np.where(self.per_unit, unit_cost[:, None, :] * self.reference * power, 0.0)
        return np.where(taken[None], fixed_cost[:, None, :] + variable, 0.0)

    def _per_partner(self, volume_factor: np.ndarray | float) -> np.ndarray:
        """A volume factor as n × partners (from a scalar, one per sample, or one per sample and partner)."""
        factor = np.asarray(volume_factor, dtype=float)
        if factor.ndim == 1:
            factor = factor[:, None]
        return np.broadcast_to(factor, (self.n, len(self.partners)))

    def coordination_cost(self, members: np.ndarray) -> np.ndarray:
        """n × C: k · (|S| − 1) for coalitions of two or more, 0 otherwise."""
        size = np.atleast_2d(members).sum(axis=1)
        k = self.inputs.parameter("coordination_annual_cost_eur_per_organisation")
        return k[:, None] * np.maximum(size.astype(float) - 1, 0)

    def alone_by_service(self, volume_factor: np.ndarray | float = 1.0) -> np.ndarray:
        """n × partners × services: K_s({p}), what each service costs a partner on its own: observed
        (the nulmeting, scaled with the volumes) where given for a service the partner takes, else
        modelled."""
        modelled = self.service_costs(np.eye(len(self.partners)), volume_factor)
        observed = self.inputs.observed_service * self._per_partner(volume_factor)[:, :, None]
        return np.where(np.isnan(observed) | ~self.takes, modelled, observed)

    def modelled_standalone(self, volume_factor: np.ndarray | float = 1.0) -> np.ndarray:
        """n × partners: c({p}) from the model (ignoring observed figures)."""
        return self.alone_by_service(volume_factor).sum(axis=2)

    def standalone(
        self, volume_factor: np.ndarray | float = 1.0, modelled: np.ndarray | None = None
    ) -> np.ndarray:
        """n × partners: the observed stand-alone cost where given (scaled with the volumes), else
        modelled (``modelled``: the modelled stand-alone cost at this volume factor, if known)."""
        modelled = self.modelled_standalone(volume_factor) if modelled is None else modelled
        observed = self.inputs.observed
        return np.where(np.isnan(observed), modelled, observed * self._per_partner(volume_factor))

    def calibration(self) -> np.ndarray:
        """n × partners: observed over modelled stand-alone cost (NaN where nothing is observed)."""
        return self.inputs.observed / self.modelled_standalone()

    def _curve(
        self,
        pooled: np.ndarray,
        e: np.ndarray,
        unit_cost: np.ndarray,
        alike: list[int],
        in_place: bool = False,
    ) -> np.ndarray:
        """Σ_s u_s r_s (V/r_s)^e_s over the services ``alike`` (one driver, one group of takers) at
        the volumes ``pooled`` (n × coalitions, or 1 × coalitions); ``in_place``: ``pooled`` may be
        overwritten."""
        if (e == e[:, :1]).all():  # one exponent (a sweep draws one for all): one power
            # Σ_s u_s r_s (V/r_s)^e = V^e Σ_s u_s r_s^(1−e)
            scale = (unit_cost[:, alike] * self.reference[alike] ** (1.0 - e)).sum(axis=1)
            curve = np.power(pooled, e[:, :1], out=pooled if in_place else None)
            curve *= scale[:, None]
            return curve
        return sum(
            unit_cost[:, s, None] * self.reference[s] * (pooled / self.reference[s]) ** e[:, [j]]
            for j, s in enumerate(alike)
        )

    def coalition_costs(
        self,
        members: list[int] | tuple[int, ...],
        volume_factor: np.ndarray | float = 1.0,
        standalone: np.ndarray | None = None,
        own: np.ndarray | None = None,
    ) -> np.ndarray:
        """n × 2^m: c(S) at base-year prices for every subset S of ``members`` (partner indices).

        Bit i of the mask is ``members[i]``; singletons are the stand-alone costs (``standalone``,
        n × partners, when the caller has them at this volume factor already). ``own`` (n × m) is
        what each member adds to every group of two or more it is in (an entrant's level effect).
        """
        m = len(members)
        if m > MAX_PARTNERS:
            raise VerkenningError(
                f"{m} partners at once is more than the {MAX_PARTNERS} whose coalitions can be listed"
            )
        x, chosen = self.inputs, list(members)
        fixed_cost, unit_cost = self.cost_curve
        factor = self._per_partner(volume_factor)[:, chosen, None]
        volume = self.volume[:, chosen, :]
        volume = np.where(self.volume_scales, volume * factor, volume) * self.takes[chosen]  # n × m × S
        # V_s(S) as subset sums over the m members, never a 2^m × partners product; a service whose
        # exponent is 1 in every sample has a variable part linear in its volume, so all of those add
        # up per member first: one subset sum for them together
        linear = ~self.per_unit | np.all(x.exponent == 1.0, axis=0)
        weight = (np.where(self.per_unit & linear, unit_cost, 0.0)[:, None, :] * volume).sum(axis=2)
        # k · (|S| − 1) is k for each member less one k: in the same subset sum (the empty set and
        # the singletons are set at the end)
        k = self.inputs.parameter("coordination_annual_cost_eur_per_organisation")[:, None]
        weight += k if own is None else k + own
        takers = (self.takes[chosen] * (1 << np.arange(m))[:, None]).sum(axis=0)  # S: who takes s, a mask
        everyone = (1 << m) - 1
        # the 2^m coalitions in blocks of about CACHE_CELLS values (all at once when they are fewer),
        # so that every pass of the formula over a block reads it from the cache. A block's sums over
        # members add its high bits' members to its low bits' sums in the order subset_sums adds
        # them: the costs are the same to the bit whatever the blocks
        n = x.n
        b = m if n << m <= CACHE_CELLS else min(m, max(MIN_BLOCK_BITS, (CACHE_CELLS // n).bit_length() - 1))
        groups = []  # per group of takers: its mask, its fixed cost (n × 1) and its curves, each
        # (counts, table of powers, None) or (volumes, their low bits' subset sums, the power's form)
        for mask in np.unique(takers[takers > 0]):
            group = takers == mask
            curved = np.flatnonzero(group & ~linear)
            curves = []
            for driver in dict.fromkeys(self.drivers[s] for s in curved):
                alike = [s for s in curved if self.drivers[s] == driver]
                e = x.exponent[:, alike]
                if driver == "organisations":  # V(S) = |S ∩ takers|: m + 1 values, powers of those
                    table = self._curve(np.arange(m + 1, dtype=float)[None, :], e, unit_cost, alike)
                    curves.append((group_counts(m, int(mask))[0], table, None))
                else:  # the same takers and driver: one volume, its low bits' subset sums once
                    pooled = volume[:, :, alike[0]]
                    curves.append((pooled, subset_sums(pooled[:, :b]), (e, unit_cost, alike)))
            groups.append((int(mask), fixed_cost[:, group].sum(axis=1)[:, None], curves))
        low = subset_sums(weight[:, :b])
        cost = np.empty((n, 1 << m))  # updated in place: a fresh n × 2^m array per operation was a
        for start in range(0, 1 << m, 1 << b):  # third of the time, most of it the memory's first touch
            block = cost[:, start : start + (1 << b)]
            block_sums(low, weight, start >> b, b, out=block)
            block -= k
            for mask, shared, curves in groups:
                for source, part, form in curves:
                    if form is None:  # the counts: read the table of powers by count
                        curve = np.take(part, source[start : start + (1 << b)], axis=1)  # 6x a fancy index
                    else:  # the volumes: the block's subset sums, then their power
                        curve = self._curve(block_sums(part, source, start >> b, b), *form, in_place=True)
                    if shared.shape[1] == 1:
                        curve += shared  # x + y is y + x, to the bit
                        shared = curve
                    else:
                        shared += curve
                if mask == everyone:  # every coalition but ∅, which is set below
                    block += shared
                else:
                    meets = group_counts(m, mask)[1][start : start + (1 << b)]
                    np.add(block, shared, out=block, where=meets)
        alone = self.standalone(volume_factor) if standalone is None else standalone
        cost[:, 1 << np.arange(m)] = alone[:, chosen]
        cost[:, 0] = 0.0
        return cost


def cost_model(
    scenario: Scenario,
    taking: Mapping[str, tuple[str, ...]] | None = None,
    inputs: Inputs | None = None,
) -> CostModel:
    """The cost model of a scenario; ``taking`` overrides what some partners take (service ids or
    packages, as in a scenario file), for the status quo; ``inputs`` gives the figures (default: the
    scenario's own, a batch of one)."""
    partners = tuple(p.id for p in scenario.partners)
    services = tuple(sorted(s.id for s in scenario.services))
    column = {s: j for j, s in enumerate(services)}
    takes = np.zeros((len(partners), len(services)), dtype=bool)
    for i, partner in enumerate(scenario.partners):
        taken = (
            scenario.taken_by(partner)
            if taking is None or partner.id not in taking
            else scenario.closure(scenario.expand(taking[partner.id]))
        )
        for service_id in taken:
            takes[i, column[service_id]] = True
    ordered = [scenario.service(s) for s in services]
    return CostModel(
        scenario=scenario,
        partners=partners,
        services=services,
        takes=takes,
        drivers=tuple(s.driver for s in ordered),
        keys=tuple(s.allocation_key or s.driver for s in ordered),
        reference=np.array([float(s.reference_volume) for s in ordered]),
        per_unit=np.array([s.driver != "fixed" for s in ordered]),
        volume_scales=np.array([s.driver not in ("fixed", "organisations") for s in ordered]),
        inputs=scenario_inputs(scenario, services) if inputs is None else inputs,
    )
