"""Analyses of a sweep: probabilities, one-at-a-time and global sensitivity, scenario discovery, growth paths.

- Probabilities with their Monte Carlo standard error √(p(1−p)/n): P(win-win), P(the entrants gain),
  P(every incumbent gains), and per key the share of samples in which it lies in the core.
- One-at-a-time sensitivity (tornado): each uncertainty at its 5% and 95% quantile, the others at the
  scenario's own values, on a chosen outcome.
- Global sensitivity: first-order and total Sobol indices with bootstrap confidence intervals, by
  ``scipy.stats.sobol_indices`` (Saltelli's scheme); the model is vectorised, so n(d + 2) evaluations
  cost about as much as one sweep.
- Scenario discovery: where win-win fails, by CART (scikit-learn's ``DecisionTreeClassifier``, a
  well-kept implementation; PRIM in the EMA Workbench drags in a much heavier stack). The leaf with
  the highest failure density that holds a tenth or more of the failures becomes a box of conditions,
  stated in plain Dutch.
- Growth paths: every order of the entrants over the same entry years (up to 24), each computed with
  the deterministic model, compared on the centre's and each partner's NPV and the team's coverage.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..scenario import Scenario
from .outcomes import Outcome
from .sampling import central_value, label, ppf, scipy_distribution
from .vector import evaluate, plan

__all__ = [
    "Discovery",
    "Probability",
    "discover",
    "growth_orders",
    "probabilities",
    "sobol",
    "tornado",
]


@dataclass(frozen=True)
class Probability:
    """The share of samples in which a yes/no outcome holds, with its Monte Carlo standard error."""

    probability: float
    standard_error: float


def probabilities(outcomes: dict[Outcome, np.ndarray]) -> dict[Outcome, Probability]:
    """Share of samples for every yes/no outcome, with its standard error √(p(1−p)/n)."""
    found = {}
    for outcome, values in outcomes.items():
        if values.dtype == bool:
            p = float(values.mean())
            found[outcome] = Probability(p, float(np.sqrt(p * (1 - p) / len(values))))
    return found


def _outcome(p, values: np.ndarray, outcome: Outcome) -> np.ndarray:
    return evaluate(p, values)[outcome]


def tornado(scenario: Scenario, paths, specs, outcome: Outcome) -> pd.DataFrame:
    """Each uncertainty at its 5% and 95% quantile, the others at the scenario's values."""
    central = np.array([central_value(scenario, path, spec) for path, spec in zip(paths, specs, strict=True)])
    p = plan(scenario, tuple(paths), tuple(specs))
    rows = [central]
    for j, spec in enumerate(specs):
        for q in (0.05, 0.95):
            row = central.copy()
            row[j] = float(ppf(spec, np.array([q]))[0])
            rows.append(row)
    values = _outcome(p, np.array(rows).reshape(len(rows), len(specs)), outcome)
    base = float(values[0])
    table = []
    for j, (path, spec) in enumerate(zip(paths, specs, strict=True)):
        low, high = float(values[1 + 2 * j]), float(values[2 + 2 * j])
        table.append(
            {
                "path": path,
                "label": label(path, spec),
                "low_value": float(rows[1 + 2 * j][j]),
                "high_value": float(rows[2 + 2 * j][j]),
                "outcome_at_low": low,
                "outcome_at_high": high,
                "base": base,
                "swing": abs(high - low),
            }
        )
    return pd.DataFrame(table).sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def sobol(scenario: Scenario, paths, specs, outcome: Outcome, n: int = 256, seed: int = 0) -> pd.DataFrame:
    """First-order and total Sobol indices of ``outcome`` with 95% bootstrap intervals."""
    from scipy.stats import sobol_indices

    p = plan(scenario, tuple(paths), tuple(specs))
    rng = np.random.default_rng(seed)

    def model(x: np.ndarray) -> np.ndarray:
        return _outcome(p, x.T, outcome)[None, :]

    result = sobol_indices(func=model, n=n, dists=[scipy_distribution(s) for s in specs], rng=rng)
    # SobolResult.bootstrap() takes no generator and draws from numpy's global one: give that a
    # state from our seed for the call, and put the caller's state back (same seed, same bytes).
    caller = np.random.get_state()
    np.random.seed(int(rng.integers(2**32)))
    try:
        with warnings.catch_warnings():  # an input without effect has a degenerate bootstrap
            warnings.simplefilter("ignore")
            interval = result.bootstrap(confidence_level=0.95, n_resamples=199)
    finally:
        np.random.set_state(caller)

    def row(values) -> np.ndarray:
        return np.nan_to_num(np.reshape(values, (-1, len(specs)))[0])

    table = pd.DataFrame(
        {
            "path": list(paths),
            "label": [label(path, spec) for path, spec in zip(paths, specs, strict=True)],
            "first_order": row(result.first_order),
            "first_order_low": row(interval.first_order.confidence_interval.low),
            "first_order_high": row(interval.first_order.confidence_interval.high),
            "total_order": row(result.total_order),
            "total_order_low": row(interval.total_order.confidence_interval.low),
            "total_order_high": row(interval.total_order.confidence_interval.high),
        }
    )
    return table.sort_values("total_order", ascending=False, kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class Discovery:
    """A box of input conditions under which an outcome fails, and how well it captures the failures.

    The report words it (``report/labels.py``); an empty box with failures means no clear pattern.
    """

    conditions: tuple[tuple[str, str, float], ...]
    """(path, '>' or '<=', threshold)."""
    density: float
    """Share of the samples inside the box in which the outcome fails."""
    coverage: float
    """Share of all failures that lie inside the box."""
    failures: int
    samples: int

    def facts(self) -> dict[str, object]:
        return {
            "conditions": [{"path": p, "op": op, "threshold": t} for p, op, t in self.conditions],
            "density": self.density,
            "coverage": self.coverage,
            "failures": self.failures,
            "samples": self.samples,
        }


def discover(inputs: pd.DataFrame, failed: np.ndarray, seed: int = 0) -> Discovery:
    """Where ``failed`` is concentrated in the input space, as a box of at most three conditions."""
    failed = np.asarray(failed, dtype=bool)
    n, failures = len(failed), int(failed.sum())
    if failures in (0, n):
        return Discovery((), float(failures == n), float(failures == n), failures, n)
    from sklearn.tree import DecisionTreeClassifier

    tree = DecisionTreeClassifier(max_depth=3, min_samples_leaf=max(10, n // 50), random_state=seed)
    tree.fit(inputs.to_numpy(), failed)
    structure = tree.tree_
    leaves = tree.apply(inputs.to_numpy())
    best = None
    for leaf in np.unique(leaves):
        inside = leaves == leaf
        caught = int(failed[inside].sum())
        density = caught / int(inside.sum())
        if caught >= 0.1 * failures and (
            best is None or density > best[1] or (density == best[1] and caught > best[2])
        ):
            best = (leaf, density, caught)
    if best is None:
        return Discovery((), failures / n, 1.0, failures, n)
    leaf, density, caught = best
    bounds: dict[str, list[float | None]] = {}
    for feature, goes_left, threshold in _path_to(structure, leaf):
        name = inputs.columns[feature]
        low, high = bounds.setdefault(name, [None, None])
        if goes_left:
            bounds[name][1] = threshold if high is None else min(high, threshold)
        else:
            bounds[name][0] = threshold if low is None else max(low, threshold)
    conditions = []
    for name, (low, high) in bounds.items():
        if low is not None:
            conditions.append((name, ">", float(low)))
        if high is not None:
            conditions.append((name, "<=", float(high)))
    return Discovery(tuple(conditions), density, caught / failures, failures, n)


def _path_to(structure, target: int) -> list[tuple[int, bool, float]]:
    """The (feature, went left, threshold) decisions from the root to node ``target``."""

    def walk(node: int, trail: list) -> list | None:
        if node == target:
            return trail
        left, right = structure.children_left[node], structure.children_right[node]
        if left == -1:
            return None
        feature, threshold = int(structure.feature[node]), float(structure.threshold[node])
        return walk(left, [*trail, (feature, True, threshold)]) or walk(
            right, [*trail, (feature, False, threshold)]
        )

    return walk(0, []) or []


def growth_orders(scenario: Scenario, limit: int = 24) -> pd.DataFrame:
    """Every order of the entrants over the same entry years: NPV per partner and the centre's coverage."""
    from ..costs import simulate
    from ..fourk import scorecard

    entrants = [p for p in scenario.partners if p.joins is not None]
    years = sorted(p.joins for p in entrants)
    rows = []
    seen = set()
    for order in itertools.islice(itertools.permutations(entrants), limit * 4):
        assignment = tuple((p.id, year) for p, year in zip(order, years, strict=True))
        key = tuple(sorted(assignment))
        if key in seen:
            continue
        seen.add(key)
        joins = dict(assignment)
        variant = scenario.derive(
            partners=tuple(
                p.model_copy(update={"joins": joins.get(p.id, p.joins)}) for p in scenario.partners
            )
        )
        result = simulate(variant, rules=())
        card = scorecard(result)
        rate = result.rates[0]
        row = {
            "order": " → ".join(
                f"{pid} ({year})" for pid, year in sorted(assignment, key=lambda a: (a[1], a[0]))
            )
        }
        for i, partner in enumerate(result.partners):
            row[Outcome("npv_eur", partner).column] = float(result.npv_eur["key"][rate][i])
        row["npv_total_eur"] = float(result.npv_eur["key"][rate].sum())
        row["coverage_probability"] = card.value("samenwerking", "coverage_probability")
        rows.append(row)
        if len(rows) >= limit:
            break
    return (
        pd.DataFrame(rows).sort_values("npv_total_eur", ascending=False, kind="stable").reset_index(drop=True)
    )
