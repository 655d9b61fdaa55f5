"""Runs side by side, interrupted, or failing after their notebook: nothing lost, nothing stranded.

Every test here starts real ``verkenning run`` processes (the faults are real signals, real
concurrent processes, and a full disk injected at a named step with ``VERKENNING_FAIL_AT``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from verkenning.report import build_index
from verkenning.report.run import FAIL_AT, KERNEL_FOLDER, PDF_TIMEOUT

from .conftest import SCENARIOS
from .test_reliability import _alive, _children, _complete

BASIS = str(SCENARIOS / "basis.yaml")
QUICK = ("--samples", "200")
"""A quick draft: these tests are about how a run runs, not about its numbers."""


def _as_at_a_terminal() -> None:
    """Ctrl-C as a terminal gives it: a job started in the background of a script (as CI may run the
    suite) inherits SIGINT ignored, and Python then keeps it ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _verkenning(*args: str, cwd: Path, env: dict | None = None, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "verkenning", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_as_at_a_terminal,
        **popen,
    )


def _finish(process: subprocess.Popen, timeout: float = 300) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=timeout)
    return process.returncode, stdout, stderr


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        children = _children(todo.pop())
        found += children
        todo += children
    return found


def test_runs_started_together_from_one_folder_all_succeed_and_write_nothing_there(tmp_path):
    here = tmp_path / "werkmap"
    here.mkdir()
    out = tmp_path / "out"
    processes = [_verkenning("run", BASIS, *QUICK, "--out", str(out), cwd=here) for _ in range(3)]
    finished = [_finish(p) for p in processes]
    assert [rc for rc, _, _ in finished] == [0, 0, 0], [e for _, _, e in finished]
    reports = {Path(stdout.strip().splitlines()[-1]) for _, stdout, _ in finished}
    assert len(reports) == 3 and all(_complete(r.parent) for r in reports), "three distinct complete runs"
    assert list(here.iterdir()) == [], "no kernel socket or anything else in the working folder"
    assert not list((out / "basis").glob(".*")), "no hidden folder left behind"


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_an_interrupted_run_removes_its_folder_and_says_so_in_one_line(tmp_path, how):
    out = tmp_path / "out"
    process = _verkenning("run", BASIS, *QUICK, "--out", str(out), cwd=tmp_path, start_new_session=True)
    deadline = time.time() + 120
    kernels: list[int] = []
    while time.time() < deadline and not kernels:  # interrupt once the notebook's kernel runs
        kernels = [pid for pid in _descendants(process.pid) if "ipykernel" in _cmdline(pid)]
        time.sleep(0.05)
    if how == "ctrl-c":  # a terminal sends SIGINT to the whole foreground group
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGTERM)
    returncode, _stdout, stderr = _finish(process, timeout=60)
    assert returncode == 130
    assert stderr.strip().splitlines() == ["onderbroken: de run is gestopt en er is niets gepubliceerd"]
    assert not list((out / "basis").glob(".*.partial")), "the hidden folder is removed"
    assert not (out / "basis" / "latest").exists()
    deadline = time.time() + 15
    while time.time() < deadline and any(_alive(k) for k in kernels):
        time.sleep(0.2)
    assert kernels and not any(_alive(k) for k in kernels), "the kernel does not outlive its run"


def _dead_pid() -> int:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    return int(finished.stdout)


def test_a_full_disk_while_writing_the_manifest_moves_the_run_aside_with_a_message(tmp_path):
    out = tmp_path / "out"
    returncode, _stdout, stderr = _finish(
        _verkenning("run", BASIS, *QUICK, "--out", str(out), cwd=tmp_path, env={FAIL_AT: "writing"})
    )
    assert returncode == 1 and "manifest.json" in stderr and "Traceback" not in stderr
    failed = list((out / "basis").glob("*.mislukt"))
    assert len(failed) == 1 and (failed[0] / "report.html").is_file(), "the finished report is kept"
    assert str(failed[0]) in stderr
    assert not list((out / "basis").glob(".*.partial")), "nothing stranded in a hidden folder"


