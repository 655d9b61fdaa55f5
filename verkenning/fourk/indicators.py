"""The 4K indicators of the council letter: a scorecard per partner, before and after.

Every indicator is a number with a unit, per partner and for the cooperation, *before* (the status
quo, ``Scenario.status_quo``) and *after* (the scenario in its reference year, the first with every
entrant in and its transition paid). Definitions:

Kostenbeheersing
- ``annual_cost_eur``: what the partner pays in the year (its key share, or stand-alone cost when
  not a member), real euros of the base year; ``standalone_eur`` beside it.
- ``npv_eur``: net present value of the saving against the status quo at the scenario's rate.
- ``cost_per_inhabitant_eur``: annual cost over inhabitants (municipalities only).
- ``avoided_growth_eur``: the part of the NPV that comes from the cooperation's slower cost growth
  (*minder meerkosten*): NPV minus the NPV with that growth switched off. Modelled, never a fact;
  shown for the scenario's key only (the other methods have no NPV without it).

Before and after compare like with like: *before*, a partner that stays a member runs itself what it
will take from the cooperation but does not take yet (its own information management, say), with its
own staff, as the cost status quo counts it; each such role is a role of its own to cover.

Kwaliteitsborging en continuïteit
- A *key role* needs fte: for each service a team takes, ``fixed_fte`` + ``fte_per_unit`` × the
  team's volume of the service's driver, summed per role. A team is a partner alone, or the pooled
  team of the cooperation, which staffs each role once for all members.
- ``coverage_probability``: the chance that every key role serving the partner is covered on a
  given day. A person is away with probability p (``absence_rate``); a role staffed with f fte is
  uncovered with probability p^f (p^k for k people, continued to fractional fte); roles are
  independent, so the chance is Π_r (1 − p^f_r). A role counts when the services have it and its
  workload is above zero: a role without work cannot be left uncovered (one rule, here, in the
  team indicators and in the sweep).
- ``professional_share``: the share of the partner's services all of whose key roles have at least
  ``key_role_min_fte`` fte.
- ``continuity_threshold_met``: whether the team serving the partner runs at least
  ``continuity_min_workstations`` workstations (1,500: HEC on SSC Equalit, Oosterhout 2008).

Kwetsbaarheid verminderen
- ``bus_factor_roles``: key roles serving the partner with fewer than ``key_role_min_fte`` fte: in
  words a council uses, key roles without a standing second person (*zonder vaste tweede persoon*).
- ``dependence_on_centre``: the share of the partner's services it gets from one provider, the
  centre (1 for a member, 0 on its own; the centre itself counts 0: it is the provider).
- ``exit_cost_exposure_eur``: what leaving would cost in the reference year: the exit fee by the
  scenario's ``exit_method`` (``costs.exit_fee_eur``: KB 1985, 3.0 annual shares, by default) plus
  migrating back to its own platform (the transition items, ``costs.transition_items``). 0 for a
  partner that is not a member.
- ``leaver_exposure_eur``: what the partner carries when another member leaves after the reference
  year, for the worst leaver j: the part of j's share its leaving strands (``costs.stranded_eur``:
  x_j − (c(N) − c(N∖j))) for ``exit_bridging_years`` years (ABRvS 2015), less the exit fee j pays,
  at the partner's key part of the stayers' shares, x_p / (Σ x − x_j); 0 when the fee covers it.
  For the centre this is the centre's own exposure.
- Weak points of the dependency graph (cooperation level): services weighted by the services and
  partners that hang on them (``graph.weak_points``).

Kennis vergroten
- ``specialist_roles``: the key roles the team serving the partner staffs with at least one
  dedicated fte.

The conditions (randvoorwaarden) are judged in ``verdicts.py``. A composite score is computed only
when the scenario gives weights (``parameters.fourk_weights``) and is always shown beside its parts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..costs import CostResult, exit_fee_eur, stranded_eur, transition_items
from ..costs.model import CostModel, cost_model
from ..errors import VerkenningError
from ..graph import weak_points
from .verdicts import Verdict, verdicts

__all__ = [
    "FOURK",
    "Indicator",
    "Roles",
    "Scorecard",
    "below",
    "coverage",
    "needed",
    "quality",
    "role_fte",
    "roles",
    "scorecard",
    "team_coverage",
    "team_fte",
]

FOURK = ("kosten", "kwaliteit", "kwetsbaarheid", "kennis")


@dataclass(frozen=True)
class Indicator:
    """One indicator of one partner (or ``samenwerking``), before and after."""

    partner: str
    k: str
    name: str
    unit: str
    before: float
    after: float


@dataclass(frozen=True, eq=False)
class Scorecard:
    """The 4K indicators per partner, the verdicts on the conditions and the weak points."""

    method: str
    year: int
    indicators: tuple[Indicator, ...]
    verdicts: tuple[Verdict, ...]
    weak_points: tuple
    composite: dict[str, tuple[float, float]] | None
    """Partner → (before, after) composite, only when the scenario gives weights."""

    def value(self, partner: str, name: str, when: str = "after") -> float:
        row = next((i for i in self.indicators if i.partner == partner and i.name == name), None)
        if row is None:
            partners = ", ".join(dict.fromkeys(i.partner for i in self.indicators))
            names = ", ".join(dict.fromkeys(i.name for i in self.indicators))
            raise VerkenningError(
                f"no indicator {name!r} of {partner!r}; the partners are {partners}; "
                f"the indicators are {names}"
            )
        return row.after if when == "after" else row.before

    def verdict(self, condition: str) -> Verdict:
        found = next((v for v in self.verdicts if v.condition == condition), None)
        if found is None:
            valid = ", ".join(v.condition for v in self.verdicts)
            raise VerkenningError(f"unknown condition {condition!r}; the conditions are {valid}")
        return found


# ---------------------------------------------------------------------------------------------
# Teams and key roles (over the model's batch axis: the study is one sample, a sweep many)


@dataclass(frozen=True, eq=False)
class Roles:
    """The key roles of a catalogue, sorted by name, and each service's need of each role."""

    names: tuple[str, ...]
    fixed: np.ndarray
    """services × roles: fixed fte."""
    per_unit: np.ndarray
    """services × roles: fte per unit of the service's driver."""


