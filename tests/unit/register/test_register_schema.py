"""The register schema follows the contract: one current and one history table each."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from cityops.domain.contract import REGISTER_TABLES, Table, table
from cityops.errors import ContractError
from cityops.register.schema import UtcDateTime, current_table, history_table


@pytest.mark.parametrize("contract_table", REGISTER_TABLES, ids=lambda t: t.name)
def test_current_table_has_the_contract_fields_then_load_columns_keyed_by_contract_key(
    contract_table: Table,
) -> None:
    current = current_table(contract_table)
    assert current.name == contract_table.name
    assert [c.name for c in current.columns] == [
        *contract_table.field_names,
        "batch_id",
        "loaded_at",
    ]
    assert [c.name for c in current.primary_key] == list(contract_table.identity)


@pytest.mark.parametrize("contract_table", REGISTER_TABLES, ids=lambda t: t.name)
def test_history_table_keeps_one_version_per_key_and_batch(contract_table: Table) -> None:
    history = history_table(contract_table)
    assert history.name == f"{contract_table.name}_history"
    assert [c.name for c in history.primary_key] == [*contract_table.identity, "batch_id"]


@pytest.mark.parametrize("contract_table", REGISTER_TABLES, ids=lambda t: t.name)
def test_only_optional_contract_fields_are_nullable(contract_table: Table) -> None:
    current = current_table(contract_table)
    nullable = {c.name for c in current.columns if c.nullable}
    assert nullable == {f.name for f in contract_table.fields if not f.required}


@pytest.mark.parametrize(
    ("table_name", "column", "sqlite_type", "postgresql_type"),
    [
        ("services", "service_id", "TEXT", "TEXT"),
        ("services", "on_portal", "BOOLEAN", "BOOLEAN"),
        ("services", "online_since", "DATE", "DATE"),
        ("regions", "resident_population", "BIGINT", "BIGINT"),
        ("cloud_resources", "vcpu_alloc", "DOUBLE", "DOUBLE PRECISION"),
        ("regions", "loaded_at", "DATETIME", "TIMESTAMP WITH TIME ZONE"),
    ],
)
def test_contract_types_map_to_lossless_sql_types(
    table_name: str, column: str, sqlite_type: str, postgresql_type: str
) -> None:
    column_type = current_table(table(table_name)).c[column].type
    assert column_type.compile(dialect=sqlite.dialect()) == sqlite_type
    assert (
        column_type.compile(dialect=sa.create_engine("postgresql+psycopg://").dialect)
        == postgresql_type
    )


def test_event_tables_have_no_register_table() -> None:
    with pytest.raises(ContractError, match="event table"):
        current_table(table("portal_events"))


def test_instants_are_stored_in_utc_and_read_back_aware() -> None:
    utc_type = UtcDateTime()
    dialect = sqlite.dialect()
    shanghai = datetime(2025, 3, 1, 8, 30, tzinfo=timezone(timedelta(hours=8)))
    stored = utc_type.process_bind_param(shanghai, dialect)
    assert stored is not None
    assert (stored.utcoffset(), stored.hour) == (timedelta(0), 0)
    naive_from_sqlite = datetime(2025, 3, 1, 0, 30)
    assert utc_type.process_result_value(naive_from_sqlite, dialect) == shanghai


def test_a_naive_instant_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ContractError, match="naive"):
        UtcDateTime().process_bind_param(datetime(2025, 3, 1), sqlite.dialect())
