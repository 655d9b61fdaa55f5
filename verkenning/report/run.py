"""Running a study: papermill executes a notebook, nbconvert renders it, a run folder keeps it all.

A run writes ``<out>/<scenario-slug>/<run-id>/`` with ``report.html`` (no code, no parameter cell,
figures embedded), ``report.ipynb`` (executed), ``results.json``, ``tables/*.csv``,
``results.xlsx`` and ``manifest.json`` (provenance and timing). The folder is built under a hidden
temporary name and renamed when complete; ``<out>/<slug>/latest`` then points at it, and
``<out>/index.html`` lists every run. Runs never overwrite each other.

A run that fails keeps its partial executed notebook in ``<run-id>.mislukt/``, names the failing cell
and leaves earlier runs and ``latest`` untouched. Every step after the notebook is covered too: a
finished report is never left in its hidden folder. A step that only adds to a finished report (the
PDF, ``latest``, the index) is reported as a note and the run is published; a step without which the
run is not whole (its manifest) moves it to ``.mislukt`` with a message. An interrupted run
(Ctrl-C, SIGTERM) removes its hidden folder and says so in one line; hidden folders of runs whose
process is gone, and their private kernel folders, are removed by the next run.

Execution always uses this interpreter: the kernel manager given to papermill knows only the native
kernel, whatever kernels the machine has registered. Its connection file and sockets live in a
private temporary folder of the run, so runs started together from one folder do not meet, and
nothing is written in the working folder.

jsonschema (under nbformat) imports ``rfc3987_syntax`` when it is installed, only to check the "iri"
format, and that package compiles a grammar at import: 2.2 s of every run on the reference machine.
No notebook schema uses that format, so :func:`_quick_schemas` keeps it out of this process before
nbformat is imported (a process that imported jsonschema already is left as it is).
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import Failed, VerkenningError
from ..files import SOURCE_DATE_EPOCH, output_folder, write_atomic, write_json
from ..formats import number
from ..scenario import load_scenario
from .html import Markup, dutch_date, page, table, text
from .provenance import provenance

__all__ = [
    "NOTEBOOKS",
    "RunError",
    "RunInterrupted",
    "RunResult",
    "build_index",
    "notebook_path",
    "run_study",
    "slug",
]

NOTEBOOKS = ("toetreding", "vergelijking", "groeipad")
CHECKOUT_NOTEBOOKS = Path(__file__).resolve().parent.parent.parent / "notebooks"
"""Where the notebooks are in a checkout (an editable install maps no package onto them)."""


GAME_BYTES = 8
"""Bytes of one coalition's cost in a game (a float)."""
JOB_BYTES = 400 * 2**20
"""What a report job holds whatever its size (its two processes, the libraries, the figures)."""
SAMPLE_BYTES = 600_000
"""What it holds per sample besides the games (the sweep, the paths, the tables). With
:data:`JOB_BYTES` and the games, :func:`memory_needed` against the peak of the job's process tree
(``make bench``'s measure; 2026-12-04 at 16 and 20 organisations, 2026-12-06 at 12), 1,000 samples:
0.98 GiB for 0.67 GiB at 12 organisations, 1.44 for 1.33 at 16, 8.76 for 8.71 at 20; at 12 with 100
samples 0.45 for 0.36."""


def memory_needed(scenarios, samples: int) -> int:
    """Bytes a report of ``scenarios`` at ``samples`` draws holds at its peak, about: each study with
    an entrant keeps its reference year's game for every sample (the key designer's rows, which the
    entry terms read too: samples × 2^members costs; 8 GiB at 20 members and 1,000 samples), a
    comparison every study's, plus :data:`JOB_BYTES` and :data:`SAMPLE_BYTES` per sample and study."""
    games = sum(_game_bytes(s) for s in scenarios)
    return JOB_BYTES + samples * (SAMPLE_BYTES * len(scenarios) + games)


def _game_bytes(scenario) -> int:
    """Bytes of the one sample's game a study keeps (none without an entrant: no key is designed)."""
    return GAME_BYTES << len(scenario.members(scenario.reference_year())) if scenario.entrants() else 0


