"""Storing a flush of MQTT messages before any of them is acknowledged.

Each table's rows are written to a JSON Lines file in ``<workspace>/mqtt/staging/``
and ingested by :func:`cityops.ingestion.batch.ingest_file`, so a flush gets
the file path's guarantees: checks and quarantine, deduplication by row key
(a message redelivered after a crash is a duplicate, not a second row), the
crash-safe commit and the accounting received = stored + quarantined +
duplicates.  Rejected messages are appended to ``<workspace>/mqtt/rejected.jsonl``
and synced to disk.  A staging file lives only while its batch is ingested;
one left by a crash is redundant (its messages were not acknowledged, so the
broker delivers them again) and is removed when the next listener starts.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cityops.errors import ContractError
from cityops.ingestion.batch import ingest_file
from cityops.ingestion.mqtt_batching import Flush, FlushReason, Message, Rejected
from cityops.register.batches import IngestBatch
from cityops.workspace.workspace import Workspace

__all__ = ["FlushReport", "clear_staging", "rejected_log", "staging_folder", "store_flush"]


def staging_folder(workspace: Workspace) -> Path:
    return workspace.root / "mqtt" / "staging"


def rejected_log(workspace: Workspace) -> Path:
    """Rejected messages, one JSON object a line: when, topic, reason and payload."""
    return workspace.root / "mqtt" / "rejected.jsonl"


def clear_staging(workspace: Workspace) -> None:
    """Remove staging files a crashed listener left (the broker still holds their messages)."""
    shutil.rmtree(staging_folder(workspace), ignore_errors=True)


@dataclass(frozen=True, slots=True)
class FlushReport:
    """What a flush stored: one ingest batch per table, and the messages rejected."""

    number: int
    reason: FlushReason
    messages: tuple[Message, ...]
    batches: tuple[IngestBatch, ...]
    rejected: tuple[Rejected, ...]


def store_flush(workspace: Workspace, flush: Flush, number: int) -> FlushReport:
    """Store ``flush`` (the ``number``-th of this listener) and say what became of it.

    A table's batch that ingestion refuses whole (``ContractError``, e.g. rows
    DuckDB cannot read as JSON Lines) does not stop the listener: its messages
    are rejected with the reason, so they are logged rather than lost.
    """
    folder = staging_folder(workspace)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    batches: list[IngestBatch] = []
    rejected = list(flush.rejected)
    for table_name, accepted in flush.by_table().items():
        rows = [row for message in accepted for row in message.rows]
        if not rows:
            continue
        path = folder / f"{table_name}-{stamp}-{number}.jsonl"
        with path.open("w", encoding="utf-8") as staged:
            staged.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        try:
            batches.append(ingest_file(workspace, table_name, path))
        except ContractError as error:
            rejected += [Rejected(a.message, f"batch refused: {error}") for a in accepted]
        finally:
            path.unlink(missing_ok=True)
    if rejected:
        _log_rejected(rejected_log(workspace), rejected)
    return FlushReport(number, flush.reason, tuple(flush.messages), tuple(batches), tuple(rejected))


def _log_rejected(path: Path, rejected: list[Rejected]) -> None:
    """Append and fsync, since the messages are acknowledged right after."""
    logged_at = datetime.now(UTC).isoformat()
    with path.open("a", encoding="utf-8") as log:
        for item in rejected:
            entry: dict[str, str] = {
                "logged_at": logged_at,
                "topic": item.message.topic,
                "reason": item.reason,
            }
            try:
                entry["payload"] = item.message.payload.decode("utf-8")
            except UnicodeDecodeError:
                entry["payload_base64"] = base64.b64encode(item.message.payload).decode("ascii")
            log.write(json.dumps(entry, ensure_ascii=False) + "\n")
        log.flush()
        os.fsync(log.fileno())
