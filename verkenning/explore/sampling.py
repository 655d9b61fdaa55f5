"""Uncertain inputs: the distributions a scenario declares, and Latin hypercube samples of them.

Every uncertainty maps a figure path (``parameters.transition_team_months``, ``services.*.scale_exponent``,
``partners.borne.workstations``, ``discount_rate``) to a distribution. Samples come from a Latin
hypercube on the unit cube, seeded through one ``numpy.random.Generator``, pushed through each
distribution's inverse CDF: the same scenario and seed give the same samples on any machine and any
backend.

The hypercube, the scrambled Sobol' sequence of the sensitivity design and the inverse CDFs are
written here, on ``scipy.special``'s normal distribution function and its inverse, instead of taken
from ``scipy.stats``: importing ``scipy.stats`` took half a second of every report job (and of every
sweep) for one hypercube, one Sobol' design and three closed-form inverses. The hypercube draws as
``scipy.stats.qmc.LatinHypercube(d, rng=rng).random(n)`` does (a child stream of ``rng``, the
jitter, then one permutation per column) and the Sobol' sequence as ``qmc.Sobol(d, rng=rng)`` does
(:func:`sobol_sequence`), so the samples are those they gave; the tests compare both, and the
inverses with ``scipy.stats``'s own.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..scenario import Scenario
from ..scenario.baseline import OBTAINED_WORDS
from ..scenario.checks import correlation_matrix, silent_parameters, values_at
from ..scenario.schema import PAIR, Correlation, Uncertainty

__all__ = [
    "Draws",
    "active",
    "central_value",
    "correlations_in_force",
    "hypercube",
    "label",
    "latin_hypercube",
    "ppf",
    "rank_correlated",
    "replicates",
    "sample",
]


def active(scenario: Scenario) -> dict[str, Uncertainty]:
    """The uncertainties in force (``null`` entries switch defaults off), sorted by path.

    A ``*`` uncertainty with ``each: true`` becomes one per item (an item's own entry wins). A
    parameter this scenario does not use (the transition without an entrant, the exit fee without a
    leaver) is left out: varying it would only add an input without effect.

    Besides the declared ones, every figure of a partner's nulmeting has a measurement error unless
    the scenario declares (or switches off) one for its path: ± ``baseline_error_observed`` for a
    figure observed in the books, ± ``baseline_error_estimated`` for an estimate, uniform, as a
    factor. A modelled figure gets none here: the model's structural uncertainties cover it.
    """
    silent = {f"parameters.{name}" for name in silent_parameters(scenario)}
    found = {
        path: spec
        for path, spec in scenario.uncertainties.items()
        if spec is not None and not spec.each and path not in silent
    }
    for path, spec in scenario.uncertainties.items():
        if spec is None or not spec.each:
            continue
        head, _star, figure = path.split(".")
        for item in scenario.partners if head == "partners" else scenario.services:
            own = f"{head}.{item.id}.{figure}"
            if own not in scenario.uncertainties and getattr(item, figure, None) is not None:
                named = f"{spec.label or figure} ({item.name})"
                found[own] = spec.model_copy(update={"each": False, "label": named})
    errors = {
        "observed": float(scenario.parameters.baseline_error_observed),
        "estimated": float(scenario.parameters.baseline_error_estimated),
    }
    for partner in scenario.partners:
        b = partner.baseline
        if b is None:
            continue
        figures = {f"partners.{partner.id}.baseline.services.{sid}": v for sid, v in b.services.items()}
        if b.whole_cost is not None:
            figures[f"partners.{partner.id}.baseline.annual_cost_eur"] = b.whole_cost
        for path, figure in figures.items():
            error = errors.get(figure.how_obtained)
            if path in scenario.uncertainties or not error:
                continue
            found[path] = Uncertainty(
                distribution="uniform",
                low=1 - error,
                high=1 + error,
                factor=True,
                label=f"de gemeten kosten van {partner.name}",
                assumption=f"meetfout van een {OBTAINED_WORDS[figure.how_obtained]} cijfer van de nulmeting: "
                f"± {error:.0%}",
            )
    return dict(sorted(found.items()))


def ppf(spec: Uncertainty, u: np.ndarray) -> np.ndarray:
    """The inverse CDF of ``spec`` at probabilities ``u`` (vectorised)."""
    from scipy.special import ndtr, ndtri

    u = np.asarray(u, dtype=float)
    if spec.distribution == "uniform":
        return spec.low + u * (spec.high - spec.low)
    if spec.distribution == "triangular":  # the standard triangle on [0, 1] with its mode at c, scaled
        width = spec.high - spec.low
        c = (spec.mode - spec.low) / width
        return np.where(u < c, np.sqrt(c * u), 1 - np.sqrt((1 - c) * (1 - u))) * width + spec.low
    if spec.distribution == "normal":
        a = -np.inf if spec.low is None else (spec.low - spec.mean) / spec.sd
        b = np.inf if spec.high is None else (spec.high - spec.mean) / spec.sd
        # Φ(z) = Φ(a) + u (Φ(b) − Φ(a)), solved from the lower tail below the median and from the
        # upper one above it (1 − Φ(z) = Φ(−z)), so neither loses its digits next to 1
        mass = ndtr(-a) - ndtr(-b) if a > 0 else ndtr(b) - ndtr(a)
        lower, upper = ndtr(a) + u * mass, ndtr(-b) + (1 - u) * mass
        z = np.where(lower < 0.5, ndtri(lower), -ndtri(upper))
        return spec.mean + spec.sd * np.clip(z, a, b)
    if spec.distribution == "lognormal":
        return spec.median * np.exp(spec.sigma * ndtri(u))
    values = np.asarray(spec.values, dtype=float)
    weights = np.asarray(spec.weights or np.ones(len(values)), dtype=float)
    cumulative = np.cumsum(weights / weights.sum())
    return values[np.minimum(np.searchsorted(cumulative, u, side="right"), len(values) - 1)]


@dataclass(frozen=True, eq=False)
class Draws:
    """n samples of d uncertain figures: ``values`` is n × d, columns in ``paths`` order."""

    paths: tuple[str, ...]
    specs: tuple[Uncertainty, ...]
    values: np.ndarray
    seed: int

    @property
    def n(self) -> int:
        return self.values.shape[0]


def correlations_in_force(scenario: Scenario) -> dict[str, Correlation]:
    """The declared rank correlations between two uncertainties of this scenario's sweep."""
    paths = set(active(scenario))
    return {
        key: c
        for key, c in scenario.correlations.items()
        if c is not None and c.rank and all(part.strip() in paths for part in key.split(PAIR))
    }


def rank_correlated(unit: np.ndarray, target: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The columns of ``unit`` (n × d) reordered so that their ranks correlate as ``target`` says.

    Iman and Conover (1982), 'A distribution-free approach to inducing rank correlation among input
    variables', Communications in Statistics B 11(3): van der Waerden scores, permuted at random per
    column, are given the target correlation through the Cholesky factors of the target and of
    their own correlation; each column of ``unit`` then takes the ranks of its scores. A column
    only changes order, so a Latin hypercube stays one and every marginal is exactly as drawn.
    Columns without a declared correlation are left as they are (and no random number is drawn
    when none has one).
    """
    from scipy.special import ndtri

    involved = np.flatnonzero((np.abs(target - np.eye(len(target))) > 0).any(axis=0))
    n = unit.shape[0]
    if involved.size == 0 or n <= involved.size + 1:
        return unit
    wanted = target[np.ix_(involved, involved)]
    wanted = wanted * (1 - 1e-9) + np.eye(involved.size) * 1e-9  # a rank of ±1 as nearly so
    scores = ndtri(np.arange(1, n + 1) / (n + 1))
    shuffled = np.column_stack([rng.permutation(scores) for _ in involved])
    try:
        own = np.linalg.cholesky(np.corrcoef(shuffled, rowvar=False))
        goal = np.linalg.cholesky(wanted)
    except np.linalg.LinAlgError:
        return unit
    arranged = shuffled @ np.linalg.inv(own).T @ goal.T
    out = unit.copy()
    for column, j in enumerate(involved):
        ranks = np.argsort(np.argsort(arranged[:, column], kind="stable"), kind="stable")
        out[:, j] = np.sort(unit[:, j])[ranks]
    return out


REPLICATES = 10
"""Independent Latin hypercubes a sweep is drawn as; their spread gives the standard errors."""


def replicates(n: int) -> list[np.ndarray]:
    """The sample indices of each replicated hypercube of an n-sample sweep (consecutive blocks)."""
    return np.array_split(np.arange(n), min(REPLICATES, max(1, n // 2)))


def latin_hypercube(d: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """n points of a Latin hypercube in d dimensions (McKay, Beckman and Conover 1979): each column
    puts one point in each of its n strata, at a uniform place within it, the strata in random order.
    Drawn from a child stream of ``rng``: jitter first, then each column's order."""
    child = rng.spawn(1)[0]
    jitter = child.uniform(size=(n, d))
    strata = np.column_stack([child.permutation(n) for _ in range(d)]) if d else np.zeros((n, 0), int)
    return (strata + 1 - jitter) / n


SOBOL_BITS = 30
"""Bits of a Sobol' point (at most 2^30 points), as ``scipy.stats.qmc.Sobol`` uses by default."""


def _direction_table():
    """Where the installed scipy keeps Joe and Kuo's direction numbers (found without importing it)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("scipy")
    return Path(next(iter(spec.submodule_search_locations))) / "stats" / "_sobol_direction_numbers.npz"


@functools.lru_cache(maxsize=8)
def _direction_numbers(d: int) -> np.ndarray:
    """The Sobol' direction numbers of the first ``d`` dimensions (d × SOBOL_BITS, uint32), from Joe
    and Kuo's table (criterion D(6), 21,201 dimensions; S. Joe and F. Y. Kuo, 'Remark on algorithm
    659', ACM TOMS 29(1), 2003), as scipy ships it beside ``scipy.stats``. The file is read where the
    installed scipy keeps it, without importing ``scipy.stats``; the first m of a dimension's numbers
    are its initial ones and the rest follow its primitive polynomial (Bratley and Fox, 'Algorithm
    659', ACM TOMS 14(1), 1988, p. 90)."""
    with np.load(_direction_table()) as numbers:
        poly, initial = numbers["poly"][:d].astype(np.int64), numbers["vinit"][:d].astype(np.int64)
    v = np.ones((d, SOBOL_BITS), dtype=np.int64)
    for dim in range(1, d):
        p = int(poly[dim])
        m = p.bit_length() - 1
        v[dim, :m] = initial[dim, :m]
        for j in range(m, SOBOL_BITS):
            new = v[dim, j - m]
            for k in range(m):
                if (p >> (m - 1 - k)) & 1:
                    new ^= v[dim, j - k - 1] << (k + 1)
            v[dim, j] = new
    numbers = (v << np.arange(SOBOL_BITS - 1, -1, -1)).astype(np.uint32)
    numbers.setflags(write=False)  # kept for the next design of this size: read, never written
    return numbers


def sobol_sequence(d: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """The first n points of a scrambled Sobol' sequence in d dimensions (n a power of 2), as
    ``scipy.stats.qmc.Sobol(d, scramble=True, rng=rng).random(n)`` gives them, written here so that
    a sweep does not import ``scipy.stats`` (see the module docstring); the tests compare both.

    Drawn from a child stream of ``rng``: the digital shift, then a random lower-triangular binary
    matrix per dimension for the linear matrix scramble (Matoušek 1998; Owen 2003), which multiplies
    each direction number's bits (mod 2). Point k is the shift XOR the direction numbers of the bits
    set in k's Gray code (Antonov and Saleev 1979), times 2^-30."""
    try:
        v = _direction_numbers(d)
    except (OSError, KeyError):  # a scipy that keeps the table elsewhere: its own generator, the same points
        from scipy.stats import qmc

        return qmc.Sobol(d=d, scramble=True, rng=rng).random(n)
    bits = SOBOL_BITS
    child = rng.spawn(1)[0]
    shift = child.integers(0, 2, size=(d, bits), dtype=np.uint32) @ (1 << np.arange(bits, dtype=np.uint32))
    lower = np.tril(child.integers(0, 2, size=(d, bits, bits), dtype=np.uint32))
    lower[:, np.arange(bits), np.arange(bits)] = 1
    # bit i of a number, most significant first (i = 0 is bit 29), as the scramble reads rows of ``lower``
    weights = np.uint32(1) << np.arange(bits - 1, -1, -1, dtype=np.uint32)
    digits = (v[:, :, None] & weights) != 0  # d × numbers × bits
    products = np.einsum("dpi,dji->djp", lower.astype(np.int64), digits.astype(np.int64))
    v = (products & 1).astype(np.uint32) @ weights  # each number's bits times its matrix, mod 2
    k = np.arange(n, dtype=np.uint32)
    gray = k ^ (k >> 1)
    points = np.broadcast_to(shift.astype(np.uint32), (n, d)).copy()
    for b in range(min(bits, max(int(n - 1).bit_length(), 1))):
        points[((gray >> b) & 1).astype(bool)] ^= v[:, b]
    return points * (1.0 / 2**bits)


def hypercube(d: int, n: int, rng: np.random.Generator, target: np.ndarray | None = None) -> np.ndarray:
    """n points of the unit cube in d dimensions: :func:`replicates` independent Latin hypercubes,
    each rank-correlated as ``target`` says (:func:`rank_correlated`)."""
    blocks = []
    for block in replicates(n):
        unit = latin_hypercube(d, len(block), rng)
        blocks.append(unit if target is None else rank_correlated(unit, target, rng))
    return np.vstack(blocks) if blocks else np.zeros((0, d))


def sample(scenario: Scenario, n: int, seed: int = 0) -> Draws:
    """``n`` Latin hypercube samples of the scenario's uncertainties, rank-correlated where the
    scenario declares it (:func:`rank_correlated`)."""
    specs = active(scenario)
    rng = np.random.default_rng(seed)
    if specs:
        unit = hypercube(len(specs), n, rng, np.array(correlation_matrix(scenario, tuple(specs))))
        values = np.column_stack([ppf(spec, unit[:, j]) for j, spec in enumerate(specs.values())])
    else:
        values = np.zeros((n, 0))
    return Draws(tuple(specs), tuple(specs.values()), values, seed)


def central_value(scenario: Scenario, path: str, spec: Uncertainty) -> float:
    """The value the scenario itself gives the figure (1 for a factor): the centre of a tornado bar."""
    if spec.factor:
        return 1.0
    values = values_at(scenario, path)
    return float(np.mean(values)) if values else 0.0


def label(path: str, spec: Uncertainty) -> str:
    """The Dutch name of an uncertain figure in a report sentence."""
    return spec.label or path
