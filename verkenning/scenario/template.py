"""``verkenning new``: a short, commented entrant study on top of a base scenario.

The entrant is an organisation of the embedded library (its figures with their pedigree), or any
organisation described on the command line (:func:`described`): what is given is marked as given,
and what is not is derived by the library's own rules, each marked as an assumption with its
reasoning (the rules of ``verkenning/data/organisations.yaml``, from FACTS §1.2):

- fte = inhabitants / 1,000 × 7.0 (the median of comparable municipalities, BBV range 5.6–11);
  an organisation without inhabitants has no such rule, so its fte must be given;
- workstations = 1.2 × fte, rounded to 10 (part-time work plus hired staff);
- applications = 0.3 × workstations, rounded.

The comments tell the analyst which figures are assumptions to replace. The written file is loaded
and validated before the command reports success, and an existing file is never overwritten silently.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path

from ..errors import Problem, ScenarioError
from . import load_organisations, load_scenario, write_validated
from .figures import Figure
from .reader import display
from .schema import Partner

__all__ = ["described", "entrant_study_text", "library_lines", "write_entrant_study"]

_FIGURES = ("inhabitants", "fte", "workstations", "applications")
FTE_PER_1000_INHABITANTS = 7.0
WORKSTATIONS_PER_FTE = 1.2
APPLICATIONS_PER_WORKSTATION = 0.3
GIVEN = "opgegeven bij `verkenning new`; vervang dit door de bron van het getal (source:)"


def _figure(value: Figure) -> str:
    number = f"{value.value:g}"
    if value.source:
        return f"{{value: {number}, source: {json.dumps(value.source, ensure_ascii=False)}}}"
    if value.assumption:
        return f"{{value: {number}, assumption: {json.dumps(value.assumption, ensure_ascii=False)}}}"
    return number


def _problem(target: Path, option: str, message: str, fix: str) -> ScenarioError:
    return ScenarioError(target, [Problem(display(target), 0, 0, option, message, fix)])


def slug(name: str) -> str:
    """An id from an organisation's name: "Regio Twente" → ``regio_twente``."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")
    return words if words[:1].isalpha() else f"org_{words}".rstrip("_")


def described(
    target: Path,
    name: str,
    kind: str,
    inhabitants: float | None = None,
    fte: float | None = None,
    workstations: float | None = None,
    applications: float | None = None,
    id: str | None = None,
) -> Partner:
    """An organisation outside the library, from what the command line gives and the library's rules."""
    if kind not in ("municipality", "public_body", "other"):
        raise _problem(target, "--kind", f"unknown kind {kind!r}", "use municipality, public_body or other")
    if inhabitants is None and kind == "municipality":
        raise _problem(
            target, "--inhabitants", "a municipality needs its inhabitants", "give --inhabitants (CBS)"
        )
    figures: dict[str, Figure] = {}
    figures["inhabitants"] = (
        Figure(inhabitants, assumption=GIVEN)
        if inhabitants is not None
        else Figure(
            0, assumption="geen eigen inwoners: geen gemeente, dus geen inwonersaantal als verdeelgrond"
        )
    )
    if fte is not None:
        figures["fte"] = Figure(fte, assumption=GIVEN)
    elif figures["inhabitants"] > 0:
        figures["fte"] = Figure(
            round(figures["inhabitants"] / 1000 * FTE_PER_1000_INHABITANTS),
            assumption="7,0 fte per 1.000 inwoners: mediaan van vergelijkbare gemeenten (BBV-indicator "
            "formatie per 1.000 inwoners in begrotingen en jaarverslagen van vergelijkbare gemeenten, "
            "2015-2026)",
        )
    else:
        raise _problem(
            target,
            "--fte",
            "an organisation without inhabitants has no rule for its staff",
            "give --fte (its formation, from its begroting or jaarverslag)",
        )
    figures["workstations"] = (
        Figure(workstations, assumption=GIVEN)
        if workstations is not None
        else Figure(
            round(WORKSTATIONS_PER_FTE * figures["fte"], -1),
            assumption="1,2 × fte: deeltijd (gemiddelde deeltijdfactor gemeenten ongeveer 0,85) plus "
            "accounts voor inhuur, college en raad",
        )
    )
    figures["applications"] = (
        Figure(applications, assumption=GIVEN)
        if applications is not None
        else Figure(
            round(APPLICATIONS_PER_WORKSTATION * figures["workstations"]),
            assumption="0,3 × werkplekken; geen openbaar aantal applicaties",
        )
    )
    data = {"id": id or slug(name), "name": name, "kind": kind}
    data.update({f: {"value": float(v), "assumption": v.assumption} for f, v in figures.items()})
    try:
        return Partner.model_validate(data)
    except ValueError as error:
        raise _problem(target, "--name", f"not a usable organisation: {error}", "check the options") from None


def library_lines() -> list[str]:
    """One line per organisation of the embedded library: id, kind and name (``new --list``)."""
    library = load_organisations()
    width = max(map(len, library))
    return [f"{o.id:<{width}}  {o.kind:<12}  {o.name}" for o in library.values()]


def entrant_study_text(entrant: str | Partner, base: Path, target: Path, joins: int | None = None) -> str:
    """The YAML text of an entrant study on top of ``base``, to be saved as ``target``.

    ``entrant`` is the id of an organisation of the library, or an organisation (:func:`described`).
    """
    library = load_organisations()
    base_scenario = load_scenario(base)
    if isinstance(entrant, Partner):
        org, entrant = entrant, entrant.id
    elif entrant not in library:
        raise ScenarioError(
            target,
            [
                Problem(
                    display(target),
                    0,
                    0,
                    "--entrant",
                    f"unknown organisation {entrant!r}",
                    f"use one of: {', '.join(sorted(library))} (verkenning new --list), "
                    'or describe it with --name "…" --kind …',
                )
            ],
        )
    else:
        org = library[entrant]
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
    year = joins if joins is not None else base_scenario.base_year + 1
    relative = Path(os.path.relpath(base.resolve(), target.resolve().parent)).as_posix()
    question = f"Levert toetreding van {org.name} elke deelnemer voordeel op, en tegen welke bijdrage?"
    quoted = lambda text: json.dumps(text, ensure_ascii=False)  # noqa: E731 (valid YAML, escaped)
    lines = [
        f"# Vraag: levert toetreding van {org.name} tot de samenwerking elke deelnemer voordeel op,",
        "# en tegen welke bijdrage?",
        "#",
        f"# Entrant study written by `verkenning new`: {org.name} joins in {year}, on top of",
        f"# {display(base)}. Figures marked `assumption:` are defaults (the rules of the embedded",
        "# library, verkenning/data/organisations.yaml) or figures given on the command line: replace",
        "# them with the entrant's own figures and say where each comes from with `source:`.",
        "# Check the file with `verkenning check`.",
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
    target: Path, entrant: str | Partner, base: Path, joins: int | None = None, overwrite: bool = False
) -> None:
    """Write the entrant study to ``target`` (atomically), once it validates."""
    if target.exists() and not overwrite:
        raise _problem(
            target, "", "the file exists already", "choose another name, or pass --force to overwrite it"
        )
    write_validated(entrant_study_text(entrant, base, target, joins), target)
