"""Scenario files: the one place where YAML becomes typed, frozen objects.

``load_scenario(path)`` reads a file, follows its ``extends:`` chain, merges it on top of the
embedded defaults (``verkenning/data/defaults.yaml``), validates the result strictly and returns a
:class:`Scenario`. Past this package no code sees a dict that came from YAML. Errors name the file,
line and column of the offending value, the field path and what to do, and every problem is
reported at once (:class:`~verkenning.errors.ScenarioError`).

Layout: ``figures.py`` (numbers with a pedigree), ``schema.py`` (the models), ``reader.py`` (YAML
with positions, ``extends:`` and merging), ``checks.py`` (references, ids, years, cycles).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import Problem, ScenarioError
from .checks import CHECKS
from .figures import Figure, show
from .reader import Mark, display, merge, read_yaml, resolve_chain
from .schema import FourKWeights, KeyRole, Package, Parameters, Partner, Scenario, Service, Uncertainty

__all__ = [
    "DEFAULTS_PATH",
    "PEDIGREE_KINDS",
    "Figure",
    "KeyRole",
    "Package",
    "Parameters",
    "Partner",
    "Scenario",
    "Service",
    "Uncertainty",
    "load_organisations",
    "load_scenario",
    "merge",
    "pedigree",
    "scenario_from_mapping",
    "write_validated",
]

PEDIGREE_KINDS = ("source", "assumption", "unsourced")
DEFAULTS_PATH = Path(__file__).parent.parent / "data" / "defaults.yaml"
ORGANISATIONS_PATH = Path(__file__).parent.parent / "data" / "organisations.yaml"

# ---------------------------------------------------------------------------------------------
# Locating and explaining problems


def _locate(data: Any, loc: tuple) -> Mark:
    mark: Mark = getattr(data, "start", ("", 0, 0))
    node = data
    for step in loc:
        if isinstance(node, dict) and isinstance(step, str) and step in node:
            mark = getattr(node, "marks", {}).get(step, mark)
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            marks = getattr(node, "marks", [])
            mark = marks[step] if step < len(marks) else mark
            node = node[step]
        else:
            break
    return mark


def _path_text(loc: tuple) -> str:
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model class whose fields are valid at ``loc`` (for 'allowed here' hints)."""
    model: type[BaseModel] = Scenario
    steps = iter(step for step in loc if not isinstance(step, int))
    for step in steps:
        field = model.model_fields.get(step)
        if field is None:
            return None
        arguments = (field.annotation, *getattr(field.annotation, "__args__", ()))
        candidates = (Partner, Service, Package, Parameters, KeyRole, Uncertainty, FourKWeights)
        inner = next(
            (c for c in candidates if any(c is a or c in getattr(a, "__args__", ()) for a in arguments)), None
        )
        if inner is None:
            return None
        if getattr(field.annotation, "__origin__", None) is dict:
            next(steps, None)  # the mapping's key: a role name or a figure path
        model = inner
    return model


def _explain(error: dict) -> tuple[str, str]:
    kind, msg, raw = error["type"], error["msg"], error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "verkenning":
        return ctx["message"], ctx.get("fix", "")
    if kind == "missing":
        return "required field is missing", f"add `{error['loc'][-1]}: ...`"
    if kind == "extra_forbidden":
        model = _model_at(error["loc"][:-1])
        allowed = ", ".join(model.model_fields) if model else ""
        return (
            "unknown field",
            f"remove it or correct the spelling{'; allowed here: ' + allowed if allowed else ''}",
        )
    if kind == "literal_error":
        return (
            f"must be one of {ctx.get('expected', '')}, got {show(raw)}",
            "use one of the listed values",
        )
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"must be a whole number, got {show(raw)}", "write a whole number, e.g. 2026"
    if kind in {"string_type"}:
        return f"must be text, got {show(raw)}", "put the text in quotes"
    if kind in {"tuple_type", "list_type"}:
        return (
            f"must be a list, got {show(raw)}",
            "write a YAML list, e.g. [a, b] or one '- item' per line",
        )
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return f"must be a mapping of keys to values, got {show(raw)}", "write `key: value` pairs"
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return (
            f"{msg.lower().replace('input should be', 'must be')}, got {show(raw)}",
            "give a value in range",
        )
    if kind == "too_short":
        return "must not be empty", "give at least one item"
    if kind.startswith(("date_", "datetime_")):
        return f"must be a date, got {show(raw)}", "write the date as YYYY-MM-DD, e.g. 2028-12-31"
    if kind in {"float_parsing", "float_type", "finite_number", "bool_parsing", "bool_type"}:
        return (
            f"{msg.lower().replace('input should be', 'must be')}, got {show(raw)}",
            "write a value of that kind",
        )
    return msg, "see the scenario reference in the README"


