"""Scenario loading: shipped files, the extends merge rules, pedigree, and one invalid file per rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from verkenning.errors import ScenarioError
from verkenning.scenario import Figure, load_scenario, merge

from .conftest import INVALID, SCENARIOS, SHIPPED


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_scenario_loads(path):
    scenario = load_scenario(path)
    assert scenario.partner(scenario.centre).joins is None
    assert path.read_text(encoding="utf-8").startswith("# Vraag:"), "each scenario opens with its question"


def test_scenarios_cover_the_questions_of_the_letter():
    names = {p.stem for p in SHIPPED}
    assert {"basis", "borne", "haaksbergen-im", "borne-im", "groeipad"} <= names


# --- the invalid files: one per rule, each asserting its own message and position --------------


def _expectations(path: Path) -> tuple[str, str | None]:
    text = path.read_text(encoding="utf-8")
    expect = re.search(r"^# expect: (.+)$", text, re.M).group(1)
    at = re.search(r"^# at: (\d+:\d+)$", text, re.M)
    return expect, at.group(1) if at else None


@pytest.mark.parametrize("path", sorted(INVALID.glob("*.yaml")), ids=lambda p: p.stem)
def test_invalid_file_is_refused_with_its_message(path):
    expect, at = _expectations(path)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    lines = str(caught.value).splitlines()
    matching = [line for line in lines if expect in line]
    assert matching, f"no problem says {expect!r}; got:\n" + "\n".join(lines)
    if at:
        assert any(f":{at}: " in line for line in matching), f"expected at {at}: {matching}"
    assert all(" — " in line for line in lines), "every problem says what to do"


def test_all_problems_are_reported_at_once(write):
    path = write(
        "extends: basis.yaml\n"
        "discount_rate: 3\n"
        "partners:\n"
        "  - id: hengelo\n"
        "    fte: -1\n"
        "    workstations: veel\n"
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    locations = [p.location for p in caught.value.problems]
    assert locations == ["discount_rate", "partners[0].fte", "partners[0].workstations"]
    assert [p.line for p in caught.value.problems] == [2, 5, 6]


def test_non_utf8_file_is_refused_with_its_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"name: ok\nquestion: caf\xe9?\n")
    with pytest.raises(ScenarioError, match=r"latin1.yaml:2:1: not valid UTF-8"):
        load_scenario(path)


def _tree(value):
    """A read value with every mark it carries, for comparing two readings."""
    if isinstance(value, dict):
        return ("map", value.start, {k: (_tree(v), value.marks[k]) for k, v in value.items()})
    if isinstance(value, list):
        return ("seq", value.start, [(_tree(v), m) for v, m in zip(value, value.marks, strict=True)])
    return (type(value).__name__, value)


@pytest.mark.parametrize(
    "path",
    [*SHIPPED, *sorted((SCENARIOS.parent / "verkenning" / "data").glob("*.yaml"))],
    ids=lambda p: p.name,
)
def test_libyaml_reads_every_shipped_file_as_the_python_parser_does(path):
    from verkenning.scenario import reader

    text = path.read_text(encoding="utf-8")
    fast, found = reader._through_libyaml(text, path.name)
    slow_problems = []
    slow = reader._through_python(reader._Loader(text), text, path.name, slow_problems)
    assert _tree(fast) == _tree(slow) and found == slow_problems


def test_an_alias_is_refused_where_it_stands(tmp_path):
    path = tmp_path / "alias.yaml"
    path.write_text("a: &x 1\nb:\n  c: *x\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"alias.yaml:3:6: YAML aliases"):
        load_scenario(path)


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="aliases"):
        load_scenario(path)


def test_missing_file_is_an_error_not_a_crash(tmp_path):
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nowhere.yaml")


# --- extends: the merge rules ------------------------------------------------------------------


def test_mappings_merge_recursively_and_scalars_replace():
    parent = {"a": {"x": 1, "y": 2}, "b": 1}
    child = {"a": {"y": 3, "z": 4}, "b": 5}
    assert merge(parent, child) == {"a": {"x": 1, "y": 3, "z": 4}, "b": 5}
    assert parent == {"a": {"x": 1, "y": 2}, "b": 1}, "inputs are left alone"


def test_lists_of_objects_merge_by_id_keeping_parent_order():
    parent = [{"id": "a", "v": 1, "w": 1}, {"id": "b", "v": 2}]
    child = [{"id": "c", "v": 9}, {"id": "a", "v": 5}]
    assert merge(parent, child) == [{"id": "a", "v": 5, "w": 1}, {"id": "b", "v": 2}, {"id": "c", "v": 9}]


def test_other_lists_replace():
    assert merge({"s": ["basis"]}, {"s": ["basis", "im"]}) == {"s": ["basis", "im"]}
    assert merge([{"id": "a"}], [1, 2]) == [1, 2]


def test_entrant_study_extends_its_base():
    base = load_scenario("scenarios/basis.yaml")
    borne = load_scenario("scenarios/borne.yaml")
    assert [p.id for p in borne.partners] == [p.id for p in base.partners] + ["borne"]
    assert borne.partner("hengelo") == base.partner("hengelo")
    assert borne.files[:2] == ("scenarios/borne.yaml", "scenarios/basis.yaml")


def test_override_of_one_field_keeps_the_rest(write):
    path = write("extends: basis.yaml\npartners:\n  - id: hengelo\n    services: [basis, im]\n")
    scenario = load_scenario(path)
    assert scenario.partner("hengelo").services == ("basis", "im")
    assert scenario.partner("hengelo").inhabitants == 83051
    assert "IM" in scenario.services_of("hengelo")


def test_a_service_override_merges_into_the_catalogue(write):
    path = write("extends: basis.yaml\nservices:\n  - id: WP\n    scale_exponent: 0.9\n")
    scenario = load_scenario(path)
    assert scenario.service("WP").scale_exponent == 0.9
    assert (
        scenario.service("WP").unit_annual_cost_eur
        == load_scenario("scenarios/basis.yaml").service("WP").unit_annual_cost_eur
    )
    assert len(scenario.services) == 16


# --- figures carry their pedigree ---------------------------------------------------------------


def test_figures_carry_source_or_assumption():
    scenario = load_scenario("scenarios/borne.yaml")
    inhabitants = scenario.partner("borne").inhabitants
    assert isinstance(inhabitants, Figure) and inhabitants == 24632
    assert "CBS" in inhabitants.source and inhabitants.assumption is None
    assert scenario.partner("borne").fte.assumption
    assert scenario.discount_rate.source and scenario.discount_rate == pytest.approx(0.0225)


def test_plain_numbers_are_figures_without_pedigree(write):
    scenario = load_scenario(write("extends: basis.yaml\npartners:\n  - id: hengelo\n    fte: 700\n"))
    fte = scenario.partner("hengelo").fte
    assert fte == 700 and fte.source is None and fte.assumption is None
    assert fte * 2 == 1400


def test_scenario_is_frozen():
    scenario = load_scenario("scenarios/basis.yaml")
    with pytest.raises(Exception, match="frozen"):
        scenario.name = "x"
    with pytest.raises(AttributeError):
        scenario.discount_rate.source = "x"


def test_members_follow_joins_and_leaves(write):
    path = write("extends: borne.yaml\npartners:\n  - id: oldenzaal\n    leaves: 2030\n", name="leaver.yaml")
    scenario = load_scenario(path)
    assert "borne" not in scenario.members(2025) and "borne" in scenario.members(2026)
    assert "oldenzaal" in scenario.members(2029) and "oldenzaal" not in scenario.members(2030)
    assert scenario.entrants() == ("borne",)


def test_unknown_ids_name_the_valid_ones():
    from verkenning.errors import VerkenningError

    scenario = load_scenario(SCENARIOS / "borne.yaml")
    with pytest.raises(
        VerkenningError, match="unknown partner 'bornee'; the partners are hengelo, oldenzaal"
    ):
        scenario.partner("bornee")
    with pytest.raises(VerkenningError, match="unknown service 'XYZ'; the services are BCM"):
        scenario.service("XYZ")


def test_a_scenario_built_in_code_is_validated_like_a_file():
    from verkenning.examples import three_partners, two_partners
    from verkenning.scenario import Scenario

    two = two_partners()
    assert two.status_quo[1] == {"a": ("NET",), "b": ("NET",)} and two.files[0] == "examples.two_partners"
    assert [p.id for p in three_partners().partners] == ["a", "b", "c"]
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_mapping(
            {"name": "x", "question": "y", "centre": "nobody", "partners": []}, origin="code"
        )
    text = str(caught.value)
    assert "partners: must not be empty" in text and text.startswith("code")
