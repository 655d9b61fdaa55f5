"""Rendered studies: notebooks run by papermill into Dutch HTML reports, with results beside them.

``report.py`` wraps one study (``verkenning.study``) and writes its results; ``sections.py`` (what
the study is about) and ``findings.py`` (what it judges and explores) render its sections as escaped
HTML, with the Dutch words of ``labels.py`` (labels, and the sentences made from the verdicts'
facts); ``compare.py`` sets scenarios side by side; ``run.py``
executes a notebook into a new run folder and keeps the index of runs; ``html.py`` holds the
formats and the page shell; ``provenance.py`` records where the numbers came from.
"""

from __future__ import annotations

from .compare import Comparison
from .report import Report
from .run import NOTEBOOKS, RunError, RunInterrupted, RunResult, build_index, run_study, slug

__all__ = [
    "NOTEBOOKS",
    "Comparison",
    "Report",
    "RunError",
    "RunInterrupted",
    "RunResult",
    "build_index",
    "run_study",
    "slug",
]
