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

from ..formats import euro, number, percent
from ..scenario import Scenario
from ..scenario.schema import Uncertainty
from .sampling import central_value, label, ppf, scipy_distribution
from .vector import evaluate, plan

__all__ = [
    "Discovery",
    "discover",
    "growth_orders",
    "probabilities",
    "sobol",
    "tornado",
]


def probabilities(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Share of samples for every yes/no outcome, with its Monte Carlo standard error."""
    rows = []
    for column in outcomes.columns:
        if outcomes[column].dtype == bool:
            p = float(outcomes[column].mean())
            rows.append(
                {
                    "outcome": column,
                    "probability": p,
                    "standard_error": float(np.sqrt(p * (1 - p) / len(outcomes))),
                }
            )
    return pd.DataFrame(rows)


def _outcome(p, values: np.ndarray, outcome: str) -> np.ndarray:
    return evaluate(p, values)[outcome]


def tornado(scenario: Scenario, paths, specs, outcome: str) -> pd.DataFrame:
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


def sobol(scenario: Scenario, paths, specs, outcome: str, n: int = 256, seed: int = 0) -> pd.DataFrame:
    """First-order and total Sobol indices of ``outcome`` with 95% bootstrap intervals."""
    from scipy.stats import sobol_indices

    p = plan(scenario, tuple(paths), tuple(specs))
    rng = np.random.default_rng(seed)

    def model(x: np.ndarray) -> np.ndarray:
        return _outcome(p, x.T, outcome)[None, :]

    result = sobol_indices(func=model, n=n, dists=[scipy_distribution(s) for s in specs], rng=rng)
    with warnings.catch_warnings():  # an input without effect has a degenerate bootstrap
        warnings.simplefilter("ignore")
        interval = result.bootstrap(confidence_level=0.95, n_resamples=199)

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
    """A box of input conditions under which an outcome fails, and how well it captures the failures."""

    conditions: tuple[tuple[str, str, float], ...]
    """(path, '>' or '<=', threshold)."""
    density: float
    """Share of the samples inside the box in which the outcome fails."""
    coverage: float
    """Share of all failures that lie inside the box."""
    failures: int
    samples: int
    sentence: str


def _format(path: str, spec: Uncertainty | None, value: float) -> str:
    if spec is not None and spec.factor:
        return f"{percent(value, 0)} van de standaardwaarde"
    if path.endswith("_eur") or path.endswith("_eur_per_organisation") or abs(value) >= 1000:
        return euro(value)
    if any(word in path for word in ("share", "rate", "growth", "effect")) and abs(value) < 1:
        return percent(value, 1)
    return number(value, 2)


def discover(
    inputs: pd.DataFrame,
    failed: np.ndarray,
    specs: dict[str, Uncertainty] | None = None,
    seed: int = 0,
    outcome: str = "win-win",
) -> Discovery:
    """Where ``failed`` is concentrated in the input space, as a box of at most three conditions."""
    specs = specs or {}
    failed = np.asarray(failed, dtype=bool)
    n, failures = len(failed), int(failed.sum())
    if failures == 0:
        return Discovery(
            (), 0.0, 0.0, 0, n, f"In geen van de {number(n)} trekkingen gaat {outcome} verloren."
        )
    if failures == n:
        return Discovery((), 1.0, 1.0, n, n, f"In alle {number(n)} trekkingen gaat {outcome} verloren.")
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
        return Discovery(
            (),
            failures / n,
            1.0,
            failures,
            n,
            f"{outcome.capitalize()} gaat verloren in {percent(failures / n)} van de trekkingen, "
            "zonder duidelijk patroon.",
        )
    leaf, density, caught = best
    path = _path_to(structure, leaf)
    bounds: dict[str, list[float | None]] = {}
    for feature, goes_left, threshold in path:
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
    phrases = [
        f"{label(name, specs[name]) if name in specs else name} {'boven' if op == '>' else 'onder'} "
        f"{_format(name, specs.get(name), value)} ligt"
        for name, op, value in conditions
    ]
    joined = phrases[0] if len(phrases) == 1 else f"{', '.join(phrases[:-1])} en {phrases[-1]}"
    sentence = (
        f"{outcome.capitalize()} gaat vooral verloren als {joined}: daar mislukt het in "
        f"{percent(density, 0)} van de trekkingen, en daar ligt {percent(caught / failures, 0)} van alle "
        f"gevallen waarin het mislukt ({number(failures)} van {number(n)} trekkingen)."
    )
    return Discovery(tuple(conditions), density, caught / failures, failures, n, sentence)


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
        variant = scenario.model_copy(
            update={
                "partners": tuple(
                    p.model_copy(update={"joins": joins.get(p.id, p.joins)}) for p in scenario.partners
                )
            }
        )
        variant._files, variant._paths, variant._status_quo = (
            scenario._files,
            scenario._paths,
            scenario._status_quo,
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
            row[f"npv_eur:{partner}"] = float(result.npv_eur["key"][rate][i])
        row["npv_total_eur"] = float(result.npv_eur["key"][rate].sum())
        row["coverage_probability"] = card.value("samenwerking", "coverage_probability")
        rows.append(row)
        if len(rows) >= limit:
            break
    return (
        pd.DataFrame(rows).sort_values("npv_total_eur", ascending=False, kind="stable").reset_index(drop=True)
    )
