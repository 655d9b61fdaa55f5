"""Figures with a pedigree, and the constrained number types of the scenario schema.

Every figure in a scenario may be a plain number or ``{value: ..., source: "..."}`` /
``{value: ..., assumption: "..."}``. It becomes a :class:`Figure`, a float that carries its pedigree,
so arithmetic works unchanged and reports can list where each number came from. Validation failures
raise a pydantic custom error of type ``verkenning`` carrying the message and what to do.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError, core_schema

__all__ = [
    "OBTAINED",
    "Count",
    "DiscountRate",
    "Exponent",
    "Figure",
    "Fraction",
    "Money",
    "between",
    "fail",
    "show",
]


OBTAINED = ("observed", "estimated", "modelled")
"""How a figure was obtained: observed in the books, estimated, or modelled."""


def fail(message: str, fix: str = "") -> PydanticCustomError:
    return PydanticCustomError("verkenning", "{message}", {"message": message, "fix": fix})


class Figure(float):
    """A number with its pedigree: ``source`` (public, with year) or ``assumption`` (reasoning).

    A plain number in a scenario file becomes a Figure with neither; the embedded defaults always
    carry one. Behaves as a float in arithmetic (the result is a plain float).
    """

    __slots__ = ("assumption", "obtained", "source")

    def __new__(
        cls,
        value: float,
        source: str | None = None,
        assumption: str | None = None,
        obtained: str | None = None,
    ):
        self = super().__new__(cls, value)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "assumption", assumption)
        object.__setattr__(self, "obtained", obtained)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Figure is immutable")

    def __reduce__(self):
        return (Figure, (float(self), self.source, self.assumption, self.obtained))

    @property
    def how_obtained(self) -> str:
        """How the figure was obtained (OBTAINED): as stated, else observed for a sourced figure and
        estimated for an assumption or a plain number."""
        return self.obtained or ("observed" if self.source else "estimated")

    def __repr__(self) -> str:
        tag = f", source={self.source!r}" if self.source else ""
        tag += f", assumption={self.assumption!r}" if self.assumption else ""
        return f"Figure({float(self)!r}{tag})"

    @property
    def value(self) -> float:
        return float(self)

    @classmethod
    def __get_pydantic_core_schema__(cls, source_type: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(cls._validate)

    @classmethod
    def _validate(cls, raw: Any) -> Figure:
        if isinstance(raw, Figure):
            return raw
        if isinstance(raw, dict):
            unknown = sorted(set(raw) - {"value", "source", "assumption", "obtained"})
            if unknown:
                raise fail(
                    f"unknown key {unknown[0]!r} in a figure",
                    "a figure is a number or {value: ..., source: ...} / {value: ..., assumption: ...}",
                )
            if "obtained" in raw and raw["obtained"] not in OBTAINED:
                raise fail(
                    f"obtained must be one of {', '.join(OBTAINED)}, got {show(raw['obtained'])}",
                    "say how the figure was obtained: observed (in the books), estimated or modelled",
                )
            if "value" not in raw:
                raise fail("a figure written as a mapping needs `value`", "add `value: <number>`")
            pedigree = {k: raw[k] for k in ("source", "assumption") if k in raw}
            if len(pedigree) != 1 or not all(isinstance(v, str) and v.strip() for v in pedigree.values()):
                raise fail(
                    "a figure needs exactly one of `source` or `assumption`, as non-empty text",
                    'write `source: "who, year"` for a public figure or `assumption: "why"`',
                )
            for words in pedigree.values():
                check_words(words, PROSE_LIMIT, lines=True)
            return cls(_number(raw["value"]), raw.get("source"), raw.get("assumption"), raw.get("obtained"))
        return cls(_number(raw))


NAME_LIMIT = 120
"""Characters in a name (a scenario, a partner, a service): what a table heading can carry."""
PROSE_LIMIT = 2000
"""Characters in a description, question, source or assumption."""
ID_LIMIT = 40


def check_words(value: str, limit: int, lines: bool = False) -> str:
    """Text a report, a figure and a workbook can all show: no control characters (a tab or line
    break only where ``lines``), at most ``limit`` characters."""
    allowed = "\n\t" if lines else ""
    control = next((c for c in value if unicodedata.category(c) == "Cc" and c not in allowed), None)
    if control is not None:
        raise fail(
            f"contains the control character U+{ord(control):04X}",
            "remove it (it was probably pasted in with the text)",
        )
    if len(value) > limit:
        raise fail(f"is {len(value):,} characters long, at most {limit:,}", "shorten it")
    return value


def _number(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise fail(f"must be a number, got {show(raw)}", "write a plain number such as 1500 or 0.25")
    value = float(raw)
    if not math.isfinite(value):
        raise fail(f"must be a finite number, got {raw}", "replace it by a real figure")
    return value


def show(raw: Any) -> str:
    text = repr(raw)
    return text if len(text) <= 60 else text[:57] + "..."


def between(low: float | None, high: float | None, *, open_low: bool = False, unit: str = ""):
    def check(value: float) -> float:
        if low is not None and (value <= low if open_low else value < low):
            sign = ">" if open_low else "≥"
            raise fail(f"must be {sign} {low:g}{unit}, got {value:g}", _range_fix(low, high, open_low))
        if high is not None and value > high:
            raise fail(f"must be ≤ {high:g}{unit}, got {value:g}", _range_fix(low, high, open_low))
        return value

    check.bounds = (low, high, open_low)  # read by checks.valid_range: what a draw may be
    return AfterValidator(check)


def bounds_of(field_info) -> tuple[float | None, float | None, bool]:
    """The (low, high, open_low) a :func:`between` on a pydantic field declares; no bounds: Nones."""
    for item in getattr(field_info, "metadata", ()):
        found = getattr(getattr(item, "func", None), "bounds", None)
        if found is not None:
            return found
    return (None, None, False)


def _range_fix(low: float | None, high: float | None, open_low: bool) -> str:
    if low is not None and high is not None:
        return f"give a value in {'(' if open_low else '['}{low:g}, {high:g}]"
    return "give zero or more" if low == 0 else f"give a value of at least {low:g}"


Count = Annotated[Figure, between(0, None)]
Money = Annotated[Figure, between(0, None)]
Fraction = Annotated[Figure, between(0, 1)]
Exponent = Annotated[Figure, between(0, 2, open_low=True)]
DiscountRate = Annotated[Figure, between(-0.05, 0.2)]
