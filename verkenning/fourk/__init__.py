"""The 4 K's and the conditions of the council letter, and the centre's own gain.

``indicators.py`` defines every indicator (per partner and for the cooperation, before and after)
and builds the :class:`Scorecard`; ``verdicts.py`` judges the conditions; ``checklist.py`` the legal
and fiscal checks of each entry; ``centre.py`` follows the centre and the partners along a path of
entrants.
"""

from __future__ import annotations

from .centre import growth_path, marginal_effects
from .checklist import CHECKS, Check, checklist
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
    "CHECKS",
    "CONDITIONS",
    "FOURK",
    "BetterOff",
    "Check",
    "Group",
    "Indicator",
    "KeyStable",
    "Roles",
    "Scorecard",
    "Verdict",
    "below",
    "checklist",
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