def roles(model: CostModel) -> Roles:
    """The key roles of the model's services (sorted, so results never depend on hash order)."""
    catalogue = {s.id: s for s in model.scenario.services}
    names = tuple(sorted({r for s in model.services for r in catalogue[s].key_roles}))
    fixed = np.zeros((len(model.services), len(names)))
    per_unit = np.zeros_like(fixed)
    for j, service_id in enumerate(model.services):
        for role, need in catalogue[service_id].key_roles.items():
            fixed[j, names.index(role)] += float(need.fixed_fte)
            per_unit[j, names.index(role)] += float(need.fte_per_unit)
    return Roles(names, fixed, per_unit)


def team_fte(model: CostModel, team: list[int], needs: Roles | None = None) -> np.ndarray:
    """n × roles: the workload of the pooled team serving ``team`` (partner indices), per key role.

    Per service the team takes: ``fixed_fte`` + ``fte_per_unit`` × the team's volume of its driver.
    """
    needs = roles(model) if needs is None else needs
    takes = model.takes[team].astype(float)
    taken = (takes.sum(axis=0) > 0).astype(float)
    pooled = (
        np.einsum("ps,nps->ns", takes, model.volume[:, team]) if team else np.zeros((model.n, len(taken)))
    )
    return taken @ needs.fixed + pooled @ needs.per_unit


def needed(model: CostModel, services: np.ndarray, needs: Roles | None = None) -> np.ndarray:
    """roles: whether the services (a mask over ``model.services``) have the role at all."""
    needs = roles(model) if needs is None else needs
    return (services.astype(float) @ ((needs.fixed + needs.per_unit) > 0)) > 0


def coverage(fte: np.ndarray, absence: np.ndarray, used: np.ndarray) -> np.ndarray:
    """n: the chance Π_r (1 − p^f_r) that every key role in use is covered on a given day.

    A role is in use when ``used`` says the services have it and its workload is above zero; a
    role without work cannot be left uncovered.
    """
    active = used & (fte > 0)
    uncovered = np.power(np.asarray(absence, dtype=float)[:, None], np.where(active, fte, 0.0))
    return np.prod(np.where(active, 1.0 - uncovered, 1.0), axis=1)


