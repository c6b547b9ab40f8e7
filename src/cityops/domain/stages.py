"""Development stages of a city by total score (新型智慧城市发展报告2017).

准备期 [0, 55) · 起步期 [55, 70) · 成长期 [70, 85) · 成熟期 [85, 100].
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["STAGES", "Stage", "stage_of"]


@dataclass(frozen=True, slots=True)
class Stage:
    code: str
    name_zh: str
    name_en: str
    lower: float
    """The lowest score in the stage (inclusive)."""


STAGES: tuple[Stage, ...] = (
    Stage("preparation", "准备期", "preparation", 0.0),
    Stage("starting", "起步期", "starting", 55.0),
    Stage("growing", "成长期", "growing", 70.0),
    Stage("mature", "成熟期", "mature", 85.0),
)


def stage_of(score: float) -> Stage:
    """The stage whose interval holds ``score``; each lower bound is inclusive."""
    found = STAGES[0]
    for stage in STAGES:
        if score >= stage.lower:
            found = stage
    return found
