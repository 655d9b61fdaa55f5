"""The sections of a study report, as safe HTML (Dutch text; every scenario string escaped).

Each function takes a :class:`~verkenning.report.study.Study` and returns a ``Markup`` fragment;
``display`` wraps it for the notebook. Numbers are formatted the Dutch way and come from the study's
one computation, the same that ``results.json`` is written from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import plots
from ..fourk import growth_path, marginal_effects
from ..graph import partner_closure, service_graph, topological_order
from ..scenario import pedigree
from .html import Markup, euro, number, percent, table, text

if TYPE_CHECKING:
    from .study import Study

__all__ = [
    "CONDITION_LABELS",
    "INDICATOR_LABELS",
    "allocation",
    "assumptions",
    "centre",
    "costs",
    "display",
    "fees",
    "fourk",
    "growth",
    "header",
    "partners",
    "provenance_section",
    "risks",
    "summary",
    "uncertainty",
]

CONDITION_LABELS = {
    "win_win": "Win-win voor elke deelnemer",
    "no_profit": "Geen winstoogmerk",
    "transparency": "Transparante kostentoerekening",
    "platform_leads": "Hengelose werkwijzen en infrastructuur leidend",
    "risks_shared": "Risico's gezamenlijk gedragen",
    "value_for_residents": "Toegevoegde waarde voor inwoners",
}
VERDICT_LABELS = {"pass": "voldaan", "fail": "niet voldaan", "undetermined": "niet te bepalen"}
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
    "bus_factor_roles": "Sleutelrollen met minder dan 2 fte",
    "dependence_on_centre": "Afhankelijkheid van de centrumgemeente",
    "exit_cost_exposure_eur": "Kosten van uittreden",
    "specialist_roles": "Sleutelrollen met ten minste 1 fte",
    "team_fte": "Fte in sleutelrollen",
}
K_LABELS = {
    "kosten": "Kosten",
    "kwaliteit": "Kwaliteit en continuïteit",
    "kwetsbaarheid": "Kwetsbaarheid",
    "kennis": "Kennis",
}
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


def display(fragment: Markup):
    """The fragment as a notebook display object (imported lazily: the package runs without IPython)."""
    from IPython.display import HTML

    return HTML(str(fragment))


def _value(value: float, unit: str) -> str:
    if unit.startswith("eur"):
        return euro(value, 2 if "inwoner" in unit else 0)
    if unit in ("kans", "aandeel"):
        return percent(value)
    if unit == "ja/nee":
        return "ja" if value else "nee"
    return number(value, 0 if float(value).is_integer() else 1)


def _verdict(value: str) -> Markup:
    return Markup(f'<span class="{text(value)}">{text(VERDICT_LABELS[value])}</span>')


def header(study: Study) -> Markup:
    s = study.scenario
    return Markup(
        f"<h1>{text(s.name)}</h1>"
        f'<p class="vraag">{text(s.question)}</p>'
        f'<p class="noot">Strategische verkenning, scenario <code>{text(s.files[0])}</code>; vergeleken met: '
        f"{text(s.status_quo[0])}, andere deelnemers zelfstandig. Bedragen in euro van {s.base_year} "
        f"(reële prijzen); peiljaar {study.year}; horizon {s.base_year}–{s.end_year}.</p>"
    )


def summary(study: Study) -> Markup:
    r, s = study.result, study.scenario
    k = r.years.index(study.year)
    rate = r.rates[0]
    names = study.names
    npv = r.npv_eur["key"][rate]
    now, after = study.column(r.status_quo_eur["key"]), study.column(r.cost_eur["key"])
    verdicts = {v.condition: v for v in study.card.verdicts}
    win = verdicts["win_win"]
    entrants = [names[e] for e in s.entrants()]
    gains = [names[p] for i, p in enumerate(r.partners) if npv[i] > 0.5]
    losses = [names[p] for i, p in enumerate(r.partners) if npv[i] < -0.5]
    total_saving = float(np.sum(now) - np.sum(after))
    sentences = []
    change = f"de toetreding van {', '.join(entrants)}" if entrants else "deze wijziging"
    sentences.append(
        f"Met {text(change)} betalen de deelnemers in {study.year} samen {euro(abs(total_saving))} per jaar "
        f"{'minder' if total_saving >= 0 else 'meer'} dan in de huidige situatie."
    )
    if gains:
        sentences.append(
            f"Voordeel over de hele periode (netto contante waarde bij {percent(rate, 2)}): {text(', '.join(gains))}."
        )
    if losses:
        sentences.append(f"Nadeel: {text(', '.join(losses))}.")
    first = win.evidence.split("; ")[0] + (
        " (en meer, zie de randvoorwaarden)" if "; " in win.evidence else ""
    )
    sentences.append(
        f"Win-win: <span class='{win.verdict}'>{VERDICT_LABELS[win.verdict]}</span> — {text(first)}."
    )
    sentences.append(
        "Het voordeel is een modeluitkomst, geen feit: de netto contante waarde zonder de veronderstelde "
        "lagere kostengroei staat in de kostentabel, en onzekerheden staan in de bijlage met aannames."
    )
    rows = []
    for i, p in enumerate(r.partners):
        win_partner = p not in win.details.get("incumbents_worse", []) and p not in win.details.get(
            "entrants_worse", []
        )
        blocked = any(
            p in g["coalitie"].split("+")
            for g in win.details.get("core_violations", [])
            if "+" not in g["coalitie"]
        )
        rows.append(
            (
                names[p],
                euro(now[i]),
                euro(after[i]),
                euro(now[i] - after[i]),
                euro(npv[i]),
                _verdict("pass" if win_partner and not blocked else "fail") if r.member[i, k] else "–",
            )
        )
    partner_table = table(
        [
            "Deelnemer",
            "Kosten nu",
            "Kosten na",
            "Verschil per jaar",
            f"NCW ({percent(rate, 2)})",
            "Niet slechter af",
        ],
        rows,
        numeric=[False, True, True, True, True, False],
        caption=f"Per deelnemer, {study.year} (euro per jaar; NCW over {s.base_year}–{s.end_year})",
    )
    condition_table = table(
        ["Randvoorwaarde", "Oordeel", "Onderbouwing"],
        [(CONDITION_LABELS[v.condition], _verdict(v.verdict), v.evidence) for v in study.card.verdicts],
        caption="Randvoorwaarden uit de raadsbrief",
    )
    return Markup(f'<div class="kader"><p>{" ".join(sentences)}</p></div>{partner_table}{condition_table}')


def partners(study: Study) -> Markup:
    s = study.scenario
    rows = []
    for p in s.partners:
        member = "vanaf start" if p.joins is None else f"vanaf {p.joins}"
        if p.leaves is not None:
            member += f", tot {p.leaves}"
        rows.append(
            (
                p.name,
                KIND_LABELS[p.kind],
                number(p.inhabitants),
                number(p.fte),
                number(p.workstations),
                number(p.applications),
                member,
                " ".join(partner_closure(s, p)),
            )
        )
    partner_table = table(
        [
            "Deelnemer",
            "Soort",
            "Inwoners",
            "Fte",
            "Werkplekken",
            "Applicaties",
            "Lidmaatschap",
            "Diensten (met afhankelijkheden)",
        ],
        rows,
        numeric=[False, False, True, True, True, True, False, False],
        caption="Deelnemers",
    )
    taken = {sid for p in s.partners for sid in partner_closure(s, p)}
    services = []
    for service_id in topological_order(s):
        sv = s.service(service_id)
        services.append(
            (
                sv.id,
                sv.name,
                sv.package,
                DRIVER_LABELS[sv.driver],
                DRIVER_LABELS.get(sv.allocation_key or sv.driver, ""),
                euro(sv.fixed_annual_cost_eur),
                euro(sv.unit_annual_cost_eur, 0),
                number(sv.scale_exponent, 2),
                "ja" if service_id in taken else "nee",
            )
        )
    service_table = table(
        [
            "Dienst",
            "Naam",
            "Pakket",
            "Kostendrijver",
            "Verdeelsleutel",
            "Vaste kosten",
            "Per eenheid",
            "Schaalexponent",
            "Afgenomen",
        ],
        services,
        numeric=[False, False, False, False, False, True, True, True, False],
        caption="Dienstencatalogus",
    )
    graph = service_graph(s)
    depths: dict[str, int] = {}
    for node in topological_order(s):
        depths[node] = 1 + max((depths[d] for d in graph.successors(node)), default=-1)
    figure = plots.figure_html(
        plots.service_graph_figure(s, depths, taken),
        "Afhankelijkheden tussen de diensten",
        "Een dienst staat rechts van de diensten die hij nodig heeft; "
        "omrand zijn de diensten die in deze studie worden afgenomen.",
    )
    return Markup(partner_table + figure + service_table)


def costs(study: Study) -> Markup:
    r, names = study.result, study.names
    rate = r.rates[0]
    standalone = study.column(r.standalone_eur)
    now = study.column(r.status_quo_eur["key"])
    after = study.column(r.cost_eur["key"])
    figure = plots.figure_html(
        plots.cost_figure(r.partners, [names[p] for p in r.partners], standalone, now, after, study.year),
        "Kosten per deelnemer: zelfstandig, nu en na de wijziging",
    )
    rows = []
    for i, p in enumerate(r.partners):
        rows.append(
            (
                names[p],
                euro(standalone[i]),
                euro(now[i]),
                euro(after[i]),
                *(euro(r.npv_eur["key"][rr][i]) for rr in r.rates),
                euro(r.npv_without_avoided_growth_eur[rate][i]),
                euro(r.npv_other_bearer_eur[rate][i]),
                r.break_even_year[i] or "–",
            )
        )
    header = [
        "Deelnemer",
        "Zelfstandig",
        "Nu",
        "Na",
        *(f"NCW {percent(rr, 2)}" for rr in r.rates),
        "NCW zonder minder meerkosten",
        "NCW als de toetreder de transitie betaalt"
        if study.scenario.parameters.transition_cost_bearer == "key"
        else "NCW als de transitie naar de sleutel gedeeld wordt",
        "Terugverdiend in",
    ]
    cost_table = table(
        header,
        rows,
        numeric=[False] + [True] * (len(header) - 2) + [False],
        caption=f"Kosten in {study.year} en netto contante waarde van het voordeel ten opzichte van nu",
    )
    k = r.years.index(study.year)
    note = (
        f"<p class='noot'>De samenwerking kost in {study.year} {euro(r.cooperation_cost_eur[k])} "
        f"(huidige situatie {euro(r.status_quo_cooperation_cost_eur[k])}). Zelfstandige kosten groeien met "
        f"{percent(float(study.scenario.parameters.cost_growth_standalone))} per jaar (nominaal), de samenwerking "
        f"met {percent(float(study.scenario.parameters.cost_growth_cooperation))}: dat verschil is de "
        "gemodelleerde 'minder meerkosten'. De kolom zonder minder meerkosten laat zien wat er overblijft als "
        "samenwerking de kostengroei niet remt (COELO 2017 vond geen lagere uitgaven door samenwerking).</p>"
    )
    return Markup(figure + cost_table + note)


def allocation(study: Study) -> Markup:
    from ..games import check_core

    r, names = study.result, study.names
    k = r.years.index(study.year)
    members = [i for i in range(len(r.partners)) if r.member[i, k]]
    methods = list(r.share_eur)
    shares = {m: [float(r.share_eur[m][i, k]) for i in members] for m in methods}
    from ..costs import year_game

    game = year_game(r, study.year)
    rows = [
        (names[r.partners[i]], *(euro(shares[m][n]) for m in methods), euro(r.standalone_eur[i, k]))
        for n, i in enumerate(members)
    ]
    in_core = []
    for m in methods:
        check = check_core(game, shares[m], tolerance=1e-7)
        in_core.append(
            Markup("<span class='pass'>ja</span>")
            if check.in_core
            else Markup(f"<span class='fail'>nee</span> ({text(len(check.violations))} groepen)")
        )
    rows.append(("In de kern?", *in_core, ""))
    allocation_table = table(
        ["Deelnemer", *(plots.METHOD_LABELS[m] for m in methods), "Zelfstandig"],
        rows,
        numeric=[False] + [True] * (len(methods) + 1),
        caption=f"Bijdrage per deelnemer onder elke verdeling, {study.year} (euro per jaar; elke kolom telt op tot "
        f"{euro(r.cooperation_cost_eur[k], 2)})",
    )
    figure = plots.figure_html(
        plots.allocation_figure(
            [r.partners[i] for i in members], [names[r.partners[i]] for i in members], shares, study.year
        ),
        "Bijdrage per deelnemer onder elke verdeling",
    )
    note = (
        "<p class='noot'>De eigen verdeelsleutel: basisdiensten naar werkplekken (vaste voet), CISO, privacy "
        "en informatiemanagement naar inwoners, plusdiensten naar afname (P×Q), coördinatie gelijk per "
        "organisatie. 'In de kern' betekent dat geen groep deelnemers zelfstandig goedkoper uit zou zijn. "
        "De Shapley-waarde, nucleolus en SCRB zijn speltheoretische verdelingen van dezelfde kosten.</p>"
    )
    return Markup(allocation_table + figure + note)


def fourk(study: Study) -> Markup:
    card, names = study.card, study.names
    r = study.result
    columns = list(dict.fromkeys(i.partner for i in card.indicators))
    cell = {(i.partner, i.name): i for i in card.indicators}
    rows = []
    for k_name in K_LABELS:
        for name in dict.fromkeys(i.name for i in card.indicators if i.k == k_name):
            cells = []
            for partner in columns:
                found = cell.get((partner, name))
                cells.append(
                    "–"
                    if found is None
                    else f"{_value(found.before, found.unit)} → {_value(found.after, found.unit)}"
                )
            rows.append((K_LABELS[k_name], INDICATOR_LABELS.get(name, name), *cells))
    fourk_table = table(
        ["K", "Indicator", *(names.get(p, "Samenwerking") for p in columns)],
        rows,
        numeric=[False, False] + [True] * len(columns),
        caption=f"De vier K's per deelnemer en voor de samenwerking, nu → na ({study.year})",
    )
    partners = list(r.partners)

    def pair(name: str):
        before = [card.value(p, name, "before") for p in partners]
        after = [card.value(p, name) for p in partners]
        return before, after

    panels = {
        "Kosten: euro per jaar": ("euro per jaar", *pair("annual_cost_eur")),
        "Kwaliteit: kans dat alle sleutelrollen bezet zijn": ("kans", *pair("coverage_probability")),
        "Kwetsbaarheid: sleutelrollen onder 2 fte": ("rollen", *pair("bus_factor_roles")),
        "Kennis: sleutelrollen met ten minste 1 fte": ("rollen", *pair("specialist_roles")),
    }
    figure = plots.figure_html(
        plots.fourk_figure(partners, [names[p] for p in partners], panels),
        "De vier K's per deelnemer, nu en na de wijziging",
    )
    composite = ""
    if card.composite:
        composite = table(
            ["Deelnemer", "Samengestelde score nu", "Na"],
            [(names[p], number(b, 3), number(a, 3)) for p, (b, a) in card.composite.items()],
            numeric=[False, True, True],
            caption="Samengestelde score met de gewichten uit het scenario",
        )
    note = (
        f"<p class='noot'>Bezetting: een medewerker is op een dag met kans {percent(float(study.scenario.parameters.absence_rate))} "
        "afwezig; een rol met f fte is onbezet met kans p^f. Sleutelrollen en hun fte volgen uit de diensten "
        "(zie de bijlage).</p>"
    )
    return Markup(fourk_table + figure + composite + note)


def centre(study: Study) -> Markup:
    r, names = study.result, study.names
    centre_id = study.scenario.centre
    effects = marginal_effects(r)
    rows = [
        (
            names[e.entrant],
            e.year,
            names[e.partner],
            euro(e.delta_annual_cost_eur),
            percent(e.delta_coverage_probability),
            number(e.delta_bus_factor_roles),
            number(e.delta_specialist_roles),
        )
        for e in effects.itertuples()
    ]
    c = r.partners.index(centre_id)
    k = r.years.index(study.year)
    card = study.card
    intro = (
        f"<p>{text(names[centre_id])} betaalt in {study.year} {euro(r.cost_eur['key'][c, k])} "
        f"(nu {euro(r.status_quo_eur['key'][c, k])}); netto contante waarde van het voordeel "
        f"{euro(r.npv_eur['key'][r.rates[0]][c])}. De kans dat alle sleutelrollen bezet zijn gaat van "
        f"{percent(card.value(centre_id, 'coverage_probability', 'before'))} naar "
        f"{percent(card.value(centre_id, 'coverage_probability'))}; het team telt "
        f"{number(card.value('samenwerking', 'team_fte'), 1)} fte in sleutelrollen.</p>"
    )
    effect_table = (
        table(
            [
                "Toetreder",
                "Jaar",
                "Deelnemer",
                "Verschil kosten per jaar",
                "Verschil bezettingskans",
                "Verschil rollen < 2 fte",
                "Verschil rollen ≥ 1 fte",
            ],
            rows,
            numeric=[False, False, False, True, True, True, True],
            caption="Wat elke toetreder verandert voor wie er al is (prijzen en volumes van het basisjaar)",
        )
        if rows
        else "<p>Er treedt geen deelnemer toe.</p>"
    )
    return Markup(intro + effect_table)


def growth(study: Study) -> Markup:
    r, names = study.result, study.names
    path = growth_path(r)
    cost = path[path.indicator == "annual_cost_eur"]
    series = {p: [float(v) for v in grp.sort_values("year").value] for p, grp in cost.groupby("partner")}
    years_of = {p: list(grp.sort_values("year").year) for p, grp in cost.groupby("partner")}
    full_series = {
        p: [
            series[p][years_of[p].index(y)]
            if y in years_of[p]
            else float(r.standalone_eur[r.partners.index(p), k])
            for k, y in enumerate(r.years)
        ]
        for p in series
    }
    figure = plots.figure_html(
        plots.centre_figure(list(r.years), full_series, list(r.partners), names, study.scenario.centre),
        "Jaarlijkse kosten per deelnemer langs het groeipad",
        "Voor toetreding betaalt een deelnemer zijn zelfstandige kosten; in het jaar van toetreding en het jaar "
        "erna komen de transitiekosten erbij.",
    )
    pivot = path.pivot_table(index=["year", "partner"], columns="indicator", values="value").reset_index()
    rows = [
        (
            row.year,
            names[row.partner],
            euro(row.annual_cost_eur),
            percent(row.coverage_probability),
            number(row.bus_factor_roles),
            number(row.specialist_roles),
        )
        for row in pivot.itertuples()
    ]
    path_table = table(
        ["Jaar", "Deelnemer", "Kosten", "Kans alle rollen bezet", "Rollen < 2 fte", "Rollen ≥ 1 fte"],
        rows,
        numeric=[False, False, True, True, True, True],
        caption="De vier K's van elke deelnemer per jaar",
    )
    return Markup(figure + path_table)


def fees(study: Study) -> Markup:
    names = study.names
    if not study.fees:
        return Markup(
            "<p>Er treedt in deze studie geen deelnemer toe; er is geen toetredingsbijdrage te bepalen.</p>"
        )
    rows = [
        (
            names[f.entrant],
            euro(f.marginal_cost_eur),
            euro(f.low_eur),
            euro(f.high_eur),
            euro(f.standalone_eur),
            euro(f.key_share_eur),
            "ja" if f.low_eur - 0.5 <= f.key_share_eur <= f.high_eur + 0.5 else "nee",
        )
        for f in study.fees
    ]
    fee_table = table(
        [
            "Toetreder",
            "Meerkosten (ondergrens)",
            "Kern: laagste",
            "Kern: hoogste",
            "Zelfstandig (bovengrens)",
            "Volgens de sleutel",
            "Sleutel binnen de kern",
        ],
        rows,
        numeric=[False, True, True, True, True, True, False],
        caption=f"Bandbreedte van de jaarlijkse bijdrage van elke toetreder ({study.fees[0].year})",
    )
    figure = plots.figure_html(
        plots.fee_figure(
            [
                (
                    names[f.entrant],
                    f.marginal_cost_eur,
                    f.standalone_eur,
                    f.low_eur,
                    f.high_eur,
                    f.key_share_eur,
                )
                for f in study.fees
            ]
        ),
        "Bandbreedte van de toetredingsbijdrage",
    )
    empty = [f for f in study.fees if f.core_empty]
    note = "<p class='noot'>De kern is leeg: de bandbreedte is die van de kleinste kern.</p>" if empty else ""
    admission = ""
    if study.admission is not None:
        a = study.admission
        chosen = ", ".join(names[c] for c in a.chosen) or "geen"
        admission = (
            f"<p>Van de kandidaten ({text(', '.join(names[c] for c in a.candidates))}) levert toelating van "
            f"<strong>{text(chosen)}</strong> de grootste totale besparing op ({euro(a.saving_eur)} per jaar ten opzichte "
            f"van iedereen zelfstandig; zonder kandidaten {euro(a.saving_without_eur)}) zonder dat een huidige deelnemer "
            f"meer betaalt onder de eigen sleutel.</p>"
        )
    return Markup(fee_table + figure + note + admission)


def risks(study: Study) -> Markup:
    names = study.names
    risk = next(v for v in study.card.verdicts if v.condition == "risks_shared")
    exposure = risk.details.get("exposure_eur", {})
    exit_rows = [
        (names[i.partner], euro(i.after))
        for i in study.card.indicators
        if i.name == "exit_cost_exposure_eur" and i.partner in names
    ]
    reserve = table(
        ["Deelnemer", "Aandeel in de risicoreserve", "Kosten van uittreden"],
        [(names[p], euro(e), dict(exit_rows).get(names[p], "–")) for p, e in exposure.items()],
        numeric=[False, True, True],
        caption=f"Risicoreserve van {euro(risk.details.get('reserve_eur', 0))} naar rato van de bijdragen",
    )
    plan = study.staffing
    staffing = table(
        ["Sleutelrol", "Werklast (fte)", "Bezetting (personen)"],
        [(role, number(plan.workload_fte[role], 2), plan.people[role]) for role in plan.people],
        numeric=[False, True, True],
        caption=f"Bezettingsplan voor een dekking van {percent(plan.target, 0)}: {euro(plan.cost_eur)} per jaar, "
        f"dekking {percent(plan.coverage_probability)}",
    )
    weak = table(
        ["Dienst", "Diensten die ervan afhangen", "Deelnemers die ervan afhangen", "Scharnierpunt"],
        [
            (w.service, w.dependent_services, w.partners, "ja" if w.articulation_point else "nee")
            for w in study.card.weak_points[:6]
        ],
        numeric=[False, True, True, False],
        caption="Zwakke plekken in de dienstenketen",
    )
    return Markup(reserve + staffing + (f"<p class='noot'>{text(plan.note)}</p>" if plan.note else "") + weak)


def assumptions(study: Study) -> Markup:
    rows = [
        (
            row["veld"],
            number(row["waarde"], 4 if abs(row["waarde"]) < 10 else 0),
            row["soort"],
            row["toelichting"],
        )
        for row in pedigree(study.scenario)
    ]
    counts = {kind: sum(1 for r in rows if r[2] == kind) for kind in ("bron", "aanname", "zonder herkomst")}
    intro = (
        f"<p>De cijfers in dit rapport steunen op {counts['bron']} cijfers met een openbare bron, "
        f"{counts['aanname']} aannames met hun onderbouwing en {counts['zonder herkomst']} cijfers zonder vermelde "
        "herkomst (door de opsteller ingevuld).</p>"
    )
    return Markup(
        intro
        + table(
            ["Veld", "Waarde", "Soort", "Bron of onderbouwing"],
            rows,
            numeric=[False, True, False, False],
            caption="Aannames en bronnen",
        )
    )


def provenance_section(study: Study) -> Markup:
    record = study.provenance_record()
    files = table(
        ["Bestand", "SHA-256"],
        [(f["path"], f["sha256"][:16] + "…") for f in record["files"]],
        caption="Invoerbestanden",
    )
    git = record["git"]
    commit = (
        "geen git-versie"
        if not git
        else git["commit"][:12] + (" (met lokale wijzigingen)" if git["uncommitted_changes"] else "")
    )
    software = (
        f"<p class='noot'>verkenning {text(record['verkenning'])}, Python {text(record['python'])}, "
        f"versie {text(commit)}, seed {text(record['seed'])}. Volledige herkomst in manifest.json naast dit rapport.</p>"
    )
    return Markup(files + software)


OUTCOME_LABELS = {
    "win_win": "Win-win (kern, niemand slechter af)",
    "entrant_gains": "Elke toetreder heeft voordeel (NCW > 0)",
    "incumbents_gain": "Elke huidige deelnemer heeft voordeel (NCW > 0)",
}


def uncertainty(study: Study) -> Markup:
    from ..explore import main_outcome

    e = study.exploration
    _, outcome_name = main_outcome(study.scenario)
    probabilities = e.probabilities.set_index("outcome")
    rows = [
        (
            OUTCOME_LABELS[name],
            percent(probabilities.loc[name, "probability"]),
            f"± {number(100 * probabilities.loc[name, 'standard_error'], 1)} procentpunt",
        )
        for name in OUTCOME_LABELS
        if name in probabilities.index
    ]
    intro = (
        f"<p>Het model is {number(e.info['samples'])} keer doorgerekend met trekkingen uit de onzekere invoer "
        f"(Latin hypercube, seed {text(e.seed)}); de aannames en hun bandbreedtes staan hieronder. "
        f"Zo vaak blijft elke uitkomst overeind:</p>"
    )
    chances = table(
        ["Uitkomst", "Kans", "Marge (1 standaardfout)"],
        rows,
        numeric=[False, True, True],
        caption="Hoe zeker zijn de oordelen?",
    )
    keys = [
        (
            plots.METHOD_LABELS.get(name.split(":", 1)[1], name),
            percent(probabilities.loc[name, "probability"]),
        )
        for name in probabilities.index
        if name.startswith("in_core:")
    ]
    key_table = table(
        ["Verdeling", "Kans dat geen groep zelfstandig goedkoper uit is"],
        keys,
        numeric=[False, True],
        caption="De eigen verdeelsleutel tegenover de andere verdelingen, over alle trekkingen",
    )
    finding = f'<div class="kader"><p><strong>Wanneer gaat win-win verloren?</strong> {text(e.discovery.sentence)}</p></div>'
    spread_rows = []
    for partner in study.result.partners:
        npv, cost = e.samples.get(f"npv_eur:{partner}"), e.samples.get(f"cost_eur:{partner}")
        if npv is None or cost is None:
            continue
        q = npv.quantile([0.05, 0.5, 0.95]).to_numpy()
        c = cost.quantile([0.05, 0.5, 0.95]).to_numpy()
        spread_rows.append(
            (study.names[partner], euro(c[0]), euro(c[1]), euro(c[2]), euro(q[0]), euro(q[1]), euro(q[2]))
        )
    spread = table(
        ["Deelnemer", "Kosten 5%", "Kosten mediaan", "Kosten 95%", "NCW 5%", "NCW mediaan", "NCW 95%"],
        spread_rows,
        numeric=[False] + [True] * 6,
        caption=f"Bandbreedte van de kosten in {study.year} en van de netto contante waarde per deelnemer",
    )
    figure = ""
    sensitivity = ""
    if not e.tornado.empty:
        t = e.tornado
        figure = plots.figure_html(
            plots.tornado_figure(
                list(t.label),
                list(t.outcome_at_low),
                list(t.outcome_at_high),
                float(t.base[0]),
                f"{outcome_name} (euro)",
            ),
            f"Gevoeligheid van de {outcome_name} voor elke onzekere invoer",
        )
    if not e.sobol.empty:
        sensitivity = table(
            ["Onzekere invoer", "Eerste-orde-index", "Totale index (95%-interval)"],
            [
                (
                    row.label,
                    number(row.first_order, 2),
                    f"{number(row.total_order, 2)} ({number(row.total_order_low, 2)} – {number(row.total_order_high, 2)})",
                )
                for row in e.sobol.itertuples()
            ],
            numeric=[False, True, True],
            caption=f"Welk deel van de spreiding in de {outcome_name} komt van welke invoer (Sobol-indices)",
        )
    specs = table(
        ["Onzekere invoer", "Verdeling", "Onderbouwing"],
        [
            (
                spec.get("label") or path,
                _distribution_text(spec),
                spec.get("source") or spec.get("assumption", ""),
            )
            for path, spec in e.info["uncertainties"].items()
        ],
        caption="De onzekerheden en hun bandbreedtes",
    )
    orders = ""
    if study.growth_orders is not None and len(study.growth_orders) > 1:
        g = study.growth_orders
        centre = study.scenario.centre
        orders = table(
            [
                "Volgorde van toetreden",
                f"NCW {study.names[centre]}",
                "NCW alle deelnemers",
                "Kans alle rollen bezet",
            ],
            [
                (
                    row["order"],
                    euro(row[f"npv_eur:{centre}"]),
                    euro(row["npv_total_eur"]),
                    percent(row["coverage_probability"]),
                )
                for _, row in g.iterrows()
            ],
            numeric=[False, True, True, True],
            caption="Andere volgordes van dezelfde toetreders op dezelfde momenten",
        )
    return Markup(intro + chances + finding + spread + figure + sensitivity + key_table + orders + specs)


def _distribution_text(spec: dict) -> str:
    kind = spec["distribution"]
    factor = " × de standaardwaarde" if spec.get("factor") else ""

    def n(value: float) -> str:
        return number(value, 0 if abs(value) >= 100 else 3)

    if kind == "uniform":
        return f"uniform {n(spec['low'])} – {n(spec['high'])}{factor}"
    if kind == "triangular":
        return f"driehoek {n(spec['low'])} – {n(spec['mode'])} – {n(spec['high'])}{factor}"
    if kind == "normal":
        return f"normaal, gemiddelde {n(spec['mean'])}, sd {n(spec['sd'])}{factor}"
    if kind == "lognormal":
        return f"lognormaal, mediaan {n(spec['median'])}, sigma {n(spec['sigma'])}{factor}"
    return "een van " + ", ".join(number(v, 4) for v in spec["values"]) + factor
