"""One study, computed once: a validated scenario's costs, allocations, 4 K's, verdicts, terms and sweep.

:class:`Study` is what every reader of a study reads: the report notebooks (through
``verkenning.report``), the commands ``costs``, ``scorecard`` and ``explore``, and ``results.json``.
Each part is computed on first use and then kept, so a command that needs only the costs never
runs the sweep, and no two readers compute a figure twice. Nothing here writes a file or makes
a sentence: the report layer words the facts in Dutch, the command line in English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from . import aside
from .costs import CostResult, no_saving, simulate
from .costs.budget import Budget, budget
from .costs.tables import items_table, lines_table, long_table, summary_table, trace_table
from .explore.outcomes import Outcome
from .fourk import Check, Scorecard, checklist, growth_path, marginal_effects, scorecard
from .optimise import (
    Admission,
    EntryFee,
    EntryTerms,
    KeyDesign,
    StaffingPlan,
    admit,
    design_key,
    entry_fee_ranges,
    entry_terms,
    staffing_plan,
)
from .scenario import Scenario, load_scenario, pedigree

__all__ = ["DEFAULT_SAMPLES", "GrowthTerms", "NpvRange", "Study"]

DEFAULT_SAMPLES = 1000
"""Samples of the sweep a report shows (a saved larger sweep of the same inputs is shown instead)."""
ASIDE_CELLS = 1 << 27
"""The largest game (samples × coalitions; 1 GiB of floats) of a study whose parts are computed on a
second core (:meth:`Study.prepare`): 1,000 samples of up to 17 members."""


def _cents(value: float) -> float:
    return round(float(value), 2)


@dataclass(frozen=True)
class NpvRange:
    """A partner's NPV: at the scenario's own values, the 5% and 95% quantiles over the sweep, and the
    share of the samples in which the partner loses (NPV below zero)."""

    central_eur: float
    low_eur: float
    high_eur: float
    loss_probability: float


@dataclass(frozen=True)
class GrowthTerms:
    """Along the path: the share of samples in which no partner already in pays more in a year when
    others join, with the proposed and with today's key, and the same per order of the entrants over
    the same entry years (``(order, proposed, today)``, the most consistent first; none with one
    entry year)."""

    probability: float
    today_probability: float
    orders: tuple[tuple[str, float, float], ...]


@dataclass(frozen=True, eq=False)
class Study:
    """Everything one study shows, computed once from a scenario.

    ``sweep_root`` is the folder under which sweeps of this scenario are saved and re-used
    (``<root>/onzekerheid/``); without it the sweep is computed and not kept.
    """

    scenario: Scenario
    seed: int = 0
    samples: int = DEFAULT_SAMPLES
    sweep_root: Path | None = None
    _aside: dict = field(default_factory=dict, init=False, repr=False)
    """Parts being computed in a child (:meth:`prepare`), until they are read."""

    @classmethod
    def load(
        cls,
        path: str | Path,
        seed: int = 0,
        samples: int = DEFAULT_SAMPLES,
        sweep_root: str | Path | None = None,
    ) -> Study:
        """Read and validate the scenario file once, and set up its study."""
        return cls(load_scenario(Path(path)), seed, samples, Path(sweep_root) if sweep_root else None)

    # -- the facts ------------------------------------------------------------------------------------

    @cached_property
    def costs(self) -> CostResult:
        return simulate(self.scenario)

    @cached_property
    def no_saving(self) -> CostResult:
        """The same study without a structural saving (no shared fixed part, no avoided growth)."""
        return simulate(no_saving(self.scenario), rules=())

    @cached_property
    def npv_ranges(self) -> dict[str, NpvRange]:
        """Per partner: the NPV at the scenario's values, its 5–95% range over the sweep and P(loss)."""
        outcomes = self.exploration.outcomes
        rate = self.costs.rates[0]
        ranges = {}
        for i, partner in enumerate(self.costs.partners):
            draws = outcomes[Outcome("npv_eur", partner)]
            low, high = np.quantile(draws, [0.05, 0.95])
            ranges[partner] = NpvRange(
                float(self.costs.npv_eur["key"][rate][i]), float(low), float(high), float(np.mean(draws < 0))
            )
        return ranges

    @cached_property
    def card(self) -> Scorecard:
        return scorecard(self.costs)

    def scorecard(self, method: str = "key") -> Scorecard:
        """The scorecard under another way of sharing the cost."""
        return self.card if method == "key" else scorecard(self.costs, method)

    @property
    def year(self) -> int:
        """The reference year: every entrant in and its transition paid."""
        return self.costs.reference_year

    @property
    def names(self) -> dict[str, str]:
        return {p.id: p.name for p in self.scenario.partners}

    def column(self, matrix: np.ndarray) -> np.ndarray:
        """A partners × years matrix in the reference year."""
        return matrix[:, self.costs.years.index(self.year)]

    @cached_property
    def fees(self) -> tuple[EntryFee, ...]:
        """The fee range of every entrant that is a member in the reference year."""
        k = self.costs.years.index(self.year)
        members = {p for i, p in enumerate(self.costs.partners) if self.costs.member[i, k]}
        return entry_fee_ranges(self.costs, [e for e in self.scenario.entrants() if e in members])

    @cached_property
    def sampled(self):
        """The path of every sample of the sweep's inputs (its draws, its seed), in exact floats."""
        from .explore import sampled

        return sampled(self.scenario, self.samples, self.seed)

    @cached_property
    def key_design(self) -> KeyDesign:
        """The key ``verkenning terms`` proposes, over the sweep's samples."""
        return design_key(self.sampled, self.costs.exact, self.costs.years.index(self.year))

    @cached_property
    def entry_terms(self) -> tuple[EntryTerms, ...]:
        """Each entrant's negotiation room over the sweep's samples, under the scenario's key."""

        def here() -> tuple[EntryTerms, ...]:
            k, target = self.costs.years.index(self.year), self.scenario.terms.target
            return tuple(entry_terms(self.sampled, self.costs.exact, k, f.entrant, target) for f in self.fees)

        return self._aside_or_here("entry_terms", here)

    @cached_property
    def key_probabilities(self):
        """P(win-win) of the proposed and of today's key, each with its Monte Carlo error."""
        from .explore import probabilities

        design, win_win = self.key_design, Outcome("win_win")
        return tuple(
            probabilities({win_win: flags})[win_win] for flags in (design.win_win, design.today_win_win)
        )

    @cached_property
    def growth_terms(self) -> GrowthTerms | None:
        """Along the path: the share of samples in which no partner already in pays more when others
        join, with the proposed and today's key, and per order of the entrants (a growth path)."""
        from .explore.analysis import order_memberships, order_table
        from .optimise.keys import consistent_orders

        if not self.scenario.entrants():
            return None
        design, run = self.key_design, self.sampled
        years = {p.joins for p in self.scenario.partners if p.joins is not None}
        orders = order_memberships(self.scenario) if len(years) > 1 else []
        # the path's own order and every other in one pass: the groups of a year, their shares and
        # the tolerance of their game are computed once for all of them (as ``entry_orders`` does)
        judged = consistent_orders(
            run, design.family, (design.weights, None), [run.member, *(member for _, member in orders)]
        )
        (proposed, today), by_order = judged[0], judged[1:]
        labels = [order for order, _ in orders]
        rows = tuple(order_table(labels, by_order).itertuples(index=False, name=None)) if orders else ()
        return GrowthTerms(float(proposed.mean()), float(today.mean()), rows)

    @cached_property
    def admission(self) -> Admission | None:
        return admit(self.costs) if self.scenario.entrants() else None

    @cached_property
    def budget(self) -> Budget:
        """The meerjarenraming: per partner and year, nominal, structural and incidental."""
        return budget(self.costs)

    @cached_property
    def checklist(self) -> tuple[Check, ...]:
        """The legal and fiscal checks of each entry (``fourk.checklist``)."""
        return checklist(self.costs)

    @cached_property
    def staffing(self) -> StaffingPlan:
        return staffing_plan(self.costs)

    def staffing_for(self, target: float = 0.95, budget_eur: float | None = None) -> StaffingPlan:
        """The staffing plan for another coverage target or within a budget."""
        if target == 0.95 and budget_eur is None:
            return self.staffing
        return staffing_plan(self.costs, target, budget_eur)

    @cached_property
    def growth_path(self) -> pd.DataFrame:
        return growth_path(self.costs)

    @cached_property
    def marginal_effects(self) -> pd.DataFrame:
        return marginal_effects(self.costs)

    @cached_property
    def exploration(self):
        """The uncertainty sweep: a saved one for the same inputs if there is one, else a new one."""
        from .explore import cached_exploration

        return self._aside_or_here(
            "exploration", lambda: cached_exploration(self.sweep_root, self.scenario, self.seed, self.samples)
        )

    def prepare(self, *facts: str) -> None:
        """Compute ``facts`` (names of this study's parts, in this order), with a second core where
        there is one (``verkenning.aside``): a new sweep is computed beside them all (and saved for
        later runs, as ever), else the entry terms beside the facts after them, once the key designer
        before them has computed the year's game the child then shares. On the growth path of 16
        organisations the sweep is 11 s and the key designer, entry and growth terms 11 s more; with
        a saved sweep the entry terms are 3 s of those. Not for a study whose year game over all its
        members has more than :data:`ASIDE_CELLS` values: each process would hold games of its own,
        and at 20 members (8 GiB a game) the two reached 13 GiB."""
        beside = None
        members = int(self.costs.member.any(axis=1).sum())
        if aside.available() and not self._aside and self.samples << members <= ASIDE_CELLS:
            from .explore import saved_exploration

            root = self.sweep_root
            new_sweep = root is not None and saved_exploration(root, self.scenario, self.seed) is None
            if new_sweep and "exploration" not in self.__dict__:
                self._aside["exploration"] = aside.Deferred(lambda: self.exploration)
            elif "entry_terms" not in self.__dict__:
                beside = "entry_terms"
        for name in facts:
            if name == beside:
                self._aside[name] = aside.Deferred(lambda name=name: getattr(self, name))
            elif name not in self._aside:
                getattr(self, name)

    def _aside_or_here(self, name: str, compute):
        """A part computed in a child by :meth:`prepare`, else (or if that failed) ``compute()``."""
        return aside.result_or(self._aside.pop(name, None), compute)

    def explore(self, samples: int, workers: int | None = None, scheduler: str | None = None, progress=False):
        """A sweep of ``samples`` samples (for ``verkenning explore``), on local processes or dask."""
        from .explore import explore

        return explore(
            self.scenario, samples, self.seed, workers=workers, scheduler=scheduler, progress=progress
        )

    @cached_property
    def growth_orders(self) -> pd.DataFrame | None:
        """Other orders of the same entrants at the same moments (when they join at different times)."""
        from .explore import growth_orders

        years = {p.joins for p in self.scenario.partners if p.joins is not None}
        return growth_orders(self.scenario) if len(years) > 1 else None

    # -- results --------------------------------------------------------------------------------------

    def results(self) -> dict:
        """The key figures, JSON-ready (English keys; ``results.schema.json`` describes them).

        Amounts are euros to the cent, in real prices of the base year.
        """
        r, k = self.costs, self.costs.years.index(self.year)
        partners = list(r.partners)
        rate = r.rates[0]
        exploration = self.exploration
        return {
            "scenario": {
                "name": self.scenario.name,
                "question": self.scenario.question,
                "file": self.scenario.recorded_files[0],
                "status_quo": self.scenario.status_quo[0],
                "base_year": self.scenario.base_year,
                "reference_year": self.year,
                "discount_rate": float(self.scenario.discount_rate),
            },
            "partners": [
                {"id": p.id, "name": p.name, "kind": p.kind, "joins": p.joins, "leaves": p.leaves}
                for p in self.scenario.partners
            ],
            "allocation": {
                method: {p: _cents(share[i, k]) for i, p in enumerate(partners) if r.member[i, k]}
                for method, share in r.share_eur.items()
            },
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
            "no_saving": {
                "cost_eur": {p: _cents(self.no_saving.cost_eur["key"][i, k]) for i, p in enumerate(partners)},
                "npv_eur": {
                    p: _cents(self.no_saving.npv_eur["key"][rate][i]) for i, p in enumerate(partners)
                },
            },
            "npv_range": {
                p: {
                    "central_eur": _cents(v.central_eur),
                    "low_eur": _cents(v.low_eur),
                    "high_eur": _cents(v.high_eur),
                    "loss_probability": round(v.loss_probability, 6),
                }
                for p, v in self.npv_ranges.items()
            },
            "break_even_year": dict(zip(partners, r.break_even_year, strict=True)),
            "conditions": {
                v.condition: {"verdict": v.verdict, "year": v.year, "facts": v.facts()}
                for v in self.card.verdicts
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
                    "legal_floor": _cents(f.legal_floor_eur),
                }
                for f in self.fees
            },
            "proposed_key": self._proposed_key(),
            "growth_terms": None
            if self.growth_terms is None
            else {
                "probability": round(self.growth_terms.probability, 6),
                "today_probability": round(self.growth_terms.today_probability, 6),
                "orders": [
                    {"order": order, "proposed": round(proposed, 6), "today": round(today, 6)}
                    for order, proposed, today in self.growth_terms.orders
                ],
            },
            "entry_terms": {
                t.entrant: {
                    "year": t.year,
                    "target": t.target,
                    "low": None if t.low_eur is None else _cents(t.low_eur),
                    "high": None if t.high_eur is None else _cents(t.high_eur),
                    "best_probability": round(t.best_probability, 6),
                    "best": None if t.best_eur is None else _cents(t.best_eur),
                    "floor": _cents(t.floor_eur),
                    "standalone": _cents(t.standalone_eur),
                    "key_share": _cents(t.key_share_eur),
                    "principle": self.scenario.terms.principle,
                    "points": {p: _cents(y) for p, y in t.points.items()},
                    "point_probability": {p: round(float(t.probability(y)), 6) for p, y in t.points.items()},
                    "gains": {
                        p: {q: _cents(g) for q, g in t.central_gains(y).items()} for p, y in t.points.items()
                    },
                }
                for t in self.entry_terms
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
            "checklist": [c.facts() for c in self.checklist],
            "budget": self.budget.facts(),
            "lines": {
                p: {
                    line: {str(y): _cents(a[i, k]) for k, y in enumerate(self.costs.years) if a[i, k]}
                    for line, a in self.costs.lines_eur.items()
                    if a[i].any()
                }
                for i, p in enumerate(self.costs.partners)
            },
            "npv_nominal_eur": {
                p: _cents(v) for p, v in zip(self.budget.partners, self.budget.npv_nominal_eur, strict=True)
            },
            "uncertainty": {
                "samples": int(exploration.info["samples"]),
                "seed": exploration.seed,
                "probabilities": {
                    outcome.column: round(p.probability, 6)
                    for outcome, p in exploration.probabilities.items()
                },
                "margins": {
                    outcome.column: round(p.margin, 6) for outcome, p in exploration.probabilities.items()
                },
                "discovery": exploration.discovery.facts(),
                "robustness": [
                    {k: (round(v, 6) if isinstance(v, float) else v) for k, v in row.items()}
                    for row in exploration.robustness.fillna("").to_dict("records")
                ],
                "value_of_information": [
                    {"inputs": row.inputs, "evppi_eur": round(float(row.evppi_eur), 2)}
                    for row in exploration.information.itertuples()
                ],
            },
            "notes": list(r.notes),
            "seed": self.seed,
        }

    def _proposed_key(self) -> dict:
        design = self.key_design
        proposed, today = self.key_probabilities
        return {
            "year": design.year,
            "method": design.method,
            "samples": design.samples,
            "weights": {mix.group: dict(mix.weights) for mix in design.proposed},
            "today": {mix.group: dict(mix.weights) for mix in design.today},
            "probability": round(proposed.probability, 6),
            "margin": round(proposed.margin, 6),
            "today_probability": round(today.probability, 6),
            "today_margin": round(today.margin, 6),
            "regret_eur": _cents(design.regret_eur),
            "change_eur": {p: _cents(v) for p, v in design.change_eur.items()},
            "central": {"proposed": design.central[0], "today": design.central[1]},
            "binding": [
                {
                    "members": list(b.members),
                    "kind": b.kind,
                    "failure_share": round(b.failure_share, 6),
                    "slack_eur": _cents(b.slack_eur),
                }
                for b in design.binding
            ],
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """The long tables a consultant reads beside the report."""
        card = pd.DataFrame([vars(i) for i in self.card.indicators])
        return {
            "kosten": long_table(self.costs),
            "samenvatting": summary_table(self.costs),
            "verdeling": trace_table(self.costs),
            "posten": lines_table(self.costs),
            "contracten_en_activa": items_table(self.costs),
            "scorecard": card,
            "groeipad": self.growth_path,
            "marginale_effecten": self.marginal_effects,
            "aannames": pd.DataFrame(pedigree(self.scenario)),
            "meerjarenraming": pd.DataFrame(
                [
                    {"partner": p, "year": int(y), **amounts}
                    for p, years in self.budget.facts().items()
                    for y, amounts in years.items()
                ]
            ),
        }
