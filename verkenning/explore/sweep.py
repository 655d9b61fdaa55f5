"""Sweeps: sample once, evaluate in chunks on local processes or a dask cluster, save as tables.

The samples are drawn in this process from the seed; each chunk is evaluated by the same pure
function wherever it runs, and the chunks are put back in order, so the numbers are identical for
the same seed whatever the backend (one process, a pool of local processes, or a
``dask.distributed`` scheduler given by its address).

An exploration is saved in ``<folder>/`` as ``samples.csv`` (inputs and outcomes per sample),
``probabilities.csv``, ``tornado.csv``, ``sobol.csv``, ``convergence.csv`` (the running estimates
replicate by replicate), ``robustness.csv`` and ``information.csv`` (the choices of key and
transition bearer, and the value of information, :mod:`choices`), ``discovery.json`` and
``exploration.json`` (scenario hash, seed, samples, correlations, backend, timing), so a report can
be re-rendered without redoing it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Failed, VerkenningError
from ..files import write_atomic, write_json
from ..scenario import Scenario
from . import vector
from .analysis import (
    SOBOL_REPLICATES,
    Discovery,
    Probability,
    convergence,
    discover,
    outcome_columns,
    probabilities,
    sensitivity_outcomes,
    sobol_design,
    sobol_estimates,
    sobol_points,
    sobol_tables,
    tornado,
)
from .choices import choices, value_of_information
from .outcomes import KINDS, Outcome
from .sampling import active, correlations_in_force, sample
from .vector import evaluate, plan

__all__ = [
    "Exploration",
    "cached_exploration",
    "exploration_folder",
    "explore",
    "load_exploration",
    "main_outcome",
    "save_exploration",
    "sweep_id",
    "workload",
]

CHUNK = 2048

CELLS_PER_SECOND = 1e8
"""Coalition × service cells one process evaluates per second, whole command included (measured on
the 2-core reference machine on 2026-12-02: 1.1 × 10^8 at 12 and at 16 members, ``verkenning explore``
of the benchmark's growth paths); only used to say how long a sweep will take."""
WORK_BUDGET = 1e11
"""Cells a sweep may take without ``--force``: about a quarter of an hour on the reference machine."""
MEMORY_BUDGET = 4 * 2**30
"""Bytes the samples, their outcomes and one chunk may hold without ``--force``."""
FILE_BUDGET = 2 * 10**9
"""Bytes ``samples.csv`` may reach without ``--force``."""


@dataclass(frozen=True)
class Workload:
    """What a sweep will cost, estimated before it starts (``verkenning explore`` checks it)."""

    samples: int
    coalitions: int
    services: int
    columns: int
    inputs: int
    sobol_base: int | None = None

    @property
    def evaluations(self) -> int:
        """Samples evaluated: the requested ones plus the Sobol' design's."""
        return self.samples + (_sobol_runs(self.samples, self.inputs, self.sobol_base) if self.inputs else 0)

    @property
    def cells(self) -> float:
        return float(self.evaluations) * self.coalitions * self.services

    @property
    def seconds(self) -> float:
        return self.cells / CELLS_PER_SECOND

    @property
    def memory(self) -> float:
        chunk = 8.0 * 12 * vector.CHUNK_CELLS  # a dozen arrays of one chunk's cells
        return 8.0 * 2 * self.samples * self.columns + chunk

    @property
    def file(self) -> float:
        return 20.0 * self.samples * self.columns

    def over_budget(self) -> tuple[str, ...]:
        """The budgets this sweep exceeds (``work``, ``memory``, ``file``); empty when none."""
        return tuple(
            name
            for name, used, budget in (
                ("work", self.cells, WORK_BUDGET),
                ("memory", self.memory, MEMORY_BUDGET),
                ("file", self.file, FILE_BUDGET),
            )
            if used > budget
        )

    def fitting_samples(self) -> int:
        """The largest sample count within every budget (in thousands where it can be; at least 2)."""
        low, high = 2, max(self.samples, 2)
        while low < high:  # the cost grows with the samples: bisect
            middle = (low + high + 1) // 2
            if replace(self, samples=middle).over_budget():
                high = middle - 1
            else:
                low = middle
        return low // 1000 * 1000 or low


def _sobol_runs(samples: int, inputs: int, base: int | None) -> int:
    return SOBOL_REPLICATES * (base or sobol_design(samples, inputs)) * (inputs + 2)


def workload(scenario: Scenario, samples: int, sobol_base: int | None = None) -> Workload:
    """The work a sweep of ``samples`` samples of ``scenario`` will do (see :class:`Workload`)."""
    paths = len(active(scenario))
    members = len(scenario.members(scenario.reference_year()))
    outcomes = len(KINDS) * (len(scenario.partners) + 1)  # a generous count of outcome columns
    return Workload(
        samples=samples,
        coalitions=1 << members,
        services=len(scenario.services),
        columns=paths + outcomes,
        inputs=paths,
        sobol_base=sobol_base,
    )


@dataclass(frozen=True, eq=False)
class Exploration:
    """A sweep's samples and outcomes and the analyses made of them."""

    scenario: Scenario
    seed: int
    inputs: pd.DataFrame
    """One column per uncertain path, one row per sample."""
    outcomes: dict[Outcome, np.ndarray]
    """Every outcome of every sample."""
    paths: tuple[str, ...]
    probabilities: dict[Outcome, Probability]
    tornado: pd.DataFrame
    sobol: pd.DataFrame
    discovery: Discovery
    """Where win-win fails."""
    outcome: Outcome
    """The outcome of the sensitivity analyses (an NPV)."""
    info: dict
    convergence: pd.DataFrame
    """The running estimates with their bands, replicate by replicate (:func:`analysis.convergence`)."""
    robustness: pd.DataFrame
    """Per (key, transition bearer) option: P(no partner loses), P(loss) per partner, regret."""
    information: pd.DataFrame
    """What knowing each input before choosing would be worth (EVPPI, euros; ``*``: everything)."""

    @property
    def samples(self) -> int:
        return len(self.inputs)


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """A fingerprint of the package's code and data, so a sweep made by other code is never re-used."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for file in sorted([*root.rglob("*.py"), *root.rglob("*.yaml")]):
        digest.update(file.relative_to(root).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def sweep_id(scenario: Scenario, seed: int, samples: int) -> str:
    """What determines a sweep: the scenario's files as read, the seed, the sample count, the code."""
    digest = hashlib.sha256()
    for part in (*scenario.digests, str(seed), str(samples), version("verkenning"), _code_digest()):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _inputs_id(scenario: Scenario, seed: int) -> str:
    """The same without the sample count: sweeps that differ only in their size."""
    return sweep_id(scenario, seed, -1)


def main_outcome(scenario: Scenario) -> Outcome:
    """The NPV the sensitivity analyses follow: the one entrant's, else the centre's."""
    entrants = scenario.entrants()
    return Outcome("npv_eur", entrants[0] if len(entrants) == 1 else scenario.centre)


class _Progress:
    """Progress on standard error: a bar on a terminal, else a line at every tenth (for logs)."""

    def __init__(self, total: int):
        self.total, self.done, self.shown = total, 0, 0
        self.bar = None
        if sys.stderr.isatty():
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, unit="doorrekening", desc="onzekerheid")

    def update(self, count: int) -> None:
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
            return
        tenth = self.done * 10 // self.total
        if tenth > self.shown:
            self.shown = tenth
            print(
                f"explore: {self.done:,} of {self.total:,} model runs ({tenth * 10}%)",
                file=sys.stderr,
                flush=True,
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _follow_parent(parent: int) -> None:
    """In a worker: exit within a second of the process that started it (killed or terminated)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="follow-parent").start()


def _evaluate_chunk(scenario: Scenario, paths: tuple, specs: tuple, values: np.ndarray) -> dict:
    return evaluate(plan(scenario, paths, specs), values)


def _sobol_chunk(scenario: Scenario, paths: tuple, specs: tuple, outcomes: tuple, values: np.ndarray):
    return outcome_columns(plan(scenario, paths, specs), values, outcomes)


def _on_one_blas_thread(function, *arguments):
    """``function(*arguments)`` with BLAS on one thread, the worker's own limit restored after: a
    chunk on a local or dask worker runs beside others and this process on the same cores (two
    workers each running BLAS on both cores of the 2-core reference machine made a 100,000-sample
    sweep of Borne 6.9 s instead of 5.3 s, 2026-12-06)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        return function(*arguments)


def _chunks(values: np.ndarray) -> list[np.ndarray]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)] or [values]


