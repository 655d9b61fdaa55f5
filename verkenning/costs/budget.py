"""The multi-year budget a council votes on (meerjarenraming): per partner and year, in nominal euros.

The model works in real euros of the base year. A begroting shows nominal euros of each year,
*structureel* and *incidenteel*, indexed the way a begroting indexes: personnel by the wage index of
the cao, the rest by the price index. For year t (from the base year):

    index_t = π_p · (1 + w)^t + (1 − π_p) · (1 + i)^t

with π_p the personnel share of ICT cost (``personnel_share``), w the wage index (``wage_index``) and
i the price index (the model's ``inflation``). Structural is what the partner pays each year for its
ICT in scope: its contribution to the cooperation while a member, its own stand-alone cost while not;
incidental is what happens once: transition, entry fee and exit fee (and what it receives of them).
The real path's growth (the M&I trend) already carries the wage drift of the past; indexing the
personnel part by a cao above the price index counts the difference again, so the budget leans to
the high side by design, as a begroting should.

Beside the budget, the NPV of the saving at two labelled rates: the MKBA rate (real, the study's own
``discount_rate``) on the real path, and the nominal rate of a *publieke businesscase*
(``nominal_discount_rate``) on the nominal path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .paths import CostResult

__all__ = ["Budget", "budget"]


@dataclass(frozen=True, eq=False)
class Budget:
    """Per partner × year, nominal euros: structural, incidental and their total; the index used."""

    partners: tuple[str, ...]
    years: tuple[int, ...]
    structural_eur: np.ndarray
    """partners × years."""
    incidental_eur: np.ndarray
    index: np.ndarray
    """years: the nominal index of the year (1 in the base year)."""
    npv_nominal_eur: np.ndarray
    """partners: the NPV of the nominal saving against the status quo at ``nominal_rate``."""
    nominal_rate: float

    @property
    def total_eur(self) -> np.ndarray:
        return self.structural_eur + self.incidental_eur

    def facts(self) -> dict[str, dict[str, dict[str, float]]]:
        """partner → year → the three amounts, to the cent (``budget`` in ``results.json``)."""
        return {
            p: {
                str(y): {
                    "structural_eur": round(float(self.structural_eur[i, k]), 2),
                    "incidental_eur": round(float(self.incidental_eur[i, k]), 2),
                    "nominal_total_eur": round(float(self.total_eur[i, k]), 2),
                }
                for k, y in enumerate(self.years)
            }
            for i, p in enumerate(self.partners)
        }


def budget(result: CostResult) -> Budget:
    """The meerjarenraming of every partner over the horizon (see the module docstring)."""
    p = result.scenario.parameters
    t = np.array(result.years) - result.years[0]
    personnel, wage, price = float(p.personnel_share), float(p.wage_index), float(p.inflation)
    index = personnel * (1.0 + wage) ** t + (1.0 - personnel) * (1.0 + price) ** t
    once = result.transition_eur + result.exit_eur + result.entry_fee_eur
    structural_real = result.cost_eur["key"] - once  # its share while a member, else its own cost
    saving_real = result.status_quo_eur["key"] - result.cost_eur["key"]
    rate = float(p.nominal_discount_rate)
    npv_nominal = (saving_real * index / (1.0 + rate) ** t).sum(axis=1)
    return Budget(
        partners=result.partners,
        years=result.years,
        structural_eur=structural_real * index,
        incidental_eur=once * index,
        index=index,
        npv_nominal_eur=npv_nominal,
        nominal_rate=rate,
    )