def available_memory() -> int | None:
    """Bytes this machine can give a new job without swapping (``MemAvailable`` of /proc/meminfo,
    Linux); ``None`` where that is not known. Read here rather than with psutil, which is not one of
    our dependencies, for this one figure."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _check_memory(paths: list[Path], loaded, samples: int) -> None:
    """Refuse, before anything is written, a study this machine has not the memory for, with the
    sample count that fits: killed for memory, the job would end after minutes with nothing."""
    free = available_memory()
    needed = memory_needed(loaded, samples)
    if free is None or needed <= free:
        return
    largest = max(range(len(loaded)), key=lambda i: _game_bytes(loaded[i]))
    members = len(loaded[largest].members(loaded[largest].reference_year()))
    fit = (free - JOB_BYTES) // (memory_needed(loaded, 1) - JOB_BYTES) // 100 * 100
    gib = 2**30
    held = f" (a game of 2^{members} coalitions for each sample)" if _game_bytes(loaded[largest]) else ""
    said = (
        f"{paths[largest]}: a study of {members} organisations at {samples:,} samples holds about "
        f"{needed / gib:.1f} GiB{held}; this machine has {free / gib:.1f} GiB available. "
    )
    if fit >= 100:
        said += (
            f"Run it with --samples {fit:,} (about {memory_needed(loaded, fit) / gib:.1f} GiB; fewer "
            "samples give wider bands), or on a machine with more memory."
        )
    else:
        said += (
            f"Even --samples 100 needs about {memory_needed(loaded, 100) / gib:.1f} GiB: run it on a "
            "machine with more memory."
        )
    raise VerkenningError(said)


def notebook_path(name: str) -> Path:
    """The study notebook ``name``: shipped in the wheel as ``verkenning.notebooks``, else the checkout's."""
    from importlib.resources import as_file, files

    try:
        shipped = files("verkenning.notebooks").joinpath(f"{name}.ipynb")
    except ModuleNotFoundError:
        return CHECKOUT_NOTEBOOKS / f"{name}.ipynb"
    with as_file(shipped) as path:  # a real file in an installed wheel
        return Path(path)


REMOVE_TAGS = ("parameters", "injected-parameters", "remove_cell")
CELL_TIMEOUT_S = 600


KILL_AT = "VERKENNING_KILL_AT"
"""Fault injection for the reliability tests: the run kills itself (SIGKILL) at the named stage."""
FAIL_AT = "VERKENNING_FAIL_AT"
"""Fault injection for the reliability tests: a full disk (ENOSPC) at the named stage."""
PDF_TIMEOUT = "VERKENNING_PDF_TIMEOUT"
"""Seconds Chromium may take to print the PDF (default 120); after that it is stopped."""
KERNEL_LOG = "kernel.log"
KERNEL_FOLDER = "verkenning-kernel-"
"""Prefix of a run's private kernel folder in the temporary directory, followed by its process id."""
OWNER = ".pid"
"""The file in a hidden run folder that names the process building it."""
STALE_AFTER_S = 600
"""A hidden run folder without a process record is stale after this long (runs of older versions)."""


def _checkpoint(stage: str) -> None:
    if os.environ.get(KILL_AT) == stage:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get(FAIL_AT) == stage:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class RunError(Failed):
    """A run that failed while executing or rendering; the message says where and why."""


class RunInterrupted(Exception):
    """A run stopped by Ctrl-C or SIGTERM; its hidden folder has been removed."""


@dataclass(frozen=True)
class RunResult:
    folder: Path
    report: Path
    pdf: Path | None
    notes: tuple[str, ...] = ()
    """What did not work after the report was finished (PDF, ``latest``, index), in Dutch."""


def slug(text_value: str) -> str:
    """A safe folder name: lower-case letters, digits and '-', never empty, never a path."""
    value = re.sub(r"[^a-z0-9]+", "-", text_value.lower()).strip("-")
    return value[:60] or "studie"


