"""The HTML report: a view of one evaluation run, rendered with Jinja2 (autoescaped).

One self-contained file: inline CSS, bars drawn with CSS widths, no scripts,
no external resources, so it can be mailed or archived as is.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from cityops.domain.stages import STAGES
from cityops.errors import PipelineError
from cityops.evaluation.framework import Framework, load_framework
from cityops.evaluation.model import EvaluationRun, RegionResult
from cityops.indicators.catalogue import Catalogue, Direction
from cityops.indicators.facts import IndicatorFact
from cityops.reporting.formatting import (
    UNIT_LABELS,
    format_goalposts,
    format_score,
    format_value,
)

__all__ = ["render_html_report", "write_html_report"]


@dataclass(frozen=True, slots=True)
class _Cell:
    value: str
    score: str


@dataclass(frozen=True, slots=True)
class _IndicatorRow:
    code: str
    name_zh: str
    name_en: str
    unit: str
    goalposts: str
    weight: str
    computed: bool
    cells: tuple[_Cell, ...]


def render_html_report(
    run: EvaluationRun,
    facts: Sequence[IndicatorFact],
    catalogue: Catalogue,
    *,
    city_name: str,
    framework: Framework | None = None,
) -> str:
    """The report of ``run`` as one HTML document (``facts`` give the raw values)."""
    framework = framework or load_framework(catalogue=catalogue)
    if framework.hash != run.framework_hash:
        raise PipelineError(
            f"run {run.run_id} was made with framework {run.framework_hash[:12]}, "
            f"not {framework.hash[:12]}; pass the framework the run used"
        )
    summary = _summary_region(run)
    districts = _children(run, summary.region_code)
    columns = (summary, *districts)
    values = {(f.indicator, f.region_code): f.value for f in facts if f.period == run.period}
    computed = {f.indicator for f in facts}
    env = Environment(
        loader=PackageLoader("cityops.reporting", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
    )
    env.filters["score"] = format_score
    template = env.get_template("report.html.j2")
    return template.render(
        run=run,
        city_name=city_name,
        summary=summary,
        districts=districts,
        columns=columns,
        directions=[
            (direction, catalogue.directions[direction], framework.direction_weights[direction])
            for direction in Direction
        ],
        tables=_indicator_tables(catalogue, framework, columns, values, computed),
        stages=STAGES,
        names={meta.code: meta.name_zh for meta in catalogue.indicators},
    )


def write_html_report(path: Path, html: str) -> Path:
    """Write the report atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(html, encoding="utf-8")
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def _summary_region(run: EvaluationRun) -> RegionResult:
    """The city the report is about: the region at city level, else the first root."""
    for level in ("city", None):
        for region in run.regions:
            if region.level == level or (level is None and region.parent_code is None):
                return region
    raise PipelineError(f"run {run.run_id} has no regions to report on")


def _children(run: EvaluationRun, parent: str) -> tuple[RegionResult, ...]:
    """Direct children in rank order (unranked last, then by code)."""
    children = [r for r in run.regions if r.parent_code == parent]
    return tuple(sorted(children, key=lambda r: (r.rank is None, r.rank or 0, r.region_code)))


def _indicator_tables(
    catalogue: Catalogue,
    framework: Framework,
    columns: Sequence[RegionResult],
    values: Mapping[tuple[str, str], float | None],
    computed: set[str],
) -> list[tuple[Direction, Any, list[_IndicatorRow]]]:
    tables = []
    for direction in Direction:
        rows = []
        for leaf in framework.indicators:
            if leaf.direction is not direction:
                continue
            meta = catalogue.get(leaf.code)
            cells = tuple(
                _Cell(
                    format_value(values.get((leaf.code, region.region_code)), meta.unit),
                    format_score(region.indicators.get(leaf.code)),
                )
                for region in columns
            )
            rows.append(
                _IndicatorRow(
                    leaf.code,
                    meta.name_zh,
                    meta.name_en,
                    UNIT_LABELS[meta.unit],
                    format_goalposts(leaf.goalposts, meta.unit),
                    f"{leaf.weight:g}",
                    leaf.code in computed,
                    cells,
                )
            )
        tables.append((direction, catalogue.directions[direction], rows))
    return tables
