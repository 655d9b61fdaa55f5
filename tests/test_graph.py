"""The dependency graph: closure, order, partner view, weak points and cycle reporting."""

from __future__ import annotations

import networkx as nx

from verkenning.graph import (
    partner_graph,
    service_graph,
    topological_order,
    weak_points,
)
from verkenning.scenario import load_scenario
from verkenning.scenario.checks import _dependency_cycle as dependency_cycle

from .conftest import SCENARIOS

BORNE = load_scenario(SCENARIOS / "borne.yaml")


def test_taking_the_workplace_pulls_in_its_dependencies():
    # FACTS §4.2: WP -> NET, HOST, IAM, SD; IAM -> HOST, NET; SD -> HOST; HOST -> NET
    assert BORNE.closure(["WP"]) == ("HOST", "IAM", "NET", "SD", "WP")


def test_closure_is_closed_and_contains_its_input():
    graph = service_graph(BORNE)
    for service in graph.nodes:
        found = set(BORNE.closure([service]))
        assert service in found
        assert all(dep in found for s in found for dep in graph.successors(s))


def test_information_management_pulls_in_the_basis_but_not_the_plus_services():
    im = set(BORNE.closure(["IM"]))
    basis = {s.id for s in BORNE.services if s.package == "basis"}
    plus = {s.id for s in BORNE.services if s.package == "plus"}
    assert basis <= im and not (plus & im)


def test_topological_order_puts_dependencies_first():
    order = topological_order(BORNE)
    position = {s: i for i, s in enumerate(order)}
    assert sorted(order) == sorted(s.id for s in BORNE.services)
    for s in BORNE.services:
        assert all(position[dep] < position[s.id] for dep in s.depends_on)
    assert order[0] == "NET"


def test_partner_graph_shows_only_members_of_a_year():
    assert "borne" not in partner_graph(BORNE, 2025)
    graph = partner_graph(BORNE, 2026)
    assert set(graph.successors("borne")) == set(BORNE.taken_by("borne"))


def test_weak_points_rank_the_network_first():
    points = weak_points(BORNE)
    assert points[0].service == "NET"
    # every service but NET itself and SUP (contract management needs no infrastructure of ours)
    assert points[0].dependent_services == len(nx.ancestors(service_graph(BORNE), "NET")) == 14
    assert points[0].partners == 5
    counts = [(p.dependent_services, p.partners) for p in points]
    assert counts == sorted(counts, reverse=True)


def test_articulation_point_is_flagged():
    # A chain A <- B <- C: B's loss splits the catalogue.
    graph = nx.DiGraph([("B", "A"), ("C", "B")])
    assert set(nx.articulation_points(graph.to_undirected())) == {"B"}
    assert not any(p.articulation_point for p in weak_points(BORNE) if p.service == "WP")


def test_dependency_cycle_is_reported_along_its_path():
    assert dependency_cycle([("A", "B"), ("B", "C"), ("C", "A"), ("C", "D")]) in (
        ["A", "B", "C"],
        ["B", "C", "A"],
        ["C", "A", "B"],
    )
    assert dependency_cycle([("A", "B"), ("B", "C")]) is None


def test_graph_does_not_depend_on_declaration_order():
    assert list(service_graph(BORNE).nodes) == sorted(s.id for s in BORNE.services)


def test_closure_agrees_with_the_graph():
    graph = service_graph(BORNE)
    for service in graph.nodes:
        assert set(BORNE.closure([service])) == {service} | nx.descendants(graph, service)
