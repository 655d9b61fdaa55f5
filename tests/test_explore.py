"""Exploring under uncertainty: the sampler, the vectorised model, discovery, and backends that agree."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from verkenning.cli import app
from verkenning.costs import simulate
from verkenning.explore import (
    active,
    discover,
    evaluate,
    explore,
    growth_orders,
    load_exploration,
    main_outcome,
    plan,
    probabilities,
    sample,
    save_exploration,
    tornado,
)
from verkenning.explore.outcomes import Outcome
from verkenning.explore.sampling import ppf
from verkenning.fourk import scorecard
from verkenning.report.labels import discovery_sentence
from verkenning.scenario import load_scenario
from verkenning.scenario.schema import Uncertainty

from .conftest import SCENARIOS

NO_UNCERTAINTY = """
extends: {base}
uncertainties:
  services.*.scale_exponent: null
  parameters.fixed_share_scale: null
  parameters.transition_team_months: null
  parameters.transition_migration_eur_per_workstation: null
  parameters.double_running_months: null
  parameters.stranded_book_value_share: null
  parameters.surplus_fte_share: null
  parameters.retained_fte: null
  parameters.overhead_share: null
  parameters.level_effect_entrant: null
  parameters.cost_growth_cooperation: null
  parameters.cost_growth_standalone: null
  parameters.coordination_annual_cost_eur_per_organisation: null
  parameters.absence_rate: null
  discount_rate: null
"""


@pytest.mark.parametrize(
    ("spec", "reference"),
    [
        ({"distribution": "uniform", "low": 2, "high": 5}, stats.uniform(2, 3)),
        ({"distribution": "triangular", "low": 0, "mode": 1, "high": 4}, stats.triang(0.25, 0, 4)),
        ({"distribution": "normal", "mean": 1, "sd": 0.5}, stats.norm(1, 0.5)),
        (
            {"distribution": "normal", "mean": 1, "sd": 0.5, "low": 0.5, "high": 2},
            stats.truncnorm(-1, 2, 1, 0.5),
        ),
        ({"distribution": "lognormal", "median": 3, "sigma": 0.4}, stats.lognorm(0.4, scale=3)),
    ],
)
def test_sampler_reproduces_the_declared_distribution(spec, reference):
    draws = ppf(Uncertainty(**spec), np.random.default_rng(1).random(20_000))
    assert stats.kstest(draws, reference.cdf).pvalue > 0.001


@pytest.mark.parametrize(
    ("spec", "reference"),
    [
        (
            {"distribution": "triangular", "low": 0.85, "mode": 1.0, "high": 1.05},
            stats.triang(0.75, 0.85, 0.2),
        ),
        ({"distribution": "normal", "mean": 1, "sd": 0.5}, stats.norm(1, 0.5)),
        (
            {"distribution": "normal", "mean": 0.12, "sd": 0.03, "low": 0, "high": 1},
            stats.truncnorm(-4, 88 / 3, 0.12, 0.03),
        ),
        (
            {"distribution": "normal", "mean": 0, "sd": 1, "low": 3, "high": 6},
            stats.truncnorm(3, 6),
        ),  # upper tail
        ({"distribution": "normal", "mean": 0, "sd": 1, "low": -6, "high": -3}, stats.truncnorm(-6, -3)),
        ({"distribution": "lognormal", "median": 3, "sigma": 0.4}, stats.lognorm(0.4, scale=3)),
    ],
)
def test_inverse_cdfs_agree_with_scipy_stats(spec, reference):
    # sampling.ppf is written on scipy.special; scipy.stats's own ppf is the reference
    u = np.concatenate([np.linspace(0, 1, 1001), [1e-12, 1 - 1e-12]])
    np.testing.assert_allclose(ppf(Uncertainty(**spec), u), reference.ppf(u), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(("d", "n", "seed"), [(1, 1, 0), (3, 10, 1), (14, 1000, 2), (0, 5, 3)])
def test_latin_hypercube_draws_what_scipys_does(d, n, seed):
    from scipy.stats import qmc

    from verkenning.explore.sampling import latin_hypercube

    ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
    for _ in range(2):  # the same points, and the parent stream left in the same state
        expected = qmc.LatinHypercube(d=d, rng=theirs).random(n)
        np.testing.assert_array_equal(latin_hypercube(d, n, ours), expected)
    points = latin_hypercube(max(d, 1), n, np.random.default_rng(seed))
    assert (np.sort(np.floor(points * n), axis=0) == np.arange(n)[:, None]).all(), "one point per stratum"


@pytest.mark.parametrize(("d", "n", "seed"), [(1, 1, 0), (2, 16, 1), (6, 256, 2), (56, 1024, 3)])
def test_sobol_sequence_draws_what_scipys_does(d, n, seed):
    from scipy.stats import qmc

    from verkenning.explore.sampling import sobol_sequence

    ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
    for _ in range(2):  # the same points, and the parent stream left in the same state
        expected = qmc.Sobol(d=d, scramble=True, rng=theirs).random(n)
        np.testing.assert_array_equal(sobol_sequence(d, n, ours), expected)
    # scrambled or not, the first 2^m points put one point in each interval of 2^-m of every axis
    points = sobol_sequence(d, n, np.random.default_rng(seed))
    assert (np.sort(np.floor(points * n), axis=0) == np.arange(n)[:, None]).all()
    assert ((points >= 0) & (points < 1)).all()


def test_without_scipys_table_of_direction_numbers_the_sobol_design_is_scipys_own(monkeypatch, tmp_path):
    from scipy.stats import qmc

    from verkenning.explore import sampling

    monkeypatch.setattr(sampling, "_direction_table", lambda: tmp_path / "moved.npz")
    sampling._direction_numbers.cache_clear()
    try:
        points = sampling.sobol_sequence(5, 64, np.random.default_rng(3))
    finally:
        sampling._direction_numbers.cache_clear()
    np.testing.assert_array_equal(
        points, qmc.Sobol(d=5, scramble=True, rng=np.random.default_rng(3)).random(64)
    )


def test_a_sweep_and_its_sobol_design_leave_scipy_stats_unimported():
    """sampling.py draws the hypercube, the Sobol' design and the inverses itself (its docstring)."""
    import subprocess
    import sys

    probe = (
        "import sys\nfrom verkenning.scenario import load_scenario\nfrom verkenning.explore import explore\n"
        "found = explore(load_scenario(sys.argv[1]), 64, 0)\n"
        "heavy = ('scipy.stats', 'scipy.optimize')\n"
        "print(len(found.sobol) > 0, sorted(m for m in heavy if m in sys.modules))"
    )
    command = [sys.executable, "-c", probe, str(SCENARIOS / "borne.yaml")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "[]"]


