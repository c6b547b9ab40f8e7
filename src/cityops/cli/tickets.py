"""``cityops tickets``: citizen service requests (市民诉求工单) and their events."""

from __future__ import annotations

import typer
from rich.console import Console

from cityops.cli.options import JsonOption, WorkspaceOption, emit, unit_of_work

__all__ = ["tickets_app"]

tickets_app = typer.Typer(
    help="Citizen service requests and their events (市民诉求工单).", no_args_is_help=True
)


@tickets_app.command("flush")
def flush(workspace: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    """Ingest the ticket events waiting in the outbox into the lake (工单事件入湖).
    The running API does this every CITYOPS_OUTBOX_FLUSH_S seconds; a re-run, or a
    run after a crash, stores nothing twice."""
    from cityops.services.tickets import flush_outbox

    with unit_of_work(workspace) as uow:
        batches = flush_outbox(uow)
    totals = {
        key: sum(int(getattr(b, key)) for b in batches)
        for key in ("received", "stored", "quarantined", "duplicates")
    }
    result = {"batches": [b.batch_id for b in batches], **totals}

    def describe(console: Console) -> None:
        if not batches:
            console.print("outbox empty: nothing to flush / 无待入湖事件")
            return
        console.print(
            f"ticket events flushed / 工单事件已入湖: {totals['received']:,} received, "
            f"{totals['stored']:,} stored, {totals['duplicates']:,} duplicates, "
            f"{totals['quarantined']:,} quarantined ({len(batches)} batch(es))"
        )
        if totals["quarantined"]:
            console.print("see them with: cityops quarantine --table ticket_events")

    emit(result, as_json, describe)
