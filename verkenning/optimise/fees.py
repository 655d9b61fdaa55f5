"""An entrant's annual contribution: its bounds of reason, the core's range, and the negotiation room.

Entry fee range (LP). For an entrant e in the year's cost game c, its annual contribution lies
between what it adds to the cost, c(N) − c(N∖e), and what it would pay alone, c({e}); the range is
narrowed to the shares that keep every partner and every group better off: min and max x_e over the
core (over the least core when the core is empty, which the result says). Two LPs, in
``games.fee_range``.

Entry terms (the negotiation room, over the uncertainty). Let the entrant e pay y a year instead of
what the scenario's key charges it (x_e), the difference going to or coming from the partners
already in by their key shares (as an entry fee is shared): x(y) = x + (y − x_e)·δ with δ_e = 1 and
δ_p = −x_p / Σ_(q≠e) x_q. Every row of the entry win-win (``keys.Rows``: the core and each member's
status quo) is linear in y, so in each sample the contributions that keep everyone better off form
one interval [lo_s, hi_s] (empty when a row fails whatever y is). P(y) is the share of samples whose
interval holds y; the room at a target probability is the smallest and largest y with P(y) ≥ target,
found exactly among the intervals' end points. Each partner's gain is linear in y too, so the
figure of the room is exact on any grid. The principles pick a point at the scenario's own values:
``equal_gain`` halves the entry's gain c(N∖e) + c({e}) − c(N) between the entrant and the partners
already in (the Nash bargaining point of the two sides), ``nucleolus`` and ``shapley`` are the
entrant's share of the year's game by that rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..costs import CostResult, Projection, integral_rates, year_game
from ..errors import GameError, VerkenningError
from ..games import Game, fee_ranges, nucleolus, prenucleolus, shapley
from ..games.game import CACHE_CELLS, subset_sums, with_and_without
from ..scenario.schema import PRINCIPLES
from .keys import win_win_rows

__all__ = ["EntryFee", "EntryTerms", "entry_fee_range", "entry_fee_ranges", "entry_terms"]


@dataclass(frozen=True)
class EntryFee:
    """An entrant's annual contribution: the bounds of reason and the range that keeps all better off."""

    entrant: str
    year: int
    marginal_cost_eur: float
    """c(N) − c(N∖e): the least an entrant can pay without the others paying for it."""
    standalone_eur: float
    """c({e}): the most it would pay before staying alone is cheaper."""
    low_eur: float
    high_eur: float
    core_empty: bool
    epsilon_eur: float
    key_share_eur: float
    """What the scenario's key charges it in that year."""
    legal_floor_eur: float = 0.0
    """For an entrant that is no bestuursorgaan (``kind: other``, Wet Markt en Overheid): the least
    annual contribution whose charge covers the centre's integral cost price of what it gets (its key
    share plus overhead and capital charge); 0 for a public entrant, which the law leaves free."""


def entry_fee_range(result: CostResult, entrant: str, year: int | None = None) -> EntryFee:
    """The fee range of ``entrant`` in ``year`` (default: the reference year)."""
    return entry_fee_ranges(result, (entrant,), year)[0]


def entry_fee_ranges(
    result: CostResult, entrants: Sequence[str], year: int | None = None
) -> tuple[EntryFee, ...]:
    """The fee range of each of ``entrants`` in ``year`` (default: the reference year), on one game."""
    if not entrants:
        return ()
    year = result.reference_year if year is None else year
    game = year_game(result, year)
    for entrant in entrants:
        if entrant not in game.players:
            raise VerkenningError(
                f"{entrant!r} is not a member in {year}; members: {', '.join(game.players)}"
            )
    k = result.years.index(year)
    rate, charged = integral_rates(result.scenario.parameters)
    found = []
    for entrant, fee in zip(entrants, fee_ranges(game, entrants), strict=True):
        bit = 1 << game.players.index(entrant)
        key_share = float(result.share_eur["key"][result.partners.index(entrant), k])
        floor = 0.0
        if result.scenario.partner(entrant).kind == "other":
            floor = key_share * (1.0 + rate) / charged
        found.append(
            EntryFee(
                entrant=entrant,
                year=year,
                marginal_cost_eur=float(game.values[game.grand] - game.values[game.grand ^ bit]),
                standalone_eur=float(game.values[bit]),
                low_eur=fee.low,
                high_eur=fee.high,
                core_empty=fee.core_empty,
                epsilon_eur=fee.epsilon,
                key_share_eur=key_share,
                legal_floor_eur=floor,
            )
        )
    return tuple(found)


