"""What the translator's rewrites compute: each rule on a few rows, run as DuckDB SQL on
DuckDB and as its translation on Spark, against values worked out by hand."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityops.domain.period import CITY_TZ
from cityops.indicators.spark.tables import register_arrow
from cityops.indicators.spark.transpile import spark_sql

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = pytest.mark.spark

Rows = list[tuple[Any, ...]]


def on_duckdb(rows: pa.Table, sql: str, parameters: Mapping[str, Any]) -> Rows:
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{CITY_TZ.key}'")
    con.register("t", rows)
    result: Rows = con.execute(sql, dict(parameters)).fetchall()
    return result


def on_spark(spark: SparkSession, rows: pa.Table, sql: str, parameters: Mapping[str, Any]) -> Rows:
    register_arrow(spark, "t", rows)
    return [tuple(row) for row in spark.sql(spark_sql(sql, parameters)).collect()]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def instants(*texts: str | None) -> pa.Array:
    return pa.array([None if t is None else utc(t) for t in texts], pa.timestamp("us", tz="UTC"))


def slot(text: str) -> int:
    """The 5-minute slot of an instant: ⌊epoch microseconds ÷ 300,000,000⌋."""
    return (
        (utc(text) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1) // 300_000_000
    )


LOCAL_MIDNIGHT_1_MARCH_US = int(datetime(2025, 3, 1, tzinfo=CITY_TZ).timestamp()) * 1_000_000

CASES: dict[str, tuple[pa.Table, str, dict[str, Any], Rows]] = {
    # 1.0 is a DOUBLE: Spark would keep DECIMAL(…, 6) and give 0.333333
    "decimal literal in a ratio": (
        pa.table({"a": [1], "b": [3]}),
        "SELECT 1.0 * a / b FROM t",
        {},
        [(1 / 3,)],
    ),
    "continuous quantile interpolates": (
        pa.table({"x": [5.0, 1.0, 4.0, 2.0, 3.0]}),
        "SELECT quantile_cont(x, 0.95), quantile_cont(x, 0.5) FROM t",
        {},
        [(4.8, 3.0)],  # 4 + 0.8 × (5 − 4)
    ),
    # 15:30 UTC is 23:30 in Shanghai; 16:30 UTC on 28 Feb is 00:30 on 1 March
    "hours and days are local": (
        pa.table({"ts": instants("2025-03-01 15:30", "2025-02-28 16:30")}),
        # named: Spark would call an unnamed CAST(ts AS DATE) "ts" and sort by it
        "SELECT hour(ts) AS local_hour, CAST(ts AS DATE) AS local_day FROM t ORDER BY ts",
        {},
        [(0, date(2025, 3, 1)), (23, date(2025, 3, 1))],
    ),
    "a date as an instant is local midnight": (
        pa.table({"d": pa.array([date(2025, 3, 1)], pa.date32())}),
        "SELECT epoch_us(CAST(d AS TIMESTAMPTZ)) FROM t",
        {},
        [(LOCAL_MIDNIGHT_1_MARCH_US,)],
    ),
    "integer division of epoch microseconds": (
        pa.table({"ts": instants("2025-03-01 00:04:59.999999", "2025-03-01 00:05")}),
        "SELECT epoch_us(ts) // 300000000 FROM t ORDER BY ts",
        {},
        [(slot("2025-03-01 00:04:59.999999"),), (slot("2025-03-01 00:05"),)],  # n, n + 1
    ),
    "instant parameters bound a month in local time": (
        pa.table({"ts": instants("2025-02-28 15:59:59", "2025-02-28 16:00", "2025-03-31 16:00")}),
        "SELECT count(*) FROM t WHERE ts >= $start AND ts < $end",
        {
            "start": datetime(2025, 3, 1, tzinfo=CITY_TZ),
            "end": datetime(2025, 4, 1, tzinfo=CITY_TZ),
        },
        [(1,)],
    ),
    # a's first row is e2 (earliest, then smallest id); e0 has no time and sorts last
    "qualify keeps the first row, nulls sorted last": (
        pa.table(
            {
                "k": ["a", "a", "a", "b"],
                "ts": instants(None, "2025-03-01 00:00", "2025-03-01 00:00", "2025-03-05 00:00"),
                "id": ["e0", "e3", "e2", "e4"],
            }
        ),
        "SELECT k, id FROM t QUALIFY row_number() OVER (PARTITION BY k ORDER BY ts, id) = 1 "
        "ORDER BY k",
        {},
        [("a", "e2"), ("b", "e4")],
    ),
    "null keys sort last": (
        pa.table({"k": pa.array(["b", None, "a"], pa.string())}),
        "SELECT k FROM t ORDER BY k",
        {},
        [("a",), ("b",), (None,)],
    ),
    "arg_min over a tuple breaks ties by the second key": (
        pa.table(
            {
                "ts": instants("2025-03-01 00:00", "2025-03-01 00:00", "2025-03-02 00:00"),
                "event_id": ["e2", "e1", "e0"],
                "region": ["east", "west", "north"],
            }
        ),
        "SELECT arg_min(region, (ts, event_id)) FROM t",
        {},
        [("west",)],
    ),
    "interval arithmetic on instants": (
        pa.table(
            {
                "created": instants("2025-03-01 00:00", "2025-03-01 00:00"),
                "answered": instants("2025-03-01 00:30", "2025-03-01 00:30:01"),
            }
        ),
        "SELECT answered <= created + INTERVAL 30 MINUTE FROM t ORDER BY answered",
        {},
        [(True,), (False,)],
    ),
    "list parameters": (
        pa.table({"item": ["a", "c", "z"]}),
        "SELECT len($items), count(*) FILTER (WHERE list_contains($items, item)) FROM t",
        {"items": ["a", "b", "c"]},
        [(3, 2)],
    ),
    # a plain sum of doubles gives 0.6000000000000001
    "exact sums in fixed point": (
        pa.table({"x": [0.1, 0.2, 0.3]}),
        "SELECT CAST(sum(CAST(x AS DECIMAL(38, 12))) AS DOUBLE) FROM t",
        {},
        [(0.6,)],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_duckdb_sql_and_its_spark_translation_compute_the_same(
    spark: SparkSession, case: str
) -> None:
    rows, sql, parameters, expected = CASES[case]
    assert on_duckdb(rows, sql, parameters) == expected
    assert on_spark(spark, rows, sql, parameters) == expected


@settings(max_examples=10, deadline=None)  # a Spark query per example
@given(
    st.lists(st.floats(0, 10_000, allow_nan=False), min_size=1, max_size=40),
    st.sampled_from([0.0, 0.25, 0.5, 0.95, 1.0]),
)
def test_percentile_on_spark_is_numpys_linear_quantile(
    spark: SparkSession, latencies: list[float], share: float
) -> None:
    rows = pa.table({"x": pa.array(latencies, pa.float64())})
    sql = f"SELECT quantile_cont(x, {share}) FROM t"
    [(figure,)] = on_spark(spark, rows, sql, {})
    assert figure == pytest.approx(float(np.quantile(latencies, share)), rel=1e-12, abs=1e-9)
