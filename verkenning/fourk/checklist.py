"""The legal and fiscal checks of an entry, per entrant, each with its rule and source.

Each check is judged from the scenario where its data can decide it, and is otherwise *niet te
bepalen* with what would decide it (``decided_by``), never passed by default. The words are Dutch in
``report/labels.py``; here are the facts. Rules (FACTS §9.5, the sources named in each):

- ``wgr``: joining a centrumregeling (art. 8 lid 4 Wgr) needs every participant council's
  toestemming after *wensen en bedenkingen*, in a regeling actualised for the Wgr amendment of
  1 July 2022. A procedure, not a fact in the data: always undetermined, decided by the councils.
- ``market``: Wet Markt en Overheid. Services between bestuursorganen for a public task are exempt
  (art. 25h lid 2 Mededingingswet): a municipality or public body passes; an organisation of another
  kind is not exempt, and the centre's integral cost price (its key share of the direct cost plus
  ``overhead_share`` and ``capital_charge_share``) is then the legal floor of its charge: it passes
  with integral pricing, and fails with direct pricing, with the shortfall a year.
- ``procurement``: horizontal public–public cooperation is exempt from tendering (Dir. 2014/24/EU
  art. 12(4), Aanbestedingswet 2012 art. 2.24a) only between public bodies with common objectives and
  less than 20% of the activity on the market. An organisation of another kind fails (a service
  contract to be tendered); between public bodies the 20% test needs the centre's market share of its
  ICT activity, which the scenario does not carry: undetermined.
- ``vat``: the centre's charges can carry 21% VAT (the koepelvrijstelling excludes automation
  services in Dutch practice, Hof Arnhem-Leeuwarden 10 Dec 2024, challenged by HvJ EU 22 Jan 2026). A
  municipality reclaims it from the BTW-compensatiefonds for its public task: passes. A public body
  with business activity deducts only its business share: undetermined without that share. Another
  kind pays it in full: fails, with the amount (21% of its charge in the reference year). A partner's
  own ``vat_unrecoverable_share`` decides it: 0 passes, more fails with its amount (the cost model
  counts the same amount in the partner's costs, ``costs.lines``).
- ``bio``: BIO2 5.02.02 and ENSIA keep each organisation responsible for its own information
  security, with a CISO of its own: passes when the entrant takes a service that staffs a CISO per
  organisation (a ``ciso`` role with fte per unit and a per-organisation driver), fails otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..costs import VAT_RATE, CostResult, integral_rates, vat_share

__all__ = ["CHECKS", "Check", "checklist"]

CHECKS = ("wgr", "market", "procurement", "vat", "bio")


@dataclass(frozen=True)
class Check:
    """One legal or fiscal check of one entrant: pass, fail or undetermined, with its facts."""

    check: str
    entrant: str
    verdict: Literal["pass", "fail", "undetermined"]
    kind: str
    decided_by: str = ""
    """What would decide an undetermined check."""
    amount_eur: float = 0.0
    """An amount the check names (the VAT an entrant cannot reclaim), euros a year."""

    def facts(self) -> dict[str, object]:
        return {
            "check": self.check,
            "entrant": self.entrant,
            "verdict": self.verdict,
            "kind": self.kind,
            "decided_by": self.decided_by,
            "amount_eur": round(self.amount_eur, 2),
        }


def _own_ciso(result: CostResult, entrant: int) -> bool:
    catalogue = {s.id: s for s in result.scenario.services}
    taken = [result.model.services[j] for j, t in enumerate(result.model.takes[entrant]) if t]
    return any(
        catalogue[s].driver == "organisations"
        and "ciso" in catalogue[s].key_roles
        and float(catalogue[s].key_roles["ciso"].fte_per_unit) > 0
        for s in taken
    )


def checklist(result: CostResult) -> tuple[Check, ...]:
    """Every check of :data:`CHECKS` for every entrant of the scenario (none without entrants)."""
    scenario = result.scenario
    p = scenario.parameters
    k = result.years.index(result.reference_year)
    rate, charged = integral_rates(p)
    found: list[Check] = []
    for entrant in scenario.entrants():
        i = result.partners.index(entrant)
        partner = scenario.partner(entrant)
        kind = partner.kind
        public = kind in ("municipality", "public_body")
        share = float(result.share_eur["key"][i, k])
        charge = share * charged
        short = share * (1.0 + rate) - charge
        found.append(Check("wgr", entrant, "undetermined", kind, "the councils' toestemming"))
        found.append(
            Check("market", entrant, "pass", kind)
            if public or short <= 0.005
            else Check("market", entrant, "fail", kind, amount_eur=short)
        )
        found.append(
            Check(
                "procurement", entrant, "undetermined", kind, "the centre's share of ICT work on the market"
            )
            if public
            else Check("procurement", entrant, "fail", kind)
        )
        unrecoverable = vat_share(partner)
        if kind == "public_body" and partner.vat_unrecoverable_share is None:
            found.append(Check("vat", entrant, "undetermined", kind, "the entrant's business share"))
        elif unrecoverable > 0:
            found.append(Check("vat", entrant, "fail", kind, amount_eur=VAT_RATE * unrecoverable * charge))
        else:
            found.append(Check("vat", entrant, "pass", kind))
        found.append(Check("bio", entrant, "pass" if _own_ciso(result, i) else "fail", kind))
    return tuple(found)