@dataclass(frozen=True, eq=False)
class EntryTerms:
    """An entrant's negotiation room over the samples, and the points the principles pick in it."""

    entrant: str
    year: int
    members: tuple[str, ...]
    target: float
    low_eur: float | None
    """The least annual contribution with P(everyone better off) ≥ target; None when none reaches it."""
    high_eur: float | None
    best_probability: float
    """The highest P(everyone better off) of any contribution."""
    best_eur: float | None
    """The least contribution that reaches ``best_probability``."""
    floor_eur: float
    """c(N) − c(N∖e) at the scenario's values: what the entrant adds to the cost."""
    standalone_eur: float
    key_share_eur: float
    """What the scenario's key charges the entrant, at the scenario's values."""
    points: dict[str, float]
    """Principle → the contribution it picks (at the scenario's values)."""
    lo: np.ndarray
    """Per sample: the least contribution that keeps everyone better off (lo > hi: none does)."""
    hi: np.ndarray
    intercept: np.ndarray
    """n × members: each member's gain (euros a year) were the entrant to pay nothing."""
    slope: np.ndarray
    """n × members: how each member's gain moves per euro the entrant pays."""
    central: tuple[np.ndarray, np.ndarray]
    """The same intercept and slope at the scenario's values (members)."""

    def probability(self, y) -> np.ndarray:
        """P(everyone better off) at contributions ``y`` (a number or an array)."""
        y = np.asarray(y, dtype=float)
        inside = (self.lo[:, None] <= y.reshape(-1)[None]) & (y.reshape(-1)[None] <= self.hi[:, None])
        return inside.mean(axis=0).reshape(y.shape)

    def gains(self, y) -> np.ndarray:
        """n × members × len(y): each member's gain in each sample at contributions ``y``."""
        y = np.atleast_1d(np.asarray(y, dtype=float))
        return self.intercept[:, :, None] + self.slope[:, :, None] * y[None, None, :]

    def central_gains(self, y: float) -> dict[str, float]:
        """Each member's gain at the scenario's values when the entrant pays ``y``."""
        a, b = self.central
        return {p: float(a[i] + b[i] * y) for i, p in enumerate(self.members)}


CELLS = CACHE_CELLS
"""Samples × coalitions of one block of the intervals: 1 MiB per float64 temporary (the generic
path's blocks of 2^22 cells made the entry terms 1.6 times slower at 12 members; 2^15 was slower
again, measured on the benchmark's growth paths)."""

SHARE_FLOOR = 1e-9
"""The least share of the others' pool every other member must pay for a sample's groups to take
the direct path (:func:`_group_bounds`); below it a row may be flat (|c| < 1e-12 in ``_intervals``)."""


def _linear(run: Projection, k: int, e: int):
    """Per sample the interval of y that holds every row of the win-win, a + c·y ≤ H, and each
    member's gain as g0 + g1·y."""
    rows = win_win_rows(run, k)
    members = list(rows.members)
    x = run.share["key"][:, members, k]
    i = members.index(e)
    others = np.ones(len(members), dtype=bool)
    others[i] = False
    pool = x[:, others].sum(axis=1, keepdims=True)
    delta = np.zeros_like(x)
    delta[:, others] = -np.divide(x[:, others], pool, out=np.zeros_like(x[:, others]), where=pool != 0)
    delta[:, i] = 1.0
    core = rows.core  # the groups' rows come first, then each member's status quo
    lo, hi = _intervals(x - x[:, i : i + 1] * delta, delta, rows.status_bounds())
    direct = (pool[:, 0] > 0) & np.isfinite(pool[:, 0])
    if others.any():
        direct &= (x[:, others] >= SHARE_FLOOR * pool).all(axis=1)
    size = max(1, CELLS >> max(0, len(members) - 1))
    B = rows.B[:core]
    for start in range(0, len(x) if core else 0, size):
        block = slice(start, start + size)
        if direct[block].all():  # the usual case: as a slice, the game's rows are read in place
            parts = [(block, True)]
        else:
            parts = [(np.flatnonzero(direct[block] == fast) + start, fast) for fast in (True, False)]
        for s, fast in parts:
            if fast:
                low, high = _group_bounds(x[s], pool[s], rows.values[s], rows.tolerance[s], i)
            else:  # some other member pays (almost) nothing: the rows one by one
                c = delta[s] @ B.T
                low, high = _intervals(x[s] @ B.T - x[s, i : i + 1] * c, c, rows.group_bounds(s))
            lo[s], hi[s] = np.maximum(lo[s], low), np.minimum(hi[s], high)
    gain0 = rows.limit - x + x[:, i : i + 1] * delta
    return rows, lo, hi, gain0, -delta