def test_student_quantile_of_the_intervals_is_scipys():
    from scipy.special import stdtrit

    for df in (1, 2, 9, 30):
        assert stdtrit(df, 0.975) == pytest.approx(stats.t.ppf(0.975, df), rel=1e-12)


def test_discrete_draws_follow_their_weights():
    draws = ppf(
        Uncertainty(distribution="discrete", values=[0, 1, 2], weights=[1, 2, 1]),
        np.random.default_rng(2).random(40_000),
    )
    shares = np.bincount(draws.astype(int)) / len(draws)
    np.testing.assert_allclose(shares, [0.25, 0.5, 0.25], atol=0.01)


def test_each_replicated_latin_hypercube_puts_one_sample_in_every_stratum():
    from verkenning.explore.sampling import REPLICATES, replicates

    scenario = load_scenario(SCENARIOS / "borne.yaml")
    draws = sample(scenario, 503, seed=4)
    column = draws.paths.index("parameters.absence_rate")
    blocks = replicates(503)
    assert len(blocks) == REPLICATES and sorted(np.concatenate(blocks)) == list(range(503))
    for block in blocks:
        strata = np.floor((draws.values[block, column] - 0.08) / 0.08 * len(block)).astype(int)
        assert sorted(strata) == list(range(len(block)))
    assert np.array_equal(sample(scenario, 503, seed=4).values, draws.values)


@pytest.mark.parametrize("name", ["borne", "groeipad", "haaksbergen-im", "borne-im"])
def test_vectorised_model_equals_the_cost_model_at_the_scenario_values(name):
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    out = evaluate(plan(scenario, (), ()), np.zeros((1, 0)))
    result = simulate(scenario)
    npv = np.array([out[Outcome("npv_eur", p)][0] for p in result.partners])
    np.testing.assert_allclose(
        npv, result.npv_eur["key"][result.rates[0]], atol=0.5
    )  # cents rounded per year
    card = scorecard(result)
    both = all(card.verdict(c).verdict == "pass" for c in ("better_off", "key_stable"))
    assert bool(out[Outcome("win_win")][0]) == both
    coverage = card.value("samenwerking", "coverage_probability")
    assert out[Outcome("coverage_probability")][0] == pytest.approx(coverage)
    assert out[Outcome("bus_factor_roles")][0] == card.value("samenwerking", "bus_factor_roles")


def test_a_scenario_without_uncertainty_has_zero_variance(write):
    path = write(NO_UNCERTAINTY.format(base=SCENARIOS / "borne.yaml"), "certain.yaml")
    result = explore(load_scenario(path), samples=64, seed=1)
    for outcome, values in result.outcomes.items():
        # identical rows; vectorised sums may round in the last bit differently per row
        if values.dtype == bool:
            assert len(set(values.tolist())) == 1, outcome
        else:
            assert values.std() <= 1e-12 * max(abs(values).max(), 1), outcome
    assert result.tornado.empty and result.paths == ()


def test_scenario_discovery_finds_a_planted_rule():
    rng = np.random.default_rng(5)
    inputs = pd.DataFrame(rng.random((4000, 4)), columns=["a", "b", "c", "d"])
    failed = (inputs.a > 0.7) & (inputs.c < 0.3)
    finding = discover(inputs, failed.to_numpy(), seed=0)
    bounds = {(name, op): value for name, op, value in finding.conditions}
    assert bounds[("a", ">")] == pytest.approx(0.7, abs=0.03)
    assert bounds[("c", "<=")] == pytest.approx(0.3, abs=0.03)
    assert set(name for name, _, _ in finding.conditions) == {"a", "c"}
    assert finding.density > 0.95 and finding.coverage > 0.95
    assert "gaat vooral verloren als" in discovery_sentence(finding, {})


def test_discovery_says_so_when_nothing_fails():
    finding = discover(pd.DataFrame({"a": [0.1, 0.2]}), np.array([False, False]))
    assert finding.conditions == () and finding.failures == 0
    assert "In geen van de 2 trekkingen" in discovery_sentence(finding, {})


def test_exploration_reports_probabilities_sensitivity_and_discovery():
    scenario = load_scenario(SCENARIOS / "borne.yaml")
    result = explore(scenario, samples=1000, seed=2, sobol_base=16)
    p = {outcome: chance.probability for outcome, chance in result.probabilities.items()}
    assert 0 < p[Outcome("win_win")] < 1 and 0 < p[Outcome("entrant_gains")] <= 1
    assert p[Outcome("win_win")] <= p[Outcome("in_core", "key")], "win-win needs the key's shares in the core"
    # every partner's NPV, the centre's first; win-win and every NPV in the Sobol' table
    assert list(dict.fromkeys(result.tornado.outcome)) == [f"npv_eur:{q.id}" for q in scenario.partners]
    assert list(dict.fromkeys(result.sobol.outcome))[:2] == ["win_win", "npv_eur:hengelo"]
    borne = result.tornado[result.tornado.outcome == "npv_eur:borne"]
    assert set(borne.path) == set(result.paths)
    for _, part in result.tornado.groupby("outcome"):
        assert (part.swing.diff().dropna() <= 0).all(), "widest bar first"
    structural = {"services.*.scale_exponent", "parameters.fixed_share_scale"}
    assert borne.iloc[0].path in structural, "the scale model moves Borne's NPV most"
    assert (result.sobol.total_order_low <= result.sobol.total_order + 1e-9).all()
    assert result.discovery.failures == round((1 - p[Outcome("win_win")]) * 1000)


