"""Register tests get an engine on a register migrated to the newest schema
(on SQLite and on PostgreSQL: see tests/integration/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from cityops.register.engine import make_engine
from cityops.register.migrate import migrate_register


@pytest.fixture
def register(register_url: str) -> Iterator[sa.Engine]:
    """An engine on a register migrated to the newest schema."""
    migrate_register(register_url)
    engine = make_engine(register_url)
    try:
        yield engine
    finally:
        engine.dispose()
