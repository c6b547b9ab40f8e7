"""An ingest batch must balance: received = stored + quarantined + duplicates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cityops.errors import PipelineError
from cityops.register.batches import IngestBatch

STARTED = datetime(2025, 3, 1, tzinfo=UTC)


def test_a_balanced_batch_is_accepted() -> None:
    batch = IngestBatch("b", "regions", "r.csv", STARTED, None, 10, 7, 2, 1)
    assert batch.received == 10


def test_a_new_batch_starts_at_zero_and_balances() -> None:
    batch = IngestBatch("b", "regions", "r.csv", STARTED)
    assert (batch.received, batch.stored, batch.quarantined, batch.duplicates) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("received", "stored", "quarantined", "duplicates"),
    [
        (10, 7, 2, 0),  # one row lost
        (10, 8, 2, 1),  # one row counted twice
        (0, 1, -1, 0),  # balances, but a count is negative
    ],
)
def test_an_unbalanced_batch_is_refused_with_its_counts(
    received: int, stored: int, quarantined: int, duplicates: int
) -> None:
    with pytest.raises(PipelineError, match="does not balance"):
        IngestBatch(
            "b", "regions", "r.csv", STARTED, None, received, stored, quarantined, duplicates
        )