def test_steps_after_publishing_that_fail_are_notes_and_the_run_is_published(tmp_path):
    """A full disk at the index, `latest` made a folder, foreign runs under --out, a stale hidden
    folder and a Chromium that never answers: one run meets them all and still publishes."""
    out = tmp_path / "out"
    (out / "basis" / "latest").mkdir(parents=True)  # somebody replaced the link by a folder
    stale = out / "basis" / ".20200101-000000.partial"
    stale.mkdir()
    (stale / ".pid").write_text(str(_dead_pid()))
    sockets = Path(tempfile.mkdtemp(prefix=f"{KERNEL_FOLDER}{_dead_pid()}-"))  # a killed run's
    (sockets / "kernel-ipc-1").write_text("")
    hanging = tmp_path / "bin"
    hanging.mkdir()
    chromium = hanging / "chromium"
    chromium.write_text("#!/bin/sh\nsleep 600 &\nsleep 600\n")
    chromium.chmod(0o755)
    env = {FAIL_AT: "indexing", PDF_TIMEOUT: "3", "PATH": f"{hanging}:{os.environ['PATH']}"}
    process = _verkenning("run", BASIS, *QUICK, "--out", str(out), "--pdf", cwd=tmp_path, env=env)
    returncode, stdout, stderr = _finish(process)
    assert returncode == 0, stderr
    assert "Traceback" not in stderr
    report = Path(stdout.strip().splitlines()[-1])
    assert _complete(report.parent) and not (report.parent / "report.pdf").exists()
    assert "PDF niet gemaakt" in stderr and "geen antwoord" in stderr
    assert "'latest' is niet bijgewerkt" in stderr and "index.html" in stderr
    assert not stale.exists(), "a hidden folder whose process is gone is swept"
    assert not sockets.exists(), "and so is the private kernel folder of a killed run"
    assert not any("sleep 600" in _cmdline(pid) for pid in _all_pids()), "Chromium and its children stopped"


def _all_pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def test_the_index_lists_unreadable_runs_and_still_lists_the_good_ones(tmp_path):
    good = tmp_path / "goed" / "20260101-000000"
    good.mkdir(parents=True)
    (good / "manifest.json").write_text(json.dumps({"finished": "2026-01-01T00:00:00+00:00"}))
    (good / "results.json").write_text(
        json.dumps({"scenario": {"name": "Goede run"}, "conditions": {"better_off": {"verdict": "pass"}}})
    )
    foreign = {
        "leeg": ({}, {}),
        "onbekend-oordeel": (
            {"finished": "2026-01-01T00:00:00+00:00"},
            {"scenario": {"name": "x"}, "conditions": {"better_off": {"verdict": "misschien"}}},
        ),
        "geen-datum": (
            {"finished": "gisteren"},
            {"scenario": {"name": "x"}, "conditions": {}},
        ),
        "geen-json": ("[", "["),
    }
    for name, (manifest, results) in foreign.items():
        run = tmp_path / name / "20260101-000000"
        run.mkdir(parents=True)
        for file, content in (("manifest.json", manifest), ("results.json", results)):
            (run / file).write_text(content if isinstance(content, str) else json.dumps(content))
    index = build_index(tmp_path).read_text(encoding="utf-8")
    assert "Goede run" in index and "goed/20260101-000000/report.html" in index
    assert "Onleesbare runs" in index
    for name in foreign:
        assert f"{name}/20260101-000000" in index


def _workers(process: subprocess.Popen, count: int = 2) -> list[int]:
    deadline = time.time() + 120
    while time.time() < deadline and process.poll() is None:
        workers = [  # the pool's processes, not multiprocessing's resource tracker
            pid for pid in _children(process.pid) if _alive(pid) and "resource_tracker" not in _cmdline(pid)
        ]
        if len(workers) >= count:
            return workers
        time.sleep(0.05)
    raise AssertionError("the sweep did not start its workers")


