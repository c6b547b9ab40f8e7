"""How numbers read in reports: scores with one decimal, values in their unit, money
to the fen.  Pure functions, shared by the HTML/PDF report, the workbook and the
console, so a number reads the same wherever it is shown."""

from __future__ import annotations

from decimal import Decimal

from cityops.indicators.catalogue import Goalposts, ScaledGoalpost, Unit
from cityops.messages import Lang

__all__ = [
    "MISSING",
    "display_value",
    "format_change",
    "format_goalposts",
    "format_money",
    "format_score",
    "format_share",
    "format_value",
]

MISSING = "—"


def format_score(score: float | None) -> str:
    """A 0–100 score as shown everywhere in a report: one decimal."""
    return MISSING if score is None else f"{score:.1f}"


def format_change(change: float | None) -> str:
    """A score difference with its sign (``+1.4``, ``-0.3``)."""
    return MISSING if change is None else f"{change:+.1f}"


def format_share(share: float | None, decimals: int = 0) -> str:
    """A share in [0, 1] as a percentage."""
    return MISSING if share is None else f"{share * 100:.{decimals}f}%"


def format_money(amount: Decimal | None) -> str:
    """Yuan with thousands separators and fen (``300,000.00``)."""
    return MISSING if amount is None else f"{amount:,.2f}"


def display_value(value: float, unit: Unit) -> float:
    """The number a reader sees for ``value``: a ratio as a percentage, else as is."""
    return value * 100 if unit is Unit.RATIO else value


def format_value(value: float | None, unit: Unit) -> str:
    if value is None:
        return MISSING
    if unit is Unit.RATIO:
        return f"{display_value(value, unit):.1f}%"
    if unit is Unit.COUNT:
        return f"{value:,.0f}"
    if unit is Unit.MS:
        return f"{value:.1f} ms"
    if unit is Unit.PERCENT:
        return f"{value:.2f}%"
    return f"{value:.1f}"


def format_goalposts(goalposts: Goalposts, unit: Unit, lang: Lang = Lang.ZH) -> str:
    """``lo → hi`` in the indicator's unit; a population-scaled hi is spelled out."""
    lo = format_value(goalposts.lo, unit)
    hi = goalposts.hi
    if isinstance(hi, ScaledGoalpost):
        rate = f"{hi.per_million_residents:g}"
        scaled = f"{rate} × 常住人口(百万)" if lang is Lang.ZH else f"{rate} per million residents"
        text = scaled if hi.at_most is None else f"min({hi.at_most:g}, {scaled})"
        return f"{lo} → {text}"
    return f"{lo} → {format_value(hi, unit)}"