def test_same_seed_gives_identical_results_on_processes_and_dask():
    scenario = load_scenario(SCENARIOS / "borne.yaml")
    here = explore(scenario, samples=5000, seed=9, sobol_base=8)
    pool = explore(scenario, samples=5000, seed=9, workers=2, sobol_base=8)
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        cluster_result = explore(
            scenario, samples=5000, seed=9, scheduler=cluster.scheduler_address, sobol_base=8
        )
    for other in (pool, cluster_result):
        assert other.outcomes.keys() == here.outcomes.keys()
        for outcome, values in here.outcomes.items():
            np.testing.assert_array_equal(values, other.outcomes[outcome])
    # every file saved, byte for byte (the record of the backend and the time aside)
    import json
    import tempfile
    from pathlib import Path

    folders = []
    for result in (here, pool, cluster_result):
        folder = Path(tempfile.mkdtemp()) / "sweep"
        save_exploration(result, folder)
        folders.append(folder)
    first, *others = folders
    names = sorted(p.name for p in first.iterdir())
    assert {"samples.csv", "sobol.csv", "tornado.csv", "discovery.json"} <= set(names)
    for other in others:
        assert names == sorted(p.name for p in other.iterdir())
        for name in names:
            if name == "exploration.json":
                one, two = (json.loads((f / name).read_text()) for f in (first, other))
                for key in ("backend", "seconds"):
                    one.pop(key), two.pop(key)
                assert one == two
            else:
                assert (first / name).read_bytes() == (other / name).read_bytes(), name


def test_saved_exploration_reads_back(tmp_path):
    scenario = load_scenario(SCENARIOS / "borne.yaml")
    result = explore(scenario, samples=300, seed=3, sobol_base=8)
    back = load_exploration(scenario, save_exploration(result, tmp_path / "x"))
    pd.testing.assert_frame_equal(back.inputs, result.inputs, check_dtype=False)
    assert back.outcomes.keys() == result.outcomes.keys()
    for outcome, values in result.outcomes.items():
        np.testing.assert_allclose(back.outcomes[outcome], values, rtol=1e-15)
        assert back.outcomes[outcome].dtype.kind == values.dtype.kind
    assert back.discovery == result.discovery and back.outcome == result.outcome
    assert back.probabilities == result.probabilities


def test_growth_orders_compare_every_order_of_the_entrants():
    table = growth_orders(load_scenario(SCENARIOS / "groeipad.yaml"))
    assert len(table) == 6  # 3 entrants over the years 2026, 2028, 2030: 3! distinct orders
    assert table.npv_total_eur.is_monotonic_decreasing
    assert table.order.str.contains("borne").all()
    # each order's team coverage is the one its own scorecard shows
    from verkenning.costs import simulate
    from verkenning.explore.analysis import _orders
    from verkenning.fourk import scorecard

    variants = dict(_orders(load_scenario(SCENARIOS / "groeipad.yaml"), 24))
    for order, coverage in zip(table.order, table.coverage_probability, strict=True):
        card = scorecard(simulate(variants[order], rules=()))
        assert coverage == card.value("samenwerking", "coverage_probability")


