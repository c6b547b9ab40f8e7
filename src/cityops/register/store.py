"""Loading and reading register tables: the latest load per key wins, history kept.

Rows arrive as Arrow tables already validated by ingestion (types of
:func:`cityops.lake.schema.arrow_schema`).  A load writes, in one transaction,

* the current table: one upsert per key (``INSERT … ON CONFLICT DO UPDATE``,
  the same statement on SQLite and PostgreSQL), so the newest load wins;
* the history table: every version, keyed by contract key + batch id, so
  re-running a batch replaces its own versions and changes nothing else.

Register tables are small (≤ 100 k rows), so rows travel as one
``executemany`` of dictionaries: no per-row round trips.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import sqlalchemy as sa

from cityops.domain.contract import Table
from cityops.errors import ContractError
from cityops.lake.schema import TIMESTAMP_TYPE, arrow_schema
from cityops.register.schema import BATCH_ID, LOADED_AT, current_table, history_table
from cityops.register.upsert import upsert

__all__ = ["last_row_per_key", "load_register_rows", "read_current"]

_ROW_NUMBER = "__row_number"


def _conform(table: Table, rows: pa.Table) -> pa.Table:
    """The contract columns of ``rows``, in contract order and contract types."""
    schema = arrow_schema(table)
    missing = [name for name in schema.names if name not in rows.column_names]
    if missing:
        raise ContractError(
            f"rows for register table {table.name!r} lack the field(s) {', '.join(missing)}; "
            f"expected {', '.join(schema.names)}"
        )
    try:
        return rows.select(schema.names).cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise ContractError(
            f"rows for register table {table.name!r} do not have the contract types: {error}"
        ) from error


def last_row_per_key(rows: pa.Table, key: tuple[str, ...]) -> pa.Table:
    """``rows`` with only the last row of each key, in their original order.

    Within one batch a later row is a later statement about the same object,
    so it wins, as a later batch would.
    """
    if rows.num_rows == 0:
        return rows
    numbered = rows.append_column(_ROW_NUMBER, pa.array(np.arange(rows.num_rows)))
    last = numbered.group_by(list(key), use_threads=False).aggregate([(_ROW_NUMBER, "max")])
    return rows.take(np.sort(last[f"{_ROW_NUMBER}_max"].to_numpy()))


def load_register_rows(engine: sa.Engine, table: Table, rows: pa.Table, batch_id: str) -> int:
    """Store ``rows`` of register ``table`` as batch ``batch_id``; return the keys written.

    A key seen twice in ``rows`` counts once (its last row wins).  Raises
    :class:`ContractError` for an event table or rows that lack contract fields.
    """
    current, history = current_table(table), history_table(table)
    latest = last_row_per_key(_conform(table, rows), table.identity)
    if latest.num_rows == 0:
        return 0
    loaded_at = pa.scalar(datetime.now(UTC), type=TIMESTAMP_TYPE)
    stamped = latest.append_column(BATCH_ID, pa.repeat(batch_id, latest.num_rows)).append_column(
        LOADED_AT, pa.repeat(loaded_at, latest.num_rows)
    )
    records: list[dict[str, Any]] = stamped.to_pylist()
    with engine.begin() as connection:
        connection.execute(upsert(engine, current), records)
        connection.execute(upsert(engine, history), records)
    return int(latest.num_rows)


def read_current(connection: sa.Connection, table: Table) -> pa.Table:
    """The current version of every key of register ``table``, sorted by key.

    The result has exactly :func:`arrow_schema` of the table (field order,
    types, nullability), ready for DuckDB.  Sorting happens in Arrow, not SQL,
    so SQLite and PostgreSQL (whose text collations differ) return the same order.
    """
    schema = arrow_schema(table)
    current = current_table(table)
    rows = connection.execute(sa.select(*(current.c[name] for name in schema.names))).all()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema.names]
    arrays = [
        pa.array(values, type=field.type) for values, field in zip(columns, schema, strict=True)
    ]
    result = pa.Table.from_arrays(arrays, schema=schema)
    return result.sort_by([(name, "ascending") for name in table.identity])
