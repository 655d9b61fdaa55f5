"""Reading games from a mapping ``{"A": 10, "A+B": 18}``, a JSON file or a CSV file.

A coalition is named by its players joined by ``+``, in any order, with spaces around names
ignored. JSON: ``{"players": [...], "kind": "cost" | "value", "values": {...}, "weights": {key:
{player: weight}}}`` (``weights`` optional: proportional keys to compute). CSV: an optional first
line ``# kind: cost`` (or ``value``), a header ``coalition,value`` and one row per coalition; the
players are those named, in order of first appearance.

The kind must be stated, in the file or by the caller (``verkenning allocate --kind``): peers read a
bare vector as a value game and we read costs, so a guess either way turns a game inside out. Every
problem is a :class:`GameError` saying what to fix.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..errors import GameError
from ..files import Unreadable, read_input
from .game import EXACT_MAX_PLAYERS, Game

__all__ = ["KINDS", "GameFile", "game_from_mapping", "read_game", "read_split"]

KINDS = {
    "cost": "the values are what each coalition pays on its own; shares are what each player pays",
    "value": "the values are what each coalition earns on its own; shares are what each player receives",
}
"""The two kinds of game, in the words every message about ``kind`` uses."""


def _kind(path: Path, stated: object, given: str | None, where: str) -> str:
    """The game's kind from the file (``stated``) and the caller (``given``), which must agree."""
    choices = "; ".join(f'"{k}": {meaning}' for k, meaning in KINDS.items())
    if stated is None and given is None:
        raise GameError(f"{path}: say which kind of game this is, {where} — {choices}")
    for kind in (stated, given):
        if kind is not None and (not isinstance(kind, str) or kind not in KINDS):
            raise GameError(f'{path}: the kind must be "cost" or "value", got {kind!r} — {choices}')
    if stated is not None and given is not None and stated != given:
        raise GameError(f"{path}: the file says kind {stated!r} and --kind says {given!r}; drop one")
    return str(stated if stated is not None else given)


