"""The what-if and the notebooks as an analyst meets them: in Debian's Chromium, driven by Selenium
through Debian's chromedriver (no browser or driver is downloaded), headless, with screenshots.

Each test starts its server (``verkenning verken`` or JupyterLab) on a free local port in a process
group of its own, and stops it by that process's PID.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from verkenning.formats import euro
from verkenning.report import run as run_module
from verkenning.report.whatif import WhatIf

from .conftest import ROOT

CHROMIUM = run_module._chromium()
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        (CHROMIUM is None or CHROMEDRIVER is None) and not os.environ.get("CI"),
        reason="Chromium or chromedriver is not installed here (.ci/run installs both)",
    ),
]
START_S = 180
SCREENSHOTS = Path(os.environ.get("VERKENNING_SCREENSHOTS", ROOT / "build" / "screenshots"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _wait_for(condition, timeout: float, what: str, process: subprocess.Popen | None = None):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        found = condition()
        if found:
            return found
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{what}: the server stopped ({process.returncode})")
        time.sleep(0.25)
    raise AssertionError(f"{what}: not within {timeout} s")


@pytest.fixture
def browser(monkeypatch):
    assert CHROMIUM and CHROMEDRIVER, "CI installs chromium and chromium-driver in .ci/run"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must never fetch a browser or driver
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.add_argument("--window-size=1400,1800")
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(START_S)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def _start(command: list[str], cwd: Path, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        # Ctrl-C as at a terminal: a suite run in a script's background inherits SIGINT ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _stop(process: subprocess.Popen, sig=signal.SIGTERM) -> int:
    """Stop a server the test started, by its PID (and its group, should it linger)."""
    if process.poll() is None:
        os.kill(process.pid, sig)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode


def _click(browser, selector: str, label: str) -> None:
    """Click the element of ``selector`` whose text is ``label`` (a menu, then its item)."""
    from selenium.webdriver.common.by import By

    found = _wait_for(
        lambda: [e for e in browser.find_elements(By.CSS_SELECTOR, selector) if e.text == label], 30, label
    )
    found[0].click()


def _text(element) -> str:
    return element.text.replace("\xa0", " ")


# --- the what-if as a Voilà page (verkenning verken) ----------------------------------------------------


def test_the_whatif_page_recomputes_the_summary_when_a_control_moves(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    scenario = tmp_path / "scenarios" / "borne.yaml"
    port = _free_port()
    server = _start(
        [sys.executable, "-m", "verkenning", "verken", str(scenario), "--port", str(port)], tmp_path
    )
    try:
        _wait_for(lambda: _listening(port), START_S, "verkenning verken serves its page", server)
        browser.get(f"http://127.0.0.1:{port}/")
        outcome = _wait_for(
            lambda: [e for e in browser.find_elements(By.CSS_SELECTOR, ".whatif-outcome") if "NCW" in e.text],
            START_S,
            "the summary appears",
        )[0]
        assert "def " not in browser.page_source and "WhatIf.load" not in browser.page_source, "no code shown"
        whatif = WhatIf.load(scenario)
        before = whatif.evaluate()
        assert all(euro(r["npv_eur"]).replace("\xa0", " ") in _text(outcome) for r in before.rows)
        browser.save_screenshot(str(SCREENSHOTS / "verken-start.png"))

        # the room argues Borne's own cost is lower: €900,000 a year
        control = next(
            c
            for c in browser.find_elements(By.CSS_SELECTOR, ".whatif-control")
            if c.text.startswith("Eigen kosten Gemeente Borne")
        )
        field = control.find_element(By.TAG_NAME, "input")
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys("900000", Keys.ENTER)
        after = whatif.evaluate({"partners.borne.standalone_annual_cost_eur": 900_000.0})
        expected = [euro(r["npv_eur"]).replace("\xa0", " ") for r in after.rows]
        assert expected != [euro(r["npv_eur"]).replace("\xa0", " ") for r in before.rows]
        _wait_for(lambda: all(x in _text(outcome) for x in expected), 60, "the summary shows the new NPVs")
        centre = euro(after.centre_npv_eur).replace("\xa0", " ")
        assert f"voordeel over de looptijd is {centre}" in _text(outcome)
        browser.save_screenshot(str(SCREENSHOTS / "verken-moved.png"))
    finally:
        code = _stop(server, signal.SIGINT)  # as Ctrl-C in the room
    said = server.stderr.read().decode()
    assert code == 0 and "stopped" in said, said
    assert not _listening(port), "Voilà and its kernel are gone with it"


# --- the notebooks in JupyterLab ------------------------------------------------------------------------


def test_toetreding_runs_in_jupyterlab_with_its_outputs_and_no_error(browser, tmp_path):
    from selenium.webdriver.common.by import By

    for folder in ("scenarios", "notebooks"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    port, token = _free_port(), "verkenning-test"
    settings = {
        "JUPYTER_CONFIG_DIR": str(tmp_path / ".jupyter"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / ".runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / ".lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / ".lab-workspaces"),
    }
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
    ]
    command += [
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={tmp_path}",
        "--ServerApp.port_retries=0",
    ]
    command += ["--allow-root"] if os.geteuid() == 0 else []
    lab = _start(command, tmp_path, settings)
    try:
        _wait_for(lambda: _listening(port), START_S, "JupyterLab listens", lab)
        browser.get(f"http://127.0.0.1:{port}/lab/tree/notebooks/toetreding.ipynb?token={token}")
        _wait_for(
            lambda: browser.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell"),
            START_S,
            "the notebook opens",
        )
        status = lambda: _text(browser.find_element(By.TAG_NAME, "body"))  # noqa: E731
        _wait_for(lambda: "| Idle" in status(), START_S, "the kernel starts")
        _click(browser, ".lm-MenuBar-itemLabel", "Run")
        _click(browser, ".lm-Menu-itemLabel", "Run All Cells")
        code_cells = len(browser.find_elements(By.CSS_SELECTOR, ".jp-CodeCell"))

        def finished() -> bool:
            prompts = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".jp-CodeCell .jp-InputPrompt")]
            return len(prompts) == code_cells and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts)

        _wait_for(finished, 600, "every cell ran")
        outputs = browser.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output")
        text = "\n".join(_text(o) for o in outputs)
        assert "Gemeente Hengelo" in text and "Gemeente Borne" in text, "the report's tables are there"
        assert browser.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output img"), "and its figures"
        assert "Traceback" not in text and "Error" not in text, text[-2000:]
        browser.save_screenshot(str(SCREENSHOTS / "lab-toetreding.png"))
    finally:
        _stop(lab)
    assert not _listening(port)


def test_make_lab_starts_as_this_user_without_installing_again_and_prints_the_address(tmp_path):
    # the virtual environment exists (make test made it): `make lab` must not reinstall, must start
    # as root too (as on CI and many containers), and must say where to open it
    port = _free_port()
    settings = {
        "JUPYTER_CONFIG_DIR": str(tmp_path / ".jupyter"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / ".runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / ".lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / ".lab-workspaces"),
        "PYTHON": sys.executable,
    }
    stamp = ROOT / ".venv" / ".installed"
    if not stamp.exists() or stamp.stat().st_mtime < (ROOT / "pyproject.toml").stat().st_mtime:
        pytest.skip("the environment is not installed by `make` here (make test installs it)")
    dry = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "pip install" not in dry.stdout, "make lab installs nothing once make has"
    options = "--ServerApp.port_retries=0 --ServerApp.ip=127.0.0.1"
    lab = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"LAB_ARGS=--port={port} {options}"],
        cwd=ROOT,
        env={**os.environ, **settings},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    said = []
    try:
        _wait_for(lambda: _listening(port), START_S, "make lab starts JupyterLab", lab)
        address = re.compile(rf"http://127\.0\.0\.1:{port}/lab\?token=\w+")
        threading.Thread(target=lambda: said.extend(lab.stdout), daemon=True).start()
        _wait_for(lambda: any(address.search(line) for line in said), 60, "the address is printed")
        assert any("open the address" in line for line in said)
    finally:
        if lab.poll() is None:
            os.killpg(lab.pid, signal.SIGTERM)  # make and the JupyterLab it started, by make's PID
            lab.wait(30)
    # make is gone at once; JupyterLab closes its kernels and sockets first, then the port
    try:
        _wait_for(lambda: not _listening(port), 30, "JupyterLab stops with make")
    except AssertionError:
        os.killpg(lab.pid, signal.SIGKILL)
        raise
