"""Contract checks compiled to SQL, run on hand-written raw rows in DuckDB."""

from datetime import UTC, datetime

import duckdb
import pytest

from cityops.domain.contract import Field, FieldType, table
from cityops.ingestion.checks import checks_for, typed_expression
from cityops.ingestion.personal import register_personal_functions


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    """A connection as ingestion opens one: Shanghai time, the personal-data scanner."""
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'Asia/Shanghai'")
    register_personal_functions(connection)
    return connection


def typed_text(con: duckdb.DuckDBPyConnection, field: Field, text: str | None) -> object:
    con.execute("CREATE OR REPLACE TEMP TABLE raw AS SELECT CAST(? AS VARCHAR) AS v", [text])
    renamed = Field("v", field.type, field.required)
    row = con.execute(f"SELECT {typed_expression(renamed, 'VARCHAR')} FROM raw").fetchone()
    assert row is not None
    return row[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("1", True), ("是", True), (" TRUE ", True),
     ("false", False), ("0", False), ("否", False), ("maybe", None), ("", None)],
)  # fmt: skip
def test_booleans_accept_the_contract_spellings(
    con: duckdb.DuckDBPyConnection, text: str, expected: bool | None
) -> None:
    assert typed_text(con, Field("x", FieldType.BOOL), text) == expected


def test_a_timestamp_without_offset_is_shanghai_local_time(
    con: duckdb.DuckDBPyConnection,
) -> None:
    value = typed_text(con, Field("x", FieldType.TIMESTAMP), "2025-03-01 08:00:00")
    assert isinstance(value, datetime)
    assert value.astimezone(UTC) == datetime(2025, 3, 1, 0, 0, tzinfo=UTC)


def test_a_timestamp_with_an_offset_keeps_its_instant(con: duckdb.DuckDBPyConnection) -> None:
    value = typed_text(con, Field("x", FieldType.TIMESTAMP), "2025-03-01T08:00:00+00:00")
    assert isinstance(value, datetime)
    assert value.astimezone(UTC) == datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "ok"), [("2025-03", True), ("2025-13", False), ("2025-3", False)])
def test_periods_must_be_year_and_two_digit_month(
    con: duckdb.DuckDBPyConnection, text: str, ok: bool
) -> None:
    assert (typed_text(con, Field("x", FieldType.PERIOD), text) is not None) == ok


def first_failures(con: duckdb.DuckDBPyConnection, rows: str) -> list[tuple[object, ...]]:
    """Run the checks of portal_ratings over ``rows`` (SQL VALUES, all text)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE known_services AS SELECT 's1' AS key "
        f"; CREATE OR REPLACE TEMP TABLE raw AS SELECT * FROM (VALUES {rows}) "
        "t(event_id, ts, user_id, service_id, rating)"
    )
    spec = table("portal_ratings")
    types = dict.fromkeys(spec.field_names, "VARCHAR")
    checks = checks_for(spec, types, {"services": "known_services"})
    field = " ".join(f"WHEN {c.failing_sql} THEN '{c.field}'" for c in checks)
    reason = " ".join(f"WHEN {c.failing_sql} THEN {c.reason_sql}" for c in checks)
    return con.execute(
        f"SELECT event_id, CASE {field} END, CASE {reason} END FROM raw ORDER BY event_id"
    ).fetchall()


def test_each_row_records_its_first_failing_field_and_why(
    con: duckdb.DuckDBPyConnection,
) -> None:
    rows = ", ".join(
        [
            "('e1', '2025-01-01 10:00', 'u1', 's1', '3')",  # valid
            "('e2', '2025-01-01 10:00', 'u1', 's1', '6')",  # rating above 5
            "('e3', '2025-01-01 10:00', 'u1', 's9', '5')",  # unknown service
            "('e4', 'yesterday', 'u1', 's1', '5')",  # not a timestamp
            "('e5', '2025-01-01 10:00', '  ', 's1', '5')",  # blank user id
            "('e6', '2025-01-01 10:00', 'u1', 's1', 'five')",  # not an int
        ]
    )
    assert first_failures(con, rows) == [
        ("e1", None, None),
        ("e2", "rating", "value 6 is above the maximum 5"),
        ("e3", "service_id", "unknown service_id s9 (not in services; load services first)"),
        ("e4", "ts", "value yesterday is not a valid timestamp"),
        ("e5", "user_id", "required value is missing"),
        ("e6", "rating", "value five is not a valid int"),
    ]
