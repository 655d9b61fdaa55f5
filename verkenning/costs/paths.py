"""Years and money: the cooperation's path over the horizon against the status quo, and its NPV.

All amounts are in real euros at base-year prices (MKBA convention, FACTS §5). For year y, with
t = y − base_year and inflation π:

- Stand-alone costs grow at the real rate g_s = (1 + g_standalone)/(1 + π) − 1 (M&I trend), the
  cooperation's (of two or more members; one member alone grows as stand-alone costs do) at
  g_c = (1 + g_cooperation)/(1 + π) − 1: the difference is the modelled
  *minder meerkosten* (FACTS §3.6), which the result also reports with it switched off (g_c = g_s,
  the COELO 2017 finding that cooperation does not lower spending), so it is never shown as a fact.
  The cooperation has existed since 2013, so the slower growth applies from the base year.
- Volumes grow at ``volume_growth`` (default flat), or at a partner's own ``volume_growth`` where it
  has one (SWB's falls: no new Wsw inflow); organisations and fixed drivers do not grow.
- The game of year y is c_y(S) = (1 + g_c)^t · [c(S) + Σ_{entrants e ∈ S} λ · c({e})] for two or
  more members and c_y({p}) = (1 + g_s)^t · c({p}) alone, with λ the entrant's one-off level
  effect (``level_effect_entrant``, default 0).
- An entrant migrates onto the centre's platform (the centre's processes and infrastructure lead):
  the one-off lines of its business case (transition, double running, stranded book value,
  frictiekosten) and every member's yearly lines beside its share (retained costs, the integral
  surcharge, VAT it cannot recover) are in ``lines.py``, with who bears each. A partner's retained
  cost r_p lowers its value alone in the game: c_y({p}) − g_s^t r_p.
- An entrant may pay a one-off entry fee (``entry_fee_eur``, default none) in its year of entry,
  which goes to the partners already in that year, by the key.
- A leaver pays an exit fee by the method the scenario chooses (``exit_method``), which goes to the
  partners that stay, by the key; the stayers' shares of the smaller cooperation rise (the stranded
  costs) and the leaver pays its stand-alone cost again, plus the fee. ``kb1985`` (the default
  where a regeling is silent; KB 14 mei 1985, AB 1985/424): five years of contributions declining
  20% a year, 100%, 80%, 60%, 40% and 20% of its last annual share, from the year it leaves (3.0
  shares in all). ``damage`` (ABRvS 15 april 2015, ECLI:NL:RVS:2015:1198): the direct damage for a
  bridging period of ``exit_bridging_years`` years: each year the part of its last share that its
  leaving strands, x_l − (c(N) − c(N∖l)) in the year before it leaves (its share less what it adds
  to the cost: the staff, contracts and platform capacity that stay). ``share``: a regeling's own
  fee, ``exit_cost_share`` times its last share, once. Years beyond the horizon are not counted.
- Annual service costs are annualised: depreciation over the reinvestment cycles (workstations 4
  years, central hardware 5-7, FACTS §3.7) is inside the unit costs, so reinvestment adds no yearly
  peaks and the cycles are not separate parameters.

The named alternative is the status quo (``Scenario.status_quo``): today's cooperation, the root of
the ``extends`` chain, with its members and their services over the whole horizon; every other
partner on its own, and any service a member takes in the scenario beyond the status quo (such as
information management) bought on its own. A partner's saving in a year is
its status-quo cost minus its cost in the scenario (a member's share plus transition and exit
amounts, or its stand-alone cost when not a member); the NPV discounts the savings to the base year
at the scenario's rate, and also at 0% and 4.5% (FACTS §5). The break-even year is the first year,
from the first year the partner's costs differ from the status quo, from which its cumulative
discounted saving stays at or above zero.

:func:`project` computes all of this once, over the model's batch axis, with a :class:`Money` layer:
:class:`Exact` floats for sweeps and judgements, :class:`Cents` for a study's accounts (the batch
of one). :func:`simulate` is the study: the cents projection as P × Y arrays, with the exact one
beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..games import Game
from ..games.game import CACHE_CELLS
from ..scenario import Scenario
from .allocation import GAME_RULES, SIMPLE_KEYS, Cents, Exact, Money, TraceLine, Year
from .lines import ENTRY_LINES, FRICTION, TRANSITION, VAT_RATE, entry_costs, retained, vat_share
from .model import CostModel, cost_model

__all__ = [
    "METHODS",
    "NPV_RATES",
    "CostResult",
    "Projection",
    "member_matrix",
    "no_saving",
    "project",
    "shares_for",
    "simulate",
    "with_bearer",
    "year_game",
]

GAME_CELLS = 1 << 23
"""The most coalition values a year's game is kept for (64 MiB of floats): :meth:`Projection.game_blocks`."""
BLOCK_CELLS = CACHE_CELLS
"""Coalition values the cost formula works on at once (2^17: 1 MiB of floats), see :func:`_game_values`.
Measured on the benchmark's growth paths: the games of every year took 1.5–1.8 s at 12 members and
17 s at 16 in one piece, 0.6 s and 10.5 s in blocks of 2^17; 2^16 and 2^19 were slower."""
METHODS = ("key", *SIMPLE_KEYS, *GAME_RULES)
"""Every way of sharing the cost: the scenario's key, whole-cost keys and the game rules."""
NPV_RATES = (0.0, 0.045)
"""Rates at which the NPV is always reported besides the scenario's own (FACTS §5)."""


