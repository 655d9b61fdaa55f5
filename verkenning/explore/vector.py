"""The cost model vectorised across samples: every outcome of a sweep from one pass of array arithmetic.

This module recomputes, for n samples at once, what ``costs.paths`` computes for one scenario (the
same formulas, stated there): per year the cooperation's cost under the scenario's key, the status
quo, stand-alone costs, transition and exit amounts, and per partner the NPV of the saving; in the
reference year the core check of the key and of the other keys (by inhabitants, by workstations,
the Shapley value, SCRB) on that year's cost game, the win-win verdict, and the team's coverage.
Amounts are floats here (no cent rounding); ``tests/test_explore.py`` checks that with every input at
its scenario value the results equal ``costs.simulate`` to the cent.

Inputs are n × d draws for the scenario's uncertain figures; a draw replaces a figure, or multiplies
it when the uncertainty is a ``factor``; ``*`` applies one draw to every partner or service.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..costs import cost_model
from ..costs.model import CostModel
from ..costs.paths import member_matrix, reference_year
from ..games.rules import ROUNDING
from ..games.shapley import SMALL_PLAYERS, _small_operator
from ..scenario import Scenario
from ..scenario.schema import Uncertainty

__all__ = ["KEYS", "Plan", "evaluate", "plan"]

KEYS = ("key", "inhabitants", "workstations", "shapley", "scrb")
FIGURES = ("inhabitants", "fte", "workstations", "applications")
CHUNK_CELLS = 4_000_000
"""Samples are processed in blocks so that coalitions × samples × services stays about this size."""


@dataclass(frozen=True, eq=False)
class Plan:
    """What does not change between samples: memberships, catalogue, who takes what."""

    scenario: Scenario
    model: CostModel
    status_quo_model: CostModel
    paths: tuple[str, ...]
    specs: tuple[Uncertainty, ...]
    member: np.ndarray
    status_quo_member: np.ndarray
    reference: int
    entrant: np.ndarray
    join_index: np.ndarray
    leave_index: np.ndarray
    drivers: tuple[str, ...]
    keys: tuple[str, ...]
    role_fixed: np.ndarray
    role_unit: np.ndarray


def plan(scenario: Scenario, paths: tuple[str, ...], specs: tuple[Uncertainty, ...]) -> Plan:
    """Precompute the fixed structure of a sweep."""
    model = cost_model(scenario)
    years = scenario.years
    member = member_matrix(scenario, status_quo=False)
    status_quo_member = member_matrix(scenario, status_quo=True)
    reference = years.index(reference_year(scenario))
    catalogue = {s.id: s for s in scenario.services}
    roles = sorted({r for s in scenario.services for r in s.key_roles})
    role_fixed = np.zeros((len(model.services), len(roles)))
    role_unit = np.zeros_like(role_fixed)
    for j, service_id in enumerate(model.services):
        for role, need in catalogue[service_id].key_roles.items():
            role_fixed[j, roles.index(role)] += float(need.fixed_fte)
            role_unit[j, roles.index(role)] += float(need.fte_per_unit)
    index = {y: k for k, y in enumerate(years)}
    return Plan(
        scenario=scenario,
        model=model,
        status_quo_model=cost_model(scenario, scenario.status_quo[1]),
        paths=tuple(paths),
        specs=tuple(specs),
        member=member,
        status_quo_member=status_quo_member,
        reference=reference,
        entrant=np.array([p.joins is not None for p in scenario.partners]),
        join_index=np.array(
            [index.get(p.joins, -1) if p.joins is not None else -1 for p in scenario.partners]
        ),
        leave_index=np.array(
            [index.get(p.leaves, -1) if p.leaves is not None else -1 for p in scenario.partners]
        ),
        drivers=tuple(catalogue[s].driver for s in model.services),
        keys=model.keys,
        role_fixed=role_fixed,
        role_unit=role_unit,
    )


class _Inputs:
    """Per-sample arrays of every figure the model reads, with the draws applied."""

    def __init__(self, p: Plan, draws: np.ndarray):
        s, model = p.scenario, p.model
        n = draws.shape[0]
        self.n = n
        self.fixed = np.tile(model.fixed, (n, 1))
        self.unit = np.tile(model.unit, (n, 1))
        self.exponent = np.tile(model.exponent, (n, 1))
        self.reference = model.reference
        figures = np.array([[float(getattr(q, f)) for f in FIGURES] for q in s.partners])
        self.figures = np.tile(figures, (n, 1, 1))
        self.observed = np.tile(model.observed, (n, 1))
        names = [
            name
            for name in type(s.parameters).model_fields
            if name not in ("transition_cost_bearer", "fourk_weights")
        ]
        self.parameters = {name: np.full(n, float(getattr(s.parameters, name))) for name in names}
        self.discount = np.full(n, float(s.discount_rate))
        services = {sid: j for j, sid in enumerate(model.services)}
        partners = {q.id: i for i, q in enumerate(s.partners)}
        for column, (path, spec) in enumerate(zip(p.paths, p.specs, strict=True)):
            self._apply(path, spec, draws[:, column], services, partners)

    def _apply(self, path: str, spec: Uncertainty, draw: np.ndarray, services: dict, partners: dict) -> None:
        head, *rest = path.split(".")

        def put(array: np.ndarray, index) -> None:
            current = array[index]
            value = draw.reshape((-1,) + (1,) * (current.ndim - 1))
            array[index] = current * value if spec.factor else np.broadcast_to(value, current.shape)

        if head == "discount_rate":
            self.discount = self.discount * draw if spec.factor else draw.copy()
        elif head == "parameters":
            values = self.parameters[rest[0]]
            self.parameters[rest[0]] = values * draw if spec.factor else draw.copy()
        elif head == "services":
            array = {
                "fixed_annual_cost_eur": self.fixed,
                "unit_annual_cost_eur": self.unit,
                "scale_exponent": self.exponent,
            }[rest[1]]
            columns = list(services.values()) if rest[0] == "*" else [services[rest[0]]]
            put(array, (slice(None), columns))
        else:
            rows = list(partners.values()) if rest[0] == "*" else [partners[rest[0]]]
            if rest[1] == "standalone_annual_cost_eur":
                put(self.observed, (slice(None), rows))
            else:
                put(self.figures, (slice(None), rows, FIGURES.index(rest[1])))


def _driver_matrix(p: Plan, figures: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """n × P × S: each partner's quantity of each service's driver (or key); 1 for a count of one."""
    columns = [
        figures[:, :, FIGURES.index(name)] if name in FIGURES else np.ones(figures.shape[:2])
        for name in names
    ]
    return np.stack(columns, axis=2)


def _service_cost(x: _Inputs, volume: np.ndarray, taken: np.ndarray, per_unit: np.ndarray) -> np.ndarray:
    """K = F + u·V^e where taken (any leading shape ending in services)."""
    shape = (x.n,) + (1,) * (volume.ndim - 2) + (volume.shape[-1],)
    fixed, unit, exponent = (a.reshape(shape) for a in (x.fixed, x.unit, x.exponent))
    reference = x.reference
    with np.errstate(invalid="ignore", divide="ignore"):
        variable = np.where(per_unit, unit * reference * np.power(volume / reference, exponent), 0.0)
    return np.where(taken, fixed + variable, 0.0)


def evaluate(p: Plan, draws: np.ndarray) -> dict[str, np.ndarray]:
    """Outcomes of every sample (rows of ``draws``), in blocks that keep memory bounded."""
    m = int(p.member[:, p.reference].sum())
    size = max(1, CHUNK_CELLS // ((1 << m) * len(p.model.services)))
    parts = [_evaluate(p, draws[start : start + size]) for start in range(0, max(len(draws), 1), size)]
    return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}


def _evaluate(p: Plan, draws: np.ndarray) -> dict[str, np.ndarray]:
    s, model = p.scenario, p.model
    x = _Inputs(p, draws)
    n, n_partners, n_years = x.n, len(s.partners), len(s.years)
    par = x.parameters
    t = np.array(s.years) - s.base_year
    inflation = par["inflation"][:, None]
    g_alone = ((1 + par["cost_growth_standalone"][:, None]) / (1 + inflation)) ** t
    g_together = ((1 + par["cost_growth_cooperation"][:, None]) / (1 + inflation)) ** t
    vf = (1 + par["volume_growth"][:, None]) ** t
    per_unit = model.per_unit
    scales = model.volume_scales
    volume_base = _driver_matrix(p, x.figures, p.drivers)
    weights = _driver_matrix(p, x.figures, p.keys) * model.takes
    level = par["level_effect_entrant"]
    coordination = par["coordination_annual_cost_eur_per_organisation"]

    def volume_at(k: int) -> np.ndarray:
        return np.where(scales, volume_base * vf[:, k, None, None], volume_base)

    def alone(volume: np.ndarray, takes: np.ndarray, observed: np.ndarray | None) -> np.ndarray:
        cost = _service_cost(x, volume * takes, takes[None], per_unit).sum(axis=2)
        return cost if observed is None else np.where(np.isnan(observed), cost, observed)

    def year_key(takes: np.ndarray, members: np.ndarray, k: int, standalone_base: np.ndarray):
        """Total and key shares (n × P, zero for non-members) of one year's cooperation."""
        if not members.any():
            return np.zeros(n), np.zeros((n, n_partners))
        volume = volume_at(k)
        held = takes & members[:, None]
        pooled = (volume * held).sum(axis=1)
        lines = _service_cost(x, pooled, held.any(axis=0), per_unit) * g_together[:, k, None]
        weight = weights * members[None, :, None]
        total_weight = weight.sum(axis=1)
        takers = held.sum(axis=0)
        by_weight = np.where(total_weight > 0, lines / np.where(total_weight > 0, total_weight, 1), 0.0)
        equal = np.where((total_weight <= 0) & (takers > 0), lines / np.maximum(takers, 1), 0.0)
        share = (by_weight[:, None, :] * weight).sum(axis=2) + (equal[:, None, :] * held[None]).sum(axis=2)
        count = members.sum()
        overhead = coordination * max(count - 1, 0) * g_together[:, k]
        share += np.where(members, overhead[:, None] / count, 0.0)
        own = np.where(members & p.entrant, level[:, None] * standalone_base * g_together[:, k, None], 0.0)
        share += own
        return share.sum(axis=1), share

    standalone = np.zeros((n, n_partners, n_years))
    extra = np.zeros_like(standalone)
    share = np.zeros_like(standalone)
    status_quo_share = np.zeros_like(standalone)
    total = np.zeros((n, n_years))
    extra_takes = model.takes & ~p.status_quo_model.takes
    for k in range(n_years):
        volume = volume_at(k)
        base_alone = alone(volume, model.takes, x.observed * vf[:, k, None])
        standalone[:, :, k] = base_alone * g_alone[:, k, None]
        extra[:, :, k] = alone(volume, extra_takes, None) * g_alone[:, k, None]
        total[:, k], share[:, :, k] = year_key(model.takes, p.member[:, k], k, base_alone)
        _, status_quo_share[:, :, k] = year_key(
            p.status_quo_model.takes, p.status_quo_member[:, k], k, base_alone
        )

    transition, exit_fee = _one_offs(p, x, share, alone(volume_base, model.takes, x.observed))
    member = p.member[None]
    cost = np.where(member, share + transition + exit_fee, standalone)
    status_quo = np.where(p.status_quo_member[None], status_quo_share + extra, standalone)
    saving = status_quo - cost
    npv = (saving / (1 + x.discount[:, None, None]) ** t).sum(axis=2)

    k = p.reference
    members = np.flatnonzero(p.member[:, k])
    incumbents = p.member[:, k] & p.status_quo_member[:, k]
    entrants = p.member[:, k] & ~p.status_quo_member[:, k]
    game = _reference_game(
        p,
        x,
        volume_at(k),
        members,
        k,
        g_alone,
        g_together,
        alone(volume_at(k), model.takes, x.observed * vf[:, k, None]),
    )
    keyed = {"key": share[:, members, k]}
    figures = x.figures[:, members]
    for name in ("inhabitants", "workstations"):
        w = figures[:, :, FIGURES.index(name)]
        w = np.where(w.sum(axis=1, keepdims=True) > 0, w, 1.0)
        keyed[name] = total[:, k, None] * w / w.sum(axis=1, keepdims=True)
    if len(members) <= SMALL_PLAYERS:
        keyed["shapley"] = game @ _small_operator(len(members)).T
    keyed["scrb"] = _scrb(game, len(members))
    bits = ((np.arange(1 << len(members))[:, None] >> np.arange(len(members))) & 1).astype(float)
    tolerance = 1e-7 * np.abs(game).max(axis=1, keepdims=True)
    in_core = {name: ((x_ @ bits.T) <= game + tolerance).all(axis=1) for name, x_ in keyed.items()}
    worse_incumbent = (
        ((cost[:, :, k] > status_quo[:, :, k] + 0.5) | (npv < -0.5))[:, incumbents].any(axis=1)
        if incumbents.any()
        else np.zeros(n, bool)
    )
    worse_entrant = (
        (cost[:, :, k] > standalone[:, :, k] + 0.5)[:, entrants].any(axis=1)
        if entrants.any()
        else np.zeros(n, bool)
    )
    fte = _role_fte(p, x, volume_at(k), members)
    absence = par["absence_rate"][:, None]
    coverage = np.prod(np.where(fte > 0, 1 - absence**fte, 1.0), axis=1)
    out = {
        "win_win": in_core["key"] & ~worse_incumbent & ~worse_entrant,
        "entrant_gains": (npv[:, p.entrant] > 0).all(axis=1) if p.entrant.any() else np.ones(n, bool),
        "incumbents_gain": (npv[:, incumbents] > 0).all(axis=1) if incumbents.any() else np.ones(n, bool),
        "cooperation_cost_eur": total[:, k],
        "coverage_probability": coverage,
        "bus_factor_roles": (fte < par["key_role_min_fte"][:, None]).sum(axis=1).astype(float),
    }
    for name, flags in in_core.items():
        out[f"in_core:{name}"] = flags
    for i, partner in enumerate(model.partners):
        out[f"npv_eur:{partner}"] = npv[:, i]
        out[f"cost_eur:{partner}"] = cost[:, i, k]
    return out


