"""The descriptive sections of a study report, as safe HTML (Dutch text; every scenario string escaped).

Each function takes a :class:`~verkenning.report.report.Report` and returns a ``Markup`` fragment; the
notebook shows it through ``labels.display``. Numbers are formatted the Dutch way and come from the
study's one computation, the same that ``results.json`` is written from. The sections that judge and
explore (the 4 K's, the centre, fees, risks, uncertainty) are in ``findings.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import plots
from ..costs.lines import FRICTION, TRANSITION, integral_rates
from ..costs.tables import items_table
from ..graph import service_graph, topological_order
from ..scenario import pedigree
from .html import Markup, euro, figure_html, number, percent, table, text, thousands
from .labels import (
    BEARER_LABELS,
    CONDITION_LABELS,
    DRIVER_LABELS,
    KIND_LABELS,
    LINE_LABELS,
    METHOD_LABELS,
    OBTAINED_LABELS,
    PEDIGREE_LABELS,
    PRINCIPLE_LABELS,
    VERDICT_LABELS,
    field_label,
    standalone_origin,
    together,
    verdict_sentence,
    verdict_text,
)

if TYPE_CHECKING:
    from .report import Report

__all__ = ["allocation", "assumptions", "costs", "header", "partners", "provenance_section", "summary"]


def header(study: Report) -> Markup:
    s = study.scenario
    return Markup(
        f"<h1>{text(s.name)}</h1>"
        f'<p class="vraag">{text(s.question)}</p>'
        f'<p class="noot">Strategische verkenning, scenario <code>{text(s.recorded_files[0])}</code>; vergeleken met: '
        f"{text(s.status_quo[0])}, andere deelnemers zelfstandig. Bedragen in euro van {s.base_year} "
        f"(reële prijzen); peiljaar {study.year}; horizon {s.base_year}–{s.end_year}.</p>"
    )


def _wins(value: float) -> str:
    """'wint € 17.000', 'verliest € 3.000' or 'wint noch verliest' (thousands)."""
    if abs(value) < 500:
        return "wint noch verliest"
    return f"{'wint' if value > 0 else 'verliest'} {thousands(abs(value))}"


def _centre_answer(study: Report) -> str:
    """The letter's question first: what the centre gains, decomposed, and when it should decline."""
    r, names = study.costs, study.names
    centre = study.scenario.centre
    c, k, rate = r.partners.index(centre), r.years.index(study.year), r.rates[0]
    who = text(names[centre])
    yearly = float(r.status_quo_eur["key"][c, k] - r.cost_eur["key"][c, k])
    band = study.npv_ranges[centre]
    sentences = [
        f"<strong>Wat wint {who}?</strong> Onder de huidige verdeelsleutel betaalt {who} in {study.year} "
        + (
            f"{thousands(abs(yearly))} per jaar {'minder' if yearly >= 0 else 'meer'} dan nu"
            if abs(yearly) >= 500
            else "evenveel als nu"
        )
        + f"; over {study.scenario.base_year}–"
        f"{study.scenario.end_year} is dat een netto contante waarde van {thousands(band.central_eur)} (90% van de "
        f"trekkingen tussen {thousands(band.low_eur)} en {thousands(band.high_eur)}; kans op verlies "
        f"{percent(band.loss_probability, 0)})."
    ]
    other = float(r.npv_other_bearer_eur[rate][c])
    bearer = study.scenario.parameters.transition_cost_bearer
    sentences.append(
        (
            f"Dat rekent met een toetreder die zijn eigen transitie betaalt; deelt de samenwerking de transitie "
            f"via de sleutel, dan wordt het {thousands(other)}."
            if bearer == "entrant"
            else f"Dat rekent met een transitie die via de sleutel gedeeld wordt; betaalt de toetreder zijn "
            f"eigen transitie, dan wordt het {thousands(other)}."
        )
        if study.scenario.entrants()
        else ""
    )
    moves = []
    change = study.key_design.change_eur.get(centre, 0.0) if study.scenario.entrants() else 0.0
    if abs(change) >= 500:
        moves.append(
            f"de voorgestelde sleutel (zie <em>Voorstel</em>) laat {who} {thousands(abs(change))} per jaar "
            f"{'meer' if change > 0 else 'minder'} betalen"
        )
    stable = dict(study.card.verdict("key_stable").adjustment).get(centre, 0.0)
    if abs(stable) >= 500:
        moves.append(
            f"de kleinste aanpassing die de sleutel stabiel maakt, {thousands(abs(stable))} per jaar "
            f"{'meer' if stable > 0 else 'minder'}"
        )
    if moves:
        sentences.append(
            "Een andere verdeelsleutel verschuift geld tussen de deelnemers, los van de toetreding: "
            + together(moves)
            + "."
        )
    card = study.card
    before = card.value(centre, "coverage_probability", "before")
    after = card.value(centre, "coverage_probability")
    sentences.append(
        f"Op de andere K's: de kans dat alle sleutelrollen op een dag bezet zijn gaat voor {who} van "
        f"{percent(before)} naar {percent(after)}."
    )
    terms = study.entry_terms
    if terms:
        chosen = study.scenario.terms.principle
        floors = together([f"{text(names[t.entrant])} {thousands(t.floor_eur)}" for t in terms])
        gains = together(
            [
                f"{_wins(t.central_gains(t.points[chosen])[centre])} per jaar aan de toetreding van "
                f"{text(names[t.entrant])}"
                for t in terms
            ]
        )
        sentences.append(
            f"{who} zou moeten afzien of opnieuw onderhandelen zolang een toetreder minder betaalt dan wat hij aan "
            f"kosten toevoegt ({floors} per jaar): daaronder betalen de huidige deelnemers mee. Met de "
            f"voorgestelde bijdrage ({text(PRINCIPLE_LABELS[chosen].split(' (')[0])}): {who} {gains}."
        )
    return " ".join(x for x in sentences if x)


