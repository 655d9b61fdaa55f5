"""Dutch labels and the small formatting helpers the report sections share."""

from __future__ import annotations

from .html import Markup, euro, number, percent, text

__all__ = [
    "CONDITION_LABELS",
    "DRIVER_LABELS",
    "INDICATOR_LABELS",
    "KIND_LABELS",
    "K_LABELS",
    "VERDICT_LABELS",
    "display",
    "value_text",
    "verdict_text",
]

CONDITION_LABELS = {
    "win_win": "Win-win voor elke deelnemer",
    "no_profit": "Geen winstoogmerk",
    "transparency": "Transparante kostentoerekening",
    "platform_leads": "Hengelose werkwijzen en infrastructuur leidend",
    "risks_shared": "Risico's gezamenlijk gedragen",
    "value_for_residents": "Toegevoegde waarde voor inwoners",
}
VERDICT_LABELS = {"pass": "voldaan", "fail": "niet voldaan", "undetermined": "niet te bepalen"}
INDICATOR_LABELS = {
    "annual_cost_eur": "Kosten per jaar",
    "standalone_eur": "Kosten zelfstandig",
    "npv_eur": "Netto contante waarde van het voordeel",
    "avoided_growth_eur": "Waarvan minder meerkosten (gemodelleerd)",
    "cost_per_inhabitant_eur": "Kosten per inwoner",
    "coverage_probability": "Kans dat alle sleutelrollen bezet zijn",
    "professional_share": "Aandeel diensten op professioneel niveau",
    "continuity_threshold_met": "Boven de continuïteitsdrempel (1.500 werkplekken)",
    "workstations": "Werkplekken",
    "bus_factor_roles": "Sleutelrollen met minder dan 2 fte",
    "dependence_on_centre": "Afhankelijkheid van de centrumgemeente",
    "exit_cost_exposure_eur": "Kosten van uittreden",
    "specialist_roles": "Sleutelrollen met ten minste 1 fte",
    "team_fte": "Fte in sleutelrollen",
}
K_LABELS = {
    "kosten": "Kosten",
    "kwaliteit": "Kwaliteit en continuïteit",
    "kwetsbaarheid": "Kwetsbaarheid",
    "kennis": "Kennis",
}
KIND_LABELS = {"municipality": "gemeente", "public_body": "openbaar lichaam", "other": "overig"}
DRIVER_LABELS = {
    "workstations": "werkplekken",
    "inhabitants": "inwoners",
    "fte": "fte",
    "applications": "applicaties",
    "organisations": "organisaties",
    "fixed": "vast",
    "equal": "gelijk",
    "own": "eigen",
}


def display(fragment: Markup):
    """The fragment as a notebook display object (imported lazily: the package runs without IPython)."""
    from IPython.display import HTML

    return HTML(str(fragment))


def value_text(value: float, unit: str) -> str:
    if unit.startswith("eur"):
        return euro(value, 2 if "inwoner" in unit else 0)
    if unit in ("kans", "aandeel"):
        return percent(value)
    if unit == "ja/nee":
        return "ja" if value else "nee"
    return number(value, 0 if float(value).is_integer() else 1)


def verdict_text(value: str) -> Markup:
    return Markup(f'<span class="{text(value)}">{text(VERDICT_LABELS[value])}</span>')
