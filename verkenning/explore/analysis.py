"""Analyses of a sweep: probabilities, one-at-a-time and global sensitivity, scenario discovery, growth paths.

- Probabilities with their standard error from the replicated Latin hypercubes (the spread of the
  replicates' shares): P(win-win), P(the entrants gain), P(every incumbent gains), and per key the
  share of samples in which it lies in the core; with the sample size a 1-point margin needs.
- One-at-a-time sensitivity (tornado): each uncertainty at its 5% and 95% quantile, the others at the
  scenario's own values, on a chosen outcome.
- Global sensitivity: first-order and total Sobol' indices on replicated scrambled Sobol' designs
  (:func:`sobol_indices`), sized from the sweep so they cost about as many model runs, with
  t-intervals from the replicates' spread.
- Scenario discovery: where win-win fails, by PRIM's peeling (:func:`discover`): the box with the
  best balance of coverage and density, simplified to at most three conditions and stated in plain
  Dutch, with the trade-off of the other boxes on the way.
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
from .sampling import central_value, label, ppf, replicates, sobol_sequence
from .vector import evaluate, npv, plan, win_win

__all__ = [
    "MARGIN",
    "Discovery",
    "Probability",
    "convergence",
    "discover",
    "growth_orders",
    "outcome_columns",
    "probabilities",
    "sensitivity_outcomes",
    "sobol",
    "sobol_design",
    "sobol_estimates",
    "sobol_indices",
    "sobol_points",
    "sobol_tables",
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
    from scipy.special import stdtrit

    rows = []

    def running(quantity: str, estimates: np.ndarray, sizes: np.ndarray) -> None:
        for k in range(2, len(estimates) + 1):
            weights = sizes[:k] / sizes[:k].sum()
            mean = float(np.sum(weights * estimates[:k]))
            half = float(stdtrit(k - 1, 0.975) * np.std(estimates[:k], ddof=1) / np.sqrt(k))
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


def sensitivity_outcomes(scenario: Scenario) -> tuple[Outcome, ...]:
    """What the decision turns on, in the order a report shows it: win-win, then each partner's NPV
    (the centre's first)."""
    partners = [scenario.centre, *(p.id for p in scenario.partners if p.id != scenario.centre)]
    return (Outcome("win_win"), *(Outcome("npv_eur", p) for p in partners))


def outcome_columns(p, values: np.ndarray, outcomes) -> np.ndarray:
    """samples × outcomes; NPVs need the projection alone, win-win adds the key's core check only."""
    if any(o.kind == "win_win" for o in outcomes):
        flags, npvs = win_win(p, values)
    else:
        flags, npvs = None, npv(p, values)
    full = None  # every outcome of the sweep, evaluated once if an outcome needs it
    columns = []
    for o in outcomes:
        if o.kind == "win_win":
            columns.append(flags.astype(float))
        elif o.kind == "npv_eur":
            columns.append(npvs[:, p.model.partners.index(o.subject)])
        else:
            full = evaluate(p, values) if full is None else full
            columns.append(full[o].astype(float))
    return np.column_stack(columns)


def tornado(scenario: Scenario, paths, specs, outcomes) -> pd.DataFrame:
    """Each uncertainty at its 5% and 95% quantile, the others at the scenario's values, for each of
    ``outcomes`` (a column ``outcome`` names it); sorted by swing within each outcome."""
    outcomes = tuple(outcomes)
    central = np.array([central_value(scenario, path, spec) for path, spec in zip(paths, specs, strict=True)])
    p = plan(scenario, tuple(paths), tuple(specs))
    rows = [central]
    for j, spec in enumerate(specs):
        for q in (0.05, 0.95):
            row = central.copy()
            row[j] = float(ppf(spec, np.array([q]))[0])
            rows.append(row)
    values = outcome_columns(p, np.array(rows).reshape(len(rows), len(specs)), outcomes)
    frames = []
    for m, outcome in enumerate(outcomes):
        base = float(values[0, m])
        table = []
        for j, (path, spec) in enumerate(zip(paths, specs, strict=True)):
            low, high = float(values[1 + 2 * j, m]), float(values[2 + 2 * j, m])
            table.append(
                {
                    "outcome": outcome.column,
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
        frames.append(pd.DataFrame(table).sort_values("swing", ascending=False, kind="stable"))
    return pd.concat(frames).reset_index(drop=True)


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
    """Sobol' indices of ``model`` (an n × d array of inputs → n outputs, or n × m for m outcomes on
    the same design, then every array has a leading axis of m) over the distributions ``specs``:
    :func:`sobol_estimates` of the model's values on :func:`sobol_points`.

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
    return sobol_estimates(model(sobol_points(specs, base, rng)), len(specs), base)


def sobol_points(specs, base: int, rng: np.random.Generator) -> np.ndarray:
    """The inputs the Sobol' estimate needs, replicate after replicate: per replicate A, B and A with
    column i from B for each input i (``base`` rows each), so (inputs + 2) × base rows a replicate.
    One array, so a sweep can evaluate it where it evaluates its samples."""
    d = len(specs)
    designs = []
    for child in rng.spawn(SOBOL_REPLICATES):
        unit = sobol_sequence(2 * d, base, child)
        a = np.column_stack([ppf(spec, unit[:, j]) for j, spec in enumerate(specs)])
        b = np.column_stack([ppf(spec, unit[:, d + j]) for j, spec in enumerate(specs)])
        designs.extend([a, b, *(np.where(np.arange(d) == i, b, a) for i in range(d))])
    return np.vstack(designs)


def sobol_estimates(values, inputs: int, base: int) -> SobolIndices:
    """The indices (see :func:`sobol_indices`) from the model's ``values`` on :func:`sobol_points`
    of ``inputs`` inputs and ``base`` points."""
    from scipy.special import stdtrit

    d = inputs
    values = np.asarray(values, dtype=float)
    single = values.ndim == 1
    values = values.reshape(SOBOL_REPLICATES, (d + 2) * base, -1)  # replicates × runs × outputs
    firsts, totals = [], []
    for replicate in values:
        f_a, f_b = replicate[:base], replicate[base : 2 * base]
        f_ab = replicate[2 * base :].reshape(d, base, -1)
        variance = np.var(np.concatenate([f_a, f_b]), axis=0)
        safe = np.where(variance > 0, variance, 1.0)
        first = np.where(variance > 0, np.mean(f_b * (f_ab - f_a), axis=1) / safe, 0.0)  # d × outputs
        total = np.where(variance > 0, 0.5 * np.mean((f_a - f_ab) ** 2, axis=1) / safe, 0.0)
        firsts.append(first[:, 0] if single else first.T)
        totals.append(total[:, 0] if single else total.T)
    half = stdtrit(SOBOL_REPLICATES - 1, 0.975) / np.sqrt(SOBOL_REPLICATES)
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
    scenario: Scenario, paths, specs, outcomes, base: int = 16, seed: int = 0
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """First-order and total Sobol' indices of each of ``outcomes`` on one design, evaluated in this
    process (:func:`sobol_indices`); the tables as :func:`sobol_tables` gives them."""
    outcomes = tuple(outcomes)
    p = plan(scenario, tuple(paths), tuple(specs))
    found = sobol_indices(lambda x: outcome_columns(p, x, outcomes), specs, base, np.random.default_rng(seed))
    return sobol_tables(paths, specs, outcomes, found)


def sobol_tables(paths, specs, outcomes, found: SobolIndices) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The indices of each of ``outcomes`` with their 95% intervals (a column ``outcome`` names it),
    sorted by total index within each outcome; and the replicate estimates (``S(path)``,
    ``ST(path)``, for :func:`convergence`) of the first."""
    running = {
        **{f"S({path})": found.firsts[:, 0, j] for j, path in enumerate(paths)},
        **{f"ST({path})": found.totals[:, 0, j] for j, path in enumerate(paths)},
    }
    frames = []
    for i, outcome in enumerate(outcomes):
        table = pd.DataFrame(
            {
                "outcome": outcome.column,
                "path": list(paths),
                "label": [label(path, spec) for path, spec in zip(paths, specs, strict=True)],
                "first_order": found.first[i],
                "first_order_low": found.first_low[i],
                "first_order_high": found.first_high[i],
                "total_order": found.total[i],
                "total_order_low": found.total_low[i],
                "total_order_high": found.total_high[i],
            }
        )
        frames.append(table.sort_values("total_order", ascending=False, kind="stable"))
    return pd.concat(frames).reset_index(drop=True), running


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
    tradeoff: tuple[tuple[float, float, int], ...] = ()
    """Along the peeling: (coverage, density, number of conditions) of boxes a reader could choose instead."""

    def facts(self) -> dict[str, object]:
        return {
            "conditions": [{"path": p, "op": op, "threshold": t} for p, op, t in self.conditions],
            "density": self.density,
            "coverage": self.coverage,
            "failures": self.failures,
            "samples": self.samples,
            "tradeoff": [{"coverage": c, "density": d, "conditions": k} for c, d, k in self.tradeoff],
        }


PEEL = 0.05
"""PRIM's peeling fraction: each step removes this share of the samples left in the box."""
MIN_SUPPORT = 0.02
"""Peeling stops when the box holds fewer than this share of the samples."""
MAX_CONDITIONS = 3


def discover(inputs: pd.DataFrame, failed: np.ndarray, seed: int = 0) -> Discovery:
    """Where ``failed`` is concentrated in the input space: the most useful box of PRIM's peeling.

    PRIM (Friedman and Fisher 1999, 'Bump hunting in high-dimensional data', Statistics and Computing
    9): from the box around all samples, repeatedly cut off the ``PEEL`` share of the samples left at
    one end of one input, choosing the cut that leaves the highest share of failures. Every box on
    that trajectory trades coverage (the share of all failures inside) for density (the share of the
    samples inside that fail). The box reported is the one with the best balance of the two (their
    harmonic mean); its conditions are then simplified: a condition whose removal costs less than
    one percentage point of density is dropped, and at most three are kept. Written here because the
    well-kept implementation (the EMA Workbench) brings a much heavier stack than the one step we
    need; ``seed`` is unused (PRIM is deterministic) and kept for the callers' one signature.
    """
    failed = np.asarray(failed, dtype=bool)
    n, failures = len(failed), int(failed.sum())
    if failures in (0, n):
        return Discovery((), float(failures == n), float(failures == n), failures, n)
    x = inputs.to_numpy(dtype=float)
    return _useful_box(x, failed, inputs.columns, _peel(x, failed))


def _peel(x: np.ndarray, failed: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, float, float]]:
    """PRIM's peeling trajectory on samples ``x`` (samples × inputs): every box as (lows, highs,
    coverage, density), from the box around all samples to the last one above ``MIN_SUPPORT``."""
    n, failures = len(failed), int(failed.sum())
    lows, highs = x.min(axis=0).copy(), x.max(axis=0).copy()
    trajectory = [(lows.copy(), highs.copy(), 1.0, failures / n)]
    # the box's samples only: each peel looks at what is left, so the work shrinks with the box
    kept, hits = np.ascontiguousarray(x.T), failed  # inputs × samples: each input's values contiguous
    # each input's values in order, sorted once: a peel keeps them in order by dropping the samples
    # it cuts off (the same sorted values as sorting what is left, without a sort per peel)
    ids = np.argsort(kept, axis=1, kind="stable")
    ranked = np.take_along_axis(kept, ids, axis=1)
    columns, alive = np.arange(n), np.ones(n, dtype=bool)
    while kept.shape[1] > max(MIN_SUPPORT * n, 10):
        # the same quantiles either way; selecting from sorted values is twice as fast as selecting
        cuts = np.quantile(ranked, [PEEL, 1 - PEEL], axis=1)
        # every candidate at once: per input and side the samples it keeps, and the failures among them
        keeps = (kept >= cuts[0][:, None], kept <= cuts[1][:, None])
        left = [k.sum(axis=1) for k in keeps]
        caught = [(k & hits).sum(axis=1) for k in keeps]
        best = None
        for j in range(x.shape[1]):
            for side, s in (("low", 0), ("high", 1)):
                if left[s][j] == kept.shape[1] or not left[s][j]:
                    continue
                density = caught[s][j] / left[s][j]
                if best is None or density > best[0] + 1e-12:
                    best = (density, j, side, keeps[s][j])
        _, j, side, remaining = best
        kept, hits = kept[:, remaining], hits[remaining]
        alive[columns[~remaining]] = False
        columns = columns[remaining]
        still = alive[ids]  # every input keeps the same samples: rows of one length
        ids, ranked = ids[still].reshape(len(ids), -1), ranked[still].reshape(len(ids), -1)
        if side == "low":
            lows[j] = kept[j].min()
        else:
            highs[j] = kept[j].max()
        inside = int(hits.sum())
        trajectory.append((lows.copy(), highs.copy(), inside / failures, inside / kept.shape[1]))
    return trajectory


def _box_mask(x: np.ndarray, box: dict[int, tuple[float, float]]) -> np.ndarray:
    mask = np.ones(len(x), dtype=bool)
    for j, (low, high) in box.items():
        mask &= (x[:, j] >= low) & (x[:, j] <= high)
    return mask


def _useful_box(x, failed, columns, trajectory) -> Discovery:
    n, failures = len(failed), int(failed.sum())
    full_lows, full_highs = trajectory[0][0], trajectory[0][1]

    def restricted(lows, highs) -> dict[int, tuple[float, float]]:
        return {
            j: (lows[j], highs[j])
            for j in range(x.shape[1])
            if lows[j] > full_lows[j] or highs[j] < full_highs[j]
        }

    def scores(box) -> tuple[float, float]:
        mask = _box_mask(x, box)
        caught = int(failed[mask].sum())
        return caught / failures, caught / max(int(mask.sum()), 1)

    def simplified(box):
        coverage, density = scores(box)
        while box:
            trials = [(scores({k: v for k, v in box.items() if k != j}), j) for j in box]
            (cover, dense), j = max(trials, key=lambda t: (t[0][1], t[0][0]))
            if density - dense < 0.01 or len(box) > MAX_CONDITIONS:
                box = {k: v for k, v in box.items() if k != j}
                coverage, density = cover, dense
            else:
                break
        return box, coverage, density

    def balance(coverage: float, density: float) -> float:
        return 2 * coverage * density / (coverage + density) if coverage + density else 0.0

    boxes = [simplified(restricted(lows, highs)) for lows, highs, _, _ in trajectory[1:]]
    boxes = [b for b in boxes if b[0]]
    if not boxes:
        return Discovery((), failures / n, 1.0, failures, n)
    box, coverage, density = max(boxes, key=lambda b: (balance(b[1], b[2]), b[1]))
    if density <= failures / n + 0.05:  # no better than everywhere: no pattern
        return Discovery((), failures / n, 1.0, failures, n)
    conditions = []
    for j, (low, high) in sorted(box.items()):
        column = x[:, j]
        if low > full_lows[j]:  # the cut falls between the last value left out and the first kept
            below = column[column < low]
            conditions.append((str(columns[j]), ">", float((below.max() + low) / 2)))
        if high < full_highs[j]:
            above = column[column > high]
            conditions.append((str(columns[j]), "<=", float((high + above.min()) / 2)))
    points = {(round(c, 4), round(d, 4), len(b)) for b, c, d in boxes}
    tradeoff = sorted(  # the boxes no other beats on both coverage and density
        p for p in points if not any(q[0] >= p[0] and q[1] >= p[1] and q[:2] != p[:2] for q in points)
    )[::-1]
    return Discovery(tuple(conditions), density, coverage, failures, n, tuple(tradeoff))


def _orders(scenario: Scenario, limit: int):
    """Every order of the entrants over the same entry years (up to ``limit``): its label and scenario."""
    entrants = [p for p in scenario.partners if p.joins is not None]
    years = sorted(p.joins for p in entrants)
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
        yield (
            " → ".join(f"{pid} ({year})" for pid, year in sorted(assignment, key=lambda a: (a[1], a[0]))),
            variant,
        )
        if len(seen) >= limit:
            return


def growth_orders(scenario: Scenario, limit: int = 24) -> pd.DataFrame:
    """Every order of the entrants over the same entry years: NPV per partner and the centre's coverage."""
    from ..costs import simulate
    from ..fourk.indicators import team_coverage

    absence = float(scenario.parameters.absence_rate)
    rows = []
    for order, variant in _orders(scenario, limit):
        result = simulate(variant, rules=())
        k = result.years.index(result.reference_year)
        rate = result.rates[0]
        row = {"order": order}
        for i, partner in enumerate(result.partners):
            row[Outcome("npv_eur", partner).column] = float(result.npv_eur["key"][rate][i])
        row["npv_total_eur"] = float(result.npv_eur["key"][rate].sum())
        members = [int(i) for i in np.flatnonzero(result.member[:, k])]
        row["coverage_probability"] = team_coverage(result.model, members, absence)  # as the scorecard
        rows.append(row)
    return (
        pd.DataFrame(rows).sort_values("npv_total_eur", ascending=False, kind="stable").reset_index(drop=True)
    )


def order_memberships(scenario: Scenario, limit: int = 24) -> list[tuple[str, np.ndarray]]:
    """Every order of the entrants over the same entry years (up to ``limit``): its label and its
    membership (partners × years), as ``optimise.consistent_orders`` judges it."""
    from ..costs import member_matrix

    return [(order, member_matrix(variant, status_quo=False)) for order, variant in _orders(scenario, limit)]


def order_table(orders: list[str], judged: list[list[np.ndarray]]) -> pd.DataFrame:
    """Per order (its label), the share of samples consistent with the proposed key and with the
    scenario's own (``judged``: per order, those two flags per sample); the most consistent first."""
    rows = [
        {"order": order, "proposed": float(proposed.mean()), "today": float(today.mean())}
        for order, (proposed, today) in zip(orders, judged, strict=True)
    ]
    return pd.DataFrame(rows).sort_values("proposed", ascending=False, kind="stable").reset_index(drop=True)


def entry_orders(scenario: Scenario, weights, samples: int, seed: int = 0, limit: int = 24) -> pd.DataFrame:
    """Every order of the entrants over the same entry years: the share of samples in which no partner
    already in pays more when others join (``optimise.consistent``), with the key of ``weights`` (the
    proposed key) and with the scenario's own, on the same draws; the most consistent order first."""
    from ..optimise.keys import consistent_orders, family
    from .vector import sampled

    # one path of the samples: a year's shares and game depend on who is in, not on the order of entry
    run = sampled(scenario, samples, seed)
    found = family(run, scenario.years.index(scenario.reference_year()))
    orders = order_memberships(scenario, limit)
    judged = consistent_orders(run, found, (weights, None), [member for _, member in orders])
    return order_table([order for order, _ in orders], judged)
