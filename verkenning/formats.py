"""Numbers the Dutch way, for reports, verdicts and findings: € 1.234.567, 12,5%, 0,95."""

from __future__ import annotations

import math

__all__ = ["euro", "fraction", "number", "percent", "thousands"]

NBSP = "\u00a0"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _dutch(formatted: str) -> str:
    return formatted.replace(",", "\0").replace(".", ",").replace("\0", ".")


def number(value: float, decimals: int = 0) -> str:
    """1234567.8 → '1.234.568'; with decimals, a decimal comma; '–' for a missing value."""
    return "–" if _missing(value) else _dutch(f"{value:,.{decimals}f}")


def euro(value: float, decimals: int = 0, space: str = NBSP) -> str:
    """€ 1.234.567 (negative: € -1.234); by default a non-breaking space after the sign."""
    return "–" if _missing(value) else f"€{space}{number(value, decimals)}"


def thousands(value: float) -> str:
    """An amount rounded to what a model can know, the thousand: € 12.000."""
    return "–" if _missing(value) else euro(round(value, -3))


def percent(value: float, decimals: int = 1) -> str:
    """0.125 → '12,5%'."""
    return "–" if _missing(value) else f"{number(100 * value, decimals)}%"


def fraction(value: float, decimals: int = 2) -> str:
    """0.0225 → '0,02' (for exponents and shares shown as numbers)."""
    return number(value, decimals)
