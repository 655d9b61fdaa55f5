"""Rendered studies, checked as a reader would: run folders, HTML without code, numbers from results.json."""

from __future__ import annotations

import ast
import contextlib
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import pytest
from typer.testing import CliRunner

from verkenning.cli import app
from verkenning.report import RunError, run_study
from verkenning.report import run as run_module
from verkenning.report.html import euro

from .conftest import ROOT, SCENARIOS

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SECTIONS = {
    "toetreding": [
        "Samenvatting",
        "Deelnemers en diensten",
        "Kosten: zelfstandig en samen",
        "Verdeling van de kosten",
        "De vier K's per deelnemer",
        "Wat wint de centrumgemeente?",
        "Voorstel: verdeelsleutel en bijdrage",
        "Bandbreedte van de toetredingsbijdrage",
        "Risico's en continuïteit",
        "Juridische en fiscale toets",
        "Bijlage: aannames en bronnen",
        "Herkomst",
    ],
    "groeipad": [
        "Samenvatting",
        "Het groeipad jaar voor jaar",
        "Wat elke toetreder verandert",
        "Voorstel: verdeelsleutel en bijdragen",
        "Juridische en fiscale toets",
        "Onzekerheid en robuustheid",
        "Herkomst",
    ],
    "vergelijking": [
        "Wat verschilt in de invoer",
        "Wat dat doet met elke deelnemer",
        "Randvoorwaarden per scenario",
    ],
}


# --- notebooks hold no logic and no outputs ------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs_and_without_logic(path):
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), "the first code cell holds the parameters"
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, "committed without outputs"
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda), (
                cell.source
            )
            assert not isinstance(node, ast.For | ast.While | ast.If | ast.With | ast.Try), cell.source
        for node in tree.body:
            if isinstance(node, ast.ImportFrom):
                assert node.module.startswith("verkenning"), "code cells call the package"
    for cell in code[1:]:
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.Expr):
                assert isinstance(node.value, ast.Call), "a code cell only calls the package"


# --- one run per notebook, shared by the tests below ----------------------------------------------------


PROGRESS: dict[str, str] = {}
"""What the Borne run of ``runs`` printed on standard error with progress on."""


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    cwd = os.getcwd()
    os.chdir(ROOT)
    stages = io.StringIO()
    try:
        with contextlib.redirect_stderr(stages):  # the progress a terminal shows, as lines in a log
            borne = run_study([SCENARIOS / "borne.yaml"], "toetreding", out, pdf=True, progress=True)
        PROGRESS["toetreding"] = stages.getvalue()
        # Borne as shipped (1,000 draws); the other pages are read for their content, which 200 draws
        # show as well
        return out, {
            "toetreding": borne,
            "groeipad": run_study([SCENARIOS / "groeipad.yaml"], "groeipad", out, samples=200),
            "vergelijking": run_study(
                [SCENARIOS / "borne.yaml", SCENARIOS / "borne-im.yaml"], "vergelijking", out, samples=200
            ),
        }
    finally:
        os.chdir(cwd)


def test_a_run_shows_its_progress_stage_by_stage_with_the_sweep_counted(runs):
    """A run with progress on (a terminal) names each stage as it starts, counts the sweep's model runs
    as they finish, and says when it is done; the notebook then reads that sweep instead of its own."""
    _out, results = runs
    lines = PROGRESS["toetreding"].splitlines()
    stages = [line for line in lines if line.startswith("verkenning: stap ")]
    assert [s.split(":", 2)[1] for s in stages] == [
        " stap 1 van 4",
        " stap 2 van 4",
        " stap 3 van 4",
        " stap 4 van 4",
    ]
    assert "onzekerheid" in stages[0] and "PDF" in stages[3]
    counted = [line for line in lines if line.startswith("explore: ")]
    assert counted and counted[-1].endswith("model runs (100%)")
    assert lines.index(counted[-1]) < lines.index(stages[1]), "the sweep is done before the notebook runs"
    assert re.fullmatch(r"verkenning: klaar in \d+ s", lines[-1])
    sweeps = list((results["toetreding"].folder.parent / "onzekerheid").glob("*/exploration.json"))
    assert len(sweeps) == 1, "the notebook used the sweep made before it, and made none of its own"


