"""Ingest batches are recorded, updated in place and listed oldest first."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import sqlalchemy as sa

from cityops.register.batches import IngestBatch, list_batches, record_batch

SHANGHAI = timezone(timedelta(hours=8))


def test_a_recorded_batch_reads_back_as_the_same_instants_and_counts(
    register: sa.Engine,
) -> None:
    batch = IngestBatch(
        "b1",
        "portal_events",
        "events-2025-03.csv",
        started_at=datetime(2025, 3, 1, 8, 0, tzinfo=SHANGHAI),
        finished_at=datetime(2025, 3, 1, 8, 5, 30, 123456, tzinfo=SHANGHAI),
        received=10,
        stored=7,
        quarantined=2,
        duplicates=1,
    )
    record_batch(register, batch)
    (back,) = list_batches(register)
    assert back == batch  # aware datetimes compare as instants
    assert back.started_at == datetime(2025, 3, 1, 0, 0, tzinfo=UTC)


def test_recording_a_batch_again_updates_it_in_place(register: sa.Engine) -> None:
    started = IngestBatch("b1", "regions", "regions.csv", datetime(2025, 3, 1, tzinfo=UTC))
    record_batch(register, started)
    finished = replace(
        started, finished_at=datetime(2025, 3, 1, 0, 1, tzinfo=UTC), received=3, stored=3
    )
    record_batch(register, finished)
    assert list_batches(register) == [finished]


def test_batches_are_listed_oldest_first_and_filtered_by_table(register: sa.Engine) -> None:
    day = datetime(2025, 3, 1, tzinfo=UTC)
    late = IngestBatch("a-late", "portal_events", "http", day + timedelta(hours=2))
    early = IngestBatch("z-early", "portal_events", "mqtt", day)
    other = IngestBatch("m-other", "regions", "regions.csv", day + timedelta(hours=1))
    for batch in (late, early, other):
        record_batch(register, batch)
    assert [b.batch_id for b in list_batches(register)] == ["z-early", "m-other", "a-late"]
    assert list_batches(register, table_name="portal_events") == [early, late]
