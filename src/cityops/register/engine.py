"""Connecting to the register database, SQLite or PostgreSQL, the same way everywhere."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

__all__ = ["make_engine", "masked_url", "normalized_url"]

_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",  # readers (console, API) do not block an ingest
    "PRAGMA synchronous=NORMAL",  # safe with WAL; a crash loses at most the last commit
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",  # wait for a concurrent writer instead of failing at once
)


def normalized_url(url: str) -> URL:
    """``url`` parsed, with a bare ``postgresql://`` pointed at psycopg 3.

    Without a driver SQLAlchemy would look for psycopg2, which cityops does
    not install; psycopg 3 is the one driver it ships with (extra ``postgres``).
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def masked_url(url: str) -> str:
    """``url`` safe to print or log: the password, if any, is replaced by ``***``.

    A URL without password is returned as written (rendering it again would
    percent-encode a SQLite path such as ``示范县/register.sqlite``).
    """
    parsed = make_url(url)
    return url if parsed.password is None else parsed.render_as_string(hide_password=True)


_MAX_OVERFLOW = 40
"""Connections beyond the pool's five kept ones: one per request the server runs at
once (its thread pool has 40 workers), so a burst never waits on the pool."""


def _configure_sqlite(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def make_engine(url: str) -> sa.Engine:
    """An engine for the register at ``url`` (``sqlite:///…`` or ``postgresql+psycopg://…``).

    SQLite connections run in WAL mode with a busy timeout, so the web console
    can read while an ingest writes.
    """
    parsed = normalized_url(url)
    engine = sa.create_engine(parsed, max_overflow=_MAX_OVERFLOW)
    if parsed.get_backend_name() == "sqlite":
        sa.event.listen(engine, "connect", _configure_sqlite)
    return engine
