"""What-if for a workshop: move the figures a room argues about and see the summary follow.

:class:`WhatIf` holds one scenario file and the controls a workshop turns: each entrant's own annual
cost (its nulmeting) and its entry fee, the shared fixed part of the costs and the scale exponent,
the allocation key, and who carries the transition. :meth:`WhatIf.evaluate` computes, for a set of
values, the summary table (each partner's cost before and after, its annual saving and NPV), the
verdicts on the letter's conditions and the centre's gain: one call, the same model as every report,
well within a second for the Borne study. The values become a scenario that ``extends:`` the
original, so what the room settled on is a study ``verkenning run`` renders with the same numbers
(:meth:`WhatIf.save`); only values that differ from the scenario's are written.

:meth:`WhatIf.show` lays the controls out as ipywidgets (for ``notebooks/verkennen.ipynb``, in
JupyterLab or as a Voilà page with ``verkenning verken``); ipywidgets is imported only there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from ..errors import ScenarioError
from ..scenario import Scenario, load_scenario, write_validated
from ..scenario.reader import display
from ..study import Study
from .html import Markup, euro, table, text
from .labels import BEARER_LABELS, CONDITION_LABELS, DRIVER_LABELS, VERDICT_LABELS

__all__ = ["Control", "Outcome", "WhatIf"]

KEYS = ("workstations", "inhabitants", "fte", "applications", "organisations", "equal")
"""The drivers a workshop can put every service's key on (``allocation_key``)."""
AS_IS = ""
"""The value of the key control that leaves each service's own key as the scenario has it."""


@dataclass(frozen=True)
class Control:
    """One figure a workshop can move: its name, Dutch label, starting value and range or choices."""

    name: str
    label: str
    value: Any
    low: float | None = None
    high: float | None = None
    step: float | None = None
    options: tuple[tuple[str, Any], ...] = ()
    """(label, value) pairs for a choice; empty for a number."""


STYLE = (
    "<style>.whatif-summary td.num,.whatif-summary th.num{text-align:right;padding-left:1.5em}"
    ".whatif-summary,.whatif-verdicts{border-collapse:collapse;margin:.5em 0 1em}"
    ".whatif-summary td,.whatif-verdicts td{border-bottom:1px solid #ddd;padding:.2em .5em}"
    ".whatif-summary caption,.whatif-verdicts caption{text-align:left;font-weight:bold}"
    ".whatif-error{color:#a00}</style>"
)


@dataclass(frozen=True)
class Outcome:
    """What a set of values gives: the table per partner, the verdicts and the centre's gain."""

    scenario: Scenario
    rows: tuple[dict[str, Any], ...]
    """Per partner: ``id``, ``name``, ``before_eur``, ``after_eur``, ``saving_eur`` and ``npv_eur``."""
    verdicts: tuple[tuple[str, str], ...]
    """(condition, verdict) in the order of the letter."""
    centre_npv_eur: float
    centre_saving_eur: float
    year: int

    def html(self) -> Markup:
        """The outcome as the summary a workshop reads: the centre's gain, the table, the verdicts."""
        centre = next(r for r in self.rows if r["id"] == self.scenario.centre)
        gain = (
            f"<p class='whatif-centre'>{text(centre['name'])} bespaart in {self.year} "
            f"<strong>{euro(self.centre_saving_eur)}</strong> per jaar; de netto contante waarde van het "
            f"voordeel over de looptijd is <strong>{euro(self.centre_npv_eur)}</strong>.</p>"
        )
        rows = [
            (
                r["name"],
                euro(r["before_eur"]),
                euro(r["after_eur"]),
                euro(r["saving_eur"]),
                euro(r["npv_eur"]),
            )
            for r in self.rows
        ]
        summary = table(
            ["Deelnemer", "Kosten status quo", "Kosten scenario", "Besparing per jaar", "NCW voordeel"],
            rows,
            numeric=[False, True, True, True, True],
            caption=f"Kosten per jaar in {self.year} en netto contante waarde",
            css="whatif-summary",
        )
        verdicts = table(
            ["Voorwaarde", "Oordeel"],
            [(CONDITION_LABELS.get(c, c), VERDICT_LABELS[v]) for c, v in self.verdicts],
            caption="Voorwaarden uit de raadsbrief",
            css="whatif-verdicts",
        )
        return Markup(STYLE + gain + summary + verdicts)


