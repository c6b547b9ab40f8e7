"""``cityops evaluate``: score a period's facts with the framework and save the run."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from cityops.cli.options import JsonOption, WorkspaceOption, emit, workspace_dir

__all__ = ["evaluate"]


def evaluate(
    period: Annotated[str, typer.Option("--period", help="Month to evaluate, YYYY-MM.")],
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Normalise, weight and aggregate the facts of PERIOD for every region (score, stage,
    rank among peers), and save the run as runs/<run_id>.json."""
    from cityops.domain.period import Period
    from cityops.pipeline import evaluate_period
    from cityops.workspace.workspace import open_workspace

    month = Period.parse(period)
    ws = open_workspace(workspace_dir(workspace))
    run, path = evaluate_period(ws, month)
    result = {
        "run_id": run.run_id,
        "period": run.period,
        "framework_hash": run.framework_hash,
        "path": str(path),
        "regions": [
            {
                "region_code": r.region_code,
                "score": r.score,
                "stage": r.stage,
                "rank": r.rank,
                "directions": dict(r.directions),
            }
            for r in run.regions
        ],
    }

    def describe(console: Console) -> None:
        view = RichTable(title=f"evaluation {run.period} · run {run.run_id}")
        for column in ("region", "name", "level", "score", "stage", "rank", "coverage"):
            view.add_column(column)
        for r in run.regions:
            view.add_row(
                r.region_code,
                r.name,
                r.level,
                "—" if r.score is None else f"{r.score:.1f}",
                r.stage_zh or "—",
                "—" if r.rank is None else f"{r.rank}/{r.peers}",
                f"{r.coverage:.0%}",
            )
        console.print(view)
        console.print(f"run saved to {path}")

    emit(result, as_json, describe)
