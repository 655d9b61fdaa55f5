"""Transferable-utility games stored as one array indexed by bitmask, and the named results.

A game has players ``0..n-1`` (with names) and a characteristic function over all coalitions,
stored as a float array ``values`` of length 2^n: ``values[mask]`` is the worth of the coalition
whose members are the set bits of ``mask`` (bit i = player i); ``values[0] = 0`` is the empty
coalition. A coalition that was not given is NaN.

Sign conventions. ``kind="cost"``: ``values`` are costs c(S); an allocation x says what each player
pays; x is in the core when x(N) = c(N) and x(S) ≤ c(S) for every S (no group pays more than on its
own). ``kind="value"``: ``values`` are worths v(S); x says what each player receives; the core is
x(N) = v(N), x(S) ≥ v(S). Every solver works on the cost form c = v for cost games and c = -v for
value games, and turns its answer back into the game's own sign, so each concept means the same
thing in both kinds (the Shapley value, nucleolus and core of -v are the negatives of those of v).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np

from ..errors import GameError

__all__ = [
    "CACHE_CELLS",
    "EXACT_MAX_PLAYERS",
    "Allocation",
    "Game",
    "block_sums",
    "popcounts",
    "subgame_view",
    "subset_sums",
    "whole_units",
    "with_and_without",
]

CACHE_CELLS = 1 << 17
"""Floats a batch's passes over coalitions read at once (1 MiB: a block that stays in a core's L2
cache while each pass reads it); each module's own block size starts from it."""
EXACT_MAX_PLAYERS = 25
"""Largest game stored as a full array (2^25 floats = 256 MiB); larger games are sampled."""

Kind = Literal["cost", "value"]


def with_and_without(array: np.ndarray, player: int) -> tuple[np.ndarray, np.ndarray]:
    """Views of ``array`` (indexed by mask over its last axis; any leading batch axes) at the masks
    without and with ``player``, aligned: each, flattened over its last two axes, in mask order."""
    view = array.reshape(*array.shape[:-1], array.shape[-1] >> (player + 1), 2, 1 << player)
    return view[..., 0, :], view[..., 1, :]


def whole_units(exact: np.ndarray, total: int) -> np.ndarray:
    """Round ``exact`` amounts (in units: cents, or a power of ten) to integers adding up to ``total``.

    Largest remainder: each is rounded down, then the units still short go to the largest fractions
    (ties to the first); units too many come off the smallest fractions.
    """
    exact = np.asarray(exact, dtype=float)
    units = np.floor(exact).astype(np.int64)
    short = total - int(units.sum())
    order = np.lexsort((np.arange(exact.size), -(exact - units)))
    if short >= 0:
        units[order[:short]] += 1
    else:
        units[order[::-1][:-short]] -= 1
    return units


def popcounts(n: int, group: int | None = None) -> np.ndarray:
    """Number of members of every coalition of ``n`` players, as uint8 indexed by mask; with
    ``group`` (a mask), the number of members of the group in it, |S ∩ group|."""
    counts = np.empty(1 << n, dtype=np.uint8)
    counts[0] = 0
    for player in range(n):  # the masks with highest bit i count one more than those below 2^i
        half = 1 << player
        np.add(counts[:half], 1 if group is None else (group >> player) & 1, out=counts[half : 2 * half])
    return counts


@lru_cache(maxsize=8)
def group_counts(n: int, group: int) -> tuple[np.ndarray, np.ndarray]:
    """(|S ∩ group| as uint8, whether S meets the group) for every coalition S of ``n`` players,
    read-only and cached: a cost model asks for the same few groups (the takers of a service) for
    every block of samples, and at 20 players building them each time was 6% of a game's cost.
    (Counts as indices, intp, made ``np.take`` 0.3–0.8 ms slower in ``coalition_costs`` at 20, by
    their 8 MiB read, though faster alone.) Eight groups are kept: 16 MiB at 20 players."""
    counts = popcounts(n, group)
    meets = counts > 0
    counts.setflags(write=False)
    meets.setflags(write=False)
    return counts, meets


def embedded_masks(positions: Sequence[int]) -> np.ndarray:
    """The masks, in a game of more players, of the coalitions of the players at ``positions``
    (increasing), indexed by their masks among those players: ``values[..., embedded_masks(p)]`` is
    the subgame of those players."""
    index = np.zeros(1 << len(positions), dtype=np.int64)
    for j, position in enumerate(positions):  # the masks with highest bit j: those below, and player j
        half = 1 << j
        np.bitwise_or(index[:half], 1 << position, out=index[half : 2 * half])
    return index


def subgame_view(values: np.ndarray, positions: Sequence[int]) -> np.ndarray:
    """The coalitions of the players at ``positions`` (over the last axis of ``values``, 2^n) as a
    view, no copy: the array as a cube of one axis per player, at 0 on the others' axes. Its last
    |positions| axes run over those players' coalitions (in the order of :func:`embedded_masks`, when
    flattened); a maximum over them is the subgame's, read in place."""
    n = values.shape[-1].bit_length() - 1
    inside = set(positions)
    cube = values.reshape(*values.shape[:-1], *([2] * n))  # axis j of the cube is bit n − 1 − j
    return cube[(..., *(slice(None) if n - 1 - j in inside else 0 for j in range(n)))]


