"""Carrying the ticket outbox into the lake (工单事件入湖).

The API appends ``ticket_events`` rows to the register's ``ticket_outbox``
one request at a time; the lake takes data in batches.  A flush takes the
rows not yet flushed (``batch_id`` NULL, at most ``FLUSH_ROWS`` at a time),
writes them to a JSON Lines file, ingests it as ``ticket_events`` with the
ordinary ingestion (checks, quarantine, dedupe, accounting, atomic publish)
and only then marks the rows with the batch id.

Crash safety follows from that order.  A flush killed before the batch is
committed left nothing in the lake; one killed after the commit but before
the marking leaves rows that the next flush sends again — and ingestion
drops them as duplicates by ``event_id``, so the lake holds every event
exactly once either way.  Flushes are serialised by an exclusive lock on
``<workspace>/.ticket-outbox/lock`` (the app's periodic flush and
``cityops tickets flush`` may run at the same time; ingestion wants one
writer per lake); the JSON Lines files are written next to it and removed
after their batch.
"""

from __future__ import annotations

import fcntl
import shutil
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import sqlalchemy as sa

from cityops.domain.contract import table as contract_table
from cityops.ingestion.batch import ingest_file
from cityops.ingestion.checks import quote_identifier, quote_literal
from cityops.lake.schema import arrow_schema
from cityops.register.access_schema import ticket_outbox
from cityops.register.batches import IngestBatch
from cityops.register.engine import make_engine
from cityops.workspace.workspace import Workspace

__all__ = ["FLUSH_ROWS", "OUTBOX_DIR", "flush_outbox", "unflushed_count"]

FLUSH_ROWS = 100_000
"""Rows per batch: a day of a megacity's tickets, far below what a batch handles."""
OUTBOX_DIR = ".ticket-outbox"
"""Under the workspace root: the lock and the files of batches being ingested."""
_MARK_CHUNK = 500
"""Event ids per UPDATE … IN (…): well within SQLite's and PostgreSQL's parameter limits."""


def flush_outbox(workspace: Workspace, engine: sa.Engine | None = None) -> list[IngestBatch]:
    """Ingest every unflushed outbox row into the lake's ``ticket_events``; return the
    batches (none when the outbox was empty).  ``engine`` defaults to a new engine on
    the workspace's register."""
    own_engine = engine is None
    register = make_engine(workspace.register_url) if engine is None else engine
    try:
        if unflushed_count(register) == 0:
            return []  # the usual case between flushes: no lock, no files
        with _exclusive(workspace.root / OUTBOX_DIR):
            batches = []
            while rows := _unflushed(register, FLUSH_ROWS):
                batches.append(_flush(workspace, register, rows))
            return batches
    finally:
        if own_engine:
            register.dispose()


def unflushed_count(engine: sa.Engine) -> int:
    query = sa.select(sa.func.count()).where(ticket_outbox.c.batch_id.is_(None))
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


@contextmanager
def _exclusive(directory: Path) -> Iterator[None]:
    directory.mkdir(exist_ok=True)
    with (directory / "lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _unflushed(engine: sa.Engine, limit: int) -> list[sa.Row[Any]]:
    """The oldest unflushed rows, in the contract's field order."""
    names = arrow_schema(contract_table("ticket_events")).names
    query = (
        sa.select(*(ticket_outbox.c[name] for name in names))
        .where(ticket_outbox.c.batch_id.is_(None))
        .order_by(ticket_outbox.c.ts, ticket_outbox.c.event_id)
        .limit(limit)
    )
    with engine.connect() as connection:
        return list(connection.execute(query).all())


def _flush(workspace: Workspace, engine: sa.Engine, rows: Sequence[sa.Row[Any]]) -> IngestBatch:
    scratch = workspace.root / OUTBOX_DIR / uuid.uuid4().hex
    scratch.mkdir(parents=True)
    try:
        path = _write_jsonl(rows, scratch / "ticket_events.jsonl")
        batch = ingest_file(workspace, "ticket_events", path)
        _mark(engine, [row.event_id for row in rows], batch.batch_id)
        return batch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _write_jsonl(rows: Sequence[sa.Row[Any]], path: Path) -> Path:
    """The rows as JSON Lines, instants in UTC with a ``Z`` (so no reader can take
    them for local time), written by DuckDB from an Arrow table of contract types."""
    schema = arrow_schema(contract_table("ticket_events"))
    columns = zip(*rows, strict=True)
    table = pa.Table.from_arrays(
        [pa.array(values, type=f.type) for values, f in zip(columns, schema, strict=True)],
        schema=schema,
    )
    shown = ", ".join(
        f"strftime({quote_identifier(f.name)} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ') "
        f"AS {quote_identifier(f.name)}"
        if pa.types.is_timestamp(f.type)
        else quote_identifier(f.name)
        for f in schema
    )
    with duckdb.connect() as con:
        con.register("outbox", table)
        con.execute(f"COPY (SELECT {shown} FROM outbox) TO {quote_literal(path)} (FORMAT json)")
    return path


def _mark(engine: sa.Engine, event_ids: Sequence[str], batch_id: str) -> None:
    """Record which batch carried the rows, after that batch was committed."""
    with engine.begin() as connection:
        for start in range(0, len(event_ids), _MARK_CHUNK):
            chunk = event_ids[start : start + _MARK_CHUNK]
            connection.execute(
                ticket_outbox.update()
                .where(ticket_outbox.c.event_id.in_(chunk))
                .values(batch_id=batch_id)
            )
