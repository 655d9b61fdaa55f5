"""Shared fixtures: the shipped scenarios are the named examples every test starts from."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
INVALID = Path(__file__).resolve().parent / "invalid"
SHIPPED = sorted(SCENARIOS.glob("*.yaml"))


@pytest.fixture
def write(tmp_path):
    """Write a scenario text into tmp_path (next to a copy of the shipped scenarios) and return its path."""
    for shipped in SHIPPED:
        (tmp_path / shipped.name).write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")

    def _write(text: str, name: str = "study.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture(autouse=True)
def _run_from_the_project_root(monkeypatch):
    """Tests name files as a user would, relative to the project root."""
    monkeypatch.chdir(ROOT)
