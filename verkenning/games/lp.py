"""Core-based solution concepts by linear programming (HiGHS) with constraint generation.

All LPs work on the cost form c of the game (see ``game.py``), scaled so that max |c| = 1; answers
are scaled back. The *excess* of coalition S at x is e(S, x) = c(S) − x(S): what S saves by staying
in the cooperation (negative: S pays more than on its own).

Core: {x : x(N) = c(N), x(S) ≤ c(S) for all S}. Least core (Maschler, Peleg and Shapley 1979): the
smallest ε with {x : x(N) = c(N), x(S) ≤ c(S) + ε for all S ≠ ∅, N} non-empty, found by
    maximise t  subject to  x(N) = c(N),  x(S) + t ≤ c(S)  (S ≠ ∅, N);   ε = −t.
The core is empty exactly when ε > 0.

Pre-nucleolus and nucleolus (Schmeidler 1969): the allocation that lexicographically maximises the
sorted vector of excesses, over x(N) = c(N) (pre-nucleolus) or over the imputations, x_i ≤ c({i})
(nucleolus). Sequence of LPs (Maschler, Peleg and Shapley 1979): solve the least-core LP; every
coalition with a non-zero dual is tight in every optimum, so its excess is fixed at t* as an
equality; coalitions whose incidence vector lies in the span of the fixed ones have a determined
excess and leave the problem; repeat with the rest until the fixed vectors span R^n. Each stage adds
at least one independent vector, so there are at most n stages.

Constraint generation: an LP starts with the singletons and their complements, and after each
solve we compute every coalition's slack at once (``subset_sums``, O(n 2^n)) and add the most
violated coalitions until none is violated; the LPs stay small, so 18 players is practical.

Fee range of a player: min and max x_i over the core (two LPs); over the least core when the core
is empty, which the result says.

Nearest core allocation to shares s (the smallest change that makes a key stable): minimise Σ u_i
subject to u_i ≥ x_i − s_i, u_i ≥ s_i − x_i and x in the core, so Σ|x − s| is least; half of it is
the euros that move. None when the core is empty (no key is stable).

We call HiGHS through highspy rather than scipy's ``linprog``: rows are added to a live model, so
each constraint-generation round starts from the previous basis, and highspy imports in
milliseconds where ``scipy.optimize`` takes a third of a second, which matters for a command-line
tool.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import GameError
from .game import Allocation, Game, popcounts, subset_sums
from .rules import ROUNDING, zero_normalised

__all__ = [
    "LP_TOL",
    "NUCLEOLUS_MAX_PLAYERS",
    "FeeRange",
    "LeastCore",
    "binary_program",
    "fee_range",
    "fee_ranges",
    "least_core",
    "nearest_core",
    "nucleolus",
    "prenucleolus",
]

LP_TOL = 1e-9
"""Feasibility tolerance on the game scaled to max |c| = 1."""
DUAL_TOL = 1e-7
"""A dual below −DUAL_TOL marks a coalition as tight in every optimum."""
NUCLEOLUS_MAX_PLAYERS = 20
CG_BATCH = 64
"""Most violated coalitions added per constraint-generation round."""


@dataclass(frozen=True)
class LeastCore:
    """The least-core ε (≤ 0: the core is non-empty) and one allocation in the least core."""

    epsilon: float
    allocation: Allocation

    @property
    def core_empty(self) -> bool:
        return self.epsilon > 0


@dataclass(frozen=True)
class FeeRange:
    """The lowest and highest share a player can carry with no group worse off than on its own."""

    player: str
    low: float
    high: float
    core_empty: bool
    """When True the range is over the least core, with every group allowed ``epsilon`` above its own cost."""
    epsilon: float


class _Problem:
    """A game in scaled cost form, with the incidence rows and LP builder the solvers share."""

    def __init__(self, game: Game, method: str):
        if game.n > NUCLEOLUS_MAX_PLAYERS:
            raise GameError(
                f"the {method} is computed for up to {NUCLEOLUS_MAX_PLAYERS} players, this game has {game.n}"
            )
        game.require_complete(f"the {method}")
        self.game, self.method, self.n = game, method, game.n
        cost = np.asarray(game.cost_form, dtype=float)
        # Strategic equivalence: the LPs solve the zero-normalised game c(S) − Σ_{i∈S} c({i}), whose
        # values are the savings (small beside costs of 10^9 euro, so a cent stays visible after the
        # scaling to max |c| = 1); every concept here moves with the offset.
        self.offset = cost[1 << np.arange(self.n)].copy()
        normalised = zero_normalised(cost)
        if np.abs(normalised).max() <= ROUNDING * max(float(np.abs(cost).max()), 1e-300):
            normalised = np.zeros_like(normalised)  # an additive game: savings are rounding noise
        self.scale = float(np.abs(normalised).max()) or 1.0
        self.c = normalised / self.scale
        self.grand = game.grand
        singles = 1 << np.arange(self.n)
        self.start_rows = np.unique(np.concatenate([singles, self.grand ^ singles]))
        self.start_rows = self.start_rows[(self.start_rows != 0) & (self.start_rows != self.grand)]

    def rows(self, masks: np.ndarray) -> np.ndarray:
        return ((masks[:, None] >> np.arange(self.n)) & 1).astype(float)

    def solve(
        self,
        objective: np.ndarray,
        active: np.ndarray,
        *,
        with_t: bool,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Minimise objective·z over the constraints of the module docstring, by constraint generation.

        Returns the solution z = (x, t) or x, the coalitions in the final LP and their duals.
        """
        return _Live(self, active, with_t=with_t).minimise(objective)

    def shares(self, x: np.ndarray) -> np.ndarray:
        """Scaled, normalised cost shares back to the game's euros (cost form)."""
        return x * self.scale + self.offset

    def allocation(self, x: np.ndarray, method: str, note: str = "") -> Allocation:
        return Allocation(method, self.game.players, self.game.sign * self.shares(x), self.game.kind, note)


