"""Dutch labels and the small formatting helpers the report sections share."""

from __future__ import annotations

import math

from ..scenario.baseline import OBTAINED_WORDS
from .html import Markup, euro, number, percent, text

__all__ = [
    "BEARER_LABELS",
    "CHECK_LABELS",
    "CONDITION_LABELS",
    "DRIVER_LABELS",
    "INDICATOR_LABELS",
    "KIND_LABELS",
    "K_LABELS",
    "LINE_LABELS",
    "METHOD_LABELS",
    "OBTAINED_LABELS",
    "PEDIGREE_LABELS",
    "VERDICT_LABELS",
    "check_sentence",
    "discovery_sentence",
    "display",
    "group_text",
    "key_stable_sentence",
    "standalone_origin",
    "together",
    "value_text",
    "verdict_sentence",
    "verdict_text",
]

CONDITION_LABELS = {
    "better_off": "Win-win: elke deelnemer beter af met de wijziging",
    "key_stable": "Verdeelsleutel stabiel: geen groep zelfstandig goedkoper uit",
    "no_profit": "Geen winstoogmerk",
    "transparency": "Transparante kostentoerekening",
    "platform_leads": "Hengelose werkwijzen en infrastructuur leidend",
    "risks_shared": "Risico's gezamenlijk gedragen",
    "value_for_residents": "Toegevoegde waarde voor inwoners",
    "no_extra_risk": "Geen (extra) risico's voor welke partner dan ook",
    "centre_ambitions": "Bijdragen aan de ambities van de centrumgemeente",
    "governance": "Governance helder en werkbaar",
}
CONDITION_SHORT = {
    "better_off": "Beter af",
    "key_stable": "Sleutel stabiel",
    "no_profit": "Geen winst",
    "transparency": "Transparant",
    "platform_leads": "Platform leidend",
    "risks_shared": "Risico's gedeeld",
    "value_for_residents": "Waarde voor inwoners",
    "no_extra_risk": "Geen extra risico",
    "centre_ambitions": "Ambities centrum",
    "governance": "Governance",
}
"""The conditions as column headings (the index of runs), in the order of the letter."""
METHOD_LABELS = {
    "key": "Eigen verdeelsleutel",
    "inhabitants": "Naar inwoners",
    "workstations": "Naar werkplekken",
    "inbreng": "Naar inbreng",
    "fixed": "Vaste percentages",
    "shapley": "Shapley-waarde",
    "nucleolus": "Nucleolus",
    "scrb": "SCRB",
}
BEARER_LABELS = {"entrant": "de toetreder", "key": "alle deelnemers, naar de sleutel", "": "–"}
"""Who carries the transition, in a table of choices."""
NOT_ADMITTED_LABEL = "Niet toetreden (zoals nu)"
OBTAINED_LABELS = OBTAINED_WORDS
PEDIGREE_LABELS = {"source": "bron", "assumption": "aanname", "unsourced": "zonder herkomst"}
VERDICT_LABELS = {
    "pass": "voldaan",
    "fail": "niet voldaan",
    "undetermined": "niet te bepalen",
    "model_choice": "modelkeuze",
}
INDICATOR_LABELS = {
    "annual_cost_eur": "Kosten per jaar",
    "standalone_eur": "Kosten zelfstandig",
    "npv_eur": "Netto contante waarde van het voordeel",
    "avoided_growth_eur": "Waarvan minder meerkosten (gemodelleerd)",
    "cost_per_inhabitant_eur": "Kosten per inwoner",
    "coverage_probability": "Kans dat alle sleutelrollen bezet zijn",
    "professional_share": "Aandeel diensten op professioneel niveau",
    "continuity_threshold_met": "Boven de continuïteitsdrempel (1.500 werkplekken)",
    "workstations": "Werkplekken",
    "bus_factor_roles": "Sleutelrollen zonder vaste tweede persoon (minder dan 2 fte)",
    "dependence_on_centre": "Afhankelijkheid van de centrumgemeente",
    "exit_cost_exposure_eur": "Kosten van uittreden",
    "leaver_exposure_eur": "Blootstelling als een andere deelnemer uittreedt",
    "specialist_roles": "Sleutelrollen met een eigen specialist (ten minste 1 fte)",
    "team_fte": "Fte in sleutelrollen",
}
K_LABELS = {
    "kosten": "Kosten",
    "kwaliteit": "Kwaliteit en continuïteit",
    "kwetsbaarheid": "Kwetsbaarheid",
    "kennis": "Kennis",
}
ROLE_LABELS = {
    "application_admin": "applicatiebeheerder",
    "backup_admin": "beheerder back-up en herstel",
    "ciso": "CISO",
    "contract_manager": "contractmanager",
    "functional_admin": "functioneel beheerder",
    "iam_admin": "beheerder identiteit en toegang",
    "network_admin": "netwerkbeheerder",
    "privacy_officer": "privacy officer (FG)",
    "security_officer": "security officer",
    "servicedesk_agent": "servicedeskmedewerker",
    "system_admin": "systeembeheerder",
    "workstation_admin": "werkplekbeheerder",
}
"""The key roles of the catalogue in Dutch; a role a scenario adds keeps its own name."""