def _study_answer(study: Report) -> str:
    """The study's own question: what the entrant captures today, and the contribution to agree."""
    names = study.names
    parts = []
    for t in study.entry_terms:
        who = text(names[t.entrant])
        saving = t.standalone_eur - t.floor_eur
        captured = t.standalone_eur - t.key_share_eur
        share = captured / saving if saving > 0 else float("nan")
        if saving > 0:
            first = (
                f"<strong>Tegen welke bijdrage?</strong> De toetreding van {who} bespaart de deelnemers samen "
                f"{thousands(saving)} per jaar ({t.year}). "
            )
        else:
            first = (
                f"<strong>Tegen welke bijdrage?</strong> De toetreding van {who} kost de deelnemers samen "
                f"{thousands(-saving)} per jaar meer dan ieder apart ({t.year}): wat {who} aan kosten "
                f"toevoegt ({thousands(t.floor_eur)}) is meer dan wat {who} zelfstandig kost "
                f"({thousands(t.standalone_eur)}). "
            )
        first += f"De sleutel rekent {who} {thousands(t.key_share_eur)}, "
        if t.key_share_eur < t.floor_eur:
            first += (
                f"minder dan wat {who} aan kosten toevoegt ({thousands(t.floor_eur)}): {who} "
                f"{_wins(captured)} per jaar{', meer dan de hele gezamenlijke besparing' if saving > 0 else ''}, "
                f"en de huidige deelnemers betalen samen {thousands(t.floor_eur - t.key_share_eur)} per jaar mee."
            )
        else:
            first += (
                f"zodat {who} {percent(share, 0)} van die besparing krijgt ({thousands(captured)} per jaar)."
            )
        chosen = study.scenario.terms.principle
        y = t.points[chosen]
        gains = t.central_gains(y)
        incumbents = [p for p in t.members if p != t.entrant]
        first += (
            f" Een redelijke bijdrage ligt tussen {thousands(t.floor_eur)} (wat {who} toevoegt) en "
            f"{thousands(t.standalone_eur)} (zelfstandig)."
            if saving > 0
            else f" Geen bijdrage laat dan zowel {who} als de huidige deelnemers winnen."
        )
        first += (
            f" Voorstel: {thousands(y)} per jaar, {text(PRINCIPLE_LABELS[chosen])}; dan per jaar: "
            + together([f"{text(names[p])} {_wins(gains[p])}" for p in [*incumbents, t.entrant]])
            + "."
        )
        probability = float(t.probability(y))
        first += (
            f" Over de onzekerheid heeft iedereen bij die bijdrage voordeel in {percent(probability, 0)} van de "
            "trekkingen"
            + (
                f"; geen vaste bijdrage haalt {percent(t.target, 0)}: de onzekerheid over de kosten is groter dan "
                "wat een bijdrage kan verdelen."
                if t.low_eur is None
                else "."
            )
            + _pricing_sentence(study)
        )
        parts.append(first)
    return " ".join(parts)


