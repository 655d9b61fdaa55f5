"""Which candidates to admit: the largest saving with no incumbent paying more.

Admission. Among the candidates (the scenario's entrants), choose the set T that maximises the
cooperation's total saving Σ_{p ∈ M∪T} c({p}) − c(M ∪ T), subject to every incumbent (a member of the
status quo M) paying no more under the scenario's key than without any candidate, at base-year
prices. The key's shares are ratios of pooled costs to pooled weights, so the constraint is not
linear in T and a MILP would need the very enumeration it replaces; instead every one of the 2^k
subsets is evaluated at once with array arithmetic (in chunks), which is exact and takes about a
second for k = 20. The tests check it against the key as the cost model computes it, subset by subset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..costs import CostResult
from ..costs.allocation import key_shares
from ..errors import VerkenningError

__all__ = ["ADMIT_MAX_CANDIDATES", "Admission", "admit"]

ADMIT_MAX_CANDIDATES = 20
CHUNK = 1 << 15
CENT = 0.005


@dataclass(frozen=True)
class Admission:
    """The best set of candidates to admit with no incumbent paying more, and what it saves."""

    candidates: tuple[str, ...]
    chosen: tuple[str, ...]
    saving_eur: float
    """The cooperation's total saving against everyone alone, with the chosen candidates."""
    saving_without_eur: float
    """The same without any candidate."""
    incumbent_change_eur: dict[str, float]
    """Per incumbent: key share with the chosen candidates minus without (≤ 0)."""
    subsets: int
    feasible: int


def _evaluate(result: CostResult, incumbents: list[int], candidates: list[int], masks: np.ndarray):
    """Incumbents' key shares and the total saving for subsets of candidates (rows), base year."""
    model = result.model
    standalone = model.standalone()[0]
    level = float(result.scenario.parameters.level_effect_entrant)
    members = np.zeros((len(masks), len(model.partners)))
    members[:, incumbents] = 1.0
    bits = ((masks[:, None] >> np.arange(len(candidates))) & 1).astype(float)
    members[:, candidates] = bits
    lines = model.service_costs(members)
    coordination = model.coordination_cost(members)
    own = np.zeros((1, *members.shape))
    own[0][:, candidates] = bits * (level * standalone[candidates])
    shares = key_shares(model, members, lines, coordination, own)[0]
    saving = members @ standalone - shares.sum(axis=1)
    return shares[:, incumbents], saving


def admit(result: CostResult, candidates: list[str] | None = None) -> Admission:
    """The subset of candidates with the largest total saving that leaves no incumbent paying more."""
    scenario = result.scenario
    ids = list(candidates) if candidates is not None else list(scenario.entrants())
    if len(ids) > ADMIT_MAX_CANDIDATES:
        raise VerkenningError(
            f"{len(ids)} candidates; the exact choice is made for up to {ADMIT_MAX_CANDIDATES}"
        )
    unknown = [c for c in ids if c not in result.partners]
    if unknown:
        raise VerkenningError(f"unknown candidate {unknown[0]!r}")
    incumbents = [result.partners.index(p) for p in scenario.status_quo[1] if p in result.partners]
    candidate_index = [result.partners.index(c) for c in ids]
    if set(incumbents) & set(candidate_index):
        raise VerkenningError("a candidate is already a member of the status quo")
    baseline, saving0 = _evaluate(result, incumbents, candidate_index, np.zeros(1, dtype=np.int64))
    best = (saving0[0], 0, 0)  # saving, -size, -mask: the largest saving, then fewest, then first
    feasible_count = 0
    for start in range(0, 1 << len(ids), CHUNK):
        masks = np.arange(start, min(start + CHUNK, 1 << len(ids)), dtype=np.int64)
        shares, saving = _evaluate(result, incumbents, candidate_index, masks)
        feasible = (shares <= baseline + CENT).all(axis=1)
        feasible_count += int(feasible.sum())
        for mask in masks[feasible]:
            row = int(mask - start)
            candidate = (round(float(saving[row]), 2), -int(mask).bit_count(), -int(mask))
            if candidate > best:
                best = candidate
    mask = -best[2]
    chosen = tuple(c for b, c in enumerate(ids) if mask >> b & 1)
    shares, saving = _evaluate(result, incumbents, candidate_index, np.array([mask], dtype=np.int64))
    change = {result.partners[i]: float(shares[0, n] - baseline[0, n]) for n, i in enumerate(incumbents)}
    return Admission(
        candidates=tuple(ids),
        chosen=chosen,
        saving_eur=float(saving[0]),
        saving_without_eur=float(saving0[0]),
        incumbent_change_eur=change,
        subsets=1 << len(ids),
        feasible=feasible_count,
    )
