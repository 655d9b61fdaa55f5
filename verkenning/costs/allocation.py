"""Who pays what in one year: the scenario's own key traced per service, simple keys and the game rules.

Money is split in whole cents. The cooperation's cost in a year is the sum, over its services and
the coordination overhead, of each line rounded to the cent; every allocation splits exactly that
many cents (largest-remainder apportionment), so the shares of every key add up to the cooperation's
cost to the cent and no key makes a profit.

The scenario's key (FACTS §2.2, the common Dutch shared-service arrangement): each service's cost is
shared among the members that take it, by the service's ``allocation_key`` (basis services by
workstations, the vaste voet; CISO, privacy officer and information management by inhabitants), or,
when a service has none, by its own driver (price × quantity). Coordination overhead is shared
equally per organisation. A key whose weights are all zero among the takers (a service only a
partner without inhabitants takes, say) falls back to an equal split, and the trace says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import GameError
from ..games import Game, nucleolus, prenucleolus, scrb, shapley
from .model import CostModel

__all__ = ["GAME_RULES", "SIMPLE_KEYS", "TraceLine", "YearShares", "split_cents", "to_cents", "year_shares"]

SIMPLE_KEYS = ("inhabitants", "workstations")
GAME_RULES = ("shapley", "nucleolus", "scrb")
COORDINATION = "COORD"
"""The pseudo-service under which the coordination overhead appears in the trace."""
LEVEL = "LEVEL"
"""The pseudo-service carrying an entrant's one-off level effect, charged to the entrant itself."""


def to_cents(euro: float) -> int:
    return int(np.round(euro * 100.0))


def split_cents(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` cents in proportion to ``weights`` (largest remainder; ties to the first)."""
    weights = np.asarray(weights, dtype=float)
    if weights.size == 0:
        return np.zeros(0, dtype=np.int64)
    if weights.sum() <= 0:
        weights = np.ones_like(weights)
    sign, total = (-1, -total) if total < 0 else (1, total)
    exact = total * weights / weights.sum()
    cents = np.floor(exact).astype(np.int64)
    short = total - int(cents.sum())
    order = np.lexsort((np.arange(len(exact)), -(exact - cents)))
    cents[order[:short]] += 1
    return sign * cents


def _split_float(total: int, shares: np.ndarray) -> np.ndarray:
    """Round float shares that add up to ``total`` cents to whole cents that add up exactly."""
    cents = np.floor(shares * 100.0).astype(np.int64)
    short = total - int(cents.sum())
    fraction = shares * 100.0 - cents
    order = np.lexsort((np.arange(len(shares)), -fraction))
    if short >= 0:
        cents[order[:short]] += 1
    else:
        cents[order[::-1][:-short]] -= 1
    return cents


@dataclass(frozen=True)
class TraceLine:
    """One euro line of the scenario's key: a partner's part of one service, and why."""

    partner: str
    service: str
    key: str
    volume: float
    cents: int


@dataclass(frozen=True)
class YearShares:
    """One year's cooperation cost and every member's share under each method, in cents."""

    members: tuple[int, ...]
    total: int
    shares: dict[str, np.ndarray]
    """method → cents per member (in ``members`` order)."""
    trace: tuple[TraceLine, ...]
    notes: tuple[str, ...]


def year_shares(
    model: CostModel,
    members: tuple[int, ...],
    game_values: np.ndarray,
    line_costs: np.ndarray,
    coordination: float,
    own_lines: dict[int, float] | None = None,
    rules: tuple[str, ...] = GAME_RULES,
) -> YearShares:
    """Shares of one year's members under the scenario key, the simple keys and the game rules.

    ``game_values`` is the year's game over ``members`` (by bitmask), ``line_costs`` the cost per
    service of the grand coalition, ``coordination`` its overhead and ``own_lines`` costs charged to
    one member (an entrant's level effect), all in the year's prices.
    """
    trace: list[TraceLine] = []
    notes: list[str] = []
    for j, service_id in enumerate(model.services):
        cents = to_cents(line_costs[j])
        if cents == 0:
            continue
        takers = tuple(i for i in members if model.takes[i, j])
        key = model.keys[j]
        weights = model.quantity(key)[list(takers)]
        if weights.sum() <= 0:
            notes.append(f"{service_id}: no taker has any {key}; split equally")
            key = "equal"
        for i, part in zip(takers, split_cents(cents, weights), strict=True):
            volume = float(model.quantity(key)[i])
            trace.append(TraceLine(model.partners[i], service_id, key, volume, int(part)))
    coordination_cents = to_cents(coordination)
    if coordination_cents:
        for i, part in zip(members, split_cents(coordination_cents, np.ones(len(members))), strict=True):
            trace.append(TraceLine(model.partners[i], COORDINATION, "equal", 1.0, int(part)))
    for i, cost in sorted((own_lines or {}).items()):
        if to_cents(cost):
            trace.append(TraceLine(model.partners[i], LEVEL, "own", 1.0, to_cents(cost)))
    total = sum(line.cents for line in trace)
    position = {i: k for k, i in enumerate(members)}
    key_cents = np.zeros(len(members), dtype=np.int64)
    for line in trace:
        key_cents[position[model.index(line.partner)]] += line.cents
    shares = {"key": key_cents}
    for key in SIMPLE_KEYS:
        shares[key] = split_cents(total, model.quantity(key)[list(members)])
    game = Game(tuple(model.partners[i] for i in members), game_values, "cost")
    scale = total / 100.0 / game.values[game.grand] if game.values[game.grand] else 1.0
    for rule in rules:
        try:
            allocation = {"shapley": shapley, "nucleolus": nucleolus, "scrb": scrb}[rule](game)
        except GameError as error:
            if rule != "nucleolus":
                raise
            allocation = prenucleolus(game)
            notes.append(f"nucleolus: {error}; the pre-nucleolus is shown instead")
        shares[rule] = _split_float(total, allocation.shares * scale)
    return YearShares(members, total, shares, tuple(trace), tuple(notes))
