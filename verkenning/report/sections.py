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
from ..graph import service_graph, topological_order
from ..scenario import pedigree
from .html import Markup, euro, figure_html, number, percent, table, text
from .labels import (
    CONDITION_LABELS,
    DRIVER_LABELS,
    KIND_LABELS,
    METHOD_LABELS,
    OBTAINED_LABELS,
    PEDIGREE_LABELS,
    VERDICT_LABELS,
    field_label,
    standalone_origin,
    verdict_sentence,
    verdict_text,
    win_win_headline,
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


def summary(study: Report) -> Markup:
    r, s = study.costs, study.scenario
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
    first = win_win_headline(win, names)
    sentences.append(
        f"Win-win: <span class='{win.verdict}'>{VERDICT_LABELS[win.verdict]}</span> — {text(first)}."
    )
    ranges = study.npv_ranges
    without = study.no_saving.npv_eur["key"][rate]
    sentences.append(
        "Het voordeel is een modeluitkomst, geen feit. Over alle trekkingen uit de onzekere invoer ligt de "
        "netto contante waarde van elke deelnemer in de band in de tabel (5% tot 95%), met de kans op verlies "
        "ernaast; de laatste kolom is het geval zonder structurele besparing (geen gedeeld vast deel en geen "
        "lagere kostengroei, zoals COELO in 2017 voor gemeentelijke samenwerking vond)."
    )
    rows = []
    for i, p in enumerate(r.partners):
        win_partner = p not in win.incumbents_worse and p not in win.entrants_worse
        blocked = any(g.members == (p,) for g in win.core_violations)
        band = ranges[p]
        rows.append(
            (
                names[p],
                euro(now[i]),
                euro(after[i]),
                euro(now[i] - after[i]),
                euro(npv[i]),
                f"{euro(band.low_eur)} tot {euro(band.high_eur)}",
                percent(band.loss_probability, 0),
                euro(without[i]),
                verdict_text("pass" if win_partner and not blocked else "fail") if r.member[i, k] else "–",
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
        caption=f"Per deelnemer, {study.year} (euro per jaar; NCW over {s.base_year}–{s.end_year})",
    )
    condition_table = table(
        ["Randvoorwaarde", "Oordeel", "Onderbouwing"],
        [
            (CONDITION_LABELS[v.condition], verdict_text(v.verdict), verdict_sentence(v, names))
            for v in study.card.verdicts
        ],
        caption="Randvoorwaarden uit de raadsbrief",
    )
    return Markup(f'<div class="kader"><p>{" ".join(sentences)}</p></div>{partner_table}{condition_table}')


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
    return Markup(figure + cost_table + note)


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
            else Markup(f"<span class='fail'>nee</span> ({text(len(check.violations))} groepen)")
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