def member_matrix(scenario: Scenario, status_quo: bool) -> np.ndarray:
    """partners × years: membership in the scenario, or in the status quo (its members, every year)."""
    member = np.zeros((len(scenario.partners), len(scenario.years)), dtype=bool)
    for k, year in enumerate(scenario.years):
        ids = set(scenario.status_quo[1]) if status_quo else set(scenario.members(year))
        member[:, k] = [p.id in ids for p in scenario.partners]
    return member


def _real_growth(model: CostModel, rate: str, t: np.ndarray) -> np.ndarray:
    """n × years: the real growth factor of a nominal rate, ((1 + g)/(1 + π))^t."""
    x = model.inputs
    return ((1.0 + x.parameter(rate)[:, None]) / (1.0 + x.parameter("inflation")[:, None])) ** t


@dataclass(frozen=True, eq=False)
class Projection:
    """The cooperation's path and the status quo over the batch: arrays n × partners × years."""

    model: CostModel
    status_quo_model: CostModel
    years: tuple[int, ...]
    member: np.ndarray
    """partners × years: membership in the scenario."""
    status_quo_member: np.ndarray
    growth: _Growth
    """The path's growth factors and stand-alone costs at base-year prices (with its memo of lines)."""
    standalone: np.ndarray
    """n × partners × years: the stand-alone cost (grown)."""
    share: dict[str, np.ndarray]
    """Method → what each member pays the cooperation (NaN when not a member)."""
    total: np.ndarray
    """n × years: the cooperation's cost, which every method's shares add up to."""
    status_quo_total: np.ndarray
    transition: np.ndarray
    exit_fee: np.ndarray
    entry_fee: np.ndarray
    """n × partners × years: an entrant's entry fee (+) and what the partners already in receive (−)."""
    lines: dict[str, np.ndarray]
    """Line (``lines.ENTRY_LINES``, ``STRUCTURAL_LINES``) → n × partners × years, as borne under the key;
    ``transition`` is the sum of the entry lines."""
    cost: dict[str, np.ndarray]
    """Method → what each partner pays in all: its share plus transition and exit, or stand-alone."""
    status_quo: dict[str, np.ndarray]
    status_quo_share: dict[str, np.ndarray]
    """Method → what each status-quo member pays the cooperation in the status quo (NaN otherwise)."""

    @property
    def growth_standalone(self) -> np.ndarray:
        """n × years: the real growth factor of stand-alone costs."""
        return self.growth.standalone

    @property
    def t(self) -> np.ndarray:
        return np.array(self.years) - self.years[0]

    def npv(self, method: str = "key", rate: float | None = None, against: str | None = None) -> np.ndarray:
        """n × partners: the NPV of the saving against the status quo (default: each sample's own rate).

        ``against`` names the method of the status quo (default ``method`` itself: the effect of the
        change under one key; ``"key"``: against today's arrangement, a change of key included).
        """
        rates = self.model.inputs.discount if rate is None else np.full(self.model.n, rate)
        saving = self.status_quo[against or method] - self.cost[method]
        return (saving / (1.0 + rates[:, None, None]) ** self.t).sum(axis=2)

    def members(self, k: int) -> tuple[int, ...]:
        return tuple(int(i) for i in np.flatnonzero(self.member[:, k]))

    def year(self, k: int, members: tuple[int, ...] | None = None) -> Year:
        """What year index k's key shares among ``members`` (default: that year's): service lines,
        overhead, own lines."""
        return _year(self.model, self.members(k) if members is None else members, k, self.growth)

    def game(self, k: int, members: tuple[int, ...] | None = None) -> np.ndarray:
        """n × 2^m: the cost game c_y(S) of year index k over ``members`` (default: that year's),
        computed once (the key designer, each entrant's terms and the sweep read the same game)."""
        members = self.members(k) if members is None else tuple(members)
        key = ("game", k, members)
        if key not in self.growth.lines:
            values = _game_values(self.model, members, k, self.growth)
            values.setflags(write=False)
            self.growth.lines[key] = values
        return self.growth.lines[key]

    def game_blocks(self, k: int, members: tuple[int, ...] | None = None, cells: int | None = None):
        """The game of year index k (as :meth:`game`) in blocks of samples: (rows, n_rows × 2^m) pairs.
        A game of at most ``GAME_CELLS`` values is one block, the memo of :meth:`game`; a larger one
        comes in blocks of about ``cells`` values (default ``GAME_CELLS``; ``BLOCK_CELLS``: the
        formula's own blocks, uncopied, read while in the cache), none kept, so a sweep of 20 members
        never holds the games of all its samples at once. The blocks are the same game to the bit."""
        members = self.members(k) if members is None else tuple(members)
        n = self.model.n
        if GAME_CELLS >> len(members) >= n or ("game", k, members) in self.growth.lines:
            yield slice(0, n), self.game(k, members)
            return
        size = max(1, (GAME_CELLS if cells is None else cells) >> len(members))
        for start in range(0, n, size):
            rows = slice(start, min(start + size, n))
            yield rows, _game_values(self.model.take(rows), members, k, self.growth.take(rows))

    def status_quo_game(self, k: int) -> np.ndarray:
        """n × 2^m: the status quo's cost game in year index k, over its members then (the game of
        ``status_quo_share``)."""
        members = tuple(int(i) for i in np.flatnonzero(self.status_quo_member[:, k]))
        same = np.array_equal(self.status_quo_model.takes, self.model.takes)
        # a member's stand-alone cost in the status quo covers what it takes there, not in the scenario
        growth = self.growth if same else _growth(self.status_quo_model, self.growth.avoided_growth)
        return _game_values(self.status_quo_model, members, k, growth)


