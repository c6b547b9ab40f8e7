"""Every hand-built indicator case runs on each engine: DuckDB, and Spark (marked ``spark``).

The cases build their rows in a ``FakeLake`` (a DuckDB connection) and call
``FakeLake.compute``; on Spark, the lake's tables are copied into the
session's views first, so the same rows and the same hand-worked expectations
check the translated SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
import pytest

from cityops.domain.contract import TABLES
from cityops.indicators.engine import QueryEngine

from fake_lake import COMPACT_TABLES, FakeLake

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

HAND_BUILT = {
    "test_camera_intact_rate",
    "test_capability_indicators",
    "test_catalogue_computations",
    "test_content_indicators",
    "test_effectiveness_indicators",
    "test_mechanism_indicators",
}
"""The modules whose cases compute through ``FakeLake.compute``."""

LAKE_TABLES = (*(t.name for t in TABLES), *COMPACT_TABLES)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if Path(metafunc.definition.path).stem in HAND_BUILT:
        metafunc.parametrize(
            "lake_engine",
            ["duckdb", pytest.param("spark", marks=pytest.mark.spark)],
            indirect=True,
        )


@pytest.fixture(scope="session")
def spark() -> SparkSession:
    """The process's SparkSession, made once for every test that needs it."""
    from cityops.indicators.spark.session import spark_session

    return spark_session()


@pytest.fixture(scope="session")
def spark_views(spark: SparkSession) -> SparkViews:
    return SparkViews(spark)


@pytest.fixture(autouse=True)
def lake_engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """The engine ``FakeLake.compute`` runs on for this case (DuckDB unless parametrised)."""
    name: str = getattr(request, "param", "duckdb")
    if name == "duckdb":
        yield name
        return
    views: SparkViews = request.getfixturevalue("spark_views")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(FakeLake, "engine", views.engine_over)
        yield name


class SparkViews:
    """Copies a fake lake's tables into Spark views, only those that changed since the
    last copy (most cases leave most tables empty, and a copy costs a Spark job)."""

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark
        self._registered: dict[str, pa.Table] = {}

    def engine_over(self, con: duckdb.DuckDBPyConnection) -> QueryEngine:
        from cityops.indicators.spark.engine import SparkEngine
        from cityops.indicators.spark.tables import register_arrow

        for name in LAKE_TABLES:
            rows = con.table(name).to_arrow_table()
            previous = self._registered.get(name)
            if previous is None or not previous.equals(rows, check_metadata=True):
                register_arrow(self.spark, name, rows)
                self._registered[name] = rows
        return SparkEngine(self.spark)
