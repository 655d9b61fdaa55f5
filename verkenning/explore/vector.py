"""The outcomes of a sweep: every sample through the one cost model, then the judgements per sample.

Nothing here recomputes costs: :func:`evaluate` draws the samples' figures into the model's inputs
(``costs.with_draws``), runs the path of every sample at once (``costs.project`` in exact floats),
and judges each sample as the study judges its one: the key and the other keys (by inhabitants,
by workstations, the Shapley value, SCRB) against the core of the reference year's game, who is
worse off (``fourk.worse_off``), and the pooled team's coverage (``fourk.coverage``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..costs import CostModel, Exact, Projection, cost_model, project, with_draws
from ..costs.allocation import SIMPLE_KEYS
from ..costs.paths import BLOCK_CELLS
from ..fourk import below, coverage, needed, team_fte, worse_off
from ..games import in_core, scrb_shares, shapley_shares, tolerance
from ..scenario import Scenario
from ..scenario.schema import Uncertainty
from .outcomes import Outcome
from .sampling import sample

__all__ = ["KEYS", "Plan", "evaluate", "npv", "plan", "projection", "sampled", "win_win"]

KEYS = ("key", "inhabitants", "workstations", "inbreng", "shapley", "scrb")
"""The keys whose core check every sample carries."""
CHUNK_CELLS = 4_000_000
"""Samples are processed in blocks so that coalitions × samples stays about this size."""
MIN_BLOCK = 256
"""The fewest samples a block of the sweep holds (below it, the path's fixed cost per block dominates)."""


@dataclass(frozen=True, eq=False)
class Plan:
    """What does not change between samples: the model's structure and the uncertain paths."""

    scenario: Scenario
    model: CostModel
    """The model with the scenario's own figures (a batch of one); samples replace its inputs."""
    status_quo_takes: np.ndarray
    paths: tuple[str, ...]
    specs: tuple[Uncertainty, ...]
    reference: int
    """Index of the reference year."""
    size: int
    """Members in the reference year (its game has 2^size coalitions)."""


def plan(scenario: Scenario, paths: tuple[str, ...], specs: tuple[Uncertainty, ...]) -> Plan:
    """Prepare the sweep of ``scenario`` over the uncertain ``paths``."""
    reference = scenario.years.index(scenario.reference_year())
    return Plan(
        scenario=scenario,
        model=cost_model(scenario),
        status_quo_takes=cost_model(scenario, scenario.status_quo[1]).takes,
        paths=tuple(paths),
        specs=tuple(specs),
        reference=reference,
        size=len(scenario.members(scenario.years[reference])),
    )


def _blocks(p: Plan, draws: np.ndarray):
    """The rows of ``draws`` in blocks of coalitions × samples about CHUNK_CELLS, and at least
    MIN_BLOCK samples: a path costs the same few array operations whatever its samples, and the
    games within a block come in blocks of their own (``Projection.game_blocks``)."""
    size = max(MIN_BLOCK, CHUNK_CELLS >> p.size)
    return (draws[start : start + size] for start in range(0, max(len(draws), 1), size))


def _judged(run: Projection, k: int, keyed: dict[str, np.ndarray], rules: bool = True):
    """Per key (shares: samples × members) whether it is in the core of year index k's game, and the
    tolerance of each sample's game; with ``rules`` also the Shapley value and SCRB of the game.
    Read block by block from the games, so no sample's game outlives its judgement."""
    cores: dict[str, list[np.ndarray]] = {}
    limits = []
    for rows, game in run.game_blocks(k, cells=BLOCK_CELLS):  # each block judged while in the cache
        block = {name: shares[rows] for name, shares in keyed.items()}
        if rules:
            block |= {"shapley": shapley_shares(game), "scrb": scrb_shares(game)}
        limit = np.asarray(tolerance(game), dtype=float).reshape(-1)  # one game, one tolerance
        for name, shares in block.items():
            cores.setdefault(name, []).append(in_core(game, shares, limit))
        limits.append(limit)
    return {name: np.concatenate(parts) for name, parts in cores.items()}, np.concatenate(limits)


def evaluate(p: Plan, draws: np.ndarray) -> dict[Outcome, np.ndarray]:
    """Outcomes of every sample (rows of ``draws``), in blocks that keep memory bounded."""
    parts = [_evaluate(p, block) for block in _blocks(p, draws)]
    return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}