def test_explore_command_writes_its_tables(tmp_path):
    result = CliRunner().invoke(
        app, ["explore", "scenarios/borne.yaml", "--samples", "500", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    folder = tmp_path / "borne" / "onzekerheid"
    saved = next(folder.iterdir())
    assert result.stdout.strip().splitlines()[-1] == str(saved)
    assert {"samples.csv", "tornado.csv", "sobol.csv", "discovery.json", "exploration.json"} <= {
        p.name for p in saved.iterdir()
    }
    assert "P(win_win)" in result.stdout


# --- the work is estimated and bounded before a sweep starts ---------------------------------------------


def _many_partners(write, count: int) -> str:
    lines = ["extends: basis.yaml", "name: Veel deelnemers", "partners:"]
    for i in range(count):
        lines += [
            f"  - id: org{i}",
            f"    name: Organisatie {i}",
            "    kind: municipality",
            f"    inhabitants: {20_000 + 1_000 * i}",
            f"    fte: {150 + i}",
            f"    workstations: {180 + i}",
            f"    applications: {50 + i}",
            "    services: [basis]",
            "    joins: 2026",
        ]
    return write("\n".join(lines) + "\n")


def test_check_refuses_more_partners_at_once_than_the_model_lists_with_the_line(write):
    from verkenning.errors import ScenarioError

    with pytest.raises(ScenarioError) as refused:
        load_scenario(_many_partners(write, 17))  # 4 today + 17 = 21 in 2026
    assert any("study.yaml:" in str(p) and "21 partners" in str(p) for p in refused.value.problems)
    load_scenario(_many_partners(write, 16))  # 20 is within the limit


def test_the_suggested_sample_count_is_the_largest_within_the_budget(write):
    from verkenning.explore import workload

    for count, samples in ((0, 10_000_000), (10, 400_000), (12, 100_000)):
        scenario = load_scenario(_many_partners(write, count) if count else SCENARIOS / "borne.yaml")
        work = workload(scenario, samples)
        assert work.over_budget(), (count, samples)
        fitting = work.fitting_samples()
        assert not workload(scenario, fitting).over_budget()
        assert workload(scenario, int(fitting * 1.2) + 1000).over_budget()


def test_a_sweep_over_the_budget_is_refused_before_it_starts_and_force_is_named(tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "verkenning", "explore", str(SCENARIOS / "borne.yaml"),
         "--samples", "10000000",
         "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "borne.yaml: explore:" in done.stderr and "GiB of memory" in done.stderr
    assert "--force" in done.stderr and "--samples" in done.stderr
    assert not list(tmp_path.rglob("samples.csv"))


def test_a_sweep_reports_progress_on_standard_error_off_a_terminal(tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "verkenning", "explore", str(SCENARIOS / "basis.yaml"), "--samples", "5000",
         "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("explore: ")]
    from verkenning.explore import workload

    # the samples and the Sobol' design (ten replicates of base × (inputs + 2) runs)
    scenario = load_scenario(SCENARIOS / "basis.yaml")
    runs = workload(scenario, 5000).evaluations
    assert runs > 5000 and lines and lines[-1] == f"explore: {runs:,} of {runs:,} model runs (100%)"
    shares = [int(line.rsplit("(", 1)[1].rstrip("%)")) for line in lines]
    assert len(lines) >= 5 and shares == sorted(set(shares)), "a line as each tenth is passed"


# --- a declared uncertainty means what it says ---------------------------------------------------------


def test_a_declared_uncertainty_replaces_the_default_whole(write):
    """The default absence rate is uniform 0.08–0.16 with its reasoning; a normal declared in its place
    keeps neither its bounds nor its text, so the draws have the declared spread."""
    path = write(
        f"extends: {SCENARIOS / 'borne.yaml'}\nuncertainties:\n"
        "  parameters.absence_rate: {distribution: normal, mean: 0.12, sd: 0.03, low: 0.0, high: 1.0}\n"
    )
    scenario = load_scenario(path)
    spec = scenario.uncertainties["parameters.absence_rate"]
    assert (spec.low, spec.high, spec.assumption) == (0.0, 1.0, "")
    draws = sample(scenario, 4000, seed=2)
    column = draws.values[:, draws.paths.index("parameters.absence_rate")]
    assert column.std() == pytest.approx(0.03, rel=0.05)
    assert column.min() < 0.08 and column.max() > 0.16, "not cut at the default's bounds"


@pytest.mark.parametrize(
    ("path", "declared", "reach"),
    [
        ("partners.borne.workstations", "{distribution: normal, mean: 190, sd: 60}", "[-∞, ∞]"),
        ("services.*.scale_exponent", "{distribution: uniform, low: 0.8, high: 2.5}", "[0.8, 2.5]"),
        ("discount_rate", "{distribution: triangular, low: 0.0, mode: 0.03, high: 0.3}", "[0, 0.3]"),
        ("partners.*.fte", "{distribution: uniform, low: -0.1, high: 1.2, factor: true}", "-"),
    ],
)
def test_check_refuses_a_distribution_that_draws_outside_the_figure_range(write, path, declared, reach):
    from verkenning.errors import ScenarioError

    study = write(f"extends: {SCENARIOS / 'borne.yaml'}\nuncertainties:\n  {path}: {declared}\n")
    with pytest.raises(ScenarioError) as refused:
        load_scenario(study)
    (problem,) = refused.value.problems
    assert problem.line == 3 and f"uncertainties.{path}" in str(problem)
    assert "outside the valid range" in problem.message and reach in problem.message
    truncated = declared.replace("sd: 60}", "sd: 60, low: 0, high: 400}")
    if truncated != declared:  # the scenario may declare the truncation instead
        load_scenario(write(f"extends: {SCENARIOS / 'borne.yaml'}\nuncertainties:\n  {path}: {truncated}\n"))


def test_the_report_prints_the_truncation_of_a_normal():
    from verkenning.report.findings import _distribution_text

    spec = {"distribution": "normal", "mean": 0.12, "sd": 0.03, "low": 0.0, "high": 0.3}
    assert (
        _distribution_text(spec)
        == "normaal, gemiddelde 0,120, sd 0,030, afgekapt: niet onder 0,000 en niet boven 0,300"
    )
    assert "afgekapt" not in _distribution_text({"distribution": "normal", "mean": 1.0, "sd": 0.1})


WP_EXPONENT = """extends: {base}
services:
  - id: WP
    scale_exponent: {{value: 0.95, assumption: "volume discount on devices"}}
"""


@pytest.mark.parametrize("name", ["borne", "groeipad", "haaksbergen-im"])
def test_the_central_case_of_every_sweep_is_the_deterministic_model(write, name):
    """With the defaults' `services.*.scale_exponent` and the README's WP exponent of 0.95, the
    tornado's centre (every input at the scenario's value) is the study's own NPV."""
    scenario = load_scenario(write(WP_EXPONENT.format(base=SCENARIOS / f"{name}.yaml")))
    assert "services.*.scale_exponent" in active(scenario)
    draws = sample(scenario, 8, seed=0)
    table = tornado(scenario, draws.paths, draws.specs, [main_outcome(scenario)])
    result = simulate(scenario)
    partner = main_outcome(scenario).subject
    expected = result.npv_eur["key"][result.rates[0]][result.partners.index(partner)]
    assert table["base"].iloc[0] == pytest.approx(expected, abs=0.5)  # cents rounded per year


def test_a_star_draw_keeps_what_differs_between_items_and_each_draws_them_apart(write):
    from verkenning.costs import cost_model, with_draws

    scenario = load_scenario(write(WP_EXPONENT.format(base=SCENARIOS / "borne.yaml")))
    model = cost_model(scenario)
    services = model.services
    wp, net = services.index("WP"), services.index("NET")
    spec = scenario.uncertainties["services.*.scale_exponent"]
    drawn = with_draws(
        model.inputs, scenario, services, ("services.*.scale_exponent",), (spec,), np.array([[1.04]])
    )
    mean = np.mean([float(s.scale_exponent) for s in scenario.services])
    assert drawn.exponent[0, wp] == pytest.approx(0.95 * 1.04 / mean)
    assert drawn.exponent[0, net] == pytest.approx(1.0 * 1.04 / mean)
    each = load_scenario(
        write(
            WP_EXPONENT.format(base=SCENARIOS / "borne.yaml")
            + "uncertainties:\n  services.*.scale_exponent: "
            "{distribution: triangular, low: 0.85, mode: 1.0, high: 1.05, each: true}\n"
        )
    )
    paths = [p for p in active(each) if p.endswith("scale_exponent")]
    assert paths == sorted(f"services.{s.id}.scale_exponent" for s in each.services)
    draws = sample(each, 500, seed=1)
    columns = draws.values[:, [draws.paths.index(p) for p in paths]]
    assert abs(np.corrcoef(columns[:, 0], columns[:, 1])[0, 1]) < 0.15, "independent per item"


def test_each_without_a_star_is_refused(write):
    from verkenning.errors import ScenarioError

    with pytest.raises(ScenarioError, match="each: true"):
        load_scenario(
            write(
                f"extends: {SCENARIOS / 'borne.yaml'}\nuncertainties:\n  services.WP.scale_exponent: "
                "{distribution: uniform, low: 0.9, high: 1.0, each: true}\n"
            )
        )


LEAVER = """extends: {base}
partners:
  - id: oldenzaal
    leaves: 2029
"""


@pytest.mark.parametrize("name", ["borne", "groeipad", "leaver"])
def test_the_parameters_said_to_feed_no_outcome_are_exactly_those_that_do_not(write, name):
    """Each numeric parameter at its own value and at a different one: a sweep outcome moves for every
    parameter except those `silent_parameters` names, whose uncertainties check refuses."""
    from verkenning.scenario.checks import silent_parameters, valid_range
    from verkenning.scenario.schema import Parameters

    if name == "leaver":
        scenario = load_scenario(write(LEAVER.format(base=SCENARIOS / "borne.yaml")))
    else:
        scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    silent = set()
    for name, field in Parameters.model_fields.items():
        if "Figure" not in str(field.annotation):
            continue
        path = f"parameters.{name}"
        own = float(getattr(scenario.parameters, name))
        _low, high, _open = valid_range(path)
        other = own * 1.5 + 0.01 if high is None else min(own * 1.5 + 0.01, high)
        spec = Uncertainty(distribution="uniform", low=min(own, other), high=max(own, other))
        out = evaluate(plan(scenario, (path,), (spec,)), np.array([[own], [other]]))
        if all(np.array_equal(values[:1], values[1:], equal_nan=True) for values in out.values()):
            silent.add(name)
    assert silent == set(silent_parameters(scenario))


def test_an_uncertainty_on_a_figure_that_feeds_nothing_is_refused(write):
    from verkenning.errors import ScenarioError

    path = write(
        f"extends: {SCENARIOS / 'borne.yaml'}\nuncertainties:\n"
        "  parameters.risk_reserve_share: {distribution: uniform, low: 0.01, high: 0.05}\n"
    )
    with pytest.raises(
        ScenarioError, match="feeds no outcome of the sweep: only the verdict on shared risks"
    ):
        load_scenario(path)


# --- correlated inputs (Iman and Conover 1982) ---------------------------------------------------------


def test_rank_correlation_is_induced_and_every_marginal_and_stratum_kept():
    from scipy.stats import qmc

    from verkenning.explore.sampling import rank_correlated

    rng = np.random.default_rng(3)
    n = 4000
    unit = qmc.LatinHypercube(d=4, rng=rng).random(n)
    target = np.array([[1, 0.8, 0, 0], [0.8, 1, -0.5, 0], [0, -0.5, 1, 0], [0, 0, 0, 1]])
    out = rank_correlated(unit, target, rng)
    spearman = stats.spearmanr(out).statistic
    np.testing.assert_allclose(spearman, target, atol=0.04)
    for j in range(4):
        np.testing.assert_array_equal(np.sort(out[:, j]), np.sort(unit[:, j]))  # the same values
        assert sorted(np.floor(out[:, j] * n).astype(int)) == list(range(n)), "one sample per stratum"
    np.testing.assert_array_equal(out[:, 3], unit[:, 3])  # an uncorrelated column keeps its order
    assert rank_correlated(unit, np.eye(4), rng) is unit, "nothing declared, nothing drawn"


def test_the_defaults_tie_the_growth_rates_so_the_cooperation_rarely_grows_faster():
    scenario = load_scenario(SCENARIOS / "borne.yaml")
    draws = sample(scenario, 20_000, seed=0)
    alone = draws.values[:, draws.paths.index("parameters.cost_growth_standalone")]
    together = draws.values[:, draws.paths.index("parameters.cost_growth_cooperation")]
    assert stats.spearmanr(alone, together).statistic == pytest.approx(0.9, abs=0.03)
    assert (together > alone).mean() < 0.08  # independent draws: 21%


def test_the_semidefinite_check_agrees_with_the_eigenvalues():
    # the reference: numpy's symmetric eigenvalues, the refusal rule being min eigenvalue < -1e-9
    from verkenning.scenario.checks import semidefinite

    rng = np.random.default_rng(3)
    verdicts = []
    for _ in range(400):
        d = int(rng.integers(1, 9))
        matrix = np.eye(d)
        for i, j in zip(*np.triu_indices(d, 1), strict=True):
            matrix[i, j] = matrix[j, i] = rng.choice([0.0, rng.uniform(-0.95, 0.95)])
        expected = np.linalg.eigvalsh(matrix).min() >= -1e-9
        assert semidefinite(matrix.tolist()) == expected
        verdicts.append(expected)
    assert 0.1 < np.mean(verdicts) < 0.9, "both outcomes occur"
    singular = [[1.0, 1.0], [1.0, 1.0]]  # eigenvalues 0 and 2: on the boundary, allowed
    assert semidefinite(singular) and not semidefinite([[1.0, 1.0 + 1e-6], [1.0 + 1e-6, 1.0]])


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            "  parameters.cost_growth_standalone ~ parameters.transition_team_months:"
            " {rank: 0.9, assumption: x}\n"
            "  parameters.cost_growth_cooperation ~ parameters.transition_team_months:"
            " {rank: -0.9, assumption: x}\n",
            "cannot hold together",
        ),
        (
            "  parameters.typo ~ discount_rate: {rank: 0.2, assumption: x}\n",
            "'parameters.typo' names no figure",
        ),
        (
            "  discount_rate ~ parameters.absence_rate: {rank: 0.2}\n",
            "needs its `source` or its `assumption`",
        ),
        ("  discount_rate: {rank: 0.2, assumption: x}\n", "is not a pair of two figures"),
    ],
)
def test_check_refuses_correlations_that_cannot_be(write, block, message):
    from verkenning.errors import ScenarioError

    path = write(f"extends: {SCENARIOS / 'borne.yaml'}\ncorrelations:\n{block}")
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path)
    assert any(message in str(p) and "study.yaml:" in str(p) for p in refused.value.problems), refused.value


