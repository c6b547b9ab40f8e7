"""What a report says, once, in the report's language: every renderer (HTML, PDF,
workbook) shows the same ``ReportContent``, so the formats cannot disagree.

Numbers stay numbers here (the workbook needs them); the HTML templates format
them with ``cityops.reporting.formatting``.  Charts are already SVG text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cityops.domain.period import Period
from cityops.indicators.catalogue import Unit
from cityops.messages import Lang
from cityops.reporting.labels import Label
from cityops.settlement.statement import Statement, StatementLine

__all__ = [
    "Cover",
    "DirectionRow",
    "DirectionSection",
    "FactRow",
    "IndicatorFigure",
    "IndicatorMethod",
    "Methodology",
    "NodeMethod",
    "RegionRow",
    "ReportContent",
    "StageRow",
    "StatementLineRow",
    "StatementRow",
    "UncertaintyRow",
]


@dataclass(frozen=True, slots=True)
class Cover:
    city_name: str
    period: Period
    run_id: str
    report_date: str
    """The day the report was made (YYYY-MM-DD, Asia/Shanghai)."""
    created_at: str
    """When the run was evaluated (ISO 8601, UTC)."""
    framework_name: str
    framework_hash: str
    facts_hash: str
    code_version: str
    replications: int


@dataclass(frozen=True, slots=True)
class RegionRow:
    """A region's result as the summary and the district table show it."""

    region_code: str
    name: str
    level: str
    score: float | None
    stage_code: str | None
    stage: Label | None
    rank: int | None
    peers: int
    coverage: float
    change: float | None
    directions: tuple[float | None, ...]
    """Direction scores, in the order of ``ReportContent.directions``."""


@dataclass(frozen=True, slots=True)
class DirectionRow:
    code: str
    name: Label
    weight: float
    """The weight the run used for the direction in the total score."""
    score: float | None
    """The reported city's score in this direction."""


@dataclass(frozen=True, slots=True)
class StageRow:
    name: Label
    lower: float
    upper: float | None
    """Exclusive upper bound; None for the top stage."""
    districts: int
    """How many reported districts are in the stage."""
    current: bool
    """The reported city is in this stage."""


@dataclass(frozen=True, slots=True)
class IndicatorFigure:
    """One indicator: its chart (value per region, goalposts) and what it means."""

    code: str
    name: Label
    content: str
    """The name of its content, in the report's language."""
    unit: Label
    polarity: Label
    goalposts: str
    scaled_goalpost: bool
    """The good goalpost depends on each region's population (not drawn)."""
    weight: float
    """Weight within its content, as the run used it."""
    computed: bool
    """False when the period has no facts for the indicator (not yet computed)."""
    svg: str


@dataclass(frozen=True, slots=True)
class DirectionSection:
    code: str
    name: Label
    figures: tuple[IndicatorFigure, ...]


@dataclass(frozen=True, slots=True)
class FactRow:
    """One indicator fact of one region, with the score the run gave it."""

    indicator: str
    indicator_name: str
    direction: str
    unit: Unit | None
    """None for a fact of an indicator the catalogue does not know."""
    region_code: str
    region_name: str
    level: str
    value: float | None
    numerator: float | None
    denominator: float | None
    score: float | None


@dataclass(frozen=True, slots=True)
class UncertaintyRow:
    region_code: str
    name: str
    score: float | None
    score_low: float
    score_median: float
    score_high: float
    rank: int | None
    peers: int
    rank_best: int
    rank_worst: int
    stage_probability: tuple[float, ...]
    """Share of replications in each stage, in the order of ``ReportContent.stages``."""


@dataclass(frozen=True, slots=True)
class StatementLineRow:
    line: StatementLine
    status: Label
    """The line's status in the report's language."""


@dataclass(frozen=True, slots=True)
class StatementRow:
    """The latest statement of one contract for the period (结算单), its amounts exact."""

    statement: Statement
    status: Label
    """The statement's status in the report's language."""
    lines: tuple[StatementLineRow, ...]


@dataclass(frozen=True, slots=True)
class NodeMethod:
    """How one inner node of the framework combines its children."""

    path: str
    name: str
    weighting: Label
    aggregation: Label
    children: tuple[tuple[str, float], ...]
    """(child name, weight the run used)."""


@dataclass(frozen=True, slots=True)
class IndicatorMethod:
    code: str
    name: Label
    normalisation: Label
    goalposts: str
    target: float | None
    polarity: Label
    imputation: Label
    outliers: Label
    weight_in_content: float
    weight_in_total: float
    """Product of the weights on the path to the root (exact for arithmetic means
    without missing values)."""


@dataclass(frozen=True, slots=True)
class Methodology:
    framework_name: str
    framework_version: int
    coverage_threshold: float
    nodes: tuple[NodeMethod, ...]
    """Root first, then each direction followed by its contents."""
    indicators: tuple[IndicatorMethod, ...]
    weight_noise: float
    uncertainty_methods: tuple[Label, ...]
    """Normalisations, aggregations and imputations a Monte Carlo run draws from."""


@dataclass(frozen=True, slots=True)
class ReportContent:
    lang: Lang
    labels: Mapping[str, Label]
    cover: Cover
    summary: RegionRow
    strengths: tuple[Label, ...]
    weaknesses: tuple[Label, ...]
    directions: tuple[DirectionRow, ...]
    direction_chart: str
    stages: tuple[StageRow, ...]
    districts: tuple[RegionRow, ...]
    district_chart: str
    sections: tuple[DirectionSection, ...]
    facts: tuple[FactRow, ...]
    """Every fact of the period for every region of the run (the workbook's rows)."""
    uncertainty: tuple[UncertaintyRow, ...]
    """Empty when the run has no Monte Carlo analysis."""
    statements: tuple[StatementRow, ...]
    methodology: Methodology
