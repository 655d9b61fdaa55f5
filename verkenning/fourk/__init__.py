"""The 4 K's and the conditions of the council letter, and the centre's own gain.

``indicators.py`` defines every indicator (per partner and for the cooperation, before and after)
and builds the :class:`Scorecard`; ``verdicts.py`` judges the conditions; ``centre.py`` follows the
centre and the partners along a path of entrants.
"""

from __future__ import annotations

from .centre import growth_path, marginal_effects
from .indicators import (
    FOURK,
    Indicator,
    Roles,
    Scorecard,
    below,
    coverage,
    needed,
    quality,
    role_fte,
    roles,
    scorecard,
    team_fte,
)
from .verdicts import CONDITIONS, BetterOff, Group, KeyStable, Verdict, verdicts, worse_off

__all__ = [
    "CONDITIONS",
    "FOURK",
    "BetterOff",
    "Group",
    "Indicator",
    "KeyStable",
    "Roles",
    "Scorecard",
    "Verdict",
    "below",
    "coverage",
    "growth_path",
    "marginal_effects",
    "needed",
    "quality",
    "role_fte",
    "roles",
    "scorecard",
    "team_fte",
    "verdicts",
    "worse_off",
]
