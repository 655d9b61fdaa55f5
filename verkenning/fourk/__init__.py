"""The 4 K's and the conditions of the council letter, and the centre's own gain.

``indicators.py`` defines every indicator (per partner and for the cooperation, before and after)
and builds the :class:`Scorecard`; ``verdicts.py`` judges the conditions; ``centre.py`` follows the
centre and the partners along a path of entrants.
"""

from __future__ import annotations

from .centre import growth_path, marginal_effects
from .indicators import FOURK, Indicator, Scorecard, role_fte, scorecard
from .verdicts import CONDITIONS, Verdict, verdicts

__all__ = [
    "CONDITIONS",
    "FOURK",
    "Indicator",
    "Scorecard",
    "Verdict",
    "growth_path",
    "marginal_effects",
    "role_fte",
    "scorecard",
    "verdicts",
]
