"""Fixtures of the Open311 tests: a tiny city with a few services, a client over the
app, and staff users made on demand.

示范市 ``330100`` has two districts, 东湖区 ``330102`` (with one street) and
西山区 ``330103``.  Its services: ``road`` (city-wide, 城管局), ``light``
(东湖区, 城管局), ``noise`` (西山区, 生态环境局), ``gone`` (offline since 2021)
and ``soon`` (online only from 2999).  ``city`` runs on SQLite; ``any_city`` on
SQLite and on PostgreSQL.  The periodic outbox flush is off
(``CITYOPS_OUTBOX_FLUSH_S=0``): tests flush when they mean to, and the app
flushes once when its client closes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cityops.access.cipher import ContactCipher
from cityops.access.roles import Role
from cityops.accounts.store import create_user
from cityops.api.app import create_app
from cityops.ingestion.batch import ingest_file
from cityops.register.engine import make_engine
from cityops.tickets.settings import FLUSH_ENV
from cityops.workspace.create import create_workspace
from cityops.workspace.workspace import Workspace

CITY = "330100"
DISTRICT = "330102"
OTHER_DISTRICT = "330103"
STREET = "330102001"
DEPARTMENT = "城管局"
OTHER_DEPARTMENT = "生态环境局"
PASSWORD = "a long enough password"

REGIONS_CSV = """region_code,name,level,parent_code,resident_population
330000,示范省,province,,5000000
330100,示范市,city,330000,1000000
330102,东湖区,district,330100,400000
330103,西山区,district,330100,600000
330102001,湖滨街道,street,330102,100000
"""

SERVICES_CSV = """\
service_id,name,department,category,region_code,on_portal,one_thing_id,online_since,offline_at
road,道路破损,城管局,市容环境,330100,true,,2024-01-01,
light,路灯故障,城管局,市政设施,330102,true,,2024-01-01,
noise,噪声扰民,生态环境局,环境保护,330103,true,,2024-01-01,
gone,旧事项,城管局,市容环境,330100,true,,2020-01-01,2021-01-01
soon,新事项,城管局,市容环境,330100,true,,2999-01-01,
"""

_USER_NUMBERS = itertools.count(1)


def ingest_text(workspace: Workspace, table: str, text: str, directory: Path) -> None:
    """Ingest ``text`` as a CSV file of ``table`` (register data for a test)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{table}-{next(_USER_NUMBERS)}.csv"
    path.write_text(text, encoding="utf-8")
    batch = ingest_file(workspace, table, path)
    assert batch.quarantined == 0, f"test data for {table} was quarantined"


def build_city(root: Path, register_url: str | None = None) -> Workspace:
    workspace = create_workspace(root / "ws", name="示范市", register_url=register_url)
    ingest_text(workspace, "regions", REGIONS_CSV, root / "sources")
    ingest_text(workspace, "services", SERVICES_CSV, root / "sources")
    return workspace


@dataclass
class Open311City:
    """The workspace, a client over its app, and what tests need to look underneath."""

    workspace: Workspace
    client: TestClient
    engine: sa.Engine

    @property
    def cipher(self) -> ContactCipher:
        return ContactCipher(self.workspace.secret_path.read_bytes().strip())

    def submit(self, fmt: str = "json", **form: str) -> httpx2.Response:
        """POST requests.{fmt} with ``form`` (defaults: service ``road`` at a lat/long)."""
        fields = {"service_code": "road", "lat": "30.25", "long": "120.16", **form}
        return self.client.post(f"/open311/v2/requests.{fmt}", data=fields)

    def submitted(self, **form: str) -> str:
        """The id of a request submitted with ``form`` (which must succeed)."""
        answer = self.submit("json", **form)
        assert answer.status_code == 201, answer.text
        request_id: str = answer.json()[0]["service_request_id"]
        return request_id

    def staff(
        self,
        role: Role,
        *,
        region: str | None = CITY,
        department: str | None = None,
        personal: bool = False,
    ) -> Mapping[str, str]:
        """Bearer headers of a new user with ``role``."""
        username = f"{role.value}-{next(_USER_NUMBERS)}"
        create_user(
            self.engine,
            username=username,
            password=PASSWORD,
            role=role,
            region_code=region,
            department=department,
            operator_id="OP-1" if role is Role.OPERATOR else None,
            can_view_personal=personal,
        )
        answer = self.client.post(
            "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def department(self, name: str = DEPARTMENT, *, personal: bool = False) -> Mapping[str, str]:
        return self.staff(Role.DEPARTMENT, department=name, personal=personal)


def _open(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> Iterator[Open311City]:
    monkeypatch.setenv(FLUSH_ENV, "0")
    engine = make_engine(workspace.register_url)
    try:
        with TestClient(create_app(workspace)) as client:
            yield Open311City(workspace, client, engine)
    finally:
        engine.dispose()


@pytest.fixture
def city(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Open311City]:
    """The tiny city on a SQLite register."""
    yield from _open(build_city(tmp_path), monkeypatch)


@pytest.fixture
def any_city(
    tmp_path: Path, register_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Open311City]:
    """The tiny city on SQLite and on PostgreSQL."""
    yield from _open(build_city(tmp_path, register_url), monkeypatch)
