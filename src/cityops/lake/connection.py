"""A DuckDB connection on which every contract table is queryable by its name.

Event tables are views over the lake's Parquet files, read in place; register
tables are copied from the register database (they are small) so that SQL can
join the two.  A table with no data yet is an empty table of the right types,
so queries never fail for want of a source, they only find nothing.

The compact tables built at ingest are views too: ``user_index`` (user_id,
user_ix), ``user_day_activity`` (user_ix, day, events, service_calls) and
``device_day_slots`` (device_id, day, ok_slots, fault_slots); each batch
stores increments, which the views sum per key.  Files of a batch not yet
committed are left out, so a reader sees every batch whole or not at all.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from cityops.domain.contract import TABLES, Table, TableKind
from cityops.lake.layout import (
    DERIVED_DIR,
    DEVICE_DAY_SLOTS,
    USER_DAY_ACTIVITY,
    USER_INDEX,
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


_DERIVED: dict[str, tuple[str, str]] = {
    # name: (columns when empty, the view over the increments)
    USER_INDEX: (
        "CAST(NULL AS VARCHAR) AS user_id, CAST(NULL AS BIGINT) AS user_ix",
        "SELECT user_id, user_ix FROM {files}",
    ),
    USER_DAY_ACTIVITY: (
        "CAST(NULL AS BIGINT) AS user_ix, CAST(NULL AS DATE) AS day, "
        "CAST(NULL AS BIGINT) AS events, CAST(NULL AS BIGINT) AS service_calls",
        "SELECT user_ix, day, CAST(sum(events) AS BIGINT) AS events, "
        "CAST(sum(service_calls) AS BIGINT) AS service_calls FROM {files} GROUP BY user_ix, day",
    ),
    DEVICE_DAY_SLOTS: (
        "CAST(NULL AS VARCHAR) AS device_id, CAST(NULL AS DATE) AS day, "
        "CAST(NULL AS BIGINT) AS ok_slots, CAST(NULL AS BIGINT) AS fault_slots",
        "SELECT device_id, day, CAST(sum(ok_slots) AS BIGINT) AS ok_slots, "
        "CAST(sum(fault_slots) AS BIGINT) AS fault_slots FROM {files} GROUP BY device_id, day",
    ),
}


def _derived_views(con: duckdb.DuckDBPyConnection, layout: LakeLayout) -> None:
    """The compact tables (see the module docstring); empty when nothing was derived."""
    for name, (empty, view) in _DERIVED.items():
        files = layout.files(layout.root / DERIVED_DIR / name)
        if files:
            con.execute(f'CREATE VIEW "{name}" AS {view.format(files=_parquet(files))}')
        else:
            con.execute(f'CREATE TABLE "{name}" AS SELECT {empty} LIMIT 0')
