"""Running a study: papermill executes a notebook, nbconvert renders it, a run folder keeps it all.

A run writes ``<out>/<scenario-slug>/<run-id>/`` with ``report.html`` (no code, no parameter cell,
figures embedded), ``report.ipynb`` (executed), ``results.json``, ``tables/*.csv``,
``results.xlsx`` and ``manifest.json`` (provenance and timing). The folder is built under a hidden
temporary name and renamed when complete; ``<out>/<slug>/latest`` then points at it, and
``<out>/index.html`` lists every run. Runs never overwrite each other.

A run that fails keeps its partial executed notebook in ``<run-id>.mislukt/``, names the failing cell
and leaves earlier runs and ``latest`` untouched. Execution always uses this interpreter: the
kernel manager given to papermill knows only the native kernel, whatever kernels the machine has
registered.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import VerkenningError
from ..files import write_atomic, write_json
from ..scenario import load_scenario
from .html import Markup, page, table, text
from .provenance import provenance

__all__ = ["NOTEBOOKS", "RunError", "RunResult", "build_index", "notebook_path", "run_study", "slug"]

NOTEBOOKS = ("toetreding", "vergelijking", "groeipad")
CHECKOUT_NOTEBOOKS = Path(__file__).resolve().parent.parent.parent / "notebooks"
"""Where the notebooks are in a checkout (an editable install maps no package onto them)."""


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


def _checkpoint(stage: str) -> None:
    if os.environ.get(KILL_AT) == stage:
        os.kill(os.getpid(), signal.SIGKILL)


class RunError(Exception):
    """A run that failed while executing or rendering; the message says where and why."""


@dataclass(frozen=True)
class RunResult:
    folder: Path
    report: Path
    pdf: Path | None
    pdf_note: str


def slug(text_value: str) -> str:
    """A safe folder name: lower-case letters, digits and '-', never empty, never a path."""
    value = re.sub(r"[^a-z0-9]+", "-", text_value.lower()).strip("-")
    return value[:60] or "studie"


def _native_kernel_manager():
    """A kernel manager that only knows this interpreter's kernel (``sys.executable``)."""
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
            # Unix sockets where there are any: the kernel is local and needs no TCP port.
            return "ipc" if os.name == "posix" else "tcp"

    return NativeKernelManager


def _new_run_id(folder: Path) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    run_id, n = stamp, 1
    while any((folder / name).exists() for name in (run_id, f".{run_id}.partial", f"{run_id}.mislukt")):
        n += 1
        run_id = f"{stamp}-{n}"
    return run_id


