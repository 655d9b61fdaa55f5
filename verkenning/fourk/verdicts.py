"""The conditions (randvoorwaarden) of the council letter, each judged pass, fail or undetermined.

- ``win_win``: in the reference year every incumbent pays no more than in the status quo (and its
  NPV is not negative), every entrant no more than on its own, and the shares are in the core of
  that year's cost game: no group of partners pays more than it would on its own (violations
  listed, worst first).
- ``no_profit``: every year the shares add up to the cooperation's cost, to the cent.
- ``transparency``: every euro of the scenario's key is traced to a service and a key, and the trace
  adds up to each partner's share (undetermined for game-theoretic rules, which have no such trace).
- ``platform_leads``: the entrants' migration onto the centre's platform is costed (undetermined
  without entrants).
- ``risks_shared``: a risk reserve (``risk_reserve_share`` of the annual cost) is carried in
  proportion to the shares; it fails when a member carries none of it.
- ``value_for_residents``: the municipal partners' cost per inhabitant does not rise.

Evidence is written in Dutch: it goes into the reports as it stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ..costs import CostResult, year_game
from ..formats import euro
from ..games import check_core

__all__ = ["CONDITIONS", "Verdict", "verdicts"]

CONDITIONS = ("win_win", "no_profit", "transparency", "platform_leads", "risks_shared", "value_for_residents")
VerdictValue = Literal["pass", "fail", "undetermined"]


@dataclass(frozen=True)
class Verdict:
    """A condition of the letter, judged: pass, fail or undetermined, with its evidence (Dutch)."""

    condition: str
    verdict: VerdictValue
    evidence: str
    details: dict = field(default_factory=dict)


def _euro(x: float) -> str:
    return euro(x, space=" ")  # evidence is plain text, also in results.json


def _group_text(group: dict, players: tuple[str, ...], names: dict[str, str]) -> str:
    """'A, B en C (zonder D): € 1.234 per jaar', naming the partners left out when that is shorter."""
    members = group["coalitie"].split("+")
    left_out = [names[p] for p in players if p not in members]
    without = f" (zonder {', '.join(left_out)})" if len(members) > 1 and len(left_out) <= 2 else ""
    return (
        f"{_together([names[m] for m in members])}{without}: {_euro(group['meer_dan_alleen_eur'])} per jaar"
    )


def _together(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} en {names[-1]}"


def verdicts(result: CostResult, method: str = "key") -> tuple[Verdict, ...]:
    """Each condition of the letter judged on the cost result, under ``method`` (default the key)."""
    scenario = result.scenario
    k = result.years.index(result.reference_year)
    year = result.reference_year
    share = result.share_eur[method][:, k]
    cost = result.cost_eur[method][:, k]
    status_quo = result.status_quo_eur[method][:, k]
    standalone = result.standalone_eur[:, k]
    npv = result.npv_eur[method][result.rates[0]]
    incumbents = [
        i for i in range(len(result.partners)) if result.status_quo_member[i, k] and result.member[i, k]
    ]
    entrants = [
        i for i in range(len(result.partners)) if result.member[i, k] and not result.status_quo_member[i, k]
    ]
    out: list[Verdict] = []
    names = {p.id: p.name for p in scenario.partners}

    # win-win: incumbents no worse than today, entrants no worse than alone, shares in the core
    game = year_game(result, year)
    members = [result.partners.index(p) for p in game.players]
    check = check_core(game, share[members], tolerance=1e-7)
    worse_incumbents = [
        result.partners[i] for i in incumbents if cost[i] > status_quo[i] + 0.5 or npv[i] < -0.5
    ]
    worse_entrants = [result.partners[i] for i in entrants if cost[i] > standalone[i] + 0.5]
    groups = [
        {"coalitie": "+".join(v.coalition), "meer_dan_alleen_eur": round(v.amount, 2)}
        for v in check.violations
    ]
    problems = []
    if worse_incumbents:
        problems.append(f"{_together([names[p] for p in worse_incumbents])} betalen meer dan nu")
    if worse_entrants:
        problems.append(f"{_together([names[p] for p in worse_entrants])} betalen meer dan zelfstandig")
    if groups:
        worst = "; ".join(_group_text(g, game.players, names) for g in groups[:3])
        problems.append(f"zelfstandig goedkoper uit: {worst}")
    out.append(
        Verdict(
            "win_win",
            "fail" if problems else "pass",
            ("; ".join(problems) + f" (in {year})")
            if problems
            else f"In {year} betaalt elke deelnemer niet meer dan nu of zelfstandig, en geen groep is "
            "zelfstandig goedkoper uit (de verdeling ligt in de kern).",
            {
                "incumbents_worse": worse_incumbents,
                "entrants_worse": worse_entrants,
                "core_violations": groups,
            },
        )
    )

    # no profit: every year's shares add up to the cooperation's cost, to the cent
    totals = np.round(np.nansum(result.share_eur[method], axis=0) * 100)
    gaps = totals - np.round(result.cooperation_cost_eur * 100)
    out.append(
        Verdict(
            "no_profit",
            "pass" if not gaps.any() else "fail",
            "De bijdragen tellen elk jaar op tot precies de kosten van de samenwerking."
            if not gaps.any()
            else f"De bijdragen wijken tot {abs(gaps).max() / 100:,.2f} euro af van de kosten.",
            {"max_gap_eur": float(abs(gaps).max() / 100)},
        )
    )

    # transparency: the key's trace per service and driver exists and adds up
    if method != "key":
        out.append(
            Verdict(
                "transparency",
                "undetermined",
                f"De verdeling '{method}' volgt uit de speltheorie, "
                "niet uit een herleidbare sleutel per dienst.",
            )
        )
    else:
        traced = {}
        for line_year, line in result.trace:
            traced[line_year, line.partner] = traced.get((line_year, line.partner), 0) + line.cents
        mismatch = [
            (y, p)
            for kk, y in enumerate(result.years)
            for i, p in enumerate(result.partners)
            if result.member[i, kk] and traced.get((y, p), 0) != round(result.share_eur["key"][i, kk] * 100)
        ]
        out.append(
            Verdict(
                "transparency",
                "fail" if mismatch else "pass",
                "Elke euro van elke deelnemer is herleid tot een dienst en een verdeelsleutel; "
                "de regels tellen op."
                if not mismatch
                else f"{len(mismatch)} bijdragen zijn niet volledig herleid.",
                {"lines": len(result.trace), "unmatched": mismatch[:10]},
            )
        )

    # the centre's platform leads: entrants' migration onto it is costed
    joining = [p for p in scenario.partners if p.joins is not None and p.joins > scenario.base_year]
    if not joining:
        out.append(
            Verdict("platform_leads", "undetermined", "Er treedt geen deelnemer toe; er is geen migratie.")
        )
    else:
        missing = [p.id for p in joining if result.transition_eur[result.partners.index(p.id)].sum() <= 0]
        amounts = {
            p.id: round(float(result.transition_eur[result.partners.index(p.id)].sum()), 2) for p in joining
        }
        if scenario.parameters.transition_cost_bearer == "key":
            missing = [] if result.transition_eur.sum() > 0 else missing
        out.append(
            Verdict(
                "platform_leads",
                "fail" if missing else "pass",
                "Migratie naar het platform van de centrumgemeente is in de cijfers opgenomen: "
                + ", ".join(f"{names[p]} {_euro(a)}" for p, a in amounts.items())
                if not missing
                else f"Geen migratiekosten voor {_together([names[p] for p in missing])}: "
                "zet transition_cost_share boven nul.",
                {"transition_eur": amounts},
            )
        )

    # risks shared: a risk reserve split by the shares; every member carries part of it
    reserve = float(scenario.parameters.risk_reserve_share) * float(result.cooperation_cost_eur[k])
    member_ids = [i for i in range(len(result.partners)) if result.member[i, k]]
    weights = share[member_ids]
    if weights.sum() <= 0:
        out.append(
            Verdict(
                "risks_shared",
                "undetermined",
                f"De samenwerking heeft in {year} geen kosten; er is geen risicoreserve te verdelen.",
                {"reserve_eur": 0.0, "exposure_eur": {}},
            )
        )
    else:
        exposure = {
            result.partners[i]: round(reserve * w / weights.sum(), 2)
            for i, w in zip(member_ids, weights, strict=True)
        }
        none = [p for p, e in exposure.items() if e <= 0]
        carried = (
            f"; {_together([names[p] for p in none])} dragen niets." if none else " door alle deelnemers."
        )
        out.append(
            Verdict(
                "risks_shared",
                "fail" if none else "pass",
                f"Een risicoreserve van {_euro(reserve)} wordt naar rato van de bijdragen gedragen{carried}",
                {"reserve_eur": round(reserve, 2), "exposure_eur": exposure},
            )
        )

    # value for residents: cost per inhabitant of the municipal partners goes down
    municipal = [i for i, p in enumerate(scenario.partners) if p.kind == "municipality" and p.inhabitants > 0]
    if not municipal:
        out.append(
            Verdict("value_for_residents", "undetermined", "Geen gemeenten met inwoners in de studie.")
        )
    else:
        inhabitants = sum(float(scenario.partners[i].inhabitants) for i in municipal)
        before = float(status_quo[municipal].sum()) / inhabitants
        after = float(cost[municipal].sum()) / inhabitants
        verdict: VerdictValue = "pass" if after <= before + 1e-9 else "fail"
        reason = (
            f"De kosten per inwoner van de deelnemende gemeenten dalen van {_euro(before)} "
            f"naar {_euro(after)}."
            if verdict == "pass"
            else f"De kosten per inwoner stijgen van {_euro(before)} naar {_euro(after)}: "
            "de toetreding of uitbreiding kost de gemeenten samen meer dan zij nu betalen."
        )
        out.append(
            Verdict("value_for_residents", verdict, reason, {"before_eur": before, "after_eur": after})
        )
    return tuple(out)
