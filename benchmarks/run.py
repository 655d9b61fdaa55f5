"""`make bench`: every speed figure of issue 19 beside its reference, as ratios measured in the same run.

Each row is repeated (min and median of paired runs: ours and the reference in turn), whole
processes are timed from the outside and their memory is the peak of the process tree (the command
and every process it starts, such as a notebook kernel), sampled every 20 ms from /proc. Peers are
benchmark-only dependencies (the `bench` extra): coopgame-py (Rust).

    python benchmarks/run.py                 # every row; prints the table
    python benchmarks/run.py --readme        # ... and writes it into README.md (Speed)
    python benchmarks/run.py shapley check   # some rows only (names: see ROWS)

The README's speed table is this script's output, never edited by hand.
"""

from __future__ import annotations

import compileall
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from growth import growth_path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CLI = [PY, "-m", "verkenning"]


@dataclass
class Row:
    figure: str
    ours: tuple[float, float]
    """min and median, in the row's unit."""
    reference: str
    theirs: tuple[float, float] | None
    target: str
    ok: bool
    unit: str = "s"
    note: str = ""

    @property
    def ratio(self) -> str:
        if self.theirs is None:
            return "—"
        return f"{self.ours[0] / self.theirs[0]:.2f}× / {self.ours[1] / self.theirs[1]:.2f}×"

    def cells(self) -> list[str]:
        theirs = "—" if self.theirs is None else _pair(self.theirs, self.unit)
        return [
            self.figure,
            _pair(self.ours, self.unit) + (f" ({self.note})" if self.note else ""),
            self.reference,
            theirs,
            self.ratio,
            self.target,
            "yes" if self.ok else "**no**",
        ]


def within(figure: str, ours, reference: str, theirs, most: float) -> Row:
    """A row whose target is at most ``most`` times the reference (medians)."""
    return Row(figure, ours, reference, theirs, f"≤ {most:g}×", ours[1] / theirs[1] <= most)


def _pair(values: tuple[float, float], unit: str) -> str:
    if any(v != v for v in values):  # NaN: not measured
        return "—"
    if unit == "s":
        return f"{_seconds(values[0])} / {_seconds(values[1])}"
    return f"{values[0]:,.0f} / {values[1]:,.0f} {unit}"


def _seconds(value: float) -> str:
    return f"{value * 1e3:.1f} ms" if value < 1 else f"{value:.2f} s"


def stats(times: list[float]) -> tuple[float, float]:
    return min(times), statistics.median(times)


def paired(ours: Callable[[], float], theirs: Callable[[], float] | None, repeats: int):
    """Run ours and the reference in turn ``repeats`` times: (min, median) of each."""
    a, b = [], []
    for _ in range(repeats):
        a.append(ours())
        if theirs is not None:
            b.append(theirs())
    return stats(a), (stats(b) if theirs is not None else None)


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


# --- whole processes ---------------------------------------------------------------------------------


def _tree_rss(root: int) -> int:
    """Memory (KiB) of ``root`` and every process below it: their proportional set sizes (PSS), so a
    page two of them share (a library, or a forked child's pages of its parent) counts once. The sum
    of resident sizes counted a report job's figure children as copies of the whole kernel."""
    parents: dict[int, int] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        parents[int(status.parent.name)] = int(fields.get("PPid", "0").strip() or 0)
    tree = {root}
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                changed = True
    return sum(_pss(pid) for pid in tree)


def _pss(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:  # gone meanwhile
        return 0
    return next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)


class Gave(Exception):
    """A command that did not finish within the bench's limits (time or memory)."""


def process(
    command: list[str], cwd: Path = ROOT, limit_s: float | None = None, limit_mib: float | None = None
) -> tuple[float, float]:
    """(wall seconds, peak MiB of the process tree) of one run of ``command``; it must succeed. With
    limits, a run past them is stopped (its process group, by PID) and raises :class:`Gave`."""
    start = time.perf_counter()
    child = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    peak = 0
    while child.poll() is None:
        peak = max(peak, _tree_rss(child.pid))
        over_time = limit_s is not None and time.perf_counter() - start > limit_s
        over_memory = limit_mib is not None and peak / 1024 > limit_mib
        if over_time or over_memory:
            os.killpg(child.pid, 9)
            child.wait()
            raise Gave(
                f"stopped after {time.perf_counter() - start:.0f} s"
                if over_time
                else f"stopped at {peak / 1024:,.0f} MiB"
            )
        time.sleep(0.02)
    wall = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{child.stderr.read().decode()[-2000:]}")
    return wall, peak / 1024