def role(name: str) -> str:
    return ROLE_LABELS.get(name, name.replace("_", " "))


FIELD_LABELS = {
    "inhabitants": "inwoners",
    "fte": "formatie (fte)",
    "workstations": "werkplekken",
    "applications": "applicaties",
    "standalone_annual_cost_eur": "eigen kosten per jaar",
    "retained_annual_cost_eur": "achterblijvende regie per jaar",
    "vat_unrecoverable_share": "niet-terugvorderbaar deel van de btw",
    "volume_growth": "volumegroei per jaar",
    "fixed_annual_cost_eur": "vaste kosten per jaar",
    "unit_annual_cost_eur": "kosten per eenheid per jaar",
    "scale_exponent": "schaalexponent",
    "fixed_fte": "vaste fte",
    "fte_per_unit": "fte per eenheid",
}
"""Partner and service figures in Dutch, for the appendix of assumptions."""
PARAMETER_LABELS = {
    "fixed_share_scale": "Gedeeld vast deel van de kosten (× de kalibratie)",
    "transition_team_fte": "Transitie: projectteam (fte)",
    "transition_team_months": "Transitie: duur van het projectteam (maanden)",
    "transition_migration_eur_per_workstation": "Transitie: migratie (identiteit, data, mail) per werkplek",
    "transition_network_eur": "Transitie: netwerkaansluiting per toetreder",
    "transition_training_eur_per_fte": "Transitie: training per fte",
    "double_running_months": "Dubbele looptijd van contracten zonder contractkalender (maanden)",
    "contract_share": "Aandeel van de kosten dat op contracten loopt (licenties, SaaS)",
    "stranded_book_value_share": "Boekwaarde eigen activa zonder nulmeting (deel van de jaarkosten)",
    "guarantee_share": "Frictie: salaris- en schaalgaranties (aandeel van de fte-kosten per jaar)",
    "guarantee_years": "Frictie: duur van de garanties (jaren)",
    "surplus_fte_share": "Frictie: boventallig deel van het overgaande personeel",
    "surplus_years": "Frictie: duur van de doorbetaling bij boventalligheid (jaren)",
    "social_plan_eur_per_fte": "Frictie: sociaal plan en OR-advies per overgaande fte",
    "retained_fte": "Achterblijvende regie per deelnemer (fte, kleinste deelnemer)",
    "retained_fte_per_100k_inhabitants": "Achterblijvende regie erbij per 100.000 inwoners (fte)",
    "overhead_share": "Overhead van de centrumgemeente op haar directe kosten",
    "capital_charge_share": "Kapitaallasten van het platform (aandeel van de directe kosten)",
    "level_effect_entrant": "Niveau-effect bij de toetreder",
    "cost_growth_standalone": "Kostengroei bij zelfstandig werken (nominaal, per jaar)",
    "cost_growth_cooperation": "Kostengroei binnen de samenwerking (nominaal, per jaar)",
    "inflation": "Inflatie per jaar",
    "volume_growth": "Volumegroei per jaar",
    "exit_cost_share": "Uittredingsvergoeding van de eigen regeling (aandeel van de laatste jaarbijdrage)",
    "exit_bridging_years": "Overbruggingsperiode bij uittreden volgens de directe schade (jaren)",
    "risk_reserve_share": "Risicoreserve (aandeel van de jaarkosten)",
    "coordination_annual_cost_eur_per_organisation": "Coördinatiekosten per organisatie per jaar",
    "fte_annual_cost_eur": "Kosten van een fte per jaar",
    "absence_rate": "Kans dat een medewerker afwezig is",
    "key_role_min_fte": "Minimale fte per sleutelrol",
    "continuity_min_workstations": "Continuïteitsdrempel (werkplekken)",
    "baseline_error_observed": "Meetfout van een waargenomen kostencijfer",
    "baseline_error_estimated": "Meetfout van een geschat kostencijfer",
    "personnel_share": "Aandeel personeel in de ICT-kosten",
    "wage_index": "Loonindex per jaar (meerjarenraming)",
    "nominal_discount_rate": "Nominale discontovoet van de publieke businesscase",
}
"""The model parameters in Dutch."""
LINE_LABELS = {
    "project_team": "Transitie: projectteam",
    "migration": "Transitie: migratie van identiteiten, gegevens en mail",
    "network": "Transitie: netwerkaansluiting",
    "training": "Transitie: training",
    "double_running": "Dubbele lasten van lopende contracten",
    "stranded": "Resterende boekwaarde eigen activa",
    "guarantees": "Frictie: salaris- en schaalgaranties",
    "surplus": "Frictie: boventallig personeel",
    "social_plan": "Frictie: sociaal plan en OR-advies",
    "retained": "Achterblijvende regie (opdrachtgeversrol)",
    "surcharge": "Opslag integrale kostprijs (overhead en kapitaallasten)",
    "vat": "Niet-terugvorderbare btw",
}
"""The business case's lines beside the platform (``costs.lines``), in Dutch."""
BEARER_LABELS = {
    "entrant": "de toetreder",
    "centre": "de centrumgemeente",
    "key": "alle deelnemers naar de sleutel",
}
"""Who bears a line, in Dutch."""
EXIT_METHOD_LABELS = {
    "kb1985": "vijf jaar bijdragen, elk jaar 20% minder (KB 14 mei 1985, AB 1985/424)",
    "damage": "de directe schade met een overbruggingsperiode (ABRvS 15 april 2015)",
    "share": "een vast deel van de laatste jaarbijdrage (de eigen regeling)",
}
"""How a leaver settles, for the risks section."""
CHECK_LABELS = {
    "wgr": "Procedure Wet gemeenschappelijke regelingen",
    "market": "Wet Markt en Overheid",
    "procurement": "Aanbesteden (publiek-publieke samenwerking)",
    "vat": "Btw op de bijdrage",
    "bio": "Informatiebeveiliging: BIO2 en ENSIA",
}
"""The legal and fiscal checks of an entry, in Dutch (``fourk.checklist``)."""


