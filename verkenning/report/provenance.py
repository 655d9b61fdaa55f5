"""Provenance of a run: the scenario files with their hashes, versions, git commit and seed."""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path

from ..scenario import Scenario

__all__ = ["dependencies", "provenance"]

DISTRIBUTION = "verkenning"


def dependencies() -> dict[str, str | None]:
    """Every runtime requirement of the installed distribution with its installed version.

    Read from the distribution's metadata (``Requires-Dist`` without an extra), so the list is the
    one ``pyproject.toml`` declares, never a hand-kept copy.
    """
    from packaging.requirements import Requirement

    found = {}
    for line in metadata.requires(DISTRIBUTION) or ():
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            found[requirement.name] = _version(requirement.name)
    return dict(sorted(found.items(), key=lambda item: item[0].lower()))


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
            for shown, digest in zip(scenario.recorded_files, scenario.digests, strict=True)
        ],
        "verkenning": _version(DISTRIBUTION),
        "python": platform.python_version(),
        "dependencies": dependencies(),
        "git": _git(),
        "seed": seed,
    }
