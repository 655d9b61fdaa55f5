"""Result files: written whole, by several processes at once, and never as a live formula."""

from __future__ import annotations

import csv
import io
import multiprocessing
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from typer.testing import CliRunner

from verkenning.cli import app
from verkenning.files import spreadsheet_csv, workbook_bytes, write_atomic

from .conftest import SCENARIOS

HOSTILE = '=HYPERLINK("https://evil.example","Klik")'


def test_no_workbook_cell_is_ever_a_formula(tmp_path, write):
    text = (SCENARIOS / "borne.yaml").read_text(encoding="utf-8")
    path = write(
        text.replace("name: Toetreding Borne tot de IT-samenwerking", f"name: '{HOSTILE}'"), "evil.yaml"
    )
    done = CliRunner().invoke(app, ["costs", str(path), "--xlsx", str(tmp_path / "x.xlsx")])
    assert done.exit_code == 0, done.output
    workbook = load_workbook(tmp_path / "x.xlsx")
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    kept = [c for c in cells if c.value == HOSTILE]
    assert kept and all(c.data_type == "s" for c in kept), "the text is kept, as text"
    assert workbook["Voorblad"]["B2"].value == HOSTILE


def test_a_formula_in_a_frame_stays_text_in_the_workbook():
    frame = pd.DataFrame({"naam": [HOSTILE, "+1", "gewoon"], "bedrag": [-5.0, 1.0, 2.0]})
    sheet = load_workbook(io.BytesIO(workbook_bytes({"blad": frame}))).active
    assert [c.data_type for c in sheet["A"]][1:] == ["s", "s", "s"]
    assert sheet["A2"].value == HOSTILE and sheet["B2"].value == -5.0


def test_csv_text_cells_that_would_start_a_formula_are_neutralised():
    frame = pd.DataFrame(
        {
            "tekst": ["=1+1", "+31", "-x", "@SUM(A1)", "\tcmd", "\rcmd", "gewoon"],
            "getal": [-1, 2, 3, 4, 5, 6, 7],
        }
    )
    rows = list(csv.reader(io.StringIO(spreadsheet_csv(frame))))
    assert rows[0] == ["tekst", "getal"] and len(rows) == 8
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'+31", "'-x", "'@SUM(A1)", "'\tcmd", "'\rcmd", "gewoon"]
    assert [float(r[1]) for r in rows[1:]] == [-1, 2, 3, 4, 5, 6, 7], "numbers are left alone"


def _writer(path: str, mark: int, times: int) -> None:
    for i in range(times):
        write_atomic(Path(path), f"{mark}:{i}:" + "x" * 5000 + "\n")


def test_many_processes_writing_one_file_never_leave_half_a_file(tmp_path):
    target = tmp_path / "index.html"
    write_atomic(target, "start\n")
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_writer, args=(str(target), m, 300)) for m in range(8)]
    for process in writers:
        process.start()
    seen = 0
    while any(p.is_alive() for p in writers):
        text = target.read_text(encoding="utf-8")
        assert text == "start\n" or (text.endswith("x\n") and len(text.split(":", 2)[2]) == 5001), (
            "partial file"
        )
        seen += 1
    for process in writers:
        process.join(timeout=60)
        assert process.exitcode == 0, "a writer failed"
    assert seen > 0 and not list(tmp_path.glob(".*.tmp")), "no temporary file is left"
