"""Anonymous refusals counted, not logged one by one (拒绝请求的汇总计数).

A request without a valid token is refused with 401.  Writing one audit entry
for each let a flood of them grow the log without bound (200 requests, 200
entries).  Instead each refusal adds one to a counter of its hour and route
(the route's template, ``GET /api/v1/tickets/{ticket_id}``, so the number of
counters is bounded by the routes, not by what a caller makes up); the first
refusal of an hour and route is still audited at once, with its client, and
when the hour is over its count is written to the audit log as one entry.
Per client the counters are not kept: addresses are the caller's to vary, so
only the first and last client of each hour and route are remembered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from cityops.register.access_schema import refused_requests

__all__ = ["REFUSAL_WINDOW", "RefusalCount", "count_refusal", "take_refusals", "window_of"]

REFUSAL_WINDOW = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class RefusalCount:
    """``count`` refusals of ``route`` in the hour from ``window_start``."""

    window_start: datetime
    route: str
    count: int
    first_client: str | None
    last_client: str | None


def window_of(at: datetime) -> datetime:
    """The start of the hour ``at`` falls in."""
    return at.replace(minute=0, second=0, microsecond=0)


def count_refusal(connection: sa.Connection, route: str, client: str, at: datetime) -> int:
    """Add one to the counter of ``route`` in ``at``'s hour, atomically (one upsert,
    safe under concurrent requests); return the count after it."""
    row = {
        "window_start": window_of(at),
        "route": route,
        "count": 1,
        "first_client": client,
        "last_client": client,
    }
    insert = (postgresql if connection.dialect.name == "postgresql" else sqlite).insert(
        refused_requests
    )
    statement = insert.values(row).on_conflict_do_update(
        index_elements=["window_start", "route"],
        set_={"count": refused_requests.c.count + 1, "last_client": insert.excluded.last_client},
    )
    return int(connection.execute(statement.returning(refused_requests.c.count)).scalar_one())


def take_refusals(connection: sa.Connection, before: datetime) -> list[RefusalCount]:
    """Remove and return the counters of the hours that started before ``before``; the
    removal claims them, so two callers never write the same hour twice."""
    rows = connection.execute(
        refused_requests.delete()
        .where(refused_requests.c.window_start < before)
        .returning(*refused_requests.c)
    ).mappings()
    counts = [RefusalCount(**row) for row in rows]
    return sorted(counts, key=lambda count: (count.window_start, count.route))
