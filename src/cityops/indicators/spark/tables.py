"""The tables a computation reads, as Spark temporary views: the Spark side of
``cityops.lake.connection.open_analytics``.

Every contract table is a view by its name with the types of
``cityops.lake.schema.arrow_schema``: event tables read the lake's committed
Parquet files in place, register tables are copied from the register database
(they are small), and a table with no data yet is empty with the right types.
The compact tables built at ingest are views that sum each batch's increments
per key, as on DuckDB: ``user_index`` (user_id, user_ix), ``user_registrations``
(user_ix, registered_at, event_id, region_code, real_name), ``user_day_activity``
(user_ix, day, events, service_calls) and ``device_day_slots`` (device_id,
day, ok_slots, fault_slots).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from cityops.domain.contract import TABLES, Table, TableKind
from cityops.lake.layout import (
    DEVICE_DAY_SLOTS,
    USER_DAY_ACTIVITY,
    USER_INDEX,
    USER_REGISTRATIONS,
    LakeLayout,
)
from cityops.lake.schema import TIMESTAMP_TYPE, arrow_schema
from cityops.register.engine import make_engine
from cityops.register.store import read_current
from cityops.workspace.workspace import Workspace

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["register_arrow", "register_workspace"]


def register_arrow(spark: SparkSession, name: str, rows: pa.Table) -> None:
    """Make ``rows`` the view ``name``, with their Arrow types."""
    spark.createDataFrame(rows).createOrReplaceTempView(name)


def register_workspace(spark: SparkSession, workspace: Workspace) -> None:
    """Every contract table and compact table of ``workspace`` as a view by its name."""
    layout = LakeLayout(workspace.lake)
    engine = make_engine(workspace.register_url)
    try:
        for table in TABLES:
            if table.kind is TableKind.REGISTER:
                register_arrow(spark, table.name, read_current(engine, table))
            else:
                _lake_view(spark, table, layout)
    finally:
        engine.dispose()
    for name, (schema, keys) in _DERIVED.items():
        _derived_view(spark, layout, name, schema, keys)


def _lake_view(spark: SparkSession, table: Table, layout: LakeLayout) -> None:
    schema = arrow_schema(table)
    files = layout.files(layout.table_dir(table))
    if not files:
        register_arrow(spark, table.name, schema.empty_table())
        return
    _read_parquet(spark, schema, files).createOrReplaceTempView(table.name)


def _read_parquet(spark: SparkSession, schema: pa.Schema, files: Sequence[Path]) -> DataFrame:
    """The files' rows with exactly ``schema``'s columns: a column a file lacks is null,
    as with DuckDB's ``union_by_name``, and partition directories add no column."""
    from pyspark.sql.pandas.types import from_arrow_schema

    frame = spark.read.schema(from_arrow_schema(schema)).parquet(*(str(f) for f in files))
    return frame.select(*schema.names)


_DERIVED: dict[str, tuple[pa.Schema, tuple[str, ...]]] = {
    USER_INDEX: (
        pa.schema([("user_id", pa.string()), ("user_ix", pa.int64())]),
        ("user_id", "user_ix"),
    ),
    USER_REGISTRATIONS: (
        pa.schema(
            [
                ("user_ix", pa.int64()),
                ("registered_at", TIMESTAMP_TYPE),
                ("event_id", pa.string()),
                ("region_code", pa.string()),
                ("real_name", pa.bool_()),
            ]
        ),
        ("user_ix", "registered_at", "event_id", "region_code", "real_name"),
    ),
    USER_DAY_ACTIVITY: (
        pa.schema(
            [
                ("user_ix", pa.int64()),
                ("day", pa.date32()),
                ("events", pa.int64()),
                ("service_calls", pa.int64()),
            ]
        ),
        ("user_ix", "day"),
    ),
    DEVICE_DAY_SLOTS: (
        pa.schema(
            [
                ("device_id", pa.string()),
                ("day", pa.date32()),
                ("ok_slots", pa.int64()),
                ("fault_slots", pa.int64()),
            ]
        ),
        ("device_id", "day"),
    ),
}
"""Each compact table's columns and key; the columns after the key are counts that
the batches' increments add to (``user_index`` has no counts: one row per user)."""


def _derived_view(
    spark: SparkSession, layout: LakeLayout, name: str, schema: pa.Schema, keys: tuple[str, ...]
) -> None:
    files = layout.files(layout.derived_dir(name))
    if not files:
        register_arrow(spark, name, schema.empty_table())
        return
    parts = _read_parquet(spark, schema, list(files))
    counts = [column for column in schema.names if column not in keys]
    if counts:
        from pyspark.sql import functions

        parts = parts.groupBy(*keys).agg(
            *(functions.sum(column).cast("bigint").alias(column) for column in counts)
        )
    parts.createOrReplaceTempView(name)
