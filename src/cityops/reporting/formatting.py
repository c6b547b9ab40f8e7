"""How numbers read in reports: scores with one decimal, values in their unit."""

from __future__ import annotations

from cityops.indicators.catalogue import Goalposts, ScaledGoalpost, Unit

__all__ = ["UNIT_LABELS", "format_goalposts", "format_score", "format_value"]

MISSING = "—"

UNIT_LABELS: dict[Unit, str] = {
    Unit.RATIO: "比率 share",
    Unit.COUNT: "个 count",
    Unit.MS: "毫秒 ms",
    Unit.PERCENT: "% percent",
    Unit.POINTS: "分 points",
}


def format_score(score: float | None) -> str:
    """A 0–100 score as shown everywhere in a report: one decimal."""
    return MISSING if score is None else f"{score:.1f}"


def format_value(value: float | None, unit: Unit) -> str:
    if value is None:
        return MISSING
    if unit is Unit.RATIO:
        return f"{value * 100:.1f}%"
    if unit is Unit.COUNT:
        return f"{value:,.0f}"
    if unit is Unit.MS:
        return f"{value:.1f} ms"
    if unit is Unit.PERCENT:
        return f"{value:.2f}%"
    return f"{value:.1f}"


def format_goalposts(goalposts: Goalposts, unit: Unit) -> str:
    """``lo → hi`` in the indicator's unit; a population-scaled hi is spelled out."""
    lo = format_value(goalposts.lo, unit)
    hi = goalposts.hi
    if isinstance(hi, ScaledGoalpost):
        scaled = f"{hi.per_million_residents:g} × 常住人口(百万) per million residents"
        text = scaled if hi.at_most is None else f"min({hi.at_most:g}, {scaled})"
        return f"{lo} → {text}"
    return f"{lo} → {format_value(hi, unit)}"