# --- calibrated intervals and margins ------------------------------------------------------------------


def _ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def _ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Analytic Sobol' indices of the Ishigami function on U(−π, π)³ (Ishigami and Homma 1990;
    Saltelli et al. 2008, Global Sensitivity Analysis: The Primer, §4.6): V1 = ½(1 + bπ⁴/5)²,
    V2 = a²/8, V3 = 0, V13 = b²π⁸(1/18 − 1/50), V = V1 + V2 + V13."""
    v1, v2, v13 = 0.5 * (1 + b * np.pi**4 / 5) ** 2, a**2 / 8, b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def test_sobol_intervals_cover_the_analytic_indices_about_95_percent_of_the_time():
    from verkenning.explore.analysis import sobol_indices

    first, total = _ishigami_indices()
    spec = Uncertainty(distribution="uniform", low=-np.pi, high=np.pi)
    covered, estimates, halves = [], [], []
    for seed in range(60):
        found = sobol_indices(_ishigami, [spec] * 3, 256, np.random.default_rng(seed))
        covered.append(
            np.concatenate(
                [
                    (found.first_low <= first) & (first <= found.first_high),
                    (found.total_low <= total) & (total <= found.total_high),
                ]
            )
        )
        estimates.append(np.concatenate([found.first, found.total]))
        halves.append(np.concatenate([found.first_high - found.first, found.total_high - found.total]))
    coverage = np.mean(covered, axis=0)
    assert 0.90 <= coverage.mean() <= 0.99 and coverage.min() >= 0.83, coverage
    np.testing.assert_allclose(np.mean(estimates, axis=0), np.concatenate([first, total]), atol=0.01)
    # the interval is as wide as the estimator really spreads (95% ≈ 1.96 sd), not several times that
    ratio = np.mean(halves, axis=0) / 1.96 / np.std(estimates, axis=0)
    assert ((ratio > 0.7) & (ratio < 1.6)).all(), ratio


def test_a_probabilitys_standard_error_is_the_spread_of_the_estimate_under_the_hypercube():
    from verkenning.explore.sampling import hypercube

    estimates, errors = [], []
    for seed in range(200):
        unit = hypercube(2, 1000, np.random.default_rng(seed))
        chance = probabilities({Outcome("win_win"): unit[:, 0] + unit[:, 1] > 1})[Outcome("win_win")]
        estimates.append(chance.probability)
        errors.append(chance.standard_error)
    spread = np.std(estimates)
    assert 0.75 < np.mean(errors) / spread < 1.3
    assert np.sqrt(0.25 / 1000) / spread > 1.4, "the binomial error overstates it under a hypercube"


def test_the_recommended_sample_count_reaches_the_one_point_margin():
    from verkenning.explore.sampling import hypercube

    def chance(n: int, seed: int):
        unit = hypercube(2, n, np.random.default_rng(seed))
        return probabilities({Outcome("win_win"): unit[:, 0] * unit[:, 1] > 0.3})[Outcome("win_win")]

    needed = [chance(1000, seed).samples_for(1000) for seed in range(5)]
    assert all(n and n > 1000 for n in needed), "1,000 samples leave more than a 1-point margin"
    recommended = int(np.median(needed))
    margins = [chance(recommended, seed).margin for seed in range(20)]
    assert np.mean(margins) <= 0.0105, (recommended, np.mean(margins))
    assert chance(recommended, 0).samples_for(recommended) in (None, recommended + 1000, recommended + 2000)


def test_convergence_runs_replicate_by_replicate_to_the_sweeps_estimates():
    scenario = load_scenario(SCENARIOS / "borne.yaml")
    result = explore(scenario, samples=1000, seed=4, sobol_base=8)
    frame = result.convergence
    win = frame[frame.quantity == "P(win_win)"]
    assert list(win.replicates) == list(range(2, 11)) and win.samples.is_monotonic_increasing
    assert win.estimate.iloc[-1] == pytest.approx(result.probabilities[Outcome("win_win")].probability)
    assert ((win.low <= win.estimate) & (win.estimate <= win.high)).all()
    top = result.sobol.iloc[0]
    index = frame[frame.quantity == f"ST({top.path})"]
    assert index.estimate.iloc[-1] == pytest.approx(top.total_order)
    assert index.low.iloc[-1] == pytest.approx(top.total_order_low)
    first = frame[frame.quantity == f"S({top.path})"]
    assert first.estimate.iloc[-1] == pytest.approx(top.first_order)
    assert first.high.iloc[-1] == pytest.approx(top.first_order_high)


# --- scenario discovery by PRIM -----------------------------------------------------------------------


def test_prim_reports_a_box_on_its_tradeoff_and_the_tradeoff_is_a_front():
    rng = np.random.default_rng(11)
    inputs = pd.DataFrame(rng.random((5000, 3)), columns=["exponent", "share", "noise"])
    # failures above a threshold on one input, blurred: no box can be both complete and pure
    failed = rng.random(5000) < 1 / (1 + np.exp(-(inputs.exponent - 0.6) * 40))
    finding = discover(inputs, failed.to_numpy())
    assert [name for name, _, _ in finding.conditions] == ["exponent"]
    (_, op, threshold), *_ = finding.conditions
    assert op == ">" and threshold == pytest.approx(0.6, abs=0.06)
    coverage = [c for c, _, _ in finding.tradeoff]
    density = [d for _, d, _ in finding.tradeoff]
    assert coverage == sorted(coverage, reverse=True) and density == sorted(density)
    assert any(
        abs(c - finding.coverage) < 1e-3 and abs(d - finding.density) < 1e-3 for c, d, _ in finding.tradeoff
    )
    assert finding.coverage > 0.85 and finding.density > 0.85


def _reference_peel(x: np.ndarray, failed: np.ndarray, peel: float, support: float):
    """PRIM's peeling as Friedman and Fisher (1999, §2) describe it, on the whole sample each step:
    the box is a mask over all samples; each candidate cuts the ``peel`` quantile of the samples in
    the box off one end of one input; the candidate with the highest density inside is taken, and
    that end of the box moves to the least (or largest) value left inside."""
    n, failures = len(failed), int(failed.sum())
    inside = np.ones(n, dtype=bool)
    lows, highs = x.min(axis=0), x.max(axis=0)
    boxes = [(lows.copy(), highs.copy(), 1.0, failures / n)]
    while inside.sum() > max(support * n, 10):
        best = None
        for j in range(x.shape[1]):
            for side, q in (("low", peel), ("high", 1 - peel)):
                cut = np.quantile(x[inside, j], q)
                candidate = inside & (x[:, j] >= cut if side == "low" else x[:, j] <= cut)
                if 0 < candidate.sum() < inside.sum():
                    density = failed[candidate].mean()
                    if best is None or density > best[0] + 1e-12:
                        best = (density, j, side, candidate)
        if best is None:
            break
        _, j, side, inside = best
        if side == "low":
            lows[j] = x[inside, j].min()
        else:
            highs[j] = x[inside, j].max()
        caught = int(failed[inside].sum())
        boxes.append((lows.copy(), highs.copy(), caught / failures, caught / int(inside.sum())))
    return boxes


@pytest.mark.parametrize("seed", [3, 4])
def test_prim_peels_as_the_whole_sample_reference_does(seed):
    from verkenning.explore.analysis import MIN_SUPPORT, PEEL, _peel

    rng = np.random.default_rng(seed)
    x = rng.random((3000, 4))
    x[:, 3] = np.round(x[:, 3] * 5)  # ties: a cut may remove more than the peeling share
    failed = (x[:, 0] > 0.6) & (rng.random(3000) < 0.8) | (rng.random(3000) < 0.1)
    ours, reference = _peel(x, failed), _reference_peel(x, failed, PEEL, MIN_SUPPORT)
    assert len(ours) == len(reference) > 20
    for (lows, highs, coverage, density), (ref_lows, ref_highs, ref_coverage, ref_density) in zip(
        ours, reference, strict=True
    ):
        assert np.array_equal(lows, ref_lows) and np.array_equal(highs, ref_highs)
        assert (coverage, density) == (ref_coverage, ref_density)


def test_thresholds_and_shares_are_printed_distinctly():
    from verkenning.report.labels import _threshold, share

    spec = Uncertainty(distribution="triangular", low=0.85, mode=1.0, high=1.05)
    assert _threshold("services.*.scale_exponent", spec, 1.0024) == "1,002"
    assert _threshold("services.*.scale_exponent", spec, 0.9983) == "0,9983"
    assert share(0.996) == "99,6%" and share(0.92) == "92%" and share(1.0) == "100%"


def test_the_sentence_says_where_the_scenario_itself_lies():
    from verkenning.explore.analysis import Discovery

    spec = Uncertainty(distribution="triangular", low=0.85, mode=1.0, high=1.05, label="de schaalexponent")
    box = Discovery((("services.*.scale_exponent", ">", 0.9954),), 0.92, 0.95, 600, 1000)
    specs = {"services.*.scale_exponent": spec}
    inside = discovery_sentence(box, specs, own={"services.*.scale_exponent": 1.0})
    assert "Het scenario zelf, met zijn eigen waarden, ligt in dit gebied." in inside
    near = discovery_sentence(box, specs, own={"services.*.scale_exponent": 0.99})
    assert "vlak bij die grens: de schaalexponent (0,9900)" in near
    far = discovery_sentence(box, specs, own={"services.*.scale_exponent": 0.9})
    assert "scenario" not in far


# --- choices: robustness and the value of information ----------------------------------------------


def test_the_value_of_information_matches_the_closed_form_of_a_normal_choice():
    """Choose between V = X + Y and 0 with X, Y ~ N(0, 1) independent. E[max(Z, 0)] = σ/√(2π) for
    Z ~ N(0, σ²), so EVPI = √2/√(2π) ≈ 0.564 and EVPPI(X) = E[max(X, 0)] = 1/√(2π) ≈ 0.399;
    knowing an input the value does not depend on is worth nothing."""
    from verkenning.explore.choices import Choices, evppi

    rng = np.random.default_rng(8)
    x, y, unrelated = rng.standard_normal((3, 40_000))
    npv = np.stack([(x + y)[:, None], np.zeros((40_000, 1))])
    found = Choices(("a",), (("key", "entrant"), ("not_admitted", "")), npv, np.array([True]))
    assert found.evpi() == pytest.approx(np.sqrt(2) / np.sqrt(2 * np.pi), abs=0.01)
    assert evppi(found, x) == pytest.approx(1 / np.sqrt(2 * np.pi), abs=0.01)
    assert evppi(found, np.column_stack([x, y])) == pytest.approx(found.evpi(), abs=0.01)
    assert evppi(found, unrelated) < 0.01


def test_every_choice_is_judged_on_the_sweeps_own_samples():
    from verkenning.explore.choices import NOT_ADMITTED, choices

    scenario = load_scenario(SCENARIOS / "borne.yaml")
    draws = sample(scenario, 500, seed=6)
    found = choices(scenario, draws)
    out = evaluate(plan(scenario, draws.paths, draws.specs), draws.values)
    own = found.options.index(("key", scenario.parameters.transition_cost_bearer))
    for i, partner in enumerate(found.partners):  # the scenario's own choice is the sweep's NPV
        np.testing.assert_allclose(
            found.npv[own, :, i], out[Outcome("npv_eur", partner)], rtol=1e-9, atol=1e-6
        )
    table = found.robustness()
    assert set(zip(table.key, table.bearer, strict=True)) == set(found.options)
    stay = table[table.key == NOT_ADMITTED[0]].iloc[0]
    assert stay.no_loss == 1.0
    losses = table[[c for c in table.columns if c.startswith("loss_")]]
    assert (table.no_loss <= 1 - losses.max(axis=1) + 1e-12).all()
    assert (table.regret_mean_eur >= 0).all() and (table.regret_p95_eur >= 0).all()


def test_a_star_draw_is_checked_on_the_values_it_moves_every_item_to(write):
    """WP at 0.95 among exponents of 1.0: a typical exponent drawn up to 2.0 moves the others above 2."""
    from verkenning.errors import ScenarioError

    study = (
        WP_EXPONENT.format(base=SCENARIOS / "borne.yaml") + "uncertainties:\n  services.*.scale_exponent: "
    )
    with pytest.raises(ScenarioError, match=r"values in \[0.85\d*, 2.006"):
        load_scenario(write(study + "{distribution: uniform, low: 0.9, high: 2.0}\n"))
    load_scenario(write(study + "{distribution: uniform, low: 0.9, high: 1.9}\n"))


def test_an_incumbent_left_untouched_is_not_worse_off_and_no_entrant_means_no_entrant_outcome():
    # haaksbergen-im: Haaksbergen adds information management; Oldenzaal and SWB are untouched (NPV 0),
    # which is "not worse off", not a failure of "no incumbent worse off"
    scenario = load_scenario(SCENARIOS / "haaksbergen-im.yaml")
    draws = sample(scenario, 400, seed=3)
    out = evaluate(plan(scenario, draws.paths, draws.specs), draws.values)
    assert Outcome("entrant_gains") not in out, "nobody joins"
    untouched = [p for p in ("oldenzaal", "swb") if np.all(out[Outcome("npv_eur", p)] == 0)]
    assert untouched, "some incumbent is untouched by Haaksbergen's information management"
    npvs = np.column_stack([out[Outcome("npv_eur", p.id)] for p in scenario.partners])
    by_hand = (npvs >= -1e-6).all(axis=1)
    np.testing.assert_array_equal(out[Outcome("incumbents_gain")], by_hand)
    assert by_hand.mean() > 0, "the outcome can hold"


def test_the_sweep_carries_an_entry_fee_as_the_study_does(write):
    text = (
        (SCENARIOS / "borne.yaml")
        .read_text(encoding="utf-8")
        .replace("    joins: 2026", "    joins: 2026\n    entry_fee_eur: 250000")
    )
    scenario = load_scenario(write(text))
    assert scenario.partner("borne").entry_fee_eur == 250_000
    out = evaluate(plan(scenario, (), ()), np.zeros((1, 0)))
    result = simulate(scenario)
    npv = np.array([out[Outcome("npv_eur", p)][0] for p in result.partners])
    np.testing.assert_allclose(npv, result.npv_eur["key"][result.rates[0]], atol=0.5)
    without = simulate(load_scenario(SCENARIOS / "borne.yaml"))
    borne = result.partners.index("borne")
    assert result.npv_eur["key"][result.rates[0]][borne] < without.npv_eur["key"][without.rates[0]][borne]


def test_sensitivity_of_several_outcomes_is_each_outcomes_own_on_one_design():
    """Win-win and every NPV share one Sobol' design: each column's indices are what the outcome
    alone gives on that design, and the fast win-win (the key's core check only) is the sweep's."""
    from verkenning.explore import sensitivity_outcomes, sobol
    from verkenning.explore.analysis import outcome_columns
    from verkenning.explore.vector import evaluate, plan, win_win

    scenario = load_scenario(SCENARIOS / "borne.yaml")
    draws = sample(scenario, 64, seed=3)
    p = plan(scenario, draws.paths, draws.specs)
    flags, npvs = win_win(p, draws.values)
    full = evaluate(p, draws.values)
    np.testing.assert_array_equal(flags, full[Outcome("win_win")])
    np.testing.assert_allclose(npvs[:, 0], full[Outcome("npv_eur", scenario.partners[0].id)])
    wanted = sensitivity_outcomes(scenario)
    assert wanted[0] == Outcome("win_win") and wanted[1] == Outcome("npv_eur", scenario.centre)
    together, _ = sobol(scenario, draws.paths, draws.specs, wanted, base=8, seed=1)
    for outcome in (wanted[0], wanted[-1]):
        alone, _ = sobol(scenario, draws.paths, draws.specs, [outcome], base=8, seed=1)
        part = together[together.outcome == outcome.column].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, alone)
    assert outcome_columns(p, draws.values[:4], wanted).shape == (4, len(wanted))


def _blas_threads(_: int = 0) -> int:
    from threadpoolctl import threadpool_info

    return max((pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"), default=1)


def test_local_workers_and_this_process_run_blas_on_one_thread_while_the_pool_works():
    """Two workers each running BLAS on every core, beside this process, were 1.3x slower (sweep.py)."""
    from verkenning.explore.sweep import _Backend

    before = _blas_threads()
    with _Backend(2, None) as backend:
        pending = backend.submit(_blas_threads, [(i,) for i in range(4)])
        assert [item.result() for item in pending] == [1, 1, 1, 1]
        assert _blas_threads() == 1
    assert _blas_threads() == before, "the limit is lifted when the pool is done"
    # a chunk limits itself (on a dask worker too), and leaves the worker's own limit as it was
    from verkenning.explore.sweep import _on_one_blas_thread

    assert _on_one_blas_thread(_blas_threads, 0) == 1 and _blas_threads() == before


def _die(_: int = 0) -> None:
    os._exit(1)


def test_a_chunk_submitted_after_a_worker_stopped_ends_in_the_message_not_a_traceback():
    """The Sobol' design is queued while the samples run: a worker killed before that fails the submit."""
    from concurrent.futures.process import BrokenProcessPool

    from verkenning.errors import Failed
    from verkenning.explore.sweep import _Backend

    with pytest.raises(Failed, match="a worker process stopped"), _Backend(2, None) as backend:
        with pytest.raises(BrokenProcessPool):
            backend.submit(_die, [(0,)])[0].result()
        backend.submit(_blas_threads, [(0,)])
