"""The register database schema (登记库), derived from the data contract.

Register tables change slowly and the latest load per key wins, but nothing is
forgotten.  Each contract register table therefore becomes two SQL tables:

``<name>``
    the current version of every key: primary key = the contract key, one
    column per contract field, plus ``batch_id`` and ``loaded_at`` of the load
    that wrote it;
``<name>_history``
    every loaded version: primary key = contract key + ``batch_id``, so
    re-running a batch replaces its own versions instead of adding copies
    (ingest is idempotent).

``ingest_batches`` accounts every ingest batch, register and event tables
alike: received = stored + quarantined + duplicates.

The columns come from :mod:`cityops.domain.contract`, so the contract stays the
one source of truth; the Alembic migrations are frozen copies of this metadata
and a test proves they agree.  Descriptions stay in the contract (no SQL
comments), so rewording a description needs no migration.  There are
deliberately no CHECK constraints for allowed values and no foreign keys between
register tables: ingestion validates rows (and quarantines bad ones) before
they reach the database, and registers arrive in any order (a device may be
loaded before its region).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from cityops.domain.contract import REGISTER_TABLES, Field, FieldType, Table, TableKind
from cityops.errors import ContractError

__all__ = [
    "BATCH_ID",
    "HISTORY_SUFFIX",
    "LOADED_AT",
    "UtcDateTime",
    "current_table",
    "history_table",
    "ingest_batches",
    "metadata",
    "sql_type",
]

BATCH_ID = "batch_id"
LOADED_AT = "loaded_at"
HISTORY_SUFFIX = "_history"

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
"""All register tables; constraint names are fixed so migrations can refer to them."""


class UtcDateTime(sa.TypeDecorator[datetime]):
    """An instant stored in UTC and read back timezone-aware, on every backend.

    PostgreSQL keeps ``timestamptz`` natively, but SQLite stores the wall-clock
    text and drops the offset; normalising to UTC on the way in makes both read
    back the same instant.  Naive values are refused: the contract says a
    naive timestamp is Asia/Shanghai time, and that decision belongs to
    ingestion, not to storage.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ContractError(f"naive timestamp {value.isoformat()} cannot be stored")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite: the stored text is UTC
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


_SQL_TYPES: dict[FieldType, sa.types.TypeEngine[Any]] = {
    FieldType.STRING: sa.Text(),
    FieldType.INT: sa.BigInteger(),
    FieldType.FLOAT: sa.Double(),
    FieldType.BOOL: sa.Boolean(),
    FieldType.DATE: sa.Date(),
    FieldType.TIMESTAMP: UtcDateTime(),
    FieldType.PERIOD: sa.Text(),
}


def sql_type(field_type: FieldType) -> sa.types.TypeEngine[Any]:
    """The SQL type that holds a contract type without loss (ints are 64-bit)."""
    return _SQL_TYPES[field_type]


def _field_column(field: Field, key: tuple[str, ...]) -> sa.Column[Any]:
    return sa.Column(
        field.name, sql_type(field.type), nullable=not field.required and field.name not in key
    )


def _load_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column(BATCH_ID, sa.Text(), nullable=False),
        sa.Column(LOADED_AT, UtcDateTime(), nullable=False),
    ]


def _define(contract_table: Table) -> tuple[sa.Table, sa.Table]:
    key = contract_table.identity
    current = sa.Table(
        contract_table.name,
        metadata,
        *(_field_column(f, key) for f in contract_table.fields),
        *_load_columns(),
        sa.PrimaryKeyConstraint(*key),
    )
    history = sa.Table(
        f"{contract_table.name}{HISTORY_SUFFIX}",
        metadata,
        *(_field_column(f, key) for f in contract_table.fields),
        *_load_columns(),
        sa.PrimaryKeyConstraint(*key, BATCH_ID),
        sa.Index(None, BATCH_ID),
    )
    return current, history


_SQL_TABLES: dict[str, tuple[sa.Table, sa.Table]] = {t.name: _define(t) for t in REGISTER_TABLES}

ingest_batches = sa.Table(
    "ingest_batches",
    metadata,
    sa.Column(BATCH_ID, sa.Text(), primary_key=True),
    sa.Column("table_name", sa.Text(), nullable=False),
    sa.Column("source", sa.Text(), nullable=False),
    sa.Column("started_at", UtcDateTime(), nullable=False),
    sa.Column("finished_at", UtcDateTime(), nullable=True),
    sa.Column("received", sa.BigInteger(), nullable=False),
    sa.Column("stored", sa.BigInteger(), nullable=False),
    sa.Column("quarantined", sa.BigInteger(), nullable=False),
    sa.Column("duplicates", sa.BigInteger(), nullable=False),
    sa.Index(None, "table_name", "started_at"),
)


def _sql_tables(contract_table: Table) -> tuple[sa.Table, sa.Table]:
    if contract_table.kind is not TableKind.REGISTER:
        registers = ", ".join(t.name for t in REGISTER_TABLES)
        raise ContractError(
            f"{contract_table.name!r} is an event table and lives in the lake, "
            f"not the register; register tables are: {registers}"
        )
    return _SQL_TABLES[contract_table.name]


def current_table(contract_table: Table) -> sa.Table:
    """The SQL table holding the current version of each key of a register table."""
    return _sql_tables(contract_table)[0]


def history_table(contract_table: Table) -> sa.Table:
    """The SQL table holding every loaded version of a register table."""
    return _sql_tables(contract_table)[1]