def check_sentence(check, names: dict[str, str]) -> str:
    """A legal or fiscal check's rule and finding in one Dutch sentence (plain text)."""
    who = names.get(check.entrant, check.entrant)
    kind = KIND_LABELS.get(check.kind, check.kind)
    if check.check == "wgr":
        return (
            f"Toetreding van {who} tot een centrumregeling (art. 8 lid 4 Wgr) vraagt de toestemming van de "
            "raad "
            "van elke deelnemer, na wensen en bedenkingen, in een regeling die is bijgewerkt voor de "
            "wijziging "
            "van de Wgr van 1 juli 2022. Niet te bepalen uit de gegevens: dat beslissen de raden."
        )
    if check.check == "market":
        if check.verdict == "pass":
            return (
                f"{who} is een {kind} met een publieke taak: diensten tussen bestuursorganen zijn "
                "uitgezonderd "
                "(art. 25h lid 2 Mededingingswet)."
            )
        if check.verdict == "fail":
            return (
                f"{who} is geen bestuursorgaan met een publieke taak: de integrale kostprijs van de "
                "centrumgemeente is de wettelijke ondergrens van zijn bijdrage (gedragsregel 1). Bij "
                f"levering tegen directe kosten betaalt {who} {_plain_euro(check.amount_eur)} per jaar te "
                "weinig; reken de integrale kostprijs (pricing: integral)."
            )
        return (
            f"{who} is geen bestuursorgaan met een publieke taak: de integrale kostprijs van de "
            "centrumgemeente is de wettelijke ondergrens van zijn bijdrage (gedragsregel 1), en die "
            "betaalt het."
        )
    if check.check == "procurement":
        if check.verdict == "fail":
            return (
                f"{who} is geen publieke partij: de vrijstelling voor publiek-publieke samenwerking "
                "(richtlijn "
                "2014/24/EU art. 12 lid 4) geldt niet; de dienstverlening is een opdracht die aanbesteed "
                "moet worden."
            )
        return (
            f"Publiek-publieke samenwerking met {who} is vrijgesteld van aanbesteden (richtlijn 2014/24/EU "
            "art. 12 "
            "lid 4) bij gemeenschappelijke doelen en minder dan 20% activiteit op de markt. Niet te bepalen: "
            "het aandeel marktactiviteit van de ICT van de centrumgemeente ontbreekt in het scenario."
        )
    if check.check == "vat":
        if check.verdict == "pass":
            if check.kind != "municipality":
                return (
                    f"{who} kan de btw op de bijdrage volgens het scenario volledig terugvragen of aftrekken."
                )
            return (
                f"{who} is een gemeente en compenseert btw op de bijdrage voor haar publieke taak via het "
                "btw-compensatiefonds."
            )
        if check.verdict == "fail":
            return (
                f"{who} kan de btw over de bijdrage niet (volledig) terugvragen: 21% daarvan kost "
                f"{_plain_euro(check.amount_eur)} per jaar en telt mee in zijn kosten (de koepelvrijstelling "
                "geldt in de praktijk niet voor automatisering, Hof Arnhem-Leeuwarden 10 december 2024)."
            )
        return (
            f"{who} is een openbaar lichaam: met ondernemersactiviteiten trekt het alleen het zakelijke "
            "deel van "
            "de btw af. Niet te bepalen: het zakelijke aandeel van zijn activiteiten ontbreekt in het "
            "scenario."
        )
    if check.check == "bio":
        if check.verdict == "pass":
            return (
                f"{who} houdt een eigen CISO en eigen ENSIA-verantwoording (BIO2 5.02.02): de dienst "
                "informatiebeveiliging rekent een CISO per organisatie."
            )
        return (
            f"Voor {who} rekent het scenario geen eigen CISO: BIO2 5.02.02 en ENSIA laten elke organisatie "
            "verantwoordelijk voor haar eigen informatiebeveiliging."
        )
    raise ValueError(f"no wording for the check {check.check!r}")


