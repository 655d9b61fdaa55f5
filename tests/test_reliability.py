"""Faults and guarantees: interrupted runs lose nothing, paths stay inside, numbers survive scale."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from verkenning.games import Game, fee_range, least_core, nucleolus, prenucleolus, scrb, shapley
from verkenning.report import slug
from verkenning.report.run import KILL_AT

from .conftest import ROOT, SCENARIOS


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        ppid = next((line.split()[1] for line in text.splitlines() if line.startswith("PPid:")), None)
        if ppid == str(pid):
            found.append(int(status.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in state


def _complete(run: Path) -> bool:
    return all((run / name).is_file() for name in ("report.html", "results.json", "manifest.json"))


def _quick_run(out: Path) -> list[str]:
    """The command of a run of basis.yaml into ``out``, with 200 draws: these tests are about how a run
    survives, not about its numbers."""
    return [sys.executable, "-m", "verkenning", "run", str(SCENARIOS / "basis.yaml"), "--samples", "200",
            "--out", str(out)]  # fmt: skip


@pytest.fixture(scope="module")
def earlier(tmp_path_factory):
    out = tmp_path_factory.mktemp("faults")
    done = subprocess.run(
        _quick_run(out),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    run = Path(done.stdout.strip().splitlines()[-1]).parent
    return out, run, _tree_digest(run)


@pytest.mark.parametrize("stage", ["execution", "rendering", "writing", "publishing"])
def test_a_run_killed_at_any_stage_loses_nothing(earlier, stage):
    out, run, digest = earlier
    env = {**os.environ, KILL_AT: stage}
    process = subprocess.Popen(
        _quick_run(out),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    children: list[int] = []
    if stage == "execution":  # kill it from outside once its notebook is being executed
        deadline = time.time() + 120
        while time.time() < deadline and not list((out / "basis").glob(".*.partial/report.ipynb")):
            time.sleep(0.05)
        children = _children(process.pid)
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=300)
    assert process.returncode == -signal.SIGKILL, process.stderr.read().decode()
    assert _tree_digest(run) == digest, "the earlier run is untouched"
    latest = (out / "basis" / "latest").resolve()
    assert _complete(latest), "latest points at a complete run"
    visible = [
        p
        for p in (out / "basis").iterdir()
        if not p.name.startswith(".") and p.name not in ("latest", "onzekerheid")
    ]
    assert all(_complete(p) for p in visible if not p.name.endswith(".mislukt")), (
        "no incomplete run looks complete"
    )
    index = (out / "index.html").read_text(encoding="utf-8")
    assert ".partial" not in index
    deadline = time.time() + 15
    while time.time() < deadline and any(_alive(c) for c in children):
        time.sleep(0.2)
    assert not any(_alive(c) for c in children), "the kernel does not outlive its run"


def test_scenario_names_and_paths_cannot_leave_the_output_folder(tmp_path, write):
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("..") == "studie" and "/" not in slug("a/b\\c")
    hostile = (
        (SCENARIOS / "basis.yaml")
        .read_text(encoding="utf-8")
        .replace("name: Huidige samenwerking ICT Hengelo", 'name: "../../../../tmp/ontsnapt"')
    )
    path = write(hostile, 'weird "name" \\ .yaml')
    from verkenning.report import run_study

    result = run_study([path], "toetreding", tmp_path / "out", samples=200)
    assert (tmp_path / "out") in result.folder.parents
    assert not Path("/tmp/ontsnapt").exists()


def test_a_scenario_path_cannot_inject_code_into_the_notebook(tmp_path):
    """papermill writes the path into the parameter cell; quotes and backslashes must stay a string."""
    import nbformat

    from verkenning.report import run_study

    folder = tmp_path / 'a"); open("PWNED", "w"); ("'
    folder.mkdir()
    target = folder / "s.yaml"
    target.write_text((SCENARIOS / "basis.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = run_study([target], "toetreding", tmp_path / "out", samples=200)
    assert not (ROOT / "PWNED").exists() and not Path("PWNED").exists()
    notebook = nbformat.read(result.folder / "report.ipynb", as_version=4)
    injected = next(c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert str(target) in eval(injected.source.split("scenario = ", 1)[1].splitlines()[0])


# --- numbers that survive scale -------------------------------------------------------------------------


def _savings_game(n: int, seed: int) -> np.ndarray:
    """A small cost game in euros and cents (up to € 0,05 of difference between coalitions)."""
    rng = np.random.default_rng(seed)
    members = (np.arange(1 << n)[:, None] >> np.arange(n)) & 1
    own = rng.integers(1, 6, n) / 100
    cost = (members @ own) - rng.integers(0, 5, 1 << n) / 100 * (members.sum(axis=1) > 1)
    cost[0] = 0
    return np.round(cost, 2)


@pytest.mark.parametrize("seed", range(6))
def test_costs_of_a_billion_euro_allocate_like_the_small_game(seed):
    """Adding 10^9 euro per player (strategic equivalence) moves every concept by exactly that amount,
    even when the coalitions differ by cents."""
    n = 5
    small = _savings_game(n, seed)
    offset = np.full(n, 1e9) + np.arange(n) * 1e8
    members = (np.arange(1 << n)[:, None] >> np.arange(n)) & 1
    big = small + members @ offset
    players = tuple("ABCDE")
    for rule in (shapley, prenucleolus, scrb):
        np.testing.assert_allclose(
            rule(Game(players, big)).shares - offset, rule(Game(players, small)).shares, atol=1e-5
        )
    try:
        expected = nucleolus(Game(players, small)).shares
    except Exception:  # an empty imputation set fails alike for both
        expected = None
    if expected is not None:
        np.testing.assert_allclose(nucleolus(Game(players, big)).shares - offset, expected, atol=1e-5)
    assert least_core(Game(players, big)).epsilon == pytest.approx(
        least_core(Game(players, small)).epsilon, abs=1e-5
    )
    fee_big, fee_small = fee_range(Game(players, big), "A"), fee_range(Game(players, small), "A")
    assert fee_big.low - offset[0] == pytest.approx(fee_small.low, abs=1e-5)
    assert fee_big.high - offset[0] == pytest.approx(fee_small.high, abs=1e-5)


def test_scaling_a_game_scales_its_allocations():
    small = _savings_game(6, 11) + 1
    players = tuple("ABCDEF")
    for rule in (shapley, prenucleolus, scrb):
        np.testing.assert_allclose(
            rule(Game(players, small * 1e9)).shares / 1e9,
            rule(Game(players, small)).shares,
            rtol=1e-9,
            atol=1e-9,
        )


def test_every_report_allocation_adds_up_to_the_cent(tmp_path):
    # what a run writes as results.json is the study's results, through write_json (report.Report.save);
    # the rendered reports of borne and groeipad are checked against their results.json elsewhere
    from verkenning.files import write_json
    from verkenning.study import Study

    for name in ("haaksbergen-im.yaml", "groeipad.yaml"):
        write_json(tmp_path / "results.json", Study.load(SCENARIOS / name).results())
        data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
        for method, by_partner in data["allocation_by_year"].items():
            for year, total in data["cooperation_cost_eur"].items():
                shares = [years[year] for years in by_partner.values() if year in years]
                assert round(sum(shares) * 100) == round(total * 100), (method, year)


# --- whatever check accepts, run renders --------------------------------------------------------------


def _extreme_study(name: str) -> str:
    return (
        "extends: borne.yaml\n"
        f"name: {json.dumps(name)}\n"
        f"question: {json.dumps('Waarom? ' * 250)}\n"
        "partners:\n"
        f"  - id: borne\n    name: {json.dumps(name)}\n"
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Gemeente\x07Borne", "control character U+0007"),
        ("Gemeente\nBorne", "control character U+000A"),
        ("B" * 121, "at most 120"),
    ],
)
def test_check_refuses_text_a_report_cannot_show_with_its_line(write, name, message):
    from verkenning.errors import ScenarioError
    from verkenning.scenario import load_scenario

    path = write(_extreme_study(name))
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path)
    located = [str(p) for p in refused.value.problems if message in str(p)]
    assert located and all("study.yaml:" in p for p in located), refused.value


def test_the_extremes_check_accepts_render_as_text(tmp_path, write):
    """The longest name, mathtext and formula look-alikes in names: the run renders them literally."""
    import openpyxl

    from verkenning.report import run_study

    name = ('=HYPERLINK("x") $\\frac{a}{b}$ € ' * 10)[:120]
    path = write(_extreme_study(name))
    result = run_study([path], "toetreding", tmp_path / "out", samples=200)
    html = result.report.read_text(encoding="utf-8")
    assert html.count("HYPERLINK") >= 2 and "frac" in html
    book = openpyxl.load_workbook(result.folder / "results.xlsx")
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert any(c.value == name for c in cells), "the name is a text cell, as written"
    assert not any(c.data_type == "f" for c in cells)


def test_figures_draw_scenario_text_literally_and_short():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from verkenning.plots import LABEL_WIDTH, cost_figure

    names = ["Kosten $5$ mln", "W" * 20_000]
    figure = cost_figure(["a", "b"], names, [1.0, 2.0], [1.0, 2.0], [1.0, 2.0], 2026)
    FigureCanvasAgg(figure).draw()  # a 20,000-character label used to exhaust the memory here
    shown = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert shown[0] == r"Kosten \$5\$ mln", "a dollar sign is a dollar sign, not mathtext"
    assert len(shown[1]) == LABEL_WIDTH and shown[1].endswith("…")


@pytest.mark.parametrize("span", [(1_010_000, 1_160_000), (1_100_000, 2_400_000), (-1_300_000, 2_000_000)])
def test_euro_tick_labels_along_a_horizontal_axis_never_touch(span):
    """At 12 partners the contributions run in millions; "€ 1.025.000" and its neighbours overlapped."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from verkenning.plots import room_figure

    grid = np.linspace(*span, 80)
    series = [(f"Gemeente {i}", np.full(80, 1e5 * i), np.zeros(80), np.full(80, 2e5 * i)) for i in range(12)]
    figure = room_figure(grid, series, np.linspace(0, 1, 80), None, [("Shapley-waarde", span[1])])
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    labels = [t for t in figure.axes[0].get_xticklabels() if t.get_text() and t.get_visible()]
    boxes = sorted((t.get_window_extent(renderer) for t in labels), key=lambda b: b.x0)
    assert len(boxes) >= 3, "enough ticks to read the axis"
    assert all(left.x1 < right.x0 for left, right in itertools.pairwise(boxes))


def test_the_four_ks_count_roles_in_whole_numbers():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from verkenning.plots import fourk_figure

    panels = {"Kosten": ("euro per jaar", [1e6, 2e6], [1.1e6, 1.9e6]), "Kennis": ("rollen", [4, 10], [3, 9])}
    figure = fourk_figure(["a", "b"], ["A", "B"], panels)
    FigureCanvasAgg(figure).draw()
    ticks = figure.axes[1].get_yticks()
    assert len(ticks) >= 3 and np.array_equal(ticks, np.round(ticks)), "no 2.5 roles"