def below(fte: np.ndarray, minimum: np.ndarray, used: np.ndarray) -> np.ndarray:
    """n: the key roles in use staffed with fewer than ``minimum`` fte (the bus factor)."""
    active = used & (fte > 0)
    return (active & (fte < np.asarray(minimum, dtype=float)[:, None])).sum(axis=1).astype(float)


def role_fte(model: CostModel, members: list[int]) -> dict[str, float]:
    """Fte per key role of the team serving ``members`` (pooled), in the study (first sample)."""
    needs = roles(model)
    fte = team_fte(model, members, needs)[0]
    used = needed(
        model, model.takes[members].any(axis=0) if members else np.zeros(len(model.services), bool), needs
    )
    return {r: float(f) for r, f, u in zip(needs.names, fte, used, strict=True) if u}


def quality(
    model: CostModel,
    partner: int,
    team: list[int],
    absence: float,
    minimum: float,
    own: np.ndarray | None = None,
):
    """Coverage, professional share, bus-factor roles, specialist roles, workstations of a team,
    for the roles of the services ``partner`` takes (the study: first sample).

    ``own`` (a mask over ``model.services``) adds the services the partner runs itself, beside the
    team: their roles are staffed by the partner alone, each a separate role to cover. The status
    quo is judged this way, so that pooling a function a partner already runs compares like with
    like (its own information manager before, the pooled one after).
    """
    needs = roles(model)
    fte = team_fte(model, team, needs)[:1]
    used = needed(model, model.takes[partner], needs)
    catalogue = {s.id: s for s in model.scenario.services}
    by_role = dict(zip(needs.names, fte[0], strict=True))
    services = [model.services[j] for j in np.flatnonzero(model.takes[partner])]
    professional = [
        all(by_role[r] >= minimum for r in catalogue[s].key_roles if by_role[r] > 0) for s in services
    ]
    teams = [(fte, used)]
    if own is not None and own.any():
        alone = own.astype(float)
        own_fte = (alone @ needs.fixed + (alone * model.volume[0, partner]) @ needs.per_unit)[None]
        teams.append((own_fte, needed(model, own, needs)))
        mine = dict(zip(needs.names, own_fte[0], strict=True))
        professional += [
            all(mine[r] >= minimum for r in catalogue[model.services[j]].key_roles if mine[r] > 0)
            for j in np.flatnonzero(own)
        ]
    p, q = np.array([absence]), np.array([minimum])
    workstations = float(sum(model.scenario.partners[i].workstations for i in team))
    return {
        "coverage_probability": float(np.prod([coverage(f, p, u)[0] for f, u in teams])),
        "professional_share": float(np.mean(professional)) if professional else 1.0,
        "bus_factor_roles": float(sum(below(f, q, u)[0] for f, u in teams)),
        "specialist_roles": float(sum((u & (f[0] > 0) & (f[0] >= 1.0)).sum() for f, u in teams)),
        "workstations": workstations,
    }


# ---------------------------------------------------------------------------------------------
# The scorecard


def leaver_exposure(result: CostResult, i: int, k: int, status_quo: bool = False) -> float:
    """What partner index i carries, in euros, when the worst other member leaves after year index k
    (see the module docstring)."""
    member = (result.status_quo_member if status_quo else result.member)[:, k]
    if not member[i]:
        return 0.0
    shares = (result.status_quo_eur if status_quo else result.share_eur)["key"][:, k]
    years = float(result.scenario.parameters.exit_bridging_years)
    worst = 0.0
    for j in np.flatnonzero(member):
        rest = float(np.nansum(shares[member])) - float(shares[j])
        if j == i or rest <= 0:
            continue
        uncovered = years * stranded_eur(result, j, k, status_quo) - exit_fee_eur(result, j, k, status_quo)
        worst = max(worst, float(shares[i]) / rest * max(uncovered, 0.0))
    return worst


