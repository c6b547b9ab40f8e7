"""Runs on disk: ``<workspace>/runs/<run_id>.json``, written once, never changed.

Saving a run whose id already exists is fine when it holds the same results
(a re-run of the same inputs; the first file and its ``created_at`` stay), and
an error when the results differ, since a run id must always mean one result.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from cityops.errors import PipelineError
from cityops.evaluation.model import EvaluationRun, RegionResult, RegionUncertainty

__all__ = ["latest_run", "load_run", "previous_run", "run_path", "save_run"]


def run_path(runs_dir: Path, run_id: str) -> Path:
    return runs_dir / f"{run_id}.json"


def save_run(runs_dir: Path, run: EvaluationRun) -> Path:
    """Write ``run`` (atomically) unless the same run is already saved."""
    path = run_path(runs_dir, run.run_id)
    if path.exists():
        saved = load_run(path)
        if replace(saved, created_at=run.created_at) != run:
            raise PipelineError(
                f"run {run.run_id} already exists at {path} with different results; "
                "runs are immutable: remove the file only if you know why it differs"
            )
        return path
    runs_dir.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(
            json.dumps(asdict(run), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def load_run(path: Path) -> EvaluationRun:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        regions = tuple(_region(region) for region in data.pop("regions"))
        return EvaluationRun(**data, regions=regions)
    except (OSError, json.JSONDecodeError, TypeError, KeyError) as error:
        raise PipelineError(f"cannot read evaluation run {path}: {error}") from error


def _region(region: dict[str, Any]) -> RegionResult:
    """A region's result from JSON: lists back to tuples, the uncertainty back to its class."""
    spread = region.pop("uncertainty")
    return RegionResult(
        **region
        | {
            "strengths": tuple(region["strengths"]),
            "weaknesses": tuple(region["weaknesses"]),
            "imputed": tuple(region["imputed"]),
            "uncertainty": None if spread is None else RegionUncertainty(**spread),
        }
    )


def previous_run(runs_dir: Path, period: str, framework_hash: str) -> EvaluationRun | None:
    """The latest run of the month before ``period`` made with the same framework, if any
    (only such a run is comparable for the change against the previous period)."""
    from cityops.domain.period import Period

    wanted = str(Period.parse(period).plus(-1))
    runs = [
        run
        for run in (load_run(p) for p in sorted(runs_dir.glob("*.json")))
        if run.period == wanted and run.framework_hash == framework_hash
    ]
    return max(runs, key=lambda run: (run.created_at, run.run_id)) if runs else None


def latest_run(runs_dir: Path) -> EvaluationRun:
    """The most recently created run; none saved yet says what to run."""
    runs = [load_run(path) for path in sorted(runs_dir.glob("*.json"))]
    if not runs:
        raise PipelineError(f"no evaluation runs in {runs_dir}; run `cityops evaluate` first")
    return max(runs, key=lambda run: (run.created_at, run.run_id))