class _Later:
    """A chunk for this process, evaluated when its result is asked for (a future's interface)."""

    def __init__(self, function, arguments: tuple):
        self.function, self.arguments = function, arguments

    def result(self):
        return self.function(*self.arguments)


class _Backend:
    """Where a sweep's chunks are evaluated: this process, a pool of local processes, or a
    ``dask.distributed`` scheduler. :meth:`submit` starts chunks and :meth:`gather` reads them back
    in order, so the parent can do its own work in between and the numbers do not depend on where a
    chunk ran. One pool or client serves the samples and the Sobol' design."""

    def __init__(self, workers: int | None, scheduler: str | None):
        self.workers, self.scheduler = workers, scheduler
        self.pool = self.client = self.blas = None

    def __enter__(self) -> _Backend:
        if self.scheduler:
            try:
                from distributed import Client
            except ImportError:
                raise VerkenningError(
                    "--scheduler needs dask.distributed: pip install 'verkenning[dask]'"
                ) from None
            self.client = Client(self.scheduler)
        elif self.workers and self.workers > 1:
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers, initializer=_follow_parent, initargs=(os.getpid(),)
            )
        if self.pool is not None or self.client is not None:
            from threadpoolctl import threadpool_limits

            self.blas = threadpool_limits(1, user_api="blas")  # this process works beside them
        return self

    def __exit__(self, kind, error, trace) -> None:
        if self.client is not None:
            self.client.close()
        if self.pool is not None:  # on an error the chunks not yet started are dropped
            self.pool.shutdown(wait=True, cancel_futures=kind is not None)
        if self.blas is not None:
            self.blas.restore_original_limits()

    def submit(self, function, calls: list[tuple]) -> list:
        if self.client is not None:
            return [self.client.submit(_on_one_blas_thread, function, *call, pure=False) for call in calls]
        if self.pool is not None:
            try:
                return [self.pool.submit(_on_one_blas_thread, function, *call) for call in calls]
            except BrokenProcessPool:  # a worker stopped while earlier chunks ran
                raise _stopped() from None
        return [_Later(function, call) for call in calls]

    def gather(self, pending: list, sizes: list[int], bar) -> list:
        results = []
        try:
            for item, size in zip(pending, sizes, strict=True):
                results.append(item.result())
                if bar:
                    bar.update(size)
        except BrokenProcessPool:
            raise _stopped() from None
        return results


