"""Every applicable rule on one game, as one JSON-ready record (``verkenning allocate``).

A rule that cannot be computed for a game (missing coalitions, too many players, an empty
imputation set) is listed under ``skipped`` with the reason, never silently left out; so is one
whose shares are not all finite numbers. :func:`json_safe` makes the record strict JSON.

Amounts are rounded to the engine's tolerance (:func:`~verkenning.games.tolerance`): digits below
what the core check can tell apart are noise, so 9.499999999999996 is shown as 9.5 and −0.0 as 0.
The least core is a set; its ε is in ``core`` and its point, when asked for (``least_core``), is the
pre-nucleolus, the least core's lexicographic centre, not whichever corner a solver ends on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import GameError
from .game import Allocation, Game, whole_units
from .io import GameFile
from .lp import fee_range, least_core, nucleolus, prenucleolus
from .rules import check_core, equal_split, properties, proportional, scrb, tau, tolerance
from .shapley import shapley, shapley_sampled

__all__ = ["METHODS", "format_table", "json_safe", "summarise"]

METHODS = (
    "shapley",
    "nucleolus",
    "prenucleolus",
    "scrb",
    "tau",
    "equal_split",
    "proportional",
    "least_core",
    "shapley_sampled",
)
"""Every rule ``allocate`` knows; all but ``least_core`` (the pre-nucleolus again) and
``shapley_sampled`` (an estimate of the exact value) run by default."""
ON_REQUEST = ("least_core", "shapley_sampled")
SHOWN_VIOLATIONS = 10


def json_safe(value: Any) -> Any:
    """``value`` with every float that is not finite replaced by ``None``: strict JSON, no NaN."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def _digits(tol: float) -> int:
    """Decimals that the engine's tolerance ``tol`` can tell apart (0 to 12)."""
    return int(min(12, max(0, -math.floor(math.log10(tol))))) if tol > 0 else 12


def _rounded(value: Any, digits: int) -> Any:
    """``value`` with every float rounded to ``digits`` decimals and −0.0 made 0.0."""
    if isinstance(value, float):
        return round(value, digits) + 0.0 if math.isfinite(value) else value
    if isinstance(value, dict):
        return {k: _rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v, digits) for v in value]
    return value


def _adding_up(allocation: Allocation, digits: int) -> dict[str, float]:
    """The shares rounded to ``digits`` decimals so that they still add up to their rounded total."""
    scale = 10.0**digits
    total = round(float(allocation.shares.sum()) * scale)
    units = whole_units(allocation.shares * scale, total)
    return {p: float(u) / scale + 0.0 for p, u in zip(allocation.players, units, strict=True)}


def _violations(game: Game, shares: Any, limit: int | None) -> list[dict[str, Any]]:
    check = check_core(game, shares)
    found = check.worst(limit)
    return [{"coalition": "+".join(v.coalition), "amount": v.amount} for v in found]


