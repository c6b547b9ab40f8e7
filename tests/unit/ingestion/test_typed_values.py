"""Text values into contract types: timestamps, whole numbers, mixed JSON values."""

from datetime import UTC, datetime, timedelta, timezone

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityops.domain.contract import Field, FieldType
from cityops.ingestion.checks import typed_expression

SHANGHAI = timezone(timedelta(hours=8))


def typed(values: list[str | None], field_type: FieldType, source: str = "VARCHAR") -> list[object]:
    expression = typed_expression(Field("v", field_type), source)
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'Asia/Shanghai'")
        con.register("raw_arrow", pa.table({"v": pa.array(values, pa.string())}))
        con.execute(f"CREATE TABLE raw AS SELECT CAST(v AS {source}) AS v FROM raw_arrow")
        rows = con.execute(f"SELECT {expression} FROM raw").fetchall()
    return [row[0] for row in rows]


# From 1992: China observed daylight saving time from 1986 to 1991.
instants = st.datetimes(datetime(1992, 1, 1), datetime(2060, 12, 31)).map(
    lambda d: d.replace(microsecond=0)
)
offsets = st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@settings(max_examples=50, deadline=None)
@given(instants, st.one_of(st.none(), offsets), st.sampled_from(["T", " "]))
def test_timestamps_keep_their_instant_and_naive_ones_are_shanghai_time(
    moment: datetime, offset: timezone | None, separator: str
) -> None:
    text = moment.isoformat(sep=separator)
    if offset is not None:
        text = moment.replace(tzinfo=offset).isoformat(sep=separator)
    expected = moment.replace(tzinfo=offset or SHANGHAI).astimezone(UTC)
    [value] = typed([text], FieldType.TIMESTAMP)
    assert isinstance(value, datetime)
    assert value.astimezone(UTC) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5", 5), (" -3 ", -3), ("+7", 7), ("4.5", None), ("5.0", None), ("1e3", None), ("", None)],
)
def test_whole_number_fields_take_whole_numbers_only(text: str, expected: int | None) -> None:
    assert typed([text], FieldType.INT) == [expected]


def test_a_float_column_for_a_whole_number_field_is_not_rounded() -> None:
    assert typed(["4.0", "4.5"], FieldType.INT, source="DOUBLE") == [4, None]


def test_mixed_json_values_are_read_as_their_text() -> None:
    # JSON Lines mixing true and "否" arrive as DuckDB's JSON type.
    assert typed(["true", '"否"', '"是"', "null"], FieldType.BOOL, source="JSON") == [
        True,
        False,
        True,
        None,
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=" \t\nab是𠮷", max_size=6), min_size=1, max_size=20))
def test_text_values_lose_their_outer_spaces_and_blank_ones_are_missing(
    values: list[str],
) -> None:
    # Only spaces are trimmed (DuckDB's trim); a tab or line break is part of the value.
    expected = [value.strip(" ") or None for value in values]
    assert typed(list[str | None](values), FieldType.STRING) == expected
