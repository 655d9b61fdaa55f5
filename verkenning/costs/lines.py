"""The business case's lines beside the platform: what an entry costs once, and what each member
pays every year besides its share (FACTS §3.5, §9.2). Real euros at base-year prices, like the rest
of the model, arrays n × partners × years.

An entrant e joining in year J (after the base year), with C_e its stand-alone cost in the base year:

- The transition, phased over the years from J by ``transition_phasing`` (shares s_j, default three
  years: PBLQ "in de praktijk zeker drie jaren"): a project team, ``transition_team_fte`` ×
  ``transition_team_months`` / 12 × ``fte_annual_cost_eur``; the migration of identities, data and
  mail, ``transition_migration_eur_per_workstation`` × its workstations; the network connection,
  ``transition_network_eur``; training, ``transition_training_eur_per_fte`` × its fte.
- Double running: each contract of its nulmeting runs until the later of its end date and 1 January
  J plus its notice period; its annual cost counts for the part of each year from J in that time.
  Without a contract calendar: ``contract_share`` × C_e for ``double_running_months`` from J.
  Transition and double running are borne by ``transition_cost_bearer`` (the entrant, or the year's
  members by their key shares).
- Stranded book value, in year J, borne by the entrant: each asset of its nulmeting written down
  straight from its book value at the end of the nulmeting's year to zero at its depreciation end;
  without assets ``stranded_book_value_share`` × C_e.
- Personnel (frictiekosten), for the fte affected (the employed staff of its nulmeting, else
  ``personnel_share`` × C_e / ``fte_annual_cost_eur``) at ``fte_annual_cost_eur`` = w: salary and
  scale guarantees ``guarantee_share`` × w per fte a year for ``guarantee_years``; boventalligheid
  ``surplus_fte_share`` of the fte for ``surplus_years``; a sociaal plan ``social_plan_eur_per_fte``
  per fte in year J. Each borne as ``friction_bearers`` says: the entrant, the centre, or by key.
  A part year (2.5 years) pays the last year in part.

Every member, every year it is a member (in the scenario and in the status quo alike):

- Retained costs r_p: the opdrachtgeversrol it keeps at home (``retained_annual_cost_eur``, else
  (``retained_fte`` + ``retained_fte_per_100k_inhabitants`` × min(inhabitants, 100,000) / 100,000)
  × w), growing as stand-alone costs do. Paid in and out of the status quo alike, they cancel for an
  incumbent; for an entrant they lower what joining can save. In the game they lower each
  singleton's value, c_y({p}) − r_p, coalitions unchanged, so the core, the fee range and the key
  designer see them without a change to any share.
- The integral surcharge (``pricing: integral``): each member but the centre pays
  (``overhead_share`` + ``capital_charge_share``) on its share, and the centre receives it: the
  centre's overhead and capital charge move between partners (they do not change with an entry: the
  centre's overhead, like the overhead a partner keeps, is taken as fixed), and the game, on direct
  costs, is unchanged. With ``pricing: direct`` the centre carries them itself.
- VAT it cannot recover (FACTS §9.5): 21% × ``vat_unrecoverable_share`` of the centre's charges (its
  share plus surcharge), while a member; of what it buys itself, (1 − ``personnel_share``) of its
  stand-alone cost, while not. The share defaults by kind: a municipality 0 (BTW-compensatiefonds), a
  public body 0 (the compensation fund for its public task, deduction for its business activity: a
  body must check its own position), another organisation 1.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from ..scenario.schema import Partner
from .model import CostModel

__all__ = [
    "ENTRY_LINES",
    "FRICTION",
    "STRUCTURAL_LINES",
    "TRANSITION",
    "VAT_BY_KIND",
    "VAT_RATE",
    "affected_fte",
    "asset_values",
    "contract_years",
    "entry_costs",
    "integral_rates",
    "retained",
    "transition_items",
    "vat_share",
]

TRANSITION = ("project_team", "migration", "network", "training", "double_running")
"""The lines ``transition_cost_bearer`` carries."""
FRICTION = ("guarantees", "surplus", "social_plan")
"""The personnel lines, each carried as ``friction_bearers`` says."""
ENTRY_LINES = (*TRANSITION, "stranded", *FRICTION)
"""What an entry costs once (incidenteel)."""
STRUCTURAL_LINES = ("retained", "surcharge", "vat")
"""What a partner pays every year besides its share (structureel)."""
VAT_RATE = 0.21
"""The general Dutch VAT rate (Wet OB 1968 art. 9)."""
VAT_BY_KIND = {"municipality": 0.0, "public_body": 0.0, "other": 1.0}
"""The share of VAT a partner of each kind cannot recover, by default (FACTS §9.5)."""


def integral_rates(parameters) -> tuple[float, float]:
    """The scenario's surcharge on direct cost that makes the centre's integral cost price (overhead
    plus capital charge), and the factor its charges carry on a share (1 + that under integral
    pricing, 1 under direct pricing)."""
    rate = float(parameters.overhead_share) + float(parameters.capital_charge_share)
    return rate, 1.0 + rate if parameters.pricing == "integral" else 1.0


def vat_share(partner: Partner) -> float:
    """The share of VAT on the centre's charges the partner cannot recover (its own, else by kind)."""
    own = partner.vat_unrecoverable_share
    return VAT_BY_KIND[partner.kind] if own is None else float(own)


