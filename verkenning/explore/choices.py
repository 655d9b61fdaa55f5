"""The decisions a study supports, under uncertainty: which key, who bears the transition, and whether
to admit the entrant at all; how robust each choice is, and what knowing more would be worth.

Every option is a (key, transition bearer) pair, judged on the same samples as the sweep: each
partner's NPV against today's arrangement (the status quo under the scenario's own key), so that a
change of key counts with its re-allocation among the incumbents. An entrant study adds the option
of not admitting it (every NPV zero). Per option: the chance that no partner loses, each partner's
chance of a loss, and the regret: per sample, how much less the worst-off partner has than under the
option that would have been best in that sample (the maximin value of the module's criterion below).

Value of information, for the choice that maximises the worst-off partner's NPV (the win-win
criterion in euros): the expected value of perfect information EVPI = E[max_o V_o] − max_o E[V_o],
and of partial perfect information about one input (or a group), EVPPI, by the regression method
(Strong, Oakley and Brennan 2014, 'Estimating multiparameter partial expected value of perfect
information from a probabilistic sensitivity analysis sample: a nonparametric regression approach',
Medical Decision Making 34): each option's value is regressed on the input (a cubic polynomial per
input, with the pair products within a group), and EVPPI = E[max_o ĝ_o(X)] − max_o E[V_o]. Both are
in euros: what it would be worth to know the input before choosing.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from ..costs import with_bearer
from ..costs.allocation import SIMPLE_KEYS, Exact
from ..scenario import Scenario
from .sampling import Draws
from .vector import plan, projection

__all__ = ["NOT_ADMITTED", "Choices", "choices", "evppi", "value_of_information"]

BATCH_RULES = ("shapley", "scrb")
"""The game rules that are solved over a batch of samples (the nucleolus is one LP per game)."""
KEYS = ("key", *SIMPLE_KEYS, *BATCH_RULES)
BEARERS = ("entrant", "key")
NOT_ADMITTED = ("not_admitted", "")
"""The option of an entrant study to stay as today: every partner's NPV zero."""
SUBSAMPLE = 2000
"""Samples the choices are judged on (the first ones of the sweep, whole replicated hypercubes)."""


@dataclass(frozen=True, eq=False)
class Choices:
    """Every option's NPV per sample and partner, and what follows from them."""

    partners: tuple[str, ...]
    options: tuple[tuple[str, str], ...]
    npv: np.ndarray
    """options × samples × partners: NPV against today's arrangement (members and entrants only)."""
    judged: np.ndarray
    """partners: whether the partner is in the cooperation at the reference year (is judged)."""

    @property
    def value(self) -> np.ndarray:
        """options × samples: the worst-off judged partner's NPV."""
        return self.npv[:, :, self.judged].min(axis=2)

    def robustness(self) -> pd.DataFrame:
        """Per option: P(no partner loses), each partner's P(loss), the mean and 95th percentile regret."""
        judged = self.npv[:, :, self.judged]
        value = self.value
        regret = value.max(axis=0)[None] - value  # against the best option of each sample
        rows = []
        for o, (key, bearer) in enumerate(self.options):
            row = {
                "key": key,
                "bearer": bearer,
                "no_loss": float((judged[o] >= 0).all(axis=1).mean()),
                "regret_mean_eur": float(regret[o].mean()),
                "regret_p95_eur": float(np.quantile(regret[o], 0.95)),
            }
            for p in np.flatnonzero(self.judged):
                row[f"loss_{self.partners[p]}"] = float((self.npv[o, :, p] < 0).mean())
            rows.append(row)
        return pd.DataFrame(rows)

    def evpi(self) -> float:
        """Expected value of perfect information for the choice, in euros."""
        value = self.value
        return float(value.max(axis=0).mean() - value.mean(axis=1).max())


def choices(scenario: Scenario, draws: Draws, limit: int = SUBSAMPLE) -> Choices:
    """Judge every option on the first ``limit`` samples of ``draws`` (see the module docstring)."""
    prepared = plan(scenario, draws.paths, draws.specs)
    options, npvs = [], []
    first = projection(prepared, draws.values[:limit], rules=BATCH_RULES, bearer=BEARERS[0])
    for bearer in BEARERS:  # the bearer moves the entry lines only: the shares and games stay
        run = first if bearer == BEARERS[0] else with_bearer(first, bearer, Exact())
        for key in (*KEYS, "fixed") if "fixed" in run.share else KEYS:
            options.append((key, bearer))
            npvs.append(run.npv(key, against="key"))
    entrants = scenario.entrants()
    if entrants:
        options.append(NOT_ADMITTED)
        npvs.append(np.zeros_like(npvs[0]))
    k = scenario.years.index(scenario.reference_year())
    judged = run.member[:, k] | run.status_quo_member[:, k]
    return Choices(prepared.model.partners, tuple(options), np.array(npvs), judged)


def _features(x: np.ndarray) -> np.ndarray:
    """A cubic polynomial in each column of ``x`` (standardised) and the products of column pairs."""
    z = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    parts = [np.ones((len(z), 1)), z, z**2, z**3]
    parts += [(z[:, i] * z[:, j])[:, None] for i, j in combinations(range(z.shape[1]), 2)]
    return np.hstack(parts)


def evppi(found: Choices, inputs: np.ndarray) -> float:
    """EVPPI of the inputs (samples × columns, the same samples as ``found``), in euros, at least 0."""
    value = found.value
    design = _features(np.asarray(inputs, dtype=float).reshape(len(inputs), -1))
    fitted = design @ np.linalg.lstsq(design, value.T, rcond=None)[0]
    worth = float(fitted.max(axis=1).mean() - value.mean(axis=1).max())
    return min(max(worth, 0.0), found.evpi())


def value_of_information(scenario: Scenario, found: Choices, draws: Draws) -> pd.DataFrame:
    """EVPPI of every uncertain input and of every group of inputs declared to move together, in
    euros, largest first; with the EVPI as the row ``*`` (what knowing everything would be worth)."""
    from ..scenario.schema import PAIR
    from .sampling import correlations_in_force, label

    n = found.npv.shape[1]
    specs = dict(zip(draws.paths, draws.specs, strict=True))
    column = {path: j for j, path in enumerate(draws.paths)}
    groups = {path: (path,) for path in draws.paths}
    for pair in correlations_in_force(scenario):
        a, b = (part.strip() for part in pair.split(PAIR))
        groups[pair] = (a, b)
    rows = [{"inputs": "*", "label": "alles", "evppi_eur": found.evpi()}]
    for name, paths in groups.items():
        values = draws.values[:n, [column[p] for p in paths]]
        named = " en ".join(label(p, specs[p]) for p in paths)
        rows.append({"inputs": name, "label": named, "evppi_eur": evppi(found, values)})
    frame = pd.DataFrame(rows)
    return frame.sort_values("evppi_eur", ascending=False, kind="stable").reset_index(drop=True)