def scorecard(result: CostResult, method: str = "key") -> Scorecard:
    """Indicators per partner and for the cooperation, before and after, with the verdicts."""
    scenario = result.scenario
    p = scenario.parameters
    model = result.model
    status_quo_model = cost_model(scenario, scenario.status_quo[1])
    k = result.years.index(result.reference_year)
    absence, minimum = float(p.absence_rate), float(p.key_role_min_fte)
    threshold = float(p.continuity_min_workstations)
    after_team = [int(i) for i in np.flatnonzero(result.member[:, k])]
    before_team = [int(i) for i in np.flatnonzero(result.status_quo_member[:, k])]
    rate = result.rates[0]
    npv = result.npv_eur[method][rate]
    npv_flat = result.npv_without_avoided_growth_eur[rate]
    centre = result.partners.index(scenario.centre)
    rows: list[Indicator] = []
    for i, partner in enumerate(scenario.partners):
        pid = partner.id
        before_member, after_member = result.status_quo_member[i, k], result.member[i, k]
        # like with like: before, what the partner will take and does not get from the cooperation
        # yet, it runs itself (in the cost status quo too)
        own = model.takes[i] & ~status_quo_model.takes[i] if before_member else None
        before_q = quality(
            status_quo_model if before_member else model,
            i,
            before_team if before_member else [i],
            absence,
            minimum,
            own,
        )
        after_q = quality(model, i, after_team if after_member else [i], absence, minimum)
        cost_before = float(result.status_quo_eur[method][i, k])
        cost_after = float(result.cost_eur[method][i, k])
        inhabitants = float(partner.inhabitants)
        back = float(sum(a[0] for a in transition_items(model, i).values()))
        exposure = exit_fee_eur(result, i, k) + back if after_member and i != centre else 0.0
        before_exposure = (
            exit_fee_eur(result, i, k, status_quo=True) + back if before_member and i != centre else 0.0
        )

        def add(kk: str, name: str, unit: str, b: float, a: float, pid: str = pid) -> None:
            rows.append(Indicator(pid, kk, name, unit, float(b), float(a)))

        add("kosten", "annual_cost_eur", "eur", cost_before, cost_after)
        add("kosten", "standalone_eur", "eur", result.standalone_eur[i, k], result.standalone_eur[i, k])
        add("kosten", "npv_eur", "eur", 0.0, npv[i])
        if method == "key":  # the NPV without the cooperation's slower growth is computed for the key only
            add("kosten", "avoided_growth_eur", "eur", 0.0, npv[i] - npv_flat[i])
        if partner.kind == "municipality" and inhabitants > 0:
            add(
                "kosten",
                "cost_per_inhabitant_eur",
                "eur/inwoner",
                cost_before / inhabitants,
                cost_after / inhabitants,
            )
        add(
            "kwaliteit",
            "coverage_probability",
            "kans",
            before_q["coverage_probability"],
            after_q["coverage_probability"],
        )
        add(
            "kwaliteit",
            "professional_share",
            "aandeel",
            before_q["professional_share"],
            after_q["professional_share"],
        )
        add(
            "kwaliteit",
            "continuity_threshold_met",
            "ja/nee",
            before_q["workstations"] >= threshold,
            after_q["workstations"] >= threshold,
        )
        add(
            "kwetsbaarheid",
            "bus_factor_roles",
            "rollen",
            before_q["bus_factor_roles"],
            after_q["bus_factor_roles"],
        )
        add(
            "kwetsbaarheid",
            "dependence_on_centre",
            "aandeel",
            1.0 if before_member and i != centre else 0.0,
            1.0 if after_member and i != centre else 0.0,
        )
        add("kwetsbaarheid", "exit_cost_exposure_eur", "eur", before_exposure, exposure)
        add(
            "kwetsbaarheid",
            "leaver_exposure_eur",
            "eur",
            leaver_exposure(result, i, k, status_quo=True),
            leaver_exposure(result, i, k),
        )
        add("kennis", "specialist_roles", "rollen", before_q["specialist_roles"], after_q["specialist_roles"])
    rows += _cooperation_rows(
        result, status_quo_model, before_team, after_team, absence, minimum, threshold, k
    )
    weights = p.fourk_weights
    composite = _composite(rows, weights) if weights else None
    return Scorecard(
        method=method,
        year=result.reference_year,
        indicators=tuple(rows),
        verdicts=verdicts(result, method),
        weak_points=weak_points(scenario, result.reference_year),
        composite=composite,
    )