def processes(command: list[str], repeats: int, **limits) -> tuple[tuple[float, float], float]:
    """(min, median) wall time of ``repeats`` runs and the largest peak memory (MiB)."""
    walls, peaks = [], []
    for _ in range(repeats):
        wall, peak = process(command, **limits)
        walls.append(wall)
        peaks.append(peak)
    return stats(walls), max(peaks)


# --- rows ----------------------------------------------------------------------------------------------


def bench_growth(folder: Path) -> list[Row]:
    """`verkenning run` on growth paths of 12, 16 and 20 organisations; costs and scorecard at 20."""
    rows = []
    for organisations, limit, repeats in ((12, 10, 2), (16, 20, 2), (20, 60, 1)):
        scenario = growth_path(organisations, folder)
        out = folder / f"out{organisations}"
        command = [*CLI, "run", str(scenario), "--out", str(out)]
        # a run past ten times its target (and 5 minutes) or 12 GiB is stopped: the row says so (at
        # 20 organisations a run took 432 s on 2026-12-04: the row gives its time, not "stopped")
        try:
            (wall, peak) = processes(command, repeats, limit_s=max(10 * limit, 300), limit_mib=12 * 1024)
        except Gave as stopped:
            rows.append(
                Row(
                    f"`verkenning run`, growth path of {organisations} organisations",
                    (float("nan"), float("nan")),
                    "target",
                    None,
                    f"≤ {limit} s" + (", ≤ 2 GiB" if organisations == 20 else ""),
                    False,
                    note=str(stopped),
                )
            )
            continue
        memory = organisations < 20 or peak <= 2048
        rows.append(
            Row(
                f"`verkenning run`, growth path of {organisations} organisations",
                wall,
                "target",
                None,
                f"≤ {limit} s" + (", ≤ 2 GiB" if organisations == 20 else ""),
                wall[1] <= limit and memory,
                note=f"{peak:,.0f} MiB",
            )
        )
    scenario = growth_path(20, folder)
    for command in ("costs", "scorecard"):
        wall, peak = processes([*CLI, command, str(scenario)], 2)
        rows.append(
            Row(
                f"`verkenning {command}`, 20 organisations",
                wall,
                "target",
                None,
                "≤ 10 s",
                wall[1] <= 10,
                note=f"{peak:,.0f} MiB",
            )
        )
    return rows


def bench_explore(folder: Path) -> list[Row]:
    """`verkenning explore` of 10,000 samples at 12 organisations, every key's core check kept."""
    scenario = growth_path(12, folder)
    command = [
        *CLI,
        "explore",
        str(scenario),
        "--samples",
        "10000",
        "--out",
        str(folder / "sweep"),
        "--force",
    ]
    wall, peak = processes(command, 2)
    from verkenning.explore.vector import KEYS

    saved = next((folder / "sweep").rglob("samples.csv"))
    header = saved.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    skipped = [key for key in KEYS if f"in_core:{key}" not in header]  # every key's check, every sample
    return [
        Row(
            "`verkenning explore`, 10,000 samples, 12 organisations",
            wall,
            "target",
            None,
            "≤ 15 s, no core check dropped",
            wall[1] <= 15 and not skipped,
            note=f"{peak:,.0f} MiB" + (f"; skipped: {', '.join(skipped)}" if skipped else ""),
        )
    ]


JOB_MODULES = """
import json, pathlib, sys
import matplotlib
matplotlib.use("Agg")
import nbformat
before = set(sys.modules)
notebook = nbformat.read("notebooks/toetreding.ipynb", as_version=4)
run_dir = pathlib.Path(sys.argv[1]) / ".job.partial"  # beside the job's runs: its saved sweep is used
run_dir.mkdir(parents=True, exist_ok=True)
names = {"scenario": "scenarios/borne.yaml", "seed": 0, "samples": 1000, "run_dir": str(run_dir)}
for cell in notebook.cells:
    if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []):
        exec(cell.source, names)
ours = ("verkenning", "__main__", "__mp_main__")  # our own modules' import is the job's own work
print(json.dumps([name for name in sys.modules if name not in before and not name.startswith(ours)]))
"""
"""Prints the modules the Borne report notebook's cells import, run here as its kernel runs them, in
the study folder ``sys.argv[1]``."""