def _stopped() -> Failed:
    """What a sweep says when one of its local workers stopped (submitting to or reading from a pool
    that lost a process raises ``BrokenProcessPool``)."""
    return Failed(
        "explore: a worker process stopped before its part of the sweep was done (killed, or out of "
        "memory); nothing was saved — run again, with fewer --workers or fewer --samples"
    )


def explore(
    scenario: Scenario,
    samples: int = 1000,
    seed: int = 0,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    sobol_base: int | None = None,
) -> Exploration:
    """Monte Carlo over the scenario's uncertainties, then sensitivity and scenario discovery."""
    if samples < 2:
        raise VerkenningError("an exploration needs at least 2 samples")
    started = time.perf_counter()
    draws = sample(scenario, samples, seed)
    bad = [
        path
        for path, column in zip(draws.paths, draws.values.T, strict=True)
        if not np.isfinite(column).all()
    ]
    if bad:
        raise VerkenningError(f"the uncertainty of {', '.join(bad)} draws values that are not finite numbers")
    base = sobol_base or sobol_design(samples, len(draws.paths))
    bar = (
        _Progress(samples + (_sobol_runs(samples, len(draws.paths), base) if draws.paths else 0))
        if progress
        else None
    )
    sensitivity, indices, running = pd.DataFrame(), pd.DataFrame(), {}
    try:
        with _Backend(workers, scheduler) as backend:
            given = (scenario, draws.paths, draws.specs)
            chunks = _chunks(draws.values)
            pending = backend.submit(_evaluate_chunk, [(*given, c) for c in chunks])
            if draws.paths:  # the Sobol' design queued behind the samples: the backend never waits
                wanted = sensitivity_outcomes(scenario)  # between them, and this process does the rest
                design = _chunks(sobol_points(draws.specs, base, np.random.default_rng(seed)))
                sobol_pending = backend.submit(_sobol_chunk, [(*given, wanted, c) for c in design])
                sensitivity = tornado(
                    scenario, draws.paths, draws.specs, [o for o in wanted if o.kind == "npv_eur"]
                )
            parts = backend.gather(pending, [len(c) for c in chunks], bar)
            outcomes = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
            inputs = pd.DataFrame(draws.values, columns=list(draws.paths))
            finding = discover(inputs, ~outcomes[Outcome("win_win")], seed)
            found = choices(scenario, draws)
            if draws.paths:
                values = np.concatenate(backend.gather(sobol_pending, [len(c) for c in design], bar))
                found_indices = sobol_estimates(values, len(draws.paths), base)
                indices, running = sobol_tables(draws.paths, draws.specs, wanted, found_indices)
    finally:
        if bar:
            bar.close()
    outcome = main_outcome(scenario)
    information = value_of_information(scenario, found, draws) if draws.paths else pd.DataFrame()
    info = {
        "scenario": scenario.name,
        "sweep_id": sweep_id(scenario, seed, samples),
        "inputs_id": _inputs_id(scenario, seed),
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
        "correlations": {
            pair: c.model_dump(exclude_defaults=True) for pair, c in correlations_in_force(scenario).items()
        },
    }
    return Exploration(
        scenario,
        seed,
        inputs,
        outcomes,
        draws.paths,
        probabilities(outcomes),
        sensitivity,
        indices,
        finding,
        outcome,
        info,
        convergence(outcomes, running),
        found.robustness(),
        information,
    )


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def save_exploration(result: Exploration, folder: str | Path) -> Path:
    """Write the exploration's tables into ``folder`` (each file atomically)."""
    folder = Path(folder)
    outcomes = pd.DataFrame({outcome.column: values for outcome, values in result.outcomes.items()})
    write_atomic(folder / "samples.csv", _csv(pd.concat([result.inputs, outcomes], axis=1)))
    chances = pd.DataFrame(
        [
            {
                "outcome": o.kind,
                "subject": o.subject,
                "probability": p.probability,
                "standard_error": p.standard_error,
            }
            for o, p in result.probabilities.items()
        ]
    )
    write_atomic(folder / "probabilities.csv", _csv(chances))
    write_atomic(folder / "tornado.csv", _csv(result.tornado))
    write_atomic(folder / "sobol.csv", _csv(result.sobol))
    write_atomic(folder / "convergence.csv", _csv(result.convergence))
    write_atomic(folder / "robustness.csv", _csv(result.robustness))
    write_atomic(folder / "information.csv", _csv(result.information))
    write_json(folder / "discovery.json", result.discovery.facts())
    info = {
        **result.info,
        "paths": list(result.paths),
        "outcome": {"kind": result.outcome.kind, "subject": result.outcome.subject},
    }
    write_json(folder / "exploration.json", info)
    return folder