def _native_kernel_manager(private: Path, started: datetime | None = None, launched=None):
    """A kernel manager that only knows this interpreter's kernel, its files kept in ``private``.

    ``started`` (the run's start) becomes the kernel's ``SOURCE_DATE_EPOCH`` unless one is set, so
    the files the notebook writes carry the run's time and the same epoch gives the same bytes.
    ``launched`` is called once the kernel process has been started.
    """
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class NativeSpecs(KernelSpecManager):
        def find_kernel_specs(self):
            return {"python3": ""}

        def get_kernel_spec(self, kernel_name):
            return KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name="Python 3 (verkenning)",
                language="python",
                resource_dir="",
            )

    class NativeKernelManager(AsyncKernelManager):
        @default("kernel_spec_manager")
        def _native_specs(self):
            return NativeSpecs()

        @default("transport")
        def _local_transport(self):
            # Unix sockets where there are any and the path fits (108 bytes): no TCP port needed.
            fits = len(str(private / "kernel-ipc-99999")) < 100
            return "ipc" if os.name == "posix" and fits else "tcp"

        @default("connection_file")
        def _private_connection_file(self):
            return str(private / "kernel.json")

        @default("ip")
        def _private_ip(self):
            return str(private / "kernel-ipc") if self.transport == "ipc" else "127.0.0.1"

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # The kernel's own log (not the cells' output) goes to a file: an interrupted run must
            # not print the kernel's tracebacks; a failed run keeps the file beside its notebook.
            env = dict(kw.get("env") or os.environ)
            if started is not None:
                env.setdefault(SOURCE_DATE_EPOCH, str(int(started.timestamp())))
            with open(private / KERNEL_LOG, "ab") as log:
                kw["stderr"], kw["env"] = log, env
                await super()._async_launch_kernel(kernel_cmd, **kw)
            if launched is not None:
                launched()

    return NativeKernelManager


def _engine() -> str:
    """papermill's nbclient engine, writing the executed notebook once when execution ends.

    papermill writes the whole notebook, images and all, when each cell starts and when it ends: 62
    writes and about 0.45 s of a Borne report, each one while the kernel waits for its next cell.
    Here the manager writes it only when execution ends, normally or not (papermill calls
    ``notebook_complete`` in a ``finally``), so a failed run still leaves its partial notebook. The
    wrapper below is papermill's ``Engine.execute_notebook`` with that manager; papermill has no
    parameter for it (``request_save_on_cell_execute=False`` also drops the write after a crash).
    """
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class SavedAtEnd(NotebookExecutionManager):
        ended = False

        def save(self, **kwargs):
            if self.ended:
                super().save(**kwargs)

        def notebook_complete(self, **kwargs):
            self.ended = True
            super().notebook_complete(**kwargs)

    class Engine(NBClientEngine):
        @classmethod
        def execute_notebook(
            cls,
            nb,
            kernel_name,
            output_path=None,
            progress_bar=True,
            log_output=False,
            autosave_cell_every=30,
            **kwargs,
        ):
            manager = SavedAtEnd(
                nb,
                output_path=output_path,
                progress_bar=progress_bar,
                log_output=log_output,
                autosave_cell_every=autosave_cell_every,
            )
            manager.notebook_start()
            try:
                cls.execute_managed_notebook(manager, kernel_name, log_output=log_output, **kwargs)
            finally:
                manager.cleanup_pbar()
                manager.notebook_complete()
            return manager.nb

    papermill_engines.register(ENGINE, Engine)
    return ENGINE


ENGINE = "verkenning"


def _claim_run_id(folder: Path) -> tuple[str, Path]:
    """A new run id and its hidden folder, claimed by creating it (so two runs never share one)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    n = 1
    while True:
        run_id = stamp if n == 1 else f"{stamp}-{n}"
        n += 1
        partial = folder / f".{run_id}.partial"
        if any((folder / name).exists() for name in (run_id, f"{run_id}.mislukt")):
            continue
        try:
            partial.mkdir()
        except FileExistsError:
            continue
        (partial / OWNER).write_text(str(os.getpid()))
        return run_id, partial


class _Meanwhile:
    """What this process prepares in a thread while the kernel runs the notebook on the other core.

    Each job is a function; :meth:`get` gives its result, waiting for the thread. The jobs here are
    nbconvert's HTML exporter, imported and warmed up by a first conversion (templates compiled,
    the markdown and HTML parsers' expressions built: about 0.5 s), and the manifest's provenance
    (package metadata and git: about 0.2 s), both otherwise done after the notebook while the
    report waits. A job that failed in the thread is done again, in the open, when it is needed.
    """

    def __init__(self, **jobs):
        self.jobs, self.results = jobs, {}
        self.thread = threading.Thread(target=self._prepare, name="verkenning-meanwhile", daemon=True)

    def start(self) -> None:
        if self.thread.ident is None:
            self.thread.start()

    def _prepare(self) -> None:
        for name, job in self.jobs.items():
            try:
                self.results[name] = job()
            except Exception:  # done again in the open by get(), where it then raises
                continue

    def get(self, name: str):
        if self.thread.ident is not None:
            self.thread.join()
        return self.results[name] if name in self.results else self.jobs[name]()


def _ready_exporter():
    """nbconvert's HTML exporter after a first conversion of a notebook like ours."""
    import nbformat

    exporter = _html_exporter()
    v4 = nbformat.v4
    shown = v4.new_output("display_data", data={"text/html": "<table><tr><td>1</td></tr></table>"})
    cells = [v4.new_markdown_cell("# Kop\n\nTekst *nadruk*"), v4.new_code_cell(outputs=[shown])]
    exporter.from_notebook_node(v4.new_notebook(cells=cells))
    return exporter


