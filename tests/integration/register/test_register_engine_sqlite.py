"""SQLite registers let readers work while an ingest writes."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from cityops.register.engine import make_engine


def test_sqlite_connections_use_write_ahead_logging(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'r.sqlite'}")
    try:
        with engine.connect() as connection:
            mode = connection.execute(sa.text("PRAGMA journal_mode")).scalar_one()
            foreign_keys = connection.execute(sa.text("PRAGMA foreign_keys")).scalar_one()
    finally:
        engine.dispose()
    assert (mode, foreign_keys) == ("wal", 1)