def _pricing_sentence(study: Report) -> str:
    """Whether the centre's charges cover its integral cost price, from the no-profit verdict."""
    v = next(v for v in study.card.verdicts if v.condition == "no_profit")
    if v.profits or v.max_gap_eur:
        return " De bijdragen rekenen meer dan de integrale kostprijs (zie Geen winstoogmerk)."
    if v.pricing == "integral":
        return " De bijdragen dekken de integrale kostprijs van de centrumgemeente."
    return (
        f" De centrumgemeente rekent haar directe kosten en draagt zelf {thousands(v.subsidy_eur)} per jaar "
        f"aan overhead en kapitaallasten op de bijdragen van de anderen ({v.year}; zie Geen winstoogmerk)."
    )


def _verdict_lines(study: Report) -> str:
    """The two win-win verdicts (the entry and the key), and a sentence that reconciles point and chance."""
    from ..explore import Outcome

    names = study.names
    verdicts = {v.condition: v for v in study.card.verdicts}
    lines = []
    for condition in ("better_off", "key_stable"):
        v = verdicts[condition]
        why = verdict_sentence(v, names)
        if condition == "key_stable" and v.verdict == "fail":
            worst = v.core_violations[0]
            why = (
                f"{number(v.core_violation_count)} groepen zijn zelfstandig goedkoper uit, het meest "
                f"{together([names[m] for m in worst.members])}: {thousands(worst.amount_eur)} per jaar. "
                + (
                    "Dat is al zo in de huidige situatie: een eigenschap van de sleutel, niet van de toetreding."
                    if v.status_quo_violations
                    else "In de huidige situatie is de sleutel wel stabiel."
                )
                + (
                    " Geen verdeling is stabiel."
                    if v.core_empty
                    else f" De kleinste aanpassing die hem stabiel maakt, verschuift "
                    f"{thousands(sum(x for _, x in v.adjustment if x > 0))} per jaar (zie de randvoorwaarden)."
                )
            )
        lines.append(
            f"{CONDITION_LABELS[condition]}: <span class='{v.verdict}'>{VERDICT_LABELS[v.verdict]}</span> — "
            f"{text(why)}"
        )
    point = all(verdicts[c].verdict == "pass" for c in ("better_off", "key_stable"))
    chance = study.exploration.probabilities[Outcome("win_win")].probability
    reconcile = (
        f"Beide oordelen gelden bij de waarden van het scenario; over de onzekere invoer geldt win-win (beide "
        f"tegelijk) in {percent(chance, 0)} van de trekkingen."
    )
    if point and chance < 0.5:
        reconcile += (
            " Het scenario zelf valt dus gunstig uit, maar de meeste trekkingen niet: reken niet op het "
            "centrale geval (zie <em>Onzekerheid</em> voor waar het misgaat)."
        )
    elif not point and chance >= 0.5:
        reconcile += (
            " Het scenario zelf valt dus ongunstig uit, terwijl de meeste trekkingen slagen: de eigen waarden "
            "liggen in of vlak bij het gebied waar het misgaat (zie <em>Onzekerheid</em>)."
        )
    return "<ul>" + "".join(f"<li>{x}</li>" for x in lines) + f"</ul><p>{reconcile}</p>"