@dataclass(frozen=True, eq=False)
class _Growth:
    """A path's growth factors (n × years) and stand-alone costs at base prices (n × P × years)."""

    standalone: np.ndarray
    cooperation: np.ndarray
    volume: np.ndarray
    """n × partners × years."""
    alone: np.ndarray
    by_service: np.ndarray | None = None
    """n × P × S × years: each service's modelled stand-alone cost (when the path computed it)."""
    same_volume: tuple[int, ...] = ()
    """Per year, the first year with the same volume factor in every sample (its costs repeat)."""
    lines: dict = field(default_factory=dict)
    """(model, members, year) → the members' service costs at base prices, and ("game", year,
    members) → a year's game: each computed once."""
    avoided_growth: bool = True
    """Whether the cooperation grows slower than stand-alone costs (the path's own choice)."""

    def take(self, rows: slice) -> _Growth:
        """The factors of the samples ``rows`` (with a memo of their own)."""
        return _Growth(
            self.standalone[rows],
            self.cooperation[rows],
            self.volume[rows],
            self.alone[rows],
            None if self.by_service is None else self.by_service[rows],
            self.same_volume,
            avoided_growth=self.avoided_growth,
        )

    def service_lines(self, model: CostModel, members: tuple[int, ...], k: int) -> np.ndarray:
        """n × services: K_s(members) at base-year prices and year k's volumes."""
        first = self.same_volume[k] if self.same_volume else k
        key = (id(model), members, first)
        if key not in self.lines:
            grand = np.zeros(len(model.partners))
            grand[list(members)] = 1.0
            self.lines[key] = model.service_costs(grand, self.volume[:, :, first])[:, 0, :]
        return self.lines[key]


def _growth(model: CostModel, avoided_growth: bool) -> _Growth:
    t = np.array(model.scenario.years) - model.scenario.base_year
    general = model.inputs.parameter("volume_growth")[:, None]
    own = model.inputs.volume_growth  # n × partners, NaN where a partner follows the general rate
    rate = np.where(np.isnan(own), general, own)
    volume = (1.0 + rate[:, :, None]) ** t  # n × partners × years
    same = tuple(
        next(j for j in range(k + 1) if np.array_equal(volume[:, :, j], volume[:, :, k]))
        for k in range(len(t))
    )
    computed = {k: model.alone_by_service(volume[:, :, k]) for k in sorted(set(same))}
    by_service = np.stack([computed[same[k]] for k in range(len(t))], axis=3)
    alone = np.stack(
        [model.standalone(volume[:, :, k], by_service[..., k].sum(axis=2)) for k in range(len(t))], axis=2
    )
    return _Growth(
        _real_growth(model, "cost_growth_standalone", t),
        _real_growth(model, "cost_growth_cooperation" if avoided_growth else "cost_growth_standalone", t),
        volume,
        alone,
        by_service,
        same,
        avoided_growth=avoided_growth,
    )