class _Live:
    """One HiGHS model of a problem's constraints, minimised for one objective or several in turn: the
    coalitions generated for one objective stay for the next (they are constraints of every one), and
    each solve starts from the last basis."""

    def __init__(
        self,
        problem: _Problem,
        active: np.ndarray,
        *,
        with_t: bool,
        epsilon: float = 0.0,
        imputations: bool = False,
    ):
        import highspy

        self.problem, self.active, self.with_t, self.epsilon = problem, active, with_t, epsilon
        n, c = problem.n, problem.c
        self.width = n + 1 if with_t else n
        self.highs = highs = _silent_highs()
        free = np.full(self.width, -highspy.kHighsInf)
        highs.addCols(self.width, np.zeros(self.width), free, -free, 0, _NONE, _NONE, _NO_VALUES)
        grand = np.zeros((1, self.width))  # efficiency; a sequential LP's stages add equalities (restage)
        grand[0, :n] = 1.0
        _add_rows(highs, grand, c[[problem.grand]], c[[problem.grand]])
        if imputations:
            _add_rows(highs, np.eye(n, self.width), np.full(n, -highspy.kHighsInf), c[1 << np.arange(n)])
        self.first_inequality = highs.getNumRow()
        self.in_lp = np.empty(0, np.int64)
        self._add(problem.start_rows[active[problem.start_rows]])

    def _add(self, batch: np.ndarray) -> None:
        import highspy

        a_ub = np.zeros((len(batch), self.width))
        a_ub[:, : self.problem.n] = self.problem.rows(batch)
        if self.with_t:
            a_ub[:, self.problem.n] = 1.0
        upper = self.problem.c[batch] + self.epsilon
        _add_rows(self.highs, a_ub, np.full(len(batch), -highspy.kHighsInf), upper)
        self.in_lp = np.concatenate([self.in_lp, batch])

    def restage(self, fixed: np.ndarray, rhs: np.ndarray, active: np.ndarray) -> None:
        """The next stage of a sequential LP on the same model: the coalitions ``fixed`` (in the LP)
        keep their excess (x(S) = ``rhs``, without t), the coalitions no longer ``active`` that are in
        the LP lose their row's bounds, and the rest stay as they are; the next solve starts from
        this stage's basis."""
        import highspy

        order = np.argsort(self.in_lp)
        fixed_at = order[np.searchsorted(self.in_lp, fixed, sorter=order)]  # their places in the LP
        column_t = self.problem.n
        for r in self.first_inequality + fixed_at:
            self.highs.changeCoeff(int(r), column_t, 0.0)
        dropped = self.active[self.in_lp] & ~active[self.in_lp]  # per coalition in the LP
        dropped[fixed_at] = False
        loose_at = np.flatnonzero(dropped)
        infinite = np.full(len(loose_at), highspy.kHighsInf)
        rows = (self.first_inequality + np.concatenate([fixed_at, loose_at])).astype(np.int32)
        rhs = np.asarray(rhs, dtype=float)
        lower, upper = np.concatenate([rhs, -infinite]), np.concatenate([rhs, infinite])
        self.highs.changeRowsBounds(len(rows), rows, lower, upper)
        self.active = active

    def minimise(self, objective: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The solution z, the coalitions in the LP and their duals (see ``_Problem.solve``)."""
        import highspy

        problem, highs, n = self.problem, self.highs, self.problem.n
        highs.changeColsCost(self.width, np.arange(self.width, dtype=np.int32), objective.astype(float))
        for _ in range(1 << n):
            highs.run()
            status = highs.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal:
                raise GameError(
                    f"the {problem.method} LP failed ({highs.modelStatusToString(status)}) with coalitions "
                    + ", ".join(problem.game.name(int(m)) for m in self.in_lp[:6])
                )
            solution = highs.getSolution()
            z = np.asarray(solution.col_value)
            slack = problem.c + self.epsilon - subset_sums(z[:n]) - (z[n] if self.with_t else 0.0)
            slack[~self.active] = np.inf
            slack[self.in_lp] = np.inf  # already constrained; HiGHS keeps them within its own tolerance
            violated = np.flatnonzero(slack < -LP_TOL)
            if violated.size == 0:
                duals = np.asarray(solution.row_dual)[self.first_inequality :]
                return z, self.in_lp, duals
            self._add(_most_violated(violated, slack[violated]))
        raise GameError(f"the {problem.method} did not converge")  # pragma: no cover - 2^n rounds bound it


_NONE = np.empty(0, dtype=np.int32)
_NO_VALUES = np.empty(0)
_banner_silenced = False


def _silent_highs():
    """A HiGHS instance that prints nothing and runs on one thread.

    highspy writes its banner from C++ when a process makes its first instance, before any option
    can be set; that one write goes to /dev/null here so that ``allocate --format json`` stays
    clean. Later instances print nothing.
    """
    import highspy

    global _banner_silenced
    if _banner_silenced:
        highs = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "wb") as devnull:
                os.dup2(devnull.fileno(), 1)
                highs = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_silenced = True
    highs.silent()
    # one thread: our LPs are small and solved by the serial dual simplex either way, and a run on
    # HiGHS's thread pool costs 0.03-0.1 ms more of waking and joining it (a nucleolus is a dozen runs)
    highs.setOptionValue("threads", 1)
    return highs


def _add_rows(highs, matrix: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
    """Append dense rows to a HiGHS model as a sparse row-wise matrix."""
    rows, cols = np.nonzero(matrix)
    starts = np.searchsorted(rows, np.arange(matrix.shape[0])).astype(np.int32)
    highs.addRows(
        matrix.shape[0],
        np.asarray(lower, dtype=float),
        np.asarray(upper, dtype=float),
        len(rows),
        starts,
        cols.astype(np.int32),
        matrix[rows, cols].astype(float),
    )


def binary_program(cost: np.ndarray, rows: np.ndarray, lower, upper) -> np.ndarray | None:
    """The 0/1 vector x with the least ``cost · x`` and ``lower ≤ rows · x ≤ upper`` (HiGHS's MILP);
    None when no such vector exists. For small choice problems (the staffing plan)."""
    import highspy

    highs = _silent_highs()
    width = len(cost)
    highs.addCols(
        width, np.asarray(cost, dtype=float), np.zeros(width), np.ones(width), 0, _NONE, _NONE, _NO_VALUES
    )
    highs.changeColsIntegrality(
        width, np.arange(width, dtype=np.int32), np.full(width, highspy.HighsVarType.kInteger)
    )
    _add_rows(
        highs, np.asarray(rows, dtype=float), np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    )
    highs.run()
    status = highs.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return None
    if status != highspy.HighsModelStatus.kOptimal:
        raise GameError(f"the binary program failed: {highs.modelStatusToString(status)}")
    return np.asarray(highs.getSolution().col_value) > 0.5


def _most_violated(masks: np.ndarray, slack: np.ndarray) -> np.ndarray:
    """The ``CG_BATCH`` masks of least slack, ties by mask: a partial sort (the violated coalitions of
    a 20-player game can be a million; a full sort of them was most of a nucleolus's time)."""
    if masks.size > CG_BATCH:
        kept = slack <= np.partition(slack, CG_BATCH - 1)[CG_BATCH - 1]
        masks, slack = masks[kept], slack[kept]
    return masks[np.argsort(slack, kind="stable")[:CG_BATCH]]


def _proper_coalitions(n: int) -> np.ndarray:
    active = np.ones(1 << n, dtype=bool)
    active[0] = active[-1] = False
    return active


def least_core(game: Game) -> LeastCore:
    """The least-core ε and one least-core allocation (a vertex of the least core, from HiGHS)."""
    problem = _Problem(game, "least core")
    n = game.n
    if n == 1:
        return LeastCore(0.0, problem.allocation(problem.c[[1]], "least_core"))
    objective = np.zeros(n + 1)
    objective[n] = -1.0
    z, _, _ = problem.solve(objective, _proper_coalitions(n), with_t=True)
    epsilon = float(-z[n] * problem.scale)
    note = f"ε = {epsilon:,.2f}" + (" (the core is empty)" if epsilon > LP_TOL * problem.scale else "")
    return LeastCore(epsilon, problem.allocation(z[:n], "least_core", note))


def _sequential(game: Game, imputations: bool) -> Allocation:
    method = "nucleolus" if imputations else "pre-nucleolus"
    problem = _Problem(game, method)
    n, c = game.n, problem.c
    if imputations and c[1 << np.arange(n)].sum() < c[problem.grand] - LP_TOL:
        alone = (
            "own costs add up to less than the grand coalition's"
            if game.kind == "cost"
            else "worths on their own add up to more than the grand coalition's"
        )
        raise GameError(
            f"the nucleolus needs a non-empty imputation set, but the players' {alone}; use the pre-nucleolus"
        )
    if n == 1:
        return problem.allocation(c[[1]], method)
    active = _proper_coalitions(n)
    fixed_masks: list[int] = []
    fixed_rhs: list[float] = []
    basis = np.ones((n, 1)) / np.sqrt(n)  # orthonormal basis of the span of fixed vectors (and N)
    # a coalition's excess is determined once its incidence vector e_S lies in that span: its distance
    # |S| − Σ_j (b_j·e_S)² is kept per coalition and lowered by each new basis vector b_j, whose
    # products with every e_S are one subset sum, so no 2^n × n incidence matrix is ever built
    distance = popcounts(n) - subset_sums(basis[:, 0]) ** 2
    objective = np.zeros(n + 1)
    objective[n] = -1.0
    # one model for every stage: a stage's binding coalitions become equalities and the coalitions
    # it determines lose their rows, the rest (those generated so far) start the next stage from its
    # basis (a fresh model per stage regenerated them and solved from nothing: twice the time)
    lp = _Live(problem, active.copy(), with_t=True, imputations=imputations)
    for stage in range(n):
        z, in_lp, duals = lp.minimise(objective)
        tight = in_lp[(duals < -DUAL_TOL) & lp.active[in_lp]]
        if tight.size == 0:
            raise GameError(f"the {method} LP has no binding coalition at stage {stage + 1}")
        t = z[n]
        fixed_before = len(fixed_masks)
        for mask in tight:
            vector = problem.rows(np.array([mask]))[0]
            residual = vector - basis @ (basis.T @ vector)
            if np.linalg.norm(residual) > 1e-9:
                fixed_masks.append(int(mask))
                fixed_rhs.append(c[mask] - t)
                basis = np.column_stack([basis, residual / np.linalg.norm(residual)])
                distance -= subset_sums(basis[:, -1]) ** 2
        if basis.shape[1] >= n:
            break
        active &= distance >= 1e-9
        if not active.any():
            break
        lp.restage(
            np.array(fixed_masks[fixed_before:], np.int64), np.array(fixed_rhs[fixed_before:]), active.copy()
        )
    a_eq = np.vstack([np.ones(n), problem.rows(np.array(fixed_masks, np.int64))])
    b_eq = np.concatenate([[c[problem.grand]], fixed_rhs])
    x = np.linalg.lstsq(a_eq, b_eq, rcond=None)[0] if basis.shape[1] >= n else z[:n]
    return problem.allocation(x, method.replace("-", ""))


def nucleolus(game: Game) -> Allocation:
    """The nucleolus: lexicographically best excesses over the imputations (x_i no worse than alone)."""
    return _sequential(game, imputations=True)


def prenucleolus(game: Game) -> Allocation:
    """The pre-nucleolus: as the nucleolus, over all efficient allocations."""
    return _sequential(game, imputations=False)


def fee_range(game: Game, player: str) -> FeeRange:
    """Lowest and highest share of ``player`` over the core (over the least core if it is empty)."""
    return fee_ranges(game, (player,))[0]


def fee_ranges(game: Game, players: Sequence[str]) -> tuple[FeeRange, ...]:
    """:func:`fee_range` of each of ``players``: one least core, and one LP whose generated coalitions
    serve every player's two objectives (16 entrants of a 20-member game: 33 solves, not 48 from
    scratch)."""
    for player in players:
        if player not in game.players:
            raise GameError(f"unknown player {player!r}; the players are {', '.join(game.players)}")
    problem = _Problem(game, "fee range")
    n = game.n
    if n == 1:
        share = float(game.values[1])
        return tuple(FeeRange(p, share, share, False, 0.0) for p in players)
    epsilon = least_core(game).epsilon / problem.scale
    core_empty = epsilon > LP_TOL
    relax = max(epsilon, 0.0)
    lp = _Live(problem, _proper_coalitions(n), with_t=False, epsilon=relax)
    ranges = []
    for player in players:
        i = game.players.index(player)
        objective = np.zeros(n)
        objective[i] = 1.0
        bounds = [problem.shares(lp.minimise(direction * objective)[0])[i] for direction in (1.0, -1.0)]
        low, high = sorted(float(game.sign * b) for b in bounds)
        ranges.append(FeeRange(player, low, high, bool(core_empty), float(relax * problem.scale)))
    return tuple(ranges)


def nearest_core(game: Game, shares) -> Allocation | None:
    """The core allocation nearest to ``shares`` in total euros moved (L1); None if the core is empty."""
    import highspy

    problem = _Problem(game, "nearest core allocation")
    n, c = game.n, problem.c
    s = (game.sign * np.asarray(shares, dtype=float) - problem.offset) / problem.scale
    if n == 1:
        return problem.allocation(c[[1]], "nearest_core")
    if least_core(game).core_empty:
        return None
    inf = highspy.kHighsInf
    highs = _silent_highs()
    objective = np.concatenate([np.zeros(n), np.ones(n)])
    lower = np.concatenate([np.full(n, -inf), np.zeros(n)])
    highs.addCols(2 * n, objective, lower, np.full(2 * n, inf), 0, _NONE, _NONE, _NO_VALUES)
    total = c[[problem.grand]]
    _add_rows(highs, np.concatenate([np.ones((1, n)), np.zeros((1, n))], axis=1), total, total)
    eye = np.eye(n)
    _add_rows(highs, np.hstack([eye, -eye]), np.full(n, -inf), s)  # x − u ≤ s
    _add_rows(highs, np.hstack([-eye, -eye]), np.full(n, -inf), -s)  # −x − u ≤ −s
    active = _proper_coalitions(n)
    in_lp = np.flatnonzero(active)[:0]
    batch = problem.start_rows
    for _ in range(1 << n):
        rows = np.hstack([problem.rows(batch), np.zeros((len(batch), n))])
        _add_rows(highs, rows, np.full(len(batch), -inf), c[batch])
        in_lp = np.concatenate([in_lp, batch])
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise GameError("the nearest core allocation LP failed")
        x = np.asarray(highs.getSolution().col_value)[:n]
        slack = c - subset_sums(x)
        slack[~active] = np.inf
        slack[in_lp] = np.inf
        violated = np.flatnonzero(slack < -LP_TOL)
        if violated.size == 0:
            return problem.allocation(x, "nearest_core")
        batch = _most_violated(violated, slack[violated])
    raise GameError("the nearest core allocation did not converge")  # pragma: no cover - 2^n rounds bound it
