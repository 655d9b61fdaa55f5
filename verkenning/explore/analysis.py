"""Analyses of a sweep: probabilities, one-at-a-time and global sensitivity, scenario discovery, growth paths.

- Probabilities with their standard error from the replicated Latin hypercubes (the spread of the
  replicates' shares): P(win-win), P(the entrants gain), P(every incumbent gains), and per key the
  share of samples in which it lies in the core; with the sample size a 1-point margin needs.
- One-at-a-time sensitivity (tornado): each uncertainty at its 5% and 95% quantile, the others at the
  scenario's own values, on a chosen outcome.
- Global sensitivity: first-order and total Sobol' indices on replicated scrambled Sobol' designs
  (:func:`sobol_indices`), sized from the sweep so they cost about as many model runs, with
  t-intervals from the replicates' spread.
- Scenario discovery: where win-win fails, by CART (scikit-learn's ``DecisionTreeClassifier``, a
  well-kept implementation; PRIM in the EMA Workbench drags in a much heavier stack). The leaf with
  the highest failure density that holds a tenth or more of the failures becomes a box of conditions,
  stated in plain Dutch.
- Growth paths: every order of the entrants over the same entry years (up to 24), each computed with
  the deterministic model, compared on the centre's and each partner's NPV and the team's coverage.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..scenario import Scenario
from .outcomes import Outcome
from .sampling import central_value, label, ppf, replicates
from .vector import evaluate, plan

__all__ = [
    "MARGIN",
    "Discovery",
    "Probability",
    "convergence",
    "discover",
    "growth_orders",
    "probabilities",
    "sobol",
    "sobol_design",
    "sobol_indices",
    "tornado",
]


MARGIN = 0.01
"""The margin on a probability the report asks of a sweep: one percentage point."""


@dataclass(frozen=True)
class Probability:
    """The share of samples in which a yes/no outcome holds, with its Monte Carlo standard error."""

    probability: float
    standard_error: float

    @property
    def margin(self) -> float:
        """Half the 95% interval: 1.96 standard errors."""
        return 1.96 * self.standard_error

    def samples_for(self, samples: int, margin: float = MARGIN) -> int | None:
        """The sample count at which the margin would be ``margin`` (up to the next thousand), or
        None when this sweep's margin is within it already. The error shrinks as 1/√n."""
        if self.margin <= margin:
            return None
        return int(np.ceil(samples * (self.margin / margin) ** 2 / 1000) * 1000)


def convergence(outcomes: dict[Outcome, np.ndarray], sobol_replicates: dict[str, np.ndarray]) -> pd.DataFrame:
    """The running estimate with its 95% band, replicate by replicate: of every probability (over the
    replicated hypercubes) and of every Sobol' index (over its replicated designs). A quantity that has
    converged moves less from row to row than its band is wide."""
    from scipy.stats import t as student

    rows = []

    def running(quantity: str, estimates: np.ndarray, sizes: np.ndarray) -> None:
        for k in range(2, len(estimates) + 1):
            weights = sizes[:k] / sizes[:k].sum()
            mean = float(np.sum(weights * estimates[:k]))
            half = float(student.ppf(0.975, k - 1) * np.std(estimates[:k], ddof=1) / np.sqrt(k))
            rows.append(
                {"quantity": quantity, "replicates": k, "samples": int(sizes[:k].sum()),
                 "estimate": mean, "low": mean - half, "high": mean + half}
            )  # fmt: skip

    for outcome, values in outcomes.items():
        if values.dtype == bool:
            blocks = replicates(len(values))
            running(
                f"P({outcome.column})",
                np.array([values[b].mean() for b in blocks]),
                np.array([len(b) for b in blocks], dtype=float),
            )
    for quantity, estimates in sobol_replicates.items():
        running(quantity, estimates, np.ones(len(estimates)))
    return pd.DataFrame(rows, columns=["quantity", "replicates", "samples", "estimate", "low", "high"])


def probabilities(outcomes: dict[Outcome, np.ndarray]) -> dict[Outcome, Probability]:
    """Share of samples for every yes/no outcome, with its standard error.

    The samples are independent replicated Latin hypercubes (:func:`sampling.replicates`); the
    standard error is the spread of the replicates' shares over √R (Helton and Davis 2003, 'Latin
    hypercube sampling and the propagation of uncertainty in analyses of complex systems', Reliability
    Engineering and System Safety 81), which credits the hypercube's stratification that the binomial
    √(p(1−p)/n) ignores. With fewer than two replicates, the binomial error is given.
    """
    found = {}
    for outcome, values in outcomes.items():
        if values.dtype == bool:
            p = float(values.mean())
            blocks = replicates(len(values))
            if len(blocks) >= 2:
                shares = np.array([values[block].mean() for block in blocks])
                error = float(np.std(shares, ddof=1) / np.sqrt(len(blocks)))
            else:
                error = float(np.sqrt(p * (1 - p) / len(values)))
            found[outcome] = Probability(p, error)
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