def _game_values(model: CostModel, members: tuple[int, ...], k: int, growth: _Growth) -> np.ndarray:
    """c_y(S) for every subset S of ``members`` in year index k (see the module docstring), computed
    in blocks of samples of ``BLOCK_CELLS`` coalition values: each sample's game is its own, and the
    formula's dozen passes over a block that stays in the cache are faster than over the whole. (A
    block whose samples share one scale exponent takes the formula's one-power form, which can differ
    from the general form in the last bit; the blocks are the same on every run and backend.)"""
    blocks = _game_value_blocks(model, members, k, growth)
    rows, block = next(blocks)
    if rows.stop == model.n:
        return block
    values = np.empty((model.n, block.shape[1]))
    values[rows] = block
    for rows, block in blocks:
        values[rows] = block
    return values


def _game_value_blocks(model: CostModel, members: tuple[int, ...], k: int, growth: _Growth):
    """c_y(S) as :func:`_game_values` computes it, one block of samples at a time: (rows, block)
    pairs, for a caller that reads each block while it is in the cache and keeps none."""
    n, size = model.n, max(1, BLOCK_CELLS >> len(members))
    if size >= n:
        yield slice(0, n), _game_block(model, members, k, growth)
        return
    _ = model.volume, model.cost_curve  # computed once, for the blocks to share
    for start in range(0, n, size):
        rows = slice(start, min(start + size, n))
        yield rows, _game_block(model.take(rows), members, k, growth.take(rows))


def _game_block(model: CostModel, members: tuple[int, ...], k: int, growth: _Growth) -> np.ndarray:
    standalone = growth.alone[:, :, k]
    entrant = np.array([model.scenario.partners[i].joins is not None for i in members], dtype=float)
    level = model.inputs.parameter("level_effect_entrant")[:, None]
    own = level * standalone[:, list(members)] * entrant  # an entrant's level effect, in every group
    values = model.coalition_costs(members, growth.volume[:, :, k], standalone, own)
    # a coalition of two or more grows as the cooperation does, a member alone as it would alone
    # (in place: each fresh n × 2^m array costs its first touch of memory)
    alone = np.r_[0, 1 << np.arange(len(members))]
    single = values[:, alone] * growth.standalone[:, k, None]
    values *= growth.cooperation[:, k, None]
    values[:, alone] = single
    if len(members) > 1:  # what a member keeps at home whatever it does: alone it saves that much less
        kept = retained(model)[:, list(members)] * growth.standalone[:, k, None]
        values[:, 1 << np.arange(len(members))] -= kept
    return values


def _year(model: CostModel, members: tuple[int, ...], k: int, growth: _Growth) -> Year:
    """What year index k's key shares among ``members``: service lines, overhead, own level effects."""
    scenario = model.scenario
    grand = np.zeros(len(model.partners))
    grand[list(members)] = 1.0
    # a cooperation of one member is no cooperation: its costs grow as stand-alone costs do
    g = growth.cooperation[:, k] if len(members) > 1 else growth.standalone[:, k]
    entrant = np.array([scenario.partners[i].joins is not None for i in members])
    level = model.inputs.parameter("level_effect_entrant")
    own = np.zeros((model.n, len(members)))
    if entrant.any():
        standalone = growth.alone[:, list(members), k]
        own = np.where(entrant, level[:, None] * standalone * g[:, None], 0.0)
    lines = growth.service_lines(model, members, k) * g[:, None]
    coordination = model.coordination_cost(grand)[:, 0] * g
    return Year(scenario.years[k], members, lines, coordination, own)


def _shares(model: CostModel, member: np.ndarray, money: Money, growth: _Growth, rules: tuple[str, ...]):
    """Per method the members' shares (n × P × Y, NaN outside) and the cooperation's cost (n × Y)."""
    n, n_partners, years = model.n, len(model.partners), model.scenario.years
    share = {m: np.full((n, n_partners, len(years)), np.nan) for m in ("key", *SIMPLE_KEYS, *rules)}
    total = np.zeros((n, len(years)))
    for k in range(len(years)):
        members = tuple(int(i) for i in np.flatnonzero(member[:, k]))
        if not members:
            continue
        year = _year(model, members, k, growth)
        shares, total[:, k] = money.key(model, year)
        share["key"][:, list(members), k] = shares
        for key in SIMPLE_KEYS:
            share[key][:, list(members), k] = money.split(
                total[:, k], simple_weights(model, growth, key, members)
            )
        if model.scenario.fixed_shares:
            share.setdefault("fixed", np.full((n, n_partners, len(years)), np.nan))
            share["fixed"][:, list(members), k] = _fixed(model, members, shares, total[:, k], money)
        if rules:  # each block of games is shared by the rules while it is in the cache, then let go
            players = tuple(model.partners[i] for i in members)
            for rows, values in _game_value_blocks(model, members, k, growth):
                for rule in rules:
                    share[rule][rows, list(members), k] = money.rule(
                        rule, players, values, total[rows, k], year.year
                    )
    return share, total


