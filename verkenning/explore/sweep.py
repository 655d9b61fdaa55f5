"""Sweeps: sample once, evaluate in chunks on local processes or a dask cluster, save as tables.

The samples are drawn in this process from the seed; each chunk is evaluated by the same pure
function wherever it runs, and the chunks are put back in order, so the numbers are identical for
the same seed whatever the backend (one process, a pool of local processes, or a
``dask.distributed`` scheduler given by its address).

An exploration is saved in ``<folder>/`` as ``samples.csv`` (inputs and outcomes per sample),
``probabilities.csv``, ``tornado.csv``, ``sobol.csv``, ``discovery.json`` and ``exploration.json``
(scenario hash, seed, samples, backend, timing), so a report can be re-rendered without redoing it.
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import VerkenningError
from ..files import write_atomic, write_json
from ..scenario import Scenario
from .analysis import Discovery, discover, probabilities, sobol, tornado
from .sampling import active, sample
from .vector import evaluate, plan

__all__ = [
    "Exploration",
    "cached_exploration",
    "exploration_folder",
    "explore",
    "format_exploration",
    "load_exploration",
    "main_outcome",
    "save_exploration",
    "scenario_key",
]

CHUNK = 2048


@dataclass(frozen=True, eq=False)
class Exploration:
    """A sweep's samples and outcomes and the analyses made of them."""

    scenario: Scenario
    seed: int
    samples: pd.DataFrame
    """Inputs (one column per uncertain path) and outcomes, one row per sample."""
    paths: tuple[str, ...]
    probabilities: pd.DataFrame
    tornado: pd.DataFrame
    sobol: pd.DataFrame
    discovery: Discovery
    outcome: str
    """The outcome of the sensitivity analyses (an NPV)."""
    info: dict


def scenario_key(scenario: Scenario) -> str:
    """A short fingerprint of the scenario's files, so a saved sweep matches only the same inputs."""
    return sha256_text("".join(scenario.digests))[:12]


def sha256_text(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()


def main_outcome(scenario: Scenario) -> tuple[str, str]:
    """The NPV the sensitivity analyses follow: the entrants' together, else the centre's; and its name."""
    entrants = scenario.entrants()
    if len(entrants) == 1:
        name = scenario.partner(entrants[0]).name
        return f"npv_eur:{entrants[0]}", f"netto contante waarde voor {name}"
    return (
        f"npv_eur:{scenario.centre}",
        f"netto contante waarde voor {scenario.partner(scenario.centre).name}",
    )


def _evaluate_chunk(
    scenario: Scenario, paths: tuple, specs: tuple, values: np.ndarray
) -> dict[str, np.ndarray]:
    return evaluate(plan(scenario, paths, specs), values)


def _run_chunks(scenario, paths, specs, values, workers: int | None, scheduler: str | None, progress: bool):
    chunks = [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)] or [values]
    bar = None
    if progress and len(chunks) > 1:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(values), unit="trekking", desc="verkenning")
    results: list[dict] = []
    try:
        if scheduler:
            try:
                from distributed import Client
            except ImportError:
                raise VerkenningError(
                    "--scheduler needs dask.distributed: pip install 'verkenning[dask]'"
                ) from None
            with Client(scheduler) as client:
                futures = [
                    client.submit(_evaluate_chunk, scenario, paths, specs, c, pure=False) for c in chunks
                ]
                for future, chunk in zip(futures, chunks, strict=True):
                    results.append(future.result())
                    if bar:
                        bar.update(len(chunk))
        elif workers and workers > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for result, chunk in zip(
                    pool.map(
                        _evaluate_chunk, *zip(*[(scenario, paths, specs, c) for c in chunks], strict=True)
                    ),
                    chunks,
                    strict=True,
                ):
                    results.append(result)
                    if bar:
                        bar.update(len(chunk))
        else:
            for chunk in chunks:
                results.append(_evaluate_chunk(scenario, paths, specs, chunk))
                if bar:
                    bar.update(len(chunk))
    finally:
        if bar:
            bar.close()
    return {key: np.concatenate([r[key] for r in results]) for key in results[0]}


