"""Tidy long tables of a cost result (the workbook of them is ``verkenning.report.workbook``).

Every table the notebooks, comparisons and sweeps read is long: one row per scenario, partner,
year, variable and unit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .lines import asset_values, contract_years
from .paths import CostResult

__all__ = ["items_table", "lines_table", "long_table", "summary_data", "summary_table", "trace_table"]

COLUMNS = ["scenario", "partner", "year", "variable", "unit", "value"]


def _rows(result: CostResult, variable: str, matrix: np.ndarray, unit: str = "eur") -> pd.DataFrame:
    partners, years = np.meshgrid(result.partners, result.years, indexing="ij")
    return pd.DataFrame(
        {
            "scenario": result.scenario.name,
            "partner": partners.ravel(),
            "year": years.ravel(),
            "variable": variable,
            "unit": unit,
            "value": np.asarray(matrix, dtype=float).ravel(),
        }
    )


def long_table(result: CostResult) -> pd.DataFrame:
    """Every partner-year figure: stand-alone, status quo, shares and costs per method, one-offs."""
    frames = [
        _rows(result, "member", result.member, "bool"),
        _rows(result, "standalone_cost", result.standalone_eur),
        _rows(result, "transition_cost", result.transition_eur),
        _rows(result, "exit_cost", result.exit_eur),
        _rows(result, "entry_fee", result.entry_fee_eur),
        *(_rows(result, f"line:{line}", amounts) for line, amounts in result.lines_eur.items()),
    ]
    for method in result.share_eur:
        frames.append(_rows(result, f"share:{method}", result.share_eur[method]))
        frames.append(_rows(result, f"cost:{method}", result.cost_eur[method]))
        frames.append(_rows(result, f"status_quo_cost:{method}", result.status_quo_eur[method]))
    cooperation = pd.DataFrame(
        {
            "scenario": result.scenario.name,
            "partner": "",
            "year": list(result.years) * 2,
            "variable": ["cooperation_cost"] * len(result.years)
            + ["status_quo_cooperation_cost"] * len(result.years),
            "unit": "eur",
            "value": np.concatenate([result.cooperation_cost_eur, result.status_quo_cooperation_cost_eur]),
        }
    )
    npv = [
        {
            "scenario": result.scenario.name,
            "partner": p,
            "year": result.years[0],
            "variable": f"npv:{method}@{rate:g}",
            "unit": "eur",
            "value": float(values[i]),
        }
        for method, by_rate in result.npv_eur.items()
        for rate, values in by_rate.items()
        for i, p in enumerate(result.partners)
    ]
    table = pd.concat([*frames, cooperation, pd.DataFrame(npv)], ignore_index=True)
    return table.dropna(subset=["value"]).reset_index(drop=True)[COLUMNS]


def trace_table(result: CostResult) -> pd.DataFrame:
    """Every euro of the scenario's key: year, partner, service, key, the partner's volume, amount."""
    return pd.DataFrame(
        [
            {
                "year": year,
                "partner": line.partner,
                "service": line.service,
                "key": line.key,
                "volume": line.volume,
                "eur": line.cents / 100.0,
            }
            for year, line in result.trace
        ],
        columns=["year", "partner", "service", "key", "volume", "eur"],
    )


def lines_table(result: CostResult) -> pd.DataFrame:
    """The business case's lines beside the platform as borne: year, partner, line, euros (no zeros)."""
    rows = [
        {"year": year, "partner": partner, "line": line, "eur": float(amounts[i, k])}
        for line, amounts in result.lines_eur.items()
        for i, partner in enumerate(result.partners)
        for k, year in enumerate(result.years)
        if amounts[i, k]
    ]
    return pd.DataFrame(rows, columns=["year", "partner", "line", "eur"])


def items_table(result: CostResult) -> pd.DataFrame:
    """Each entrant's double running per contract and stranded book value per asset of its nulmeting,
    before anyone else bears them: entrant, line, item, year, euros."""
    rows = []
    for partner in result.scenario.partners:
        if partner.joins is None or partner.joins <= result.years[0]:
            continue
        for contract, annual, fractions in contract_years(partner, result.years):
            rows += [
                {
                    "entrant": partner.id,
                    "line": "double_running",
                    "item": contract,
                    "year": y,
                    "eur": annual * f,
                }
                for y, f in zip(result.years, fractions, strict=True)
                if f
            ]
        for asset, value in asset_values(partner):
            rows.append(
                {
                    "entrant": partner.id,
                    "line": "stranded",
                    "item": asset,
                    "year": partner.joins,
                    "eur": value,
                }
            )
    return pd.DataFrame(rows, columns=["entrant", "line", "item", "year", "eur"])


def summary_table(result: CostResult) -> pd.DataFrame:
    """Per partner in the reference year: stand-alone, status quo and new annual cost; NPV per rate."""
    k = result.years.index(result.reference_year)
    table = pd.DataFrame(
        {
            "partner": result.partners,
            "standalone_eur": result.standalone_eur[:, k],
            "status_quo_eur": result.status_quo_eur["key"][:, k],
            "new_eur": result.cost_eur["key"][:, k],
        }
    )
    for rate, values in result.npv_eur["key"].items():
        table[f"npv_{rate:g}_eur"] = values
    table["npv_without_avoided_growth_eur"] = result.npv_without_avoided_growth_eur[result.rates[0]]
    table["npv_other_transition_bearer_eur"] = result.npv_other_bearer_eur[result.rates[0]]
    table["break_even_year"] = pd.array(result.break_even_year, dtype="Int64")
    return table


def summary_data(result: CostResult) -> dict:
    """The summary as plain data for tools (``verkenning costs --format json``): euros to the cent."""
    k = result.years.index(result.reference_year)
    rate = result.rates[0]
    partners = {}
    for i, partner in enumerate(result.partners):
        partners[partner] = {
            "standalone_eur": round(float(result.standalone_eur[i, k]), 2),
            "status_quo_eur": round(float(result.status_quo_eur["key"][i, k]), 2),
            "new_eur": round(float(result.cost_eur["key"][i, k]), 2),
            "npv_eur": {f"{r:g}": round(float(v[i]), 2) for r, v in result.npv_eur["key"].items()},
            "npv_without_avoided_growth_eur": round(float(result.npv_without_avoided_growth_eur[rate][i]), 2),
            "npv_other_transition_bearer_eur": round(float(result.npv_other_bearer_eur[rate][i]), 2),
            "break_even_year": result.break_even_year[i],
        }
    return {
        "scenario": result.scenario.name,
        "status_quo": result.scenario.status_quo[0],
        "base_year": result.scenario.base_year,
        "reference_year": result.reference_year,
        "discount_rate": float(result.scenario.discount_rate),
        "cooperation_cost_eur": round(float(result.cooperation_cost_eur[k]), 2),
        "status_quo_cooperation_cost_eur": round(float(result.status_quo_cooperation_cost_eur[k]), 2),
        "partners": partners,
    }
