"""Compact tables derived at ingest, so DAU/MAU, retention and availability are cheap.

``count(DISTINCT user_id)`` over hundreds of millions of events is slow; a
dense integer per user and one row per user and day make the same figures an
order of magnitude faster (``docs/architecture.md``).  Five tables
(``lake/compact.py``), under ``lake/_derived/``:

- ``user_index`` (用户索引): ``user_id → user_ix``, dense from 0; a batch gives
  its new users the next numbers in user_id order, so the index is stable
  across batches;
- ``user_registrations`` (用户登记): ``user_ix, registered_at, event_id,
  region_code, real_name`` from ``portal_users``, one file per batch in user_ix
  order, so a user's residence is found by integer key in a few files instead
  of by user_id across the lake's day partitions;
- ``user_day_activity`` (用户日活跃): ``user_ix, day, events, service_calls,
  successful_calls`` from ``portal_events``;
- ``user_day_services`` (用户日办事): ``user_ix, day, service_id, calls,
  successes`` from the service calls of ``portal_events``, so that service use
  and success per user cost a scan of integers, not of the month's events;
- ``device_day_slots`` (设备日心跳时隙): ``device_id, day, ok_slots,
  fault_slots`` from ``device_heartbeats`` — distinct heartbeat slots
  (``⌊epoch(ts) ÷ heartbeat_interval_s⌋``, 300 s when the device does not
  say) with that status.

Every batch adds only increments: its new users, the registrations and the
activity of the events it stores (each stored event is new, so counts add up),
and the slots its heartbeats fill that the lake did not hold yet.  Readers sum
the parts per key (``lake/connection.py``).  A re-run stores nothing and so
adds nothing.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow as pa
import sqlalchemy as sa

from cityops.domain.contract import DEFAULT_HEARTBEAT_INTERVAL_S, Table
from cityops.domain.contract import table as contract_table
from cityops.ingestion.checks import quote_literal
from cityops.ingestion.staging import Move, files_relation, stage_query
from cityops.lake.compact import (
    DEVICE_DAY_SLOTS,
    USER_DAY_ACTIVITY,
    USER_DAY_SERVICES,
    USER_INDEX,
    USER_REGISTRATIONS,
)
from cityops.lake.layout import LakeLayout
from cityops.register.store import read_current

__all__ = ["stage_day_derived", "stage_derived", "stage_user_index"]


_EMPTY_USER_INDEX = (
    "SELECT CAST(NULL AS VARCHAR) AS user_id, CAST(NULL AS BIGINT) AS user_ix LIMIT 0"
)
_EMPTY_HEARTBEATS = (
    "SELECT CAST(NULL AS VARCHAR) AS device_id, CAST(NULL AS TIMESTAMPTZ) AS ts, "
    "CAST(NULL AS VARCHAR) AS status LIMIT 0"
)


def stage_user_index(
    con: duckdb.DuckDBPyConnection, layout: LakeLayout, batch_id: str, *, users: str
) -> list[Move]:
    """Number the users of relation ``users`` (a ``user_id`` column): known ones keep
    theirs, new ones get the next numbers, in user_id order.

    Leaves table ``batch_users`` (``user_id, user_ix``) for the other derived
    tables; a table, not a temp table, so that the day writers' cursors see it.
    The batch passes its valid rows, before repeats are dropped: a repeat's user
    is the user of the row it repeats, stored in this batch or indexed before.
    """
    directory = layout.derived_dir(USER_INDEX.name)
    known = files_relation(layout.files(directory), _EMPTY_USER_INDEX)
    con.execute(
        "CREATE OR REPLACE TABLE batch_users AS "
        f"WITH known AS (SELECT user_id, user_ix FROM {known}), "
        f"seen AS (SELECT DISTINCT user_id FROM ({users})), "
        "new AS (SELECT user_id FROM seen ANTI JOIN known USING (user_id)), "
        "base AS (SELECT coalesce(max(user_ix) + 1, 0) AS next FROM known) "
        "SELECT user_id, user_ix, FALSE AS is_new FROM known SEMI JOIN seen USING (user_id) "
        "UNION ALL SELECT user_id, (SELECT next FROM base) + "
        "row_number() OVER (ORDER BY user_id) - 1, TRUE FROM new"
    )
    _, moves = stage_query(
        con,
        "SELECT user_id, user_ix FROM batch_users WHERE is_new ORDER BY user_ix",
        lake=layout.root,
        batch_id=batch_id,
        target_dir=directory,
    )
    return moves


def stage_day_derived(
    cursor: duckdb.DuckDBPyConnection,
    layout: LakeLayout,
    table: Table,
    batch_id: str,
    *,
    day: str,
    rows: str,
) -> list[Move]:
    """Stage the derived increments of one day's stored rows (relation ``rows``):
    ``user_day_activity`` and ``user_day_services`` of ``portal_events``.

    Run by each day's writer right after the day's events, while the rows are in
    memory, rather than over the batch's staged files afterwards (measured on a
    county month: about half the time).  The day's events are joined to the
    user index and counted once per user, kind and service, into a temp table
    from which both tables are written: the activity adds a user's rows up.
    """
    if table.name != "portal_events":
        return []
    cursor.execute(
        "CREATE OR REPLACE TEMP TABLE day_services AS "
        "SELECT u.user_ix, k.event_type = 'service_call' AS is_call, k.service_id, "
        "count(*) AS events, count(*) FILTER (WHERE k.success) AS successes "
        f"FROM {rows} k JOIN batch_users u USING (user_id) GROUP BY ALL"
    )
    on_day = f"CAST({quote_literal(day)} AS DATE) AS day"
    queries = {
        USER_DAY_ACTIVITY: (
            f"SELECT user_ix, {on_day}, CAST(sum(events) AS BIGINT) AS events, "
            "CAST(coalesce(sum(events) FILTER (WHERE is_call), 0) AS BIGINT) AS service_calls, "
            "CAST(coalesce(sum(successes) FILTER (WHERE is_call), 0) AS BIGINT) "
            "AS successful_calls FROM day_services GROUP BY user_ix"
        ),
        USER_DAY_SERVICES: (
            f"SELECT user_ix, {on_day}, service_id, events AS calls, successes "
            "FROM day_services WHERE is_call"
        ),
    }
    moves: list[Move] = []
    for compact, query in queries.items():
        _, staged = stage_query(
            cursor,
            query,
            lake=layout.root,
            batch_id=batch_id,
            target_dir=layout.derived_dir(compact.name) / f"day={day}",
        )
        moves += staged
    return moves


def stage_derived(
    con: duckdb.DuckDBPyConnection,
    layout: LakeLayout,
    table: Table,
    batch_id: str,
    *,
    touched: list[str],
    engine: sa.Engine,
) -> list[Move]:
    """Stage the derived increments that need the whole batch's stored rows
    (relation ``kept``): registrations and device slots.

    ``touched`` lists the partitions (``day=…``) the batch writes to.
    """
    if table.name == "portal_users":
        return _stage_registrations(con, layout, batch_id)
    if table.name == "device_heartbeats":
        return _stage_device_slots(con, layout, batch_id, touched, engine)
    return []


def _stage_registrations(
    con: duckdb.DuckDBPyConnection, layout: LakeLayout, batch_id: str
) -> list[Move]:
    """The batch's stored ``portal_users`` rows, by user index."""
    query = (
        "SELECT u.user_ix, k.registered_at, k.event_id, k.region_code, k.real_name "
        "FROM kept k JOIN batch_users u USING (user_id) ORDER BY u.user_ix, k.registered_at"
    )
    _, moves = stage_query(
        con,
        query,
        lake=layout.root,
        batch_id=batch_id,
        target_dir=layout.derived_dir(USER_REGISTRATIONS.name),
    )
    return moves


