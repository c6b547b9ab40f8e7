"""Ingest accounting: one row per batch, for register and event tables alike.

Every batch must balance, received = stored + quarantined + duplicates, from
the moment it is first recorded (all zeros) to when it finishes, so a report
can show that no row was silently lost.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime

import sqlalchemy as sa

from cityops.errors import PipelineError
from cityops.register.schema import BATCH_ID, ingest_batches
from cityops.register.upsert import upsert

__all__ = ["IngestBatch", "data_version", "list_batches", "record_batch"]


@dataclass(frozen=True, slots=True)
class IngestBatch:
    """The accounting of one ingest batch (入库批次).

    ``source`` is the file name, or ``"http"`` / ``"mqtt"`` for pushed data;
    instants are timezone-aware; ``finished_at`` stays ``None`` while the
    batch runs.
    """

    batch_id: str
    table_name: str
    source: str
    started_at: datetime
    finished_at: datetime | None = None
    received: int = 0
    stored: int = 0
    quarantined: int = 0
    duplicates: int = 0

    def __post_init__(self) -> None:
        counts = (self.stored, self.quarantined, self.duplicates)
        if min(self.received, *counts) < 0 or self.received != sum(counts):
            raise PipelineError(
                f"batch {self.batch_id} of {self.table_name} does not balance: received "
                f"{self.received} ≠ stored {self.stored} + quarantined {self.quarantined} "
                f"+ duplicates {self.duplicates}"
            )


def record_batch(engine: sa.Engine, batch: IngestBatch) -> None:
    """Insert ``batch``, or replace the row of the same ``batch_id`` (progress, finish, re-run)."""
    with engine.begin() as connection:
        connection.execute(upsert(engine, ingest_batches), [asdict(batch)])


def list_batches(engine: sa.Engine, *, table_name: str | None = None) -> list[IngestBatch]:
    """Recorded batches, oldest first, of every table or of ``table_name``."""
    columns = [ingest_batches.c[f.name] for f in fields(IngestBatch)]
    query = sa.select(*columns).order_by(ingest_batches.c.started_at, ingest_batches.c[BATCH_ID])
    if table_name is not None:
        query = query.where(ingest_batches.c.table_name == table_name)
    with engine.connect() as connection:
        return [IngestBatch(**row) for row in connection.execute(query).mappings()]


def data_version(connection: sa.Connection) -> tuple[int, datetime | None]:
    """A value that changes whenever a batch of any table is recorded (the batches and
    the latest finish): what was computed from the data stays valid while it is the
    same.  One small query, so a reader can ask before every answer."""
    query = sa.select(sa.func.count(), sa.func.max(ingest_batches.c.finished_at))
    count, latest = connection.execute(query).one()
    return int(count), latest
