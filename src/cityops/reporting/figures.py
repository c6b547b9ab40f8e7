"""The indicator part of a report: a chart per framework indicator (value per
reported region, goalposts as reference lines) and the rows of every fact."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cityops.evaluation.framework import Framework, FrameworkIndicator
from cityops.evaluation.model import EvaluationRun, RegionResult
from cityops.indicators.catalogue import Catalogue, IndicatorMeta, ScaledGoalpost
from cityops.indicators.facts import IndicatorFact
from cityops.messages import Lang
from cityops.reporting.charts import Bar, ReferenceLine, bar_chart_svg
from cityops.reporting.formatting import (
    display_value,
    format_goalposts,
    format_score,
    format_value,
)
from cityops.reporting.labels import label, named
from cityops.reporting.model import DirectionSection, FactRow, IndicatorFigure
from cityops.types import IndicatorCode, RegionCode

__all__ = ["fact_rows", "indicator_sections"]


def indicator_sections(
    run: EvaluationRun,
    facts: Sequence[IndicatorFact],
    catalogue: Catalogue,
    framework: Framework,
    columns: Sequence[RegionResult],
    lang: Lang,
) -> tuple[DirectionSection, ...]:
    """Per direction, the figure of each of its framework indicators over ``columns``."""
    by_key = {(f.indicator, f.region_code): f for f in facts if f.period == run.period}
    computed = {f.indicator for f in facts if f.period == run.period}
    sections = []
    for direction in framework.directions:
        contents = {c.path: named(c.name_zh, c.name_en, lang).text for c in direction.contents}
        figures = tuple(
            _figure(
                leaf,
                catalogue.get(leaf.code),
                contents[f"{leaf.direction}/{leaf.content}"],
                run,
                by_key,
                columns,
                computed=leaf.code in computed,
                lang=lang,
            )
            for leaf in framework.indicators
            if leaf.direction == direction.code
        )
        name = named(direction.name_zh, direction.name_en, lang)
        sections.append(DirectionSection(direction.code, name, figures))
    return tuple(sections)


def fact_rows(
    run: EvaluationRun, facts: Sequence[IndicatorFact], catalogue: Catalogue, lang: Lang
) -> tuple[FactRow, ...]:
    """Every fact of the run's period for a region of the run, in catalogue order then
    region code, with the normalised score the run gave it (None outside the framework)."""
    regions = {region.region_code: region for region in run.regions}
    order = {code: position for position, code in enumerate(catalogue.codes)}
    kept = sorted(
        (f for f in facts if f.period == run.period and f.region_code in regions),
        key=lambda f: (order.get(f.indicator, len(order)), f.indicator, f.region_code),
    )
    metas = {meta.code: meta for meta in catalogue.indicators}
    rows = []
    for fact in kept:
        meta = metas.get(fact.indicator)
        region = regions[fact.region_code]
        name = named(meta.name_zh, meta.name_en, lang).text if meta else fact.indicator
        rows.append(
            FactRow(
                indicator=fact.indicator,
                indicator_name=name,
                direction=meta.direction if meta else "",
                unit=meta.unit if meta else None,
                region_code=fact.region_code,
                region_name=region.name,
                level=region.level,
                value=fact.value,
                numerator=fact.numerator,
                denominator=fact.denominator,
                score=region.indicators.get(fact.indicator),
            )
        )
    return tuple(rows)


def _figure(
    leaf: FrameworkIndicator,
    meta: IndicatorMeta,
    content: str,
    run: EvaluationRun,
    facts: Mapping[tuple[IndicatorCode, RegionCode], IndicatorFact],
    columns: Sequence[RegionResult],
    *,
    computed: bool,
    lang: Lang,
) -> IndicatorFigure:
    """The figure of ``leaf``, whose content is named ``content`` in ``lang``."""
    name = named(meta.name_zh, meta.name_en, lang)
    bars = []
    for region in columns:
        fact = facts.get((leaf.code, region.region_code))
        value = None if fact is None else fact.value
        score = region.indicators.get(leaf.code)
        text = format_value(value, meta.unit)
        if value is not None:
            text += f" ({format_score(score)})"
        bars.append(
            Bar(region.name, None if value is None else display_value(value, meta.unit), text)
        )
    scaled = isinstance(leaf.goalposts.hi, ScaledGoalpost)
    lines = [_line("report.goal_lo", leaf.goalposts.lo, meta, lang)]
    if not isinstance(leaf.goalposts.hi, ScaledGoalpost):
        lines.append(_line("report.goal_hi", leaf.goalposts.hi, meta, lang))
    svg = bar_chart_svg(bars, lines=lines, title=name.text) if computed else ""
    return IndicatorFigure(
        code=leaf.code,
        name=name,
        content=content,
        unit=label(f"unit.{meta.unit}", lang),
        polarity=label(f"polarity.{leaf.polarity}", lang),
        goalposts=format_goalposts(leaf.goalposts, meta.unit, lang),
        scaled_goalpost=scaled,
        weight=run.weights[f"{leaf.direction}/{leaf.content}"][leaf.code],
        computed=computed,
        svg=svg,
    )


def _line(key: str, value: float, meta: IndicatorMeta, lang: Lang) -> ReferenceLine:
    """A goalpost line, labelled in the report's language only (the chart is small)."""
    words = label(key, lang).text
    return ReferenceLine(
        display_value(value, meta.unit), f"{words} {format_value(value, meta.unit)}"
    )