def _group_bounds(
    x: np.ndarray,
    pool: np.ndarray,
    values: np.ndarray,
    tol: np.ndarray,
    i: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The interval of y that the groups' rows allow, for samples whose other members each pay a
    positive share of the pool (so no row is flat and each row's sign is known); a group's bound H_T
    is its cost in the year's game ``values`` plus the sample's tolerance ``tol``.

    With s the others' shares of the pool P and σ(T) = Σ_(q∈T) s_q for a group T of others, a group
    without the entrant has c = −σ(T) and a = P·f·σ(T) with f = 1 + x_e/P, a lower bound
    y ≥ P·f − H_T / σ(T); a group T + e has c = 1 − σ(T) = σ(T̄) and the same a, an upper bound
    y ≤ P·f + (H_(T+e) − P·f) / σ(T̄), T̄ the others outside T. Both halves divide by σ over the
    nonempty groups of others: one table of 2^(m−1) subset sums per sample instead of two products
    with the 2^m × m row matrix."""
    others = [p for p in range(x.shape[1]) if p != i]
    sigma = subset_sums(x[:, others] / pool)[:, 1:]  # the nonempty groups of others, by mask
    pf = pool[:, 0] + x[:, i]
    # H_T + tol: the masks without i are the game's in increasing order with bit i 0, those with i
    # (every T̄ + e but the grand coalition) the same with bit i 1, read backwards; both are read as
    # strided views of the game while the tolerance is added (a gather by index arrays of those
    # masks, then the addition, was half the entry terms' time at 16 members)
    without, with_e = with_and_without(values, i)
    n, half = values.shape[0], values.shape[1] >> 1
    lower, upper = np.empty((n, half)), np.empty((n, half))
    np.add(without, tol[:, None, None], out=lower.reshape(without.shape))
    np.add(with_e, tol[:, None, None], out=upper.reshape(with_e.shape))
    lower, upper = lower[:, 1:], upper[:, : half - 1][:, ::-1]
    lo = pf - np.divide(lower, sigma, out=lower).min(axis=1)
    upper -= pf[:, None]
    hi = pf + np.divide(upper, sigma, out=upper).min(axis=1)
    return lo, hi


def _intervals(a: np.ndarray, c: np.ndarray, H: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per sample the interval of y with a + c·y ≤ H in every row (lo > hi when there is none)."""
    flat = np.abs(c) < 1e-12
    bound = np.divide(H - a, c, out=np.zeros_like(a), where=~flat)
    lo = np.where(c < 0, bound, -np.inf).max(axis=1) if c.size else np.full(len(a), -np.inf)
    hi = np.where((c > 0) & ~flat, bound, np.inf).min(axis=1) if c.size else np.full(len(a), np.inf)
    broken = (flat & (a > H)).any(axis=1)
    return np.where(broken, np.inf, lo), np.where(broken, -np.inf, hi)


def _room(lo: np.ndarray, hi: np.ndarray, target: float):
    """The least and largest y with P(y) ≥ target, the largest P and the least y that reaches it,
    exactly: P only rises at an interval's lower end and only falls just after an upper end, so its
    extremes are at end points."""
    valid = lo <= hi
    n = len(lo)
    points = np.unique(np.concatenate([lo[valid], hi[valid]]))
    points = points[np.isfinite(points)]
    if not points.size:
        share = float(valid.mean())
        return (None, None, share, None) if share < target else (-np.inf, np.inf, share, None)
    lows, highs = np.sort(lo[valid]), np.sort(hi[valid])
    p = (np.searchsorted(lows, points, side="right") - np.searchsorted(highs, points, side="left")) / n
    reached = np.flatnonzero(p >= target - 1e-12)
    best = float(points[int(np.argmax(p))])
    if not reached.size:
        return None, None, float(p.max()), best
    return float(points[reached[0]]), float(points[reached[-1]]), float(p.max()), best


def _points(values: np.ndarray, members: tuple[str, ...], i: int) -> dict[str, float]:
    """Each principle's contribution for member ``i`` in one year's game ``values`` (2^m)."""
    bit, grand = 1 << i, len(values) - 1
    game = Game(members, values, "cost")
    try:
        nucleolus_share = float(nucleolus(game).shares[i])
    except GameError:  # no imputation: the pre-nucleolus
        nucleolus_share = float(prenucleolus(game).shares[i])
    gain = values[grand ^ bit] + values[bit] - values[grand]
    found = {
        "equal_gain": float(values[bit] - gain / 2),
        "nucleolus": nucleolus_share,
        "shapley": float(shapley(game).shares[i]),
    }
    return {p: found[p] for p in PRINCIPLES}


def entry_terms(
    run: Projection, central: Projection, k: int, entrant: str, target: float = 0.9
) -> EntryTerms:
    """The negotiation room of ``entrant`` in year index ``k`` over the samples of ``run`` (see the
    module docstring); ``central`` is the path at the scenario's own values (a batch of one)."""
    partners = run.model.partners
    e = partners.index(entrant)
    if e not in run.members(k):
        raise VerkenningError(f"{entrant!r} is not a member in {run.years[k]}")
    rows, lo, hi, gain0, gain1 = _linear(run, k, e)
    low, high, best, best_at = _room(lo, hi, target)
    members = tuple(partners[p] for p in rows.members)
    at, _, _, central0, central1 = _linear(central, k, e)
    i = list(rows.members).index(e)
    values = at.values[0]
    bit, grand = 1 << i, len(values) - 1
    return EntryTerms(
        entrant=entrant,
        year=run.years[k],
        members=members,
        target=target,
        low_eur=low,
        high_eur=high,
        best_probability=best,
        best_eur=best_at,
        floor_eur=float(values[grand] - values[grand ^ bit]),
        standalone_eur=float(values[bit]),
        key_share_eur=float(central.share["key"][0, e, k]),
        points=_points(values, members, i),
        lo=lo,
        hi=hi,
        intercept=gain0,
        slope=gain1,
        central=(central0[0], central1[0]),
    )
