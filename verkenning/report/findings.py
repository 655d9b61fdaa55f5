"""The sections of a study report that judge and explore: the 4 K's, the centre, fees, risks, uncertainty.

Safe HTML in Dutch, like ``sections.py``; every number comes from the study's one computation.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from .. import plots
from ..explore.outcomes import Outcome
from ..explore.sampling import central_value
from ..scenario.schema import PAIR, Uncertainty
from .html import Markup, euro, figure_html, number, percent, table, text, thousands
from .labels import (
    BEARER_LABELS,
    CHECK_LABELS,
    EXIT_METHOD_LABELS,
    INDICATOR_LABELS,
    K_LABELS,
    METHOD_LABELS,
    NOT_ADMITTED_LABEL,
    PRINCIPLE_LABELS,
    check_sentence,
    discovery_sentence,
    mix_words,
    role,
    share,
    standalone_origin,
    together,
    value_text,
    verdict_text,
)

if TYPE_CHECKING:
    from .report import Report

__all__ = ["centre", "checklist", "fees", "fourk", "growth", "risks", "terms", "uncertainty"]


def fourk(study: Report) -> Markup:
    card, names = study.card, study.names
    r = study.costs
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
                    else f"{value_text(found.before, found.unit)} → {value_text(found.after, found.unit)}"
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
        "Kwetsbaarheid: sleutelrollen zonder tweede persoon": ("rollen", *pair("bus_factor_roles")),
        "Kennis: sleutelrollen met een eigen specialist": ("rollen", *pair("specialist_roles")),
    }
    figure = figure_html(
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
        "(zie de bijlage). <em>Nu</em> telt ook de functies die een deelnemer zelf uitvoert en straks van de "
        "samenwerking afneemt, met zijn eigen bezetting, zodat nu en na hetzelfde meten; de kolom "
        "<em>Samenwerking</em> is het gedeelde team alleen. Een sleutelrol zonder vaste tweede persoon heeft "
        "minder dan twee fte: bij ziekte of vertrek staat de taak stil; de zwakke plekken in de dienstenketen "
        "staan bij <em>Risico's en continuïteit</em>.</p>"
    )
    return Markup(fourk_table + figure + composite + note)


def centre(study: Report) -> Markup:
    r, names = study.costs, study.names
    centre_id = study.scenario.centre
    effects = study.marginal_effects
    rows = [
        (
            names[e.entrant],
            e.year,
            names[e.partner],
            euro(e.delta_annual_cost_eur),
            f"{number(100 * e.delta_coverage_probability, 1)} procentpunt",
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
        f"<p>{text(_raises(study))}</p>"
        + table(
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


def _raises(study: Report) -> str:
    """Per entrant, whose cost its entry raises and whose it lowers (the marginal effects, base year)."""
    names = study.names
    sentences = []
    for entrant, part in study.marginal_effects.groupby("entrant", sort=False):
        up = [names[p] for p, d in zip(part.partner, part.delta_annual_cost_eur, strict=True) if d > 0.5]
        down = [names[p] for p, d in zip(part.partner, part.delta_annual_cost_eur, strict=True) if d < -0.5]
        who = names[entrant]
        if up and down:
            sentences.append(
                f"{who} verhoogt de kosten van {together(up)} en verlaagt die van {together(down)}"
            )
        elif up:
            sentences.append(
                f"{who} verhoogt de kosten van {'iedereen die er al is' if len(up) == len(part) else together(up)}"
            )
        elif down:
            sentences.append(
                f"{who} verlaagt de kosten van {'iedereen die er al is' if len(down) == len(part) else together(down)}"
            )
        else:
            sentences.append(f"{who} verandert de kosten van wie er al is niet")
    return "Onder de eigen verdeelsleutel: " + "; ".join(sentences) + "." if sentences else ""


def _centre_by_year(study: Report) -> str:
    """The centre's cost now and on the path, and its gain, year by year."""
    r, names = study.costs, study.names
    c = r.partners.index(study.scenario.centre)
    rows = [
        (
            year,
            euro(r.status_quo_eur["key"][c, k]),
            euro(r.cost_eur["key"][c, k]),
            euro(r.status_quo_eur["key"][c, k] - r.cost_eur["key"][c, k]),
        )
        for k, year in enumerate(r.years)
    ]
    return table(
        ["Jaar", "Kosten zonder de wijziging", "Kosten langs het pad", "Voordeel (positief: minder kosten)"],
        rows,
        numeric=[False, True, True, True],
        caption=f"Wat {names[study.scenario.centre]} per jaar wint of verliest langs het pad (euro van het basisjaar)",
    )