def test_run_folder_holds_everything_a_reader_and_a_consultant_need(runs):
    _out, results = runs
    folder = results["toetreding"].folder
    for name in (
        "report.html",
        "report.ipynb",
        "results.json",
        "results.xlsx",
        "manifest.json",
        "report.pdf",
    ):
        assert (folder / name).is_file(), name
    assert (folder / "report.pdf").read_bytes().startswith(b"%PDF")
    assert {p.name for p in (folder / "tables").glob("*.csv")} >= {
        "kosten.csv",
        "verdeling.csv",
        "scorecard.csv",
    }
    assert (folder.parent / "latest").resolve() == folder.resolve()
    assert not list(folder.parent.glob(".*.partial")), "no half-written run is left behind"
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    for key in ("scenario", "partners", "allocation", "npv_eur", "conditions", "seed"):
        assert key in data
    assert {"better_off", "key_stable"} <= set(data["conditions"])
    assert data["conditions"]["key_stable"]["verdict"] in ("pass", "fail")
    assert set(data["allocation"]) >= {"key", "shapley", "nucleolus", "scrb", "inhabitants", "workstations"}
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files = manifest["provenance"][0]["files"]
    assert [f["path"].split("/")[-1] for f in files][:2] == ["borne.yaml", "basis.yaml"]
    assert all(re.fullmatch(r"[0-9a-f]{64}", f["sha256"]) for f in files)
    assert manifest["seed"] == 0 and manifest["started"] <= manifest["finished"]
    assert manifest["provenance"][0]["dependencies"]["numpy"]


def test_the_run_workbook_names_its_run_and_carries_the_results(runs):
    import openpyxl

    folder = runs[1]["toetreding"].folder
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(folder / "results.xlsx")
    cover = dict(book["Voorblad"].iter_rows(min_row=2, values_only=True))
    assert cover["Run"] == folder.name and cover["Studie"] == data["scenario"]["name"]
    summary = list(book["Samenvatting"].iter_rows(values_only=True))
    heading = {h: j for j, h in enumerate(summary[0])}
    names = [p["name"] for p in data["partners"]]
    rows = {r[0]: r for r in summary[1:-1]}
    assert list(rows) == names
    for partner in data["partners"]:
        name, cost = partner["name"], data["cost_eur"][partner["id"]]
        assert rows[name][heading["Kosten in het scenario per jaar"]] == cost
        assert rows[name][heading["NCW van het voordeel (2,25%)"]] == data["npv_eur"][partner["id"]]
    total = summary[-1][heading["Kosten in het scenario per jaar"]]
    assert total == pytest.approx(sum(data["cost_eur"].values()), abs=0.005)


def _dutch_percent(p: float) -> str:
    return f"{100 * p:.1f}%".replace(".", ",")


def _dutch_euro(x: float) -> str:
    return f"€ {round(x):,}".replace(",", ".")


def test_the_terms_section_shows_the_proposed_key_and_the_room_of_results_json(runs):
    folder = runs[1]["toetreding"].folder
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    page = html.unescape(re.sub(r"<[^>]+>", " ", (folder / "report.html").read_text(encoding="utf-8")))
    page = re.sub(r"\s+([:;,.)])", r"\1", re.sub(r"\s+", " ", page.replace("\xa0", " ")))
    start = page.index("Voorstel: verdeelsleutel en bijdrage", page.index("Samenvatting"))
    section = page[start : page.index("Bandbreedte van de toetredingsbijdrage", start)]
    key = data["proposed_key"]
    assert f"Voorgestelde verdeelsleutel ({key['year']})" in section
    for weights in key["weights"].values():
        for w in weights.values():
            assert w == 100 or f"{w}% naar" in section
    assert f"met de voorgestelde sleutel {_dutch_percent(key['probability'])}" in section
    assert f"met de huidige {_dutch_percent(key['today_probability'])}" in section
    for entrant, terms in data["entry_terms"].items():
        name = next(p["name"] for p in data["partners"] if p["id"] == entrant)
        if terms["low"] is None:
            assert f"{name}: met geen enkele vaste jaarlijkse bijdrage" in section
            assert f"de beste bijdrage, {_dutch_euro(terms['best'])}, haalt" in section
        else:
            assert f"{_dutch_euro(terms['low'])} tot {_dutch_euro(terms['high'])}" in section
        for point in terms["points"].values():
            assert _dutch_euro(point) in section
        gains = terms["gains"][terms["principle"]]
        assert all(_dutch_euro(g) in section for g in gains.values())
    growth = data["growth_terms"]
    assert f"met de voorgestelde sleutel {_dutch_percent(growth['probability'])}, met de huidige" in section


