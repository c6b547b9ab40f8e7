"""Headline rates of the operations pages, taken from the month's indicator facts.

Where an indicator already defines a figure (coverage, DAU/MAU, 30-minute
response, camera intact rate …), the page shows its fact rather than a second
computation: the stored fact of the month when there is one — the very number
the evaluation and the settlement used — and otherwise the indicator's own
query run now on the page's connection (a month not computed yet).  Each
figure says which (``stored``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel

from cityops.indicators.engine import compute_indicators
from cityops.indicators.facts import IndicatorFact, select_facts
from cityops.operations.month import MonthQuery

__all__ = ["FactFigure", "fact_figures"]


class FactFigure(BaseModel):
    """One indicator's fact for the region and month (its formula: ``docs/indicators.md``)."""

    indicator: str
    value: float | None
    """None when missing, e.g. a ratio whose denominator is 0."""
    numerator: float | None
    denominator: float | None
    stored: bool
    """True: the month's stored fact; false: computed for this answer, none being stored."""


def fact_figures(query: MonthQuery, codes: Sequence[str]) -> Mapping[str, FactFigure]:
    """The facts of ``codes`` for the query's region and month, by indicator code."""
    figures: dict[str, FactFigure] = {}
    facts = query.stored_facts
    if facts is not None:
        for row in select_facts(facts, region=query.region_code).to_pylist():
            if row["indicator"] in codes:
                figures[row["indicator"]] = _figure(IndicatorFact.from_row(row), stored=True)
    missing = [code for code in codes if code not in figures]
    if missing:
        computed = compute_indicators(
            query.con, query.period, missing, catalogue=query.catalogue, night=query.night
        )
        for fact in computed:
            if fact.region_code == query.region_code:
                figures[fact.indicator] = _figure(fact, stored=False)
    return figures


def _figure(fact: IndicatorFact, *, stored: bool) -> FactFigure:
    return FactFigure(
        indicator=fact.indicator,
        value=fact.value,
        numerator=fact.numerator,
        denominator=fact.denominator,
        stored=stored,
    )