def growth(study: Report) -> Markup:
    r, names = study.costs, study.names
    path = study.growth_path
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
    figure = figure_html(
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
    return Markup(figure + _centre_by_year(study) + path_table)


def terms(study: Report) -> Markup:
    """The terms to negotiate: the proposed key beside today's, then each entrant's contribution."""
    names, design = study.names, study.key_design
    proposed, today = study.key_probabilities
    keys = "".join(f"<li>{text(mix_words(m))}</li>" for m in design.proposed)
    now = "".join(f"<li>{text(mix_words(m))}</li>" for m in design.today)
    how = (
        "elke sleutel van deze vorm is doorgerekend"
        if design.method == "enumeration"
        else "de sleutel is per dienstengroep gezocht (een lokaal optimum: elke groep exact, de combinatie niet)"
    )
    parts = [
        f"<p><strong>Voorgestelde verdeelsleutel ({design.year})</strong>, per dienstengroep een mengsel van ten "
        f"hoogste drie verdeelmaatstaven in stappen van 5 procentpunt; {text(how)}:</p><ul>{keys}</ul>",
        f"<p>Nu: </p><ul>{now}</ul>",
        f"<p>Kans dat geen groep deelnemers goedkoper uit is op eigen houtje en niemand meer betaalt dan nu, "
        f"over {number(design.samples, 0)} trekkingen van de onzekere aannames: met de voorgestelde sleutel "
        f"<strong>{percent(proposed.probability)}</strong> (± {percent(proposed.margin)}), met de huidige "
        f"{percent(today.probability)} (± {percent(today.margin)}).</p>",
    ]
    if abs(proposed.probability - today.probability) <= max(proposed.margin, today.margin):
        parts.append(
            "<p>Het verschil valt binnen de steekproefmarge: de huidige sleutel is even goed. Een andere sleutel "
            "lost het probleem niet op; de bijdrage van de toetreder (hieronder) moet het doen.</p>"
        )
    if not design.found:
        parts.append(
            "<p>Geen sleutel van deze vorm houdt in één trekking iedereen beter af; dit is de beste die er is.</p>"
        )
    knots = [
        f"{together([names[m] for m in b.members])} "
        + ("zijn samen goedkoper uit" if b.kind == "core" and len(b.members) > 1 else "")
        + ("is alleen goedkoper uit" if b.kind == "core" and len(b.members) == 1 else "")
        + ("betaalt meer dan nu" if b.kind == "status_quo" else "")
        + f" (in {percent(b.failure_share, 0)} van de trekkingen)"
        for b in design.binding
        if b.failure_share > 0
    ]
    if knots:
        parts.append(f"<p>Waar het knelt: {text('; '.join(knots))}.</p>")
    k = study.costs.years.index(design.year)
    rows = [
        (names[p], euro(study.costs.share_eur["key"][study.costs.partners.index(p), k]), euro(change))
        for p, change in design.change_eur.items()
    ]
    parts.append(
        table(
            ["Deelnemer", "Bijdrage met de huidige sleutel", "Verschil met de voorgestelde sleutel"],
            rows,
            numeric=[False, True, True],
            caption=f"Wat de voorgestelde sleutel verandert, bij de waarden van het scenario ({design.year})",
        )
    )
    parts.extend(_entry_terms(study, t) for t in study.entry_terms)
    parts.append(_growth_terms(study))
    return Markup("".join(parts))


def _order_words(study: Report):
    """An order of entry, 'borne (2026) → noaberkracht (2028)', with each partner's name for its id."""
    names = study.names
    return lambda order: re.sub(r"[\w-]+(?= \()", lambda m: names.get(m.group(0), m.group(0)), order)


def _growth_terms(study: Report) -> str:
    growth = study.growth_terms
    if growth is None:
        return ""
    found = (
        f"<p><strong>Langs het pad</strong>: de kans dat geen deelnemer in een jaar meer betaalt doordat anderen "
        f"toetreden (de jaarbijdrage met en zonder de nieuwkomers van dat jaar) is met de voorgestelde sleutel "
        f"{percent(growth.probability)}, met de huidige {percent(growth.today_probability)}.</p>"
    )
    orders = growth.orders
    if not orders:
        return found
    order_text = _order_words(study)
    best, best_proposed, _ = orders[0]
    found += (
        f"<p>De volgorde van toetreden waarin dat het vaakst zo blijft: {text(order_text(best))} "
        f"({percent(best_proposed)} met de voorgestelde sleutel).</p>"
    )
    rows = [(order_text(order), percent(proposed), percent(today)) for order, proposed, today in orders]
    return found + table(
        ["Volgorde (jaar van toetreden)", "Voorgestelde sleutel", "Huidige sleutel"],
        rows,
        numeric=[False, True, True],
        caption="Kans dat niemand meer gaat betalen wanneer een later toetreder instapt, per volgorde",
    )


def _entry_terms(study: Report, t) -> str:
    names = study.names
    who = names[t.entrant]
    chosen = study.scenario.terms.principle
    if t.low_eur is None:
        room = (
            f"<p><strong>{text(who)}</strong>: met geen enkele vaste jaarlijkse bijdrage heeft iedereen voordeel in "
            f"{percent(t.target, 0)} van de trekkingen; de beste bijdrage, {euro(t.best_eur)}, haalt "
            f"{percent(t.best_probability)}. De onzekerheid over de kosten zelf is groter dan wat een bijdrage kan "
            "verdelen.</p>"
        )
    else:
        room = (
            f"<p><strong>{text(who)}</strong>: iedereen heeft voordeel in ten minste {percent(t.target, 0)} van de "
            f"trekkingen bij een jaarlijkse bijdrage van <strong>{euro(t.low_eur)} tot {euro(t.high_eur)}</strong>.</p>"
        )
    room += (
        f"<p>Ondergrens: wat {text(who)} aan kosten toevoegt, {euro(t.floor_eur)}; bovengrens: zelfstandig "
        f"{euro(t.standalone_eur)}; de sleutel rekent nu {euro(t.key_share_eur)} (kans "
        f"{percent(float(t.probability(t.key_share_eur)))}). Wat {text(who)} meer of minder betaalt dan de sleutel, "
        "gaat naar of komt van de huidige deelnemers naar hun aandeel.</p>"
    )
    header = ["Principe", "Bijdrage per jaar", "Kans dat iedereen voordeel heeft"] + [
        f"Voordeel {names[p]}" for p in t.members
    ]
    rows = []
    for principle, y in t.points.items():
        label = PRINCIPLE_LABELS[principle] + (" (gekozen)" if principle == chosen else "")
        gains = t.central_gains(y)
        rows.append([label, euro(y), percent(float(t.probability(y)))] + [euro(gains[p]) for p in t.members])
    grid_low = min(t.floor_eur, t.best_eur or t.floor_eur, t.low_eur or t.floor_eur)
    grid = np.linspace(grid_low - 0.02 * t.standalone_eur, t.standalone_eur, 80)
    gains = t.gains(grid)
    series = [
        (names[p], gains[:, i].mean(axis=0), *np.quantile(gains[:, i], [0.05, 0.95], axis=0))
        for i, p in enumerate(t.members)
    ]
    figure = plots.room_figure(
        grid,
        series,
        t.probability(grid),
        None if t.low_eur is None else (t.low_eur, t.high_eur),
        [(PRINCIPLE_LABELS[p].split(" (")[0], y) for p, y in t.points.items()],
        next(((f.low_eur, f.high_eur) for f in study.fees if f.entrant == t.entrant), None),
    )
    return (
        room
        + table(
            header,
            rows,
            numeric=[False, True, True] + [True] * len(t.members),
            caption=f"De bijdrage van {who} volgens elk principe, en wat ieder er bij de scenariowaarden aan wint "
            f"({t.year})",
        )
        + figure_html(figure, f"Onderhandelingsruimte voor {who}")
    )


def fees(study: Report) -> Markup:
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
            standalone_origin(study.scenario.partner(f.entrant)),
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
            "Herkomst zelfstandig",
            "Volgens de sleutel",
            "Sleutel binnen de kern",
        ],
        rows,
        numeric=[False, True, True, True, True, False, True, False],
        caption=f"Bandbreedte van de jaarlijkse bijdrage van elke toetreder ({study.fees[0].year})",
    )
    figure = figure_html(
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
        candidates = text(", ".join(names[c] for c in a.candidates))
        if a.chosen:
            admission = (
                f"<p>Van de kandidaten ({candidates}) levert toelating van "
                f"<strong>{text(', '.join(names[c] for c in a.chosen))}</strong> de grootste totale besparing op "
                f"({euro(a.saving_eur)} per jaar ten opzichte van iedereen zelfstandig; zonder kandidaten "
                f"{euro(a.saving_without_eur)}) zonder dat een huidige deelnemer meer betaalt onder de eigen sleutel.</p>"
            )
        else:
            admission = (
                f"<p>Toelating van geen van de kandidaten ({candidates}) vergroot de totale besparing zonder dat een "
                f"huidige deelnemer meer betaalt onder de eigen sleutel; die besparing blijft {euro(a.saving_without_eur)} "
                "per jaar ten opzichte van iedereen zelfstandig.</p>"
            )
    return Markup(fee_table + figure + note + admission)


def checklist(study: Report) -> Markup:
    """The legal and fiscal checks of each entry, each with its rule, its source and its verdict."""
    names = study.names
    if not study.checklist:
        return Markup("<p>Er treedt in deze studie geen deelnemer toe; er is geen toetreding te toetsen.</p>")
    rows = [
        (names[c.entrant], CHECK_LABELS[c.check], verdict_text(c.verdict), check_sentence(c, names))
        for c in study.checklist
    ]
    return Markup(
        table(
            ["Toetreder", "Toets", "Oordeel", "Regel en bevinding"],
            rows,
            caption="Juridische en fiscale toets per toetreder (niet te bepalen: wat het zou beslissen staat erbij)",
        )
    )


def risks(study: Report) -> Markup:
    names = study.names
    risk = study.card.verdict("risks_shared")
    exposure = dict(risk.exposure_eur)
    exit_rows = [
        (names[i.partner], euro(i.after))
        for i in study.card.indicators
        if i.name == "exit_cost_exposure_eur" and i.partner in names
    ]
    reserve = table(
        ["Deelnemer", "Aandeel in de risicoreserve", "Kosten van uittreden"],
        [(names[p], euro(e), dict(exit_rows).get(names[p], "–")) for p, e in exposure.items()],
        numeric=[False, True, True],
        caption=f"Risicoreserve van {euro(risk.reserve_eur)} naar rato van de bijdragen",
    )
    plan = study.staffing
    staffing = table(
        ["Sleutelrol", "Werklast (fte)", "Bezetting (personen)"],
        [(role(r), number(plan.workload_fte[r], 2), plan.people[r]) for r in plan.people],
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
    note = (
        ""
        if plan.target_met
        else f"<p class='noot'>Binnen het budget is een dekking van {percent(plan.target, 0)} niet haalbaar; "
        "dit is de hoogste dekking.</p>"
    )
    params = study.scenario.parameters
    method = EXIT_METHOD_LABELS[params.exit_method]
    bridge = f" van {int(float(params.exit_bridging_years))} jaar" if params.exit_method == "damage" else ""
    exit_note = (
        f"<p class='noot'>Kosten van uittreden: de uittredingsvergoeding volgens {text(method)}{bridge}, "
        "waar de regeling zelf niets regelt, plus de terugkeer naar een eigen platform (de transitiekosten). "
        "Kies een andere methode met <code>parameters.exit_method</code> (kb1985, damage of share).</p>"
    )
    return Markup(reserve + exit_note + staffing + note + weak)


OUTCOME_LABELS = {
    Outcome("win_win"): "Win-win (kern, niemand slechter af)",
    Outcome("entrant_gains"): "Elke toetreder heeft voordeel (NCW > 0)",
    Outcome("incumbents_gain"): "Geen huidige deelnemer slechter af (NCW ≥ 0)",
}


def uncertainty(study: Report) -> Markup:

    e = study.exploration
    chances = e.probabilities
    rows = [
        (
            label,
            percent(chances[outcome].probability),
            f"± {number(100 * chances[outcome].margin, 1)} procentpunt",
        )
        for outcome, label in OUTCOME_LABELS.items()
        if outcome in chances
    ]
    intro = (
        f"<p>Het model is {number(e.info['samples'])} keer doorgerekend met trekkingen uit de onzekere invoer "
        f"(tien onafhankelijke Latin hypercubes, seed {text(e.seed)}; de marge volgt uit de spreiding "
        "tussen die tien); de aannames en hun bandbreedtes staan hieronder. "
        f"Zo vaak blijft elke uitkomst overeind:</p>"
    )
    needed = max((c.samples_for(e.samples) or 0 for c in chances.values()), default=0)
    if needed:
        intro += (
            f"<p>Voor een marge van hooguit 1 procentpunt op elke kans zijn ongeveer {number(needed)} "
            f"trekkingen nodig (<code>verkenning explore --samples {needed}</code>).</p>"
        )
    chance_table = table(
        ["Uitkomst", "Kans", "Marge (95%)"],
        rows,
        numeric=[False, True, True],
        caption="Hoe zeker zijn de oordelen?",
    )
    steady = _convergence_table(e)
    keys = [
        (METHOD_LABELS.get(outcome.subject, outcome.subject), percent(chance.probability))
        for outcome, chance in chances.items()
        if outcome.kind == "in_core"
    ]
    key_table = table(
        ["Verdeling", "Kans dat geen groep zelfstandig goedkoper uit is"],
        keys,
        numeric=[False, True],
        caption="De eigen verdeelsleutel tegenover de andere verdelingen, over alle trekkingen",
    )
    specs = {path: Uncertainty(**spec) for path, spec in e.info["uncertainties"].items()}
    own = {path: central_value(study.scenario, path, spec) for path, spec in specs.items()}
    finding = (
        '<div class="kader"><p><strong>Wanneer gaat win-win verloren?</strong> '
        f"{text(discovery_sentence(e.discovery, specs, own=own))}</p></div>"
    ) + _tradeoff_table(e.discovery)
    spread_rows = []
    for partner in study.costs.partners:
        npv, cost = e.outcomes.get(Outcome("npv_eur", partner)), e.outcomes.get(Outcome("cost_eur", partner))
        if npv is None or cost is None:
            continue
        q = np.quantile(npv, [0.05, 0.5, 0.95])
        c = np.quantile(cost, [0.05, 0.5, 0.95])
        spread_rows.append(
            (study.names[partner], euro(c[0]), euro(c[1]), euro(c[2]), euro(q[0]), euro(q[1]), euro(q[2]))
        )
    spread = table(
        ["Deelnemer", "Kosten 5%", "Kosten mediaan", "Kosten 95%", "NCW 5%", "NCW mediaan", "NCW 95%"],
        spread_rows,
        numeric=[False] + [True] * 6,
        caption=f"Bandbreedte van de kosten in {study.year} en van de netto contante waarde per deelnemer",
    )
    figure = _s_curves(study, e) + _tornados(study, e)
    sensitivity = _sobol_table(study, e)
    spec_table = table(
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
    specs = e.info["uncertainties"]
    correlations = e.info.get("correlations", {})
    together = (
        table(
            ["Onzekere invoer", "samen met", "Rangcorrelatie", "Onderbouwing"],
            [
                (
                    *(specs[part.strip()].get("label") or part.strip() for part in pair.split(PAIR)),
                    number(c["rank"], 2),
                    c.get("source") or c.get("assumption", ""),
                )
                for pair, c in correlations.items()
            ],
            numeric=[False, False, True, False],
            caption="Onzekerheden die samen bewegen (rangcorrelatie in de trekkingen; de overige zijn "
            "onafhankelijk getrokken)",
        )
        if correlations
        else ""
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
                    _order_words(study)(row["order"]),
                    euro(row[Outcome("npv_eur", centre).column]),
                    euro(row["npv_total_eur"]),
                    percent(row["coverage_probability"]),
                )
                for _, row in g.iterrows()
            ],
            numeric=[False, True, True, True],
            caption="Andere volgordes van dezelfde toetreders op dezelfde momenten",
        )
    return Markup(
        intro
        + chance_table
        + steady
        + finding
        + spread
        + figure
        + sensitivity
        + key_table
        + _choices(study, e)
        + orders
        + spec_table
        + together
    )


def _subject_label(study: Report, column: str) -> str:
    outcome = Outcome.from_column(column)
    return "Win-win" if outcome.kind == "win_win" else f"NCW {study.names[outcome.subject]}"


def _s_curves(study: Report, e) -> str:
    """Per partner the cumulative distribution of its NPV over the samples, zero marked."""
    partners = [p for p in study.costs.partners if Outcome("npv_eur", p) in e.outcomes]
    if not partners:
        return ""
    colours = plots.partner_colours(study.costs.partners)
    figure = plots.s_curve_figure(
        [(study.names[p], e.outcomes[Outcome("npv_eur", p)]) for p in partners],
        [colours[p] for p in partners],
        "Netto contante waarde van het voordeel (euro)",
    )
    return figure_html(
        figure,
        "Verdeling van de netto contante waarde per deelnemer over de trekkingen",
        "Per deelnemer de verdeling van de netto contante waarde over alle trekkingen (S-curve): de hoogte "
        "van een lijn bij nul is de kans op verlies van die deelnemer.",
    )


def _tornados(study: Report, e) -> str:
    """The one-at-a-time sensitivity of the centre's NPV, and of a single entrant's."""
    if e.tornado.empty:
        return ""
    from ..explore import main_outcome

    wanted = dict.fromkeys(
        [Outcome("npv_eur", study.scenario.centre).column, main_outcome(study.scenario).column]
    )
    parts = []
    for column in wanted:
        t = e.tornado[e.tornado.outcome == column]
        if t.empty:
            continue
        name = f"netto contante waarde voor {study.names[Outcome.from_column(column).subject]}"
        parts.append(
            figure_html(
                plots.tornado_figure(
                    list(t.label),
                    list(t.outcome_at_low),
                    list(t.outcome_at_high),
                    float(t.base.iloc[0]),
                    f"{name} (euro)",
                ),
                f"Gevoeligheid van de {name} voor elke onzekere invoer",
            )
        )
    return "".join(parts)


def _sobol_table(study: Report, e) -> str:
    """Total Sobol' indices of every input for win-win and each partner's NPV, side by side."""
    if e.sobol.empty:
        return ""
    columns = list(dict.fromkeys(e.sobol.outcome))
    first = e.sobol[e.sobol.outcome == columns[0]]
    paths = list(first.path)
    cell = {(row.outcome, row.path): row for row in e.sobol.itertuples()}

    def shown(row) -> str:
        half = max(row.total_order_high - row.total_order, row.total_order - row.total_order_low, 0.0)
        return f"{number(min(max(row.total_order, 0.0), 1.0), 2)} ± {number(half, 2)}"

    rows = [
        [first.label.iloc[j]] + [shown(cell[c, path]) if (c, path) in cell else "–" for c in columns]
        for j, path in enumerate(paths)
    ]
    heaviest: dict[str, list[str]] = {}
    for c in columns:
        top = e.sobol[e.sobol.outcome == c].iloc[0]
        if top.total_order > 0.05:
            outcome = Outcome.from_column(c)
            subject = "win-win" if outcome.kind == "win_win" else f"de NCW van {study.names[outcome.subject]}"
            heaviest.setdefault(top.label, []).append(f"{subject} ({number(top.total_order, 2)})")
    phrases = [f"{label} voor {together(subjects)}" for label, subjects in heaviest.items()]
    intro = (
        "<p>Welke onzekere invoer telt het zwaarst voor de uitkomsten waar het besluit om draait? "
        f"Het zwaarst weegt {text(together(phrases))}.</p>"
        if phrases
        else ""
    )
    return intro + table(
        ["Onzekere invoer", *(_subject_label(study, c) for c in columns)],
        rows,
        numeric=[False] + [True] * len(columns),
        caption="Totale Sobol-index per uitkomst (het deel van de spreiding dat een invoer verklaart, met "
        "wisselwerkingen; ± de halve breedte van het 95%-interval over tien onafhankelijke ontwerpen; "
        "gerangschikt naar win-win)",
    )


def _choices(study: Report, e) -> str:
    """The robustness of every choice of key and transition bearer, and the value of information."""
    if e.robustness is None or e.robustness.empty:
        return ""
    names = study.names
    partners = [c.removeprefix("loss_") for c in e.robustness.columns if c.startswith("loss_")]
    rows = []
    for row in e.robustness.itertuples(index=False):
        record = row._asdict()
        option = (
            NOT_ADMITTED_LABEL
            if record["key"] == "not_admitted"
            else METHOD_LABELS.get(record["key"], record["key"])
        )
        bearer = record["bearer"] if isinstance(record["bearer"], str) else ""
        rows.append(
            (
                option if not bearer else f"{option}; transitie: {BEARER_LABELS[bearer]}",
                share(record["no_loss"]),
                *(share(record[f"loss_{p}"]) for p in partners),
                thousands(record["regret_mean_eur"]),
            )
        )
    robustness = (
        "<h3>Hoe robuust is elke keuze?</h3><p>Elke keuze van verdeelsleutel en van wie de transitie "
        "draagt, op dezelfde trekkingen en tegen de huidige situatie met de huidige sleutel (een andere "
        "sleutel verschuift dus ook kosten tussen de huidige deelnemers). De spijt is per trekking hoeveel "
        "de slechtst af zijnde deelnemer minder heeft dan onder de keuze die in die trekking het beste "
        "voor hem was, gemiddeld over de trekkingen.</p>"
        + table(
            ["Keuze", "Niemand verliest",
             *(f"Verlies {names.get(p, p)}" for p in partners), "Gemiddelde spijt"],
            rows,
            numeric=[False, True, *(True for _ in partners), True],
            caption="Robuustheid van de keuzes over de onzekerheid: de kans dat niemand verliest, de kans "
            "op verlies per deelnemer en de gemiddelde spijt",
        )
    )  # fmt: skip
    information = e.information
    if information is None or information.empty:
        return robustness
    everything = float(information[information.inputs == "*"].evppi_eur.iloc[0])
    parts = information[information.inputs != "*"]
    if everything < 1000:
        told = (
            "<p>Meer weten vóór het besluit verandert de beste keuze nauwelijks: ook wie alle onzekere "
            f"invoer vooraf kende, won er naar verwachting minder dan {thousands(1000)} mee.</p>"
        )
    else:
        top = parts.iloc[0]
        told = (
            "<p>Wat is het waard om meer te weten vóór het besluit (verdeelsleutel, wie de transitie "
            "draagt, en of de toetreding doorgaat)? Wie alle onzekere invoer vooraf kende, zou voor de "
            f"slechtst af zijnde deelnemer naar verwachting {thousands(everything)} beter kiezen. Het "
            f"meeste is het waard om <strong>{text(top.label)}</strong> te kennen "
            f"({thousands(top.evppi_eur)}): die meting loont het meest vóór het besluit.</p>"
        )
    worth_knowing = parts[parts.evppi_eur >= 500].head(8)
    if worth_knowing.empty:
        return Markup(robustness + told)
    worth = table(
        ["Wat vooraf bekend is", "Waarde van die kennis"],
        [(row.label, thousands(row.evppi_eur)) for row in worth_knowing.itertuples()],
        numeric=[False, True],
        caption="Waarde van informatie (verwachte waarde van volledige informatie over die invoer, "
        "voor de slechtst af zijnde deelnemer; de overige invoer is minder dan € 500 waard)",
    )
    return Markup(robustness + told + worth)


def _tradeoff_table(discovery) -> str:
    """Other boxes of the peeling: more failures caught for a lower density, or the reverse."""
    points = list(discovery.tradeoff)
    if len(points) < 2:
        return ""
    chosen = min(points, key=lambda p: abs(p[0] - discovery.coverage) + abs(p[1] - discovery.density))
    step = max(1, len(points) // 6)
    shown = sorted({*points[::step], chosen}, reverse=True)
    rows = [
        (
            share(coverage),
            share(density),
            number(conditions),
            "gekozen" if (coverage, density, conditions) == chosen else "",
        )
        for coverage, density, conditions in shown
    ]
    return table(
        ["Deel van de mislukkingen in het gebied", "Deel mislukt binnen het gebied", "Voorwaarden", ""],
        rows,
        numeric=[True, True, True, False],
        caption="Afweging bij het zoeken naar het gebied (PRIM): een ruimer gebied vangt meer "
        "mislukkingen maar is minder zuiver; gekozen is het beste evenwicht",
    )


def _convergence_table(e) -> str:
    """The running estimate of P(win-win) and of the largest total Sobol' index, with their bands."""
    frame = e.convergence
    if frame is None or frame.empty:
        return ""
    wanted = {"P(win_win)": ("Kans op win-win", percent)}
    if not e.sobol.empty:
        wanted[f"ST({e.sobol.path.iloc[0]})"] = (
            f"Totale Sobol-index van {e.sobol.label.iloc[0]} voor win-win",
            lambda value: number(value, 2),
        )
    rows = []
    for quantity, (name, shown) in wanted.items():
        part = frame[frame.quantity == quantity]
        last = int(part.replicates.max()) if len(part) else 0
        for row in part[part.replicates.isin([2, 5, last])].itertuples():
            rows.append(
                (
                    name,
                    f"{row.replicates} van {last}",
                    shown(row.estimate),
                    f"{shown(max(row.low, 0.0))} – {shown(min(row.high, 1.0))}",
                )
            )
    return table(
        ["Grootheid", "Replica's", "Schatting", "95%-band"],
        rows,
        numeric=[False, False, True, True],
        caption="Hoe stabiel zijn de uitkomsten? De schatting na een deel van de replica's: "
        "wat nauwelijks meer beweegt en een smalle band heeft, is uitgerekend",
    )


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
        bounds = [
            f"{word} {n(spec[end])}"
            for word, end in (("niet onder", "low"), ("niet boven", "high"))
            if end in spec
        ]
        cut = f", afgekapt: {' en '.join(bounds)}" if bounds else ""
        return f"normaal, gemiddelde {n(spec['mean'])}, sd {n(spec['sd'])}{cut}{factor}"
    if kind == "lognormal":
        return f"lognormaal, mediaan {n(spec['median'])}, sigma {n(spec['sigma'])}{factor}"
    return "een van " + ", ".join(number(v, 4) for v in spec["values"]) + factor
