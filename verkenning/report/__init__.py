"""Rendered studies: notebooks run by papermill into Dutch HTML reports, with results beside them.

``report.py`` wraps one study (``verkenning.study``) and writes its results; ``sections.py`` (what
the study is about) and ``findings.py`` (what it judges and explores) render its sections as escaped
HTML, with the Dutch words of ``labels.py`` (labels, and the sentences made from the verdicts'
facts); ``compare.py`` sets scenarios side by side; ``run.py``
executes a notebook into a new run folder and keeps the index of runs; ``html.py`` holds the
formats and the page shell; ``provenance.py`` records where the numbers came from.

Names are imported on first use, as in the package itself: ``verkenning run`` needs ``run.py`` and
never the study, pandas or matplotlib in its own process (the notebook's kernel loads those).
"""

from __future__ import annotations

import importlib
from typing import Any

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

_HOME = {
    "Comparison": "compare",
    "Report": "report",
    **dict.fromkeys(
        ("NOTEBOOKS", "RunError", "RunInterrupted", "RunResult", "build_index", "run_study", "slug"), "run"
    ),
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'verkenning.report' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
