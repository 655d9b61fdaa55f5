"""Key design: the simple key a regeling can state that keeps every partner better off.

**The family** is what a regeling can write down. The services fall in groups (a service's
``key_group``, else its package: basis, plus, im, governance); a designed key shares each group's
cost by a mix of at most three drivers (workstations, inhabitants, fte, applications, equal per
organisation, or each service by its own driver), with weights in steps of 5 percentage points. A
scenario may narrow the drivers and name groups that keep today's key (``terms:``). The coordination
overhead (equal per organisation) and an entrant's own level effect stay as they are.

**Why it is tractable.** Under a key of the family with weights w, partner p pays in sample s

    x_sp(w) = f_sp + Σ_(g,d) w_gd · A_sp,gd,    A_sp,gd = Σ_(j ∈ g) K_j(N) · q_pd t_pj / Σ_p' q_p'd t_p'j

(f: what the designer leaves alone; K_j(N): service j's cost for the members; q_pd t_pj: p's
quantity of driver d if it takes j, an equal split among the takers when none of them has any). So
every condition of the entry win-win is linear in w: the key is in the core of the reference year's
game (Σ_(p∈T) x_sp ≤ c_s(T) for every proper group T; the grand coalition adds up by construction)
and no partner pays more than in the status quo (an incumbent its payment today, an entrant its
stand-alone cost, each with the year's one-offs), both within the one tolerance (``games.tolerance``).

**The objective** (lexicographic): the largest share of samples in which every condition holds
(P(win-win)); then the smallest largest expected regret of any partner against its Shapley share,
max_p mean_s (x_sp − φ_sp)⁺; then the key closest to today's (the sum of the weight changes), the
smallest change a council has to explain.

**How it is solved.** Where the family is small (at most ``ENUMERATE_LIMIT`` keys: few drivers or
groups) every key is scored at once with array arithmetic: exact. A larger family is searched block
by block: every mix of one group (about 3,700 with six drivers) is scored with the other groups
held, group after group, until a whole round changes nothing, from today's key and from the best
key of a single driver; the better end point is proposed (``method`` says ``search``), so the
result is a local optimum that is exact in each group. Why not the MILP on HiGHS the design
first named: with a binary per sample (a big-M as tight as the family allows, rows no key can
break dropped), the Borne study at 2,000 samples has 1,972 samples that can go either way and 71,000
rows, and HiGHS had not finished the first of the three objectives after 15 minutes on this machine;
the search takes seconds. Rows no key can break and samples every key or no key satisfies are set
aside before scoring: they cannot change a ranking.

**Rows as needed.** A game of m members has 2^m − 2 core rows per sample (4,094 at 12, a million at
20), nearly all slack. Keys are scored on a subset (``Rows.first``: the singletons, the groups of all
but one and every status quo; all rows when there are at most ``ALL_ROWS``); the rows the chosen key
breaks in a sample where it holds the subset are added, most broken first, and the choice is made
again until it breaks none. A key's count on a subset is at least its count on all rows, so a
chosen key that loses nothing on all rows is the choice all rows would give (enumeration: the best
key; search: an end point that no single group's mix improves on all rows either). The
12-organisation growth path's design went from 248 s on every row to 2 s.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations, product

import numpy as np

from ..costs import Projection
from ..costs.paths import BLOCK_CELLS
from ..games import shapley_shares, tolerance
from ..games.game import CACHE_CELLS, block_sums, subset_sums
from ..games.rules import subgame_tolerances

__all__ = [
    "ENUMERATE_LIMIT",
    "GRID",
    "Family",
    "KeyDesign",
    "Mix",
    "Rows",
    "consistent",
    "consistent_orders",
    "design_key",
    "family",
    "linear_shares",
    "win_win_rows",
]

GRID = 20
"""Weights are multiples of 1/20: 5 percentage points."""
SLACK_CELLS = CACHE_CELLS
"""Rows × samples whose slack is judged at once (it stays in the cache)."""
MAX_DRIVERS = 3
MAX_ROUNDS = 10
ENUMERATE_LIMIT = 4096
"""Families of at most this many keys are enumerated; larger ones are searched."""
ALL_ROWS = 1024
"""Conditions of at most this many rows are scored all at once; more are generated as needed."""
SCORE_CELLS = 1 << 20
"""Samples × rows × keys compared in one block of the scorer (8 MiB of float64). Measured on the Borne
study: blocks of 256 keys (54 MiB at its 759 samples × 35 rows) made the key designer take twice as
long; blocks of 2^18 cells pay numpy's cost per call more often and were slower again."""
GROUP_ORDER = ("basis", "plus", "im", "governance")
_NAMED = {"organisations": "equal", "fixed": "equal"}


