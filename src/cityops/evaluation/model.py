"""What an evaluation run holds: per region, the total score, stage, rank, the four
direction scores and every indicator's normalised score."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["EvaluationRun", "RegionResult"]


@dataclass(frozen=True, slots=True)
class RegionResult:
    region_code: str
    level: str
    parent_code: str | None
    name: str
    score: float | None
    """综合得分 0–100; None when no direction has a value."""
    stage: str | None
    """Stage code (``cityops.domain.stages``), None without a score."""
    stage_zh: str | None
    rank: int | None
    """1 = best among regions with the same parent; ties share the lowest rank."""
    peers: int
    """How many regions with the same parent (itself included) have a score."""
    coverage: float
    """Share of the framework's indicators with a value (指标覆盖率)."""
    directions: Mapping[str, float | None]
    indicators: Mapping[str, float | None]
    """Normalised 0–100 score of each framework indicator; None when missing."""
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvaluationRun:
    """An immutable, reproducible evaluation: same inputs and code → same run_id."""

    run_id: str
    period: str
    framework_name: str
    framework_hash: str
    facts_hash: str
    regions_hash: str
    code_version: str
    created_at: str
    """ISO 8601, UTC; the only field that differs between identical re-runs."""
    regions: tuple[RegionResult, ...]

    def region(self, code: str) -> RegionResult:
        for result in self.regions:
            if result.region_code == code:
                return result
        raise KeyError(code)