def field_label(path: str, names: dict[str, str], services: dict[str, str]) -> str:
    """A figure's path (``services.WP.key_roles.workstation_admin.fte_per_unit``) in Dutch words."""
    parts = path.split(".")
    if parts[0] == "parameters" and len(parts) == 2:
        return PARAMETER_LABELS.get(parts[1], parts[1].replace("_", " "))
    if parts[:2] == ["parameters", "transition_phasing"] and len(parts) == 3:
        return f"Transitie: deel in jaar {parts[2]} vanaf toetreding"
    if path == "discount_rate":
        return "Discontovoet"
    if path == "horizon_years":
        return "Looptijd (jaren)"
    if parts[0] == "partners" and len(parts) == 3:
        return f"{names.get(parts[1], parts[1])}: {FIELD_LABELS.get(parts[2], parts[2])}"
    if parts[0] == "services" and len(parts) == 3:
        return f"{services.get(parts[1], parts[1])}: {FIELD_LABELS.get(parts[2], parts[2])}"
    if parts[0] == "services" and len(parts) == 5 and parts[2] == "key_roles":
        service = services.get(parts[1], parts[1])
        return f"{service}: {role(parts[3])}, {FIELD_LABELS.get(parts[4], parts[4])}"
    return path


KIND_LABELS = {"municipality": "gemeente", "public_body": "openbaar lichaam", "other": "overig"}
DRIVER_LABELS = {
    "workstations": "werkplekken",
    "inhabitants": "inwoners",
    "fte": "fte",
    "applications": "applicaties",
    "organisations": "organisaties",
    "fixed": "vast",
    "equal": "gelijk",
    "own": "eigen",
}


