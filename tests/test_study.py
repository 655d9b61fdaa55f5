"""The study computed once: its results match the shipped JSON Schema, and every part is computed once."""

from __future__ import annotations

import json
import os
import sys
from importlib.resources import files

import jsonschema
import numpy as np
import pytest

from verkenning.explore import Outcome, cached_exploration, explore, save_exploration
from verkenning.explore.sweep import exploration_folder, sweep_id
from verkenning.report import Report, sections
from verkenning.study import Study

from .conftest import SCENARIOS, SHIPPED

SCHEMA = json.loads(files("verkenning.schemas").joinpath("results.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_results_of_every_shipped_scenario_follow_the_schema(path):
    results = Study.load(path, samples=200).results()
    jsonschema.validate(results, SCHEMA)
    keys = {row["kind"] for row in results["assumptions"]}
    assert keys <= {"source", "assumption", "unsourced"} and "source" in keys


def test_the_schema_refuses_what_it_does_not_describe():
    results = Study.load(SHIPPED[0], samples=200).results()
    results["conditions"]["key_stable"]["verdict"] = "voldaan"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(results, SCHEMA)
    results["conditions"]["key_stable"]["verdict"] = "pass"
    results["assumptions"][0] = {"veld": "x", "waarde": 1, "soort": "bron", "toelichting": ""}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(results, SCHEMA)


def test_each_part_is_computed_once():
    study = Study.load(SHIPPED[1], samples=200)
    assert study.costs is study.costs and study.card is study.card and study.fees is study.fees
    assert study.card.verdicts[0].year == study.year


def test_a_saved_sweep_is_found_by_what_made_it_not_by_its_folder_name(tmp_path):
    study = Study.load(SHIPPED[1], samples=300, sweep_root=tmp_path)
    first = study.exploration
    folder = exploration_folder(tmp_path, study.scenario, 0, 300)
    assert folder.name == sweep_id(study.scenario, 0, 300) and (folder / "exploration.json").is_file()
    folder.rename(folder.with_name("any-name"))
    again = cached_exploration(tmp_path, study.scenario, 0, 300)
    assert again.info["seconds"] == first.info["seconds"], "read back, not computed again"
    other_seed = cached_exploration(tmp_path, study.scenario, 1, 300)
    assert other_seed.seed == 1 and other_seed.info["sweep_id"] != first.info["sweep_id"]
    # a sweep whose record says it came from other inputs or code is never served
    record = folder.with_name("any-name") / "exploration.json"
    info = json.loads(record.read_text(encoding="utf-8"))
    record.write_text(json.dumps({**info, "inputs_id": "0" * 16}), encoding="utf-8")
    fresh = cached_exploration(tmp_path, study.scenario, 0, 300)
    assert fresh.info["sweep_id"] == first.info["sweep_id"] and fresh.probabilities == first.probabilities


def test_a_larger_saved_sweep_is_shown_instead(tmp_path):
    study = Study.load(SHIPPED[1], samples=200, sweep_root=tmp_path)
    large = explore(study.scenario, 400, 0, sobol_base=8)
    save_exploration(large, exploration_folder(tmp_path, study.scenario, 0, 400))
    assert study.exploration.samples == 400
    assert Outcome("win_win") in study.exploration.probabilities


def test_the_case_without_a_structural_saving_saves_nothing_in_total():
    # No shared fixed part and no avoided growth: with the scale exponent at 1, every coalition costs
    # its members' own costs plus coordination, so the partners together cannot gain; the study's
    # central case gains more than that.
    study = Study.load(SHIPPED[1], samples=200)  # borne.yaml
    rate = study.costs.rates[0]
    without = study.no_saving
    assert without.scenario.parameters.fixed_share_scale == 0
    fixed, _ = without.model.cost_curve
    assert (fixed[0][without.model.per_unit] == 0).all()
    assert without.npv_eur["key"][rate].sum() <= 0
    assert study.costs.npv_eur["key"][rate].sum() > without.npv_eur["key"][rate].sum()
    results = study.results()
    assert results["no_saving"]["npv_eur"]["borne"] == round(float(without.npv_eur["key"][rate][-1]), 2)


def test_each_partners_npv_comes_with_its_range_and_chance_of_a_loss():
    study = Study.load(SHIPPED[1], samples=400)
    for partner, band in study.npv_ranges.items():
        draws = study.exploration.outcomes[Outcome("npv_eur", partner)]
        assert band.low_eur <= band.high_eur
        assert band.loss_probability == pytest.approx((draws < 0).mean())
        assert (draws < band.low_eur).mean() == pytest.approx(0.05, abs=0.01)
    page = sections.summary(Report(study))
    assert (
        "NCW, band 5%–95%" in page
        and "Kans op verlies" in page
        and "NCW zonder structurele besparing" in page
    )


def test_the_report_shows_the_nulmeting_and_says_what_stays_modelled():
    report = Report(Study.load(SCENARIOS / "borne-nulmeting.yaml", samples=200))
    partners = sections.partners(report)
    for caption in ("Nulmeting: gemeten kosten", "Nulmeting: personeel", "Nulmeting: lopende contracten"):
        assert caption in partners
    assert "Voorbeeld Hosting B.V." in partners and "2027-12-31" in partners and "geschat" in partners
    costs = sections.costs(report)
    assert "Herkomst zelfstandig" in costs
    assert "deels nulmeting, deels gemodelleerd" in costs and costs.count("gemodelleerd") >= 5


def _same_sweep(a, b) -> None:
    assert a.outcomes.keys() == b.outcomes.keys()
    for outcome, values in a.outcomes.items():
        np.testing.assert_array_equal(values, b.outcomes[outcome], err_msg=str(outcome))


LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="work is done aside on Linux only")


@LINUX
def test_a_sweep_computed_aside_is_saved_and_is_the_sweep_computed_here(tmp_path):
    here = Study.load(SCENARIOS / "borne.yaml", samples=64).exploration  # no folder: no child, no file
    study = Study.load(SCENARIOS / "borne.yaml", samples=64, sweep_root=tmp_path)
    study.prepare("key_design")
    assert "key_design" in study.__dict__  # computed meanwhile
    _same_sweep(study._aside.pop("exploration").result(lambda: pytest.fail("the child failed")), here)
    assert list((tmp_path / "onzekerheid").glob("*/exploration.json"))  # saved by the child
    _same_sweep(study.exploration, here)  # and read from there


@LINUX
def test_with_a_saved_sweep_the_entry_terms_are_computed_aside_and_are_those_computed_here(tmp_path):
    assert Study.load(
        SCENARIOS / "groeipad.yaml", samples=64, sweep_root=tmp_path
    ).exploration.outcomes  # saved
    here = Study.load(SCENARIOS / "groeipad.yaml", samples=64).entry_terms
    study = Study.load(SCENARIOS / "groeipad.yaml", samples=64, sweep_root=tmp_path)
    study.prepare("key_design", "entry_terms", "growth_terms")
    assert "growth_terms" in study.__dict__  # computed meanwhile
    terms = study._aside.pop("entry_terms").result(lambda: pytest.fail("the child failed"))
    assert len(terms) == len(here) > 1
    for ours, theirs in zip(terms, here, strict=True):
        assert (ours.entrant, ours.low_eur, ours.high_eur, ours.points) == (
            theirs.entrant,
            theirs.low_eur,
            theirs.high_eur,
            theirs.points,
        )
        np.testing.assert_array_equal(ours.lo, theirs.lo)
        np.testing.assert_array_equal(ours.slope, theirs.slope)


@LINUX
def test_a_sweep_that_fails_aside_is_computed_here(tmp_path, monkeypatch):
    import verkenning.explore.sweep as sweep

    parent, save = os.getpid(), sweep.save_exploration

    def fails_in_child(result, folder):
        if os.getpid() != parent:
            raise OSError("disk full")
        return save(result, folder)

    monkeypatch.setattr(sweep, "save_exploration", fails_in_child)
    study = Study.load(SCENARIOS / "borne.yaml", samples=64, sweep_root=tmp_path)
    study.prepare()
    assert "exploration" in study._aside
    _same_sweep(study.exploration, Study.load(SCENARIOS / "borne.yaml", samples=64).exploration)
    assert list((tmp_path / "onzekerheid").glob("*/exploration.json"))  # saved here instead


@LINUX
def test_a_reports_files_are_written_aside_and_save_waits_for_them(tmp_path, monkeypatch):
    import verkenning.report.report as report_module

    aside_dir, here_dir, failed_dir = (tmp_path / name for name in ("aside", "here", "failed"))
    for folder in (aside_dir, here_dir, failed_dir):
        folder.mkdir()
    report = Report.load(SCENARIOS / "borne.yaml", samples=64, run_dir=aside_dir)
    assert "save" in report._aside
    report.save()
    assert not report._aside
    Report(Study.load(SCENARIOS / "borne.yaml", samples=64), here_dir)._write()  # in turn, for comparison
    written = sorted(p.relative_to(aside_dir) for p in aside_dir.rglob("*") if p.is_file())
    assert {"results.json", "results.xlsx"} <= {str(p) for p in written}
    assert written == sorted(p.relative_to(here_dir) for p in here_dir.rglob("*") if p.is_file())
    for name in written:
        if name.suffix != ".xlsx":  # (a workbook's zip records when it was written)
            assert (aside_dir / name).read_bytes() == (here_dir / name).read_bytes(), name

    parent, write = os.getpid(), report_module.write_workbook

    def fails_in_child(*args):
        if os.getpid() != parent:
            raise OSError("disk full")
        return write(*args)

    monkeypatch.setattr(report_module, "write_workbook", fails_in_child)
    failing = Report.load(SCENARIOS / "borne.yaml", samples=64, run_dir=failed_dir)
    failing.save()  # the child failed: written here instead
    assert (failed_dir / "results.xlsx").is_file()


@LINUX
def test_a_study_of_games_too_large_for_two_processes_computes_in_turn(tmp_path, monkeypatch):
    import verkenning.study as study_module

    monkeypatch.setattr(study_module, "ASIDE_CELLS", (64 << 5) - 1)  # Borne: 5 members, 64 samples
    study = Study.load(SCENARIOS / "borne.yaml", samples=64, sweep_root=tmp_path)
    study.prepare("key_design")
    assert not study._aside and "key_design" in study.__dict__
    monkeypatch.setattr(study_module, "ASIDE_CELLS", 64 << 5)
    study = Study.load(SCENARIOS / "borne.yaml", samples=64, sweep_root=tmp_path)
    study.prepare("key_design")
    assert "exploration" in study._aside
    assert study.exploration.outcomes