class WhatIf:
    """The what-if of one scenario file (see the module docstring)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.scenario = load_scenario(self.path)
        self.study = Study(self.scenario)
        self.entrants = [p for p in self.scenario.partners if p.id in self.scenario.entrants()]

    @classmethod
    def load(cls, path: str | Path) -> WhatIf:
        return cls(path)

    def header(self):
        """The study's name and question, as the notebook's opening display."""
        from .labels import display as shown

        question = self.scenario.question or ""
        return shown(
            Markup(
                f"<h2>{text(self.scenario.name)}</h2><p><em>{text(question)}</em></p>"
                f"<p class='noot'>Scenario: {text(display(self.path))}</p>"
            )
        )

    # -- the controls ---------------------------------------------------------------------------------

    @cached_property
    def controls(self) -> tuple[Control, ...]:
        scenario, costs = self.scenario, self.study.costs
        found: list[Control] = []
        for partner in self.entrants:
            i = costs.partners.index(partner.id)
            own = partner.observed_cost
            start = round(float(own if own is not None else costs.standalone_eur[i, 0]), -3)
            found.append(
                Control(
                    f"partners.{partner.id}.standalone_annual_cost_eur",
                    f"Eigen kosten {partner.name} per jaar (€)",
                    start,
                    0.0,
                    max(3 * start, 1_000_000.0),
                    1000.0,
                )
            )
            found.append(
                Control(
                    f"partners.{partner.id}.entry_fee_eur",
                    f"Toetredingsbijdrage {partner.name}, eenmalig (€)",
                    float(partner.entry_fee_eur),
                    0.0,
                    max(2 * start, 1_000_000.0),
                    1000.0,
                )
            )
        exponents = {float(s.scale_exponent) for s in scenario.services}
        found += [
            Control(
                "parameters.fixed_share_scale",
                "Gedeeld vast deel (× de kalibratie)",
                float(scenario.parameters.fixed_share_scale),
                0.0,
                7.0,
                0.1,
            ),
            Control(
                "services.*.scale_exponent",
                "Schaalexponent (alle diensten)",
                round(sum(exponents) / len(exponents), 2),
                0.85,
                1.05,
                0.01,
            ),
            Control(
                "services.*.allocation_key",
                "Verdeelsleutel van alle diensten",
                AS_IS,
                options=(("zoals in het scenario", AS_IS), *((f"naar {DRIVER_LABELS[k]}", k) for k in KEYS)),
            ),
            Control(
                "parameters.transition_cost_bearer",
                "Wie draagt de overgangskosten",
                scenario.parameters.transition_cost_bearer,
                options=tuple((BEARER_LABELS[b], b) for b in ("entrant", "key")),
            ),
        ]
        return tuple(found)

    @property
    def values(self) -> dict[str, Any]:
        """The controls at the scenario's own values."""
        return {c.name: c.value for c in self.controls}

    def overrides(self, values: dict[str, Any]) -> dict[str, Any]:
        """The scenario mapping that puts ``values`` on top of the file: only what differs from it."""
        start = self.values
        unknown = sorted(set(values) - set(start))
        if unknown:
            raise KeyError(f"no control {unknown[0]!r}; the controls are {', '.join(start)}")
        changed = {name: value for name, value in values.items() if value != start[name]}
        partners: dict[str, dict[str, Any]] = {}
        services: dict[str, Any] = {}
        parameters: dict[str, Any] = {}
        for name, value in changed.items():
            parts = name.split(".")
            if parts[0] == "partners":
                partners.setdefault(parts[1], {})[parts[2]] = float(value)
            elif parts[0] == "parameters":
                parameters[parts[1]] = value if isinstance(value, str) else float(value)
            elif name == "services.*.scale_exponent":
                services["scale_exponent"] = float(value)
            elif name == "services.*.allocation_key" and value != AS_IS:
                services["allocation_key"] = value
        mapping: dict[str, Any] = {}
        if partners:
            mapping["partners"] = [{"id": pid, **fields} for pid, fields in partners.items()]
        if services:
            mapping["services"] = [{"id": s.id, **services} for s in self.scenario.services]
        if parameters:
            mapping["parameters"] = parameters
        return mapping

    # -- what they give -------------------------------------------------------------------------------

    def evaluate(self, values: dict[str, Any] | None = None) -> Outcome:
        """The summary, verdicts and centre's gain for ``values`` (missing ones: the scenario's)."""
        overrides = self.overrides(values or {})
        scenario = load_scenario(self.path, overrides) if overrides else self.scenario
        study = Study(scenario) if overrides else self.study
        costs = study.costs
        k = costs.years.index(costs.reference_year)
        rate = costs.rates[0]
        rows = []
        for i, partner in enumerate(scenario.partners):
            before = float(costs.status_quo_eur["key"][i, k])
            after = float(costs.cost_eur["key"][i, k])
            rows.append(
                {
                    "id": partner.id,
                    "name": partner.name,
                    "before_eur": before,
                    "after_eur": after,
                    "saving_eur": before - after,
                    "npv_eur": float(costs.npv_eur["key"][rate][i]),
                }
            )
        centre = next(r for r in rows if r["id"] == scenario.centre)
        return Outcome(
            scenario=scenario,
            rows=tuple(rows),
            verdicts=tuple((v.condition, v.verdict) for v in study.card.verdicts),
            centre_npv_eur=centre["npv_eur"],
            centre_saving_eur=centre["saving_eur"],
            year=costs.reference_year,
        )

    def scenario_text(self, values: dict[str, Any], target: str | Path, name: str | None = None) -> str:
        """The YAML of a scenario at ``target`` that extends this one with ``values``."""
        target = Path(target)
        relative = Path(os.path.relpath(self.path.resolve(), target.resolve().parent)).as_posix()
        data: dict[str, Any] = {
            "extends": relative,
            "name": name or f"{self.scenario.name} (workshop)",
            **self.overrides(values),
        }
        header = (
            f"# Written by the what-if of {display(self.path)} (verkenning): the values the workshop\n"
            "# chose, on top of that scenario. Render it with `verkenning run`.\n"
        )
        return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)

    def save(self, values: dict[str, Any], target: str | Path, name: str | None = None) -> Path:
        """Write the values as a new scenario file (validated first; an existing file is kept)."""
        target = Path(target)
        if target.exists():
            raise FileExistsError(f"{display(target)} bestaat al: kies een andere naam")
        return write_validated(self.scenario_text(values, target, name), target)

    # -- the widgets ----------------------------------------------------------------------------------

    def show(self):
        """The controls, the outcome and a save button, as ipywidgets (in a notebook or Voilà)."""
        import ipywidgets as widgets

        inputs: dict[str, widgets.Widget] = {}
        style = {"description_width": "22em"}
        layout = widgets.Layout(width="40em")
        for control in self.controls:
            if control.options:
                widget = widgets.Dropdown(
                    options=list(control.options),
                    value=control.value,
                    description=control.label,
                    style=style,
                    layout=layout,
                )
            else:
                number = {
                    "value": control.value,
                    "min": control.low,
                    "max": control.high,
                    "step": control.step,
                    "description": control.label,
                    "continuous_update": False,
                    "style": style,
                    "layout": layout,
                }
                # euros are typed (a slider cannot hit € 912.000); shares and exponents slide
                euros = bool(control.step and control.step >= 1)
                widget = (
                    widgets.BoundedFloatText(**number)
                    if euros
                    else widgets.FloatSlider(**number, readout_format=".2f")
                )
            widget.add_class("whatif-control")
            inputs[control.name] = widget
        outcome = widgets.HTML(str(self.evaluate().html()))
        outcome.add_class("whatif-outcome")
        file_name = widgets.Text(
            value=f"{self.path.stem}-workshop.yaml", description="Bewaar als", style=style, layout=layout
        )
        button = widgets.Button(description="Bewaar als scenario", icon="save")
        status = widgets.HTML()

        def current() -> dict[str, Any]:
            return {name: widget.value for name, widget in inputs.items()}

        def recompute(_change=None) -> None:
            try:
                outcome.value = str(self.evaluate(current()).html())
            except ScenarioError as error:
                outcome.value = (
                    f"<p class='whatif-error'>Deze waarden geven geen geldig scenario: {text(error)}</p>"
                )

        def save(_button=None) -> None:
            target = self.path.parent / file_name.value
            try:
                written = self.save(current(), target)
            except (ScenarioError, FileExistsError, OSError) as error:
                status.value = f"<p class='whatif-error'>{text(error)}</p>"
            else:
                status.value = (
                    f"<p>Bewaard als <code>{text(display(written))}</code>; "
                    f"maak er een rapport van met <code>verkenning run {text(display(written))}</code>.</p>"
                )

        for widget in inputs.values():
            widget.observe(recompute, names="value")
        button.on_click(save)
        return widgets.VBox([*inputs.values(), outcome, widgets.HBox([file_name, button]), status])