def _adds(model: CostModel, money: Money, member: np.ndarray, i: int, k: int, growth: _Growth) -> np.ndarray:
    """n: what partner index i adds to the cost of year index k's members (``member``, a mask):
    c(members) − c(members without i)."""
    members = tuple(int(j) for j in np.flatnonzero(member))
    without = tuple(j for j in members if j != i)
    total = money.key(model, _year(model, members, k, growth))[1]
    return total - (money.key(model, _year(model, without, k, growth))[1] if without else 0.0)


def _leaving(result: CostResult, i: int, k: int, status_quo: bool):
    """The model, year index k's membership and partner index i's key share, of the scenario or of the
    status quo (a share of None: i is no member then)."""
    run = result.projection
    model = run.status_quo_model if status_quo else run.model
    member = (run.status_quo_member if status_quo else run.member)[:, k]
    share = float((result.status_quo_eur if status_quo else result.share_eur)["key"][i, k])
    return model, member, share if member[i] else None


def stranded_eur(result: CostResult, i: int, k: int, status_quo: bool = False) -> float:
    """What partner index i's leaving after year index k would strand a year: its key share less what
    it adds to the cost, x_i − (c(N) − c(N∖i)), at least 0 (the staff, contracts and platform capacity
    that stay)."""
    model, member, share = _leaving(result, i, k, status_quo)
    if share is None:
        return 0.0
    return max(share - float(_adds(model, Exact(), member, i, k, result.projection.growth)[0]), 0.0)


def exit_fee_eur(result: CostResult, i: int, k: int, status_quo: bool = False) -> float:
    """What partner index i would pay in all to leave after year index k (of the scenario, or of the
    status quo), by the scenario's ``exit_method``: every year of its schedule, undiscounted."""
    model, _, base = _leaving(result, i, k, status_quo)
    if base is None:
        return 0.0
    if result.scenario.parameters.exit_method == "damage":
        base = stranded_eur(result, i, k, status_quo)
    schedule = exit_schedule(result.scenario, lambda name: model.inputs.parameter(name)[:1])
    return float(sum(f[0] for f in schedule) * base)


def _fixed(model: CostModel, members: tuple[int, ...], key: np.ndarray, total: np.ndarray, money: Money):
    """n × members: the fixed-percentage key of the year. A member the agreement does not name pays its
    share by the scenario's key (``key``); the named members present split the rest by their
    percentages (renormalised to those present); with none of them present, the scenario's key."""
    agreed = model.scenario.fixed_shares
    named = np.array([model.partners[i] in agreed for i in members])
    if not named.any():
        return key
    out = np.where(named, 0.0, key)
    weights = np.array([agreed.get(model.partners[i], 0.0) for i in members], dtype=float)
    rest = total - out.sum(axis=1)
    out[:, named] = money.split(rest, np.broadcast_to(weights[named], (len(total), int(named.sum()))))
    return out


def simple_weights(model: CostModel, growth: _Growth, key: str, members) -> np.ndarray:
    """n × members: the weights of a whole-cost key (``SIMPLE_KEYS``); *inbreng* weighs each member by
    the baseline it brought in, its stand-alone cost in the base year."""
    if key == "inbreng":
        return growth.alone[:, list(members), 0]
    return model.quantity(key)[:, list(members)]


def shares_for(result: CostResult, members: tuple[int, ...], year: int) -> np.ndarray:
    """The scenario key's shares (in cents, in ``members`` order) of any set of members in ``year``:
    for what-if comparisons."""
    run = result.projection
    k = result.years.index(year)
    shares, _ = Cents().key(result.model, _year(result.model, tuple(sorted(members)), k, run.growth))
    return np.round(shares[0] * 100).astype(np.int64)


KB1985 = (1.0, 0.8, 0.6, 0.4, 0.2)
"""The exit fee of KB 14 mei 1985 (AB 1985/424), per year from leaving, in last annual shares."""


def exit_schedule(scenario: Scenario, parameter) -> tuple[np.ndarray, ...]:
    """Per year from leaving, what the leaver pays (n): in last shares (``kb1985``, ``share``) or in
    stranded shares (``damage``); ``parameter`` reads a batch figure by name."""
    method = scenario.parameters.exit_method
    if method == "kb1985":
        return tuple(np.full_like(parameter("exit_cost_share"), f) for f in KB1985)
    if method == "share":
        return (parameter("exit_cost_share"),)
    years = int(float(scenario.parameters.exit_bridging_years))
    return tuple(np.ones_like(parameter("exit_cost_share")) for _ in range(years))


def _bear(
    amount: np.ndarray, bearer: str, member: np.ndarray, key_share: np.ndarray, money: Money, centre: int
):
    """n × partners × years: ``amount`` (an entry's line, in the entrant's rows) as its bearer carries it:
    the entrant itself, the centre, or the year's members by their key shares."""
    out = np.zeros(amount.shape)
    for i, k in zip(*np.nonzero(np.any(amount != 0, axis=0)), strict=True):
        whole = money.amount(amount[:, i, k])
        if bearer == "entrant":
            out[:, i, k] += whole
        elif bearer == "centre":
            out[:, centre, k] += whole
        else:
            payers = np.flatnonzero(member[:, k])
            out[:, payers, k] += money.split(whole, key_share[:, payers, k])
    return out