def _render_html(notebook_path: Path, title: str) -> str:
    """The executed notebook as our own Dutch page: outputs and narrative only."""
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_TAGS)
    config.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(config=config, template_name="basic")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    notebook = nbformat.read(notebook_path, as_version=4)
    body, _ = exporter.from_notebook_node(notebook)
    return page(title, body)


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
    """Print a report to PDF with headless Chromium; without Chromium, say how to get it."""
    browser = _chromium()
    if browser is None:
        return None, (
            "PDF niet gemaakt: Chromium ontbreekt. Installeer het (Debian/Ubuntu: "
            "`apt-get install chromium`) en draai opnieuw met --pdf."
        )
    with tempfile.TemporaryDirectory() as profile:
        temporary = pdf_path.with_name(f".{pdf_path.name}.tmp")
        done = subprocess.run(
            [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={temporary}",
                html_path.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    if done.returncode != 0 or not temporary.exists():
        return None, f"PDF niet gemaakt: Chromium meldde {done.stderr.strip()[-300:]}"
    os.replace(temporary, pdf_path)
    return pdf_path, ""


def _point_latest(folder: Path, run_id: str) -> None:
    link = folder / "latest"
    temporary = folder / f".latest.{os.getpid()}"
    temporary.unlink(missing_ok=True)
    os.symlink(run_id, temporary)
    os.replace(temporary, link)


def run_study(
    scenarios: list[str | Path],
    notebook: str = "toetreding",
    out: str | Path = "reports",
    seed: int = 0,
    pdf: bool = False,
    progress: bool = False,
) -> RunResult:
    """Execute a study notebook on the scenario(s) and write a new run folder (see the module docstring)."""
    import papermill

    if notebook not in NOTEBOOKS:
        raise VerkenningError(f"unknown notebook {notebook!r}; choose {', '.join(NOTEBOOKS)}")
    paths = [Path(s).resolve() for s in scenarios]
    loaded = [load_scenario(p) for p in paths]  # bad input stops here, before any folder exists
    if notebook == "vergelijking" and len(paths) < 2:
        raise VerkenningError("a comparison needs two or more scenarios")
    name = (
        slug("vergelijking-" + "-".join(p.stem for p in paths))
        if notebook == "vergelijking"
        else slug(paths[0].stem)
    )
    out = Path(out).resolve()
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    run_id = _new_run_id(folder)
    partial = folder / f".{run_id}.partial"
    partial.mkdir()
    started = datetime.now(UTC)
    clock = time.perf_counter()
    parameters = {"seed": seed, "run_dir": str(partial)}
    if notebook == "vergelijking":
        parameters["scenarios"] = [str(p) for p in paths]
    else:
        parameters["scenario"] = str(paths[0])
    executed = partial / "report.ipynb"
    try:
        papermill.execute_notebook(
            str(notebook_path(notebook)),
            str(executed),
            parameters=parameters,
            kernel_name="python3",
            kernel_manager_class=_native_kernel_manager(),
            progress_bar=progress,
            cwd=str(Path.cwd()),
            execution_timeout=CELL_TIMEOUT_S,
        )
        _checkpoint("rendering")
        html = _render_html(
            executed, loaded[0].name if notebook != "vergelijking" else "Vergelijking van scenario's"
        )
        write_atomic(partial / "report.html", html)
    except Exception as error:  # the notebook may fail in any way; we keep what it left and say where
        failed = folder / f"{run_id}.mislukt"
        os.replace(partial, failed)
        cell = getattr(error, "exec_count", None)
        where = f"cel {cell}" if cell is not None else "het uitvoeren of omzetten"
        reason = f"{getattr(error, 'ename', type(error).__name__)}: {getattr(error, 'evalue', error)}"
        raise RunError(
            f"de run is mislukt in {where}: {reason}\nhet gedeeltelijk uitgevoerde notebook staat in "
            f"{failed / 'report.ipynb'}"
        ) from None
    manifest = {
        "run_id": run_id,
        "notebook": notebook,
        "scenarios": [str(p) for p in paths],
        "provenance": [provenance(s, seed) for s in loaded],
        "seed": seed,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - clock, 2),
        "command": sys.argv,
    }
    _checkpoint("writing")
    write_json(partial / "manifest.json", manifest)
    pdf_path, pdf_note = (None, "")
    if pdf:
        pdf_path, pdf_note = print_pdf(partial / "report.html", partial / "report.pdf")
    final = folder / run_id
    os.replace(partial, final)
    _checkpoint("publishing")
    _point_latest(folder, run_id)
    build_index(out)
    return RunResult(final, final / "report.html", final / "report.pdf" if pdf_path else None, pdf_note)


VERDICT_MARK = {"pass": "✔", "fail": "✘", "undetermined": "?"}


def build_index(out: str | Path) -> Path:
    """Rebuild ``<out>/index.html``: every complete run, newest first, with its verdicts and a link."""
    out = Path(out)
    rows = []
    for manifest_path in sorted(out.glob("*/*/manifest.json")):
        run = manifest_path.parent
        if run.name.startswith(".") or run.name.endswith(".mislukt") or run.is_symlink():
            continue
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            results = json.loads((run / "results.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        studies = results.get("studies", [results])
        name = " / ".join(s["scenario"]["name"] for s in studies)
        conditions = studies[0].get("conditions", {})
        verdicts = " ".join(f"{VERDICT_MARK[c['verdict']]}" for c in conditions.values())
        link = Markup(f'<a href="{text(run.relative_to(out).as_posix())}/report.html">rapport</a>')
        finished = manifest.get("finished", "")
        shown = datetime.fromisoformat(finished).strftime("%d-%m-%Y %H:%M") if finished else ""
        rows.append((finished, shown, name, manifest.get("notebook", ""), verdicts, link))
    rows.sort(key=lambda row: row[0], reverse=True)
    rows = [row[1:] for row in rows]
    body = (
        "<h1>Verkenningen</h1><p>Alle rapporten, nieuwste eerst. Randvoorwaarden: win-win, geen winst, "
        "transparantie, platform leidend, risico's gedeeld, waarde voor inwoners (✔ voldaan, ✘ niet voldaan, "
        "? niet te bepalen).</p>" + table(["Gemaakt (UTC)", "Scenario", "Soort", "Randvoorwaarden", ""], rows)
    )
    index = out / "index.html"
    write_atomic(index, page("Verkenningen", body))
    return index