KEY_DRIVER_WORDS = {
    "workstations": "naar werkplekken",
    "inhabitants": "naar inwoners",
    "fte": "naar fte",
    "applications": "naar applicaties",
    "equal": "gelijk per organisatie (vaste voet)",
    "own": "per dienst naar de eigen kostendrijver (P×Q)",
}
"""A driver of a designed key, as a regeling would write it."""
KEY_GROUP_LABELS = {
    "basis": "basisdiensten",
    "plus": "plusdiensten",
    "im": "informatiemanagement",
    "governance": "CISO en privacyfunctionaris",
}
PRINCIPLE_LABELS = {
    "equal_gain": "het voordeel gelijk gedeeld (toetreder en huidige deelnemers elk de helft)",
    "nucleolus": "nucleolus",
    "shapley": "Shapley-waarde",
}


def mix_words(mix) -> str:
    """One group's key in a regeling's words: 'basisdiensten: 55% naar werkplekken, 45% naar fte'."""
    group = KEY_GROUP_LABELS.get(mix.group, mix.group)
    if len(mix.weights) == 1:
        parts = KEY_DRIVER_WORDS.get(mix.weights[0][0], mix.weights[0][0])
    else:
        parts = together([f"{w}% {KEY_DRIVER_WORDS.get(d, d)}" for d, w in mix.weights])
    kept = " (blijft zoals nu)" if mix.kept else ""
    rough = " (bij benadering: de diensten hebben nu elk een eigen sleutel)" if not mix.exact else ""
    return f"{group}: {parts}{kept}{rough}"


def standalone_origin(partner) -> str:
    """Whether a partner's stand-alone cost is measured (the nulmeting) or modelled."""
    if partner.observed_cost is not None:
        return f"nulmeting ({OBTAINED_LABELS[partner.observed_cost.how_obtained]})"
    if partner.baseline is not None and partner.baseline.services:
        return "deels nulmeting, deels gemodelleerd"
    return "gemodelleerd"


def display(fragment: Markup):
    """The fragment as a notebook display object (imported lazily: the package runs without IPython)."""
    from IPython.display import HTML

    return HTML(str(fragment))


def value_text(value: float, unit: str) -> str:
    if unit.startswith("eur"):
        return euro(value, 2 if "inwoner" in unit else 0)
    if unit in ("kans", "aandeel"):
        return percent(value)
    if unit == "ja/nee":
        return "ja" if value else "nee"
    return number(value, 0 if float(value).is_integer() else 1)


def verdict_text(value: str) -> Markup:
    return Markup(f'<span class="{text(value)}">{text(VERDICT_LABELS[value])}</span>')


# ---------------------------------------------------------------------------------------------
# The verdicts in words: one sentence per condition, made from its facts


