"""The command line as a user meets it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from verkenning.cli import app
from verkenning.errors import VerkenningError
from verkenning.scenario import load_scenario

from .conftest import INVALID, ROOT, SCENARIOS, SHIPPED

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
    missing = runner.invoke(app, ["new", str(target), "--entrant", "hof_van_twente"])
    assert missing.exit_code == 2 and "create it first" in missing.stderr, "a missing folder is not made"
    target.parent.mkdir()
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


# --- allocate ---------------------------------------------------------------------------------------

AIRPORT = {
    "players": ["a", "b", "c"],
    "kind": "cost",
    "values": {"a": 1, "b": 2, "c": 3, "a+b": 2, "a+c": 3, "b+c": 3, "a+b+c": 3},
    "weights": {"inwoners": {"a": 1, "b": 1, "c": 2}},
}


def _game_file(tmp_path, content, name="game.json"):
    import json

    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def test_allocate_json_has_the_documented_shape(tmp_path):
    import json

    result = runner.invoke(app, ["allocate", str(_game_file(tmp_path, AIRPORT)), "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["players"] == ["a", "b", "c"]
    assert set(out["allocations"]) >= {"shapley", "nucleolus", "tau", "scrb", "proportional:inwoners"}
    for shares in out["allocations"].values():
        assert sum(shares.values()) == pytest.approx(3.0)
    assert out["core"] == {"empty": False, "least_core_epsilon": pytest.approx(-0.5)}
    assert out["properties"]["subadditive"] is True and out["skipped"] == {}
    assert out["allocations"]["nucleolus"] == pytest.approx({"a": 0.5, "b": 0.75, "c": 1.75})


def test_allocate_reads_csv_and_skips_what_it_cannot_compute(tmp_path):
    import json

    csv = (
        "# kind: cost\ncoalition,value\na,1\nb,1\nc,1\nd,1\na+b+c,2\na+b+d,2\na+c+d,2\nb+c+d,2\na+b+c+d,2.5\n"
    )
    result = runner.invoke(app, ["allocate", str(_game_file(tmp_path, csv, "g.csv")), "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["allocations"]["scrb"] == pytest.approx(dict.fromkeys("abcd", 0.625))
    assert "a+b" in out["skipped"]["shapley"] and "nucleolus" in out["skipped"]


def test_allocate_table_shows_the_core_and_fee_range(tmp_path):
    result = runner.invoke(app, ["allocate", str(_game_file(tmp_path, AIRPORT)), "--fee-range", "c"])
    assert result.exit_code == 0
    assert "core: non-empty" in result.stdout and "fee range c: 1.00 – 3.00" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"players": ["a", "b"], "kind": "cost", "values": {"a+z": 1}}, "unknown player 'z'"),
        ({"players": ["a", "b"], "kind": "cost", "values": {"a+b": 1, "b+a": 2}}, "given twice"),
        ({"players": ["a", "b"], "kind": "cost", "values": {"a": "x"}}, "must be a number"),
        ({"players": ["a"], "kind": "cost", "values": {}, "colour": 1}, "unknown key 'colour'"),
        ("{not json", "not valid JSON"),
    ],
)
def test_allocate_bad_game_exits_2_with_one_line(tmp_path, content, message):
    result = runner.invoke(app, ["allocate", str(_game_file(tmp_path, content))])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "big.json",
            '{"players": ["a"], "kind": "cost", "values": {"a": 1' + "0" * 400 + "}}",
            "too large for a number",
        ),
        (
            "huge.json",
            '{"players": ["a"], "kind": "cost", "values": {"a": 1' + "0" * 5000 + "}}",
            "thousands of digits",
        ),
        ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        (
            "weights.json",
            {"players": ["a"], "kind": "cost", "values": {"a": 1}, "weights": {"k": {"a": "veel"}}},
            "weights 'k', player 'a': must be a number",
        ),
        (
            "wide.csv",
            "# kind: cost\ncoalition,value\na," + "1" * 200_000 + "\n",
            "wide.csv:3: not a usable CSV row",
        ),
    ],
)
def test_allocate_hostile_game_files_are_located_bad_input(tmp_path, name, content, message):
    result = runner.invoke(app, ["allocate", str(_game_file(tmp_path, content, name))])
    assert result.exit_code == 2, result.output
    assert message in result.stderr and name in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_allocate_reads_a_csv_saved_by_excel_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("coalition,value\r\na,1\r\nb,1\r\na+b,1.5\r\n", encoding="utf-8-sig")
    result = runner.invoke(app, ["allocate", str(path), "-m", "shapley", "--kind", "cost"])
    assert result.exit_code == 0, result.stderr
    assert "0.75" in result.stdout


def test_allocate_json_is_strict_even_when_a_value_is_missing(tmp_path):
    import json

    game = {
        "players": ["a", "b"],
        "kind": "cost",
        "values": {"b": 1, "a+b": 2},
    }  # a's stand-alone cost is not given
    result = runner.invoke(app, ["allocate", str(_game_file(tmp_path, game)), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout

    def refuse(constant):
        raise AssertionError(f"{constant} in the JSON")

    out = json.loads(result.stdout, parse_constant=refuse)
    assert out["standalone"]["a"] is None and out["standalone"]["b"] == 1.0


@pytest.mark.parametrize("kind", ["device", "fifo", "folder", "loop"])
def test_inputs_that_are_not_regular_files_are_refused_without_reading(tmp_path, kind):
    path = tmp_path / "input.json"
    if kind == "device":
        path = Path("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        path.symlink_to(tmp_path / "other.json")
        (tmp_path / "other.json").symlink_to(path)
    expected = "a loop of symbolic links" if kind == "loop" else "not a regular file"
    for command in (["check", str(path)], ["allocate", str(path)], ["costs", str(path)]):
        done = subprocess.run(
            [sys.executable, "-m", "verkenning", *command], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 2, (command, done.stderr)
        assert expected in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_extends_naming_a_pipe_or_folder_says_what_it_is(tmp_path, kind):
    target = tmp_path / "base.yaml"
    os.mkfifo(target) if kind == "fifo" else target.mkdir()
    study = tmp_path / "study.yaml"
    study.write_text("extends: base.yaml\nname: x\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(study)])
    assert result.exit_code == 2
    assert "study.yaml:1:10: extends: not a regular file" in result.stderr


def test_allocate_unknown_method_is_bad_input(tmp_path):
    result = runner.invoke(app, ["allocate", str(_game_file(tmp_path, AIRPORT)), "-m", "banzhaf"])
    assert result.exit_code == 2 and "unknown method 'banzhaf'" in result.stderr


@pytest.mark.parametrize(
    ("arguments", "option"),
    [
        (["explore", "scenarios/borne.yaml", "--seed", "-1"], "--seed"),
        (["explore", "scenarios/borne.yaml", "--workers", "0"], "--workers"),
        (["explore", "scenarios/borne.yaml", "--samples", "1"], "--samples"),
        (["run", "scenarios/borne.yaml", "--seed", "-1"], "--seed"),
        (["allocate", "x.json", "--seed", "-3"], "--seed"),
    ],
)
def test_options_are_checked_before_any_work(arguments, option, tmp_path):
    result = CliRunner().invoke(
        app, [*arguments, "--out", str(tmp_path)] if arguments[0] != "allocate" else arguments
    )
    assert result.exit_code == 2 and option in result.output
    assert "Traceback" not in result.output and not list(tmp_path.iterdir()), "nothing was started"


# --- output targets are checked before anything is computed -------------------------------------------


def _refused(arguments: list[str], expected: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "verkenning", *arguments], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, (arguments, done.stdout, done.stderr)
    assert expected in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_output_targets_that_cannot_be_written_are_refused_before_computing(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    typo = tmp_path / "typo" / "dir"
    _refused(["run", "scenarios/basis.yaml", "--out", str(a_file)], "--out is a file")
    _refused(["run", "scenarios/basis.yaml", "--out", str(typo)], "does not exist")
    _refused(["costs", "scenarios/basis.yaml", "--xlsx", str(folder)], "--xlsx is a folder")
    _refused(["costs", "scenarios/basis.yaml", "--xlsx", str(typo / "x.xlsx")], "create it first")
    _refused(["new", str(folder), "--entrant", "borne"], "FILE is a folder")
    _refused(["baseline", "template", str(folder), "--partner", "borne"], "FILE is a folder")
    # a sweep of ten million samples would run for many minutes: refused at once, it never starts
    _refused(
        ["explore", "scenarios/borne.yaml", "--samples", "10000000", "--out", str(a_file)], "--out is a file"
    )
    assert not (tmp_path / "typo").exists(), "a mistyped folder is not created"


def test_the_run_machinery_loads_without_the_study_pandas_or_matplotlib(tmp_path):
    """`verkenning run` executes the study in the notebook's kernel; its own process need not load it,
    neither on import nor while it runs one (the kernel's part replaced here by copying the notebook)."""
    probe = (
        "import shutil, sys\n"
        "import papermill\n"
        "from verkenning.report import run_study, build_index, slug\n"
        "heavy = ('pandas', 'matplotlib', 'verkenning.study', 'verkenning.costs')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "papermill.execute_notebook = lambda source, target, **_: shutil.copyfile(source, target)\n"
        f"run_study(['scenarios/borne.yaml'], out={str(tmp_path)!r}, samples=1000)\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]", "[]"]
    assert (next(tmp_path.glob("borne/*/report.html"))).is_file()


# --- allocate speaks the field's conventions ------------------------------------------------------------


def test_a_game_without_its_kind_is_refused_with_what_each_kind_means(tmp_path):
    bare = {"players": ["a", "b"], "values": {"a": 1, "b": 1, "a+b": 3}}
    result = runner.invoke(app, ["allocate", str(_game_file(tmp_path, bare))])
    assert result.exit_code == 2
    assert '"kind": "cost"' in result.stderr and "earns" in result.stderr and "pays" in result.stderr
    # peers read a bare vector as a value game: with --kind value it is superadditive, core non-empty
    result = runner.invoke(app, ["allocate", str(_game_file(tmp_path, bare)), "--kind", "value"])
    assert result.exit_code == 0, result.stderr
    assert "core: non-empty" in result.stdout and "a share is what a player gets" in result.stdout
    conflict = runner.invoke(app, ["allocate", str(_game_file(tmp_path, AIRPORT)), "--kind", "value"])
    assert conflict.exit_code == 2 and "the file says kind 'cost' and --kind says 'value'" in conflict.stderr


@pytest.mark.parametrize(
    ("head", "option", "exit_code"), [("# kind: value\n", [], 0), ("", ["--kind", "value"], 0), ("", [], 2)]
)
def test_a_csv_game_states_its_kind_in_a_first_line_or_by_option(tmp_path, head, option, exit_code):
    import json

    path = _game_file(tmp_path, head + "coalition,value\na,1\nb,1\na+b,3\n", "g.csv")
    result = runner.invoke(app, ["allocate", str(path), "--format", "json", *option])
    assert result.exit_code == exit_code, result.output
    if exit_code == 0:
        out = json.loads(result.stdout)
        assert out["kind"] == "value" and out["core"]["empty"] is False
        assert out["allocations"]["shapley"] == {"a": 1.5, "b": 1.5}
    else:
        assert "# kind: cost" in result.stderr and "--kind" in result.stderr


def test_a_value_game_speaks_of_worths_when_the_nucleolus_cannot_run(tmp_path):
    import json

    # v(a) + v(b) = 4 > v(N) = 3: no imputation exists; the message must say so in a value game's words
    game = {"players": ["a", "b"], "kind": "value", "values": {"a": 2, "b": 2, "a+b": 3}}
    result = runner.invoke(app, ["allocate", str(_game_file(tmp_path, game)), "--format", "json"])
    out = json.loads(result.stdout)
    assert "worths on their own add up to more" in out["skipped"]["nucleolus"]
    cost = {**game, "kind": "cost", "values": {"a": 1, "b": 1, "a+b": 3}}
    out = json.loads(
        runner.invoke(app, ["allocate", str(_game_file(tmp_path, cost)), "--format", "json"]).stdout
    )
    assert "own costs add up to less" in out["skipped"]["nucleolus"]


def test_the_least_core_point_is_its_centre_not_a_solver_corner(tmp_path):
    import json

    from verkenning.games import game_from_mapping, least_core, prenucleolus

    # a cost game whose least core is a segment: ε = −1 holds for every x_a in [1, 2] (worked by hand:
    # x_a ≤ c(a) − 1 = 2 and x_b + x_c ≤ c(bc) − 1 = 3 with x_b, x_c ≤ 2, x(N) = 4.5 …)
    values = {"a": 3, "b": 3, "c": 3, "a+b": 4, "a+c": 4, "b+c": 4, "a+b+c": 4.5}
    game = {"players": ["a", "b", "c"], "kind": "cost", "values": values}
    path = _game_file(tmp_path, game)
    out = json.loads(
        runner.invoke(app, ["allocate", str(path), "-m", "least_core", "--format", "json"]).stdout
    )
    centre = prenucleolus(game_from_mapping(["a", "b", "c"], values)).as_dict()
    assert out["allocations"]["least_core"] == pytest.approx(centre)
    assert out["allocations"]["least_core"] == pytest.approx(dict.fromkeys("abc", 1.5))  # symmetric game
    assert out["core"]["least_core_epsilon"] == pytest.approx(
        least_core(game_from_mapping(["a", "b", "c"], values)).epsilon
    )
    assert "centre" in out["notes"]["least_core"]
    assert (
        "least_core"
        not in json.loads(runner.invoke(app, ["allocate", str(path), "--format", "json"]).stdout)[
            "allocations"
        ]
    )


def test_amounts_are_rounded_to_the_engine_tolerance_with_no_negative_zero(tmp_path):
    import json

    # thirds of 28.5 land on 9.499999999999996 in floats; zero costs give −0.0 in value-form arithmetic
    values = {"a": 9.5, "b": 9.5, "c": 9.5, "a+b": 19, "a+c": 19, "b+c": 19, "a+b+c": 28.5}
    game = {"players": ["a", "b", "c"], "kind": "value", "values": values}
    text = runner.invoke(app, ["allocate", str(_game_file(tmp_path, game)), "--format", "json"]).stdout
    assert "9.49999" not in text and "-0.0" not in text
    out = json.loads(text)
    assert all(share == 9.5 for shares in out["allocations"].values() for share in shares.values())
    zeros = {"players": ["a", "b"], "kind": "value", "values": {"a": 0, "b": 0, "a+b": 0}}
    text = runner.invoke(app, ["allocate", str(_game_file(tmp_path, zeros))]).stdout
    assert "-0.00" not in text


def test_the_table_has_room_for_amounts_of_millions(tmp_path):
    values = {"gemeente_a": 2_500_000, "gemeente_b": 1_750_000, "gemeente_a+gemeente_b": 3_900_000.25}
    game = {"players": ["gemeente_a", "gemeente_b"], "kind": "cost", "values": values}
    text = runner.invoke(app, ["allocate", str(_game_file(tmp_path, game))]).stdout
    table = text.split("\n\n")[0].splitlines()
    assert len({len(line) for line in table}) == 1  # every row as wide as the header
    total = next(line for line in table if line.startswith("total"))
    assert all(cell == "3,900,000.25" for cell in total.split()[1:])  # separate cells, never run together


def test_split_lists_every_group_it_leaves_worse_off_worst_first(tmp_path):
    import itertools
    import json

    values = {"a": 1, "b": 2, "c": 3, "a+b": 2, "a+c": 3, "b+c": 3, "a+b+c": 3}
    proposal = {"a": 1.5, "b": 1.25, "c": 0.25}
    split = tmp_path / "split.json"
    split.write_text(json.dumps(proposal))
    game = _game_file(tmp_path, AIRPORT)
    out = json.loads(
        runner.invoke(app, ["allocate", str(game), "--split", str(split), "--format", "json"]).stdout
    )
    # by hand: every group's shares against its own cost, those paying more listed, worst first
    expected = []
    for size in (1, 2):
        for group in itertools.combinations("abc", size):
            extra = sum(proposal[p] for p in group) - values["+".join(group)]
            if extra > 1e-9:
                expected.append(("+".join(group), extra))
    expected.sort(key=lambda item: -item[1])
    assert [(v["coalition"], v["amount"]) for v in out["split"]["worse_off"]] == [
        (name, pytest.approx(amount)) for name, amount in expected
    ]
    assert expected[0] == ("a+b", 0.75) and out["split"]["in_core"] is False
    csv = tmp_path / "split.csv"
    csv.write_text("player,share\na,0.5\nb,0.75\nc,1.75\n")
    fair = runner.invoke(app, ["allocate", str(game), "--split", str(csv)])
    assert fair.exit_code == 0 and "split: in the core" in fair.stdout
    csv.write_text("player,share\na,0.5\nb,0.75\n")
    short = runner.invoke(app, ["allocate", str(game), "--split", str(csv)])
    assert short.exit_code == 2 and "missing: c" in short.stderr and "split.csv" in short.stderr


# --- new: any organisation as an entrant ---------------------------------------------------------------


def test_new_lists_the_library_it_points_to():
    from verkenning.scenario import load_organisations

    result = runner.invoke(app, ["new", "--list"])
    assert result.exit_code == 0, result.output
    ids = [line.split()[0] for line in result.stdout.splitlines()]
    assert ids == list(load_organisations())
    assert "--list" in runner.invoke(app, ["new", "--help"]).stdout


def test_new_writes_a_study_for_any_organisation_with_derived_figures_marked(tmp_path):
    target = tmp_path / "regio.yaml"
    base = ["--extends", str(SCENARIOS / "basis.yaml")]
    described = ["--name", "Regio Twente", "--kind", "public_body", "--inhabitants", "0", "--fte", "180"]
    result = runner.invoke(app, ["new", str(target), *described, *base])
    assert result.exit_code == 0, result.output
    entrant = load_scenario(target).partner("regio_twente")
    assert entrant.name == "Regio Twente" and entrant.kind == "public_body" and entrant.inhabitants == 0
    assert entrant.fte == 180 and "opgegeven" in entrant.fte.assumption
    # derived by the library's rules (1.2 × fte to tens; 0.3 × workstations), each marked as assumption
    assert entrant.workstations == 220 and "1,2 × fte" in entrant.workstations.assumption
    assert entrant.applications == 66 and "0,3 × werkplekken" in entrant.applications.assumption
    assert target.read_text(encoding="utf-8").count("ASSUMPTION: replace") == 4
    # and no staff figure for an organisation without inhabitants is invented
    result = runner.invoke(app, ["new", str(tmp_path / "x.yaml"), *described[:4], *base])
    assert result.exit_code == 2 and "--fte" in result.stderr and not (tmp_path / "x.yaml").exists()


def test_the_rules_for_a_described_municipality_give_the_library_figures(tmp_path):
    from verkenning.scenario import load_organisations
    from verkenning.scenario.template import described

    # the library's candidates whose figures follow the median rule (7.0 fte per 1,000 inhabitants)
    for org in load_organisations().values():
        if org.fte.assumption and org.fte.assumption.startswith("7,0 fte per 1.000 inwoners: mediaan"):
            made = described(tmp_path / "x.yaml", org.name, org.kind, float(org.inhabitants))
            assert (made.fte, made.workstations, made.applications) == (
                org.fte,
                org.workstations,
                org.applications,
            ), org.id


def test_new_refuses_a_mix_of_library_and_described_organisations(tmp_path):
    result = runner.invoke(app, ["new", str(tmp_path / "x.yaml"), "--entrant", "borne", "--fte", "3"])
    assert result.exit_code == 2 and "--fte" in result.output
    result = runner.invoke(app, ["new", str(tmp_path / "x.yaml")])
    assert result.exit_code == 2 and "--entrant ID" in result.output


def test_an_invalid_written_study_is_told_of_the_file_asked_for_not_a_temporary_one(tmp_path):
    # a base whose first year is beyond the entrant's requested year: the written study is invalid
    target = tmp_path / "late.yaml"
    result = runner.invoke(
        app,
        [
            "new",
            str(target),
            "--entrant",
            "losser",
            "--joins",
            "1990",
            "--extends",
            str(SCENARIOS / "basis.yaml"),
        ],
    )
    assert result.exit_code == 2
    assert "late.yaml" in result.stderr and ".tmp" not in result.stderr and ".late.yaml." not in result.stderr
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_verken_refuses_a_bad_scenario_or_a_port_in_use_before_starting_anything(tmp_path):
    import socket

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    result = runner.invoke(app, ["verken", str(bad)])
    assert result.exit_code == 2 and "bad.yaml" in result.stderr and "Traceback" not in result.output
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["verken", str(SCENARIOS / "borne.yaml"), "--port", str(port)])
    assert result.exit_code == 2 and f"--port {port} is in use" in result.stderr