def test_a_growth_path_names_the_order_of_entry_that_keeps_everyone_paying_no_more(runs):
    folder = runs[1]["groeipad"].folder
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    orders = data["growth_terms"]["orders"]
    entrants = [p for p in data["partners"] if p["joins"] is not None]
    assert len(orders) == len({tuple(sorted(p["joins"] for p in entrants))}) * 6 == 6, (
        "three entrants: 3! orders"
    )
    assert [o["proposed"] for o in orders] == sorted((o["proposed"] for o in orders), reverse=True)
    page = html.unescape(re.sub(r"<[^>]+>", " ", (folder / "report.html").read_text(encoding="utf-8")))
    page = re.sub(r"\s+([:;,.)])", r"\1", re.sub(r"\s+", " ", page.replace("\xa0", " ")))
    best = orders[0]["order"]
    for p in entrants:
        best = best.replace(p["id"] + " (", p["name"] + " (")
    assert f"waarin dat het vaakst zo blijft: {best} ({_dutch_percent(orders[0]['proposed'])}" in page


@pytest.mark.parametrize("notebook", ["toetreding", "groeipad", "vergelijking"])
def test_report_has_its_sections_figures_and_no_code(runs, notebook):
    html = runs[1][notebook].report.read_text(encoding="utf-8")
    for section in SECTIONS[notebook]:
        assert f">{section.replace(chr(39), '&#39;')}" in html or f">{section}" in html, section
    for code in (
        "Study.load",
        "Report.load",
        "report.summary(",
        "import ",
        "comparison.",
        "run_dir",
        "<script",
    ):
        assert code not in html, code
    assert 'lang="nl"' in html
    if notebook != "vergelijking":
        assert html.count("data:image/png;base64,") >= 3
    assert "http://" not in html and "https://" not in html, "a report loads nothing from the network"


def test_report_numbers_equal_results_json(runs):
    folder = runs[1]["toetreding"].folder
    html = (folder / "report.html").read_text(encoding="utf-8")
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    for partner, npv in data["npv_eur"].items():
        assert euro(npv) in html, (partner, npv)
        assert euro(data["cost_eur"][partner]) in html
        assert euro(data["status_quo_eur"][partner]) in html
    for method, shares in data["allocation"].items():
        for share in shares.values():
            assert euro(share) in html, (method, share)
        total = sum(shares.values())
        assert round(total, 2) == data["cooperation_cost_eur"][str(data["scenario"]["reference_year"])]


def test_uncertainty_section_shows_the_saved_sweep(runs):
    out, results = runs
    folder = results["toetreding"].folder
    html = (folder / "report.html").read_text(encoding="utf-8")
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    p = data["uncertainty"]["probabilities"]["win_win"]
    assert f"{100 * p:.1f}%".replace(".", ",") in html
    discovery = data["uncertainty"]["discovery"]
    assert "Wanneer gaat win-win verloren?" in html
    assert discovery["samples"] == 1000 and 0 < discovery["failures"] < 1000
    assert f"({discovery['failures']} van 1.000 trekkingen)" in html
    assert "Bandbreedte van de kosten" in html and "NCW 95%" in html
    kept = [
        json.loads(record.read_text(encoding="utf-8"))
        for record in (out / "borne" / "onzekerheid").glob("*/exploration.json")
    ]
    assert any(k["samples"] == 1000 and k["seed"] == 0 for k in kept), "the sweep is kept for re-rendering"
    assert "Onzekerheden die samen bewegen" in html and "de kostengroei binnen de samenwerking" in html
    assert "0,90" in html, "the defaults' correlation of the growth rates is shown with its rank"
    for heading in (
        "Hoe robuust is elke keuze?",  # every key and bearer, and not admitting
        "Niet toetreden (zoals nu)",
        "Eigen verdeelsleutel; transitie: de toetreder",
        "Waarde van informatie",
        "Hoe stabiel zijn de uitkomsten?",
        "Afweging bij het zoeken naar het gebied",
        "Marge (95%)",
        "Totale Sobol-index per uitkomst",
        "Verdeling van de netto contante waarde per deelnemer",  # the S-curves
        "Gevoeligheid van de netto contante waarde voor Gemeente Hengelo",  # the centre's tornado
    ):
        assert heading in html, heading
    # the sensitivity follows win-win and every partner's NPV, the centre's first, as the sweep saved it
    from html import escape

    import pandas as pd

    (sweep,) = (out / "borne" / "onzekerheid").glob("*/sobol.csv")
    sobol = pd.read_csv(sweep)
    partners = [p["id"] for p in data["partners"]]
    assert list(dict.fromkeys(sobol.outcome)) == ["win_win"] + [f"npv_eur:{p}" for p in partners]
    top = sobol[sobol.outcome == "win_win"].iloc[0]
    cells = re.findall(r'<tr><td class="">([^<]*)</td><td class="num">([0-9,]+) ±', html)
    assert (escape(top.label), f"{min(top.total_order, 1):.2f}".replace(".", ",")) in cells


