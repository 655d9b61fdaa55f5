"""Who pays what in one year: the scenario's own key traced per service, simple keys and the game rules.

The scenario's key (FACTS §2.2, the common Dutch shared-service arrangement): each service's cost is
shared among the members that take it, by the service's ``allocation_key`` (basis services by
workstations, the vaste voet; CISO, privacy officer and information management by inhabitants), or,
when a service has none, by its own driver (price × quantity). Coordination overhead is shared
equally per organisation; an entrant's one-off level effect is its own. A key whose weights are all
zero among the takers (a service only a partner without inhabitants takes, say) falls back to an
equal split, and the trace says so.

The arithmetic is written once and comes in two roundings of the same formulas:

- :class:`Exact` works in floats over the batch axis: the sweep, the admission choice and every
  judgement (in the core, worse off) use it.
- :class:`Cents` is the batch of one in whole cents, the layer a study's accounts are shown in. The
  cooperation's cost in a year is the sum, over its services and the coordination overhead, of each
  line rounded to the cent; every allocation splits exactly that many cents (largest-remainder
  apportionment), so the shares of every key add up to the cooperation's cost to the cent, no key
  makes a profit, and every euro of the key is traced to a service and a key (:class:`TraceLine`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import GameError
from ..games import Game, nucleolus, prenucleolus, scrb, scrb_shares, shapley, shapley_shares
from ..games.game import whole_units
from .model import CostModel

__all__ = [
    "GAME_RULES",
    "SIMPLE_KEYS",
    "Cents",
    "Exact",
    "Money",
    "TraceLine",
    "Year",
    "key_shares",
    "split_cents",
    "to_cents",
]

SIMPLE_KEYS = ("inhabitants", "workstations", "inbreng")
"""Whole-cost keys: the year's cost split by inhabitants, by workstations, or by *inbreng* (each member's
share of the baseline it brought in, its stand-alone cost in the base year; used in practice by e.g.
iRvN, FACTS §9.4)."""
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
    return whole_units(np.asarray(shares, dtype=float) * 100.0, total)


@dataclass(frozen=True)
class TraceLine:
    """One euro line of the scenario's key: a partner's part of one service, and why."""

    partner: str
    service: str
    key: str
    volume: float
    cents: int


@dataclass(frozen=True, eq=False)
class Year:
    """What one year's key shares: the members, each service's cost, the overhead and own lines.

    ``lines`` is n × services (the grand coalition's cost per service), ``coordination`` n and
    ``own`` n × members (the entrants' level effect), all in the year's prices.
    """

    year: int
    members: tuple[int, ...]
    lines: np.ndarray
    coordination: np.ndarray
    own: np.ndarray


def key_shares(
    model: CostModel, members: np.ndarray, lines: np.ndarray, coordination: np.ndarray, own: np.ndarray
) -> np.ndarray:
    """n × C × partners: the scenario key's shares of C member sets (``members``: C × partners, 0/1).

    ``lines`` (n × C × services) is each set's cost per service, ``coordination`` (n × C) its
    overhead and ``own`` (n × C × partners) what a member carries alone (an entrant's level effect).
    Each service is shared by the key's weights of its takers, equally when they all weigh zero;
    the overhead equally per member. Non-members get zero.
    """
    members = np.asarray(members, dtype=float)
    weights = model.key_weights
    pooled = np.einsum("cp,nps->ncs", members, weights)
    takers = members @ model.takes
    by_weight = np.divide(lines, pooled, out=np.zeros_like(lines), where=pooled > 0)
    fallback = (pooled <= 0) & (takers > 0)
    equal = np.divide(lines, takers, out=np.zeros_like(lines), where=fallback)
    share = np.einsum("ncs,nps->ncp", by_weight, weights) + np.einsum("ncs,ps->ncp", equal, model.takes)
    size = members.sum(axis=1)
    overhead = np.divide(coordination, size, out=np.zeros_like(coordination), where=size > 0)
    return (share + overhead[:, :, None] + own) * members


class Money:
    """How amounts are rounded and split: the interface :class:`Exact` and :class:`Cents` share."""

    def key(self, model: CostModel, year: Year) -> tuple[np.ndarray, np.ndarray]:
        """The scenario's key: shares (n × members) and the cooperation's cost (n)."""
        raise NotImplementedError

    def split(self, total: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """``total`` (n) split in proportion to ``weights`` (n × k)."""
        raise NotImplementedError

    def amount(self, euro: np.ndarray) -> np.ndarray:
        """An amount as this layer keeps it."""
        raise NotImplementedError

    def rule(
        self, rule: str, players: tuple[str, ...], values: np.ndarray, total: np.ndarray, year: int
    ) -> np.ndarray:
        """A game rule's shares (n × members) of the year's game ``values`` (n × 2^m), adding up to
        ``total``."""
        raise NotImplementedError


class Exact(Money):
    """Floats over the batch axis: the model's own arithmetic."""

    def key(self, model: CostModel, year: Year) -> tuple[np.ndarray, np.ndarray]:
        members = list(year.members)
        row = np.zeros((1, len(model.partners)))
        row[0, members] = 1.0
        own = np.zeros((model.n, 1, len(model.partners)))
        own[:, 0, members] = year.own
        share = key_shares(model, row, year.lines[:, None, :], year.coordination[:, None], own)[:, 0, members]
        return share, share.sum(axis=1)

    def split(self, total: np.ndarray, weights: np.ndarray) -> np.ndarray:
        weights = np.asarray(weights, dtype=float)
        sums = weights.sum(axis=1, keepdims=True)
        even = np.full_like(weights, 1.0 / max(weights.shape[1], 1))
        share = np.divide(weights, sums, out=even, where=sums > 0)
        return np.asarray(total)[:, None] * share

    def amount(self, euro: np.ndarray) -> np.ndarray:
        return np.asarray(euro, dtype=float)

    def rule(
        self, rule: str, players: tuple[str, ...], values: np.ndarray, total: np.ndarray, year: int
    ) -> np.ndarray:
        if rule == "shapley":
            return shapley_shares(values)
        if rule == "scrb":
            return scrb_shares(values)
        raise GameError(f"the {rule} is solved one game at a time, not over a batch of samples")


@dataclass
class Cents(Money):
    """The batch of one in whole cents; keeps the trace of the key and notes on fallbacks."""

    trace: list[tuple[int, TraceLine]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def key(self, model: CostModel, year: Year) -> tuple[np.ndarray, np.ndarray]:
        lines: list[TraceLine] = []
        quantity = model.quantity(model.keys)[0]
        for j, service_id in enumerate(model.services):
            cents = to_cents(year.lines[0, j])
            if cents == 0:
                continue
            takers = [i for i in year.members if model.takes[i, j]]
            key = model.keys[j]
            weights = quantity[takers, j]
            if weights.sum() <= 0:
                self.notes.append(f"{year.year}: {service_id}: no taker has any {key}; split equally")
                key, weights = "equal", np.ones(len(takers))
            volumes = weights if key != "equal" else np.ones(len(takers))
            for i, part, volume in zip(takers, split_cents(cents, weights), volumes, strict=True):
                lines.append(TraceLine(model.partners[i], service_id, key, float(volume), int(part)))
        coordination = to_cents(year.coordination[0])
        if coordination:
            parts = split_cents(coordination, np.ones(len(year.members)))
            for i, part in zip(year.members, parts, strict=True):
                lines.append(TraceLine(model.partners[i], COORDINATION, "equal", 1.0, int(part)))
        for position, i in enumerate(year.members):
            if to_cents(year.own[0, position]):
                lines.append(TraceLine(model.partners[i], LEVEL, "own", 1.0, to_cents(year.own[0, position])))
        position = {i: k for k, i in enumerate(year.members)}
        cents = np.zeros(len(year.members), dtype=np.int64)
        for line in lines:
            cents[position[model.partners.index(line.partner)]] += line.cents
        self.trace.extend((year.year, line) for line in lines)
        return cents[None] / 100.0, np.array([cents.sum() / 100.0])

    def split(self, total: np.ndarray, weights: np.ndarray) -> np.ndarray:
        # weights are amounts in euros kept to the cent, or counts: split by their exact cents
        cents = np.round(np.asarray(weights, dtype=float)[0] * 100.0)
        return split_cents(to_cents(float(total[0])), cents)[None] / 100.0

    def amount(self, euro: np.ndarray) -> np.ndarray:
        return np.round(np.asarray(euro, dtype=float), 2)

    def rule(
        self, rule: str, players: tuple[str, ...], values: np.ndarray, total: np.ndarray, year: int
    ) -> np.ndarray:
        game = Game(players, values[0], "cost")
        try:
            allocation = {"shapley": shapley, "nucleolus": nucleolus, "scrb": scrb}[rule](game)
        except GameError as error:
            if rule != "nucleolus":
                raise
            allocation = prenucleolus(game)
            self.notes.append(f"{year}: nucleolus: {error}; the pre-nucleolus is shown instead")
        grand = game.values[game.grand]
        cents = to_cents(float(total[0]))
        scale = cents / 100.0 / grand if grand else 1.0
        return _split_float(cents, allocation.shares * scale)[None] / 100.0
