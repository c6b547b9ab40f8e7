"""Fixtures of the API tests.

- ``api_workspace`` / ``api_client``: the shared two-city workspace
  (``tests/support/api_workspace``) and a client over it, for tests that only read;
- ``writable_api``: a small private workspace per test, for tests that ingest
  (``tests/support/api_writable``);
- ``evaluated_copy``: a private copy of the shared workspace holding a second
  evaluation run, made after a street was renamed to a formula;
- ``backend_workspace`` / ``backend_client``: the two-city workspace with its
  register on SQLite (the shared one) and on PostgreSQL, for tests that must
  hold on both databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_workspace import ApiWorkspace, build_api_workspace
from api_workspace import api_workspace as api_workspace
from api_writable import EvaluatedCopy, WritableApi, copy_and_evaluate, writable
from fastapi.testclient import TestClient
from ingest_workspace import make_workspace
from postgres_database import temporary_postgres_database

from cityops.server import create_app


@pytest.fixture(scope="session")
def api_client(api_workspace: ApiWorkspace) -> Iterator[TestClient]:
    """One client over the shared workspace's app (no credentials of its own)."""
    with TestClient(create_app(api_workspace.workspace)) as client:
        yield client


@pytest.fixture
def writable_api(tmp_path: Path) -> Iterator[WritableApi]:
    """A new small workspace with a client; users are made on first use."""
    with writable(make_workspace(tmp_path)) as api:
        yield api


@pytest.fixture(scope="session")
def evaluated_copy(
    api_workspace: ApiWorkspace, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EvaluatedCopy]:
    """The shared workspace copied, with a street renamed ``=1+1`` and evaluated again."""
    workspace, run = copy_and_evaluate(api_workspace, tmp_path_factory.mktemp("copy") / "ws")
    with TestClient(create_app(workspace)) as client:
        yield EvaluatedCopy(workspace, client, api_workspace, run)


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def backend_workspace(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiWorkspace]:
    """The two-city workspace on SQLite (the shared one) or on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        shared: ApiWorkspace = request.getfixturevalue("api_workspace")
        yield shared
        return
    with temporary_postgres_database() as url:
        yield build_api_workspace(tmp_path_factory.mktemp("api_postgres"), register_url=url)


@pytest.fixture(scope="session")
def backend_client(backend_workspace: ApiWorkspace) -> Iterator[TestClient]:
    """A client over ``backend_workspace``'s app."""
    with TestClient(create_app(backend_workspace.workspace)) as client:
        yield client
