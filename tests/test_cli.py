"""The command line as a user meets it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from verkenning.cli import app
from verkenning.scenario import load_scenario

from .conftest import INVALID, SHIPPED

runner = CliRunner()


def test_check_passes_every_shipped_scenario():
    result = runner.invoke(app, ["check", *map(str, SHIPPED)])
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok — ") == len(SHIPPED)


def test_check_lists_every_problem_and_exits_2():
    result = runner.invoke(app, ["check", "scenarios/basis.yaml", str(INVALID / "negative-count.yaml")])
    assert result.exit_code == 2
    assert "scenarios/basis.yaml: ok" in result.stdout
    assert "partners[0].inhabitants: must be ≥ 0, got -5" in result.stderr


def test_check_detail_prints_partners_and_weak_points():
    result = runner.invoke(app, ["check", "--detail", "scenarios/borne.yaml"])
    assert result.exit_code == 0
    assert "borne" in result.stdout and "2026–" in result.stdout
    assert "weak points" in result.stdout and "NET" in result.stdout


def test_bad_input_never_shows_a_traceback():
    for case in ["python-tag.yaml", "malformed.yaml", "extends-cycle-a.yaml"]:
        done = subprocess.run(
            [sys.executable, "-m", "verkenning", "check", str(INVALID / case)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 2
        assert "Traceback" not in done.stderr and done.stderr.strip()


def test_new_writes_a_valid_commented_entrant_study(tmp_path):
    target = tmp_path / "studies" / "hof.yaml"
    result = runner.invoke(app, ["new", str(target), "--entrant", "hof_van_twente", "--joins", "2027"])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Vraag:") and "ASSUMPTION: replace" in text
    scenario = load_scenario(target)
    entrant = scenario.partner("hof_van_twente")
    assert entrant.joins == 2027 and entrant.inhabitants == 35438 and entrant.inhabitants.source
    assert entrant.fte.assumption
    assert [p.id for p in scenario.partners][:4] == ["hengelo", "oldenzaal", "haaksbergen", "swb"]


def test_new_refuses_to_overwrite_and_unknown_entrants(tmp_path):
    target = tmp_path / "x.yaml"
    target.write_text("keep me", encoding="utf-8")
    result = runner.invoke(app, ["new", str(target), "--entrant", "borne"])
    assert result.exit_code == 2 and "exists already" in result.stderr
    assert target.read_text(encoding="utf-8") == "keep me"
    result = runner.invoke(app, ["new", str(tmp_path / "y.yaml"), "--entrant", "atlantis"])
    assert result.exit_code == 2 and "unknown organisation 'atlantis'" in result.stderr
    assert "borne" in result.stderr
    result = runner.invoke(app, ["new", str(tmp_path / "z.yaml"), "--entrant", "oldenzaal"])
    assert result.exit_code == 2 and "already a partner" in result.stderr
    assert not (tmp_path / "y.yaml").exists() and not (tmp_path / "z.yaml").exists()


def test_python_dash_m_runs_the_same_command_line():
    done = subprocess.run([sys.executable, "-m", "verkenning", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "check" in done.stdout and "new" in done.stdout
