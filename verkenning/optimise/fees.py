"""An entrant's annual contribution: its bounds of reason and the core's range.

Entry fee range (LP). For an entrant e in the year's cost game c, its annual contribution lies
between what it adds to the cost, c(N) − c(N∖e), and what it would pay alone, c({e}); the range is
narrowed to the shares that keep every partner and every group better off: min and max x_e over the
core (over the least core when the core is empty, which the result says). Two LPs, in
``games.fee_range``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..costs import CostResult, year_game
from ..errors import VerkenningError
from ..games import fee_range

__all__ = ["EntryFee", "entry_fee_range"]


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


def entry_fee_range(result: CostResult, entrant: str, year: int | None = None) -> EntryFee:
    """The fee range of ``entrant`` in ``year`` (default: the reference year)."""
    year = result.reference_year if year is None else year
    game = year_game(result, year)
    if entrant not in game.players:
        raise VerkenningError(f"{entrant!r} is not a member in {year}; members: {', '.join(game.players)}")
    bit = 1 << game.players.index(entrant)
    fee = fee_range(game, entrant)
    k = result.years.index(year)
    return EntryFee(
        entrant=entrant,
        year=year,
        marginal_cost_eur=float(game.values[game.grand] - game.values[game.grand ^ bit]),
        standalone_eur=float(game.values[bit]),
        low_eur=fee.low,
        high_eur=fee.high,
        core_empty=fee.core_empty,
        epsilon_eur=fee.epsilon,
        key_share_eur=float(result.share_eur["key"][result.partners.index(entrant), k]),
    )
