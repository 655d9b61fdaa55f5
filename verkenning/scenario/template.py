"""``verkenning new``: a short, commented entrant study on top of a base scenario.

The entrant's figures come from the embedded organisation library with their pedigree; the
comments tell the analyst which figures are assumptions to replace. The written file is loaded and
validated before the command reports success, and an existing file is never overwritten silently.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import Problem, ScenarioError
from . import load_organisations, load_scenario
from .figures import Figure
from .reader import display

__all__ = ["entrant_study_text", "write_entrant_study"]

_FIGURES = ("inhabitants", "fte", "workstations", "applications")


def _figure(value: Figure) -> str:
    number = f"{value.value:g}"
    if value.source:
        return f"{{value: {number}, source: {json.dumps(value.source, ensure_ascii=False)}}}"
    if value.assumption:
        return f"{{value: {number}, assumption: {json.dumps(value.assumption, ensure_ascii=False)}}}"
    return number


def entrant_study_text(entrant: str, base: Path, target: Path, joins: int | None = None) -> str:
    """The YAML text of an entrant study for ``entrant`` on top of ``base``, to be saved as ``target``."""
    library = load_organisations()
    base_scenario = load_scenario(base)
    if entrant not in library:
        raise ScenarioError(
            target,
            [
                Problem(
                    display(target),
                    0,
                    0,
                    "--entrant",
                    f"unknown organisation {entrant!r}",
                    f"use one of: {', '.join(sorted(library))}",
                )
            ],
        )
    if entrant in {p.id for p in base_scenario.partners}:
        raise ScenarioError(
            target,
            [
                Problem(
                    display(base),
                    0,
                    0,
                    "--entrant",
                    f"{entrant!r} is already a partner in this base",
                    "pick another organisation or another base scenario",
                )
            ],
        )
    org = library[entrant]
    year = joins if joins is not None else base_scenario.base_year + 1
    relative = Path(os.path.relpath(base.resolve(), target.resolve().parent)).as_posix()
    question = f"Levert toetreding van {org.name} elke deelnemer voordeel op, en tegen welke bijdrage?"
    quoted = lambda text: json.dumps(text, ensure_ascii=False)  # noqa: E731 (valid YAML, escaped)
    lines = [
        f"# Vraag: levert toetreding van {org.name} tot de samenwerking elke deelnemer voordeel op,",
        "# en tegen welke bijdrage?",
        "#",
        f"# Entrant study written by `verkenning new`: {org.name} joins in {year}, on top of",
        f"# {display(base)}. Figures marked `assumption:` are defaults from the embedded library",
        "# (verkenning/data/organisations.yaml): replace them with the entrant's own figures and say",
        "# where each comes from with `source:`. Check the file with `verkenning check`.",
        f"extends: {quoted(relative)}",
        f"name: {quoted('Toetreding ' + org.name)}",
        f"question: {quoted(question)}",
        "",
        "partners:",
        f"  - id: {org.id}",
        f"    name: {quoted(org.name)}",
        f"    kind: {org.kind}",
    ]
    for field in _FIGURES:
        value = getattr(org, field)
        note = "  # ASSUMPTION: replace with the entrant's own figure" if value.assumption else ""
        lines.append(f"    {field}: {_figure(value)}{note}")
    lines += [
        "    services: [basis]  # service ids or packages (basis, plus, im)",
        f"    joins: {year}  # the year of entry",
        "    # standalone_annual_cost_eur: 0  # observed annual cost of these services, if known",
    ]
    return "\n".join(lines) + "\n"


def write_entrant_study(
    target: Path, entrant: str, base: Path, joins: int | None = None, overwrite: bool = False
) -> None:
    """Write the entrant study to ``target`` (atomically), then validate it."""
    if target.exists() and not overwrite:
        raise ScenarioError(
            target,
            [
                Problem(
                    display(target),
                    0,
                    0,
                    "",
                    "the file exists already",
                    "choose another name, or pass --force to overwrite it",
                )
            ],
        )
    text = entrant_study_text(entrant, base, target, joins)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    try:
        load_scenario(temporary)
    except ScenarioError:
        temporary.unlink()
        raise
    os.replace(temporary, target)