def test_index_lists_every_run_with_a_link(runs):
    out, results = runs
    index = (out / "index.html").read_text(encoding="utf-8")
    for result in results.values():
        assert result.folder.relative_to(out).as_posix() + "/report.html" in index
    assert "Toetreding Borne tot de IT-samenwerking" in index
    # each condition in its own column under its Dutch name, with the mark results.json gives it
    import html

    from verkenning.report.labels import CONDITION_SHORT

    marks = {"pass": "✔", "fail": "✘", "undetermined": "?", "model_choice": "○"}
    strip = lambda cell: html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()  # noqa: E731
    header = [strip(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", index)]
    assert [h for h in header if h in CONDITION_SHORT.values()] == list(CONDITION_SHORT.values())
    for result in results.values():
        link = result.folder.relative_to(out).as_posix() + "/report.html"
        row = next(r for r in re.findall(r"<tr>(.*?)</tr>", index) if link in r)
        cells = dict(zip(header, [strip(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)], strict=True))
        data = json.loads((result.folder / "results.json").read_text(encoding="utf-8"))
        studies = data.get("studies", [data])
        for condition, heading in CONDITION_SHORT.items():
            expected = " / ".join(marks[s["conditions"][condition]["verdict"]] for s in studies)
            assert cells[heading] == expected, (result.folder.name, condition)


def test_scenario_strings_are_escaped(tmp_path, write):
    hostile = (
        (SCENARIOS / "borne.yaml")
        .read_text(encoding="utf-8")
        .replace("name: Gemeente Borne", 'name: "<script>alert(1)</script> Borne"')
        .replace("extends: basis.yaml", f"extends: {SCENARIOS / 'basis.yaml'}")
    )
    path = write(hostile, "hostile.yaml")
    result = run_study([path], "toetreding", tmp_path / "out", samples=200)
    html = result.report.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; Borne" in html


def _with_a_cell(tmp_path, monkeypatch, code: str) -> None:
    """Runs use a copy of the report notebook with ``code`` as its fourth cell."""
    broken = tmp_path / "notebooks"
    broken.mkdir()
    notebook = nbformat.read(ROOT / "notebooks" / "toetreding.ipynb", as_version=4)
    notebook.cells.insert(3, nbformat.v4.new_code_cell(code))
    nbformat.write(notebook, broken / "toetreding.ipynb")
    monkeypatch.setattr(run_module, "notebook_path", lambda name: broken / f"{name}.ipynb")


def test_a_failed_run_keeps_its_notebook_and_leaves_earlier_runs_alone(tmp_path, monkeypatch, runs):
    out = tmp_path / "out"
    good = run_study([SCENARIOS / "borne.yaml"], "toetreding", out, samples=200)
    _with_a_cell(tmp_path, monkeypatch, "report.no_such_section()")
    with pytest.raises(RunError, match=r"cel \d+: AttributeError.*no_such_section") as failure:
        run_study([SCENARIOS / "borne.yaml"], "toetreding", out, samples=200)
    assert ".mislukt/report.ipynb" in str(failure.value)
    failed = next((out / "borne").glob("*.mislukt"))
    assert (failed / "report.ipynb").is_file()
    assert (out / "borne" / "latest").resolve() == good.folder.resolve()
    assert good.report.is_file()


def test_a_kernel_that_dies_leaves_the_cells_it_ran_in_the_failed_notebook(tmp_path, monkeypatch):
    """The executed notebook is written once, when execution ends (run._engine): also when the kernel
    dies, so the failed run's notebook has what the cells before it showed."""
    _with_a_cell(tmp_path, monkeypatch, "import os\nos._exit(3)")
    with pytest.raises(RunError, match="mislukt"):
        run_study([SCENARIOS / "borne.yaml"], "toetreding", tmp_path / "out", samples=200)
    failed = nbformat.read(next((tmp_path / "out" / "borne").glob("*.mislukt")) / "report.ipynb", 4)
    header = next(c for c in failed.cells if "Report.load" in c.source)
    assert any("Borne" in str(output.get("data", {})) for output in header.outputs)


def test_registered_kernels_are_ignored(tmp_path, monkeypatch):
    """A machine whose 'python3' kernel is broken still runs studies on our own interpreter."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps({"argv": ["/bin/false"], "display_name": "kapot", "language": "python"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter"))
    result = run_study([SCENARIOS / "basis.yaml"], "toetreding", tmp_path / "out", samples=200)
    assert result.report.is_file()


def test_run_command_prints_the_report_last_and_refuses_bad_input(tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        app, ["run", "scenarios/basis.yaml", "--samples", "200", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1].endswith("report.html")
    # a quick draft: every draw of the report is the 200 asked for, and the manifest says so
    folder = Path(result.stdout.strip().splitlines()[-1]).parent
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["samples"] == 200
    assert json.loads((folder / "results.json").read_text(encoding="utf-8"))["uncertainty"]["samples"] == 200
    few = runner.invoke(
        app, ["run", "scenarios/basis.yaml", "--samples", "50", "--out", str(tmp_path / "few")]
    )
    assert few.exit_code == 2 and "--samples" in few.stderr and not (tmp_path / "f").exists()
    bad = runner.invoke(app, ["run", "tests/invalid/negative-count.yaml", "--out", str(tmp_path / "bad")])
    assert bad.exit_code == 2 and "must be ≥ 0" in bad.stderr
    assert not (tmp_path / "bad").exists(), "bad input creates no folder"
    one = runner.invoke(app, ["compare", "scenarios/basis.yaml", "--out", str(tmp_path / "c")])
    assert one.exit_code == 2 and "two or more" in one.stderr


# --- opened in a real browser ------------------------------------------------------------------------------


def _chromium() -> str | None:
    return run_module._chromium()


@pytest.mark.skipif(_chromium() is None and not os.environ.get("CI"), reason="Chromium is not installed here")
def test_report_renders_in_headless_chromium(runs, tmp_path):
    browser = _chromium()
    assert browser, "CI installs Chromium in .ci/run"
    report = runs[1]["toetreding"].report
    flags = [
        *run_module.CHROMIUM_FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
    ]
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120
    )
    assert "Samenvatting" in dom.stdout and "Gemeente Borne" in dom.stdout
    assert dom.stdout.count("<img") >= 3
    assert "Uncaught" not in dom.stderr and "CONSOLE" not in dom.stderr, "no script errors"
    shot = tmp_path / "page.png"
    subprocess.run(
        [browser, *flags, "--window-size=1200,1600", f"--screenshot={shot}", report.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[0] >= 1000 and pixels.std() > 0.05, "the page rendered text and figures, not a blank"


@pytest.mark.skipif(shutil.which("pdftotext") is None and not os.environ.get("CI"), reason="poppler-utils")
def test_the_pdf_is_a4_numbered_dated_and_cuts_no_table(runs):
    import html as markup

    result = runs[1]["toetreding"]
    pdf = result.folder / "report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    data = json.loads((result.folder / "results.json").read_text(encoding="utf-8"))
    for number in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"], capture_output=True, text=True
        ).stdout
        assert f"pagina {number} van {pages}" in text, number
        assert data["scenario"]["name"] in text and re.search(r"\d{1,2} \w+ 20\d\d", text), number
    # no table cut at the margin: every word lies within the page, and every heading's words are there
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', boxes).group(1))
    beyond = [w for x, w in re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)<', boxes) if float(x) > width + 0.5]
    assert beyond == [], beyond[:10]
    words = set(re.findall(r"\w+", markup.unescape(re.sub(r"<[^>]+>", " ", boxes))))
    page = result.report.read_text(encoding="utf-8")
    headings = {
        markup.unescape(re.sub(r"<[^>]+>", "", h)) for h in re.findall(r"<th[^>]*>(.*?)</th>", page, re.S)
    }
    lost = [h for h in headings if not set(re.findall(r"\w+", h)) <= words]
    assert lost == [], lost


def test_pdf_without_chromium_says_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    path, note = run_module.print_pdf(tmp_path / "x.html", tmp_path / "x.pdf")
    assert path is None and "apt-get install chromium" in note


def test_notebooks_run_as_committed_from_their_folder(tmp_path):
    """`make lab` opens the notebooks in notebooks/: their default parameters must find the scenarios."""
    import papermill

    for notebook in NOTEBOOKS:
        papermill.execute_notebook(
            str(notebook),
            str(tmp_path / notebook.name),
            cwd=str(notebook.parent),
            kernel_name="python3",
            kernel_manager_class=run_module._native_kernel_manager(tmp_path),
            progress_bar=False,
            # the defaults' paths are what is tested; fewer draws than the committed 1,000 serve
            parameters={"samples": 200} if notebook.stem != "verkennen" else {},
        )
        executed = nbformat.read(tmp_path / notebook.name, as_version=4)
        outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
        assert not any(o.get("output_type") == "error" for o in outputs)
        assert any("text/html" in o.get("data", {}) for o in outputs)


def test_python_interpreter_runs_the_kernel_with_its_files_in_the_private_folder(tmp_path):
    manager = run_module._native_kernel_manager(tmp_path)()
    assert manager.kernel_spec.argv[0] == sys.executable
    assert Path(manager.connection_file).parent == tmp_path
    assert manager.transport == "tcp" or Path(manager.ip).parent == tmp_path


def test_the_nulmeting_study_renders_with_its_baseline(tmp_path):
    result = run_study([SCENARIOS / "borne-nulmeting.yaml"], "toetreding", tmp_path / "out", samples=200)
    html = result.report.read_text(encoding="utf-8")
    assert "Nulmeting: gemeten kosten" in html and "Voorbeeld Hosting B.V." in html
    assert "deels nulmeting, deels gemodelleerd" in html
    data = json.loads((result.folder / "results.json").read_text(encoding="utf-8"))
    assert data["standalone_eur"]["borne"] < 1_227_126, "the observed costs replace the modelled ones"


def test_the_staffing_table_names_the_key_roles_in_dutch(runs):
    from verkenning.report.labels import ROLE_LABELS

    html = runs[1]["toetreding"].report.read_text(encoding="utf-8")
    table = html.split("Bezettingsplan voor een dekking")[1].split("</table>")[0]
    assert not any(raw in table for raw in ROLE_LABELS), "no role ids on the page"
    assert "werkplekbeheerder" in table and "servicedeskmedewerker" in table


def test_a_study_that_admits_nobody_says_so_in_a_sentence_that_reads():
    from verkenning.report import Report
    from verkenning.report.findings import fees

    report = Report.load(SCENARIOS / "borne.yaml")
    assert report.admission is not None and report.admission.chosen == ()  # Borne is not admitted
    page = re.sub(r"<[^>]+>", "", str(fees(report)))
    assert "Toelating van geen van de kandidaten (Gemeente Borne) vergroot de totale besparing" in page
    assert "van geen de" not in page


def test_the_appendix_names_every_figure_in_dutch_not_by_its_code():
    from verkenning.report import Report
    from verkenning.report.labels import PARAMETER_LABELS
    from verkenning.report.sections import assumptions
    from verkenning.scenario import Parameters

    numeric = [n for n, f in Parameters.model_fields.items() if "Figure" in str(f.annotation)]
    assert set(numeric) <= set(PARAMETER_LABELS), "every model parameter has its Dutch name"
    for name in ("borne", "groeipad", "borne-nulmeting"):
        page = re.sub(r"<[^>]+>", " ", str(assumptions(Report.load(SCENARIOS / f"{name}.yaml"))))
        assert not re.findall(r"\b[a-z]+_[a-z_]+\b|\b(partners|services|parameters)\.\w+", page), name
    page = str(assumptions(Report.load(SCENARIOS / "borne.yaml")))
    assert "Gemeente Borne: werkplekken" in page and "Digitale werkplek: schaalexponent" in page


def _page_text(path: Path) -> str:
    page = html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))
    return re.sub(r"\s+([:;,.)])", r"\1", re.sub(r"\s+", " ", page.replace("\xa0", " ")))


def _k(x: float) -> str:
    return _dutch_euro(round(x / 1000) * 1000)


def test_the_summary_answers_the_letter_then_the_study_in_thousands_from_results_json(runs):
    """Read as a wethouder would: what Hengelo gains first, then Borne's contribution, then the two
    win-win verdicts reconciled with the sweep; every amount rounded to thousands, every one as in
    the re-read results.json."""
    folder = runs[1]["toetreding"].folder
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    page = _page_text(folder / "report.html")
    summary = page[page.index("Samenvatting") : page.index("Randvoorwaarden uit de raadsbrief")]
    centre, entrant = "hengelo", "borne"
    letter, study = summary.index("Wat wint Gemeente Hengelo?"), summary.index("Tegen welke bijdrage?")
    verdicts = summary.index("Win-win: elke deelnemer beter af met de wijziging:")
    assert (
        letter
        < study
        < verdicts
        < summary.index("Verdeelsleutel stabiel: geen groep zelfstandig goedkoper uit:")
    )
    answer = summary[letter:study]
    band = data["npv_range"][centre]
    assert f"netto contante waarde van {_k(data['npv_eur'][centre])}" in answer
    assert f"tussen {_k(band['low_eur'])} en {_k(band['high_eur'])}" in answer
    assert f"kans op verlies {round(100 * band['loss_probability'])}%" in answer
    assert "deelt de samenwerking de transitie via de sleutel, dan wordt het" in answer
    # the key's effect on the centre, apart from the entry: the smallest change that makes it stable
    shift = dict(data["conditions"]["key_stable"]["facts"]["adjustment"]).get(centre, 0)
    if abs(shift) >= 500:
        assert f"de kleinste aanpassing die de sleutel stabiel maakt, {_k(abs(shift))} per jaar" in answer
    terms = data["entry_terms"][entrant]
    assert (
        f"minder betaalt dan wat hij aan kosten toevoegt (Gemeente Borne {_k(terms['floor'])} per jaar)"
        in answer
    )
    contribution = summary[study:verdicts]
    saving = terms["standalone"] - terms["floor"]
    if saving > 0:  # a saving is said as one, a loss as what the entry costs, never as a negative saving
        assert f"bespaart de deelnemers samen {_k(saving)} per jaar" in contribution
        assert "Een redelijke bijdrage ligt tussen" in contribution
    else:
        assert f"kost de deelnemers samen {_k(-saving)} per jaar meer dan ieder apart" in contribution
        assert "Geen bijdrage laat dan zowel Gemeente Borne als de huidige deelnemers winnen." in contribution
    assert "€ -" not in contribution
    assert f"De sleutel rekent Gemeente Borne {_k(terms['key_share'])}" in contribution
    if terms["key_share"] < terms["floor"] and saving > 0:
        assert "meer dan de hele gezamenlijke besparing" in contribution
    no_profit = data["conditions"]["no_profit"]["facts"]
    if no_profit["pricing"] == "direct":
        assert f"draagt zelf {_k(no_profit['subsidy_eur'])} per jaar aan overhead" in contribution
    point = terms["points"][terms["principle"]]
    assert f"Voorstel: {_k(point)} per jaar" in contribution
    for partner, gain in terms["gains"][terms["principle"]].items():
        name = next(p["name"] for p in data["partners"] if p["id"] == partner)
        assert re.search(
            rf"{name} (wint {re.escape(_k(abs(gain)))}|verliest {re.escape(_k(abs(gain)))}|wint noch)",
            contribution,
        )
    # the entry and the key are two verdicts, each as results.json has it; a failing key says whose it is
    words = {"pass": "voldaan", "fail": "niet voldaan"}
    better, stable = data["conditions"]["better_off"], data["conditions"]["key_stable"]
    assert f"met de wijziging: {words[better['verdict']]} —" in summary
    assert f"goedkoper uit: {words[stable['verdict']]} —" in summary
    facts = stable["facts"]
    if stable["verdict"] == "fail" and facts["status_quo_violations"]:
        assert "Dat is al zo in de huidige situatie: een eigenschap van de sleutel" in summary
        if facts["core_empty"]:
            assert "Geen verdeling is stabiel." in summary
        else:
            moved = sum(x for _, x in facts["adjustment"] if x > 0)
            assert f"De kleinste aanpassing die hem stabiel maakt, verschuift {_k(moved)} per jaar" in summary
    chance = data["uncertainty"]["probabilities"]["win_win"]
    assert f"geldt win-win (beide tegelijk) in {round(100 * chance)}% van de trekkingen" in summary
    amounts = re.findall(r"€ -?[\d.]+\d", summary)
    assert amounts and all(a.endswith(".000") or a == "€ 0" for a in amounts), "thousands only"


@pytest.mark.parametrize("notebook", ["toetreding", "groeipad", "vergelijking"])
def test_pages_cite_sources_by_name_and_label_their_years(runs, notebook):
    page = _page_text(runs[1][notebook].report)
    assert "FACTS" not in page, "a source is cited by what it is, not by a file the reader does not have"
    if notebook == "vergelijking":
        data = json.loads((runs[1][notebook].folder / "results.json").read_text(encoding="utf-8"))
        for study in data["studies"]:
            assert f"{study['scenario']['name']} ({study['scenario']['reference_year']})" in page
        assert "Conclusie" in page and "het gunstigst: een netto contante waarde van" in page
    data = json.loads((runs[1][notebook].folder / "results.json").read_text(encoding="utf-8"))
    ids = {p["id"] for study in data.get("studies", [data]) for p in study["partners"]}
    assert not [i for i in ids if "_" in i and i in page], "partners by name, never by their id"
    if notebook == "toetreding":  # a difference of two chances is in percentage points
        assert re.search(r"Gemeente Borne 2026 Gemeente Hengelo € [\d.]+ \d+,\d procentpunt", page)
    if notebook == "groeipad":
        assert "Wat Gemeente Hengelo per jaar wint of verliest langs het pad" in page
        assert "Onder de eigen verdeelsleutel: Gemeente Borne verhoogt de kosten van" in page


def _executed_notebook(path: Path) -> Path:
    v4 = nbformat.v4
    parameters = v4.new_code_cell("scenario = 'geheim.yaml'", metadata={"tags": ["parameters"]})
    table = v4.new_output("display_data", data={"text/html": "<table><tr><td>€ 1.234</td></tr></table>"})
    cells = [
        parameters,
        v4.new_markdown_cell("## Samenvatting\n\nDe *kosten* per deelnemer:\n\n- een\n- twee"),
        v4.new_code_cell("report.summary()", outputs=[table]),
    ]
    nbformat.write(v4.new_notebook(cells=cells), path)
    return path


def test_the_page_prepared_while_the_notebook_runs_is_the_page_made_afterwards(tmp_path, monkeypatch):
    """The exporter made ready in a thread while the kernel runs (run._Meanwhile) converts to the same
    page; a job that fails in the thread is done again in the open, and the page still has no code
    and no parameters."""
    notebook = _executed_notebook(tmp_path / "report.ipynb")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    afterwards = run_module._render_html(notebook, "Studie")
    meanwhile = run_module._Meanwhile(exporter=run_module._ready_exporter)
    meanwhile.start()
    assert run_module._render_html(notebook, "Studie", exporter=meanwhile.get("exporter")) == afterwards
    assert "€ 1.234" in afterwards and "<em>kosten</em>" in afterwards
    assert "geheim.yaml" not in afterwards and "report.summary()" not in afterwards

    calls = []

    def failing_once():
        calls.append(1)
        if len(calls) == 1:
            raise OSError("templates not readable")
        return run_module._ready_exporter()

    failed = run_module._Meanwhile(exporter=failing_once)
    failed.start()
    assert run_module._render_html(notebook, "Studie", exporter=failed.get("exporter")) == afterwards
    assert len(calls) == 2
    never = run_module._Meanwhile(exporter=run_module._ready_exporter)  # the kernel never started
    assert run_module._render_html(notebook, "Studie", exporter=never.get("exporter")) == afterwards


# -- figures drawn aside (report.html.section_with_figures) ------------------------------------------


def _bar_figure(k: int):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4, 2))
    figure.add_subplot().bar(range(4), [k, 2 * k, 1, 3], label="staaf")
    figure.axes[0].legend(loc="upper left", bbox_to_anchor=(1.02, 1))  # outside: the crop must keep it
    return figure


class _FailsInChild:
    """A figure whose drawing fails in any process but the one that made it."""

    def __init__(self, figure):
        self.figure, self.pid = figure, os.getpid()

    def savefig(self, *args, **kwargs):
        if os.getpid() != self.pid:
            raise RuntimeError("drawn in a child")
        return self.figure.savefig(*args, **kwargs)


class _Warns(_FailsInChild):
    """A figure whose drawing warns (as a glyph missing from the font does)."""

    def savefig(self, *args, **kwargs):
        warnings.warn("Glyph 9731 missing from font(s) DejaVu Sans.", UserWarning, stacklevel=2)
        return self.figure.savefig(*args, **kwargs)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="figures are drawn aside on Linux only")
def test_figures_drawn_aside_are_the_bytes_drawn_in_turn_and_a_failed_child_is_drawn_again():
    from verkenning.report.html import Markup, figure_html, section_with_figures

    def section(figures):
        return Markup("<h2>Deel</h2>" + "".join(figure_html(f, f"figuur {i}") for i, f in enumerate(figures)))

    inline = section([_bar_figure(k) for k in range(3)])
    aside = section_with_figures(section, [_bar_figure(k) for k in range(3)])
    assert "<!--figuur" not in aside and aside.count("<img") == 3
    assert aside == inline
    again = section_with_figures(section, [_bar_figure(0), _FailsInChild(_bar_figure(1)), _bar_figure(2)])
    assert again == inline
    with pytest.warns(UserWarning, match="Glyph 9731"):  # the child's warning is shown here, once drawn
        warned = section_with_figures(section, [_bar_figure(0), _Warns(_bar_figure(1)), _bar_figure(2)])
    assert warned == inline


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="figures are drawn aside on Linux only")
def test_a_section_interrupted_while_drawing_leaves_no_figure_child_behind():
    from verkenning.report.html import figure_html, section_with_figures

    def children() -> set[int]:
        found = set()
        for status in Path("/proc").glob("[0-9]*/status"):
            with contextlib.suppress(OSError):
                if f"PPid:\t{os.getpid()}\n" in status.read_text():
                    found.add(int(status.parent.name))
        return found

    before, during = children(), []

    class Interrupted:  # the first figure, drawn here: Ctrl-C while the child draws the second
        def savefig(self, *args, **kwargs):
            during.append(children() - before)
            raise KeyboardInterrupt

    def section():
        return figure_html(Interrupted(), "eerste") + figure_html(_bar_figure(1), "tweede")

    with pytest.raises(KeyboardInterrupt):
        section_with_figures(section)
    assert during[0]  # the second figure was being drawn aside,
    assert children() == before  # and its child is stopped and reaped: not even a zombie