def summary(study: Report) -> Markup:
    r, s = study.costs, study.scenario
    k = r.years.index(study.year)
    rate = r.rates[0]
    names = study.names
    npv = r.npv_eur["key"][rate]
    now, after = study.column(r.status_quo_eur["key"]), study.column(r.cost_eur["key"])
    verdicts = {v.condition: v for v in study.card.verdicts}
    better = verdicts["better_off"]
    total_saving = float(np.sum(now) - np.sum(after))
    entrants = [names[e] for e in s.entrants()]
    change = f"de toetreding van {together(entrants)}" if entrants else "deze wijziging"
    overall = (
        f"Met {text(change)} betalen de deelnemers in {study.year} samen {thousands(abs(total_saving))} per jaar "
        f"{'minder' if total_saving >= 0 else 'meer'} dan in de huidige situatie. Het voordeel is een "
        "modeluitkomst, geen feit: de tabel geeft per deelnemer de netto contante waarde met de band waarin 90% "
        "van de trekkingen uit de onzekere invoer valt, de kans op verlies, en het geval zonder structurele "
        "besparing (geen gedeeld vast deel en geen lagere kostengroei, zoals COELO in 2017 voor gemeentelijke "
        "samenwerking vond). Bedragen in de samenvatting zijn afgerond op duizenden euro's."
    )
    ranges = study.npv_ranges
    without = study.no_saving.npv_eur["key"][rate]
    rows = []
    for i, p in enumerate(r.partners):
        band = ranges[p]
        worse = p in better.incumbents_worse or p in better.entrants_worse
        rows.append(
            (
                names[p],
                thousands(now[i]),
                thousands(after[i]),
                thousands(now[i] - after[i]),
                thousands(npv[i]),
                f"{thousands(band.low_eur)} tot {thousands(band.high_eur)}",
                percent(band.loss_probability, 0),
                thousands(without[i]),
                verdict_text("fail" if worse else "pass") if r.member[i, k] else "–",
            )
        )
    partner_table = table(
        [
            "Deelnemer",
            "Kosten nu",
            "Kosten na",
            "Verschil per jaar",
            f"NCW ({percent(rate, 2)})",
            "NCW, band 5%–95%",
            "Kans op verlies",
            "NCW zonder structurele besparing",
            "Niet slechter af",
        ],
        rows,
        numeric=[False, True, True, True, True, True, True, True, False],
        caption=f"Per deelnemer, {study.year} (euro per jaar, afgerond op duizenden; NCW over "
        f"{s.base_year}–{s.end_year})",
    )
    condition_table = table(
        ["Randvoorwaarde", "Oordeel", "Onderbouwing"],
        [
            (CONDITION_LABELS[v.condition], verdict_text(v.verdict), verdict_sentence(v, names))
            for v in study.card.verdicts
        ],
        caption="Randvoorwaarden uit de raadsbrief",
    )
    answers = [_centre_answer(study)]
    if study.entry_terms:
        answers.append(_study_answer(study))
    box = "".join(f"<p>{a}</p>" for a in answers) + _verdict_lines(study) + f"<p>{overall}</p>"
    return Markup(f'<div class="kader">{box}</div>{partner_table}{condition_table}')