def summarise(
    game_file: GameFile,
    methods: Sequence[str] = (),
    fee_players: Sequence[str] = (),
    samples: int = 2000,
    seed: int = 0,
    split: Sequence[float] | None = None,
) -> dict[str, Any]:
    """Allocations under each rule, the core status, properties and fee ranges of one game.

    ``split``: a proposed allocation (one share per player) to check against the core: every group
    it leaves worse off than on its own, worst first.
    """
    game = game_file.game
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        raise GameError(f"unknown method {unknown[0]!r}; choose from {', '.join(METHODS)}")
    chosen = list(dict.fromkeys(methods)) or [m for m in METHODS if m not in ON_REQUEST]
    allocations: dict[str, Allocation] = {}
    skipped: dict[str, str] = {}
    epsilon: float | None = None
    for method in chosen:
        try:
            if method == "proportional":
                if not game_file.weights:
                    skipped[method] = "the game file gives no weights"
                for key, weights in game_file.weights.items():
                    allocations[f"proportional:{key}"] = proportional(game, weights, key)
            elif method == "least_core":
                epsilon = least_core(game).epsilon
                centre = prenucleolus(game)
                allocations[method] = Allocation(
                    method,
                    game.players,
                    centre.shares,
                    game.kind,
                    f"the pre-nucleolus, the least core's centre (ε = {epsilon:,.2f}); "
                    "the least core may hold other points",
                )
            elif method == "shapley_sampled":
                allocations[method] = shapley_sampled(game, samples=samples, seed=seed)
            else:
                rule = {
                    "shapley": shapley,
                    "nucleolus": nucleolus,
                    "prenucleolus": prenucleolus,
                    "scrb": scrb,
                    "tau": tau,
                    "equal_split": equal_split,
                }[method]
                allocations[method] = rule(game)
        except GameError as error:
            skipped[method] = str(error)
    for name, allocation in list(allocations.items()):
        if not np.isfinite(allocation.shares).all():
            del allocations[name]
            skipped[name] = (
                "the rule gave a share that is not a finite number (a coalition it needs is missing)"
            )
    if epsilon is None and "least_core" not in skipped:
        try:
            epsilon = least_core(game).epsilon
        except GameError as error:
            skipped.setdefault("core", str(error))
    complete = game.missing().size == 0
    violations = {}
    for name, allocation in allocations.items():
        if complete:
            violations[name] = _violations(game, allocation, SHOWN_VIOLATIONS)
    fees = {}
    for player in fee_players:
        fee = fee_range(game, player)
        fees[player] = {"low": fee.low, "high": fee.high, "core_empty": fee.core_empty}
    proposed = None
    if split is not None:
        game.require_complete("checking a split against the core")
        shares = np.asarray(split, dtype=float)
        gap = check_core(game, shares).efficiency_gap
        proposed = {
            "shares": dict(zip(game.players, map(float, shares), strict=True)),
            "total_gap": gap,
            "worse_off": _violations(game, shares, None),
        }
        proposed["in_core"] = gap == 0.0 and not proposed["worse_off"]
    limit = float(tolerance(game.cost_form))  # the one policy; missing coalitions count as zero there
    digits = _digits(limit)
    summary = {
        "players": list(game.players),
        "kind": game.kind,
        "allocations": {name: _adding_up(a, digits) for name, a in allocations.items()},
        "notes": {name: a.note for name, a in allocations.items() if a.note},
        "core": {
            "empty": None if epsilon is None else bool(epsilon > limit),
            "least_core_epsilon": epsilon,
        },
        "core_violations": violations,
        "standalone": dict(zip(game.players, map(float, game.standalone()), strict=True)),
        "fee_range": fees,
        "properties": properties(game),
        "skipped": skipped,
    }
    if proposed is not None:
        summary["split"] = proposed
    return _rounded(summary, digits)


def _amount(x: float) -> str:
    return f"{x:,.2f}".replace("-0.00", "0.00")


def format_table(summary: dict[str, Any]) -> str:
    """The summary as a plain-text table: players down, rules across, then core, split and skipped."""
    methods = list(summary["allocations"])
    columns = ["alone", *methods]
    cells = {
        p: [_amount(summary["standalone"][p]), *(_amount(summary["allocations"][m][p]) for m in methods)]
        for p in summary["players"]
    }
    totals = ["", *(_amount(sum(summary["allocations"][m].values())) for m in methods)]
    widths = [
        2 + max(len(c), len(totals[k]), *(len(cells[p][k]) for p in cells)) for k, c in enumerate(columns)
    ]
    first = max(8, *(len(p) + 2 for p in summary["players"]))

    def row(label: str, entries: list[str]) -> str:
        return f"{label:<{first}}" + "".join(f"{e:>{w}}" for e, w in zip(entries, widths, strict=True))

    header = row("player", columns)
    lines = [header, "-" * len(header), *(row(p, cells[p]) for p in summary["players"])]
    lines += ["-" * len(header), row("total", totals), ""]
    pays = "pays" if summary["kind"] == "cost" else "gets"
    lines.append(f"kind: {summary['kind']} (a share is what a player {pays})")
    core = summary["core"]
    if core["empty"] is not None:
        state = "empty" if core["empty"] else "non-empty"
        lines.append(f"core: {state} (least-core ε {_amount(core['least_core_epsilon'])})")
    for method, note in summary["notes"].items():
        lines.append(f"{method}: {note}")
    for method, found in summary["core_violations"].items():
        if found:
            worst = ", ".join(f"{v['coalition']} (+{_amount(v['amount'])})" for v in found[:3])
            lines.append(f"{method}: not in the core; better off alone: {worst}")
    for player, fee in summary["fee_range"].items():
        over = "least core" if fee["core_empty"] else "core"
        lines.append(f"fee range {player}: {_amount(fee['low'])} – {_amount(fee['high'])} (over the {over})")
    split = summary.get("split")
    if split is not None:
        if split["in_core"]:
            lines.append("split: in the core (adds up, and no group is better off on its own)")
        else:
            if split["total_gap"]:
                gap = split["total_gap"]
                lines.append(
                    f"split: the shares differ from the grand coalition's {summary['kind']} by {gap:+,.2f}"
                )
            if split["worse_off"]:
                lines.append(
                    f"split: {len(split['worse_off'])} group(s) better off on their own, worst first:"
                )
                width = max(len(v["coalition"]) for v in split["worse_off"])
                lines += [f"  {v['coalition']:<{width}}  +{_amount(v['amount'])}" for v in split["worse_off"]]
    for method, reason in summary["skipped"].items():
        lines.append(f"skipped {method}: {reason}")
    return "\n".join(lines)
