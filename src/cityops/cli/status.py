"""``cityops status``: what a workspace holds, in one screen (工作区概况)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table as RichTable

from cityops.cli.options import JsonOption, WorkspaceOption, emit, unit_of_work

__all__ = ["status"]


def status(workspace: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    """Show what the workspace holds: rows per table and month with the last ingest,
    quarantined rows, indicator facts per month, evaluation runs, settlement
    statements by state, users by role and the last audit anchor.  Reads only."""
    from cityops.services.status import workspace_status

    with unit_of_work(workspace) as uow:
        found = workspace_status(uow)

    def describe(console: Console) -> None:
        console.print(f"工作区 workspace  {found.name}  {found.workspace}", markup=False)
        view = RichTable(title="数据 data", title_justify="left")
        for column in (
            "表 table",
            "行 rows",
            "月份 months",
            "隔离 quarantined",
            "最近入库 last ingest",
        ):
            numeric = "rows" in column or "quarantined" in column
            view.add_column(column, justify="right" if numeric else "left", no_wrap=numeric)
        for t in found.tables:
            if not (t.rows or t.quarantined or t.last_ingest):
                continue
            months = _months(t.periods)
            last = t.last_ingest.strftime("%Y-%m-%d %H:%M") if t.last_ingest else "—"
            view.add_row(t.table, f"{t.rows:,}", months, f"{t.quarantined:,}", last)
        console.print(view)
        empty = [t.table for t in found.tables if not (t.rows or t.quarantined)]
        if empty:
            console.print(f"无数据 empty: {', '.join(empty)}", markup=False, highlight=False)
        for title, counts in (
            ("指标事实 indicator facts", found.facts),
            ("评估 evaluation runs", found.runs),
            ("结算单 statements", found.statements),
            ("用户 users", found.users),
        ):
            shown = ", ".join(f"{key} {n:,}" for key, n in counts.items()) or "none"
            console.print(f"{title}: {shown}", markup=False, highlight=False)
        console.print(f"审计锚点 last audit anchor: {found.audit_anchor or 'none'}", markup=False)

    emit(found.as_json(), as_json, describe)


def _months(periods: dict[str, int]) -> str:
    """A table's months: each with its rows when few, else the first and last
    (every month is in --json)."""
    if len(periods) <= 3:
        return ", ".join(f"{p} ({n:,})" for p, n in periods.items()) or "—"
    first, *_, last = periods
    return f"{first} … {last} ({len(periods)} months)"