def _one_offs(
    model: CostModel,
    member: np.ndarray,
    key_share: np.ndarray,
    money: Money,
    bearer: str,
    base: np.ndarray,
    growth: _Growth,
):
    """The entries' lines as their bearers carry them (line → n × partners × years), the entrants'
    entry fees and the leavers' exit fees (n × partners × years).

    ``bearer`` is who carries the transition lines: ``entrant``, or ``key`` (the members of the year
    by their key shares); ``base`` is the stand-alone cost in the base year (n × partners).
    """
    scenario, x = model.scenario, model.inputs
    years = scenario.years
    exit_fee = np.zeros(key_share.shape)
    entry_fee = np.zeros(key_share.shape)
    centre = model.index(scenario.centre)
    bearers = {line: bearer for line in TRANSITION} | {
        "stranded": "entrant",
        **{line: getattr(scenario.parameters.friction_bearers, line) for line in FRICTION},
    }
    costs = entry_costs(model, base)
    lines = {
        line: _bear(costs[line], bearers[line], member, key_share, money, centre) for line in ENTRY_LINES
    }
    for i, partner in enumerate(scenario.partners):
        if partner.joins is not None and partner.joins in years and float(partner.entry_fee_eur) > 0:
            k = years.index(partner.joins)
            fee = money.amount(np.full(key_share.shape[0], float(partner.entry_fee_eur)))
            entry_fee[:, i, k] += fee
            already = [j for j in np.flatnonzero(member[:, k]) if scenario.partners[j].joins != partner.joins]
            if already:
                entry_fee[:, already, k] -= money.split(fee, key_share[:, already, k])
        if partner.leaves is not None and partner.leaves in years and partner.leaves > years[0]:
            k = years.index(partner.leaves)
            last = key_share[:, i, k - 1]
            if scenario.parameters.exit_method == "damage":  # what its leaving strands
                last = np.maximum(last - _adds(model, money, member[:, k - 1], i, k - 1, growth), 0.0)
            for j, factor in enumerate(exit_schedule(scenario, x.parameter)):
                if k + j >= len(years):
                    break
                fee = money.amount(factor * last)
                exit_fee[:, i, k + j] += fee
                stayers = np.flatnonzero(member[:, k + j])
                if stayers.size:
                    exit_fee[:, stayers, k + j] -= money.split(fee, key_share[:, stayers, k + j])
    return lines, exit_fee, entry_fee


def _structural(
    model: CostModel,
    member: np.ndarray,
    share: np.ndarray,
    standalone: np.ndarray,
    growth: _Growth,
    money: Money,
    bought: np.ndarray | float = 0.0,
) -> dict[str, np.ndarray]:
    """Line → n × partners × years: what each partner pays every year besides ``share`` (its charges
    as a member, NaN otherwise): retained costs, the integral surcharge, and VAT it cannot recover on
    the charges, or on what it buys itself (``standalone`` while not a member, ``bought`` beside its
    share)."""
    scenario, x = model.scenario, model.inputs
    centre = model.index(scenario.centre)
    kept = retained(model)[:, :, None] * growth.standalone[:, None, :]
    together = member & (member.sum(axis=0) >= 2)  # a cooperation of one member is no cooperation
    charge = np.where(member, share, 0.0)
    charged = member & member[centre]
    charged[centre] = False
    rate = 0.0
    if scenario.parameters.pricing == "integral":
        rate = (x.parameter("overhead_share") + x.parameter("capital_charge_share"))[:, None, None]
    surcharge = np.where(charged, money.amount(rate * charge), 0.0)
    surcharge[:, centre, :] -= surcharge.sum(axis=1)
    unrecoverable = np.array([vat_share(p) for p in scenario.partners])[None, :, None]
    purchased = (1.0 - x.parameter("personnel_share"))[:, None, None]
    base = np.where(charged, charge + surcharge, 0.0) + purchased * np.where(member, bought, standalone)
    vat = money.amount(VAT_RATE * unrecoverable * base) if unrecoverable.any() else np.zeros(share.shape)
    return {"retained": np.where(together, money.amount(kept), 0.0), "surcharge": surcharge, "vat": vat}


