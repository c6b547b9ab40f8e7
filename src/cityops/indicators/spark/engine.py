"""The Spark engine: each computation's DuckDB SQL, translated, on a SparkSession.

The tables are the session's temporary views (``register_tables`` makes them
from a lake and the register's rows); ``prepare`` adds ``region_closure``, built in Python
from ``regions`` (``closure.region_closure``), since Spark SQL has no
recursive ``UNION`` that stops on a cycle.  Results come back as the same
rows DuckDB returns, so ``compute_indicators`` makes the same facts, recorded
with engine ``spark``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from cityops.errors import PipelineError
from cityops.indicators.computations import Computation
from cityops.indicators.computations.base import CLOSURE_TABLE, FactRow
from cityops.indicators.engine_name import EngineName
from cityops.indicators.spark.closure import closure_table, region_closure
from cityops.indicators.spark.session import spark_session
from cityops.indicators.spark.tables import register_arrow, register_tables
from cityops.indicators.spark.transpile import spark_sql

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["SparkEngine", "open_spark_engine"]


class SparkEngine:
    """Runs computations on ``spark``, whose views hold the contract and compact tables.

    The session must carry the settings of ``spark_session`` (time zone,
    TIMESTAMP as an instant, ANSI arithmetic); ``spark_session`` sets them.
    """

    name = EngineName.SPARK

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark

    def prepare(self) -> None:
        edges = self.spark.sql("SELECT region_code, parent_code FROM regions").collect()
        pairs = region_closure((row.region_code, row.parent_code) for row in edges)
        register_arrow(self.spark, CLOSURE_TABLE, closure_table(pairs))

    def rows(self, computation: Computation, parameters: Mapping[str, Any]) -> list[FactRow]:
        from pyspark.errors import PySparkException

        query = spark_sql(computation.sql, parameters)
        try:
            result = self.spark.sql(query).collect()
        except PySparkException as error:
            raise PipelineError(f"computing {computation.code} on Spark failed: {error}") from error
        return [(row[0], row[1], row[2], row[3], row[4]) for row in result]


def open_spark_engine(
    lake: Path, register: Mapping[str, pa.Table], master: str | None = None
) -> SparkEngine:
    """A Spark engine over the ``lake`` directory and the ``register`` tables' rows: the
    process's session (``master``, else ``$CITYOPS_SPARK_MASTER``, else ``local[2]``)
    with every table as a view."""
    spark = spark_session(master)
    register_tables(spark, lake, register)
    return SparkEngine(spark)