def test_run_refuses_a_study_this_machine_has_not_the_memory_for(tmp_path, monkeypatch):
    from verkenning.report import run as running

    borne = load_scenario(SCENARIOS / "borne.yaml")
    free = running.memory_needed([borne], 500)  # exactly what 500 samples need
    monkeypatch.setattr(running, "available_memory", lambda: free)
    out = tmp_path / "reports"
    out.mkdir()
    result = runner.invoke(app, ["run", "scenarios/borne.yaml", "--out", str(out)])
    assert result.exit_code == 2, result.output
    said = result.stderr
    assert "scenarios/borne.yaml" in said and "at 1,000 samples" in said and "--samples 500" in said
    assert "Traceback" not in said and not any(out.iterdir()), "refused before anything is written"
    running._check_memory([SCENARIOS / "borne.yaml"], [borne], 500)  # the advice fits: no error
    with pytest.raises(VerkenningError, match="at 600 samples"):
        running._check_memory([SCENARIOS / "borne.yaml"], [borne], 600)
    monkeypatch.setattr(running, "available_memory", lambda: 100 * 2**20)
    result = runner.invoke(app, ["run", "scenarios/borne.yaml", "--out", str(out), "--samples", "100"])
    assert result.exit_code == 2 and "Even --samples 100 needs" in result.stderr
    both = [str(SCENARIOS / "borne.yaml"), str(SCENARIOS / "borne-im.yaml")]
    result = runner.invoke(app, ["compare", *both, "--out", str(out)])
    assert result.exit_code == 2 and "borne" in result.stderr and not any(out.iterdir())
    assert running.memory_needed([borne, borne], 1000) > running.memory_needed([borne], 1000), "per study"


def test_the_memory_estimate_counts_the_game_the_key_designer_keeps():
    """The estimate's games are what a study holds: the rows of its key designer, per sample."""
    from verkenning.optimise.keys import win_win_rows
    from verkenning.report.run import SAMPLE_BYTES, memory_needed
    from verkenning.study import Study

    study = Study.load(SCENARIOS / "borne.yaml", samples=200)
    assert study.key_design.samples == 200  # designed: its rows are now held
    k = study.costs.years.index(study.year)
    held = win_win_rows(study.sampled, k).values.nbytes
    per_sample = (memory_needed([study.scenario], 2) - memory_needed([study.scenario], 1)) - SAMPLE_BYTES
    assert held == 200 * per_sample


def test_available_memory_is_what_this_machine_has_free():
    from verkenning.report.run import available_memory

    free = available_memory()
    if not sys.platform.startswith("linux"):
        assert free is None
        return
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert 0 < free <= total