def together(names: list[str]) -> str:
    """'A', 'A en B', 'A, B en C'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} en {names[-1]}"


def _plain_euro(value: float) -> str:
    return euro(value, space=" ")


def group_text(group, players: tuple[str, ...], names: dict[str, str]) -> str:
    """'A, B en C (zonder D): € 1.234 per jaar', naming the partners left out when that is shorter."""
    left_out = [names[p] for p in players if p not in group.members]
    without = f" (zonder {', '.join(left_out)})" if len(group.members) > 1 and len(left_out) <= 2 else ""
    return f"{together([names[m] for m in group.members])}{without}: {_plain_euro(group.amount_eur)} per jaar"


def _moves(adjustment, names: dict[str, str]) -> str:
    """'A betaalt € 1.000 meer, B € 600 minder en C € 400 minder' (largest first; whole euros)."""
    moved = sorted((a for a in adjustment if abs(a[1]) >= 0.5), key=lambda a: -abs(a[1]))
    return together(
        [
            f"{names[p]}{' betaalt' if i == 0 else ''} {_plain_euro(abs(x))} {'meer' if x > 0 else 'minder'}"
            for i, (p, x) in enumerate(moved)
        ]
    )


def _pay(ids, names: dict[str, str]) -> str:
    """'A betaalt' or 'A en B betalen'."""
    return f"{together([names[p] for p in ids])} {'betaalt' if len(ids) == 1 else 'betalen'}"


def key_stable_sentence(verdict, names: dict[str, str]) -> str:
    """Why the key is or is not stable, whether that is the entry's doing, and the smallest fix."""
    year = verdict.year
    if verdict.verdict == "pass":
        return f"In {year} is geen groep deelnemers zelfstandig goedkoper uit (de verdeling ligt in de kern)."
    worst = "; ".join(group_text(g, verdict.players, names) for g in verdict.core_violations[:3])
    more = verdict.core_violation_count - 3
    sentence = f"Zelfstandig goedkoper uit in {year}: {worst}" + (
        f" (en nog {number(more)} groepen)." if more > 0 else "."
    )
    if verdict.status_quo_violations:
        sentence += (
            " Dat geldt ook al in de huidige situatie, zonder de wijziging: het is een eigenschap van de "
            "verdeelsleutel, niet van de toetreding."
        )
    else:
        sentence += " In de huidige situatie is de sleutel wel stabiel: de wijziging maakt hem instabiel."
    if verdict.core_empty:
        return sentence + " Geen verdeling is stabiel: er is altijd een groep die alleen goedkoper uit is."
    moved = sum(x for _, x in verdict.adjustment if x > 0)
    return (
        sentence + f" De kleinste aanpassing die de verdeling stabiel maakt, verschuift {_plain_euro(moved)} "
        f"per jaar: {_moves(verdict.adjustment, names)}."
    )


def no_profit_sentence(verdict, names: dict[str, str]) -> str:
    """The no-profit verdict in Dutch: who is charged above the integral cost price, or why nobody is,
    and what the centre carries itself."""
    rate = f"{verdict.rate:.0%}".replace(".", ",")
    if verdict.max_gap_eur > 0:
        return f"De bijdragen wijken tot {_plain_euro(verdict.max_gap_eur)} af van de kosten."
    if verdict.profits:
        worst = ", ".join(f"{names.get(p, p)} {_plain_euro(x)} in {y}" for p, y, x in verdict.profits[:3])
        return (
            f"Deze verdeling rekent meer dan de integrale kostprijs (directe kosten plus {rate} overhead "
            f"en kapitaallasten): {worst}. Dat is winst op die deelnemers."
        )
    if verdict.pricing == "integral":
        how = f"de integrale kostprijs: de directe kosten plus {rate} overhead en kapitaallasten"
        carried = ""
    else:
        how = "de directe kosten, onder de integrale kostprijs"
        carried = (
            f" De centrumgemeente draagt in {verdict.year} zelf {_plain_euro(verdict.subsidy_eur)} aan "
            f"overhead en kapitaallasten ({rate}) op de bijdragen van de anderen."
        )
    lead = (
        "Modelkeuze: de sleutel rekent"
        if verdict.verdict == "model_choice"
        else "Geen deelnemer betaalt meer dan"
    )
    if verdict.verdict == "model_choice":
        return f"{lead} {how}; niemand betaalt meer dan die prijs.{carried}"
    return f"{lead} de integrale kostprijs; de bijdragen volgen {how}.{carried}"