def subset_sums(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """x(S) = Σ_{i∈S} x_i for every coalition S, indexed by mask (2^n writes, no Python loop over S).

    ``x`` holds the players on its last axis; leading axes (a batch of samples) are kept (``out``: an
    array of that shape to write into). Doubling: the masks with highest bit i are those below 2^i
    plus player i, so each entry is written once.
    """
    x = np.asarray(x, dtype=float)
    lead, n = x.shape[:-1], x.shape[-1]
    sums = np.empty((*lead, 1 << n)) if out is None else out
    sums[..., 0] = 0.0
    for player in range(n):
        half = 1 << player
        np.add(sums[..., :half], x[..., player, None], out=sums[..., half : 2 * half])
    return sums


def block_sums(
    low: np.ndarray, x: np.ndarray, high: int, b: int, out: np.ndarray | None = None
) -> np.ndarray:
    """x(S) for the block of coalitions whose bits from b on are ``high`` (masks high·2^b … +2^b − 1):
    ``low``, the subset sums of the first b players of x (players on the last axis), plus each high
    player in it, added in increasing order as :func:`subset_sums` adds them, so a game read block by
    block (in the cache) has the sums of the whole to the bit. Written to ``out`` when given."""
    if out is None:
        out = low.copy()
    else:
        out[...] = low
    for player in range(b, x.shape[-1]):
        if high >> (player - b) & 1:
            out += x[..., player, None]
    return out


@dataclass(frozen=True, eq=False)
class Game:
    """A TU game: player names, ``values`` by bitmask (NaN where not given) and its ``kind``."""

    players: tuple[str, ...]
    values: np.ndarray
    kind: Kind = "cost"

    def __post_init__(self) -> None:
        n = len(self.players)
        if n == 0:
            raise GameError("a game needs at least one player")
        if len(set(self.players)) != n:
            raise GameError(f"player names must be unique: {list(self.players)}")
        if self.kind not in ("cost", "value"):
            raise GameError(f"kind must be 'cost' or 'value', got {self.kind!r}")
        if n > EXACT_MAX_PLAYERS:
            raise GameError(
                f"{n} players is more than the {EXACT_MAX_PLAYERS} a game can be stored for; "
                "give the game as a function and use the sampled Shapley value"
            )
        values = np.array(self.values, dtype=float)
        if values.shape != (1 << n,):
            raise GameError(f"values must have 2^{n} = {1 << n} entries, got {values.shape}")
        values[0] = 0.0
        if np.isinf(values).any():
            raise GameError("coalition values must be finite")
        values.setflags(write=False)
        object.__setattr__(self, "players", tuple(self.players))
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "_complete", not np.isnan(values).any())

    @classmethod
    def from_function(
        cls, players: Sequence[str], function: Callable[[np.ndarray], np.ndarray], kind: Kind = "cost"
    ) -> Game:
        """A game whose values are ``function(masks)``, evaluated once on all masks at once."""
        n = len(players)
        if n > EXACT_MAX_PLAYERS:
            raise GameError(
                f"{n} players is too many to evaluate every coalition; "
                "use shapley_sampled(players, function) instead"
            )
        masks = np.arange(1 << n, dtype=np.int64)
        return cls(tuple(players), np.asarray(function(masks), dtype=float), kind)

    @property
    def n(self) -> int:
        return len(self.players)

    @property
    def grand(self) -> int:
        """The mask of the grand coalition N."""
        return (1 << self.n) - 1

    @property
    def sign(self) -> float:
        """+1 for cost games, -1 for value games: ``cost_form = sign * values``."""
        return 1.0 if self.kind == "cost" else -1.0

    @property
    def cost_form(self) -> np.ndarray:
        """The values as costs: c = v for cost games, c = -v for value games."""
        return self.values if self.kind == "cost" else -self.values

    def name(self, mask: int) -> str:
        """The coalition's name: its players joined by '+', in player order."""
        return "+".join(p for i, p in enumerate(self.players) if mask >> i & 1)

    def members(self, mask: int) -> tuple[str, ...]:
        return tuple(p for i, p in enumerate(self.players) if mask >> i & 1)

    def missing(self) -> np.ndarray:
        """Masks of the non-empty coalitions whose value was not given."""
        return np.flatnonzero(np.isnan(self.values))

    def require(self, masks: np.ndarray | Sequence[int], method: str) -> None:
        """Raise a GameError naming the missing coalitions among ``masks`` that ``method`` needs."""
        needed = np.asarray(masks, dtype=np.int64)
        absent = needed[np.isnan(self.values[needed])]
        if absent.size:
            shown = ", ".join(self.name(int(m)) for m in absent[:8])
            more = f" and {absent.size - 8} more" if absent.size > 8 else ""
            raise GameError(f"{method} needs the value of {shown}{more}; add them to the game")

    def require_complete(self, method: str) -> None:
        if not self._complete:
            self.require(np.arange(1, 1 << self.n), method)

    def standalone(self) -> np.ndarray:
        """Each player's value on its own, v({i})."""
        return self.values[1 << np.arange(self.n)]


@dataclass(frozen=True, eq=False)
class Allocation:
    """What each player pays (cost game) or receives (value game) under one rule."""

    method: str
    players: tuple[str, ...]
    shares: np.ndarray
    kind: Kind = "cost"
    note: str = ""
    """What the reader should know: the least-core ε, a fallback, a sampling size."""
    standard_errors: np.ndarray | None = field(default=None)
    """Per-player standard error, for sampled rules."""

    def __post_init__(self) -> None:
        shares = np.array(self.shares, dtype=float)
        shares.setflags(write=False)
        object.__setattr__(self, "shares", shares)

    def as_dict(self) -> dict[str, float]:
        return {p: float(s) for p, s in zip(self.players, self.shares, strict=True)}

    def __getitem__(self, player: str) -> float:
        return float(self.shares[self.players.index(player)])
