"""Evaluation use cases (运营评价): evaluate a month's stored facts with a framework and
save the run; list, find and scope the saved runs (each file parsed once per
version).

Runs in an older file format cannot be read by this version (see
``cityops.evaluation.store``); they are left out of lists, and asking for one
by id says to evaluate its period again.
"""

from __future__ import annotations

from pathlib import Path

from cityops.access.scope import Principal, RegionTree
from cityops.domain.contract import table
from cityops.domain.period import Period
from cityops.errors import PipelineError
from cityops.evaluation.engine import evaluate
from cityops.evaluation.model import EvaluationRun, RegionResult
from cityops.evaluation.regions import regions_from_arrow
from cityops.evaluation.store import latest_run, load_run, previous_run, run_path, save_run
from cityops.register.store import read_current
from cityops.services.definitions import workspace_framework
from cityops.services.file_cache import FileCache
from cityops.services.indicators import period_facts
from cityops.services.unit_of_work import UnitOfWork
from cityops.workspace.workspace import Workspace

__all__ = [
    "evaluate_period",
    "find_run",
    "latest_run_of",
    "regions_in_scope",
    "run_or_latest",
    "saved_runs",
]


def evaluate_period(
    uow: UnitOfWork,
    period: Period,
    *,
    framework_path: Path | None = None,
    replications: int = 0,
) -> tuple[EvaluationRun, Path]:
    """Evaluate the stored facts of ``period`` with the framework at ``framework_path``
    (default: the workspace's), against the previous month's run when the workspace
    has one made with the same framework, with ``replications`` Monte Carlo runs;
    save the run."""
    facts = period_facts(uow, period)
    regions = regions_from_arrow(read_current(uow.register, table("regions")))
    framework = workspace_framework(uow.workspace, framework_path)
    runs_dir = uow.workspace.runs_dir
    run = evaluate(
        facts,
        regions,
        period=period,
        framework=framework,
        previous=previous_run(runs_dir, period, framework.hash),
        replications=replications,
    )
    return run, save_run(runs_dir, run)


def _readable(path: Path) -> EvaluationRun | None:
    try:
        return load_run(path)
    except PipelineError:
        return None


_RUNS: FileCache[EvaluationRun | None] = FileCache(_readable, capacity=512)


def _cached(path: Path) -> EvaluationRun | None:
    try:
        return _RUNS.get(path)
    except FileNotFoundError:  # removed since it was listed
        return None


def saved_runs(workspace: Workspace) -> list[EvaluationRun]:
    """Every readable run, newest first (by creation, then id)."""
    found = workspace.runs_dir.glob("*.json")
    runs = [run for path in found if (run := _cached(path)) is not None]
    return sorted(runs, key=lambda run: (run.created_at, run.run_id), reverse=True)


def find_run(workspace: Workspace, run_id: str) -> EvaluationRun | None:
    """The run ``run_id`` (None: no such run); one this version cannot read is a
    :class:`PipelineError` saying what to do."""
    path = run_path(workspace.runs_dir, run_id)
    if not path.is_file():
        return None
    run = _cached(path)
    if run is None:
        raise PipelineError(
            f"evaluation run {run_id} was written in a file format this version of cityops "
            "does not read; evaluate its period again with `cityops evaluate`"
        )
    return run


def latest_run_of(workspace: Workspace, period: Period) -> EvaluationRun | None:
    """The most recently created readable run of ``period``, if any."""
    return next((run for run in saved_runs(workspace) if run.period == period), None)


def run_or_latest(workspace: Workspace, run_id: str | None) -> EvaluationRun:
    """The run ``run_id``, or the most recently created one; none is an error that says
    what to run."""
    if run_id is None:
        return latest_run(workspace.runs_dir)
    return load_run(run_path(workspace.runs_dir, run_id))


def regions_in_scope(
    run: EvaluationRun, tree: RegionTree, principal: Principal
) -> list[RegionResult]:
    """The run's regions that ``principal`` may see, in the run's order."""
    return [region for region in run.regions if tree.visible_to(principal, region.region_code)]