def verdict_sentence(verdict, names: dict[str, str]) -> str:
    """The evidence of a verdict as one Dutch sentence (plain text; escape it on a page)."""
    year = verdict.year
    if verdict.condition == "better_off":
        problems = []
        if verdict.incumbents_worse:
            problems.append(f"{_pay(verdict.incumbents_worse, names)} meer dan nu")
        if verdict.entrants_worse:
            problems.append(f"{_pay(verdict.entrants_worse, names)} meer dan zelfstandig")
        if problems:
            return "; ".join(problems) + f" (in {year}, of over de hele periode)."
        return f"In {year} betaalt geen deelnemer meer dan nu en geen toetreder meer dan zelfstandig."
    if verdict.condition == "key_stable":
        return key_stable_sentence(verdict, names)
    if verdict.condition == "no_profit":
        return no_profit_sentence(verdict, names)
    if verdict.condition == "transparency":
        if verdict.verdict == "undetermined":
            return (
                f"De verdeling '{verdict.method}' volgt uit de speltheorie, "
                "niet uit een herleidbare sleutel per dienst."
            )
        if verdict.verdict in ("pass", "model_choice"):
            return (
                "Modelkeuze: elke euro van elke deelnemer is herleid tot een dienst en een verdeelsleutel "
                "en de regels tellen op, omdat de eigen sleutel zo is opgebouwd; of de regeling even "
                "herleidbaar is, blijkt niet uit het model."
            )
        return f"{len(verdict.unmatched)} bijdragen zijn niet volledig herleid."
    if verdict.condition == "platform_leads":
        if verdict.verdict == "undetermined":
            return "Er treedt geen deelnemer toe; er is geen migratie."
        if verdict.verdict in ("pass", "model_choice"):
            return (
                "Modelkeuze: het model neemt aan dat toetreders naar het platform van de centrumgemeente "
                "migreren, en rekent die migratie mee: "
                + ", ".join(f"{names[p]} {_plain_euro(a)}" for p, a in verdict.transition_eur)
            )
        return (
            f"Geen migratiekosten voor {together([names[p] for p in verdict.missing])}: "
            "zet de transitieposten (transition_team_fte en verder) boven nul."
        )
    if verdict.condition == "risks_shared":
        if verdict.verdict == "undetermined":
            return f"De samenwerking heeft in {year} geen kosten; er is geen risicoreserve te verdelen."
        carried = (
            f"; {together([names[p] for p in verdict.carrying_none])} dragen niets."
            if verdict.carrying_none
            else " door alle deelnemers."
        )
        prefix = "Modelkeuze: een" if verdict.verdict == "model_choice" else "Een"
        rest = (
            " Wie welk risico werkelijk draagt, volgt uit de regeling, niet uit het model."
            if verdict.verdict == "model_choice"
            else ""
        )
        return (
            f"{prefix} risicoreserve van {_plain_euro(verdict.reserve_eur)} wordt naar rato van de bijdragen "
            f"gedragen{carried}{rest}"
        )
    if verdict.condition == "value_for_residents":
        if verdict.verdict == "undetermined":
            return "Geen gemeenten met inwoners in de studie."
        before, after = _plain_euro(verdict.before_eur), _plain_euro(verdict.after_eur)
        if verdict.verdict == "pass":
            return f"De kosten per inwoner van de deelnemende gemeenten dalen van {before} naar {after}."
        return (
            f"De kosten per inwoner stijgen van {before} naar {after}: "
            "de toetreding of uitbreiding kost de gemeenten samen meer dan zij nu betalen."
        )
    if verdict.condition == "no_extra_risk":
        return (
            "Niet te bepalen als ja of nee: de kans op een nadeel per deelnemer staat bij de onzekerheid "
            "(kans op verlies). Leg vast welke kans aanvaardbaar is (bijvoorbeeld hooguit 10%), dan is "
            "dit te toetsen."
        )
    if verdict.condition == "centre_ambitions":
        centre = names.get(verdict.centre, verdict.centre)
        return (
            f"Niet te bepalen: het model kent de ambities van {centre} niet. Beschrijf ze als meetbare "
            "doelen (bijvoorbeeld dekking van sleutelrollen, kennis in huis), dan toetst de 4K-scorekaart ze."
        )
    if verdict.condition == "governance":
        return (
            "Niet te bepalen met een kostenmodel: of de governance helder en werkbaar is, volgt uit de "
            "regeling (besluitvorming, stemverhouding, uittreden), te beoordelen door de deelnemers."
        )
    raise ValueError(f"no wording for the condition {verdict.condition!r}")