# ---------------------------------------------------------------------------------------------
# The entry point


def _validated(merged: Any, path: Path) -> Scenario:
    """The merged mapping as a Scenario, or a ScenarioError listing every problem with its place."""
    problems: list[Problem] = []
    try:
        scenario = Scenario.model_validate(merged)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            file, line, col = _locate(merged, loc)
            message, fix = _explain(error)
            problems.append(Problem(file or str(path), line, col, _path_text(loc), message, fix))
        raise ScenarioError(path, problems) from None
    for check in CHECKS:
        for loc, message, fix in check(scenario):
            file, line, col = _locate(merged, loc)
            problems.append(Problem(file or str(path), line, col, _path_text(loc), message, fix))
    if problems:
        raise ScenarioError(path, problems)
    return scenario


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read, merge and validate a scenario file; raise ScenarioError listing every problem.

    Each file of the chain is read once: its digest and, for the root of the chain, the status quo
    come from that one read. ``overrides`` is a mapping merged on top of the file: the scenario a
    file that ``extends:`` this one with those keys would be (a what-if), without writing it.
    """
    path = Path(path)
    problems: list[Problem] = []
    reads: dict[Path, tuple[Any, str]] = {}
    defaults = read_yaml(DEFAULTS_PATH, problems, reads)
    data, files = resolve_chain(path, problems, (), reads)
    if problems or data is None or defaults is None:
        raise ScenarioError(path, problems)
    if overrides:
        data = merge(data, overrides)
    scenario = _validated(merge(defaults, data), path)
    chain = (*files, DEFAULTS_PATH.resolve())
    scenario._files = tuple(display(f) for f in chain)
    scenario._paths = tuple(Path(f).resolve() for f in chain)
    scenario._digests = tuple(reads[f][1] for f in scenario._paths)
    if len(files) > 1 or overrides:  # the root of the chain: its members are the status quo
        root = _validated(merge(defaults, reads[files[-1]][0]), files[-1])
        scenario._status_quo = (root.name, {p.id: p.services for p in root.partners if p.joins is None})
    else:
        scenario._status_quo = (
            f"{scenario.name} zonder toetreders" if scenario.entrants() else scenario.name,
            {p.id: p.services for p in scenario.partners if p.joins is None},
        )
    return scenario


def write_validated(text: str, target: Path) -> Path:
    """Put scenario ``text`` at ``target`` once it loads; otherwise leave ``target`` as it was.

    The text is checked as a file beside ``target`` (so that ``extends:`` resolves the same), and
    every problem is told of ``target``, the file the user asked for, not of that temporary file.
    """
    target = Path(target)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".yaml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        try:
            load_scenario(Path(name))
        except ScenarioError as error:
            temporary, shown = Path(name).name, display(target)
            raise ScenarioError(
                target,
                [
                    Problem(
                        shown if Path(p.file).name == temporary else p.file,
                        p.line,
                        p.column,
                        p.location,
                        p.message.replace(name, shown).replace(temporary, target.name),
                        p.fix,
                    )
                    for p in error.problems
                ],
            ) from None
        os.replace(name, target)
    finally:
        Path(name).unlink(missing_ok=True)
    return target


def scenario_from_mapping(data: dict[str, Any], origin: str = "<code>") -> Scenario:
    """A scenario from a plain mapping, as a scenario file would hold it, on top of the defaults.

    Validated like a file (every problem at once, in a ScenarioError naming ``origin``); it extends
    nothing, so its status quo is the scenario without its entrants. For tests, examples and what-ifs
    in code; files are read with :func:`load_scenario`.
    """
    import json

    if "extends" in data:
        raise ScenarioError(
            origin,
            [
                Problem(
                    origin, 0, 0, "extends", "a scenario built in code extends nothing", "merge it in code"
                )
            ],
        )
    problems: list[Problem] = []
    reads: dict[Path, tuple[Any, str]] = {}
    defaults = read_yaml(DEFAULTS_PATH, problems, reads)
    if defaults is None:
        raise ScenarioError(DEFAULTS_PATH, problems)
    scenario = _validated(merge(defaults, data), Path(origin))
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    scenario._files = (origin, display(DEFAULTS_PATH.resolve()))
    scenario._paths = (Path(origin), DEFAULTS_PATH.resolve())
    scenario._digests = (hashlib.sha256(text.encode()).hexdigest(), reads[DEFAULTS_PATH.resolve()][1])
    scenario._status_quo = (
        f"{scenario.name} zonder toetreders" if scenario.entrants() else scenario.name,
        {p.id: p.services for p in scenario.partners if p.joins is None},
    )
    return scenario


def load_organisations() -> dict[str, Partner]:
    """The embedded library of organisations (current partners and candidates), by id."""
    problems: list[Problem] = []
    data = read_yaml(ORGANISATIONS_PATH, problems)
    if data is None:
        raise ScenarioError(ORGANISATIONS_PATH, problems)
    try:
        partners = [Partner.model_validate(item) for item in data["organisations"]]
    except ValidationError as exc:
        raise ScenarioError(
            ORGANISATIONS_PATH, [Problem(display(ORGANISATIONS_PATH), 0, 0, "", str(exc))]
        ) from None
    return {p.id: p for p in partners}


def pedigree(scenario: Scenario) -> list[dict[str, object]]:
    """Every figure that feeds the numbers, with its source or assumption (or none, when unsourced).

    Rows are ``{"field", "value", "kind", "note"}`` with ``kind`` one of ``source``, ``assumption``
    or ``unsourced`` (``PEDIGREE_KINDS``).

    The figures of the partners, of the services any partner takes (with their key roles), the
    parameters, the discount rate and the horizon; in that order, with a field path each.
    """
    taken = set()
    for partner in scenario.partners:
        taken.update(scenario.taken_by(partner))
    rows: list[dict[str, object]] = []

    def add(path: str, value: object) -> None:
        if isinstance(value, Figure) and (value or value.source or value.assumption):
            kind = "source" if value.source else "assumption" if value.assumption else "unsourced"
            rows.append(
                {
                    "field": path,
                    "value": float(value),
                    "kind": kind,
                    "note": value.source or value.assumption or "",
                }
            )

    for partner in scenario.partners:
        for field in (
            "inhabitants",
            "fte",
            "workstations",
            "applications",
            "standalone_annual_cost_eur",
            "retained_annual_cost_eur",
            "vat_unrecoverable_share",
            "volume_growth",
        ):
            add(f"partners.{partner.id}.{field}", getattr(partner, field))
    for service in sorted(scenario.services, key=lambda s: s.id):
        if service.id not in taken:
            continue
        for field in ("fixed_annual_cost_eur", "unit_annual_cost_eur", "scale_exponent"):
            add(f"services.{service.id}.{field}", getattr(service, field))
        for role, need in sorted(service.key_roles.items()):
            if need.fixed_fte:
                add(f"services.{service.id}.key_roles.{role}.fixed_fte", need.fixed_fte)
            if need.fte_per_unit:
                add(f"services.{service.id}.key_roles.{role}.fte_per_unit", need.fte_per_unit)
    for name in Parameters.model_fields:
        add(f"parameters.{name}", getattr(scenario.parameters, name))
    phasing = scenario.parameters.transition_phasing
    for j, share in enumerate(phasing.shares, start=1):
        figure = Figure(share, source=phasing.source, assumption=phasing.assumption)
        add(f"parameters.transition_phasing.{j}", figure)
    add("discount_rate", scenario.discount_rate)
    add("horizon_years", scenario.horizon_years)
    return rows
