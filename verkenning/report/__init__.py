"""Rendered studies: notebooks run by papermill into Dutch HTML reports, with results beside them.

``study.py`` computes a study once and writes its results; ``sections.py`` (what the study is
about) and ``findings.py`` (what it judges and explores) render its sections as escaped HTML, with
the Dutch labels of ``labels.py``; ``compare.py`` sets scenarios side by side; ``run.py``
executes a notebook into a new run folder and keeps the index of runs; ``html.py`` holds the
formats and the page shell; ``provenance.py`` records where the numbers came from.
"""

from __future__ import annotations

from .compare import Comparison
from .run import NOTEBOOKS, RunError, RunResult, build_index, run_study, slug
from .study import Study

__all__ = ["NOTEBOOKS", "Comparison", "RunError", "RunResult", "Study", "build_index", "run_study", "slug"]
