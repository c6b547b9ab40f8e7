"""Fresh PostgreSQL databases on the test server (127.0.0.1:5432, trust authentication)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

__all__ = ["POSTGRES_ADMIN", "temporary_postgres_database"]

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def temporary_postgres_database() -> Iterator[str]:
    """The SQLAlchemy URL of a new, empty database, dropped (connections and all) on exit."""
    name = f"cityops_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
