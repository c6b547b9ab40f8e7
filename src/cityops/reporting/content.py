"""From an evaluation run (and the facts, framework and statements behind it) to the
``ReportContent`` every format renders.  Pure: no files, no database.

The report is about one city: the run's region at level ``city`` (else its
first root region), and its direct children, called districts (区县), in rank
order.  Regions further down are in the workbook's facts, not in the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from cityops.domain.stages import STAGES
from cityops.errors import PipelineError
from cityops.evaluation.engine import ROOT
from cityops.evaluation.framework import Framework
from cityops.evaluation.model import EvaluationRun, RegionResult, RegionUncertainty
from cityops.indicators.catalogue import Catalogue
from cityops.indicators.facts import IndicatorFact
from cityops.messages import Lang
from cityops.reporting.charts import Bar, ReferenceLine, bar_chart_svg
from cityops.reporting.figures import fact_rows, indicator_sections
from cityops.reporting.formatting import format_score
from cityops.reporting.labels import Label, label, labels, named
from cityops.reporting.methodology import methodology
from cityops.reporting.model import (
    Cover,
    DirectionRow,
    RegionRow,
    ReportContent,
    StageRow,
    UncertaintyRow,
)
from cityops.reporting.statements import statement_rows
from cityops.settlement.statement import Statement

__all__ = ["SCORE_EXTENT", "build_report_content", "reported_regions"]

SCORE_EXTENT = (0.0, 100.0)
"""Score charts span the whole 0–100 scale, so bars compare across charts."""


def build_report_content(
    run: EvaluationRun,
    facts: Sequence[IndicatorFact],
    catalogue: Catalogue,
    framework: Framework,
    *,
    city_name: str,
    report_date: date,
    lang: Lang = Lang.ZH,
    statements: Sequence[Statement] = (),
) -> ReportContent:
    """Everything the report of ``run`` says, in ``lang``; ``framework`` must be the one
    the run was made with (same hash), since the appendix describes it."""
    if framework.hash != run.framework_hash:
        raise PipelineError(
            f"run {run.run_id} was made with framework {run.framework_hash[:12]}, "
            f"not {framework.hash[:12]} ({framework.source}); pass the framework file the "
            "run used (--framework)"
        )
    summary, districts = reported_regions(run)
    directions = tuple(d.code for d in framework.directions)
    direction_rows = tuple(
        DirectionRow(
            d.code,
            named(d.name_zh, d.name_en, lang),
            run.weights[ROOT][d.code],
            summary.directions.get(d.code),
        )
        for d in framework.directions
    )
    return ReportContent(
        lang=lang,
        labels=labels(lang),
        cover=Cover(
            city_name=city_name,
            period=run.period,
            run_id=run.run_id,
            report_date=report_date.isoformat(),
            created_at=run.created_at,
            framework_name=run.framework_name,
            framework_hash=run.framework_hash,
            facts_hash=run.facts_hash,
            code_version=run.code_version,
            replications=run.replications,
        ),
        summary=_row(summary, directions, lang),
        strengths=tuple(_indicator_name(catalogue, code, lang) for code in summary.strengths),
        weaknesses=tuple(_indicator_name(catalogue, code, lang) for code in summary.weaknesses),
        directions=direction_rows,
        direction_chart=bar_chart_svg(
            [Bar(row.name.text, row.score, format_score(row.score)) for row in direction_rows],
            extent=SCORE_EXTENT,
            title=label("common.directions", lang).text,
        ),
        stages=_stages(summary, districts, lang),
        districts=tuple(_row(region, directions, lang) for region in districts),
        district_chart=bar_chart_svg(
            [Bar(r.name, r.score, format_score(r.score)) for r in districts],
            lines=[
                ReferenceLine(stage.lower, label(f"stage.{stage.code}", lang).text)
                for stage in STAGES[1:]
            ],
            extent=SCORE_EXTENT,
            title=label("common.districts_ranked", lang).text,
        ),
        sections=indicator_sections(run, facts, catalogue, framework, (summary, *districts), lang),
        facts=fact_rows(run, facts, catalogue, lang),
        uncertainty=tuple(
            _uncertainty(region, spread)
            for region in (summary, *districts)
            if (spread := region.uncertainty) is not None
        ),
        statements=statement_rows(statements, lang),
        methodology=methodology(run, framework, catalogue, lang),
    )


def reported_regions(run: EvaluationRun) -> tuple[RegionResult, tuple[RegionResult, ...]]:
    """The city the report is about (the region at level ``city``, else the first root)
    and its direct children in rank order (unranked last, then by code)."""
    cities = [r for r in run.regions if r.level == "city"]
    roots = [r for r in run.regions if r.parent_code is None]
    if not (cities or roots):
        raise PipelineError(f"run {run.run_id} has no regions to report on")
    summary = (cities or roots)[0]
    children = [r for r in run.regions if r.parent_code == summary.region_code]
    children.sort(key=lambda r: (r.rank is None, r.rank or 0, r.region_code))
    return summary, tuple(children)


def _row(region: RegionResult, directions: Sequence[str], lang: Lang) -> RegionRow:
    return RegionRow(
        region_code=region.region_code,
        name=region.name,
        level=region.level,
        score=region.score,
        stage_code=region.stage,
        stage=label(f"stage.{region.stage}", lang) if region.stage else None,
        rank=region.rank,
        peers=region.peers,
        coverage=region.coverage,
        change=region.change,
        directions=tuple(region.directions.get(code) for code in directions),
    )


def _stages(
    summary: RegionResult, districts: Sequence[RegionResult], lang: Lang
) -> tuple[StageRow, ...]:
    uppers = [stage.lower for stage in STAGES[1:]]
    return tuple(
        StageRow(
            name=label(f"stage.{stage.code}", lang),
            lower=stage.lower,
            upper=upper,
            districts=sum(1 for d in districts if d.stage == stage.code),
            current=summary.stage == stage.code,
        )
        for stage, upper in zip(STAGES, [*uppers, None], strict=True)
    )


def _uncertainty(region: RegionResult, spread: RegionUncertainty) -> UncertaintyRow:
    return UncertaintyRow(
        region_code=region.region_code,
        name=region.name,
        score=region.score,
        score_low=spread.score_low,
        score_median=spread.score_median,
        score_high=spread.score_high,
        rank=region.rank,
        peers=region.peers,
        rank_best=spread.rank_best,
        rank_worst=spread.rank_worst,
        stage_probability=tuple(spread.stage_probability.get(s.code, 0.0) for s in STAGES),
    )


def _indicator_name(catalogue: Catalogue, code: str, lang: Lang) -> Label:
    meta = catalogue.get(code)
    return named(meta.name_zh, meta.name_en, lang)