def npv(p: Plan, draws: np.ndarray) -> np.ndarray:
    """samples × partners: only the NPVs (what the sensitivity analyses follow), without the year's
    game and the judgements :func:`evaluate` adds."""
    return projection(p, draws).npv()


def win_win(p: Plan, draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(win-win per sample, samples × partners NPV): the key's core check and who is worse off,
    without the other keys' checks and team indicators :func:`evaluate` adds."""
    flags, npvs = [], []
    for block in _blocks(p, draws):
        run = projection(p, block)
        npv = run.npv()
        shares = run.share["key"][:, list(run.members(p.reference)), p.reference]
        cores, limit = _judged(run, p.reference, {"key": shares}, rules=False)
        flags.append(cores["key"] & ~_anyone_worse(run, p.reference, limit, npv))
        npvs.append(npv)
    return np.concatenate(flags), np.concatenate(npvs)


def _anyone_worse(run: Projection, k: int, limit: np.ndarray, npv: np.ndarray) -> np.ndarray:
    """Per sample: some partner is worse off with the change (the study's ``better_off`` fails)."""
    incumbents = run.member[:, k] & run.status_quo_member[:, k]
    entrants = run.member[:, k] & ~run.status_quo_member[:, k]
    worse = worse_off(
        run.cost["key"][:, :, k],
        run.status_quo["key"][:, :, k],
        run.standalone[:, :, k],
        npv,
        incumbents,
        entrants,
        limit,
    )
    return worse.any(axis=1)


def projection(p: Plan, draws: np.ndarray, **options) -> Projection:
    """The path of every sample (rows of ``draws``) in exact floats; ``options`` go to ``costs.project``
    (``rules``, ``bearer``)."""
    base = p.model
    inputs = with_draws(base.inputs, p.scenario, base.services, p.paths, p.specs, draws)
    model = replace(base, inputs=inputs)
    return project(model, model.with_takes(p.status_quo_takes), Exact(), **options)


def sampled(scenario: Scenario, samples: int, seed: int = 0) -> Projection:
    """The path of ``samples`` samples of the scenario's uncertainties: the draws of its sweep."""
    draws = sample(scenario, samples, seed)
    return projection(plan(scenario, draws.paths, draws.specs), draws.values)


def _evaluate(p: Plan, draws: np.ndarray) -> dict[Outcome, np.ndarray]:
    scenario = p.scenario
    run = projection(p, draws)
    model, inputs = run.model, run.model.inputs
    npv = run.npv()
    k = p.reference
    members = list(run.members(k))
    total = run.total[:, k]
    keyed = {
        "key": run.share["key"][:, members, k],
        **{key: run.share[key][:, members, k] for key in (*SIMPLE_KEYS, "fixed") if key in run.share},
    }
    cores, tolerances = _judged(run, k, keyed)
    incumbents = run.member[:, k] & run.status_quo_member[:, k]
    limit = tolerances[:, None]
    fte = team_fte(model, members)
    used = needed(model, model.takes[members].any(axis=0))
    joining = np.array([q.joins is not None for q in scenario.partners])
    n = inputs.n
    out = {
        Outcome("win_win"): cores["key"] & ~_anyone_worse(run, k, tolerances, npv),
        # an incumbent the change leaves untouched (NPV 0) is not worse off: "at least as well off"
        Outcome("incumbents_gain"): (npv[:, incumbents] >= -limit).all(axis=1)
        if incumbents.any()
        else np.ones(n, bool),
        Outcome("cooperation_cost_eur"): total,
        Outcome("coverage_probability"): coverage(fte, inputs.parameter("absence_rate"), used),
        Outcome("bus_factor_roles"): below(fte, inputs.parameter("key_role_min_fte"), used),
    }
    if joining.any():  # no entrant, no outcome about entrants
        out[Outcome("entrant_gains")] = (npv[:, joining] > limit).all(axis=1)
    for name, flags in cores.items():
        out[Outcome("in_core", name)] = flags
    for i, partner in enumerate(model.partners):
        out[Outcome("npv_eur", partner)] = npv[:, i]
        out[Outcome("cost_eur", partner)] = run.cost["key"][:, i, k]
    return out
