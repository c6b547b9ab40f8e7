"""The pipeline's steps over a workspace: the service layer that the commands and
``cityops demo`` share, so a step runs the same way wherever it is called from.

Each step reads what the previous one stored in the workspace (lake and
register → facts → runs → reports) and stores its own result.
"""

from __future__ import annotations

from pathlib import Path

from cityops.domain.period import Period
from cityops.evaluation.engine import evaluate as evaluate_facts
from cityops.evaluation.framework import load_framework
from cityops.evaluation.model import EvaluationRun
from cityops.evaluation.regions import regions_from_arrow
from cityops.evaluation.store import previous_run, save_run
from cityops.indicators.engine import (
    DEFAULT_ENGINE,
    EngineName,
    compute_indicators,
    open_engine,
)
from cityops.indicators.facts import IndicatorFact, read_facts, write_facts
from cityops.lake.connection import open_analytics
from cityops.reporting.service import write_report_file
from cityops.workspace.workspace import Workspace

__all__ = ["compute_period", "evaluate_period", "facts_path", "write_report"]


def facts_path(workspace: Workspace, period: Period | str) -> Path:
    return workspace.facts_dir / f"{period}.parquet"


def compute_period(
    workspace: Workspace, period: Period, engine: EngineName = DEFAULT_ENGINE
) -> tuple[list[IndicatorFact], Path]:
    """Compute every computable indicator for every region in ``period`` on ``engine``
    (DuckDB by default, or Spark) and store the facts in ``facts/<period>.parquet``."""
    with open_engine(workspace, engine) as runner:
        facts = compute_indicators(runner, period)
    return facts, write_facts(facts_path(workspace, period), facts)


def evaluate_period(
    workspace: Workspace,
    period: Period,
    *,
    framework_path: Path | None = None,
    replications: int = 0,
) -> tuple[EvaluationRun, Path]:
    """Evaluate the stored facts of ``period`` with the framework (default: the shipped
    one), against the previous month's run when the workspace has one made with the
    same framework, with ``replications`` Monte Carlo runs; save the run."""
    facts = read_facts(facts_path(workspace, period))
    con = open_analytics(workspace)
    try:
        regions = regions_from_arrow(con.sql("SELECT * FROM regions").to_arrow_table())
    finally:
        con.close()
    framework = load_framework(framework_path)
    previous = previous_run(workspace.runs_dir, str(period), framework.hash)
    run = evaluate_facts(
        facts,
        regions,
        period=period,
        framework=framework,
        previous=previous,
        replications=replications,
    )
    return run, save_run(workspace.runs_dir, run)


def write_report(workspace: Workspace, run: EvaluationRun, out: Path | None = None) -> Path:
    """Render the run's HTML report, by default to ``reports/report-<period>-<run>.html``."""
    return write_report_file(workspace, run, out=out)