def test_a_killed_worker_ends_the_sweep_with_a_message_and_exit_code_1(tmp_path):
    process = _verkenning(
        "explore", str(SCENARIOS / "borne.yaml"), "--samples", "60000", "--workers", "2",
        "--out", str(tmp_path / "out"), cwd=tmp_path,
    )  # fmt: skip
    os.kill(_workers(process)[0], signal.SIGKILL)
    returncode, _stdout, stderr = _finish(process, timeout=120)
    assert returncode == 1, stderr
    assert "worker process stopped" in stderr and "Traceback" not in stderr
    assert not list((tmp_path / "out").rglob("exploration.json")), "no half sweep is saved"


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_workers_exit_within_seconds_of_their_parent(tmp_path, how):
    process = _verkenning(
        "explore", str(SCENARIOS / "borne.yaml"), "--samples", "60000", "--workers", "2",
        "--out", str(tmp_path / "out"), cwd=tmp_path,
    )  # fmt: skip
    workers = _workers(process)
    process.send_signal(how)
    process.wait(timeout=30)
    deadline = time.time() + 5
    while time.time() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers), "no worker outlives its parent by more than seconds"


def _ipynb_without_timing(path: Path) -> dict:
    """The executed notebook without what names the run itself: its timing and its own folder."""
    notebook = json.loads(path.read_text(encoding="utf-8").replace(str(path.parent), "<run>"))
    for cell in [notebook, *notebook["cells"]]:
        timing = cell.get("metadata", {}).get("papermill", {})
        for key in ("start_time", "end_time", "duration"):
            timing.pop(key, None)
        cell.get("metadata", {}).pop("execution", None)
    return notebook


def _cells_without_run(path: Path) -> dict[str, list[tuple]]:
    import openpyxl

    book = openpyxl.load_workbook(path)
    return {
        sheet.title: [row for row in sheet.iter_rows(values_only=True) if row[0] != "Run"]
        for sheet in book.worksheets
    }


def test_same_seed_gives_the_same_bytes_across_hash_seeds_and_working_folders(tmp_path):
    """Every output file of two runs, one under PYTHONHASHSEED=1 from a scratch folder and one under
    PYTHONHASHSEED=2 from the project root: the same bytes, except what names the run itself."""
    from .conftest import ROOT

    scratch = tmp_path / "elders"
    scratch.mkdir()
    epoch = {"SOURCE_DATE_EPOCH": "1767225600"}
    runs = []
    for name, cwd, hash_seed in (("a", scratch, "1"), ("b", ROOT, "2")):
        runs.append(
            _verkenning("run", str(SCENARIOS / "borne.yaml"), *QUICK, "--seed", "3",
                        "--out", str(tmp_path / name), cwd=cwd, env={**epoch, "PYTHONHASHSEED": hash_seed})
        )  # fmt: skip
        time.sleep(1.1)  # in another second, so the two runs' own names (their ids) differ
    folders = []
    for process in runs:
        returncode, stdout, stderr = _finish(process)
        assert returncode == 0, stderr
        folders.append(Path(stdout.strip().splitlines()[-1]).parent)
    first, second = folders
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert {"report.html", "results.json", "results.xlsx"} <= {str(n) for n in names}
    for name in names:
        if name.name == "manifest.json":
            one, two = (json.loads((f / name).read_text()) for f in folders)
            for key in ("run_id", "started", "finished", "seconds", "command"):
                one.pop(key), two.pop(key)
            assert one == two
        elif name.suffix == ".ipynb":
            assert _ipynb_without_timing(first / name) == _ipynb_without_timing(second / name)
        elif name.suffix == ".xlsx":  # the cover names the run; every other cell is the same
            one, two = (_cells_without_run(f / name) for f in folders)
            assert one == two and one["Voorblad"]
        else:
            assert (first / name).read_bytes() == (second / name).read_bytes(), name
    results = json.loads((first / "results.json").read_text())
    assert results["scenario"]["file"] == "borne.yaml"
    notebook = (first / "report.ipynb").read_text(encoding="utf-8")
    assert ".partial" not in notebook and str(first) in notebook, "the notebook names its published folder"
