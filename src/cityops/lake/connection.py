"""A DuckDB connection on which every contract table is queryable by its name.

Event tables are views over the lake's Parquet files, read in place; register
tables are copied from the register database (they are small) so that SQL can
join the two.  A table with no data yet is an empty table of the right types,
so queries never fail for want of a source, they only find nothing.

The compact tables built at ingest are views too: ``user_index`` (user_id,
user_ix), ``user_registrations`` (user_ix, registered_at, event_id,
region_code, real_name: ``portal_users`` by user index), ``user_day_activity``
(user_ix, day, events, service_calls) and ``device_day_slots`` (device_id,
day, ok_slots, fault_slots); each batch stores increments, which the views sum
per key.  Files of a batch not yet committed are left out, so a reader sees
every batch whole or not at all.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb

from cityops.domain.contract import TABLES, Table, TableKind
from cityops.lake.layout import (
    DERIVED_DIR,
    DEVICE_DAY_SLOTS,
    USER_DAY_ACTIVITY,
    USER_INDEX,
    USER_REGISTRATIONS,
    LakeLayout,
)
from cityops.lake.schema import arrow_schema
from cityops.register.engine import make_engine
from cityops.register.store import read_current
from cityops.workspace.workspace import Workspace

__all__ = ["open_analytics"]


def open_analytics(workspace: Workspace) -> duckdb.DuckDBPyConnection:
    """Open an in-memory DuckDB over the workspace, time zone Asia/Shanghai."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    layout = LakeLayout(workspace.lake)
    engine = make_engine(workspace.register_url)
    try:
        for table in TABLES:
            if table.kind is TableKind.REGISTER:
                _copy_table(con, table.name, read_current(engine, table))
            else:
                _lake_view(con, table, layout)
        _derived_views(con, layout)
    finally:
        engine.dispose()
    return con


def _copy_table(con: duckdb.DuckDBPyConnection, name: str, rows: object) -> None:
    con.register(f"{name}__arrow", rows)
    con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM "{name}__arrow"')
    con.unregister(f"{name}__arrow")


def _parquet(files: list[Path]) -> str:
    listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
    return f"read_parquet([{listed}], hive_partitioning = false, union_by_name = true)"


def _lake_view(con: duckdb.DuckDBPyConnection, table: Table, layout: LakeLayout) -> None:
    files = layout.files(layout.table_dir(table))
    if not files:
        _copy_table(con, table.name, arrow_schema(table).empty_table())
        return
    fields = ", ".join(f'"{name}"' for name in table.field_names)
    con.execute(f'CREATE VIEW "{table.name}" AS SELECT {fields} FROM {_parquet(files)}')


_DERIVED: dict[str, tuple[str, str, str | None]] = {
    # name: (columns when empty, the rows as stored, their sums per key or None when
    # every row is whole)
    USER_INDEX: (
        "CAST(NULL AS VARCHAR) AS user_id, CAST(NULL AS BIGINT) AS user_ix",
        "SELECT user_id, user_ix FROM {files}",
        None,
    ),
    USER_REGISTRATIONS: (
        "CAST(NULL AS BIGINT) AS user_ix, CAST(NULL AS TIMESTAMPTZ) AS registered_at, "
        "CAST(NULL AS VARCHAR) AS event_id, CAST(NULL AS VARCHAR) AS region_code, "
        "CAST(NULL AS BOOLEAN) AS real_name",
        "SELECT user_ix, registered_at, event_id, region_code, real_name FROM {files}",
        None,
    ),
    USER_DAY_ACTIVITY: (
        "CAST(NULL AS BIGINT) AS user_ix, CAST(NULL AS DATE) AS day, "
        "CAST(NULL AS BIGINT) AS events, CAST(NULL AS BIGINT) AS service_calls",
        "SELECT user_ix, day, CAST(events AS BIGINT) AS events, "
        "CAST(service_calls AS BIGINT) AS service_calls FROM {files}",
        "SELECT user_ix, day, CAST(sum(events) AS BIGINT) AS events, "
        "CAST(sum(service_calls) AS BIGINT) AS service_calls FROM {files} GROUP BY user_ix, day",
    ),
    DEVICE_DAY_SLOTS: (
        "CAST(NULL AS VARCHAR) AS device_id, CAST(NULL AS DATE) AS day, "
        "CAST(NULL AS BIGINT) AS ok_slots, CAST(NULL AS BIGINT) AS fault_slots",
        "SELECT device_id, day, CAST(ok_slots AS BIGINT) AS ok_slots, "
        "CAST(fault_slots AS BIGINT) AS fault_slots FROM {files}",
        "SELECT device_id, day, CAST(sum(ok_slots) AS BIGINT) AS ok_slots, "
        "CAST(sum(fault_slots) AS BIGINT) AS fault_slots FROM {files} GROUP BY device_id, day",
    ),
}


def _derived_views(con: duckdb.DuckDBPyConnection, layout: LakeLayout) -> None:
    """The compact tables (see the module docstring); empty when nothing was derived."""
    for name, (empty, stored, summed) in _DERIVED.items():
        files = layout.files(layout.root / DERIVED_DIR / name)
        if not files:
            con.execute(f'CREATE TABLE "{name}" AS SELECT {empty} LIMIT 0')
            continue
        if summed is None:
            view = stored.format(files=_parquet(files))
        else:
            view = _sums_of_increments(files, stored, summed)
        con.execute(f'CREATE VIEW "{name}" AS {view}')


def _sums_of_increments(files: list[Path], stored: str, summed: str) -> str:
    """The increments of a table partitioned by its key's day, summed per key.

    A key never spans two days, and one batch stores each key of a day once, so a
    day partition of a single file (one batch) is read as stored; only the days
    that several batches added to are summed.  A month ingested in one batch then
    costs no aggregation at all.
    """
    per_day = Counter(f.parent for f in files)
    whole = [f for f in files if per_day[f.parent] == 1]
    added_to = [f for f in files if per_day[f.parent] > 1]
    parts = [stored.format(files=_parquet(whole))] if whole else []
    if added_to:
        parts.append(summed.format(files=_parquet(added_to)))
    return "\nUNION ALL\n".join(parts)