def project(
    model: CostModel,
    status_quo_model: CostModel,
    money: Money,
    *,
    avoided_growth: bool = True,
    rules: tuple[str, ...] = (),
    bearer: str | None = None,
) -> Projection:
    """The path of every sample: shares, one-offs, costs and the status quo (see the module docstring).

    ``money`` rounds and splits (a fresh one of the same kind serves the status quo); without
    ``avoided_growth`` the cooperation's costs grow as fast as stand-alone costs; ``bearer``
    overrides who carries the transition.
    """
    scenario = model.scenario
    growth = _growth(model, avoided_growth)
    member = member_matrix(scenario, status_quo=False)
    status_quo_member = member_matrix(scenario, status_quo=True)
    standalone = growth.alone * growth.standalone[:, None, :]
    # services a status-quo member takes in the scenario beyond the status quo: bought on its own
    # (a service costs a partner alone the same whatever else it takes)
    extra = model.takes & ~status_quo_model.takes
    extra_alone = np.einsum("npsy,ps->npy", growth.by_service, extra.astype(float))
    extra_alone *= growth.standalone[:, None, :]
    share, total = _shares(model, member, money, growth, rules)
    joining = [
        i for i in np.flatnonzero(status_quo_member.any(axis=1)) if scenario.partners[i].joins is not None
    ]
    status_quo_growth = _growth(status_quo_model, avoided_growth) if joining else growth
    status_quo_share, status_quo_total = _shares(
        status_quo_model, status_quo_member, type(money)(), status_quo_growth, rules
    )
    entry, exit_fee, entry_fee = _one_offs(
        model,
        member,
        share["key"],
        money,
        bearer or scenario.parameters.transition_cost_bearer,
        growth.alone[:, :, 0],
        growth,
    )
    transition = sum(entry.values())
    one_offs = transition + exit_fee + entry_fee
    cost, status_quo, lines = {}, {}, dict(entry)
    for m in share:
        beside = _structural(model, member, share[m], standalone, growth, money)
        cost[m] = np.where(member, share[m], standalone) + one_offs + sum(beside.values())
        if m == "key":
            lines |= beside
    for m in status_quo_share:
        beside = _structural(
            status_quo_model,
            status_quo_member,
            status_quo_share[m],
            standalone,
            status_quo_growth,
            money,
            extra_alone,
        )
        status_quo[m] = np.where(status_quo_member, status_quo_share[m] + extra_alone, standalone) + sum(
            beside.values()
        )
    return Projection(
        model=model,
        status_quo_model=status_quo_model,
        years=scenario.years,
        member=member,
        status_quo_member=status_quo_member,
        growth=growth,
        standalone=standalone,
        share=share,
        total=total,
        status_quo_total=status_quo_total,
        transition=transition,
        exit_fee=exit_fee,
        entry_fee=entry_fee,
        lines=lines,
        cost=cost,
        status_quo=status_quo,
        status_quo_share=status_quo_share,
    )


def with_bearer(run: Projection, bearer: str, money: Money) -> Projection:
    """The same path with the transition lines carried by ``bearer`` (``entrant`` or ``key``): the
    shares and games stay, only the entry lines and what they add to each partner's cost change."""
    lines, _, _ = _one_offs(
        run.model, run.member, run.share["key"], money, bearer, run.growth.alone[:, :, 0], run.growth
    )
    transition = sum(lines.values())
    cost = {m: c - run.transition + transition for m, c in run.cost.items()}
    return Projection(
        **{**vars(run), "cost": cost, "transition": transition, "lines": {**run.lines, **lines}}
    )


def _break_even(
    saving: np.ndarray, t: np.ndarray, rate: float, years: tuple[int, ...]
) -> tuple[int | None, ...]:
    """Per partner: the first year from which the cumulative discounted saving stays ≥ 0, counted from
    the first year its costs differ from the status quo; None if it ends below zero or never differs."""
    cumulative = np.cumsum(saving / (1.0 + rate) ** t, axis=1)
    found: list[int | None] = []
    for row, yearly in zip(cumulative, saving, strict=True):
        changed = np.flatnonzero(np.abs(yearly) > 0.005)
        if changed.size == 0 or row[-1] < -0.005:
            found.append(None)
            continue
        negative = np.flatnonzero(row < -0.005)
        found.append(years[max(int(changed[0]), int(negative[-1]) + 1 if negative.size else 0)])
    return tuple(found)