def _named(key: str) -> str:
    """A service key or driver as a driver of the family (one organisation, a fixed service: equal)."""
    return _NAMED.get(key, key)


@dataclass(frozen=True)
class Mix:
    """One group's key: driver → weight in percent (adding up to 100), largest first."""

    group: str
    weights: tuple[tuple[str, int], ...]
    kept: bool = False
    """The group keeps today's key (the scenario says so)."""
    exact: bool = True
    """False for today's key when it is not itself a mix of the family (then: its cost-weighted mix)."""


@dataclass(frozen=True, eq=False)
class Family:
    """The keys a regeling may state for one study: groups, their options and today's weights."""

    groups: tuple[str, ...]
    """The designed groups (with cost among the members; kept groups are in ``kept``)."""
    kept: tuple[str, ...]
    services: dict[str, tuple[int, ...]]
    """Group → service indices."""
    options: dict[str, tuple[str, ...]]
    """Designed group → the drivers it may use."""
    today: dict[str, Mix]

    @property
    def columns(self) -> tuple[tuple[str, str], ...]:
        """(group, driver) of every weight, in the order of the weight vector."""
        return tuple((g, d) for g in self.groups for d in self.options[g])

    def mixes(self, group: str) -> np.ndarray:
        """Every mix of one group: rows of integer weights (sum ``GRID``, at most three nonzero)."""
        k = len(self.options[group])
        rows = []
        for used in range(1, min(MAX_DRIVERS, k) + 1):
            for chosen in combinations(range(k), used):
                for parts in _compositions(GRID, used):
                    row = np.zeros(k, dtype=np.int64)
                    row[list(chosen)] = parts
                    rows.append(row)
        return np.array(rows)

    @property
    def size(self) -> int:
        """The number of keys in the family."""
        return int(np.prod([len(self.mixes(g)) for g in self.groups])) if self.groups else 1

    def vector(self, mixes: dict[str, Mix]) -> np.ndarray:
        """A key as its weight vector (fractions), in the order of ``columns``."""
        return np.array([dict(mixes[g].weights).get(d, 0) / 100.0 for g, d in self.columns])

    def key(self, weights: np.ndarray) -> tuple[Mix, ...]:
        """The weight vector (fractions) as a key in words: one mix per group, kept groups as today."""
        mixes = []
        position = 0
        for g in self.groups:
            k = len(self.options[g])
            part = np.rint(np.asarray(weights[position : position + k]) * 100).astype(int)
            position += k
            options = self.options[g]
            pairs = sorted(
                ((d, int(w)) for d, w in zip(options, part, strict=True) if w),
                key=lambda dw: (-dw[1], options.index(dw[0])),
            )
            mixes.append(Mix(g, tuple(pairs)))
        mixes.extend(self.today[g] for g in self.kept)
        return tuple(sorted(mixes, key=lambda m: _group_rank(m.group)))


def _group_rank(group: str) -> tuple[int, str]:
    return (GROUP_ORDER.index(group), "") if group in GROUP_ORDER else (len(GROUP_ORDER), group)


def _compositions(total: int, parts: int):
    """Every way to write ``total`` as ``parts`` positive integers (in order)."""
    for cuts in combinations(range(1, total), parts - 1):
        bounds = (0, *cuts, total)
        yield tuple(bounds[i + 1] - bounds[i] for i in range(parts))


def family(run: Projection, k: int) -> Family:
    """The family of keys for the members of year index ``k`` of ``run`` under the scenario's terms."""
    model = run.model
    scenario = model.scenario
    terms = scenario.terms
    members = list(run.members(k))
    by_id = {s.id: s for s in scenario.services}
    services: dict[str, list[int]] = {}
    taken = model.takes[members].any(axis=0)
    for j, service_id in enumerate(model.services):
        if taken[j]:
            service = by_id[service_id]
            services.setdefault(service.key_group or service.package, []).append(j)
    groups = sorted(services, key=_group_rank)
    options, today = {}, {}
    lines = run.year(k).lines.mean(axis=0)
    for g in groups:
        drivers = {_named(model.drivers[j]) for j in services[g]}
        allowed = [d for d in terms.drivers if d != "own" or len(drivers) > 1]
        if not allowed:
            allowed = [next(iter(drivers))]
        options[g] = tuple(allowed)
        today[g] = _today(g, services[g], model, lines, options[g], g in terms.keep)
    designed = tuple(g for g in groups if g not in terms.keep)
    kept = tuple(g for g in groups if g in terms.keep)
    return Family(designed, kept, {g: tuple(v) for g, v in services.items()}, options, today)


