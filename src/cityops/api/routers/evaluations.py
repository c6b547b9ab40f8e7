"""Evaluation runs and their region tables (``/api/v1/evaluations``).

A run covers every region of the workspace; a caller sees the regions of their
scope only, in the run itself and in its exports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel

from cityops.access.roles import Action, Resource
from cityops.access.scope import Principal
from cityops.api.deps import Allowed, StateDep, not_found
from cityops.api.exports import direction_codes, header, region_rows, to_csv, to_xlsx
from cityops.api.pages import DEFAULT_LIMIT, Limit, Offset, Page
from cityops.evaluation.model import EvaluationRun, RegionResult
from cityops.services.definitions import workspace_framework
from cityops.services.evaluation import find_run, regions_in_scope, saved_runs

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/evaluations", tags=["evaluations"])
Reader = Annotated[Principal, Depends(Allowed(Resource.EVALUATIONS, Action.READ))]
RunId = Annotated[str, Path(pattern=r"^[0-9A-Za-z_-]{1,64}$", description="The run's id.")]

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class EvaluationSummaryPublic(BaseModel):
    run_id: str
    period: str
    created_at: str
    framework_name: str
    framework_hash: str


class UncertaintyPublic(BaseModel):
    score_low: float
    score_median: float
    score_high: float
    rank_best: int
    rank_worst: int
    stage_probability: dict[str, float]
    sobol_first: dict[str, float | None]
    sobol_total: dict[str, float | None]


class RegionResultPublic(BaseModel):
    region_code: str
    level: str
    parent_code: str | None
    name: str
    score: float | None
    stage: str | None
    stage_zh: str | None
    rank: int | None
    peers: int
    coverage: float
    directions: dict[str, float | None]
    contents: dict[str, float | None]
    indicators: dict[str, float | None]
    strengths: list[str]
    weaknesses: list[str]
    imputed: list[str]
    change: float | None
    uncertainty: UncertaintyPublic | None

    @classmethod
    def of(cls, region: RegionResult) -> RegionResultPublic:
        return cls.model_validate(asdict(region))


class EvaluationPublic(EvaluationSummaryPublic):
    facts_hash: str
    regions_hash: str
    code_version: str
    imputed_share: float
    previous_run_id: str | None
    replications: int
    seed: int
    weights: dict[str, dict[str, float]]
    regions: list[RegionResultPublic]
    """The regions in the caller's scope, in the run's (code) order."""


@router.get("", operation_id="list_evaluations", response_model=Page[EvaluationSummaryPublic])
def list_evaluations(
    state: StateDep, _principal: Reader, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
) -> Page[EvaluationSummaryPublic]:
    """The saved evaluation runs, newest first."""
    runs = saved_runs(state.workspace)
    return Page[EvaluationSummaryPublic](
        total=len(runs),
        limit=limit,
        offset=offset,
        items=[_summary(run) for run in runs[offset : offset + limit]],
    )


@router.get("/{run_id}", operation_id="get_evaluation", response_model=EvaluationPublic)
def get_evaluation(run_id: RunId, state: StateDep, principal: Reader) -> EvaluationPublic:
    """One run: how it was made, its weights and the results of the regions in scope."""
    run = _run(state, run_id)
    regions = regions_in_scope(run, state.region_tree(), principal)
    return EvaluationPublic(
        **_summary(run).model_dump(),
        facts_hash=run.facts_hash,
        regions_hash=run.regions_hash,
        code_version=run.code_version,
        imputed_share=run.imputed_share,
        previous_run_id=run.previous_run_id,
        replications=run.replications,
        seed=run.seed,
        weights={node: dict(children) for node, children in run.weights.items()},
        regions=[RegionResultPublic.of(region) for region in regions],
    )


@router.get(
    "/{run_id}/export.csv",
    operation_id="export_evaluation_csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The region table"}},
)
def export_evaluation_csv(run_id: RunId, state: StateDep, principal: Reader) -> Response:
    """The run's region table (regions in scope) as CSV, UTF-8 with a byte-order mark;
    text cells are neutralised against formula injection."""
    return _export(state, principal, run_id, "csv", "text/csv; charset=utf-8", to_csv)


@router.get(
    "/{run_id}/export.xlsx",
    operation_id="export_evaluation_xlsx",
    response_class=Response,
    responses={200: {"content": {_XLSX: {}}, "description": "The region table"}},
)
def export_evaluation_xlsx(run_id: RunId, state: StateDep, principal: Reader) -> Response:
    """The run's region table (regions in scope) as an Excel workbook; text cells are
    neutralised against formula injection."""

    def workbook(titles: list[str], rows: list[list[str | int | float | None]]) -> bytes:
        return to_xlsx(titles, rows, sheet=f"evaluation {run_id}"[:31])

    return _export(state, principal, run_id, "xlsx", _XLSX, workbook)


def _export(
    state: StateDep,
    principal: Principal,
    run_id: str,
    suffix: str,
    media_type: str,
    render: Callable[[list[str], list[list[str | int | float | None]]], bytes],
) -> Response:
    run = _run(state, run_id)
    directions = direction_codes(run)
    rows = region_rows(regions_in_scope(run, state.region_tree(), principal), directions)
    name = f"evaluation-{run.period}-{run.run_id}.{suffix}"
    return Response(
        render(header(directions, workspace_framework(state.workspace)), rows),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _run(state: StateDep, run_id: str) -> EvaluationRun:
    run = find_run(state.workspace, run_id)
    if run is None:
        raise not_found("evaluation", run_id)
    return run


def _summary(run: EvaluationRun) -> EvaluationSummaryPublic:
    return EvaluationSummaryPublic(
        run_id=run.run_id,
        period=run.period,
        created_at=run.created_at,
        framework_name=run.framework_name,
        framework_hash=run.framework_hash,
    )
