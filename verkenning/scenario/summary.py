"""Plain-text summaries of a validated scenario, for ``verkenning check`` (English, for analysts)."""

from __future__ import annotations

from ..graph import partner_closure, weak_points
from .schema import Scenario

__all__ = ["describe", "one_line"]


def one_line(scenario: Scenario) -> str:
    """``name: N partners (k entrants), M services, base–end``."""
    entrants = len(scenario.entrants())
    joining = f" ({entrants} joining)" if entrants else ""
    return (
        f"{scenario.name}: {len(scenario.partners)} partners{joining}, "
        f"{len(scenario.services)} services, {scenario.base_year}–{scenario.end_year}"
    )


def describe(scenario: Scenario) -> str:
    """Partners with volumes and what they take, and the services most others depend on."""
    lines = [f"  question: {scenario.question}", f"  centre:   {scenario.centre}", "", "  partners:"]
    lines.append(f"    {'id':<16}{'inhabitants':>12}{'fte':>8}{'workst.':>9}{'apps':>6}  member    services")
    for p in scenario.partners:
        member = "always" if p.joins is None and p.leaves is None else f"{p.joins or ''}–{p.leaves or ''}"
        taken = partner_closure(scenario, p)
        lines.append(
            f"    {p.id:<16}{p.inhabitants:>12,.0f}{p.fte:>8,.0f}{p.workstations:>9,.0f}"
            f"{p.applications:>6,.0f}  {member:<9} {len(taken):>2}: {' '.join(taken)}"
        )
    lines += ["", "  weak points (services others depend on):"]
    for w in weak_points(scenario)[:5]:
        flag = ", articulation point" if w.articulation_point else ""
        lines.append(f"    {w.service:<6} {w.dependent_services:>2} services, {w.partners} partners{flag}")
    return "\n".join(lines)
