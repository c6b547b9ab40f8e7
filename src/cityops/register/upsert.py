"""Insert-or-replace by primary key, the same statement on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from cityops.errors import PipelineError

__all__ = ["upsert"]


def upsert(engine: sa.Engine | sa.Connection, target: sa.Table) -> sa.Insert:
    """``INSERT … ON CONFLICT (primary key) DO UPDATE`` of every other column.

    Executed with a list of rows (``executemany``).  A key must not repeat
    within one list: PostgreSQL batches the rows into one statement and
    refuses to update a row twice, so callers drop earlier duplicates first.
    """
    key = [column.name for column in target.primary_key]

    def others(excluded: sa.ColumnCollection[str, sa.ColumnElement[Any]]) -> dict[str, Any]:
        return {c.name: excluded[c.name] for c in target.columns if c.name not in key}

    if engine.dialect.name == "sqlite":
        on_sqlite = sqlite.insert(target)
        return on_sqlite.on_conflict_do_update(index_elements=key, set_=others(on_sqlite.excluded))
    if engine.dialect.name == "postgresql":
        on_postgres = postgresql.insert(target)
        return on_postgres.on_conflict_do_update(
            index_elements=key, set_=others(on_postgres.excluded)
        )
    raise PipelineError(
        f"the register database {engine.dialect.name!r} is not supported; "
        "use SQLite (sqlite:///…) or PostgreSQL (postgresql+psycopg://…)"
    )