def _today(group: str, services: list[int], model, lines: np.ndarray, options, kept: bool) -> Mix:
    """Today's key of a group as a mix: exact when every service shares alike, else cost-weighted."""
    keys = [_named(model.keys[j]) for j in services]
    own = [model.keys[j] == model.drivers[j] for j in services]
    if len(set(keys)) == 1 and (keys[0] in options or kept):
        return Mix(group, ((keys[0], 100),), kept)
    if all(own) and "own" in options:
        return Mix(group, (("own", 100),), kept)
    cost = np.array([lines[j] for j in services])
    weights: dict[str, float] = {}
    for key, c in zip(keys, cost, strict=True):
        weights[key] = weights.get(key, 0.0) + c / cost.sum()
    percent = sorted(((d, int(np.rint(100 * w))) for d, w in weights.items()), key=lambda dw: -dw[1])
    return Mix(group, tuple(percent), kept, exact=False)


@dataclass(frozen=True, eq=False)
class LinearShares:
    """One year's shares under any key of the family as linear functions of its weights, per sample:
    x = f + A w (see the module docstring)."""

    members: tuple[int, ...]
    columns: np.ndarray
    """A: n × members × weights."""
    fixed: np.ndarray
    """f: n × members."""
    today: np.ndarray
    """n × members: what the scenario's own key charges."""

    def shares(self, weights: np.ndarray) -> np.ndarray:
        """n × members: what each member pays under the key of weight vector ``weights``."""
        return self.fixed + self.columns @ np.asarray(weights, dtype=float)


def _split(line: np.ndarray, weight: np.ndarray, takers: np.ndarray) -> np.ndarray:
    """n × members: ``line`` (n) shared by ``weight`` (n × members) among the takers, equally where
    none of them weighs anything (as the scenario key does)."""
    pooled = weight.sum(axis=1, keepdims=True)
    equal = takers / max(takers.sum(), 1)
    share = np.divide(weight, pooled, out=np.broadcast_to(equal, weight.shape).copy(), where=pooled > 0)
    return line[:, None] * share


def linear_shares(
    run: Projection, k: int, found: Family, members: tuple[int, ...] | None = None
) -> LinearShares:
    """The shares of year index ``k`` of ``run`` as linear functions of the family's weights, for the
    year's members or another set of ``members`` in that year (a growth path without its entrant)."""
    model = run.model
    members = run.members(k) if members is None else tuple(members)
    year = run.year(k, members)
    rows = list(members)
    takes = model.takes[rows].astype(float)
    q = {d: model.quantity(d)[:, rows] for d in ("workstations", "inhabitants", "fte", "applications")}

    def weight(driver: str, j: int) -> np.ndarray:
        if driver == "own":
            driver = _named(model.drivers[j])
        base = np.ones((model.n, len(rows))) if driver == "equal" else q[driver]
        return base * takes[:, j]

    columns = []
    for g in found.groups:
        for d in found.options[g]:
            columns.append(
                sum(_split(year.lines[:, j], weight(d, j), takes[:, j]) for j in found.services[g])
            )
    today_lines = sum(
        _split(year.lines[:, j], model.key_weights[:, rows, j], takes[:, j])
        for j in range(len(model.services))
    )
    base = np.asarray(year.coordination)[:, None] / len(rows) + year.own
    # kept groups, and any service outside the family (taken in this year only by a partner gone by
    # the reference year), are shared by today's key
    designed = {j for g in found.groups for j in found.services[g]}
    kept = sum(
        (
            _split(year.lines[:, j], model.key_weights[:, rows, j], takes[:, j])
            for j in range(len(model.services))
            if j not in designed
        ),
        np.zeros((model.n, len(rows))),
    )
    stacked = np.stack(columns, axis=2) if columns else np.zeros((model.n, len(rows), 0))
    return LinearShares(members, stacked, base + kept, base + today_lines)


@dataclass(frozen=True)
class Binding:
    """A condition of the entry win-win under the proposed key: a group's core row or a partner's
    status quo, how often it fails over the samples and its median slack (euros)."""

    members: tuple[str, ...]
    kind: str
    """``core`` (the group would be cheaper on its own) or ``status_quo`` (the partner pays more)."""
    failure_share: float
    slack_eur: float


