"""``cityops quarantine``: the rows ingestion refused, with where and why."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from cityops.cli.options import JsonOption, WorkspaceOption, emit, workspace_dir

__all__ = ["quarantine"]

SHOWN_ROWS = 200
"""The human view shows this many rows; --json gives them all."""


def quarantine(
    workspace: WorkspaceOption = None,
    table: Annotated[
        str | None, typer.Option("--table", help="Only this contract table.", show_default=False)
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List quarantined rows: table, file, line, field and reason.  Fix them in the
    source file and ingest it again; rows already stored count as duplicates."""
    from cityops.services.quarantine import quarantined_rows
    from cityops.workspace.workspace import open_workspace

    ws = open_workspace(workspace_dir(workspace))
    rows = quarantined_rows(ws, table).to_pylist()
    result: dict[str, object] = {"table": table, "count": len(rows), "rows": rows}

    def describe(console: Console) -> None:
        if not rows:
            console.print("no quarantined rows")
            return
        view = RichTable(title=f"quarantine ({len(rows):,} rows)")
        for column in ("table", "file", "line", "field", "reason"):
            view.add_column(column, justify="right" if column == "line" else "left")
        for row in rows[:SHOWN_ROWS]:
            # Text, not str: a file name or a value quoted in a reason is never markup
            cells = (row["table_name"], row["file"], str(row["line"]), row["field"], row["reason"])
            view.add_row(*(Text(str(cell)) for cell in cells))
        console.print(view)
        if len(rows) > SHOWN_ROWS:
            console.print(f"… and {len(rows) - SHOWN_ROWS:,} more (all of them with --json)")

    emit(result, as_json, describe)