@dataclass(frozen=True, eq=False)
class CostResult:
    """A study's accounts: the cents projection of the batch of one, as P × Y arrays per method."""

    scenario: Scenario
    projection: Projection
    """The path in whole cents (``Cents``), of which the arrays below are the one sample."""
    npv_eur: dict[str, dict[float, np.ndarray]]
    """Method → rate → NPV of the saving against the status quo (positive: the partner gains)."""
    break_even_year: tuple[int | None, ...]
    trace: tuple[tuple[int, TraceLine], ...]
    """(year, line) for every euro of the scenario key."""
    notes: tuple[str, ...]

    @cached_property
    def npv_without_avoided_growth_eur(self) -> dict[float, np.ndarray]:
        """The key's NPV with the cooperation's cost growing as fast as stand-alone costs (a path of
        its own, computed when first asked: the orders of entry never ask)."""
        run = self.projection
        pessimistic = project(run.model, run.status_quo_model, Cents(), avoided_growth=False)
        return {rate: pessimistic.npv("key", rate)[0] for rate in self.rates}

    @cached_property
    def npv_other_bearer_eur(self) -> dict[float, np.ndarray]:
        """The key's NPV had the other party carried the transition costs (the entrant, or all by
        key), computed when first asked."""
        other = "key" if self.scenario.parameters.transition_cost_bearer == "entrant" else "entrant"
        other_run = with_bearer(self.projection, other, Cents())
        return {rate: other_run.npv("key", rate)[0] for rate in self.rates}

    @property
    def model(self) -> CostModel:
        return self.projection.model

    @property
    def partners(self) -> tuple[str, ...]:
        return self.model.partners

    @property
    def years(self) -> tuple[int, ...]:
        return self.scenario.years

    @property
    def rates(self) -> tuple[float, ...]:
        return tuple(self.npv_eur["key"])

    @property
    def reference_year(self) -> int:
        """The first year with every entrant in and its transition paid: the year to show."""
        return self.scenario.reference_year()

    @property
    def member(self) -> np.ndarray:
        return self.projection.member

    @property
    def status_quo_member(self) -> np.ndarray:
        return self.projection.status_quo_member

    @property
    def cooperation_cost_eur(self) -> np.ndarray:
        return self.projection.total[0]

    @property
    def status_quo_cooperation_cost_eur(self) -> np.ndarray:
        return self.projection.status_quo_total[0]

    @property
    def standalone_eur(self) -> np.ndarray:
        return self.projection.standalone[0]

    @property
    def share_eur(self) -> dict[str, np.ndarray]:
        return {m: a[0] for m, a in self.projection.share.items()}

    @property
    def transition_eur(self) -> np.ndarray:
        return self.projection.transition[0]

    @property
    def lines_eur(self) -> dict[str, np.ndarray]:
        """Line → partners × years: the business case's lines beside the platform, as borne."""
        return {line: a[0] for line, a in self.projection.lines.items()}

    @property
    def migration_eur(self) -> np.ndarray:
        """partners × years: the transition lines (``lines.TRANSITION``) as borne."""
        return sum(self.lines_eur[line] for line in TRANSITION)

    @property
    def exit_eur(self) -> np.ndarray:
        return self.projection.exit_fee[0]

    @property
    def entry_fee_eur(self) -> np.ndarray:
        return self.projection.entry_fee[0]

    @property
    def cost_eur(self) -> dict[str, np.ndarray]:
        return {m: a[0] for m, a in self.projection.cost.items()}

    @property
    def status_quo_eur(self) -> dict[str, np.ndarray]:
        return {m: a[0] for m, a in self.projection.status_quo.items()}

    @cached_property
    def exact(self) -> Projection:
        """The same path in floats (the batch of one): what judgements (core, worse off) are made on."""
        return project(self.model, self.projection.status_quo_model, Exact())


def year_game(result: CostResult, year: int) -> Game:
    """The cost game of ``year`` over that year's members, as the study shares it."""
    k = result.years.index(year)
    members = result.projection.members(k)
    return Game(tuple(result.partners[i] for i in members), result.projection.game(k)[0], "cost")


def no_saving(scenario: Scenario) -> Scenario:
    """The case without a structural saving (COELO 2017: cooperation did not lower spending): no
    shared fixed part (``fixed_share_scale`` 0) and no avoided growth (the cooperation's costs grow
    as fast as stand-alone costs). Everything else as the scenario states it."""
    p = scenario.parameters
    parameters = p.model_copy(
        update={
            "fixed_share_scale": type(p.fixed_share_scale)(0.0),
            "cost_growth_cooperation": p.cost_growth_standalone,
        }
    )
    return scenario.derive(parameters=parameters)


def simulate(scenario: Scenario, rules: tuple[str, ...] = GAME_RULES) -> CostResult:
    """The cooperation's path, the status quo and every partner's costs, shares, NPV and break-even."""
    model = cost_model(scenario)
    status_quo_model = cost_model(scenario, scenario.status_quo[1])
    cents = Cents()
    run = project(model, status_quo_model, cents, rules=rules)
    rates = tuple(dict.fromkeys((float(scenario.discount_rate), *NPV_RATES)))
    npv = {m: {rate: run.npv(m, rate)[0] for rate in rates} for m in run.share}
    return CostResult(
        scenario=scenario,
        projection=run,
        npv_eur=npv,
        break_even_year=_break_even(
            (run.status_quo["key"] - run.cost["key"])[0], run.t, rates[0], scenario.years
        ),
        trace=tuple(cents.trace),
        notes=tuple(dict.fromkeys(cents.notes)),
    )
