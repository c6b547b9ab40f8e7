"""The dashboard overview of one region (``/api/v1/regions/{region_code}/summary``).

Everyone who may read indicators gets the key figures; the evaluation part
(score, stage, rank, direction scores) is filled only for roles that may
read evaluations, and is null for the others (a department, 委办局).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from cityops.access.roles import Action, Resource, allows
from cityops.access.scope import Principal
from cityops.api.deps import Allowed, OptionalPeriodQuery, StateDep, not_found, require_in_scope
from cityops.evaluation.model import RegionResult
from cityops.public import Public, derived_from
from cityops.services.summary import KEY_FIGURES, KeyFigure, RegionSummary, region_summary
from cityops.types import RegionCode

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/regions", tags=["regions"])
Reader = Annotated[Principal, Depends(Allowed(Resource.INDICATORS, Action.READ))]


@derived_from(
    RegionResult,
    fields=(
        "run_id",
        "created_at",
        "score",
        "stage",
        "stage_zh",
        "rank",
        "peers",
        "change",
        "directions",
    ),
)
class RegionEvaluationPublic(Public):
    """The region's result in the latest run of the month, and which run that is."""

    run_id: str
    created_at: str


@derived_from(KeyFigure, fields=("key", "label_zh", "label_en", "indicator", "part", "unit"))
class KeyFigurePublic(Public):
    """A key figure and its value for the region and month (null: the fact has none)."""

    value: float | None


@derived_from(RegionSummary, fields=("region_code", "period", "months"))
class RegionSummaryPublic(Public):
    """A region's month at a glance; ``period`` is null when no month has facts yet, and
    ``months`` lists every month with facts, oldest first."""

    evaluation: RegionEvaluationPublic | None
    figures: list[KeyFigurePublic]


def _public(summary: RegionSummary) -> RegionSummaryPublic:
    result, run = summary.result, summary.run
    evaluation = None
    if result is not None and run is not None:
        evaluation = RegionEvaluationPublic.of(result, run_id=run.run_id, created_at=run.created_at)
    figures = [
        KeyFigurePublic.of(figure, value=summary.figures[figure.key]) for figure in KEY_FIGURES
    ]
    return RegionSummaryPublic.of(summary, evaluation=evaluation, figures=figures)


@router.get(
    "/{region_code}/summary",
    operation_id="get_region_summary",
    response_model=RegionSummaryPublic,
)
def get_region_summary(
    region_code: Annotated[str, Path(max_length=20)],
    state: StateDep,
    principal: Reader,
    period: OptionalPeriodQuery = None,
) -> RegionSummaryPublic:
    """A region's month at a glance: its latest evaluation of the month (score, stage,
    rank among its peers, the four direction scores), key figures from the facts
    (daily and monthly active users, 30-minute response rate, camera intact rate,
    leak incidents) and the months that have facts.  Without ``period``: the latest
    month with facts."""
    require_in_scope(state, principal, region_code, "region", region_code)
    if region_code not in state.region_tree().parents:
        raise not_found("region", region_code)
    summary = region_summary(
        state.workspace,
        RegionCode(region_code),
        period,
        with_evaluation=allows(principal.role, Resource.EVALUATIONS, Action.READ),
    )
    if summary is None:
        raise not_found("facts or evaluation of period", str(period))
    return _public(summary)
