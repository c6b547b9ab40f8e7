"""Register databases for integration tests: each test runs once on SQLite and once on
PostgreSQL (127.0.0.1:5432, trust authentication), each time on a fresh database.  And
``environment``, for a command run in this process that should read variables a test sets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres_database import temporary_postgres_database

from cityops.settings import ProcessSettings


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    with temporary_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def register_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty register database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'register.sqlite'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """``monkeypatch`` for the process's environment, whose settings a command run in
    the test then reads afresh (a process keeps them once read), and so does the next
    test."""
    ProcessSettings.settings_clear_cache()
    yield monkeypatch
    ProcessSettings.settings_clear_cache()