SOBOL_REPLICATES = 10
"""Independent scrambled Sobol' designs per estimate; their spread gives the interval."""


def sobol_design(samples: int, inputs: int) -> int:
    """Base samples per replicate for a sweep of ``samples``: a power of two (at least 16) with which
    the Sobol' design costs about as many model runs as the sweep itself."""
    per_replicate = samples / (SOBOL_REPLICATES * (inputs + 2))
    return 1 << max(4, int(np.floor(np.log2(max(per_replicate, 1)))))


@dataclass(frozen=True)
class SobolIndices:
    """First-order and total indices per input: the mean of the replicates and its 95% t-interval."""

    first: np.ndarray
    first_low: np.ndarray
    first_high: np.ndarray
    total: np.ndarray
    total_low: np.ndarray
    total_high: np.ndarray
    firsts: np.ndarray
    """R × d: every replicate's first-order estimates (for the running estimate)."""
    totals: np.ndarray


def sobol_indices(model, specs, base: int, rng: np.random.Generator) -> SobolIndices:
    """Sobol' indices of ``model`` (an n × d array of inputs → n outputs) over the distributions ``specs``.

    Estimators: Saltelli et al. (2010), 'Variance based sensitivity analysis of model output',
    Computer Physics Communications 181, Table 2 (first order, f(B)·(f(A_B^i) − f(A))) and Jansen
    (1999) for the total effect ((f(A) − f(A_B^i))² / 2), each divided by the variance of f over A
    and B. They are computed on ``SOBOL_REPLICATES`` independent scrambled Sobol' designs of ``base``
    points; the estimate is the replicates' mean and the interval mean ± t(0.975, R − 1) × sd / √R.
    Written here instead of ``scipy.stats.sobol_indices`` because scipy's bootstrap draws from numpy's
    global generator (so runs differ) and its BCa intervals were 1.3–9 times the estimator's real
    spread for the large indices and undercovered the small ones; independent replicates give an
    interval whose coverage is checked on the Ishigami function (tests/test_explore.py).
    """
    from scipy.stats import qmc
    from scipy.stats import t as student

    d = len(specs)
    firsts, totals = [], []
    for child in rng.spawn(SOBOL_REPLICATES):
        unit = qmc.Sobol(d=2 * d, scramble=True, rng=child).random(base)
        a = np.column_stack([ppf(spec, unit[:, j]) for j, spec in enumerate(specs)])
        b = np.column_stack([ppf(spec, unit[:, d + j]) for j, spec in enumerate(specs)])
        mixed = [np.where(np.arange(d) == i, b, a) for i in range(d)]  # A with column i from B
        values = np.asarray(model(np.vstack([a, b, *mixed])), dtype=float)
        f_a, f_b, f_ab = values[:base], values[base : 2 * base], values[2 * base :].reshape(d, base)
        variance = np.var(np.concatenate([f_a, f_b]))
        if not variance > 0:
            firsts.append(np.zeros(d))
            totals.append(np.zeros(d))
            continue
        firsts.append(np.mean(f_b * (f_ab - f_a), axis=1) / variance)
        totals.append(0.5 * np.mean((f_a - f_ab) ** 2, axis=1) / variance)
    half = student.ppf(0.975, SOBOL_REPLICATES - 1) / np.sqrt(SOBOL_REPLICATES)
    first, total = np.mean(firsts, axis=0), np.mean(totals, axis=0)
    first_half, total_half = half * np.std(firsts, axis=0, ddof=1), half * np.std(totals, axis=0, ddof=1)
    return SobolIndices(
        first,
        first - first_half,
        first + first_half,
        total,
        total - total_half,
        total + total_half,
        np.array(firsts),
        np.array(totals),
    )


def sobol(
    scenario: Scenario, paths, specs, outcome: Outcome, base: int = 16, seed: int = 0
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """First-order and total Sobol' indices of ``outcome`` with 95% intervals (:func:`sobol_indices`),
    and each total index's replicate estimates by path (for :func:`convergence`)."""
    p = plan(scenario, tuple(paths), tuple(specs))
    found = sobol_indices(lambda x: _outcome(p, x, outcome), specs, base, np.random.default_rng(seed))
    running = {f"ST({path})": found.totals[:, j] for j, path in enumerate(paths)}
    table = pd.DataFrame(
        {
            "path": list(paths),
            "label": [label(path, spec) for path, spec in zip(paths, specs, strict=True)],
            "first_order": found.first,
            "first_order_low": found.first_low,
            "first_order_high": found.first_high,
            "total_order": found.total,
            "total_order_low": found.total_low,
            "total_order_high": found.total_high,
        }
    )
    ordered = table.sort_values("total_order", ascending=False, kind="stable").reset_index(drop=True)
    return ordered, running


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
