"""``cityops listen``: MQTT topics of event tables into the workspace, in batches."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table as RichTable

from cityops.cli.options import JsonOption, WorkspaceOption, emit, stderr, workspace_dir
from cityops.messages import text

if TYPE_CHECKING:
    from cityops.services.ingestion import FlushReport, ListenSummary

__all__ = ["listen"]

COUNTS = ("received", "stored", "quarantined", "duplicates")
"""A batch's accounting; each is named by the message ``ingest.<count>``."""


def listen(
    mqtt: Annotated[
        str, typer.Option("--mqtt", help="The broker, mqtt://host[:port] (port 1883 by default).")
    ],
    workspace: WorkspaceOption = None,
    topic_prefix: Annotated[
        str, typer.Option("--topic-prefix", help="Listen to <prefix>/<table>.")
    ] = "cityops",
    client_id: Annotated[
        str | None,
        typer.Option(
            "--client-id",
            help="MQTT client id, which names the persistent session "
            "[default: derived from the workspace path].",
            show_default=False,
        ),
    ] = None,
    flush_rows: Annotated[
        int, typer.Option("--flush-rows", min=1, help="Store a batch once this many rows are held.")
    ] = 1000,
    flush_seconds: Annotated[
        float,
        typer.Option(
            "--flush-seconds",
            min=0.001,
            help="Store a batch once its first message has been held this long.",
        ),
    ] = 5.0,
    max_batches: Annotated[
        int | None,
        typer.Option(
            "--max-batches",
            min=1,
            help="Stop after this many batches; messages held beyond them are not "
            "acknowledged and come to the next listener.",
            show_default=False,
        ),
    ] = None,
    stop_after_idle: Annotated[
        float | None,
        typer.Option(
            "--stop-after-idle",
            min=0.001,
            help="Store what is held and stop after this many seconds without a message.",
            show_default=False,
        ),
    ] = None,
    session_expiry: Annotated[
        int,
        typer.Option(
            "--session-expiry",
            min=1,
            help="Seconds the broker keeps the session (and its messages) while no listener "
            "is connected.",
        ),
    ] = 7 * 24 * 3600,
    as_json: JsonOption = False,
) -> None:
    """Consume <prefix>/<table> topics (one JSON object or an array of objects per
    message, rows of an event table) and store them in batches, each accounted for
    as a file is: received = stored + quarantined + duplicates.  A message is
    acknowledged (QoS 1) only once its batch is stored; messages that hold no rows
    are logged in <workspace>/mqtt/rejected.jsonl.  Ctrl-C stores what is held and
    stops."""
    from cityops.services.ingestion import (
        ListenSettings,
        default_client_id,
        parse_broker_url,
        rejected_log,
    )
    from cityops.services.ingestion import listen as run_listener
    from cityops.workspace.workspace import open_workspace

    ws = open_workspace(workspace_dir(workspace))
    settings = ListenSettings(
        broker=parse_broker_url(mqtt),
        client_id=client_id or default_client_id(ws),
        topic_prefix=topic_prefix,
        flush_rows=flush_rows,
        flush_seconds=flush_seconds,
        max_batches=max_batches,
        stop_after_idle=stop_after_idle,
        session_expiry_s=session_expiry,
    )

    def ready(session_present: bool) -> None:
        session = "resumed 已恢复" if session_present else "new 新建"
        stderr.print(
            f"listening 监听 {settings.broker} {settings.topic_filter} as {settings.client_id} "
            f"(session 会话 {session}); Ctrl-C stops 停止",
            highlight=False,
            soft_wrap=True,
        )

    summary = run_listener(
        ws,
        settings,
        on_ready=ready,
        on_flush=lambda r: stderr.print(_line(r), highlight=False, soft_wrap=True),
    )
    result = _result(summary, settings.client_id, settings.topic_filter)

    def describe(console: Console) -> None:
        view = RichTable(
            title=f"listen: {len(summary.flushes)} batch(es), stopped by {summary.stopped_by}"
        )
        view.add_column("table\n表", no_wrap=True)
        for count in COUNTS:
            view.add_column(_words(count, "\n"), justify="right")
        for table, counts in result["tables"].items():
            view.add_row(table, *(f"{counts[c]:,}" for c in COUNTS))
        console.print(view)
        if result["rejected"]:
            console.print(
                f"[yellow]{result['rejected']:,} message(s) {_words('rejected')}[/]: "
                f"topic, reason and payload in {rejected_log(ws)}"
            )

    emit(result, as_json, describe)


def _line(report: FlushReport) -> str:
    """One progress line per flush: its messages, each table's accounting, the rejected."""
    parts = [f"batch 批次 {report.number} ({report.reason}): {len(report.messages)} message(s)"]
    for batch in report.batches:
        received, *kept = (f"{_words(count)} {int(getattr(batch, count))}" for count in COUNTS)
        parts.append(f"{batch.table_name}: {received} = {' + '.join(kept)}")
    if report.rejected:
        parts.append(f"{_words('rejected')} {len(report.rejected)} message(s)")
    return " · ".join(parts)


def _words(count: str, between: str = " ") -> str:
    """A count in English and Chinese (``received 收到``), from the message catalogue."""
    words = text(f"ingest.{count}")
    return f"{words.en}{between}{words.zh}"


def _result(summary: ListenSummary, client_id: str, topics: str) -> dict[str, Any]:
    tables: dict[str, dict[str, int]] = {}
    for report in summary.flushes:
        for batch in report.batches:
            totals = tables.setdefault(batch.table_name, dict.fromkeys(COUNTS, 0))
            for count in COUNTS:
                totals[count] += int(getattr(batch, count))
    return {
        "client_id": client_id,
        "topics": topics,
        "stopped_by": summary.stopped_by,
        "messages": sum(len(r.messages) for r in summary.flushes),
        "rejected": sum(len(r.rejected) for r in summary.flushes),
        "tables": tables,
        "batches": [
            {
                "number": r.number,
                "reason": str(r.reason),
                "messages": len(r.messages),
                "ingest": [
                    {"table": b.table_name, "batch_id": b.batch_id}
                    | {c: int(getattr(b, c)) for c in COUNTS}
                    for b in r.batches
                ],
                "rejected": [{"topic": x.message.topic, "reason": x.reason} for x in r.rejected],
            }
            for r in summary.flushes
        ],
    }
