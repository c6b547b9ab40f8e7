"""Alembic environment of the register: online migrations on one connection.

Run through :mod:`cityops.register.migrate`, which passes the URL in the
configuration's attributes.  ``render_as_batch`` lets future migrations alter
SQLite tables (which cannot ``ALTER COLUMN``) with the same operations as on
PostgreSQL.
"""

from __future__ import annotations

from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext

from cityops.register.engine import make_engine
from cityops.register.migrate import URL_ATTRIBUTE
from cityops.register.schema import UtcDateTime, metadata


def render_item(kind: str, item: object, _context: AutogenContext) -> str | Literal[False]:
    """Write ``UtcDateTime`` as the plain SQL type: migrations must not import app code."""
    if kind == "type" and isinstance(item, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


engine = make_engine(context.config.attributes[URL_ATTRIBUTE])
try:
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
finally:
    engine.dispose()