def contract_years(partner: Partner, years: tuple[int, ...]) -> list[tuple[str, float, np.ndarray]]:
    """Per contract of the partner's nulmeting: (id, annual cost, the fraction of each year it runs on
    after the partner joins)."""
    if partner.joins is None or partner.baseline is None:
        return []
    entry = date(partner.joins, 1, 1)
    out = []
    for contract in partner.baseline.contracts:
        notice = entry + timedelta(days=float(contract.notice_months) * 365.25 / 12)
        until = max(contract.end_date, notice)
        fractions = np.zeros(len(years))
        for k, year in enumerate(years):
            start, end = max(entry, date(year, 1, 1)), min(until, date(year + 1, 1, 1))
            if end > start:
                fractions[k] = (end - start).days / (date(year + 1, 1, 1) - date(year, 1, 1)).days
        out.append((contract.id, float(contract.annual_cost_eur), fractions))
    return out


def asset_values(partner: Partner) -> list[tuple[str, float]]:
    """Per asset of the partner's nulmeting: (id, its book value on 1 January of the year it joins)."""
    if partner.joins is None or partner.baseline is None:
        return []
    measured = date(partner.baseline.year, 12, 31)
    entry = date(partner.joins, 1, 1)
    out = []
    for asset in partner.baseline.assets:
        end = asset.depreciation_end
        if entry <= measured:
            left = 1.0
        elif end <= entry:
            left = 0.0
        else:
            left = (end - entry).days / max((end - measured).days, 1)
        out.append((asset.id, float(asset.book_value_eur) * left))
    return out


def affected_fte(model: CostModel, i: int, base: np.ndarray) -> np.ndarray:
    """n: the fte an entry affects, the employed staff of the nulmeting, else personnel_share × C / w."""
    partner = model.scenario.partners[i]
    if partner.baseline is not None and partner.baseline.staff:
        employed = sum(float(line.fte) for line in partner.baseline.staff if not line.hired)
        return np.full(model.n, employed)
    x = model.inputs
    return x.parameter("personnel_share") * base / x.parameter("fte_annual_cost_eur")


def _spread(years: tuple[int, ...], first: int, length: float) -> list[tuple[int, float]]:
    """(year index, weight) of ``length`` whole or part years from ``first``, within the horizon."""
    out = []
    for j in range(int(np.ceil(length))):
        weight = min(1.0, length - j)
        if first + j in years and weight > 0:
            out.append((years.index(first + j), weight))
    return out


def transition_items(model: CostModel, i: int) -> dict[str, np.ndarray]:
    """Item → n: what migrating partner index i onto a platform costs in all (project team, migration,
    network, training), before phasing; also what migrating back would cost."""
    x = model.inputs
    return {
        "project_team": x.parameter("transition_team_fte")
        * x.parameter("transition_team_months")
        / 12
        * x.parameter("fte_annual_cost_eur"),
        "migration": x.parameter("transition_migration_eur_per_workstation")
        * model.quantity("workstations")[:, i],
        "network": x.parameter("transition_network_eur"),
        "training": x.parameter("transition_training_eur_per_fte") * model.quantity("fte")[:, i],
    }


def entry_costs(model: CostModel, base: np.ndarray) -> dict[str, np.ndarray]:
    """Line → n × partners × years: what each entry's line costs, in the entrant's row (before anyone
    else bears it); ``base`` is the stand-alone cost in the base year (n × partners)."""
    scenario, x = model.scenario, model.inputs
    p, years = scenario.parameters, scenario.years
    shape = (model.n, len(model.partners), len(years))
    out = {line: np.zeros(shape) for line in ENTRY_LINES}
    w = x.parameter("fte_annual_cost_eur")
    for i, partner in enumerate(scenario.partners):
        if partner.joins is None or partner.joins <= years[0]:
            continue
        once = transition_items(model, i)
        for j, share in enumerate(p.transition_phasing.shares):
            if partner.joins + j in years:
                for line, amount in once.items():
                    out[line][:, i, years.index(partner.joins + j)] += share * amount
        contracts = contract_years(partner, years)
        if contracts:
            for _, annual, fractions in contracts:
                out["double_running"][:, i, :] += annual * fractions
        else:
            months = x.parameter("double_running_months")
            for k in range(years.index(partner.joins), len(years)):
                part = np.clip(months / 12 - (k - years.index(partner.joins)), 0.0, 1.0)
                out["double_running"][:, i, k] += x.parameter("contract_share") * base[:, i] * part
        k = years.index(partner.joins)
        assets = asset_values(partner)
        out["stranded"][:, i, k] = (
            sum(value for _, value in assets)
            if assets
            else x.parameter("stranded_book_value_share") * base[:, i]
        )
        fte = affected_fte(model, i, base[:, i])
        for line, rate, length in (
            ("guarantees", x.parameter("guarantee_share") * w, float(p.guarantee_years)),
            ("surplus", x.parameter("surplus_fte_share") * w, float(p.surplus_years)),
        ):
            for k, weight in _spread(years, partner.joins, length):
                out[line][:, i, k] += weight * rate * fte
        out["social_plan"][:, i, years.index(partner.joins)] = x.parameter("social_plan_eur_per_fte") * fte
    return out


def retained(model: CostModel) -> np.ndarray:
    """n × partners: each partner's retained cost a year as a member, at base-year prices."""
    x = model.inputs
    size = np.minimum(model.quantity("inhabitants"), 100_000.0) / 100_000.0
    fte = (
        x.parameter("retained_fte")[:, None]
        + x.parameter("retained_fte_per_100k_inhabitants")[:, None] * size
    )
    by_size = fte * x.parameter("fte_annual_cost_eur")[:, None]
    own = np.array(
        [
            np.nan if q.retained_annual_cost_eur is None else float(q.retained_annual_cost_eur)
            for q in model.scenario.partners
        ]
    )
    return np.where(np.isnan(own), by_size, own)
