"""The overview of one region for one month, as the console's dashboard shows it:
the months with facts, the latest evaluation of the month for the region, and a
few key figures read from the facts.

It is asked for on every page view, so everything it reads is parsed once per
file version (``FileCache``): the key figures of a facts file are indexed by
region when the file is first read, and runs come from ``evaluation.saved_runs``.

The key figures are parts of stored facts (the indicator catalogue, ``docs/indicators.md``):

* daily active users: the numerator of ``effect.dau_mau``, the mean over the
  days of the month of distinct active users a day (日活, 月均); monthly
  active users are its denominator (月活);
* ``capability.response_30min_rate``, ``infra.camera_intact_rate`` and
  ``security.leak_incidents``: their values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from cityops.domain.period import Period
from cityops.evaluation.model import EvaluationRun, RegionResult
from cityops.messages import text
from cityops.services.evaluation import latest_run_of
from cityops.services.file_cache import FileCache
from cityops.services.indicators import facts_at, periods_with_facts
from cityops.types import IndicatorCode, RegionCode
from cityops.workspace.workspace import Workspace

__all__ = ["KEY_FIGURES", "FactPart", "KeyFigure", "RegionSummary", "region_summary"]


class FactPart(StrEnum):
    VALUE = "value"
    NUMERATOR = "numerator"
    DENOMINATOR = "denominator"


@dataclass(frozen=True, slots=True)
class KeyFigure:
    """A figure of the dashboard: one part of one indicator's fact."""

    key: str
    indicator: IndicatorCode
    part: FactPart
    label: str
    """The message that names it (``cityops.messages``)."""
    unit: str

    @property
    def label_zh(self) -> str:
        return text(self.label).zh

    @property
    def label_en(self) -> str:
        return text(self.label).en


KEY_FIGURES: tuple[KeyFigure, ...] = (
    KeyFigure("dau", IndicatorCode("effect.dau_mau"), FactPart.NUMERATOR, "portal.dau", "count"),
    KeyFigure("mau", IndicatorCode("effect.dau_mau"), FactPart.DENOMINATOR, "portal.mau", "count"),
    KeyFigure(
        "response_30min_rate",
        IndicatorCode("capability.response_30min_rate"),
        FactPart.VALUE,
        "hotline.response_30min",
        "ratio",
    ),
    KeyFigure(
        "camera_intact_rate",
        IndicatorCode("infra.camera_intact_rate"),
        FactPart.VALUE,
        "infra.intact_rate",
        "ratio",
    ),
    KeyFigure(
        "leak_incidents",
        IndicatorCode("security.leak_incidents"),
        FactPart.VALUE,
        "infra.leaks",
        "count",
    ),
)

_Figures = Mapping[str, Mapping[str, float | None]]
"""Region code → key figure → its value (None: the fact has no such value)."""


@dataclass(frozen=True, slots=True)
class RegionSummary:
    region_code: RegionCode
    period: Period | None
    """The month summarised: the one asked for, else the latest with facts."""
    months: tuple[Period, ...]
    """Every month with facts, oldest first."""
    run: EvaluationRun | None
    """The latest run of the month (None: none, or the caller may not see evaluations)."""
    result: RegionResult | None
    """The region's result in ``run``."""
    figures: Mapping[str, float | None]
    """Key figure → value (absent figures are None)."""


def _index_figures(path: Path) -> _Figures:
    """The key figures of every region in the facts file at ``path``."""
    facts = facts_at(path)
    codes = pa.array(sorted({figure.indicator for figure in KEY_FIGURES}), pa.string())
    wanted = facts.filter(pc.is_in(facts["indicator"], value_set=codes)).to_pylist()
    by_region: dict[str, dict[str, float | None]] = {}
    for fact in wanted:
        figures = by_region.setdefault(fact["region_code"], {})
        for figure in KEY_FIGURES:
            if figure.indicator == fact["indicator"]:
                figures[figure.key] = fact[figure.part.value]
    return by_region


_FIGURES: FileCache[_Figures] = FileCache(_index_figures)


def region_summary(
    workspace: Workspace, region_code: RegionCode, period: Period | None, *, with_evaluation: bool
) -> RegionSummary | None:
    """The summary of ``region_code`` for ``period`` (None: the latest month with
    facts); None when that month has neither facts nor a run."""
    months = tuple(periods_with_facts(workspace))
    chosen = period or (months[-1] if months else None)
    figures: Mapping[str, float | None] = {}
    if chosen is not None and chosen in months:
        try:
            figures = _FIGURES.get(workspace.facts_path(chosen)).get(region_code, {})
        except FileNotFoundError:  # removed since it was listed
            figures = {}
    run = latest_run_of(workspace, chosen) if chosen is not None else None
    if period is not None and period not in months and run is None:
        return None
    visible_run = run if with_evaluation else None
    regions = visible_run.regions if visible_run is not None else ()
    result = next((r for r in regions if r.region_code == region_code), None)
    return RegionSummary(
        region_code=region_code,
        period=chosen,
        months=months,
        run=visible_run,
        result=result,
        figures={figure.key: figures.get(figure.key) for figure in KEY_FIGURES},
    )