def _number(coalition: str, raw: object) -> float:
    if isinstance(raw, bool) or (isinstance(raw, str) and not raw.strip()):
        raise GameError(f"coalition {coalition!r}: the value must be a number, got {raw!r}")
    try:
        value = float(raw)  # type: ignore[arg-type]
    except OverflowError:  # an integer with hundreds of digits
        raise GameError(f"coalition {coalition!r}: the value is too large for a number") from None
    except (TypeError, ValueError):
        raise GameError(f"coalition {coalition!r}: the value must be a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise GameError(f"coalition {coalition!r}: the value must be finite, got {raw!r}")
    return value


def _in_mask_order(players: Sequence[str], values: Mapping[str, object]) -> np.ndarray | None:
    """The values of a file that lists every coalition by its players' names in the players' order,
    coalitions in the order of their bit masks ("A", "B", "A+B", "C", "A+C", ...: as a game is
    written out), or None for the careful reading, which says what is wrong where anything differs.

    Comparing the names with that listing is one comparison of two lists: a 16-player file reads in
    a tenth of the time it takes to take each name apart.
    """
    if len(values) != (1 << len(players)) - 1:
        return None
    names = [""]
    for player in players:  # the names of masks below 2^(i+1): those below 2^i, then each with player i
        names += [f"{name}+{player}" if name else player for name in names]
    raw = list(values.values())
    if list(values) != names[1:] or not set(map(type, raw)) <= {float, int}:
        return None
    try:
        numbers = np.array(raw, dtype=float)
    except OverflowError:  # an integer of hundreds of digits
        return None
    return numbers if np.isfinite(numbers).all() else None


def game_from_mapping(players: Sequence[str], values: Mapping[str, object], kind: str = "cost") -> Game:
    """A game from coalition names to values; coalitions not given are missing (NaN)."""
    players = tuple(str(p).strip() for p in players)
    if len(players) > EXACT_MAX_PLAYERS:
        raise GameError(
            f"{len(players)} players is too many to list every coalition (at most {EXACT_MAX_PLAYERS}); "
            "use the sampled Shapley value on a cost function"
        )
    if any(not p or "+" in p for p in players):
        raise GameError("player names must be non-empty and must not contain '+'")
    bit = {p: 1 << i for i, p in enumerate(players)}
    if len(bit) != len(players):
        raise GameError(f"player names must be unique: {', '.join(players)}")
    table = np.full(1 << len(players), np.nan)
    table[0] = 0.0
    listed = _in_mask_order(players, values)
    if listed is not None:
        table[1:] = listed
        return Game(players, table, kind)  # type: ignore[arg-type]
    seen: dict[int, str] = {}
    numbers: list[float] = []
    for name, raw in values.items():
        name = str(name)
        parts = name.split("+")
        try:  # a sum of the bits (a player named twice carries, and the count below finds it)
            mask = sum(map(bit.__getitem__, parts))
        except KeyError:
            try:
                mask = sum(bit[member.strip()] for member in parts)
            except KeyError as missing:
                raise GameError(
                    f"coalition {name!r}: unknown player {missing.args[0]!r}; "
                    f"the players are {', '.join(players)}"
                ) from None
        if mask.bit_count() != len(parts):
            raise GameError(f"coalition {name!r} names a player twice")
        if mask in seen:
            raise GameError(f"coalition {name!r} is given twice (also as {seen[mask]!r})")
        seen[mask] = name
        numbers.append(raw if type(raw) is float else _number(name, raw))
    given = np.fromiter(seen, dtype=np.int64, count=len(seen))
    table[given] = numbers  # at once: one numpy assignment per coalition was most of a 16-player read
    infinite = given[~np.isfinite(table[given])]
    if infinite.size:
        mask = int(infinite[0])
        raise GameError(f"coalition {seen[mask]!r}: the value must be finite, got {table[mask]}")
    return Game(players, table, kind)  # type: ignore[arg-type]


class GameFile:
    """A game read from a file, with the proportional keys it asks for."""

    def __init__(self, game: Game, weights: Mapping[str, Mapping[str, float]]):
        self.game = game
        self.weights = dict(weights)


def _read_json(path: Path, text: str, kind: str | None) -> GameFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise GameError(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from None
    except RecursionError:
        raise GameError(f"{path}: the JSON is nested too deeply to be a game — check the file") from None
    except ValueError:  # Python refuses integers of thousands of digits
        raise GameError(
            f"{path}: a number has thousands of digits — write the values as ordinary numbers"
        ) from None
    if not isinstance(data, dict):
        raise GameError(f"{path}: expected an object with players, kind and values")
    unknown = sorted(set(data) - {"players", "kind", "values", "weights"})
    if unknown:
        raise GameError(f"{path}: unknown key {unknown[0]!r}; allowed: players, kind, values, weights")
    players, values = data.get("players"), data.get("values")
    if not isinstance(players, list) or not all(isinstance(p, str) for p in players):
        raise GameError(f"{path}: 'players' must be a list of names")
    if not isinstance(values, dict):
        raise GameError(f"{path}: 'values' must map coalition names such as \"A+B\" to numbers")
    kind = _kind(path, data.get("kind"), kind, 'with "kind": "cost" or "kind": "value"')
    weights = data.get("weights", {})
    if not isinstance(weights, dict) or not all(isinstance(w, dict) for w in weights.values()):
        raise GameError(f"{path}: 'weights' must map a key name to {{player: weight}}")
    for key, weight in weights.items():
        for player, raw in weight.items():
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise GameError(f"{path}: weights {key!r}, player {player!r}: must be a number, got {raw!r}")
    try:
        game = game_from_mapping(players, values, kind)
    except GameError as error:
        raise GameError(f"{path}: {error}") from None
    return GameFile(game, weights)


KIND_LINE = "# kind:"
"""A CSV game may start with ``# kind: cost`` or ``# kind: value``."""


def _read_csv(path: Path, text: str, kind: str | None) -> GameFile:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as error:
        raise GameError(f"{path}:{reader.line_num}: not a usable CSV row: {error}") from None
    stated, first = None, 1
    if rows and rows[0] and rows[0][0].strip().lower().startswith(KIND_LINE):
        stated = ",".join(rows[0]).strip()[len(KIND_LINE) :].strip().lower()
        first = 2
    header = rows[first - 1] if len(rows) >= first else []
    if [h.strip().lower() for h in header] != ["coalition", "value"]:
        raise GameError(
            f"{path}:{first}: the {'line after the kind' if first == 2 else 'first line'} must be the "
            "header 'coalition,value'"
        )
    kind = _kind(path, stated, kind, "with a first line '# kind: cost' or '# kind: value', or --kind")
    players: dict[str, None] = {}
    values: dict[str, str] = {}
    for line, row in enumerate(rows[first:], start=first + 1):
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            raise GameError(f"{path}:{line}: expected 'coalition,value', got {len(row)} fields")
        name = row[0].strip()
        if name in values:
            raise GameError(f"{path}:{line}: coalition {name!r} is given twice")
        for member in name.split("+"):
            players.setdefault(member.strip(), None)
        values[name] = row[1].strip()
    try:
        return GameFile(game_from_mapping(list(players), values, kind), {})
    except GameError as error:
        raise GameError(f"{path}: {error}") from None


MAX_GAME_BYTES = 200_000_000
"""Every coalition of the largest exact game (2^20) at ~100 bytes a line fits well within this."""


def _text(path: Path) -> str:
    """The file as text: UTF-8, with or without the byte-order mark Excel writes."""
    try:
        return read_input(path, MAX_GAME_BYTES).decode("utf-8-sig")
    except Unreadable as error:
        raise GameError(f"{path}: {error}") from None
    except UnicodeDecodeError as error:
        raise GameError(f"{path}: not valid UTF-8 (byte {error.start}); save the file as UTF-8") from None


def read_game(path: str | Path, kind: str | None = None) -> GameFile:
    """Read a game file (``.json`` or ``.csv``; UTF-8, with or without the byte-order mark Excel writes).

    ``kind`` is the caller's word on the kind of game; a file that states its own must agree with it.
    """
    path = Path(path)
    text = _text(path)
    if path.suffix.lower() == ".csv":
        return _read_csv(path, text, kind)
    return _read_json(path, text, kind)


def read_split(path: str | Path, game: Game) -> np.ndarray:
    """A proposed allocation of ``game`` from JSON ``{player: share}`` or CSV ``player,share`` rows."""
    path = Path(path)
    text = _text(path)
    shape = "an object {player: share}" if path.suffix.lower() != ".csv" else "rows 'player,share'"
    if path.suffix.lower() == ".csv":
        try:
            rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
        except csv.Error as error:
            raise GameError(f"{path}: not a usable CSV file: {error}") from None
        if rows and [c.strip().lower() for c in rows[0]] == ["player", "share"]:
            rows = rows[1:]
        if any(len(r) != 2 for r in rows):
            raise GameError(f"{path}: expected {shape}, one player per line")
        data: object = {r[0].strip(): r[1].strip() for r in rows}
    else:
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError, ValueError) as error:
            raise GameError(f"{path}: not valid JSON ({error}); expected {shape}") from None
    if not isinstance(data, dict):
        raise GameError(f"{path}: expected {shape}")
    unknown = sorted(set(data) - set(game.players))
    absent = [p for p in game.players if p not in data]
    if unknown or absent:
        raise GameError(
            f"{path}: the split must give one share per player of the game ({', '.join(game.players)})"
            + (f"; unknown: {', '.join(map(str, unknown))}" if unknown else "")
            + (f"; missing: {', '.join(absent)}" if absent else "")
        )
    try:
        return np.array([_number(p, data[p]) for p in game.players])
    except GameError as error:
        raise GameError(f"{path}: {str(error).replace('coalition', 'player', 1)}") from None
