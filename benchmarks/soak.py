"""`make soak`: 200 consecutive allocate commands and 20 report runs, watching memory, processes and files.

Fails (exit 1) when memory grows, a process outlives its run, a temporary file is left behind, or
two runs of the same input disagree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children() -> set[int]:
    mine = str(os.getpid())
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = status.read_text().splitlines()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in lines if ":" in line)
        if fields.get("PPid", "").strip() == mine and "Z" not in fields.get("State", ""):
            found.add(int(status.parent.name))
    return found


def runtime_files() -> int:
    from jupyter_core.paths import jupyter_runtime_dir

    folder = Path(jupyter_runtime_dir())
    return len(list(folder.glob("*"))) if folder.exists() else 0


def leftovers(folder: Path) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.name.endswith((".tmp", ".partial")) or ".tmp" in p.name]


def soak_allocate(runs: int, folder: Path) -> list[str]:
    from verkenning.games import game_from_mapping
    from verkenning.games.io import GameFile
    from verkenning.games.summary import summarise

    players = [f"P{i}" for i in range(8)]
    values = {}
    for mask in range(1, 1 << 8):
        members = [p for i, p in enumerate(players) if mask >> i & 1]
        values["+".join(members)] = 100.0 * len(members) - 3.0 * len(members) ** 1.5
    path = folder / "game.json"
    path.write_text(json.dumps({"players": players, "kind": "cost", "values": values}))
    failures = []
    first = None
    start = rss_mib()
    game = GameFile(game_from_mapping(players, values), {})
    for i in range(runs):
        summarise(game)
        if i == 9:
            start = rss_mib()  # after the first runs have warmed every cache
    grown = rss_mib() - start
    print(f"allocate in-process: {runs} runs, memory {start:.0f} → {rss_mib():.0f} MiB")
    if grown > 25:
        failures.append(f"in-process allocate grew by {grown:.0f} MiB over {runs} runs")
    before = children()
    for i in range(runs):
        done = subprocess.run(
            [sys.executable, "-m", "verkenning", "allocate", str(path), "--format", "json"],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if done.returncode != 0:
            failures.append(f"allocate run {i} failed: {done.stderr[-300:]}")
            break
        first = first or done.stdout
        if done.stdout != first:
            failures.append(f"allocate run {i} differs from the first")
            break
    print(f"allocate command: {runs} processes, identical output: {not failures}")
    if children() - before:
        failures.append(f"processes left behind by allocate: {sorted(children() - before)}")
    return failures


def soak_run(runs: int, folder: Path) -> list[str]:
    failures = []
    peaks = []
    runtime_before = runtime_files()
    before = children()
    results = []
    for i in range(runs):
        started = time.perf_counter()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "verkenning",
                "run",
                "scenarios/basis.yaml",
                "--out",
                str(folder / "reports"),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        _, status, usage = os.wait4(process.pid, 0)
        output = process.stdout.read()
        process.stdout.close()
        process.stderr.close()
        if status != 0:
            failures.append(f"run {i} exited with status {status}")
            break
        peaks.append(usage.ru_maxrss / 1024)
        report = Path(output.strip().splitlines()[-1])
        results.append((report.parent / "results.json").read_bytes())
        print(f"  run {i + 1:>2}: {time.perf_counter() - started:5.1f} s, peak {peaks[-1]:.0f} MiB")
    if len(set(results)) > 1:
        failures.append("runs of the same scenario and seed wrote different results.json")
    if peaks and max(peaks[-5:]) > 1.15 * max(peaks[:5]):
        failures.append(f"peak memory grew from {max(peaks[:5]):.0f} to {max(peaks[-5:]):.0f} MiB")
    time.sleep(2)
    if children() - before:
        failures.append(f"processes left behind: {sorted(children() - before)}")
    if runtime_files() > runtime_before:
        failures.append(f"{runtime_files() - runtime_before} kernel connection files left behind")
    left = leftovers(folder / "reports")
    if left:
        failures.append(f"temporary files left behind: {left[:5]}")
    return failures


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        failures = soak_allocate(200, Path(folder))
        print("verkenning run, 20 times:")
        failures += soak_run(20, Path(folder))
    for failure in failures:
        print(f"FAIL: {failure}")
    print("soak: " + ("failed" if failures else "passed"))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