# ---------------------------------------------------------------------------------------------
# Where win-win fails, in words


def _significant(value: float, digits: int = 4) -> int:
    """Decimals that show ``value`` with ``digits`` significant digits (at least two): thresholds such
    as 1.0024 and 0.9983 stay distinct (1,002 and 0,9983, not both 1,00)."""
    if value == 0:
        return 2
    return max(2, digits - 1 - math.floor(math.log10(abs(value))))


def _threshold(path: str, spec, value: float) -> str:
    if spec is not None and spec.factor:
        return f"{percent(value, _significant(100 * value))} van de standaardwaarde"
    if path.endswith("_eur") or path.endswith("_eur_per_organisation") or abs(value) >= 1000:
        return euro(value)
    if any(word in path for word in ("share", "rate", "growth", "effect")) and abs(value) < 1:
        return percent(value, max(1, _significant(100 * value, 3)))
    return number(value, _significant(value))


def share(value: float) -> str:
    """A share as a percentage without false certainty: 99,6% stays 99,6%, never 100%."""
    near_edge = value != round(value) and (value < 0.005 or value > 0.995)
    return percent(value, 1 if near_edge else 0)


def discovery_sentence(discovery, specs: dict, outcome: str = "win-win", own: dict | None = None) -> str:
    """The scenario-discovery box as Dutch sentences (``specs``: path → Uncertainty, for labels;
    ``own``: path → the scenario's own value, to say where the scenario itself lies)."""
    n, failures = discovery.samples, discovery.failures
    if failures == 0:
        return f"In geen van de {number(n)} trekkingen gaat {outcome} verloren."
    if failures == n:
        return f"In alle {number(n)} trekkingen gaat {outcome} verloren."
    if not discovery.conditions:
        return (
            f"{outcome.capitalize()} gaat verloren in {percent(failures / n)} van de trekkingen, "
            "zonder duidelijk patroon."
        )
    phrases = [
        f"{(specs[path].label or path) if path in specs else path} {'boven' if op == '>' else 'onder'} "
        f"{_threshold(path, specs.get(path), value)} ligt"
        for path, op, value in discovery.conditions
    ]
    joined = together(phrases)
    sentence = (
        f"{outcome.capitalize()} gaat vooral verloren als {joined}: daar mislukt het in "
        f"{share(discovery.density)} van de trekkingen, en daar ligt "
        f"{share(discovery.coverage)} van alle "
        f"gevallen waarin het mislukt ({number(failures)} van {number(n)} trekkingen)."
    )
    return sentence + _own_place(discovery, specs, own or {})


def _own_place(discovery, specs: dict, own: dict) -> str:
    """Where the scenario's own values lie against the box: inside it, or close to one of its edges."""
    known = [(path, op, value) for path, op, value in discovery.conditions if path in own]
    if not known:
        return ""
    inside = all((own[path] > value) if op == ">" else (own[path] <= value) for path, op, value in known)
    close = []
    for path, _op, value in known:
        spec = specs.get(path)
        low, high = spec.support() if spec is not None else (value, value)
        width = (high - low) if math.isfinite(high - low) and high > low else abs(value) or 1.0
        if abs(own[path] - value) <= 0.05 * width:
            name = (spec.label or path) if spec is not None else path
            close.append(f"{name} ({_threshold(path, spec, own[path])})")
    if inside:
        return " Het scenario zelf, met zijn eigen waarden, ligt in dit gebied."
    if close:
        return (
            f" De eigen waarde van het scenario ligt vlak bij die grens: {together(close)}; "
            "een kleine afwijking kan de uitkomst omdraaien."
        )
    return ""