def _team(model: CostModel, members: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The pooled team of ``members`` (fte per role, the scenario's own figures) and the roles it needs."""
    used = needed(model, model.takes[members].any(axis=0) if members else np.zeros(len(model.services), bool))
    return team_fte(model, members)[:1], used


def team_coverage(model: CostModel, members: list[int], absence: float) -> float:
    """The cooperation's ``coverage_probability``: the chance that every key role the pooled team of
    ``members`` needs is covered, at an absence rate of ``absence``."""
    return _coverage(*_team(model, members), absence)


def _coverage(fte: np.ndarray, used: np.ndarray, absence: float) -> float:
    return float(coverage(fte, np.array([absence]), used)[0])


def _cooperation_rows(result, status_quo_model, before_team, after_team, absence, minimum, threshold, k):
    model = result.model
    before_fte, before_used = _team(status_quo_model, before_team)
    after_fte, after_used = _team(model, after_team)
    q = np.array([minimum])
    ws = lambda members: float(sum(result.scenario.partners[i].workstations for i in members))  # noqa: E731
    specialists = lambda fte, used: float((used & (fte[0] >= 1)).sum())  # noqa: E731
    name = "samenwerking"
    return [
        Indicator(
            name,
            "kosten",
            "annual_cost_eur",
            "eur",
            float(result.status_quo_cooperation_cost_eur[k]),
            float(result.cooperation_cost_eur[k]),
        ),
        Indicator(
            name,
            "kwaliteit",
            "coverage_probability",
            "kans",
            _coverage(before_fte, before_used, absence),  # team_coverage of the teams above
            _coverage(after_fte, after_used, absence),
        ),
        Indicator(
            name,
            "kwaliteit",
            "continuity_threshold_met",
            "ja/nee",
            float(ws(before_team) >= threshold),
            float(ws(after_team) >= threshold),
        ),
        Indicator(name, "kwaliteit", "workstations", "werkplekken", ws(before_team), ws(after_team)),
        Indicator(
            name,
            "kwetsbaarheid",
            "bus_factor_roles",
            "rollen",
            float(below(before_fte, q, before_used)[0]),
            float(below(after_fte, q, after_used)[0]),
        ),
        Indicator(
            name,
            "kennis",
            "specialist_roles",
            "rollen",
            specialists(before_fte, before_used),
            specialists(after_fte, after_used),
        ),
        Indicator(
            name,
            "kennis",
            "team_fte",
            "fte",
            float((before_fte[0] * before_used).sum()),
            float((after_fte[0] * after_used).sum()),
        ),
    ]


def _composite(rows: list[Indicator], weights) -> dict[str, tuple[float, float]]:
    """Weighted sum of one normalised index per K, before and after (each in [0, 1], higher is better):
    kosten = 1 − cost / stand-alone cost; kwaliteit = coverage probability; kwetsbaarheid = 1 −
    bus-factor roles / key roles; kennis = specialist roles / key roles."""
    out: dict[str, tuple[float, float]] = {}
    partners = dict.fromkeys(r.partner for r in rows if r.partner != "samenwerking")
    for partner in partners:
        get = {r.name: r for r in rows if r.partner == partner}
        roles = max(get["specialist_roles"].after, get["bus_factor_roles"].after, 1.0)
        total_roles = max(roles, get["specialist_roles"].before + get["bus_factor_roles"].before, 1.0)
        scores = []
        for when in ("before", "after"):

            def value(name: str, w: str = when, rows_of: dict = get) -> float:
                return getattr(rows_of[name], w)

            index = {
                "kosten": 1.0 - value("annual_cost_eur") / max(value("standalone_eur"), 1.0),
                "kwaliteit": value("coverage_probability"),
                "kwetsbaarheid": 1.0 - value("bus_factor_roles") / total_roles,
                "kennis": value("specialist_roles") / total_roles,
            }
            total_weight = sum(float(getattr(weights, kk)) for kk in FOURK)
            scores.append(sum(float(getattr(weights, kk)) * index[kk] for kk in FOURK) / total_weight)
        out[partner] = (scores[0], scores[1])
    return out