def load_exploration(scenario: Scenario, folder: str | Path) -> Exploration:
    """Read a saved exploration back (for re-rendering a report without redoing the sweep)."""
    folder = Path(folder)
    info = json.loads((folder / "exploration.json").read_text(encoding="utf-8"))
    if info.get("inputs_id") != _inputs_id(scenario, info.get("seed", -1)):
        raise VerkenningError(f"{folder} was made from other inputs or code; run verkenning explore again")

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(folder / name) if os.path.getsize(folder / name) > 1 else pd.DataFrame()

    table = read("samples.csv")
    paths = tuple(info["paths"])
    outcomes = {}
    for column in table.columns:
        if column in paths:
            continue
        values = table[column].to_numpy()
        outcomes[Outcome.from_column(column)] = values.astype(bool) if values.dtype == object else values
    discovery = json.loads((folder / "discovery.json").read_text(encoding="utf-8"))
    conditions = tuple((c["path"], c["op"], float(c["threshold"])) for c in discovery.pop("conditions"))
    tradeoff = tuple((t["coverage"], t["density"], t["conditions"]) for t in discovery.pop("tradeoff", []))
    return Exploration(
        scenario=scenario,
        seed=info["seed"],
        inputs=table[list(paths)],
        outcomes=outcomes,
        paths=paths,
        probabilities=probabilities(outcomes),
        tornado=read("tornado.csv"),
        sobol=read("sobol.csv"),
        discovery=Discovery(conditions, **discovery, tradeoff=tradeoff),
        outcome=Outcome(**info["outcome"]),
        info=info,
        convergence=read("convergence.csv"),
        robustness=read("robustness.csv"),
        information=read("information.csv"),
    )


def exploration_folder(root: str | Path, scenario: Scenario, seed: int, samples: int) -> Path:
    """Where a sweep of these inputs, seed and size is kept under ``root``: named by :func:`sweep_id`."""
    return Path(root) / "onzekerheid" / sweep_id(scenario, seed, samples)


def cached_exploration(
    root: str | Path | None, scenario: Scenario, seed: int, samples: int = 1000, progress: bool = False
) -> Exploration:
    """The largest saved sweep of these inputs and seed under ``root``, or a new one (saved there).

    A saved sweep is recognised by what its ``exploration.json`` records (the scenario's files as
    read, the seed and the code, :func:`sweep_id`), never by its folder's name.
    """
    folder = saved_exploration(root, scenario, seed) if root is not None else None
    if folder is not None:
        return load_exploration(scenario, folder)
    result = explore(scenario, samples, seed, progress=progress)
    if root is not None:
        save_exploration(result, exploration_folder(root, scenario, seed, samples))
    return result


def saved_exploration(root: str | Path, scenario: Scenario, seed: int) -> Path | None:
    """The folder of the largest saved sweep of these inputs and seed under ``root``, if any."""
    wanted = _inputs_id(scenario, seed)
    found = []
    for record in (Path(root) / "onzekerheid").glob("*/exploration.json"):
        try:
            info = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        usable = isinstance(info, dict) and isinstance(info.get("samples"), int)
        if usable and info.get("inputs_id") == wanted:
            found.append((info["samples"], record.parent.name, record.parent))
    return max(found)[2] if found else None