def _html_exporter():
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_TAGS)
    config.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(config=config, template_name="basic")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


def _render_html(notebook_path: Path, title: str, started: datetime | None = None, exporter=None) -> str:
    """The executed notebook as our own Dutch page: outputs and narrative only (with ``exporter``,
    an HTML exporter made ready beforehand)."""
    import nbformat

    notebook = nbformat.read(notebook_path, as_version=4)
    body, _ = (exporter or _html_exporter()).from_notebook_node(notebook)
    epoch = os.environ.get(SOURCE_DATE_EPOCH, "")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else started or datetime.now(UTC)
    return page(title, body, date=dutch_date(when))


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def print_pdf(html_path: Path, pdf_path: Path) -> tuple[Path | None, str]:
    """Print a report to PDF with headless Chromium; without Chromium, say how to get it.

    Chromium runs in a session of its own and is stopped, with everything it started, when it takes
    longer than ``VERKENNING_PDF_TIMEOUT`` seconds. A PDF that cannot be made never costs the report.
    """
    browser = _chromium()
    if browser is None:
        return None, (
            "PDF niet gemaakt: Chromium ontbreekt. Installeer het (Debian/Ubuntu: "
            "`apt-get install chromium`) en draai opnieuw met --pdf."
        )
    timeout = float(os.environ.get(PDF_TIMEOUT, "120"))
    temporary = pdf_path.with_name(f".{pdf_path.name}.tmp")
    try:
        with tempfile.TemporaryDirectory() as profile:
            process = subprocess.Popen(
                [
                    browser,
                    *CHROMIUM_FLAGS,
                    f"--user-data-dir={profile}",
                    "--no-pdf-header-footer",
                    f"--print-to-pdf={temporary}",
                    html_path.resolve().as_uri(),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            try:
                _, stderr = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return None, (
                    f"PDF niet gemaakt: Chromium gaf na {timeout:g} s geen antwoord en is gestopt. "
                    "Het HTML-rapport is compleet; draai opnieuw met --pdf of druk het af vanuit de browser."
                )
        if process.returncode != 0 or not temporary.exists():
            return None, f"PDF niet gemaakt: Chromium meldde {stderr.strip()[-300:]}"
        os.replace(temporary, pdf_path)
    except OSError as error:
        return None, f"PDF niet gemaakt: {error.strerror or error}. Het HTML-rapport is compleet."
    finally:
        temporary.unlink(missing_ok=True)
    return pdf_path, ""


def _point_latest(folder: Path, run_id: str) -> None:
    link = folder / "latest"
    temporary = folder / f".latest.{os.getpid()}"
    temporary.unlink(missing_ok=True)
    os.symlink(run_id, temporary)
    try:
        if link.is_dir() and not link.is_symlink():
            raise IsADirectoryError(errno.EISDIR, "is a folder, not a link", str(link))
        os.replace(temporary, link)
    finally:
        temporary.unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_kernel_folders() -> None:
    """Remove the private kernel folders (sockets, connection file) of runs whose process is gone."""
    for private in Path(tempfile.gettempdir()).glob(f"{KERNEL_FOLDER}*-*"):
        owner = private.name.removeprefix(KERNEL_FOLDER).split("-", 1)[0]
        if owner.isdigit() and not _process_alive(int(owner)):
            shutil.rmtree(private, ignore_errors=True)


def _remove_stale_partials(folder: Path) -> None:
    """Remove hidden run folders whose process is gone (a run killed before it could clean up)."""
    for partial in folder.glob(".*.partial"):
        try:
            owner = partial / OWNER
            if owner.is_file():
                stale = not _process_alive(int(owner.read_text().strip() or 0))
            else:
                stale = time.time() - partial.stat().st_mtime > STALE_AFTER_S
            if stale:
                shutil.rmtree(partial, ignore_errors=True)
        except (OSError, ValueError):
            continue


class _Interruptible:
    """Within the block, SIGTERM is a KeyboardInterrupt like Ctrl-C (in the main thread only)."""

    def __enter__(self):
        self.previous = None
        if hasattr(signal, "SIGTERM"):
            try:
                self.previous = signal.signal(signal.SIGTERM, self._interrupt)
            except ValueError:  # not the main thread: leave signals alone
                self.previous = None
        return self

    @staticmethod
    def _interrupt(signum, frame):
        raise KeyboardInterrupt

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)
        return False


def _record_published_folder(executed: Path, partial: Path, final: Path) -> None:
    """The executed notebook names the folder it will be found in, not the hidden one it ran in
    (its parameter cell and papermill's record of the run alike); papermill's random id of the
    parameter cell becomes a fixed one, so the same run gives the same notebook."""
    import nbformat

    hidden, published = json.dumps(str(partial))[1:-1], json.dumps(str(final))[1:-1]
    notebook = nbformat.reads(executed.read_text(encoding="utf-8").replace(hidden, published), as_version=4)
    for cell in notebook.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
    write_atomic(executed, nbformat.writes(notebook))


def run_study(
    scenarios: list[str | Path],
    notebook: str = "toetreding",
    out: str | Path = "reports",
    seed: int = 0,
    pdf: bool = False,
    progress: bool = False,
    samples: int | None = None,
) -> RunResult:
    """Execute a study notebook on the scenario(s) and write a new run folder (see the module docstring);
    ``samples`` draws of the uncertain inputs (default the study's 1,000)."""
    if notebook not in NOTEBOOKS:
        raise VerkenningError(f"unknown notebook {notebook!r}; choose {', '.join(NOTEBOOKS)}")
    paths = [Path(s).resolve() for s in scenarios]
    loaded = [load_scenario(p) for p in paths]  # bad input stops here, before any folder exists
    if notebook == "vergelijking" and len(paths) < 2:
        raise VerkenningError("a comparison needs two or more scenarios")
    if samples is None:
        from ..study import DEFAULT_SAMPLES  # the model's modules: only here, never for the command line

        samples = DEFAULT_SAMPLES
    _check_memory(paths, loaded, samples)
    name = (
        slug("vergelijking-" + "-".join(p.stem for p in paths))
        if notebook == "vergelijking"
        else slug(paths[0].stem)
    )
    out = output_folder(out, "--out")
    folder = output_folder(out / name, "--out")
    _remove_stale_partials(folder)
    _remove_stale_kernel_folders()
    run_id, partial = _claim_run_id(folder)
    with _Interruptible():
        try:
            return _run(paths, loaded, notebook, out, folder, run_id, partial, seed, pdf, progress, samples)
        except KeyboardInterrupt:
            shutil.rmtree(partial, ignore_errors=True)
            raise RunInterrupted("onderbroken: de run is gestopt en er is niets gepubliceerd") from None


class _Stages:
    """Stage by stage on standard error when ``progress`` (a terminal): 'stap 2 van 4: …', then done."""

    def __init__(self, progress: bool, total: int):
        self.progress, self.total, self.done = progress, total, 0
        self.clock = time.perf_counter()

    def next(self, what: str) -> None:
        self.done += 1
        if self.progress:
            print(f"verkenning: stap {self.done} van {self.total}: {what}", file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self.progress:
            seconds = time.perf_counter() - self.clock
            print(f"verkenning: klaar in {seconds:.0f} s", file=sys.stderr, flush=True)


def _sweep_first(loaded, notebook: str, folder: Path, seed: int, samples: int, stages: _Stages) -> None:
    """Compute the report's uncertainty sweep here, with a bar, unless a saved one serves: the
    notebook then reads it (``explore.cached_exploration``) instead of sampling in silence."""
    if notebook == "vergelijking" or not stages.progress:
        return
    from ..explore import cached_exploration

    stages.next(f"onzekerheid doorrekenen ({number(samples)} trekkingen, of een eerdere hergebruiken)")
    cached_exploration(folder, loaded[0], seed, samples, progress=True)


def _quick_schemas() -> None:
    """Keep jsonschema's optional IRI checker (a 2.2 s import) out of a run (module docstring)."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # an import of it now raises ImportError


def _run(paths, loaded, notebook, out, folder, run_id, partial, seed, pdf, progress, samples) -> RunResult:
    _quick_schemas()
    import papermill

    started = datetime.now(UTC)
    clock = time.perf_counter()
    stages = _Stages(progress, (notebook != "vergelijking") + 2 + pdf)
    _sweep_first(loaded, notebook, folder, seed, samples, stages)
    stages.next("het rapport doorrekenen (notebook, cel voor cel)")
    parameters = {"seed": seed, "run_dir": str(partial), "samples": samples}
    if notebook == "vergelijking":
        parameters["scenarios"] = [str(p) for p in paths]
    else:
        parameters["scenario"] = str(paths[0])
    executed = partial / "report.ipynb"
    final = folder / run_id
    private = Path(tempfile.mkdtemp(prefix=f"{KERNEL_FOLDER}{os.getpid()}-"))
    meanwhile = _Meanwhile(
        exporter=_ready_exporter, provenance=lambda: [provenance(scenario, seed) for scenario in loaded]
    )
    try:
        papermill.execute_notebook(
            str(notebook_path(notebook)),
            str(executed),
            parameters=parameters,
            kernel_name="python3",
            kernel_manager_class=_native_kernel_manager(private, started, launched=meanwhile.start),
            progress_bar=progress,
            cwd=str(Path.cwd()),
            execution_timeout=CELL_TIMEOUT_S,
            # the notebook is done and its outputs are in: stop the kernel at once, not by the
            # graceful request and wait that take 1.5-2 s of every run (nbclient's shutdown_kernel)
            shutdown_kernel="immediate",
            engine_name=_engine(),
        )
        _checkpoint("rendering")
        stages.next("het rapport opmaken (HTML)")
        _record_published_folder(executed, partial, final)
        html = _render_html(
            executed,
            loaded[0].name if notebook != "vergelijking" else "Vergelijking van scenario's",
            started,
            meanwhile.get("exporter"),
        )
        write_atomic(partial / "report.html", html)
    except KeyboardInterrupt:
        raise
    except Exception as error:  # the notebook may fail in any way; we keep what it left and say where
        if _interrupted(error):
            raise KeyboardInterrupt from None
        log = private / KERNEL_LOG
        if log.is_file() and log.stat().st_size:
            shutil.copyfile(log, partial / KERNEL_LOG)
        failed = _fail(partial, folder, run_id)
        cell = getattr(error, "exec_count", None)
        where = f"cel {cell}" if cell is not None else "het uitvoeren of omzetten"
        reason = f"{getattr(error, 'ename', type(error).__name__)}: {getattr(error, 'evalue', error)}"
        raise RunError(
            f"de run is mislukt in {where}: {reason}\nhet gedeeltelijk uitgevoerde notebook staat in "
            f"{failed / 'report.ipynb'}"
        ) from None
    finally:
        shutil.rmtree(private, ignore_errors=True)
    manifest = {
        "run_id": run_id,
        "notebook": notebook,
        "scenarios": [str(p) for p in paths],
        "provenance": meanwhile.get("provenance"),
        "seed": seed,
        "samples": samples,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - clock, 2),
        "command": sys.argv,
    }
    try:
        _checkpoint("writing")
        write_json(partial / "manifest.json", manifest)
    except OSError as error:
        failed = _fail(partial, folder, run_id)
        raise RunError(
            f"het rapport is klaar, maar manifest.json kon niet worden geschreven ({error.strerror}); "
            f"de run is niet gepubliceerd en staat in {failed}. Maak ruimte vrij en draai opnieuw."
        ) from None
    notes: list[str] = []
    pdf_path = None
    if pdf:
        stages.next("de PDF maken (Chromium)")
        pdf_path, note = print_pdf(partial / "report.html", partial / "report.pdf")
        notes += [note] if note else []
    (partial / OWNER).unlink(missing_ok=True)
    os.replace(partial, final)
    _checkpoint("publishing")
    try:
        _point_latest(folder, run_id)
    except OSError as error:
        notes.append(
            f"'latest' is niet bijgewerkt: {folder / 'latest'} {error.strerror or error}. "
            "Verwijder of hernoem het; de volgende run maakt de koppeling opnieuw."
        )
    try:
        _checkpoint("indexing")
        build_index(out)
    except OSError as error:
        notes.append(
            f"het overzicht {out / 'index.html'} is niet bijgewerkt ({error.strerror or error}); "
            "de volgende run schrijft het opnieuw."
        )
    stages.finish()
    return RunResult(final, final / "report.html", pdf_path and final / "report.pdf", tuple(notes))


def _interrupted(error: BaseException) -> bool:
    """Whether a failure from papermill is really Ctrl-C reaching the kernel."""
    return getattr(error, "ename", "") == "KeyboardInterrupt"


def _fail(partial: Path, folder: Path, run_id: str) -> Path:
    failed = folder / f"{run_id}.mislukt"
    (partial / OWNER).unlink(missing_ok=True)
    os.replace(partial, failed)
    return failed


VERDICT_MARK = {"pass": "✔", "fail": "✘", "undetermined": "?", "model_choice": "○"}


def build_index(out: str | Path) -> Path:
    """Rebuild ``<out>/index.html``: every complete run, newest first, with its verdicts and a link.

    A run folder whose ``manifest.json`` or ``results.json`` cannot be read as a run of this tool (an
    older version's, a foreign file, a hand edit) is listed as unreadable, never a reason to fail.
    """
    out = Path(out)
    rows, unreadable = [], []
    for manifest_path in sorted(out.glob("*/*/manifest.json")):
        run = manifest_path.parent
        if run.name.startswith(".") or run.name.endswith(".mislukt") or run.is_symlink():
            continue
        try:
            rows.append(_index_row(out, run, manifest_path))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            unreadable.append(run.relative_to(out).as_posix())
    from .labels import CONDITION_SHORT

    rows.sort(key=lambda row: row[0], reverse=True)
    rows = [row[1:] for row in rows]
    body = (
        "<h1>Verkenningen</h1><p>Alle rapporten, nieuwste eerst, met het oordeel op elke randvoorwaarde "
        "uit de raadsbrief: ✔ voldaan, ✘ niet voldaan, ? niet te bepalen, ○ modelkeuze (geldt door hoe "
        "het model is gebouwd). Bij een vergelijking staan de oordelen per scenario naast elkaar, in de "
        "volgorde van de naam.</p>"
        + table(["Gemaakt (UTC)", "Scenario", "Soort", *CONDITION_SHORT.values(), ""], rows)
    )
    if unreadable:
        body += (
            "<h2>Onleesbare runs</h2><p>Deze mappen hebben geen manifest.json of results.json die dit "
            "programma kan lezen (een oudere versie of een bewerkt bestand); ze zijn overgeslagen.</p><ul>"
            + "".join(f"<li>{text(name)}</li>" for name in unreadable)
            + "</ul>"
        )
    index = out / "index.html"
    write_atomic(index, page("Verkenningen", body))
    return index


def _index_row(out: Path, run: Path, manifest_path: Path) -> tuple:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    results = json.loads((run / "results.json").read_text(encoding="utf-8"))
    studies = results.get("studies", [results])
    name = " / ".join(str(s["scenario"]["name"]) for s in studies)
    from .labels import CONDITION_SHORT, VERDICT_LABELS

    verdicts = []
    for condition in CONDITION_SHORT:  # one column per condition, by its key: never by position
        found = [s["conditions"].get(condition, {}).get("verdict") for s in studies]
        marks = " / ".join(VERDICT_MARK.get(v, "–") for v in found)
        words = " / ".join(VERDICT_LABELS.get(v, "niet beoordeeld") for v in found)
        verdicts.append(Markup(f'<span title="{text(words)}">{text(marks)}</span>'))
    link = Markup(f'<a href="{text(run.relative_to(out).as_posix())}/report.html">rapport</a>')
    finished = manifest["finished"]
    shown = datetime.fromisoformat(finished).strftime("%d-%m-%Y %H:%M")
    return (finished, shown, name, str(manifest.get("notebook", "")), *verdicts, link)
