"""A DuckDB connection on which every contract table is queryable by its name.

Event tables are views over the lake's Parquet files, read in place; register
tables are copied from the register database (they are small) so that SQL can
join the two.  A table with no data yet is an empty table of the right types,
so queries never fail for want of a source, they only find nothing.
"""

from __future__ import annotations

import duckdb

from cityops.domain.contract import TABLES, Table, TableKind
from cityops.lake.layout import LakeLayout
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
            elif layout.has_data(table):
                _lake_view(con, table, layout)
            else:
                _copy_table(con, table.name, arrow_schema(table).empty_table())
    finally:
        engine.dispose()
    return con


def _copy_table(con: duckdb.DuckDBPyConnection, name: str, rows: object) -> None:
    con.register(f"{name}__arrow", rows)
    con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM "{name}__arrow"')
    con.unregister(f"{name}__arrow")


def _lake_view(con: duckdb.DuckDBPyConnection, table: Table, layout: LakeLayout) -> None:
    fields = ", ".join(f'"{name}"' for name in table.field_names)
    glob = layout.glob(table).replace("'", "''")
    con.execute(
        f'CREATE VIEW "{table.name}" AS SELECT {fields} '
        f"FROM read_parquet('{glob}', hive_partitioning = false, union_by_name = true)"
    )
