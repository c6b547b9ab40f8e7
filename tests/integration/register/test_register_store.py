"""Loading and reading register tables: latest load wins, history kept, types exact."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pyarrow as pa
import pytest
import sqlalchemy as sa

from cityops.domain.contract import REGISTER_TABLES, FieldType, Table, table
from cityops.errors import ContractError
from cityops.lake.schema import arrow_schema
from cityops.register.schema import history_table
from cityops.register.store import load_register_rows, read_current

REGIONS = table("regions")
SERVICES = table("services")


def _current(register: sa.Engine, contract_table: Table) -> pa.Table:
    with register.connect() as connection:
        return read_current(connection, contract_table)


def _regions(*rows: tuple[str, str, str, str | None, int]) -> pa.Table:
    names = arrow_schema(REGIONS).names
    return pa.Table.from_pylist(
        [dict(zip(names, row, strict=True)) for row in rows], schema=arrow_schema(REGIONS)
    )


def _history(engine: sa.Engine, contract_table: Table) -> list[dict[str, Any]]:
    history = history_table(contract_table)
    key = contract_table.identity[0]
    query = sa.select(history).order_by(history.c[key], history.c.batch_id)
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def _sample(contract_table: Table, rows: int) -> pa.Table:
    """Rows of every contract type, with nulls in every optional field (every third row)."""
    columns: dict[str, list[Any]] = {}
    for field in contract_table.fields:
        values: list[Any]
        if field.type is FieldType.STRING:
            values = [f"{field.name}-{i:03d}-测试" for i in range(rows)]
        elif field.type is FieldType.INT:
            values = [i * 1_000_000_007 for i in range(rows)]  # beyond 32 bits
        elif field.type is FieldType.FLOAT:
            values = [i / 3 for i in range(rows)]
        elif field.type is FieldType.BOOL:
            values = [i % 2 == 0 for i in range(rows)]
        elif field.type is FieldType.DATE:
            values = [date(1999, 12, 31) + timedelta(days=97 * i) for i in range(rows)]
        else:
            pytest.fail(f"no sample for {field.type} (a new type in a register table?)")
        if not field.required:
            values = [None if i % 3 == 0 else value for i, value in enumerate(values)]
        columns[field.name] = values
    return pa.table(columns, schema=arrow_schema(contract_table))


@pytest.mark.parametrize("contract_table", REGISTER_TABLES, ids=lambda t: t.name)
def test_read_current_returns_exactly_the_loaded_rows_and_types(
    register: sa.Engine, contract_table: Table
) -> None:
    rows = _sample(contract_table, 12)
    assert load_register_rows(register, contract_table, rows, "b1") == 12
    back = _current(register, contract_table)
    assert back.schema.equals(arrow_schema(contract_table), check_metadata=True)
    assert back.equals(rows)  # the sample is already sorted by its key


def test_an_empty_register_table_reads_as_an_empty_table_with_the_contract_schema(
    register: sa.Engine,
) -> None:
    back = _current(register, SERVICES)
    assert back.num_rows == 0
    assert back.schema.equals(arrow_schema(SERVICES))


def test_a_later_load_replaces_the_current_row_and_history_keeps_both(
    register: sa.Engine,
) -> None:
    load_register_rows(
        register,
        REGIONS,
        _regions(
            ("330100", "杭州市", "city", None, 100), ("330102", "上城区", "district", "330100", 10)
        ),
        "b1",
    )
    load_register_rows(
        register, REGIONS, _regions(("330102", "上城区", "district", "330100", 12)), "b2"
    )

    current = _current(register, REGIONS).to_pylist()
    assert [(r["region_code"], r["resident_population"]) for r in current] == [
        ("330100", 100),
        ("330102", 12),
    ]
    history = [
        (r["region_code"], r["batch_id"], r["resident_population"])
        for r in _history(register, REGIONS)
    ]
    assert history == [("330100", "b1", 100), ("330102", "b1", 10), ("330102", "b2", 12)]


def test_the_last_row_of_a_key_repeated_within_one_batch_wins(register: sa.Engine) -> None:
    stored = load_register_rows(
        register,
        REGIONS,
        _regions(
            ("330102", "上城区", "district", "330100", 1),
            ("330105", "拱墅区", "district", "330100", 5),
            ("330102", "上城区", "district", "330100", 2),
        ),
        "b1",
    )
    assert stored == 2
    current = _current(register, REGIONS).to_pylist()
    assert [(r["region_code"], r["resident_population"]) for r in current] == [
        ("330102", 2),
        ("330105", 5),
    ]
    assert len(_history(register, REGIONS)) == 2


def test_rerunning_a_batch_changes_nothing(register: sa.Engine) -> None:
    rows = _regions(("330102", "上城区", "district", "330100", 10))
    load_register_rows(register, REGIONS, rows, "b1")
    before = _current(register, REGIONS)
    load_register_rows(register, REGIONS, rows, "b1")
    assert _current(register, REGIONS).equals(before)
    assert [r["batch_id"] for r in _history(register, REGIONS)] == ["b1"]


def test_loading_rows_records_the_batch_and_an_aware_load_time(register: sa.Engine) -> None:
    load_register_rows(register, REGIONS, _regions(("330102", "上城区", "district", None, 1)), "b7")
    (version,) = _history(register, REGIONS)
    assert version["batch_id"] == "b7"
    assert version["loaded_at"].tzinfo is not None


def test_an_empty_batch_stores_nothing(register: sa.Engine) -> None:
    assert load_register_rows(register, REGIONS, _regions(), "b1") == 0
    assert _history(register, REGIONS) == []


def test_rows_lacking_a_contract_field_are_refused_naming_it(register: sa.Engine) -> None:
    rows = _regions(("330102", "上城区", "district", None, 1)).drop_columns(["level"])
    with pytest.raises(ContractError, match="level"):
        load_register_rows(register, REGIONS, rows, "b1")


def test_event_tables_are_refused_by_the_register(register: sa.Engine) -> None:
    events = table("portal_events")
    with pytest.raises(ContractError, match="event table"):
        load_register_rows(register, events, arrow_schema(events).empty_table(), "b1")
