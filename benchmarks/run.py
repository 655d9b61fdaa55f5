"""`make bench`: speed figures beside the references the issues name, as ratios from the same run.

Exact Shapley and the nucleolus against coopgame-py (Rust), tucoopy (pure Python on HiGHS) and a
textbook implementation, on the same random games; `verkenning allocate` as a whole process against
a short coopgame-py script. Peers are benchmark-only dependencies (the `bench` extra).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import textbook

from verkenning.games import Game, nucleolus, shapley

try:
    import coopgame
except ImportError:  # pragma: no cover - the bench extra installs it
    coopgame = None
try:
    import tucoopy
    from tucoopy.solutions import shapley_value as tucoopy_shapley
except ImportError:  # pragma: no cover
    tucoopy = None


def best_time(function: Callable[[], object], budget: float = 0.5, most: int = 7) -> float:
    """The fastest of a few runs (at least one, more while the budget lasts)."""
    times: list[float] = []
    while len(times) < most and (not times or sum(times) < budget):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def cost_game(n: int, seed: int) -> np.ndarray:
    """A random shared-facility cost game (concave, non-empty imputations): c(S) by mask."""
    rng = np.random.default_rng(seed)
    needs = rng.random((n, 8)) < 0.4
    price = rng.uniform(1, 50, 8)
    members = (np.arange(1 << n)[:, None] >> np.arange(n)) & 1
    return ((members @ needs.astype(int)) > 0) @ price + members @ rng.uniform(1, 5, n)


def random_cost_game(n: int, seed: int) -> np.ndarray:
    """A random cost game: every coalition pays 60-100% of its members' own costs."""
    rng = np.random.default_rng(seed)
    own = rng.uniform(10, 100, n)
    members = (np.arange(1 << n)[:, None] >> np.arange(n)) & 1
    cost = (members @ own) * rng.uniform(0.6, 1.0, 1 << n)
    cost[1 << np.arange(n)] = own
    return cost


def savings(cost: np.ndarray, n: int) -> np.ndarray:
    """The savings (value) game v(S) = Σ_{i∈S} c(i) − c(S): the form the peers take."""
    members = (np.arange(1 << n)[:, None] >> np.arange(n)) & 1
    return members @ cost[1 << np.arange(n)] - cost


def fmt(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1e3:10.3f}"


def ratio(theirs: float | None, ours: float) -> str:
    return "—" if theirs is None else f"{theirs / ours:7.1f}×"


def bench_shapley() -> None:
    print("\nExact Shapley value (ms; ratio = peer time / ours; > 1 means we are faster)")
    print(
        f"{'n':>3} {'ours':>10} {'coopgame':>10} {'ratio':>8} {'tucoopy':>10} {'ratio':>8} {'textbook':>10} {'ratio':>8}"
    )
    for n in (10, 12, 14, 16, 18, 20, 22, 24):
        values = np.random.default_rng(n).uniform(0, 100, 1 << n)
        values[0] = 0.0
        game = Game(tuple(f"p{i}" for i in range(n)), values)
        shapley(game)  # warm caches
        ours = best_time(lambda: shapley(game))
        theirs = tu = book = None
        if coopgame is not None:
            peer = coopgame.Game(values[1:])
            theirs = best_time(lambda: coopgame.shapley(peer))
            np.testing.assert_allclose(coopgame.shapley(peer), shapley(game).shares, rtol=1e-9)
        if tucoopy is not None and n <= 16:
            tgame = tucoopy.Game.from_coalitions(n_players=n, values=dict(enumerate(values.tolist())))
            tu = best_time(lambda: tucoopy_shapley(tgame))
        if n <= 14:
            book = best_time(lambda: textbook.shapley(values, n), budget=0.1, most=1)
        print(
            f"{n:>3} {fmt(ours)} {fmt(theirs)} {ratio(theirs, ours)} {fmt(tu)} {ratio(tu, ours)} {fmt(book)} {ratio(book, ours)}"
        )
    n = 24
    values = np.random.default_rng(n).uniform(0, 100, 1 << n)
    game = Game(tuple(f"p{i}" for i in range(n)), values)
    tracemalloc.start()
    shapley(game)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"peak memory of shapley at n = 24 (beyond the game's own array): {peak / 2**20:,.0f} MiB (target ≤ 1024)"
    )


def bench_nucleolus(family: str, make: Callable[[int, int], np.ndarray]) -> None:
    print(f"\nNucleolus (ms) on {family} cost games; peers get the savings game")
    print(
        f"{'n':>3} {'ours':>10} {'coopgame':>10} {'ratio':>8} {'tucoopy':>10} {'ratio':>8} {'textbook':>10} {'ratio':>8}"
    )
    for n in (10, 12, 14, 16, 18, 20):
        cost = make(n, n)
        game = Game(tuple(f"p{i}" for i in range(n)), cost)
        value = savings(cost, n)
        ours_x = nucleolus(game).shares
        ours = best_time(lambda: nucleolus(game), budget=1.0, most=3)
        theirs = tu = book = None
        if coopgame is not None:
            peer = coopgame.Game(value[1:])
            theirs = best_time(lambda: coopgame.nucleolus(peer), budget=1.0, most=3)
            peer_x = cost[1 << np.arange(n)] - np.array(coopgame.nucleolus(peer)["allocation"])
            np.testing.assert_allclose(peer_x, ours_x, atol=1e-6 * np.abs(cost).max())
        if tucoopy is not None and n <= 12:
            tgame = tucoopy.Game.from_coalitions(n_players=n, values=dict(enumerate(value.tolist())))
            tu = best_time(lambda: tucoopy.nucleolus(tgame), budget=1.0, most=3)
        if n <= 14:
            book = best_time(lambda: textbook.prenucleolus(cost, n), budget=1.0, most=1)
        print(
            f"{n:>3} {fmt(ours)} {fmt(theirs)} {ratio(theirs, ours)} {fmt(tu)} {ratio(tu, ours)} {fmt(book)} {ratio(book, ours)}"
        )
    print(
        "targets: n = 12 ≤ 100 ms, n = 16 ≤ 1,000 ms; ≥ 5× tucoopy at n = 12; within 10× of coopgame at n = 16"
    )


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