def _one_offs(p: Plan, x: _Inputs, share: np.ndarray, base_alone: np.ndarray):
    """Transition and exit amounts per sample, partner and year (as ``costs.paths`` computes them)."""
    s = p.scenario
    transition = np.zeros_like(share)
    exit_fee = np.zeros_like(share)
    par = x.parameters
    by_key = s.parameters.transition_cost_bearer == "key"
    for i, partner in enumerate(s.partners):
        k = p.join_index[i]
        if partner.joins is not None and partner.joins > s.base_year and k >= 0:
            whole = par["transition_cost_share"] * base_alone[:, i]
            first = whole * par["transition_share_first_year"]
            for kk, amount in ((k, first), (k + 1, whole - first)):
                if kk >= len(s.years):
                    continue
                if by_key:
                    weights = share[:, :, kk] * p.member[:, kk]
                    transition[:, :, kk] += amount[:, None] * weights / weights.sum(axis=1, keepdims=True)
                else:
                    transition[:, i, kk] += amount
        k = p.leave_index[i]
        if partner.leaves is not None and partner.leaves > s.base_year and k > 0:
            fee = par["exit_cost_share"] * share[:, i, k - 1]
            exit_fee[:, i, k] += fee
            weights = share[:, :, k] * p.member[:, k]
            exit_fee[:, :, k] -= (
                fee[:, None] * weights / np.maximum(weights.sum(axis=1, keepdims=True), 1e-300)
            )
    return transition, exit_fee