def floor_notebook(modules: list[str]) -> dict:
    """A papermill job with the report job's library imports (``modules``, in the order they were
    loaded) and six PNG figures: the floor of any notebook report on these libraries."""

    def cell(source: str) -> dict:
        return {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": source}

    imports = (
        "import importlib\nimport matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
        "import numpy as np\nfrom IPython.display import Image, display\nimport io\n"
        f"for name in {modules!r}:\n"
        "    try:\n        importlib.import_module(name)\n    except Exception:\n        pass"
    )
    figure = (
        "figure, axes = plt.subplots(figsize=(7, 3.5))\naxes.bar(range(6), np.arange(6) * {k})\n"
        "buffer = io.BytesIO()\nfigure.savefig(buffer, format='png', dpi=110)\nplt.close(figure)\n"
        "display(Image(buffer.getvalue()))"
    )
    return {
        "cells": [cell(imports), *[cell(figure.format(k=k + 1)) for k in range(6)]],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def bench_report(folder: Path) -> list[Row]:
    """The Borne report job against a papermill job with the same imports and six PNG figures.

    "The same imports" are read from the job itself: its notebook's cells run once in a process of
    their own, and the floor's kernel imports every library module they loaded, in that order (so a
    library the report stops loading leaves the floor too). Our own modules are not in the floor:
    importing them is the job's own work, as is all it computes and draws.
    A first, untimed run saves the study's sweep, which every later run of it reads, as the cells
    run for the module list do: the job and its floor are timed in the same state."""
    ours_cmd = [*CLI, "run", "scenarios/borne.yaml", "--out", str(folder / "reports")]
    process(ours_cmd)
    study = folder / "reports" / "borne"
    found = subprocess.run(
        [PY, "-c", JOB_MODULES, str(study)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    floor = folder / "floor.ipynb"
    floor.write_text(json.dumps(floor_notebook(json.loads(found.stdout))), encoding="utf-8")
    floor_cmd = [PY, "-m", "papermill", "--log-level", "ERROR", str(floor), str(folder / "floor-out.ipynb")]
    ours, theirs = paired(lambda: process(ours_cmd)[0], lambda: process(floor_cmd)[0], 3)
    figure = "`verkenning run scenarios/borne.yaml` (the report job)"
    return [within(figure, ours, "papermill job: same imports, six figures", theirs, 1.5)]


SHAPLEY_COLD = """
import sys, time
import numpy as np
n, peer = int(sys.argv[1]), sys.argv[2]
values = np.random.default_rng(n).uniform(0, 100, 1 << n)
values[0] = 0.0
if peer == "ours":
    from verkenning.games import Game, shapley
    game = Game(tuple(f"p{i}" for i in range(n)), values)
    start = time.perf_counter(); shapley(game); print(time.perf_counter() - start)
else:
    import coopgame
    game = coopgame.Game(values[1:])
    start = time.perf_counter(); coopgame.shapley(game); print(time.perf_counter() - start)
"""


def bench_shapley(folder: Path) -> list[Row]:
    """Exact Shapley value against coopgame-py, n = 10…25, cold (a fresh process) and warm."""
    import coopgame

    from verkenning.games import Game, shapley

    script = folder / "shapley_cold.py"
    script.write_text(SHAPLEY_COLD)
    rows, worst_cold, worst_warm = [], 0.0, 0.0
    detail = []
    for n in range(10, 26):
        values = np.random.default_rng(n).uniform(0, 100, 1 << n)
        values[0] = 0.0
        game = Game(tuple(f"p{i}" for i in range(n)), values)
        peer = coopgame.Game(values[1:])
        np.testing.assert_allclose(coopgame.shapley(peer), shapley(game).shares, rtol=1e-9)
        repeats = 5 if n <= 22 else 3
        warm, warm_peer = paired(
            lambda: timed(lambda: shapley(game)), lambda: timed(lambda: coopgame.shapley(peer)), repeats
        )

        def cold(who: str) -> float:
            return float(
                subprocess.run(
                    [PY, str(script), str(n), who], capture_output=True, text=True, check=True
                ).stdout
            )

        cold_ours, cold_peer = paired(lambda: cold("ours"), lambda: cold("peer"), 2 if n >= 23 else 3)
        worst_warm = max(worst_warm, warm[1] / warm_peer[1])
        worst_cold = max(worst_cold, cold_ours[1] / cold_peer[1])
        detail.append((n, warm, warm_peer, cold_ours, cold_peer))
    print("\nExact Shapley value (median; ratio = ours / coopgame-py, < 1 means we are faster)")
    print(
        f"{'n':>3} {'warm ours':>11} {'coopgame':>11} {'ratio':>6} {'cold ours':>11} {'coopgame':>11} {'ratio':>6}"
    )
    for n, warm, warm_peer, cold_ours, cold_peer in detail:
        print(
            f"{n:>3} {_seconds(warm[1]):>11} {_seconds(warm_peer[1]):>11} {warm[1] / warm_peer[1]:6.2f}"
            f" {_seconds(cold_ours[1]):>11} {_seconds(cold_peer[1]):>11} {cold_ours[1] / cold_peer[1]:6.2f}"
        )
    n24 = next(d for d in detail if d[0] == 24)
    rows.append(
        Row(
            "exact Shapley value, n = 10…25, warm (worst n)",
            n24[1],
            "coopgame-py (Rust), same game",
            n24[2],
            "faster at every n",
            worst_warm < 1.0,
            note=f"n = 24; worst ratio {worst_warm:.2f}",
        )
    )
    rows.append(
        Row(
            "exact Shapley value, n = 10…25, cold (worst n)",
            n24[3],
            "coopgame-py (Rust), fresh process",
            n24[4],
            "faster at every n",
            worst_cold < 1.0,
            note=f"n = 24; worst ratio {worst_cold:.2f}",
        )
    )
    n = 25
    values = np.random.default_rng(n).uniform(0, 100, 1 << n)
    game = Game(tuple(f"p{i}" for i in range(n)), values)
    tracemalloc.start()
    shapley(game)
    extra = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    rows.append(
        Row(
            "exact Shapley value, n = 25: memory beyond the game",
            (extra, extra),
            "target",
            None,
            "≤ 64 MiB",
            extra <= 64,
            unit="MiB",
        )
    )
    del game, values
    n = 24
    values = np.random.default_rng(n).uniform(0, 100, 1 << n)
    game = Game(tuple(f"p{i}" for i in range(n)), values)
    ours, read = paired(lambda: timed(lambda: shapley(game)), lambda: timed(lambda: values.sum()), 5)
    rows.append(
        within("exact Shapley value, n = 24", ours, "one read of the 2^24 game (`values.sum()`)", read, 5)
    )
    return rows


def random_cost_game(n: int, seed: int) -> np.ndarray:
    """Every coalition pays 60-100% of its members' own costs."""
    rng = np.random.default_rng(seed)
    own = rng.uniform(10, 100, n)
    members = (np.arange(1 << n)[:, None] >> np.arange(n)) & 1
    cost = (members @ own) * rng.uniform(0.6, 1.0, 1 << n)
    cost[1 << np.arange(n)] = own
    return cost


def airport_game(n: int, seed: int) -> np.ndarray:
    """c(S) = the longest runway a member of S needs (Littlechild and Owen 1973)."""
    runway = np.sort(np.random.default_rng(seed).uniform(1, 100, n))
    cost = np.zeros(1 << n)
    for i in range(n):  # the masks whose highest member is i
        cost[1 << i : 2 << i] = runway[i]
    return cost


def facility_game(n: int, seed: int) -> np.ndarray:
    """A shared-facility game: each of 8 facilities is paid once by any coalition that needs it."""
    rng = np.random.default_rng(seed)
    needs = rng.random((n, 8)) < 0.4
    price = rng.uniform(1, 50, 8)
    members = (np.arange(1 << n)[:, None] >> np.arange(n)) & 1
    return ((members @ needs.astype(int)) > 0) @ price + members @ rng.uniform(1, 5, n)


def model_game(n: int, folder: Path) -> np.ndarray:
    """The cost model's own game: the growth path of 20 organisations in 2034, its first n members."""
    from verkenning.costs import simulate
    from verkenning.scenario import load_scenario

    result = simulate(load_scenario(growth_path(20, folder)), rules=())
    k = result.years.index(2034)
    return result.projection.game(k, tuple(range(n)))[0]


def bench_nucleolus(folder: Path) -> list[Row]:
    """The nucleolus against coopgame-py on four families of cost games, n = 12…20."""
    import coopgame

    from verkenning.games import Game, nucleolus

    families = {
        "random": lambda n: random_cost_game(n, n),
        "airport": lambda n: airport_game(n, n),
        "facility": lambda n: facility_game(n, n),
        "cost model": lambda n: model_game(n, folder),
    }
    rows = []
    print("\nNucleolus (median; ratio = ours / coopgame-py on the savings game, < 1 means we are faster)")
    print(f"{'family':>10} {'n':>3} {'ours':>11} {'coopgame':>11} {'ratio':>6}")
    for family, make in families.items():
        worst, at = 0.0, None
        for n in (12, 14, 16, 18, 20):
            cost = make(n)
            game = Game(tuple(f"p{i}" for i in range(n)), cost)
            singles = cost[1 << np.arange(n)]
            members = (np.arange(1 << n)[:, None] >> np.arange(n)) & 1
            value = members @ singles - cost
            del members
            peer = coopgame.Game(value[1:])
            ours_x = nucleolus(game).shares
            peer_x = singles - np.array(coopgame.nucleolus(peer)["allocation"])
            np.testing.assert_allclose(peer_x, ours_x, atol=1e-6 * np.abs(cost).max())
            ours, theirs = paired(
                lambda: timed(lambda: nucleolus(game)), lambda: timed(lambda: coopgame.nucleolus(peer)), 3
            )
            ratio = ours[1] / theirs[1]
            print(f"{family:>10} {n:>3} {_seconds(ours[1]):>11} {_seconds(theirs[1]):>11} {ratio:6.2f}")
            if ratio >= worst:
                worst, at = ratio, (n, ours, theirs)
        n, ours, theirs = at
        rows.append(
            Row(
                f"nucleolus, {family} games, n = 12…20 (worst n)",
                ours,
                "coopgame-py (Rust), same game",
                theirs,
                "faster at every n",
                worst < 1.0,
                note=f"n = {n}",
            )
        )
    return rows


PEER_SCRIPT = """
import json, sys
import coopgame
data = json.load(open(sys.argv[1]))
players = data["players"]
bit = {p: i for i, p in enumerate(players)}
values = [0.0] * ((1 << len(players)) - 1)
for name, value in data["values"].items():
    values[sum(1 << bit[p] for p in name.split("+")) - 1] = -float(value)
game = coopgame.Game(values)
out = {"shapley": [-v for v in coopgame.shapley(game)],
       "prenucleolus": [-v for v in coopgame.prenucleolus(game)["allocation"]],
       "least_core": coopgame.least_core(game, domain="preimputation")["epsilon"]}
print(json.dumps(out))
"""


def bench_allocate(folder: Path) -> list[Row]:
    """`verkenning allocate` on a 16-player game file against a coopgame-py script, whole processes."""
    n = 16
    cost = facility_game(n, 99)
    players = [f"p{i}" for i in range(n)]
    values = {
        "+".join(p for i, p in enumerate(players) if m >> i & 1): float(cost[m]) for m in range(1, 1 << n)
    }
    path = folder / "game16.json"
    path.write_text(json.dumps({"players": players, "kind": "cost", "values": values}))
    script = folder / "peer.py"
    script.write_text(PEER_SCRIPT)
    methods = ["-m", "shapley", "-m", "prenucleolus", "-m", "least_core"]
    ours_cmd = [*CLI, "allocate", str(path), "--format", "json", *methods]
    # a process of half a second varies by a third between runs on a shared machine: more repeats
    ours, theirs = paired(lambda: process(ours_cmd)[0], lambda: process([PY, str(script), str(path)])[0], 15)
    figure = "`verkenning allocate`, 16 players (Shapley, pre-nucleolus, least core)"
    return [within(figure, ours, "a coopgame-py script, whole process", theirs, 2)]


def bench_check(folder: Path) -> list[Row]:
    """`verkenning check` of one scenario against `python -c pass`."""
    ours, theirs = paired(
        lambda: process([*CLI, "check", "scenarios/borne.yaml"])[0],
        lambda: process([PY, "-c", "pass"])[0],
        21,
    )
    return [within("`verkenning check scenarios/borne.yaml`", ours, "`python -c pass`", theirs, 8)]


def _same(a, b) -> bool:
    """Whether two sweeps drew the same inputs and found the same outcomes, to the bit."""
    return a.inputs.equals(b.inputs) and all(np.array_equal(a.outcomes[o], b.outcomes[o]) for o in a.outcomes)


def bench_workers(folder: Path) -> list[Row]:
    """`explore` at 100,000 samples on 2 local processes against one; the dask backend per core."""
    from verkenning.explore import explore
    from verkenning.scenario import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "borne.yaml")
    results = {}

    def run(workers: int | None = None, scheduler: str | None = None) -> float:
        start = time.perf_counter()
        results[(workers, scheduler)] = explore(
            scenario, 100_000, seed=0, workers=workers, scheduler=scheduler
        )
        return time.perf_counter() - start

    two, one = paired(lambda: run(workers=2), lambda: run(workers=1), 2)
    same = _same(results[(2, None)], results[(1, None)])
    rows = [
        Row(
            "`explore` 100,000 samples, `--workers 2`",
            two,
            "one process",
            one,
            "≥ 1.7× faster (ratio ≤ 0.59), the same numbers",
            two[1] / one[1] <= 1 / 1.7 and same,
            note="same numbers" if same else "numbers differ",
        )
    ]
    import dask
    from dask.distributed import Client, LocalCluster

    # the workers as the README says to start them: without the nanny's MALLOC_TRIM_THRESHOLD_=65536,
    # under which glibc maps and unmaps every large temporary and the model runs 1.7x slower per core
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, Client(cluster):
        address = cluster.scheduler_address
        on_dask, local = paired(lambda: run(scheduler=address), lambda: run(workers=2), 2)
    same = _same(results[(None, address)], results[(2, None)])
    rows.append(
        Row(
            "`explore` 100,000 samples on dask, 2 workers",
            on_dask,
            "2 local processes",
            local,
            "≤ 1.2×, the same numbers",
            on_dask[1] / local[1] <= 1.2 and same,
            note="same numbers" if same else "numbers differ",
        )
    )
    return rows


def bench_terms(folder: Path) -> list[Row]:
    """The key designer and the entry terms on the Borne study at 2,000 samples (issue 16)."""
    from verkenning.study import Study

    def once() -> float:
        study = Study.load(ROOT / "scenarios" / "borne.yaml", samples=2000)
        return timed(lambda: (study.key_design, study.entry_terms))

    ours, _ = paired(once, None, 3)
    return [
        Row(
            "key designer and entry terms, Borne, 2,000 samples (sampling included)",
            ours,
            "target",
            None,
            "≤ 30 s",
            ours[1] <= 30,
        )
    ]


ROWS = {
    "growth": bench_growth,
    "explore": bench_explore,
    "report": bench_report,
    "shapley": bench_shapley,
    "nucleolus": bench_nucleolus,
    "allocate": bench_allocate,
    "check": bench_check,
    "workers": bench_workers,
    "terms": bench_terms,
}
HEADER = [
    "figure",
    "ours (min / median)",
    "reference",
    "reference (min / median)",
    "ratio (min / median)",
    "target",
    "met",
]
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def markdown(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if "-h" in argv or "--help" in argv:
        print(f"usage: run.py [--readme] [ROW ...]\nrows: {', '.join(ROWS)}")
        return 0
    readme = "--readme" in argv
    chosen = [a for a in argv if not a.startswith("--")] or list(ROWS)
    unknown = set(chosen) - set(ROWS)
    if unknown:
        print(f"unknown rows {sorted(unknown)}; choose from {', '.join(ROWS)}", file=sys.stderr)
        return 2
    if readme and len(chosen) < len(ROWS):
        print("--readme writes the whole table: run every row", file=sys.stderr)
        return 2
    # measured as an installed package runs (pip compiles a wheel's modules): where
    # PYTHONDONTWRITEBYTECODE is set, every process would otherwise compile the package anew
    compileall.compile_dir(str(ROOT / "verkenning"), quiet=1)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        for name in chosen:
            start = time.perf_counter()
            try:
                found = ROWS[name](Path(folder))
            except Exception as error:  # one section failing must not lose the others' figures
                found = [
                    Row(f"{name}: failed", (float("nan"),) * 2, "—", None, "—", False, note=repr(error)[:200])
                ]
            rows += found
            print(f"[{name}: {time.perf_counter() - start:.0f} s]", file=sys.stderr)
            for row in found:
                print("  " + " | ".join(row.cells()), file=sys.stderr)
    when = time.strftime("%Y-%m-%d")
    table = markdown(rows)
    print(f"\nverkenning benchmarks, {when}, {os.cpu_count()} cores\n")
    print(table)
    if readme:
        path = ROOT / "README.md"
        text = path.read_text(encoding="utf-8")
        block = f"{START}\nMeasured by `make bench` on {when} ({os.cpu_count()} cores):\n\n{table}\n{END}"
        if START not in text:
            raise SystemExit(f"README.md has no {START} … {END} block to write the table into")
        path.write_text(re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S))
        print("\nwritten into README.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
