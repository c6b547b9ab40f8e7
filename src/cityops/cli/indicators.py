"""``cityops indicators``: compute a period's indicator facts from the workspace."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from cityops.cli.options import JsonOption, WorkspaceOption, emit, workspace_dir

__all__ = ["indicators"]


def indicators(
    period: Annotated[str, typer.Option("--period", help="Month to compute, YYYY-MM.")],
    region: Annotated[
        str | None, typer.Option("--region", help="Show only this region (all are stored).")
    ] = None,
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compute every computable indicator for every region in PERIOD, on DuckDB, and store
    the facts in facts/<period>.parquet."""
    from cityops.domain.period import Period
    from cityops.indicators.engine import ENGINE
    from cityops.pipeline import compute_period
    from cityops.workspace.workspace import open_workspace

    month = Period.parse(period)
    ws = open_workspace(workspace_dir(workspace))
    facts, path = compute_period(ws, month)
    shown = [f for f in facts if region is None or f.region_code == region]
    result = {
        "period": str(month),
        "engine": ENGINE,
        "path": str(path),
        "facts": [
            {
                "indicator": f.indicator,
                "region_code": f.region_code,
                "value": f.value,
                "numerator": f.numerator,
                "denominator": f.denominator,
            }
            for f in shown
        ],
    }

    def describe(console: Console) -> None:
        view = RichTable(title=f"indicators {month}" + (f" · {region}" if region else ""))
        view.add_column("indicator", no_wrap=True)
        numbers = ("value", "numerator", "denominator")
        for column in numbers if region else ("region", *numbers):
            view.add_column(column, justify="right", no_wrap=True)
        for f in shown:
            cells = (
                "—" if f.value is None else f"{f.value:.4g}",
                "" if f.numerator is None else f"{f.numerator:,.6g}",
                "" if f.denominator is None else f"{f.denominator:,.6g}",
            )
            view.add_row(f.indicator, *(cells if region else (f.region_code, *cells)))
        console.print(view)
        console.print(f"{len(facts):,} facts written to {path}")

    emit(result, as_json, describe)
