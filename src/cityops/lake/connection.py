"""A DuckDB connection on which every contract table is queryable by its name.

Event tables are views over the lake's Parquet files, read in place; register
tables are copied in from the rows the caller read from the register database
(they are small) so that SQL can join the two.  The lake reads no database of
its own: the unit of work (``cityops.services.unit_of_work``) reads the
register and hands its tables over.  A table with no data yet is an empty table of the right types,
so queries never fail for want of a source, they only find nothing.

The compact tables built at ingest (``lake/compact.py``: ``user_index``,
``user_registrations``, ``user_day_activity``, ``user_day_services``,
``device_day_slots``) are views too; each batch stores increments, which the
views sum per key.  Files of a batch not yet committed are left out, so a reader sees
every batch whole or not at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pyarrow as pa

from cityops.domain.contract import TABLES, Table, TableKind
from cityops.lake.compact import COMPACT_TABLES, CompactTable, check_compact_format
from cityops.lake.layout import LakeLayout
from cityops.lake.schema import arrow_schema

__all__ = ["open_lake"]


def open_lake(lake: Path, register_tables: Mapping[str, pa.Table]) -> duckdb.DuckDBPyConnection:
    """Open an in-memory DuckDB over the ``lake`` directory, time zone Asia/Shanghai,
    with ``register_tables`` (every register table of the contract, by name: its
    current rows) copied in."""
    layout = LakeLayout(lake)
    check_compact_format(layout.root)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    for table in TABLES:
        if table.kind is TableKind.REGISTER:
            _copy_table(con, table.name, register_tables[table.name])
        else:
            _lake_view(con, table, layout)
    _derived_views(con, layout)
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


def _derived_views(con: duckdb.DuckDBPyConnection, layout: LakeLayout) -> None:
    """The compact tables (see the module docstring); empty when nothing was derived."""
    for compact in COMPACT_TABLES:
        files = layout.files(layout.derived_dir(compact.name))
        if not files:
            _copy_table(con, compact.name, compact.schema.empty_table())
            continue
        view = _parquet(files) if not compact.counts else _sums_of_increments(compact, files)
        columns = ", ".join(f'"{name}"' for name in compact.schema.names)
        con.execute(f'CREATE VIEW "{compact.name}" AS SELECT {columns} FROM {view}')


def _sums_of_increments(compact: CompactTable, files: list[Path]) -> str:
    """The increments of a table partitioned by its key's day, summed per key.

    A key never spans two days, and one batch stores each key of a day once, so a
    day partition of a single file (one batch) is read as stored; only the days
    that several batches added to are summed.  A month ingested in one batch then
    costs no aggregation at all.
    """
    per_day = Counter(f.parent for f in files)
    whole = [f for f in files if per_day[f.parent] == 1]
    added_to = [f for f in files if per_day[f.parent] > 1]
    key = ", ".join(f'"{name}"' for name in compact.key)
    stored = ", ".join(f'CAST("{name}" AS BIGINT) AS "{name}"' for name in compact.counts)
    summed = ", ".join(f'CAST(sum("{name}") AS BIGINT) AS "{name}"' for name in compact.counts)
    parts = [f"SELECT {key}, {stored} FROM {_parquet(whole)}"] if whole else []
    if added_to:
        parts.append(f"SELECT {key}, {summed} FROM {_parquet(added_to)} GROUP BY {key}")
    return "(" + "\nUNION ALL\n".join(parts) + ")"