def explore(
    scenario: Scenario,
    samples: int = 1000,
    seed: int = 0,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    sobol_samples: int = 256,
) -> Exploration:
    """Monte Carlo over the scenario's uncertainties, then sensitivity and scenario discovery."""
    if samples < 2:
        raise VerkenningError("an exploration needs at least 2 samples")
    started = time.perf_counter()
    draws = sample(scenario, samples, seed)
    outcomes = _run_chunks(scenario, draws.paths, draws.specs, draws.values, workers, scheduler, progress)
    inputs = pd.DataFrame(draws.values, columns=list(draws.paths))
    table = pd.concat([inputs, pd.DataFrame(outcomes)], axis=1)
    outcome, _ = main_outcome(scenario)
    if draws.paths:
        sensitivity = tornado(scenario, draws.paths, draws.specs, outcome)
        indices = sobol(scenario, draws.paths, draws.specs, outcome, n=sobol_samples, seed=seed)
    else:
        sensitivity, indices = pd.DataFrame(), pd.DataFrame()
    finding = discover(
        inputs, ~table["win_win"].to_numpy(), dict(zip(draws.paths, draws.specs, strict=True)), seed
    )
    info = {
        "scenario": scenario.name,
        "scenario_key": scenario_key(scenario),
        "seed": seed,
        "samples": samples,
        "backend": "dask"
        if scheduler
        else f"processes ({workers})"
        if workers and workers > 1
        else "this process",
        "seconds": round(time.perf_counter() - started, 2),
        "uncertainties": {
            path: spec.model_dump(exclude_defaults=True) for path, spec in active(scenario).items()
        },
    }
    return Exploration(
        scenario, seed, table, draws.paths, probabilities(table), sensitivity, indices, finding, outcome, info
    )


def save_exploration(result: Exploration, folder: str | Path) -> Path:
    """Write the exploration's tables into ``folder`` (each file atomically)."""
    folder = Path(folder)
    write_atomic(folder / "samples.csv", result.samples.to_csv(index=False, lineterminator="\n"))
    write_atomic(folder / "probabilities.csv", result.probabilities.to_csv(index=False, lineterminator="\n"))
    write_atomic(folder / "tornado.csv", result.tornado.to_csv(index=False, lineterminator="\n"))
    write_atomic(folder / "sobol.csv", result.sobol.to_csv(index=False, lineterminator="\n"))
    discovery = {k: v for k, v in vars(result.discovery).items()}
    write_json(folder / "discovery.json", discovery)
    info = {**result.info, "paths": list(result.paths), "outcome": result.outcome}
    write_json(folder / "exploration.json", info)
    return folder


def load_exploration(scenario: Scenario, folder: str | Path) -> Exploration:
    """Read a saved exploration back (for re-rendering a report without redoing the sweep)."""
    folder = Path(folder)
    info = json.loads((folder / "exploration.json").read_text(encoding="utf-8"))
    if info["scenario_key"] != scenario_key(scenario):
        raise VerkenningError(f"{folder} was made from other scenario files; run verkenning explore again")
    read = lambda name: pd.read_csv(folder / name) if os.path.getsize(folder / name) > 1 else pd.DataFrame()  # noqa: E731
    samples = read("samples.csv")
    for column in samples.columns:
        if samples[column].dtype == object:
            samples[column] = samples[column].astype(bool)
    discovery = json.loads((folder / "discovery.json").read_text(encoding="utf-8"))
    discovery["conditions"] = tuple(tuple(c) for c in discovery["conditions"])
    return Exploration(
        scenario=scenario,
        seed=info["seed"],
        samples=samples,
        paths=tuple(info["paths"]),
        probabilities=read("probabilities.csv"),
        tornado=read("tornado.csv"),
        sobol=read("sobol.csv"),
        discovery=Discovery(**discovery),
        outcome=info["outcome"],
        info=info,
    )


def exploration_folder(root: str | Path, scenario: Scenario, seed: int, samples: int) -> Path:
    """Where a sweep of this scenario (by content), seed and size is kept under ``root``."""
    return Path(root) / "onzekerheid" / f"{scenario_key(scenario)}-s{seed}-n{samples}"


def cached_exploration(
    root: str | Path | None, scenario: Scenario, seed: int, samples: int = 1000
) -> Exploration:
    """The largest saved sweep of this scenario and seed under ``root``, or a new one (saved there)."""
    if root is not None:
        pattern = f"{scenario_key(scenario)}-s{seed}-n*"
        found = sorted(
            (Path(root) / "onzekerheid").glob(pattern),
            key=lambda f: int(f.name.rsplit("-n", 1)[1]),
            reverse=True,
        )
        for folder in found:
            if (folder / "exploration.json").is_file():
                return load_exploration(scenario, folder)
    result = explore(scenario, samples, seed)
    if root is not None:
        save_exploration(result, exploration_folder(root, scenario, seed, samples))
    return result


def format_exploration(result: Exploration, folder: Path | None = None) -> str:
    """A plain-text summary for the command line."""
    lines = [
        f"{result.scenario.name}: {result.info['samples']} samples (seed {result.seed}, "
        f"{result.info['backend']}, {result.info['seconds']} s)"
    ]
    for row in result.probabilities.itertuples():
        lines.append(f"  P({row.outcome}) = {row.probability:.3f} ± {row.standard_error:.3f}")
    if not result.tornado.empty:
        lines.append(
            f"  what moves {result.outcome} most (5% and 95% quantiles, others at the scenario's values):"
        )
        for row in result.tornado.head(5).itertuples():
            lines.append(f"    {row.path:<55} {row.outcome_at_low:>14,.0f} … {row.outcome_at_high:>14,.0f}")
    lines.append(f"  {result.discovery.sentence}")
    if folder is not None:
        lines.append(str(folder))
    return "\n".join(lines)
