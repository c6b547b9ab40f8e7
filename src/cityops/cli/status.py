"""``cityops status``: what a workspace holds, in one screen (工作区概况)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table as RichTable

from cityops.cli.options import JsonOption, WorkspaceOption, emit, unit_of_work
from cityops.messages import text

__all__ = ["both", "status"]


def both(key: str) -> str:
    """A label Chinese first, English beside it (``messages.toml``)."""
    words = text(key)
    return f"{words.zh} {words.en}"


def status(workspace: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    """Show what the workspace holds: rows per table and month with the last ingest,
    quarantined rows, indicator facts per month, evaluation runs, settlement
    statements by state, users by role and the last audit anchor.  Reads only."""
    from cityops.services.status import workspace_status

    with unit_of_work(workspace) as uow:
        found = workspace_status(uow)

    def describe(console: Console) -> None:
        console.print(
            f"{both('workspace_status.workspace')}  {found.name}  {found.workspace}", markup=False
        )
        view = RichTable(title=both("workspace_status.data"), title_justify="left")
        for key in (
            "workspace_status.table",
            "workspace_status.rows",
            "workspace_status.months",
            "ingest.quarantined",
            "workspace_status.last_ingest",
        ):
            numeric = key in ("workspace_status.rows", "ingest.quarantined")
            label = both(key)
            view.add_column(label, justify="right" if numeric else "left", no_wrap=numeric)
        for t in found.tables:
            if not (t.rows or t.quarantined or t.last_ingest):
                continue
            last = t.last_ingest.strftime("%Y-%m-%d %H:%M") if t.last_ingest else "—"
            view.add_row(t.table, f"{t.rows:,}", _months(t.periods), f"{t.quarantined:,}", last)
        console.print(view)
        empty = [t.table for t in found.tables if not (t.rows or t.quarantined)]
        if empty:
            console.print(f"{both('workspace_status.empty')}: {', '.join(empty)}", markup=False)
        for key, counts in (
            ("workspace_status.facts", found.facts),
            ("workspace_status.runs", found.runs),
            ("workspace_status.statements", found.statements),
            ("workspace_status.users", found.users),
        ):
            shown = ", ".join(f"{name} {n:,}" for name, n in counts.items()) or "none"
            console.print(f"{both(key)}: {shown}", markup=False, highlight=False)
        anchor = found.audit_anchor or "none"
        console.print(f"{both('workspace_status.anchor')}: {anchor}", markup=False, highlight=False)

    emit(found.as_json(), as_json, describe)


def _months(periods: dict[str, int]) -> str:
    """A table's months: each with its rows when few, else the first and last
    (every month is in --json)."""
    if len(periods) <= 3:
        return ", ".join(f"{p} ({n:,})" for p, n in periods.items()) or "—"
    first, *_, last = periods
    return f"{first} … {last} ({len(periods)} months)"