def _reference_game(p, x, volume, members, k, g_alone, g_together, standalone) -> np.ndarray:
    """c_y(S) for every subset S of the reference year's members, per sample (n × 2^m)."""
    model = p.model
    m = len(members)
    bits = ((np.arange(1 << m)[:, None] >> np.arange(m)) & 1).astype(float)
    takes = model.takes[members].astype(float)
    held_volume = volume[:, members] * takes
    pooled = np.einsum("cp,nps->ncs", bits, held_volume)
    taken = (bits @ takes) > 0
    lines = _service_cost(x, pooled, taken[None], model.per_unit).sum(axis=2)
    size = bits.sum(axis=1)
    coordination = x.parameters["coordination_annual_cost_eur_per_organisation"][:, None] * np.maximum(
        size - 1, 0
    )
    level = (
        x.parameters["level_effect_entrant"][:, None] * (standalone[:, members] * p.entrant[members]) @ bits.T
    )
    together = (lines + coordination + level) * g_together[:, k, None]
    alone = (standalone[:, members] * g_alone[:, k, None]) @ bits.T
    game = np.where(size >= 2, together, alone)
    game[:, 0] = 0.0
    return game


def _scrb(game: np.ndarray, m: int) -> np.ndarray:
    grand = (1 << m) - 1
    singles = 1 << np.arange(m)
    separable = game[:, [grand]] - game[:, grand ^ singles]
    rest = game[:, [grand]] - separable.sum(axis=1, keepdims=True)
    remaining = game[:, singles] - separable
    noise = ROUNDING * np.abs(game).max(axis=1, keepdims=True)
    remaining = np.where(remaining > noise, remaining, 0.0)
    total = remaining.sum(axis=1, keepdims=True)
    return separable + np.where(total > 0, rest * remaining / np.where(total > 0, total, 1), rest / m)


def _role_fte(p: Plan, x: _Inputs, volume: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Fte per key role of the pooled team of the reference year (n × roles)."""
    takes = p.model.takes[members]
    taken = takes.any(axis=0).astype(float)
    pooled = (volume[:, members] * takes).sum(axis=1)
    fte = taken @ p.role_fixed + pooled @ p.role_unit
    in_use = (taken @ ((p.role_fixed + p.role_unit) > 0)) > 0
    return fte[:, in_use]
