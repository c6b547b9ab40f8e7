"""Runs on disk: ``<workspace>/runs/<run_id>.json``, written once, never changed.

Saving a run whose id already exists is fine when it holds the same results
(a re-run of the same inputs; the first file and its ``created_at`` stay), and
an error when the results differ, since a run id must always mean one result.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from cityops.domain.period import Period
from cityops.errors import ConfigError, PipelineError
from cityops.evaluation.model import EvaluationRun, RegionResult, RegionUncertainty

__all__ = ["latest_run", "load_run", "previous_run", "run_path", "save_run"]


RUN_FORMAT = 2
"""The layout of a run file.  Runs are kept for good, so a file written by an
earlier version may have another layout: loading it says so, and the searches
for a comparable run (latest, previous period) pass over it.  Files without
the field are format 1 (cityops 0.1.0 before the full evaluation engine)."""


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
            json.dumps(
                {"run_format": RUN_FORMAT} | asdict(run) | {"period": str(run.period)},
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def load_run(path: Path) -> EvaluationRun:
    """Read a saved run; a run in another file format is an error that says what to do."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        found = data.pop("run_format", 1)
        if found != RUN_FORMAT:
            raise PipelineError(
                f"evaluation run {path} is in run format {found} (written by cityops "
                f"{data.get('code_version', '?')}); this version reads format {RUN_FORMAT}: "
                f"evaluate the period again with `cityops evaluate --period {data.get('period')}`"
            )
        regions = tuple(_region(region) for region in data.pop("regions"))
        period = Period.parse(str(data.pop("period")))
        return EvaluationRun(**data, period=period, regions=regions)
    except (OSError, json.JSONDecodeError, TypeError, KeyError, ConfigError) as error:
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


def previous_run(runs_dir: Path, period: Period, framework_hash: str) -> EvaluationRun | None:
    """The latest run of the month before ``period`` made with the same framework, if any
    (only such a run is comparable for the change against the previous period)."""
    wanted = period.previous()
    runs = [
        run
        for run in _current_runs(runs_dir)
        if run.period == wanted and run.framework_hash == framework_hash
    ]
    return max(runs, key=lambda run: (run.created_at, run.run_id)) if runs else None


def latest_run(runs_dir: Path) -> EvaluationRun:
    """The most recently created run; none saved yet says what to run."""
    runs = list(_current_runs(runs_dir))
    if not runs:
        raise PipelineError(f"no evaluation runs in {runs_dir}; run `cityops evaluate` first")
    return max(runs, key=lambda run: (run.created_at, run.run_id))


def _current_runs(runs_dir: Path) -> Iterator[EvaluationRun]:
    """The saved runs in the current file format (others are not comparable)."""
    for path in sorted(runs_dir.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("run_format", 1) == RUN_FORMAT:
            yield load_run(path)