@dataclass(frozen=True, eq=False)
class KeyDesign:
    """The proposed key, today's, and how each keeps the partners better off over the samples."""

    year: int
    family: Family
    weights: np.ndarray
    """The proposed key's weight vector (fractions, in the order of ``family.columns``)."""
    proposed: tuple[Mix, ...]
    today: tuple[Mix, ...]
    win_win: np.ndarray
    """Per sample: the proposed key is in the core and no partner pays more than in the status quo."""
    today_win_win: np.ndarray
    regret_eur: float
    """The largest expected regret of any partner against its Shapley share, proposed key."""
    today_regret_eur: float
    binding: tuple[Binding, ...]
    method: str
    """``enumeration`` (exact) or ``search`` (block by block; see the module docstring)."""
    samples: int
    change_eur: dict[str, float]
    """At the scenario's own values: what each member pays under the proposed key minus today's."""
    central: tuple[bool, bool]
    """At the scenario's own values: whether the proposed and today's key hold the win-win."""

    @property
    def found(self) -> bool:
        """Whether some key of the family holds the win-win in at least one sample."""
        return bool(self.win_win.any())


@dataclass(frozen=True, eq=False)
class Rows:
    """The entry win-win of one year as rows ``B x ≤ H`` on the members' payments x, per sample: the
    core (one row per proper group of members) and each member's status quo (one-offs moved to H).

    The bounds H are not stored: a group's is its cost in the year's game plus the tolerance, a
    status quo's the member's limit plus the tolerance, and :meth:`bounds` reads them for the
    samples asked (a copy of H for every sample and group was another 2^m floats per sample)."""

    members: tuple[int, ...]
    B: np.ndarray
    """R × members: 0/1, which members a row adds up."""
    values: np.ndarray
    """n × 2^m: the year's cost game over the members."""
    tolerance: np.ndarray
    """n: the tolerance of each sample's game."""
    limit: np.ndarray
    """n × members: the most each may pay the cooperation and be no worse off (its status quo, or
    alone for an entrant, less the year's one-offs), without the tolerance."""
    index: np.ndarray | None = None
    """Which rows of the whole set these are, in order; ``None``: all of them in their own order (the
    groups by mask 1 … 2^m − 2, then the status quo of each member), so that what a row adds up is
    a subset sum, not a product with B."""

    @property
    def complete(self) -> bool:
        return self.index is None

    @property
    def core(self) -> int:
        """The number of group rows of the whole set (they come first)."""
        return (1 << len(self.members)) - 2

    def group_bounds(self, samples: slice | np.ndarray = slice(None)) -> np.ndarray:
        """n × 2^m − 2: the bound of every group's row (masks 1 … 2^m − 2) for the ``samples``."""
        return self.values[samples, 1:-1] + self.tolerance[samples, None]

    def status_bounds(self, samples: slice | np.ndarray = slice(None)) -> np.ndarray:
        """n × members: the bound of every member's status quo row for the ``samples``."""
        return self.limit[samples] + self.tolerance[samples, None]

    def bounds(self, samples: slice | np.ndarray = slice(None)) -> np.ndarray:
        """n × R: H, each row's bound with the tolerance included, for the ``samples``."""
        if self.index is None:
            return np.concatenate([self.group_bounds(samples), self.status_bounds(samples)], axis=1)
        groups = self.index < self.core
        H = np.empty((len(self.tolerance[samples]), len(self.index)))
        H[:, groups] = np.take(self.values[samples], self.index[groups] + 1, axis=1)
        H[:, ~groups] = np.take(self.limit[samples], self.index[~groups] - self.core, axis=1)
        H += self.tolerance[samples, None]
        return H

    def name(self, r: int) -> tuple[str, tuple[int, ...]]:
        """Row r of the whole set as ``("core", members)`` (the groups by mask) or ``("status_quo",
        (member,))``."""
        m = len(self.members)
        if r < self.core:
            return "core", tuple(self.members[i] for i in range(m) if (r + 1) >> i & 1)
        return "status_quo", (self.members[r - self.core],)

    def slack(self, shares: np.ndarray, samples: slice = slice(None)) -> np.ndarray:
        """n × R: each row's bound less what payments ``shares`` (n × members, of the ``samples``)
        add up to in it (< 0: the row is broken)."""
        if not self.complete:
            return self.bounds(samples) - shares @ self.B.T
        m = len(self.members)
        # one array: the subset sums x(S) of masks 0 … 2^m − 1, then x over the status quo rows, so
        # that from column 1 on it is the rows in order (the grand coalition's sum is overwritten)
        paid = np.empty((len(shares), len(self.B) + 1))
        subset_sums(shares, out=paid[:, : 1 << m])
        paid[:, (1 << m) - 1 :] = shares
        slack = paid[:, 1:]
        np.subtract(self.bounds(samples), slack, out=slack)
        return slack

    def _slack_blocks(self, shares: np.ndarray):
        """(samples, slack) over blocks of samples whose slack stays in the cache."""
        size = max(1, SLACK_CELLS // len(self.B))
        for start in range(0, len(shares), size):
            samples = slice(start, start + size)
            yield samples, self.slack(shares[samples], samples)

    def holds(self, shares: np.ndarray) -> np.ndarray:
        """Per sample: whether payments ``shares`` (n × members) hold every row."""
        return np.concatenate([(slack >= 0).all(axis=1) for _, slack in self._slack_blocks(shares)])

    def binding(self, shares: np.ndarray, count: int) -> list[tuple[int, float, float]]:
        """The ``count`` rows that payments ``shares`` break in the most samples, ties by the least
        median slack, then by row: (row of the whole set, share of samples broken, median slack).

        The shares broken come from one pass over every row; the medians (a sort of every sample's
        slack per row, most of the pass's time) only for the rows that can make the list, those
        broken at least as often as the ``count``-th (3 of 65,550 rows on the growth path of 16)."""
        broken = np.concatenate([(slack < 0).mean(axis=0) for _, slack in self._row_blocks(shares)])
        if len(broken) > count:
            least = np.partition(broken, len(broken) - count)[len(broken) - count]
            candidates = np.flatnonzero(broken >= least)
        else:
            candidates = np.arange(len(broken))
        median = np.empty(len(candidates))
        for first, slack in self._row_blocks(shares, candidates):
            inside = (candidates >= first) & (candidates < first + slack.shape[1])
            median[inside] = np.median(slack[:, candidates[inside] - first], axis=0)
        order = np.lexsort((median, -broken[candidates]))[:count]
        return [(int(candidates[o]), float(broken[candidates[o]]), float(median[o])) for o in order]

    def _row_blocks(self, shares: np.ndarray, wanted: np.ndarray | None = None):
        """(first row, n × rows slack) over the whole set a block of rows at a time, all samples of
        each (only the blocks holding a row of ``wanted``, increasing, when given). A block of groups
        shares its high bits, so what it adds up is the subset sums of the low bits' payments plus
        the high bits', added in the order :func:`subset_sums` adds them (the same slack to the bit),
        and the n × R slack is never held at once."""
        if not self.complete:
            yield 0, self.slack(shares)
            return
        m, n = len(self.members), len(shares)
        b = min(m, max(0, (SLACK_CELLS // max(n, 1)).bit_length() - 1))
        needed = None if wanted is None else set(((wanted[wanted < self.core] + 1) >> b).tolist())
        low = subset_sums(shares[:, :b])
        for high in range(1 << (m - b)):
            # the groups' masks 1 … 2^m − 2 in this block: not ∅, not every member
            first, stop = max(high << b, 1), ((high + 1) << b) - (high == (1 << (m - b)) - 1)
            if first >= stop or (needed is not None and high not in needed):
                continue
            paid = block_sums(low, shares, high, b)
            slack = self.values[:, first:stop] + self.tolerance[:, None]
            slack -= paid[:, first - (high << b) : stop - (high << b)]
            yield first - 1, slack
        if wanted is None or (wanted >= self.core).any():
            yield self.core, self.status_bounds() - shares

    def subset(self, index: np.ndarray) -> Rows:
        """The same conditions cut to the rows ``index``."""
        whole = index if self.index is None else self.index[index]
        return Rows(self.members, self.B[index], self.values, self.tolerance, self.limit, whole)

    def first(self) -> np.ndarray:
        """The rows a designer starts from: every member's status quo, the singletons and the groups
        of all but one (all rows when they are few)."""
        m = len(self.members)
        if len(self.B) <= ALL_ROWS:
            return np.arange(len(self.B))
        singles = 1 << np.arange(m)
        core = np.unique(np.concatenate([singles, ((1 << m) - 1) ^ singles])) - 1
        return np.concatenate([core, np.arange((1 << m) - 2, len(self.B))])

    def violated(self, shares: np.ndarray, active: np.ndarray) -> np.ndarray:
        """The rows outside ``active`` that payments ``shares`` break in a sample where they hold every
        row of ``active``: the most broken row of each such sample."""
        found = []
        for _, slack in self._slack_blocks(shares):
            # where every active row holds, the most broken row (if any is) is not an active one
            worst = np.argmin(slack, axis=1)
            broken = slack[np.arange(len(slack)), worst] < 0
            found.append(worst[broken & (slack[:, active] >= 0).all(axis=1)])
        return np.unique(np.concatenate(found))


def win_win_rows(run: Projection, k: int, members: tuple[int, ...] | None = None) -> Rows:
    """The rows of the entry win-win in year index ``k`` of ``run`` (see :class:`Rows`), built once
    per path (the key designer and every entrant's terms read the same rows)."""
    members = run.members(k) if members is None else tuple(members)
    memo = ("rows", k, members)
    if memo not in run.growth.lines:
        run.growth.lines[memo] = _rows(run, k, members)
    return run.growth.lines[memo]


def _rows(run: Projection, k: int, members: tuple[int, ...]) -> Rows:
    rows = list(members)
    m = len(rows)
    values = run.game(k, members)
    tol = np.broadcast_to(np.asarray(tolerance(values), dtype=float).reshape(-1), (run.model.n,))
    masks = np.arange(1, (1 << m) - 1)
    bits = ((masks[:, None] >> np.arange(m)) & 1).astype(float)
    extra = run.cost["key"][:, rows, k] - run.share["key"][:, rows, k]
    incumbent = run.status_quo_member[rows, k]
    bound = np.where(incumbent, run.status_quo["key"][:, rows, k], run.standalone[:, rows, k])
    B = np.concatenate([bits, np.eye(m)])
    return Rows(members, B, values, tol, bound - extra)


def _conditions(rows: Rows, terms: LinearShares) -> tuple[np.ndarray, np.ndarray]:
    """The rows in the weights: G w ≤ h with G = B A (n × R × D) and h = H − B f (n × R)."""
    G = np.einsum("rm,nmd->nrd", rows.B, terms.columns)
    return G, rows.bounds() - terms.fixed @ rows.B.T


def _regret(x: np.ndarray, shapley: np.ndarray) -> np.ndarray:
    """K: the largest expected regret against the Shapley share of K keys' payments ``x`` (n × m × K)."""
    return np.maximum(x - shapley[:, :, None], 0.0).mean(axis=0).max(axis=0)


def _set_aside(G: np.ndarray, h: np.ndarray, high: np.ndarray, low: np.ndarray):
    """The samples and rows that can tell keys apart, given each row's largest and smallest value
    over the keys in play: the count of samples every key satisfies, and G, h cut to the samples some
    key fails and some key holds (lost samples dropped) and to the rows that can fail in them."""
    lost = (low > h).any(axis=1)
    open_rows = (high > h) & ~lost[:, None]
    contested = open_rows.any(axis=1)
    rows = np.flatnonzero(open_rows[contested].any(axis=0))
    return int((~lost & ~contested).sum()), np.ascontiguousarray(G[contested][:, rows]), h[contested][:, rows]


class _Scorer:
    """Scores keys on the samples: how many hold every row, the largest expected regret against the
    Shapley share, and the distance to today's key. Rows that no key of the family can break, and
    samples that every key or no key satisfies, are set aside once: they cannot change a ranking."""

    def __init__(self, found: Family, G: np.ndarray, h: np.ndarray, terms: LinearShares, shapley, today):
        group_of = np.array([found.groups.index(g) for g, _ in found.columns], dtype=int)
        high = np.zeros(h.shape)
        low = np.zeros(h.shape)
        for gi in range(len(found.groups)):
            cols = group_of == gi
            high += G[:, :, cols].max(axis=2)
            low += G[:, :, cols].min(axis=2)
        self.settled, self.G, self.h = _set_aside(G, h, high, low)
        """``settled``: the samples every key of the family satisfies."""
        self.terms, self.shapley, self.today = terms, shapley, today
        self.group_of = group_of

    def score(self, keys: np.ndarray, fixed: np.ndarray | None = None, block: np.ndarray | None = None):
        """(count, regret, distance) of K keys (rows of weight vectors), in chunks. With ``block`` (a
        mask of columns) and ``fixed`` (the full vector), only those columns vary: the rest is held."""
        count = []
        G, h, settled = self.G, self.h, self.settled
        base = np.zeros(self.terms.fixed.shape)
        if block is not None:
            rest = np.where(block, 0.0, fixed)
            h = h - G @ rest
            G = G[:, :, block]
            base = self.terms.columns @ rest
            columns = self.terms.columns[:, :, block]
            # with the other groups held, each mix of the block is a convex combination of its
            # drivers: a row's value lies between its smallest and largest driver's, so samples
            # that every mix or no mix satisfies, and rows no mix can break, are set aside again
            more, G, h = _set_aside(G, h, G.max(axis=2), G.min(axis=2))
            settled += more
        else:
            columns = self.terms.columns
        flat = G.reshape(-1, G.shape[2])
        n, r = h.shape
        step = max(1, SCORE_CELLS // max(1, n * r))
        for start in range(0, len(keys), step):
            chunk = keys[start : start + step]
            if n:
                holds = (flat @ chunk.T <= h.reshape(-1)[:, None]).reshape(n, r, -1).all(axis=1)
            else:  # every sample settled: nothing to tell the keys apart by
                holds = np.zeros((0, len(chunk)), dtype=bool)
            count.append(holds.sum(axis=0) + settled)
        count = np.concatenate(count)
        # regret and distance only break ties among the keys with the most samples
        top = np.flatnonzero(count == count.max())
        regret = np.full(len(keys), np.inf)
        distance = np.full(len(keys), np.inf)
        chosen = keys[top]
        x = (self.terms.fixed + base)[:, :, None] + np.einsum("nmd,kd->nmk", columns, chosen)
        regret[top] = np.round(_regret(x, self.shapley), 2)
        whole = chosen
        if block is not None:
            whole = np.tile(fixed, (len(top), 1))
            whole[:, block] = chosen
        distance[top] = np.round(np.abs(whole - self.today).sum(axis=1), 6)
        return count, regret, distance


def _best(count: np.ndarray, regret: np.ndarray, distance: np.ndarray) -> int:
    """The index of the lexicographic best: most samples, then least regret, then nearest today."""
    return int(np.lexsort((distance, regret, -count))[0])


def _enumerate(found: Family, scorer: _Scorer) -> np.ndarray:
    """Every key of a small family, scored at once: exact."""
    keys = np.array(
        [np.concatenate(parts) for parts in product(*(found.mixes(g) / GRID for g in found.groups))]
    )
    return keys[_best(*scorer.score(keys))]


def _search(found: Family, scorer: _Scorer, start: np.ndarray, memo: dict) -> np.ndarray:
    """Block-coordinate search: every mix of one group with the others held, group after group, until
    every group has been chosen again since the last change (each step exact over its group; the
    whole a local optimum). ``memo`` keeps each step's choice by the other groups' weights, so a
    second start that passes the same point does not score it again."""
    current = start.copy()
    groups = len(found.groups)
    mixes = [found.mixes(g) / GRID for g in found.groups]
    unchanged, gi = 0, 0
    for _ in range(MAX_ROUNDS * groups):
        block = scorer.group_of == gi
        key = (gi, tuple(np.round(current[~block], 9)))
        if key not in memo:
            memo[key] = mixes[gi][_best(*scorer.score(mixes[gi], current, block))]
        unchanged = unchanged + 1 if np.array_equal(current[block], memo[key]) else 1
        current[block] = memo[key]
        if unchanged >= groups:
            break
        gi = (gi + 1) % groups
    return current


def _starts(found: Family, scorer: _Scorer) -> list[np.ndarray]:
    """Today's key (when the family holds it) and the best key of one driver for every group."""
    starts = []
    if all(found.today[g].exact for g in found.groups):
        starts.append(found.vector(found.today))
    singles = []
    for driver in dict.fromkeys(d for g in found.groups for d in found.options[g]):
        vector = np.concatenate(
            [
                np.eye(len(found.options[g]))[found.options[g].index(driver)]
                if driver in found.options[g]
                else np.eye(len(found.options[g]))[0]
                for g in found.groups
            ]
        )
        singles.append(vector)
    singles = np.array(singles)
    best = singles[_best(*scorer.score(singles))]
    if not any(np.array_equal(best, start) for start in starts):
        starts.append(best)
    return starts


def design_key(run: Projection, central: Projection, k: int) -> KeyDesign:
    """The key of the family with the highest P(win-win) over the samples of ``run`` in year index
    ``k`` (then the least regret against Shapley, then the nearest to today's; see the module);
    ``central`` is the path at the scenario's own values (a batch of one), for what each member's
    contribution changes."""
    found = family(run, k)
    terms = linear_shares(run, k, found)
    rows = win_win_rows(run, k)
    values = rows.values
    shapley = shapley_shares(values)
    today = found.vector(found.today) if found.groups else np.zeros(0)
    # row generation: score on a subset of the rows, then add the rows the chosen key breaks in a
    # sample where it holds the subset, until it breaks none. A key's count on a subset is at least its
    # count on all rows, so a chosen key that loses nothing is also the best on all rows
    active = rows.first()
    while True:
        G, h = _conditions(rows.subset(active), terms)
        scorer = _Scorer(found, G, h, terms, shapley, today)
        if not found.groups:
            method, weights = "enumeration", np.zeros(0)
        elif found.size <= ENUMERATE_LIMIT:
            method, weights = "enumeration", _enumerate(found, scorer)
        else:
            method = "search"
            memo: dict = {}
            found_keys = np.array([_search(found, scorer, start, memo) for start in _starts(found, scorer)])
            weights = found_keys[_best(*scorer.score(found_keys))]
        missing = rows.violated(terms.shares(weights), active)
        if not missing.size:
            break
        active = np.union1d(active, missing)
    shares, x0 = terms.shares(weights), terms.today
    partners = run.model.partners
    binding = []
    for r, broken, median in rows.binding(shares, 3):
        kind, who = rows.name(r)
        binding.append(Binding(tuple(partners[i] for i in who), kind, broken, median))
    at = linear_shares(central, k, found)
    central_rows = win_win_rows(central, k)
    change = at.shares(weights)[0] - at.today[0]
    return KeyDesign(
        year=run.years[k],
        family=found,
        weights=weights,
        proposed=found.key(weights),
        today=tuple(sorted(found.today.values(), key=lambda mix: _group_rank(mix.group))),
        win_win=rows.holds(shares),
        today_win_win=rows.holds(x0),
        regret_eur=float(_regret(shares[:, :, None], shapley)[0]),
        today_regret_eur=float(_regret(x0[:, :, None], shapley)[0]),
        binding=tuple(binding),
        method=method,
        samples=run.model.n,
        change_eur={partners[i]: float(c) for i, c in zip(at.members, change, strict=True)},
        central=(bool(central_rows.holds(at.shares(weights))[0]), bool(central_rows.holds(at.today)[0])),
    )


def consistent(
    run: Projection, found: Family, *keys: np.ndarray | None, member: np.ndarray | None = None
) -> list[np.ndarray]:
    """Per key (a weight vector, or ``None`` for the scenario's own) and per sample: along the path,
    no partner already in pays more in a year when others join than it would that year without them.

    Judged on the annual contributions (the key's shares) in every year in which someone joins a
    cooperation that already has members, within the one tolerance of that year's game. ``member``
    (partners × years) judges another order of entry on the same path (see :func:`consistent_orders`).
    """
    return consistent_orders(run, found, keys, [run.member if member is None else member])[0]


def consistent_orders(
    run: Projection, found: Family, keys: tuple[np.ndarray | None, ...], members: list[np.ndarray]
) -> list[list[np.ndarray]]:
    """:func:`consistent` for several orders of entry (each a partners × years membership) on one
    path: a year's shares and game depend on who is in, not on when the others came, so every order
    is judged on the one path, and the shares and tolerance of a year's group are computed once for
    all the orders that have that group in that year (on a growth path of 12 organisations, the 20
    orders ask for the shares of 200 groups, 36 of them different)."""
    joins = [list(_joins(member)) for member in members]
    shares: dict[tuple[int, tuple[int, ...]], LinearShares] = {}

    def linear(k: int, group: tuple[int, ...]) -> LinearShares:
        if (k, group) not in shares:
            shares[k, group] = linear_shares(run, k, found, group)
        return shares[k, group]

    tol = _tolerances(run, {(k, now) for order in joins for k, now, _ in order})
    out = []
    for order in joins:
        ok = [np.ones(run.model.n, dtype=bool) for _ in keys]
        for k, now, stay in order:
            with_them, without = linear(k, now), linear(k, stay)
            columns = [with_them.members.index(p) for p in stay]
            for flags, weights in zip(ok, keys, strict=True):
                if weights is None:
                    x_with, x_without = with_them.today, without.today
                else:
                    x_with, x_without = with_them.shares(weights), without.shares(weights)
                flags &= (x_with[:, columns] <= x_without + tol[k, now]).all(axis=1)
        out.append(ok)
    return out


def _joins(member: np.ndarray):
    """(year index, its members, those of them in the year before) for every year in which someone
    joins a cooperation that already has members, of a partners × years membership."""
    for k in range(1, member.shape[1]):
        now = tuple(int(i) for i in np.flatnonzero(member[:, k]))
        stay = tuple(i for i in now if member[i, k - 1])
        if stay and len(stay) < len(now):
            yield k, now, stay


def _tolerances(run: Projection, groups: set[tuple[int, tuple[int, ...]]]) -> dict:
    """The tolerance (n × 1) of the game of each (year index, group): a group's coalitions cost in a
    year what they cost in the game of every group of that year together (a coalition's cost depends
    on who is in it), so each year's one game serves all its groups (read as ``game_blocks`` gives
    it: kept where one block holds it, as the path's own games are, else in the formula's own blocks,
    uncopied: gathered into blocks of 2^23 values, the growth terms of a growth path of 20
    organisations at 300 samples took 8.9 s instead of 8.3)."""
    found: dict[tuple[int, tuple[int, ...]], list[np.ndarray]] = {group: [] for group in groups}
    for k in sorted({k for k, _ in groups}):
        mine = [group for year, group in groups if year == k]
        union = tuple(sorted(set().union(*mine)))
        positions = [None if group == union else [union.index(i) for i in group] for group in mine]
        for _, game in run.game_blocks(k, union, cells=BLOCK_CELLS):
            for group, tol in zip(mine, subgame_tolerances(game, positions), strict=True):
                found[k, group].append(np.asarray(tol, dtype=float).reshape(-1))
    return {key: np.concatenate(parts)[:, None] for key, parts in found.items()}
