"""What an evaluation run holds: per region, the total score, stage, rank, the score of
every node of the framework, every indicator's normalised score, what was imputed,
the change against the previous period and, when asked for, the uncertainty."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cityops.domain.period import Period
from cityops.types import IndicatorCode, RegionCode

__all__ = ["EvaluationRun", "RegionResult", "RegionUncertainty"]


@dataclass(frozen=True, slots=True)
class RegionUncertainty:
    """The Monte Carlo spread of a region's result (``cityops evaluate --uncertainty N``)."""

    score_low: float
    """5th percentile of the score over the replications."""
    score_median: float
    score_high: float
    """95th percentile."""
    rank_best: int
    """Best rank among peers (5th percentile of the rank, 1 = best)."""
    rank_worst: int
    """Worst rank among peers (95th percentile)."""
    stage_probability: Mapping[str, float]
    """Stage code → share of replications in that stage."""
    sobol_first: Mapping[str, float | None]
    """Assumption → first-order Sobol index of the score (None: the score does not vary)."""
    sobol_total: Mapping[str, float | None]


@dataclass(frozen=True, slots=True)
class RegionResult:
    region_code: RegionCode
    level: str
    parent_code: RegionCode | None
    name: str
    score: float | None
    """综合得分 0–100; None when not scored (too little data)."""
    stage: str | None
    """Stage code (``cityops.domain.stages``), None without a score."""
    stage_zh: str | None
    rank: int | None
    """1 = best among regions with the same parent; ties share the lowest rank."""
    peers: int
    """How many regions with the same parent (itself included) have a score."""
    coverage: float
    """Share of the measured indicators (those with a value for some region) that this
    region has (数据覆盖率); below the framework's threshold the region is not scored."""
    directions: Mapping[str, float | None]
    contents: Mapping[str, float | None]
    """Score of every content node, by path ``direction/content``."""
    indicators: Mapping[IndicatorCode, float | None]
    """Normalised 0–100 score of each framework indicator (imputed ones included); None
    when missing and not imputed."""
    strengths: tuple[IndicatorCode, ...]
    weaknesses: tuple[IndicatorCode, ...]
    imputed: tuple[IndicatorCode, ...]
    """Indicators whose score was imputed for this region."""
    change: float | None
    """Score minus the score of the previous period's run (None: no previous score)."""
    uncertainty: RegionUncertainty | None


@dataclass(frozen=True, slots=True)
class EvaluationRun:
    """An immutable, reproducible evaluation: same inputs and code → same run_id."""

    run_id: str
    period: Period
    created_at: str
    """ISO 8601, UTC; the only field that differs between identical re-runs."""
    framework_name: str
    framework_hash: str
    facts_hash: str
    regions_hash: str
    code_version: str
    imputed_share: float
    """Share of the scored regions' measured indicator values that were imputed."""
    previous_run_id: str | None
    """The run of the previous period that ``change`` compares with."""
    replications: int
    """Monte Carlo replications (0: no uncertainty analysis)."""
    seed: int
    weights: Mapping[str, Mapping[str, float]]
    """Node path → child → the weight used (data-driven weights as computed)."""
    regions: tuple[RegionResult, ...]

    def region(self, code: str) -> RegionResult:
        for result in self.regions:
            if result.region_code == code:
                return result
        raise KeyError(code)
