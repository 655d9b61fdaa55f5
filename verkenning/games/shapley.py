"""The Shapley value, exact (vectorised over bitmasks) and sampled (seeded, with standard errors).

Exact: φ_i = Σ_{S ∌ i} w(|S|) (v(S ∪ i) − v(S)), with w(s) = s!(n−s−1)!/n!. Regrouped by
coalition, φ_i = Σ_{S ∋ i} (w(|S|−1) + w(|S|)) v(S) − Σ_S w(|S|) v(S) (with w(n) = 0), so two
weighted copies of the value array are made once, and the sums over S ∋ i for every i come from
folding the array in half n times: about 4·2^n operations, read in cache-sized blocks. Up to
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
from .game import Allocation, Game, popcounts

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
    if values.ndim > 1:
        rows = values.reshape(-1, values.shape[-1])
        return np.stack([_folded(row, n) for row in rows]).reshape(*values.shape[:-1], n)
    return _folded(values, n)


def _folded(values: np.ndarray, n: int) -> np.ndarray:
    """The Shapley value of one large game by folding (see the module docstring), one cache-sized
    block of ``2^BLOCK_BITS`` coalitions at a time: a block shares its high bits, so its sizes are
    the low bits' counts plus one number, its weights come from ``BLOCK_BITS`` + 1 small tables, and
    it adds to φ_i for each of its high bits whole and folds for its low ones. One pass over the
    game, and memory of a few blocks instead of three arrays of 2^n."""
    weight = _weights(n)
    member = np.concatenate([[0.0], weight])  # by |S|: w(|S|−1) for S as it contains i (0 for ∅)
    outsider = np.append(weight, 0.0)  # by |S|: w(|S|) for S without i (0 for N)
    b = min(n, BLOCK_BITS)
    low = popcounts(b)
    # per count p of high bits: the block's weights, member + outsider and outsider alone
    combined = [np.take(member + outsider, low + p) for p in range(n - b + 1)]
    outside = [np.take(outsider, low + p) for p in range(n - b + 1)]
    shares = np.zeros(n)
    outsiders = 0.0
    folded = np.empty(1 << b)
    for high in range(1 << (n - b)):
        block = values[high << b : (high + 1) << b]
        p = high.bit_count()
        np.multiply(combined[p], block, out=folded)
        outsiders += float(outside[p] @ block)
        for player in range(b - 1, -1, -1):  # the sums over S ∋ i within the block, top bit first
            half = 1 << player
            upper = folded[half : 2 * half]
            shares[player] += upper.sum()
            folded[:half] += upper
        total = float(folded[0])  # the fold has added the whole block into its first entry
        for player in range(n - b):
            if high >> player & 1:
                shares[b + player] += total
    shares -= outsiders
    return shares


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