def bench_allocate() -> None:
    n = 16
    cost = cost_game(n, 99)
    players = [f"p{i}" for i in range(n)]
    values = {
        "+".join(p for i, p in enumerate(players) if m >> i & 1): float(cost[m]) for m in range(1, 1 << n)
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "game16.json"
        path.write_text(json.dumps({"players": players, "kind": "cost", "values": values}))
        script = Path(folder) / "peer.py"
        script.write_text(PEER_SCRIPT)
        ours_cmd = [
            sys.executable,
            "-m",
            "verkenning",
            "allocate",
            str(path),
            "--format",
            "json",
            "-m",
            "shapley",
            "-m",
            "prenucleolus",
            "-m",
            "least_core",
        ]
        peer_cmd = [sys.executable, str(script), str(path)]
        ours = best_time(lambda: subprocess.run(ours_cmd, check=True, capture_output=True), budget=3, most=3)
        theirs = None
        if coopgame is not None:
            theirs = best_time(
                lambda: subprocess.run(peer_cmd, check=True, capture_output=True), budget=3, most=3
            )
    print(
        f"\n`verkenning allocate` on a {n}-player game file (Shapley, pre-nucleolus, least core), whole process"
    )
    print(
        f"  ours {ours:.3f} s; coopgame-py script {theirs:.3f} s; ours / theirs = {ours / theirs:.2f} (target ≤ 3)"
        if theirs
        else f"  ours {ours:.3f} s (coopgame-py not installed)"
    )


def bench_report() -> None:
    """Wall time and peak memory of `verkenning run scenarios/borne.yaml` as a whole process."""
    root = Path(__file__).resolve().parent.parent
    times, peaks = [], []
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "verkenning", "run", "scenarios/borne.yaml", "--out", folder]
        for _ in range(2):
            start = time.perf_counter()
            process = subprocess.Popen(
                command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            _, status, usage = os.wait4(process.pid, 0)
            times.append(time.perf_counter() - start)
            peaks.append(usage.ru_maxrss / 1024)
            assert status == 0, "the run failed"
    print("\n`verkenning run scenarios/borne.yaml` (notebook execution, rendering and results)")
    print(
        f"  wall time {min(times):.1f} s (best of 2; target < 20 s); peak memory of the command {max(peaks):,.0f} MiB"
    )


def bench_explore() -> None:
    """Samples per second of the uncertainty sweep on 1, 2 and 4 workers; the 10,000-sample target."""
    from verkenning.explore import evaluate, explore, plan, sample
    from verkenning.scenario import load_scenario

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as folder:
        six = Path(folder) / "zes.yaml"  # today's four, Borne in 2026 and Hof van Twente in 2027
        groeipad = (root / "scenarios" / "groeipad.yaml").read_text(encoding="utf-8")
        hof = groeipad[groeipad.index("  - id: hof_van_twente") : groeipad.index("  - id: noaberkracht")]
        six.write_text(
            f"extends: {root / 'scenarios' / 'borne.yaml'}\nname: Zes deelnemers\npartners:\n"
            + hof.replace("joins: 2028", "joins: 2027"),
            encoding="utf-8",
        )
        scenario = load_scenario(six)
    draws = sample(scenario, 10_000, seed=0)
    prepared = plan(scenario, draws.paths, draws.specs)
    core = best_time(lambda: evaluate(prepared, draws.values), budget=2, most=3)
    print("\nUncertainty sweep, six partners (borne.yaml plus Hof van Twente; 9 uncertain inputs)")
    print(f"  10,000 samples with the core check of every key on every sample: {core:.2f} s (target < 5 s)")
    for workers in (1, 2, 4):
        seconds = best_time(
            lambda: explore(scenario, 20_000, seed=0, workers=workers, sobol_base=8), budget=1, most=1
        )
        print(
            f"  {workers} worker(s): {20_000 / seconds:,.0f} samples/s (20,000 samples, incl. sampling, tornado, Sobol, discovery)"
        )


def bench_terms() -> None:
    """The key designer and the entry terms on the Borne study at 2,000 samples (issue 16: ≤ 30 s)."""
    from verkenning.study import Study

    root = Path(__file__).resolve().parent.parent
    times = []
    for _ in range(3):
        study = Study.load(root / "scenarios" / "borne.yaml", samples=2000)
        start = time.perf_counter()
        design, terms = study.key_design, study.entry_terms
        times.append(time.perf_counter() - start)
    print("\nKey designer and entry terms, Borne study, 2,000 samples (sampling included)")
    print(
        f"  min {min(times):.1f} s, median {float(np.median(times)):.1f} s of 3 (target ≤ 30 s); "
        f"{design.method}, P(win-win) {design.win_win.mean():.1%}; {len(terms)} entrant(s)"
    )


def main() -> None:
    print("verkenning benchmarks (best of a few runs; this machine)")
    bench_shapley()
    bench_nucleolus("shared-facility", cost_game)
    bench_nucleolus("random", random_cost_game)
    bench_allocate()
    bench_report()
    bench_explore()
    bench_terms()


if __name__ == "__main__":
    main()
