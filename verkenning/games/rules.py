"""Simple allocation rules, the core check, stand-alone comparison and game properties.

SCRB (separable costs, remaining benefits; James and Lee 1971, as used for water projects by the
Tennessee Valley Authority): each player first pays its separable cost m_i = c(N) − c(N∖{i}); the
non-separable rest g = c(N) − Σ m_j is shared in proportion to the remaining benefits
r_i = max(0, c({i}) − m_i) (differences within float rounding of the costs count as zero). It
needs only c(N), c({i}) and c(N∖{i}). When no player has a remaining benefit, g is split equally
(and the note says so).

The τ-value (Tijs 1981) of a value game v: each player's utopia payoff M_i = v(N) − v(N∖{i}) and its
minimal right m_i = max over S ∋ i of v(S) − Σ_{j∈S∖{i}} M_j; τ is the efficient point on the segment
from m to M. It exists when the game is quasi-balanced (m ≤ M and Σ m ≤ v(N) ≤ Σ M). For a cost game
it is the cost-gap allocation (Tijs and Driessen 1986, Management Science 32: 1015–1028), the τ-value
of the savings game: it is computed as −τ(−c), which is the same by τ's covariance under strategic
equivalence.

Properties are checked on the values as given (whatever the kind): subadditive
v(S ∪ T) ≤ v(S) + v(T) and superadditive ≥, for disjoint S, T (3^n pairs, up to 14 players);
concave (submodular) v(S ∪ {i,j}) + v(S) ≤ v(S ∪ i) + v(S ∪ j) and convex ≥ (up to 20 players);
monotone v(S) ≤ v(S ∪ i). A cost game with economies of scale is typically subadditive and concave;
its core is then non-empty and contains the Shapley value (Shapley 1971).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import GameError
from .game import CACHE_CELLS, Allocation, Game, block_sums, subgame_view, subset_sums, with_and_without

__all__ = [
    "CORE_TOL",
    "CoreCheck",
    "CoreViolation",
    "check_core",
    "core_excess",
    "equal_split",
    "in_core",
    "properties",
    "proportional",
    "scrb",
    "scrb_shares",
    "standalone_comparison",
    "tau",
    "tolerance",
    "zero_normalised",
]

ROUNDING = 64 * np.finfo(float).eps
"""Relative size of float rounding in differences of coalition values; smaller differences are zero."""
CORE_TOL = 1e-7
"""Relative tolerance of "in the core" and "worse off": an excess counts as zero up to CORE_TOL times
the game's largest saving (the zero-normalised game, the scale the LPs solve on), not its largest cost."""
NOISE = 1024 * np.finfo(float).eps
"""Relative float noise of sums over many coalitions (times max |c|): the floor of the tolerance."""
TOLERANCE_CELLS = CACHE_CELLS
"""A batch's tolerances are read this many coalition values at a time (the savings stay in the cache,
and a sweep's batch never needs a second copy of its games)."""
PAIRS_MAX_PLAYERS = 14
LOCAL_MAX_PLAYERS = 20


def zero_normalised(cost: np.ndarray) -> np.ndarray:
    """c(S) − Σ_{i∈S} c({i}) for every coalition, over the last axis (any leading batch axes).

    The savings of each coalition against its members alone (negative) or its extra cost (positive);
    strategically equivalent to the game, and the scale on which tolerances are judged.
    """
    cost = np.asarray(cost, dtype=float)
    n = cost.shape[-1].bit_length() - 1
    return cost - subset_sums(cost[..., 1 << np.arange(n)])


def tolerance(cost: np.ndarray) -> np.ndarray | float:
    """The one tolerance policy: CORE_TOL × the largest |saving| plus float noise × the largest |cost|.

    ``cost`` is the cost form over the last axis (2^n values); the result has the leading shape.
    On a game of 10^9 euro per member whose savings are cents, a cent still counts.
    """
    return subgame_tolerances(cost, [None])[0]


