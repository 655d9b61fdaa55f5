"""Provenance of a run: the scenario files with their hashes, versions, git commit and seed."""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path

from ..scenario import Scenario

__all__ = ["DEPENDENCIES", "provenance"]

DEPENDENCIES = (
    "numpy",
    "scipy",
    "highspy",
    "pandas",
    "networkx",
    "matplotlib",
    "pydantic",
    "PyYAML",
    "openpyxl",
    "papermill",
    "nbconvert",
    "ipykernel",
    "typer",
)
PROJECT = Path(__file__).resolve().parent.parent.parent


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _git() -> dict[str, object] | None:
    if not (PROJECT / ".git").exists():
        return None
    try:
        commit = subprocess.run(
            ["git", "-C", str(PROJECT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
        status = subprocess.run(
            ["git", "-C", str(PROJECT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if commit.returncode != 0:
        return None
    return {"commit": commit.stdout.strip(), "uncommitted_changes": bool(status.stdout.strip())}


def provenance(scenario: Scenario, seed: int) -> dict[str, object]:
    """Where a study's numbers came from: files (the scenario first), software, commit and seed."""
    return {
        "files": [
            {"path": shown, "sha256": digest}
            for shown, digest in zip(scenario.files, scenario.digests, strict=True)
        ],
        "verkenning": _version("verkenning"),
        "python": platform.python_version(),
        "dependencies": {name: _version(name) for name in DEPENDENCIES},
        "git": _git(),
        "seed": seed,
    }
