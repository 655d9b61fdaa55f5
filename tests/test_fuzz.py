"""Hostile and broken input: random mutations of the shipped scenarios and of game files.

Every case must end in a valid result or a clear error (a VerkenningError whose lines name the file
and say what to do; exit code 2 at the command line): no traceback, no hang, no memory blow-up.
``HYPOTHESIS_PROFILE=fuzz`` runs many more cases than ``make test`` does.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import resource
import subprocess
import sys
import time

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verkenning.costs import simulate
from verkenning.errors import ScenarioError, VerkenningError
from verkenning.fourk import scorecard
from verkenning.games import read_game, shapley
from verkenning.games.summary import summarise
from verkenning.scenario import load_scenario

from .conftest import ROOT, SCENARIOS

COMMON = {
    "deadline": None,
    "derandomize": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}
settings.register_profile("default", max_examples=60, **COMMON)
settings.register_profile("fuzz", max_examples=2000, **COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

SHIPPED = {
    path.name: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(SCENARIOS.glob("*.yaml"))
}
PROBLEM_LINE = re.compile(r"^[^\n]+?(:\d+:\d+)?: .+ — .+$")
SECONDS_PER_CASE = 120
"""A guard against a case that runs away (a hang, an exponential blow-up), not a speed figure: a busy
machine took 36 s on a deeply nested case that usually takes 2 s."""
CASES = {"scenario": 0, "game": 0, "cli": 0}

nasty_values = st.one_of(
    st.sampled_from(
        [
            None,
            True,
            "",
            "veel",
            [],
            {},
            -5,
            -1e9,
            0,
            1e300,
            -1e300,
            10**40,
            float("nan"),
            float("inf"),
            "x" * 100_000,
            "<script>alert(1)</script>",
            "../../etc/passwd",
            {"value": 1},
            {"value": "x", "source": ""},
            [{"id": "NET"}],
            2.5,
            1e-300,
            "2026-01-01",
        ]
    ),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


def _set(root, path, value):
    node = root
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def _delete(root, path):
    node = root
    for step in path[:-1]:
        node = node[step]
    del node[path[-1]]


@st.composite
def mutated_scenario(draw):
    name = draw(st.sampled_from(sorted(SHIPPED)))
    data = copy.deepcopy(SHIPPED[name])
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        operation = draw(
            st.sampled_from(["replace", "replace", "delete", "duplicate", "cycle", "unknown", "deep"])
        )
        try:
            if operation == "replace":
                _set(data, path, draw(nasty_values))
            elif operation == "delete":
                _delete(data, path)
            elif operation == "duplicate" and isinstance(data.get("partners"), list) and data["partners"]:
                data["partners"].append(copy.deepcopy(data["partners"][0]))
            elif operation == "cycle":
                data.setdefault("services", []).append({"id": "NET", "depends_on": ["WP"]})
            elif operation == "unknown":
                data.setdefault("partners", [{}])
                if (
                    isinstance(data["partners"], list)
                    and data["partners"]
                    and isinstance(data["partners"][0], dict)
                ):
                    data["partners"][0]["services"] = ["NOPE"]
            elif operation == "deep":
                _set(data, path, "__DEEP__")
        except (KeyError, IndexError, TypeError, AttributeError):
            pass
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False) if isinstance(data, dict) else str(data)
    depth = draw(st.integers(min_value=10, max_value=5000))
    text = text.replace("__DEEP__", "[" * depth + "1" + "]" * depth)
    text = text.replace("extends: basis.yaml", f"extends: {SCENARIOS / 'basis.yaml'}")
    text = text.replace("extends: borne.yaml", f"extends: {SCENARIOS / 'borne.yaml'}")
    raw = text.encode("utf-8")
    damage = draw(
        st.sampled_from(
            ["none", "none", "bytes", "tag", "bomb", "truncate", "extends-missing", "extends-self"]
        )
    )
    if damage == "bytes":
        at = draw(st.integers(min_value=0, max_value=len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    elif damage == "tag":
        raw = b"name: !!python/object/apply:os.system ['echo owned > /tmp/owned']\n" + raw
    elif damage == "bomb":
        lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
        lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
        raw = ("\n".join(lines) + "\n").encode() + raw
    elif damage == "truncate":
        raw = raw[: draw(st.integers(min_value=0, max_value=len(raw)))]
    elif damage == "extends-missing":
        raw = b"extends: nowhere/none.yaml\n" + raw
    elif damage == "extends-self":
        raw = b"extends: case.yaml\n" + raw
    return raw


def _assert_clear(error: VerkenningError) -> None:
    message = str(error)
    assert message.strip(), "an error says something"
    assert "Traceback" not in message
    if isinstance(error, ScenarioError):
        for line in message.splitlines():
            assert PROBLEM_LINE.match(line), f"not a located problem with a fix: {line!r}"


@given(mutated_scenario())
def test_mutated_scenarios_end_in_a_result_or_a_clear_error(tmp_path_factory, raw):
    CASES["scenario"] += 1
    path = tmp_path_factory.mktemp("fuzz") / "case.yaml"
    path.write_bytes(raw)
    started = time.perf_counter()
    try:
        scenario = load_scenario(path)
    except ScenarioError as error:
        _assert_clear(error)
    else:
        try:
            result = simulate(scenario)
            card = scorecard(result)
            assert {v.verdict for v in card.verdicts} <= {"pass", "fail", "undetermined", "model_choice"}
            for values in result.npv_eur["key"].values():
                assert all(math.isfinite(v) for v in values), "a valid scenario gives finite numbers"
        except VerkenningError as error:
            _assert_clear(error)
    assert time.perf_counter() - started < SECONDS_PER_CASE
    assert not os.path.exists("/tmp/owned"), "a scenario cannot run code"


@st.composite
def mutated_game(draw):
    n = draw(st.integers(min_value=1, max_value=5))
    players = [f"P{i}" for i in range(n)]
    values = {}
    for mask in range(1, 1 << n):
        name = "+".join(p for i, p in enumerate(players) if mask >> i & 1)
        values[name] = draw(st.floats(min_value=0, max_value=1e6))
    data = {"players": players, "kind": draw(st.sampled_from(["cost", "value"])), "values": values}
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        operation = draw(
            st.sampled_from(["value", "unknown", "duplicate", "drop", "players", "kind", "no kind", "extra"])
        )
        if operation == "value" and values:
            values[draw(st.sampled_from(sorted(values)))] = draw(nasty_values)
        elif operation == "unknown":
            values["P0+Z"] = 1
        elif operation == "duplicate" and n > 1:
            values["+".join(reversed(players[:2]))] = 1
        elif operation == "drop" and values:
            values.pop(draw(st.sampled_from(sorted(values))))
        elif operation == "players":
            data["players"] = draw(st.sampled_from([[], "P0", [1, 2], players + players, ["a+b"]]))
        elif operation == "kind":
            data["kind"] = draw(nasty_values)
        elif operation == "no kind":
            data.pop("kind", None)
        elif operation == "extra":
            data["colour"] = "red"
    text = json.dumps(data, allow_nan=True)
    if draw(st.booleans()):
        text = text[: draw(st.integers(min_value=0, max_value=len(text)))]
    return text


@given(mutated_game())
def test_mutated_game_files_end_in_a_result_or_a_clear_error(tmp_path_factory, text):
    CASES["game"] += 1
    path = tmp_path_factory.mktemp("game") / "game.json"
    path.write_text(text, encoding="utf-8")
    try:
        summary = summarise(read_game(path))
    except VerkenningError as error:
        _assert_clear(error)
    else:
        for shares in summary["allocations"].values():
            assert all(math.isfinite(v) for v in shares.values())


@settings(max_examples=12)
@given(mutated_scenario())
def test_the_command_line_never_shows_a_traceback(tmp_path_factory, raw):
    CASES["cli"] += 1
    path = tmp_path_factory.mktemp("cli") / "case.yaml"
    path.write_bytes(raw)
    done = subprocess.run(
        [sys.executable, "-m", "verkenning", "costs", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode in (0, 2), done.stderr
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    if done.returncode == 2:
        assert done.stderr.strip()


def test_fuzzing_stayed_within_memory():
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mib < 4096, f"peak memory {peak_mib:.0f} MiB"
    print(f"\nfuzz cases: {CASES}; peak memory {peak_mib:.0f} MiB")


def test_a_huge_game_gets_a_named_error_not_a_crash():
    from verkenning.errors import GameError
    from verkenning.games import Game

    try:
        Game.from_function([f"p{i}" for i in range(40)], lambda m: m * 0.0)
    except GameError as error:
        assert "shapley_sampled" in str(error)
    try:
        shapley(Game(tuple("abc"), [0, 1, float("nan"), 2, 1, 2, 2, 3]))
    except GameError as error:
        assert "needs the value of" in str(error)