def partners(study: Report) -> Markup:
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
                " ".join(s.taken_by(p)),
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
    partner_table += _inhabitant_sources(s)
    taken = {sid for p in s.partners for sid in s.taken_by(p)}
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
    figure = figure_html(
        plots.service_graph_figure(s, depths, taken),
        "Afhankelijkheden tussen de diensten",
        "Een dienst staat rechts van de diensten die hij nodig heeft; "
        "omrand zijn de diensten die in deze studie worden afgenomen.",
    )
    return Markup(partner_table + _baselines(study) + figure + service_table)


def _baselines(study: Report) -> str:
    """The partners' nulmeting: measured costs, staff, contracts, applications and assets."""
    measured = [p for p in study.scenario.partners if p.baseline is not None]
    if not measured:
        return ""
    rows = []
    for p in measured:
        b = p.baseline
        costs = [(f"in totaal ({b.year})", b.whole_cost)] if b.whole_cost is not None else []
        costs += [(f"{sid} ({b.year})", cost) for sid, cost in sorted(b.services.items())]
        for what, cost in costs:
            rows.append(
                (
                    p.name,
                    what,
                    euro(cost),
                    OBTAINED_LABELS[cost.how_obtained],
                    cost.source or cost.assumption or "",
                )
            )
    cost_table = table(
        ["Deelnemer", "Kosten", "Bedrag per jaar", "Verkregen", "Bron of onderbouwing"],
        rows,
        numeric=[False, False, True, False, False],
        caption="Nulmeting: gemeten kosten (vervangen de gemodelleerde kosten)",
    )
    contracts = [
        (
            p.name,
            c.supplier,
            c.covers,
            euro(c.annual_cost_eur),
            c.end_date.isoformat(),
            number(c.notice_months),
        )
        for p in measured
        for c in p.baseline.contracts
    ]
    assets = [
        (p.name, a.description, euro(a.book_value_eur), a.depreciation_end.isoformat())
        for p in measured
        for a in p.baseline.assets
    ]
    staff = [
        (p.name, line.role, number(line.fte, 1), "inhuur" if line.hired else "eigen personeel")
        for p in measured
        for line in p.baseline.staff
    ]
    staff_table = _listed(["Deelnemer", "Rol", "Fte", "Dienstverband"], staff, [2], "Nulmeting: personeel")
    contract_table = _listed(
        ["Deelnemer", "Leverancier", "Dekt", "Kosten per jaar", "Einddatum", "Opzegtermijn (maanden)"],
        contracts,
        [3, 5],
        "Nulmeting: lopende contracten",
    )
    asset_table = _listed(
        ["Deelnemer", "Activum", "Boekwaarde", "Afgeschreven in"],
        assets,
        [2],
        "Nulmeting: activa op de balans",
    )
    return cost_table + staff_table + contract_table + asset_table


