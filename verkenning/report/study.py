"""A study computed once: the scenario, the cost result, the scorecard and the terms, and its results.

The notebooks create one :class:`Study` and call its sections; every number on the page and in
``results.json`` comes from this one object, so the two cannot disagree. ``save`` writes the
machine-readable results into the run folder (each file written to a temporary name and renamed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..costs import CostResult, simulate
from ..costs.tables import long_table, summary_table, trace_table, write_xlsx
from ..files import write_atomic, write_json
from ..fourk import Scorecard, growth_path, marginal_effects, scorecard
from ..optimise import Admission, EntryFee, StaffingPlan, admit, entry_fee_range, staffing_plan
from ..scenario import Scenario, load_scenario, pedigree
from . import findings, sections
from .labels import display
from .provenance import provenance

__all__ = ["Study"]


def _cents(value: float) -> float:
    return round(float(value), 2)


@dataclass(eq=False)
class Study:
    """Everything one report shows, computed once from a scenario file."""

    path: Path
    seed: int = 0
    run_dir: Path | None = None
    scenario: Scenario = field(init=False)
    result: CostResult = field(init=False)
    card: Scorecard = field(init=False)
    fees: list[EntryFee] = field(init=False)
    admission: Admission | None = field(init=False)
    staffing: StaffingPlan = field(init=False)
    samples: int = 1000
    _exploration: object = field(init=False, default=None)
    _growth_orders: object = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        self.run_dir = Path(self.run_dir) if self.run_dir else None
        self.scenario = load_scenario(self.path)
        self.result = simulate(self.scenario)
        self.card = scorecard(self.result)
        k = self.result.years.index(self.year)
        members = {p for i, p in enumerate(self.result.partners) if self.result.member[i, k]}
        self.fees = [entry_fee_range(self.result, e) for e in self.scenario.entrants() if e in members]
        self.admission = admit(self.result) if self.scenario.entrants() else None
        self.staffing = staffing_plan(self.result)

    @classmethod
    def load(cls, scenario: str | Path, seed: int = 0, run_dir: str | Path | None = None) -> Study:
        return cls(Path(scenario), seed, Path(run_dir) if run_dir else None)

    # -- shared facts ---------------------------------------------------------------------------------

    @property
    def year(self) -> int:
        return self.result.reference_year

    @property
    def names(self) -> dict[str, str]:
        return {p.id: p.name for p in self.scenario.partners}

    @property
    def exploration(self):
        """The uncertainty sweep: a saved one for this scenario and seed if there is one, else a new one."""
        if self._exploration is None:
            from ..explore import cached_exploration

            root = self.run_dir.parent if self.run_dir is not None else None
            self._exploration = cached_exploration(root, self.scenario, self.seed, self.samples)
        return self._exploration

    @property
    def growth_orders(self):
        """Other orders of the same entrants at the same moments (when they join at different times)."""
        if self._growth_orders is None:
            from ..explore import growth_orders

            years = {p.joins for p in self.scenario.partners if p.joins is not None}
            self._growth_orders = growth_orders(self.scenario) if len(years) > 1 else False
        return self._growth_orders if self._growth_orders is not False else None

    def column(self, matrix: np.ndarray) -> np.ndarray:
        return matrix[:, self.result.years.index(self.year)]

    # -- the sections the notebooks show --------------------------------------------------------------

    def header(self):
        return display(sections.header(self))

    def summary(self):
        return display(sections.summary(self))

    def partners(self):
        return display(sections.partners(self))

    def costs(self):
        return display(sections.costs(self))

    def allocation(self):
        return display(sections.allocation(self))

    def fourk(self):
        return display(findings.fourk(self))

    def centre(self):
        return display(findings.centre(self))

    def fees_section(self):
        return display(findings.fees(self))

    def risks(self):
        return display(findings.risks(self))

    def growth(self):
        return display(findings.growth(self))

    def uncertainty(self):
        return display(findings.uncertainty(self))

    def assumptions(self):
        return display(sections.assumptions(self))

    def provenance(self):
        return display(sections.provenance_section(self))

    # -- results --------------------------------------------------------------------------------------

    def results(self) -> dict:
        """The key figures, JSON-ready: amounts in euro to the cent, in real prices of the base year."""
        r, k = self.result, self.result.years.index(self.year)
        partners = list(r.partners)
        rate = r.rates[0]
        allocation = {
            method: {p: _cents(share[i, k]) for i, p in enumerate(partners) if r.member[i, k]}
            for method, share in r.share_eur.items()
        }
        return {
            "scenario": {
                "name": self.scenario.name,
                "question": self.scenario.question,
                "file": str(self.scenario.files[0]),
                "status_quo": self.scenario.status_quo[0],
                "base_year": self.scenario.base_year,
                "reference_year": self.year,
                "discount_rate": float(self.scenario.discount_rate),
            },
            "partners": [
                {"id": p.id, "name": p.name, "kind": p.kind, "joins": p.joins, "leaves": p.leaves}
                for p in self.scenario.partners
            ],
            "allocation": allocation,
            "allocation_by_year": {
                method: {
                    p: {str(y): _cents(share[i, kk]) for kk, y in enumerate(r.years) if r.member[i, kk]}
                    for i, p in enumerate(partners)
                }
                for method, share in r.share_eur.items()
            },
            "cooperation_cost_eur": {
                str(y): _cents(v) for y, v in zip(r.years, r.cooperation_cost_eur, strict=True)
            },
            "cost_eur": {p: _cents(r.cost_eur["key"][i, k]) for i, p in enumerate(partners)},
            "status_quo_eur": {p: _cents(r.status_quo_eur["key"][i, k]) for i, p in enumerate(partners)},
            "standalone_eur": {p: _cents(r.standalone_eur[i, k]) for i, p in enumerate(partners)},
            "npv_eur": {p: _cents(r.npv_eur["key"][rate][i]) for i, p in enumerate(partners)},
            "npv_eur_by_rate": {
                f"{rr:g}": {p: _cents(v[i]) for i, p in enumerate(partners)}
                for rr, v in r.npv_eur["key"].items()
            },
            "npv_without_avoided_growth_eur": {
                p: _cents(r.npv_without_avoided_growth_eur[rate][i]) for i, p in enumerate(partners)
            },
            "break_even_year": dict(zip(partners, r.break_even_year, strict=True)),
            "conditions": {
                v.condition: {"verdict": v.verdict, "evidence": v.evidence} for v in self.card.verdicts
            },
            "fourk": [
                {
                    "partner": i.partner,
                    "k": i.k,
                    "indicator": i.name,
                    "unit": i.unit,
                    "before": round(i.before, 6),
                    "after": round(i.after, 6),
                }
                for i in self.card.indicators
            ],
            "fee_range": {
                f.entrant: {
                    "low": _cents(f.low_eur),
                    "high": _cents(f.high_eur),
                    "core_empty": f.core_empty,
                    "marginal_cost": _cents(f.marginal_cost_eur),
                    "standalone": _cents(f.standalone_eur),
                }
                for f in self.fees
            },
            "admission": None
            if self.admission is None
            else {
                "candidates": list(self.admission.candidates),
                "chosen": list(self.admission.chosen),
                "saving_eur": _cents(self.admission.saving_eur),
            },
            "staffing": {
                "people": self.staffing.people,
                "cost_eur": _cents(self.staffing.cost_eur),
                "coverage_probability": round(self.staffing.coverage_probability, 6),
            },
            "assumptions": pedigree(self.scenario),
            "uncertainty": {
                "samples": int(self.exploration.info["samples"]),
                "seed": self.exploration.seed,
                "probabilities": {
                    row.outcome: round(float(row.probability), 6)
                    for row in self.exploration.probabilities.itertuples()
                },
                "discovery": self.exploration.discovery.sentence,
            },
            "notes": list(r.notes),
            "seed": self.seed,
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables written as CSV next to the report."""
        card = pd.DataFrame([vars(i) for i in self.card.indicators])
        return {
            "kosten": long_table(self.result),
            "samenvatting": summary_table(self.result),
            "verdeling": trace_table(self.result),
            "scorecard": card,
            "groeipad": growth_path(self.result),
            "marginale_effecten": marginal_effects(self.result),
            "aannames": pd.DataFrame(pedigree(self.scenario)),
        }

    def save(self) -> None:
        """Write results.json, tables/*.csv and results.xlsx into the run folder (if one is given)."""
        if self.run_dir is None:
            return
        write_json(self.run_dir / "results.json", self.results())
        for name, table in self.tables().items():
            write_atomic(
                self.run_dir / "tables" / f"{name}.csv", table.to_csv(index=False, lineterminator="\n")
            )
        write_xlsx(self.result, self.run_dir / "results.xlsx")

    def provenance_record(self) -> dict:
        return provenance(self.scenario, self.seed)
