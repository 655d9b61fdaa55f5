"""Every applicable rule on one game, as one JSON-ready record (``verkenning allocate``).

A rule that cannot be computed for a game (missing coalitions, too many players, an empty
imputation set) is listed under ``skipped`` with the reason, never silently left out; so is one
whose shares are not all finite numbers. :func:`json_safe` makes the record strict JSON.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import GameError
from .game import Allocation
from .io import GameFile
from .lp import fee_range, least_core, nucleolus, prenucleolus
from .rules import check_core, equal_split, properties, proportional, scrb
from .shapley import shapley, shapley_sampled

__all__ = ["METHODS", "format_table", "json_safe", "summarise"]

METHODS = (
    "shapley",
    "nucleolus",
    "prenucleolus",
    "least_core",
    "scrb",
    "equal_split",
    "proportional",
    "shapley_sampled",
)
"""Every rule ``allocate`` knows; all but ``shapley_sampled`` run by default."""
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


def summarise(
    game_file: GameFile,
    methods: Sequence[str] = (),
    fee_players: Sequence[str] = (),
    samples: int = 2000,
    seed: int = 0,
) -> dict[str, Any]:
    """Allocations under each rule, the core status, properties and fee ranges of one game."""
    game = game_file.game
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        raise GameError(f"unknown method {unknown[0]!r}; choose from {', '.join(METHODS)}")
    chosen = list(methods) or [m for m in METHODS if m != "shapley_sampled"]
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
                lc = least_core(game)
                allocations[method], epsilon = lc.allocation, lc.epsilon
            elif method == "shapley_sampled":
                allocations[method] = shapley_sampled(game, samples=samples, seed=seed)
            else:
                rule = {
                    "shapley": shapley,
                    "nucleolus": nucleolus,
                    "prenucleolus": prenucleolus,
                    "scrb": scrb,
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
            check = check_core(game, allocation)
            violations[name] = [
                {"coalition": "+".join(v.coalition), "amount": v.amount}
                for v in check.violations[:SHOWN_VIOLATIONS]
            ]
    fees = {}
    for player in fee_players:
        fee = fee_range(game, player)
        fees[player] = {"low": fee.low, "high": fee.high, "core_empty": fee.core_empty}
    return {
        "players": list(game.players),
        "kind": game.kind,
        "allocations": {name: a.as_dict() for name, a in allocations.items()},
        "notes": {name: a.note for name, a in allocations.items() if a.note},
        "core": {
            "empty": None if epsilon is None else bool(epsilon > 0),
            "least_core_epsilon": epsilon,
        },
        "core_violations": violations,
        "standalone": dict(zip(game.players, map(float, game.standalone()), strict=True)),
        "fee_range": fees,
        "properties": properties(game),
        "skipped": skipped,
    }


def format_table(summary: dict[str, Any]) -> str:
    """The summary as a plain-text table: players down, rules across, then core and skipped rules."""
    methods = list(summary["allocations"])
    columns = ["alone", *methods]
    widths = [max(12, len(c) + 2) for c in columns]
    first = max(8, *(len(p) + 2 for p in summary["players"]))

    def row(label: str, cells: list[str]) -> str:
        return f"{label:<{first}}" + "".join(f"{cell:>{w}}" for cell, w in zip(cells, widths, strict=True))

    header = row("player", columns)
    lines = [header, "-" * len(header)]
    for p in summary["players"]:
        shares = [summary["standalone"][p], *(summary["allocations"][m][p] for m in methods)]
        lines.append(row(p, [f"{x:,.2f}" for x in shares]))
    totals = ["", *(f"{sum(summary['allocations'][m].values()):,.2f}" for m in methods)]
    lines += ["-" * len(header), row("total", totals), ""]
    core = summary["core"]
    if core["empty"] is not None:
        state = "empty" if core["empty"] else "non-empty"
        lines.append(f"core: {state} (least-core epsilon {core['least_core_epsilon']:,.4f})")
    for method, found in summary["core_violations"].items():
        if found:
            worst = ", ".join(f"{v['coalition']} (+{v['amount']:,.2f})" for v in found[:3])
            lines.append(f"{method}: not in the core; better off alone: {worst}")
    for player, fee in summary["fee_range"].items():
        over = "least core" if fee["core_empty"] else "core"
        lines.append(f"fee range {player}: {fee['low']:,.2f} – {fee['high']:,.2f} (over the {over})")
    for method, reason in summary["skipped"].items():
        lines.append(f"skipped {method}: {reason}")
    return "\n".join(lines)
