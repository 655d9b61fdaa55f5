"""The scorecard as plain text for ``verkenning scorecard`` (names in English, evidence in Dutch)."""

from __future__ import annotations

from .indicators import FOURK, Scorecard

__all__ = ["format_scorecard"]

SYMBOL = {"pass": "PASS", "fail": "FAIL", "undetermined": "n/a "}


def _number(value: float, unit: str) -> str:
    if unit in ("kans", "aandeel"):
        return f"{value:.1%}"
    if unit == "ja/nee":
        return "yes" if value else "no"
    if unit.startswith("eur"):
        return f"{value:,.0f}"
    return f"{value:g}"


def format_scorecard(card: Scorecard, extra: list[str] | None = None) -> str:
    """Indicators per partner (before → after), then the verdicts with their evidence."""
    lines = [f"4K scorecard ({card.year}, method: {card.method}); before = status quo, after = scenario", ""]
    partners = list(dict.fromkeys(i.partner for i in card.indicators))
    for partner in partners:
        lines.append(partner)
        for k in FOURK:
            for row in (i for i in card.indicators if i.partner == partner and i.k == k):
                before, after = _number(row.before, row.unit), _number(row.after, row.unit)
                lines.append(f"  {k:<14}{row.name:<28}{before:>16} → {after}")
        if card.composite and partner in card.composite:
            before, after = card.composite[partner]
            lines.append(f"  {'composite':<14}{'(scenario weights)':<28}{before:>16.3f} → {after:<16.3f}")
        lines.append("")
    lines.append("conditions")
    for verdict in card.verdicts:
        lines.append(f"  [{SYMBOL[verdict.verdict]}] {verdict.condition:<20} {verdict.evidence}")
    if card.weak_points:
        top = ", ".join(f"{w.service} ({w.dependent_services} services)" for w in card.weak_points[:3])
        lines.append(f"\nweak points of the service graph: {top}")
    return "\n".join([*lines, *(extra or [])])
