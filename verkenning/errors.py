"""The errors verkenning raises for bad input, each able to say what to do about it.

A :class:`ScenarioError` carries every :class:`Problem` found in a scenario file, not just the first,
so that ``verkenning check`` can list them all. The command line prints ``str(error)`` and exits
with code 2; no traceback reaches the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["Failed", "GameError", "Problem", "ScenarioError", "VerkenningError"]


class VerkenningError(Exception):
    """Base class of the errors that the command line reports as bad input (exit code 2)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where it is, what is wrong and what to do.

    ``line`` and ``column`` are 1-based; 0 means unknown (for example a file that cannot be read).
    ``location`` is the field path in the merged scenario, e.g. ``partners[2].inhabitants``.
    """

    file: str
    line: int
    column: int
    location: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = self.file if self.line == 0 else f"{self.file}:{self.line}:{self.column}"
        text = f"{where}: {self.location}: {self.message}" if self.location else f"{where}: {self.message}"
        return f"{text} — {self.fix}" if self.fix else text


class ScenarioError(VerkenningError):
    """A scenario file (or a file it extends) is invalid; ``problems`` lists every finding."""

    def __init__(self, path: str | Path, problems: list[Problem]):
        self.path = str(path)
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class GameError(VerkenningError):
    """A cooperative game is malformed, or a solution concept cannot be computed for it."""


class Failed(Exception):
    """A computation that failed for a reason other than bad input (the command line exits with 1)."""
