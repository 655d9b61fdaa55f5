"""``results.xlsx`` (and ``verkenning costs --xlsx``): the workbook a consultant hands to a controller.

In Dutch, like the report: a cover sheet (*Voorblad*: the study, its question, the run, the files and
what each sheet holds), then the tables of the run folder with Dutch headings and sheet names,
partners by name, euros to the cent in euro formats, shares as percentages, frozen headings, filters,
column widths, and a total row under the summary. The CSV files in ``tables/`` keep the same tables
with their English column names: they are for tools, the workbook is for people.

:data:`SHEETS` is the one list of sheets and what each holds; the README's list is checked against it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..files import Sheet, workbook_bytes, write_atomic
from ..formats import percent
from ..study import Study
from .labels import (
    DRIVER_LABELS,
    INDICATOR_LABELS,
    K_LABELS,
    KIND_LABELS,
    LINE_LABELS,
    METHOD_LABELS,
    PEDIGREE_LABELS,
    field_label,
)

__all__ = ["SHEETS", "workbook", "write_workbook"]

EURO = "€ #,##0.00"
PERCENT = "0.0%"
COUNT = "#,##0"
DECIMAL = "#,##0.00"
YEAR = "0"
YES_NO = '"ja";"ja";"nee"'

SHEETS = {
    "Voorblad": "de studie, de run en wat elk werkblad bevat",
    "Samenvatting": "per deelnemer de kosten zelfstandig, in de status quo en in het scenario, de netto "
    "contante waarde van het voordeel en het terugverdienjaar, met totalen",
    "Kosten": "elk bedrag per deelnemer en jaar: kosten, aandelen per verdeelmethode, eenmalige kosten, "
    "netto contante waarden (de lange tabel)",
    "Verdeling": "elke euro van de eigen verdeelsleutel per jaar, deelnemer en dienst, met de verdeelgrond",
    "4K-scorekaart": "de indicatoren van de 4 K's per deelnemer, voor (status quo) en na (scenario)",
    "Groeipad": "de indicatoren per jaar over de looptijd",
    "Marginale effecten": "wat de toetreding van elke toetreder verandert voor elke deelnemer",
    "Meerjarenraming": "per deelnemer de structurele en incidentele lasten in euro van elk jaar, de jaren "
    "als kolommen, met subtotalen per deelnemer en een totaal",
    "Posten": "per deelnemer en jaar de posten naast het platform (transitie, dubbele lasten, boekwaarde, "
    "frictie, achterblijvende regie, opslag, btw) zoals gedragen, in euro van het basisjaar",
    "Aannames": "elk getal dat de uitkomsten bepaalt, met zijn bron of de onderbouwing van de aanname",
}
"""Every sheet of the workbook, in order, with what it holds (also on the cover sheet)."""


def _method(method: str) -> str:
    return METHOD_LABELS.get(method, method).lower()


def _variable(variable: str) -> str:
    """The Dutch description of a variable of the long cost table (``share:key``, ``npv:key@0.0225``)."""
    plain = {
        "member": "Lid van de samenwerking",
        "standalone_cost": "Kosten zelfstandig",
        "transition_cost": "Eenmalige overgangskosten",
        "exit_cost": "Eenmalige uittreedkosten",
        "entry_fee": "Eenmalige toetredingsbijdrage (betaald +, ontvangen −)",
        "cooperation_cost": "Kosten van de samenwerking",
        "status_quo_cooperation_cost": "Kosten van de samenwerking in de status quo",
    }
    if variable in plain:
        return plain[variable]
    kind, _, rest = variable.partition(":")
    if kind == "npv":
        method, _, rate = rest.partition("@")
        return f"NCW van het voordeel ({_method(method)}, {percent(float(rate), 2)} disconto)"
    words = {
        "share": "Aandeel in de samenwerking",
        "cost": "Kosten",
        "status_quo_cost": "Kosten in de status quo",
    }
    return f"{words.get(kind, kind)} ({_method(rest)})"


def _number_format(unit_or_name: str) -> str:
    """The Excel format of a figure by its unit (``eur``, ``kans``…) or indicator name (``…_eur``)."""
    if unit_or_name.startswith("eur") or unit_or_name.endswith("_eur"):
        return EURO
    if unit_or_name in ("bool", "ja/nee") or unit_or_name.endswith("_met"):
        return YES_NO
    if unit_or_name in ("kans", "aandeel") or unit_or_name.endswith(("probability", "_share")):
        return PERCENT
    return DECIMAL if "fte" in unit_or_name else COUNT


UNITS = {"eur": "euro", "eur/inwoner": "euro per inwoner", "bool": "ja/nee"}
"""Units in Dutch words; the others (kans, aandeel, rollen, werkplekken, fte) are Dutch already."""


def _by_format(values: pd.Series, formats: pd.Series) -> pd.Series:
    """Euros to the cent, other figures to six decimals (what a controller can check by hand)."""
    return values.astype(float).round(6).where(formats != EURO, values.astype(float).round(2))


def _cents(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].astype(float).round(2)
    return frame


def _cover(study: Study, run_id: str | None) -> pd.DataFrame:
    scenario, costs = study.scenario, study.costs
    rows = [
        ("Studie", scenario.name),
        ("Vraag", scenario.question or "–"),
        ("Run", run_id or "– (geschreven door verkenning costs, buiten een run)"),
        ("Seed", study.seed),
        ("Status quo", scenario.status_quo[0]),
        ("Deelnemers", ", ".join(p.name for p in scenario.partners)),
        ("Basisjaar (prijspeil)", scenario.base_year),
        ("Peiljaar van de jaarbedragen", costs.reference_year),
        ("Looptijd", f"{costs.years[0]}–{costs.years[-1]}"),
        ("Disconteringsvoet", percent(float(scenario.discount_rate), 2)),
        ("Scenariobestanden", ", ".join(scenario.recorded_files)),
        ("", ""),
        ("Werkblad", "Inhoud"),
        *SHEETS.items(),
    ]
    return pd.DataFrame(rows, columns=["Onderdeel", "Waarde"])


def workbook(study: Study, run_id: str | None = None) -> dict[str, Sheet]:
    """The sheets of the workbook of ``study`` (see :data:`SHEETS`)."""
    names = {p.id: p.name for p in study.scenario.partners}
    kinds = {p.id: KIND_LABELS[p.kind] for p in study.scenario.partners}
    tables = study.tables()
    rate = study.costs.rates[0]

    summary = tables["samenvatting"]
    headings = {
        "standalone_eur": "Kosten zelfstandig per jaar",
        "status_quo_eur": "Kosten in de status quo per jaar",
        "new_eur": "Kosten in het scenario per jaar",
        "npv_without_avoided_growth_eur": f"NCW zonder minder meerkosten ({percent(rate, 2)})",
        "npv_other_transition_bearer_eur": f"NCW als de ander de overgangskosten draagt ({percent(rate, 2)})",
        "break_even_year": "Terugverdienjaar",
    }
    for other in study.costs.rates:
        headings[f"npv_{other:g}_eur"] = f"NCW van het voordeel ({percent(other, 2)})"
    euros = [c for c in summary.columns if c.endswith("_eur")]
    summary = _cents(summary, euros)
    summary.insert(1, "Soort", summary["partner"].map(kinds))
    summary["partner"] = summary["partner"].map(names)
    summary["break_even_year"] = (
        summary["break_even_year"]
        .astype(object)
        .where(summary["break_even_year"].notna(), "niet binnen de looptijd")
    )
    summary = summary.rename(columns={"partner": "Deelnemer", **headings})

    costs = tables["kosten"].drop(columns="scenario")
    costs = costs.assign(
        partner=costs["partner"].map(names).fillna("De samenwerking als geheel"),
        omschrijving=costs["variable"].map(_variable),
        format=costs["unit"].map(_number_format),
        unit=costs["unit"].map(lambda u: UNITS.get(u, u)),
        value=costs["value"].round(2),
    )
    costs = costs[["partner", "year", "omschrijving", "variable", "unit", "value", "format"]].rename(
        columns={
            "partner": "Deelnemer",
            "year": "Jaar",
            "omschrijving": "Grootheid",
            "variable": "Code",
            "unit": "Eenheid",
            "value": "Waarde",
        }
    )

    trace = tables["verdeling"]
    trace = trace.assign(
        partner=trace["partner"].map(names),
        key=trace["key"].map(lambda k: DRIVER_LABELS.get(k, k)),
        eur=trace["eur"].round(2),
    ).rename(
        columns={
            "year": "Jaar",
            "partner": "Deelnemer",
            "service": "Dienst",
            "key": "Verdeelgrond",
            "volume": "Volume",
            "eur": "Bedrag",
        }
    )

    card = tables["scorecard"]
    formats = card["unit"].map(_number_format)
    card = card.assign(
        partner=card["partner"].map(names),
        k=card["k"].map(K_LABELS),
        name=card["name"].map(lambda n: INDICATOR_LABELS.get(n, n)),
        format=formats,
        unit=card["unit"].map(lambda u: UNITS.get(u, u)),
        before=_by_format(card["before"], formats),
        after=_by_format(card["after"], formats),
    ).rename(
        columns={
            "partner": "Deelnemer",
            "k": "K",
            "name": "Indicator",
            "unit": "Eenheid",
            "before": "Voor (status quo)",
            "after": "Na (scenario)",
        }
    )

    growth = tables["groeipad"]
    formats = growth["indicator"].map(_number_format)
    growth = growth.assign(
        partner=growth["partner"].map(names),
        k=growth["k"].map(K_LABELS),
        format=formats,
        indicator=growth["indicator"].map(lambda n: INDICATOR_LABELS.get(n, n)),
        value=_by_format(growth["value"], formats),
    ).rename(
        columns={
            "year": "Jaar",
            "partner": "Deelnemer",
            "k": "K",
            "indicator": "Indicator",
            "value": "Waarde",
        }
    )

    effects = tables["marginale_effecten"]
    effects = effects.assign(
        entrant=effects["entrant"].map(names),
        partner=effects["partner"].map(names),
        delta_annual_cost_eur=effects["delta_annual_cost_eur"].round(2),
        delta_coverage_probability=effects["delta_coverage_probability"].round(6),
    ).rename(
        columns={
            "entrant": "Toetreder",
            "year": "Jaar",
            "partner": "Deelnemer",
            "delta_annual_cost_eur": "Verandering kosten per jaar",
            "delta_coverage_probability": "Verandering kans dat alle sleutelrollen bezet zijn",
            "delta_bus_factor_roles": "Verandering sleutelrollen met minder dan 2 fte",
            "delta_specialist_roles": "Verandering sleutelrollen met ten minste 1 fte",
        }
    )

    assumptions = tables["aannames"]
    services = {s.id: s.name for s in study.scenario.services}
    assumptions = assumptions.assign(
        kind=assumptions["kind"].map(PEDIGREE_LABELS),
        label=assumptions["field"].map(lambda path: field_label(path, names, services)),
    )[["label", "field", "value", "kind", "note"]].rename(
        columns={
            "label": "Cijfer",
            "field": "Veld (code)",
            "value": "Waarde",
            "kind": "Herkomst",
            "note": "Bron of onderbouwing",
        }
    )

    budget = study.budget
    years = [str(y) for y in budget.years]
    blocks = [
        (names[p], budget.structural_eur[i], budget.incidental_eur[i]) for i, p in enumerate(budget.partners)
    ]
    blocks.append(("Alle deelnemers", budget.structural_eur.sum(axis=0), budget.incidental_eur.sum(axis=0)))
    raming = [
        {"Deelnemer": who, "Lasten": label, **dict(zip(years, values.round(2), strict=True))}
        for who, structural, incidental in blocks
        for label, values in (
            ("structureel", structural),
            ("incidenteel", incidental),
            ("totaal", structural + incidental),
        )
    ]

    lines = study.costs.lines_eur
    posten = [
        {
            "Deelnemer": names[p],
            "Post": LINE_LABELS[line],
            **dict(zip(years, amounts[i].round(2), strict=True)),
        }
        for i, p in enumerate(study.costs.partners)
        for line, amounts in lines.items()
        if amounts[i].any()
    ]
    sheets = {
        "Voorblad": Sheet(_cover(study, run_id)),
        "Samenvatting": Sheet(
            summary,
            {**{headings.get(c, c): EURO for c in euros}, "Terugverdienjaar": YEAR},
            total="Totaal",
        ),
        "Kosten": Sheet(costs, {"Jaar": YEAR}, row_format="format"),
        "Verdeling": Sheet(trace, {"Jaar": YEAR, "Volume": DECIMAL, "Bedrag": EURO}),
        "4K-scorekaart": Sheet(card, row_format="format"),
        "Groeipad": Sheet(growth, {"Jaar": YEAR}, row_format="format"),
        "Marginale effecten": Sheet(
            effects,
            {
                "Jaar": YEAR,
                "Verandering kosten per jaar": EURO,
                "Verandering kans dat alle sleutelrollen bezet zijn": PERCENT,
                "Verandering sleutelrollen met minder dan 2 fte": COUNT,
                "Verandering sleutelrollen met ten minste 1 fte": COUNT,
            },
        ),
        "Meerjarenraming": Sheet(pd.DataFrame(raming), dict.fromkeys(years, EURO)),
        "Posten": Sheet(
            pd.DataFrame(posten, columns=["Deelnemer", "Post", *years]), dict.fromkeys(years, EURO)
        ),
        "Aannames": Sheet(assumptions, {"Waarde": "#,##0.######"}),
    }
    return sheets


def write_workbook(study: Study, path: str | Path, run_id: str | None = None) -> Path:
    """Write the workbook of ``study`` to ``path`` (atomically)."""
    path = Path(path)
    write_atomic(path, workbook_bytes(workbook(study, run_id)))
    return path
