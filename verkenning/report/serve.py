"""``verkenning verken``: the what-if notebook served by Voilà, for a room with a projector.

The notebook (``verkennen.ipynb``, shipped with the package) is copied into a private temporary
folder with its ``scenario`` parameter set to the scenario's absolute path, and Voilà serves that
copy on a local port (no code shown, only the controls and the summary). Voilà runs in a session of
its own, with its log in the private folder, so that Ctrl-C (or SIGTERM) stops it and every kernel it
started by its process group, and the folder is removed; nothing is left running or on disk.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import Failed, VerkenningError
from ..scenario import load_scenario
from .run import _Interruptible, notebook_path

__all__ = ["DEFAULT_PORT", "serve", "whatif_notebook"]

DEFAULT_PORT = 8866
"""Voilà's own default; the next free port is taken when it is in use."""
START_TIMEOUT_S = 120
STOP_TIMEOUT_S = 10


def whatif_notebook(scenario: Path, folder: Path) -> Path:
    """A copy of the what-if notebook in ``folder`` whose parameter is ``scenario`` (absolute)."""
    import nbformat

    notebook = nbformat.read(notebook_path("verkennen"), as_version=4)
    first = next(c for c in notebook.cells if c.cell_type == "code")
    first.source = f"scenario = {json.dumps(str(scenario.resolve()))}"
    target = folder / "verkennen.ipynb"
    nbformat.write(notebook, target)
    return target


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def free_port(start: int = DEFAULT_PORT) -> int:
    """``start``, or the first free port above it."""
    for port in range(start, start + 100):
        if _free(port):
            return port
    raise VerkenningError(f"no free port from {start} to {start + 99}; pass --port")


def _stop(process: subprocess.Popen) -> None:
    """Stop Voilà and every kernel it started (its process group): SIGTERM, then SIGKILL."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def serve(
    scenario: Path,
    port: int | None = None,
    open_browser: bool = False,
    say: Callable[[str], None] = print,
) -> None:
    """Serve the what-if of ``scenario`` until interrupted (see the module docstring).

    Bad input (a scenario that does not load, a port in use, Voilà missing) is a
    :class:`VerkenningError`; Voilà ending by itself is :class:`Failed`, with the end of its log.
    """
    load_scenario(scenario)  # every problem of the file before anything starts
    for needed in ("voila", "ipywidgets"):
        if importlib.util.find_spec(needed) is None:
            raise VerkenningError(
                f"verkenning verken needs {needed}: install it with `pip install 'verkenning[lab]'` "
                "(`make lab` does)"
            )
    if port is not None and not _free(port):
        raise VerkenningError(f"--port {port} is in use; choose another or leave --port out")
    port = port if port is not None else free_port()
    folder = Path(tempfile.mkdtemp(prefix="verkenning-verken-"))
    log = folder / "voila.log"
    process = None
    try:
        notebook = whatif_notebook(scenario, folder)
        command = [sys.executable, "-m", "voila", str(notebook), f"--port={port}"]
        command += ["--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--theme=light"]
        command += [] if open_browser else ["--no-browser"]
        with _Interruptible(), open(log, "wb") as output:
            process = subprocess.Popen(
                command, cwd=folder, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
            started = time.monotonic()
            while _free(port):
                if process.poll() is not None:
                    raise Failed(f"Voilà stopped before it served the page:\n{_tail(log)}")
                if time.monotonic() - started > START_TIMEOUT_S:
                    raise Failed(f"Voilà did not start within {START_TIMEOUT_S} s:\n{_tail(log)}")
                time.sleep(0.2)
            say(f"open http://127.0.0.1:{port}/ in a browser (the what-if of {scenario}); Ctrl-C stops")
            code = process.wait()
            raise Failed(f"Voilà stopped by itself (exit {code}):\n{_tail(log)}")
    except KeyboardInterrupt:
        if process is not None:
            _stop(process)
        say("stopped")
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(folder, ignore_errors=True)


def _tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
