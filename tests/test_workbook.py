"""The workbook a consultant hands on (``results.xlsx``, ``costs --xlsx``), opened as a controller would:
with openpyxl, sheet by sheet, checking headings, formats and that its totals are the results'."""

from __future__ import annotations

import json
import re

import openpyxl
import pytest
from typer.testing import CliRunner

from verkenning.cli import app
from verkenning.report.workbook import SHEETS

from .conftest import ROOT, SCENARIOS

ENGLISH = re.compile(r"\b(partner|value|year|variable|unit|eur|standalone|npv|share|cost|key|name)\b|_", re.I)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "borne.xlsx"
    done = CliRunner().invoke(
        app, ["costs", str(SCENARIOS / "borne.yaml"), "--xlsx", str(path), "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    return openpyxl.load_workbook(path), json.loads(done.stdout)


def test_the_workbook_has_every_sheet_the_readme_lists_and_no_other(book):
    workbook, _ = book
    assert workbook.sheetnames == list(SHEETS)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| \*([^*|]+)\* \|", readme.split("### The workbook")[1].split("\n## ")[0], re.M)
    assert listed == list(SHEETS), "the README's list of sheets is the workbook's"


def test_headings_are_dutch_frozen_filtered_and_wide_enough(book):
    workbook, _ = book
    for sheet in workbook.worksheets:
        headings = [c.value for c in sheet[1]]
        assert all(h and not ENGLISH.search(h) for h in headings), (sheet.title, headings)
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(c.font.bold for c in sheet[1])
        for cell in sheet[1]:
            width = sheet.column_dimensions[cell.column_letter].width
            assert width >= min(len(cell.value), 60), (sheet.title, cell.value, width)
        if sheet.title != "Voorblad":
            assert sheet.auto_filter.ref, sheet.title


def test_amounts_are_in_euro_and_shares_in_percent_formats_rounded_to_the_cent(book):
    workbook, _ = book
    summary = workbook["Samenvatting"]
    euros = [j for j, c in enumerate(summary[1]) if c.value.startswith(("Kosten", "NCW"))]
    assert len(euros) >= 5
    for row in summary.iter_rows(min_row=2):
        for j in euros:
            assert "€" in row[j].number_format and row[j].value == round(row[j].value, 2)
    card = workbook["4K-scorekaart"]
    units = {c.value: j for j, c in enumerate(card[1])}
    seen = set()
    for row in card.iter_rows(min_row=2):
        unit, before = row[units["Eenheid"]].value, row[units["Voor (status quo)"]]
        expected = {"euro": "€", "kans": "%", "aandeel": "%", "ja/nee": '"ja"'}.get(unit)
        if expected:
            seen.add(unit)
            assert expected in before.number_format, (unit, before.number_format)
        if unit == "euro":
            assert before.value == round(before.value, 2)
    assert {"euro", "kans", "aandeel"} <= seen
    costs = workbook["Kosten"]
    assert all(not str(row[0].value).islower() for row in costs.iter_rows(min_row=2)), "partners by name"


def test_the_totals_and_figures_are_those_of_the_results(book):
    workbook, data = book
    summary = workbook["Samenvatting"]
    heading = {c.value: j for j, c in enumerate(summary[1])}
    rows = list(summary.iter_rows(min_row=2, values_only=True))
    partners, total = rows[:-1], rows[-1]
    assert total[0] == "Totaal" and len(partners) == len(data["partners"])
    for column, field in (
        ("Kosten zelfstandig per jaar", "standalone_eur"),
        ("Kosten in de status quo per jaar", "status_quo_eur"),
        ("Kosten in het scenario per jaar", "new_eur"),
    ):
        expected = [p[field] for p in data["partners"].values()]
        assert [r[heading[column]] for r in partners] == expected
        assert total[heading[column]] == pytest.approx(sum(expected), abs=0.005)
    npv = [p["npv_eur"]["0.0225"] for p in data["partners"].values()]
    assert [r[heading["NCW van het voordeel (2,25%)"]] for r in partners] == npv


def test_the_cover_names_the_study_and_what_each_sheet_holds(book):
    workbook, data = book
    cover = dict(workbook["Voorblad"].iter_rows(min_row=2, values_only=True))
    assert (
        cover["Studie"] == data["scenario"]
        and cover["Peiljaar van de jaarbedragen"] == data["reference_year"]
    )
    assert "buiten een run" in cover["Run"]
    assert all(cover[name] == what for name, what in SHEETS.items())


def test_the_meerjarenraming_reads_as_a_controller_expects(book):
    """Years as columns, euro formats, per partner structureel + incidenteel = totaal, and the total
    of all partners under it, every amount the budget of the study to the cent."""
    from verkenning.study import Study

    workbook, _ = book
    sheet = workbook["Meerjarenraming"]
    headings = [c.value for c in sheet[1]]
    study = Study.load(SCENARIOS / "borne.yaml")
    years = [str(y) for y in study.scenario.years]
    assert headings == ["Deelnemer", "Lasten", *years]
    rows = {(r[0], r[1]): r[2:] for r in sheet.iter_rows(min_row=2, values_only=True)}
    names = {p.id: p.name for p in study.scenario.partners}
    facts = study.budget.facts()
    for partner, by_year in facts.items():
        name = names[partner]
        total = [a + b for a, b in zip(rows[name, "structureel"], rows[name, "incidenteel"], strict=True)]
        assert list(rows[name, "totaal"]) == pytest.approx(total, abs=0.011)
        assert [by_year[y]["nominal_total_eur"] for y in years] == pytest.approx(
            rows[name, "totaal"], abs=0.005
        )
    sums = [sum(rows[names[p], "totaal"][k] for p in facts) for k in range(len(years))]
    assert list(rows["Alle deelnemers", "totaal"]) == pytest.approx(sums, abs=0.05)
    assert all("€" in c.number_format for c in sheet[2][2:])