def costs(study: Report) -> Markup:
    r, names = study.costs, study.names
    rate = r.rates[0]
    standalone = study.column(r.standalone_eur)
    now = study.column(r.status_quo_eur["key"])
    after = study.column(r.cost_eur["key"])
    figure = figure_html(
        plots.cost_figure(r.partners, [names[p] for p in r.partners], standalone, now, after, study.year),
        "Kosten per deelnemer: zelfstandig, nu en na de wijziging",
    )
    rows = []
    for i, p in enumerate(r.partners):
        rows.append(
            (
                names[p],
                euro(standalone[i]),
                standalone_origin(study.scenario.partner(p)),
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
        "Herkomst zelfstandig",
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
        numeric=[False, True, False] + [True] * (len(header) - 4) + [False],
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
    return Markup(figure + cost_table + note + _lines(study) + _budget(study))


def _lines(study: Report) -> str:
    """The business case's lines beside the platform: per partner, each line over the horizon, who
    bears it, and the entrants' contracts and assets one by one."""
    r, names, p = study.costs, study.names, study.scenario.parameters
    bearers = {line: BEARER_LABELS[p.transition_cost_bearer] for line in TRANSITION} | {
        "stranded": BEARER_LABELS["entrant"],
        **{line: BEARER_LABELS[getattr(p.friction_bearers, line)] for line in FRICTION},
        "retained": "elke deelnemer zelf",
        "surcharge": "de deelnemers naast de centrumgemeente, ten gunste van haar",
        "vat": "de deelnemer zelf",
    }
    rows = [
        [names[q], LINE_LABELS[line], bearers[line], euro(amounts[i].sum())]
        for i, q in enumerate(r.partners)
        for line, amounts in r.lines_eur.items()
        if abs(amounts[i].sum()) >= 0.005
    ]
    if not rows:
        return ""
    items = items_table(r)
    detail = ""
    if not items.empty:
        parts = [
            f"{text(names[e])}, {'contract' if line == 'double_running' else 'activum'} {text(item)}: "
            f"{euro(group['eur'].sum())}"
            for (e, line, item), group in items.groupby(["entrant", "line", "item"], sort=False)
        ]
        detail = f" Per contract en activum uit de nulmeting: {'; '.join(parts)}."
    rate = percent(integral_rates(p)[0], 0)
    pricing = (
        f"De centrumgemeente rekent de integrale kostprijs: {rate} overhead en kapitaallasten op de directe kosten."
        if p.pricing == "integral"
        else f"De centrumgemeente rekent de directe kosten en draagt haar overhead en kapitaallasten ({rate}) zelf."
    )
    return (
        table(
            ["Deelnemer", "Post", "Gedragen door", f"Totaal {r.years[0]}–{r.years[-1]}"],
            rows,
            numeric=[False, False, False, True],
            caption="Posten naast het platform over de looptijd (euro van het basisjaar)",
        )
        + "<p class='noot'>Eenmalig bij toetreding: de transitie (projectteam, migratie, netwerk, training, "
        f"gefaseerd over {len(p.transition_phasing.shares)} jaar), dubbele lasten van contracten die na "
        "toetreding doorlopen, de resterende boekwaarde van eigen activa en de frictiekosten van het "
        "personeel. Elk jaar: de regie die elke deelnemer zelf houdt (bij zittende deelnemers nu en straks "
        "gelijk, bij een toetreder minder besparing), de opslag voor de integrale kostprijs en btw die een "
        f"deelnemer niet kan terugvragen. {pricing}{detail} Elke post is een aanname met bandbreedte; zie de "
        "bijlage met aannames.</p>"
    )


BUDGET_YEARS = 4
"""The begrotingsjaar and the three years after it: the meerjarenraming a council votes on."""


def _budget(study: Report) -> str:
    """The meerjarenraming: per partner structural and incidental, nominal, years as columns."""
    b, r, names = study.budget, study.costs, study.names
    shown = list(range(min(BUDGET_YEARS, len(b.years))))
    rows = []
    for i, p in enumerate(b.partners):
        for label, values in (("structureel", b.structural_eur[i]), ("incidenteel", b.incidental_eur[i])):
            rows.append([names[p], label, *(euro(values[k]) for k in shown), euro(values.sum())])
        rows.append(
            [names[p], "totaal", *(euro(b.total_eur[i, k]) for k in shown), euro(b.total_eur[i].sum())]
        )
    p = study.scenario.parameters
    header = ["Deelnemer", "Lasten", *(str(b.years[k]) for k in shown), f"Totaal {b.years[0]}–{b.years[-1]}"]
    rate = r.rates[0]
    npv = "; ".join(
        f"{text(names[q])} {euro(r.npv_eur['key'][rate][i])} (MKBA, {percent(rate, 2)} reëel) en "
        f"{euro(b.npv_nominal_eur[i])} ({percent(b.nominal_rate, 1)} nominaal)"
        for i, q in enumerate(b.partners)
    )
    return (
        table(
            header,
            rows,
            numeric=[False, False] + [True] * (len(shown) + 1),
            caption=f"Meerjarenraming: lasten per deelnemer in euro van elk jaar (begrotingsjaar {b.years[0]} en "
            "de drie jaren erna, en de hele looptijd)",
        )
        + f"<p class='noot'>Nominaal: personeel ({percent(float(p.personnel_share), 0)} van de ICT-kosten, "
        f"M&amp;I/Partners 2022) geïndexeerd met de loonindex van {percent(float(p.wage_index))} per jaar (cao "
        f"Gemeenten 2025–2027), de rest met de prijsindex van {percent(float(p.inflation))}. Structureel: de "
        "bijdrage aan de samenwerking, of de eigen kosten zolang een partij geen deelnemer is; incidenteel: "
        "transitie, toetredings- en uittredingsvergoeding. De netto contante waarde van het voordeel bij de "
        f"MKBA-discontovoet en bij de nominale rente van een publieke businesscase: {npv}.</p>"
    )


def _inhabitant_sources(scenario) -> str:
    """Where each inhabitant count comes from, with its reference date (they need not all share one)."""
    by_source: dict[str, list[str]] = {}
    for p in scenario.partners:
        if p.inhabitants:
            pedigree = p.inhabitants.source or p.inhabitants.assumption or "zonder vermelde herkomst"
            by_source.setdefault(pedigree, []).append(p.name)
    if not by_source:
        return ""
    parts = "; ".join(f"{text(pedigree)} ({text(', '.join(names))})" for pedigree, names in by_source.items())
    return f"<p class='noot'>Inwonertallen: {parts}.</p>"


def _listed(header: list[str], rows: list, numeric: list[int], caption: str) -> str:
    """A table of the rows (columns at ``numeric`` right-aligned), or nothing when there are none."""
    if not rows:
        return ""
    return table(header, rows, numeric=[i in numeric for i in range(len(header))], caption=caption)


def allocation(study: Report) -> Markup:
    from ..games import check_core

    r, names = study.costs, study.names
    k = r.years.index(study.year)
    members = [i for i in range(len(r.partners)) if r.member[i, k]]
    methods = list(r.share_eur)
    shares = {m: [float(r.share_eur[m][i, k]) for i in members] for m in methods}
    from ..costs import year_game

    game = year_game(r, study.year)
    rows = [
        (
            names[r.partners[i]],
            *(euro(shares[m][n]) for m in methods),
            euro(r.standalone_eur[i, k]),
            standalone_origin(study.scenario.partner(r.partners[i])),
        )
        for n, i in enumerate(members)
    ]
    in_core = []
    for m in methods:
        check = check_core(game, shares[m])
        in_core.append(
            Markup("<span class='pass'>ja</span>")
            if check.in_core
            else Markup(f"<span class='fail'>nee</span> ({number(check.count)} groepen)")
        )
    rows.append(("In de kern?", *in_core, "", ""))
    allocation_table = table(
        ["Deelnemer", *(METHOD_LABELS[m] for m in methods), "Zelfstandig", "Herkomst zelfstandig"],
        rows,
        numeric=[False] + [True] * (len(methods) + 1) + [False],
        caption=f"Bijdrage per deelnemer onder elke verdeling, {study.year} (euro per jaar; elke kolom telt op tot "
        f"{euro(r.cooperation_cost_eur[k], 2)})",
    )
    figure = figure_html(
        plots.allocation_figure(
            [r.partners[i] for i in members],
            [names[r.partners[i]] for i in members],
            shares,
            study.year,
            METHOD_LABELS,
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


def assumptions(study: Report) -> Markup:
    services = {s.id: s.name for s in study.scenario.services}
    rows = [
        (
            field_label(row["field"], study.names, services),
            number(row["value"], 4 if abs(row["value"]) < 10 else 0),
            PEDIGREE_LABELS[row["kind"]],
            row["note"],
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


def provenance_section(study: Report) -> Markup:
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
