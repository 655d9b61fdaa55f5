"""The nulmeting in Excel: the template a controller fills in, and reading it back with located errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from verkenning.cli import app
from verkenning.costs import cost_model
from verkenning.errors import ScenarioError
from verkenning.scenario import load_scenario
from verkenning.scenario.baseline import SHEETS, read_workbook, write_scenario, write_template

from .conftest import SCENARIOS

EXAMPLE = SCENARIOS / "borne-nulmeting.yaml"
WORKBOOK = SCENARIOS / "borne-nulmeting.xlsx"
OBTAINED = {"observed": "waargenomen", "estimated": "geschat", "modelled": "gemodelleerd"}


def fill(template: Path, out: Path, partner) -> None:
    """Fill a template with a partner's nulmeting as a controller would, one row per figure."""
    book = load_workbook(template)
    b = partner.baseline
    rows = {
        "Kosten": [
            ["", partner.id, b.year, sid, float(c), OBTAINED[c.how_obtained], c.source or c.assumption]
            for sid, c in b.services.items()
        ],
        "Personeel": [["", partner.id, s.role, float(s.fte), "ja" if s.hired else "nee"] for s in b.staff],
        "Contracten": [
            [
                "",
                partner.id,
                c.id,
                c.supplier,
                c.covers,
                float(c.annual_cost_eur),
                c.end_date,
                float(c.notice_months),
            ]
            for c in b.contracts
        ],
        "Applicaties": [["", partner.id, name] for name in b.applications],
        "Activa": [
            ["", partner.id, a.id, a.description, float(a.book_value_eur), a.depreciation_end]
            for a in b.assets
        ],
    }
    for sheet, values in rows.items():
        for r, row in enumerate(values, start=4):
            for c, value in enumerate(row, start=1):
                book[sheet].cell(row=r, column=c, value=value)
    book.save(out)


def test_the_template_explains_itself_and_is_prefilled(tmp_path):
    path = write_template(tmp_path / "nulmeting.xlsx", ["borne", "haaksbergen"])
    book = load_workbook(path)
    assert book.sheetnames == ["Toelichting", *SHEETS]
    for name, columns in SHEETS.items():
        sheet = book[name]
        assert [c.value for c in sheet[1][1:]] == [heading for heading, _, _ in columns], name
        assert all(c.value for c in sheet[2][1:]), f"{name}: every column says what it means"
    organisation = book["Organisatie"]
    assert [c.value for c in organisation[4]][:6] == ["vooringevuld", "borne", 24632, 160, 190, 57]
    assert book["Kosten"]["A3"].value == "voorbeeld"
    rules = [r.formula1 for r in book["Kosten"].data_validations.dataValidation]
    assert '"waargenomen,geschat,gemodelleerd"' in rules
    assert any(r.type == "date" for r in book["Contracten"].data_validations.dataValidation)
    with pytest.raises(ScenarioError, match="exists already"):
        write_template(path, ["borne"])
    with pytest.raises(ScenarioError, match="unknown organisation 'bornee'"):
        write_template(tmp_path / "x.xlsx", ["bornee"])


def test_a_filled_workbook_reads_back_to_the_same_figures(tmp_path):
    example = load_scenario(EXAMPLE).partner("borne")
    filled = tmp_path / "ingevuld.xlsx"
    fill(write_template(tmp_path / "leeg.xlsx", ["borne"]), filled, example)
    for scenario in SCENARIOS.glob("*.yaml"):
        (tmp_path / scenario.name).write_text(scenario.read_text(encoding="utf-8"), encoding="utf-8")
    into = write_scenario(filled, tmp_path / "studie.yaml", tmp_path / "borne.yaml")
    back = load_scenario(into).partner("borne").baseline
    assert back.services == example.baseline.services
    assert [(s.role, s.fte, s.hired) for s in back.staff] == [
        (s.role, s.fte, s.hired) for s in example.baseline.staff
    ]
    assert back.contracts == example.baseline.contracts and back.assets == example.baseline.assets
    assert back.applications == example.baseline.applications
    assert {sid: c.how_obtained for sid, c in back.services.items()} == {
        "WP": "observed",
        "HOST": "observed",
        "SD": "estimated",
    }
    i = cost_model(load_scenario(into)).index("borne")
    assert cost_model(load_scenario(into)).standalone()[0, i] == pytest.approx(
        cost_model(load_scenario(EXAMPLE)).standalone()[0, i]
    )


def test_the_shipped_workbook_is_the_shipped_example():
    # scenarios/borne-nulmeting.xlsx holds the same nulmeting as scenarios/borne-nulmeting.yaml
    partners = read_workbook(WORKBOOK)
    baseline = partners[0]["baseline"]
    example = load_scenario(EXAMPLE).partner("borne").baseline
    assert {sid: c["value"] for sid, c in baseline["services"].items()} == {
        s: float(c) for s, c in example.services.items()
    }
    assert [c["id"] for c in baseline["contracts"]] == [c.id for c in example.contracts]


def test_a_malformed_workbook_gets_every_problem_located_and_nothing_written(tmp_path):
    path = write_template(tmp_path / "fout.xlsx", ["borne"])
    book = load_workbook(path)
    rows = [
        ["", "borne", 2024, "WP", "veel", "waargenomen", "grootboek"],
        ["", "borne", 2024, "HOST", 1000, "gegokt", "grootboek"],
        ["", "bornee", 2024, "SD", 1000, "geschat", "schatting"],
        ["", "borne", 2024, "NET", 1000, "waargenomen", ""],
    ]
    for r, row in enumerate(rows, start=4):
        for c, value in enumerate(row, start=1):
            book["Kosten"].cell(row=r, column=c, value=value)
    contract = ["", "borne", "hosting", "X", "hosting", 1000, "volgend jaar", 3]
    for c, value in enumerate(contract, start=1):
        book["Contracten"].cell(row=4, column=c, value=value)
    book.save(path)
    with pytest.raises(ScenarioError) as caught:
        read_workbook(path)
    text = str(caught.value)
    for where in (
        "Kosten!E4: bedrag: must be a number ≥ 0, got 'veel'",
        "Kosten!F5: hoe verkregen: must be waargenomen, geschat or gemodelleerd, got 'gegokt'",
        "Kosten!B6: id: unknown organisation 'bornee'",
        "Kosten!G7: bron: every amount needs its source",
        "Contracten!G4: einddatum: must be a date, got 'volgend jaar'",
    ):
        assert where in text
    into = tmp_path / "studie.yaml"
    result = CliRunner().invoke(
        app, ["baseline", "read", str(path), "--into", str(into), "--extends", str(EXAMPLE)]
    )
    assert result.exit_code == 2 and "Kosten!E4" in result.output and "Traceback" not in result.output
    assert not into.exists() and not list(tmp_path.glob(".*")), "nothing written"


def test_the_baseline_commands_write_and_read(tmp_path):
    made = CliRunner().invoke(app, ["baseline", "template", str(tmp_path / "n.xlsx"), "--partner", "borne"])
    assert made.exit_code == 0 and (tmp_path / "n.xlsx").is_file()
    missing = CliRunner().invoke(
        app, ["baseline", "template", str(tmp_path / "typo" / "n.xlsx"), "--partner", "borne"]
    )
    assert missing.exit_code == 2 and "no folder" in missing.output
