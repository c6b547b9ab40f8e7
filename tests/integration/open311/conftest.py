"""Fixtures of the Open311 tests: the tiny city of ``tests/support/open311_city`` with a
client over its app.

``city`` runs on SQLite; ``any_city`` on SQLite and on PostgreSQL;
``two_cities`` holds 示范市 and 滨海市, so that ``jurisdiction_id`` is needed.
Each test has a workspace of its own: the SQLite ones are copies of a workspace
built once per session.  The periodic outbox flush is off
(``CITYOPS_OUTBOX_FLUSH_S=0``): tests flush when they mean to, and the app
flushes once when its client closes.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from open311_city import NO_PERIODIC_FLUSH, Open311City, add_second_city, build_city

from cityops.register.engine import make_engine
from cityops.server import create_app
from cityops.workspace.config import TicketsConfig, read_config, write_config
from cityops.workspace.workspace import Workspace, open_workspace


def _open(workspace: Workspace) -> Iterator[Open311City]:
    engine = make_engine(workspace.register_url)
    try:
        with TestClient(create_app(workspace, NO_PERIODIC_FLUSH)) as client:
            yield Open311City(workspace, client, engine)
    finally:
        engine.dispose()


def _copy(template: Workspace, target: Path) -> Workspace:
    shutil.copytree(template.root, target)
    return open_workspace(target)


@pytest.fixture(scope="session")
def city_template(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return build_city(tmp_path_factory.mktemp("open311_city"))


@pytest.fixture(scope="session")
def two_cities_template(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("open311_two_cities")
    workspace = build_city(root)
    add_second_city(workspace, root / "sources")
    return workspace


@pytest.fixture
def city(city_template: Workspace, tmp_path: Path) -> Iterator[Open311City]:
    """The tiny city on a SQLite register of its own."""
    yield from _open(_copy(city_template, tmp_path / "ws"))


@pytest.fixture
def city_with_own_deadline(city_template: Workspace, tmp_path: Path) -> Iterator[Open311City]:
    """The tiny city whose ``cityops.toml`` sets the ticket deadline to 36.5 hours."""
    root = tmp_path / "ws"
    shutil.copytree(city_template.root, root)
    tickets = TicketsConfig(deadline_h=36.5)
    write_config(root, read_config(root).model_copy(update={"tickets": tickets}))
    yield from _open(open_workspace(root))


@pytest.fixture
def two_cities(two_cities_template: Workspace, tmp_path: Path) -> Iterator[Open311City]:
    """The tiny city and 滨海市 ``330200`` in one SQLite register of their own."""
    yield from _open(_copy(two_cities_template, tmp_path / "ws"))


@pytest.fixture
def any_city(tmp_path: Path, register_url: str) -> Iterator[Open311City]:
    """The tiny city on SQLite and on PostgreSQL (a new database each time)."""
    yield from _open(build_city(tmp_path, register_url))
