"""Evaluation runs and their region tables (``/api/v1/evaluations``).

A run covers every region of the workspace; a caller sees the regions of their
scope only, in the run itself and in its exports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from cityops.access.roles import Action, Resource
from cityops.access.scope import Principal
from cityops.api.deps import Allowed, StateDep, not_found
from cityops.api.exports import direction_codes, header, region_rows, to_csv, to_xlsx
from cityops.api.pages import DEFAULT_LIMIT, Limit, Offset, Page
from cityops.evaluation.model import EvaluationRun
from cityops.public import Public, derived_from
from cityops.services.definitions import workspace_framework
from cityops.services.evaluation import find_run, regions_in_scope, saved_runs

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/evaluations", tags=["evaluations"])
Reader = Annotated[Principal, Depends(Allowed(Resource.EVALUATIONS, Action.READ))]
RunId = Annotated[str, Path(pattern=r"^[0-9A-Za-z_-]{1,64}$", description="The run's id.")]

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@derived_from(
    EvaluationRun, fields=("run_id", "period", "created_at", "framework_name", "framework_hash")
)
class EvaluationSummaryPublic(Public):
    """A run in the list of runs: which month, when, with which framework."""


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
        items=[EvaluationSummaryPublic.of(run) for run in runs[offset : offset + limit]],
    )


@router.get("/{run_id}", operation_id="get_evaluation", response_model=EvaluationRun)
def get_evaluation(run_id: RunId, state: StateDep, principal: Reader) -> EvaluationRun:
    """One run: how it was made, its weights and the results of the regions in scope."""
    run = _run(state, run_id)
    return replace(run, regions=tuple(regions_in_scope(run, state.region_tree(), principal)))


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
