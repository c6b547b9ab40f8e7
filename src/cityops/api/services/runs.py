"""Saved evaluation runs (``runs/<run_id>.json``) for the API, each file parsed once
per version (``FileCache``): listing them, finding one, and the latest of a month.

Runs in an older file format cannot be read by this version (see
``cityops.evaluation.store``); they are left out of lists, and asking for one
by id says to evaluate its period again.
"""

from __future__ import annotations

from pathlib import Path

from cityops.access.scope import Principal, RegionTree
from cityops.api.services.file_cache import FileCache
from cityops.errors import PipelineError
from cityops.evaluation.model import EvaluationRun, RegionResult
from cityops.evaluation.store import load_run, run_path

__all__ = ["find_run", "latest_run_of", "regions_in_scope", "saved_runs"]


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


def saved_runs(runs_dir: Path) -> list[EvaluationRun]:
    """Every readable run, newest first (by creation, then id)."""
    runs = [run for path in runs_dir.glob("*.json") if (run := _cached(path)) is not None]
    return sorted(runs, key=lambda run: (run.created_at, run.run_id), reverse=True)


def find_run(runs_dir: Path, run_id: str) -> EvaluationRun | None:
    """The run ``run_id`` (None: no such run); one this version cannot read is a
    :class:`PipelineError` saying what to do."""
    path = run_path(runs_dir, run_id)
    if not path.is_file():
        return None
    run = _cached(path)
    if run is None:
        raise PipelineError(
            f"evaluation run {run_id} was written in a file format this version of cityops "
            "does not read; evaluate its period again with `cityops evaluate`"
        )
    return run


def latest_run_of(runs_dir: Path, period: str) -> EvaluationRun | None:
    """The most recently created readable run of ``period``, if any."""
    return next((run for run in saved_runs(runs_dir) if run.period == period), None)


def regions_in_scope(
    run: EvaluationRun, tree: RegionTree, principal: Principal
) -> list[RegionResult]:
    """The run's regions that ``principal`` may see, in the run's order."""
    return [region for region in run.regions if tree.visible_to(principal, region.region_code)]
