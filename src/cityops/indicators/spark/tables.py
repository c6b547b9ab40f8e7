"""The tables a computation reads, as Spark temporary views: the Spark side of
``cityops.lake.connection.open_lake``.

Every contract table is a view by its name with the types of
``cityops.lake.schema.arrow_schema``: event tables read the lake's committed
Parquet files in place, register tables are copied from the rows the caller
read from the register database (they are small), and a table with no data yet
is empty with the right types.
The compact tables built at ingest (``lake/compact.py``) are views that sum
each batch's increments per key, as on DuckDB.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from cityops.domain.contract import TABLES, Table, TableKind
from cityops.lake.compact import COMPACT_TABLES, CompactTable, check_compact_format
from cityops.lake.layout import LakeLayout
from cityops.lake.schema import arrow_schema

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["register_arrow", "register_tables"]


def register_arrow(spark: SparkSession, name: str, rows: pa.Table) -> None:
    """Make ``rows`` the view ``name``, with their Arrow types."""
    spark.createDataFrame(rows).createOrReplaceTempView(name)


def register_tables(spark: SparkSession, lake: Path, register: Mapping[str, pa.Table]) -> None:
    """Every contract table and compact table as a view by its name: event tables from
    the ``lake`` directory, register tables from ``register`` (rows by table name)."""
    layout = LakeLayout(lake)
    check_compact_format(layout.root)
    for table in TABLES:
        if table.kind is TableKind.REGISTER:
            register_arrow(spark, table.name, register[table.name])
        else:
            _lake_view(spark, table, layout)
    for compact in COMPACT_TABLES:
        _derived_view(spark, layout, compact)


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


def _derived_view(spark: SparkSession, layout: LakeLayout, compact: CompactTable) -> None:
    files = layout.files(layout.derived_dir(compact.name))
    if not files:
        register_arrow(spark, compact.name, compact.schema.empty_table())
        return
    parts = _read_parquet(spark, compact.schema, list(files))
    if compact.counts:
        from pyspark.sql import functions

        parts = parts.groupBy(*compact.key).agg(
            *(functions.sum(column).cast("bigint").alias(column) for column in compact.counts)
        )
    parts.createOrReplaceTempView(compact.name)
