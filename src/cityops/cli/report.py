"""``cityops report``: render an evaluation run as one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cityops.cli.options import JsonOption, WorkspaceOption, emit, workspace_dir

__all__ = ["report"]


def report(
    run: Annotated[
        str | None, typer.Option("--run", help="Run id [default: the latest run].")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="HTML file [default: reports/report-<period>-<run>.html]."),
    ] = None,
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the HTML report of a run (Chinese with English labels) and print its path."""
    from cityops.evaluation.store import latest_run, load_run, run_path
    from cityops.pipeline import write_report
    from cityops.workspace.workspace import open_workspace

    ws = open_workspace(workspace_dir(workspace))
    chosen = latest_run(ws.runs_dir) if run is None else load_run(run_path(ws.runs_dir, run))
    path = write_report(ws, chosen, out)
    result = {"run_id": chosen.run_id, "period": chosen.period, "path": str(path)}
    emit(result, as_json, lambda console: console.print(f"report written to {path}"))
