"""The Shapley value, exact (vectorised over bitmasks) and sampled (seeded, with standard errors).

Exact: φ_i = Σ_{S ∌ i} w(|S|) (v(S ∪ i) − v(S)), with w(s) = s!(n−s−1)!/n!. Regrouped by
coalition, φ_i = Σ_{S ∋ i} (w(|S|−1) + w(|S|)) v(S) − Σ_S w(|S|) v(S) (with w(n) = 0). The
first sums come from one weighted pass over the game in cache-sized blocks and a fold of two small
arrays (the sums over S ∋ i of an array of 2^m are it folded in half m times); the last sum, the
same for every i, follows from efficiency. About 2·2^n operations, one read of the game. Up to
12 players the same weights form one cached n × 2^n matrix and φ is a single product. We use this
form rather than the Harsanyi dividends (the Möbius transform) because the transform's alternating
sums amplify rounding by up to 2^n, which at n = 24 and costs of 10^9 euro would reach whole euros;
here every value enters with one weight.

Sampled: the mean marginal contribution over m random orders of the players (a seeded
``numpy.random.Generator``), each order paired with its reverse (antithetic sampling lowers the
variance); the standard error is the standard deviation of the pair means over √(m/2).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from math import lgamma

import numpy as np

from ..errors import GameError
from .game import CACHE_CELLS, Allocation, Game, popcounts

__all__ = ["shapley", "shapley_sampled", "shapley_shares"]

SMALL_PLAYERS = 12
"""Up to this size the Shapley value is one matrix product with cached tables (start-up dominates)."""
BLOCK_BITS = 16
"""Larger games are read in blocks of 2^16 coalitions (512 KiB of floats: a core's L2 cache)."""


def _weights(n: int) -> np.ndarray:
    """w(s) = s!(n−s−1)!/n! for s = 0..n−1 (computed in logs, exact to rounding)."""
    return np.exp([lgamma(s + 1) + lgamma(n - s) - lgamma(n + 1) for s in range(n)])


@lru_cache(maxsize=SMALL_PLAYERS + 1)
def _small_operator(n: int) -> np.ndarray:
    """The n × 2^n matrix W with φ = W v: W[i, S] = w(|S|−1)[i ∈ S] − w(|S|)[i ∉ S]."""
    size = popcounts(n)
    weight = _weights(n)
    outsider = np.take(np.append(weight, 0.0), size)
    member = np.take(np.concatenate([[0.0], weight]), size)
    contains = ((np.arange(1 << n)[None, :] >> np.arange(n)[:, None]) & 1).astype(bool)
    operator = np.where(contains, member, -outsider)
    operator.setflags(write=False)
    return operator


def shapley(game: Game) -> Allocation:
    """The exact Shapley value of a game with every coalition given (up to 25 players)."""
    game.require_complete("the exact Shapley value")
    return Allocation("shapley", game.players, shapley_shares(game.values), game.kind)


def shapley_shares(values: np.ndarray) -> np.ndarray:
    """The Shapley value of games given as values over the last axis (2^n; any leading batch axes)."""
    values = np.asarray(values, dtype=float)
    n = values.shape[-1].bit_length() - 1
    if n <= SMALL_PLAYERS:
        return values @ _small_operator(n).T
    games = values.reshape(-1, values.shape[-1])
    return _folded(games, n).reshape(*values.shape[:-1], n)


@lru_cache(maxsize=4)
def _block_weights(n: int, b: int) -> np.ndarray:
    """The weights w(|S|−1) + w(|S|) of a block of 2^b coalitions whose high bits count p members,
    as row p of a table (p = 0..n−b): a block's sizes are its low bits' counts plus p."""
    weight = _weights(n)
    combined = np.concatenate([[0.0], weight]) + np.append(weight, 0.0)  # w(n) = 0, w(−1) = 0
    counts = popcounts(b)
    table = np.empty((n - b + 1, 1 << b))
    for p, row in enumerate(table):
        row[:] = combined[p:][counts]  # indexed by the uint8 counts themselves: no wider copy
    table.setflags(write=False)
    return table


def _folded(games: np.ndarray, n: int) -> np.ndarray:
    """The Shapley values of large games (rows of 2^n), read a block of ``2^BLOCK_BITS``
    coalitions at a time (see the module docstring).

    The games are matrices of blocks (one row per pattern of high bits). A block's weighted sum
    is one dot product with its row of :func:`_block_weights` and adds to φ_i for each of its
    high bits; the sums over S ∋ i of the low bits are linear, so the blocks are first added per
    count of high bits, weighted once, and folded once. Σ_S w(|S|) v(S) then follows from
    efficiency, Σ_i φ_i = v(N) − v(∅): one pass over the games, with memory of a few blocks."""
    b = min(n, BLOCK_BITS)
    high_bits = n - b
    table = _block_weights(n, b)
    counts = popcounts(high_bits).tolist()
    batch = max(1, CACHE_CELLS // table.size)  # games read together: their sums fit a block
    shares = np.empty((len(games), n))
    for start in range(0, len(games), batch):
        blocks = games[start : start + batch].reshape(-1, 1 << high_bits, 1 << b)
        part = shares[start : start + batch]
        if high_bits == 0:  # one block per game
            part[:] = _sums_over_members(blocks[:, 0] * table[0], b)
            continue
        by_count = np.zeros((len(blocks), high_bits + 1, 1 << b))
        weighted = np.empty((len(blocks), 1 << high_bits))
        for high, p in enumerate(counts):
            block = blocks[:, high]
            weighted[:, high] = block @ table[p]
            by_count[:, p] += block
        by_count *= table
        low = by_count[:, 0]
        for p in range(1, high_bits + 1):
            low += by_count[:, p]
        part[:, :b] = _sums_over_members(low, b)
        part[:, b:] = _sums_over_members(weighted, high_bits)
    outsiders = (shares.sum(axis=1) - games[:, -1] + games[:, 0]) / n  # Σ_S w(|S|) v(S)
    return shares - outsiders[:, None]


def _sums_over_members(values: np.ndarray, m: int) -> np.ndarray:
    """Σ_{S ∋ i} values[S] for each of m players, over the last axis (2^m; overwritten): the
    array folded in half m times, top bit first."""
    sums = np.empty((len(values), m))
    for player in range(m - 1, -1, -1):
        half = 1 << player
        upper = values[:, half : 2 * half]
        sums[:, player] = upper.sum(axis=1)
        values[:, :half] += upper
    return sums


def shapley_sampled(
    players: Sequence[str] | Game,
    function: Callable[[np.ndarray], np.ndarray] | None = None,
    *,
    samples: int = 2000,
    seed: int = 0,
    kind: str = "cost",
) -> Allocation:
    """Shapley value estimated from ``samples`` random orders, with a standard error per player.

    Give either a :class:`Game` or player names and a vectorised ``function(masks) -> values``
    (masks as int64, so up to 62 players).
    """
    if isinstance(players, Game):
        game = players
        names, kind = game.players, game.kind
        game.require_complete("the sampled Shapley value")

        def function(masks: np.ndarray) -> np.ndarray:
            return game.values[masks]
    else:
        names = tuple(players)
        if function is None:
            raise GameError("give a game, or player names and a function of coalition masks")
    n = len(names)
    if n > 62:
        raise GameError(f"{n} players is more than the 62 a coalition mask can hold")
    if samples < 2:
        raise GameError("the sampled Shapley value needs at least 2 samples")
    pairs = (samples + 1) // 2
    rng = np.random.default_rng(seed)
    orders = rng.permuted(np.tile(np.arange(n), (pairs, 1)), axis=1)
    orders = np.concatenate([orders, orders[:, ::-1]])  # antithetic: each order and its reverse
    bits = np.left_shift(np.int64(1), orders.astype(np.int64))
    prefixes = np.concatenate([np.zeros((len(orders), 1), np.int64), np.cumsum(bits, axis=1)], axis=1)
    worth = np.asarray(function(prefixes.ravel()), dtype=float).reshape(prefixes.shape)
    worth[:, 0] = 0.0
    marginal = np.empty((len(orders), n))
    np.put_along_axis(marginal, orders, np.diff(worth, axis=1), axis=1)
    pair_means = 0.5 * (marginal[:pairs] + marginal[pairs:])
    shares = pair_means.mean(axis=0)
    errors = pair_means.std(axis=0, ddof=1) / np.sqrt(pairs)
    note = f"estimated from {2 * pairs} orders (seed {seed})"
    return Allocation("shapley_sampled", names, shares, kind, note=note, standard_errors=errors)
