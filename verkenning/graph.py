"""The service dependency graph of a scenario (networkx), built on demand and in sorted order.

An edge ``A → B`` means service A depends on service B: taking A pulls in B (the closure of a set
of services is ``Scenario.closure``; this module reads the scenario, never the other way). A
*weak point* is a service many others hang on: we count, per service, the services
that depend on it (transitively) and the partners whose closure contains it, and flag the
articulation points of the undirected graph, whose loss splits the catalogue in two.

Graphs are built from sorted node and edge lists, so results never depend on hash order.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from .scenario import Scenario

__all__ = [
    "WeakPoint",
    "partner_graph",
    "service_graph",
    "topological_order",
    "weak_points",
]


def service_graph(scenario: Scenario) -> nx.DiGraph:
    """The catalogue as a DiGraph: nodes are service ids (with name, package, driver, domain)."""
    graph = nx.DiGraph()
    for service in sorted(scenario.services, key=lambda s: s.id):
        graph.add_node(
            service.id,
            name=service.name,
            package=service.package,
            driver=service.driver,
            domain=service.domain,
        )
    graph.add_edges_from(sorted((s.id, dep) for s in scenario.services for dep in s.depends_on))
    return graph


def topological_order(scenario: Scenario) -> tuple[str, ...]:
    """Service ids with every dependency before the services that need it (ties broken by id)."""
    return tuple(nx.lexicographical_topological_sort(service_graph(scenario).reverse(copy=False)))


def partner_graph(scenario: Scenario, year: int | None = None) -> nx.DiGraph:
    """Partner → service edges for what each partner takes (closure); members of ``year`` only if given."""
    members = set(scenario.members(year)) if year is not None else {p.id for p in scenario.partners}
    graph = nx.DiGraph()
    for partner in sorted(scenario.partners, key=lambda p: p.id):
        if partner.id not in members:
            continue
        graph.add_node(partner.id, kind="partner", name=partner.name)
        for service_id in scenario.taken_by(partner):
            graph.add_node(service_id, kind="service")
            graph.add_edge(partner.id, service_id)
    return graph


@dataclass(frozen=True)
class WeakPoint:
    """How much of the cooperation hangs on one service."""

    service: str
    dependent_services: int
    """Services that depend on it, directly or not."""
    partners: int
    """Partners whose closure contains it."""
    articulation_point: bool
    """Whether removing it splits the (undirected) dependency graph."""


def weak_points(scenario: Scenario, year: int | None = None) -> tuple[WeakPoint, ...]:
    """Every service ranked by what hangs on it: dependents, then partners, then id."""
    graph = service_graph(scenario)
    articulation = set(nx.articulation_points(graph.to_undirected(as_view=True)))
    takes = partner_graph(scenario, year)
    points = [
        WeakPoint(
            service=node,
            dependent_services=len(nx.ancestors(graph, node)),
            partners=takes.in_degree(node) if node in takes else 0,
            articulation_point=node in articulation,
        )
        for node in graph.nodes
    ]
    return tuple(sorted(points, key=lambda w: (-w.dependent_services, -w.partners, w.service)))
