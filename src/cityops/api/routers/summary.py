"""The dashboard overview of one region (``/api/v1/regions/{region_code}/summary``).

Everyone who may read indicators gets the key figures; the evaluation part
(score, stage, rank, direction scores) is filled only for roles that may
read evaluations, and is null for the others (a department, 委办局).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from cityops.access.roles import Action, Resource, allows
from cityops.access.scope import Principal
from cityops.api.deps import Allowed, StateDep, not_found, require_in_scope
from cityops.services.summary import KEY_FIGURES, RegionSummary, region_summary

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/regions", tags=["regions"])
Reader = Annotated[Principal, Depends(Allowed(Resource.INDICATORS, Action.READ))]
PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class RegionEvaluationPublic(BaseModel):
    run_id: str
    created_at: str
    score: float | None
    stage: str | None
    stage_zh: str | None
    rank: int | None
    peers: int
    change: float | None
    directions: dict[str, float | None]


class KeyFigurePublic(BaseModel):
    key: str
    label_zh: str
    label_en: str
    indicator: str
    part: str
    """Which part of the indicator's fact: value, numerator or denominator."""
    unit: str
    value: float | None


class RegionSummaryPublic(BaseModel):
    region_code: str
    period: str | None
    """The month summarised (null: no month has facts yet)."""
    months: list[str]
    """Every month with facts, oldest first."""
    evaluation: RegionEvaluationPublic | None
    figures: list[KeyFigurePublic]

    @classmethod
    def of(cls, summary: RegionSummary) -> RegionSummaryPublic:
        result, run = summary.result, summary.run
        evaluation = None
        if result is not None and run is not None:
            evaluation = RegionEvaluationPublic(
                run_id=run.run_id,
                created_at=run.created_at,
                score=result.score,
                stage=result.stage,
                stage_zh=result.stage_zh,
                rank=result.rank,
                peers=result.peers,
                change=result.change,
                directions=dict(result.directions),
            )
        return cls(
            region_code=summary.region_code,
            period=summary.period,
            months=list(summary.months),
            evaluation=evaluation,
            figures=[
                KeyFigurePublic(
                    key=figure.key,
                    label_zh=figure.label_zh,
                    label_en=figure.label_en,
                    indicator=figure.indicator,
                    part=figure.part.value,
                    unit=figure.unit,
                    value=summary.figures[figure.key],
                )
                for figure in KEY_FIGURES
            ],
        )


@router.get(
    "/{region_code}/summary",
    operation_id="get_region_summary",
    response_model=RegionSummaryPublic,
)
def get_region_summary(
    region_code: Annotated[str, Path(max_length=20)],
    state: StateDep,
    principal: Reader,
    period: Annotated[
        str | None,
        Query(pattern=PERIOD_PATTERN, description="A month, YYYY-MM (default: the latest)."),
    ] = None,
) -> RegionSummaryPublic:
    """A region's month at a glance: its latest evaluation of the month (score, stage,
    rank among its peers, the four direction scores), key figures from the facts
    (daily and monthly active users, 30-minute response rate, camera intact rate,
    leak incidents) and the months that have facts."""
    require_in_scope(state, principal, region_code, "region", region_code)
    if region_code not in state.region_tree().parents:
        raise not_found("region", region_code)
    summary = region_summary(
        state.workspace,
        region_code,
        period,
        with_evaluation=allows(principal.role, Resource.EVALUATIONS, Action.READ),
    )
    if summary is None:
        raise not_found("facts or evaluation of period", str(period))
    return RegionSummaryPublic.of(summary)
