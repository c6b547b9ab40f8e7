"""DuckDB SQL → Spark SQL: each rewrite rule of the translator, by the text it writes.

What the rewritten SQL computes on Spark is checked against DuckDB in
``test_spark_semantics.py`` and, for the whole catalogue, in
``tests/integration/indicators/test_engines_agree.py``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlglot
from hypothesis import example, given
from hypothesis import strategies as st
from sqlglot import exp

from cityops.domain.period import CITY_TZ
from cityops.errors import PipelineError
from cityops.indicators.spark.transpile import spark_sql


@pytest.mark.parametrize(
    ("duckdb_sql", "spark"),
    [
        # continuous quantile → Spark's exact, interpolating percentile (not PERCENTILE_APPROX)
        (
            "SELECT quantile_cont(latency_ms, 0.95) FROM t",
            "SELECT PERCENTILE(latency_ms, CAST(0.95 AS DOUBLE)) FROM t",
        ),
        ("SELECT epoch_us(ts) FROM t", "SELECT UNIX_MICROS(ts) FROM t"),
        ("SELECT epoch_us(ts) // slot_us FROM t", "SELECT UNIX_MICROS(ts) DIV slot_us FROM t"),
        # a decimal literal is a DOUBLE, an integer literal stays an integer
        ("SELECT 1.0 * a / b, 3 * a FROM t", "SELECT CAST(1.0 AS DOUBLE) * a / b, 3 * a FROM t"),
        ("SELECT least(x, 1.0) FROM t", "SELECT LEAST(x, CAST(1.0 AS DOUBLE)) FROM t"),
        # DuckDB sorts NULLs last, Spark first: the order is written out
        ("SELECT a FROM t ORDER BY a", "SELECT a FROM t ORDER BY a NULLS LAST"),
        (
            "SELECT count(*) FILTER (WHERE ok), bool_or(leak) FROM t",
            "SELECT COUNT(*) FILTER(WHERE ok), BOOL_OR(leak) FROM t",
        ),
        (
            "SELECT arg_min(region_code, (ts, event_id)) FROM t",
            "SELECT MIN_BY(region_code, (ts, event_id)) FROM t",
        ),
        ("SELECT CAST(d AS TIMESTAMPTZ) FROM t", "SELECT CAST(d AS TIMESTAMP) FROM t"),
        (
            "SELECT ts + INTERVAL 30 MINUTE FROM t",
            "SELECT ts + INTERVAL '30' MINUTE FROM t",
        ),
        # exact sums keep their explicit DECIMAL
        (
            "SELECT CAST(sum(CAST(x AS DECIMAL(38, 12))) AS DOUBLE) FROM t",
            "SELECT CAST(SUM(CAST(x AS DECIMAL(38, 12))) AS DOUBLE) FROM t",
        ),
    ],
)
def test_functions_and_literals_are_rewritten_for_spark(duckdb_sql: str, spark: str) -> None:
    assert spark_sql(duckdb_sql, {}) == spark


def test_qualify_becomes_a_filter_over_a_subquery() -> None:
    sql = "SELECT a FROM t QUALIFY row_number() OVER (PARTITION BY a ORDER BY ts, id) = 1"
    assert spark_sql(sql, {}) == (
        "SELECT a FROM (SELECT a, ROW_NUMBER() OVER "
        "(PARTITION BY a ORDER BY ts NULLS LAST, id NULLS LAST) AS _w FROM t) AS _t WHERE _w = 1"
    )


def test_parameters_become_typed_literals() -> None:
    sql = "SELECT * FROM t WHERE ts >= $start AND d <= $last AND p = $period AND n = $days"
    parameters = {
        "start": datetime(2025, 3, 1, tzinfo=CITY_TZ),
        "last": date(2025, 3, 31),
        "period": "2025-03",
        "days": 31,
    }
    assert spark_sql(sql, parameters) == (
        "SELECT * FROM t WHERE ts >= CAST('2025-03-01T00:00:00+08:00' AS TIMESTAMP) "
        "AND d <= CAST('2025-03-31' AS DATE) AND p = '2025-03' AND n = 31"
    )


def test_a_list_parameter_is_an_array_and_its_length_its_size() -> None:
    sql = "SELECT len($items), list_contains($items, item_code) FROM t"
    assert spark_sql(sql, {"items": ["a", "b"]}) == (
        "SELECT SIZE(ARRAY('a', 'b')), ARRAY_CONTAINS(ARRAY('a', 'b'), item_code) FROM t"
    )


def test_a_parameter_without_a_value_is_named_in_the_error() -> None:
    with pytest.raises(PipelineError, match=r"\$period_end, which has no value"):
        spark_sql("SELECT * FROM t WHERE ts < $period_end", {"period": "2025-03"})


def test_an_instant_without_a_time_zone_is_refused() -> None:
    with pytest.raises(PipelineError, match="has no time zone"):
        spark_sql("SELECT $start", {"start": datetime(2025, 3, 1)})


def test_a_parameter_of_an_unknown_type_is_refused() -> None:
    with pytest.raises(PipelineError, match="no Spark literal for a parameter of type float"):
        spark_sql("SELECT $share", {"share": 0.5})


def _literal_of(spark: str) -> exp.Expr:
    """The single selected expression of ``spark``, parsed back as Spark SQL."""
    select = sqlglot.parse_one(spark, read="spark")
    assert isinstance(select, exp.Select)
    [selected] = select.selects
    return selected


@given(st.text())
def test_any_string_parameter_reads_back_as_itself_in_spark_sql(text: str) -> None:
    literal = _literal_of(spark_sql("SELECT $period", {"period": text}))
    assert isinstance(literal, exp.Literal)
    assert literal.is_string
    assert literal.this == text


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(2200, 1, 1),
        timezones=st.sampled_from([CITY_TZ, UTC, timezone(timedelta(hours=-5))]),
    )
)
@example(datetime(1988, 9, 11, 1, 30, tzinfo=CITY_TZ))  # the repeated hour, first time
@example(datetime(1988, 9, 11, 1, 30, fold=1, tzinfo=CITY_TZ))  # and second
def test_any_instant_parameter_names_the_same_instant(instant: datetime) -> None:
    written = re.fullmatch(
        r"SELECT CAST\('([^']+)' AS TIMESTAMP\)", spark_sql("SELECT $start", {"start": instant})
    )
    assert written is not None
    # Compared in UTC: Python never calls an instant in a repeated local hour (1988-09-11
    # 01:30 in Shanghai, when summer time ended) equal to one in another zone (PEP 495).
    assert datetime.fromisoformat(written.group(1)).astimezone(UTC) == instant.astimezone(UTC)