def _slots(relation: str) -> str:
    """Distinct (device, local day, status, slot) of the heartbeats in ``relation``:
    the slot in whole microseconds, as ``infra.camera_intact_rate`` numbers it."""
    return (
        "SELECT DISTINCT h.device_id, CAST(h.ts AS DATE) AS day, h.status, "
        "epoch_us(h.ts) // (coalesce(i.interval_s, "
        f"{DEFAULT_HEARTBEAT_INTERVAL_S}) * 1000000) AS slot "
        f"FROM {relation} h LEFT JOIN device_intervals i USING (device_id)"
    )


def _stage_device_slots(
    con: duckdb.DuckDBPyConnection,
    layout: LakeLayout,
    batch_id: str,
    touched: list[str],
    engine: sa.Engine,
) -> list[Move]:
    """Slots the batch fills that the lake's heartbeats of the same days did not.

    One day (``touched`` partition) at a time: a city's month of heartbeats has
    too many distinct slots to hold in memory at once, a day's has not.
    """
    with engine.connect() as connection:
        devices = read_current(connection, contract_table("devices"))
    intervals = pa.table(
        {
            "device_id": devices.column("device_id"),
            "interval_s": devices.column("heartbeat_interval_s"),
        }
    )
    con.register("device_intervals_arrow", intervals)
    con.execute("CREATE OR REPLACE TEMP TABLE device_intervals AS FROM device_intervals_arrow")
    con.unregister("device_intervals_arrow")
    heartbeats = layout.table_dir(contract_table("device_heartbeats"))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE fresh_slots (device_id VARCHAR, day DATE, "
        "ok_slots BIGINT, fault_slots BIGINT)"
    )
    on_day = (
        "(SELECT * FROM kept WHERE ts >= CAST($day AS TIMESTAMPTZ) "
        "AND ts < CAST($day + 1 AS TIMESTAMPTZ))"
    )
    for partition in touched:
        earlier = files_relation(layout.files(heartbeats, [partition]), _EMPTY_HEARTBEATS)
        con.execute(
            f"INSERT INTO fresh_slots WITH fresh AS ({_slots(on_day)} EXCEPT {_slots(earlier)}) "
            "SELECT device_id, day, count(*) FILTER (WHERE status = 'ok'), "
            "count(*) FILTER (WHERE status = 'fault') FROM fresh GROUP BY device_id, day",
            {"day": date.fromisoformat(partition.removeprefix("day="))},
        )
    query = "SELECT *, day AS _part FROM fresh_slots ORDER BY day, device_id"
    _, moves = stage_query(
        con,
        query,
        lake=layout.root,
        batch_id=batch_id,
        target_dir=layout.derived_dir(DEVICE_DAY_SLOTS.name),
        partition_key="day",
    )
    return moves