def subgame_tolerances(cost: np.ndarray, subgames) -> list:
    """:func:`tolerance` of each of ``subgames`` of the game ``cost``: each the positions of a group
    of its players (increasing), or ``None`` for the whole game. The game is zero-normalised once: a
    group's savings against its members alone are the game's own on the group's coalitions, summed
    in the same order, so each subgame's tolerance is the one its own game gives, to the bit; its
    maxima are read in place (``games.game.subgame_view``), not gathered."""
    cost = np.asarray(cost, dtype=float)
    size = max(1, TOLERANCE_CELLS // cost.shape[-1])
    if cost.ndim == 2 and len(cost) > size:  # a batch: each sample's maxima are its own
        parts = [subgame_tolerances(cost[s : s + size], subgames) for s in range(0, len(cost), size)]
        return [np.concatenate(found) for found in zip(*parts, strict=True)]
    if not np.isfinite(cost.sum(axis=-1)).all():  # a coalition not given (NaN) counts as 0
        cost = np.nan_to_num(cost)
    if cost.shape[-1] > TOLERANCE_CELLS and all(positions is None for positions in subgames):
        return [_whole_tolerance(cost)] * len(subgames)
    # the same maxima, read without the copies: a sweep's games are most of a sweep's memory
    savings = zero_normalised(cost)
    np.abs(savings, out=savings)
    found = []
    for positions in subgames:
        if positions is None:
            saving, own, axes = savings, cost, -1
        else:
            saving, own = subgame_view(savings, positions), subgame_view(cost, positions)
            axes = tuple(range(-len(positions), 0)) if positions else ()
        largest_cost = np.maximum(own.max(axis=axes), -own.min(axis=axes))
        found.append(CORE_TOL * saving.max(axis=axes) + NOISE * largest_cost)
    return found


def _whole_tolerance(cost: np.ndarray) -> np.ndarray:
    """:func:`tolerance` of a game larger than the cache (more than 17 players), read in blocks of
    ``TOLERANCE_CELLS`` coalitions: each block's savings from the sums of its members alone in the
    order of :func:`zero_normalised` (:func:`games.game.block_sums`), so the maxima and the
    tolerance are the same to the bit, without the whole game's savings ever held (at 20 players
    1.0 ms a game instead of 3.7 in one piece)."""
    n = cost.shape[-1].bit_length() - 1
    b = TOLERANCE_CELLS.bit_length() - 1
    singles = cost[..., 1 << np.arange(n)]
    low = subset_sums(singles[..., :b])
    saving = largest = None
    for start in range(0, 1 << n, 1 << b):
        block = cost[..., start : start + (1 << b)]
        savings = block_sums(low, singles, start >> b, b)
        np.subtract(block, savings, out=savings)
        np.abs(savings, out=savings)
        most = savings.max(axis=-1)
        costliest = np.maximum(block.max(axis=-1), -block.min(axis=-1))
        saving = most if saving is None else np.maximum(saving, most)
        largest = costliest if largest is None else np.maximum(largest, costliest)
    return CORE_TOL * saving + NOISE * largest


def core_excess(cost: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """x(S) − c(S) for every coalition (> 0: the group pays more together than on its own).

    Cost form over the last axis; ``shares`` over the players; any leading batch axes. The empty and
    the grand coalition get 0 (efficiency is checked apart).
    """
    excess = subset_sums(shares)
    excess -= np.asarray(cost, dtype=float)
    excess[..., 0] = 0.0
    excess[..., -1] = 0.0
    return excess


def in_core(cost: np.ndarray, shares: np.ndarray, limit: np.ndarray | float | None = None) -> np.ndarray:
    """Whether no coalition pays more than on its own, within :func:`tolerance` (batched; ``limit``:
    the game's tolerance, when the caller has it already)."""
    limit = np.asarray(tolerance(cost) if limit is None else limit)[..., None]
    return ~(core_excess(cost, shares) > limit).any(axis=-1)


def scrb_shares(cost: np.ndarray) -> np.ndarray:
    """SCRB shares of cost games over the last axis (2^n values; any leading batch axes)."""
    cost = np.asarray(cost, dtype=float)
    n = cost.shape[-1].bit_length() - 1
    grand = (1 << n) - 1
    singles = 1 << np.arange(n)
    separable = cost[..., [grand]] - cost[..., grand ^ singles]
    rest = cost[..., [grand]] - separable.sum(axis=-1, keepdims=True)
    remaining = cost[..., singles] - separable
    # below the rounding noise of these differences a remaining benefit is zero (not a tiny weight)
    noise = ROUNDING * np.abs(cost).max(axis=-1, keepdims=True)
    remaining = np.where(remaining > noise, remaining, 0.0)
    total = remaining.sum(axis=-1, keepdims=True)
    weights = np.divide(remaining, total, out=np.full_like(remaining, 1.0 / n), where=total > 0)
    return separable + rest * weights


def equal_split(game: Game) -> Allocation:
    """Every player carries the same share of v(N)."""
    game.require([game.grand], "the equal split")
    return Allocation(
        "equal_split", game.players, np.full(game.n, game.values[game.grand] / game.n), game.kind
    )


def proportional(
    game: Game, weights: Mapping[str, float] | Sequence[float], key: str = "weights"
) -> Allocation:
    """v(N) split in proportion to ``weights`` (inhabitants, workstations, ...): ``proportional:key``."""
    game.require([game.grand], "a proportional key")
    if isinstance(weights, Mapping):
        unknown = sorted(set(weights) - set(game.players))
        absent = [p for p in game.players if p not in weights]
        if unknown or absent:
            raise GameError(
                f"key {key!r}: "
                + "; ".join(
                    part
                    for part in (
                        f"unknown players {', '.join(unknown)}" if unknown else "",
                        f"no weight for {', '.join(absent)}" if absent else "",
                    )
                    if part
                )
            )
        weights = [weights[p] for p in game.players]
    try:
        w = np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        raise GameError(f"key {key!r}: every weight must be a number, got {list(weights)!r}") from None
    if w.shape != (game.n,) or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise GameError(f"key {key!r}: give one finite weight ≥ 0 per player, not all zero")
    return Allocation(f"proportional:{key}", game.players, game.values[game.grand] * w / w.sum(), game.kind)


def scrb(game: Game) -> Allocation:
    """Separable costs, remaining benefits (see the module docstring); needs only 2n + 1 coalitions."""
    n, grand = game.n, game.grand
    singles = 1 << np.arange(n)
    game.require(np.concatenate([[grand], singles, grand ^ singles]) if n > 1 else [grand], "SCRB")
    if n == 1:
        return Allocation("scrb", game.players, game.values[[1]], game.kind)
    c = np.nan_to_num(game.cost_form)  # SCRB reads only the 2n + 1 coalitions required above
    separable = c[grand] - c[grand ^ singles]
    remaining = c[singles] - separable
    none = not (remaining > ROUNDING * float(np.abs(c).max())).any()
    rest = "cost" if game.kind == "cost" else "worth"
    note = f"no player has a remaining benefit: the non-separable {rest} is split equally" if none else ""
    return Allocation("scrb", game.players, game.sign * scrb_shares(c), game.kind, note)


def tau(game: Game) -> Allocation:
    """The τ-value (cost-gap allocation for a cost game); see the module docstring."""
    game.require_complete("the τ-value")
    n = game.n
    v = -np.asarray(game.cost_form, dtype=float)  # the value form of either kind
    grand = game.grand
    utopia = v[grand] - v[grand ^ (1 << np.arange(n))]
    remainder = v - subset_sums(utopia)
    minimal = np.array([utopia[i] + with_and_without(remainder, i)[1].max() for i in range(n)])
    tol = float(tolerance(game.cost_form))
    low, high = minimal.sum(), utopia.sum()
    if (minimal > utopia + tol).any() or not low - tol <= v[grand] <= high + tol:
        raise GameError(
            "the τ-value needs a quasi-balanced game (every player's minimal right at most its utopia "
            "payoff, and their totals on either side of the grand coalition's); this game is not"
        )
    step = 0.0 if high - low <= tol else (v[grand] - low) / (high - low)
    shares = minimal + min(max(step, 0.0), 1.0) * (utopia - minimal)
    return Allocation("tau", game.players, -game.sign * shares, game.kind)


@dataclass(frozen=True)
class CoreViolation:
    """A group that would be better off on its own, and by how much (in the game's units)."""

    coalition: tuple[str, ...]
    amount: float


@dataclass(frozen=True, eq=False)
class CoreCheck:
    """Whether an allocation is in the core: efficient, and no group better off on its own.

    The groups are kept as masks and named on request: a 20-player key can leave a quarter of a
    million groups better off alone, and naming each of them was most of a scorecard's time.
    """

    game: Game
    efficiency_gap: float
    """x(N) − v(N); zero for an allocation that adds up exactly."""
    masks: np.ndarray
    """The groups better off on its own, worst first."""
    excess: np.ndarray
    """By how much each of them is (in the game's units)."""

    @property
    def count(self) -> int:
        return int(self.masks.size)

    def worst(self, limit: int | None = None) -> tuple[CoreViolation, ...]:
        """The ``limit`` groups better off on their own by the most (every one without a limit)."""
        masks = self.masks if limit is None else self.masks[:limit]
        return tuple(
            CoreViolation(self.game.members(int(m)), float(e))
            for m, e in zip(masks, self.excess[: masks.size], strict=True)
        )

    @property
    def violations(self) -> tuple[CoreViolation, ...]:
        """Every group better off on its own, worst first."""
        return self.worst()

    @property
    def in_core(self) -> bool:
        return self.count == 0 and self.efficiency_gap == 0.0


def check_core(game: Game, allocation: Allocation | Sequence[float]) -> CoreCheck:
    """Every coalition that pays more (cost) or gets less (value) than on its own, worst first.

    Judged with :func:`tolerance`, on the scale of the game's savings.
    """
    game.require_complete("the core check")
    shares = np.asarray(allocation.shares if isinstance(allocation, Allocation) else allocation, float)
    if shares.shape != (game.n,):
        raise GameError(f"an allocation needs one share per player ({game.n}), got {shares.shape}")
    cost = game.cost_form
    limit = float(tolerance(cost))
    excess = core_excess(cost, game.sign * shares)  # > 0: the group is worse off together
    bad = np.flatnonzero(excess > limit)
    bad = bad[np.lexsort((bad, -excess[bad]))]
    gap = float(shares.sum() - game.values[game.grand])
    if abs(gap) <= limit:
        gap = 0.0
    return CoreCheck(game, gap, bad, excess[bad])


def standalone_comparison(game: Game, allocation: Allocation) -> dict[str, dict[str, float]]:
    """Per player: its share, its stand-alone value v({i}) and the gain (what it saves or earns extra)."""
    game.require(1 << np.arange(game.n), "the stand-alone comparison")
    alone = game.standalone()
    return {
        p: {"share": float(x), "standalone": float(a), "gain": float(game.sign * (a - x))}
        for p, x, a in zip(game.players, allocation.shares, alone, strict=True)
    }


def _pairs_hold(values: np.ndarray, n: int, sub: bool, tol: float) -> bool:
    digits = np.arange(3**n)
    first = np.zeros(3**n, dtype=np.int64)
    second = np.zeros(3**n, dtype=np.int64)
    for player in range(n):
        digit = digits % 3
        digits //= 3
        first |= (digit == 1).astype(np.int64) << player
        second |= (digit == 2).astype(np.int64) << player
    union, apart = values[first | second], values[first] + values[second]
    return bool(np.all(union <= apart + tol) if sub else np.all(union >= apart - tol))


def properties(game: Game) -> dict[str, bool | None]:
    """Sub/superadditivity, concavity/convexity and monotonicity of the values; None when not checked."""
    n, v = game.n, game.values
    result: dict[str, bool | None] = dict.fromkeys(
        ("subadditive", "superadditive", "concave", "convex", "monotone")
    )
    if np.isnan(v[1:]).any():
        return result
    tol = float(tolerance(game.cost_form))
    if n <= PAIRS_MAX_PLAYERS:
        result["subadditive"] = _pairs_hold(v, n, True, tol)
        result["superadditive"] = _pairs_hold(v, n, False, tol)
    if n <= LOCAL_MAX_PLAYERS:
        concave = convex = True
        monotone = True
        for i in range(n):
            without_i, with_i = with_and_without(v, i)
            monotone &= bool(np.all(with_i >= without_i - tol))
            gain_i = with_i - without_i  # v(S ∪ i) − v(S), indexed by S without i
            for j in range(i + 1, n):
                # v(S∪i∪j) − v(S∪j) against v(S∪i) − v(S), over S without i and j
                base, with_j = with_and_without(gain_i.reshape(-1), j - 1)  # bit i removed
                concave &= bool(np.all(with_j <= base + tol))
                convex &= bool(np.all(with_j >= base - tol))
        result.update(concave=concave, convex=convex, monotone=monotone)
    return result
